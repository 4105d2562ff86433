"""The compiled kernel (``_kernel.c``, ``_union*.c``) through ctypes, when the install built it.

:func:`load` finds the library built for the current C sources (its file
name carries their hash, see :mod:`lzgis.zonal._kernel_build`) and returns a
:class:`Kernel`, or None: then :mod:`lzgis.zonal._geom` and
:mod:`lzgis.zonal._rules` run their numpy code, which gives the same bits,
and :mod:`lzgis.zonal._union` leaves unions to GEOS. ``LZGIS_KERNEL=0``
turns the kernel off. Calls release the GIL, so the reader thread and the
integrating threads of :mod:`lzgis.zonal._engine` really run side by side.
"""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from lzgis.zonal._kernel_build import library_name

__all__ = ["FULL", "I32", "PAIR", "Kernel", "load", "open_library"]

FULL, I32, PAIR = 0, 1, 2  # layer kinds, as in _kernel.c

_P = ctypes.c_void_p
_I64 = ctypes.c_int64
_F64 = ctypes.c_double


def _ptr(array: NDArray[Any]) -> int:
    return int(array.ctypes.data)


def _rings(
    coords: NDArray[np.float64],
    index: NDArray[np.int64],
    exterior: NDArray[np.bool_],
    zone_of_ring: NDArray[np.int64],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """Rings as the C functions take them: vertices, their ring index, exteriors, zones."""
    return (
        np.ascontiguousarray(coords, dtype=np.float64),
        np.ascontiguousarray(index, dtype=np.int64),
        np.ascontiguousarray(exterior, dtype=np.bool_),
        np.ascontiguousarray(zone_of_ring, dtype=np.int64),
    )


class UnionRings(NamedTuple):
    """What ``lz_union`` found: the union's rings, whether zones overlap, and what it skipped."""

    xy: NDArray[np.float64]  # the rings' vertices, each ring closed
    start: NDArray[np.int64]  # each ring's first vertex, then the number of vertices
    overlaps: bool
    inside: int  # edges wholly inside another zone: they never border the union


class Kernel:
    """The library's functions (edges, threshold rule, prefix sums, integrals, union) on arrays."""

    def __init__(self, library: ctypes.CDLL, path: Path) -> None:
        self.path = path
        self._integrate = library.lz_integrate
        self._integrate.argtypes = [
            *([_P] * 6),
            _I64,
            _F64,
            _F64,
            _I64,
            _I64,
            _I64,
            _P,
            _I64,
            _F64,
            _I64,
            _P,
            _P,
            _P,
        ]
        self._integrate.restype = ctypes.c_int
        self._prefix1 = library.lz_prefix1
        self._prefix1.argtypes = [_P, _I64, _I64, _P]
        self._prefix1.restype = None
        self._pair = library.lz_prefix1_pair
        self._pair.argtypes = [_P, _P, _I64, _I64, _P]
        self._pair.restype = None
        self._edges = library.lz_edges
        self._edges.argtypes = [_P, _P, _I64, _P, _P, _P, _P, _P, _P, _P, _P, _P]
        self._edges.restype = _I64
        self._union = library.lz_union
        self._union.argtypes = [_P, _P, _I64, _P, _P, _I64, _I64, _P, _P, _P, _P]
        self._union.restype = _I64
        self._free = library.lz_free
        self._free.argtypes = [_P]
        self._free.restype = None
        self._threshold = {}
        for dtype, name in ((np.float32, "lz_threshold_f32"), (np.float64, "lz_threshold_f64")):
            function = getattr(library, name)
            function.argtypes = [_P, _I64, _I64, _F64, _F64, _P, _P]
            function.restype = None
            self._threshold[np.dtype(dtype)] = function

    def integrate(
        self,
        edges: tuple[NDArray[np.float64], ...],
        zone: NDArray[np.int64],
        idx: NDArray[np.int64],
        lo: float,
        hi: float,
        *,
        r0: int,
        c0: int,
        width: int,
        cell_area: NDArray[np.float64],
        varies: bool,
        sign: float,
        layers: list[tuple[int, NDArray[Any] | None]],
        outs: list[NDArray[np.float64]],
    ) -> None:
        """Add edges ``idx``'s integrals to ``outs`` (see ``lz_integrate`` in ``_kernel.c``)."""
        x0, y0, x1, y1 = (np.ascontiguousarray(e, dtype=np.float64) for e in edges)
        zone = np.ascontiguousarray(zone, dtype=np.int64)
        idx = np.ascontiguousarray(idx, dtype=np.int64)
        area = np.ascontiguousarray(cell_area, dtype=np.float64)
        kinds = np.array([kind for kind, _ in layers], dtype=np.int32)
        arrays = (_P * max(1, len(layers)))(
            *[_ptr(a) if a is not None else None for _, a in layers]
        )
        targets = (_P * max(1, len(outs)))(*[_ptr(o) for o in outs])
        self._integrate(
            _ptr(x0),
            _ptr(y0),
            _ptr(x1),
            _ptr(y1),
            _ptr(zone),
            _ptr(idx),
            len(idx),
            lo,
            hi,
            r0,
            c0,
            width,
            _ptr(area),
            int(varies),
            sign,
            len(layers),
            _ptr(kinds),
            arrays,
            targets,
        )

    def prefix1(self, indicator: NDArray[np.bool_], out: NDArray[np.integer]) -> None:
        """``out`` (rows × (cols + 1), int32, C order) = row prefix sums of ``indicator``."""
        ind = np.ascontiguousarray(indicator, dtype=np.bool_)
        h, w = ind.shape
        self._prefix1(_ptr(ind), h, w, _ptr(out))

    def prefix1_pair(
        self, first: NDArray[np.bool_], second: NDArray[np.bool_], out: NDArray[np.integer]
    ) -> None:
        """Row prefix sums of two indicators packed in ``out`` (int64, low and high 32 bits)."""
        a = np.ascontiguousarray(first, dtype=np.bool_)
        b = np.ascontiguousarray(second, dtype=np.bool_)
        h, w = a.shape
        self._pair(_ptr(a), _ptr(b), h, w, _ptr(out))

    def edges(
        self,
        coords: NDArray[np.float64],
        ring_of_coord: NDArray[np.int64],
        exterior: NDArray[np.bool_],
        zone_of_ring: NDArray[np.int64],
        inverse: tuple[float, ...],
        n_zones: int,
        *,
        room: int = 0,
    ) -> tuple[tuple[NDArray[np.float64], ...], NDArray[np.int64], NDArray[np.float64]]:
        """((x0, y0, x1, y1), zone, bounds) of the rings' edges (see ``lz_edges``); the edge
        arrays are views of buffers with ``room`` spare slots after them."""
        xy, rings, ext, zones = _rings(coords, ring_of_coord, exterior, zone_of_ring)
        inv = np.asarray(inverse[:6], dtype=np.float64)
        n = len(rings)
        ends = [np.empty(max(n - 1, 0) + room) for _ in range(4)]
        zone = np.empty(max(n - 1, 0) + room, dtype=np.int64)
        bounds = np.full((n_zones, 4), np.nan)
        count = self._edges(
            _ptr(xy), _ptr(rings), n, _ptr(ext), _ptr(zones), _ptr(inv),
            *(_ptr(e) for e in ends), _ptr(zone), _ptr(bounds),
        )  # fmt: skip
        return tuple(e[:count] for e in ends), zone[:count], bounds

    def union(
        self,
        coords: NDArray[np.float64],
        ring_start: NDArray[np.int64],
        exterior: NDArray[np.bool_],
        zone_of_ring: NDArray[np.int64],
        n_zones: int,
        *,
        threads: int = 1,
    ) -> UnionRings | int:
        """The union's rings (:class:`UnionRings`), or a negative code.

        ``ring_start`` holds each ring's first vertex and, last, the number of
        vertices. Rings come out counter-clockwise around the union and
        clockwise around its holes, each closed. A negative code (see
        ``lz_union``) means the kernel could not settle these polygons: the
        caller uses GEOS. ``threads`` share the search for crossings and the
        depth counts (the result does not depend on how many).
        """
        xy, starts, ext, zones = _rings(coords, ring_start, exterior, zone_of_ring)
        overlaps, inside = _I64(0), _I64(0)
        out_xy, out_start = _P(), _P()
        count = int(
            self._union(
                _ptr(xy), _ptr(starts), len(zones), _ptr(ext), _ptr(zones), n_zones, threads,
                ctypes.byref(overlaps), ctypes.byref(inside), ctypes.byref(out_xy),
                ctypes.byref(out_start),
            )
        )  # fmt: skip
        if count < 0:
            return count
        try:
            start = np.zeros(count + 1, dtype=np.int64)
            if count:
                found = ctypes.cast(out_start, ctypes.POINTER(_I64))
                start = np.ctypeslib.as_array(found, shape=(count + 1,)).copy()
            n = int(start[-1])
            vertices = np.empty((0, 2))
            if n:
                values = ctypes.cast(out_xy, ctypes.POINTER(_F64))
                vertices = np.ctypeslib.as_array(values, shape=(n, 2)).copy()
        finally:
            self._free(out_xy)
            self._free(out_start)
        return UnionRings(vertices, start, overlaps.value > 0, int(inside.value))

    def threshold(
        self, data: NDArray[np.floating], nodata: float | None, threshold: float
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]] | None:
        """(valid, green) of float ``data`` (see ``lz_threshold_f32``), or None for other types."""
        function = self._threshold.get(data.dtype)
        if function is None:
            return None
        x = np.ascontiguousarray(data)
        valid = np.empty(x.shape, dtype=np.bool_)
        green = np.empty(x.shape, dtype=np.bool_)
        has = nodata is not None
        function(
            _ptr(x), x.size, int(has), nodata if has else 0.0, threshold, _ptr(valid), _ptr(green)
        )
        return valid, green


def open_library(path: Path) -> Kernel | None:
    """The kernel in ``path``, or None when it cannot be loaded (other platform, damaged)."""
    try:
        return Kernel(ctypes.CDLL(str(path)), path)
    except (OSError, AttributeError):
        return None


@lru_cache(maxsize=1)
def load() -> Kernel | None:
    """The kernel built for these C sources, next to them, or None (numpy and GEOS instead)."""
    if os.environ.get("LZGIS_KERNEL", "1") == "0":
        return None
    path = Path(__file__).with_name(library_name())
    return open_library(path) if path.exists() else None
