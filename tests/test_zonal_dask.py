"""lzgis.zonal on a dask.distributed LocalCluster: same numbers as one process, also after a worker dies."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from click.testing import CliRunner
from distributed import Client, LocalCluster
from geotiffs import write_geotiff
from numpy.testing import assert_allclose

from lzgis.cli import main
from lzgis.zonal import (
    class_composition,
    raster_coverage,
    raster_trend,
    trend_window_count,
    window_count,
)

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 4_000_000.0
SHAPE = (64, 96)
WINDOW = (8, 8)  # tiny windows: many tasks from tiny rasters


def tile(path: Path, column: int, seed: int, *, classes: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    arr = (
        rng.integers(1, 6, SHAPE).astype("uint8")
        if classes
        else rng.uniform(-0.3, 0.9, SHAPE).astype("float32")
    )
    arr[20:30, 10:40] = 0 if classes else -9999.0
    t = Affine(10.0, 0, X0 + 10.0 * column, 0, -10.0, Y0)
    return write_geotiff(path, arr, crs=UTM, transform=t, nodata=0 if classes else -9999.0)


def zones() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(14)
    centres = shapely.points(X0 + rng.uniform(0, 1500, 40), Y0 - rng.uniform(0, 640, 40))
    geoms = shapely.buffer(centres, rng.uniform(15, 250, 40), quad_segs=6)
    return gpd.GeoDataFrame({"name": [f"z{i}" for i in range(40)]}, geometry=geoms, crs=UTM)


def _cluster() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from _cluster()


@pytest.fixture
def own_client() -> Iterator[Client]:
    """A cluster of its own, for a test that kills a worker: the shared one stays whole."""
    yield from _cluster()


@pytest.fixture
def collection(tmp_path: Path) -> list[Path]:
    # two overlapping tiles: the second measures only what the first does not cover
    return [tile(tmp_path / "a.tif", 0, 1), tile(tmp_path / "b.tif", 60, 2)]


def test_cluster_equals_one_process_whatever_the_split(
    client: Client, collection: list[Path], tmp_path: Path
) -> None:
    z = zones()
    kw: dict[str, Any] = {"ndvi_threshold": 0.3, "_window_shape": WINDOW}
    alone = raster_coverage(z, collection, **kw)
    total = window_count(z, collection, _window_shape=WINDOW)
    for split in (1, 7, None):
        done: list[int] = []
        spread = raster_coverage(
            z, collection, client=client, progress=done.append, _task_windows=split, **kw
        )
        assert_allclose(spread, alone, rtol=1e-12, atol=1e-12)
        assert sum(done) == total  # progress covers every window on the cluster
    assert alone.coverage.notna().all() and (alone.unknown > 0).any()
    classes = [
        tile(tmp_path / "c.tif", 0, 3, classes=True),
        tile(tmp_path / "d.tif", 60, 4, classes=True),
    ]
    comp = class_composition(z, classes, _window_shape=WINDOW)
    assert_allclose(
        class_composition(z, classes, client=client, _window_shape=WINDOW, _task_windows=5),
        comp,
        rtol=1e-12,
        atol=1e-12,
    )


def test_cli_runs_on_a_scheduler_and_on_local_workers(
    client: Client, collection: list[Path], tmp_path: Path
) -> None:
    z = zones()
    zpath = tmp_path / "zones.gpkg"
    z.to_file(zpath)
    base = ["greening", "coverage", "--zones", str(zpath), "--zone-field", "name"]
    rasters = ["--raster", str(collection[0]), "--raster", str(collection[1])]
    address = client.scheduler.address
    tables = {}
    for how in ([], ["--scheduler", address], ["--workers", "1"]):
        out = tmp_path / f"cov{len(tables)}.csv"
        result = CliRunner().invoke(
            main, [*base, *rasters, "--ndvi-threshold", "0.3", *how, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        tables[len(tables)] = gpd.pd.read_csv(out, encoding="utf-8-sig")["coverage"]
    assert_allclose(tables[1], tables[0], rtol=1e-12)  # one process vs an existing cluster
    assert_allclose(tables[2], tables[0], rtol=1e-12)  # vs a local cluster of its own
    bad = CliRunner().invoke(
        main,
        [
            *base,
            *rasters,
            "--ndvi-threshold",
            "0.3",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--out",
            str(tmp_path / "x.csv"),
        ],
    )
    assert bad.exit_code == 2 and "no dask scheduler answers" in bad.output


def test_a_killed_worker_still_gives_the_exact_result(
    own_client: Client, collection: list[Path]
) -> None:
    client = own_client
    z = zones()
    kw: dict[str, Any] = {"ndvi_threshold": 0.3, "_window_shape": WINDOW}
    alone = raster_coverage(z, collection, **kw)
    pids = client.run(os.getpid)
    killed: list[int] = []

    def progress(n: int) -> None:
        if killed:
            return
        busy = [addr for addr, keys in client.processing().items() if keys and addr in pids]
        if busy:  # kill a worker in the middle of its tasks
            killed.append(pids[busy[0]])
            os.kill(pids[busy[0]], signal.SIGKILL)

    spread = raster_coverage(z, collection, client=client, progress=progress, _task_windows=1, **kw)
    assert killed, "no worker was busy to be killed"
    assert_allclose(spread, alone, rtol=1e-12, atol=1e-12)
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)


def test_trend_on_the_cluster_equals_one_process(client: Client, tmp_path: Path) -> None:
    # 2019 and 2021: the same two-tile tiling (gain and loss tile by tile); 2020: one file
    years: dict[int, Any] = {
        2019: [tile(tmp_path / "a19.tif", 0, 5), tile(tmp_path / "b19.tif", 60, 6)],
        2020: tile(tmp_path / "a20.tif", 0, 7),
        2021: [tile(tmp_path / "a21.tif", 0, 8), tile(tmp_path / "b21.tif", 60, 9)],
    }
    z = zones()
    kw: dict[str, Any] = {"ndvi_threshold": 0.3, "_window_shape": WINDOW}
    alone = raster_trend(z, years, **kw)
    total = trend_window_count(z, years, _window_shape=WINDOW)
    for split in (1, None):
        done: list[int] = []
        spread = raster_trend(
            z, years, client=client, progress=done.append, _task_windows=split, **kw
        )
        assert_allclose(spread, alone, rtol=1e-12, atol=1e-12)
        assert sum(done) == total
    assert alone["gain_km2"].notna().sum() == 0  # 2020 sits between the two tilings
    pair = raster_trend(z, {2019: years[2019], 2021: years[2021]}, client=client, **kw)
    assert pair["gain_km2"].notna().sum() == len(z)
    # the CLI: --scheduler and --workers give the single-process table
    zpath = tmp_path / "zones.gpkg"
    z.to_file(zpath)
    args = ["greening", "trend", "--zones", str(zpath), "--zone-field", "name"]
    for year, source in years.items():
        for one in source if isinstance(source, list) else [source]:
            args += ["--raster", f"{year}={one}"]
    tables = []
    for how in ([], ["--scheduler", client.scheduler.address], ["--workers", "1"]):
        out = tmp_path / f"trend{len(tables)}.csv"
        result = CliRunner().invoke(
            main, [*args, "--ndvi-threshold", "0.3", *how, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        tables.append(gpd.pd.read_csv(out, encoding="utf-8-sig")[["coverage", "unknown"]])
    assert_allclose(tables[1], tables[0], rtol=1e-12)
    assert_allclose(tables[2], tables[0], rtol=1e-12)
