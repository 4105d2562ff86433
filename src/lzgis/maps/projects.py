"""The projects map: markers by category with icons, clustered; lines for roads, pipelines, rail.

Projects come from :func:`lzgis.projects.embedded_projects` (the projects
layer plus ``district``, ``park``, ``zones``, ``dist_river_km``,
``dist_park_edge_km``). Popups give the responsible unit, park, district
and location confidence; park and district ids are shown with their names.
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
from lzgis.maps._layers import add_layer, add_places, add_projects
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps._styles import LINE_KINDS
from lzgis.maps._text import id_names
from lzgis.maps.overview import project_legend

__all__ = ["named_ids", "projects_map"]


def named_ids(values: gpd.GeoSeries, layer: gpd.GeoDataFrame | None) -> list[str]:
    """Replace ids by ``名 / Name`` where ``layer`` knows them; keep other text.

    Examples
    --------
    >>> import pandas as pd
    >>> lay = pd.DataFrame({"id": ["a"], "name_zh": ["甲"], "name_en": ["A"]})
    >>> named_ids(pd.Series(["a", "outside the parks"]), lay)
    ['甲 / A', 'outside the parks']
    """
    lookup: dict[str, str] = {}
    if layer is not None:
        for _, rec in layer.iterrows():
            lookup[str(rec["id"])] = f"{rec.get('name_zh', '')} / {rec.get('name_en', '')}"
    out = []
    for v in values:
        if v is None or v != v:
            out.append("")
            continue
        parts = [p.strip() for p in str(v).split(",")]
        out.append(", ".join(lookup.get(p, p) for p in parts))
    return out


def projects_map(
    projects: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    options: MapOptions | None = None,
) -> MapPage:
    """Build the projects page (HTML): one clustered overlay per category, plus line projects.

    Parameters
    ----------
    projects
        :func:`lzgis.projects.embedded_projects`'s GeoDataFrame (or the projects layer).
    layers
        Layer id -> GeoDataFrame; ``parks`` and ``districts`` give names and context.
    options
        Basemap, key and offline assets (:class:`lzgis.maps.MapOptions`; default: OSM, linked assets).

    Returns
    -------
    MapPage
        ``.html``, ``.save(path)``, and inline display in Jupyter.
    """
    data = projects.copy()
    for col, lid in (("park", "parks"), ("district", "districts")):
        if col in data.columns:
            data[col] = named_ids(data[col], layers.get(lid))
    opts = options or MapOptions()
    basemap = opts.basemap
    names = id_names([projects, *layers.values()])
    with stable_ids():
        outlines = base_outlines(layers, basemap=basemap)
        m = new_map(
            opts,
            extent=[prepare(data, basemap=basemap, tolerance_m=0)],
            outlines=outlines,
        )
        if "parks" in layers:
            add_layer(m, "parks", layers["parks"], basemap=basemap, names=names)
        add_projects(m, data, basemap=basemap, per_category=True, names=names)
        add_places(m, basemap=basemap)
        entries = project_legend(data)
        if bool(data.geometry.geom_type.isin(LINE_KINDS).any()):
            entries.append(
                (
                    swatch("#2563eb", line=True, dashed=True),
                    "线路、管道 / roads, pipelines, rail (colour = category)",
                )
            )
        return finish(
            m,
            title_zh="规划项目",
            title_en="Plan projects by category",
            legend=legend_html("项目类别 / Project categories", entries),
            options=opts,
        )
