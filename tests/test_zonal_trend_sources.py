"""lzgis.zonal.raster_trend over imagery collections: tiles in two UTM zones, folders, globs, VRTs, STAC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from numpy.testing import assert_allclose
from shapely import box
from test_zonal_sources import (
    grid_tile,
    grid_zones,
    ndvi,
    seam_zones,
    stac_items,
    tiff,
    utm_tile,
    vrt_of,
)

from lzgis._errors import RasterError
from lzgis.zonal import collection_years, raster_coverage, raster_trend, trend_window_count
from lzgis.zonal._change import change_preview, change_raster

COLS = ["area_km2", "data_km2", "green_km2", "coverage", "unknown"]


def year_rows(t: Any, year: int) -> Any:
    return t[t["year"] == year]


def seam_years(tmp_path: Path) -> dict[int, list[Path]]:
    """Two years of the same two tiles (EPSG:32647 west, EPSG:32648 east), other values."""
    return {
        year: [
            utm_tile(tmp_path / f"w{year}.tif", "EPSG:32647", 101.95, ndvi(seed)),
            utm_tile(tmp_path / f"e{year}.tif", "EPSG:32648", 101.98, ndvi(seed + 1)),
        ]
        for year, seed in ((2019, 1), (2023, 3))
    }


def test_two_utm_tiles_per_year_equal_coverage_and_the_piecewise_measure(
    tmp_path: Path,
) -> None:
    years = seam_years(tmp_path)
    zones = seam_zones()
    t = raster_trend(zones, years, ndvi_threshold=0.3)
    for year, tiles in years.items():
        one = raster_coverage(zones, tiles, ndvi_threshold=0.3)
        got = year_rows(t, year)
        assert_allclose(got[COLS].to_numpy(), one[COLS].to_numpy(), rtol=1e-12, atol=1e-12)
    assert (t["grid"] == 0).all()  # the same tiling: one group, gain and loss measured
    # by hand: the west tile's extent measured on the west tiles, the rest on the east ones
    z47 = gpd.GeoSeries(shapely.segmentize(zones.geometry.values, 0.005), crs=4326).to_crs(32647)
    with rasterio.open(years[2019][0]) as src:
        extent = box(*src.bounds)
    first = gpd.GeoDataFrame(geometry=shapely.intersection(z47.values, extent), crs=32647)
    rest = gpd.GeoSeries(shapely.difference(z47.values, extent), crs=32647)
    rest48 = gpd.GeoDataFrame(geometry=shapely.segmentize(rest.values, 500.0), crs=32647)
    west = raster_trend(first, {y: p[0] for y, p in years.items()}, ndvi_threshold=0.3)
    east = raster_trend(rest48.to_crs(32648), {y: p[1] for y, p in years.items()}, **_t())
    late = year_rows(t, 2023)
    w, e = year_rows(west, 2023), year_rows(east, 2023)
    for col in ("gain_km2", "loss_km2", "green_km2", "data_km2"):
        hand = w[col].to_numpy() + e[col].to_numpy()
        assert_allclose(late[col].to_numpy(), hand, rtol=1e-5)  # km²: outline vs pieces
    data = w["data_km2"].to_numpy() + e["data_km2"].to_numpy()
    green = w["green_km2"].to_numpy() + e["green_km2"].to_numpy()
    assert_allclose(late["coverage"], green / data, rtol=0, atol=1e-9)
    assert (late["gain_km2"] > 0).all() and (late["loss_km2"] > 0).all()
    # the clouds are at the same cells in both years: gain - loss is the change of green
    net = (late["gain_km2"] - late["loss_km2"]).to_numpy()
    diff = late["green_km2"].to_numpy() - year_rows(t, 2019)["green_km2"].to_numpy()
    assert_allclose(net, diff, rtol=0, atol=1e-12)
    assert (late["compared_share"] < 1).all()  # the clouds and, for c, east of both tiles


def _t() -> dict[str, Any]:
    return {"ndvi_threshold": 0.3}


def test_another_order_is_another_tiling_no_gain_or_loss(tmp_path: Path) -> None:
    years = seam_years(tmp_path)
    zones = seam_zones()
    swapped = {2019: years[2019], 2023: years[2023][::-1]}  # east tile first in 2023
    t = raster_trend(zones, swapped, ndvi_threshold=0.3)
    assert year_rows(t, 2023)["grid"].tolist() == [1, 1, 1]
    assert year_rows(t, 2023)[["gain_km2", "loss_km2", "compared_share"]].isna().all().all()
    one = raster_coverage(zones, swapped[2023], ndvi_threshold=0.3)
    assert_allclose(year_rows(t, 2023)[COLS], one[COLS], rtol=1e-12, atol=1e-12)


def test_folder_glob_vrt_and_stac_years_equal_their_coverage(tmp_path: Path) -> None:
    sources: dict[int, Any] = {}
    for year, seed in ((2019, 10), (2020, 20), (2021, 30)):
        folder = tmp_path / f"tiles{year}"
        folder.mkdir()
        grid_tile(folder / "a.tif", 0, 0, seed)
        grid_tile(folder / "b.tif", 40, 0, seed + 1)
    sources[2019] = tmp_path / "tiles2019"  # a folder
    sources[2020] = str(tmp_path / "tiles2020" / "*.tif")  # a glob
    sources[2021] = vrt_of(  # a VRT: one source (GDAL mosaics it)
        tmp_path / "m2021.vrt",
        [(Path("tiles2021/a.tif"), 0, 0), (Path("tiles2021/b.tif"), 40, 0)],
        80,
        40,
    )
    old = grid_tile(tmp_path / "old.tif", 0, 0, 41)
    grid_tile(tmp_path / "new.tif", 20, 0, 42)  # overlaps old in columns 20-39
    sources[2022] = stac_items(
        tmp_path / "items.json",
        [
            ("old", "2022-05-01T00:00:00Z", {"ndvi": tiff("old.tif")}),
            ("new", "2022-09-01T00:00:00Z", {"ndvi": tiff("new.tif")}),
        ],
    )
    zones = grid_zones()
    kw: dict[str, Any] = {"ndvi_threshold": 0.3, "_window_shape": (16, 16)}
    t = raster_trend(zones, sources, prefer="newest", **kw)
    for year, source in sources.items():
        one = raster_coverage(zones, source, prefer="newest", **kw)
        assert_allclose(year_rows(t, year)[COLS], one[COLS], rtol=1e-12, atol=1e-12)
    # the folder and the glob name the same tiling: gain and loss, balancing the change
    assert t["grid"].tolist()[:4] == [0, 0, 1, 2]
    y20 = year_rows(t, 2020)
    assert (y20["gain_km2"] > 0).all() and (y20["loss_km2"] > 0).all()
    net = (y20["gain_km2"] - y20["loss_km2"]).to_numpy()
    diff = y20["green_km2"].to_numpy() - year_rows(t, 2019)["green_km2"].to_numpy()
    assert_allclose(net, diff, rtol=0, atol=1e-12)
    assert year_rows(t, 2021)["gain_km2"].isna().all()  # the VRT is another grid
    # newest first: the new tile wins where they overlap, unlike the file's order
    given = raster_trend(zones, {2022: sources[2022]}, **kw)
    assert not np.allclose(given["coverage"], year_rows(t, 2022)["coverage"])
    with rasterio.open(old) as src:
        assert src.width == 40
    windows = trend_window_count(zones, sources, prefer="newest", _window_shape=(16, 16))
    assert windows == sum(
        trend_window_count(zones, {y: s}, prefer="newest", _window_shape=(16, 16))
        for y, s in sources.items()
        if y != 2020  # read with 2019, in one pass
    )
    assert collection_years(sources) == [2019, 2020, 2022]


def test_red_nir_collections(tmp_path: Path) -> None:
    zones = grid_zones()
    red, nir = {}, {}
    for year, seed in ((2019, 50), (2020, 60)):
        red[year] = [
            grid_tile(tmp_path / f"r{year}a.tif", 0, 0, seed),
            grid_tile(tmp_path / f"r{year}b.tif", 40, 0, seed + 1),
        ]
        nir[year] = [
            grid_tile(tmp_path / f"n{year}a.tif", 0, 0, seed + 2),
            grid_tile(tmp_path / f"n{year}b.tif", 40, 0, seed + 3),
        ]
    t = raster_trend(zones, red, nir=nir, ndvi_threshold=0.2)
    for year in red:
        one = raster_coverage(zones, red[year], nir=nir[year], ndvi_threshold=0.2)
        assert_allclose(year_rows(t, year)[COLS], one[COLS], rtol=1e-12, atol=1e-12)
    assert year_rows(t, 2020)["gain_km2"].notna().all()
    with pytest.raises(RasterError, match=r"2020: .* has 2 red sources but .* has 1 NIR"):
        raster_trend(zones, red, nir={**nir, 2020: nir[2020][:1]}, ndvi_threshold=0.2)


def test_change_raster_and_preview_refuse_collections(tmp_path: Path) -> None:
    years = seam_years(tmp_path)
    zones = seam_zones()
    out = tmp_path / "change.tif"
    with pytest.raises(RasterError, match=r"year 2019: .*collection of 2 sources.*fix:"):
        change_raster(zones, years, out, ndvi_threshold=0.3)
    assert not out.exists()
    with pytest.raises(RasterError, match="collection of 2 sources"):
        change_preview(zones, years, ndvi_threshold=0.3)
    single = {y: p[0] for y, p in years.items()}
    assert change_raster(zones, single, out, ndvi_threshold=0.3).exists()


def test_empty_glob_names_the_year(tmp_path: Path) -> None:
    zones = seam_zones()
    with pytest.raises(RasterError, match=r"nothing/\*\.tif`: the pattern matches no file.*2019"):
        raster_trend(zones, {2019: str(tmp_path / "nothing" / "*.tif")}, ndvi_threshold=0.3)
