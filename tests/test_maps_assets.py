"""Offline pages carry Leaflet and the plugins inline (with licences); online pages link CDNs."""

from __future__ import annotations

import maps_fixtures as fx
import pytest

from lzgis._errors import OutputError
from lzgis.maps import MapOptions
from lzgis.maps._assets import LEAFLET_JS, external_urls, link_assets, vendor_dir
from lzgis.maps.projects import projects_map


def test_vendored_files_and_licences_are_present() -> None:
    for rel in (
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/LICENSE",
        "leaflet.markercluster/leaflet.markercluster.js",
        "leaflet.markercluster/MIT-LICENCE.txt",
    ):
        assert (vendor_dir() / rel).stat().st_size > 0


def test_offline_page_is_self_contained_with_licences() -> None:
    lay = fx.layers()
    page = projects_map(lay["projects"], lay, options=MapOptions(basemap="none", offline=True)).html
    assert external_urls(page) == []
    assert "<script src=" not in page and 'rel="stylesheet"' not in page
    assert "Vladimir Agafonkin" in page  # Leaflet's licence
    assert "David Leaver" in page  # markercluster's licence
    assert (
        "jquery" not in page.lower()
        and "bootstrap" not in page.lower()
        and "font-awesome" not in page.lower()
    )
    assert "url(images/" not in page  # Leaflet's CSS images became data: URIs


def test_online_page_links_only_leaflet_and_markercluster() -> None:
    lay = fx.layers()
    page = projects_map(lay["projects"], lay, options=MapOptions(basemap="osm", offline=False)).html
    urls = external_urls(page)
    assert any(LEAFLET_JS in u for u in urls)
    assert all("leaflet" in u for u in urls)
    assert len(urls) == 5  # leaflet js+css, markercluster js + 2 css


def test_offline_refuses_an_unvendored_resource() -> None:
    page = '<html><head><script src="https://example.com/x.js"></script></head></html>'
    with pytest.raises(OutputError, match=r"example\.com"):
        link_assets(page, offline=True)
