"""lzgis: Lanzhou's 2012 multi-pole breakthrough plan as GIS layers, numbers and maps.

The flow is one way: :mod:`lzgis.layers` (embedded or user data) feed the
analyses (:mod:`lzgis.greening`, :mod:`lzgis.allocation`,
:mod:`lzgis.projects`), whose result tables feed the maps (:mod:`lzgis.maps`).
"""

from lzgis._errors import (
    CRSError,
    LayerError,
    LzgisError,
    OutputError,
    RasterError,
    ValidationError,
)

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "LayerError",
    "LzgisError",
    "OutputError",
    "RasterError",
    "ValidationError",
    "__version__",
]
