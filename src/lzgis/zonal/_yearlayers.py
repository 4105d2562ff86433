"""What a window says about several years: each year's data and green, each pair's gain and loss.

:class:`TrendRule` is the trend's :class:`lzgis.zonal._rules.Rule`: plain
data (it travels to dask workers with its task), applied to the windows of
one tile read for all the years that share it (the years' files in order,
one or, for red and NIR, two per year). :func:`run_trend_task` runs such a
task (in this process or on a worker, see :mod:`lzgis.zonal._dask`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lzgis import _validate as v
from lzgis._errors import ValidationError
from lzgis.zonal._engine import Sums, Task, run_labelled
from lzgis.zonal._raster import Win, scaled, valid_mask
from lzgis.zonal._rules import Rule, _representable, ndvi_from_bands

__all__ = ["GreenRule", "TrendRule", "green_rule", "run_trend_task", "year_masks"]


@dataclass(frozen=True)
class GreenRule:
    """What counts as green: class values, or NDVI at or above a threshold."""

    classes: NDArray[np.float64] | None
    threshold: float
    ndvi_scale: float | None = None  # NDVI = raw value x this (else the band's scale/offset)


def green_rule(
    classes: Sequence[int] | None,
    ndvi_threshold: float | None,
    ndvi_scale: float | None = None,
) -> GreenRule:
    """Check and hold the green rule (exactly one of ``classes`` and ``ndvi_threshold``)."""
    v.require_one_rule(classes, ndvi_threshold)
    threshold = float(ndvi_threshold) if ndvi_threshold is not None else np.nan
    if ndvi_threshold is not None:
        v.require_threshold(threshold)
    if ndvi_scale is not None and (ndvi_threshold is None or not ndvi_scale > 0):
        raise ValidationError(
            f"`ndvi_scale` is {ndvi_scale}; expected a positive factor for NDVI rasters "
            "(with `ndvi_threshold`); fix: e.g. 0.0001 for int16 × 10000"
        )
    values = np.asarray(sorted(set(classes)), dtype=np.float64) if classes else None
    return GreenRule(values, threshold, ndvi_scale)


def year_masks(
    rule: GreenRule,
    sources: Sequence[Any],
    arrays: Sequence[NDArray[Any]],
    band: int,
    win: Win,
    seen: list[float] | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(valid, green) of one year's window: one raster, or red and NIR (``sources[1]``).

    For an NDVI raster, ``seen`` (smallest, largest) is widened by the valid
    NDVI values (for :func:`lzgis._validate.require_ndvi_range`).
    """
    src, data = sources[0], arrays[0]
    valid = valid_mask(src, band, data, win)
    if rule.classes is not None:
        return valid, valid & np.isin(data, _representable(rule.classes, data.dtype))
    if len(sources) == 1:
        ndvi = data * rule.ndvi_scale if rule.ndvi_scale is not None else scaled(src, band, data)
        if seen is not None and valid.any():
            values = ndvi[valid]
            seen[0] = min(seen[0], float(values.min()))
            seen[1] = max(seen[1], float(values.max()))
        return valid, valid & (ndvi >= rule.threshold)
    valid, ndvi = ndvi_from_bands(sources, arrays, band, win, valid)
    return valid, valid & (ndvi >= rule.threshold)


@dataclass(frozen=True)
class TrendRule(Rule):
    """The layers of several years read together on one tile.

    ``years``: the years whose files a task reads, in that order,
    ``per_year`` files each (1, or 2 for red and NIR); ``compare``: the
    (later, earlier) pairs of those years whose gain and loss are wanted.

    Layers that are empty in a window integrate to exactly 0 and are left
    out, so the usual case (data everywhere) integrates one "inside" layer,
    each year's green and each pair's gain: 2N layers for N years, as many
    as N single-year runs. The rest is derived: data = inside - nodata,
    both = inside - either, and
    loss = gain - green_b + green_a + (green_b & nodata_a) - (green_a & nodata_b).
    """

    years: tuple[int, ...] = ()
    per_year: int = 1
    compare: tuple[tuple[int, int], ...] = ()

    def green(self) -> GreenRule:
        classes = np.asarray(self.classes, dtype=np.float64) if self.kind == "classes" else None
        return GreenRule(classes, self.threshold, self.scale)

    def labels(self) -> list[str]:
        """What each file of a task is, for messages: "raster of 2019", "NIR raster of 2019"."""
        kinds = ["raster"] if self.per_year == 1 else ["red raster", "NIR raster"]
        return [f"{kind} of {year}" for year in self.years for kind in kinds]

    def __call__(
        self, sources: list[Any], win: Win, arrays: list[NDArray[Any]], *, path: str
    ) -> dict[Any, NDArray[np.bool_]]:
        rule, band, k = self.green(), self.band, self.per_year
        out: dict[Any, NDArray[np.bool_]] = {}
        masks: dict[int, tuple[NDArray[np.bool_], NDArray[np.bool_]]] = {}

        def put(key: Any, layer: NDArray[np.bool_]) -> None:
            if layer.any():
                out[key] = layer

        out["inside"] = np.ones((win.r1 - win.r0, win.c1 - win.c0), dtype=bool)
        for n, year in enumerate(self.years):
            files = sources[n * k : (n + 1) * k]
            seen = [np.inf, -np.inf]
            valid, green = year_masks(rule, files, arrays[n * k : (n + 1) * k], band, win, seen)
            if rule.classes is None and k == 1:
                # the valid NDVI values of this window (whole blocks), as raster_coverage
                v.require_ndvi_range(seen[0], seen[1], path=files[0].name, scale=rule.ndvi_scale)
            masks[year] = (valid, green)
            put(("nodata", year), ~valid)
            put(("green", year), green)
        for b, a in self.compare:
            (va, ga), (vb, gb) = masks[a], masks[b]
            put(("gain", b), gb & ~ga & va)
            put(("either", b), ~(va & vb))
            put(("green_b_nodata_a", b), gb & ~va)
            put(("green_a_nodata_b", b), ga & ~vb)
        return out


def run_trend_task(task: Task, progress: Callable[[int], None] | None = None) -> Sums:
    """Per-zone sums of a task whose rule is a :class:`TrendRule` (all its years' files read together)."""
    rule = task.rule
    if not isinstance(rule, TrendRule):  # pragma: no cover - a programming error
        raise TypeError("run_trend_task needs a TrendRule")
    return run_labelled(task, rule.labels(), progress)
