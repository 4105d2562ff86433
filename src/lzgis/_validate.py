"""Checks on paths, files and GeoDataFrames.

Every check returns problems as one-line strings of the form
``"<file>: feature <id>: <what is wrong>; <the fix>"`` or raises one of the
:mod:`lzgis._errors` classes with such a line. Nothing here writes anything.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from lzgis._coords import CoordinateCheck
from lzgis._encoding import GARBLED_HINT, looks_garbled, read_encoding
from lzgis._errors import CRSError, LayerError, RasterError, ValidationError
from lzgis._paths import choose_layer, split_layer

# Geometry families: a layer declared "Polygon" accepts Polygon and MultiPolygon.
_FAMILIES = {
    "Point": {"Point", "MultiPoint"},
    "LineString": {"LineString", "MultiLineString"},
    "Polygon": {"Polygon", "MultiPolygon"},
}


def family_of(geom_type: str) -> str | None:
    """Return "Point", "LineString" or "Polygon" for a geometry type name."""
    name = geom_type.replace("3D ", "").replace(" Z", "").replace("Z", "") if geom_type else ""
    for family, members in _FAMILIES.items():
        if name in members:
            return family
    return None


def allowed_types(declared: str) -> set[str]:
    """Geometry type names allowed by a catalogue's ``geometry_type`` entry.

    ``declared`` is one family or several joined by ``|`` ("Point|LineString").
    """
    out: set[str] = set()
    for part in declared.split("|"):
        out |= _FAMILIES.get(part.strip(), {part.strip()})
    return out


def require_crs(
    data: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str, path: str | None = None
) -> None:
    """Raise :class:`CRSError` when ``data`` has no CRS."""
    if data.crs is None:
        where = f"{path}: " if path else ""
        raise CRSError(
            f"{where}`{name}` has no CRS; expected one (e.g. EPSG:4326); "
            f"fix: add a .prj / CRS to the file, or call `set_crs()` when you know it"
        )


def require_same_crs(
    left: gpd.GeoDataFrame | gpd.GeoSeries,
    right: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    names: tuple[str, str] = ("left", "right"),
) -> None:
    """Raise :class:`CRSError` naming both CRSs when they differ."""
    require_crs(left, name=names[0])
    require_crs(right, name=names[1])
    if not CRS(left.crs).equals(CRS(right.crs)):
        raise CRSError(
            f"CRS mismatch: `{names[0]}` is {CRS(left.crs).to_string()} but `{names[1]}` is "
            f"{CRS(right.crs).to_string()}; fix: call `{names[1]}.to_crs({names[0]}.crs)` first"
        )


def _feature_label(fid: Any) -> str:
    return f"feature {fid}"


def geometry_problem(geom: shapely.Geometry | None, allowed: set[str] | None) -> str | None:
    """Return what is wrong with one geometry and how to fix it, or None."""
    if geom is None or shapely.is_empty(geom):
        return "has no geometry; fix: give it a geometry or drop the feature"
    if allowed is not None and geom.geom_type not in allowed:
        return (
            f"has geometry type {geom.geom_type}, expected {'/'.join(sorted(allowed))}; "
            "fix: convert or drop the feature"
        )
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        return f"invalid geometry ({reason}); fix: repair it (QGIS 'Fix geometries' or shapely.make_valid)"
    return None


def all_valid_polygons(geoms: Any) -> bool:
    """True when every geometry is a non-empty valid (Multi)Polygon (vectorised fast path)."""
    arr = np.asarray(geoms, dtype=object)
    if any(g is None for g in arr):
        return False
    types = shapely.get_type_id(arr)
    return bool(
        np.all((types == 3) | (types == 6))
        and not shapely.is_empty(arr).any()
        and shapely.is_valid(arr).all()
    )


def _found(names: Iterable[object]) -> str:
    """``found a, b`` for a message listing field names, with the encoding hint when they look garbled."""
    listed = [str(n) for n in names]
    text = f"found {', '.join(listed) or 'none'}"
    return f"{text}; {GARBLED_HINT}" if looks_garbled(listed) else text


class GeometryChecks:
    """The one set of geometry checks every reader and ``lzgis layers validate`` run.

    Per feature: present, of an allowed type, valid, not a GeometryCollection.
    Per layer: one geometry family when no type is declared (no points mixed
    with polygons), and coordinates possible in the layer's CRS
    (:class:`lzgis._coords.CoordinateCheck`). Fed in batches, so a streamed
    file and an in-memory frame get exactly the same checks.
    """

    def __init__(self, *, path: str, crs: Any, allowed: set[str] | None) -> None:
        self.path = path
        self.allowed = allowed
        self.coords = CoordinateCheck(crs, path=path)
        self.families: dict[str, tuple[Any, int]] = {}

    def feed(self, ids: list[Any], geoms: Any) -> list[str]:
        """Problems of one batch of features (one line each); layer-wide ones come from :meth:`finish`."""
        arr = np.asarray(geoms, dtype=object)
        problems: list[str] = []
        for fid, geom in zip(ids, arr, strict=True):
            problem = geometry_problem(geom, self.allowed)
            if problem is None and geom.geom_type == "GeometryCollection":
                problem = (
                    "is a GeometryCollection; expected points, lines or polygons; "
                    "fix: explode it into its parts (QGIS 'Multipart to singleparts')"
                )
            if problem:
                problems.append(f"{self.path}: {_feature_label(fid)} {problem}")
            elif self.allowed is None:
                fam = family_of(geom.geom_type) or geom.geom_type
                first, n = self.families.get(fam, (fid, 0))
                self.families[fam] = (first, n + 1)
        present = np.array([g is not None for g in arr], dtype=bool)
        bounds = np.full((len(arr), 4), np.nan)
        if present.any():
            bounds[present] = shapely.bounds(arr[present].astype(object))
        self.coords.feed(ids, bounds)
        return problems

    def finish(self) -> list[str]:
        """Layer-wide problems: mixed geometry families, impossible coordinates."""
        problems: list[str] = []
        if len(self.families) > 1:
            parts = ", ".join(
                f"{fam} {n} (first: feature {first})" for fam, (first, n) in self.families.items()
            )
            problems.append(
                f"{self.path}: mixes geometry types ({parts}); expected one type per layer; "
                "fix: split the file by geometry type (QGIS 'Split vector layer', or `ogr2ogr -where`)"
            )
        coords = self.coords.problem()
        if coords:
            problems.append(coords)
        return problems


def frame_problems(
    gdf: gpd.GeoDataFrame,
    *,
    path: str,
    id_field: str | None = "id",
    geometry_type: str | None = None,
    required_fields: Iterable[str] = (),
) -> list[str]:
    """All problems of an in-memory GeoDataFrame, one line each."""
    problems: list[str] = []
    if gdf.crs is None:
        problems.append(f"{path}: no CRS; fix: add a .prj / CRS to the file, or `set_crs()` it")
    missing = [f for f in required_fields if f not in gdf.columns]
    if missing:
        problems.append(
            f"{path}: missing required field(s) {', '.join(missing)}; "
            f"{_found(gdf.columns.drop(gdf.geometry.name, errors='ignore'))}; fix: add or rename them"
        )
    if len(gdf) == 0:
        problems.append(f"{path}: the layer is empty; fix: give it at least one feature")
    allowed = allowed_types(geometry_type) if geometry_type else None
    ids = gdf[id_field] if id_field and id_field in gdf.columns else gdf.index
    checks = GeometryChecks(path=path, crs=gdf.crs, allowed=allowed)
    problems.extend(checks.feed(list(ids), gdf.geometry.array))
    problems.extend(checks.finish())
    return problems


def coordinate_problems(
    gdf: gpd.GeoDataFrame, *, path: str, id_field: str | None = "id"
) -> list[str]:
    """Only the coordinate check of :func:`frame_problems` (vectorised), for callers whose fast path skips the rest."""
    ids = gdf[id_field] if id_field and id_field in gdf.columns else gdf.index
    check = CoordinateCheck(gdf.crs, path=path)
    check.feed(list(ids), shapely.bounds(np.asarray(gdf.geometry.values, dtype=object)))
    problem = check.problem()
    return [problem] if problem else []


def validate_frame(
    gdf: gpd.GeoDataFrame,
    *,
    path: str,
    id_field: str | None = "id",
    geometry_type: str | None = None,
    required_fields: Iterable[str] = (),
) -> None:
    """Raise :class:`ValidationError` listing every problem of ``gdf``."""
    problems = frame_problems(
        gdf,
        path=path,
        id_field=id_field,
        geometry_type=geometry_type,
        required_fields=required_fields,
    )
    if problems:
        raise ValidationError(problems)


def require_path(path: str | Path, *, what: str = "file") -> Path:
    """Return ``path`` as a Path, raising :class:`LayerError` when it does not exist."""
    p = Path(path)
    if not p.exists():
        raise LayerError(f"{p}: no such {what}; fix: check the path (relative to {Path.cwd()})")
    return p


def _iter_batches(
    src: Any, size: int = 1024
) -> Iterator[tuple[list[Any], list[shapely.Geometry | None]]]:
    ids: list[Any] = []
    geoms: list[shapely.Geometry | None] = []
    for i, feat in enumerate(src):
        props = dict(feat.properties or {})
        ids.append(props.get("id", feat.id if feat.id is not None else i))
        geo = feat.geometry
        geoms.append(shapely.geometry.shape(geo.__geo_interface__) if geo is not None else None)
        if len(ids) == size:
            yield ids, geoms
            ids, geoms = [], []
    if ids:
        yield ids, geoms


def file_problems(
    path: str | Path,
    *,
    id_field: str = "id",
    geometry_type: str | None = None,
    required_fields: Iterable[str] = (),
    encoding: str | None = None,
    max_problems: int = 100,
) -> list[str]:
    """Check a vector file feature by feature (streamed with fiona), with :class:`GeometryChecks`.

    The same checks as every reader (:func:`frame_problems`), so a file this
    accepts is accepted by every command. ``path`` may be ``PATH.gpkg:LAYER``;
    ``encoding`` forces a Shapefile's text encoding (else it is detected).
    Memory stays bounded by one batch of features, so files larger than
    memory can be checked. Returns one line per problem; an empty list means usable.
    """
    import fiona
    from fiona.errors import FionaError

    from lzgis._errors import LzgisError

    p, layer = split_layer(path)
    if not p.exists():
        return [f"{p}: no such file; fix: check the path"]
    try:
        layer = choose_layer(p, layer)
        opts: dict[str, Any] = {"layer": layer} if layer else {}
        enc = read_encoding(p, encoding)
        if enc:
            opts["encoding"] = enc
        with fiona.open(p, **opts) as src:
            crs = src.crs
            schema_fields = list(src.schema["properties"].keys())
            count_hint = len(src) if src.driver not in {"GeoJSON", "GeoJSONSeq"} else None
    except LzgisError as exc:
        return [str(exc)]
    except (FionaError, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [
            f"{p}: unreadable or not geodata ({first}); "
            "fix: give a GeoPackage, GeoJSON or Shapefile that GDAL can open"
        ]
    problems: list[str] = []
    if not crs:
        hint = "the .prj file is missing" if p.suffix.lower() == ".shp" else "no CRS is declared"
        problems.append(
            f"{p}: no CRS ({hint}); fix: add the .prj / CRS, e.g. with `ogr2ogr -a_srs EPSG:4326`"
        )
    missing = [f for f in required_fields if f not in schema_fields]
    if missing:
        problems.append(
            f"{p}: missing required field(s) {', '.join(missing)}; {_found(schema_fields)}; "
            "fix: add or rename them"
        )
    allowed = allowed_types(geometry_type) if geometry_type else None
    checks = GeometryChecks(path=str(p), crs=crs or None, allowed=allowed)
    n = 0
    try:
        with fiona.open(p, **opts) as src:
            for ids, geoms in _iter_batches(src):
                n += len(ids)
                problems.extend(checks.feed(ids, geoms))
                if len(problems) >= max_problems:
                    problems = problems[:max_problems]
                    problems.append(f"{p}: stopped after {max_problems} problems")
                    return problems
    except (FionaError, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(
            f"{p}: unreadable after feature {n} ({first}); fix: repair or re-export the file"
        )
    problems.extend(checks.finish())
    if n == 0 and count_hint in (0, None) and not any("unreadable" in q for q in problems):
        problems.append(f"{p}: the layer is empty; fix: give it at least one feature")
    return problems


def raise_if_problems(problems: list[str]) -> None:
    """Raise :class:`ValidationError` when ``problems`` is not empty."""
    if problems:
        raise ValidationError(problems)


def require_distance(value: float, *, name: str) -> float:
    """Return ``value`` as a float, raising :class:`ValidationError` unless finite and >= 0."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        out = float("nan")
    if not (out >= 0 and out != float("inf")):
        raise ValidationError(
            f"`{name}` is {value!r}; expected a distance in metres >= 0; fix: pass e.g. 500"
        )
    return out


def require_fields(gdf: gpd.GeoDataFrame, fields: Iterable[str], *, name: str) -> None:
    """Raise :class:`ValidationError` naming the frame when required columns are missing."""
    missing = [f for f in fields if f not in gdf.columns]
    if missing:
        found = _found(gdf.columns.drop("geometry", errors="ignore"))
        raise ValidationError(
            f"`{name}` lacks column(s) {', '.join(missing)}; {found}; fix: add or rename them"
        )


def require_layer_names(
    names: Iterable[str],
    *,
    reserved: Iterable[str],
    what: str,
    fix: str = "rename the key (for files: rename the file)",
) -> None:
    """Raise :class:`ValidationError` when a layer name is empty, not a plain word or reserved."""
    taken = set(reserved)
    for name in names:
        if not name or not str(name).replace("_", "").isalnum():
            raise ValidationError(
                f"{what} name {name!r} is not a plain word; expected letters, digits and '_'; "
                f"fix: {fix}"
            )
        if name in taken:
            raise ValidationError(
                f"{what} name {name!r} is already used ({', '.join(sorted(taken))} are taken); "
                f"fix: {fix}"
            )


# --- rasters (lzgis.zonal) -------------------------------------------------


def open_raster(path: str | Path, *, what: str = "raster") -> Any:
    """Open ``path`` with rasterio, raising :class:`RasterError` naming the file.

    Returns the open dataset; the caller closes it.
    """
    import rasterio
    from rasterio.errors import RasterioError

    p = Path(path)
    virtual = str(path).startswith("/vsi")  # GDAL's virtual files: /vsicurl/https://…
    if not virtual and not p.exists():
        raise RasterError(
            f"`{p}`: no such {what}; expected a GeoTIFF (or any raster GDAL reads); "
            f"fix: check the path (relative to {Path.cwd()})"
        )
    try:
        return rasterio.open(str(path) if virtual else p)
    except (RasterioError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RasterError(
            f"`{path}`: unreadable {what} ({first}); expected a GeoTIFF (or any raster GDAL reads); "
            "fix: give a raster file that `gdalinfo` can open"
        ) from None


def require_raster_crs(src: Any, *, path: str | Path) -> CRS:
    """Return the raster's CRS, raising :class:`CRSError` when it has none."""
    if src.crs is None:
        raise CRSError(
            f"`{path}` has no CRS; expected one (e.g. EPSG:32648 or a +proj string); "
            "fix: assign it with `gdal_edit.py -a_srs <crs>` (never guess)"
        )
    return CRS(src.crs)


def require_band(src: Any, band: int, *, path: str | Path) -> None:
    """Raise :class:`RasterError` when ``band`` is not a band of ``src``."""
    if not 1 <= band <= src.count:
        raise RasterError(
            f"`{path}`: band {band} does not exist; the raster has {src.count} band(s); "
            f"fix: pass `band` between 1 and {src.count}"
        )


def require_threshold(threshold: float) -> None:
    """Raise :class:`ValidationError` when an NDVI threshold is outside -1..1."""
    if not (-1.0 <= threshold <= 1.0):
        raise ValidationError(
            f"`ndvi_threshold` is {threshold}; expected a value between -1 and 1 "
            "(NDVI is a ratio); fix: pass e.g. 0.3"
        )


def require_ndvi_range(low: float, high: float, *, path: str | Path, scale: float | None) -> None:
    """Raise :class:`RasterError` when valid NDVI values lie outside -1..1 (a scaled raster).

    ``low``/``high`` are the smallest and largest valid values seen under the
    zones (after the file's scale/offset, or times ``scale``).
    """
    if not (np.isfinite(low) and np.isfinite(high)) or (low >= -1 - 1e-6 and high <= 1 + 1e-6):
        return
    biggest = max(abs(low), abs(high))
    factor = 10.0 ** -math.ceil(math.log10(biggest)) if biggest > 1 else 1.0
    given = f" after `--ndvi-scale {scale:g}`" if scale is not None else ""
    raise RasterError(
        f"`{path}`: NDVI values under the zones range {low:,.6g} … {high:,.6g}{given}, expected "
        f"−1 … 1 (an integer NDVI such as int16 × 10000 without scale metadata); "
        f"fix: pass `--ndvi-scale {factor:g}` (or set the band's scale with gdal_edit.py -scale)"
    )


def require_one_rule(classes: object | None, ndvi_threshold: float | None) -> None:
    """Raise :class:`ValidationError` unless exactly one green rule is given."""
    if (classes is None) == (ndvi_threshold is None):
        got = "both" if classes is not None else "neither"
        raise ValidationError(
            f"`classes` and `ndvi_threshold`: got {got}; expected exactly one "
            "(classes for a land-cover raster, a threshold for NDVI); fix: pass one of them"
        )
    if classes is not None and len(classes) == 0:  # type: ignore[arg-type]
        raise ValidationError(
            "`classes` is empty; expected the green class values, e.g. 1..10 for MODIS IGBP "
            "or 10,20,30,90,95 for WorldCover; fix: list at least one class"
        )


def require_same_grid(red: Any, nir: Any, *, paths: tuple[str | Path, str | Path]) -> None:
    """Raise :class:`RasterError` when two rasters are not on the same grid."""
    same = (
        red.width == nir.width
        and red.height == nir.height
        and red.transform.almost_equals(nir.transform)
        and (red.crs is None) == (nir.crs is None)
        and (red.crs is None or CRS(red.crs).equals(CRS(nir.crs)))
    )
    if not same:
        raise RasterError(
            f"`{paths[0]}` ({red.width}x{red.height}, {tuple(red.transform)[:6]}, {red.crs}) and "
            f"`{paths[1]}` ({nir.width}x{nir.height}, {tuple(nir.transform)[:6]}, {nir.crs}) "
            "are not on the same grid; expected red and NIR bands of one scene; "
            "fix: give bands of the same product (same size, transform and CRS)"
        )


def require_overlap(
    zone_bounds: tuple[float, float, float, float],
    raster_bounds: tuple[float, float, float, float],
    *,
    path: str | Path,
    crs: CRS,
    overlaps: bool,
) -> None:
    """Raise :class:`RasterError` naming both extents when zones and raster do not overlap.

    ``overlaps`` is the caller's finding (any zone touching the raster);
    extents are in the raster's CRS ``crs``.
    """
    if overlaps:
        return

    def fmt(b: tuple[float, float, float, float]) -> str:
        return "(" + ", ".join(f"{v:.6g}" for v in b) + ")"

    raise RasterError(
        f"`{path}` covers {fmt(raster_bounds)} but the zones cover {fmt(zone_bounds)} "
        f"(xmin, ymin, xmax, ymax in the raster's CRS {crs.to_string()}); they do not overlap; "
        "fix: give a raster that covers the zones (check the CRS / extent with `gdalinfo`)"
    )


def require_classes_present(classes: Iterable[int], *, found: bool, path: str | Path) -> None:
    """Raise :class:`RasterError` when none of ``classes`` occurs in the data read."""
    if not found:
        raise RasterError(
            f"`{path}`: none of the classes {', '.join(map(str, classes))} occurs in the raster "
            "under the zones; expected land-cover codes of this product (IGBP 1-10 for MODIS, "
            "10,20,30,90,95 for WorldCover); fix: check the class list against the raster's legend"
        )


def require_classified(n_values: int, *, limit: int, path: str | Path) -> None:
    """Raise :class:`RasterError` when a raster has too many values to be land-cover classes."""
    if n_values > limit:
        raise RasterError(
            f"`{path}` has {n_values} distinct values under the zones; expected a classified "
            f"land-cover raster (at most {limit} class codes); fix: give the land-cover product, "
            "or use `raster_coverage(..., ndvi_threshold=...)` for a continuous raster"
        )


def require_zone_field(zones: gpd.GeoDataFrame, zone_field: str, *, name: str = "zones") -> None:
    """Raise :class:`ValidationError` when ``zone_field`` is not a column of ``zones``."""
    if zone_field not in zones.columns:
        names = [c for c in zones.columns if c != zones.geometry.name]
        if looks_garbled(names):
            raise ValidationError(f"`{name}` has no field `{zone_field}`; {_found(names)}")
        raise ValidationError(
            f"`{name}` has no field `{zone_field}`; {_found(names)}; "
            "fix: pass one of those as `--zone-field` / `zone_field`"
        )


def require_output_suffix(
    path: str | Path, allowed: Iterable[str], *, option: str = "--out"
) -> Path:
    """Return ``path`` as a Path, raising :class:`OutputError` unless its suffix is allowed.

    Called before any work, so a wrong suffix fails fast and writes nothing.
    """
    from lzgis._errors import OutputError

    p = Path(path)
    allowed = [s.lower() for s in allowed]
    if p.suffix.lower() not in allowed:
        raise OutputError(
            f"{p}: unknown output format {p.suffix or '(no suffix)'!r}; expected one of "
            f"{', '.join(allowed)}; fix: change the suffix of `{option}`"
        )
    return p
