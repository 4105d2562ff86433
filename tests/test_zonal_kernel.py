"""``lzgis.zonal._kernel``: the compiled loops give the numpy code's bits.

The kernel is compiled here from the package's ``_kernel.c`` into ``tmp_path``
(the machine's C compiler, as ``pip install`` does), so these tests check the
current source whatever was installed.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
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
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon, box

from lzgis import LzgisError
from lzgis.zonal import _kernel, _kernel_build, raster_coverage
from lzgis.zonal._geom import (
    Edges,
    Prefix,
    _edges,
    integrate,
    integrate_edges,
    pixel_edges,
    prefix1,
    prefix1_pair,
    row_pieces,
)
from lzgis.zonal._raster import Win
from lzgis.zonal._rules import Rule

pytestmark = pytest.mark.skipif(
    _kernel_build.compiler() is None, reason="no C compiler: lzgis runs its numpy code only"
)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> _kernel.Kernel:
    built = _kernel_build.build(tmp_path_factory.mktemp("kernel"))
    assert built is not None and built.name == _kernel_build.library_name()
    loaded = _kernel.open_library(built)
    assert loaded is not None
    return loaded


class _Recording(_kernel.Kernel):
    """The real kernel, noting which of its functions lzgis called (so a test sees it ran)."""

    def __init__(self, kernel: _kernel.Kernel) -> None:
        super().__init__(ctypes.CDLL(str(kernel.path)), kernel.path)
        self.calls: set[str] = set()

    def integrate(self, *args: Any, **kwargs: Any) -> None:
        self.calls.add("integrate")
        super().integrate(*args, **kwargs)

    def prefix1(self, *args: Any, **kwargs: Any) -> None:
        self.calls.add("prefix1")
        super().prefix1(*args, **kwargs)

    def prefix1_pair(self, *args: Any, **kwargs: Any) -> None:
        self.calls.add("prefix1_pair")
        super().prefix1_pair(*args, **kwargs)

    def edges(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.add("edges")
        return super().edges(*args, **kwargs)

    def threshold(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.add("threshold")
        return super().threshold(*args, **kwargs)


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch, kernel: _kernel.Kernel) -> Iterator[object]:
    """A switch: ``use(True)`` runs lzgis on the kernel, ``use(False)`` on numpy; it returns
    the set of the kernel's functions the run then calls (empty on numpy)."""

    def switch(on: bool) -> set[str]:
        recording = _Recording(kernel)
        monkeypatch.setattr(_kernel, "load", lambda: recording if on else None)
        return recording.calls

    yield switch


def _random_edges(rng: np.random.Generator, n_edges: int, n_zones: int, width: int) -> Edges:
    # edges anywhere around the window, some vertical, some short, some crossing it
    x0 = rng.uniform(-3.0, width + 3.0, n_edges)
    y0 = rng.uniform(-2.0, 9.0, n_edges)
    x1 = np.where(rng.random(n_edges) < 0.2, x0, rng.uniform(-3.0, width + 3.0, n_edges))
    y1 = y0 + rng.choice([-1.0, 1.0], n_edges) * rng.uniform(1e-9, 6.0, n_edges)
    return Edges(
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        zone=rng.integers(0, n_zones, n_edges).astype(np.int64),
        bounds=np.zeros((n_zones, 4)),
        sign=-1.0,
        n_zones=n_zones,
    )


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    width=st.integers(1, 9),
    rows=st.tuples(st.integers(0, 3), st.integers(1, 5)),
    varies=st.booleans(),
)
def test_integrals_are_the_numpy_bits(
    kernel: _kernel.Kernel, seed: int, width: int, rows: tuple[int, int], varies: bool
) -> None:
    rng = np.random.default_rng(seed)
    r0, h = rows
    edges = _random_edges(rng, 40, 5, width)
    keep = (np.maximum(edges.y0, edges.y1) > r0) & (np.minimum(edges.y0, edges.y1) < r0 + h)
    idx = np.flatnonzero(keep)
    a, b, c = (rng.random((h, width)) < p for p in (0.5, 0.3, 0.8))
    layers = [
        Prefix(None, ("full",)),
        Prefix(prefix1(a), ("one",)),
        Prefix(prefix1_pair(b, c), ("low", "high")),
    ]
    area = rng.uniform(0.5, 2.0, h) if varies else 1.7
    expected = integrate(
        row_pieces(edges, idx, float(r0), float(r0 + h), r0=r0, c0=0),
        layers,
        width=width,
        cell_area=area,
        sign=edges.sign,
        n_zones=edges.n_zones,
    )
    got = {key: np.zeros(edges.n_zones) for key in expected}
    kernel.integrate(
        (edges.x0, edges.y0, edges.x1, edges.y1),
        edges.zone,
        idx,
        float(r0),
        float(r0 + h),
        r0=r0,
        c0=0,
        width=width,
        cell_area=np.atleast_1d(area),
        varies=varies,
        sign=edges.sign,
        layers=[
            (_kernel.FULL, None),
            (_kernel.I32, layers[1].array),
            (_kernel.PAIR, layers[2].array),
        ],
        outs=[got[k] for k in ("full", "one", "low", "high")],
    )
    for key, values in expected.items():
        assert np.array_equal(got[key], values), key


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), h=st.integers(1, 6), w=st.integers(1, 40))
def test_prefix_sums_are_the_numpy_ones(kernel: _kernel.Kernel, seed: int, h: int, w: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.random((h, w)) < 0.5, rng.random((h, w)) < 0.5
    one = np.empty((h, w + 1), dtype=np.int32)
    kernel.prefix1(a, one)
    assert np.array_equal(one[:, 1:], np.cumsum(a, axis=1))
    assert not one[:, 0].any()
    pair = np.empty((h, w + 1), dtype=np.int64)
    kernel.prefix1_pair(a, b, pair)
    assert np.array_equal(pair & 0xFFFFFFFF, one)
    assert np.array_equal(pair >> 32, np.concatenate([np.zeros((h, 1)), np.cumsum(b, 1)], 1))


def _ndvi_tif(tmp_path: Path, ndvi: np.ndarray) -> Path:
    """``ndvi`` as a GeoTIFF of 10 m cells (nodata -9) whose bottom-left corner is (500000, 4000000)."""
    top = 4_000_000 + 10 * ndvi.shape[0]
    return write_geotiff(
        tmp_path / "ndvi.tif",
        ndvi,
        crs="EPSG:32648",
        transform=Affine(10, 0, 500_000, 0, -10, top),
        nodata=-9.0,
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from(["float32", "float64"]),
    nodata=st.sampled_from([None, -9999.0, 0.0, float("nan")]),
    threshold=st.sampled_from([0.3, 0.1, -0.2, 0.30000001192092896]),
)
def test_the_threshold_rule_is_the_numpy_one(
    kernel: _kernel.Kernel, seed: int, dtype: str, nodata: float | None, threshold: float
) -> None:
    # values at and around the threshold (in both precisions), NaN, and the nodata value
    rng = np.random.default_rng(seed)
    near = [threshold, np.nextafter(threshold, 1), np.nextafter(threshold, -1), np.nan, -9999.0]
    values = np.where(rng.random(300) < 0.5, rng.choice(near, 300), rng.uniform(-1, 1, 300))
    data = values.astype(dtype).reshape(15, 20)
    valid = data == data
    if nodata is not None and not np.isnan(nodata):
        valid &= data != data.dtype.type(nodata)
    plain = None if nodata is None or np.isnan(nodata) else float(data.dtype.type(nodata))
    got = kernel.threshold(data, plain, threshold)
    assert got is not None
    assert np.array_equal(got[0], valid)
    assert np.array_equal(got[1], valid & (data >= threshold))


def test_the_rule_gives_the_same_layers_with_and_without_the_kernel(
    tmp_path: Path, use: object
) -> None:
    data = np.array([[0.3, 0.29999998, np.nan], [-9.0, 0.9, -0.5]], dtype="float32")
    path = _ndvi_tif(tmp_path, data)
    rule, win = Rule("threshold", threshold=0.3), Win(0, 2, 0, 3)
    runs = []
    with rasterio.open(path) as src:
        for on in (True, False):
            calls = use(on)  # type: ignore[operator]
            runs.append(rule([src], win, [src.read(1)], path=str(path)))
            assert calls == ({"threshold"} if on else set())
    for key in ("data", "green"):
        assert np.array_equal(runs[0][key], runs[1][key]), key
    assert runs[0]["data"].tolist() == [[True, True, False], [False, True, True]]
    assert runs[0]["green"].tolist() == [[True, False, False], [False, True, False]]


def test_edges_are_the_numpy_ones(kernel: _kernel.Kernel) -> None:
    # holes, a multipolygon, a ring drawn the other way, an empty and a missing zone
    ring = box(0, 0, 10, 10).difference(box(2, 2, 4, 4))
    geoms = np.array(
        [
            ring,
            shapely.reverse(ring),
            shapely.MultiPolygon([box(20, 0, 22, 3), box(25, 1, 26, 2)]),
            shapely.Polygon(),
            None,
            box(-5, -5, 1, 1),
        ],
        dtype=object,
    )
    transform = Affine(0.5, 0.0, -10.0, 0.0, -0.5, 12.0)
    parts, zone_of_part = shapely.get_parts(geoms, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    exterior = np.r_[True, part_of_ring[1:] != part_of_ring[:-1]][: len(rings)]
    zone_of_ring = zone_of_part[part_of_ring].astype(np.int64)
    args = (coords, ring_of_coord, exterior, zone_of_ring)
    (ends, zone, bounds) = kernel.edges(*args, tuple(~transform), len(geoms))
    (want_ends, want_zone, want_bounds) = _edges(*args, ~transform, len(geoms))
    for a, b in zip(ends, want_ends, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(zone, want_zone)
    assert np.array_equal(bounds, want_bounds, equal_nan=True)
    # both orientations give the same (counter-clockwise) edges: the integrals are areas
    edges = pixel_edges(geoms, transform)
    area = np.bincount(
        edges.zone, (edges.x0 * edges.y1 - edges.x1 * edges.y0) * 0.5, minlength=len(geoms)
    )
    assert (area * edges.sign * 0.25).tolist() == pytest.approx([96, 96, 7, 0, 0, 36])


def test_integrate_edges_takes_the_kernel_only_when_there_is_one(use: object) -> None:
    edges = _random_edges(np.random.default_rng(7), 30, 3, 6)
    idx = np.flatnonzero(
        (np.maximum(edges.y0, edges.y1) > 0) & (np.minimum(edges.y0, edges.y1) < 4)
    )
    layers = [Prefix(prefix1(np.eye(4, 6, dtype=bool)), ("green",))]
    runs = []
    calls = use(True)  # type: ignore[operator]
    runs.append(integrate_edges(edges, idx, layers, rows=(0, 4), c0=0, width=6, cell_area=2.0))
    assert calls == {"integrate"}
    use(False)  # type: ignore[operator]
    runs.append(integrate_edges(edges, idx, layers, rows=(0, 4), c0=0, width=6, cell_area=2.0))
    assert np.array_equal(runs[0]["green"], runs[1]["green"])
    assert np.any(runs[0]["green"] != 0)


def test_coverage_is_the_same_bits_with_and_without_the_kernel(tmp_path: Path, use: object) -> None:
    # 4 x 4 cells of 10 m, the left half green; a nodata cell; zones crossing cells and the edge
    ndvi = np.array(
        [[0.8, 0.8, 0.1, 0.1], [0.8, 0.8, 0.1, -9.0], [0.8, 0.8, 0.1, 0.1], [0.8, 0.8, 0.1, 0.1]],
        dtype="float32",
    )
    path = _ndvi_tif(tmp_path, ndvi)
    zones = gpd.GeoDataFrame(
        {"id": ["half", "ring", "out"]},
        geometry=[
            box(500005, 4000000, 500020, 4000040),
            Polygon(
                [(500001, 4000001), (500039, 4000001), (500039, 4000039), (500001, 4000039)],
                [[(500015, 4000015), (500025, 4000015), (500025, 4000025), (500015, 4000025)]],
            ),
            box(500030, 4000030, 500050, 4000050),  # three quarters outside the raster
        ],
        crs="EPSG:32648",
    )
    runs = []
    for on in (True, False):
        calls = use(on)  # type: ignore[operator]
        runs.append(raster_coverage(zones, path, ndvi_threshold=0.3))
        # on: every step ran in the kernel (the data layer is not full here: a pair)
        assert calls == ({"edges", "threshold", "prefix1_pair", "integrate"} if on else set())
    pd.testing.assert_frame_equal(runs[0], runs[1], check_exact=True)
    # by hand, in metres from the raster's top-left corner:
    # "half" lies in the green columns (x < 20): coverage 1
    # "ring": 38 x 38 - 10 x 10 = 1344 m²; the nodata cell (x 30-40, y 10-20) takes 9 x 10 of it;
    # green is x < 20: 19 x 38 minus the hole's 5 x 10 = 672 m² of the 1254 with data
    # "out": a quarter on the raster, on a cell of 0.1: coverage 0, unknown 0.75
    got = runs[0]
    assert got.loc[0, "coverage"] == pytest.approx(1.0, abs=1e-12)
    assert got.loc[1, "coverage"] == pytest.approx(672 / 1254, abs=1e-12)
    # (unknown is 1 - data / the equal-area area: UTM's scale error shows at 1e-8)
    assert got.loc[1, "unknown"] == pytest.approx(90 / 1344, abs=1e-7)
    assert got.loc[2, "coverage"] == pytest.approx(0.0, abs=1e-12)
    assert got.loc[2, "unknown"] == pytest.approx(0.75, abs=1e-7)


def test_a_compiler_error_is_reported_and_leaves_no_library(tmp_path: Path) -> None:
    broken = tmp_path / "_kernel.c"
    broken.write_text("int lz_integrate(void) { return undefined_name; }\n")
    with pytest.raises(RuntimeError, match=r"compiling _kernel\.c failed"):
        _kernel_build.build(tmp_path / "out", sources=[broken])
    assert list((tmp_path / "out").iterdir()) == []


def test_a_library_from_another_source_is_not_loaded(tmp_path: Path) -> None:
    # the file name carries the source's hash: an edited source never meets an old library
    edited = tmp_path / "_kernel.c"
    edited.write_bytes(_kernel_build.SOURCE.read_bytes() + b"\n/* edited */\n")
    assert (
        _kernel_build.library_name([edited, _kernel_build.SOURCES[1]])
        != _kernel_build.library_name()
    )
    union = tmp_path / "_union.c"  # any source
    union.write_bytes(_kernel_build.SOURCES[1].read_bytes() + b"\n/* edited */\n")
    assert _kernel_build.library_name([_kernel_build.SOURCE, union]) != _kernel_build.library_name()
    header = tmp_path / "_union.h"  # or header
    header.write_bytes(_kernel_build.HEADERS[0].read_bytes() + b"\n/* edited */\n")
    assert _kernel_build.library_name(headers=[header]) != _kernel_build.library_name()
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"not a library")
    assert _kernel.open_library(junk) is None


def test_lzgis_kernel_0_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LZGIS_KERNEL", "0")
    _kernel.load.cache_clear()
    try:
        assert _kernel.load() is None
    finally:
        monkeypatch.delenv("LZGIS_KERNEL")
        _kernel.load.cache_clear()


def test_a_compiler_that_cannot_run_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    with pytest.raises(
        RuntimeError, match=r"compiling _kernel\.c, _union\.c, _union_cells\.c failed"
    ):
        _kernel_build.build(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    geographic=st.booleans(),
    rule=st.sampled_from(["threshold", "classes"]),
)
def test_random_zones_on_a_random_raster_are_the_same_bits_either_way(
    tmp_path_factory: pytest.TempPathFactory,
    kernel: _kernel.Kernel,
    seed: int,
    geographic: bool,
    rule: str,
) -> None:
    # a 30 x 40 raster (lon/lat cells, whose areas vary by row, or UTM), NaN and nodata
    # cells, and overlapping zones with holes that stick out of it
    rng = np.random.default_rng(seed)
    values = rng.choice([0.1, 0.5, 0.9, np.nan, -9.0], size=(30, 40)).astype("float32")
    if rule == "classes":
        values = np.nan_to_num(values * 10, nan=3).astype("int16")
    if geographic:
        crs, transform, step = "EPSG:4326", Affine(0.001, 0, 103.8, 0, -0.001, 36.03), 0.001
    else:
        crs, transform, step = "EPSG:32648", Affine(10, 0, 500_000, 0, -10, 4_000_300), 10.0
    path = write_geotiff(
        tmp_path_factory.mktemp("r") / "r.tif", values, crs=crs, transform=transform, nodata=-9.0
    )
    x0, y0 = transform.c, transform.f
    zones = []
    for _ in range(6):
        cx, cy = x0 + rng.uniform(-5, 45) * step, y0 - rng.uniform(-5, 35) * step
        r = rng.uniform(1, 15) * step
        outer = shapely.Point(cx, cy).buffer(r, quad_segs=int(rng.integers(1, 6)))
        zones.append(
            outer.difference(shapely.Point(cx, cy).buffer(r / 3)) if rng.random() < 0.5 else outer
        )
    frame = gpd.GeoDataFrame(geometry=zones, crs=crs)
    options = {"ndvi_threshold": 0.3} if rule == "threshold" else {"classes": [1, 5]}
    runs: list[pd.DataFrame | str] = []
    recording = _Recording(kernel)
    for on in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_kernel, "load", lambda on=on: recording if on else None)
            try:
                runs.append(raster_coverage(frame, path, **options))
            except LzgisError as exc:  # e.g. no class 1 or 5 under the zones: the same refusal
                runs.append(str(exc))
    assert "edges" in recording.calls  # the kernel really ran the first time
    if isinstance(runs[0], str):
        assert runs[0] == runs[1]
    else:
        assert isinstance(runs[1], pd.DataFrame)
        if (runs[0]["unknown"] < 1).any():  # some zone over data: its integrals too
            assert "integrate" in recording.calls
        pd.testing.assert_frame_equal(runs[0], runs[1], check_exact=True)
