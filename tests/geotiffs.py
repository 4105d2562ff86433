"""Test rasters: an ndarray written as a one-band GeoTIFF through GDAL (shared by the test modules)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from affine import Affine


def write_geotiff(
    path: Path, array: np.ndarray, *, crs: str, transform: Affine, nodata: float | None = None
) -> Path:
    """Write ``array`` (2-D, its own dtype) as band 1 of a GeoTIFF at ``path`` and return it."""
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
    ) as dst:
        dst.write(array, 1)
    return path
