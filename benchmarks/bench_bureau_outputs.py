"""What the forestry bureau's outputs cost on top of the coverage itself, at 10,000 zones.

Run on demand (not by pytest)::

    python benchmarks/bench_bureau_outputs.py                # 10,000 zones
    python benchmarks/bench_bureau_outputs.py --count 1000   # a quick run

Uses the 10,000 x 10,000 NDVI GeoTIFF of ``bench_zonal.py`` (written to the same
cache on first use). Two zone sets: a 100 x 100 grid of 1 km² cells (tiling,
like districts or streets: the total is their sum) and the 10,000 random
overlapping circles of ``bench_zonal.py`` (up to 2 km across, each point under
four on average: their union must be built and measured).

The goal (issue 10): the extra outputs cost under 10% at 10,000 zones. The
peer is the same run before issue 10, measured in the same process on the same
zones: the coverage (``coverage_from_raster``) and then what ``--out`` wrote
then: a plain CSV for ``.csv``; for ``.xlsx`` (refused then) the CSV the
bureau had to write instead; for ``.gpkg`` a GeoPackage in EPSG:4326
(``to_crs(4326).to_file``, unstyled). A bureau run now is the coverage, then
data_share and the zones' attributes, then its file; for ``.xlsx`` the
coverage comes with the union total (``coverage_with_total``: the union is
made on a second thread while the zones are checked and planned, then
measured as one more zone in the same pass), then the workbook.

The goal table adds up steps timed on their own: a pass (the coverage, or
the coverage with the total), then the writer. It reads the extra two ways,
and the goal holds only when both are under 10%:

- *best*: the best of ``--repeat`` times of each step, added up. The best of
  a 0.5 s pass moves by up to 0.03 s from one run of this script to the next
  on this shared 2-core machine, and the extra is a difference of two such
  bests: one lucky peer pass moves it by 5 points;
- *paired*: each round's extra (the bureau's steps less the peer's, timed
  next to each other, so they share that moment's load), the median of the
  rounds, over the median round's peer time.

Rounds: 25 by default (about three minutes). With 9, a busy spell on this
shared machine moved single readings by up to 8 points: the grid, whose
total needs no union (its extra is the attributes and the workbook, about 3%),
once read 11.3% by *best*. ``--repeat 9`` gives a quicker, noisier reading.

Whole runs differ by up to 10% from one run to the next, as much as the goal
itself; they are printed too, as a check. Runs are interleaved, after one
warm-up round, so load and the GDAL block cache hit the peer and the
bureau's runs alike.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # measure this checkout's lzgis
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_zonal as bz  # noqa: E402


def grid_zones(path: Path, count: int) -> None:
    """``count`` square zones tiling the raster's top-left corner (1 km² at 10,000)."""
    import math

    import geopandas as gpd
    import shapely

    side = int(math.sqrt(count))
    cell = bz.SIZE * bz.PIXEL / 100  # 1 km
    boxes, names = [], []
    for i in range(count):
        r, c = divmod(i, side)
        x, y = bz.X0 + c * cell, bz.Y0 - r * cell
        boxes.append(shapely.box(x, y - cell, x + cell, y))
        names.append(f"街道{i:05d}")
    gpd.GeoDataFrame(
        {"name": names, "adcode": [620100000 + i for i in range(count)]},
        geometry=boxes,
        crs=bz.CRS,
    ).to_file(path)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    got = fn()
    return time.perf_counter() - t0, got


def run(
    zones_path: Path, raster: Path, out: Path, repeat: int
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Best times (s) of the whole runs and of their steps, and each round's times."""
    import geopandas as gpd
    import pandas as pd

    from lzgis.greening import coverage_from_raster, sources
    from lzgis.greening import outputs as out_
    from lzgis.greening.zones import zones_union

    zones = gpd.read_file(zones_path)
    field = "name" if "name" in zones.columns else "id"
    kw = {"raster": raster, "ndvi_threshold": bz.THRESHOLD}
    method = out_.method_table({"zones": zones_path.name, "imagery": raster.name})

    def peer_coverage() -> gpd.GeoDataFrame:
        return coverage_from_raster(
            zones, str(raster), zone_field=field, ndvi_threshold=bz.THRESHOLD
        )

    def plain_csv(res: gpd.GeoDataFrame) -> None:
        pd.DataFrame(res.drop(columns="geometry")).to_csv(out / "peer.csv", index=False)

    def old_gpkg(res: gpd.GeoDataFrame) -> None:
        """The GeoPackage as before issue 10: in EPSG:4326, unstyled."""
        res.to_crs(4326).to_file(out / "old.gpkg", driver="GPKG")

    geoms = np.asarray(zones.geometry.values, dtype=object)

    def with_total() -> tuple[gpd.GeoDataFrame, dict[str, float] | None]:
        """The bureau's pass for an .xlsx: the coverage, the union total and the attributes."""
        return sources.coverage_with_total(zones, zone_field=field, **kw)  # type: ignore[arg-type]

    whole: dict[str, Callable[[], object]] = {
        "whole_before_csv": lambda: plain_csv(peer_coverage()),
        "whole_now_csv": lambda: out_.write_results(
            sources.coverage_from_sources(zones, zone_field=field, **kw), out / "now.csv"
        ),
        "whole_now_xlsx": lambda: _xlsx(sources, out_, zones, field, kw, out / "now.xlsx", method),
    }
    times: dict[str, list[float]] = {}
    # round 0 warms GDAL's block cache and the imports (openpyxl, ...) and is dropped;
    # the runs are interleaved, so load on the shared machine hits all of them alike
    for round_ in range(repeat + 1):
        steps: dict[str, float] = {}
        order = list(whole.items())
        for name, run_whole in order[round_ % 3 :] + order[: round_ % 3]:  # each first in turn
            steps[name], _ = _timed(run_whole)
        # the two passes, in turns first (a second pass in a row runs a little slower here)
        passes: list[tuple[str, Callable[[], Any]]] = [
            ("coverage", peer_coverage),
            ("with_total", with_total),
        ]
        for name, run_pass in passes[:: 1 if round_ % 2 else -1]:
            steps[name], got = _timed(run_pass)
            if name == "coverage":
                raw = got
            else:
                total = {"zone": out_.TOTAL_NAME, **got[1]}
        assert isinstance(raw, gpd.GeoDataFrame)
        steps["plain_csv"], _ = _timed(partial(plain_csv, raw))
        steps["old_gpkg"], _ = _timed(partial(old_gpkg, raw))
        steps["attrs"], res = _timed(partial(sources._with_attributes, raw, zones, field))
        assert isinstance(res, gpd.GeoDataFrame)
        steps["union"], _ = _timed(partial(zones_union, geoms))  # alone, for the record
        steps["csv"], _ = _timed(partial(out_.write_results, res, out / "cov.csv"))
        steps["xlsx"], _ = _timed(
            partial(out_.write_results, res, out / "cov.xlsx", total=total, method=method)
        )
        steps["gpkg"], _ = _timed(partial(out_.write_results, res, out / "cov.gpkg"))
        if round_:
            for k, v in steps.items():
                times.setdefault(k, []).append(v)
    best = {k: min(v) for k, v in times.items()}
    # what the total adds to the pass: the pass with it, less the pass and the attributes
    best["total_in_pass"] = best["with_total"] - best["coverage"] - best["attrs"]
    return best, times


def _runs(t: dict[str, Any]) -> dict[str, tuple[Any, Any, str]]:
    """Each ``--out``'s (what the peer wrote, what the bureau's run does beyond the coverage,
    before -> now), from step times ``t`` (floats, or arrays of each round's)."""
    return {
        ".csv": (
            t["plain_csv"],
            t["attrs"] + t["csv"],
            "plain CSV -> CSV with BOM, data_share, attributes",
        ),
        ".xlsx": (
            t["plain_csv"],
            t["with_total"] - t["coverage"] + t["xlsx"],
            "plain CSV (xlsx refused) -> xlsx with the union total",
        ),
        ".gpkg": (
            t["old_gpkg"],
            t["attrs"] + t["gpkg"],
            "EPSG:4326 GeoPackage -> zones' CRS, styled",
        ),
    }


def _xlsx(
    sources: Any,
    out_: Any,
    zones: Any,
    field: str,
    kw: dict[str, Any],
    path: Path,
    method: Any,
) -> None:
    """The bureau's .xlsx run: coverage with the union total, then the workbook."""
    res, total = sources.coverage_with_total(zones, zone_field=field, **kw)
    out_.write_results(res, path, total={"zone": out_.TOTAL_NAME, **total}, method=method)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "lzgis-bench-zonal"))
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    raster = cache / "ndvi_10k.tif"
    if not raster.exists():
        bz.make_raster(raster)
    sets = {
        "grid": cache / f"grid_{args.count}.gpkg",
        "circles": cache / f"circles_{args.count}.gpkg",
    }
    if not sets["grid"].exists():
        grid_zones(sets["grid"], args.count)
    if not sets["circles"].exists():
        bz.make_zones(sets["circles"], args.count)
    print(
        f"{args.count} zones; best of {args.repeat} interleaved runs; shared 2-core machine; "
        f"{bz.kernel_state()}"
    )
    results, rounds = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in sets.items():
            results[name], rounds[name] = run(path, raster, Path(tmp), args.repeat)
    print()
    print(
        "a bureau run against the same run before issue 10 (goal: extra under 10%, read both ways):"
    )
    print(
        f"{'zones':<8} {'--out':<6} {'before s':>8} {'now s':>7} {'best':>7} {'paired':>7}"
        "   before -> now"
    )
    worst = {"best": -1.0, "paired": -1.0}
    for name, t in results.items():
        per_round = {k: np.asarray(v) for k, v in rounds[name].items()}
        paired = _runs(per_round)
        for suffix, (then, now, what) in _runs(t).items():
            before, after = t["coverage"] + then, t["coverage"] + now
            extra = (after - before) / before
            p_then, p_now, _ = paired[suffix]
            p_extra = float(np.median(p_now - p_then) / np.median(per_round["coverage"] + p_then))
            worst["best"] = max(worst["best"], extra)
            worst["paired"] = max(worst["paired"], p_extra)
            print(
                f"{name:<8} {suffix:<6} {before:8.2f} {after:7.2f} {extra:+7.1%} {p_extra:+7.1%}"
                f"   {what}",
                flush=True,
            )
    under = all(w < 0.10 for w in worst.values())
    print(
        f"largest extra: {worst['best']:+.1%} best, {worst['paired']:+.1%} paired "
        f"({'both under' if under else 'NOT both under'} 10%)"
    )
    print(
        "(best: the steps' best times added up; paired: the median of each round's extra over "
        "the median round's peer time)"
    )
    print()
    print("where the time goes (s, each step alone, best of the runs):")
    print(
        f"{'zones':<8} {'coverage':>8} {'w/ total':>8} {'attrs':>6} {'total':>6} {'union':>6} "
        f"{'plain csv':>9} {'csv':>6} {'xlsx':>6} {'old gpkg':>8} {'gpkg':>6}"
    )
    for name, t in results.items():
        print(
            f"{name:<8} {t['coverage']:8.3f} {t['with_total']:8.3f} {t['attrs']:6.3f} "
            f"{t['total_in_pass']:6.3f} {t['union']:6.3f} {t['plain_csv']:9.3f} {t['csv']:6.3f} "
            f"{t['xlsx']:6.3f} {t['old_gpkg']:8.3f} {t['gpkg']:6.3f}"
        )
    print(
        "(w/ total: the pass with the union total and the attributes; total: what the total "
        "adds to that pass (w/ total - coverage - attrs); union: whether the zones overlap and, "
        "if they do, their union, made alone, for the record)"
    )
    print()
    print("whole runs, as a check (s; they differ by up to 10% from run to run here):")
    for name, t in results.items():
        print(
            f"{name:<8} before (.csv) {t['whole_before_csv']:.2f}   now .csv "
            f"{t['whole_now_csv']:.2f}   now .xlsx {t['whole_now_xlsx']:.2f}"
        )


if __name__ == "__main__":
    main()
