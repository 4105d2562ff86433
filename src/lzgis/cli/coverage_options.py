"""Coverage options shared by every command that measures green per zone.

``greening coverage``, ``greening check``, ``greening report`` (and the trend
commands) take the same zones, green sources, ``--within`` and
``--ndvi-scale`` options: :func:`coverage_options` adds them to a click
command and :func:`run_coverage` turns them into the coverage frame
(:func:`lzgis.greening.sources.coverage_from_sources`), with a progress bar
for rasters and the zone-name notes on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import click
import geopandas as gpd
import pandas as pd

from lzgis.cli._base import INPUT, InputPath, encoding_option, progress
from lzgis.greening import outputs as _outputs
from lzgis.greening import sources as _sources
from lzgis.zonal import dask_client

__all__ = [
    "COVERAGE_OPTION_NAMES",
    "CheckRun",
    "CoverageRun",
    "check_options",
    "coverage_options",
    "run_check",
    "run_coverage",
]

F = TypeVar("F", bound=Callable[..., Any])

COVERAGE_OPTION_NAMES = (
    "zones",
    "zone_field",
    "green",
    "green_extent",
    "raster",
    "ndvi_threshold",
    "ndvi_scale",
    "classes",
    "red",
    "nir",
    "band",
    "prefer",
    "workers",
    "scheduler",
    "within",
    "encoding",
)


class _Collection(InputPath):
    """A raster or a collection (files, folder, glob, VRT, URL, STAC JSON): an input, taken as given
    (lzgis.zonal resolves and checks it)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value


_COLLECTION = _Collection()


def _run_options() -> list[Callable[[F], F]]:
    """``--prefer`` (a collection's order), ``--workers`` and ``--scheduler`` (dask)."""
    return [
        click.option(
            "--prefer",
            type=click.Choice(["given", "newest"]),
            default="given",
            show_default=True,
            help="Order of a collection's sources: as given, or STAC items newest first.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="Run on a local dask cluster of this many processes (needs lzgis[dask]).",
        ),
        click.option(
            "--scheduler",
            default=None,
            help="Run on an existing dask cluster: its scheduler's tcp://HOST:PORT.",
        ),
    ]


def run_options(func: F) -> F:
    """Add the collection-order and dask options to a click command (coverage, check, trend)."""
    for option in reversed(_run_options()):
        func = option(func)
    return func


def coverage_options(func: F) -> F:
    """Add the zones, green-source, ``--within`` and ``--ndvi-scale`` options to a click command."""
    path = INPUT
    options = [
        click.option(
            "--zones",
            type=path,
            default=None,
            help="Zone polygons (any vector file). Default: the embedded districts.",
        ),
        click.option(
            "--zone-field",
            default=None,
            help="Field naming each zone (needed with --zones; default name_en for the districts).",
        ),
        click.option(
            "--green",
            type=path,
            multiple=True,
            help="Green-space polygons; repeat for several files (their union is green).",
        ),
        click.option(
            "--green-extent",
            type=path,
            multiple=True,
            help="Polygons of the area the --green files survey (repeatable; their union). "
            "Default: each green file's bounding box. Outside it coverage is unknown, not 0.",
        ),
        click.option(
            "--raster",
            type=_COLLECTION,
            multiple=True,
            help="An NDVI raster (with --ndvi-threshold) or a land-cover raster (with --classes); "
            "or a collection: repeat it, or give a folder, a glob, a VRT, an http(s) URL or a "
            "STAC items.json[#ASSET]. Each part of a zone is measured from the first source "
            "covering it.",
        ),
        click.option(
            "--ndvi-threshold",
            type=float,
            default=None,
            help="NDVI at or above this (-1..1) is green, e.g. 0.3.",
        ),
        click.option(
            "--ndvi-scale",
            type=float,
            default=None,
            help="NDVI = raw value × this, e.g. 0.0001 for int16 × 10000 "
            "(default: the band's scale/offset metadata).",
        ),
        click.option(
            "--classes",
            default=None,
            help="Green class values of a land-cover raster: 1-10 (MODIS IGBP), 10,20,30,90,95 (WorldCover).",
        ),
        click.option(
            "--red",
            type=_COLLECTION,
            multiple=True,
            help="Red band; with --nir and --ndvi-threshold (band scale/offset applied first; "
            "a collection as for --raster).",
        ),
        click.option(
            "--nir",
            type=_COLLECTION,
            multiple=True,
            help="Near-infrared band (one source per --red source, same order).",
        ),
        click.option("--band", type=int, default=1, show_default=True, help="Raster band to read."),
        *_run_options(),
        encoding_option,
        click.option(
            "--within",
            type=path,
            default=None,
            help="Measure each zone only inside this boundary (the built-up area 建成区); "
            "areas then refer to zone ∩ boundary.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class CoverageRun:
    """What :func:`run_coverage` measured and how.

    ``result``: the coverage frame (zones' CRS, data_share, attributes);
    ``zones``/``zone_field``: the zones as loaded; ``method``: the method and
    sources items (:func:`lzgis.greening.outputs.describe_sources`); ``total``:
    the union of all zones (:func:`lzgis.greening.sources.coverage_with_total`),
    when asked for.
    """

    result: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    zone_field: str
    method: dict[str, str]
    total: dict[str, float] | None


def run_coverage(
    *,
    zones: str | None,
    zone_field: str | None,
    green: tuple[str, ...],
    green_extent: tuple[str, ...],
    raster: tuple[str, ...],
    ndvi_threshold: float | None,
    ndvi_scale: float | None,
    classes: str | None,
    red: tuple[str, ...],
    nir: tuple[str, ...],
    band: int,
    within: str | None,
    prefer: str = "given",
    workers: int | None = None,
    scheduler: str | None = None,
    encoding: str | None = None,
    total: bool = False,
) -> CoverageRun:
    """Coverage per zone from the options (see :class:`CoverageRun`); ``total``: also the union's.

    Notes on duplicate or missing zone names go to stderr once. Raises
    :class:`lzgis.LzgisError` on bad input before anything is written.
    """
    class_list = _sources.parse_classes(classes)
    rasters, reds, nirs = list(raster) or None, list(red) or None, list(nir) or None
    kind = _sources.source_kind(
        green=green,
        raster=rasters,
        ndvi_threshold=ndvi_threshold,
        classes=class_list,
        red=reds,
        nir=nirs,
        green_extent=green_extent,
    )
    zones_gdf, field = _sources.load_zones(zones, zone_field, encoding=encoding)
    for note in _sources.zone_name_notes(zones, zones_gdf, field):
        click.echo(note, err=True)
    source: dict[str, Any] = {
        "green": green,
        "raster": rasters,
        "ndvi_threshold": ndvi_threshold,
        "classes": class_list,
        "red": reds,
        "nir": nirs,
        "band": band,
        "ndvi_scale": ndvi_scale,
    }
    method = _outputs.describe_sources(
        zones=zones, zones_crs=zones_gdf.crs, zone_field=field, within=within, **source
    )
    source["green_extent"] = green_extent
    source["encoding"] = encoding
    source["prefer"] = prefer

    if kind in ("polygons", "embedded"):
        result, totals = _sources.coverage_with_total(
            zones_gdf, zone_field=field, within=within, total=total, **source
        )
    else:
        # counted only for a bar on a terminal (it plans the zones once more)
        length = partial(_sources.raster_windows, zones_gdf, list(raster or red), prefer=prefer)
        with (
            dask_client(workers=workers, scheduler=scheduler) as client,
            progress(length, "raster windows") as bar,
        ):
            result, totals = _sources.coverage_with_total(
                zones_gdf,
                zone_field=field,
                within=within,
                total=total,
                progress=bar.update,
                client=client,
                **source,
            )
    return CoverageRun(result, zones_gdf, field, method, totals)


def check_options(func: F) -> F:
    """Add ``--targets``, ``--min-data-share``, ``--forest`` and ``--forest-classes``."""
    from lzgis import greening as _greening
    from lzgis.greening.verdicts import DEFAULT_MIN_DATA_SHARE

    options = [
        click.option(
            "--targets",
            "targets",
            default=_greening.DEFAULT_SCHEME,
            show_default=True,
            help=f"A shipped scheme ({', '.join(_greening.scheme_names())}, all) "
            "or a TOML file of the same shape.",
        ),
        click.option(
            "--min-data-share",
            type=float,
            default=DEFAULT_MIN_DATA_SHARE,
            show_default=True,
            help="A zone with less of its area covered by data gets the verdict "
            "“数据不足 / insufficient data”, never PASS or FAIL.",
        ),
        click.option(
            "--forest",
            type=INPUT,
            multiple=True,
            help="Forest polygons (repeat; their union is forest) or one land-cover raster "
            "with --forest-classes: checks the schemes' forest coverage targets.",
        ),
        click.option(
            "--forest-classes",
            default=None,
            help="Forest class values of the --forest raster, e.g. 1-5 (MODIS IGBP), 10 (WorldCover).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _total_row(total: dict[str, float], metric: str) -> dict[str, object]:
    from lzgis.greening.outputs import TOTAL_NAME

    row: dict[str, object] = {"zone": TOTAL_NAME, **total}
    row[metric] = row.pop("coverage")
    if metric == "forest_coverage":
        row["land_km2"] = total["data_km2"]
    return row


@dataclass(frozen=True)
class CheckRun:
    """The check of a :class:`CoverageRun`: zone rows, totals, per-scheme status and summary."""

    checked: pd.DataFrame
    totals: pd.DataFrame
    status: pd.DataFrame
    summary: pd.DataFrame
    targets: pd.DataFrame
    frames: list[gpd.GeoDataFrame]


def run_check(
    run: CoverageRun,
    *,
    targets: str,
    min_data_share: float,
    forest: tuple[str, ...],
    forest_classes: str | None,
    metric: str = "greening_coverage",
    within: str | None = None,
    band: int = 1,
    encoding: str | None = None,
) -> CheckRun:
    """Check the run's coverage (as ``metric``) and, with ``forest``, forest coverage.

    With the run's ``total``, the union of the zones is checked too (``totals``).
    """
    from lzgis.greening import load_targets
    from lzgis.greening import verdicts as _v

    table = load_targets(targets)
    first = run.result.rename(columns={"coverage": metric})
    if metric == "forest_coverage":
        first.insert(list(first.columns).index(metric) + 1, "land_km2", first["data_km2"])
    frames = [first]
    total_rows = []
    if run.total is not None:
        total_rows.append(_total_row(run.total, metric))
    if forest:
        frame, ftotal = _sources.forest_from_sources(
            run.zones,
            zone_field=run.zone_field,
            forest=forest,
            forest_classes=_sources.parse_classes(forest_classes),
            band=band,
            within=within,
            encoding=encoding,
            total=run.total is not None,
        )
        frames.append(frame)
        if ftotal is not None:
            total_rows.append(_total_row(ftotal, "forest_coverage"))
    checked = _v.check_zones(frames, table, min_data_share=min_data_share)
    total_frames = [pd.DataFrame([row]) for row in total_rows]
    totals_table = (
        _v.check_zones(total_frames, table, min_data_share=min_data_share)
        if total_frames
        else checked.iloc[0:0]
    )
    metrics = {
        m for m in ("greening_coverage", "forest_coverage") if m in checked["metric"].unique()
    }
    return CheckRun(
        checked=checked,
        totals=totals_table,
        status=_v.scheme_status(table, metrics),
        summary=_v.scheme_summary(checked),
        targets=table,
        frames=frames,
    )
