"""Map factory, basemaps, geometry preparation, stable ids and the page finish.

Every lzgis map is built the same way:

1. :func:`prepare` simplifies each layer in a metric CRS to what the map can
   show (``SIMPLIFY_M``), moves it into GCJ-02 when the basemap is Gaode, and
   :func:`feature_collection` writes coordinates as integer steps of 1e-5
   degrees (about 1 m; each ring starts absolute, then differences, decoded
   by ``lz.ll``) and keeps only pre-escaped popup/tooltip HTML, the search
   names, a label point, the marker icon and the style as properties.
2. :func:`new_map` makes a ``folium.Map`` with the basemap, a scale bar and
   only Leaflet as dependency (no jQuery, Bootstrap or font icons).
3. :func:`finish` adds the layer control and the lzgis runtime (title note,
   legend, find-by-name), renders, declares UTF-8 and links or inlines the
   assets (:mod:`lzgis.maps._assets`).

Everything runs inside :func:`stable_ids`, which replaces branca's random
element ids by a counter, so the same inputs give byte-identical HTML.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element
from folium.utilities import JsCode

from lzgis._errors import LzgisError
from lzgis.areas import equal_area_crs
from lzgis.gcj02 import geometry_wgs84_to_gcj02
from lzgis.maps._assets import LEAFLET_CSS, LEAFLET_JS, runtime_tags
from lzgis.maps._controls import Runtime
from lzgis.maps._escape import SCHEMATIC_NOTE, esc, popup_body
from lzgis.maps._text import humanize

if TYPE_CHECKING:
    from lzgis.maps._page import MapOptions, MapPage

__all__ = [
    "BASEMAPS",
    "NONE_BACKGROUND",
    "SIMPLIFY_M",
    "bar_html",
    "base_outlines",
    "check_basemap",
    "dot_icon",
    "encode_geometry",
    "feature_collection",
    "finish",
    "geojson_layer",
    "label_point",
    "new_map",
    "prepare",
    "stable_ids",
]

BASEMAPS = ("osm", "gaode", "tianditu", "none")
SIMPLIFY_M = 30.0
OUTLINE_M = 150.0  # the "none" basemap's district outlines are background only
DECIMALS = 5
NONE_BACKGROUND = "#f3f1ea"
OUTLINE_COLOR = "#8a8170"  # district outlines drawn as the "none" basemap
LANZHOU = (36.06, 103.83)

GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
TIANDITU_URL = "https://t{s}.tianditu.gov.cn/DataServer?T={layer}_w&x={x}&y={y}&l={z}&tk={key}"
_KEY = re.compile(r"^[A-Za-z0-9]{8,64}$")


@contextlib.contextmanager
def stable_ids() -> Iterator[None]:
    """Within this block, folium/branca elements get ids from a counter, not at random."""
    element: Any = Element
    original = element.__dict__["_generate_id"]
    counter = itertools.count(1)
    element._generate_id = classmethod(lambda cls: f"{next(counter):06d}")
    try:
        yield
    finally:
        element._generate_id = original


def check_basemap(basemap: str, tianditu_key: str | None) -> None:
    """Refuse an unknown basemap or Tianditu without a usable key.

    Raises
    ------
    LzgisError
        With the argument named and the fix.
    """
    if basemap not in BASEMAPS:
        raise LzgisError(
            f"`--basemap` {basemap!r} is unknown; expected one of {', '.join(BASEMAPS)}; "
            "fix: pick one of these"
        )
    if basemap == "tianditu" and not tianditu_key:
        raise LzgisError(
            "`--basemap tianditu` needs a Tianditu key (tk) and none was given; "
            "fix: pass `--tianditu-key KEY` (free at console.tianditu.gov.cn) or use another basemap"
        )
    if basemap == "tianditu" and not _KEY.match(tianditu_key or ""):
        raise LzgisError(
            "`--tianditu-key` must be 8-64 letters or digits; fix: copy the key from the Tianditu console"
        )


def prepare(
    gdf: gpd.GeoDataFrame, *, basemap: str, tolerance_m: float = SIMPLIFY_M
) -> gpd.GeoDataFrame:
    """Simplify ``gdf`` to ``tolerance_m`` in a metric CRS; shift to GCJ-02 for Gaode.

    Parameters
    ----------
    gdf
        Any layer with a CRS.
    basemap
        One of :data:`BASEMAPS`; ``"gaode"`` moves every coordinate WGS84 -> GCJ-02.
    tolerance_m
        Douglas-Peucker tolerance in metres (0 keeps every vertex).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in EPSG:4326 without empty geometries.

    Examples
    --------
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(103.8, 36.0)], crs=4326)
    >>> p = prepare(g, basemap="gaode").geometry.iloc[0]
    >>> round(p.x - 103.8, 4), round(p.y - 36.0, 4)
    (0.0025, -0.0003)
    """
    out = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].copy()
    if len(out) == 0:
        return out.to_crs(4326) if out.crs is not None else out
    if tolerance_m > 0:
        metric = equal_area_crs(out)
        geo = out.geometry.to_crs(metric).simplify(tolerance_m, preserve_topology=True)
        out = out.set_geometry(geo.to_crs(4326).values, crs=4326)
    else:
        out = out.to_crs(4326)
    if basemap == "gaode":
        out = out.set_geometry(geometry_wgs84_to_gcj02(out.geometry.values), crs=4326)
    return out


def base_outlines(
    layers: Mapping[str, gpd.GeoDataFrame], *, basemap: str
) -> gpd.GeoDataFrame | None:
    """District outlines simplified to ``OUTLINE_M`` (drawn under every basemap, so the map
    keeps its outline background when tiles cannot load); None without districts."""
    if "districts" not in layers:
        return None
    return prepare(layers["districts"], basemap=basemap, tolerance_m=OUTLINE_M)


_SCALE = 10**DECIMALS


def _steps(coords: np.ndarray) -> list[list[int]]:
    """One ring or line as ``[[x, y, 0], [dx, dy], ...]`` in 1e-5 degree steps."""
    ints = np.round(np.asarray(coords)[:, :2] * _SCALE).astype(np.int64)
    keep = np.ones(len(ints), dtype=bool)
    keep[1:] = np.any(ints[1:] != ints[:-1], axis=1)  # repeated points after rounding
    ints = ints[keep]
    if len(ints) == 1 and len(coords) > 1:
        ints = np.vstack([ints, ints])
    out = [[int(ints[0, 0]), int(ints[0, 1]), 0]]
    out += np.diff(ints, axis=0).tolist()
    return out


def encode_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON geometry with coordinates as 1e-5 degree steps (decoded by ``lz.ll``).

    Examples
    --------
    >>> from shapely import LineString
    >>> encode_geometry(LineString([(103.8, 36.0), (103.80002, 36.00001)]))
    {'type': 'LineString', 'coordinates': [[10380000, 3600000, 0], [2, 1]]}
    """
    kind = geom.geom_type
    if kind == "Point":
        return {"type": kind, "coordinates": _steps(np.array([geom.coords[0]]))[0]}
    if kind == "MultiPoint":
        return {
            "type": kind,
            "coordinates": [_steps(np.array([p.coords[0]]))[0] for p in geom.geoms],
        }
    if kind == "LineString":
        return {"type": kind, "coordinates": _steps(np.array(geom.coords))}
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": [_steps(np.array(g.coords)) for g in geom.geoms]}

    def poly(p: shapely.Polygon) -> list[list[list[int]]]:
        return [_steps(np.array(r.coords)) for r in (p.exterior, *p.interiors)]

    if kind == "Polygon":
        return {"type": kind, "coordinates": poly(geom)}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [poly(p) for p in geom.geoms]}
    raise LzgisError(f"cannot draw a {kind} on a map; fix: pass points, lines or polygons")


def dot_icon(color: str) -> list[str]:
    """A plain dot marker: ``[colour]`` (the runtime draws it as inline SVG)."""
    return [color]


def label_point(geom: shapely.Geometry) -> list[float]:
    """Where a feature's name label goes: ``[lat, lon]`` of a point inside it."""
    p = geom.point_on_surface() if geom.geom_type.endswith("Polygon") else geom.centroid
    return [round(float(p.y), DECIMALS), round(float(p.x), DECIMALS)]


def feature_collection(
    gdf: gpd.GeoDataFrame,
    *,
    styles: Sequence[Mapping[str, Any]],
    rows: Sequence[Sequence[tuple[str, str, Any]]],
    icons: Sequence[Sequence[str]] | None = None,
    label_zoom: int | None = None,
    label_class: str = "",
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """GeoJSON of ``gdf`` carrying only escaped popup/tooltip HTML, names and style.

    Parameters
    ----------
    gdf
        Prepared layer (:func:`prepare`) with ``name_zh``, ``name_en`` and
        optionally ``schematic`` and ``accuracy``.
    styles
        Leaflet path style per feature.
    rows
        Popup table rows ``(label_zh, label_en, value)`` per feature.
    icons
        Marker icon per feature (points only): ``[colour, letter]`` (see
        :func:`lzgis.maps._styles.category_icon`) or ``[colour]``.
    label_zoom
        Show each feature's Chinese name as a label from this zoom on (None: no labels).
    names
        Ids -> readable names, to replace ids in the accuracy note (:func:`humanize`).
    """
    features = []
    for i, (_, rec) in enumerate(gdf.iterrows()):
        schematic = bool(rec.get("schematic", False))
        name_zh, name_en = rec.get("name_zh", ""), rec.get("name_en", "")
        accuracy = humanize(rec.get("accuracy"), names or {})
        # names as plain text: the runtime writes them into popups and tooltips with textContent
        props: dict[str, Any] = {
            "_p": popup_body(rows[i], schematic=schematic, accuracy=accuracy),
            "_n": [str(n) if esc(n) else "" for n in (name_zh, name_en)],
        }
        if schematic:
            props["_s"] = 1
        aliases = rec.get("aliases")
        if isinstance(aliases, str) and aliases.strip():
            props["_n"] += [a.strip() for a in aliases.split(";") if a.strip()]
        if styles[i]:
            props["style"] = dict(styles[i])
        if icons is not None:
            props["_i"] = list(icons[i])
            if esc(rec.get("id")):
                props["_id"] = str(rec.get("id"))
        elif rec.geometry.geom_type in ("Point", "MultiPoint"):
            props["_i"] = dot_icon(str(styles[i].get("color", "#333333")))
        if label_zoom is not None and props["_n"][0]:
            props["_l"] = [label_zoom, *label_point(rec.geometry)]
            if label_class:
                props["_l"].append(label_class)
        features.append(
            {"type": "Feature", "geometry": encode_geometry(rec.geometry), "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def geojson_layer(
    fc: Mapping[str, Any], *, name: str, show: bool = True, control: bool = True
) -> folium.GeoJson:
    """A folium GeoJson layer whose features are decoded and bound by the lzgis runtime."""
    layer = folium.GeoJson(
        dict(fc),
        name=name,
        show=show,
        control=control,
        on_each_feature=JsCode("lz.feature"),
    )
    options: dict[str, Any] = layer.options  # folium renders JsCode options as code
    options["coordsToLatLng"] = JsCode("lz.ll")
    return layer


def layer_name(zh: str, en: str, *, schematic: bool) -> str:
    """Bilingual overlay name, marked when the layer is schematic."""
    base = f"{zh} / {en}"
    return f"{base} ({SCHEMATIC_NOTE})" if schematic else base


def _bounds(frames: Sequence[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return None
    arr = np.array(boxes)
    return [
        [round(float(arr[:, 1].min()), 4), round(float(arr[:, 0].min()), 4)],
        [round(float(arr[:, 3].max()), 4), round(float(arr[:, 2].max()), 4)],
    ]


def new_map(
    options: MapOptions,
    *,
    extent: Sequence[gpd.GeoDataFrame],
    outlines: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """A folium map with the basemap, a scale bar, Leaflet only, fitted to ``extent``.

    Parameters
    ----------
    options
        The basemap: ``osm``, ``gaode`` (overlays must already be in GCJ-02, see
        :func:`prepare`), ``tianditu`` (with its key) or ``none`` (plain background;
        ``outlines``, the prepared districts, are drawn as its base).
    """
    basemap, tianditu_key = options.basemap, options.tianditu_key
    m = folium.Map(location=LANZHOU, zoom_start=9, tiles=None, control_scale=True)
    m.options["maxZoom"] = 18  # clusters need it when there is no tile layer
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap 底图 / basemap", max_zoom=19).add_to(
            m
        )
    elif basemap == "gaode":
        folium.TileLayer(
            GAODE_URL,
            name="高德地图 / Amap (GCJ-02)",
            attr="&copy; 高德地图 AutoNavi; overlays shifted to GCJ-02 / 叠加图层已转换为 GCJ-02",
            subdomains="1234",
            max_zoom=18,
        ).add_to(m)
    elif basemap == "tianditu":
        key = quote(tianditu_key or "", safe="")
        for layer, label in (("vec", "天地图 / Tianditu"), ("cva", "天地图注记 / Tianditu labels")):
            folium.TileLayer(
                TIANDITU_URL.replace("{layer}", layer).replace("{key}", key),
                name=label,
                attr="&copy; 天地图 Tianditu",
                subdomains="01234567",
                max_zoom=18,
                overlay=layer == "cva",
                control=layer == "vec",
            ).add_to(m)
    if outlines is not None and len(outlines):
        fc = feature_collection(
            outlines,
            styles=[{"color": OUTLINE_COLOR, "weight": 1, "fill": False}] * len(outlines),
            rows=[[] for _ in range(len(outlines))],
        )
        geojson_layer(fc, name="区县界 / district outlines (base)", control=False).add_to(m)
    bounds = _bounds(extent)
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


def swatch(color: str, *, fill: str | None = None, line: bool = False, dashed: bool = False) -> str:
    """Legend swatch HTML (fixed lzgis styles, no data)."""
    if line:
        style = f"border:none;border-top:3px {'dashed' if dashed else 'solid'} {color};height:0"
    else:
        style = f"background:{fill or 'transparent'};border:2px {'dashed' if dashed else 'solid'} {color}"
    return f'<span class="sw" style="{style}"></span>'


def legend_html(title: str, entries: Sequence[tuple[str, str]]) -> str:
    """Legend HTML from ``(swatch_html, bilingual label)``; labels here are lzgis text or escaped."""
    items = "".join(f"<div>{sw}{label}</div>" for sw, label in entries)
    return f"<b>{title}</b>{items}"


def bar_html(zh: str, en: str) -> str:
    """The phone title bar: one line (Chinese, English), details when tapped."""
    return (
        f"<h1>{zh} / {en}</h1>"
        '<div class="lz-more">标注“示意”的图层依规划文本绘制，位置仅为示意 / '
        "layers marked schematic are drawn from the plan's text; positions are indicative.</div>"
    )


def title_html(zh: str, en: str, *, schematic_note: bool = True) -> str:
    """The title box: bilingual title and the note on schematic layers."""
    note = (
        '<div class="lz-schem">标注“示意 / schematic”的图层和要素依规划文本绘制，位置仅为示意。'
        "<br>Layers and features marked schematic are drawn from the plan's text; "
        "their positions are indicative.</div>"
        if schematic_note
        else ""
    )
    return f"<h1>{zh}</h1><div>{en}</div>{note}"


# JSON's \uXXXX escapes of non-ASCII text (Chinese costs 6 bytes so, 3 as UTF-8) and of the
# popup markup; an escaped backslash before "u" is left alone, as are "<!" and U+2028/9.
_UNESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(2), 16)
    if code == 0x3C:  # "<": "</" becomes "<\/" and "<!" stays escaped, so no "</script" or "<!--"
        nxt = match.string[match.end() : match.end() + 1]
        if nxt == "!":
            return match.group(0)
        return match.group(1) + ("<\\" if nxt == "/" else "<")
    if code in (0x3E, 0x26, 0x27):  # ">", "&", "'" are harmless inside a script's string
        return match.group(1) + chr(code)
    if code < 0x80 or 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029):
        return match.group(0)
    return match.group(1) + chr(code)


def finish(
    m: folium.Map,
    *,
    title_zh: str,
    title_en: str,
    legend: str,
    options: MapOptions,
) -> MapPage:
    """Add layer control and runtime, render, declare UTF-8, link/inline assets."""
    from lzgis.maps._assets import link_assets
    from lzgis.maps._page import MapPage

    control = folium.LayerControl(collapsed=False, position="topright")
    control_options: dict[str, Any] = control.options
    control_options["collapsed"] = JsCode("lz.narrow()")  # collapsed on phones only
    control.add_to(m)
    Runtime(
        title_html=title_html(title_zh, title_en),
        bar_html=bar_html(esc(title_zh), esc(title_en)),
        legend_html=legend,
        background=NONE_BACKGROUND,
        head=runtime_tags(),
        control=control.get_name(),
    ).add_to(m)
    page = m.get_root().render()
    page = page.replace(
        '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />',
        f'<meta charset="utf-8">\n    <title>{esc(title_zh)} / {esc(title_en)}</title>',
        1,
    )
    page = page.replace("<html>", '<html lang="zh-CN">', 1)
    page = _UNESCAPE.sub(_unescape, page)
    return MapPage(link_assets(page, offline=options.offline), title=f"{title_zh} / {title_en}")
