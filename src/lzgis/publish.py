"""``lzgis publish``: build the map set, the index and the report tables.

:func:`load_inputs` loads the layers and runs the analyses
(:func:`lzgis.greening.embedded_report`,
:func:`lzgis.allocation.embedded_allocation`,
:func:`lzgis.projects.embedded_projects`); :func:`write_site` turns them into
``overview.html``, ``greening.html``, ``allocation.html``, ``projects.html``,
``index.html`` and CSV tables (:func:`published_tables`) in one folder, optionally with PNG snapshots.
The whole set is written into a temporary sibling folder and swapped in at
once (:func:`lzgis.io.atomic_dir`), so the folder holds one run's complete
set, never a mix; the files are byte-identical for the same inputs.

Assets: by default the pages load Leaflet and the plugins by relative path
from ``assets/`` (written once, with their licences, by each page's
:meth:`~lzgis.maps.MapPage.save`), so the folder works from a file share, a
static web server or an intranet, never from a CDN.

Offline and basemaps: ``offline=True`` inlines Leaflet and the plugins so each
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
from lzgis._validate import require_distance
from lzgis.allocation import Constraints
from lzgis.io import atomic_dir, for_people, require_output_folder, write_table
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
RIVER_BUFFER_M = 500.0


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
    return {
        name: for_people(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))
        for name, frame in tables.items()
    }


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
        ASSET_DIR,  # the folder of Leaflet and the plugins the pages link
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
        Inline Leaflet and the plugins (no network needed).
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
        tell("tables")
        index = index_page(
            maps=MAPS,
            tables=list(tables),
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
