"""The greening trend page: self-contained, and working in headless Chromium with no network."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import box

from lzgis.greening import trend
from lzgis.maps._assets import external_urls, linked_assets
from lzgis.maps._svg import line_chart, png_data_uri
from lzgis.maps.greening import coverage_color
from lzgis.maps.trend import trend_page
from lzgis.zonal import change_preview

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 4_000_000.0


def _raster(path: Path, array: np.ndarray, px: float = 10.0) -> Path:
    float32 = array.astype("float32")
    return write_geotiff(path, float32, crs=UTM, transform=from_origin(X0, Y0, px, px))


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[gpd.GeoDataFrame, dict[int, Path]]:
    rasters = {}
    for i, year in enumerate((2019, 2021, 2023)):
        arr = np.full((20, 20), 0.1)
        arr[:, : 6 + 3 * i] = 0.8  # green spreads east
        arr[15:, :4] = 0.1 if year == 2023 else 0.8  # and is lost in a corner in 2023
        rasters[year] = _raster(tmp_path / f"{year}.tif", arr)
    zones = gpd.GeoDataFrame(
        {"name": ["西区 <script>alert(1)</script>", "East"]},
        geometry=[box(X0, Y0 - 200, X0 + 100, Y0), box(X0 + 100, Y0 - 200, X0 + 200, Y0)],
        crs=UTM,
    ).to_crs(4326)
    return zones, rasters


def _page(
    inputs: tuple[gpd.GeoDataFrame, dict[int, Path]], tmp_path: Path
) -> tuple[Path, gpd.GeoDataFrame]:
    zones, rasters = inputs
    table = trend(zones, rasters, zone_field="name", ndvi_threshold=0.3, target="plan_2015")
    preview = change_preview(zones, rasters, ndvi_threshold=0.3)
    path = tmp_path / "trend.html"
    page = trend_page(table, preview=preview, note="test")
    assert page.title.startswith("绿化覆盖率逐年变化") and "srcdoc=" in page._repr_html_()
    page.save(path)
    return path, table


def test_page_is_self_contained_and_escaped(
    inputs: tuple[gpd.GeoDataFrame, dict[int, Path]], tmp_path: Path
) -> None:
    path, _ = _page(inputs, tmp_path)
    html = path.read_text(encoding="utf-8")
    assert external_urls(html) == [] and "http" not in html.replace("http://www.w3.org", "")
    # stands alone (the CLI writes only this file): links no file, not even lzgis's assets
    assert linked_assets(html) == []
    assert all(u.startswith(("data:", "#")) for u in re.findall(r'(?:src|href)="([^"]*)"', html))
    assert not (path.parent / "assets").exists()  # save() wrote no assets/ beside it
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert html.count('class="lz-chart"') == 2 and "目标 / target" in html
    assert "data:image/png;base64," in html


@pytest.mark.parametrize("width", [1200, 390])
def test_page_in_chromium_offline(
    browser: object, inputs: tuple[gpd.GeoDataFrame, dict[int, Path]], tmp_path: Path, width: int
) -> None:
    path, table = _page(inputs, tmp_path)
    ctx = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    try:
        page = ctx.new_page()
        errors: list[str] = []
        network: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith(("file:", "data:")):
                r.continue_()  # type: ignore[attr-defined]
            else:
                network.append(url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        # the last year is shown first
        assert page.inner_text("#lz-year") == "2023"
        fills = {
            y: [coverage_color(c) for c in table.loc[table["year"] == y, "coverage"]]
            for y in (2019, 2023)
        }
        assert fills[2019] != fills[2023]
        shown = page.evaluate(
            "[0,1].map(k => document.getElementById('lz-z'+k).getAttribute('fill'))"
        )
        assert shown == fills[2023]
        page.click("#lz-years button:first-child")
        assert page.inner_text("#lz-year") == "2019"
        shown = page.evaluate(
            "[0,1].map(k => document.getElementById('lz-z'+k).getAttribute('fill'))"
        )
        assert shown == fills[2019]
        title = page.evaluate("document.querySelector('#lz-z0 title').textContent")
        assert title.startswith("西区 <script>alert(1)</script>: ") and "(2019)" in title
        assert page.evaluate("document.getElementById('lz-change-layer').style.display") == ""
        page.click("#lz-change")
        assert page.evaluate("document.getElementById('lz-change-layer').style.display") == "none"
        assert page.locator(".lz-chart").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == [] and network == []
    finally:
        ctx.close()


def test_svg_helpers() -> None:
    chart = line_chart([2019, 2020, 2021], [20.0, float("nan"), 24.0], target_pct=31.12, label="x")
    assert chart.count("<circle") == 2 and 'class="target"' in chart and "<polyline" not in chart
    uri = png_data_uri(np.full((2, 3, 4), 255, dtype=np.uint8))
    import base64

    raw = base64.b64decode(uri.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[16:24] == bytes([0, 0, 0, 3, 0, 0, 0, 2])
