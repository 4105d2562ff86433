"""Test rasters: an ndarray written as a one-band GeoTIFF through GDAL (shared by the test modules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine


def write_geotiff(
    path: Path,
    array: np.ndarray,
    *,
    crs: str | None,
    transform: Affine,
    nodata: float | None = None,
    scale: float = 1.0,
    offset: float = 0.0,
    block_shape: tuple[int, int] | None = None,
) -> Path:
    """Write ``array`` (2-D, its own dtype) as band 1 of a GeoTIFF at ``path`` and return it.

    ``crs=None`` writes a file without a CRS. ``scale`` and ``offset`` are stored as the band's
    metadata (physical value = raw * scale + offset), only when they differ from 1 and 0.
    ``block_shape`` (rows, columns) writes a tiled file with blocks of that size; ``None``
    keeps GDAL's default layout, strips as wide as the raster.
    """
    layout: dict[str, Any] = {}
    if block_shape is not None:
        layout = {"tiled": True, "blockysize": block_shape[0], "blockxsize": block_shape[1]}
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=array.shape[1],
        height=array.shape[0],
        count=1,
        dtype=array.dtype.name,
        crs=crs,
        transform=transform,
        nodata=nodata,
        **layout,
    ) as dst:
        dst.write(array, 1)
        if (scale, offset) != (1.0, 0.0):
            dst.scales = (scale,)
            dst.offsets = (offset,)
    return path
