"""Raster side of lzgis.zonal: windows, cell areas, valid-data masks."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS
from rasterio.enums import MaskFlags
from rasterio.windows import Window

from lzgis._errors import RasterError

# Cells per window (at most, when blocks are smaller): 1 Mi cells = 4 MB of
# float32 data; the prefix sums stay in cache.
WINDOW_CELLS = 1 << 20


@dataclass(frozen=True)
class Win:
    """A window of the raster: rows [r0, r1), columns [c0, c1)."""

    r0: int
    r1: int
    c0: int
    c1: int

    @property
    def window(self) -> Window:
        return Window(self.c0, self.r0, self.c1 - self.c0, self.r1 - self.r0)


def _units(src: Any, band: int, shape: tuple[int, int] | None, cells: int) -> tuple[int, int, int]:
    """(rows, cols) of the grid units that are read or skipped whole, and how many
    consecutive units of a row one window may merge.

    Units are the raster's blocks (tiles); full-width blocks (strips) are
    stacked to about ``cells``. ``shape`` forces the unit and no merging (tests).
    """
    height, width = src.height, src.width
    if shape is not None:
        return max(1, shape[0]), max(1, shape[1]), 1
    bh, bw = src.block_shapes[band - 1]
    bh, bw = max(1, min(bh, height)), max(1, min(bw, width))
    if bw >= width:  # strips: stack them
        return max(bh, (cells // width) // bh * bh), width, 1
    return bh, bw, max(1, cells // (bh * bw))


def plan_windows(
    src: Any,
    band: int,
    zone_bounds: NDArray[np.float64],
    *,
    shape: tuple[int, int] | None = None,
    cells: int = WINDOW_CELLS,
) -> list[Win]:
    """Windows to read: runs of blocks under at least one zone's pixel bounding box.

    Blocks that no zone's bounding box touches are never read, so sparse
    zones over a big raster read little of it.
    """
    uh, uw, merge = _units(src, band, shape, cells)
    rows = [*range(0, src.height, uh), src.height]
    cols = [*range(0, src.width, uw), src.width]
    nr, nc = len(rows) - 1, len(cols) - 1
    ok = np.all(np.isfinite(zone_bounds), axis=1)
    b = zone_bounds[ok]
    inside = (b[:, 2] > 0) & (b[:, 0] < src.width) & (b[:, 3] > 0) & (b[:, 1] < src.height)
    b = b[inside]
    if len(b) == 0:
        return []
    ra = np.searchsorted(rows, b[:, 1], side="right") - 1
    rb = np.searchsorted(rows, b[:, 3], side="left") - 1
    ca = np.searchsorted(cols, b[:, 0], side="right") - 1
    cb = np.searchsorted(cols, b[:, 2], side="left") - 1
    ra, rb = np.clip(ra, 0, nr - 1), np.clip(rb, 0, nr - 1)
    ca, cb = np.clip(ca, 0, nc - 1), np.clip(cb, 0, nc - 1)
    diff = np.zeros((nr + 1, nc + 1), dtype=np.int64)
    np.add.at(diff, (ra, ca), 1)
    np.add.at(diff, (ra, cb + 1), -1)
    np.add.at(diff, (rb + 1, ca), -1)
    np.add.at(diff, (rb + 1, cb + 1), 1)
    hit = diff.cumsum(axis=0).cumsum(axis=1)[:nr, :nc] > 0
    windows = []
    for i in np.flatnonzero(hit.any(axis=1)):
        js = np.flatnonzero(hit[i])
        # runs of consecutive blocks, cut every `merge` blocks
        breaks = np.flatnonzero(np.diff(js) != 1) + 1
        for run in np.split(js, breaks):
            for k in range(0, len(run), merge):
                part = run[k : k + merge]
                windows.append(Win(rows[i], rows[i + 1], cols[part[0]], cols[part[-1] + 1]))
    return windows


def cell_area_function(
    src: Any, crs: CRS, *, path: str | Path
) -> tuple[Callable[[NDArray[np.int64]], NDArray[np.float64]], bool]:
    """Cell area as a function of the row, and whether it varies by row.

    Projected rasters: ``|det(transform)|`` in CRS units² (constant; the
    absolute unit does not matter, results are ratios). Geographic rasters:
    the ellipsoidal area of the row's cells on the CRS's own ellipsoid
    (Clarke 1866 for MODIS), exact for cells bounded by meridians and
    parallels.
    """
    t = src.transform
    if not crs.is_geographic:
        const = abs(t.a * t.e - t.b * t.d)
        return (lambda rows: np.full(rows.shape, const, dtype=np.float64)), False
    if t.b != 0 or t.d != 0:
        raise RasterError(
            f"`{path}`: a rotated or sheared geographic grid ({tuple(t)[:6]}); expected a "
            "north-up lon/lat grid; fix: warp it north-up with `gdalwarp` first"
        )
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:  # pragma: no cover - geographic CRSs always have one
        raise RasterError(f"`{path}`: the CRS has no ellipsoid; fix: give a complete CRS")
    a_m = ellipsoid.semi_major_metre
    b_m = ellipsoid.semi_minor_metre
    to_rad = crs.axis_info[0].unit_conversion_factor if crs.axis_info else math.pi / 180
    e2 = 1.0 - (b_m * b_m) / (a_m * a_m)
    ecc = math.sqrt(e2) if e2 > 0 else 0.0
    dlon = abs(t.a) * to_rad

    def q(phi: NDArray[np.float64]) -> NDArray[np.float64]:
        s = np.sin(phi)
        if ecc == 0.0:
            return a_m * a_m * s
        es = ecc * s
        return 0.5 * b_m * b_m * (s / (1.0 - es * es) + np.arctanh(es) / ecc)

    half_pi = math.pi / 2

    def area(rows: NDArray[np.int64]) -> NDArray[np.float64]:
        top = np.clip((t.f + rows * t.e) * to_rad, -half_pi, half_pi)
        bottom = np.clip((t.f + (rows + 1) * t.e) * to_rad, -half_pi, half_pi)
        return dlon * np.abs(q(top) - q(bottom))

    return area, True


def _nodata_value(dtype: np.dtype[Any], nodata: float) -> Any:
    """``nodata`` in ``dtype``, or None when no value of ``dtype`` can equal it."""
    if np.issubdtype(dtype, np.floating):
        return dtype.type(nodata)
    info = np.iinfo(dtype)
    if not float(nodata).is_integer() or not info.min <= nodata <= info.max:
        return None
    return dtype.type(int(nodata))


def damaged(path: str | Path, what: str, win: Win, exc: Exception) -> RasterError:
    """The one-line error for a raster whose pixels cannot be read (truncated, corrupt)."""
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    return RasterError(
        f"`{path}`: the {what} is damaged: rows {win.r0}-{win.r1 - 1} cannot be read ({first}); "
        "expected a complete raster file; fix: copy or download it again "
        "(`gdalinfo -checksum` reads every pixel)"
    )


def read_band(src: Any, band: int, win: Win, *, path: str | Path, what: str) -> NDArray[Any]:
    """``band`` of ``src`` in ``win``; a read failure names the file and says it is damaged."""
    from rasterio.errors import RasterioError

    try:
        return np.asarray(src.read(band, window=win.window))
    except (RasterioError, OSError) as exc:
        raise damaged(path, what, win, exc) from None


def valid_mask(src: Any, band: int, data: NDArray[Any], win: Win) -> NDArray[np.bool_]:
    """True where ``data`` (read from ``win``) holds data: nodata, masks and NaN excluded."""
    by_value, value = valid_by_value(src, band, data)
    if by_value:
        valid = np.ones(data.shape, dtype=bool) if value is None else data != value
    else:
        valid = src.read_masks(band, window=win.window) > 0
    if data.dtype.kind == "f":
        valid &= data == data  # not NaN
    return valid


def valid_by_value(src: Any, band: int, data: NDArray[Any]) -> tuple[bool, Any]:
    """Whether ``data``'s valid cells follow from its values alone, and the nodata value.

    (True, value): valid = not NaN (floats) and ``data != value`` (``value``
    in ``data``'s type; None: nothing to compare). (False, None): a mask
    band says which cells are valid (:func:`valid_mask` reads it).
    """
    flags = src.mask_flag_enums[band - 1]
    nodata = src.nodatavals[band - 1]
    if MaskFlags.nodata in flags and nodata is not None:
        return True, None if np.isnan(nodata) else _nodata_value(data.dtype, nodata)
    return MaskFlags.all_valid in flags, None


def scaled(src: Any, band: int, data: NDArray[Any]) -> NDArray[Any]:
    """Apply the band's scale and offset (GDAL metadata) when they are set."""
    scale = src.scales[band - 1] if src.scales else 1.0
    offset = src.offsets[band - 1] if src.offsets else 0.0
    if (scale, offset) == (1.0, 0.0):
        return data
    return data.astype(np.float64) * scale + offset


def read_windows(
    sources: list[Any], band: int, windows: list[Win]
) -> Iterator[tuple[Win, list[NDArray[Any]]]]:
    """Read ``band`` of each source for each window, in order."""
    for win in windows:
        yield win, [src.read(band, window=win.window) for src in sources]
