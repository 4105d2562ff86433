"""Exact zonal statistics of rasters: green coverage and land-cover composition per zone.

Public API: :func:`raster_coverage`, :func:`class_composition`, :func:`window_count`,
:func:`dask_client`; :func:`raster_trend`, :func:`trend_window_count` and
:func:`collection_years` (several years in lockstep, each a file or a collection); :func:`change_raster`, :func:`change_preview` (gain/loss
between two years).

Inside: ``_coverage`` (the windowed driver and the public functions), ``_geom``
(exact pixel fractions by Green's theorem along the zones' edges) and
``_raster`` (windows, masks, NDVI and class tests on the raster side),
``_rules`` (a window's indicator layers), ``_engine`` (tasks: a source's
windows integrated into per-zone sums), ``_sources`` (collections: files,
folders, globs, VRTs, STAC, URLs), ``_mosaic`` (which source measures which
part of a zone) and ``_dask`` (tasks on a dask.distributed cluster);
``_lockstep`` (the rasters of several years read together, window by window,
with the green gained and lost between years on a shared grid or tiling),
``_yearlayers`` (a window's layers for several years: the trend's tasks) and
``_change`` (the gain/loss raster).
"""

from lzgis.zonal._change import ChangePreview, change_preview, change_raster
from lzgis.zonal._coverage import EXTRA_ZONE, class_composition, raster_coverage, window_count
from lzgis.zonal._dask import dask_client
from lzgis.zonal._lockstep import collection_years, raster_trend, trend_window_count

__all__ = [
    "EXTRA_ZONE",
    "ChangePreview",
    "change_preview",
    "change_raster",
    "class_composition",
    "collection_years",
    "dask_client",
    "raster_coverage",
    "raster_trend",
    "trend_window_count",
    "window_count",
]
