"""Time the suitability grid + scoring at 250 m over a New-Area-sized extent.

Run on demand: ``python benchmarks/suitability.py``. The extent is synthetic:
a 23 x 49 km rounded rectangle (about the New Area's 1,400-1,700 km2) with a
wetland, a greening zone and a river band as constraints and three distance
criteria. (The real example is timed with ``time lzgis suitability``.)
The peer, measured in the same run on the same cells, is a plain Python loop
of shapely calls per cell (the obvious way to write it); the ratio is peer
time / lzgis time.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, box

from lzgis.suitability import Criterion, grid, score

LAEA = "+proj=laea +lat_0=36.55 +lon_0=103.65 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _frame(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"f{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=LAEA
    )


def synthetic() -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame], list[Criterion]]:
    extent = _frame(box(-11500, -24500, 11500, 24500).buffer(2000, quad_segs=32))
    wet = _frame(shapely.Point(2000, -8000).buffer(1500, quad_segs=64))
    green = _frame(box(-11500, 10000, -3000, 24500))
    river = LineString([(-30000, -40000), (0, -30000), (30000, -35000)])
    river_band = _frame(river.buffer(500))
    road = _frame(LineString([(0, -24500), (0, 24500)]), LineString([(-11500, 0), (11500, 0)]))
    core = _frame(shapely.Point(2000, -5000))
    criteria = [
        Criterion("core", core, "closer", 20000),
        Criterion("road", road, "closer", 5000),
        Criterion("river", _frame(river), "farther", 30000),
    ]
    return extent, {"wetlands": wet, "greening": green, "river_buffer": river_band}, criteria


def peer(cells: gpd.GeoDataFrame, constraints: dict, criteria: list[Criterion]) -> np.ndarray:
    """Cell-by-cell loop: the same masks and distances without vectorisation."""
    cons = [shapely.union_all(g.geometry.values) for g in constraints.values()]
    crit = [shapely.union_all(c.layer.geometry.values) for c in criteria]
    out = np.empty(len(cells))
    for k, cell in enumerate(cells.geometry):
        if any(cell.intersects(g) and not cell.touches(g) for g in cons):
            out[k] = np.nan
            continue
        c = cell.centroid
        out[k] = sum(min(c.distance(g), 1.0) for g in crit)
    return out


def main() -> None:
    extent, constraints, criteria = synthetic()
    weights = {c.name: 1.0 for c in criteria}
    t0 = time.perf_counter()
    cells = grid(extent, cell_m=250)
    t1 = time.perf_counter()
    scored = score(cells, constraints=constraints, criteria=criteria, weights=weights)
    t2 = time.perf_counter()
    sample = cells.iloc[:: max(1, len(cells) // 3000)]
    t3 = time.perf_counter()
    peer(sample, constraints, criteria)
    t4 = time.perf_counter()
    ours_per_cell = (t2 - t1) / len(cells)
    peer_per_cell = (t4 - t3) / len(sample)
    print(
        f"cells: {len(cells)} of 250 m ({len(cells) * 0.0625:.0f} km2), masked {scored['score'].isna().mean():.1%}"
    )
    print(f"grid {t1 - t0:.2f} s, score {t2 - t1:.2f} s")
    print(
        f"per cell: lzgis {ours_per_cell * 1e6:.1f} us, loop peer {peer_per_cell * 1e6:.1f} us "
        f"(on {len(sample)} cells); peer / lzgis = {peer_per_cell / ours_per_cell:.1f}x"
    )


if __name__ == "__main__":
    main()
