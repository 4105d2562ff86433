"""Interactive web maps of the plan: overview, greening, land allocation and projects.

Each map is a function of GeoDataFrames/DataFrames returning one HTML page as a
:class:`MapPage` (``.html``, ``.save(path)``, inline display in Jupyter), built
with one :class:`MapOptions` (basemap, key, offline): bilingual (Chinese / English), every data value
HTML-escaped, a scale bar, a find-by-name box, a legend and a visible note on
schematic layers. ``offline=True`` inlines Leaflet and the plugins (vendored
from npm with their licences in ``_vendor/``) and the lzgis runtime; by default
pages link them in ``assets/``. The same inputs give
byte-identical pages. :mod:`lzgis.publish` writes them all with an index.
"""

from __future__ import annotations

from lzgis.maps import bureau_report
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps.allocation import allocation_map
from lzgis.maps.greening import greening_map
from lzgis.maps.index import index_page
from lzgis.maps.overview import overview_map
from lzgis.maps.projects import projects_map
from lzgis.maps.snapshots import snapshot
from lzgis.maps.trend import trend_page

__all__ = [
    "MapOptions",
    "MapPage",
    "allocation_map",
    "bureau_report",
    "greening_map",
    "index_page",
    "overview_map",
    "projects_map",
    "snapshot",
    "trend_page",
]
