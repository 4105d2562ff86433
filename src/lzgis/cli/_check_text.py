"""What ``lzgis greening check`` prints: one block and one RESULT line per scheme."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from lzgis.cli.coverage_options import CheckRun
from lzgis.greening.verdicts import INSUFFICIENT, VERDICT_LABELS

__all__ = ["echo_check"]


def _fmt(value: float, metric: str) -> str:
    if pd.isna(value):
        return "n/a"
    return f"{value:.2f}" if metric.endswith("_m2") else f"{value:.2%}"


def _zone_line(row: Any) -> str:
    short = "" if pd.isna(row.shortfall_km2) else f"{row.shortfall_km2:,.3f}"
    share = "n/a" if pd.isna(row.data_share) else f"{row.data_share:.1%}"
    return (
        f"{str(row.zone)[:28]:<28} {row.metric:<18} {_fmt(row.value, row.metric):>8} "
        f"{row.op}{_fmt(row.target, row.metric):>7} {share:>7}  {VERDICT_LABELS[row.verdict]:<27} {short:>13}"
    )


def echo_check(result: CheckRun, *, min_data_share: float, opts: dict[str, Any]) -> bool:
    """Print the blocks; return True when every checked zone passes with enough data."""
    summary = result.summary.set_index("scheme")
    header = (
        f"{'zone':<28} {'metric':<18} {'value':>8} {'target':>8} {'data':>7}  "
        f"{'verdict':<27} {'shortfall km2':>13}"
    )
    unconfirmed = result.checked.loc[~result.checked["confirmed"].astype(bool), "scheme"].unique()
    if len(unconfirmed):
        click.echo(
            f"note: targets of {', '.join(unconfirmed)} are quoted from secondary sources (unconfirmed)"
        )
    low = result.checked.drop_duplicates("zone")
    low = low[low["verdict"] == INSUFFICIENT]
    if len(low):
        names = ", ".join(str(z) for z in low["zone"].head(5))
        click.echo(
            f"警告 / warning: {len(low)} zone(s) have data for less than {min_data_share:.0%} of "
            f"their area ({names}{', …' if len(low) > 5 else ''}): no verdict; "
            "fix: imagery covering the zones, or `--min-data-share`"
        )
    if not opts.get("zones"):
        click.echo(
            "note: zones are the embedded whole districts; the standard measures greening coverage "
            "over the built-up area (give it with --zones or --within)"
        )
    if not (opts.get("green") or opts.get("raster") or opts.get("red")):
        click.echo(
            "note: green is the embedded schematic regional green: illustrative, not official"
        )
    for scheme, status in result.status.groupby("scheme", sort=False):
        click.echo(f"== {scheme}: {status['title'].iloc[0]} ==")
        rows = result.checked[result.checked["scheme"] == scheme]
        if len(rows):
            click.echo(header)
            for row in rows.itertuples():
                click.echo(_zone_line(row))
        for t in status.itertuples():
            if t.status != "checked":
                what, _, why = str(t.status).partition(": ")
                click.echo(f"{what}: {t.metric} {t.op} {_fmt(t.target, str(t.metric))}: {why}")
        if scheme not in summary.index:
            click.echo(f"RESULT {scheme}: NOT CHECKED: no metric of this scheme could be measured")
            continue
        s = summary.loc[scheme]
        click.echo(
            f"RESULT {scheme}: {s['result']}: {s['passed']} of "
            f"{s['checks']} checks pass, {s['failed']} fail, {s['insufficient']} insufficient "
            f"data (数据不足); {s['shortfall_km2']:,.1f} km2 of green short"
        )
    return bool(len(result.checked)) and bool(summary["all_pass"].all())
