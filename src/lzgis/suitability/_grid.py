"""Site suitability: a square grid, hard constraints, weighted criteria and site allocation.

The method, step by step:

1. :func:`grid` lays square cells of ``cell_m`` metres over the extent in an
   equal-area CRS (the extent's own CRS if it already is an equal-area
   projection in metres, else :func:`lzgis.areas.equal_area_crs` of the
   extent). Cells are aligned to multiples of ``cell_m`` from the CRS origin
   and *selected*, not clipped: a cell belongs to the grid when its centre lies
   inside the extent, so every cell is a whole square of exactly ``cell_m``
   squared and the grid's area approximates the extent's to within the cells
   cut by its edge. The grid stays in the metric CRS (``gdf.crs``) for
   scoring and allocation; convert with ``to_crs(4326)`` when writing.
2. :func:`score` masks every cell whose interior meets a hard constraint
   (wetlands, greening zones, a river buffer, or a slope above a limit read
   from a DEM at the cell centre) and scores the rest. Each criterion is the
   distance from the cell centre to the nearest feature of a layer, turned
   into 0..1 with a cap ``max_distance_m``: ``closer`` gives ``1 - min(d, max)/max``,
   ``farther`` gives ``min(d, max)/max``. The score is the weighted sum with
   weights scaled to sum to 1, so it is 0..1 too; masked cells score NaN and
   say why in ``masked_by``.
3. :func:`allocate_sites` places a requested area on the best contiguous
   cells inside a chosen park by region growing: start from the best-scoring
   eligible cell (unmasked, centre inside the park) whose 4-connected block of
   eligible cells is large enough, then repeatedly add the best-scoring cell
   that shares an edge with the site, until ``ceil(area / cell area)`` cells
   are taken. Ties go to the lower ``cell_id``, so results are reproducible.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> laea = "+proj=laea +lat_0=36 +lon_0=103.8 +ellps=WGS84 +units=m"
>>> extent = gpd.GeoDataFrame(geometry=[box(0, 0, 4000, 4000)], crs=laea)
>>> cells = grid(extent, cell_m=1000)
>>> len(cells), float(cells.area.sum()) / 1e6
(16, 16.0)
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis import areas
from lzgis._errors import LzgisError, ValidationError
from lzgis._validate import require_crs
from lzgis.areas import equal_area_crs, to_equal_area

__all__ = [
    "DIRECTIONS",
    "Criterion",
    "SlopeLimit",
    "allocate_sites",
    "grid",
    "is_equal_area",
    "score",
]

DIRECTIONS = ("closer", "farther")
_MAX_CELLS = 5_000_000


@dataclass(frozen=True)
class Criterion:
    """One weighted criterion: distance from each cell centre to ``layer``.

    Attributes
    ----------
    name
        Column-safe name; the weights are keyed by it.
    layer
        Features to measure to (any geometry, any CRS).
    direction
        ``"closer"`` (closer is better) or ``"farther"`` (farther is better).
    max_distance_m
        Distances beyond this count as this: the criterion saturates.
    """

    name: str
    layer: gpd.GeoDataFrame
    direction: Literal["closer", "farther"]
    max_distance_m: float

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValidationError(
                f"criterion {self.name!r}: direction {self.direction!r} is not one of "
                f"{', '.join(DIRECTIONS)}; fix: say whether closer or farther is better"
            )
        if not (np.isfinite(self.max_distance_m) and self.max_distance_m > 0):
            raise ValidationError(
                f"criterion {self.name!r}: max_distance_m is {self.max_distance_m!r}; expected a "
                "positive number of metres; fix: correct it"
            )
        if len(self.layer) == 0:
            raise ValidationError(
                f"criterion {self.name!r}: its layer has no features; fix: check the layer or "
                "its filter, or drop the criterion"
            )
        require_crs(self.layer, name=f"criterion {self.name}")


@dataclass(frozen=True)
class SlopeLimit:
    """Mask cells steeper than ``max_deg`` degrees, read from the DEM GeoTIFF ``dem``."""

    dem: Path
    max_deg: float


def is_equal_area(crs: CRS | str | None) -> bool:
    """True for a projected equal-area CRS in metres (LAEA, Albers, cylindrical equal area...)."""
    if crs is None:
        return False
    c = CRS.from_user_input(crs)
    if not c.is_projected or c.coordinate_operation is None:
        return False
    units_m = all(ax.unit_name in ("metre", "meter") for ax in c.axis_info if ax.direction != "up")
    return units_m and "equal area" in c.coordinate_operation.method_name.lower()


def _grid_crs(extent: gpd.GeoDataFrame, crs: CRS | str | None) -> CRS:
    if crs is not None:
        if not is_equal_area(crs):
            raise ValidationError(
                f"grid CRS {CRS.from_user_input(crs).to_string()!r} is not an equal-area projection "
                "in metres, so cells would not have true areas; fix: pass an equal-area CRS "
                "(e.g. LAEA or Albers) or leave `crs` out"
            )
        return CRS.from_user_input(crs)
    if is_equal_area(extent.crs):
        return CRS.from_user_input(extent.crs)
    return equal_area_crs(extent)


def grid(
    extent: gpd.GeoDataFrame, *, cell_m: float = 250.0, crs: CRS | str | None = None
) -> gpd.GeoDataFrame:
    """Square cells of ``cell_m`` metres whose centres lie inside ``extent``.

    Parameters
    ----------
    extent
        Polygons (any CRS); their union is the area to cover.
    cell_m
        Cell edge in metres.
    crs
        Equal-area CRS to build the cells in. Default: the extent's CRS when it
        is an equal-area projection in metres, else
        :func:`lzgis.areas.equal_area_crs` of the extent.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id`` (int, ``row * ncols + col``), ``row`` (0 = northernmost),
        ``col`` (0 = westernmost) and square polygons, in the equal-area CRS;
        ``attrs["cell_m"]`` holds the cell size.

    Raises
    ------
    ValidationError
        Bad ``cell_m``, an extent without polygons, or more than 5 million cells.
    """
    require_crs(extent, name="extent")
    if not (np.isfinite(cell_m) and cell_m > 0):
        raise ValidationError(
            f"`cell_m` is {cell_m!r}; expected a positive number of metres; fix: e.g. 250"
        )
    target = _grid_crs(extent, crs)
    metric = (
        extent.to_crs(target)
        if CRS(extent.crs).equals(target)
        else to_equal_area(extent, crs=target)
    )
    area = shapely.union_all(
        [g for g in metric.geometry if g is not None and g.geom_type.endswith("Polygon")]
    )
    if area.is_empty:
        raise ValidationError(
            "`extent` has no polygon area; expected polygons; fix: give the area to cover"
        )
    minx, miny, maxx, maxy = area.bounds
    x0, y0 = math.floor(minx / cell_m) * cell_m, math.floor(miny / cell_m) * cell_m
    ncols = max(1, math.ceil((maxx - x0) / cell_m))
    nrows = max(1, math.ceil((maxy - y0) / cell_m))
    if ncols * nrows > _MAX_CELLS:
        raise ValidationError(
            f"a {cell_m:g} m grid over the extent needs {ncols * nrows:,} cells (limit "
            f"{_MAX_CELLS:,}); fix: use a larger `cell_m` or a smaller extent"
        )
    col_2d, row_2d = np.meshgrid(np.arange(ncols), np.arange(nrows))
    col, row = col_2d.ravel(), row_2d.ravel()
    left = x0 + col * cell_m
    top = y0 + nrows * cell_m - row * cell_m
    shapely.prepare(area)
    inside = shapely.contains_xy(area, left + cell_m / 2, top - cell_m / 2)
    col, row, left, top = col[inside], row[inside], left[inside], top[inside]
    cells = gpd.GeoDataFrame(
        {"cell_id": (row * ncols + col).astype("int64"), "row": row, "col": col},
        geometry=shapely.box(left, top - cell_m, left + cell_m, top),
        crs=target,
    )
    cells.attrs["cell_m"] = float(cell_m)
    return cells


def _in_crs(layer: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    require_crs(layer, name="layer")
    return layer if CRS(layer.crs).equals(crs) else to_equal_area(layer, crs=crs)


def _centres(cells: gpd.GeoDataFrame) -> np.ndarray:
    """Cell centres as an array of shapely Points (from the bounds: cells are squares)."""
    b = shapely.bounds(np.asarray(cells.geometry.values))
    return shapely.points((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)


def _geoms(layer: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    return np.asarray([g for g in _in_crs(layer, crs).geometry if g is not None and not g.is_empty])


def _mask(cell_tree: shapely.STRtree, layer: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """Boolean per cell: its interior meets a feature of ``layer`` (mere touching does not count).

    The tree holds the cells and the (prepared) features query it, so a large
    constraint polygon is tested once per nearby cell through its prepared form.
    """
    cell_geoms = cell_tree.geometries
    hit = np.zeros(len(cell_geoms), dtype=bool)
    geoms = _geoms(layer, crs)
    if len(geoms) == 0:
        return hit
    shapely.prepare(geoms)
    gi, ci = cell_tree.query(geoms, predicate="intersects")
    real = ~shapely.touches(geoms[gi], cell_geoms[ci])
    hit[ci[real]] = True
    return hit


def _segments(geoms: np.ndarray) -> np.ndarray:
    """Points stay; lines and polygon rings become their 2-point segments.

    A tree of short pieces lets the nearest-feature search prune: one long
    river line with thousands of vertices would otherwise be measured in full
    from every cell.
    """
    parts = shapely.get_parts(geoms)
    kinds = shapely.get_type_id(parts)
    points = parts[(kinds == 0)]
    lines = list(parts[(kinds == 1) | (kinds == 2)])
    polys = parts[kinds == 3]
    if len(polys):
        lines.extend(shapely.get_rings(polys))
    if not lines:
        return points
    coords, idx = shapely.get_coordinates(np.asarray(lines), return_index=True)
    same = idx[:-1] == idx[1:]
    pairs = np.stack([coords[:-1][same], coords[1:][same]], axis=1)
    return np.concatenate([points, shapely.linestrings(pairs)])


def _distance_m(centres: np.ndarray, layer: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """Metres from each centre to the nearest feature of ``layer`` (0 inside its polygons)."""
    geoms = _geoms(layer, crs)
    out = np.zeros(len(centres))
    x, y = shapely.get_x(centres), shapely.get_y(centres)
    polys = geoms[np.isin(shapely.get_type_id(geoms), (3, 6))]
    inside = np.zeros(len(centres), dtype=bool)
    if len(polys):
        area = shapely.union_all(polys)
        shapely.prepare(area)
        inside = shapely.intersects_xy(area, x, y)
    todo = np.flatnonzero(~inside)
    if len(todo):
        tree = shapely.STRtree(_segments(geoms))
        (src, _), dist = tree.query_nearest(centres[todo], return_distance=True, all_matches=False)
        out[todo[src]] = dist
    return out


def _normalised(dist: np.ndarray, crit: Criterion) -> np.ndarray:
    frac = np.minimum(dist, crit.max_distance_m) / crit.max_distance_m
    return 1.0 - frac if crit.direction == "closer" else frac


def _weights(weights: Mapping[str, float] | pd.Series, names: Sequence[str]) -> pd.Series:
    w = pd.Series(dict(weights), dtype=float)
    missing = [n for n in names if n not in w.index]
    extra = [n for n in w.index if n not in names]
    if missing or extra:
        raise ValidationError(
            f"weights do not match the criteria: missing {', '.join(missing) or 'none'}, "
            f"unknown {', '.join(map(str, extra)) or 'none'}; expected one weight per criterion "
            f"({', '.join(names)}); fix: correct the weights"
        )
    w = w[list(names)]
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise ValidationError(
            f"weights {w.round(4).to_dict()} must be non-negative with a positive sum; "
            "fix: correct the weights"
        )
    return w / w.sum()


def score(
    cells: gpd.GeoDataFrame,
    *,
    constraints: Mapping[str, gpd.GeoDataFrame],
    criteria: Sequence[Criterion],
    weights: Mapping[str, float] | pd.Series,
    slope: SlopeLimit | None = None,
    on_step: Callable[[str], None] | None = None,
) -> gpd.GeoDataFrame:
    """Mask hard constraints and score the remaining cells by weighted criteria.

    Parameters
    ----------
    cells
        From :func:`grid` (equal-area CRS).
    constraints
        Name -> layer; a cell whose interior meets any feature is masked.
        Buffer lines first (e.g. the river) to make a protection band.
    criteria
        Distance criteria (see :class:`Criterion`).
    weights
        Criterion name -> weight (from :func:`lzgis.suitability.ahp.ahp_weights` or
        direct); scaled to sum to 1.
    slope
        Optional DEM and limit: cells whose centre slope exceeds it are masked.
    on_step
        Called with a step name after each constraint, slope and criterion
        (for progress bars).

    Returns
    -------
    geopandas.GeoDataFrame
        ``cells`` plus, per criterion, ``dist_<name>_m`` and ``s_<name>`` (0..1);
        ``slope_deg`` when a DEM is given; ``masked_by`` ("; "-joined
        constraint names, "" when free) and ``score`` (0..1, NaN when masked).
    """
    require_crs(cells, name="cells")
    names = [c.name for c in criteria]
    if len(set(names)) != len(names):
        raise ValidationError(f"criterion names repeat ({', '.join(names)}); fix: make them unique")
    w = _weights(weights, names)
    out = cells.copy()
    reasons = np.full(len(out), "", dtype=object)
    centres = _centres(out)
    cell_tree = shapely.STRtree(np.asarray(out.geometry.values))

    def flag(hit: np.ndarray, name: str) -> None:
        reasons[hit] = np.where(reasons[hit] == "", name, reasons[hit] + "; " + name)

    for name, layer in constraints.items():
        flag(_mask(cell_tree, layer, out.crs), name)
        if on_step:
            on_step(name)
    if slope is not None:
        from lzgis.suitability._slope import slope_at

        deg = slope_at(slope.dem, centres, out.crs)
        out["slope_deg"] = deg
        flag(np.nan_to_num(deg, nan=-1.0) > slope.max_deg, f"slope>{slope.max_deg:g}deg")
        if on_step:
            on_step("slope")
    total = np.zeros(len(out))
    for crit in criteria:
        dist = _distance_m(centres, crit.layer, out.crs)
        s = _normalised(dist, crit)
        out[f"dist_{crit.name}_m"] = dist
        out[f"s_{crit.name}"] = s
        total += w[crit.name] * s
        if on_step:
            on_step(crit.name)
    out["masked_by"] = reasons.astype(str)
    out["score"] = np.where(reasons == "", total, np.nan)
    out.attrs = dict(cells.attrs, weights=w.to_dict())
    return out


def _cell_size_m(cells: gpd.GeoDataFrame) -> float:
    if "cell_m" in cells.attrs:
        return float(cells.attrs["cell_m"])
    minx, _, maxx, _ = cells.geometry.iloc[0].bounds
    return float(maxx - minx)


def _components(keys: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Label the 4-connected components of a set of (row, col) cells."""
    label: dict[tuple[int, int], int] = {}
    n = -1
    for start in sorted(keys):
        if start in label:
            continue
        n += 1
        stack = [start]
        label[start] = n
        while stack:
            r, c = stack.pop()
            for nb in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if nb in keys and nb not in label:
                    label[nb] = n
                    stack.append(nb)
    return label


def allocate_sites(
    scored: gpd.GeoDataFrame,
    *,
    within: gpd.GeoDataFrame,
    area_km2: float,
    name: str = "site",
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Allocate ``area_km2`` to the best contiguous unmasked cells inside ``within``.

    Parameters
    ----------
    scored
        From :func:`score`.
    within
        The park (or any polygons); eligible cells have their centre inside it
        and a score (not masked).
    area_km2
        The area requested; the site takes ``ceil(area_km2 / cell area)`` whole cells.
    name
        Label written into the outputs' ``site`` column.

    Returns
    -------
    (cells, site)
        The chosen cells (``scored``'s columns plus ``pick``, the order they
        were added, 1 = seed) and a one-row frame with the dissolved site
        polygon, ``site``, ``cells``, ``area_km2`` (measured by
        :func:`lzgis.areas.area_km2`), ``requested_km2``, ``mean_score``,
        ``min_score``, ``centre_lon`` and ``centre_lat``; both in ``scored``'s CRS.

    Raises
    ------
    LzgisError
        The park's unmasked area, or its largest contiguous block of unmasked
        cells, is smaller than requested.
    """
    if not (np.isfinite(area_km2) and area_km2 > 0):
        raise ValidationError(
            f"`area_km2` is {area_km2!r}; expected a positive area; fix: correct it"
        )
    cell_m = _cell_size_m(scored)
    cell_km2 = cell_m * cell_m / 1e6
    need = max(1, math.ceil(area_km2 / cell_km2 - 1e-9))
    park = shapely.union_all(_in_crs(within, scored.crs).geometry.values)
    centres = _centres(scored)
    shapely.prepare(park)
    inside = shapely.contains_xy(park, shapely.get_x(centres), shapely.get_y(centres))
    eligible = scored[inside & scored["score"].notna().to_numpy()]
    park_cells = int(inside.sum())
    if len(eligible) < need:
        raise LzgisError(
            f"{name}: the park has {len(eligible) * cell_km2:.2f} km2 of unmasked cells "
            f"({len(eligible)} of {park_cells} cells of {cell_km2:g} km2), less than the "
            f"{area_km2:g} km2 requested; fix: request less, choose a larger park or relax the constraints"
        )
    keys = list(zip(eligible["row"].astype(int), eligible["col"].astype(int), strict=True))
    by_key = dict(zip(keys, range(len(eligible)), strict=True))
    scores = eligible["score"].to_numpy()
    ids = eligible["cell_id"].to_numpy()
    label = _components(set(keys))
    sizes = pd.Series(list(label.values())).value_counts()
    order = sorted(range(len(eligible)), key=lambda i: (-scores[i], ids[i]))
    seed = next((i for i in order if sizes[label[keys[i]]] >= need), None)
    if seed is None:
        raise LzgisError(
            f"{name}: the largest contiguous block of unmasked cells in the park is "
            f"{int(sizes.max()) * cell_km2:.2f} km2, less than the {area_km2:g} km2 requested "
            f"(the park has {len(eligible) * cell_km2:.2f} km2 unmasked in {len(sizes)} blocks); "
            "fix: request less, split the request, or relax the constraints"
        )
    taken: list[int] = []
    seen = {seed}
    frontier = [(-scores[seed], int(ids[seed]), seed)]
    while frontier and len(taken) < need:
        _, _, i = heapq.heappop(frontier)
        taken.append(i)
        r, c = keys[i]
        for nb in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            j = by_key.get(nb)
            if j is not None and j not in seen:
                seen.add(j)
                heapq.heappush(frontier, (-scores[j], int(ids[j]), j))
    chosen = eligible.iloc[taken].copy()
    chosen["pick"] = np.arange(1, len(taken) + 1)
    chosen["site"] = name
    polygon = shapely.union_all(chosen.geometry.values)
    site = gpd.GeoDataFrame(
        {
            "site": [name],
            "cells": [len(chosen)],
            "cell_km2": [cell_km2],
            "requested_km2": [float(area_km2)],
            "mean_score": [float(chosen["score"].mean())],
            "min_score": [float(chosen["score"].min())],
        },
        geometry=[polygon],
        crs=scored.crs,
    )
    site["area_km2"] = areas.area_km2(site).to_numpy()
    centre = gpd.GeoSeries([polygon.centroid], crs=scored.crs).to_crs(4326).iloc[0]
    site["centre_lon"], site["centre_lat"] = round(centre.x, 5), round(centre.y, 5)
    return chosen, site


_RAMP = ((215, 25, 28), (253, 174, 97), (255, 255, 191), (166, 217, 106), (26, 150, 65))
_SITE = (120, 0, 160)


def qgis_styles() -> dict[str, str]:
    """Default QGIS styles for the ``grid`` and ``sites`` layers of ``suitability.gpkg``.

    Grid: masked cells grey, scores in five 0.2 classes from red (0) to green
    (1), allocated cells outlined in purple; sites: a purple outline.
    """
    from lzgis.io.qgis_styles import Rule, rule_style

    rules = [
        Rule("masked (hard constraint)", '"score" IS NULL', fill=(200, 200, 200), outline=None)
    ]
    for k, colour in enumerate(_RAMP):
        lo, hi = k / 5, (k + 1) / 5
        upper = f' AND "score" < {hi:g}' if k < 4 else ""
        rules.append(
            Rule(f"score {lo:.1f}-{hi:.1f}", f'"score" >= {lo:g}{upper}', fill=colour, outline=None)
        )
    rules.append(Rule("allocated site", '"allocated"', fill=None, outline=_SITE, outline_mm=0.6))
    site = [Rule("allocated site", "TRUE", fill=None, outline=_SITE, outline_mm=0.8)]
    return {"grid": rule_style(rules), "sites": rule_style(site)}
