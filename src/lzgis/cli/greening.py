"""``lzgis greening``: green coverage per zone and the check against targets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import geopandas as gpd
import pandas as pd

from lzgis import greening as _greening
from lzgis._validate import require_output_suffix
from lzgis.cli._base import INPUT, OUTPUT, LzgisGroup, encoding_option, progress
from lzgis.greening import sources as _sources
from lzgis.io import write_table

F = TypeVar("F", bound=Callable[..., Any])
_OUT_SUFFIXES = (".csv", ".gpkg")


def _source_options(func: F) -> F:
    options = [
        click.option(
            "--zones",
            type=INPUT,
            default=None,
            help="Zone polygons (any vector file; PATH.gpkg:LAYER for one layer). Default: the embedded districts.",
        ),
        click.option(
            "--zone-field",
            default=None,
            help="Field naming each zone (needed with --zones; default name_en for the districts).",
        ),
        click.option(
            "--green",
            type=INPUT,
            multiple=True,
            help="Green-space polygons; repeat for several files (their union is green).",
        ),
        click.option(
            "--green-extent",
            type=click.Path(dir_okay=False),
            multiple=True,
            help="Polygons of the area the --green files survey (repeatable; their union). "
            "Default: each green file's bounding box. Outside it coverage is unknown, not 0.",
        ),
        click.option(
            "--raster",
            type=INPUT,
            default=None,
            help="An NDVI raster (with --ndvi-threshold) or a land-cover raster (with --classes).",
        ),
        click.option(
            "--ndvi-threshold",
            type=float,
            default=None,
            help="NDVI at or above this (-1..1) is green, e.g. 0.3.",
        ),
        click.option(
            "--classes",
            default=None,
            help="Green class values of a land-cover raster: 1-10 (MODIS IGBP), 10,20,30,90,95 (WorldCover).",
        ),
        click.option(
            "--red",
            type=INPUT,
            default=None,
            help="Red band; with --nir and --ndvi-threshold.",
        ),
        click.option("--nir", type=INPUT, default=None, help="Near-infrared band."),
        click.option("--band", type=int, default=1, show_default=True, help="Raster band to read."),
        encoding_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _coverage(
    zones: str | None,
    zone_field: str | None,
    green: tuple[str, ...],
    green_extent: tuple[str, ...],
    raster: str | None,
    ndvi_threshold: float | None,
    classes: str | None,
    red: str | None,
    nir: str | None,
    band: int,
    encoding: str | None,
) -> gpd.GeoDataFrame:
    class_list = _sources.parse_classes(classes)
    kind = _sources.source_kind(
        green=green,
        raster=raster,
        ndvi_threshold=ndvi_threshold,
        classes=class_list,
        red=red,
        nir=nir,
        green_extent=green_extent,
    )
    zones_gdf, field = _sources.load_zones(zones, zone_field, encoding=encoding)
    kwargs: dict[str, Any] = {
        "zone_field": field,
        "green": green,
        "green_extent": green_extent,
        "raster": raster,
        "ndvi_threshold": ndvi_threshold,
        "classes": class_list,
        "red": red,
        "nir": nir,
        "band": band,
        "encoding": encoding,
    }
    if kind in ("polygons", "embedded"):
        return _sources.coverage_from_sources(zones_gdf, **kwargs)
    length = _sources.raster_windows(zones_gdf, str(raster or red))
    with progress(length, "raster windows") as bar:
        return _sources.coverage_from_sources(zones_gdf, progress=bar.update, **kwargs)


@click.group("greening", cls=LzgisGroup)
def greening() -> None:
    """Green coverage per zone and the check against the plan's and national targets."""


@greening.command("coverage")
@_source_options
@click.option("--out", required=True, type=OUTPUT, help="Output .csv or .gpkg (atomic).")
def coverage(out: str, **opts: Any) -> None:
    """One row per zone: zone, area_km2, green_km2, coverage (0-1), unknown (no-data share).

    Without --zones the embedded districts are the zones; without a green
    source the embedded (schematic) green layers are the green.
    """
    path = require_output_suffix(out, _OUT_SUFFIXES)
    result = _coverage(**opts)
    write_table(result.to_crs(4326) if path.suffix.lower() == ".gpkg" else result, path)
    click.echo(f"wrote {len(result)} zones to {path}")


def _fmt(value: float, metric: str) -> str:
    if pd.isna(value):
        return "n/a"
    return f"{value:.2f}" if metric.endswith("_m2") else f"{value:.2%}"


@greening.command("check")
@_source_options
@click.option(
    "--targets",
    "targets",
    default=_greening.DEFAULT_SCHEME,
    show_default=True,
    help=f"A shipped scheme ({', '.join(_greening.scheme_names())}, all) or a TOML file of the same shape.",
)
@click.option(
    "--as",
    "metric",
    type=click.Choice(["greening_coverage", "forest_coverage"]),
    default="greening_coverage",
    show_default=True,
    help="Which metric the coverage measures (forest_coverage for forest classes / polygons).",
)
@click.option(
    "--out",
    type=OUTPUT,
    default=None,
    help="Also write the table (.csv or .gpkg).",
)
def check(targets: str, metric: str, out: str | None, **opts: Any) -> None:
    """Coverage per zone against targets: exit 0 if all pass, 1 if any fails, 2 on bad input,
    3 if none fails but some zones have no data (n/a)."""
    path = require_output_suffix(out, (".csv",)) if out else None
    table = _greening.load_targets(targets)
    result = pd.DataFrame(_coverage(**opts).drop(columns="geometry"))
    result = result.rename(columns={"coverage": metric})
    if metric == "forest_coverage":
        result["land_km2"] = result["data_km2"]
    checked = _greening.check(result, table)
    header = f"{'zone':<28} {'scheme':<21} {'metric':<18} {'value':>8} {'target':>8}  result {'shortfall km2':>14}"
    click.echo(header)
    for row in checked.itertuples():
        verdict = "n/a" if pd.isna(row.passed) else ("PASS" if row.passed else "FAIL")
        short = "" if pd.isna(row.shortfall_km2) else f"{row.shortfall_km2:,.3f}"
        click.echo(
            f"{str(row.zone)[:28]:<28} {row.scheme:<21} {row.metric:<18} "
            f"{_fmt(row.value, row.metric):>8} {row.op}{_fmt(row.target, row.metric):>7}  "
            f"{verdict:<6} {short:>14}"
        )
    unconfirmed = checked.loc[~checked["confirmed"], "scheme"].unique()
    if len(unconfirmed):
        click.echo(
            f"note: targets of {', '.join(unconfirmed)} are quoted from secondary sources (unconfirmed)"
        )
    if path is not None:
        write_table(checked, Path(path))
    unknown = int(checked["passed"].isna().sum())
    if unknown:
        click.echo(
            f"note: {unknown} check(s) have no data (n/a): neither pass nor fail; "
            "give a green source that covers those zones"
        )
    if not opts.get("zones"):
        click.echo(
            "note: zones are the embedded whole districts; the standard measures greening coverage "
            "over the built-up area (give it with --zones)"
        )
    if not (opts.get("green") or opts.get("raster") or opts.get("red")):
        click.echo(
            "note: green is the embedded schematic regional green: illustrative, not official"
        )
    failed = int((checked["passed"] == False).sum())  # noqa: E712 (NA stays NA)
    shortfall = float(checked["shortfall_km2"].fillna(0).sum())
    # no data is not a failure, nor a pass: FAIL (1) wins, then NO DATA (3), else PASS (0)
    verdict, code = ("FAIL", 1) if failed else ("NO DATA", 3) if unknown else ("PASS", 0)
    click.echo(
        f"RESULT: {verdict}: {len(checked) - failed - unknown} of "
        f"{len(checked)} checks pass, {failed} fail, {unknown} without data; "
        f"{shortfall:,.1f} km2 of green short in all"
    )
    raise SystemExit(code)


@greening.command("report")
@click.option("--out", required=True, type=OUTPUT, help="Output .csv or .gpkg (atomic).")
def report(out: str) -> None:
    """Embedded layers: coverage of the city, districts, two mountains and parks vs the plan's 31.12%.

    Illustrative only: the embedded green is schematic regional green.
    """
    path = require_output_suffix(out, _OUT_SUFFIXES)
    table = _greening.embedded_report()
    write_table(table, path)
    click.echo(f"wrote {len(table)} zones to {path} (illustrative: schematic green layers)")


@greening.command("modis")
@click.option("--out", required=True, type=OUTPUT, help="Output .csv (atomic).")
def modis(out: str) -> None:
    """MODIS 2019 IGBP land-cover composition (km2) and IGBP 1-10 coverage per district."""
    path = require_output_suffix(out, (".csv",))
    table = _greening.modis_district_report()
    write_table(table, path)
    click.echo(f"wrote {len(table)} zones to {path}")
