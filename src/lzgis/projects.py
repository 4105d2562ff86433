"""Where each plan project stands, and who answers for it.

:func:`locate` joins every project (points and lines) to its district, its
park and the zones it touches, and measures its distance to the Yellow River
and to its park's edge. :func:`by_unit` counts and lists projects by
responsible unit (责任单位) and category; :func:`line_lengths` measures line
projects (roads, pipelines, rail) in km per district.

Rules
-----
district
    Points: the district that covers the point. A point exactly on a boundary
    is covered by two; it goes to the one with the smallest ``adcode`` (by
    ``id`` when there is no ``adcode``). Lines: every district the line runs
    through (at least :data:`SLIVER_M`, 1 m), longest stretch first, joined by ", ".
    A project outside every district but within its own stated positional
    accuracy (``accuracy_m``) of one gets the nearest district, and
    ``district_gap_km`` says how far outside it was drawn (0 inside; NaN when it
    stays "outside the districts").
park
    Points: the park that covers the point, a sub-park rather than its parent,
    the smallest when several sub-parks overlap. Lines: the sub-park holding
    the longest stretch. Nothing found: "outside the parks". The layer's own
    ``park`` column (the park the plan ties the project to) is kept as
    ``park_plan``.
zones
    Ids of every feature of the ``zones`` layers the project touches, in layer
    order, joined by ", " ("" when none).
dist_river_km
    Shortest distance to the river: the nearest points are found in one local
    equal-area CRS, then the distance between them is taken on the WGS84
    ellipsoid (:class:`pyproj.Geod`), so it is geodesic to well below a metre
    at city scale. 0 when a line crosses the river.
inside_park, edge_park, dist_park_edge_km
    ``inside_park`` is True when the project lies (at least partly) in a park.
    ``dist_park_edge_km`` is the unsigned geodesic distance from the project to
    the boundary of ``edge_park``: the park it is in; else the park the plan
    ties it to (``park_plan``); else the nearest park. Inside, it says how deep
    in the park the project sits; outside, how far it is from the park. A line
    crossing the park edge has 0.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString, Point, box
>>> projects = gpd.GeoDataFrame({"id": ["p1"], "unit": ["市工信委"], "category": ["industry"]},
...                             geometry=[Point(103.85, 36.05)], crs=4326)
>>> districts = gpd.GeoDataFrame({"id": ["d1"]}, geometry=[box(103.8, 36.0, 103.9, 36.1)], crs=4326)
>>> parks = gpd.GeoDataFrame({"id": ["k1"], "parent": [""]},
...                          geometry=[box(103.84, 36.04, 103.86, 36.06)], crs=4326)
>>> river = gpd.GeoDataFrame({"id": ["r"]}, geometry=[LineString([(103.8, 36.0), (103.9, 36.0)])], crs=4326)
>>> located = locate(projects, districts=districts, parks=parks, zones={}, river=river)
>>> located[["district", "park", "inside_park"]].values.tolist()
[['d1', 'k1', True]]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from lzgis._geometry import family
from lzgis._validate import require_crs, require_fields
from lzgis.allocation._inputs import Constraints, constraint_layers, replace_parks
from lzgis.allocation._overlay import (
    OUTSIDE_DISTRICTS,
    OUTSIDE_PARKS,
    leaf_mask,
    shared_crs,
    to_shared,
)
from lzgis.areas import length_km

__all__ = ["by_unit", "embedded_projects", "line_lengths", "locate"]

_GEOD = Geod(ellps="WGS84")
UNIT_SEP = "; "
# A stretch of line shorter than this (metres) is boundary noise: it does not make a
# line "cross" a district or park, and its length joins the line's longest stretch.
SLIVER_M = 1.0


def _geodesic_km(geoms: np.ndarray, target: shapely.Geometry | None, crs: CRS) -> np.ndarray:
    """Geodesic length in km of the shortest line from each geometry to ``target`` (in ``crs``)."""
    out = np.full(len(geoms), np.nan)
    if target is None or target.is_empty or len(geoms) == 0:
        return out
    lines = shapely.shortest_line(geoms, target)
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    to_geo = Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = to_geo.transform(coords[:, :, 0].ravel(), coords[:, :, 1].ravel())
    lon = np.asarray(lon).reshape(-1, 2)
    lat = np.asarray(lat).reshape(-1, 2)
    _, _, dist = _GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    out[:] = np.asarray(dist) / 1000
    return out


def _overlap(geom: shapely.Geometry, area: shapely.Geometry) -> float:
    """How much of ``geom`` lies in ``area``: its length for lines, 1/0 for points."""
    if family(geom) == "LineString":
        return float(geom.intersection(area).length)
    return 1.0 if area.covers(geom) else 0.0


def _district_of(geom: shapely.Geometry, districts: gpd.GeoDataFrame) -> str:
    if family(geom) == "LineString":
        hits = [
            (_overlap(geom, g), str(i))
            for i, g in zip(districts["id"], districts.geometry, strict=True)
        ]
        hits = sorted((h for h in hits if h[0] >= SLIVER_M), key=lambda h: (-h[0], h[1]))
        return ", ".join(h[1] for h in hits) if hits else OUTSIDE_DISTRICTS
    keys = (
        districts["adcode"].astype(str)
        if "adcode" in districts.columns
        else districts["id"].astype(str)
    )
    covering = sorted(
        (str(k), str(i))
        for k, i, g in zip(keys, districts["id"], districts.geometry, strict=True)
        if g.covers(geom)
    )
    return covering[0][1] if covering else OUTSIDE_DISTRICTS


def _snap_to_districts(
    out: gpd.GeoDataFrame, geoms: np.ndarray, districts: gpd.GeoDataFrame, crs: CRS
) -> np.ndarray:
    """Give a project outside every district, but within its own ``accuracy_m`` of one, the
    nearest district (in place); return the gap in km (0 for projects inside)."""
    gaps = np.zeros(len(out))
    if "accuracy_m" not in out.columns or not len(districts):
        return gaps
    accuracy = pd.to_numeric(out["accuracy_m"], errors="coerce").to_numpy()
    for k in np.flatnonzero((out["district"] == OUTSIDE_DISTRICTS).to_numpy()):
        metres = shapely.distance(districts.geometry.values, geoms[k])
        near = int(np.argmin(metres))
        km = float(_geodesic_km(np.array([geoms[k]]), districts.geometry.iloc[near], crs)[0])
        if np.isfinite(accuracy[k]) and km * 1000 <= accuracy[k]:
            out.loc[k, "district"] = str(districts["id"].iloc[near])
            gaps[k] = km
        else:
            gaps[k] = np.nan
    return gaps


def _park_of(geom: shapely.Geometry, parks: gpd.GeoDataFrame, leaves: pd.Series) -> str:
    is_line = family(geom) == "LineString"
    for subset in (parks[leaves], parks[~leaves]):
        hits = []
        for pid, g in zip(subset["id"], subset.geometry, strict=True):
            inside = _overlap(geom, g)
            if (inside >= SLIVER_M) if is_line else inside > 0:
                hits.append((-inside, g.area, str(pid)))
        if hits:
            return sorted(hits)[0][2]
    return OUTSIDE_PARKS


def _zones_of(geom: shapely.Geometry, zones: Mapping[str, gpd.GeoDataFrame]) -> str:
    ids: list[str] = []
    for gdf in zones.values():
        for fid, g in zip(gdf["id"], gdf.geometry, strict=True):
            if g.intersects(geom) and str(fid) not in ids:
                ids.append(str(fid))
    return ", ".join(ids)


def locate(
    projects: gpd.GeoDataFrame,
    *,
    districts: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    zones: Mapping[str, gpd.GeoDataFrame],
    river: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Join each project to its district, park and zones; measure distances.

    Parameters
    ----------
    projects
        Points and/or lines with ``id`` (any other column is kept; a ``park``
        column is renamed ``park_plan``).
    districts
        Polygons with ``id`` (and ``adcode`` for the boundary rule).
    parks
        Polygons with ``id`` and optionally ``parent``.
    zones
        Named polygon layers with ``id`` (e.g. new area zones, greening zones,
        wetlands).
    river
        The Yellow River as lines.

    Returns
    -------
    geopandas.GeoDataFrame
        The projects (same order, EPSG:4326 geometry) with ``district``,
        ``district_gap_km``, ``park``, ``park_plan``, ``park_matches_plan``, ``zones``,
        ``dist_river_km``, ``inside_park``, ``edge_park`` and
        ``dist_park_edge_km``; see the module notes for the rules.
    """
    for name, gdf in {"projects": projects, "districts": districts, "parks": parks}.items():
        require_fields(gdf, ["id"], name=name)
        require_crs(gdf, name=name)
    require_crs(river, name="river")
    for name, gdf in zones.items():
        require_fields(gdf, ["id"], name=f"zones[{name!r}]")
        require_crs(gdf, name=f"zones[{name!r}]")
    crs = shared_crs([projects, districts, parks, river, *zones.values()])
    proj = to_shared(projects, crs).reset_index(drop=True)
    dist = to_shared(districts, crs).reset_index(drop=True)
    park = to_shared(parks, crs).reset_index(drop=True)
    zone = {k: to_shared(v, crs).reset_index(drop=True) for k, v in zones.items()}
    river_geom = shapely.union_all(to_shared(river, crs).geometry.values)
    leaves = leaf_mask(park)

    out = projects.to_crs(4326).reset_index(drop=True)
    plan = (
        out.pop("park").fillna("").astype(str)
        if "park" in out.columns
        else pd.Series([""] * len(out), dtype=str)
    )
    geoms = proj.geometry.values
    out["district"] = [_district_of(g, dist) for g in geoms]
    out["district_gap_km"] = _snap_to_districts(out, geoms, dist, crs)
    out["park"] = [_park_of(g, park, leaves) for g in geoms]
    out["park_plan"] = plan.to_numpy()
    out["park_matches_plan"] = pd.array(
        [pd.NA if not p else (p == q) for p, q in zip(plan, out["park"], strict=True)],
        dtype="boolean",
    )
    out["zones"] = [_zones_of(g, zone) for g in geoms]
    out["dist_river_km"] = _geodesic_km(geoms, river_geom, crs)
    out["inside_park"] = out["park"] != OUTSIDE_PARKS

    by_id = {str(i): g for i, g in zip(park["id"], park.geometry, strict=True)}
    leaf_geoms = park[leaves]
    edge_parks: list[str] = []
    edge_km: list[float] = []
    for g, located, tied in zip(geoms, out["park"], plan, strict=True):
        if located != OUTSIDE_PARKS:
            pid = located
        elif tied in by_id:
            pid = tied
        elif len(leaf_geoms):
            gaps = shapely.distance(leaf_geoms.geometry.values, g)
            pid = str(leaf_geoms["id"].iloc[int(np.argmin(gaps))])
        else:
            pid = ""
        edge_parks.append(pid)
        target = by_id[pid].boundary if pid else None
        edge_km.append(float(_geodesic_km(np.array([g]), target, crs)[0]))
    out["edge_park"] = edge_parks
    out["dist_park_edge_km"] = edge_km
    return out


def _split_units(text: object) -> list[str]:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return [""]
    parts = [p.strip() for p in re.split(r"[;；]", str(text))]
    return [p for p in parts if p] or [""]


def by_unit(located: pd.DataFrame) -> pd.DataFrame:
    """Projects counted and listed by responsible unit and category.

    A project with several units (``unit`` joined by "; ") counts once for
    each. ``unit_en`` is split the same way when it has as many parts.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``unit_en``, ``category``, ``count``, ``unit_total`` (distinct
        projects of the unit, all categories), ``project_ids`` and
        ``project_names_zh`` (joined by ", "), sorted by unit then category.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a", "b"], "name_zh": ["甲", "乙"], "category": ["industry"] * 2,
    ...                    "unit": ["市工信委", "市工信委; 市环保局"]})
    >>> by_unit(df)[["unit", "count"]].values.tolist()
    [['市工信委', 2], ['市环保局', 1]]
    """
    require_fields(located, ["id", "unit", "category"], name="located")
    rows = []
    for _, r in located.iterrows():
        units = _split_units(r["unit"])
        units_en = _split_units(r.get("unit_en", ""))
        if len(units_en) != len(units):
            units_en = [""] * len(units)
        for unit, unit_en in zip(units, units_en, strict=True):
            rows.append(
                {
                    "unit": unit,
                    "unit_en": unit_en,
                    "category": str(r["category"]),
                    "id": str(r["id"]),
                    "name_zh": str(r.get("name_zh", "")),
                }
            )
    long = pd.DataFrame(rows, columns=["unit", "unit_en", "category", "id", "name_zh"])
    english = long[long["unit_en"] != ""].groupby("unit")["unit_en"].first().to_dict()
    long["unit_en"] = [english.get(u, "") for u in long["unit"]]
    table = (
        long.groupby(["unit", "unit_en", "category"], sort=True)
        .agg(
            count=("id", "nunique"),
            project_ids=("id", lambda s: ", ".join(dict.fromkeys(s))),
            project_names_zh=("name_zh", lambda s: ", ".join(dict.fromkeys(s))),
        )
        .reset_index()
    )
    totals = long.groupby("unit")["id"].nunique()
    table.insert(4, "unit_total", table["unit"].map(totals).astype(int))
    return table


def line_lengths(located: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Km of each line project in each district (geodesic, after clipping).

    Districts are made disjoint first (an overlap belongs to the first
    district in order), and the stretch outside every district is its own row
    ("outside the districts"), so each project's rows add up to its length.
    Stretches shorter than :data:`SLIVER_M` (1 m, boundary noise) are added
    to the line's longest stretch instead of making rows of their own.

    Returns
    -------
    pandas.DataFrame
        ``project_id``, ``name_zh``, ``name_en``, ``category``, ``district_id``,
        ``district_name_zh``, ``length_km``, ``share_of_line``, ``line_km``.
    """
    require_fields(located, ["id"], name="located")
    require_fields(districts, ["id"], name="districts")
    require_crs(located, name="located")
    require_crs(districts, name="districts")
    lines = located.to_crs(4326)
    lines = lines[lines.geometry.map(family) == "LineString"].reset_index(drop=True)
    dist = districts.to_crs(4326).reset_index(drop=True)
    disjoint: list[shapely.Geometry] = []
    covered = shapely.Polygon()
    for g in dist.geometry:
        disjoint.append(g.difference(covered))
        covered = covered.union(g)
    names = dict(
        zip(dist["id"].astype(str), dist.get("name_zh", dist["id"]).astype(str), strict=True)
    )
    names[OUTSIDE_DISTRICTS] = ""
    cols = [
        "project_id",
        "name_zh",
        "name_en",
        "category",
        "district_id",
        "district_name_zh",
        "length_km",
        "share_of_line",
        "line_km",
    ]
    rows = []
    whole = length_km(lines) if len(lines) else pd.Series(dtype=float)
    for i, r in lines.iterrows():
        cut = [
            (str(d), r.geometry.intersection(g)) for d, g in zip(dist["id"], disjoint, strict=True)
        ]
        cut.append((OUTSIDE_DISTRICTS, r.geometry.difference(covered)))
        kept = [(did, piece) for did, piece in cut if not piece.is_empty and piece.length > 0]
        kms = length_km(gpd.GeoSeries([p for _, p in kept], crs=4326)).tolist() if kept else []
        stretches = list(zip([d for d, _ in kept], kms, strict=True))
        long = [(d, km) for d, km in stretches if km * 1000 >= SLIVER_M]
        if long and len(long) < len(stretches):  # boundary noise joins the longest stretch
            top = max(range(len(long)), key=lambda k: long[k][1])
            extra = sum(km for d, km in stretches if km * 1000 < SLIVER_M)
            long[top] = (long[top][0], long[top][1] + extra)
            stretches = long
        for did, km in stretches:
            rows.append(
                {
                    "project_id": str(r["id"]),
                    "name_zh": str(r.get("name_zh", "")),
                    "name_en": str(r.get("name_en", "")),
                    "category": str(r.get("category", "")),
                    "district_id": did,
                    "district_name_zh": names[did],
                    "length_km": km,
                    "share_of_line": km / whole.iloc[i] if whole.iloc[i] else np.nan,
                    "line_km": float(whole.iloc[i]),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def embedded_zones() -> dict[str, gpd.GeoDataFrame]:
    """The zone layers projects are joined to: new area zones, greening zones, wetlands."""
    from lzgis.layers import load

    return {name: load(name) for name in ("new_area", "greening_zones", "wetlands")}


def _as_zone(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A user layer as a zone layer: ids ``<name>:<id>`` (``<name>:<row>`` without ``id``)."""
    own = gdf["id"].astype(str) if "id" in gdf.columns else pd.Series(range(1, len(gdf) + 1))
    return gdf.assign(id=[f"{name}:{i}" for i in own])


def embedded_projects(
    *,
    constraints: Constraints = None,
    parks: gpd.GeoDataFrame | str | Path | None = None,
) -> gpd.GeoDataFrame:
    """The embedded projects located with :func:`locate`: ``lzgis projects`` in one call.

    Parameters
    ----------
    constraints
        Your own protected layers (``--constraints``; GeoDataFrames or paths,
        see :func:`lzgis.allocation.constraint_layers`): they join the zones,
        and a project touching one lists ``<layer>:<id>`` in ``zones``.
    parks
        Your own outlines for some parks, by ``id`` (``--parks``; see
        :func:`lzgis.allocation.replace_parks`): ``park`` and ``inside_park``
        then follow your outlines.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; the layer's columns plus ``district``, ``park`` (id or
        "outside the parks"), ``park_plan``, ``park_matches_plan``, ``zones``,
        ``dist_river_km``, ``inside_park``, ``edge_park``, ``dist_park_edge_km``.

    Examples
    --------
    >>> from shapely import box
    >>> red = gpd.GeoDataFrame({"id": ["r1"]}, geometry=[box(103.55, 36.10, 103.64, 36.125)], crs=4326)
    >>> located = embedded_projects(constraints={"red_line": red})
    >>> int(located["zones"].str.contains("red_line:r1").sum())  # projects touching it
    4
    """
    from lzgis.layers import load

    extra, _ = constraint_layers(constraints)
    park_layer = load("parks")
    if parks is not None:
        park_layer = replace_parks(park_layer, parks)
    zones = embedded_zones() | {name: _as_zone(name, gdf) for name, gdf in extra.items()}
    return locate(
        load("projects"),
        districts=load("districts"),
        parks=park_layer,
        zones=zones,
        river=load("yellow_river"),
    )
