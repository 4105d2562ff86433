"""What a window's cells say: the indicator layers (data, green, classes) of one rule.

A :class:`Rule` is plain data, so it travels to dask workers with the task
and each worker applies it to the windows it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lzgis import _validate as v
from lzgis.zonal import _kernel
from lzgis.zonal._raster import Win, scaled, valid_by_value, valid_mask

__all__ = ["MAX_CLASSES", "Rule"]

MAX_CLASSES = 1024  # distinct values a land-cover raster may have
_SAMPLE = 7  # every 7th row and column: the NDVI range check's sample of a window


def _representable(values: NDArray[np.float64], dtype: np.dtype[Any]) -> NDArray[Any]:
    """The class ``values`` a raster of ``dtype`` can hold, in that dtype."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        keep = (values == np.round(values)) & (values >= info.min) & (values <= info.max)
        values = values[keep]
    return values.astype(dtype)


def ndvi_from_bands(
    sources: Sequence[Any],
    arrays: Sequence[NDArray[Any]],
    band: int,
    win: Win,
    valid: NDArray[np.bool_],
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """(valid, NDVI) from a red (``sources[0]``) and a NIR (``sources[1]``) window.

    Each band's GDAL scale/offset is applied before the ratio; ``valid`` (the
    red band's) is narrowed to the cells with NIR data and red + NIR != 0.
    """
    nsrc = sources[1]
    valid = valid & valid_mask(nsrc, band, arrays[1], win)
    red = scaled(sources[0], band, arrays[0]).astype(np.float64, copy=False)
    nir = scaled(nsrc, band, arrays[1]).astype(np.float64, copy=False)
    total = nir + red
    valid &= total != 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ndvi = (nir - red) / np.where(valid, total, 1.0)
    return valid, ndvi


@dataclass(frozen=True)
class Rule:
    """Which cells hold data and which are green.

    ``kind``: ``threshold`` (NDVI >= threshold), ``red_nir`` (NDVI from a
    red and a NIR source), ``classes`` (value in ``classes``) or
    ``composition`` (one layer per class value found). A ``threshold``
    window whose valid NDVI lies outside -1..1 (a scaled raster read as is;
    checked on every 7th row and column of the window) is refused with the
    values seen and the fix (``--ndvi-scale``).
    """

    kind: str
    band: int = 1
    threshold: float = float("nan")
    classes: tuple[float, ...] = ()
    scale: float | None = (
        None  # ``threshold``: NDVI = raw × scale instead of the file's scale/offset
    )

    def __call__(
        self, sources: list[Any], win: Win, arrays: list[NDArray[Any]], *, path: str
    ) -> dict[Any, NDArray[np.bool_]]:
        src, band, data = sources[0], self.band, arrays[0]
        if self.kind == "threshold":
            return self._threshold(src, win, data, path=path)
        valid = valid_mask(src, band, data, win)
        if self.kind == "composition":
            values = np.unique(data[valid])
            v.require_classified(len(values), limit=MAX_CLASSES, path=path)
            return {val.item(): valid & (data == val) for val in values}
        if self.kind == "classes":
            wanted = _representable(np.asarray(self.classes, dtype=np.float64), data.dtype)
            green = valid & np.isin(data, wanted)
        else:
            valid, ndvi = ndvi_from_bands(sources, arrays, band, win, valid)
            green = valid & (ndvi >= self.threshold)
        return {"data": valid, "green": green}

    def _threshold(
        self, src: Any, win: Win, data: NDArray[Any], *, path: str
    ) -> dict[Any, NDArray[np.bool_]]:
        """``data`` and ``green`` of an NDVI window: NDVI >= threshold where there are data."""
        band = self.band
        ndvi = data * self.scale if self.scale is not None else scaled(src, band, data)
        layers = None
        kernel = _kernel.load()
        if kernel is not None and ndvi is data:  # unscaled: one pass in the kernel
            by_value, nodata = valid_by_value(src, band, data)
            if by_value:
                value = None if nodata is None else float(nodata)
                layers = kernel.threshold(data, value, self.threshold)
        if layers is not None:
            valid, green = layers
        else:
            valid = valid_mask(src, band, data, win)
            green = valid & (ndvi >= self.threshold)
        # a scaled NDVI (int16 x 10000 read as is) is out of -1..1 in every part of
        # every window: a sample of each window's valid cells shows it at ~1/50 the cost
        cells, ok = ndvi[::_SAMPLE, ::_SAMPLE], valid[::_SAMPLE, ::_SAMPLE]
        if ok.any():
            info: Any = np.finfo if cells.dtype.kind == "f" else np.iinfo
            top, bottom = info(cells.dtype).max, info(cells.dtype).min
            low = float(np.min(cells, where=ok, initial=top))
            high = float(np.max(cells, where=ok, initial=bottom))
            v.require_ndvi_range(low, high, path=path, scale=self.scale)
        return {"data": valid, "green": green}
