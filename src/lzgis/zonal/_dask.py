"""Coverage on a dask.distributed cluster: tasks of source × block of windows.

Each task (:class:`lzgis.zonal._engine.Task`) carries one source's paths,
the rule, a run of windows and only the zones' edges under them, and
returns per-zone partial sums; the client adds them up per source as they
arrive, so the result does not depend on how the work was split (to float
rounding, ~1e-15), and progress counts windows finished anywhere on the
cluster. Tasks are plain data: when a worker dies, the scheduler runs its
tasks again elsewhere and the sums stay exact (a task's sums are added once,
when its result first arrives).

Memory per worker: one task at a time per thread, and a task holds one
window being read plus one being integrated (see ``_engine``), GDAL's block
cache (64 MB at most for the default 1 Mi-cell windows) and its edges: a run
adds about 110 MB per thread to the worker for float32 rasters (measured by
``benchmarks/bench_scale.py``), whatever the raster's or the collection's size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from lzgis._errors import LzgisError
from lzgis.zonal._engine import Sums, Task, add_sums, blocks, edges_under, run_task

__all__ = ["TASKS_PER_THREAD", "dask_client", "run_on_cluster", "split"]

TASKS_PER_THREAD = 16  # tasks per cluster thread: a short tail, ~1 ms of scheduler time each


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise LzgisError(
            "dask.distributed is not installed; expected it for `--workers`/`--scheduler`; "
            'fix: pip install "lzgis[dask]"'
        ) from None
    return distributed


def split(tasks: list[Task], *, threads: int, task_windows: int | None = None) -> list[Task]:
    """Cut each source's task into blocks of windows (``task_windows`` each, or about
    ``TASKS_PER_THREAD`` tasks per cluster thread in all), each with only its edges."""
    total = sum(len(t.windows) for t in tasks)
    size = task_windows or max(1, math.ceil(total / max(1, threads * TASKS_PER_THREAD)))
    out = []
    for task in tasks:
        for run in blocks(task.windows, size):
            # one thread per task: the cluster's threads are the parallelism
            out.append(Task(task.paths, task.rule, edges_under(task.edges, run), run, threads=1))
    return out


def run_on_cluster(
    tasks: list[Task],
    client: Any,
    *,
    progress: Callable[[int], None] | None = None,
    task_windows: int | None = None,
    runner: Callable[[Task], Sums] = run_task,
) -> list[Sums]:
    """Per-source sums of ``tasks`` (one per source) computed on ``client``'s cluster.

    ``runner`` runs one task on a worker (:func:`lzgis.zonal._engine.run_task`,
    or the trend's :func:`lzgis.zonal._yearlayers.run_trend_task`).
    """
    distributed = _distributed()
    threads = sum(client.nthreads().values()) or 1
    total = sum(len(t.windows) for t in tasks)
    size = task_windows or max(1, math.ceil(total / (threads * TASKS_PER_THREAD)))
    origin: dict[Any, tuple[int, int]] = {}
    futures = []
    for i, task in enumerate(tasks):
        for part in split([task], threads=threads, task_windows=size):
            future = client.submit(runner, part, pure=False)
            origin[future.key] = (i, len(part.windows))
            futures.append(future)
    totals: list[Sums] = [{} for _ in tasks]
    for future in distributed.as_completed(futures):
        i, n = origin[future.key]
        add_sums(totals[i], future.result())
        future.release()
        if progress is not None:
            progress(n)
    return totals


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A dask client: on ``scheduler`` (``tcp://HOST:PORT``), or on a local cluster of
    ``workers`` processes (one thread each); None when neither is given.

    Examples
    --------
    >>> with dask_client() as client:  # neither: run in this process
    ...     print(client)
    None
    >>> # with dask_client(workers=2) as client:
    >>> #     raster_coverage(zones, "tiles/", ndvi_threshold=0.3, client=client)
    """
    if not workers and not scheduler:
        yield None
        return
    distributed = _distributed()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="5s")
        except OSError as exc:
            raise LzgisError(
                f"`--scheduler {scheduler}`: no dask scheduler answers ({exc}); expected one "
                "started with `dask scheduler`; fix: check the address and that it runs"
            ) from None
        with client:
            yield client
        return
    if workers is not None and workers < 1:
        raise LzgisError(f"`--workers` is {workers}; expected 1 or more; fix: e.g. --workers 2")
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
