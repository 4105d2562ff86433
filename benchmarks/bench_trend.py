"""Benchmark lzgis.greening.trend (N years in lockstep) against N single-year coverage runs.

Run on demand (not by pytest)::

    python benchmarks/bench_trend.py                      # 4 years, 4,000 x 4,000, 1,000 zones
    python benchmarks/bench_trend.py --years 2 --zones 100 --size 2000   # a quick run

The first run writes N float32 NDVI GeoTIFFs on one grid (10 m pixels,
EPSG:32648, deflate, 512 x 512 tiles; each year a little greener, with
noise) and random circular zones (radii 50 m - 2 km) to a cache directory
(``--cache``, default ``$TMPDIR/lzgis-bench-trend``) and reuses them.

Printed, from one run on the same machine: the wall time of
``trend(N years)`` (coverage, gain and loss, pace), of ``coverage(1 year)``
for each year, and the ratio ``trend(N) / (N x mean coverage(1))``. The
goal (issue 13): about 1 or less, i.e. N years cost about N single reads, not
N full runs plus the comparison. Times are the best of ``--repeat`` runs
(the 2-core machine is shared); the two measurements alternate.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # measure this checkout's lzgis

PIXEL = 10.0
X0, Y0 = 500_000.0, 4_000_000.0
CRS = "EPSG:32648"
THRESHOLD = 0.3


def make_year(path: Path, size: int, year_index: int) -> None:
    """A smooth NDVI field that greens a little each year, written strip by strip."""
    import numpy as np
    import rasterio
    from affine import Affine

    rng = np.random.default_rng(2012)
    coarse = rng.normal(0.25, 0.12, (size // 50 + 2, size // 50 + 2)).astype("float32")
    noise = np.random.default_rng(year_index)
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": Affine(PIXEL, 0.0, X0, 0.0, -PIXEL, Y0),
        "nodata": -9999.0,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
    }
    tmp = path.with_suffix(".part.tif")
    with rasterio.open(tmp, "w", **profile) as dst:
        for r0 in range(0, size, 512):
            h = min(512, size - r0)
            rows = np.repeat(coarse[r0 // 50 : (r0 + h) // 50 + 1], 50, axis=0)[:h]
            field = np.repeat(rows, 50, axis=1)[:, :size]
            arr = field + 0.02 * year_index + noise.normal(0.0, 0.05, field.shape)
            dst.write(arr.astype("float32"), 1, window=((r0, r0 + h), (0, size)))
    os.replace(tmp, path)


def make_zones(path: Path, count: int, size: int) -> None:
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(3)
    extent = size * PIXEL
    x = X0 + rng.uniform(0.05, 0.95, count) * extent
    y = Y0 - rng.uniform(0.05, 0.95, count) * extent
    radii = rng.uniform(50.0, 2000.0, count)
    geoms = shapely.buffer(shapely.points(x, y), radii, quad_segs=16)
    zones = gpd.GeoDataFrame({"name": [f"z{i}" for i in range(count)]}, geometry=geoms, crs=CRS)
    zones.to_file(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "lzgis-bench-trend"
    )
    args = parser.parse_args()

    import geopandas as gpd

    from lzgis.greening import coverage_from_raster, trend

    args.cache.mkdir(parents=True, exist_ok=True)
    rasters = {}
    for i in range(args.years):
        path = args.cache / f"ndvi_{args.size}_{2016 + i}.tif"
        if not path.exists():
            print(f"writing {path.name} ...", flush=True)
            make_year(path, args.size, i)
        rasters[2016 + i] = path
    zones_path = args.cache / f"circles_{args.zones}_{args.size}.gpkg"
    if not zones_path.exists():
        make_zones(zones_path, args.zones, args.size)
    zones = gpd.read_file(zones_path)

    def run_trend() -> float:
        start = time.perf_counter()
        trend(zones, rasters, zone_field="name", ndvi_threshold=THRESHOLD, target=0.3112)
        return time.perf_counter() - start

    def run_single(path: Path) -> float:
        start = time.perf_counter()
        coverage_from_raster(zones, str(path), zone_field="name", ndvi_threshold=THRESHOLD)
        return time.perf_counter() - start

    best_trend = float("inf")
    best_single = {year: float("inf") for year in rasters}
    for _ in range(args.repeat):
        for year, path in rasters.items():
            best_single[year] = min(best_single[year], run_single(path))
        best_trend = min(best_trend, run_trend())
    mean_single = sum(best_single.values()) / len(best_single)
    ratio = best_trend / (args.years * mean_single)
    print(
        f"{args.years} years of {args.size} x {args.size} cells, {args.zones} zones, "
        f"best of {args.repeat}:"
    )
    for year, seconds in best_single.items():
        print(f"  coverage({year})          {seconds:8.2f} s")
    print(f"  trend({args.years} years)           {best_trend:8.2f} s")
    print(
        f"  trend({args.years}) / ({args.years} x coverage(1 year)) = {ratio:.2f}   "
        "(goal: about 1 or less)"
    )


if __name__ == "__main__":
    main()
