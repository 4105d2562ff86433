"""Styled GeoPackages for points, lines and polygons (allocation and project outputs).

QGIS applies the default row of a GeoPackage's ``layer_styles`` table
(written by :func:`lzgis.io.qgis_styles.add_styles`) when a layer is opened.
This module builds single-symbol and categorized QML styles for any geometry
family and writes layers plus styles inside the atomic temporary file of
:func:`lzgis.io.atomic_path`, so the styled file appears complete or not at
all. ``update_time`` is fixed so the same data give the same style rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd

from lzgis._errors import OutputError
from lzgis._geometry import family
from lzgis.io._files import atomic_path, driver_for, write_gpkg_layer
from lzgis.io.qgis_styles import add_styles

__all__ = [
    "PALETTE",
    "UPDATE_TIME",
    "qml",
    "qml_categorized",
    "write_by_geometry",
    "write_styled_gpkg",
]

UPDATE_TIME = "2012-08-01T00:00:00Z"  # fixed: the month the plan was issued

_SYMBOL = {
    "Polygon": (
        "fill",
        "SimpleFill",
        {
            "color": "{fill}",
            "outline_color": "{stroke}",
            "outline_width": "0.4",
            "style": "solid",
        },
    ),
    "LineString": (
        "line",
        "SimpleLine",
        {"line_color": "{stroke}", "line_width": "0.8", "line_style": "solid"},
    ),
    "Point": (
        "marker",
        "SimpleMarker",
        {"color": "{fill}", "outline_color": "{stroke}", "size": "2.6", "name": "circle"},
    ),
}

# Colour-blind-safe qualitative palette (Okabe-Ito), as "r,g,b".
PALETTE = (
    "0,114,178",
    "0,158,115",
    "213,94,0",
    "204,121,167",
    "230,159,0",
    "86,180,233",
    "240,228,66",
    "0,0,0",
)
_GEOMETRY_CODE = {"Point": 0, "LineString": 1, "Polygon": 2}


def _symbol(geometry_family: str, name: str, *, fill: str, stroke: str, opacity: float) -> str:
    if geometry_family not in _SYMBOL:
        raise OutputError(
            f"no QGIS style for geometry {geometry_family!r}; expected Polygon, LineString or Point"
        )
    kind, cls, options = _SYMBOL[geometry_family]
    opts = "\n".join(
        f'            <Option type="QString" name="{k}" value={quoteattr(v.format(fill=fill, stroke=stroke))}/>'
        for k, v in options.items()
    )
    return f"""      <symbol type="{kind}" name={quoteattr(name)} alpha="{opacity:g}" clip_to_extent="1" force_rhr="0">
        <layer class="{cls}" enabled="1" locked="0" pass="0">
          <Option type="Map">
{opts}
          </Option>
        </layer>
      </symbol>"""


def _document(geometry_family: str, renderer: str) -> str:
    return f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0" styleCategories="Symbology">
{renderer}
  <layerGeometryType>{_GEOMETRY_CODE[geometry_family]}</layerGeometryType>
</qgis>
"""


def qml(geometry_family: str, *, fill: str, stroke: str, opacity: float = 0.6) -> str:
    """A QGIS single-symbol style (QML) for one geometry family.

    Parameters
    ----------
    geometry_family
        "Polygon", "LineString" or "Point".
    fill, stroke
        Colours as "r,g,b,a" (0-255 each).
    opacity
        Symbol opacity, 0..1.
    """
    symbol = _symbol(geometry_family, "0", fill=fill, stroke=stroke, opacity=opacity)
    renderer = f"""  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
    <symbols>
{symbol}
    </symbols>
  </renderer-v2>"""
    return _document(geometry_family, renderer)


def qml_categorized(
    geometry_family: str, *, attribute: str, values: list[str], opacity: float = 0.7
) -> str:
    """A QGIS categorized style: one colour of :data:`PALETTE` per value of ``attribute``.

    Values beyond the palette's length reuse its colours in order.
    """
    symbols, categories = [], []
    for k, value in enumerate(values):
        rgb = PALETTE[k % len(PALETTE)]
        symbols.append(
            _symbol(
                geometry_family, str(k), fill=f"{rgb},200", stroke=f"{rgb},255", opacity=opacity
            )
        )
        categories.append(
            f'      <category value={quoteattr(value)} symbol="{k}" label={quoteattr(value)} render="true"/>'
        )
    body = "\n".join(symbols)
    cats = "\n".join(categories)
    renderer = f"""  <renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} symbollevels="0" enableorderby="0" forceraster="0">
    <categories>
{cats}
    </categories>
    <symbols>
{body}
    </symbols>
  </renderer-v2>"""
    return _document(geometry_family, renderer)


def write_styled_gpkg(
    layers: Mapping[str, gpd.GeoDataFrame], styles: Mapping[str, str], path: str | Path
) -> None:
    """Write named layers and their QGIS styles into one GeoPackage, atomically."""
    target = Path(path)
    if driver_for(target) != "GPKG":
        raise OutputError(f"{target}: styled layers need a GeoPackage; fix: use a .gpkg suffix")
    with atomic_path(target) as tmp:
        for name, gdf in layers.items():
            if gdf.crs is None:
                raise OutputError(
                    f"{target}: layer {name} has no CRS; refusing to write; fix: `set_crs()` first"
                )
            write_gpkg_layer(gdf, tmp, layer=name, geometry_type=None if len(gdf) else "Unknown")
        add_styles(tmp, {k: v for k, v in styles.items() if k in layers}, update_time=UPDATE_TIME)


_SUFFIX = {"Polygon": "polygons", "LineString": "lines", "Point": "points"}


def write_by_geometry(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    prefix: str,
    fill: str,
    stroke: str,
    category: str | None = None,
) -> list[str]:
    """Write ``gdf`` as one styled layer per geometry family (QGIS wants one type per layer).

    Layers are named ``<prefix>_polygons``, ``<prefix>_lines``, ``<prefix>_points``
    (only those with features; an empty frame gives an empty ``<prefix>_polygons``).
    With ``category``, each layer is coloured by that column's values (sorted);
    otherwise it gets one symbol in ``fill``/``stroke``. Returns the layer names.
    """
    families = gdf.geometry.map(family) if len(gdf) else gpd.GeoSeries([], dtype=object)
    layers: dict[str, gpd.GeoDataFrame] = {}
    styles: dict[str, str] = {}
    for fam, suffix in _SUFFIX.items():
        part = gdf[(families == fam).to_numpy()] if len(gdf) else gdf.iloc[0:0]
        if len(part) or (not len(gdf) and fam == "Polygon"):
            layers[f"{prefix}_{suffix}"] = part
            styles[f"{prefix}_{suffix}"] = (
                qml_categorized(
                    fam, attribute=category, values=sorted(map(str, part[category].unique()))
                )
                if category and len(part)
                else qml(fam, fill=fill, stroke=stroke)
            )
    write_styled_gpkg(layers, styles, path)
    return list(layers)
