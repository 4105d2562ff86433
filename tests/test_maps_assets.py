"""Offline pages carry Leaflet and the plugins inline (with licences); default pages link them in assets/."""

from __future__ import annotations

from pathlib import Path

import maps_fixtures as fx
import pytest

from lzgis._errors import OutputError
from lzgis.maps import MapOptions
from lzgis.maps._assets import (
    CLUSTER_CSS,
    CLUSTER_JS,
    LEAFLET_CSS,
    LEAFLET_JS,
    asset_files,
    external_urls,
    link_assets,
    linked_assets,
    vendor_dir,
)
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


def test_default_page_links_vendored_assets_by_relative_path(tmp_path: Path) -> None:
    lay = fx.layers()
    page = projects_map(lay["projects"], lay, options=MapOptions(basemap="osm", offline=False))
    assert external_urls(page.html) == []  # no CDN
    assert f'<script src="{LEAFLET_JS}"></script>' in page.html
    assert LEAFLET_JS == "assets/leaflet/leaflet.js"
    assert sorted(linked_assets(page.html)) == sorted(
        [LEAFLET_JS, LEAFLET_CSS, CLUSTER_JS, *CLUSTER_CSS]
    )
    saved = page.save(tmp_path / "site" / "projects.html")
    assert saved.read_text(encoding="utf-8") == page.html
    for rel, data in asset_files().items():
        assert (tmp_path / "site" / rel).read_bytes() == data
    assert "Vladimir Agafonkin" in (tmp_path / "site/assets/leaflet/LICENSE").read_text()
    assert (tmp_path / "site/assets/leaflet.markercluster/MIT-LICENCE.txt").exists()
    assert (tmp_path / "site/assets/leaflet/images/layers.png").exists()  # leaflet.css needs it
    assert [
        p.relative_to(tmp_path / "site").as_posix() for p in page.asset_paths(tmp_path / "site")
    ] == sorted(asset_files())


def test_offline_page_needs_no_assets_folder(tmp_path: Path) -> None:
    lay = fx.layers()
    page = projects_map(lay["projects"], lay, options=MapOptions(basemap="none", offline=True))
    page.save(tmp_path / "p.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html"]
    assert page.asset_paths(tmp_path) == []


def test_offline_refuses_an_unvendored_resource() -> None:
    page = '<html><head><script src="https://example.com/x.js"></script></head></html>'
    with pytest.raises(OutputError, match=r"example\.com"):
        link_assets(page, offline=True)
    with pytest.raises(OutputError, match=r"example\.com"):
        link_assets(page, offline=False)
