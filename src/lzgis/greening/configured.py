"""The greening report the published site is built from: the embedded plan, or measured green.

:func:`configured_report` reads the ``[greening]`` table of the config file
(``lzgis --config`` or ``$LZGIS_CONFIG``): without it the site shows the
embedded report; with it the embedded zones are measured against the
bureau's own green, with the same options as ``lzgis greening coverage``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from lzgis import layers as _layers
from lzgis._errors import LzgisError
from lzgis.greening.embedded import embedded_report, embedded_zones, zone_report
from lzgis.greening.sources import coverage_from_sources, parse_classes, source_kind

__all__ = ["configured_report"]

_CONFIG_KEYS = ("raster", "ndvi_threshold", "classes", "green", "red", "nir", "band")


def configured_report(*, config: str | Path | None = None) -> gpd.GeoDataFrame:
    """The greening report the site is built from: measured green if the config names it.

    Without a ``[greening]`` table in the config file (``config`` or
    ``$LZGIS_CONFIG``) this is :func:`lzgis.greening.embedded_report`
    (``basis = "planned_zones"``). With one, the same options as
    ``lzgis greening coverage`` name the bureau's green (``raster`` with
    ``classes`` or ``ndvi_threshold``, ``red`` + ``nir``, or ``green`` = a list
    of polygon files; paths relative to the config file), the embedded zones
    are measured against it and checked against the plan's target
    (``basis = "measured"``)::

        [greening]
        raster = "worldcover.tif"
        classes = [10, 20, 30, 90, 95]

    Raises
    ------
    LzgisError
        An unknown key, a wrong type, or no green source (one line naming the file).
    """
    path, table = _layers.config_table("greening", config=config)
    if not table:
        return embedded_report()
    unknown = sorted(set(table) - set(_CONFIG_KEYS))
    if unknown:
        raise LzgisError(
            f"{path}: unknown key(s) {', '.join(unknown)} in [greening]; expected "
            f"{', '.join(_CONFIG_KEYS)}; fix: correct the file"
        )
    base = path.parent

    def _path(value: object, key: str) -> Path:
        if not isinstance(value, str):
            raise LzgisError(f'{path}: [greening] {key} must be a path string; fix: {key} = "file"')
        p = Path(value)
        return p if p.is_absolute() else base / p

    green_value = table.get("green", [])
    green = [green_value] if isinstance(green_value, str) else list(green_value)
    classes_value = table.get("classes")
    if isinstance(classes_value, str):
        classes = parse_classes(classes_value)
    elif classes_value is None:
        classes = None
    else:
        try:
            classes = [int(c) for c in classes_value]
        except (TypeError, ValueError):
            raise LzgisError(
                f"{path}: [greening] classes must be integers like [10, 20]; fix: correct the file"
            ) from None
    threshold = table.get("ndvi_threshold")
    green_paths = [_path(g, "green") for g in green]
    raster = _path(table["raster"], "raster") if "raster" in table else None
    red = _path(table["red"], "red") if "red" in table else None
    nir = _path(table["nir"], "nir") if "nir" in table else None
    ndvi = float(threshold) if threshold is not None else None
    try:
        kind = source_kind(
            green=green_paths, raster=raster, ndvi_threshold=ndvi, classes=classes, red=red, nir=nir
        )
    except LzgisError as exc:
        raise LzgisError(f"{path}: [greening]: {exc}") from None
    if kind == "embedded":
        raise LzgisError(
            f"{path}: [greening] names no green source; expected raster (with classes or "
            'ndvi_threshold), red + nir, or green = ["polygons.gpkg"]; fix: add one'
        )
    zones = embedded_zones()
    cov = coverage_from_sources(
        zones,
        zone_field="zone",
        green=green_paths,
        raster=raster,
        ndvi_threshold=ndvi,
        classes=classes,
        red=red,
        nir=nir,
        band=int(table.get("band", 1)),
    )
    used = green_paths or [p for p in (raster, red) if p is not None]
    sources = ", ".join(p.name for p in used)
    return zone_report(zones, cov, note=f"measured green from {sources} ({kind})", basis="measured")
