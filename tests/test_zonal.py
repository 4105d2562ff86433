"""lzgis.zonal: exact raster coverage per zone, checked by hand, by brute force and by exactextract."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from geotiffs import write_geotiff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely import Polygon, box

from lzgis._errors import CRSError, RasterError, ValidationError
from lzgis.zonal import EXTRA_ZONE, class_composition, raster_coverage, window_count
from lzgis.zonal._union import RingsUnion, kernel_union

UTM = "EPSG:32648"  # Lanzhou's UTM zone
X0, Y0 = 500_000.0, 4_000_000.0  # upper-left corner of the test grids
PX = 10.0  # pixel size, metres
T = Affine(PX, 0.0, X0, 0.0, -PX, Y0)
CLARKE = "+proj=longlat +ellps=clrk66 +no_defs"  # like MODIS MCD12C1: no EPSG code


def write_raster(
    path: Path,
    array: np.ndarray,
    *,
    transform: Affine = T,
    crs: str | None = UTM,
    nodata: float | None = None,
    scale: float = 1.0,
) -> Path:
    return write_geotiff(path, array, crs=crs, transform=transform, nodata=nodata, scale=scale)


def px_box(c0: float, r0: float, c1: float, r1: float) -> Polygon:
    """A box given in pixel units (columns c0..c1, rows r0..r1) of the grid T."""
    return box(X0 + c0 * PX, Y0 - r1 * PX, X0 + c1 * PX, Y0 - r0 * PX)


def px_poly(coords: list[tuple[float, float]]) -> Polygon:
    return Polygon([(X0 + c * PX, Y0 - r * PX) for c, r in coords])


def zones_of(*geoms: Polygon, crs: str = UTM) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"z{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs
    )


def left_half(tmp_path: Path, shape: tuple[int, int] = (4, 4)) -> Path:
    """NDVI 0.8 in the left half of the columns, 0.1 in the right half."""
    arr = np.full(shape, 0.1, dtype="float32")
    arr[:, : shape[1] // 2] = 0.8
    return write_raster(tmp_path / "left.tif", arr)


def brute_force(geom: Polygon, values: np.ndarray, valid: np.ndarray) -> tuple[float, float, float]:
    """(zone area, valid area, weighted value sum) by intersecting every cell with shapely."""
    h, w = values.shape
    rows, cols = np.divmod(np.arange(h * w), w)
    cells = shapely.box(X0 + cols * PX, Y0 - (rows + 1) * PX, X0 + (cols + 1) * PX, Y0 - rows * PX)
    inside = shapely.area(shapely.intersection(cells, geom))
    ok = valid.ravel()
    return geom.area, float(inside[ok].sum()), float((inside * values.ravel())[ok].sum())


# --- hand-computable answers ---------------------------------------------------------


def test_left_half_green_with_edges_cutting_pixels(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    # columns 0.3..3.6 (green part 0.3..2), rows 0.25..3.5
    rect = px_box(0.3, 0.25, 3.6, 3.5)
    # triangle (0,0),(4,0),(0,4) in pixels: the part right of column 2 is a 2x2/2 triangle
    tri = px_poly([(0, 0), (4, 0), (0, 4)])
    out = raster_coverage(zones_of(rect, tri), path, ndvi_threshold=0.5)
    assert out.loc[0, "coverage"] == pytest.approx(1.7 / 3.3, abs=1e-9)
    assert out.loc[1, "coverage"] == pytest.approx(6 / 8, abs=1e-9)
    assert (out["unknown"] == 0).all()
    assert np.allclose(out["data_km2"], out["area_km2"], rtol=0, atol=1e-12)
    assert out.loc[0, "green_km2"] == pytest.approx(out.loc[0, "area_km2"] * 1.7 / 3.3, rel=1e-9)
    assert list(out.columns) == ["area_km2", "data_km2", "green_km2", "coverage", "unknown"]


def test_hole_and_multipolygon_are_exact(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    ring = px_box(0.5, 0.5, 3.5, 3.5).difference(px_box(1.5, 1.5, 2.5, 2.5))  # 9 - 1
    multi = shapely.MultiPolygon([px_box(0, 0, 1, 1), px_box(3, 3, 4, 3.5)])
    out = raster_coverage(zones_of(ring, multi), path, ndvi_threshold=0.5)
    # ring: green part = columns 0.5..2 minus the hole's 1.5..2 -> 1.5*3 - 0.5*1 = 4
    assert out.loc[0, "coverage"] == pytest.approx(4 / 8, abs=1e-9)
    assert out.loc[1, "coverage"] == pytest.approx(1 / 1.5, abs=1e-9)


def test_classes_count_by_value(tmp_path: Path) -> None:
    arr = np.array([[1, 12, 10, 16], [1, 12, 10, 16]], dtype="uint8")
    path = write_raster(tmp_path / "igbp.tif", arr)
    zone = px_box(0.5, 0, 3.25, 2)  # 0.5 of class 1, 1 of 12, 1 of 10, 0.25 of 16
    out = raster_coverage(zones_of(zone), path, classes=range(1, 11))
    assert out.loc[0, "coverage"] == pytest.approx(1.5 / 2.75, abs=1e-9)
    comp = class_composition(zones_of(zone), path)
    assert list(comp.columns) == [1, 10, 12, 16]
    area = out.loc[0, "area_km2"]
    assert comp.loc[0].to_numpy() == pytest.approx(
        np.array([0.5, 1.0, 1.0, 0.25]) / 2.75 * area, rel=1e-9
    )


def test_nodata_is_left_out_and_reported(tmp_path: Path) -> None:
    arr = np.full((4, 4), 0.8, dtype="float32")
    arr[0, :] = -9999.0  # top row: no data
    arr[1, 3] = 0.1
    path = write_raster(tmp_path / "nd.tif", arr, nodata=-9999.0)
    out = raster_coverage(zones_of(px_box(0, 0, 4, 4)), path, ndvi_threshold=0.5)
    assert out.loc[0, "unknown"] == pytest.approx(0.25, abs=1e-12)
    assert out.loc[0, "coverage"] == pytest.approx(11 / 12, abs=1e-12)
    assert out.loc[0, "data_km2"] == pytest.approx(out.loc[0, "area_km2"] * 0.75, rel=1e-12)


@pytest.mark.parametrize("kind", ["nan", "mask"])
def test_nan_and_mask_are_no_data(tmp_path: Path, kind: str) -> None:
    arr = np.full((4, 4), 0.8, dtype="float32")
    if kind == "nan":
        arr[:, 0] = np.nan
        path = write_raster(tmp_path / "nan.tif", arr)
    else:
        mask = np.full((4, 4), 255, dtype="uint8")
        mask[:, 0] = 0
        path = tmp_path / "mask.tif"
        # own writer: the per-dataset mask band (GDAL's write_mask) is what this case tests
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=4,
            height=4,
            count=1,
            dtype="float32",
            crs=UTM,
            transform=T,
        ) as dst:
            dst.write(arr, 1)
            dst.write_mask(mask)
    out = raster_coverage(zones_of(px_box(0.5, 0, 4, 4)), path, ndvi_threshold=0.5)
    assert out.loc[0, "unknown"] == pytest.approx(0.5 / 3.5, abs=1e-12)
    assert out.loc[0, "coverage"] == pytest.approx(1.0)


def test_zone_outside_has_unknown_one_and_no_coverage(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    outside = px_box(10, 10, 12, 12)
    half = px_box(-2, 0, 2, 4)  # columns -2..0 outside, 0..2 green
    out = raster_coverage(zones_of(outside, half), path, ndvi_threshold=0.5)
    assert out.loc[0, "unknown"] == 1.0
    assert np.isnan(out.loc[0, "coverage"])
    assert out.loc[0, "data_km2"] == 0.0
    assert out.loc[0, "green_km2"] == 0.0
    assert out.loc[1, "unknown"] == pytest.approx(0.5, abs=1e-12)
    assert out.loc[1, "coverage"] == pytest.approx(1.0)


def test_all_nodata_zone_has_no_coverage(tmp_path: Path) -> None:
    arr = np.full((2, 2), -1.0, dtype="float32")
    arr[:, 1] = 0.9
    path = write_raster(tmp_path / "nd.tif", arr, nodata=-1.0)
    out = raster_coverage(zones_of(px_box(0, 0, 1, 2)), path, ndvi_threshold=0.3)
    assert out.loc[0, "unknown"] == 1.0
    assert np.isnan(out.loc[0, "coverage"])


def test_ndvi_from_red_and_nir(tmp_path: Path) -> None:
    red = np.array([[100, 100], [300, 0]], dtype="uint16")
    nir = np.array([[500, 120], [300, 0]], dtype="uint16")  # NDVI 0.667, 0.091, 0, undefined
    r = write_raster(tmp_path / "red.tif", red)
    n = write_raster(tmp_path / "nir.tif", nir)
    out = raster_coverage(zones_of(px_box(0, 0, 2, 2)), r, nir=n, ndvi_threshold=0.05)
    assert out.loc[0, "unknown"] == pytest.approx(0.25)  # red + nir == 0: no NDVI
    assert out.loc[0, "coverage"] == pytest.approx(2 / 3)
    out = raster_coverage(zones_of(px_box(0, 0, 2, 2)), r, nir=n, ndvi_threshold=0.5)
    assert out.loc[0, "coverage"] == pytest.approx(1 / 3)


def test_band_scale_is_applied(tmp_path: Path) -> None:
    arr = np.array([[8000, 1000]], dtype="int16")  # MODIS-style NDVI * 10000
    path = write_raster(tmp_path / "scaled.tif", arr, scale=0.0001)
    out = raster_coverage(zones_of(px_box(0, 0, 2, 1)), path, ndvi_threshold=0.5)
    assert out.loc[0, "coverage"] == pytest.approx(0.5)


def _band_area(lat0: float, lat1: float, dlon: float, a: float, rf: float) -> float:
    """Ellipsoidal area of a lon/lat cell by numerical integration of M N cos(phi)."""
    e2 = (2 - 1 / rf) / rf
    phi = np.linspace(np.radians(lat0), np.radians(lat1), 200_001)
    s2 = np.sin(phi) ** 2
    m = a * (1 - e2) / (1 - e2 * s2) ** 1.5
    n = a / np.sqrt(1 - e2 * s2)
    f = m * n * np.cos(phi)
    return float(np.radians(dlon) * np.sum((f[1:] + f[:-1]) / 2 * np.diff(phi)))


def test_geographic_crs_without_epsg_weighs_pixels_by_latitude(tmp_path: Path) -> None:
    assert CRS(CLARKE).to_epsg() is None
    # 10° cells from 60°N down to 0°; class 1 (green) only in the top row (50-60°N)
    arr = np.full((6, 2), 12, dtype="uint8")
    arr[0, :] = 1
    t = Affine(10.0, 0.0, 100.0, 0.0, -10.0, 60.0)
    path = write_raster(tmp_path / "modis.tif", arr, transform=t, crs=CLARKE)
    zone = box(100, 0, 110, 60)
    out = raster_coverage(zones_of(zone, crs=CLARKE), path, classes=[1])
    a, rf = 6378206.4, 294.9786982  # Clarke 1866
    top = _band_area(50, 60, 10, a, rf)
    total = _band_area(0, 60, 10, a, rf)
    assert out.loc[0, "coverage"] == pytest.approx(top / total, rel=1e-7)
    assert out.loc[0, "coverage"] < 1 / 6 * 0.75  # a plain pixel count would give 1/6
    assert out.loc[0, "unknown"] == 0.0
    # a quarter of a top-row pixel (55-60°N) and a quarter of one in the next row (40-45°N):
    # each counts by its fraction of its pixel times that pixel's area (as exactextract does)
    two = shapely.union(box(100, 55, 105, 60), box(100, 40, 105, 45))
    out = raster_coverage(zones_of(two, crs=CLARKE), path, classes=[1])
    expected = top / (top + _band_area(40, 50, 10, a, rf))
    assert out.loc[0, "coverage"] == pytest.approx(expected, rel=1e-7)


def test_geographic_raster_with_zones_in_wgs84(tmp_path: Path) -> None:
    arr = np.array([[1, 1, 12, 12]] * 4, dtype="uint8")
    t = Affine(0.05, 0.0, 103.7, 0.0, -0.05, 36.2)  # MCD12C1-like 0.05° grid over Lanzhou
    path = write_raster(tmp_path / "modis.tif", arr, transform=t, crs=CLARKE)
    zone = box(103.725, 36.05, 103.85, 36.15)  # columns 0.5..3, rows 1..3
    out = raster_coverage(zones_of(zone, crs="EPSG:4326"), path, classes=[1])
    assert out.loc[0, "coverage"] == pytest.approx(1.5 / 2.5, rel=1e-6)
    assert out.loc[0, "unknown"] == pytest.approx(0.0, abs=1e-9)


def test_short_pieces_far_from_the_origin_stay_exact(tmp_path: Path) -> None:
    # a wide raster and nearly vertical edges near column 29,000: rounding in the
    # column positions must not be amplified by the pieces' tiny x extents
    arr = np.full((3, 30_000), 12, dtype="uint8")
    arr[:, :29_005] = 1
    path = write_raster(tmp_path / "wide.tif", arr)
    left, right = 29_000.25, 29_010.7
    zone = px_poly([(left, 0), (right, 0), (right + 1e-7, 3), (left + 3e-8, 3)])
    out = raster_coverage(zones_of(zone), path, classes=[1], _window_shape=(1, 29_003))
    width_green = 29_005 - left - 1.5e-8  # mean x of the slanted left edge
    width = right - left + (1e-7 - 3e-8) / 2
    assert out.loc[0, "coverage"] == pytest.approx(width_green / width, abs=1e-9)
    assert out.loc[0, "unknown"] == 0.0


def test_zones_in_another_crs_are_projected_to_the_raster(tmp_path: Path) -> None:
    path = left_half(tmp_path, (40, 40))
    utm = zones_of(px_box(5.5, 3.2, 31.7, 36.1), px_poly([(1, 1), (38, 4), (12, 39)]))
    out_utm = raster_coverage(utm, path, ndvi_threshold=0.5)
    out_geo = raster_coverage(utm.to_crs(4326), path, ndvi_threshold=0.5)
    assert np.allclose(out_utm["coverage"], out_geo["coverage"], atol=1e-6)
    assert np.allclose(out_utm["area_km2"], out_geo["area_km2"], rtol=1e-6)


# --- exactness against brute force and against exactextract -----------------------


def random_polygon(rng: np.random.Generator, w: int, h: int) -> Polygon:
    """A random star-shaped polygon (sometimes with a hole), possibly sticking out of the grid."""
    cx, cy = rng.uniform(-2, w + 2), rng.uniform(-2, h + 2)
    radius = rng.uniform(0.2, max(w, h) / 2)
    n = int(rng.integers(3, 40))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = radius * rng.uniform(0.3, 1.0, n)
    poly = px_poly(list(zip(cx + r * np.cos(angles), cy + r * np.sin(angles), strict=True)))
    poly = shapely.make_valid(poly)
    if not isinstance(poly, Polygon) or poly.is_empty:
        poly = px_box(cx, cy, cx + radius, cy + radius)
    if rng.random() < 0.3:
        hole = shapely.buffer(shapely.Point(X0 + cx * PX, Y0 - cy * PX), radius * PX * 0.2)
        cut = poly.difference(hole)
        if isinstance(cut, Polygon) and not cut.is_empty:
            poly = cut
    return poly


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), window=st.tuples(st.integers(1, 9), st.integers(1, 9)))
def test_exact_against_brute_force_any_window(
    tmp_path: Path, seed: int, window: tuple[int, int]
) -> None:
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(3, 17)), int(rng.integers(3, 17))
    arr = rng.uniform(-1, 1, (h, w)).astype("float32")
    arr[rng.random((h, w)) < 0.15] = -9999.0
    path = write_raster(tmp_path / f"r{seed}.tif", arr, nodata=-9999.0)
    geoms = [random_polygon(rng, w, h) for _ in range(4)] + [px_box(0.5, 0.5, w - 0.5, h - 0.5)]
    zones = zones_of(*geoms)
    whole = raster_coverage(zones, path, ndvi_threshold=0.2)
    windowed = raster_coverage(zones, path, ndvi_threshold=0.2, _window_shape=window)
    valid = arr != -9999.0
    for i, geom in enumerate(geoms):
        area, data, green = brute_force(geom, (arr >= 0.2).astype(float), valid)
        assert whole.loc[i, "unknown"] == pytest.approx(1 - data / area, abs=1e-9)
        if data > 1e-9 * area:
            assert whole.loc[i, "coverage"] == pytest.approx(green / data, abs=1e-9)
        else:
            assert np.isnan(whole.loc[i, "coverage"])
    pd_cols = ["coverage", "unknown", "data_km2", "green_km2"]
    assert np.allclose(whole[pd_cols], windowed[pd_cols], atol=1e-9, equal_nan=True)


def test_windows_match_one_window_and_report_progress(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    arr = rng.integers(1, 17, (60, 50)).astype("uint8")
    path = write_raster(tmp_path / "lc.tif", arr)
    zones = zones_of(*(random_polygon(rng, 50, 60) for _ in range(12)))
    calls: list[int] = []
    small = raster_coverage(
        zones, path, classes=[1, 2, 3, 10], _window_shape=(7, 11), progress=calls.append
    )
    assert sum(calls) == window_count(zones, path, _window_shape=(7, 11)) > 1
    one = raster_coverage(zones, path, classes=[1, 2, 3, 10])
    assert np.allclose(small, one, atol=1e-9, equal_nan=True)
    comp_small = class_composition(zones, path, _window_shape=(7, 11))
    comp_one = class_composition(zones, path)
    assert np.allclose(comp_small, comp_one, atol=1e-12)
    assert np.allclose(comp_one.sum(axis=1), one["data_km2"], rtol=1e-9)


def test_an_extra_zone_over_blocks_no_zone_reaches(tmp_path: Path) -> None:
    # zones in two corners read two windows of 10 x 10; the extra zone lies between them, over
    # windows they never read: it is planned into the pass, exactly as one more zone
    rng = np.random.default_rng(3)
    path = write_raster(tmp_path / "ndvi.tif", rng.uniform(-0.2, 0.9, (40, 40)).astype("float32"))
    zones = zones_of(px_box(1, 1, 6.5, 7), px_box(33, 32.5, 39, 39))
    middle = px_poly([(12, 14), (27, 11), (25, 26)])
    one_more = pd.concat([zones, zones_of(middle)], ignore_index=True)
    future: Future[shapely.Geometry | None] = Future()
    future.set_result(middle)
    got = raster_coverage(zones, path, ndvi_threshold=0.3, extra=future, _window_shape=(10, 10))
    want = raster_coverage(one_more, path, ndvi_threshold=0.3, _window_shape=(10, 10))
    # the same sums; the areas each in their own frame's equal-area CRS (to the last bits)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, atol=0)
    assert got.index[-1] == EXTRA_ZONE and got["unknown"].max() == 0
    assert window_count(zones, path, _window_shape=(10, 10)) == 2


def _done(value: object) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


# Three overlapping zones in an L (no edges along one line, so the kernel settles them): the
# union's box reaches windows of 10 x 10 that no zone's box reaches
L_ZONES = (
    px_box(1, 1.3, 30.2, 6.1),
    px_box(25.5, 0.7, 29.7, 38.4),
    px_poly([(20.1, 30.2), (33.6, 31.1), (27.3, 39.2)]),
)


def _rings(zones: gpd.GeoDataFrame) -> RingsUnion:
    """The kernel's union of ``zones`` as rings (it settles these zones)."""
    got = kernel_union(np.asarray(zones.geometry.values), check=False)
    assert got is not None and got.rings is not None
    return got.rings


def _l_raster(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    return write_raster(tmp_path / "ndvi.tif", rng.uniform(-0.2, 0.9, (40, 40)).astype("float32"))


def test_a_union_as_rings_is_measured_as_its_polygon(tmp_path: Path) -> None:
    # the kernel's rings are measured as they are, over the zones' windows only
    path, zones = _l_raster(tmp_path), zones_of(*L_ZONES)
    union = shapely.union_all(zones.geometry.values)
    assert window_count(zones, path, _window_shape=(10, 10)) < window_count(
        zones_of(union), path, _window_shape=(10, 10)
    )
    rings = _rings(zones)
    got = raster_coverage(
        zones, path, ndvi_threshold=0.3, extra=_done(rings), _window_shape=(10, 10)
    )
    want = raster_coverage(zones_of(union), path, ndvi_threshold=0.3, _window_shape=(10, 10))
    assert got.index[-1] == EXTRA_ZONE
    np.testing.assert_allclose(got.iloc[-1], want.iloc[0], rtol=1e-9, atol=1e-12)
    alone = raster_coverage(zones, path, ndvi_threshold=0.3, _window_shape=(10, 10))
    pd.testing.assert_frame_equal(
        got.iloc[:-1], alone, check_index_type=False
    )  # the zones' rows are their own
    assert rings.checked is not None and rings.polygon.equals(union)


def test_union_strips_where_windows_of_other_rows_reach_across_their_lines(
    tmp_path: Path,
) -> None:
    # 16 x 16 tiles, merged into one window per run of tiles: the runs start at different
    # columns in different rows, so some windows reach across another row's column lines and
    # the union's strips there need their sides on both lines
    from lzgis.zonal._mosaic import plan_parts

    rng = np.random.default_rng(6)
    arr = rng.uniform(-0.2, 0.9, (40, 40)).astype("float32")
    path = write_geotiff(tmp_path / "tiled.tif", arr, crs=UTM, transform=T, block_shape=(16, 16))
    zones = zones_of(*L_ZONES)
    geoms = np.asarray(zones.geometry.values)
    (part,) = plan_parts(
        geoms, CRS(UTM), [str(path)], None, band=1, window_shape=None, window_cells=1 << 20
    )
    lines = {w.c0 for w in part.windows} | {w.c1 for w in part.windows}
    assert any(w.c0 < b < w.c1 for w in part.windows for b in lines)
    got = raster_coverage(zones, path, ndvi_threshold=0.3, extra=_done(_rings(zones)))
    union = shapely.union_all(geoms)
    want = raster_coverage(zones_of(union), path, ndvi_threshold=0.3)
    np.testing.assert_allclose(got.iloc[-1], want.iloc[0], rtol=1e-9, atol=1e-12)


def test_rings_that_fail_their_check_give_way_to_geos(tmp_path: Path) -> None:
    # a kernel fault, made up: rings that are not the union (a small triangle, smaller than
    # the largest zone). The pass measures them; their check beside it fails, and GEOS's
    # union is measured alone instead
    path, zones = _l_raster(tmp_path), zones_of(*L_ZONES)
    geoms = np.asarray(zones.geometry.values)
    union = shapely.union_all(geoms)
    triangle = shapely.get_coordinates(px_poly([(2, 2), (9, 3), (4, 5), (2, 2)]))
    bad = RingsUnion(triangle, np.array([0, 4]), shapely.area(geoms), geos=lambda: union)
    assert bad.checked is None
    got = raster_coverage(zones, path, ndvi_threshold=0.3, extra=_done(bad), _window_shape=(10, 10))
    want = raster_coverage(zones_of(union), path, ndvi_threshold=0.3, _window_shape=(10, 10))
    np.testing.assert_allclose(got.iloc[-1], want.iloc[0], rtol=1e-9, atol=1e-12)


def test_rings_from_another_crs_are_measured_as_their_polygon(tmp_path: Path) -> None:
    # zones in lon/lat over a UTM raster: the union's rings are not in the raster's CRS, so
    # their polygon (checked) is projected and measured as any zone
    path, zones = _l_raster(tmp_path), zones_of(*L_ZONES).to_crs(4326)
    rings = _rings(zones)
    got = raster_coverage(zones, path, ndvi_threshold=0.3, extra=_done(rings))
    union = zones_of(shapely.union_all(zones.geometry.values), crs="EPSG:4326")
    want = raster_coverage(union, path, ndvi_threshold=0.3)
    np.testing.assert_allclose(got.iloc[-1], want.iloc[0], rtol=1e-9, atol=1e-12)


def test_against_exactextract_and_rasterstats(tmp_path: Path) -> None:
    from exactextract import exact_extract
    from rasterstats import zonal_stats

    rng = np.random.default_rng(2012)
    h, w = 120, 150
    arr = rng.uniform(-1, 1, (h, w)).astype("float32")
    arr[rng.random((h, w)) < 0.1] = -9999.0
    path = write_raster(tmp_path / "ndvi.tif", arr, nodata=-9999.0)
    green = np.where(arr == -9999.0, -9999.0, (arr >= 0.3)).astype("float32")
    green_path = write_raster(tmp_path / "green.tif", green, nodata=-9999.0)
    centres = shapely.points(X0 + rng.uniform(0, w * PX, 80), Y0 - rng.uniform(0, h * PX, 80))
    zones = zones_of(*shapely.buffer(centres, rng.uniform(8, 400, 80)))
    ours = raster_coverage(zones, path, ndvi_threshold=0.3)

    theirs = exact_extract(str(green_path), zones, ["mean", "count"], output="pandas")
    assert np.nanmax(np.abs(theirs["mean"].to_numpy() - ours["coverage"].to_numpy())) <= 0.002
    their_unknown = 1 - theirs["count"].to_numpy() * PX * PX / zones.area.to_numpy()
    assert np.max(np.abs(their_unknown - ours["unknown"].to_numpy())) <= 0.002

    # rasterstats counts whole pixels whose centre is inside: only close for big zones
    stats = zonal_stats(zones, str(green_path), stats=["mean"], nodata=-9999.0)
    rs = np.array([s["mean"] if s["mean"] is not None else np.nan for s in stats])
    big = (zones.area > 150**2 * np.pi).to_numpy()
    assert big.sum() > 10
    assert np.nanmax(np.abs(rs[big] - ours["coverage"].to_numpy()[big])) < 0.05


# --- bad input -----------------------------------------------------------------------


def test_unreadable_and_missing_raster_name_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "notes.tif"
    junk.write_text("not a raster", encoding="utf-8")
    with pytest.raises(RasterError, match=r"notes\.tif.*unreadable raster"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), junk, ndvi_threshold=0.3)
    with pytest.raises(RasterError, match=r"nope\.tif.*no such raster"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), tmp_path / "nope.tif", ndvi_threshold=0.3)


def test_zones_without_crs(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    zones = gpd.GeoDataFrame(geometry=[px_box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="`zones` has no CRS"):
        raster_coverage(zones, path, ndvi_threshold=0.3)


def test_raster_without_crs(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "nocrs.tif", np.ones((2, 2), "float32"), crs=None)
    with pytest.raises(CRSError, match=r"nocrs\.tif` has no CRS"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), path, ndvi_threshold=0.3)


def test_no_overlap_names_both_extents(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    with pytest.raises(RasterError) as info:
        raster_coverage(zones_of(px_box(100, 100, 101, 101)), path, ndvi_threshold=0.3)
    msg = str(info.value)
    assert "do not overlap" in msg and "fix:" in msg and "left.tif" in msg
    assert "(500000, 3.99996e+06, 500040, 4e+06)" in msg  # the raster's extent
    assert "(501000, 3.99899e+06, 501010, 3.999e+06)" in msg  # the zones' extent


@pytest.mark.parametrize("threshold", [-1.5, 1.01, 255])
def test_threshold_outside_minus_one_to_one(tmp_path: Path, threshold: float) -> None:
    with pytest.raises(ValidationError, match="`ndvi_threshold` is"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), left_half(tmp_path), ndvi_threshold=threshold)


def test_exactly_one_rule(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    with pytest.raises(ValidationError, match="got both"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), path, classes=[1], ndvi_threshold=0.3)
    with pytest.raises(ValidationError, match="got neither"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), path)


def test_classes_absent_from_the_raster(tmp_path: Path) -> None:
    arr = np.array([[12, 13], [16, 16]], dtype="uint8")
    path = write_raster(tmp_path / "igbp.tif", arr)
    with pytest.raises(RasterError, match=r"none of the classes 10, 20, 30 occurs"):
        raster_coverage(zones_of(px_box(0, 0, 2, 2)), path, classes=[10, 20, 30])


def test_red_and_nir_on_different_grids(tmp_path: Path) -> None:
    red = write_raster(tmp_path / "red.tif", np.ones((4, 4), "uint16"))
    nir = write_raster(tmp_path / "nir.tif", np.ones((4, 5), "uint16"))
    with pytest.raises(RasterError, match=r"red\.tif.*nir\.tif.*not on the same grid"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), red, nir=nir, ndvi_threshold=0.3)


def test_bad_zone_geometry_and_band(tmp_path: Path) -> None:
    path = left_half(tmp_path)
    bowtie = px_poly([(0, 0), (2, 2), (2, 0), (0, 2)])
    with pytest.raises(ValidationError, match="feature z0 invalid geometry"):
        raster_coverage(zones_of(bowtie), path, ndvi_threshold=0.3)
    with pytest.raises(RasterError, match="band 2 does not exist"):
        raster_coverage(zones_of(px_box(0, 0, 1, 1)), path, ndvi_threshold=0.3, band=2)


def test_continuous_raster_is_not_a_land_cover_raster(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    path = write_raster(tmp_path / "ndvi.tif", rng.uniform(-1, 1, (40, 40)).astype("float32"))
    with pytest.raises(RasterError, match=r"ndvi\.tif` has 1600 distinct values"):
        class_composition(zones_of(px_box(0, 0, 40, 40)), path)


def test_gdal_cache_setting_is_restored(tmp_path: Path) -> None:
    from rasterio.env import get_gdal_config

    path = left_half(tmp_path)
    with rasterio.Env(GDAL_CACHEMAX=123_000_000):
        before = get_gdal_config("GDAL_CACHEMAX")
        raster_coverage(zones_of(px_box(0, 0, 2, 2)), path, ndvi_threshold=0.3)
        assert get_gdal_config("GDAL_CACHEMAX") == before


def test_zone_areas_by_row_are_exact_in_any_chunking() -> None:
    from lzgis.zonal._geom import pixel_edges, zone_row_areas

    rng = np.random.default_rng(11)
    geoms = np.array([random_polygon(rng, 30, 20) for _ in range(6)], dtype=object)
    edges = pixel_edges(geoms, T)

    def unit(rows: np.ndarray) -> np.ndarray:
        return np.ones(rows.shape)

    # with unit cell areas the per-row sums add up to each polygon's area in pixels
    whole = zone_row_areas(edges, unit)
    assert whole == pytest.approx(shapely.area(geoms) / PX**2, rel=1e-9)
    assert zone_row_areas(edges, unit, chunk=3) == pytest.approx(whole, rel=1e-12)


def _layouts(tmp_path: Path, arr: np.ndarray, nodata: float | None = None) -> list[Path]:
    """The same classes as a striped and as a 16 x 16 tiled GeoTIFF."""
    paths = []
    for name, block_shape in (("striped", None), ("tiled", (16, 16))):
        path = tmp_path / f"{name}.tif"
        write_geotiff(path, arr, crs=UTM, transform=T, nodata=nodata, block_shape=block_shape)
        paths.append(path)
    with rasterio.open(paths[0]) as s, rasterio.open(paths[1]) as t:
        assert s.block_shapes[0][1] == arr.shape[1] and t.block_shapes[0] == (16, 16)
    return paths


def test_classes_present_is_decided_under_the_zones_striped_and_tiled_agree(
    tmp_path: Path,
) -> None:
    arr = np.full((64, 64), 12, dtype="uint8")
    arr[:4, 60:] = 10  # class 10 in the first strip, but only far right of the zone
    zone = zones_of(px_box(0, 0, 8, 4))
    for path in _layouts(tmp_path, arr):
        with pytest.raises(RasterError, match=r"none of the classes 10 occurs"):
            raster_coverage(zone, path, classes=[10])
    arr[0, 0] = 10  # one cell of the class under the zone: 1 of 32 cells
    tables = [raster_coverage(zone, p, classes=[10]) for p in _layouts(tmp_path, arr)]
    assert tables[0]["coverage"].iloc[0] == pytest.approx(1 / 32, abs=1e-12)
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_a_zone_whose_cells_are_all_nodata_gets_empty_coverage_with_classes(
    tmp_path: Path,
) -> None:
    arr = np.full((64, 64), 12, dtype="uint8")
    arr[:, 32:] = 10
    arr[:8, :8] = 255  # nodata under the zone only
    zones = zones_of(px_box(0, 0, 8, 8))
    for path in _layouts(tmp_path, arr, nodata=255):
        out = raster_coverage(zones, path, classes=[10])
        assert out.loc[0, "unknown"] == 1.0 and out.loc[0, "data_km2"] == 0.0
        assert np.isnan(out.loc[0, "coverage"]) and out.loc[0, "green_km2"] == 0.0
