"""`lzgis greening trend` through the CLI on real files: tables, change raster, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import Polygon, box

from lzgis.cli import main

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 4_000_000.0


def _raster(
    path: Path, array: np.ndarray, *, px: float = 10.0, nodata: float | None = None
) -> Path:
    return write_geotiff(path, array, crs=UTM, transform=from_origin(X0, Y0, px, px), nodata=nodata)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(13)
    out: dict[str, Path] = {}
    for year in (2019, 2021, 2023):
        arr = rng.uniform(-0.1, 0.9, (30, 40)).astype("float32")
        arr[:3, :5] = -9999.0
        out[str(year)] = _raster(tmp_path / f"ndvi_{year}.tif", arr, nodata=-9999.0)
    zones = gpd.GeoDataFrame(
        {"name": ["城关区", "a<b>"], "adcode": [620102, 620103]},
        geometry=[
            Polygon(
                [(X0 + 13, Y0 - 7), (X0 + 233, Y0 - 41), (X0 + 180, Y0 - 260), (X0 + 21, Y0 - 199)]
            ),
            box(X0 + 150.5, Y0 - 290.2, X0 + 420, Y0 - 100.3),  # sticks out of the raster
        ],
        crs=UTM,
    )
    out["zones"] = tmp_path / "zones.gpkg"
    zones.to_file(out["zones"])
    return out


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _base(
    files: dict[str, Path], years: tuple[str, ...] = ("2023", "2019", "2021")
) -> list[str | Path]:
    args: list[str | Path] = [
        "greening",
        "trend",
        "--zones",
        files["zones"],
        "--zone-field",
        "name",
    ]
    for y in years:
        args += ["--raster", f"{y}={files[y]}"]
    return [*args, "--ndvi-threshold", "0.3"]


def test_trend_equals_single_year_runs(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "trend.gpkg"
    code, stdout, stderr = _run(*_base(files), "--targets", "plan_2015", "--out", out)
    assert code == 0, stderr
    assert "2 zones x 3 years" in stdout
    t = gpd.read_file(out)
    assert t["year"].tolist() == [2019, 2021, 2023] * 2  # sorted
    assert t["zone"].tolist()[:3] == ["城关区"] * 3 and t["zone"].iloc[3] == "a<b>"
    for year in ("2019", "2021", "2023"):
        single = tmp_path / f"single_{year}.gpkg"
        code, _, err = _run(
            "greening", "coverage", "--zones", files["zones"], "--zone-field", "name",
            "--raster", files[year], "--ndvi-threshold", "0.3", "--out", single,
        )  # fmt: skip
        assert code == 0, err
        one = gpd.read_file(single)
        got = t[t["year"] == int(year)]
        np.testing.assert_allclose(got["coverage"], one["coverage"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(got["data_share"], one["data_share"], rtol=0, atol=1e-9)
    assert (t["target"] == 0.3112).all()
    assert t["pace_pp_per_year"].notna().all()


def test_trend_csv_bom_and_xlsx(files: dict[str, Path], tmp_path: Path) -> None:
    import openpyxl

    csv, xlsx = tmp_path / "trend.csv", tmp_path / "trend.xlsx"
    for out in (csv, xlsx):
        code, _, stderr = _run(*_base(files), "--targets", "plan_2015", "--out", out)
        assert code == 0, stderr
    assert csv.read_bytes()[:3] == b"\xef\xbb\xbf"
    t = pd.read_csv(csv, encoding="utf-8-sig")
    assert t.columns[0] == "zone" and t["zone"].iloc[0] == "城关区"
    assert t["adcode"].tolist() == [620102] * 3 + [620103] * 3  # attributes pass through
    book = openpyxl.load_workbook(xlsx)
    sheet = book["trend"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["分区 / zone", "年份 / year", "面积 km² / area"]
    col = header.index("覆盖率 / coverage") + 1
    assert sheet.cell(row=2, column=col).number_format == "0.00%"
    assert sheet.cell(row=2, column=col).value == pytest.approx(t["coverage"].iloc[0], abs=1e-4)
    method = {row[0].value: row[1].value for row in book["方法与来源 method"].iter_rows(min_row=2)}
    assert "2019: ndvi_2019.tif" in method["各年影像 / imagery by year"]
    assert all("/" not in str(v) or "tmp" not in str(v) for v in method.values())  # names only


def test_within_and_ndvi_scale(files: dict[str, Path], tmp_path: Path) -> None:
    # int16 x 10000 copies of the rasters: refused without --ndvi-scale, equal with it
    scaled = {"zones": files["zones"]}
    for year in ("2019", "2021"):
        with rasterio.open(files[year]) as src:
            arr = src.read(1)
        ints = np.where(arr == -9999.0, -32768, np.round(arr * 10000)).astype("int16")
        scaled[year] = _raster(tmp_path / f"int_{year}.tif", ints, nodata=-32768)
    out = tmp_path / "t.gpkg"
    args = _base(scaled, ("2019", "2021"))
    code, _, stderr = _run(*args, "--out", out)
    assert code == 2 and "--ndvi-scale 0.0001" in stderr and not out.exists()
    code, _, stderr = _run(*args, "--ndvi-scale", "0.0001", "--out", out)
    assert code == 0, stderr
    ref = tmp_path / "ref.gpkg"
    assert _run(*_base(files, ("2019", "2021")), "--out", ref)[0] == 0
    np.testing.assert_allclose(
        gpd.read_file(out)["coverage"], gpd.read_file(ref)["coverage"], rtol=0, atol=1e-3
    )
    # --within: the western half of the raster cuts each zone
    boundary = tmp_path / "built_up.gpkg"
    gpd.GeoDataFrame(geometry=[box(X0, Y0 - 300, X0 + 200, Y0)], crs=UTM).to_file(boundary)
    code, _, stderr = _run(*_base(files), "--within", boundary, "--out", out)
    assert code == 0, stderr
    cut, whole = gpd.read_file(out), gpd.read_file(ref)
    assert (cut["area_km2"].iloc[:2] < whole["area_km2"].iloc[:2]).all()
    b = cut.iloc[3:]  # zone b: x 150.5 .. 420 becomes 150.5 .. 200
    assert b["area_km2"].iloc[0] == pytest.approx(49.5 * 189.9 / 1e6, rel=2e-3)


def test_trend_gpkg_and_change_raster(files: dict[str, Path], tmp_path: Path) -> None:
    out, change = tmp_path / "trend.gpkg", tmp_path / "change.tif"
    code, stdout, stderr = _run(*_base(files), "--out", out, "--change-raster", change)
    assert code == 0, stderr
    g = gpd.read_file(out)
    assert len(g) == 6 and {"gain_km2", "loss_km2", "pace_pp_per_year"} <= set(g.columns)
    with rasterio.open(change) as src:
        values = set(np.unique(src.read(1)).tolist())
        assert values <= {-1, 0, 1, -128} and {-1, 1} <= values
        assert src.tags(1)["years"] == "2019-2023"
    assert "2019-2023 gain/loss raster" in stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--raster", "20x9=a.tif"], "four-digit year"),
        # a second source of 2019: a collection, so no single grid for the change raster
        (["--raster", "2019=other.tif"], "`--change-raster`: the 2019 source"),
        (["--raster", "2019={tmp}/no/*.tif"], "no/*.tif`: the pattern matches no file"),
        (["--raster", "2019={tmp}/empty"], "empty`: a folder with no rasters"),
        (["--raster", "2025=missing.tif"], "no such raster of 2025"),
        (["--targets", "all"], "expected exactly one"),
        (["--red", "2019=a.tif"], "given together"),
    ],
)
def test_bad_input_exit_2_nothing_written(
    files: dict[str, Path], tmp_path: Path, extra: list[str], message: str
) -> None:
    out, change = tmp_path / "t.csv", tmp_path / "c.tif"
    (tmp_path / "empty").mkdir()
    extra = [e.replace("{tmp}", str(tmp_path)) for e in extra]
    code, stdout, stderr = _run(*_base(files), *extra, "--out", out, "--change-raster", change)
    assert code == 2, stdout
    assert message in stderr and "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert not out.exists() and not change.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_different_grids_documented_and_change_raster_refused(
    files: dict[str, Path], tmp_path: Path
) -> None:
    coarse = _raster(tmp_path / "coarse.tif", np.full((15, 20), 0.5, "float32"), px=20.0)
    out = tmp_path / "t.csv"
    code, _, stderr = _run(*_base(files, ("2019",)), "--raster", f"2024={coarse}", "--out", out)
    assert code == 0, stderr
    t = pd.read_csv(out)
    last = t[t["year"] == 2024]
    assert last["gain_km2"].isna().all() and last["gain_loss_note"].str.contains("grid").all()
    change = tmp_path / "c.tif"
    out.unlink()
    code, _, stderr = _run(
        *_base(files, ("2019",)),
        "--raster",
        f"2024={coarse}",
        "--out",
        out,
        "--change-raster",
        change,
    )
    assert code == 2 and "not on one grid" in stderr
    assert not out.exists() and not change.exists()


def test_output_never_replaces_an_input(files: dict[str, Path]) -> None:
    code, _, stderr = _run(*_base(files), "--out", files["zones"].with_suffix(".gpkg"))
    assert code == 2 and "would replace the input" in stderr
    code, _, stderr = _run(
        *_base(files), "--out", files["zones"].with_name("x.csv"), "--change-raster", files["2019"]
    )
    assert code == 2 and "would replace the input" in stderr
    # a folder or a glob of one file: that file is an input too
    folder = files["zones"].parent / "one"
    folder.mkdir()
    only = _raster(folder / "only.tif", np.full((30, 40), 0.5, "float32"))
    for source in (folder, folder / "*.tif"):
        args = [*_base(files, ("2019",)), "--raster", f"2023={source}"]
        code, _, stderr = _run(*args, "--out", folder / "t.csv", "--change-raster", only)
        assert code == 2 and "would replace the input" in stderr


def test_trend_html_page(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "trend.html"
    code, _, stderr = _run(*_base(files), "--targets", "plan_2015", "--out", out)
    assert code == 0, stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<button") == 3 and 'id="lz-change-layer"' in page
    assert "a&lt;b&gt;" in page and str(tmp_path) not in page  # escaped names, no internal paths
    coarse = _raster(tmp_path / "coarse.tif", np.full((15, 20), 0.5, "float32"), px=20.0)
    code, _, stderr = _run(*_base(files, ("2019",)), "--raster", f"2024={coarse}", "--out", out)
    assert code == 0, stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="lz-change-layer"' not in page and "no gain/loss layer" in page


def test_collection_years_equal_coverage_of_the_same_collection(tmp_path: Path) -> None:
    # each year: two 40 x 30 tiles side by side (the second overlaps the first by 10 columns)
    rng = np.random.default_rng(21)
    zones = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame(
        {"name": ["跨图幅", "east"]},
        geometry=[
            box(X0 + 250, Y0 - 280, X0 + 470, Y0 - 20),
            box(X0 + 520, Y0 - 200, X0 + 690, Y0),
        ],
        crs=UTM,
    ).to_file(zones)
    tiles: dict[int, list[Path]] = {}
    for year in (2019, 2023):
        folder = tmp_path / f"t{year}"
        folder.mkdir()
        tiles[year] = []
        for name, x in (("a", X0), ("b", X0 + 300)):
            arr = rng.uniform(-0.1, 0.9, (30, 40)).astype("float32")
            path = folder / f"{name}.tif"
            write_geotiff(path, arr, crs=UTM, transform=from_origin(x, Y0, 10.0, 10.0))
            tiles[year].append(path)
    base = ["greening", "trend", "--zones", zones, "--zone-field", "name"]
    # 2019: the tiles repeated in order; 2023: the folder (its files by name: the same order)
    sources = ["--raster", f"2019={tiles[2019][0]}", "--raster", f"2019={tiles[2019][1]}"]
    sources += ["--raster", f"2023={tmp_path / 't2023'}"]
    out = tmp_path / "trend.xlsx"
    code, stdout, stderr = _run(*base, *sources, "--ndvi-threshold", "0.3", "--out", out)
    assert code == 0, stderr
    assert "2 zones x 2 years" in stdout
    t = pd.read_excel(out, sheet_name="trend")
    for year in (2019, 2023):
        single = tmp_path / f"c{year}.csv"
        args = [a for p in tiles[year] for a in ("--raster", p)]
        code, _, err = _run(
            "greening", "coverage", "--zones", zones, "--zone-field", "name", *args,
            "--ndvi-threshold", "0.3", "--out", single,
        )  # fmt: skip
        assert code == 0, err
        one = pd.read_csv(single, encoding="utf-8-sig")
        got = t[t["年份 / year"] == year]
        np.testing.assert_allclose(got["覆盖率 / coverage"], one["coverage"], rtol=0, atol=1e-4)
    late = t[t["年份 / year"] == 2023]
    assert late["增加 km² / gain"].notna().all()  # the same tiling: gain and loss measured
    method = pd.read_excel(out, sheet_name="方法与来源 method").astype(str).to_numpy().ravel()
    assert any("2019: a.tif + b.tif" in str(v) for v in method)
    assert not any(str(tmp_path) in str(v) for v in method)
    # the page has no change layer (no single grid), and says so
    page = tmp_path / "trend.html"
    code, _, stderr = _run(*base, *sources, "--ndvi-threshold", "0.3", "--out", page)
    assert code == 0, stderr
    html = page.read_text(encoding="utf-8")
    assert 'id="lz-change-layer"' not in html and "no gain/loss layer" in html
    # a STAC ItemCollection as a year's source, newest item first
    items = tmp_path / "items.json"
    features = [
        {
            "type": "Feature",
            "id": p.stem,
            "geometry": None,
            "properties": {"datetime": when},
            "assets": {"ndvi": {"href": str(p), "type": "image/tiff", "roles": ["data"]}},
        }
        for p, when in zip(
            tiles[2019], ("2019-05-01T00:00:00Z", "2019-09-01T00:00:00Z"), strict=True
        )
    ]
    items.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    csv = tmp_path / "stac.csv"
    stac = ["--raster", f"2019={items}#ndvi", "--raster", f"2023={tmp_path / 't2023'}"]
    code, _, stderr = _run(
        *base, *stac, "--prefer", "newest", "--ndvi-threshold", "0.3", "--out", csv
    )
    assert code == 0, stderr
    newest = pd.read_csv(csv, encoding="utf-8-sig")
    flipped = tmp_path / "flipped.csv"
    args = ["--raster", tiles[2019][1], "--raster", tiles[2019][0]]
    code, _, err = _run(
        "greening", "coverage", "--zones", zones, "--zone-field", "name", *args,
        "--ndvi-threshold", "0.3", "--out", flipped,
    )  # fmt: skip
    assert code == 0, err
    np.testing.assert_allclose(
        newest[newest["year"] == 2019]["coverage"],
        pd.read_csv(flipped, encoding="utf-8-sig")["coverage"],
        rtol=0,
        atol=1e-9,
    )
    # the overlap decides: b first is not a first
    first = t[t["年份 / year"] == 2019]["覆盖率 / coverage"].to_numpy()
    assert not np.allclose(first, newest[newest["year"] == 2019]["coverage"], atol=1e-4)
    # a bad year label: exit 2, one line, the fix
    code, _, stderr = _run(*base, "--raster", "19=x", "--ndvi-threshold", "0.3", "--out", out)
    assert code == 2 and "four-digit year" in stderr and "fix:" in stderr
