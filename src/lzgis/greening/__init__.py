"""Greening coverage for the forestry bureau: the standard metrics, targets and checks.

- :func:`coverage_from_polygons`, :func:`coverage_from_raster`: green
  coverage per zone from green-space polygons (union, never the sum) or from
  imagery (NDVI, red + NIR, or a classified land-cover raster).
- :mod:`lzgis.greening.metrics`: greening coverage, green space ratio (with
  the 20% cap on regional green), per-capita park green, park service-radius
  coverage, forest coverage.
- :func:`load_targets`, :func:`check`: the plan's 2015 targets and the
  national thresholds (``lzgis/data/targets.toml``) and the pass/fail check
  with the shortfall in km².
- :func:`trend`: coverage per zone and year, the change, gain and loss
  between years and the pace toward a target (:mod:`lzgis.greening.yearly`).
- :func:`embedded_report`, :func:`modis_district_report`: the same on the
  embedded Lanzhou layers and the MODIS land-cover raster.
- :mod:`lzgis.greening.sources` (files to coverage: ``--within``,
  ``ndvi_scale``, ``data_share``, zone attributes, union totals),
  :mod:`lzgis.greening.zones` (names, ``--within``, overlaps),
  :mod:`lzgis.greening.verdicts` (enough data or no verdict; per scheme) and
  :mod:`lzgis.greening.outputs` (CSV, .xlsx and styled GeoPackage for people).
"""

from lzgis.greening.coverage import COVERAGE_COLUMNS, coverage_from_polygons, coverage_from_raster
from lzgis.greening.embedded import (
    embedded_green,
    embedded_green_extent,
    embedded_report,
    embedded_zones,
    modis_district_report,
    modis_path,
)
from lzgis.greening.metrics import (
    forest_coverage,
    green_space_ratio,
    greening_coverage,
    per_capita_park_green,
    service_radius_coverage,
)
from lzgis.greening.targets import DEFAULT_SCHEME, check, load_targets, scheme_names
from lzgis.greening.yearly import TREND_COLUMNS, trend

__all__ = [
    "COVERAGE_COLUMNS",
    "DEFAULT_SCHEME",
    "TREND_COLUMNS",
    "check",
    "coverage_from_polygons",
    "coverage_from_raster",
    "embedded_green",
    "embedded_green_extent",
    "embedded_report",
    "embedded_zones",
    "forest_coverage",
    "green_space_ratio",
    "greening_coverage",
    "load_targets",
    "modis_district_report",
    "modis_path",
    "per_capita_park_green",
    "scheme_names",
    "service_radius_coverage",
    "trend",
]
