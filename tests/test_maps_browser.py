"""The published pages in a real headless Chromium with all network blocked.

Needs Debian's Chromium at /usr/bin/chromium (the README's test command
installs it); without it these tests fail with the install command.
"""

from __future__ import annotations

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


# Leaflet shows a popup by inserting its content; do the same for every feature's popup
POPUP_TEXTS = """() => lz.index.map(e => {
     const p = e.layer.getPopup();
     if (!p) { return ''; }
     const c = p.getContent();
     const el = typeof c === 'function' ? c(e.layer) : c;
     const d = document.createElement('div');
     if (typeof el === 'string') { d.innerHTML = el; } else { d.appendChild(el); }
     document.body.appendChild(d);
     const t = d.innerText;
     d.remove();
     return t;
   }).join('\\n')"""


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
        "Places",
    ],
    "greening.html": [
        "Greening zones",
        "Wetlands",
        "Share in planned greening zones: City and two-mountain",
        "Share in planned greening zones: Districts",
        "Share in planned greening zones: Parks",
        "Places",
    ],
    "allocation.html": [
        "Greening zones",
        "Wetlands",
        "500 m strip",
        "Yellow River",
        "3 major zones",
        "8 county parks",
        "Conflicts (1)",
        "Places",
    ],
    "projects.html": ["3+8 parks", "Industry projects", "Ecology projects", "(roads", "Places"],
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
    body = got.page.inner_text("body")
    assert "规划绿化区占比" in body  # the embedded green is planned zones: shares, no verdicts
    assert "未达标" not in body and "missed" not in body and "1 / 3" not in body
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
    assert "名hitech_yantan / Name hitech_yantan" in text  # park, by name
    assert "名chengguan / Name chengguan" in text  # district, by name
    assert "(hitech_yantan)" not in text and "(chengguan)" not in text  # never the ids
    assert "高 / high" in text.split("Location confidence")[1]
    assert "示意 / schematic" in text
    assert got.dialogs == [] and got.errors == []


@pytest.mark.parametrize("name", [m[0] for m in MAPS])
def test_injected_names_run_nothing(load: object, site: Path, name: str) -> None:
    got = load(site / name)  # type: ignore[operator]
    page = got.page
    # Leaflet shows popups by setting innerHTML; do the same for every feature's popup
    texts = page.evaluate(POPUP_TEXTS)
    tips = page.evaluate(
        "() => lz.index.map(e => e.layer.getTooltip() ? e.layer.getTooltip().getContent().textContent : '').join('\\n')"
    )
    if name in ("overview.html", "allocation.html", "projects.html"):
        assert fx.XSS in texts  # shown as text
    if name in ("overview.html", "greening.html", "allocation.html"):
        assert fx.XSS2 in tips  # a text node: shown as text, never parsed
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
