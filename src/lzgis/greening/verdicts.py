"""Verdicts a director can trust: pass, fail, or not enough data to say.

:func:`check_zones` checks coverage results against targets like
:func:`lzgis.greening.check`, and adds what the bureau needs to hand the
result on:

- a zone whose share of area with data (``data_share`` = 1 − unknown) is
  below ``min_data_share`` gets the verdict :data:`INSUFFICIENT`
  ("数据不足 / insufficient data"), never PASS or FAIL, and no shortfall;
- one row per zone, scheme and metric, with the zone's area, green,
  data share and every attribute of the zones;
- :func:`scheme_status`: each metric of each scheme is either checked or
  "not checked: needs …" (what would let lzgis check it);
- :func:`scheme_summary`: per scheme, how many checks pass, fail or lack
  data, and the shortfall (never added across schemes).

Examples
--------
>>> import pandas as pd
>>> res = pd.DataFrame({"zone": ["a", "b"], "coverage": [0.4, 0.2], "data_share": [1.0, 0.5],
...                     "area_km2": [1.0, 1.0], "data_km2": [1.0, 0.5], "green_km2": [0.4, 0.1]})
>>> check_zones([res], "plan_2015")["verdict"].tolist()
['PASS', '数据不足 / insufficient data']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lzgis._errors import ValidationError
from lzgis.greening.targets import METRICS, check, load_targets

__all__ = [
    "DEFAULT_MIN_DATA_SHARE",
    "INSUFFICIENT",
    "METRIC_NEEDS",
    "VERDICT_LABELS",
    "check_zones",
    "scheme_status",
    "scheme_summary",
]

DEFAULT_MIN_DATA_SHARE = 0.9
INSUFFICIENT = "数据不足 / insufficient data"
# How a verdict reads for people (Chinese first), wherever it is shown: the check
# command's lines, the .xlsx tables and the bureau's report. CSV and GeoPackage keep
# the values themselves (PASS, FAIL, INSUFFICIENT), which scripts and styles match.
VERDICT_LABELS: dict[str, str] = {
    "PASS": "达标 / PASS",
    "FAIL": "未达标 / FAIL",
    INSUFFICIENT: INSUFFICIENT,
}
METRIC_NEEDS: dict[str, str] = {
    "greening_coverage": "a green source (--green, --raster or --red/--nir)",
    "forest_coverage": "a forest source (--forest)",
    "green_space_ratio": "green-space (绿地) polygons by category: lzgis.greening.green_space_ratio",
    "per_capita_park_green_m2": "parks and population per zone: lzgis.greening.per_capita_park_green",
    "service_radius_coverage": "parks and residential land: lzgis.greening.service_radius_coverage",
}
_LEAD = ["zone", "scheme", "metric", "area_km2", "green_km2", "value", "target", "op"]
_TAIL = ["verdict", "passed", "shortfall_km2", "data_share", "confirmed", "source", "note"]


def _targets(spec: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    return spec if isinstance(spec, pd.DataFrame) else load_targets(spec)


def _metrics_of(frame: pd.DataFrame) -> set[str]:
    return {m for m, (cols, _) in METRICS.items() if any(c in frame.columns for c in cols)}


def check_zones(
    results: Sequence[pd.DataFrame],
    targets: pd.DataFrame | str | Path | None = None,
    *,
    min_data_share: float = DEFAULT_MIN_DATA_SHARE,
) -> pd.DataFrame:
    """Check each zone of each result frame against the targets it has a metric for.

    Parameters
    ----------
    results
        Frames from :func:`lzgis.greening.sources.coverage_from_sources`
        (``coverage`` or ``greening_coverage``) or
        :func:`~lzgis.greening.sources.forest_from_sources`
        (``forest_coverage``), each with ``data_share``; other columns
        (the zones' attributes) pass through.
    targets
        As for :func:`lzgis.greening.check`.
    min_data_share
        0..1: below this share of area with data a zone is
        :data:`INSUFFICIENT`.

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``scheme``, ``metric``, ``area_km2``, ``green_km2``,
        ``value``, ``target``, ``op``, ``verdict`` (PASS, FAIL or
        :data:`INSUFFICIENT`), ``passed`` (NA when insufficient),
        ``shortfall_km2``, ``data_share``, ``confirmed``, ``source``,
        ``note``, then the result frames' other columns; the index is the
        zone's position in its frame.
    """
    if not 0.0 <= min_data_share <= 1.0:
        raise ValidationError(
            f"`--min-data-share` is {min_data_share}; expected a share 0..1; fix: e.g. 0.9"
        )
    table = _targets(targets)
    parts = []
    for frame in results:
        wanted = table[table["spatial"] & table["metric"].isin(_metrics_of(frame))]
        if wanted.empty:
            continue
        checked = check(frame, wanted)
        n = len(frame)
        pos = np.tile(np.arange(n), len(checked) // n) if n else np.array([], dtype=int)
        src = frame.reset_index(drop=True).iloc[pos].reset_index(drop=True)
        share = (
            src["data_share"].to_numpy(dtype=float)
            if "data_share" in src.columns
            else np.ones(len(src))
        )
        enough = np.nan_to_num(share, nan=0.0) >= min_data_share - 1e-12
        enough &= ~np.isnan(checked["value"].to_numpy(dtype=float))
        passed = checked["passed"].astype("boolean").copy()
        passed[~enough] = pd.NA
        checked["passed"] = passed
        checked["shortfall_km2"] = np.where(enough, checked["shortfall_km2"], np.nan)
        checked["verdict"] = np.where(
            ~enough, INSUFFICIENT, np.where(passed.fillna(False), "PASS", "FAIL")
        )
        checked["data_share"] = share
        for col in ("area_km2", "green_km2"):
            checked[col] = src[col].to_numpy() if col in src.columns else np.nan
        extra = [
            c
            for c in src.columns
            if c not in checked.columns and c not in METRICS and c not in _skip(frame)
        ]
        out = pd.concat([checked[_LEAD + _TAIL], src[extra]], axis=1)
        out.index = pd.Index(pos, name="position")
        parts.append(out)
    if not parts:
        return check(list(results), table)  # raises: no target matches the results
    return pd.concat(parts)


def _skip(frame: pd.DataFrame) -> set[str]:
    """Result columns that are metrics or already summarised in the check table."""
    cols = {c for cols, _ in METRICS.values() for c in cols}
    return cols | {"data_km2", "unknown", "land_km2", "geometry"}


def scheme_status(targets: pd.DataFrame, available: set[str]) -> pd.DataFrame:
    """Per scheme and target: ``checked`` or ``not checked: needs …``.

    ``available`` holds the metrics computed (e.g. ``{"greening_coverage"}``).
    Non-spatial targets are ``not checked: not a spatial target``.
    """
    rows = []
    for t in targets.itertuples():
        if not t.spatial:
            status = "not checked: not a spatial target"
        elif t.metric in available:
            status = "checked"
        else:
            status = f"not checked: needs {METRIC_NEEDS.get(str(t.metric), 'data lzgis lacks')}"
        rows.append(
            {
                "scheme": t.scheme,
                "title": t.title,
                "metric": t.metric,
                "target": t.target,
                "op": t.op,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def scheme_summary(checked: pd.DataFrame) -> pd.DataFrame:
    """Per scheme: ``checks``, ``passed``, ``failed``, ``insufficient``, ``shortfall_km2``,
    ``all_pass`` and ``result`` (PASS; FAIL when any check fails; else INSUFFICIENT DATA).

    The shortfall is summed over the scheme's checks only; schemes are
    never added together.
    """
    rows = []
    for scheme, part in checked.groupby("scheme", sort=False):
        verdict = part["verdict"]
        npass = int((verdict == "PASS").sum())
        rows.append(
            {
                "scheme": scheme,
                "checks": len(part),
                "passed": npass,
                "failed": int((verdict == "FAIL").sum()),
                "insufficient": int((verdict == INSUFFICIENT).sum()),
                "shortfall_km2": float(part["shortfall_km2"].fillna(0).sum()),
                "all_pass": npass == len(part),
                "result": "PASS"
                if npass == len(part)
                else ("FAIL" if (verdict == "FAIL").any() else "INSUFFICIENT DATA"),
            }
        )
    return pd.DataFrame(rows)
