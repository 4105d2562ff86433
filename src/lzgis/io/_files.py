"""Reading and writing files: the one place paths become GeoDataFrames.

Reads go through GDAL (pyogrio for whole files, fiona when streaming), are
validated by :mod:`lzgis._validate` and come back in EPSG:4326 unless asked
otherwise. Every write is atomic: the data goes to a temporary file in the
target's directory and is renamed over the target only when complete, so a
crash or a bad input never leaves a half-written file.

Examples
--------
>>> import geopandas as gpd, tempfile, pathlib
>>> from shapely import Point
>>> g = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(103.8, 36.0)], crs=4326)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "a.gpkg"
>>> write_vector(g, out)
>>> read_vector(out)["id"].tolist()
['a']
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import geopandas as gpd

from lzgis._encoding import read_encoding
from lzgis._errors import LayerError, OutputError
from lzgis._paths import choose_layer, split_layer
from lzgis._validate import require_path, validate_frame
from lzgis.io._atomic import make_parent, no_space

__all__ = [
    "DRIVERS",
    "atomic_path",
    "driver_for",
    "read_vector",
    "write_text",
    "write_vector",
    "write_vectors",
]

DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile"}
_SHP_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def driver_for(path: str | Path) -> str:
    """GDAL driver name for a vector path, by its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in DRIVERS:
        raise OutputError(
            f"{path}: unknown vector format {suffix or '(no suffix)'!r}; "
            f"expected one of {', '.join(sorted(DRIVERS))}; fix: change the suffix of `--to`/`--out`"
        )
    return DRIVERS[suffix]


def read_vector(
    path: str | Path,
    *,
    layer: str | None = None,
    id_field: str | None = "id",
    geometry_type: str | None = None,
    required_fields: Iterable[str] = (),
    to_wgs84: bool = True,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate a vector file.

    Parameters
    ----------
    path
        A GeoPackage, GeoJSON, Shapefile or anything else GDAL reads;
        ``PATH.gpkg:LAYER`` names one layer of a multi-layer file.
    layer
        Layer name inside a multi-layer file (the same as ``PATH:LAYER``).
    id_field, geometry_type, required_fields
        What :func:`lzgis._validate.validate_frame` checks (including
        coordinates that are impossible for the file's CRS).
    to_wgs84
        Reproject to EPSG:4326 (the default).
    encoding
        A Shapefile's text encoding (e.g. ``"gbk"``). Without it, a Shapefile
        with no ``.cpg`` whose text is not UTF-8 but decodes as GB18030 is read
        as GB18030, with one line on the ``lzgis`` logger.

    Raises
    ------
    LayerError
        The file is missing or not geodata; several layers and none named.
    ValidationError
        No CRS, invalid or unexpected geometry, impossible coordinates, missing
        fields, empty layer.
    """
    p, named = split_layer(path)
    p = require_path(p)
    layer = choose_layer(p, layer or named)
    opts: dict[str, str] = {"layer": layer} if layer else {}
    enc = read_encoding(p, encoding)
    if enc:
        opts["encoding"] = enc
    try:
        gdf = gpd.read_file(p, **opts)
    except Exception as exc:  # GDAL raises many types; all mean "cannot read this"
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise LayerError(
            f"{p}: unreadable or not geodata ({first}); "
            "fix: give a GeoPackage, GeoJSON or Shapefile that GDAL can open"
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise LayerError(
            f"{p}: has no geometry column; fix: give a spatial file, not a plain table"
        )
    validate_frame(
        gdf,
        path=str(p),
        id_field=id_field,
        geometry_type=geometry_type,
        required_fields=required_fields,
    )
    if to_wgs84 and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` on success.

    The temporary file keeps ``path``'s suffix (GDAL picks drivers by it). On
    any exception the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    parent = make_parent(target)
    # A fresh random name, not a created file: the writer creates it (some GDAL drivers
    # refuse to overwrite), and an interrupt before the writer starts leaves nothing behind.
    tmp = parent / f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}"
    try:
        with no_space(target, parent):
            yield tmp
        if not tmp.exists():
            raise OutputError(f"{target}: the writer produced nothing")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _shapefile_names(columns: Iterable[str]) -> dict[str, str]:
    """Field names a .dbf can hold (10 bytes, unique regardless of case): {long name: short name}."""

    def cut(name: str, size: int) -> str:
        out = ""
        for ch in name:
            if len((out + ch).encode("utf-8")) > size:
                break
            out += ch
        return out

    taken: set[str] = set()
    renamed: dict[str, str] = {}
    for name in columns:
        short = cut(name, 10)
        n = 0
        while short.casefold() in taken:
            n += 1
            short = cut(name, 10 - len(f"_{n}")) + f"_{n}"
        taken.add(short.casefold())
        if short != name:
            renamed[name] = short
    return renamed


def _write_shapefile(gdf: gpd.GeoDataFrame, target: Path) -> None:
    """Write a shapefile's sidecar files into a temporary folder, then move each in.

    Field names longer than a .dbf holds are shortened first, said in one line
    on the ``lzgis`` logger; a layer mixing geometry types is refused (a
    Shapefile holds one).
    """
    from lzgis._geometry import family

    families = sorted({family(g) for g in gdf.geometry if g is not None and not g.is_empty})
    if len(families) > 1:
        raise OutputError(
            f"{target}: a Shapefile holds one geometry type but the data has {', '.join(families)}; "
            "fix: write a .gpkg or .geojson instead"
        )
    renamed = _shapefile_names(c for c in gdf.columns if c != gdf.geometry.name)
    if renamed:
        gdf = gdf.rename(columns=renamed)
        logging.getLogger("lzgis").warning(
            "%s: Shapefile field names hold at most 10 bytes; shortened %s",
            target,
            ", ".join(f"{k} → {v}" for k, v in renamed.items()),
        )
    parent = make_parent(target)
    with no_space(target, parent):
        tmpdir = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", dir=parent))
    try:
        staged = tmpdir / target.name
        with no_space(target, parent):
            gdf.to_file(staged, driver="ESRI Shapefile", encoding="UTF-8")
        for suffix in _SHP_SIDECARS:
            part = staged.with_suffix(suffix)
            if part.exists():
                os.replace(part, target.with_suffix(suffix))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_gpkg_layer(
    gdf: gpd.GeoDataFrame, path: Path, *, layer: str, geometry_type: str | None = None
) -> None:
    """Add ``gdf`` as ``layer`` to the GeoPackage at ``path`` (not atomic: the callers are).

    Through GDAL's Arrow interface: the same file as feature by feature,
    about a third faster at 10,000 zones.
    """
    extra = {"geometry_type": geometry_type} if geometry_type else {}
    gdf.to_file(path, driver="GPKG", layer=layer, engine="pyogrio", use_arrow=True, **extra)


def write_vector(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None) -> None:
    """Write ``gdf`` atomically; the format follows the suffix (.gpkg, .geojson, .shp).

    Parameters
    ----------
    gdf
        Data with a CRS.
    path
        Output path. An existing file is replaced only once the new one is complete.
    layer
        Layer name inside a GeoPackage (default: the file's stem).
    """
    target = Path(path)
    driver = driver_for(target)
    if gdf.crs is None:
        raise OutputError(f"{target}: refusing to write data without a CRS; fix: `set_crs()` first")
    if driver == "ESRI Shapefile":
        _write_shapefile(gdf, target)
        return
    with atomic_path(target) as tmp:
        # the layer name is the target's stem, not the temporary file's (GeoJSON
        # stores it as "name"), so the same data give the same bytes
        if driver == "GPKG":
            write_gpkg_layer(gdf, tmp, layer=layer or target.stem)
        else:
            gdf.to_file(tmp, driver=driver, layer=layer or target.stem)


def write_vectors(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    styles: Mapping[str, str] | None = None,
) -> None:
    """Write several named layers into one GeoPackage, atomically as a whole.

    ``styles`` maps layer names to QGIS QML styles (see :mod:`lzgis.io.qgis_styles`),
    stored in the GeoPackage's ``layer_styles`` table as each layer's default.
    """
    target = Path(path)
    if driver_for(target) != "GPKG":
        raise OutputError(f"{target}: several layers need a GeoPackage; fix: use a .gpkg suffix")
    with atomic_path(target) as tmp:
        for name, gdf in layers.items():
            write_gpkg_layer(gdf, tmp, layer=name)
        if styles:
            from lzgis.io.qgis_styles import add_styles

            add_styles(tmp, styles)


def write_text(text: str, path: str | Path) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
