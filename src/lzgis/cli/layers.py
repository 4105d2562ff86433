"""``lzgis layers``: list, validate and export the embedded layers."""

from __future__ import annotations

import click

from lzgis import layers as _layers
from lzgis._validate import file_problems
from lzgis.cli._base import INPUT, OUTPUT, LzgisGroup, encoding_option


@click.group("layers", cls=LzgisGroup)
def layers() -> None:
    """List, validate and export layers."""


@layers.command("list")
def list_() -> None:
    """Id, title, feature count, source and whether schematic, per layer."""
    cat = _layers.catalog()
    for row in cat.itertuples():
        gdf = _layers.load(row.id)
        kind = "schematic" if bool(gdf["schematic"].any()) else "measured"
        click.echo(
            f"{row.id:<15} {len(gdf):>4}  {kind:<9}  {row.title_en} / {row.title_zh}\n"
            f"{'':<15}       source: {row.source}"
        )


@layers.command("validate")
@click.argument("path", type=INPUT)
@click.option(
    "--layer",
    "layer_id",
    default=None,
    help="Also check the fields and geometry type of this layer id.",
)
@encoding_option
def validate(path: str, layer_id: str | None, encoding: str | None) -> None:
    """Check that PATH (or PATH.gpkg:LAYER) is usable; exit 2 with one line per problem if not.

    The same checks every command runs (geometry types, validity, one
    geometry type per layer, coordinates possible in the CRS). Features are
    streamed, so files larger than memory can be checked.
    """
    entry = _layers.spec(layer_id) if layer_id else {}
    problems = file_problems(
        path,
        geometry_type=entry.get("geometry_type"),
        required_fields=entry.get("required_fields", ()),
        encoding=encoding,
    )
    if problems:
        for line in problems:
            click.echo(line, err=True)
        raise SystemExit(2)
    click.echo(f"{path}: OK")


@layers.command("export")
@click.argument("layer_id")
@click.option("--to", "to", required=True, type=OUTPUT, help="Output .gpkg, .geojson or .shp.")
def export(layer_id: str, to: str) -> None:
    """Write layer LAYER_ID to a GeoPackage, GeoJSON or Shapefile (by suffix)."""
    count = _layers.export(layer_id, to)
    click.echo(f"wrote {count} features of {layer_id} to {to}")
