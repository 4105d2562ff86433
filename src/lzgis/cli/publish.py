"""``lzgis publish``: the map set, its index and the report tables."""

from __future__ import annotations

import click

from lzgis._validate import require_distance
from lzgis.allocation import RIVER_BUFFER_M, read_constraints
from lzgis.cli._base import INPUT, LzgisCommand, OutputFolder, progress


@click.command("publish", cls=LzgisCommand)
@click.option(
    "--out",
    default="maps",
    show_default=True,
    type=OutputFolder(None),
    help="Output folder (written as a whole: it may hold no input).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Inline Leaflet, plugins and the lzgis runtime: each page one self-contained file (default: shared assets/ folder, no CDN either way); implies --basemap none unless given.",
)
@click.option(
    "--basemap",
    type=click.Choice(["osm", "gaode", "tianditu", "none"]),
    default=None,
    help="Background tiles [default: osm, or none with --offline]. gaode shifts every overlay to GCJ-02.",
)
@click.option(
    "--tianditu-key", default=None, help="Your Tianditu key (tk), needed by --basemap tianditu."
)
@click.option(
    "--snapshots",
    is_flag=True,
    help="Also write a PNG of each map (headless Chromium); refuses (exit 2) if a map does not render.",
)
@click.option(
    "--river-buffer",
    "river_buffer",
    type=float,
    default=RIVER_BUFFER_M,
    show_default=True,
    help="Half-width in metres of the Yellow River protection band (map and tables).",
)
@click.option(
    "--constraints",
    "constraint_paths",
    multiple=True,
    type=INPUT,
    help="Your own protected polygons (e.g. an ecological red line); repeatable; PATH.gpkg:LAYER "
    "for one layer. Drawn on the "
    "allocation map and used in every table, as in `lzgis allocate --constraints`.",
)
def publish(
    out: str,
    offline: bool,
    basemap: str | None,
    tianditu_key: str | None,
    snapshots: bool,
    river_buffer: float,
    constraint_paths: tuple[str, ...],
) -> None:
    """Build the maps (overview, greening, allocation, projects), index.html and CSV tables in OUT."""
    from lzgis import publish as _publish  # maps and folium: loaded for this command only

    require_distance(river_buffer, name="river_buffer_m")
    extra, messages = read_constraints(list(constraint_paths))
    for line in messages:
        click.echo(line, err=True)
    chosen = _publish.resolve_basemap(basemap, offline=offline)
    if offline and chosen != "none":
        click.echo(
            f"note: --offline with --basemap {chosen}: the {chosen} tiles need a network; the overlays work without.",
            err=True,
        )
    with progress(_publish.step_count(snapshots=snapshots), "publishing") as bar:
        paths = _publish.publish(
            out,
            offline=offline,
            basemap=chosen,
            tianditu_key=tianditu_key,
            snapshots=snapshots,
            river_buffer_m=river_buffer,
            constraints=extra,
            progress=lambda label: bar.update(1),
        )
    for path in paths:
        click.echo(str(path))
