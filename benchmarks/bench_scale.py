"""Province scale: lzgis.zonal in one process and on 1 and 2 local dask workers.

Run on demand (not by pytest)::

    python benchmarks/bench_scale.py                # the whole province (~4.4 billion cells)
    python benchmarks/bench_scale.py --scale 0.1    # a tenth of it, for a loaded machine
    python benchmarks/bench_scale.py --single-only  # only part 1 (one process vs a plain read)

Measured in one run:

1. One process at 10,000 zones on bench_zonal's 10,000 x 10,000 float32 raster,
   divided by one plain read of that raster (goal <= 2.0), each in a fresh
   process (best of ``--repeat``), as in ``bench_zonal.py``.
2. A province-sized virtual mosaic: two VRTs (EPSG:32647 west of about 102°E and
   EPSG:32648 east of it, overlapping across the seam), each repeating that one
   10 m tile; 44 tiles = 4.4 billion cells at ``--scale 1`` (Gansu at 10 m is
   about 4.3 billion). The zones are ~110 "counties", a perturbed lon/lat grid
   over the mosaic crossing the seam. Wall time with 1 and with 2 local workers
   (LocalCluster, processes, one thread each, each process bound to one core
   unless ``--no-pin``: a task reads ahead on one thread while it integrates
   on another, so an unbound single worker would already use part of the
   second core; cluster start-up not counted; best of ``--repeat``, alternating),
   speed-up (goal >= 1.6 on 2 cores), peak RSS of each worker, and the
   largest difference from the other run (must be < 1e-12).
3. From those: cells per second per worker, tasks and the scheduler's share,
   and a projection for N workers with what limits it.

Data are cached in ``--cache`` (default ``$TMPDIR/lzgis-bench-zonal``, shared
with bench_zonal.py).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # measure this checkout's lzgis
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_zonal  # noqa: E402  (the shared 10,000 x 10,000 raster and its zones)

TILE = bench_zonal.SIZE  # cells per tile side (10 m)
TILE_M = TILE * bench_zonal.PIXEL
WEST = (4, 5)  # tiles (columns, rows) of the western (47N) mosaic at --scale 1
EAST = (4, 6)  # of the eastern (48N) one: 44 tiles, 4.4 billion cells
LAT_TOP = 40.0  # northern edge of the mosaics
SEAM = 102.0  # the border of UTM zones 47N and 48N
SCHEDULER_S_PER_TASK = 0.001  # dask's documented overhead, about 1 ms per task


def _snap(value: float) -> float:
    return round(value / 10.0) * 10.0


def make_vrt(
    path: Path, tile: Path, crs: str, origin: tuple[float, float], grid: tuple[int, int]
) -> None:
    """A VRT of grid[0] x grid[1] copies of ``tile``, upper-left corner at ``origin``."""
    import rasterio

    cols, rows = grid
    wkt = rasterio.crs.CRS.from_string(crs).to_wkt()
    sources = "".join(
        f"<SimpleSource><SourceFilename relativeToVRT='0'>{tile}</SourceFilename>"
        f"<SourceBand>1</SourceBand><SourceProperties RasterXSize='{TILE}' RasterYSize='{TILE}' "
        "DataType='Float32' BlockXSize='512' BlockYSize='512'/>"
        f"<SrcRect xOff='0' yOff='0' xSize='{TILE}' ySize='{TILE}'/>"
        f"<DstRect xOff='{c * TILE}' yOff='{r * TILE}' xSize='{TILE}' ySize='{TILE}'/></SimpleSource>"
        for r in range(rows)
        for c in range(cols)
    )
    text = (
        f"<VRTDataset rasterXSize='{cols * TILE}' rasterYSize='{rows * TILE}'><SRS>{wkt}</SRS>"
        f"<GeoTransform>{origin[0]}, 10, 0, {origin[1]}, 0, -10</GeoTransform>"
        "<VRTRasterBand dataType='Float32' band='1' blockXSize='512' blockYSize='512'>"
        f"<NoDataValue>{bench_zonal.NODATA}</NoDataValue>{sources}</VRTRasterBand></VRTDataset>"
    )
    path.write_text(text)


def make_province(cache: Path, tile: Path, scale: float) -> tuple[list[Path], Any, int]:
    """The two VRTs, the counties (EPSG:4326) and the mosaic's cell count."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from pyproj import Transformer

    k = math.sqrt(scale)
    west = (max(1, round(WEST[0] * k)), max(1, round(WEST[1] * k)))
    east = (max(1, round(EAST[0] * k)), max(1, round(EAST[1] * k)))
    # the west mosaic ends 20 km east of 102°E, the east one starts 20 km west of it
    to47 = Transformer.from_crs(4326, 32647, always_xy=True)
    to48 = Transformer.from_crs(4326, 32648, always_xy=True)
    x47, y47 = to47.transform(SEAM, LAT_TOP)
    x48, y48 = to48.transform(SEAM, LAT_TOP)
    west_origin = (_snap(x47 + 20_000 - west[0] * TILE_M), _snap(y47))
    east_origin = (_snap(x48 - 20_000), _snap(y48))
    paths = [
        cache / f"province_47_{west[0]}x{west[1]}.vrt",
        cache / f"province_48_{east[0]}x{east[1]}.vrt",
    ]
    make_vrt(paths[0], tile, "EPSG:32647", west_origin, west)
    make_vrt(paths[1], tile, "EPSG:32648", east_origin, east)
    # counties: a lon/lat grid over the mosaics' common lon/lat box, corners jittered
    to_ll47 = Transformer.from_crs(32647, 4326, always_xy=True)
    to_ll48 = Transformer.from_crs(32648, 4326, always_xy=True)
    lon0, _ = to_ll47.transform(west_origin[0] + 5_000, west_origin[1] - 5_000)
    lon1, _ = to_ll48.transform(east_origin[0] + east[0] * TILE_M - 5_000, east_origin[1] - 5_000)
    _, lat_w = to_ll47.transform(west_origin[0], west_origin[1] - west[1] * TILE_M)
    _, lat_e = to_ll48.transform(east_origin[0], east_origin[1] - east[1] * TILE_M)
    lat1, lat0 = LAT_TOP - 0.05, max(lat_w, lat_e) + 0.05
    nx = max(2, round(11 * k))
    ny = max(2, round(10 * k))
    rng = np.random.default_rng(2026)
    lons = np.linspace(lon0, lon1, nx + 1)
    lats = np.linspace(lat0, lat1, ny + 1)
    gx, gy = np.meshgrid(lons, lats)
    jitter = 0.2 * min(lons[1] - lons[0], lats[1] - lats[0])
    gx[1:-1, 1:-1] += rng.uniform(-jitter, jitter, gx[1:-1, 1:-1].shape)
    gy[1:-1, 1:-1] += rng.uniform(-jitter, jitter, gy[1:-1, 1:-1].shape)
    polys = [
        shapely.Polygon(
            [
                (gx[j, i], gy[j, i]),
                (gx[j, i + 1], gy[j, i + 1]),
                (gx[j + 1, i + 1], gy[j + 1, i + 1]),
                (gx[j + 1, i], gy[j + 1, i]),
            ]
        )
        for j in range(ny)
        for i in range(nx)
    ]
    counties = gpd.GeoDataFrame(
        {"county": [f"c{i}" for i in range(len(polys))]}, geometry=polys, crs=4326
    )
    cells = (west[0] * west[1] + east[0] * east[1]) * TILE * TILE
    return paths, counties, cells


def _worker_rss(reset: bool) -> dict[str, float]:
    """Peak and current resident set of this dask worker, MB (optionally reset the peak)."""
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0]) * 1024 / 1e6
    return fields


def _pin(core: int) -> int:
    """Bind every thread of this worker process (and the threads it starts) to ``core``."""
    for tid in os.listdir("/proc/self/task"):
        os.sched_setaffinity(int(tid), {core})
    return core


def on_cluster(workers: int, paths: list[Path], counties: Any, *, pin: bool) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from lzgis.zonal import raster_coverage, window_count

    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("lzgis.zonal._engine"))  # imports before the clock
        if pin:  # one core per worker: a worker's reader and integrating threads share it
            cores = sorted(os.sched_getaffinity(0))
            for i, address in enumerate(sorted(client.scheduler_info()["workers"])):
                client.run(_pin, cores[i % len(cores)], workers=[address])
        startup = time.perf_counter() - t0
        base = client.run(_worker_rss, True)
        done: list[int] = []
        t0 = time.perf_counter()
        table = raster_coverage(
            counties,
            [str(p) for p in paths],
            ndvi_threshold=bench_zonal.THRESHOLD,
            client=client,
            progress=done.append,
        )
        seconds = time.perf_counter() - t0
        peaks = client.run(_worker_rss, False)
    windows = window_count(counties, [str(p) for p in paths])
    return {
        "seconds": seconds,
        "startup": startup,
        "table": table,
        "tasks": len(done),
        "windows": windows,
        "peak_mb": [p["VmHWM"] for p in peaks.values()],
        "base_mb": [b["VmRSS"] for b in base.values()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="share of the province's cells (0-1]"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of each measurement")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "lzgis-bench-zonal"))
    parser.add_argument("--skip-single", action="store_true", help="skip part 1")
    parser.add_argument("--single-only", action="store_true", help="only part 1")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="do not bind each dask worker to one core (Linux binds them by default)",
    )
    args = parser.parse_args()
    pin = not args.no_pin and hasattr(os, "sched_setaffinity")

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    tile = cache / "ndvi_10k.tif"
    if not tile.exists():
        bench_zonal.make_raster(tile)
    zones = cache / "circles_10000.gpkg"
    if not zones.exists():
        bench_zonal.make_zones(zones, 10_000)
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} (1 min) at the start; "
        f"python {sys.version.split()[0]}; {bench_zonal.kernel_state()}"
    )

    if not args.skip_single:
        read = bench_zonal.measure("read", tile, None, args.repeat)
        lz = bench_zonal.measure("lzgis", tile, zones, args.repeat)
        print(
            f"1. one process, 10,000 zones, 10,000 x 10,000 raster: lzgis {lz['seconds']:.2f} s, "
            f"plain read {read['seconds']:.2f} s, ratio {lz['seconds'] / read['seconds']:.2f} "
            f"(goal <= 2.0); peak +{lz['peak_mb']:.0f} MB"
        )

    if args.single_only:
        return
    paths, counties, cells = make_province(cache, tile, args.scale)
    print(
        f"2. province mosaic: {cells / 1e9:.2f} billion cells (10 m) in two VRTs "
        f"(EPSG:32647 + EPSG:32648), {len(counties)} counties; --scale {args.scale}; "
        + (
            "each worker bound to one core (its reader and integrating threads share it)"
            if pin
            else "workers not bound to cores (one worker's threads may use more than one)"
        )
    )
    # alternate 1 and 2 workers, best of --repeat each: the 2 cores are shared
    runs: dict[int, dict[str, Any]] = {}
    for _ in range(max(1, args.repeat)):
        for n in (1, 2):
            run = on_cluster(n, paths, counties, pin=pin)
            if n not in runs or run["seconds"] < runs[n]["seconds"]:
                runs[n] = run
    a, b = runs[1]["table"], runs[2]["table"]
    diff = float(((a - b).abs() / b.abs().clip(lower=1.0)).max().max())  # relative (km², ratios)
    for n, r in runs.items():
        peaks = ", ".join(f"{p:.0f}" for p in r["peak_mb"])
        rest = ", ".join(f"{b:.0f}" for b in r["base_mb"])
        print(
            f"   {n} worker(s): {r['seconds']:.1f} s ({r['windows']} windows in {r['tasks']} tasks, "
            f"cluster start {r['startup']:.1f} s not counted); peak RSS per worker {peaks} MB "
            f"(at rest before the run: {rest} MB)"
        )
    t1, t2 = runs[1]["seconds"], runs[2]["seconds"]
    speedup = t1 / t2
    print(
        f"   speed-up 1 -> 2 workers: {speedup:.2f} (goal >= 1.6 on 2 cores); "
        f"largest relative difference between the runs {diff:.1e} (must be < 1e-12)"
    )

    rate = cells / t1
    disk = tile.stat().st_size / (TILE * TILE)  # bytes per cell on disk
    tasks = runs[2]["tasks"]
    overhead = tasks * SCHEDULER_S_PER_TASK / t2
    efficiency = speedup / 2
    print(
        f"3. one worker integrates {rate / 1e6:.0f} M cells/s ({rate * disk / 1e6:.0f} MB/s of "
        f"deflated GeoTIFF, {rate * 4 / 1e6:.0f} MB/s decoded); {runs[2]['windows']} windows in "
        f"{tasks} tasks on 2 workers, scheduler ~{overhead:.1%} of the wall time"
    )
    if efficiency < 0.8:
        print(
            f"   (2-worker efficiency {efficiency:.0%}: the 2 cores were shared with other work, "
            f"load average {os.getloadavg()[0]:.1f}; so the projection also gives the ideal 1/N)"
        )
    for n in (4, 8, 16, 32):
        ideal = t1 / n / args.scale
        measured = t1 / (n * min(1.0, efficiency)) / args.scale
        print(
            f"   projection, {n:>2} workers (1 core each), whole province: ~{ideal:,.0f} s at 1/N, "
            f"~{measured:,.0f} s at the measured efficiency (needs {n * rate * disk / 1e6:,.0f} "
            "MB/s from storage)"
        )
    print(
        "   limits: each worker decodes and integrates its own windows, so time falls as "
        "1/N while storage delivers N x the per-worker rate above (a local disk or one NFS "
        "server saturates first; object storage scales) and while tasks (~16 per worker "
        "thread, ~1 ms of scheduler time each) stay long against that overhead"
    )
    grown = max(
        p - b for r in runs.values() for p, b in zip(r["peak_mb"], r["base_mb"], strict=True)
    )
    print(
        "   memory per worker: one window being read + one being integrated (1 Mi cells), "
        f"GDAL's block cache <= 64 MB: the run adds at most {grown:.0f} MB to a worker at rest, "
        "whatever the province's size (peaks above)"
    )


if __name__ == "__main__":
    main()
