"""``lzgis greening``: green coverage per zone, the check against targets, the bureau's report."""

from __future__ import annotations

from typing import Any

import click
import geopandas as gpd

from lzgis import greening as _greening
from lzgis._errors import LzgisError
from lzgis._validate import require_output_suffix
from lzgis.cli._base import OUTPUT, LzgisGroup
from lzgis.cli._check_text import echo_check
from lzgis.cli.coverage_options import (
    CheckRun,
    CoverageRun,
    check_options,
    coverage_options,
    run_check,
    run_coverage,
)
from lzgis.greening import outputs as _out
from lzgis.greening.embedded import report_table
from lzgis.io import for_people, write_table

_REPORT_SUFFIXES = (".html", ".pdf", ".csv", ".gpkg")
_SOURCE_KEYS = ("zones", "green", "raster", "red", "nir", "within")


@click.group("greening", cls=LzgisGroup)
def greening() -> None:
    """Green coverage per zone and the check against the plan's and national targets."""


@greening.command("coverage")
@coverage_options
@click.option(
    "--out",
    required=True,
    type=OUTPUT,
    help="Output .csv (UTF-8 with BOM), .xlsx (bilingual, with a total row) or .gpkg "
    "(zones' CRS, QGIS style); atomic.",
)
def coverage(out: str, **opts: Any) -> None:
    """One row per zone: zone, area_km2, data_km2, green_km2, coverage (0-1), unknown, data_share.

    Every attribute of the zones follows. Without --zones the embedded
    districts are the zones; without a green source the embedded
    (schematic) green layers are the green.
    """
    path = require_output_suffix(out, _out.OUT_SUFFIXES)
    run = run_coverage(**opts, total=path.suffix.lower() == ".xlsx")
    total = {"zone": _out.TOTAL_NAME, **run.total} if run.total is not None else None
    _out.write_results(run.result, path, total=total, method=_out.method_table(run.method))
    click.echo(f"wrote {len(run.result)} zones to {path}")


def _check_table(run: CoverageRun, check: CheckRun) -> gpd.GeoDataFrame:
    """The zone rows of the check with each zone's (measured) geometry, in the zones' CRS."""
    geoms = run.result.geometry.to_numpy()[check.checked.index.to_numpy()]
    return gpd.GeoDataFrame(
        check.checked.reset_index(drop=True), geometry=list(geoms), crs=run.result.crs
    )


@greening.command("check")
@coverage_options
@check_options
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
    help="Also write the table (.csv, .xlsx or .gpkg).",
)
def check(
    targets: str,
    min_data_share: float,
    forest: tuple[str, ...],
    forest_classes: str | None,
    metric: str,
    out: str | None,
    **opts: Any,
) -> None:
    """Coverage per zone against targets: exit 0 if every zone passes with enough data,
    1 if any fails or lacks data, 2 on bad input.
    """
    path = require_output_suffix(out, _out.OUT_SUFFIXES) if out else None
    run = run_coverage(**opts, total=path is not None and path.suffix.lower() == ".xlsx")
    result = run_check(
        run,
        targets=targets,
        min_data_share=min_data_share,
        forest=forest,
        forest_classes=forest_classes,
        metric=metric,
        within=opts.get("within"),
        band=opts["band"],
        encoding=opts.get("encoding"),
    )
    if path is not None:
        totals = result.totals.reset_index(drop=True)
        _out.write_results(
            _check_table(run, result),
            path,
            total=totals if len(totals) else None,
            method=_out.method_table(
                {**run.method, "数据覆盖阈值 / min data share": f"{min_data_share:.0%}"}
            ),
            sheet_name="check",
            style_column="value",
        )
    all_pass = echo_check(result, min_data_share=min_data_share, opts=opts)
    raise SystemExit(0 if all_pass else 1)


@greening.command("report")
@coverage_options
@check_options
@click.option(
    "--out",
    required=True,
    type=OUTPUT,
    help="report.html (offline page) or report.pdf (printed by headless Chromium); "
    "with no sources, .csv/.gpkg give the embedded report.",
)
def report(
    out: str,
    targets: str,
    min_data_share: float,
    forest: tuple[str, ...],
    forest_classes: str | None,
    **opts: Any,
) -> None:
    """The bureau's report: map, table (zh/en), data-share warnings, method; or the embedded report.

    With .csv/.gpkg and no sources: the embedded zones vs the plan's 31.12%
    (illustrative only: the embedded green is schematic regional green).
    """
    path = require_output_suffix(out, _REPORT_SUFFIXES)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".gpkg"):
        if any(opts.get(k) for k in _SOURCE_KEYS):
            raise LzgisError(
                f"{path}: the bureau's report is a page; expected .html or .pdf with sources; "
                "fix: use `--out report.html`, or `greening check --out table.xlsx` for a table"
            )
        table = report_table(_greening.embedded_report())  # no verdicts on planned zones
        write_table(for_people(table) if suffix == ".csv" else table, path)
        click.echo(f"wrote {len(table)} zones to {path} (illustrative: schematic green layers)")
        return
    from lzgis.maps import bureau_report
    from lzgis.maps.snapshots import chromium_path, has_chinese_font, print_pdf

    if suffix == ".pdf":
        chromium_path(purpose="a PDF report", fix="or write `--out report.html`")
        if has_chinese_font() is False:
            click.echo(
                "警告 / warning: no Chinese font on this machine: Chinese text in the PDF shows as "
                "boxes; fix: `apt-get install fonts-noto-cjk` (the .html report is unaffected)",
                err=True,
            )
    run = run_coverage(**opts, total=True)
    result = run_check(
        run,
        targets=targets,
        min_data_share=min_data_share,
        forest=forest,
        forest_classes=forest_classes,
        within=opts.get("within"),
        band=opts["band"],
        encoding=opts.get("encoding"),
    )
    page = bureau_report.report_page(
        run.result,
        result.checked,
        totals=result.totals,
        status=result.status,
        summary=result.summary,
        method=_out.method_table(
            {**run.method, "数据覆盖阈值 / min data share": f"{min_data_share:.0%}"}
        ),
        min_data_share=min_data_share,
    )
    if suffix == ".pdf":
        print_pdf(page, path)
    else:
        from lzgis.io import write_text

        write_text(page, path)
    click.echo(f"wrote the report of {len(run.result)} zones to {path}")


@greening.command("modis")
@click.option("--out", required=True, type=OUTPUT, help="Output .csv (atomic).")
def modis(out: str) -> None:
    """MODIS 2019 IGBP land-cover composition (km2) and IGBP 1-10 coverage per district."""
    path = require_output_suffix(out, (".csv",))
    table = _greening.modis_district_report()
    write_table(table, path)
    click.echo(f"wrote {len(table)} zones to {path}")


__all__ = ["greening"]
