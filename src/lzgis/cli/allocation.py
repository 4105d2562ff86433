"""``lzgis allocate`` and ``lzgis projects``: land allocation, conflicts and project locations."""

from __future__ import annotations

from pathlib import Path

import click
import geopandas as gpd

from lzgis import allocation as _allocation
from lzgis import layers as _layers
from lzgis import projects as _projects
from lzgis._validate import require_distance
from lzgis.cli._base import INPUT, LzgisCommand, OutputFolder, encoding_option, progress
from lzgis.io import atomic_dir, require_output_folder, write_table
from lzgis.io._styled_gpkg import write_by_geometry

_ALLOCATE_FILES = ("allocation.csv", "conflicts.gpkg")
_PROJECTS_FILES = ("projects.gpkg", "projects_by_unit.csv", "project_lines_by_district.csv")

_CONSTRAINTS = click.option(
    "--constraints",
    "constraint_paths",
    multiple=True,
    type=INPUT,
    help="Extra protected polygons (e.g. an ecological red line); repeatable; PATH.gpkg:LAYER for "
    "one layer. Named by file stem; reprojected to EPSG:4326 with a message; a file without CRS "
    "is refused.",
)
_PARKS = click.option(
    "--parks",
    type=INPUT,
    default=None,
    help="Your own outlines for some parks: polygons with `id` (see `lzgis layers list`); "
    "each replaces that park's outline.",
)


def _own_parks(path: str | None, encoding: str | None) -> gpd.GeoDataFrame | None:
    """The parks with ``path``'s outlines put in, checked before any long work starts."""
    if path is None:
        return None
    return _allocation.replace_parks(_layers.load("parks"), path, encoding=encoding)


@click.command("allocate", cls=LzgisCommand)
@_CONSTRAINTS
@click.option(
    "--river-buffer",
    "river_buffer",
    type=float,
    default=_allocation.RIVER_BUFFER_M,
    show_default=True,
    help="Half-width in metres of the Yellow River protection band.",
)
@_PARKS
@click.option(
    "--out",
    required=True,
    type=OutputFolder(_ALLOCATE_FILES),
    help="Folder for allocation.csv and conflicts.gpkg.",
)
@encoding_option
def allocate(
    constraint_paths: tuple[str, ...],
    river_buffer: float,
    parks: str | None,
    out: str,
    encoding: str | None,
) -> None:
    """Park land per district, constrained and developable; conflicts with protected land.

    Writes OUT/allocation.csv (rows: park × district parts, then totals; column
    `is_total`) and OUT/conflicts.gpkg (styled for QGIS), swapped in as one
    set (other files in OUT are kept). Nothing is written when an input is
    refused. Python: `lzgis.allocation.embedded_allocation()`.
    """
    require_distance(river_buffer, name="river_buffer_m")
    require_output_folder(out, owns=_ALLOCATE_FILES)
    extra, messages = _allocation.read_constraints(list(constraint_paths), encoding=encoding)
    for line in messages:
        click.echo(line)
    own = _own_parks(parks, encoding)
    with progress(3, "allocating") as bar:
        table, found = _allocation.embedded_allocation(
            river_buffer_m=river_buffer,
            constraints=extra,
            parks=own,
            progress=lambda label: bar.update(1),
        )
    folder = Path(out)
    with atomic_dir(folder, owns=_ALLOCATE_FILES) as tmp:
        write_table(table, tmp / "allocation.csv")
        layers = write_by_geometry(
            found,
            tmp / "conflicts.gpkg",
            prefix="conflicts",
            category="protected_layer",
            fill="227,26,28,150",
            stroke="153,0,0,255",
        )
    parts = table[~table["is_total"]]
    city = table[table["row_kind"] == "city_total"].iloc[0]
    click.echo(
        f"wrote {folder / 'allocation.csv'}: {len(parts)} park × district parts, "
        f"{int(table['is_total'].sum())} totals; parks {city['area_km2']:.1f} km², "
        f"developable {city['developable_km2']:.1f} km², constrained {city['constrained_km2']:.1f} km² "
        f"(river band {river_buffer:g} m)"
    )
    click.echo(f"wrote {folder / 'conflicts.gpkg'}: {len(found)} conflicts in {', '.join(layers)}")


@click.command("projects", cls=LzgisCommand)
@_CONSTRAINTS
@_PARKS
@click.option(
    "--out",
    required=True,
    type=OutputFolder(_PROJECTS_FILES),
    help="Folder for projects.gpkg, projects_by_unit.csv and project_lines_by_district.csv.",
)
@encoding_option
def projects(
    constraint_paths: tuple[str, ...], parks: str | None, out: str, encoding: str | None
) -> None:
    """Where each plan project stands (district, park, zones, distances) and who answers for it.

    Your constraint layers join the zones a project touches; your park outlines
    replace the embedded ones. The three files are swapped into OUT as one set
    (other files in OUT are kept). Python: `lzgis.projects.embedded_projects()`.
    """
    require_output_folder(out, owns=_PROJECTS_FILES)
    extra, messages = _allocation.read_constraints(list(constraint_paths), encoding=encoding)
    for line in messages:
        click.echo(line)
    own = _own_parks(parks, encoding)
    with progress(3, "locating") as bar:
        located = _projects.embedded_projects(constraints=extra, parks=own)
        bar.update(1)
        units = _projects.by_unit(located)
        bar.update(1)
        lines = _projects.line_lengths(located, _layers.load("districts"))
        bar.update(1)
    folder = Path(out)
    with atomic_dir(folder, owns=_PROJECTS_FILES) as tmp:
        layers = write_by_geometry(
            located,
            tmp / "projects.gpkg",
            prefix="projects",
            category="category",
            fill="31,120,180,230",
            stroke="8,48,107,255",
        )
        write_table(units, tmp / "projects_by_unit.csv")
        write_table(lines, tmp / "project_lines_by_district.csv")
    click.echo(f"wrote {folder / 'projects.gpkg'}: {len(located)} projects in {', '.join(layers)}")
    click.echo(f"wrote {folder / 'projects_by_unit.csv'}: {units['unit'].nunique()} units")
    click.echo(
        f"wrote {folder / 'project_lines_by_district.csv'}: "
        f"{lines['project_id'].nunique()} line projects, {lines['length_km'].sum():.1f} km"
    )
