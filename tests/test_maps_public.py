"""The published site as the public meets it: real layers, real headless Chromium, no network.

Default ``publish`` output (OSM basemap, Leaflet from ``assets/``) with every
request except ``file:``/``data:`` blocked; desktop 1200×800 and phone 390×844.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import maps_fixtures as fx
import pytest
import shapely

from lzgis import layers as lz_layers
from lzgis._errors import OutputError
from lzgis.maps import MapOptions
from lzgis.maps._text import SNAKE
from lzgis.maps.projects import projects_map
from lzgis.maps.snapshots import check_rendered, snapshot
from lzgis.publish import MAPS, publish

PAGES = [m[0] for m in MAPS]
CJK = re.compile(r"[\u4e00-\u9fff]")

POPUPS = """() => lz.index.filter((e, i, a) => a.findIndex(x => x.layer === e.layer) === i).map(e => {
     const p = e.layer.getPopup();
     if (!p) { return null; }
     const c = p.getContent();
     const el = typeof c === 'function' ? c(e.layer) : c;
     const d = document.createElement('div');
     if (typeof el === 'string') { d.innerHTML = el; } else { d.appendChild(el); }
     document.body.appendChild(d);
     const t = d.innerText;
     d.remove();
     return t;
   }).filter(t => t !== null)"""

# project markers that no control covers
FREE_MARKERS = """Array.from(document.querySelectorAll('svg[data-lz-id]')).map(s => {
     const r = s.getBoundingClientRect();
     const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
     return hit && s.contains(hit) ? s.dataset.lzId : null; }).filter(x => x)"""

CONTROLS = """() => Array.from(document.querySelectorAll('.leaflet-control, .lz-bar'))
   .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
   .map(r => [r.left, r.top, r.right, r.bottom])"""


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("public") / "maps"
    publish(out)  # the default: OSM tiles, Leaflet and plugins in assets/
    return out


def _tile_errors_only(got: object) -> list[str]:
    """Console errors other than the browser's report of the blocked basemap tiles."""
    return [e for e in got.errors if "Failed to load resource" not in e]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", PAGES)
def test_default_site_works_with_the_network_blocked(
    load: object, real_site: Path, name: str
) -> None:
    assert (real_site / "assets/leaflet/leaflet.js").exists()
    assert (real_site / "assets/leaflet/LICENSE").exists()
    got = load(real_site / name)  # type: ignore[operator]
    page = got.page
    assert page.evaluate("typeof L !== 'undefined' && window.lzMap instanceof L.Map")
    assert page.evaluate("document.documentElement.dataset.lzReady") == "1"
    assert page.locator("path.leaflet-interactive").count() > 5  # overlays drawn
    assert _tile_errors_only(got) == []
    assert got.network and all("tile.openstreetmap.org" in u for u in got.network)
    note = page.locator(".lz-note")
    note.wait_for(state="visible")
    assert "底图瓦片无法加载" in note.inner_text()  # says so; outlines stay


@pytest.mark.parametrize("name", PAGES)
def test_popups_read_as_plain_chinese_and_english(load: object, real_site: Path, name: str) -> None:
    got = load(real_site / name)  # type: ignore[operator]
    texts = got.page.evaluate(POPUPS)
    assert len(texts) > 20
    for text in texts:
        assert CJK.search(text), text  # every popup has Chinese
        assert "shared/" not in text and ".tsv" not in text, text
        assert "http" not in text, text
        assert not SNAKE.search(text), (SNAKE.search(text), text)
    joined = "\n".join(texts)
    assert "未达标" not in joined and "missed" not in joined
    if name == "projects.html":
        assert "低 / low" in joined and "地名资料 / gazetteer" in joined


def test_index_tables_read_as_plain_text(load: object, real_site: Path) -> None:
    got = load(real_site / "index.html")  # type: ignore[operator]
    tables = got.page.evaluate(
        "Array.from(document.querySelectorAll('table')).map(t => t.innerText).join('\\n')"
    )
    body = got.page.inner_text("body")
    for text in (tables, body):
        assert "shared/" not in text and ".tsv" not in text
        assert not SNAKE.search(text), SNAKE.search(text)
    assert "规划绿化区占比" in body and "39.1%" in body  # the reported figure next to it
    assert "未达标" not in body and "missed" not in body
    assert "%" in tables and "占全市 / share of the city" in tables


def test_no_page_of_the_embedded_site_gives_verdicts(real_site: Path) -> None:
    for name in [*PAGES, "index.html"]:
        text = (real_site / name).read_text(encoding="utf-8")
        assert "未达标" not in text and "missed" not in text, name


def _overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _popup_clear_of_controls(page: object, width: int = 390, height: int = 844) -> None:
    page.wait_for_timeout(700)  # type: ignore[attr-defined]  # auto-pan animation starts
    page.wait_for_function(  # type: ignore[attr-defined]  # ... and has ended (a loaded machine)
        """() => new Promise(done => {
            const at = () => document.querySelector('.leaflet-popup').getBoundingClientRect();
            const a = at();
            setTimeout(() => { const b = at(); done(a.left === b.left && a.top === b.top); }, 150);
        })""",
        timeout=15_000,
    )
    box = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const r = document.querySelector('.leaflet-popup').getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })()"
    )
    for ctl in page.evaluate(CONTROLS):  # type: ignore[attr-defined]
        assert not _overlaps(box, ctl), (box, ctl)
    assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height


def _free_spot(district: str) -> tuple[float, float]:
    """A point in ``district`` that no other drawn layer covers (so a tap hits the district)."""
    d = lz_layers.load("districts").set_index("id").geometry[district]
    others = [
        lz_layers.load(lid).geometry.union_all().buffer(0.03)
        for lid in ("new_area", "parks", "greening_zones", "wetlands", "yellow_river", "projects")
    ]
    spot = shapely.difference(d.buffer(-0.03), shapely.union_all(others)).point_on_surface()
    return spot.x, spot.y


def test_phone_layout_popups_and_search(load: object, real_site: Path) -> None:
    got = load(real_site / "overview.html", width=390, height=844)  # type: ignore[operator]
    page = got.page
    assert page.locator(".leaflet-control-layers-expanded").count() == 0  # layer list collapsed
    assert page.locator(".lz-legend.closed").count() == 1  # legend behind its button
    assert page.locator(".lz-legend .lz-body").is_hidden()
    bar = page.locator(".lz-bar")
    assert bar.bounding_box()["height"] < 40  # one-line title bar
    # tap a district
    lon, lat = _free_spot("yongdeng")
    x, y = page.evaluate(
        f"(() => {{ const p = lzMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()"
    )
    page.touchscreen.tap(x, y)
    page.locator(".leaflet-popup-content").wait_for(state="visible")
    assert "永登县" in page.locator(".leaflet-popup-content").inner_text()
    _popup_clear_of_controls(page)
    # tap a project marker (zoomed to the city so that markers stand alone)
    page.evaluate("lzMap.closePopup(); lzMap.setView([36.06, 103.83], 12, {animate: false})")
    page.wait_for_timeout(300)
    page.wait_for_function(f"() => ({FREE_MARKERS}).length > 0", timeout=15_000)
    free = page.evaluate(FREE_MARKERS)
    assert free  # markers that no control covers
    page.locator(f'svg[data-lz-id="{free[0]}"]').tap()
    page.locator(".leaflet-popup-content").wait_for(state="visible")
    assert "责任单位 / Responsible unit" in page.locator(".leaflet-popup-content").inner_text()
    _popup_clear_of_controls(page)
    # the search box takes a tap and typing, finds the airport and switches its layer on
    page.evaluate("lzMap.closePopup()")
    box = page.locator(".lz-search input")
    box.tap()
    page.keyboard.type("中川机场")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "兰州中川国际机场" in popup.inner_text()
    assert page.evaluate("lzMap.getZoom()") <= 15
    places = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".filter(l => l.textContent.includes('Places')).map(l => l.querySelector('input').checked)"
    )
    assert places == [True]
    _popup_clear_of_controls(page)
    assert _tile_errors_only(got) == [] and got.dialogs == []


def test_desktop_keeps_the_layer_list_and_legend_open(load: object, real_site: Path) -> None:
    got = load(real_site / "overview.html", width=1400, height=900)  # type: ignore[operator]
    page = got.page
    assert page.locator(".leaflet-control-layers-expanded").count() == 1
    assert page.locator(".lz-legend .lz-body").is_visible()
    assert page.locator(".lz-title").is_visible() and page.locator(".lz-bar").count() == 0
    # popups open clear of the (large) desktop controls too
    page.evaluate("lzMap.setView([36.06, 103.83], 12, {animate: false})")
    page.wait_for_timeout(300)
    page.wait_for_function(f"() => ({FREE_MARKERS}).length > 0", timeout=15_000)
    free = page.evaluate(FREE_MARKERS)
    assert free
    page.locator(f'svg[data-lz-id="{free[-1]}"]').click()
    page.locator(".leaflet-popup-content").wait_for(state="visible")
    _popup_clear_of_controls(page, 1400, 900)


def test_names_are_labelled_at_city_zooms(load: object, real_site: Path) -> None:
    got = load(real_site / "overview.html")  # type: ignore[operator]
    page = got.page
    page.evaluate("lzMap.setView([36.3, 103.7], 9, {animate: false})")
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('.lz-label.d')).map(e => e.textContent)"
    )
    assert sorted(labels) == sorted(lz_layers.load("districts")["name_zh"])
    assert page.locator(".lz-label:not(.d)").count() == 0  # parks and zones wait for zoom 11
    page.evaluate("lzMap.setView([36.06, 103.85], 11, {animate: false})")
    park_labels = page.evaluate(
        "Array.from(document.querySelectorAll('.lz-label:not(.d)')).map(e => e.textContent)"
    )
    assert "雁滩园区" in "".join(park_labels) or len(park_labels) >= 3
    page.evaluate("lzMap.setView([36.06, 103.85], 7, {animate: false})")
    assert page.locator(".lz-label").count() == 0


def test_search_never_zooms_past_15_and_spreads_co_located_markers(
    load: object, tmp_path: Path
) -> None:
    lay = fx.layers()
    projects = fx.projects_layer()
    twin = projects[projects["id"] == "p1"].copy()
    twin["id"] = ["p1b"]
    twin["name_zh"] = ["名p1b"]
    projects = gpd.GeoDataFrame(
        [*projects.to_dict("records"), *twin.to_dict("records")], crs=projects.crs
    )
    path = tmp_path / "projects.html"
    projects_map(projects, lay, options=MapOptions(basemap="none", offline=True)).save(path)
    got = load(path)  # type: ignore[operator]
    page = got.page
    page.evaluate(f"lzMap.setView([{fx.P1[1]}, {fx.P1[0]}], 13, {{animate: false}})")
    cluster = page.locator(".marker-cluster").first
    cluster.wait_for(state="visible")
    cluster.click()
    # the spiderfy animation takes its time on a loaded machine: wait for the two markers apart
    page.wait_for_function(
        """() => {
            const a = document.querySelector('[data-lz-id="p1"]');
            const b = document.querySelector('[data-lz-id="p1b"]');
            if (!a || !b) return false;
            const r = a.getBoundingClientRect(), q = b.getBoundingClientRect();
            return Math.abs(r.x - q.x) + Math.abs(r.y - q.y) > 10;
        }""",
        timeout=15_000,
    )
    assert page.evaluate("lzMap.getZoom()") == 13  # spread out, not zoomed in
    page.evaluate("lzMap.setView([36.0, 103.8], 9, {animate: false})")
    box = page.locator(".lz-search input")
    box.fill("名p1b")
    box.press("Enter")
    page.locator(".leaflet-popup-content").wait_for(state="visible")
    assert "名p1b" in page.locator(".leaflet-popup-content").inner_text()
    assert page.evaluate("lzMap.getZoom()") <= 15
    assert got.errors == [] and got.dialogs == []


def test_snapshots_refuse_a_map_that_did_not_render(real_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish_copy = {
        p.relative_to(real_site): p.read_bytes() for p in real_site.rglob("*") if p.is_file()
    }
    for rel, data in publish_copy.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    check_rendered(site / "overview.html")  # renders with its assets
    (site / "assets/leaflet/leaflet.js").unlink()  # Leaflet unavailable
    with pytest.raises(OutputError, match="did not render") as err:
        snapshot(site / "overview.html", site / "overview.png")
    assert "\n" not in str(err.value)
    assert not list(site.glob("*.png"))


BAR_POSITION = "getComputedStyle(document.querySelector('.lz-bar')).position"


def _copy_site(real_site: Path, site: Path, *, without: str) -> None:
    for p in real_site.rglob("*"):
        rel = p.relative_to(real_site).as_posix()
        if p.is_file() and rel != without:
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_bytes(p.read_bytes())


def test_site_pages_run_the_runtime_they_link_on_a_phone(
    load: object, real_site: Path, tmp_path: Path
) -> None:
    """The lzgis runtime is assets/lzgis/ (written once), linked, and it runs with no network."""
    for name in PAGES:
        text = (real_site / name).read_text(encoding="utf-8")
        assert "var lz = " not in text and ".lz-pop" not in text  # linked, not inlined
        assert re.search(r'<script src="assets/lzgis/lzgis\.js\?v=[0-9a-f]{12}"></script>', text)
    got = load(real_site / "projects.html", width=390, height=844)  # type: ignore[operator]
    page = got.page
    assert page.evaluate("document.documentElement.dataset.lzReady") == "1"
    bar = page.locator(".lz-bar")  # its CSS: a one-line title bar over the map
    assert page.evaluate(BAR_POSITION) == "absolute"
    assert bar.bounding_box()["height"] < 40
    # the legend button opens and closes the legend
    body = page.locator(".lz-legend .lz-body")
    assert body.is_hidden()
    page.locator(".lz-legend .lz-toggle").tap()
    assert body.is_visible()
    page.locator(".lz-legend .lz-toggle").tap()
    assert body.is_hidden()
    # the layer button opens the layer list, and a layer switched off leaves the map
    assert page.locator(".leaflet-control-layers-expanded").count() == 0
    page.locator(".leaflet-control-layers-toggle").tap()
    page.locator(".leaflet-control-layers-expanded").wait_for(state="visible")
    label = page.locator(".leaflet-control-layers-overlays label").filter(has_text="3+8 parks")
    drawn = page.locator("path.leaflet-interactive").count()
    assert label.locator("input").is_checked()
    label.locator("input").tap()
    assert not label.locator("input").is_checked()
    assert 0 < page.locator("path.leaflet-interactive").count() < drawn
    assert _tile_errors_only(got) == [] and got.dialogs == []
    assert all("tile.openstreetmap.org" in u for u in got.network)  # nothing else asked for
    # without the linked files, no runtime: the page really runs assets/lzgis/
    _copy_site(real_site, tmp_path / "nojs", without="assets/lzgis/lzgis.js")
    bare = load(tmp_path / "nojs" / "projects.html", width=390, height=844)  # type: ignore[operator]
    assert bare.page.evaluate("typeof lz") == "undefined"
    assert bare.page.locator(".lz-legend").count() == 0
    assert bare.page.evaluate("document.documentElement.dataset.lzReady") is None
    _copy_site(real_site, tmp_path / "nocss", without="assets/lzgis/lzgis.css")
    plain = load(tmp_path / "nocss" / "projects.html", width=390, height=844)  # type: ignore[operator]
    assert plain.page.evaluate("document.documentElement.dataset.lzReady") == "1"
    assert plain.page.evaluate(BAR_POSITION) == "static"  # the page's own CSS does not place it
