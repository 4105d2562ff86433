"""The work itself: one source's windows integrated into per-zone sums.

A :class:`Task` is one source (with its NIR partner) and a run of its
windows, with the zones' edges under them in that source's pixel frame. It
is plain data and :func:`run_task` needs nothing else, so the same task runs
in this process or on any dask worker (:mod:`lzgis.zonal._dask`), and a
task lost with its worker simply runs again. Its result is a dict of
per-zone partial sums (one array per indicator layer); sums of tasks add up.

Memory is bounded by the window, not the raster: a reader thread holds the
next window and its indicator layers while the current one's prefix sums
(one set of reused buffers) are integrated, and GDAL's block cache is
capped at a few windows.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import rasterio
from numpy.typing import NDArray
from rasterio.errors import RasterioError

from lzgis import _validate as v
from lzgis.zonal._geom import (
    Edges,
    Prefix,
    integrate_edges,
    packable,
    piece_counts,
    prefix1,
    prefix1_pair,
    prefix_dtype,
)
from lzgis.zonal._raster import Win, cell_area_function, damaged, read_band
from lzgis.zonal._rules import Rule

__all__ = [
    "Sums",
    "Task",
    "accumulate",
    "add_sums",
    "blocks",
    "cores",
    "default_threads",
    "edges_under",
    "labels",
    "run_labelled",
    "run_task",
]

# Row pieces per vectorised batch: temporaries stay in cache, and a window of
# many pieces gives work to every thread. Fixed, so the batches (and the order
# in which sums are added) do not depend on the number of threads: the same
# bits on any machine.
_CHUNK = 1 << 15

Sums = dict[Any, NDArray[np.float64]]
Layers = Callable[[Win, list[NDArray[Any]]], dict[Any, NDArray[np.bool_]]]


def default_threads() -> int:
    """Integrating threads for a run in one process: one per core besides the reader's.

    The reader thread (reading, the rule) keeps one core busy;
    more threads than cores only contend for the GIL and the caches (on two
    cores, one integrating thread beside the reader is about 10% faster than
    two). At most 4, a guess: the threads share one interpreter, so many
    more would mostly wait for the GIL (only two cores were measured).
    """
    return max(1, min(4, cores() - 1))


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 2


@dataclass(frozen=True)
class Task:
    """One source (``paths``: the raster, and its NIR partner) × a run of its windows."""

    paths: tuple[str, ...]  # the raster, or the red and the NIR raster
    rule: Rule
    edges: Edges
    windows: tuple[Win, ...]
    # integrating threads (the kernel and numpy release the GIL) and GDAL decoding threads
    threads: int = field(default_factory=default_threads)


def labels(n_paths: int) -> list[str]:
    """What each path of a task is, for messages: the raster, or the red and the NIR raster."""
    return ["raster"] if n_paths == 1 else ["red raster", "NIR raster"]


def add_sums(total: Sums, part: Sums) -> Sums:
    """Add ``part``'s per-zone sums into ``total`` (in place) and return it."""
    for key, values in part.items():
        if key in total:
            total[key] = total[key] + values
        else:
            total[key] = values
    return total


def blocks(windows: Sequence[Win], size: int) -> list[tuple[Win, ...]]:
    """Consecutive runs of at most ``size`` windows."""
    size = max(1, size)
    return [tuple(windows[i : i + size]) for i in range(0, len(windows), size)]


def edges_under(edges: Edges, windows: Sequence[Win]) -> Edges:
    """The edges that can contribute to ``windows``: those in their rows, not left of them.

    Zone numbers stay those of all zones, so partial sums keep their length.
    """
    r0, r1 = min(w.r0 for w in windows), max(w.r1 for w in windows)
    c0, c1 = min(w.c0 for w in windows), max(w.c1 for w in windows)
    zone_xmin = np.nan_to_num(edges.bounds[:, 0], nan=np.inf)[edges.zone]
    keep = (
        (edges.ymax > r0)
        & (edges.ymin < r1)
        & (np.maximum(edges.x0, edges.x1) > c0)
        & (zone_xmin < c1)
        & (edges.y0 != edges.y1)
    )
    return replace(
        edges,
        x0=edges.x0[keep],
        y0=edges.y0[keep],
        x1=edges.x1[keep],
        y1=edges.y1[keep],
        zone=edges.zone[keep],
    )


def run_task(task: Task, progress: Callable[[int], None] | None = None) -> Sums:
    """Per-zone sums of ``task``'s windows (opens its sources, reads, integrates)."""
    return run_labelled(task, labels(len(task.paths)), progress)


def run_labelled(
    task: Task, what: list[str], progress: Callable[[int], None] | None = None
) -> Sums:
    """:func:`run_task` with ``what`` each path is, for messages (e.g. "2019 raster")."""
    with ExitStack() as stack:
        sources = [
            stack.enter_context(v.open_raster(p, what=w))
            for p, w in zip(task.paths, what, strict=True)
        ]
        src = sources[0]
        crs = v.require_raster_crs(src, path=task.paths[0])
        cell_area, varies = cell_area_function(src, crs, path=task.paths[0])
        rule, path = task.rule, task.paths[0]

        def layers(win: Win, arrays: list[NDArray[Any]]) -> dict[Any, NDArray[np.bool_]]:
            return rule(sources, win, arrays, path=path)

        return accumulate(
            sources,
            rule.band,
            task.edges,
            list(task.windows),
            cell_area=cell_area,
            varies=varies,
            layers=layers,
            progress=progress,
            threads=task.threads,
            names=list(zip(task.paths, what, strict=True)),
        )


def _chunks(counts: NDArray[np.int64], size: int) -> list[slice]:
    """Consecutive slices of ``counts`` whose sums stay near ``size``."""
    if len(counts) == 0:
        return []
    bounds = np.searchsorted(np.cumsum(counts), np.arange(size, int(counts.sum()), size))
    cuts = [0, *sorted(set((bounds + 1).tolist())), len(counts)]
    return [slice(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def accumulate(
    sources: list[Any],
    band: int,
    edges: Edges,
    windows: list[Win],
    *,
    cell_area: Callable[[NDArray[np.int64]], NDArray[np.float64]],
    varies: bool,
    layers: Layers,
    progress: Callable[[int], None] | None,
    threads: int = 2,
    names: list[tuple[str, str]] | None = None,
) -> Sums:
    """Per-zone weighted area of every indicator layer, summed over the windows.

    A reader thread reads the next window (GDAL decodes its blocks on
    ``threads`` threads) and applies the rule while this thread builds the
    current window's prefix sums and ``threads`` threads split its edges at
    its rows and integrate the pieces (the compiled kernel releases the GIL,
    so they really run side by side).
    """
    emax_x = np.maximum(edges.x0, edges.x1)
    # edges sorted by their top row: a window's edges are a slice, in row order
    eymin, eymax = edges.ymin, edges.ymax
    order = np.argsort(eymin, kind="stable")
    sorted_ymin = eymin[order]
    tallest = float((eymax - eymin).max()) if len(order) else 0.0
    zone_xmin = np.nan_to_num(edges.bounds[:, 0], nan=np.inf)[edges.zone]
    sums: Sums = {}
    band_rows = (np.nan, np.nan)
    in_band = np.empty(0, dtype=np.int64)
    band_xmax = band_zxmin = np.empty(0)

    # Prefix sums go to reused buffers: one per layer (or pair of layers), built
    # and integrated in turn, while the reader prepares the next window.
    size = max(((w.r1 - w.r0) * (w.c1 - w.c0 + 1) for w in windows), default=0)
    widest = max((w.c1 - w.c0 for w in windows), default=0)
    dtype = prefix_dtype(widest)
    pack = packable(widest)  # two layers per int64 array: one gather serves both
    buffers: dict[int, NDArray[np.integer]] = {}

    def buffer(n: int) -> NDArray[np.integer]:
        buf = buffers.get(n)
        if buf is None:
            buf = buffers[n] = np.empty(size, dtype=np.int64 if pack else dtype)
        return buf

    def select(win: Win) -> NDArray[np.int64]:
        """The edges with a part in ``win``'s rows, left of its right side."""
        nonlocal band_rows, in_band, band_xmax, band_zxmin
        lo, hi = float(win.r0), float(win.r1)
        if (lo, hi) != band_rows:
            # the row band's edges, shared by the windows of one block row
            band_rows = (lo, hi)
            first = np.searchsorted(sorted_ymin, lo - tallest, side="left")
            last = np.searchsorted(sorted_ymin, hi, side="left")
            in_band = order[first:last]
            in_band = in_band[(eymax[in_band] > lo) & (edges.y0[in_band] != edges.y1[in_band])]
            band_xmax, band_zxmin = emax_x[in_band], zone_xmin[in_band]
        return in_band[(band_xmax > win.c0) & (band_zxmin < win.c1)]

    def prepare(win: Win) -> tuple[list[tuple[Any, NDArray[np.bool_]]], list[NDArray[np.int64]]]:
        """Read ``win``, apply the rule and cut its edges into batches of row pieces."""
        named = names or [("raster", "raster")] * len(sources)
        arrays = [
            read_band(s, band, win, path=p, what=w)
            for s, (p, w) in zip(sources, named, strict=True)
        ]
        try:  # masks are read here too
            found = list(layers(win, arrays).items())
        except RasterioError as exc:
            raise damaged(named[0][0], named[0][1], win, exc) from None
        del arrays
        idx = select(win)
        lo, hi = float(win.r0), float(win.r1)
        counts = piece_counts(edges, idx, lo, hi)
        return found, [idx[part] for part in _chunks(counts, _CHUNK)]

    def prefix_sums(found: list[tuple[Any, NDArray[np.bool_]]]) -> list[Prefix]:
        """The layers' row prefix sums, in reused buffers."""
        # a layer true in every cell needs no prefix sums (F[j] = j) and one
        # true nowhere adds nothing: common for the data layer, and for green
        # or a class in a uniform stretch
        full = [bool(layer.all()) for _, layer in found]
        prefixes = [Prefix(None, (key,)) for (key, _), f in zip(found, full, strict=True) if f]
        found = [kl for kl, f in zip(found, full, strict=True) if not f and kl[1].any()]
        step = 2 if pack else 1
        for n, i in enumerate(range(0, len(found), step)):
            group = found[i : i + step]
            array: NDArray[np.integer]
            if len(group) == 2:
                array = prefix1_pair(group[0][1], group[1][1], out=buffer(n))
            else:
                array = prefix1(group[0][1], out=buffer(n).view(dtype))
            prefixes.append(Prefix(array, tuple(key for key, _ in group)))
        return prefixes

    def work(win: Win, batch: NDArray[np.int64], prefixes: list[Prefix], area: Any) -> Sums:
        """Split a batch of edges at ``win``'s rows and integrate the pieces."""
        return integrate_edges(
            edges,
            batch,
            prefixes,
            rows=(win.r0, win.r1),
            c0=win.c0,
            width=win.c1 - win.c0,
            cell_area=area,
        )

    # GDAL's block cache: each block is read once, so a few windows' worth is
    # plenty (the default, 5% of RAM, would keep the whole raster).
    largest = max(((w.r1 - w.r0) * (w.c1 - w.c0) for w in windows), default=0)
    cache = max(64 << 20, 3 * largest * 8)
    env = rasterio.Env(
        GDAL_CACHEMAX=cache,
        GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR",
        GDAL_NUM_THREADS=str(max(1, threads)),
    )
    with (
        env,
        ThreadPoolExecutor(max_workers=1) as pool,
        ThreadPoolExecutor(max_workers=max(1, threads)) as workers,
    ):
        pending = pool.submit(prepare, windows[0]) if windows else None
        for i, win in enumerate(windows):
            assert pending is not None
            found, batches = pending.result()
            nxt = windows[i + 1] if i + 1 < len(windows) else None
            pending = pool.submit(prepare, nxt) if nxt is not None else None
            prefixes = prefix_sums(found)
            if not prefixes:
                batches = []
            if batches:
                rows = np.arange(win.r0, win.r1, dtype=np.int64)
                area = cell_area(rows) if varies else float(cell_area(rows[:1])[0])
            jobs = [workers.submit(work, win, batch, prefixes, area) for batch in batches]
            for job in jobs:  # in order: the same sums however the threads interleave
                add_sums(sums, job.result())
            del found, prefixes, batches, jobs
            if progress is not None:
                progress(1)
    return sums
