"""Offline pages carry Leaflet, the plugins (with licences) and the lzgis runtime inline;
default pages link them in assets/."""

from __future__ import annotations

import hashlib
import re
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
    LZGIS_CSS,
    LZGIS_JS,
    asset_files,
    external_urls,
    inline_assets,
    link_assets,
    linked_assets,
    runtime_tags,
    vendor_dir,
)
from lzgis.maps._controls import LZ_CSS, LZ_JS
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
    # the lzgis runtime inline, its text as it is in lzgis.maps._controls
    assert page.count(f"<style>{LZ_CSS}</style>") == 1
    assert page.count(f"<script>{LZ_JS}</script>") == 1
    assert "assets/" not in page


def test_default_page_links_vendored_assets_by_relative_path(tmp_path: Path) -> None:
    lay = fx.layers()
    page = projects_map(lay["projects"], lay, options=MapOptions(basemap="osm", offline=False))
    assert external_urls(page.html) == []  # no CDN
    assert f'<script src="{LEAFLET_JS}"></script>' in page.html
    assert LEAFLET_JS == "assets/leaflet/leaflet.js"
    assert sorted(linked_assets(page.html)) == sorted(
        [LEAFLET_JS, LEAFLET_CSS, CLUSTER_JS, *CLUSTER_CSS, LZGIS_JS, LZGIS_CSS]
    )
    assert (LZGIS_JS, LZGIS_CSS) == ("assets/lzgis/lzgis.js", "assets/lzgis/lzgis.css")
    assert "var lz = " not in page.html and ".lz-pop" not in page.html  # the runtime is linked
    saved = page.save(tmp_path / "site" / "projects.html")
    assert saved.read_text(encoding="utf-8") == page.html
    for rel, data in asset_files().items():
        assert (tmp_path / "site" / rel).read_bytes() == data
    assert "Vladimir Agafonkin" in (tmp_path / "site/assets/leaflet/LICENSE").read_text()
    assert (tmp_path / "site/assets/leaflet.markercluster/MIT-LICENCE.txt").exists()
    assert (tmp_path / "site/assets/leaflet/images/layers.png").exists()  # leaflet.css needs it
    assert "var lz = " in (tmp_path / "site/assets/lzgis/lzgis.js").read_text(encoding="ascii")
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


def _unescaped(js: str) -> str:
    """``js`` with its ``\\uXXXX`` escapes of non-ASCII characters as the characters."""
    return re.sub(
        r"\\u([0-9a-f]{4})",
        lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) >= 0x80 else m.group(0),
        js,
    )


def test_runtime_files_are_its_one_source_in_ascii_and_linked_by_their_hash() -> None:
    files = asset_files()
    js = files[LZGIS_JS].decode("ascii")  # ASCII: no server charset can garble it
    css = files[LZGIS_CSS].decode("ascii")
    # the same text as lzgis.maps._controls holds, other characters as escapes
    assert _unescaped(LZ_JS).strip() in _unescaped(js)
    assert not re.search(r"[^\x00-\x7f]", js + css)
    assert "' (\\u793a\\u610f / schematic)'" in js and "示意" in LZ_JS  # 示意
    assert "d.title = '\\u00d7';" in js  # ×
    assert LZ_CSS.strip() in css
    # linked with ?v= the file's hash: a cached older runtime is never run with a newer page
    tags = runtime_tags()
    for rel, data in ((LZGIS_CSS, files[LZGIS_CSS]), (LZGIS_JS, files[LZGIS_JS])):
        digest = hashlib.sha256(data).hexdigest()[:12]
        assert f'"{rel}?v={digest}"' in tags
    assert linked_assets(tags) == [LZGIS_JS, LZGIS_CSS]
    # inlining restores the text as it is, and nothing is linked any more
    inlined = inline_assets(tags)
    assert inlined == f"<style>{LZ_CSS}</style>\n    <script>{LZ_JS}</script>"
    assert linked_assets(inlined) == []


def test_a_query_other_than_the_hash_is_not_taken_for_an_asset() -> None:
    page = f'<script src="{LZGIS_JS}?x=1"></script>'
    assert linked_assets(page) == []
    assert inline_assets(page) == page
