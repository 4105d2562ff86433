"""Tests for ``lzgis greening``: outputs through real files, exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import Polygon, box

from lzgis.areas import area_km2
from lzgis.cli import main

# Two 0.02° x 0.01° zones near Lanzhou; the west half of "a" is green (by two overlapping
# polygons in two files), "b" has no green; the green files survey both zones (`survey`).
ZONE_A = box(103.80, 36.00, 103.82, 36.01)
ZONE_B = box(103.82, 36.00, 103.84, 36.01)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    zones = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[ZONE_A, ZONE_B], crs=4326)
    green1 = gpd.GeoDataFrame(
        {"id": ["g1"]}, geometry=[box(103.80, 36.0, 103.808, 36.01)], crs=4326
    )
    green2 = gpd.GeoDataFrame(
        {"id": ["g2"]}, geometry=[box(103.805, 36.0, 103.81, 36.01)], crs=4326
    )
    paths = {
        "zones": tmp_path / "zones.gpkg",
        "green1": tmp_path / "green1.geojson",
        "green2": tmp_path / "green2.gpkg",
        "survey": tmp_path / "survey.gpkg",
    }
    gpd.GeoDataFrame(geometry=[box(103.79, 35.99, 103.85, 36.02)], crs=4326).to_file(
        paths["survey"]
    )
    zones.to_file(paths["zones"])
    green1.to_file(paths["green1"])
    green2.to_file(paths["green2"])
    return paths


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _base(files: dict[str, Path]) -> list[str | Path]:
    return [
        "--zones",
        files["zones"],
        "--zone-field",
        "name",
        "--green",
        files["green1"],
        "--green",
        files["green2"],
        "--green-extent",
        files["survey"],
    ]


def test_coverage_csv_round_trip(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cov.csv"
    code, stdout, stderr = _run("greening", "coverage", *_base(files), "--out", out)
    assert code == 0, stderr
    assert "wrote 2 zones" in stdout
    table = pd.read_csv(out)
    assert {"zone", "area_km2", "green_km2", "coverage", "unknown"} <= set(table.columns)
    by_zone = table.set_index("zone")
    assert by_zone.loc["a", "coverage"] == pytest.approx(0.5, abs=1e-6)
    assert by_zone.loc["b", "coverage"] == 0.0
    assert by_zone["unknown"].tolist() == [0.0, 0.0]


def test_coverage_gpkg_round_trip(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cov.gpkg"
    code, _, stderr = _run("greening", "coverage", *_base(files), "--out", out)
    assert code == 0, stderr
    back = gpd.read_file(out)
    assert back.crs.to_epsg() == 4326
    assert back["zone"].tolist() == ["a", "b"]
    assert back.geometry.iloc[0].equals_exact(ZONE_A, tolerance=1e-9)
    assert back["coverage"].iloc[0] == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--zone-field", "nom"], "has no field `nom`; found name"),
        (["--raster", "x.tif"], "given together"),
        (["--ndvi-threshold", "0.3"], "apply to rasters"),
        (["--classes", "a,b"], "`--classes` is 'a,b'"),
    ],
)
def test_coverage_bad_input_exit_2_nothing_written(
    files: dict[str, Path], tmp_path: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "cov.csv"
    code, _, stderr = _run("greening", "coverage", *_base(files), *extra, "--out", out)
    assert code == 2
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_coverage_zones_without_crs(files: dict[str, Path], tmp_path: Path) -> None:
    shp = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZONE_A]).to_file(shp)
    out = tmp_path / "cov.csv"
    code, _, stderr = _run(
        "greening",
        "coverage",
        "--zones",
        shp,
        "--zone-field",
        "name",
        "--green",
        files["green1"],
        "--out",
        out,
    )
    assert code == 2
    assert "no CRS" in stderr
    assert not out.exists()


def test_coverage_bad_suffix_and_missing_zone_field(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cov.xls"
    code, _, stderr = _run("greening", "coverage", *_base(files), "--out", out)
    assert code == 2 and ".xls" in stderr and not out.exists()
    code, _, stderr = _run(
        "greening", "coverage", "--zones", files["zones"], "--out", tmp_path / "c.csv"
    )
    assert code == 2 and "--zone-field" in stderr and not (tmp_path / "c.csv").exists()


def _targets(tmp_path: Path, value: float) -> Path:
    path = tmp_path / f"t{value}.toml"
    path.write_text(
        f"""[schemes.mine]
title = "test"
source = "test"
[[schemes.mine.targets]]
metric = "greening_coverage"
value = {value}
""",
        encoding="utf-8",
    )
    return path


def test_check_exit_codes_and_table(files: dict[str, Path], tmp_path: Path) -> None:
    code, stdout, _ = _run("greening", "check", *_base(files), "--targets", _targets(tmp_path, 0.0))
    assert code == 0
    assert stdout.count("PASS") == 3  # two rows and the verdict
    assert stdout.splitlines()[-1].startswith("RESULT mine: PASS: 2 of 2 checks pass")
    code, stdout, _ = _run("greening", "check", *_base(files))  # plan_2015: 31.12%
    assert code == 1
    lines = {
        line.split()[0]: line for line in stdout.splitlines()[1:] if line.startswith(("a ", "b "))
    }
    assert "PASS" in lines["a"] and "50.00%" in lines["a"] and "31.12%" in lines["a"]
    assert "FAIL" in lines["b"]
    # b needs 31.12% of its area more green
    area_b = float(area_km2(gpd.GeoSeries([ZONE_B], crs=4326)).iloc[0])
    # the CSV rounds km2 to 0.01
    csv_b = pd.read_csv(_write_cov(files, tmp_path)).set_index("zone").loc["b", "area_km2"]
    assert csv_b == round(area_b, 2)
    assert f"{0.3112 * area_b:,.3f}" in lines["b"]
    assert stdout.splitlines()[-1] == (
        f"RESULT plan_2015: FAIL: 1 of 2 checks pass, 1 fail, 0 insufficient data (数据不足); "
        f"{0.3112 * area_b:,.1f} km2 of green short"
    )
    # the plan's other targets are listed, not silently skipped
    assert "not checked: forest_coverage >= 16.00%: needs a forest source (--forest)" in stdout
    assert "embedded whole districts" not in stdout  # --zones was given


def _write_cov(files: dict[str, Path], tmp_path: Path) -> Path:
    out = tmp_path / "cov_for_check.csv"
    code, _, stderr = _run("greening", "coverage", *_base(files), "--out", out)
    assert code == 0, stderr
    return out


def test_check_out_round_trip(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "check.csv"
    code, _, _ = _run("greening", "check", *_base(files), "--targets", "all", "--out", out)
    assert code == 1
    table = pd.read_csv(out)
    assert {"zone", "metric", "value", "target", "passed", "shortfall_km2"} <= set(table.columns)
    # greening coverage targets of plan_2015, garden city basic/upgraded, eco garden city, forest city
    assert set(table["scheme"]) == {
        "plan_2015",
        "garden_city_basic",
        "garden_city_upgraded",
        "eco_garden_city",
        "forest_city",
    }
    assert (table.loc[table["passed"], "shortfall_km2"] == 0).all()
    assert (table.loc[~table["passed"], "shortfall_km2"] > 0).all()


def test_check_bad_targets_exit_2_nothing_written(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "check.csv"
    code, _, stderr = _run(
        "greening", "check", *_base(files), "--targets", "platinum", "--out", out
    )
    assert code == 2
    assert "unknown targets 'platinum'" in stderr
    assert not out.exists()


def test_check_as_forest_coverage(files: dict[str, Path], tmp_path: Path) -> None:
    code, stdout, _ = _run("greening", "check", *_base(files), "--as", "forest_coverage")
    assert code == 1  # plan_2015 forest 16%: a passes, b fails
    assert "forest_coverage" in stdout and "16.00%" in stdout


# --- rasters ------------------------------------------------------------------------------

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 3_990_000.0  # near Lanzhou


def _write_raster(
    path: Path, data: np.ndarray, *, crs: str | None = UTM, nodata: float = -9999
) -> Path:
    return write_geotiff(path, data, crs=crs, transform=from_origin(X0, Y0, 10, 10), nodata=nodata)


@pytest.fixture
def raster_files(tmp_path: Path) -> dict[str, Path]:
    """A 20 x 20 raster of 10 m pixels; the western half green; zones in metres."""
    ndvi = np.full((20, 20), 0.1, dtype="float32")
    ndvi[:, :10] = 0.6
    classes = np.full((20, 20), 12, dtype="uint8")
    classes[:, :10] = 10
    red = np.full((20, 20), 0.1, dtype="float32")
    nir = np.where(ndvi > 0.3, 0.4, 0.12).astype("float32")  # NDVI 0.6 and ~0.09
    zones = gpd.GeoDataFrame(
        {"name": ["whole", "west", "half_out"]},
        geometry=[
            box(X0, Y0 - 200, X0 + 200, Y0),
            box(X0, Y0 - 200, X0 + 50, Y0),
            box(X0 + 150, Y0 - 200, X0 + 250, Y0),
        ],
        crs=UTM,
    )
    far = zones.translate(xoff=100_000)
    paths = {
        "ndvi": _write_raster(tmp_path / "ndvi.tif", ndvi),
        "classes": _write_raster(tmp_path / "lc.tif", classes, nodata=255),
        "red": _write_raster(tmp_path / "red.tif", red),
        "nir": _write_raster(tmp_path / "nir.tif", nir),
        "nocrs": _write_raster(tmp_path / "nocrs.tif", ndvi, crs=None),
        "zones": tmp_path / "rzones.gpkg",
        "far": tmp_path / "far.gpkg",
        "broken": tmp_path / "broken.tif",
    }
    # the same NDVI as a folder of two tiles: the western half and the eastern half
    tiles = tmp_path / "tiles"
    tiles.mkdir()
    _write_raster(tiles / "1_west.tif", ndvi[:, :10].copy())
    write_geotiff(  # no nodata in this tile, unlike the western one
        tiles / "2_east.tif", ndvi[:, 10:], crs=UTM, transform=from_origin(X0 + 100, Y0, 10, 10)
    )
    paths["tiles"] = tiles
    paths["noglob"] = tmp_path / "none" / "*.tif"
    zones.to_file(paths["zones"])
    gpd.GeoDataFrame({"name": zones["name"]}, geometry=far, crs=UTM).to_file(paths["far"])
    paths["broken"].write_text("not a raster", encoding="utf-8")
    return paths


@pytest.mark.parametrize(
    "source",
    [
        ["--raster", "ndvi", "--ndvi-threshold", "0.3"],
        ["--raster", "classes", "--classes", "1-10"],
        ["--red", "red", "--nir", "nir", "--ndvi-threshold", "0.3"],
        ["--raster", "tiles", "--ndvi-threshold", "0.3"],  # a folder: a collection of two tiles
    ],
)
def test_raster_coverage_csv(
    raster_files: dict[str, Path], tmp_path: Path, source: list[str]
) -> None:
    args = [str(raster_files[a]) if a in raster_files else a for a in source]
    out = tmp_path / "rcov.csv"
    code, _, stderr = _run(
        "greening",
        "coverage",
        "--zones",
        raster_files["zones"],
        "--zone-field",
        "name",
        *args,
        "--out",
        out,
    )
    assert code == 0, stderr
    assert "raster windows" in stderr  # the progress bar
    t = pd.read_csv(out).set_index("zone")
    assert t.loc["whole", "coverage"] == pytest.approx(0.5, abs=1e-6)
    assert t.loc["west", "coverage"] == pytest.approx(1.0, abs=1e-6)
    assert t.loc["half_out", "coverage"] == pytest.approx(0.0, abs=1e-6)
    assert t.loc["half_out", "unknown"] == pytest.approx(0.5, abs=1e-3)
    assert t.loc["whole", "unknown"] == pytest.approx(0.0, abs=1e-6)


def test_off_a_terminal_the_windows_are_not_counted(
    raster_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bar's length costs a second planning of the zones; with no terminal there is no bar
    from lzgis.greening import sources

    counted: list[int] = []
    real = sources.raster_windows
    monkeypatch.setattr(sources, "raster_windows", lambda *a, **k: counted.append(real(*a, **k)))
    out = tmp_path / "rcov.csv"
    base = ["--zones", raster_files["zones"], "--zone-field", "name"]
    code, _, stderr = _run("greening", "coverage", *base, "--raster", raster_files["ndvi"],
                           "--ndvi-threshold", "0.3", "--out", out)  # fmt: skip
    assert code == 0, stderr
    assert "raster windows: done" in stderr and counted == []
    assert pd.read_csv(out).set_index("zone").loc["whole", "coverage"] == pytest.approx(0.5)


def test_raster_coverage_gpkg(raster_files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "rcov.gpkg"
    code, _, stderr = _run(
        "greening",
        "coverage",
        "--zones",
        raster_files["zones"],
        "--zone-field",
        "name",
        "--raster",
        raster_files["ndvi"],
        "--ndvi-threshold",
        "0.3",
        "--out",
        out,
    )
    assert code == 0, stderr
    back = gpd.read_file(out)
    # the zones' own CRS (UTM 48N), not WGS84
    assert back.crs.to_epsg() == 32648 and back["zone"].tolist() == ["whole", "west", "half_out"]
    assert back["coverage"].tolist() == pytest.approx([0.5, 1.0, 0.0], abs=1e-6)


@pytest.mark.parametrize(
    ("zones", "source", "message"),
    [
        ("zones", ["--raster", "ndvi", "--ndvi-threshold", "1.5"], "between -1 and 1"),
        ("zones", ["--raster", "classes", "--classes", "1-5"], "none of the classes"),
        ("far", ["--raster", "ndvi", "--ndvi-threshold", "0.3"], "do not overlap"),
        ("zones", ["--raster", "broken", "--ndvi-threshold", "0.3"], "unreadable"),
        ("zones", ["--raster", "nocrs", "--ndvi-threshold", "0.3"], "no CRS"),
        ("zones", ["--raster", "ndvi"], "exactly one of --ndvi-threshold"),
        ("zones", ["--red", "red", "--ndvi-threshold", "0.3"], "`--red` and `--nir` go together"),
        ("zones", ["--raster", "noglob", "--ndvi-threshold", "0.3"], "matches no file"),
        (
            "zones",
            ["--red", "red", "--red", "ndvi", "--nir", "nir", "--ndvi-threshold", "0.3"],
            "one NIR source per red source",
        ),
    ],
)
def test_raster_bad_input_exit_2_nothing_written(
    raster_files: dict[str, Path], tmp_path: Path, zones: str, source: list[str], message: str
) -> None:
    args = [str(raster_files[a]) if a in raster_files else a for a in source]
    for command in ("coverage", "check"):
        out = tmp_path / f"{command}.csv"
        code, _, stderr = _run(
            "greening",
            command,
            "--zones",
            raster_files[zones],
            "--zone-field",
            "name",
            *args,
            "--out",
            out,
        )
        assert code == 2, stderr
        lines = [line for line in stderr.splitlines() if line.startswith("Error:")]
        assert len(lines) == 1 and message in lines[0]
        assert not out.exists()


def test_check_raster_zone_without_data(raster_files: dict[str, Path], tmp_path: Path) -> None:
    zones = gpd.GeoDataFrame(
        {"name": ["in", "out"]},
        geometry=[box(X0, Y0 - 200, X0 + 100, Y0), box(X0 + 300, Y0 - 200, X0 + 400, Y0)],
        crs=UTM,
    )
    path = tmp_path / "inout.gpkg"
    zones.to_file(path)
    out = tmp_path / "check.csv"
    code, stdout, _ = _run(
        "greening",
        "check",
        "--zones",
        path,
        "--zone-field",
        "name",
        "--raster",
        raster_files["ndvi"],
        "--ndvi-threshold",
        "0.3",
        "--out",
        out,
    )
    # "out" has no data: no verdict, neither pass nor fail; exit 1 (not every zone passes
    # with enough data, issue 10)
    assert code == 1
    assert "数据不足 / insufficient data" in stdout and "FAIL" not in stdout
    assert stdout.splitlines()[-1].startswith(
        "RESULT plan_2015: INSUFFICIENT DATA: 1 of 2 checks pass, 0 fail, 1 insufficient"
    )
    t = pd.read_csv(out).set_index("zone")
    assert bool(t.loc["in", "passed"]) and pd.isna(t.loc["out", "passed"])


# --- no data is not 0%, the raster named when damaged, CLI = Python API ------------------


def test_polygon_green_outside_its_extent_is_unknown_and_not_a_fail(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Without --green-extent the green files' bounding boxes are the surveyed area: zone b
    (east of both boxes) has no data, so empty coverage and n/a, never 0% and FAIL."""
    out = tmp_path / "cov.csv"
    args = ["--zones", files["zones"], "--zone-field", "name"]
    args += ["--green", files["green1"], "--green", files["green2"]]
    code, _, stderr = _run("greening", "coverage", *args, "--out", out)
    assert code == 0, stderr
    t = pd.read_csv(out).set_index("zone")
    assert pd.isna(t.loc["b", "coverage"]) and t.loc["b", "unknown"] == 1.0
    assert t.loc["b", "data_km2"] == 0.0 and t.loc["b", "green_km2"] == 0.0
    assert t.loc["a", "unknown"] == pytest.approx(0.5, abs=1e-3)  # west half surveyed
    assert t.loc["a", "coverage"] == pytest.approx(1.0, abs=2e-3)  # edge tolerance: 1 m
    code, stdout, _ = _run("greening", "check", *args, "--targets", "plan_2015")
    assert code == 0 or "FAIL" not in stdout.splitlines()[-1]
    lines = {line.split()[0]: line for line in stdout.splitlines() if line[:2] in ("a ", "b ")}
    assert "n/a" in lines["b"] and "FAIL" not in lines["b"]


def test_green_extent_only_with_green_polygons(raster_files: dict[str, Path]) -> None:
    code, _, stderr = _run(
        "greening",
        "coverage",
        "--raster",
        raster_files["ndvi"],
        "--ndvi-threshold",
        "0.3",
        "--green-extent",
        raster_files["zones"],
        "--out",
        "x.csv",
    )
    assert code == 2 and stderr.startswith("Error: `--green-extent` is the area --green")


@pytest.mark.parametrize("damaged", ["red", "nir"])
def test_a_truncated_geotiff_is_named_and_called_damaged(
    raster_files: dict[str, Path], tmp_path: Path, damaged: str
) -> None:
    big = np.linspace(-1, 1, 400 * 400, dtype="float32").reshape(400, 400)
    paths = {b: _write_raster(tmp_path / f"{b}_big.tif", big + 1.5) for b in ("red", "nir")}
    size = paths[damaged].stat().st_size
    with open(paths[damaged], "r+b") as f:
        f.truncate(size // 2)  # header intact, the lower rows cut off
    zones = gpd.GeoDataFrame(
        {"name": ["all"]}, geometry=[box(X0, Y0 - 4000, X0 + 4000, Y0)], crs=UTM
    )
    zones.to_file(tmp_path / "big_zone.gpkg")
    out = tmp_path / "out.csv"
    code, _, stderr = _run(
        "greening",
        "coverage",
        "--zones",
        tmp_path / "big_zone.gpkg",
        "--zone-field",
        "name",
        "--red",
        paths["red"],
        "--nir",
        paths["nir"],
        "--ndvi-threshold",
        "0.3",
        "--out",
        out,
    )
    errors = [line for line in stderr.splitlines() if "Error" in line]
    assert code == 2 and len(errors) == 1, stderr
    what = "red raster" if damaged == "red" else "NIR raster"
    assert errors[0].startswith(f"Error: `{paths[damaged]}`: the {what} is damaged")
    assert "permissions" not in stderr and not out.exists()


def test_cli_equals_the_python_api_for_zones_in_another_crs(tmp_path: Path) -> None:
    """Zones in UTM 48N (EPSG:32648), raster in EPSG:4326: the CLI projects the zones once,
    straight to the raster's CRS, as raster_coverage does (no detour through WGS84)."""
    from lzgis.zonal import raster_coverage

    rng = np.random.default_rng(8)
    ndvi = rng.uniform(-1, 1, (300, 300)).astype("float32")
    path = tmp_path / "ndvi4326.tif"
    write_geotiff(path, ndvi, crs="EPSG:4326", transform=from_origin(103.95, 36.10, 0.001, 0.001))
    # ~15 km edges: long enough that where the edges bend between CRSs matters
    zones = gpd.GeoDataFrame(
        {"name": ["p", "q"]},
        geometry=[
            box(410_000, 3_970_000, 425_000, 3_985_000),
            Polygon([(412_000, 3_972_000), (423_000, 3_974_000), (418_000, 3_983_000)]),
        ],
        crs="EPSG:32648",
    )
    zones.to_file(tmp_path / "utm_zones.gpkg")
    out = tmp_path / "cli.gpkg"  # full precision (the CSV rounds for people)
    code, _, stderr = _run(
        "greening",
        "coverage",
        "--zones",
        tmp_path / "utm_zones.gpkg",
        "--zone-field",
        "name",
        "--raster",
        path,
        "--ndvi-threshold",
        "0.2",
        "--out",
        out,
    )
    assert code == 0, stderr
    cli = gpd.read_file(out, layer="cli")
    api = raster_coverage(gpd.read_file(tmp_path / "utm_zones.gpkg"), path, ndvi_threshold=0.2)
    for column in ("coverage", "unknown", "area_km2", "green_km2"):
        assert cli[column].to_numpy() == pytest.approx(api[column].to_numpy(), rel=0, abs=1e-12)


def _sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def test_xlsx_verdicts_are_chinese_first_and_csv_keeps_the_values(
    files: dict[str, Path], tmp_path: Path
) -> None:
    # plan_2015 (31.12%): "a" (50% green) passes, "b" (no green) fails
    xlsx, csv = tmp_path / "check.xlsx", tmp_path / "check.csv"
    for out in (xlsx, csv):
        code, stdout, _ = _run("greening", "check", *_base(files), "--out", out)
        assert code == 1
    assert "达标 / PASS" in stdout and "未达标 / FAIL" in stdout  # the same texts as the table
    rows = _sheets(xlsx)["check"]
    col = rows[0].index("结论 / verdict")
    assert [r[col] for r in rows[1:3]] == ["达标 / PASS", "未达标 / FAIL"]
    assert pd.read_csv(csv)["verdict"].tolist() == ["PASS", "FAIL"]


def test_xlsx_of_the_embedded_modis_clip_names_its_crs_and_no_internal_path(
    tmp_path: Path,
) -> None:
    from lzgis.greening import modis_path

    out = tmp_path / "modis.xlsx"
    code, _, stderr = _run(
        "greening", "coverage", "--raster", modis_path(), "--classes", "1-10", "--out", out
    )
    assert code == 0, stderr
    sheets = _sheets(out)
    method = dict(r for r in sheets["方法与来源 method"][1:])
    assert method["影像坐标系 / imagery CRS"] == (
        "geographic lon/lat on the Clarke 1866 ellipsoid (no EPSG code)"
    )
    cells = [str(v) for rows in sheets.values() for r in rows for v in r if v is not None]
    assert not [c for c in cells if "shared/" in c or ".md" in c or ".tsv" in c]
    assert any("m.hwhidc.com" in c for c in cells)  # the districts' reported areas, cited
