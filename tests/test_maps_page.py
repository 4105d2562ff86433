"""lzgis.maps._page: map pages as objects (Jupyter display, atomic save) and map options."""

from __future__ import annotations

import html
import re
from pathlib import Path

import maps_fixtures as fx
import pytest

from lzgis._errors import LzgisError
from lzgis.maps import MapOptions, MapPage, overview_map, projects_map


def test_save_writes_exactly_the_html(tmp_path: Path) -> None:
    lay = fx.layers()
    page = projects_map(lay["projects"], lay, options=MapOptions(basemap="none", offline=True))
    out = page.save(tmp_path / "sub" / "projects.html")
    assert out.read_bytes() == page.html.encode("utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["projects.html"]  # no temporary left


def test_repr_html_is_an_iframe_holding_the_whole_page() -> None:
    page = overview_map(fx.layers(), options=MapOptions(basemap="none", offline=True))
    shown = page._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" title="([^"]*)".*</iframe>', shown, re.S)
    assert match is not None
    assert html.unescape(match.group(1)) == page.html
    assert html.unescape(match.group(2)).startswith("兰州")
    assert str(page) == page.html


def test_repr_html_inlines_the_assets_a_default_page_links(tmp_path: Path) -> None:
    # an iframe srcdoc cannot resolve assets/..., so the notebook view inlines them
    page = overview_map(fx.layers(), options=MapOptions(basemap="osm"))
    assert '<script src="assets/leaflet/leaflet.js"></script>' in page.html
    shown = html.unescape(page._repr_html_())
    assert "assets/leaflet" not in shown and "Vladimir Agafonkin" in shown
    assert 'src="assets/lzgis/lzgis.js' in page.html and "var lz = " not in page.html
    assert "assets/" not in shown and shown.count("var lz = ") == 1  # the runtime inline too
    saved = page.save(tmp_path / "overview.html")
    assert saved.read_bytes() == page.html.encode("utf-8")  # save() keeps the linking page


def test_options_are_checked_when_made() -> None:
    with pytest.raises(LzgisError, match="Tianditu key"):
        MapOptions(basemap="tianditu")
    with pytest.raises(LzgisError):
        MapOptions(basemap="google")


def test_index_page_is_a_page_too(tmp_path: Path) -> None:
    from lzgis.maps import index_page

    page = index_page(maps=[("overview.html", "总览", "Overview")], tables=[])
    assert isinstance(page, MapPage)
    assert page.save(tmp_path / "index.html").read_text(encoding="utf-8") == page.html
