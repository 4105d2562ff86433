"""Files in and out: the one place paths become GeoDataFrames, and atomic writes.

Public API: :func:`read_vector`, :func:`write_vector`, :func:`write_vectors`,
:func:`write_table`, :func:`for_people` (numbers rounded for people), :func:`write_text`, :func:`atomic_path`,
:func:`atomic_dir` (whole output sets), :func:`require_output_folder`,
:func:`driver_for`; :mod:`lzgis.io.qgis_styles` (QGIS styles inside
GeoPackages).

Inside: ``_files`` (reading, atomic writing), ``_atomic`` (output folders
swapped in whole, a full disk named), ``_tables`` (CSV with BOM and ``.xlsx``
for people) and ``_styled_gpkg`` (styled
GeoPackages for points, lines and polygons).
"""

from lzgis.io._atomic import atomic_dir, require_output_folder
from lzgis.io._files import (
    DRIVERS,
    atomic_path,
    driver_for,
    read_vector,
    write_text,
    write_vector,
    write_vectors,
)
from lzgis.io._tables import (
    PEOPLE_DIGITS,
    TABLE_SUFFIXES,
    Sheet,
    for_people,
    people_digits,
    people_formats,
    write_table,
)

__all__ = [
    "DRIVERS",
    "PEOPLE_DIGITS",
    "TABLE_SUFFIXES",
    "Sheet",
    "atomic_dir",
    "atomic_path",
    "driver_for",
    "for_people",
    "people_digits",
    "people_formats",
    "read_vector",
    "require_output_folder",
    "write_table",
    "write_text",
    "write_vector",
    "write_vectors",
]
