"""Coverage from the command line's sources: zone and green files, or a raster.

The ``lzgis greening`` commands name their inputs as paths; this module turns
them into GeoDataFrames, checks that exactly one green source is given and
runs the matching coverage function. Every check happens before anything is
computed or written.

Sources, exactly one of:

- ``green``: one or more green-space polygon files (their union is green),
  optionally with ``green_extent``: polygon files of the area they survey
  (default: each green file's bounding box; outside is unknown, see
  :func:`lzgis.greening.coverage_from_polygons`);
- ``raster`` (one file or a collection, see :func:`lzgis.zonal.raster_coverage`)
  with ``ndvi_threshold`` (an NDVI raster) or ``classes`` (a
  classified land-cover raster);
- ``red`` and ``nir`` with ``ndvi_threshold`` (NDVI computed from two bands);
- nothing: the embedded green layers (:func:`lzgis.greening.embedded_green`),
  which cover the whole city (:func:`lzgis.greening.embedded_green_extent`).

Without ``zones`` the embedded districts are the zones (zone field ``name_en``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd

from lzgis import layers as _layers
from lzgis._errors import LzgisError, ValidationError
from lzgis._validate import require_zone_field
from lzgis.greening.coverage import coverage_from_polygons, coverage_from_raster
from lzgis.greening.embedded import (
    embedded_green,
    embedded_green_extent,
    embedded_report,
    embedded_zones,
    zone_report,
)
from lzgis.io import read_vector

__all__ = [
    "EMBEDDED_ZONE_FIELD",
    "configured_report",
    "coverage_from_sources",
    "load_zones",
    "parse_classes",
    "raster_windows",
    "source_kind",
]

EMBEDDED_ZONE_FIELD = "name_en"


def parse_classes(text: str | None) -> list[int] | None:
    """``"1,2,3"`` or ``"1-10"`` (ranges allowed) as a list of ints; None stays None."""
    if text is None:
        return None
    out: list[int] = []
    try:
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            if "-" in part[1:]:
                lo, hi = part.split("-", 1) if not part.startswith("-") else part[1:].split("-", 1)
                out.extend(range(int(lo), int(hi) + 1))
            else:
                out.append(int(part))
    except ValueError:
        raise ValidationError(
            f"`--classes` is {text!r}; expected integer class values like 1,2,3 or 1-10; "
            "fix: list the raster's green class codes"
        ) from None
    if not out:
        raise ValidationError(
            f"`--classes` is {text!r}; expected at least one class value; fix: e.g. --classes 1-10"
        )
    return out


def source_kind(
    *,
    green: Sequence[str | Path] = (),
    raster: str | Path | Sequence[str | Path] | None = None,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | Sequence[str | Path] | None = None,
    nir: str | Path | Sequence[str | Path] | None = None,
    green_extent: Sequence[str | Path] = (),
) -> str:
    """Which green source the options name: ``polygons``, ``ndvi``, ``classes``, ``red_nir`` or ``embedded``.

    Raises
    ------
    LzgisError
        Sources are mixed or incomplete (one line naming the options).
    """
    given = [
        name
        for name, on in (
            ("--green", bool(green)),
            ("--raster", raster is not None),
            ("--red/--nir", red is not None or nir is not None),
        )
        if on
    ]
    if len(given) > 1:
        raise LzgisError(
            f"{' and '.join(given)} given together; expected one green source; "
            "fix: pass --green FILES, or --raster, or --red with --nir"
        )
    if green:
        if ndvi_threshold is not None or classes is not None:
            raise LzgisError(
                "`--ndvi-threshold`/`--classes` apply to rasters, not to --green polygons; fix: drop them"
            )
        return "polygons"
    if green_extent:
        raise LzgisError(
            "`--green-extent` is the area --green polygons survey; a raster has its own extent and "
            "the embedded layers cover the city; fix: drop --green-extent, or give --green FILES"
        )
    if raster is not None:
        if (ndvi_threshold is None) == (classes is None):
            raise LzgisError(
                "`--raster` needs exactly one of --ndvi-threshold (an NDVI raster) and --classes "
                "(a land-cover raster); fix: add one, e.g. --classes 1-10 for MODIS IGBP"
            )
        return "ndvi" if ndvi_threshold is not None else "classes"
    if red is not None or nir is not None:
        if red is None or nir is None or ndvi_threshold is None or classes is not None:
            raise LzgisError(
                "`--red` and `--nir` go together with --ndvi-threshold (and without --classes); "
                "fix: pass --red RED.tif --nir NIR.tif --ndvi-threshold 0.3"
            )
        return "red_nir"
    if ndvi_threshold is not None or classes is not None:
        raise LzgisError(
            "`--ndvi-threshold`/`--classes` need a raster; fix: add --raster PATH (or --red/--nir)"
        )
    return "embedded"


def load_zones(
    path: str | Path | None, zone_field: str | None, *, encoding: str | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """The zones and their name field: a user file, or the embedded districts.

    ``encoding`` forces a Shapefile's text encoding (else detected, see
    :func:`lzgis.io.read_vector`).

    Raises
    ------
    LzgisError
        ``--zones`` without ``--zone-field``, a file that fails validation, a
        missing field.
    """
    if path is None:
        zones = _layers.load("districts")
        field = zone_field or EMBEDDED_ZONE_FIELD
    else:
        if not zone_field:
            raise LzgisError(
                f"`--zones {path}` needs `--zone-field`, the field naming each zone; "
                "fix: add e.g. --zone-field name"
            )
        # kept in their own CRS: each analysis projects them once, straight to
        # the raster's (or an equal-area) CRS, as the Python API does
        zones = read_vector(
            path, id_field=zone_field, geometry_type="Polygon", to_wgs84=False, encoding=encoding
        )
        field = zone_field
    require_zone_field(zones, field, name=str(path or "districts"))
    return zones, field


def raster_windows(
    zones: gpd.GeoDataFrame,
    raster: str | Path | Sequence[str | Path],
    *,
    prefer: str = "given",
) -> int:
    """Number of windows the raster work will report (the progress bar's length)."""
    from lzgis import zonal

    return int(zonal.window_count(zones, raster, prefer=prefer))


def coverage_from_sources(
    zones: gpd.GeoDataFrame,
    *,
    zone_field: str,
    green: Sequence[str | Path] = (),
    raster: str | Path | Sequence[str | Path] | None = None,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | Sequence[str | Path] | None = None,
    nir: str | Path | Sequence[str | Path] | None = None,
    band: int = 1,
    prefer: str = "given",
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    green_extent: Sequence[str | Path] = (),
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Coverage per zone from whichever single source is given (see the module doc).

    ``encoding`` forces the text encoding of Shapefile green layers.

    Returns the frame of :func:`lzgis.greening.coverage_from_polygons` or
    :func:`lzgis.greening.coverage_from_raster`.
    """
    kind = source_kind(
        green=green,
        raster=raster,
        ndvi_threshold=ndvi_threshold,
        classes=classes,
        red=red,
        nir=nir,
        green_extent=green_extent,
    )
    if kind == "polygons":
        layers = [
            read_vector(p, id_field=None, geometry_type="Polygon", encoding=encoding) for p in green
        ]
        extent = [
            read_vector(p, id_field=None, geometry_type="Polygon", encoding=encoding)
            for p in green_extent
        ]
        return coverage_from_polygons(zones, layers, zone_field=zone_field, extent=extent or None)
    if kind == "embedded":
        return coverage_from_polygons(
            zones, embedded_green(), zone_field=zone_field, extent=embedded_green_extent()
        )
    path = raster if kind != "red_nir" else red
    assert path is not None
    return coverage_from_raster(
        zones,
        path,
        zone_field=zone_field,
        classes=classes,
        ndvi_threshold=ndvi_threshold,
        nir=nir if kind == "red_nir" else None,
        band=band,
        prefer=prefer,
        client=client,
        progress=progress,
    )


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
