"""``lzgis.zonal._geom``: exact row pieces, also for absurd (subnormal) coordinates."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from geotiffs import write_geotiff
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon

from lzgis.zonal import raster_coverage
from lzgis.zonal._geom import pixel_edges, zone_row_areas

ORIGIN_AT_ZERO = Affine(0.1, 0.0, 0.0, 0.0, -0.1, 0.0)  # 10 x 10 pixels of 0.1, top-left (0, 0)


def _ones(path: Path) -> Path:
    ones = np.ones((10, 10), dtype="uint8")
    return write_geotiff(path, ones, crs="EPSG:3857", transform=ORIGIN_AT_ZERO)


def test_a_vertex_at_a_subnormal_coordinate_is_measured_exactly(tmp_path: Path) -> None:
    # (0.5, -5e-324) is 5e-323 of a row below the top line: the edges to it are
    # "horizontal" but for a subnormal dy, whose slope dx/dy overflowed to inf (NaN pieces)
    zone = Polygon([(0, 0), (0.5, -5e-324), (1, 0), (1, -1), (0, -1)])
    zones = gpd.GeoDataFrame({"id": ["z"]}, geometry=[zone], crs="EPSG:3857")
    out = raster_coverage(zones, _ones(tmp_path / "ones.tif"), classes=[1])
    assert out.loc[0, "coverage"] == 1.0
    assert out.loc[0, "green_km2"] == out.loc[0, "data_km2"] == out.loc[0, "area_km2"] > 0
    assert out.loc[0, "unknown"] == 0.0


tiny = st.sampled_from([0.0, 5e-324, 1e-323, 2.5e-310, 1e-300]) | st.floats(5e-324, 1e-300)


@settings(max_examples=60, deadline=None)
@given(
    ys=st.lists(tiny, min_size=3, max_size=3),
    xs=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3, unique=True),
)
def test_row_areas_equal_shapely_areas_with_tiny_coordinates(
    ys: list[float], xs: list[float]
) -> None:
    # a polygon in pixel units (identity transform) whose top vertices sit at
    # tiny y values, its bottom at y = 2: the row areas sum to its area
    top = [(x, y) for x, y in zip(sorted(xs), ys, strict=True)]
    poly = Polygon([*top, (1.5, 2.0), (-0.5, 2.0)])
    if not poly.is_valid:
        return
    edges = pixel_edges(np.array([poly], dtype=object), Affine.identity())
    area = zone_row_areas(edges, lambda rows: np.ones(len(rows)))
    assert np.isfinite(area).all()
    assert area[0] == pytest.approx(shapely.area(poly), rel=1e-12)
