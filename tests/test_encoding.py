"""GBK/GB18030 Shapefiles without a .cpg (lzgis._encoding through io, layers and the CLI).

The fixture is what Chinese desktop GIS writes: a .dbf in GB18030, no .cpg and
code-page byte (LDID, byte 29) 0, on which GDAL alone garbles every name.
"""

from __future__ import annotations

from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import box

from lzgis import layers
from lzgis._encoding import dbf_encoding, looks_garbled
from lzgis.cli import main
from lzgis.io import read_vector

NAMES = ["城关区", "七里河区"]


def _shapefile(path: Path, encoding: str, **columns: list[object]) -> Path:
    gdf = gpd.GeoDataFrame(
        columns,
        geometry=[box(103.80, 36.00, 103.82, 36.01), box(103.82, 36.00, 103.84, 36.01)],
        crs=4326,
    )
    gdf.to_file(path, encoding=encoding)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    return path


@pytest.fixture
def gbk_zones(tmp_path: Path) -> Path:
    return _shapefile(tmp_path / "zones.shp", "gb18030", 名称=NAMES, code=[1, 2])


def test_the_fixture_is_what_gdal_garbles(gbk_zones: Path) -> None:
    raw = gbk_zones.with_suffix(".dbf").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "城关区".encode("gb18030") in raw
    plain = gpd.read_file(gbk_zones)
    assert "名称" not in plain.columns and looks_garbled(plain.columns)


def test_detected_as_gb18030(gbk_zones: Path, tmp_path: Path) -> None:
    assert dbf_encoding(gbk_zones) == "GB18030"
    utf8 = _shapefile(tmp_path / "utf8.shp", "utf-8", 名称=NAMES, code=[1, 2])
    assert dbf_encoding(utf8) == "UTF-8"
    ascii_ = _shapefile(tmp_path / "ascii.shp", "utf-8", name=["a", "b"], code=[1, 2])
    assert dbf_encoding(ascii_) is None


def test_read_vector_reads_the_names_right_and_says_so(
    gbk_zones: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="lzgis"):
        gdf = read_vector(gbk_zones, id_field="名称")
    assert gdf["名称"].tolist() == NAMES
    assert [r.getMessage() for r in caplog.records if "GB18030" in r.getMessage()]


def test_coverage_csv_has_the_chinese_names_and_one_note(gbk_zones: Path, tmp_path: Path) -> None:
    green = tmp_path / "green.geojson"
    gpd.GeoDataFrame({"id": ["g"]}, geometry=[box(103.80, 36.0, 103.81, 36.01)], crs=4326).to_file(
        green
    )
    out = tmp_path / "cov.csv"
    args = ["greening", "coverage", "--zones", str(gbk_zones), "--zone-field", "名称"]
    extent = ["--green-extent", str(gbk_zones)]  # the survey covers the zones
    result = CliRunner().invoke(main, [*args, "--green", str(green), *extent, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    [note] = result.stderr.splitlines()
    assert note.startswith(f"note: {gbk_zones}: no .cpg") and "GB18030" in note
    table = pd.read_csv(out, encoding="utf-8")
    assert table["zone"].tolist() == NAMES
    assert table.set_index("zone").loc["城关区", "coverage"] == pytest.approx(0.5, abs=1e-6)


def test_a_wrong_forced_encoding_blames_the_encoding(gbk_zones: Path, tmp_path: Path) -> None:
    out = tmp_path / "cov.csv"
    args = ["greening", "coverage", "--zones", str(gbk_zones), "--zone-field", "名称"]
    result = CliRunner().invoke(main, [*args, "--encoding", "latin-1", "--out", str(out)])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: `{gbk_zones}` has no field `名称`; found Ã")
    assert "the file's text encoding is the likely cause" in line and "--encoding gbk" in line
    assert not out.exists()


def test_forced_gbk_reads_right(gbk_zones: Path) -> None:
    result = CliRunner().invoke(main, ["layers", "validate", str(gbk_zones), "--encoding", "gbk"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert read_vector(gbk_zones, encoding="gbk", id_field="名称")["名称"].tolist() == NAMES


def test_layers_validate_lists_garbled_fields_with_the_hint(gbk_zones: Path) -> None:
    result = CliRunner().invoke(
        main, ["layers", "validate", str(gbk_zones), "--layer", "districts", "--encoding", "latin1"]
    )
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "missing required field(s)" in line and "the file's text encoding" in line


def test_an_unknown_encoding_is_one_line(gbk_zones: Path) -> None:
    result = CliRunner().invoke(main, ["layers", "validate", str(gbk_zones), "--encoding", "gbkk"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: `--encoding` is 'gbkk': no such text encoding; expected e.g. gbk, gb18030, "
        "utf-8, big5; fix: correct the name"
    ]


def test_the_config_key_sets_a_layers_encoding(tmp_path: Path) -> None:
    config = toy.write_layers(tmp_path / "layers")
    districts = toy.districts().assign(source="toy", accuracy="exact", schematic=True)
    districts["name_zh"] = [f"区{i}号" for i in range(len(districts))]
    districts.to_file(tmp_path / "d.shp", encoding="gb18030")
    (tmp_path / "d.cpg").unlink()
    text = config.read_text(encoding="utf-8").replace(
        'districts = "districts.geojson"',
        'districts = { path = "../d.shp", encoding = "latin-1" }',
    )
    config.write_text(text, encoding="utf-8")
    garbled = layers.load("districts", config=config)
    assert looks_garbled(garbled["name_zh"])  # the key is honoured, even when it is wrong
    config.write_text(text.replace("latin-1", "gbk"), encoding="utf-8")
    assert (
        layers.load("districts", config=config)["name_zh"].tolist() == districts["name_zh"].tolist()
    )


def test_a_bad_config_entry_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "lzgis.toml"
    config.write_text('[layers]\ndistricts = { file = "d.shp" }\n', encoding="utf-8")
    args = ["--config", str(config), "layers", "export", "districts"]
    result = CliRunner().invoke(main, [*args, "--to", str(tmp_path / "x.gpkg")])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert 'must be "PATH" or { path = "PATH", encoding = "gbk" }' in line
