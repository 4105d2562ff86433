"""Benchmark the union of overlapping zones: lzgis's kernel against GEOS, in the same run.

Run on demand (not by pytest)::

    python benchmarks/bench_union.py                 # 10,000 circles
    python benchmarks/bench_union.py --count 1000    # a quick run

The zones are the random overlapping circles of ``bench_zonal.py`` (radii
50 m - 2 km over 100 x 100 km, each point under four on average; written to
the same cache on first use). The bureau's total row needs their union
(``lzgis.greening.zones.zones_union``). Printed, best of ``--repeat`` runs,
interleaved:

- ``kernel``: the compiled kernel (``lzgis.zonal._union.kernel_union``), on
  one thread and on one per core;
- the peers: ``shapely.union_all`` of all zones (one thread), and lzgis's GEOS
  path (zones covered by another left out, two halves on two threads, then
  joined), which zones the kernel declines still take;

then each peer's time over the kernel's, how far the areas and the
symmetric difference of the kernel's and GEOS's unions are apart, and how
many edges the kernel left out of its search (wholly inside another zone).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # measure this checkout's lzgis
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_zonal as bz  # noqa: E402


def main() -> None:
    import geopandas as gpd
    import numpy as np
    import shapely

    from lzgis.greening import zones
    from lzgis.zonal._engine import cores
    from lzgis.zonal._union import kernel_union

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "lzgis-bench-zonal"))
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"circles_{args.count}.gpkg"
    if not path.exists():
        bz.make_zones(path, args.count)
    geoms = np.asarray(gpd.read_file(path).geometry.values, dtype=object)

    def geos_path() -> shapely.Geometry:
        left, right, b = zones._candidate_pairs(geoms)
        keep = ~zones._covered(geoms, left, right, b)
        return zones._union(geoms[keep], b[keep])

    n = min(8, cores())
    runs: dict[str, Callable[[], object]] = {
        "kernel, 1 thread": lambda: kernel_union(geoms, threads=1),
        f"kernel, {n} threads": lambda: kernel_union(geoms, threads=n),
        "shapely.union_all": lambda: shapely.union_all(geoms),
        "lzgis GEOS path": geos_path,
    }
    best: dict[str, float] = {}
    got: dict[str, object] = {}
    for _ in range(args.repeat):
        for name, run in runs.items():
            t0 = time.perf_counter()
            got[name] = run()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
    print(f"{args.count} overlapping circles; best of {args.repeat}; {bz.kernel_state()}")
    kernel = best[f"kernel, {n} threads"]
    for name, seconds in best.items():
        print(f"{name:<22} {seconds:7.3f} s   {seconds / kernel:5.2f} x the kernel on {n} threads")
    found = got[f"kernel, {n} threads"]
    union = getattr(found, "geometry", None)
    whole = got["shapely.union_all"]
    assert isinstance(whole, shapely.Geometry)
    if union is None:
        print("the kernel declined these zones: lzgis uses GEOS for them")
        return
    print(
        f"areas: kernel {union.area:.6f}, GEOS {whole.area:.6f} "
        f"(relative difference {abs(union.area - whole.area) / whole.area:.1e}); "
        f"area between them: {union.symmetric_difference(whole).area:.3g}"
    )
    edges = int(shapely.get_num_coordinates(geoms).sum()) - len(geoms)  # closed rings, no holes
    inside = getattr(found, "inside_edges", 0)
    print(
        f"edges wholly inside another zone, left out of the kernel's search: {inside:,} "
        f"of about {edges:,} ({inside / max(edges, 1):.0%})"
    )


if __name__ == "__main__":
    main()
