"""``lzgis._geometry``: polygon rings as arrays, and their signed areas."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from lzgis._geometry import polygon_rings, ring_areas2


def _by_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The same rings the long way: get_parts, get_rings, get_coordinates."""
    parts, geom_of_part = shapely.get_parts(geoms, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    exterior = np.r_[True, part_of_ring[1:] != part_of_ring[:-1]][: len(rings)]
    return coords, ring_of_coord, exterior, geom_of_part[part_of_ring]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["box", "holed", "multi", "reversed", "empty", "missing", "empty multi"]
            ),
            st.floats(-1e6, 1e6),
            st.floats(-1e6, 1e6),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_rings_are_those_of_parts_rings_and_coordinates(
    shapes: list[tuple[str, float, float]],
) -> None:
    made: list[shapely.Geometry | None] = []
    for kind, x, y in shapes:
        square = box(x, y, x + 4, y + 4)
        made.append(
            {
                "box": square,
                "holed": square.difference(box(x + 1, y + 1, x + 2, y + 2)),
                "multi": shapely.MultiPolygon([square, box(x + 5, y, x + 6, y + 1)]),
                "reversed": shapely.reverse(square),
                "empty": shapely.Polygon(),
                "missing": None,
                "empty multi": shapely.MultiPolygon(),
            }[kind]
        )
    geoms = np.array(made, dtype=object)
    got = polygon_rings(geoms)
    assert got is not None
    coords, ring_of_coord, exterior, geom = _by_parts(geoms)
    assert np.array_equal(got.coords, coords)
    assert np.array_equal(got.ring_of_coord, ring_of_coord)
    assert np.array_equal(got.exterior, exterior)
    assert np.array_equal(got.geom, geom)
    assert got.start[-1] == len(coords)


def test_other_geometry_types_have_no_rings() -> None:
    assert polygon_rings(np.array([box(0, 0, 1, 1), shapely.Point(0, 0)], dtype=object)) is None
    nothing = polygon_rings(np.array([None], dtype=object))
    assert nothing is not None and len(nothing.exterior) == 0 and nothing.start.tolist() == [0]


def test_signed_areas_by_hand_and_like_shapely() -> None:
    holed = box(0, 0, 10, 10).difference(box(2, 2, 4, 4))
    geoms = np.array([holed, shapely.reverse(holed), box(1e6, 1e6, 1e6 + 3, 1e6 + 2)])
    rings = polygon_rings(geoms)
    assert rings is not None
    twice = ring_areas2(rings.coords, rings.ring_of_coord, len(rings.exterior))
    want = [
        shapely.area(shapely.polygons(r)) * (1 if r.is_ccw else -1) * 2
        for r in shapely.get_rings(shapely.get_parts(geoms))
    ]
    assert twice.tolist() == pytest.approx(want, rel=1e-12)
    assert abs(twice[-1]) == 12.0  # 3 x 2 far from the origin, exactly
