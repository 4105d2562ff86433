"""Shared fixtures: tiny hand-made geodata written to real files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
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


# ---------------------------------------------------------------- real headless Chromium
# Pages are opened with every request except file: and data: blocked (no network).


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    import playwright.sync_api as playwright_api

    from lzgis.maps.snapshots import CHROMIUM, CHROMIUM_FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the map tests need Debian's Chromium; "
            "fix: `apt-get update && apt-get install -y chromium` (the README's test command does this)"
        )
    with playwright_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        yield b
        b.close()


@dataclass
class Loaded:
    page: object
    errors: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def load(browser: object) -> Iterator[object]:
    contexts = []

    def _load(path: Path, width: int = 1200, height: int = 800) -> Loaded:
        phone = width < 700
        ctx = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone
        )
        contexts.append(ctx)
        page = ctx.new_page()
        got = Loaded(page)
        page.on("console", lambda m: got.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: got.errors.append(str(e)))

        def on_dialog(d: object) -> None:
            got.dialogs.append(d.message)  # type: ignore[attr-defined]
            d.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)

        def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith(("file:", "data:")):
                r.continue_()  # type: ignore[attr-defined]
            else:
                got.network.append(url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return got

    yield _load
    for ctx in contexts:
        ctx.close()


# CI replays the same examples every run (a red CI must be reproducible);
# local runs explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
