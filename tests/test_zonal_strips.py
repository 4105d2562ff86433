"""lzgis.zonal._strips: a zone cut into closed strips between vertical lines, checked against GEOS."""

from __future__ import annotations

import numpy as np
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon, box

from lzgis.zonal._geom import pixel_edges
from lzgis.zonal._strips import strips


def _areas(edges, n: int) -> np.ndarray:
    """Each zone's area by the shoelace sum over its edges (they close each zone)."""
    cross = edges.x0 * edges.y1 - edges.x1 * edges.y0
    return np.bincount(edges.zone, weights=cross, minlength=n) / 2


def _check(shape: shapely.Geometry, lines: np.ndarray) -> None:
    edges = pixel_edges(np.array([shape], dtype=object), Affine.identity())
    cut = strips(edges, np.sort(lines))
    inside = np.sort(lines[(lines > shape.bounds[0]) & (lines < shape.bounds[2])])
    if cut is None:
        assert len(inside) == 0
        return
    bands = np.r_[-1e9, inside, 1e9]
    assert cut.n_zones == len(bands) - 1
    got = _areas(cut, cut.n_zones)
    for i in range(cut.n_zones):
        part = shapely.clip_by_rect(shape, bands[i], -1e9, bands[i + 1], 1e9)
        assert abs(got[i] - part.area) <= 1e-9 * shape.area  # each strip is the zone's part there
        mine = cut.zone == i
        if mine.any():  # and lies between its lines
            assert cut.x0[mine].min() >= bands[i] and cut.x1[mine].max() <= bands[i + 1]


def test_a_square_with_a_hole_cut_in_three() -> None:
    shape = box(0, 0, 10, 6).difference(box(2.5, 2, 7.5, 4))
    _check(shape, np.array([3.0, 7.0]))
    _check(shape, np.array([2.5, 5.0, 10.0]))  # a line along the hole's side, one along the edge
    _check(shape, np.array([20.0]))  # no line crosses it: nothing to cut


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 20), st.floats(0, 20), st.floats(1, 8), st.floats(0, 3.1)),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.integers(0, 30), min_size=1, max_size=6),
)
def test_strips_are_the_zones_parts_between_lines(
    shapes: list[tuple[float, float, float, float]], lines: list[int]
) -> None:
    # unions of rotated rectangles (holes, several parts, edges crossing lines anywhere), cut at
    # whole pixel columns as windows are
    union = shapely.union_all(
        [
            shapely.affinity.rotate(box(x, y, x + w, y + w / 2), a, use_radians=True)
            for x, y, w, a in shapes
        ]
    )
    polys = [g for g in shapely.get_parts(union) if isinstance(g, Polygon)]
    shape = shapely.multipolygons(polys) if len(polys) > 1 else polys[0]
    _check(shape, np.array(sorted(set(lines)), dtype=float))
