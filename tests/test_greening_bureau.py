"""The forestry bureau's path through real files: data share, scaled NDVI, --within,
outputs for people (CSV with BOM, .xlsx, styled GeoPackage), per-scheme checks and names.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
import shapely.affinity
from click.testing import CliRunner
from geotiffs import write_geotiff
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin
from shapely import box

from lzgis.areas import area_km2
from lzgis.cli import main
from lzgis.greening import coverage_from_polygons
from lzgis.greening.outputs import TOTAL_NAME
from lzgis.greening.verdicts import INSUFFICIENT

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 3_990_000.0  # near Lanzhou
# NDVI on a 20 x 20 grid of 10 m pixels: columns 0-9 green (0.8123), 10-19 not (0.1)
NDVI = np.where(np.arange(20)[None, :] < 10, 0.8123, 0.1).repeat(20, axis=0)


def _raster(
    path: Path, data: np.ndarray, *, nodata: float, scale: float = 1.0, offset: float = 0.0
) -> Path:
    return write_geotiff(
        path,
        data,
        crs=UTM,
        transform=from_origin(X0, Y0, 10, 10),
        nodata=nodata,
        scale=scale,
        offset=offset,
    )


def _zones(path: Path, names: list[str | None], geoms: list[object], **cols: list[object]) -> Path:
    gpd.GeoDataFrame({"name": names, **cols}, geometry=geoms, crs=UTM).to_file(path)
    return path


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ndvi(tmp_path: Path) -> Path:
    return _raster(tmp_path / "ndvi.tif", NDVI.astype("float32"), nodata=-9999)


# A zone inside the raster (west half green, east half not) and one 99.97% outside it:
# 10 m of its 33,333 m width lies over the raster's first (green) column.
INSIDE = box(X0 + 50, Y0 - 200, X0 + 150, Y0)
OUTSIDE = box(X0 + 10 - 100_000 / 3, Y0 - 200, X0 + 10, Y0)


def test_zone_mostly_outside_the_raster_is_insufficient_data(ndvi: Path, tmp_path: Path) -> None:
    zones = _zones(tmp_path / "z.gpkg", ["城关区", "永登县"], [INSIDE, OUTSIDE], adcode=[1, 2])
    out = tmp_path / "check.csv"
    args = ["--zones", zones, "--zone-field", "name", "--raster", ndvi, "--ndvi-threshold", "0.3"]
    code, stdout, _ = _run("greening", "check", *args, "--out", out)
    assert code == 1  # one zone has no verdict: not every zone passes
    line = next(x for x in stdout.splitlines() if x.startswith("永登县"))
    assert "数据不足 / insufficient data" in line and "PASS" not in line and "FAIL" not in line
    assert "0.0%" in line  # its data share
    assert stdout.splitlines()[-1].startswith(
        "RESULT plan_2015: INSUFFICIENT DATA: 1 of 2 checks pass, 0 fail, 1 insufficient data"
    )
    assert "warning: 1 zone(s) have data for less than 90%" in stdout
    table = pd.read_csv(out).set_index("zone")
    assert table.loc["永登县", "verdict"] == INSUFFICIENT
    assert pd.isna(table.loc["永登县", "passed"]) and pd.isna(table.loc["永登县", "shortfall_km2"])
    assert table.loc["永登县", "data_share"] == pytest.approx(0.0003, abs=1e-4)
    assert table.loc["城关区", "verdict"] == "PASS" and table.loc["城关区", "data_share"] == 1.0
    # coverage carries the data share too
    cov = tmp_path / "cov.csv"
    assert _run("greening", "coverage", *args, "--out", cov)[0] == 0
    assert pd.read_csv(cov).set_index("zone").loc["永登县", "data_share"] == pytest.approx(
        0.0003, abs=1e-4
    )
    # a lower threshold gives the zone a verdict; only passing zones with enough data exit 0
    code, stdout, _ = _run("greening", "check", *args, "--min-data-share", "0.0001")
    assert code == 0
    assert stdout.splitlines()[-1].startswith("RESULT plan_2015: PASS: 2 of 2 checks pass")


def test_int16_ndvi_refused_without_scale_and_equal_to_float_with_it(
    ndvi: Path, tmp_path: Path
) -> None:
    raw = np.round(NDVI * 10000).astype("int16")
    i16 = _raster(tmp_path / "ndvi_i16.tif", raw, nodata=-32768)
    zones = _zones(tmp_path / "z.gpkg", ["a"], [box(X0 + 33, Y0 - 177, X0 + 141, Y0 - 12)])
    base = ["--zones", zones, "--zone-field", "name", "--ndvi-threshold", "0.3"]
    out = tmp_path / "cov.csv"
    code, _, stderr = _run("greening", "coverage", *base, "--raster", i16, "--out", out)
    assert code == 2 and not out.exists()
    lines = stderr.strip().splitlines()
    assert len([x for x in lines if x.startswith("Error:")]) == 1
    assert "ndvi_i16.tif" in lines[-1] and "1,000 … 8,123" in lines[-1]
    assert "fix: pass `--ndvi-scale 0.0001`" in lines[-1]
    # the check refuses the same way (exit 2, not a 100% PASS)
    assert _run("greening", "check", *base, "--raster", i16)[0] == 2

    def coverage(*extra: str | Path) -> float:
        got = tmp_path / "got.gpkg"
        code, _, stderr = _run("greening", "coverage", *base, *extra, "--out", got)
        assert code == 0, stderr
        return float(gpd.read_file(got, layer="got")["coverage"].iloc[0])

    expected = coverage("--raster", ndvi)
    assert 0.5 < expected < 0.9
    assert coverage("--raster", i16, "--ndvi-scale", "0.0001") == pytest.approx(expected, abs=1e-9)
    # GDAL scale metadata is applied by itself
    meta = _raster(tmp_path / "ndvi_meta.tif", raw, nodata=-32768, scale=1e-4)
    assert coverage("--raster", meta) == pytest.approx(expected, abs=1e-9)


def test_red_nir_band_offset_applied_before_ndvi(tmp_path: Path) -> None:
    # Sentinel-2 L2A since 2022: reflectance = DN / 10000 - 0.1. Red 0.05, NIR 0.10 gives
    # NDVI 0.333 (green at 0.3); the DNs alone give (2000 - 1500) / 3500 = 0.143 (not green).
    red = _raster(
        tmp_path / "B04.tif", np.full((20, 20), 1500, "uint16"), nodata=0, scale=1e-4, offset=-0.1
    )
    nir = _raster(
        tmp_path / "B08.tif", np.full((20, 20), 2000, "uint16"), nodata=0, scale=1e-4, offset=-0.1
    )
    zones = _zones(tmp_path / "z.gpkg", ["a"], [INSIDE])
    out = tmp_path / "cov.csv"
    code, _, stderr = _run(
        "greening", "coverage", "--zones", zones, "--zone-field", "name", "--red", red,
        "--nir", nir, "--ndvi-threshold", "0.3", "--out", out,
    )  # fmt: skip
    assert code == 0, stderr
    assert pd.read_csv(out)["coverage"].iloc[0] == 1.0


# Two overlapping zones (a: 0-1000 m, b: 500-1500 m) over green polygons in two files.
ZA = box(X0, Y0 - 1000, X0 + 1000, Y0)
ZB = box(X0 + 500, Y0 - 1000, X0 + 1500, Y0)


@pytest.fixture
def polygon_files(tmp_path: Path) -> dict[str, Path]:
    g1 = gpd.GeoDataFrame(geometry=[box(X0 + 200, Y0 - 1000, X0 + 800, Y0)], crs=UTM)
    g2 = gpd.GeoDataFrame(geometry=[box(X0 + 600, Y0 - 600, X0 + 1400, Y0)], crs=UTM)
    paths = {"g1": tmp_path / "g1.gpkg", "g2": tmp_path / "g2.geojson"}
    g1.to_file(paths["g1"])
    g2.to_file(paths["g2"])
    paths["zones"] = _zones(
        tmp_path / "zones.gpkg", ["城关区", "七里河区"], [ZA, ZB], adcode=[620102, 620103],
        行政代码=["620102", "620103"],
    )  # fmt: skip
    return paths


def _poly_args(p: dict[str, Path]) -> list[str | Path]:
    return ["--zones", p["zones"], "--zone-field", "name", "--green", p["g1"], "--green", p["g2"]]


def test_csv_bom_and_attributes(polygon_files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cov.csv"
    assert _run("greening", "coverage", *_poly_args(polygon_files), "--out", out)[0] == 0
    raw = out.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    header = raw[3:].decode("utf-8").splitlines()[0].split(",")
    assert header[:7] == [
        "zone", "area_km2", "data_km2", "green_km2", "coverage", "unknown", "data_share",
    ]  # fmt: skip
    assert {"adcode", "行政代码"} <= set(header)
    table = pd.read_csv(out)
    assert table["adcode"].tolist() == [620102, 620103]
    assert table["coverage"].round(4).equals(table["coverage"])  # rates to 1e-4


def test_xlsx_headers_formats_and_union_total(
    polygon_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "cov.xlsx"
    code, _, stderr = _run("greening", "coverage", *_poly_args(polygon_files), "--out", out)
    assert code == 0, stderr
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for text in ("区县 / zone", "面积 km² / area", "绿地 km² / green", "覆盖率 / coverage"):
        assert text in header
    assert "数据覆盖 / data share" in header and "adcode" in header
    assert ws.freeze_panes == "A2"
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.cell(2, col["覆盖率 / coverage"]).number_format == "0.00%"
    total = {h: ws.cell(4, col[h]).value for h in header}
    assert total["区县 / zone"] == TOTAL_NAME and ws.cell(4, 1).font.bold
    # the union of the two overlapping zones measured directly: never their sum
    union = gpd.GeoDataFrame({"zone": ["u"]}, geometry=[ZA.union(ZB)], crs=UTM)
    green = [gpd.read_file(polygon_files["g1"]), gpd.read_file(polygon_files["g2"])]
    direct = coverage_from_polygons(union, green, zone_field="zone").iloc[0]
    assert total["面积 km² / area"] == round(direct["area_km2"], 2)
    assert total["绿地 km² / green"] == round(direct["green_km2"], 2)
    assert total["覆盖率 / coverage"] == round(direct["coverage"], 4)
    rows = sum(ws.cell(i, col["面积 km² / area"]).value for i in (2, 3))
    assert total["面积 km² / area"] < rows  # the sum would count the overlap twice
    method = dict(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert "g1.gpkg" in method["绿地 / green"] and "EPSG:32648" in method["区县坐标系 / zones CRS"]
    assert "lzgis 版本 / lzgis version" in method and "运行日期 / date of the run" in method
    assert str(tmp_path) not in "".join(map(str, method.values()))  # names, not paths


def test_union_total_from_a_raster_equals_the_union_measured_directly(
    ndvi: Path, tmp_path: Path
) -> None:
    from lzgis.greening import coverage_from_raster
    from lzgis.greening.sources import coverage_with_total
    from lzgis.greening.zones import zones_union
    from lzgis.zonal._union import RingsUnion

    # two overlapping zones (no edges along one line: the kernel's rings are measured in the
    # pass, while their polygon is checked beside it)
    a = box(X0 + 15, Y0 - 185, X0 + 125, Y0 - 5)
    b = shapely.affinity.rotate(box(X0 + 85, Y0 - 155, X0 + 185, Y0 - 35), 17)
    path = _zones(tmp_path / "z.gpkg", ["城关区", "七里河区"], [a, b], adcode=[1, 2])
    zones = gpd.read_file(path)
    assert isinstance(zones_union(np.asarray(zones.geometry.values), rings=True), RingsUnion)
    kw = {"raster": ndvi, "ndvi_threshold": 0.3}
    result, total = coverage_with_total(zones, zone_field="name", **kw)  # type: ignore[arg-type]
    union = gpd.GeoDataFrame({"zone": ["u"]}, geometry=[a.union(b)], crs=UTM)
    direct = coverage_from_raster(union, ndvi, zone_field="zone", ndvi_threshold=0.3).iloc[0]
    assert total is not None
    for key in ("area_km2", "data_km2", "green_km2", "coverage"):
        assert total[key] == pytest.approx(direct[key], rel=1e-9)
    assert total["area_km2"] < result["area_km2"].sum()  # never the sum
    assert result["adcode"].tolist() == [1, 2]  # the zones' rows, without the union's
    pd.testing.assert_index_equal(result.index, zones.index)  # and their own index
    # and the workbook's total row shows it
    out = tmp_path / "cov.xlsx"
    args = ["--zones", path, "--zone-field", "name", "--raster", ndvi, "--ndvi-threshold", "0.3"]
    assert _run("greening", "coverage", *args, "--out", out)[0] == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    col = {c.value: i + 1 for i, c in enumerate(ws[1])}
    assert ws.cell(4, 1).value == TOTAL_NAME
    assert ws.cell(4, col["覆盖率 / coverage"]).value == round(direct["coverage"], 4)


def test_gpkg_in_zones_crs_styled_with_attributes(
    polygon_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "check.gpkg"
    code, _, _ = _run("greening", "check", *_poly_args(polygon_files), "--out", out)
    assert code in (0, 1)
    back = gpd.read_file(out, layer="check")
    assert back.crs.to_epsg() == 32648
    assert back["adcode"].tolist() == [620102, 620103] and "verdict" in back.columns
    with sqlite3.connect(out) as con:
        (qml,) = con.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'check' AND useAsDefault"
        ).fetchone()
    assert "RuleRenderer" in qml and "&quot;verdict&quot; = 'FAIL'" in qml
    assert '"value" &gt;= 0.31' in qml  # graduated by the checked coverage
    xlsx = tmp_path / "check.xlsx"
    _run("greening", "check", *_poly_args(polygon_files), "--out", xlsx)
    header = [c.value for c in openpyxl.load_workbook(xlsx).worksheets[0][1]]
    assert "adcode" in header and "结论 / verdict" in header and "差额 km² / shortfall" in header


def test_within_halves_the_zone(polygon_files: dict[str, Path], tmp_path: Path) -> None:
    boundary = tmp_path / "built_up.gpkg"
    gpd.GeoDataFrame(geometry=[box(X0, Y0 - 500, X0 + 3000, Y0)], crs=UTM).to_crs(4326).to_file(
        boundary
    )
    full, half = tmp_path / "full.csv", tmp_path / "half.csv"
    args = _poly_args(polygon_files)
    assert _run("greening", "coverage", *args, "--out", full)[0] == 0
    assert _run("greening", "coverage", *args, "--within", boundary, "--out", half)[0] == 0
    a, b = pd.read_csv(full), pd.read_csv(half)
    assert b["area_km2"].tolist() == pytest.approx((a["area_km2"] / 2).tolist(), abs=0.005)
    got = gpd.read_file(polygon_files["zones"]).clip(box(X0, Y0 - 500, X0 + 3000, Y0))
    assert float(area_km2(got).iloc[0]) == pytest.approx(float(area_km2(
        gpd.read_file(polygon_files["zones"])).iloc[0]) / 2, rel=1e-3)  # fmt: skip


def test_targets_all_one_block_and_result_per_scheme_with_forest(
    polygon_files: dict[str, Path], tmp_path: Path
) -> None:
    forest = tmp_path / "forest.gpkg"
    gpd.GeoDataFrame(geometry=[box(X0, Y0 - 1000, X0 + 300, Y0)], crs=UTM).to_file(forest)
    out = tmp_path / "check.csv"
    code, stdout, _ = _run(
        "greening", "check", *_poly_args(polygon_files), "--targets", "all",
        "--forest", forest, "--out", out,
    )  # fmt: skip
    assert code == 1
    lines = stdout.splitlines()
    table = pd.read_csv(out)
    for scheme in ("plan_2015", "gb55014_2021", "garden_city_basic", "forest_city"):
        assert sum(x.startswith(f"== {scheme}:") for x in lines) == 1
        assert sum(x.startswith(f"RESULT {scheme}:") for x in lines) == 1
    # forest coverage is checked now that a forest source is given
    assert not any("needs a forest source" in x for x in lines)
    forest_rows = table[table["metric"] == "forest_coverage"]
    assert set(forest_rows["scheme"]) == {"plan_2015", "forest_city"}
    # each scheme's RESULT adds only its own shortfalls
    for scheme, part in table.groupby("scheme"):
        res = next(x for x in lines if x.startswith(f"RESULT {scheme}:"))
        assert res.endswith(f"{part['shortfall_km2'].fillna(0).sum():,.1f} km2 of green short")
    assert "RESULT gb55014_2021: NOT CHECKED" in stdout
    assert "not checked: per_capita_park_green_m2 > 8.00: needs parks and population" in stdout


def test_duplicate_and_missing_names(ndvi: Path, tmp_path: Path) -> None:
    zones = _zones(
        tmp_path / "z.gpkg", ["城关区", "城关区", None],
        [INSIDE, box(X0, Y0 - 50, X0 + 50, Y0), box(X0 + 100, Y0 - 50, X0 + 150, Y0)],
        adcode=[1, 2, 3],
    )  # fmt: skip
    out = tmp_path / "cov.csv"
    code, _, stderr = _run(
        "greening", "coverage", "--zones", zones, "--zone-field", "name", "--raster", ndvi,
        "--ndvi-threshold", "0.3", "--out", out,
    )  # fmt: skip
    assert code == 0, stderr
    table = pd.read_csv(out)
    assert table["zone"].tolist() == ["城关区", "城关区", "未命名 / unnamed #3"]
    assert table["adcode"].tolist() == [1, 2, 3]
    assert table["coverage"].tolist() == [0.5, 1.0, 0.0]
    assert stderr.count("shared by several zones (城关区 ×2)") == 1
    assert stderr.count("1 zone(s) have no `name` (rows 3)") == 1


def test_zones_disjoint_paths() -> None:
    from lzgis.greening.sources import zones_disjoint

    # tiles that touch along part of an edge (not a clean coverage) are still disjoint
    touching = np.array([box(0, 0, 1, 1), box(1, 0.5, 2, 2), box(3, 3, 4, 4)], dtype=object)
    assert zones_disjoint(touching) and zones_disjoint(touching, chunk=1)
    # an overlap beyond the first chunk is found pair by pair
    late = np.array([box(0, 0, 1, 1), box(5, 5, 6, 6), box(5.5, 5, 7, 6)], dtype=object)
    assert not zones_disjoint(late, chunk=1)
    # containment shares interior too
    assert not zones_disjoint(np.array([box(0, 0, 4, 4), box(1, 1, 2, 2)], dtype=object))


def test_zones_union_leaves_out_only_covered_zones() -> None:
    from lzgis.greening.zones import zones_union

    a, b = box(0, 0, 4, 4), box(3, 0, 6, 2)  # overlap 1 x 2: union 16 + 6 - 2 = 20
    inner = box(1, 1, 2, 2)  # inside a: adds nothing
    twin = box(3, 0, 6, 2)  # equal to b: one of the two stays
    chain = box(1, 1, 1.5, 1.5)  # inside inner, inside a
    geoms = np.array([inner, a, twin, b, chain, box(10, 10, 11, 12)], dtype=object)
    union = zones_union(geoms)
    assert union is not None
    assert union.area == 22.0
    assert union.symmetric_difference(shapely.union_all(geoms)).area == 0.0
    # equal zones only: their union is the zone itself, never nothing
    assert zones_union(np.array([b, twin], dtype=object)).area == 6.0  # type: ignore[union-attr]
    # disjoint zones: no union (the total is their sum)
    assert zones_union(np.array([a, box(4, 0, 5, 1)], dtype=object)) is None


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 6), st.integers(1, 6)),
        min_size=2,
        max_size=25,
    )
)
def test_union_in_two_halves_equals_the_union_of_all(
    rects: list[tuple[int, int, int, int]],
) -> None:
    from lzgis.greening.zones import _union

    geoms = np.array([box(x, y, x + w, y + h) for x, y, w, h in rects], dtype=object)
    halves = _union(geoms, shapely.bounds(geoms), split=1)  # two threads, then joined
    whole = shapely.union_all(geoms)
    assert halves.area == pytest.approx(whole.area, rel=1e-12)
    assert halves.symmetric_difference(whole).area == pytest.approx(0.0, abs=1e-9)


def test_forest_raster_with_classes(ndvi: Path, tmp_path: Path) -> None:
    classes = np.where(np.arange(20)[None, :] < 10, 2, 16).repeat(20, axis=0).astype("uint8")
    forest = _raster(tmp_path / "landcover.tif", classes, nodata=255)  # IGBP 2 west, 16 east
    zones = _zones(tmp_path / "z.gpkg", ["a"], [INSIDE])  # half west, half east
    args = ["--zones", zones, "--zone-field", "name", "--raster", ndvi, "--ndvi-threshold", "0.3"]
    out = tmp_path / "check.csv"
    code, stdout, _ = _run(
        "greening", "check", *args, "--forest", forest, "--forest-classes", "1-5", "--out", out
    )
    assert code == 0, stdout  # 50% green >= 31.12%, 50% forest >= 16%
    t = pd.read_csv(out).set_index("metric")
    assert (
        t.loc["forest_coverage", "value"] == 0.5 and t.loc["forest_coverage", "verdict"] == "PASS"
    )
    code, _, stderr = _run("greening", "check", *args, "--forest", forest)
    assert code == 2 and "--forest-classes" in stderr.strip().splitlines()[-1]
