"""Land allocation: parks × districts × ecological constraints.

:func:`allocate` answers "how much land does each park take in each district,
and how much of it is left to build once the protected land is taken out?".
Every park (parents and sub-parks alike) is cut by the districts; each piece
gets its area, its share of the park and of the district, the area taken by
each constraint layer (wetlands, greening zones, the Yellow River's protection
band of a configurable width, any user layer such as an ecological red line)
and the developable area = piece minus the *union* of all constraints, so land
under two constraints is counted once.

Totals follow the parts: per park (the whole park), per district, per tier
and for the city. Parent parks (``hitech_zone``, ``economic_zone``) are the
unions of their sub-parks, so district, tier and city totals are built from
the *leaf* parks only (column ``leaf``) and measured as unions; the
``overlap_km2`` column of those totals says how much the leaves overlap each
other (0 when they tile). Parts reconcile with totals to 1e-9 relative.

:func:`conflicts` lists every overlap between a park or an industrial project
and a protected layer, with both ids, the area and the rule broken.

All geometry work happens in one Lambert azimuthal equal-area CRS shared by
every frame of a computation (:func:`lzgis.areas.to_equal_area`), so the
areas are ellipsoidal areas; the river buffer is drawn in the same CRS (its
scale error over the city is below 1e-4).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> parks = gpd.GeoDataFrame({"id": ["p"], "tier": [3], "parent": [""]},
...                          geometry=[box(0, 0, 2000, 1000)], crs=6933)
>>> districts = gpd.GeoDataFrame({"id": ["w", "e"]},
...     geometry=[box(-5000, -5000, 1000, 5000), box(1000, -5000, 5000, 5000)], crs=6933)
>>> table = allocate(parks, districts, constraints={})
>>> table.loc[table.row_kind == "part", ["district_id", "share_of_park"]].values.tolist()
[['w', 0.5], ['e', 0.5]]
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis._errors import ValidationError
from lzgis._validate import (
    frame_problems,
    require_crs,
    require_distance,
    require_fields,
    require_layer_names,
)
from lzgis.allocation._conflicts import conflicts
from lzgis.allocation._overlay import (
    ALL,
    M2_PER_KM2,
    OUTSIDE_DISTRICTS,
    RESERVED,
    RIVER_BUFFER,
    RIVER_BUFFER_M,
    check_polygons,
    leaf_mask,
    shared_crs,
    text_of,
    to_shared,
)

__all__ = [
    "RIVER_BUFFER",
    "RIVER_BUFFER_M",
    "SLIVER_M2",
    "allocate",
    "conflicts",
]

# A district piece smaller than this (m²) is boundary noise (coordinates are rounded to
# 1e-6 degrees, ~0.1 m): it is merged into the park's largest piece, so nothing is lost.
SLIVER_M2 = 100.0


def _district_pieces(
    whole: shapely.Geometry,
    ids: list[str],
    disjoint: list[shapely.Geometry],
    city: shapely.Geometry,
) -> list[tuple[str, shapely.Geometry]]:
    """``whole`` cut by the disjoint districts (and the rest), slivers merged into the largest."""
    pieces = [(d, whole.intersection(g)) for d, g in zip(ids, disjoint, strict=True)]
    pieces.append((OUTSIDE_DISTRICTS, whole.difference(city)))
    pieces = [(d, g) for d, g in pieces if g.area > 0]
    if not pieces:
        return []
    big = [(d, g) for d, g in pieces if g.area >= SLIVER_M2]
    small = [g for _, g in pieces if g.area < SLIVER_M2]
    if not big or not small:
        return pieces
    largest = max(range(len(big)), key=lambda k: big[k][1].area)
    did, geom = big[largest]
    big[largest] = (did, shapely.union_all([geom, *small]))
    return big


def _constraint_geoms(
    constraints: Mapping[str, gpd.GeoDataFrame],
    river: gpd.GeoDataFrame | None,
    river_buffer_m: float,
    crs: CRS,
) -> dict[str, shapely.Geometry]:
    """One dissolved geometry per constraint layer, in ``crs``."""
    out: dict[str, shapely.Geometry] = {}
    for name, gdf in constraints.items():
        out[name] = (
            shapely.union_all(to_shared(gdf, crs).geometry.values)
            if len(gdf)
            else shapely.Polygon()
        )
    if river is not None:
        lines = to_shared(river, crs).geometry.values
        out[RIVER_BUFFER] = shapely.union_all(shapely.buffer(lines, river_buffer_m))
    return out


def _check_inputs(
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    constraints: Mapping[str, gpd.GeoDataFrame],
    river: gpd.GeoDataFrame | None,
) -> None:
    require_fields(parks, ["id"], name="parks")
    require_fields(districts, ["id"], name="districts")
    check_polygons(parks, name="parks")
    check_polygons(districts, name="districts")
    require_layer_names(constraints, reserved=RESERVED, what="constraint")
    for name, gdf in constraints.items():
        require_crs(gdf, name=f"constraints[{name!r}]")
        if len(gdf):
            check_polygons(gdf, name=f"constraints[{name!r}]")
    if river is not None:
        require_crs(river, name="river")
        problems = frame_problems(river, path="`river`", geometry_type="LineString")
        if problems:
            raise ValidationError(problems)
    if parks["id"].duplicated().any() or districts["id"].duplicated().any():
        raise ValidationError(
            "`parks` or `districts` has duplicate ids; expected unique `id`s; fix: rename them"
        )


def _measure(
    geom: shapely.Geometry, cons: Mapping[str, shapely.Geometry], union: shapely.Geometry
) -> dict[str, float]:
    """Area, area under each constraint, under their union, and developable, in km²."""
    row = {"area_km2": geom.area / M2_PER_KM2}
    for name, c in cons.items():
        row[f"{name}_km2"] = geom.intersection(c).area / M2_PER_KM2
    row["constrained_km2"] = geom.intersection(union).area / M2_PER_KM2
    row["developable_km2"] = geom.difference(union).area / M2_PER_KM2
    return row


def allocate(
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    constraints: Mapping[str, gpd.GeoDataFrame],
    river: gpd.GeoDataFrame | None = None,
    river_buffer_m: float = RIVER_BUFFER_M,
) -> pd.DataFrame:
    """Area of every park in every district, constrained and developable.

    Parameters
    ----------
    parks
        Polygons with ``id``; optional ``tier``, ``parent``, ``name_zh``, ``name_en``.
        A park named as ``parent`` by others is a parent: it gets its own rows but
        is left out of district, tier and city totals (its sub-parks are counted).
    districts
        Polygons with ``id`` (optional ``name_zh``, ``name_en``). Where two districts
        overlap (slivers in boundary data) the overlap belongs to the first in order.
        A park's piece in a district smaller than :data:`SLIVER_M2` (100 m²: boundary
        noise where an outline follows a district line) is merged into the park's
        largest piece, so it neither vanishes nor shows up as a row.
    constraints
        Named polygon layers taken out of the developable land, e.g.
        ``{"wetlands": ..., "greening_zones": ..., "red_line": ...}``. Names become
        columns ``<name>_km2``; they must be plain words.
    river
        Lines (the Yellow River); a band of ``river_buffer_m`` metres each side is
        added as constraint ``river_buffer``.
    river_buffer_m
        Half-width of the river band in metres (>= 0).

    Returns
    -------
    pandas.DataFrame
        One row per piece and per total. ``row_kind`` is ``part`` (park × district;
        ``district_id`` "outside the districts" for land outside them),
        ``park_total``, ``district_total``, ``tier_total`` or ``city_total``;
        ``is_total`` says which rows are totals. Columns: ``park_id``, names,
        ``tier``, ``parent``, ``leaf``, ``district_id``, names, ``area_km2``,
        ``share_of_park``, ``share_of_district``, ``share_of_city``, one
        ``<constraint>_km2`` per constraint, ``constrained_km2`` (union of the
        constraints), ``developable_km2``, ``overlap_km2`` (aggregate totals: sum
        of leaf parts minus the union) and ``river_buffer_m``.

    Raises
    ------
    ValidationError, CRSError
        Missing ids or CRS, invalid geometry, a bad constraint name or buffer.
    """
    river_buffer_m = require_distance(river_buffer_m, name="river_buffer_m")
    _check_inputs(parks, districts, constraints, river)
    crs = shared_crs([parks, districts, *constraints.values(), river])
    park_ea = to_shared(parks, crs).reset_index(drop=True)
    dist_ea = to_shared(districts, crs).reset_index(drop=True)
    cons = _constraint_geoms(constraints, river, river_buffer_m, crs)
    union = shapely.union_all(list(cons.values())) if cons else shapely.Polygon()

    # Disjoint districts: each keeps what no earlier district holds.
    disjoint: list[shapely.Geometry] = []
    covered = shapely.Polygon()
    for geom in dist_ea.geometry:
        disjoint.append(geom.difference(covered))
        covered = covered.union(geom)
    city = covered
    city_km2 = city.area / M2_PER_KM2
    dist_km2 = {str(i): g.area / M2_PER_KM2 for i, g in zip(dist_ea["id"], disjoint, strict=True)}
    dist_names = {
        str(r["id"]): (text_of(r, "name_zh"), text_of(r, "name_en")) for _, r in dist_ea.iterrows()
    }
    dist_names[OUTSIDE_DISTRICTS] = ("", "")

    leaves = leaf_mask(park_ea)
    rows: list[dict[str, object]] = []
    leaf_pieces: list[tuple[str, int | None, shapely.Geometry, float]] = []
    tiers = park_ea["tier"] if "tier" in park_ea.columns else pd.Series([None] * len(park_ea))

    for i, park in park_ea.iterrows():
        pid = str(park["id"])
        tier = None if pd.isna(tiers.iloc[i]) else int(tiers.iloc[i])
        base = {
            "park_id": pid,
            "park_name_zh": text_of(park, "name_zh"),
            "park_name_en": text_of(park, "name_en"),
            "tier": tier,
            "parent": text_of(park, "parent"),
            "leaf": bool(leaves.iloc[i]),
        }
        whole = park.geometry
        park_km2 = whole.area / M2_PER_KM2
        ids = [str(d) for d in dist_ea["id"]]
        for did, geom in _district_pieces(whole, ids, disjoint, city):
            km2 = geom.area / M2_PER_KM2
            measured = _measure(geom, cons, union)
            rows.append(
                {
                    "row_kind": "part",
                    **base,
                    "district_id": did,
                    **measured,
                    "share_of_park": km2 / park_km2,
                    "share_of_district": km2 / dist_km2[did] if did in dist_km2 else np.nan,
                }
            )
            if base["leaf"]:
                leaf_pieces.append((did, tier, geom, km2))
        rows.append(
            {
                "row_kind": "park_total",
                **base,
                "district_id": ALL,
                **_measure(whole, cons, union),
                "share_of_park": 1.0,
                "share_of_city": park_km2 / city_km2 if city_km2 else np.nan,
            }
        )

    rows.extend(_aggregate_rows(leaf_pieces, cons, union, dist_ea, dist_km2, city_km2))
    return _frame(rows, cons, dist_names, river_buffer_m if river is not None else np.nan)


def _aggregate_rows(
    leaf_pieces: list[tuple[str, int | None, shapely.Geometry, float]],
    cons: Mapping[str, shapely.Geometry],
    union: shapely.Geometry,
    dist_ea: gpd.GeoDataFrame,
    dist_km2: Mapping[str, float],
    city_km2: float,
) -> list[dict[str, object]]:
    """District, tier and city totals as unions of the leaf parks' pieces."""
    rows: list[dict[str, object]] = []

    def total(
        kind: str, members: list[tuple[str, int | None, shapely.Geometry, float]], **keys: object
    ) -> dict[str, object]:
        geom = shapely.union_all([m[2] for m in members]) if members else shapely.Polygon()
        measured = _measure(geom, cons, union)
        parts = sum(m[3] for m in members)
        return {
            "row_kind": kind,
            "park_id": ALL,
            "park_name_zh": "",
            "park_name_en": "",
            "parent": "",
            "leaf": True,
            **keys,
            **measured,
            "overlap_km2": parts - measured["area_km2"],
            "share_of_city": measured["area_km2"] / city_km2 if city_km2 else np.nan,
        }

    district_order = [str(d) for d in dist_ea["id"]] + [OUTSIDE_DISTRICTS]
    for did in district_order:
        members = [m for m in leaf_pieces if m[0] == did]
        if not members and did == OUTSIDE_DISTRICTS:
            continue
        row = total("district_total", members, tier=None, district_id=did)
        row["share_of_district"] = (
            row["area_km2"] / dist_km2[did] if dist_km2.get(did) else np.nan  # type: ignore[operator]
        )
        rows.append(row)
    for tier in sorted({m[1] for m in leaf_pieces if m[1] is not None}):
        members = [m for m in leaf_pieces if m[1] == tier]
        rows.append(total("tier_total", members, tier=tier, district_id=ALL))
    rows.append(total("city_total", leaf_pieces, tier=None, district_id=ALL))
    return rows


def _frame(
    rows: list[dict[str, object]],
    cons: Mapping[str, shapely.Geometry],
    dist_names: Mapping[str, tuple[str, str]],
    river_buffer_m: float,
) -> pd.DataFrame:
    cols = [
        "row_kind",
        "is_total",
        "park_id",
        "park_name_zh",
        "park_name_en",
        "tier",
        "parent",
        "leaf",
        "district_id",
        "district_name_zh",
        "district_name_en",
        "area_km2",
        "share_of_park",
        "share_of_district",
        "share_of_city",
        *[f"{name}_km2" for name in cons],
        "constrained_km2",
        "developable_km2",
        "overlap_km2",
        "river_buffer_m",
    ]
    table = pd.DataFrame(rows)
    table["is_total"] = table["row_kind"] != "part"
    table["district_name_zh"] = [dist_names.get(str(d), ("", ""))[0] for d in table["district_id"]]
    table["district_name_en"] = [dist_names.get(str(d), ("", ""))[1] for d in table["district_id"]]
    table["river_buffer_m"] = river_buffer_m
    for col in cols:
        if col not in table.columns:
            table[col] = np.nan
    table["tier"] = table["tier"].astype("Int64")
    table["leaf"] = table["leaf"].astype(bool)
    table.attrs["river_buffer_m"] = river_buffer_m
    table.attrs["constraints"] = list(cons)
    return table[cols].reset_index(drop=True)
