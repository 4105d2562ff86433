"""The published pages in a real headless Chromium with all network blocked.

Needs Debian's Chromium at /usr/bin/chromium (the README's test command
installs it); without it these tests fail with the install command.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import maps_fixtures as fx
import pytest
from pyproj import Geod

from lzgis.gcj02 import wgs84_to_gcj02
from lzgis.maps import MapOptions
from lzgis.maps.projects import projects_map
from lzgis.publish import MAPS, write_site


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(fx.results(fx.layers()), out, basemap="none", offline=True)
    return out


@dataclass
class Loaded:
    page: object
    errors: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def load(browser: object) -> Iterator[object]:
    contexts = []

    def _load(path: Path) -> Loaded:
        ctx = browser.new_context(viewport={"width": 1200, "height": 800})  # type: ignore[attr-defined]
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


def overlays(page: object) -> list[str]:
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(l => l.textContent.trim())"
    )


EXPECTED = {
    "overview.html": [
        "Districts",
        "Greening zones",
        "Wetlands",
        "3+8 parks",
        "Yellow River",
        "(points)",
        "(roads",
    ],
    "greening.html": [
        "Greening zones",
        "Wetlands",
        "City and two-mountain",
        "Green coverage: Districts",
        "Green coverage: Parks",
    ],
    "allocation.html": [
        "Greening zones",
        "Wetlands",
        "500 m strip",
        "Yellow River",
        "3 major zones",
        "8 county parks",
        "Conflicts (1)",
    ],
    "projects.html": ["3+8 parks", "Industry projects", "Ecology projects", "(roads"],
}


@pytest.mark.parametrize("name", [m[0] for m in MAPS])
def test_map_loads_offline_with_its_layers(load: object, site: Path, name: str) -> None:
    got = load(site / name)  # type: ignore[operator]
    page = got.page
    assert page.evaluate("typeof L !== 'undefined' && window.lzMap instanceof L.Map")
    labels = overlays(page)
    assert len(labels) == len(EXPECTED[name])
    for want, label in zip(EXPECTED[name], labels, strict=True):
        assert want in label
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".lz-search input").count() == 1
    assert page.locator(".lz-legend").count() == 1
    assert "schematic" in page.locator(".lz-title").inner_text()
    assert page.evaluate("document.characterSet") == "UTF-8"
    assert got.errors == []
    assert got.network == []


def test_index_page_loads_offline(load: object, site: Path) -> None:
    got = load(site / "index.html")  # type: ignore[operator]
    hrefs = got.page.evaluate(
        "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))"
    )
    assert [m[0] for m in MAPS] == hrefs[: len(MAPS)]
    assert "1 / 3" in got.page.inner_text("body")  # one of the three zones with a target meets it
    assert got.page.evaluate("document.querySelectorAll('img').length") == 0
    assert got.errors == [] and got.network == [] and got.dialogs == []


def test_clicking_a_project_opens_its_popup(load: object, site: Path) -> None:
    got = load(site / "projects.html")  # type: ignore[operator]
    page = got.page
    page.evaluate(f"lzMap.setView([{fx.P1[1]}, {fx.P1[0]}], 16, {{animate: false}})")
    marker = page.locator('[data-lz-id="p1"]')
    marker.wait_for(state="visible")
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "名p1" in text and "Name p1" in text
    assert "责任单位 / Responsible unit" in text and fx.XSS in text
    assert "Municipal Industry Bureau" in text
    assert "名hitech_yantan / Name hitech_yantan (hitech_yantan)" in text  # park
    assert "名chengguan / Name chengguan (chengguan)" in text  # district
    assert (
        "定位可信度 / Location confidence\thigh" in text
        or "high" in text.split("Location confidence")[1]
    )
    assert "示意 / schematic" in text
    assert got.dialogs == [] and got.errors == []


@pytest.mark.parametrize("name", [m[0] for m in MAPS])
def test_injected_names_run_nothing(load: object, site: Path, name: str) -> None:
    got = load(site / name)  # type: ignore[operator]
    page = got.page
    # Leaflet shows popups by setting innerHTML; do the same for every feature's popup
    texts = page.evaluate(
        """() => lz.index.map(e => {
             const p = e.layer.getPopup();
             if (!p) { return ''; }
             const d = document.createElement('div');
             d.innerHTML = p.getContent();
             document.body.appendChild(d);
             const t = d.innerText;
             d.remove();
             return t;
           }).join('\\n')"""
    )
    tips = page.evaluate(
        "() => lz.index.map(e => e.layer.getTooltip() ? e.layer.getTooltip().getContent() : '').join('\\n')"
    )
    if name in ("overview.html", "allocation.html", "projects.html"):
        assert fx.XSS in texts  # shown as text
    if name in ("overview.html", "greening.html", "allocation.html"):
        assert "&lt;script&gt;alert(2)" in tips  # escaped in the tooltip HTML
    legend_and_search = page.evaluate(
        "Array.from(document.querySelectorAll('#lz-names option')).map(o => o.value).join('\\n')"
    )
    assert "onerror" not in page.evaluate("document.querySelector('.lz-legend').innerHTML")
    assert page.evaluate("document.querySelectorAll('img[onerror], img[src=\"x\"]').length") == 0
    assert (
        page.evaluate(
            "Array.from(document.scripts).filter(s => s.text.includes('alert(2)') && !s.text.includes('lz.feature') && s.text.length < 200).length"
        )
        == 0
    )
    if name == "overview.html":
        assert fx.XSS in legend_and_search  # the search list holds the raw name, as text
    assert got.dialogs == []
    assert got.errors == []


def test_search_box_finds_a_feature_and_opens_it(load: object, site: Path) -> None:
    got = load(site / "overview.html")  # type: ignore[operator]
    page = got.page
    box = page.locator(".lz-search input")
    box.fill("name w1")
    box.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "名w1" in popup.inner_text()
    box.fill("no such place")
    box.press("Enter")
    assert "not found" in page.locator(".lz-search .hit").inner_text()
    assert got.errors == []


def _p1_in_browser(load: object, tmp_path: Path, basemap: str) -> tuple[float, float]:
    lay = fx.layers()
    path = tmp_path / f"projects_{basemap}.html"
    path.write_text(
        projects_map(lay["projects"], lay, options=MapOptions(basemap=basemap, offline=True)).html,
        encoding="utf-8",
    )
    got = load(path)  # type: ignore[operator]
    assert got.dialogs == []
    ll = got.page.evaluate(
        "(() => { const e = lz.index.find(e => e.name === '名p1'); return e.layer.getLatLng(); })()"
    )
    return ll["lng"], ll["lat"]


def test_gaode_overlays_shift_by_the_gcj02_offset_and_osm_does_not(
    load: object, tmp_path: Path
) -> None:
    osm = _p1_in_browser(load, tmp_path, "osm")
    gaode = _p1_in_browser(load, tmp_path, "gaode")
    assert osm == pytest.approx(fx.P1, abs=1e-9)
    want = wgs84_to_gcj02(*fx.P1)
    assert gaode == pytest.approx(
        (float(want[0]), float(want[1])), abs=1.1e-5
    )  # 5-decimal rounding
    _, _, metres = Geod(ellps="WGS84").inv(fx.P1[0], fx.P1[1], gaode[0], gaode[1])
    assert 150 < metres < 300  # about 220 m at Lanzhou
