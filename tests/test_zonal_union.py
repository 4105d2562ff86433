"""``lzgis.zonal._union``: the kernel's union is GEOS's union, or it steps aside.

The kernel is compiled from the package's ``_kernel.c`` into ``tmp_path`` (as
``pip install`` does), so these tests check the current source.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon, box
from shapely.affinity import rotate

from lzgis.greening.zones import zones_union
from lzgis.zonal import _kernel, _kernel_build, _union
from lzgis.zonal._union import KernelUnion, RingsUnion, kernel_union

pytestmark = pytest.mark.skipif(
    _kernel_build.compiler() is None, reason="no C compiler: lzgis uses GEOS for unions"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> _kernel.Kernel:
    path = _kernel_build.build(tmp_path_factory.mktemp("kernel"))
    assert path is not None
    loaded = _kernel.open_library(path)
    assert loaded is not None
    return loaded


@pytest.fixture(autouse=True)
def kernel(built: _kernel.Kernel, monkeypatch: pytest.MonkeyPatch) -> Iterator[_kernel.Kernel]:
    monkeypatch.setattr(_union._kernel, "load", lambda: built)
    yield built


def _like_geos(got: KernelUnion, geoms: list[shapely.Geometry]) -> shapely.Geometry:
    """The kernel's union ``got``, checked against GEOS's: valid, same area to 1e-12, none between."""
    whole = shapely.union_all(geoms)
    assert got.geometry is not None and shapely.is_valid(got.geometry)
    assert got.geometry.area == pytest.approx(whole.area, rel=1e-12)
    assert got.geometry.symmetric_difference(whole).area <= 1e-9 * whole.area
    return got.geometry


def _same_as_geos(geoms: list[shapely.Geometry]) -> shapely.Geometry:
    """The kernel's union of overlapping ``geoms``, checked against GEOS's (:func:`_like_geos`)."""
    got = kernel_union(np.array(geoms, dtype=object))
    assert got is not None and got.overlaps
    return _like_geos(got, geoms)


def _settled_like_geos(geoms: list[shapely.Geometry]) -> None:
    """What the kernel settles agrees with GEOS: their union, or with no overlap the areas' sum.

    Zones the kernel cannot settle (None) go to GEOS, so nothing is checked for them.
    """
    got = kernel_union(np.array(geoms, dtype=object))
    if got is None:
        return
    if not got.overlaps:
        whole = shapely.union_all(geoms)
        assert whole.area == pytest.approx(sum(g.area for g in geoms), rel=1e-12)
        return
    _like_geos(got, geoms)


def test_two_squares_by_hand() -> None:
    # unit squares, the second moved by (0.5, 0.5): 1 + 1 - 0.25; the edges cross at
    # (1, 0.5) and (0.5, 1), which become vertices of the union
    u = _same_as_geos([box(0, 0, 1, 1), box(0.5, 0.5, 1.5, 1.5)])
    assert u.area == 1.75
    assert u.geom_type == "Polygon" and len(u.exterior.coords) == 9
    assert {(1.0, 0.5), (0.5, 1.0)} <= set(u.exterior.coords)
    assert u.exterior.is_ccw


def test_a_zone_inside_another_adds_nothing() -> None:
    u = _same_as_geos([box(0.25, 0.25, 0.75, 0.75), box(0, 0, 1, 1)])
    assert u.area == 1.0 and len(u.exterior.coords) == 5


def test_holes_and_an_island_in_a_hole() -> None:
    ring = box(0, 0, 10, 10).difference(box(2, 2, 8, 8))  # a square ring around a 6 x 6 hole
    island = box(3.5, 3.5, 6.5, 6.5).difference(box(4.5, 4.5, 5.5, 5.5))  # in the hole, holed
    bridge = box(7.5, 4.25, 8.5, 5.75)  # over the hole's east edge: the hole shrinks
    u = _same_as_geos([ring, island, bridge])
    assert u.area == pytest.approx(64 + 8 + 0.75)  # ring + island + the bridge's part in the hole
    assert u.geom_type == "MultiPolygon" and sorted(len(p.interiors) for p in u.geoms) == [1, 1]


def test_a_multipolygon_zone_and_either_orientation() -> None:
    two = shapely.MultiPolygon([box(0, 0, 1, 1), box(3, 0, 4, 1)])
    clockwise = Polygon([(0.5, 0.2), (0.5, 0.8), (3.5, 0.8), (3.5, 0.2)])
    assert not clockwise.exterior.is_ccw
    assert _same_as_geos([two, clockwise]).area == pytest.approx(2 + 3 * 0.6 - 2 * 0.5 * 0.6)


def test_zones_apart_do_not_overlap() -> None:
    got = kernel_union(np.array([box(0, 0, 1, 1), box(2, 0, 3, 1), box(0, 2, 1, 3)]))
    assert got is not None and not got.overlaps and got.geometry is None
    assert zones_union(np.array([box(0, 0, 1, 1), box(2, 0, 3, 1)], dtype=object)) is None


@pytest.mark.parametrize(
    "geoms",
    [
        [box(0, 0, 1, 1), box(1, 0, 2, 1)],  # tiles sharing an edge
        [box(0, 0, 2, 1), box(1, 0, 3, 1)],  # overlapping along a common line
        [box(0, 0, 1, 1), Polygon([(1, 1), (2, 0.5), (2, 2)])],  # touching at a vertex
        [box(0, 0, 2, 2), Polygon([(1, 2), (1.5, 3), (0.5, 3)])],  # a vertex on an edge
        [box(0, 0, 1, 1), box(0, 0, 1, 1)],  # the same zone twice
    ],
)
def test_what_it_cannot_settle_goes_to_geos(geoms: list[shapely.Geometry]) -> None:
    array = np.array(geoms, dtype=object)
    assert kernel_union(array) is None
    whole = shapely.union_all(geoms)
    union = zones_union(array)
    if union is None:  # tiles: the total is their sum
        assert sum(g.area for g in geoms) == whole.area
    else:
        assert union.symmetric_difference(whole).area == 0.0


def test_a_dense_cluster_far_from_the_rest_goes_to_geos() -> None:
    # 400 circles within 1 unit and one square 10^6 units away: the grid's cells are sized for
    # the whole extent, so nearly every edge would share one cell; the kernel declines
    rng = np.random.default_rng(3)
    centres = shapely.points(rng.uniform(0, 1, 400), rng.uniform(0, 1, 400))
    geoms = [*shapely.buffer(centres, 0.2, quad_segs=16), box(1e6, 1e6, 1e6 + 1, 1e6 + 1)]
    array = np.array(geoms, dtype=object)
    assert kernel_union(array) is None
    union = zones_union(array)
    assert union is not None
    assert union.area == pytest.approx(shapely.union_all(geoms).area, rel=1e-12)


def test_no_kernel_no_union(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_union._kernel, "load", lambda: None)
    geoms = np.array([box(0, 0, 1, 1), box(0.5, 0.5, 1.5, 1.5)], dtype=object)
    assert kernel_union(geoms) is None
    assert zones_union(geoms).area == 1.75  # type: ignore[union-attr]


def test_lon_lat_circles_with_holes_like_geos() -> None:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(103.5, 104.2, 300), rng.uniform(35.9, 36.4, 300)
    discs = shapely.buffer(shapely.points(lon, lat), rng.uniform(0.005, 0.05, 300), quad_segs=8)
    holed = [d.difference(d.centroid.buffer(0.3 * (d.area / np.pi) ** 0.5)) for d in discs[:100]]
    _same_as_geos([*holed, *discs[100:]])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 10),  # centre x
            st.floats(0, 10),  # centre y
            st.floats(0.1, 4),  # radius
            st.integers(1, 8),  # quad_segs: squares (1) to near circles
            st.floats(0, 90),  # rotation
            st.booleans(),  # with a hole
        ),
        min_size=2,
        max_size=30,
    )
)
def test_random_zones_are_geos_union(
    zones: list[tuple[float, float, float, int, float, bool]],
) -> None:
    geoms = []
    for x, y, r, segs, angle, hole in zones:
        g = rotate(shapely.Point(x, y).buffer(r, quad_segs=segs), angle)
        if hole:
            g = g.difference(shapely.Point(x, y).buffer(r / 3, quad_segs=segs))
        geoms.append(g)
    _settled_like_geos(geoms)


def test_edges_inside_other_zones_are_left_out() -> None:
    # the left half of a fine circle (1,024 edges) lies in a square, well inside it but where the
    # square's right side crosses it; a smaller fine circle lies wholly inside the square
    big = shapely.Point(0, 0).buffer(10, quad_segs=256)
    small = shapely.Point(-15, 0).buffer(3, quad_segs=256)
    square = box(-30, -30, 0.3, 30)  # (its side through x = 0 would touch two vertices)
    got = kernel_union(np.array([big, small, square], dtype=object))
    assert got is not None and got.geometry is not None
    assert 1024 < got.inside_edges < 2048 - 200  # all of the small circle, most of a half
    u = _same_as_geos([big, small, square])
    assert u.area == pytest.approx(60 * 30.3 + np.pi * 100 / 2 - 2 * 0.3 * 10, rel=1e-3)
    # a zone none of whose edges is left out: nothing is skipped
    assert kernel_union(np.array([box(0, 0, 2, 2), box(1, 1, 3, 3)])).inside_edges == 0  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 10),  # centre x
            st.floats(0, 10),  # centre y
            st.floats(0.05, 6),  # radius: small ones often lie inside large ones
            st.integers(8, 64),  # quad_segs: fine edges, so cells lie wholly inside zones
            st.booleans(),  # with a hole
        ),
        min_size=2,
        max_size=25,
    )
)
def test_fine_nested_zones_are_geos_union(
    zones: list[tuple[float, float, float, int, bool]],
) -> None:
    geoms = []
    for x, y, r, segs, hole in zones:
        g = shapely.Point(x, y).buffer(r, quad_segs=segs)
        if hole:
            g = g.difference(shapely.Point(x + r / 4, y).buffer(r / 2, quad_segs=segs))
        geoms.append(g)
    _settled_like_geos(geoms)


def test_the_union_does_not_depend_on_the_threads() -> None:
    rng = np.random.default_rng(11)
    centres = shapely.points(rng.uniform(0, 100, 600), rng.uniform(0, 100, 600))
    geoms = np.array(shapely.buffer(centres, rng.uniform(0.5, 8, 600), quad_segs=16), dtype=object)
    got = {n: kernel_union(geoms, threads=n) for n in (1, 2, 3, 5)}
    assert all(g is not None and g.geometry is not None for g in got.values())
    assert got[1].inside_edges > 0  # type: ignore[union-attr]
    one = shapely.to_wkb(got[1].geometry)  # type: ignore[union-attr]
    assert all(shapely.to_wkb(g.geometry) == one for g in got.values())  # type: ignore[union-attr]
    assert got[1].geometry.area == pytest.approx(shapely.union_all(geoms).area, rel=1e-12)  # type: ignore[union-attr]


def test_zones_union_takes_the_kernel_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    from lzgis.greening import zones as zones_module

    # a bureau total over a raster makes the union on fewer threads (beside the planning): the
    # kernel gets them, and the rings come out the same
    rng = np.random.default_rng(12)
    centres = shapely.points(rng.uniform(0, 100, 400), rng.uniform(0, 100, 400))
    geoms = np.array(shapely.buffer(centres, rng.uniform(2, 9, 400), quad_segs=16), dtype=object)
    asked: list[int | None] = []
    real = zones_module.kernel_union

    def recording(*args: Any, threads: int | None = None, **kwargs: Any) -> Any:
        asked.append(threads)
        return real(*args, threads=threads, **kwargs)

    monkeypatch.setattr(zones_module, "kernel_union", recording)
    got = [zones_union(geoms, rings=True, threads=n) for n in (1, 2, 3)]
    assert asked == [1, 2, 3]
    assert all(isinstance(g, RingsUnion) for g in got)
    for g in got[1:]:
        np.testing.assert_array_equal(g.xy, got[0].xy)  # type: ignore[union-attr]
        np.testing.assert_array_equal(g.start, got[0].start)  # type: ignore[union-attr]
    assert got[0].polygon.area == pytest.approx(shapely.union_all(geoms).area, rel=1e-12)  # type: ignore[union-attr]


def test_an_empty_hole_goes_to_geos() -> None:
    # GEOS calls a polygon with an EMPTY interior ring valid (GeoJSON can hold one); the kernel
    # numbers edges on closed rings of four vertices or more, so it leaves such zones to GEOS
    # (before, it wrote past its arrays and crashed the process)
    holed = shapely.from_wkt("POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), EMPTY)")
    assert shapely.is_valid(holed)
    for geoms in ([box(1, 1, 6, 6), holed], [holed, box(1, 1, 6, 6)]):
        zones = np.array(geoms, dtype=object)
        assert kernel_union(zones) is None
        union = zones_union(zones)
        assert union is not None
        assert union.area == pytest.approx(25 + 16 - 9, rel=1e-12)


def test_long_edges_across_many_zones() -> None:
    # a band's two long edges cross hundreds of circles' edges each
    rng = np.random.default_rng(5)
    centres = shapely.points(rng.uniform(0, 100, 800), rng.uniform(0, 100, 800))
    circles = shapely.buffer(centres, rng.uniform(0.2, 2, 800), quad_segs=8)
    _same_as_geos([*circles, box(-1, 40.3, 101, 60.7)])


def test_zones_that_must_overlap_go_straight_to_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    from lzgis.greening import zones as zones_module

    # two discs of about 3.1 in a 2.2 x 2.1 box: they must overlap, so no search for pairs
    searched: list[int] = []
    search = zones_module._candidate_pairs
    monkeypatch.setattr(
        zones_module, "_candidate_pairs", lambda g: searched.append(len(g)) or search(g)
    )
    geoms = np.array([shapely.Point(0, 0).buffer(1), shapely.Point(0.2, 0.1).buffer(1)])
    union = zones_union(geoms)
    assert union is not None
    assert union.area == pytest.approx(shapely.union_all(geoms).area, rel=1e-12)
    assert searched == []
    # tiles: the search decides (they are disjoint)
    assert zones_union(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)], dtype=object)) is None
    assert searched == [2]
