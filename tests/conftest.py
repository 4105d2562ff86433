"""Shared fixtures: tiny hand-made geodata written to real files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import settings
from shapely import Polygon, box


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Two valid 0.01° squares near Lanzhou, in EPSG:4326, with ids."""
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "name_zh": ["甲", "乙"], "name_en": ["A", "B"]},
        geometry=[box(103.80, 36.00, 103.81, 36.01), box(103.82, 36.00, 103.83, 36.01)],
        crs="EPSG:4326",
    )


@pytest.fixture
def bowtie_file(tmp_path: Path) -> Path:
    """A GeoJSON with one valid square and one self-intersecting 'bow-tie' polygon."""
    bowtie = Polygon([(103.80, 36.00), (103.81, 36.01), (103.81, 36.00), (103.80, 36.01)])
    gdf = gpd.GeoDataFrame(
        {"id": ["ok", "bowtie"]},
        geometry=[box(103.82, 36.00, 103.83, 36.01), bowtie],
        crs="EPSG:4326",
    )
    path = tmp_path / "bowtie.geojson"
    gdf.to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium through Playwright, one for the whole session.

    One Playwright instance at a time: its sync API runs an event loop, so a
    second one started while the first is open fails.
    """
    import playwright.sync_api as playwright_api

    from lzgis.maps.snapshots import CHROMIUM, CHROMIUM_FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the page tests need Debian's Chromium; "
            "fix: `apt-get update && apt-get install -y chromium` (the README's test command does this)"
        )
    with playwright_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        yield b
        b.close()


# CI replays the same examples every run (a red CI must be reproducible);
# local runs explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
