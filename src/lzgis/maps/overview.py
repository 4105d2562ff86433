"""The public overview map: every layer, toggleable, with popups and a legend.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> d = gpd.GeoDataFrame({"id": ["a"], "name_zh": ["甲"], "name_en": ["A"], "schematic": [True]},
...                      geometry=[box(103.7, 36.0, 103.9, 36.1)], crs=4326)
>>> page = overview_map({"districts": d}, options=MapOptions(basemap="none"))
>>> '<meta charset="utf-8">' in page.html and "lz.init" in page.html
True
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from lzgis.maps._base import (
    base_outlines,
    finish,
    legend_html,
    new_map,
    prepare,
    stable_ids,
    swatch,
)
from lzgis.maps._escape import SCHEMATIC_NOTE
from lzgis.maps._layers import add_layer, add_places, add_projects, is_schematic
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps._styles import CATEGORIES, COLORS, LAYERS, category_svg
from lzgis.maps._text import id_names

__all__ = ["OVERVIEW_ORDER", "layer_legend", "overview_map"]

OVERVIEW_ORDER = ("districts", "new_area", "greening_zones", "wetlands", "parks", "yellow_river")


def layer_legend(layers: Mapping[str, gpd.GeoDataFrame]) -> list[tuple[str, str]]:
    """Legend entries for the standard layers present in ``layers``."""
    sw = {
        "districts": swatch(COLORS["districts"]),
        "new_area": swatch(COLORS["new_area"], fill="#e76f5120", dashed=True),
        "greening_zones": swatch(COLORS["greening_zones"], fill="#2a9d8f66"),
        "wetlands": swatch(COLORS["wetlands"], fill="#3a86ff66"),
        "yellow_river": swatch(COLORS["yellow_river"], line=True),
    }
    entries: list[tuple[str, str]] = []
    for lid in OVERVIEW_ORDER:
        if lid not in layers:
            continue
        note = f" ({SCHEMATIC_NOTE})" if is_schematic(layers[lid]) else ""
        zh, en = LAYERS[lid]
        if lid == "parks":
            entries.append(
                (swatch(COLORS["park3"], fill="#c1121f55"), f"三大园区 / 3 major zones{note}")
            )
            entries.append(
                (swatch(COLORS["park8"], fill="#6a4c9355"), f"八个县区园区 / 8 county parks{note}")
            )
        else:
            entries.append((sw[lid], f"{zh} / {en}{note}"))
    return entries


def project_legend(projects: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """Legend entries for the project categories present."""
    present = set(projects["category"].astype(str)) if "category" in projects.columns else set()
    note = f" ({SCHEMATIC_NOTE})" if is_schematic(projects) else ""
    return [
        (
            category_svg(cat),
            f"{zh} / {en}{note}",
        )
        for cat, (zh, en, _, _) in CATEGORIES.items()
        if cat in present
    ]


def overview_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    options: MapOptions | None = None,
) -> MapPage:
    """Build the overview page (HTML) from the layers present in ``layers``.

    Parameters
    ----------
    layers
        Layer id -> GeoDataFrame (ids of :data:`lzgis.layers.LAYER_IDS`); missing ones are skipped.
    options
        Basemap, key and offline assets (:class:`lzgis.maps.MapOptions`; default: OSM, linked assets).

    Returns
    -------
    MapPage
        ``.html``, ``.save(path)``, and inline display in Jupyter.
    """
    opts = options or MapOptions()
    basemap = opts.basemap
    names = id_names(layers.values())
    with stable_ids():
        # the districts layer is the outline background here, unless there are no tiles at all
        outlines = base_outlines(layers, basemap=basemap) if basemap == "none" else None
        m = new_map(
            opts,
            extent=[prepare(g, basemap=basemap, tolerance_m=0) for g in layers.values()],
            outlines=outlines,
        )
        for lid in OVERVIEW_ORDER:
            if lid in layers:
                add_layer(m, lid, layers[lid], basemap=basemap, names=names)
        entries = layer_legend(layers)
        if "projects" in layers:
            add_projects(m, layers["projects"], basemap=basemap, per_category=False, names=names)
            entries += project_legend(layers["projects"])
        add_places(m, basemap=basemap)
        return finish(
            m,
            title_zh="兰州“多极突破”规划总览",
            title_en="Lanzhou multi-pole plan (2012): overview",
            legend=legend_html("图例 / Legend", entries),
            options=opts,
        )
