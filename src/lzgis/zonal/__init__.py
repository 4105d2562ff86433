"""Exact zonal statistics of rasters: green coverage and land-cover composition per zone.

Public API: :func:`raster_coverage`, :func:`class_composition`, :func:`window_count`.

Inside: ``_coverage`` (the windowed driver and the public functions), ``_geom``
(exact pixel fractions by Green's theorem along the zones' edges) and
``_raster`` (windows, masks, NDVI and class tests on the raster side).
"""

from lzgis.zonal._coverage import class_composition, raster_coverage, window_count

__all__ = ["class_composition", "raster_coverage", "window_count"]
