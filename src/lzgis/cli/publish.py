"""``lzgis publish``: the map set, its index and the report tables."""

from __future__ import annotations

import click

from lzgis import publish as _publish
from lzgis.cli._base import LzgisCommand, OutputFolder, progress


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
    help="Inline Leaflet and plugins so the pages work with no network; implies --basemap none unless given.",
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
@click.option("--snapshots", is_flag=True, help="Also write a PNG of each map (headless Chromium).")
def publish(
    out: str, offline: bool, basemap: str | None, tianditu_key: str | None, snapshots: bool
) -> None:
    """Build the maps (overview, greening, allocation, projects), index.html and CSV tables in OUT."""
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
            progress=lambda label: bar.update(1),
        )
    for path in paths:
        click.echo(str(path))
