"""lzgis.greening.trend: the yearly table, changes, pace and target year, on hand-made rasters."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from geotiffs import write_geotiff
from shapely import box

from lzgis._errors import LzgisError, ValidationError
from lzgis.greening import TREND_COLUMNS, trend
from lzgis.greening.yearly import (
    GRIDS_DIFFER,
    NOT_AT_THIS_PACE,
    pace,
    parse_year_paths,
    target_value,
    target_year,
)

LAEA = "+proj=laea +lat_0=36 +lon_0=103.8 +ellps=WGS84 +units=m +no_defs"
T = Affine(10.0, 0.0, 0.0, 0.0, -10.0, 0.0)


def write(
    path: Path, array: np.ndarray, *, transform: Affine = T, nodata: float | None = None
) -> Path:
    return write_geotiff(path, array, crs=LAEA, transform=transform, nodata=nodata)


def green_cells(path: Path, n: int, shape: tuple[int, int] = (10, 10)) -> Path:
    """NDVI with the first ``n`` cells (row by row) green."""
    flat = np.full(shape[0] * shape[1], 0.1, dtype="float32")
    flat[:n] = 0.8
    return write(path, flat.reshape(shape))


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["城关 / whole", "west"]},
        geometry=[box(0, -100, 100, 0), box(0, -100, 50, 0)],
        crs=LAEA,
    )


def test_linear_series_pace_and_target_year(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    # 20, 22, 24, 26 green cells of 100: coverage 0.20 .. 0.26, +2 points a year
    rasters = {2019 + i: green_cells(tmp_path / f"{i}.tif", 20 + 2 * i) for i in (3, 1, 0, 2)}
    t = trend(zones.iloc[:1], rasters, zone_field="name", ndvi_threshold=0.3, target="plan_2015")
    assert list(t.columns[: len(TREND_COLUMNS)]) == TREND_COLUMNS and t.geometry.name == "geometry"
    assert t["name"].tolist() == ["城关 / whole"] * 4  # the zones' attributes pass through
    assert t["year"].tolist() == [2019, 2020, 2021, 2022]
    assert t["coverage"].tolist() == pytest.approx([0.20, 0.22, 0.24, 0.26], abs=1e-12)
    assert t["pace_pp_per_year"].iloc[0] == pytest.approx(2.0, abs=1e-9)
    assert t["change_pp"].tolist()[1:] == pytest.approx([2.0, 2.0, 2.0], abs=1e-9)
    assert t["total_change_pp"].iloc[0] == pytest.approx(6.0, abs=1e-9)
    # 0.20 + 0.02 (y - 2019) = 0.3112  ->  y = 2024.56: reached in 2025
    assert t["target"].iloc[0] == 0.3112 and t["target_year"].tolist() == [2025] * 4
    assert "2025" in t["pace_note"].iloc[0]
    # gain only: each year adds two whole cells (200 m² = 0.0002 km²)
    assert t["gain_km2"].tolist()[1:] == pytest.approx([2e-4] * 3, abs=1e-12)
    assert t["loss_km2"].tolist()[1:] == pytest.approx([0.0] * 3, abs=1e-12)
    np.testing.assert_allclose(
        t["change_km2"].iloc[1:], (t["gain_km2"] - t["loss_km2"]).iloc[1:], atol=1e-9
    )


def test_falling_series_not_at_this_pace(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    rasters = {2019: green_cells(tmp_path / "a.tif", 30), 2021: green_cells(tmp_path / "b.tif", 26)}
    t = trend(zones, rasters, zone_field="name", ndvi_threshold=0.3, target=0.3112)
    whole = t[t["zone"] == "城关 / whole"]
    assert whole["pace_pp_per_year"].iloc[0] == pytest.approx(-2.0)
    assert whole["target_year"].isna().all() and (whole["pace_note"] == NOT_AT_THIS_PACE).all()
    assert whole["loss_km2"].iloc[1] == pytest.approx(4e-4)
    # the west half holds the first five columns of each row: 15 cells both years, no change
    west = t[t["zone"] == "west"]
    assert west["coverage"].tolist() == pytest.approx([15 / 50, 15 / 50])
    assert west["gain_km2"].iloc[1] == 0.0 and west["loss_km2"].iloc[1] == 0.0


def test_year_with_no_data_under_a_zone(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    a = green_cells(tmp_path / "a.tif", 20)
    arr = np.full((10, 10), 0.8, dtype="float32")
    arr[:, :5] = -9999.0  # no data in the west half in 2020
    b = write(tmp_path / "b.tif", arr, nodata=-9999.0)
    c = green_cells(tmp_path / "c.tif", 30)
    t = trend(zones, {2019: a, 2020: b, 2021: c}, zone_field="name", ndvi_threshold=0.3)
    west = t[t["zone"] == "west"].reset_index(drop=True)
    assert np.isnan(west.loc[1, "coverage"]) and np.isnan(west.loc[1, "green_km2"])
    assert west.loc[1, "data_share"] == 0.0
    assert west[["change_pp", "change_km2"]].isna().all().all()  # every change touches 2020
    assert (
        np.isnan(west.loc[1, "gain_km2"]) and "no cell with data" in west.loc[1, "gain_loss_note"]
    )
    assert west.loc[0, "pace_pp_per_year"] == pytest.approx((15 - 10) / 50 * 100 / 2)
    whole = t[t["zone"] == "城关 / whole"].reset_index(drop=True)
    assert (
        whole.loc[1, "compared_share"] == pytest.approx(0.5) and whole.loc[1, "data_share"] == 0.5
    )


def test_different_grids_say_why(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    a = green_cells(tmp_path / "a.tif", 20)
    b = green_cells(tmp_path / "b.tif", 88, shape=(20, 20))
    b = write(
        tmp_path / "b5.tif", rasterio.open(b).read(1), transform=Affine(5.0, 0, 0, 0, -5.0, 0)
    )
    t = trend(zones, {2019: a, 2020: b}, zone_field="name", ndvi_threshold=0.3)
    row = t.iloc[1]
    assert np.isnan(row.gain_km2) and row.gain_loss_note == GRIDS_DIFFER
    assert row.coverage == pytest.approx(88 / 400)


def test_tiles_per_year_hand_computed(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    """Each year two 10 x 5 tiles (west, east); 2021 one 10 x 10 raster: another tiling."""
    east = Affine(10.0, 0.0, 50.0, 0.0, -10.0, 0.0)

    def tiles(year: int, west_green: int, east_green: int) -> list[Path]:
        return [
            green_cells(tmp_path / f"w{year}.tif", west_green, shape=(10, 5)),
            write(
                tmp_path / f"e{year}.tif",
                np.where(np.arange(50).reshape(10, 5) < east_green, 0.8, 0.1).astype("float32"),
                transform=east,
            ),
        ]

    rasters = {
        2019: tiles(2019, 50, 0),
        2020: tiles(2020, 20, 50),
        2021: green_cells(tmp_path / "one.tif", 100),
    }
    t = trend(zones, rasters, zone_field="name", ndvi_threshold=0.3)
    whole, west = t.iloc[:3], t.iloc[3:]
    assert whole["coverage"].tolist() == pytest.approx([0.5, 0.7, 1.0], abs=1e-12)
    assert west["coverage"].tolist() == pytest.approx([1.0, 0.4, 1.0], abs=1e-12)
    # 2019 -> 2020 tile by tile: 50 cells of 100 m² gained in the east, 30 lost in the west
    assert whole["gain_km2"].iloc[1] == pytest.approx(0.005, abs=1e-12)
    assert whole["loss_km2"].iloc[1] == pytest.approx(0.003, abs=1e-12)
    assert west["gain_km2"].iloc[1] == 0.0
    assert west["loss_km2"].iloc[1] == pytest.approx(0.003, abs=1e-12)
    assert (t["gain_loss_note"].iloc[[1, 4]] == "").all()
    # 2021 is one raster: another tiling, so no gain or loss, and the note says why
    assert np.isnan(whole["gain_km2"].iloc[2]) and whole["gain_loss_note"].iloc[2] == GRIDS_DIFFER
    assert GRIDS_DIFFER.startswith("与上一年网格或分幅不同") and "tiling" in GRIDS_DIFFER


def test_helpers() -> None:
    assert parse_year_paths(["2023=b.tif", "2019= a b.tif"]) == {
        2023: ["b.tif"],
        2019: ["a b.tif"],
    }
    # a year given again adds sources, in the order given (the mosaic rule's order)
    assert parse_year_paths(["2019=t2.tif", "2020=x.tif", "2019=t1.tif"]) == {
        2019: ["t2.tif", "t1.tif"],
        2020: ["x.tif"],
    }
    with pytest.raises(LzgisError, match="four-digit year"):
        parse_year_paths(["19=a.tif"])
    with pytest.raises(LzgisError, match="four-digit year"):
        parse_year_paths(["a.tif"])
    assert target_value("plan_2015") == 0.3112 and target_value(None) is None
    with pytest.raises(ValidationError, match="expected exactly one"):
        target_value("all")
    with pytest.raises(ValidationError, match="fraction"):
        target_value(31.12)
    assert pace([2019], [0.2])[0] != pace([2019], [0.2])[0]  # NaN with one year
    assert target_year([2019, 2020], [0.4, 0.4], 0.3112) == (2019, "已达到 / reached")
    year, note = target_year([2019, 2020, 2021], [0.30, float("nan"), 0.32], 0.3112)
    assert year == 2021 and "2021" in note  # 0.30 + 0.01 (y - 2019) = 0.3112 at 2020.12


def test_within_cuts_zones_and_a_zone_outside_is_empty(tmp_path: Path) -> None:
    rasters = {2019: green_cells(tmp_path / "a.tif", 20), 2020: green_cells(tmp_path / "b.tif", 40)}
    zones = gpd.GeoDataFrame(
        {"name": ["in", "out"]}, geometry=[box(0, -100, 100, 0), box(0, -100, 30, 0)], crs=LAEA
    )
    boundary = gpd.GeoDataFrame(geometry=[box(40, -100, 100, 0)], crs=LAEA)
    t = trend(zones, rasters, zone_field="name", ndvi_threshold=0.3, within=boundary)
    inside = t[t["zone"] == "in"]
    assert inside["area_km2"].iloc[0] == pytest.approx(0.006, abs=1e-12)  # 60 m x 100 m
    assert inside["coverage"].tolist() == pytest.approx([0.2, 0.4])  # whole rows are green
    outside = t[t["zone"] == "out"]
    assert outside["area_km2"].tolist() == [0.0, 0.0] and outside["coverage"].isna().all()
    assert outside["data_share"].tolist() == [0.0, 0.0] and outside["green_km2"].isna().all()
