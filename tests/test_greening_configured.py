"""The site's greening from measured green named in the config ([greening] table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from click.testing import CliRunner
from geotiffs import write_geotiff

from lzgis import layers as lz_layers
from lzgis._errors import LzgisError
from lzgis.cli import main
from lzgis.greening.configured import configured_report
from lzgis.maps import greening_map, index_page
from lzgis.publish import MAPS

# 0.01° pixels over Lanzhou: class 1 (green) west of 103.70 E, class 2 east of it,
# and no data north of 36.70 N (so zones there have an unknown share).
WEST, NORTH, RES = 102.40, 37.20, 0.01
COLS, ROWS = 240, 180
SPLIT_LON, NODATA_LAT = 103.70, 36.70


def _raster(path: Path) -> Path:
    lon = WEST + (np.arange(COLS) + 0.5) * RES
    lat = NORTH - (np.arange(ROWS) + 0.5) * RES
    values = np.where(lon[None, :] < SPLIT_LON, 1, 2).astype("uint8").repeat(ROWS, axis=0)
    values[lat > NODATA_LAT, :] = 255
    transform = Affine(RES, 0.0, WEST, 0.0, -RES, NORTH)
    return write_geotiff(path, values, crs="EPSG:4326", transform=transform, nodata=255)


@pytest.fixture
def measured_config(tmp_path: Path) -> Path:
    _raster(tmp_path / "green.tif")
    config = tmp_path / "lzgis.toml"
    config.write_text('[greening]\nraster = "green.tif"\nclasses = [1]\n', encoding="utf-8")
    return config


def test_without_a_greening_table_the_report_is_the_planned_zones() -> None:
    report = configured_report(config=None)
    assert set(report["basis"]) == {"planned_zones"}


def test_measured_raster_gives_coverage_verdicts_and_data_shares(measured_config: Path) -> None:
    report = configured_report(config=measured_config).set_index("zone")
    assert set(report["basis"]) == {"measured"}
    # Xigu lies west of 103.70 E (all green), Yuzhong east of it (none): hand-checkable
    assert report.loc["xigu", "coverage"] > 0.9 and report.loc["xigu", "passed"]
    assert report.loc["yuzhong", "coverage"] < 0.05 and not report.loc["yuzhong", "passed"]
    # Yongdeng reaches north of 36.70 N, where the raster has no data: unknown, not 0
    assert 0.05 < report.loc["yongdeng", "unknown"] < 0.95
    assert report.loc["chengguan", "unknown"] == pytest.approx(0.0, abs=1e-9)
    page = greening_map(report.reset_index(), {"districts": lz_layers.load("districts")}).html
    assert "未达标 / target missed" in page and "达标 / target met" in page
    assert "有数据部分 / Share with data" in page and "绿化覆盖率与目标(实测绿地)" in page
    index = index_page(maps=MAPS, tables=[], report=report.reset_index()).html
    assert "个分区达标" in index and "有数据部分 / share with data" in index


def test_a_bad_greening_table_is_refused_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "lzgis.toml"
    config.write_text('[greening]\nrastr = "x.tif"\n', encoding="utf-8")
    with pytest.raises(LzgisError, match=r"lzgis\.toml: unknown key\(s\) rastr in \[greening\]"):
        configured_report(config=config)
    config.write_text('[greening]\nraster = "x.tif"\n', encoding="utf-8")
    with pytest.raises(LzgisError, match=r"lzgis\.toml: \[greening\]: .*needs exactly one of"):
        configured_report(config=config)


def test_publish_builds_the_greening_page_from_the_configured_raster(
    measured_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LZGIS_CONFIG", str(measured_config))  # restored after the test
    out = tmp_path / "site"
    run = CliRunner().invoke(main, ["--config", str(measured_config), "publish", "--out", str(out)])
    assert run.exit_code == 0, run.output
    page = (out / "greening.html").read_text(encoding="utf-8")
    assert "未达标 / target missed" in page and "有数据部分 / Share with data" in page
    assert "个分区达标" in (out / "index.html").read_text(encoding="utf-8")
