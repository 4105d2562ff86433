"""QGIS default styles written into a GeoPackage's layer_styles table."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import fiona
import geopandas as gpd
import pyogrio
from shapely import box

from lzgis.io import write_vectors
from lzgis.io.qgis_styles import Rule, rule_style
from lzgis.suitability import qgis_styles


def test_rule_style_is_well_formed_qml_with_one_symbol_per_rule() -> None:
    qml = rule_style(
        [
            Rule("a & b", '"x" < 2', fill=(1, 2, 3)),
            Rule("edge", "TRUE", fill=None, outline=(9, 9, 9)),
        ]
    )
    root = ET.fromstring(qml.split("\n", 1)[1])
    rules = root.findall("./renderer-v2/rules/rule")
    assert [(r.get("label"), r.get("filter"), r.get("symbol")) for r in rules] == [
        ("a & b", '"x" < 2', "0"),
        ("edge", "TRUE", "1"),
    ]
    symbols = root.findall("./renderer-v2/symbols/symbol")
    opts = {o.get("name"): o.get("value") for o in symbols[1].iter("Option") if o.get("name")}
    assert opts["style"] == "no" and opts["outline_color"] == "9,9,9,255"


def test_suitability_grid_style_covers_masked_and_every_score(tmp_path: Path) -> None:
    root = ET.fromstring(qgis_styles()["grid"].split("\n", 1)[1])
    filters = [r.get("filter") for r in root.findall("./renderer-v2/rules/rule")]
    assert filters[0] == '"score" IS NULL'
    assert filters[1] == '"score" >= 0 AND "score" < 0.2' and filters[5] == '"score" >= 0.8'
    assert filters[-1] == '"allocated"'


def test_write_vectors_stores_default_styles_and_the_layers_still_read(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(103, 36, 103.1, 36.1)], crs=4326)
    target = tmp_path / "out.gpkg"
    write_vectors({"grid": gdf, "sites": gdf}, target, styles=qgis_styles())
    with sqlite3.connect(target) as con:
        rows = con.execute(
            "SELECT s.f_table_name, s.f_geometry_column, s.useAsDefault, s.styleQML "
            "FROM layer_styles s JOIN gpkg_geometry_columns g ON g.table_name = s.f_table_name "
            "AND g.column_name = s.f_geometry_column ORDER BY s.f_table_name"
        ).fetchall()
    assert [(r[0], r[2]) for r in rows] == [("grid", 1), ("sites", 1)]
    assert rows[0][3] == qgis_styles()["grid"]
    assert sorted(fiona.listlayers(target)) == ["grid", "layer_styles", "sites"]
    assert gpd.read_file(target, layer="grid")["id"].tolist() == ["a"]
    table = pyogrio.read_dataframe(target, layer="layer_styles")
    assert sorted(table["f_table_name"]) == ["grid", "sites"]
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind
