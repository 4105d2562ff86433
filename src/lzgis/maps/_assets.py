"""The JavaScript and CSS a map page needs: CDN links online, inline copies offline.

lzgis maps need only Leaflet and Leaflet.markercluster (no jQuery, Bootstrap
or font icons: markers are inline SVG). Both are vendored, with their
licences, in ``lzgis/maps/_vendor/`` by ``scripts/vendor_js.sh`` from their
npm packages; the CDN links point at the same versions. :func:`link_assets`
rewrites a rendered page: online it leaves the CDN tags, offline it replaces
each by the vendored file inline (with its licence as a comment, and the
CSS images as ``data:`` URIs), and refuses to leave any other external
resource in the page.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from lzgis._errors import OutputError

__all__ = [
    "CLUSTER_CSS",
    "CLUSTER_JS",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "LEAFLET_VERSION",
    "MARKERCLUSTER_VERSION",
    "external_urls",
    "link_assets",
    "vendor_dir",
]

LEAFLET_VERSION = "1.9.3"
MARKERCLUSTER_VERSION = "1.5.3"
_NPM = "https://cdn.jsdelivr.net/npm"
LEAFLET_JS = f"{_NPM}/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
LEAFLET_CSS = f"{_NPM}/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"
CLUSTER_JS = f"{_NPM}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/leaflet.markercluster.js"
CLUSTER_CSS = (
    f"{_NPM}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/MarkerCluster.css",
    f"{_NPM}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/MarkerCluster.Default.css",
)

# CDN url -> (vendored file, licence file), relative to vendor_dir()
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
_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/>')
_EXTERNAL = re.compile(
    r'<(?:script|img|iframe|link)\b[^>]*\s(?:src|href)\s*=\s*["\'](?:https?:)?//[^"\']+["\']',
    re.IGNORECASE,
)


def vendor_dir() -> Path:
    """Folder of the vendored JavaScript/CSS and their licences."""
    return Path(__file__).parent / "_vendor"


@lru_cache(maxsize=16)
def _read(rel: str) -> str:
    path = vendor_dir() / rel
    if not path.exists():
        raise OutputError(
            f"vendored asset {path} is missing; fix: run `scripts/vendor_js.sh` or reinstall lzgis"
        )
    return path.read_text(encoding="utf-8")


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


def link_assets(page: str, *, offline: bool) -> str:
    """Keep CDN tags (online) or inline the vendored copies (offline).

    Raises
    ------
    OutputError
        Offline, the page links a resource that is not vendored.
    """
    if not offline:
        return page
    page = _SCRIPT.sub(
        lambda m: _inline_script(m.group(1)) if m.group(1) in _VENDORED else m.group(0), page
    )
    page = _CSS.sub(
        lambda m: _inline_css(m.group(1)) if m.group(1) in _VENDORED else m.group(0), page
    )
    left = external_urls(page)
    if left:
        raise OutputError(
            f"offline page still links {left[0]}; fix: vendor it in lzgis/maps/_assets.py"
        )
    return page
