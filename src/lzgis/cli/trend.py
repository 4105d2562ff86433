"""``lzgis greening trend``: coverage per zone over the years, gain and loss, pace to the target."""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import click

from lzgis import greening as _greening
from lzgis import zonal as _zonal
from lzgis._errors import LzgisError
from lzgis._validate import require_output_suffix
from lzgis.cli._base import INPUT, OUTPUT, LzgisCommand, progress
from lzgis.cli.coverage_options import run_options
from lzgis.greening import sources as _sources
from lzgis.greening import yearly as _yearly
from lzgis.io import atomic_path, read_vector, write_text

_OUT_SUFFIXES = (".csv", ".xlsx", ".gpkg", ".html")


def _note(years: list[int], threshold: float | None, classes: list[int] | None) -> str:
    rule = (
        f"NDVI ≥ {threshold:g}"
        if threshold is not None
        else f"类别 / classes {','.join(map(str, classes or []))}"
    )
    return f"年份 / years {years[0]}–{years[-1]} ({len(years)}); 绿地 / green: {rule}"


def _year_inputs(params: dict[str, Any]) -> list[tuple[str, Path]]:
    """The files named by the YEAR=PATH options, folders and globs expanded (inputs an output
    must never replace; a bad source is reported when the run reads it)."""
    from lzgis.zonal._sources import resolve

    out = []
    for name in ("rasters", "red", "nir"):
        for item in params.get(name) or ():
            if "=" not in item:
                continue
            given = item.split("=", 1)[1].strip()
            try:
                files = resolve(given, prefer=params.get("prefer") or "given")
            except LzgisError:
                files = [given]
            out += [(f"--{name}", Path(f)) for f in files if not f.startswith("/vsi")]
    return out


@click.command("trend", cls=LzgisCommand, extra_inputs=_year_inputs)
@click.option(
    "--zones",
    type=INPUT,
    default=None,
    help="Zone polygons (any vector file). Default: the embedded districts.",
)
@click.option("--zone-field", default=None, help="Field naming each zone (needed with --zones).")
@click.option(
    "--raster",
    "rasters",
    multiple=True,
    metavar="YEAR=PATH",
    help="One year's NDVI or land-cover raster; repeat for each year (any order). A year's "
    "PATH may be a collection (a folder, a glob, a VRT, a STAC items.json[#ASSET]), and a "
    "year given again adds sources in that order: each part of a zone is measured from the "
    "first source covering it.",
)
@click.option(
    "--red",
    multiple=True,
    metavar="YEAR=PATH",
    help="One year's red band (with --nir); a collection as for --raster.",
)
@click.option(
    "--nir",
    multiple=True,
    metavar="YEAR=PATH",
    help="One year's near-infrared band (one per red source, same order).",
)
@run_options
@click.option("--ndvi-threshold", type=float, default=None, help="NDVI at or above this is green.")
@click.option(
    "--classes", default=None, help="Green class values of land-cover rasters, e.g. 1-10."
)
@click.option("--band", type=int, default=1, show_default=True, help="Raster band to read.")
@click.option(
    "--ndvi-scale",
    type=float,
    default=None,
    help="NDVI = raw value × this, e.g. 0.0001 for int16 × 10000 (default: the band's scale/offset).",
)
@click.option(
    "--within",
    type=INPUT,
    default=None,
    help="Measure each zone only inside this boundary (the built-up area 建成区).",
)
@click.option(
    "--targets",
    default=None,
    help="A scheme with one greening-coverage target (plan_2015, ...) or a TOML file.",
)
@click.option(
    "--out",
    required=True,
    type=OUTPUT,
    help="Output .csv, .xlsx, .gpkg or .html (atomic).",
)
@click.option(
    "--change-raster",
    type=OUTPUT,
    default=None,
    help="Also write the first→last gain (1) / loss (-1) / no change (0) GeoTIFF.",
)
def trend(
    zones: str | None,
    zone_field: str | None,
    rasters: tuple[str, ...],
    red: tuple[str, ...],
    nir: tuple[str, ...],
    prefer: str,
    workers: int | None,
    scheduler: str | None,
    ndvi_threshold: float | None,
    classes: str | None,
    band: int,
    ndvi_scale: float | None,
    within: str | None,
    targets: str | None,
    out: str,
    change_raster: str | None,
) -> None:
    """One row per zone and year: coverage, change, gain and loss, pace and the target year.

    Gain and loss need two years on one grid (same CRS, transform and
    size) or, for collections, the same tiling (the same grids in the same
    order); otherwise they stay empty and `gain_loss_note` says why.
    """
    path = require_output_suffix(out, _OUT_SUFFIXES)
    change = (
        require_output_suffix(change_raster, (".tif", ".tiff"), option="--change-raster")
        if change_raster
        else None
    )
    class_list = _sources.parse_classes(classes)
    years, nirs = _yearly.year_sources(
        rasters, red, nir, ndvi_threshold=ndvi_threshold, classes=class_list
    )
    goal = _yearly.target_value(targets)
    tiled = _zonal.collection_years(years, nirs, prefer=prefer)
    if change is not None and tiled:
        raise LzgisError(
            f"`--change-raster`: the {tiled[0]} source ({', '.join(years[tiled[0]])}) is a "
            "collection of several files; expected one raster per year on one grid; fix: "
            "build one mosaic per year (gdalwarp the tiles onto one grid) or drop --change-raster"
        )
    zones_gdf, field = _sources.load_zones(zones, zone_field)
    for line in _sources.zone_name_notes(zones, zones_gdf, field):
        click.echo(line, err=True)
    boundary = (
        read_vector(within, id_field=None, geometry_type="Polygon", to_wgs84=False)
        if within
        else None
    )
    rule: dict[str, Any] = {
        "ndvi_threshold": ndvi_threshold,
        "classes": class_list,
        "nir": nirs,
        "band": band,
        "ndvi_scale": ndvi_scale,
    }
    # counted only for a bar on a terminal (it plans the zones once more)
    length = partial(_zonal.trend_window_count, zones_gdf, years, band=band, prefer=prefer)
    with (
        _zonal.dask_client(workers=workers, scheduler=scheduler) as client,
        progress(length, "raster windows") as bar,
    ):
        table = _greening.trend(
            zones_gdf,
            years,
            zone_field=field,
            target=goal,
            within=boundary,
            prefer=prefer,
            client=client,
            progress=bar.update,
            **rule,
        )
    page = None
    if path.suffix.lower() == ".html":
        from lzgis.maps.trend import trend_page

        # a change layer needs the first and last year on one grid (not a collection of tiles)
        shared = _yearly.first_last_share_grid(table) and not tiled
        preview = _zonal.change_preview(zones_gdf, years, **rule) if shared else None
        page = trend_page(
            table, preview=preview, note=_note(sorted(years), ndvi_threshold, class_list)
        )
    with ExitStack() as stack:
        # every output goes to a temporary file first; all are renamed at the end, or none
        tmp_out = stack.enter_context(atomic_path(path))
        if change is not None:
            _zonal.change_raster(zones_gdf, years, stack.enter_context(atomic_path(change)), **rule)
        if page is not None:
            write_text(page.html, tmp_out)
        else:
            method = _yearly.trend_method(
                zones=zones,
                zones_crs=zones_gdf.crs,
                zone_field=field,
                rasters=years,
                nir=nirs,
                within=within,
                **{k: rule[k] for k in ("ndvi_threshold", "ndvi_scale", "classes", "band")},
            )
            _yearly.write_trend(table, tmp_out, method=method, layer=path.stem)
    n_years = len(years)
    click.echo(f"wrote {len(table) // n_years} zones x {n_years} years to {path}")
    if change is not None:
        click.echo(f"wrote the {min(years)}-{max(years)} gain/loss raster to {change}")
