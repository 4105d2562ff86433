"""Greening targets (the plan's and the national ones) and the pass/fail check.

The targets ship in ``lzgis/data/targets.toml``, one ``[schemes.<name>]``
table per scheme: ``plan_2015`` (the 2012 plan's targets for 2015),
``gb55014_2021``, ``garden_city_basic``, ``garden_city_upgraded``,
``eco_garden_city`` and ``forest_city``. A user's own TOML file of the same
shape adds schemes. Every target carries its ``source`` and a ``confirmed``
flag (true only when read from the document itself).

Examples
--------
>>> import pandas as pd
>>> res = pd.DataFrame({"zone": ["a"], "coverage": [0.25], "data_km2": [10.0], "area_km2": [10.0]})
>>> row = check(res, "plan_2015").iloc[0]
>>> row["metric"], bool(row["passed"]), round(float(row["shortfall_km2"]), 3)
('greening_coverage', False, 0.612)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomllib

from lzgis._errors import LzgisError, ValidationError
from lzgis.greening import _config

__all__ = ["DEFAULT_SCHEME", "METRICS", "check", "load_targets", "scheme_names"]

DEFAULT_SCHEME = "plan_2015"

# metric id -> (value columns to look for, in order; denominator columns for the shortfall)
METRICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "greening_coverage": (("greening_coverage", "coverage"), ("data_km2", "area_km2")),
    "green_space_ratio": (("green_space_ratio",), ("area_km2",)),
    "forest_coverage": (("forest_coverage",), ("land_km2", "data_km2", "area_km2")),
    "per_capita_park_green_m2": (("per_capita_park_green_m2",), ("population",)),
    "service_radius_coverage": (("service_radius_coverage",), ()),
}
_TARGET_COLUMNS = [
    "scheme",
    "title",
    "metric",
    "target",
    "op",
    "spatial",
    "confirmed",
    "source",
    "note",
]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path}: not valid TOML ({exc}); fix: correct the file") from None


def _band_value(target: dict[str, Any], where: str) -> float:
    bands = target.get("bands")
    if not isinstance(bands, list) or not bands or "band_input" not in target:
        raise ValidationError(
            f"{where}: needs `value`, or `bands` with `band_input`; fix: add `value = <number>`"
        )
    x = float(target["band_input"])
    for band in bands:
        if "below" not in band or x < float(band["below"]):
            return float(band["value"])
    return float(bands[-1]["value"])


def _rows(data: dict[str, Any], origin: str) -> list[dict[str, Any]]:
    schemes = data.get("schemes")
    if not isinstance(schemes, dict) or not schemes:
        raise ValidationError(
            f"{origin}: no [schemes.<name>] tables; fix: follow the shape of lzgis/data/targets.toml"
        )
    rows = []
    for name, scheme in schemes.items():
        for i, t in enumerate(scheme.get("targets", [])):
            where = f"{origin}: schemes.{name}.targets[{i}]"
            if "metric" not in t:
                raise ValidationError(
                    f'{where}: no `metric`; fix: add `metric = "greening_coverage"`'
                )
            spatial = bool(t.get("spatial", True))
            if spatial and t["metric"] not in METRICS:
                raise ValidationError(
                    f"{where}: unknown metric `{t['metric']}`; expected one of {', '.join(METRICS)} "
                    "(or `spatial = false` for a note); fix: correct the metric"
                )
            op = str(t.get("op", ">="))
            if op not in (">=", ">"):
                raise ValidationError(f'{where}: `op` is {op!r}; expected ">=" or ">"')
            value = float(t["value"]) if "value" in t else _band_value(t, where)
            rows.append(
                {
                    "scheme": name,
                    "title": scheme.get("title", name),
                    "metric": t["metric"],
                    "target": value,
                    "op": op,
                    "spatial": spatial,
                    "confirmed": bool(t.get("confirmed", False)),
                    "source": t.get("source", scheme.get("source", origin)),
                    "note": t.get("note", ""),
                }
            )
    return rows


def scheme_names() -> list[str]:
    """Names of the shipped target schemes."""
    return list(_read_toml(_config.TARGETS_FILE)["schemes"])


def load_targets(spec: str | Path | None = None) -> pd.DataFrame:
    """Targets as a table, one row per scheme and metric.

    Parameters
    ----------
    spec
        A shipped scheme name (see :func:`scheme_names`; default
        ``plan_2015``), ``"all"`` for every shipped scheme, or the path of a
        TOML file of the same shape as ``lzgis/data/targets.toml`` (all its
        schemes).

    Returns
    -------
    pandas.DataFrame
        ``scheme``, ``title``, ``metric``, ``target``, ``op``, ``spatial``,
        ``confirmed``, ``source``, ``note``.
    """
    name = DEFAULT_SCHEME if spec is None else str(spec)
    shipped = _rows(_read_toml(_config.TARGETS_FILE), str(_config.TARGETS_FILE.name))
    known = sorted({r["scheme"] for r in shipped})
    if name == "all":
        rows = shipped
    elif name in known:
        rows = [r for r in shipped if r["scheme"] == name]
    elif Path(name).suffix.lower() == ".toml" or Path(name).exists():
        path = Path(name)
        if not path.exists():
            raise LzgisError(f"{path}: targets file not found; fix: check the path of `--targets`")
        rows = _rows(_read_toml(path), str(path))
    else:
        raise ValidationError(
            f"unknown targets {name!r}; expected a scheme name ({', '.join(known)}, all) or a "
            "TOML file; fix: check `--targets`"
        )
    return pd.DataFrame(rows, columns=_TARGET_COLUMNS)


def _first(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _shortfall(metric: str, gap: np.ndarray, denom: np.ndarray | None) -> np.ndarray:
    """km² of extra green needed: the gap times the denominator area (or persons)."""
    if denom is None:
        return np.full(len(gap), np.nan)
    if metric == "per_capita_park_green_m2":
        return gap * denom / 1e6  # m²/person × persons -> km²
    return gap * denom


def _check_one(results: pd.DataFrame, targets: pd.DataFrame) -> list[pd.DataFrame]:
    if "zone" not in results.columns:
        raise ValidationError(
            "`results` has no `zone` column; fix: pass the output of a lzgis.greening function"
        )
    out = []
    for t in targets[targets["spatial"]].itertuples():
        value_cols, denom_cols = METRICS[str(t.metric)]
        col = _first(results, value_cols)
        if col is None:
            continue
        value = pd.to_numeric(results[col], errors="coerce").to_numpy(dtype=float)
        target = float(t.target)
        ok = value > target if t.op == ">" else value >= target
        dcol = _first(results, denom_cols)
        denom = results[dcol].to_numpy(dtype=float) if dcol else None
        gap = np.where(ok, 0.0, target - value)
        short = np.where(ok, 0.0, _shortfall(str(t.metric), gap, denom))
        known = ~np.isnan(value)
        out.append(
            pd.DataFrame(
                {
                    "zone": results["zone"].to_numpy(),
                    "scheme": t.scheme,
                    "metric": t.metric,
                    "value": value,
                    "target": target,
                    "op": t.op,
                    "passed": pd.array(np.where(known, ok, pd.NA), dtype="boolean"),
                    "shortfall_km2": np.where(known, short, np.nan),
                    "confirmed": bool(t.confirmed),
                    "source": t.source,
                    "note": t.note,
                }
            )
        )
    return out


def check(
    results: pd.DataFrame | Sequence[pd.DataFrame],
    targets: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Check metric results against targets.

    Parameters
    ----------
    results
        One or several frames from :mod:`lzgis.greening` (``zone`` plus
        metric columns: ``coverage``/``greening_coverage``,
        ``green_space_ratio``, ``per_capita_park_green_m2``,
        ``service_radius_coverage``, ``forest_coverage``). Each target is
        checked against every frame holding its metric.
    targets
        A frame from :func:`load_targets`, a scheme name, ``"all"`` or a
        TOML path; default ``plan_2015``. Non-spatial targets are skipped.

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``scheme``, ``metric``, ``value``, ``target``, ``op``,
        ``passed`` (NA where the value is unknown), ``shortfall_km2`` (the
        extra green in km² that would reach the target: (target − value) ×
        the zone's area with data, or × population for per-capita; 0 when
        passed; NaN for service-radius coverage, which is not an area of
        green), ``confirmed``, ``source``, ``note``.
    """
    table = targets if isinstance(targets, pd.DataFrame) else load_targets(targets)
    frames = [results] if isinstance(results, pd.DataFrame) else list(results)
    parts = [p for r in frames for p in _check_one(r, table)]
    if not parts:
        have = sorted({c for r in frames for c in r.columns})
        want = sorted(set(table["metric"][table["spatial"]]))
        raise ValidationError(
            f"no target matches the results: targets are for {', '.join(want) or 'nothing'}, "
            f"results have {', '.join(have)}; fix: choose other `--targets` or compute those metrics"
        )
    return pd.concat(parts, ignore_index=True)
