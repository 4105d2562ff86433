"""Tests for lzgis.greening on the embedded layers and the MODIS clip, and the raster wrapper."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import box

from lzgis import greening
from lzgis import layers as _layers
from lzgis.areas import area_km2

REPORT_COLUMNS = [
    "zone",
    "zone_zh",
    "zone_en",
    "area_km2",
    "green_km2",
    "coverage",
    "unknown",
    "target",
    "passed",
    "shortfall_km2",
]


@pytest.fixture(scope="module")
def report() -> gpd.GeoDataFrame:
    return greening.embedded_report()


def test_report_contract(report: gpd.GeoDataFrame) -> None:
    assert set(REPORT_COLUMNS) <= set(report.columns)
    assert report.crs.to_epsg() == 4326
    assert report["zone"].is_unique
    kinds = report["zone_kind"].value_counts()
    assert kinds["city"] == 1
    assert kinds["district"] == len(_layers.load("districts")) == 8
    assert kinds["park"] == len(_layers.load("parks"))
    green = _layers.load("greening_zones")
    n_mountains = int(green["zone_kind"].astype(str).str.startswith("two_mountains").sum())
    assert kinds.get("two_mountains", 0) == n_mountains >= 1
    assert report["target"].to_numpy() == pytest.approx(np.full(len(report), 0.3112))
    assert report["note"].str.contains("illustrative").all()


def test_report_arithmetic(report: gpd.GeoDataFrame) -> None:
    assert ((report["coverage"] >= 0) & (report["coverage"] <= 1)).all()
    ratio = (report["green_km2"] / report["area_km2"]).to_numpy()
    assert report["coverage"].to_numpy() == pytest.approx(ratio)
    assert report["passed"].astype(bool).tolist() == (report["coverage"] >= 0.3112).tolist()
    fails = ~report["passed"].astype(bool)
    expected = (0.3112 - report["coverage"]) * report["area_km2"]
    assert report.loc[fails, "shortfall_km2"].to_numpy() == pytest.approx(
        expected[fails].to_numpy()
    )
    assert (report.loc[~fails, "shortfall_km2"] == 0).all()


def test_report_city_is_union_of_districts(report: gpd.GeoDataFrame) -> None:
    city = report[report["zone_kind"] == "city"].iloc[0]
    districts = report[report["zone_kind"] == "district"]
    # districts do not overlap, so both the areas and the green add up to the city's
    assert city["area_km2"] == pytest.approx(districts["area_km2"].sum(), rel=1e-3)
    assert city["green_km2"] == pytest.approx(districts["green_km2"].sum(), rel=1e-3)
    assert city["area_km2"] == pytest.approx(13_145, rel=0.01)  # figures.md, cnmaps geodesic
    assert city["reference_coverage"] == pytest.approx(0.391)


def test_report_green_is_union_not_sum(report: gpd.GeoDataFrame) -> None:
    city = report[report["zone_kind"] == "city"].iloc[0]
    layers = greening.embedded_green()
    summed = sum(float(area_km2(layer.clip(city.geometry)).sum()) for layer in layers)
    assert city["green_km2"] <= summed + 1e-6
    union = gpd.GeoDataFrame(
        geometry=[pd.concat([g.geometry for g in layers]).union_all().intersection(city.geometry)],
        crs=4326,
    )
    assert city["green_km2"] == pytest.approx(float(area_km2(union).iloc[0]), rel=1e-3)


@pytest.fixture(scope="module")
def modis() -> pd.DataFrame:
    return greening.modis_district_report()


def test_modis_report(modis: pd.DataFrame) -> None:
    assert modis["zone"].tolist()[0] == "lanzhou" and len(modis) == 9
    comp = modis.filter(like="igbp_")
    assert "igbp_10_grassland" in comp.columns
    # the class areas add up to the area with data
    assert comp.sum(axis=1).to_numpy() == pytest.approx(modis["data_km2"].to_numpy(), rel=1e-6)
    green_cols = [c for c in comp.columns if int(c.split("_")[1]) in range(1, 11)]
    assert modis["green_km2"].to_numpy() == pytest.approx(
        comp[green_cols].sum(axis=1).to_numpy(), rel=1e-6
    )
    assert (modis["unknown"] < 0.01).all()  # the clip covers the city
    assert (comp >= 0).all().all()
    # urban land is concentrated in the central districts
    urban = (comp["igbp_13_urban_built_up"] / modis["data_km2"]).set_axis(modis["zone"])
    assert urban["chengguan"] > urban["yongdeng"]


def test_coverage_from_raster_adds_zone_and_geometry(tmp_path: Path) -> None:
    data = np.zeros((4, 4), dtype="uint8")
    data[:, :2] = 10  # western half grassland
    path = tmp_path / "lc.tif"
    transform = from_origin(500_000, 3_990_000, 100, 100)
    write_geotiff(path, data, crs="EPSG:32648", transform=transform, nodata=255)
    zones = gpd.GeoDataFrame(
        {"name": ["w", "all"]},
        geometry=[
            box(500_000, 3_989_600, 500_150, 3_990_000),
            box(500_000, 3_989_600, 500_400, 3_990_000),
        ],
        crs="EPSG:32648",
        index=[7, 3],
    )
    calls: list[int] = []
    out = greening.coverage_from_raster(
        zones, str(path), zone_field="name", classes=[10], progress=calls.append
    )
    assert list(out.index) == [7, 3]
    assert out["zone"].tolist() == ["w", "all"]
    assert list(out.columns[:6]) == greening.COVERAGE_COLUMNS
    # zone w covers pixel columns 0-1.5, all green; "all" is half green
    assert out["coverage"].tolist() == pytest.approx([1.0, 0.5], abs=1e-9)
    assert out.geometry.iloc[1].equals(zones.geometry.iloc[1])
    assert sum(calls) >= 1


def test_coverage_from_raster_with_an_extra_zone(tmp_path: Path) -> None:
    from concurrent.futures import Future

    from geopandas.testing import assert_geodataframe_equal

    from lzgis.greening.coverage import zones_frame
    from lzgis.zonal import EXTRA_ZONE
    from lzgis.zonal._coverage import coverage_and_extra

    data = np.zeros((4, 4), dtype="uint8")
    data[:, :2] = 10  # western half grassland
    path = tmp_path / "lc.tif"
    write_geotiff(
        path,
        data,
        crs="EPSG:32648",
        transform=from_origin(500_000, 3_990_000, 100, 100),
        nodata=255,
    )
    zones = gpd.GeoDataFrame(
        {"name": ["w", "e"]},
        geometry=[
            box(500_000, 3_989_600, 500_150, 3_990_000),
            box(500_200, 3_989_600, 500_400, 3_990_000),
        ],
        crs="EPSG:32648",
        index=[7, 3],
    )
    east = box(500_200, 3_989_600, 500_400, 3_990_000)  # 200 m x 400 m, no green
    extra: Future[object] = Future()
    extra.set_result(east)
    plain = greening.coverage_from_raster(zones, str(path), zone_field="name", classes=[10])
    out = greening.coverage_from_raster(
        zones,
        str(path),
        zone_field="name",
        classes=[10],
        extra=extra,
    )
    # the extra zone's row comes last, under its label, with its own geometry
    assert list(out.index) == [7, 3, EXTRA_ZONE]
    assert out["zone"].tolist() == ["w", "e", EXTRA_ZONE]
    assert out.geometry.iloc[2].equals(east)
    assert out["coverage"].tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-9)
    assert out["area_km2"].iloc[2] == pytest.approx(0.08, rel=2e-3)  # equal-area, near 0.08
    assert out["area_km2"].iloc[2] == pytest.approx(plain["area_km2"].iloc[1], rel=1e-12)
    # apart: the zones' frame as without the extra zone, and its row alone
    table, row = coverage_and_extra(zones, str(path), classes=[10], extra=extra)
    frame = zones_frame(table, zones, "name")
    assert_geodataframe_equal(frame, plain)
    assert row is not None and list(row.index) == [EXTRA_ZONE]
    assert row["coverage"].tolist() == pytest.approx([0.0], abs=1e-9)
    none: Future[object] = Future()
    none.set_result(None)  # an extra zone that came out None: no row
    table, row = coverage_and_extra(zones, str(path), classes=[10], extra=none)
    frame = zones_frame(table, zones, "name")
    assert row is None
    assert_geodataframe_equal(frame, plain)


def test_cli_report_and_modis_round_trip(tmp_path: Path, report: gpd.GeoDataFrame) -> None:
    from click.testing import CliRunner

    from lzgis.cli import main

    gpkg = tmp_path / "report.gpkg"
    result = CliRunner().invoke(main, ["greening", "report", "--out", str(gpkg)])
    assert result.exit_code == 0, result.output
    back = gpd.read_file(gpkg)
    assert back["zone"].tolist() == report["zone"].tolist()
    assert back["coverage"].to_numpy() == pytest.approx(report["coverage"].to_numpy())
    csv = tmp_path / "modis.csv"
    result = CliRunner().invoke(main, ["greening", "modis", "--out", str(csv)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(csv)
    assert table["zone"].iloc[0] == "lanzhou" and "igbp_10_grassland" in table.columns
    bad = tmp_path / "modis.gpkg"
    result = CliRunner().invoke(main, ["greening", "modis", "--out", str(bad)])
    assert result.exit_code == 2 and not bad.exists()


def test_cli_defaults_are_embedded_districts_and_green(
    tmp_path: Path, report: gpd.GeoDataFrame
) -> None:
    from click.testing import CliRunner

    from lzgis.cli import main

    out = tmp_path / "cov.csv"
    result = CliRunner().invoke(main, ["greening", "coverage", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    districts = report[report["zone_kind"] == "district"]
    assert sorted(table["zone"]) == sorted(districts["zone_en"])
    by_name = table.set_index("zone")["coverage"]
    expected = districts.set_index("zone_en")["coverage"]
    # the CSV rounds rates to 1e-4
    assert by_name[expected.index].to_numpy() == pytest.approx(expected.to_numpy(), abs=5e-5)
    result = CliRunner().invoke(main, ["greening", "check"])
    any_fail = not bool(districts["passed"].astype(bool).all())
    assert result.exit_code == (1 if any_fail else 0)
    assert "Chengguan District" in result.stdout and "31.12%" in result.stdout


def test_report_on_your_own_green(tmp_path: Path, report: gpd.GeoDataFrame) -> None:
    """`green=` replaces the embedded green: the Chengguan district itself as green, from a file."""
    chengguan = _layers.load("districts").query("id == 'chengguan'")[["id", "geometry"]]
    chengguan.to_crs(32648).to_file(tmp_path / "green.gpkg")
    own = greening.embedded_report(green=[tmp_path / "green.gpkg"]).set_index("zone")
    assert own.loc["chengguan", "coverage"] == pytest.approx(1.0, abs=1e-6)
    city = own.loc["lanzhou"]
    assert city["green_km2"] == pytest.approx(own.loc["chengguan", "area_km2"], rel=1e-6)
    assert own.loc["yuzhong", "coverage"] == pytest.approx(0.0, abs=1e-9)
    assert set(own["note"]) == {greening.embedded.OWN_GREEN_NOTE}
    assert list(own.reset_index().columns) == list(report.columns)
    same = greening.embedded_report(green=[chengguan]).set_index("zone")
    pd.testing.assert_series_equal(same["coverage"], own["coverage"], rtol=1e-9)
