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

Without ``zones`` the embedded districts are the zones (zone field ``name_en``);
a zones file keeps its own CRS (outputs are written in it).

Options shared by ``greening coverage``, ``greening check``, ``greening
report`` (and the trend commands): ``within`` (measure each zone only inside
a boundary, e.g. the built-up area 建成区), ``ndvi_scale`` (raw NDVI × scale),
and the output's ``data_share`` (1 − unknown) with every attribute of the
zones passed through (:func:`coverage_from_sources`). :func:`zone_name_notes`
names duplicate and missing zone names once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lzgis import layers as _layers
from lzgis._errors import LzgisError, ValidationError
from lzgis._validate import require_crs, require_zone_field
from lzgis.greening.coverage import coverage_from_polygons, zones_frame
from lzgis.greening.embedded import embedded_green, embedded_green_extent
from lzgis.greening.zones import (
    UNNAMED,
    clip_to_within,
    missing_names,
    zone_name_notes,
    zones_disjoint,
    zones_union,
)
from lzgis.io import read_vector
from lzgis.zonal import EXTRA_ZONE
from lzgis.zonal._coverage import coverage_and_extra
from lzgis.zonal._engine import cores

__all__ = [
    "EMBEDDED_ZONE_FIELD",
    "RASTER_SUFFIXES",
    "UNNAMED",
    "clip_to_within",
    "coverage_from_sources",
    "coverage_with_total",
    "forest_from_sources",
    "load_zones",
    "parse_classes",
    "raster_windows",
    "source_kind",
    "zone_name_notes",
    "zones_disjoint",
]

EMBEDDED_ZONE_FIELD = "name_en"
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".jp2")


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
    """The zones and their name field: a user file (in its own CRS), or the embedded districts.

    Missing names are replaced by :data:`UNNAMED` with the row number (see
    :func:`zone_name_notes` for the warning).

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
    missing = missing_names(zones[field])
    if missing.any():
        zones = zones.copy()
        rows = np.flatnonzero(missing.to_numpy()) + 1
        zones[field] = zones[field].astype(object)
        zones.loc[missing.to_numpy(), field] = [UNNAMED.format(row=r) for r in rows]
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
    ndvi_scale: float | None = None,
    within: str | Path | None = None,
    prefer: str = "given",
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    green_extent: Sequence[str | Path] = (),
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Coverage per zone from whichever single source is given (see the module doc).

    ``encoding`` forces the text encoding of Shapefile green layers.

    Returns the frame of :func:`lzgis.greening.coverage_from_polygons` or
    :func:`lzgis.greening.coverage_from_raster` (in the zones' CRS) plus
    ``data_share`` (1 − unknown) after ``unknown``, then every attribute of
    ``zones`` (a name that clashes with a result column gets the prefix
    ``zones_``). With ``within`` each zone is measured inside that boundary
    only and the geometry is the zone ∩ boundary.
    """
    result, _ = coverage_with_total(
        zones,
        zone_field=zone_field,
        green=green,
        raster=raster,
        ndvi_threshold=ndvi_threshold,
        classes=classes,
        red=red,
        nir=nir,
        band=band,
        ndvi_scale=ndvi_scale,
        within=within,
        prefer=prefer,
        client=client,
        progress=progress,
        green_extent=green_extent,
        encoding=encoding,
        total=False,
    )
    return result


def _total(frame: pd.DataFrame) -> dict[str, float]:
    area, data = float(frame["area_km2"].sum()), float(frame["data_km2"].sum())
    green = float(frame["green_km2"].sum())
    share = data / area if area > 0 else float("nan")
    return {
        "area_km2": area,
        "data_km2": data,
        "green_km2": green,
        "coverage": green / data if data > 0 else float("nan"),
        "unknown": 1.0 - share,
        "data_share": share,
    }


def coverage_with_total(
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
    ndvi_scale: float | None = None,
    within: str | Path | None = None,
    prefer: str = "given",
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    green_extent: Sequence[str | Path] = (),
    encoding: str | None = None,
    total: bool = True,
) -> tuple[gpd.GeoDataFrame, dict[str, float] | None]:
    """:func:`coverage_from_sources` and the total for all zones together (their union).

    Zones that share no interior: the total is the sum of the zones (exact).
    Overlapping zones: their union is measured as one more zone *in the same
    pass* over the source, so the overlap is never counted twice and the
    raster is read once; from a raster the union is made on a second thread
    while the zones are checked and planned. Returns ``(result, total)``
    with ``total`` holding ``area_km2``, ``data_km2``, ``green_km2``,
    ``coverage``, ``unknown`` and ``data_share`` (None when ``total`` is
    False). ``encoding`` forces the
    text encoding of Shapefile green, extent and ``within`` layers.
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
    if ndvi_scale is not None and (kind != "ndvi" or not ndvi_scale > 0):
        raise LzgisError(
            f"`--ndvi-scale {ndvi_scale}` applies to an NDVI raster (--raster with --ndvi-threshold) "
            "and must be positive; fix: e.g. --ndvi-scale 0.0001 for int16 × 10000"
        )
    measured = zones
    if within is not None:
        boundary = read_vector(
            within, id_field=None, geometry_type="Polygon", to_wgs84=False, encoding=encoding
        )
        measured = clip_to_within(zones, boundary)
    geoms = np.asarray(measured.geometry.values, dtype=object)
    empty = np.asarray(shapely.is_empty(geoms))
    part = measured[~empty] if empty.any() else measured
    if len(part) == 0:
        raise LzgisError(
            f"`--within {within}`: no zone overlaps the boundary; fix: check the boundary file and its CRS"
        )
    totals = None
    if kind in ("polygons", "embedded"):
        # the union first, measured as one more zone (labelled as a raster pass labels it)
        shape = zones_union(geoms[~empty]) if total else None
        if shape is not None:
            extra = gpd.GeoDataFrame(
                {zone_field: [EXTRA_ZONE]},
                geometry=[shape],
                crs=part.crs,
                index=pd.Index([EXTRA_ZONE]),
            )
            part = pd.concat([part[[zone_field, part.geometry.name]], extra])
        if kind == "polygons":
            layers = [
                read_vector(
                    p, id_field=None, geometry_type="Polygon", to_wgs84=False, encoding=encoding
                )
                for p in green
            ]
            extent = [
                read_vector(
                    p, id_field=None, geometry_type="Polygon", to_wgs84=False, encoding=encoding
                )
                for p in green_extent
            ]
            result = coverage_from_polygons(
                part, layers, zone_field=zone_field, extent=extent or None
            )
        else:
            result = coverage_from_polygons(
                part, embedded_green(), zone_field=zone_field, extent=embedded_green_extent()
            )
        if shape is not None:
            totals = _total(result.iloc[-1:])
            result = result.iloc[:-1]
    else:
        path = raster if kind != "red_nir" else red
        assert path is not None
        with ThreadPoolExecutor(max_workers=1) as pool:
            # the union on the pool's thread while the zones are checked and planned, then
            # measured in the same pass (raster_coverage's `extra`); its kernel leaves a core
            # to this thread (on two cores it ends before the planning, not after it)
            pending = (
                pool.submit(zones_union, geoms[~empty], rings=True, threads=max(1, cores() - 1))
                if total
                else None
            )
            # the zones' rows, and the union's apart (no label added to the zones' index)
            require_crs(part, name="zones")
            require_zone_field(part, zone_field)
            table, row = coverage_and_extra(
                part,
                path,
                classes=classes,
                ndvi_threshold=ndvi_threshold,
                nir=nir if kind == "red_nir" else None,
                band=band,
                ndvi_scale=ndvi_scale,
                prefer=prefer,
                client=client,
                progress=progress,
                extra=pending,
            )
            result = zones_frame(table, part, zone_field)
        if row is not None:
            totals = _total(row)
    out = _with_attributes(result, measured, zone_field)
    if total and totals is None:
        totals = _total(out)
    return out, totals


def _with_attributes(
    result: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, zone_field: str
) -> gpd.GeoDataFrame:
    """Reindex to every zone (empty ones: 0 km², no coverage), add data_share and the attributes."""
    frame = pd.DataFrame(result)
    if not frame.index.equals(zones.index):  # zones left out of the measurement (empty ones)
        frame = frame.reindex(zones.index)
        missing = frame["zone"].isna().to_numpy()
        frame.loc[missing, "zone"] = zones.loc[missing, zone_field].to_numpy()
        frame.loc[missing, ["area_km2", "data_km2", "green_km2"]] = 0.0
        frame.loc[missing, "unknown"] = 1.0
    # one frame from the columns (positional: the rows are in the zones' order)
    columns: dict[str, Any] = {}
    for col in frame.columns:
        if col == result.geometry.name:
            continue
        columns[col] = frame[col].array
        if col == "unknown":
            columns["data_share"] = 1.0 - frame[col].to_numpy(dtype=float)
    taken = set(columns) | {"geometry"}
    for col in zones.columns:
        if col == zones.geometry.name:
            continue
        name = col if col not in taken else f"zones_{col}"
        columns[name] = zones[col].array
        taken.add(name)
    return gpd.GeoDataFrame(
        columns, index=zones.index, geometry=zones.geometry.values, crs=zones.crs
    )


def forest_from_sources(
    zones: gpd.GeoDataFrame,
    *,
    zone_field: str,
    forest: Sequence[str | Path],
    forest_classes: Sequence[int] | None = None,
    band: int = 1,
    within: str | Path | None = None,
    encoding: str | None = None,
    total: bool = False,
) -> tuple[gpd.GeoDataFrame, dict[str, float] | None]:
    """Forest coverage per zone from forest polygons or a land-cover raster's forest classes.

    ``forest`` is one raster (``.tif`` …, with ``forest_classes``, e.g.
    MODIS IGBP 1-5) or one or more polygon files (their union is forest).
    Returns the frame of :func:`coverage_from_sources` with ``coverage``
    renamed ``forest_coverage`` and ``land_km2`` (= ``data_km2``), and with
    ``total`` the union total of :func:`coverage_with_total` (else None).
    """
    paths = [Path(p) for p in forest]
    rasters = [p for p in paths if p.suffix.lower() in RASTER_SUFFIXES]
    if rasters and (len(paths) > 1 or forest_classes is None):
        raise LzgisError(
            f"`--forest {rasters[0]}` is a raster: give it alone with `--forest-classes` "
            "(e.g. 1-5 for MODIS IGBP forests, 10 for WorldCover trees); fix: add --forest-classes"
        )
    if not rasters and forest_classes is not None:
        raise LzgisError(
            "`--forest-classes` applies to a forest raster; fix: drop it for forest polygons"
        )
    source: dict[str, object] = (
        {"raster": rasters[0], "classes": forest_classes, "band": band}
        if rasters
        else {"green": paths}
    )
    out, totals = coverage_with_total(
        zones,
        zone_field=zone_field,
        within=within,
        encoding=encoding,
        total=total,
        **source,  # type: ignore[arg-type]
    )
    out = out.rename(columns={"coverage": "forest_coverage"})
    out.insert(list(out.columns).index("forest_coverage") + 1, "land_km2", out["data_km2"])
    return out, totals
