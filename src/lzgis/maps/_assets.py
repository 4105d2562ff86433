"""The JavaScript and CSS a map page needs: files in ``assets/`` next to the page, or inline.

lzgis maps need only Leaflet and Leaflet.markercluster (no jQuery, Bootstrap
or font icons: markers are inline SVG), and lzgis's own page runtime. Leaflet
and the plugin are vendored, with their licences, in ``lzgis/maps/_vendor/``
by ``scripts/vendor_js.sh`` from their npm packages; the runtime's one source
is ``LZ_CSS`` and ``LZ_JS`` in :mod:`lzgis.maps._controls`, written out as
``assets/lzgis/lzgis.css`` and ``lzgis.js`` (ASCII: other characters as
escapes, so a server's wrong charset cannot garble them; linked with
``?v=`` and a hash of the text, so a browser never runs a cached older
runtime with a newer page). A page never depends on a CDN:

- by default a page links ``assets/leaflet/leaflet.js``, the runtime and the
  others by a relative path, and :func:`asset_files` gives the files (with the
  licences) that :meth:`lzgis.maps.MapPage.save` writes once into ``assets/``
  beside the page; so a published folder works from a file share, a static web
  server or an intranet;
- offline (:func:`link_assets` with ``offline=True``, or :func:`inline_assets`)
  each tag is replaced by the file inline (the vendored ones with their
  licence as a comment and the CSS images as ``data:`` URIs, the runtime as
  its text): one self-contained file.

Either way a page that still links any other external resource is refused.

Examples
--------
>>> page = '<script src="assets/leaflet/leaflet.js"></script>'
>>> "Vladimir Agafonkin" in inline_assets(page)
True
>>> sorted(asset_files())[0]
'assets/VERSIONS'
>>> linked_assets(runtime_tags())
['assets/lzgis/lzgis.js', 'assets/lzgis/lzgis.css']
>>> "var lz = " in inline_assets(runtime_tags())
True
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from lzgis._errors import OutputError
from lzgis.maps._controls import LZ_CSS, LZ_JS

__all__ = [
    "ASSET_DIR",
    "CLUSTER_CSS",
    "CLUSTER_JS",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "LEAFLET_VERSION",
    "LZGIS_CSS",
    "LZGIS_JS",
    "MARKERCLUSTER_VERSION",
    "asset_files",
    "external_urls",
    "inline_assets",
    "link_assets",
    "linked_assets",
    "runtime_tags",
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

LZGIS_JS = f"{ASSET_DIR}/lzgis/lzgis.js"
LZGIS_CSS = f"{ASSET_DIR}/lzgis/lzgis.css"

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
# page url -> the lzgis runtime's text (inlined as it is; the file is its ASCII form)
_RUNTIME = {LZGIS_JS: LZ_JS, LZGIS_CSS: LZ_CSS}
_RUNTIME_HEADER = "/*! lzgis map runtime (part of lzgis, MIT licence) */\n"
_SCRIPT = re.compile(r'<script src="([^"?]+)(?:\?v=[0-9a-f]+)?"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="([^"?]+)(?:\?v=[0-9a-f]+)?"\s*/>')
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


def _js_escape(match: re.Match[str]) -> str:
    data = match.group(0).encode("utf-16-be")  # astral characters as surrogate pairs
    return "".join(f"\\u{data[i] << 8 | data[i + 1]:04x}" for i in range(0, len(data), 2))


def _css_escape(match: re.Match[str]) -> str:
    return f"\\{ord(match.group(0)):06x}"  # six digits: no terminating space needed


@lru_cache(maxsize=1)
def _runtime_files() -> dict[str, bytes]:
    """The runtime as written to ``assets/lzgis/``: ASCII, non-ASCII characters as escapes.

    In JavaScript only strings, regular expressions and comments hold such
    characters, where ``\\uXXXX`` means the same character; in CSS
    ``\\XXXXXX`` does.
    """
    non_ascii = re.compile(r"[^\x00-\x7f]")
    js = non_ascii.sub(_js_escape, LZ_JS)
    css = non_ascii.sub(_css_escape, LZ_CSS)
    return {
        LZGIS_JS: (_RUNTIME_HEADER + js).encode("ascii"),
        LZGIS_CSS: (_RUNTIME_HEADER + css).encode("ascii"),
    }


def runtime_tags() -> str:
    """The tags that link the lzgis runtime (CSS, then JS), each with ``?v=`` its hash."""
    files = _runtime_files()

    def url(rel: str) -> str:
        return f"{rel}?v={hashlib.sha256(files[rel]).hexdigest()[:12]}"

    return (
        f'<link rel="stylesheet" href="{url(LZGIS_CSS)}"/>\n'
        f'    <script src="{url(LZGIS_JS)}"></script>'
    )


def asset_files() -> dict[str, bytes]:
    """Every file a linked page needs, by its path relative to the page's folder."""
    rels = sorted({v[0] for v in _VENDORED.values()} | set(_EXTRA))
    files = {f"{ASSET_DIR}/{rel}": _bytes(rel) for rel in rels}
    return dict(sorted({**files, **_runtime_files()}.items()))


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
    if url in _RUNTIME:  # as pages carried it before it became a file: the text alone
        return f"<script>{_RUNTIME[url]}</script>"
    js, lic = _VENDORED[url]
    body = _read(js).replace("</script", "<\\/script")
    return f"<script>{_licence_comment(lic)}{body}</script>"


def _inline_css(url: str) -> str:
    if url in _RUNTIME:
        return f"<style>{_RUNTIME[url]}</style>"
    css, lic = _VENDORED[url]
    body = _css_with_data_uris(_read(css), (vendor_dir() / css).parent)
    return f"<style>{_licence_comment(lic)}{body}</style>"


def external_urls(page: str) -> list[str]:
    """Every script, stylesheet, image or frame tag in ``page`` that loads from the network."""
    return [m.group(0) for m in _EXTERNAL.finditer(page)]


def linked_assets(page: str) -> list[str]:
    """The asset files ``page`` links by relative path (empty for an inlined page)."""
    found = [m.group(1) for m in _SCRIPT.finditer(page)] + [m.group(1) for m in _CSS.finditer(page)]
    return [u for u in found if u in _VENDORED or u in _RUNTIME]


def inline_assets(page: str) -> str:
    """``page`` with every linked asset file inlined (a self-contained page)."""
    known = _VENDORED.keys() | _RUNTIME.keys()
    page = _SCRIPT.sub(
        lambda m: _inline_script(m.group(1)) if m.group(1) in known else m.group(0), page
    )
    return _CSS.sub(lambda m: _inline_css(m.group(1)) if m.group(1) in known else m.group(0), page)


def link_assets(page: str, *, offline: bool) -> str:
    """Keep the relative ``assets/`` tags (default) or inline the files (offline).

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
