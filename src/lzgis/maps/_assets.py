"""The JavaScript and CSS a map page needs: files in ``assets/`` next to the page, or inline.

lzgis maps need only Leaflet and Leaflet.markercluster (no jQuery, Bootstrap
or font icons: markers are inline SVG). Both are vendored, with their
licences, in ``lzgis/maps/_vendor/`` by ``scripts/vendor_js.sh`` from their
npm packages. A page never depends on a CDN:

- by default a page links ``assets/leaflet/leaflet.js`` and the others by a
  relative path, and :func:`asset_files` gives the files (with the licences)
  that :meth:`lzgis.maps.MapPage.save` writes once into ``assets/`` beside
  the page; so a published folder works from a file share, a static web
  server or an intranet;
- offline (:func:`link_assets` with ``offline=True``, or :func:`inline_assets`)
  each tag is replaced by the vendored file inline (with its licence as a
  comment, and the CSS images as ``data:`` URIs): one self-contained file.

Either way a page that still links any other external resource is refused.

Examples
--------
>>> page = '<script src="assets/leaflet/leaflet.js"></script>'
>>> "Vladimir Agafonkin" in inline_assets(page)
True
>>> sorted(asset_files())[0]
'assets/VERSIONS'
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from lzgis._errors import OutputError

__all__ = [
    "ASSET_DIR",
    "CLUSTER_CSS",
    "CLUSTER_JS",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "LEAFLET_VERSION",
    "MARKERCLUSTER_VERSION",
    "asset_files",
    "external_urls",
    "inline_assets",
    "link_assets",
    "linked_assets",
    "vendor_dir",
]

LEAFLET_VERSION = "1.9.3"
MARKERCLUSTER_VERSION = "1.5.3"
ASSET_DIR = "assets"
LEAFLET_JS = f"{ASSET_DIR}/leaflet/leaflet.js"
LEAFLET_CSS = f"{ASSET_DIR}/leaflet/leaflet.css"
CLUSTER_JS = f"{ASSET_DIR}/leaflet.markercluster/leaflet.markercluster.js"
CLUSTER_CSS = (
    f"{ASSET_DIR}/leaflet.markercluster/MarkerCluster.css",
    f"{ASSET_DIR}/leaflet.markercluster/MarkerCluster.Default.css",
)

# page url -> (vendored file, licence file), relative to vendor_dir()
_VENDORED = {
    LEAFLET_JS: ("leaflet/leaflet.js", "leaflet/LICENSE"),
    LEAFLET_CSS: ("leaflet/leaflet.css", "leaflet/LICENSE"),
    CLUSTER_JS: (
        "leaflet.markercluster/leaflet.markercluster.js",
        "leaflet.markercluster/MIT-LICENCE.txt",
    ),
    CLUSTER_CSS[0]: (
        "leaflet.markercluster/MarkerCluster.css",
        "leaflet.markercluster/MIT-LICENCE.txt",
    ),
    CLUSTER_CSS[1]: (
        "leaflet.markercluster/MarkerCluster.Default.css",
        "leaflet.markercluster/MIT-LICENCE.txt",
    ),
}
# written beside the pages with the code: licences, versions and the CSS images
_EXTRA = (
    "VERSIONS",
    "leaflet/LICENSE",
    "leaflet/images/layers.png",
    "leaflet/images/layers-2x.png",
    "leaflet.markercluster/MIT-LICENCE.txt",
)
_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/>')
_EXTERNAL = re.compile(
    r'<(?:script|img|iframe|link)\b[^>]*\s(?:src|href)\s*=\s*["\'](?:https?:)?//[^"\']+["\']',
    re.IGNORECASE,
)


def vendor_dir() -> Path:
    """Folder of the vendored JavaScript/CSS and their licences."""
    return Path(__file__).parent / "_vendor"


@lru_cache(maxsize=32)
def _bytes(rel: str) -> bytes:
    path = vendor_dir() / rel
    if not path.exists():
        raise OutputError(
            f"vendored asset {path} is missing; fix: run `scripts/vendor_js.sh` or reinstall lzgis"
        )
    return path.read_bytes()


def _read(rel: str) -> str:
    return _bytes(rel).decode("utf-8")


def asset_files() -> dict[str, bytes]:
    """Every file a linked page needs, by its path relative to the page's folder."""
    rels = sorted({v[0] for v in _VENDORED.values()} | set(_EXTRA))
    return {f"{ASSET_DIR}/{rel}": _bytes(rel) for rel in rels}


def _licence_comment(rel: str) -> str:
    text = _read(rel).replace("*/", "* /")
    return f"/*! vendored by lzgis from npm; licence ({rel}):\n{text}\n*/\n"


def _css_with_data_uris(css: str, folder: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        target = folder / match.group(1)
        if not target.exists():
            return "none"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(([^)\"':]+\.png)\)", repl, css)


def _inline_script(url: str) -> str:
    js, lic = _VENDORED[url]
    body = _read(js).replace("</script", "<\\/script")
    return f"<script>{_licence_comment(lic)}{body}</script>"


def _inline_css(url: str) -> str:
    css, lic = _VENDORED[url]
    body = _css_with_data_uris(_read(css), (vendor_dir() / css).parent)
    return f"<style>{_licence_comment(lic)}{body}</style>"


def external_urls(page: str) -> list[str]:
    """Every script, stylesheet, image or frame tag in ``page`` that loads from the network."""
    return [m.group(0) for m in _EXTERNAL.finditer(page)]


def linked_assets(page: str) -> list[str]:
    """The vendored files ``page`` links by relative path (empty for an inlined page)."""
    found = [m.group(1) for m in _SCRIPT.finditer(page)] + [m.group(1) for m in _CSS.finditer(page)]
    return [u for u in found if u in _VENDORED]


def inline_assets(page: str) -> str:
    """``page`` with every linked vendored file inlined (a self-contained page)."""
    page = _SCRIPT.sub(
        lambda m: _inline_script(m.group(1)) if m.group(1) in _VENDORED else m.group(0), page
    )
    return _CSS.sub(
        lambda m: _inline_css(m.group(1)) if m.group(1) in _VENDORED else m.group(0), page
    )


def link_assets(page: str, *, offline: bool) -> str:
    """Keep the relative ``assets/`` tags (default) or inline the vendored copies (offline).

    Raises
    ------
    OutputError
        The page links a resource from the network.
    """
    if offline:
        page = inline_assets(page)
    left = external_urls(page)
    if left:
        raise OutputError(f"page still links {left[0]}; fix: vendor it in lzgis/maps/_assets.py")
    return page
