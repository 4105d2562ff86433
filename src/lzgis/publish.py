"""``lzgis publish``: build the map set, the index and the report tables.

:func:`load_inputs` loads the layers and runs the analyses
(:func:`lzgis.greening.embedded_report`,
:func:`lzgis.allocation.embedded_allocation`,
:func:`lzgis.projects.embedded_projects`); :func:`write_site` turns them into
``overview.html``, ``greening.html``, ``allocation.html``, ``projects.html``,
``index.html``, CSV tables (:func:`published_tables`) and the same tables in one
bilingual workbook (``report_tables.xlsx``, :func:`write_workbook`) in one folder, optionally with PNG snapshots.
The whole set is written into a temporary sibling folder and swapped in at
once (:func:`lzgis.io.atomic_dir`), so the folder holds one run's complete
set, never a mix; the files are byte-identical for the same inputs.

Assets: by default the pages load Leaflet, the plugins and the lzgis runtime
(``assets/lzgis/``) by relative path from ``assets/`` (written once, with the
licences, by each page's
:meth:`~lzgis.maps.MapPage.save`), so the folder works from a file share, a
static web server or an intranet, never from a CDN.

Offline and basemaps: ``offline=True`` inlines Leaflet, the plugins and the runtime so each
page is one self-contained file. With no basemap given, offline pages use ``none`` (a
plain background with the district outlines); an explicit network basemap is
kept offline too: its tiles simply do not load without a network, the page
still works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lzgis import layers as _layers
from lzgis import tables as _tables
from lzgis._validate import require_distance
from lzgis.allocation import RIVER_BUFFER_M, Constraints
from lzgis.io import (
    Sheet,
    atomic_dir,
    for_people,
    people_formats,
    require_output_folder,
    write_table,
)
from lzgis.maps._assets import ASSET_DIR
from lzgis.maps._base import check_basemap
from lzgis.maps._page import MapOptions, MapPage
from lzgis.maps.allocation import allocation_map
from lzgis.maps.greening import greening_map
from lzgis.maps.index import index_page
from lzgis.maps.overview import overview_map
from lzgis.maps.projects import projects_map
from lzgis.maps.snapshots import check_rendered, snapshot

__all__ = [
    "MAPS",
    "Inputs",
    "load_inputs",
    "publish",
    "published_tables",
    "resolve_basemap",
    "site_files",
    "step_count",
    "write_site",
    "write_workbook",
]

MAPS: tuple[tuple[str, str, str], ...] = (
    ("overview.html", "规划总览", "Overview of the plan"),
    (
        "greening.html",
        "绿化:各区规划绿化区占比或实测覆盖率",
        "Greening: planned zones or measured coverage",
    ),
    ("allocation.html", "园区用地与生态保护冲突", "Land allocation and conflicts"),
    ("projects.html", "规划项目", "Plan projects"),
)
WORKBOOK = "report_tables.xlsx"
# id columns of the published tables that also get their names ("中文 / English"):
# ids of features (named from the layers), or of layers (protected_layer)
_ID_COLUMNS = {
    "projects.csv": {c: "feature" for c in ("district", "park", "park_plan", "zones", "edge_park")},
    "conflicts.csv": {"protected_layer": "layer", "protected_id": "feature"},
    "allocation.csv": {"parent": "feature"},
}
# The workbook's sheets (Chinese first) and bilingual headers of the tables' columns.
_SHEETS = {
    "greening_report.csv": "绿化 greening",
    "allocation.csv": "园区用地 allocation",
    "conflicts.csv": "冲突 conflicts",
    "projects.csv": "项目 projects",
}
_HEADERS: dict[str, str] = {
    # greening_report
    "zone": "分区代码 / zone id",
    "zone_zh": "分区 / zone",
    "zone_en": "英文名 / zone (English)",
    "zone_kind": "类型 / kind",
    "area_km2": "面积 km² / area",
    "green_km2": "绿地 km² / green",
    "coverage": "绿地占比 / share green",
    "unknown": "无数据比例 / no data",
    "target": "目标 / target",
    "passed": "达标 / passed",
    "shortfall_km2": "差额 km² / shortfall",
    "verdict_note": "结论说明 / verdict note",
    "reference": "公开数字 / reported figures",
    "reference_coverage": "公开覆盖率 / reported coverage",
    "note": "说明 / note",
    "basis": "依据 / basis",
    # allocation
    "row_kind": "行类型 / row kind",
    "is_total": "合计 / total",
    "park_id": "园区代码 / park id",
    "park_name_zh": "园区 / park",
    "park_name_en": "英文名 / park (English)",
    "tier": "层级 / tier",
    "parent": "上级园区代码 / parent id",
    "leaf": "末级 / leaf",
    "district_id": "区县代码 / district id",
    "district_name_zh": "区县 / district",
    "district_name_en": "英文名 / district (English)",
    "share_of_park": "占园区 / share of park",
    "share_of_district": "占区县 / share of district",
    "share_of_city": "占全市 / share of city",
    "wetlands_km2": "湿地 km² / wetlands",
    "greening_zones_km2": "绿化区 km² / greening zones",
    "river_buffer_km2": "黄河保护带 km² / river band",
    "constrained_km2": "受限 km²(并集)/ constrained (union)",
    "developable_km2": "可开发 km² / developable",
    "overlap_km2": "园区重叠 km² / overlap",
    "river_buffer_m": "保护带宽 m / river band width",
    # conflicts
    "park_or_project_id": "园区或项目代码 / park or project id",
    "feature_kind": "类型 / kind",
    "name_zh": "名称 / name",
    "name_en": "英文名 / name (English)",
    "protected_layer": "保护图层代码 / protected layer id",
    "protected_id": "保护对象代码 / protected id",
    "length_km": "长度 km / length",
    "rule": "规则 / rule",
    # projects
    "id": "代码 / id",
    "source": "来源 / source",
    "accuracy": "精度 / accuracy",
    "accuracy_m": "精度 m / accuracy",
    "schematic": "示意 / schematic",
    "category": "类别 / category",
    "industrial": "工业 / industrial",
    "unit": "责任单位 / responsible units",
    "unit_en": "责任单位(英文)/ responsible units (English)",
    "plan_section": "规划条目 / plan section",
    "location_confidence": "位置可信度 / location confidence",
    "district": "区县代码 / district id",
    "district_gap_km": "距区县 km / gap to district",
    "park": "所在园区代码 / park id",
    "park_plan": "规划园区代码 / park id in the plan",
    "park_matches_plan": "与规划一致 / matches the plan",
    "zones": "所在规划区代码 / plan zone ids",
    "dist_river_km": "距黄河 km / to the river",
    "inside_park": "在园区内 / inside a park",
    "edge_park": "最近园区代码 / nearest park id",
    "dist_park_edge_km": "距园区边界 km / to the park edge",
    # the names of the ids above
    "district_name": "区县 / district",
    "park_name": "所在园区 / park",
    "park_plan_name": "规划园区 / park in the plan",
    "zones_name": "所在规划区 / plan zones",
    "edge_park_name": "最近园区 / nearest park",
    "protected_name": "保护对象 / protected feature",
    "protected_layer_name": "保护图层 / protected layer",
    "parent_name": "上级园区 / parent park",
}


@dataclass(frozen=True)
class Inputs:
    """Everything the maps are built from."""

    layers: Mapping[str, gpd.GeoDataFrame]
    report: gpd.GeoDataFrame
    allocation: pd.DataFrame
    conflicts: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    river_buffer_m: float = RIVER_BUFFER_M
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    constraints: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)


def load_inputs(
    *,
    river_buffer_m: float = RIVER_BUFFER_M,
    constraints: Constraints = None,
) -> Inputs:
    """Load every layer (honouring ``$LZGIS_CONFIG``) and run the three analyses.

    ``river_buffer_m`` and ``constraints`` (your own protected layers, see
    :func:`lzgis.allocation.constraint_layers`) go into the allocation, the
    conflicts and the projects' zones, and onto the allocation map.
    """
    from lzgis.allocation import constraint_layers, embedded_allocation
    from lzgis.greening.configured import configured_report
    from lzgis.projects import embedded_projects

    extra, _ = constraint_layers(constraints)
    layers = {lid: _layers.load(lid) for lid in _layers.LAYER_IDS}
    allocation, conflicts = embedded_allocation(river_buffer_m=river_buffer_m, constraints=extra)
    return Inputs(
        layers=layers,
        report=configured_report(),
        allocation=allocation,
        conflicts=conflicts,
        projects=embedded_projects(constraints=extra),
        river_buffer_m=river_buffer_m,
        constraints=extra,
    )


def resolve_basemap(basemap: str | None, *, offline: bool) -> str:
    """The basemap to use: as given, else ``none`` offline and ``osm`` online."""
    if basemap is None:
        return "none" if offline else "osm"
    return basemap


def published_tables(inputs: Inputs) -> dict[str, pd.DataFrame]:
    """The report tables as people get them, by file name, without geometry.

    The greening report gives no verdict on planned zones
    (:func:`lzgis.greening.embedded.report_table`); every number is rounded for
    people (:func:`lzgis.io.for_people`: km² to 0.001, km to 0.01, rates as
    fractions 0-1 to 1e-4); missing values stay empty.
    """
    from lzgis.greening.embedded import report_table

    tables: dict[str, pd.DataFrame] = {
        "greening_report.csv": report_table(inputs.report),
        "allocation.csv": inputs.allocation,
        "conflicts.csv": inputs.conflicts,
        "projects.csv": inputs.projects,
        **inputs.tables,
    }
    lookup = _tables.names(inputs.layers)
    return {
        name: for_people(
            _with_names(
                pd.DataFrame(frame.drop(columns="geometry", errors="ignore")),
                _ID_COLUMNS.get(name, {}),
                lookup,
            )
        )
        for name, frame in tables.items()
    }


def _with_names(
    frame: pd.DataFrame, columns: Mapping[str, str], lookup: Mapping[str, str]
) -> pd.DataFrame:
    """``frame`` with a ``…_name`` column ("中文 / English") after each id column, for people.

    ``columns``: id column → ``"feature"`` (ids named by ``lookup``, lists
    allowed) or ``"layer"`` (a layer's id). The ids stay for scripts; a
    missing id has an empty name.
    """
    out = frame.copy()
    for col, kind in columns.items():
        if col in out.columns:
            known = (
                lookup
                if kind == "feature"
                else {str(v): _tables.layer_name(v) for v in out[col].dropna().unique()}
            )
            names = [_tables.name_list(v, known, missing="") for v in out[col]]
            label = f"{col.removesuffix('_id')}_name"  # protected_id -> protected_name
            out.insert(out.columns.get_loc(col) + 1, label, names)
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """The published tables (:func:`published_tables`) as one ``.xlsx``, one sheet each.

    Bilingual headers (Chinese first), kinds and categories in words
    (:data:`lzgis.tables.CODE_LABELS`; the CSVs keep the codes), rates as percentages, km² to 0.001;
    the same bytes for the same tables (no creation dates), so a committed
    ``maps/`` stays reproducible. Tables without a sheet name here keep their
    file name as the sheet name.
    """
    sheets = {
        _SHEETS.get(name, name.rsplit(".", 1)[0]): Sheet(
            _tables.with_labels(frame),
            headers=_HEADERS,
            number_formats=people_formats(frame.columns),
        )
        for name, frame in tables.items()
    }
    (first, main), *rest = sheets.items()
    write_table(
        main.frame,
        path,
        headers=_HEADERS,
        number_formats=main.number_formats,
        sheet_name=first,
        sheets=dict(rest),
        reproducible=True,
    )
    return Path(path)


def site_files(tables: Iterable[str] = ()) -> set[str]:
    """Every file name a publish may write (with ``tables``, extra table names): the folder it owns."""
    maps = [name for name, _, _ in MAPS]
    return {
        *maps,
        *(name.replace(".html", ".png") for name in maps),
        "index.html",
        "greening_report.csv",
        "allocation.csv",
        "conflicts.csv",
        "projects.csv",
        WORKBOOK,
        ASSET_DIR,  # the folder of Leaflet, the plugins and the runtime the pages link
        *tables,
    }


def step_count(*, snapshots: bool) -> int:
    """How many progress steps :func:`publish` reports (analyses, maps, tables, index, PNGs)."""
    return 1 + len(MAPS) + 2 + (len(MAPS) if snapshots else 0)


def write_site(
    inputs: Inputs,
    out: str | Path,
    *,
    basemap: str,
    tianditu_key: str | None = None,
    offline: bool = False,
    snapshots: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the maps, ``index.html`` and the CSV tables into ``out``; return the paths.

    Parameters
    ----------
    inputs
        Layers and analysis results (:func:`load_inputs`, or your own frames).
    out
        Output folder (created), swapped in as one set
        (:func:`lzgis.io.atomic_dir`): the publish files in it are exactly
        this run's, other plain files are kept; a foreign subfolder is
        refused (:class:`lzgis.OutputError`).
    basemap, tianditu_key
        ``osm``, ``gaode`` (overlays shifted to GCJ-02), ``tianditu`` (needs the key) or ``none``.
    offline
        Inline Leaflet, the plugins and the lzgis runtime (one self-contained file per page).
    snapshots
        Also write ``<map>.png`` of each map, rendered in headless Chromium.
    progress
        Called with a label after each step (for a progress bar).
    """
    opts = MapOptions(basemap=basemap, tianditu_key=tianditu_key, offline=offline)
    folder = Path(out)
    tell = progress or (lambda label: None)
    lay = inputs.layers
    builders: dict[str, Callable[[], MapPage]] = {
        "overview.html": lambda: overview_map(lay, options=opts),
        "greening.html": lambda: greening_map(inputs.report, lay, options=opts),
        "allocation.html": lambda: allocation_map(
            inputs.conflicts,
            lay,
            allocation=inputs.allocation,
            river_buffer_m=inputs.river_buffer_m,
            constraints=inputs.constraints,
            options=opts,
        ),
        "projects.html": lambda: projects_map(inputs.projects, lay, options=opts),
    }
    tables = published_tables(inputs)
    names = [name for name, _, _ in MAPS]
    written: list[str] = []
    with atomic_dir(folder, owns=site_files(tables)) as tmp:
        assets: list[str] = []
        for name in names:
            page = builders[name]()
            page.save(tmp / name)  # with assets/ beside it unless the page is self-contained
            written.append(name)
            assets = assets or [p.relative_to(tmp).as_posix() for p in page.asset_paths(tmp)]
            tell(name)
        written += assets
        for name, frame in tables.items():
            write_table(frame, tmp / name)
            written.append(name)
        write_workbook(tables, tmp / WORKBOOK)
        written.append(WORKBOOK)
        tell("tables")
        index = index_page(
            maps=MAPS,
            tables=[*tables, WORKBOOK],
            report=inputs.report,
            allocation=inputs.allocation,
            conflicts=inputs.conflicts,
            projects=inputs.projects,
            parks=lay.get("parks"),
        )
        index.save(tmp / "index.html")
        written.append("index.html")
        tell("index.html")
        if snapshots:
            for name in names:  # every map must render before any PNG is written
                check_rendered(tmp / name)
            for name in names:
                png = snapshot(tmp / name, (tmp / name).with_suffix(".png"))
                written.append(png.name)
                tell(png.name)
    return [folder / name for name in written]


def publish(
    out: str | Path = "maps",
    *,
    offline: bool = False,
    basemap: str | None = None,
    tianditu_key: str | None = None,
    snapshots: bool = False,
    river_buffer_m: float = RIVER_BUFFER_M,
    constraints: Constraints = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Load the layers, run the analyses and write the site into ``out`` (see :func:`write_site`).

    ``river_buffer_m`` and ``constraints`` are those of :func:`load_inputs`.
    """
    chosen = resolve_basemap(basemap, offline=offline)
    check_basemap(chosen, tianditu_key)  # fail before the slow part
    river_buffer_m = require_distance(river_buffer_m, name="river_buffer_m")
    require_output_folder(out, owns=site_files())
    inputs = load_inputs(river_buffer_m=river_buffer_m, constraints=constraints)
    if progress is not None:
        progress("analyses")
    return write_site(
        inputs,
        out,
        basemap=chosen,
        tianditu_key=tianditu_key,
        offline=offline,
        snapshots=snapshots,
        progress=progress,
    )
