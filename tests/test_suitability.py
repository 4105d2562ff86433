"""Grid, scoring, slope and allocation on hand-computable grids.

The fixture is a 4 x 4 km square in a Lambert azimuthal equal-area CRS near the
New Area, cut into 1 km cells: rows 0..3 from the north, cols 0..3 from the west.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from geotiffs import write_geotiff
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box

from lzgis._errors import LzgisError, RasterError, ValidationError
from lzgis.suitability import Criterion, SlopeLimit, allocate_sites, grid, is_equal_area, score
from lzgis.suitability._slope import slope_at, slope_degrees

LAEA = "+proj=laea +lat_0=36.5 +lon_0=103.65 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def frame(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"f{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=LAEA
    )


@pytest.fixture
def cells() -> gpd.GeoDataFrame:
    return grid(frame(box(0, 0, 4000, 4000)), cell_m=1000)


def at(gdf: gpd.GeoDataFrame, row: int, col: int) -> gpd.GeoSeries:
    return gdf[(gdf["row"] == row) & (gdf["col"] == col)].iloc[0]


# --- grid -------------------------------------------------------------------


def test_grid_of_a_4km_square_has_16_one_km2_cells_numbered_from_the_north_west(
    cells: gpd.GeoDataFrame,
) -> None:
    assert len(cells) == 16
    assert cells.crs.equals(gpd.GeoSeries(crs=LAEA).crs)  # equal-area input CRS kept
    np.testing.assert_allclose(cells.area, 1e6)
    assert sorted(cells["cell_id"]) == list(range(16))
    assert at(cells, 0, 0).geometry.bounds == (0, 3000, 1000, 4000)
    assert at(cells, 3, 3).geometry.bounds == (3000, 0, 4000, 1000)
    assert cells.attrs["cell_m"] == 1000


def test_grid_keeps_cells_whose_centre_is_inside() -> None:
    # right triangle with legs of 4 km: centres (i+0.5, j+0.5) km with i + j + 1 < 4
    tri = frame(Polygon([(0, 0), (4000, 0), (0, 4000)]))
    got = grid(tri, cell_m=1000)
    assert len(got) == 6
    assert sorted(zip(got["col"], 3 - got["row"], strict=True)) == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (2, 0),
    ]


def test_grid_of_lon_lat_extent_is_built_in_an_equal_area_crs() -> None:
    extent = gpd.GeoDataFrame(geometry=[box(103.6, 36.4, 103.7, 36.5)], crs=4326)
    got = grid(extent, cell_m=500)
    assert is_equal_area(got.crs)
    assert got.crs.coordinate_operation.method_name == "Lambert Azimuthal Equal Area"
    centres = got.geometry.centroid.to_crs(4326)
    assert centres.within(extent.geometry.iloc[0]).all()
    # ~8.96 km x 11.1 km = ~99.5 km2; the grid approximates it to its edge cells
    assert abs(len(got) * 0.25 - 99.5) < 3


def test_grid_refuses_a_crs_that_is_not_equal_area() -> None:
    with pytest.raises(ValidationError, match="not an equal-area projection"):
        grid(frame(box(0, 0, 4000, 4000)), cell_m=1000, crs="EPSG:32648")
    with pytest.raises(ValidationError, match="cell_m"):
        grid(frame(box(0, 0, 4000, 4000)), cell_m=0)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 12),
    st.sampled_from([50.0, 250.0, 1000.0]),
    st.integers(-20, 20),
    st.integers(-20, 20),
)
def test_grid_count_times_cell_area_is_the_area_of_an_aligned_rectangle(
    ncols: int, nrows: int, cell_m: float, i0: int, j0: int
) -> None:
    x0, y0 = i0 * cell_m, j0 * cell_m
    rect = box(x0, y0, x0 + ncols * cell_m, y0 + nrows * cell_m)
    got = grid(frame(rect), cell_m=cell_m)
    assert len(got) == ncols * nrows
    assert float(got.area.sum()) == pytest.approx(rect.area, rel=1e-12)
    assert shapely.union_all(got.geometry.values).symmetric_difference(rect).area < 1e-6


# --- score -----------------------------------------------------------------


@pytest.fixture
def scored(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    wetland = frame(box(0, 0, 1000, 1000))  # exactly cell (3, 0); its neighbours only touch it
    river = LineString([(2500, -100), (2500, 4100)])
    river_band = frame(river.buffer(200))  # inside col 2
    road = frame(LineString([(0, 4000), (4000, 4000)]))  # along the north edge
    criteria = [
        Criterion("road", road, "closer", 4000),
        Criterion("river", frame(river), "farther", 2000),
    ]
    return score(
        cells,
        constraints={"wetlands": wetland, "river_buffer": river_band},
        criteria=criteria,
        weights={"road": 3, "river": 1},  # scaled to 0.75 / 0.25
    )


def test_score_masks_cells_meeting_constraints_but_not_those_only_touching(
    scored: gpd.GeoDataFrame,
) -> None:
    masked = scored[scored["score"].isna()]
    assert len(masked) == 5
    assert at(scored, 3, 0)["masked_by"] == "wetlands"
    assert set(scored.loc[scored["col"] == 2, "masked_by"]) == {"river_buffer"}
    assert at(scored, 2, 0)["masked_by"] == "" and at(scored, 3, 1)["masked_by"] == ""


def test_score_is_the_weighted_sum_of_normalised_distances(scored: gpd.GeoDataFrame) -> None:
    # road: d = 500, 1500, 2500, 3500 m by row -> 1 - d/4000 = .875 .625 .375 .125
    # river (x = 2500): d = 2000, 1000, -, 1000 m by col -> min(d, 2000)/2000 = 1 .5 - .5
    assert at(scored, 0, 0)["dist_road_m"] == pytest.approx(500)
    assert at(scored, 0, 0)["s_road"] == pytest.approx(0.875)
    assert at(scored, 1, 3)["s_river"] == pytest.approx(0.5)
    assert at(scored, 0, 0)["score"] == pytest.approx(0.75 * 0.875 + 0.25 * 1.0)
    assert at(scored, 2, 1)["score"] == pytest.approx(0.75 * 0.375 + 0.25 * 0.5)
    assert at(scored, 3, 3)["score"] == pytest.approx(0.75 * 0.125 + 0.25 * 0.5)
    assert scored["score"].dropna().between(0, 1).all()
    assert scored.attrs["weights"] == pytest.approx({"road": 0.75, "river": 0.25})


def test_score_refuses_weights_that_do_not_match_the_criteria(cells: gpd.GeoDataFrame) -> None:
    road = frame(LineString([(0, 4000), (4000, 4000)]))
    with pytest.raises(ValidationError, match="missing road"):
        score(
            cells,
            constraints={},
            criteria=[Criterion("road", road, "closer", 100)],
            weights={"x": 1},
        )
    with pytest.raises(ValidationError, match="direction"):
        Criterion("road", road, "nearer", 100)  # type: ignore[arg-type]


def test_score_reports_each_step(cells: gpd.GeoDataFrame) -> None:
    seen: list[str] = []
    road = frame(LineString([(0, 4000), (4000, 4000)]))
    score(
        cells,
        constraints={"w": frame(box(0, 0, 10, 10))},
        criteria=[Criterion("road", road, "closer", 100)],
        weights={"road": 1},
        on_step=seen.append,
    )
    assert seen == ["w", "road"]


# --- slope -------------------------------------------------------------------


def write_dem(path: Path, z: np.ndarray, transform: Affine, crs: str) -> Path:
    return write_geotiff(path, z.astype("float64"), crs=crs, transform=transform, nodata=-9999)


def test_slope_of_a_projected_plane_is_its_angle(tmp_path: Path) -> None:
    # 60 x 60 pixels of 100 m over (-500, -500)..(5500, 5500); rises tan(10 deg) per metre east
    xs = -500 + 50 + 100 * np.arange(60)
    z = np.tile(xs * math.tan(math.radians(10)), (60, 1))
    dem = write_dem(tmp_path / "plane.tif", z, Affine(100, 0, -500, 0, -100, 5500), LAEA)
    slope, _, _ = slope_degrees(dem)
    np.testing.assert_allclose(slope, 10.0, atol=1e-9)
    cells = grid(frame(box(0, 0, 4000, 4000)), cell_m=1000)
    road = frame(LineString([(0, 4000), (4000, 4000)]))
    crit = [Criterion("road", road, "closer", 4000)]
    steep = score(
        cells, constraints={}, criteria=crit, weights={"road": 1}, slope=SlopeLimit(dem, 5)
    )
    assert steep["score"].isna().all() and set(steep["masked_by"]) == {"slope>5deg"}
    np.testing.assert_allclose(steep["slope_deg"], 10.0, atol=1e-9)
    gentle = score(
        cells, constraints={}, criteria=crit, weights={"road": 1}, slope=SlopeLimit(dem, 15)
    )
    assert gentle["score"].notna().all()


def test_slope_of_a_lon_lat_dem_uses_metres_on_the_ellipsoid(tmp_path: Path) -> None:
    # 0.001 deg pixels at 36.5N; z rises 10 m per row northwards and 5 m per column eastwards
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    lat = math.radians(36.5)
    meridian = a * (1 - e2) / (1 - e2 * math.sin(lat) ** 2) ** 1.5  # radius of curvature N-S
    normal = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)  # E-W: normal radius x cos(lat)
    dy = meridian * math.radians(0.001)  # ~110.97 m
    dx = normal * math.cos(lat) * math.radians(0.001)  # ~89.6 m
    rows, cols = np.mgrid[0:41, 0:41]
    z = 10.0 * (40 - rows) + 5.0 * cols
    transform = Affine(0.001, 0, 103.63, 0, -0.001, 36.5205)  # row 20 centred on 36.5N
    dem = write_dem(tmp_path / "geo.tif", z, transform, "EPSG:4326")
    slope, _, _ = slope_degrees(dem)
    expected = math.degrees(math.atan(math.hypot(10 / dy, 5 / dx)))
    assert slope[20, 20] == pytest.approx(expected, abs=0.005)
    pts = gpd.GeoSeries([Point(103.65, 36.5), Point(104.5, 36.5)], crs=4326).to_crs(LAEA)
    got = slope_at(dem, pts.values, LAEA)
    assert got[0] == pytest.approx(expected, abs=0.01) and np.isnan(got[1])


def test_dem_without_crs_is_refused(tmp_path: Path) -> None:
    path = write_geotiff(
        tmp_path / "nocrs.tif",
        np.zeros((3, 3), dtype="float32"),
        crs=None,
        transform=Affine(1, 0, 0, 0, -1, 3),
    )
    with pytest.raises(RasterError, match="no CRS"):
        slope_degrees(path)


# --- allocation --------------------------------------------------------------


def test_allocation_grows_from_the_best_cell_to_its_best_neighbours(
    scored: gpd.GeoDataFrame, cells: gpd.GeoDataFrame
) -> None:
    # best (0,0) .90625; then (0,1) .78125 beats (1,0) .71875; then (1,0) beats (1,1) .59375
    site_cells, site = allocate_sites(scored, within=frame(box(0, 0, 4000, 4000)), area_km2=2.5)
    assert list(zip(site_cells["row"], site_cells["col"], strict=True)) == [(0, 0), (0, 1), (1, 0)]
    assert site_cells["pick"].tolist() == [1, 2, 3]
    row = site.iloc[0]
    assert row["cells"] == 3 and row["requested_km2"] == 2.5
    assert row["area_km2"] == pytest.approx(3.0, rel=1e-6)  # rounded up to whole cells
    assert row["mean_score"] == pytest.approx((0.90625 + 0.78125 + 0.71875) / 3)
    assert site.geometry.iloc[0].equals(
        box(0, 2000, 2000, 4000).difference(box(1000, 2000, 2000, 3000))
    )


def test_allocation_skips_a_best_seed_whose_block_is_too_small(cells: gpd.GeoDataFrame) -> None:
    river = frame(LineString([(2500, -100), (2500, 4100)]).buffer(200))  # splits col 3 off
    east = frame(LineString([(4000, 0), (4000, 4000)]))  # col 3 best: .875; col 1 .375; col 0 .125
    s = score(
        cells,
        constraints={"river_buffer": river},
        criteria=[Criterion("east", east, "closer", 4000)],
        weights={"east": 1},
    )
    site_cells, _ = allocate_sites(s, within=frame(box(0, 0, 4000, 4000)), area_km2=5)
    # col 3 holds only 4 cells, so the seed is the best cell of the west block: (0, 1), id 1;
    # then the rest of col 1 (.375), then the lowest id among the .125 neighbours: (0, 0)
    assert site_cells["cell_id"].tolist() == [1, 5, 9, 13, 0]


def test_allocation_errors_say_what_is_available(scored: gpd.GeoDataFrame) -> None:
    park = frame(box(0, 0, 4000, 4000))
    # 11 unmasked cells: a west block of 7 (cols 0-1 less the wetland) and col 3 (4)
    with pytest.raises(LzgisError, match=r"largest contiguous block .* is 7\.00 km2") as info:
        allocate_sites(scored, within=park, area_km2=8)
    assert "fix:" in str(info.value)
    with pytest.raises(LzgisError, match=r"11\.00 km2 of unmasked cells"):
        allocate_sites(scored, within=park, area_km2=12)
    with pytest.raises(LzgisError, match=r"0\.00 km2 of unmasked cells"):
        allocate_sites(scored, within=frame(box(2000, 0, 3000, 4000)), area_km2=1)


def test_allocation_only_uses_cells_centred_in_the_park(scored: gpd.GeoDataFrame) -> None:
    park = frame(box(2900, 0, 4000, 4000))  # holds the centres of col 3 only
    site_cells, _ = allocate_sites(scored, within=park, area_km2=4)
    assert set(site_cells["col"]) == {3} and len(site_cells) == 4


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_allocated_cells_are_contiguous_unmasked_and_enough(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 7))
    cells = grid(frame(box(0, 0, n * 1000, n * 1000)), cell_m=1000)
    values = data.draw(st.lists(st.floats(0, 1), min_size=n * n, max_size=n * n))
    free = data.draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    s = cells.copy()
    s["score"] = np.where(free, values, np.nan)
    need = data.draw(st.integers(1, n * n))
    try:
        chosen, site = allocate_sites(
            s, within=frame(box(0, 0, n * 1000, n * 1000)), area_km2=need - 0.5
        )
    except LzgisError:
        return
    assert len(chosen) == need and chosen["score"].notna().all()
    picked = list(zip(chosen["row"], chosen["col"], strict=True))
    for k, (r, c) in enumerate(picked[1:], start=1):
        assert {(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)} & set(picked[:k])
    assert site["area_km2"].iloc[0] == pytest.approx(need, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-3000, 7000), st.floats(-3000, 7000)), min_size=1, max_size=40))
def test_distances_match_shapely_on_holes_multilines_and_points(
    xy: list[tuple[float, float]],
) -> None:
    from lzgis.suitability._grid import _distance_m

    ring = box(0, 0, 3000, 3000).difference(box(1000, 1000, 2000, 2000))  # a square with a hole
    layer = frame(
        ring,
        shapely.MultiLineString(
            [[(4000, 0), (5000, 800), (6000, 0)], [(4000, 4000), (6000, 4000)]]
        ),
        Point(-1000, 5000),
    )
    centres = shapely.points(np.array(xy))
    expected = shapely.distance(centres, shapely.union_all(layer.geometry.values))
    np.testing.assert_allclose(_distance_m(centres, layer, layer.crs), expected, atol=1e-6)
