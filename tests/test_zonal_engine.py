"""lzgis.zonal._engine: the same sums however many threads integrate."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from geotiffs import write_geotiff

from lzgis.zonal import _engine
from lzgis.zonal._coverage import _plan
from lzgis.zonal._engine import Task, default_threads, run_task
from lzgis.zonal._geom import band_edges, piece_counts
from lzgis.zonal._rules import Rule


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 1), (3, 2), (8, 4), (64, 4)])
def test_one_integrating_thread_per_core_besides_the_reader(
    monkeypatch: pytest.MonkeyPatch, cores: int, threads: int
) -> None:
    monkeypatch.setattr(_engine.os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert default_threads() == threads


def test_sums_are_bit_identical_for_any_thread_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(7)
    ndvi = rng.uniform(-0.2, 0.9, (300, 400)).astype("float32")
    ndvi[100:110] = -9999.0  # a band without data: the data layer is not full there
    path = tmp_path / "ndvi.tif"
    transform = Affine(10.0, 0.0, 500_000.0, 0.0, -10.0, 4_000_000.0)
    write_geotiff(path, ndvi, crs="EPSG:32648", transform=transform, nodata=-9999.0)
    centres = shapely.points(
        500_000 + rng.uniform(0, 4000, 60), 4_000_000 - rng.uniform(0, 3000, 60)
    )
    zones = gpd.GeoDataFrame(
        geometry=shapely.buffer(centres, rng.uniform(20, 900, 60)), crs="EPSG:32648"
    )
    parts = _plan(zones, str(path), band=1, nir=None, prefer="given", window_shape=None)
    # small batches, so that every thread count has several to share (the real size, 32 Ki
    # pieces, would put this little raster in one batch and test nothing)
    monkeypatch.setattr(_engine, "_CHUNK", 500)
    (part,) = parts
    pieces = int(piece_counts(part.edges, band_edges(part.edges, 0.0, 300.0), 0.0, 300.0).sum())
    assert pieces > 6 * 500
    rule = Rule("threshold", band=1, threshold=0.3)
    runs = [
        run_task(Task(p.paths, rule, p.edges, tuple(p.windows), threads=t))
        for t in (1, 2, 3)
        for p in parts
    ]
    for other in runs[1:]:
        assert other.keys() == runs[0].keys() == {"data", "green"}
        for key in runs[0]:
            assert np.array_equal(other[key], runs[0][key])  # not close: the same bits
