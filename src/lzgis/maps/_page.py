"""What a map function gives back (:class:`MapPage`) and the options every map takes (:class:`MapOptions`).

A :class:`MapPage` is the finished HTML page: ``.html`` is its text,
``.save(path)`` writes it atomically (the same bytes :mod:`lzgis.publish`
writes) together with the ``assets/`` folder it links (Leaflet and the
plugins, with their licences, and the lzgis runtime in ``assets/lzgis/``), and in Jupyter it displays inline
(``_repr_html_``, an ``<iframe>`` whose document is the page with those
assets inlined, since an ``srcdoc`` document cannot resolve relative paths).

Examples
--------
>>> page = MapPage("<!DOCTYPE html><html><body>地图</body></html>", title="示例 / Example")
>>> page.html.startswith("<!DOCTYPE html>")
True
>>> "srcdoc=" in page._repr_html_()
True
>>> MapOptions(basemap="none", offline=True).basemap
'none'
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from pathlib import Path

from lzgis.io import atomic_path, write_text
from lzgis.maps._assets import asset_files, inline_assets, linked_assets
from lzgis.maps._base import check_basemap

__all__ = ["MapOptions", "MapPage"]


@dataclass(frozen=True)
class MapOptions:
    """How a map page is built: the basemap, its key, and whether assets are inlined.

    Parameters
    ----------
    basemap
        ``osm`` (default), ``gaode`` (Amap; overlays are shifted to GCJ-02),
        ``tianditu`` (needs ``tianditu_key``) or ``none`` (plain background
        with the district outlines).
    tianditu_key
        The Tianditu API key, only for ``basemap="tianditu"``.
    offline
        Inline Leaflet, the plugins and the lzgis runtime into the page (one
        self-contained file); by default the page links them in ``assets/``
        beside it (no CDN either way).
    """

    basemap: str = "osm"
    tianditu_key: str | None = None
    offline: bool = False

    def __post_init__(self) -> None:
        check_basemap(self.basemap, self.tianditu_key)


@dataclass(frozen=True)
class MapPage:
    """A finished HTML page: show it in Jupyter, save it, or take its text.

    Parameters
    ----------
    html
        The whole page.
    title
        Its bilingual title (for people; the page carries it in ``<title>`` too).
    """

    html: str
    title: str = ""

    def asset_paths(self, folder: str | Path) -> list[Path]:
        """The asset files this page links, as paths inside ``folder`` (empty when inlined)."""
        if not linked_assets(self.html):
            return []
        return [Path(folder) / rel for rel in asset_files()]

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` atomically (UTF-8, ``\\n`` line ends) and return the path.

        A page that links its assets also gets ``assets/`` beside it (each file
        written atomically, left alone when it already holds the same bytes).
        """
        target = Path(path)
        write_text(self.html, target)
        files = asset_files() if linked_assets(self.html) else {}
        for rel, data in files.items():
            dest = target.parent / rel
            if dest.exists() and dest.read_bytes() == data:
                continue
            with atomic_path(dest) as tmp:
                tmp.write_bytes(data)
        return target

    def _repr_html_(self) -> str:
        doc = _html.escape(inline_assets(self.html), quote=True)
        label = _html.escape(self.title, quote=True)
        return (
            f'<iframe srcdoc="{doc}" title="{label}" '
            'style="width:100%;height:620px;border:1px solid #ccc" '
            'sandbox="allow-scripts allow-popups allow-same-origin"></iframe>'
        )

    def __str__(self) -> str:
        return self.html
