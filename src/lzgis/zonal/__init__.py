"""Exact zonal statistics of rasters: green coverage and land-cover composition per zone.

Public API: :func:`raster_coverage`, :func:`class_composition`, :func:`window_count`,
:func:`dask_client`.

Inside: ``_coverage`` (the windowed driver and the public functions), ``_geom``
(exact pixel fractions by Green's theorem along the zones' edges) and
``_raster`` (windows, masks, NDVI and class tests on the raster side),
``_rules`` (a window's indicator layers), ``_engine`` (tasks: a source's
windows integrated into per-zone sums), ``_sources`` (collections: files,
folders, globs, VRTs, STAC, URLs), ``_mosaic`` (which source measures which
part of a zone) and ``_dask`` (tasks on a dask.distributed cluster).
"""

from lzgis.zonal._coverage import class_composition, raster_coverage, window_count
from lzgis.zonal._dask import dask_client

__all__ = ["class_composition", "dask_client", "raster_coverage", "window_count"]
