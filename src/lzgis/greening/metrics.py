"""The standard greening metrics per zone (GB/T 50563-2010, GB/T 51346-2019).

Every metric is a free function taking zone polygons and green polygons and
returning one row per zone, with the metric in a column named by its id
(the ids :func:`lzgis.greening.check` knows):

==========================  ==============================================
``greening_coverage``       :func:`greening_coverage` (union of all vegetation ÷ zone)
``green_space_ratio``       :func:`green_space_ratio` (green land, with the 20% cap on regional green)
``per_capita_park_green_m2`` :func:`per_capita_park_green` (G1 park green ÷ population)
``service_radius_coverage`` :func:`service_radius_coverage` (residential land within park radii)
``forest_coverage``         :func:`forest_coverage` (forest ÷ land area)
==========================  ==============================================

All areas are measured in one equal-area CRS per call (:mod:`lzgis.areas`);
green is always the union of the polygons, never the sum of their areas.
Thresholds, radii and the cap live in ``lzgis/data/greening_rules.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis._errors import ValidationError
from lzgis._validate import require_crs, require_zone_field, validate_frame
from lzgis.areas import equal_area_crs, to_equal_area
from lzgis.greening import _config
from lzgis.greening.coverage import coverage_from_polygons, green_geometries

__all__ = [
    "forest_coverage",
    "green_space_ratio",
    "greening_coverage",
    "per_capita_park_green",
    "service_radius_coverage",
]

GreenInput: TypeAlias = gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame]
_EPS_M = 1e-6


def _zones_ea(zones: gpd.GeoDataFrame, zone_field: str) -> tuple[CRS, np.ndarray]:
    require_crs(zones, name="zones")
    require_zone_field(zones, zone_field)
    validate_frame(zones, path="`zones`", id_field=zone_field, geometry_type="Polygon")
    ea = equal_area_crs(zones)
    return ea, np.asarray(to_equal_area(zones, crs=ea).geometry.values)


def _by_class(
    green: GreenInput, class_field: str, prefix: str, *, name: str
) -> list[gpd.GeoDataFrame]:
    """The features of each layer whose ``class_field`` starts with ``prefix``."""
    layers = [green] if isinstance(green, gpd.GeoDataFrame) else list(green)
    out = []
    for i, layer in enumerate(layers):
        if class_field not in layer.columns:
            raise ValidationError(
                f"`{name}[{i}]` has no field `{class_field}`; expected CJJ/T 85 green classes "
                f"(G1, G11, EG2 ...); fix: add the field or pass `class_field`"
            )
        codes = layer[class_field].fillna("").astype(str).str.strip().str.upper()
        out.append(layer[codes.str.startswith(prefix.upper())])
    return out


def _union_in(zone: shapely.Geometry, geoms: np.ndarray, tree: shapely.STRtree) -> shapely.Geometry:
    idx = tree.query(zone, predicate="intersects")
    if len(idx) == 0:
        return shapely.Polygon()
    return shapely.union_all(shapely.intersection(geoms[idx], zone))


def _frame(
    zones: gpd.GeoDataFrame, zone_field: str, columns: dict[str, np.ndarray]
) -> pd.DataFrame:
    data = {"zone": zones[zone_field].to_numpy(), **columns}
    return pd.DataFrame(data, index=zones.index)


def greening_coverage(
    built_up: gpd.GeoDataFrame,
    vegetation: GreenInput,
    *,
    zone_field: str,
    extent: GreenInput | None = None,
) -> pd.DataFrame:
    """Greening coverage rate (建成区绿化覆盖率): vegetation ÷ built-up area.

    The vertical projection of all vegetation (parks, street trees, roof
    greening, ...) as the union of the ``vegetation`` polygons. Same as
    :func:`lzgis.greening.coverage_from_polygons` (``extent``: the surveyed
    area; outside it is unknown) with the value also in a
    ``greening_coverage`` column.
    """
    out = pd.DataFrame(
        coverage_from_polygons(built_up, vegetation, zone_field=zone_field, extent=extent)
    )
    out = out.drop(columns="geometry")
    out["greening_coverage"] = out["coverage"]
    return out


def green_space_ratio(
    construction: gpd.GeoDataFrame,
    green: GreenInput,
    *,
    zone_field: str,
    class_field: str = "green_class",
    regional_prefix: str | None = None,
    cap: float | None = None,
    adjoin_m: float = 0.0,
) -> pd.DataFrame:
    """Green space ratio (建成区绿地率) with the cap on regional green.

    For each construction-land zone Z:

    1. ``green_inside`` = union of all green polygons inside Z.
    2. ``regional_adjoining`` = the part of the regional-green polygons
       (class starting with ``regional_prefix``, "EG") *outside* Z, split
       into connected pieces, keeping only the pieces that adjoin Z
       (within ``adjoin_m`` metres of it; 0 = touching). Other classes
       outside Z do not count.
    3. ``regional_counted`` = min(``regional_adjoining``, ``cap`` ×
       ``green_inside``): the cap (20%) is applied per zone, against that
       zone's own green inside construction land.
    4. ``green_space_ratio`` = (``green_inside`` + ``regional_counted``) ÷
       area of Z. The denominator is never enlarged by the regional green.

    Parameters
    ----------
    construction
        Construction land (built-up area) polygons, one per zone.
    green
        Green-space polygons (one layer or a list) with ``class_field``
        holding CJJ/T 85 codes.
    regional_prefix, cap
        Default from ``greening_rules.toml`` ("EG", 0.20).
    adjoin_m
        How far outside Z a regional piece may start and still adjoin it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> crs = "+proj=laea +lat_0=36 +lon_0=103.8 +ellps=WGS84 +units=m"
    >>> z = gpd.GeoDataFrame({"z": ["a"]}, geometry=[box(0, 0, 1000, 1000)], crs=crs)
    >>> g = gpd.GeoDataFrame({"green_class": ["G1", "EG2"]},
    ...                      geometry=[box(0, 0, 200, 1000), box(1000, 0, 1500, 1000)], crs=crs)
    >>> round(float(green_space_ratio(z, g, zone_field="z")["green_space_ratio"].iloc[0]), 4)
    0.24
    """
    cfg = _config.rules()["green_space_ratio"]
    prefix = str(cfg["regional_prefix"] if regional_prefix is None else regional_prefix)
    cap_ = float(cfg["cap"] if cap is None else cap)
    ea, zones_g = _zones_ea(construction, zone_field)
    all_g = green_geometries(green, crs=ea)
    regional = green_geometries(_by_class(green, class_field, prefix, name="green"), crs=ea)
    all_tree, reg_tree = shapely.STRtree(all_g), shapely.STRtree(regional)
    zone_m2 = shapely.area(zones_g)
    inside = np.zeros(len(zones_g))
    adjoining = np.zeros(len(zones_g))
    for i, zone in enumerate(zones_g):
        inside[i] = shapely.area(_union_in(zone, all_g, all_tree))
        idx = reg_tree.query(zone, predicate="dwithin", distance=adjoin_m + _EPS_M)
        if len(idx) == 0:
            continue
        outside = shapely.difference(shapely.union_all(regional[idx]), zone)
        parts = shapely.get_parts(outside)
        near = shapely.distance(parts, zone) <= adjoin_m + _EPS_M
        adjoining[i] = float(shapely.area(parts[near]).sum())
    counted = np.minimum(adjoining, cap_ * inside)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(zone_m2 > 0, (inside + counted) / zone_m2, np.nan)
    return _frame(
        construction,
        zone_field,
        {
            "area_km2": zone_m2 / 1e6,
            "green_inside_km2": inside / 1e6,
            "regional_adjoining_km2": adjoining / 1e6,
            "regional_counted_km2": counted / 1e6,
            "capped": adjoining > cap_ * inside,
            "green_space_ratio": ratio,
        },
    )


def _population(
    zones: gpd.GeoDataFrame, zone_field: str, population: str | Mapping[str, float]
) -> np.ndarray:
    if isinstance(population, str):
        if population not in zones.columns:
            raise ValidationError(
                f"`zones` has no population field `{population}`; fix: add it or pass a mapping "
                "zone -> persons"
            )
        values = pd.to_numeric(zones[population], errors="coerce").to_numpy(dtype=float)
    else:
        missing = [str(z) for z in zones[zone_field] if z not in population]
        if missing:
            raise ValidationError(
                f"`population` has no value for zone(s) {', '.join(missing[:5])}; "
                "fix: give persons for every zone"
            )
        values = np.array([float(population[z]) for z in zones[zone_field]])
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        first = zones[zone_field].to_numpy()[bad][0]
        raise ValidationError(
            f"population of zone `{first}` is not a positive number; fix: give persons > 0"
        )
    return values


def per_capita_park_green(
    zones: gpd.GeoDataFrame,
    green: GreenInput,
    population: str | Mapping[str, float],
    *,
    zone_field: str,
    class_field: str = "green_class",
    park_prefix: str = "G1",
) -> pd.DataFrame:
    """Per-capita park green area (人均公园绿地面积) in m² per person.

    Park green is the union of the green polygons whose class starts with
    ``park_prefix`` (G1: G11 comprehensive, G12 community, G13 specialist,
    G14 small garden) inside each zone.

    Parameters
    ----------
    population
        Persons per zone: a column name of ``zones`` or a mapping from the
        ``zone_field`` value to persons.

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``park_green_km2``, ``population``, ``per_capita_park_green_m2``.
    """
    ea, zones_g = _zones_ea(zones, zone_field)
    persons = _population(zones, zone_field, population)
    parks = green_geometries(_by_class(green, class_field, park_prefix, name="green"), crs=ea)
    tree = shapely.STRtree(parks)
    park_m2 = np.array([shapely.area(_union_in(z, parks, tree)) for z in zones_g])
    return _frame(
        zones,
        zone_field,
        {
            "park_green_km2": park_m2 / 1e6,
            "population": persons,
            "per_capita_park_green_m2": park_m2 / persons,
        },
    )


def service_radius_coverage(
    zones: gpd.GeoDataFrame,
    residential: GreenInput,
    parks: GreenInput,
    *,
    zone_field: str,
    rules: Sequence[tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Park service-radius coverage (公园绿地服务半径覆盖率).

    Residential land within the service radius of a park ÷ all residential
    land, per zone. Each park polygon serves the radius of the largest rule
    whose ``min_area_m2`` it reaches, measured from the park's edge; parks
    smaller than every rule serve nobody. Buffers are drawn in the
    equal-area CRS centred on the zones (distance error far below 0.1% at
    city scale).

    Parameters
    ----------
    residential
        Residential land polygons.
    parks
        Park (G1) polygons; each feature is one park.
    rules
        (min_area_m2, radius_m) pairs; default ``greening_rules.toml``
        ([5,000 m² → 500 m, 2,000 m² → 300 m], marked unconfirmed there).

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``residential_km2``, ``served_km2``, ``service_radius_coverage``
        (NaN where a zone has no residential land).
    """
    pairs = sorted(rules if rules is not None else _config.service_rules(), key=lambda p: -p[1])
    ea, zones_g = _zones_ea(zones, zone_field)
    homes = green_geometries(residential, crs=ea)
    park_g = green_geometries(parks, crs=ea)
    park_m2 = shapely.area(park_g)
    radius = np.full(len(park_g), np.nan)
    for min_m2, r in sorted(pairs, key=lambda p: p[1]):  # larger radii overwrite smaller
        radius[park_m2 >= min_m2] = r
    serving = ~np.isnan(radius)
    buffers = shapely.buffer(park_g[serving], radius[serving])
    served_all = shapely.union_all(buffers) if len(buffers) else shapely.Polygon()
    tree = shapely.STRtree(homes)
    res_m2 = np.zeros(len(zones_g))
    served_m2 = np.zeros(len(zones_g))
    for i, zone in enumerate(zones_g):
        home = _union_in(zone, homes, tree)
        res_m2[i] = shapely.area(home)
        served_m2[i] = shapely.area(shapely.intersection(home, served_all))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(res_m2 > 0, served_m2 / res_m2, np.nan)
    return _frame(
        zones,
        zone_field,
        {
            "residential_km2": res_m2 / 1e6,
            "served_km2": served_m2 / 1e6,
            "service_radius_coverage": share,
        },
    )


def forest_coverage(
    zones: gpd.GeoDataFrame,
    forest: GreenInput,
    *,
    zone_field: str,
    shrubland: GreenInput | None = None,
    count_shrubland: bool = False,
    natural_wetlands: GreenInput | None = None,
    wetland_deduction_above: float | None = None,
) -> pd.DataFrame:
    """Forest coverage rate (森林覆盖率): forest ÷ land area, per zone.

    Parameters
    ----------
    forest
        Tree land (canopy closure ≥ 0.2), economic forest, shelterbelts ...
    shrubland, count_shrubland
        Shrubland polygons and whether to count them (national rules count
        shrubland in arid provinces such as Gansu). Overlaps with ``forest``
        count once.
    natural_wetlands, wetland_deduction_above
        National Forest City rule: natural wetland above this share of the
        zone (0.05 in ``greening_rules.toml``) is deducted from the zone's
        area first. ``None`` (the default) deducts nothing.

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``area_km2``, ``wetland_km2``, ``deducted_km2``,
        ``land_km2`` (= area − deducted), ``forest_km2``, ``forest_coverage``.
    """
    if count_shrubland and shrubland is None:
        raise ValidationError(
            "`count_shrubland=True` needs `shrubland` polygons; fix: pass them or leave it False"
        )
    if wetland_deduction_above is not None and natural_wetlands is None:
        raise ValidationError(
            "`wetland_deduction_above` needs `natural_wetlands` polygons; fix: pass them"
        )
    ea, zones_g = _zones_ea(zones, zone_field)
    layers: list[gpd.GeoDataFrame] = (
        [forest] if isinstance(forest, gpd.GeoDataFrame) else list(forest)
    )
    if count_shrubland and shrubland is not None:
        layers += [shrubland] if isinstance(shrubland, gpd.GeoDataFrame) else list(shrubland)
    trees = green_geometries(layers, crs=ea)
    tree_idx = shapely.STRtree(trees)
    wet = (
        green_geometries(natural_wetlands, crs=ea) if natural_wetlands is not None else np.array([])
    )
    wet_idx = shapely.STRtree(wet)
    zone_m2 = shapely.area(zones_g)
    forest_m2 = np.array([shapely.area(_union_in(z, trees, tree_idx)) for z in zones_g])
    wet_m2 = np.array([shapely.area(_union_in(z, wet, wet_idx)) for z in zones_g])
    share = 0.0 if wetland_deduction_above is None else float(wetland_deduction_above)
    deducted = (
        np.maximum(0.0, wet_m2 - share * zone_m2)
        if wetland_deduction_above is not None
        else np.zeros(len(zones_g))
    )
    land = zone_m2 - deducted
    with np.errstate(invalid="ignore", divide="ignore"):
        cover = np.where(land > 0, forest_m2 / land, np.nan)
    return _frame(
        zones,
        zone_field,
        {
            "area_km2": zone_m2 / 1e6,
            "wetland_km2": wet_m2 / 1e6,
            "deducted_km2": deducted / 1e6,
            "land_km2": land / 1e6,
            "forest_km2": forest_m2 / 1e6,
            "forest_coverage": cover,
        },
    )
