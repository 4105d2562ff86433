"""Greening over the years: coverage per zone and year, the change, gain and loss, and the pace.

:func:`trend` measures every year's raster with the exact engine
(:func:`lzgis.zonal.raster_trend`, all years read together window by window)
and adds, per zone:

- ``change_pp`` / ``change_km2``: the change of coverage (percentage points)
  and of green (km²) since the previous year given; ``total_change_pp`` /
  ``total_change_km2`` from the first year to the last;
- ``gain_km2`` / ``loss_km2``: green gained and lost since the previous year,
  cell by cell with exact partial pixels, where the two years' rasters share a
  grid; only cells with data in both years count (``compared_share``), and
  there ``gain_km2 - loss_km2`` is the change of green. A year's source
  may be a collection of tiles (measured as on one mosaic, as
  :func:`lzgis.zonal.raster_coverage` does); two such years are compared
  tile by tile when they share the tiling (the same grids in the same
  order). Where the grids or tilings differ, or no cell has data in both
  years, they are empty and ``gain_loss_note`` says why; years with the
  same ``grid`` number share a grid (or tiling);
- ``pace_pp_per_year``: the least-squares slope of coverage over the years
  with data; with a ``target``, ``target_year`` is the first whole year in
  which the fitted line reaches it, and ``pace_note`` says it in words
  (``"按此速度达不到 / not at this pace"`` when the line never does).

A year with no data under a zone has empty ``coverage`` and ``green_km2``
(never 0), and every change touching that year is empty; the pace is fitted
on the other years.

Examples
--------
>>> [round(x, 9) for x in pace([2019, 2020, 2021], [0.20, 0.22, 0.24])]
[2.0, 0.2]
>>> target_year([2019, 2020, 2021], [0.20, 0.22, 0.24], 0.3112)
(2025, '按此速度 2025 年达到 / reached in 2025 at this pace')
>>> target_year([2019, 2021], [0.25, 0.24], 0.3112)[1]
'按此速度达不到 / not at this pace'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from lzgis._errors import ValidationError
from lzgis._validate import require_crs, require_zone_field
from lzgis.greening._trend_sources import YearSource, parse_year_paths, trend_method, year_sources
from lzgis.greening.targets import load_targets

__all__ = [
    "TREND_COLUMNS",
    "TREND_DIGITS",
    "TREND_FORMATS",
    "TREND_HEADERS",
    "first_last_share_grid",
    "pace",
    "parse_year_paths",
    "target_value",
    "target_year",
    "trend",
    "trend_method",
    "write_trend",
    "year_sources",
]

TREND_COLUMNS = [
    "zone",
    "year",
    "area_km2",
    "data_km2",
    "green_km2",
    "coverage",
    "unknown",
    "data_share",
    "change_pp",
    "change_km2",
    "gain_km2",
    "loss_km2",
    "compared_share",
    "gain_loss_note",
    "grid",
    "total_change_pp",
    "total_change_km2",
    "pace_pp_per_year",
    "target",
    "target_year",
    "pace_note",
]

# Bilingual headers (.xlsx), decimals (CSV and .xlsx) and Excel formats of the trend table:
# rates to 1e-4, points to 0.01, km² to 1e-4 (one 10 m pixel is 1e-4 km²).
TREND_HEADERS: dict[str, str] = {
    "zone": "分区 / zone",
    "year": "年份 / year",
    "area_km2": "面积 km² / area",
    "data_km2": "有数据面积 km² / area with data",
    "green_km2": "绿地 km² / green",
    "coverage": "覆盖率 / coverage",
    "unknown": "无数据比例 / no data",
    "data_share": "数据覆盖 / data share",
    "change_pp": "较上年变化（百分点）/ change since the previous year (points)",
    "change_km2": "绿地变化 km² / change of green",
    "gain_km2": "增加 km² / gain",
    "loss_km2": "减少 km² / loss",
    "compared_share": "可比面积比例 / share compared",
    "gain_loss_note": "增减说明 / gain and loss note",
    "grid": "网格编号 / grid",
    "total_change_pp": "首末变化（百分点）/ first to last (points)",
    "total_change_km2": "首末绿地变化 km² / first to last, green",
    "pace_pp_per_year": "速度（百分点/年）/ pace (points a year)",
    "target": "目标 / target",
    "target_year": "达标年份 / target year",
    "pace_note": "说明 / note",
}
_RATES = ("coverage", "unknown", "data_share", "compared_share", "target")
_POINTS = ("change_pp", "total_change_pp", "pace_pp_per_year")
_KM2 = (
    "area_km2",
    "data_km2",
    "green_km2",
    "change_km2",
    "gain_km2",
    "loss_km2",
    "total_change_km2",
)
TREND_DIGITS: dict[str, int] = {
    **dict.fromkeys(_RATES, 4),
    **dict.fromkeys(_POINTS, 2),
    **dict.fromkeys(_KM2, 4),
}
TREND_FORMATS: dict[str, str] = {
    **dict.fromkeys(_RATES, "0.00%"),
    **dict.fromkeys(_POINTS, "0.00"),
    **dict.fromkeys(_KM2, "#,##0.0000"),
}

NOT_AT_THIS_PACE = "按此速度达不到 / not at this pace"
TOO_FEW_YEARS = "少于两年有数据 / fewer than two years with data"
GRIDS_DIFFER = (
    "与上一年网格或分幅不同，无法逐像元比较 / grid or tiling differs from the previous year's: "
    "no cell-by-cell gain or loss"
)
NO_COMMON_DATA = "两年没有共同数据 / no cell with data in both years"


def target_value(spec: float | str | Path | None) -> float | None:
    """The greening-coverage target of a scheme (name or TOML file), or the number itself.

    Raises
    ------
    ValidationError
        The scheme has no greening-coverage target, or several (``all``).
    """
    if spec is None or isinstance(spec, int | float):
        value = None if spec is None else float(spec)
        if value is not None and not 0.0 < value <= 1.0:
            raise ValidationError(
                f"`target` is {value}; expected a coverage fraction in (0, 1]; fix: e.g. 0.3112"
            )
        return value
    table = load_targets(spec)
    rows = table[(table["metric"] == "greening_coverage") & table["spatial"]]
    if len(rows) != 1:
        schemes = ", ".join(sorted(set(rows["scheme"]))) or "none"
        raise ValidationError(
            f"`--targets {spec}` has {len(rows)} greening-coverage targets (schemes: {schemes}); "
            "expected exactly one; fix: name one scheme, e.g. --targets plan_2015"
        )
    return float(rows["target"].iloc[0])


def _paces(
    years: NDArray[np.float64], coverage: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Least squares per row of ``coverage`` (zones x years, NaN = no data), vectorised.

    Returns the slope in points per year, the fit at each row's first year
    with data, and the first and last years with data (NaN with < 2 years).
    """
    known = ~np.isnan(coverage)
    count = known.sum(axis=1)
    x = np.where(known, years[None, :], 0.0)
    y = np.where(known, coverage, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        xm = x.sum(axis=1) / count
        ym = y.sum(axis=1) / count
        dx = np.where(known, years[None, :] - xm[:, None], 0.0)
        dy = np.where(known, coverage - ym[:, None], 0.0)
        slope = (dx * dy).sum(axis=1) / (dx * dx).sum(axis=1)
    first = np.where(known, years[None, :], np.inf).min(axis=1)
    last = np.where(known, years[None, :], -np.inf).max(axis=1)
    few = count < 2
    slope[few] = np.nan
    fit0 = np.where(few, np.nan, ym + slope * (first - xm))
    first[few] = np.nan
    last[few] = np.nan
    return slope * 100.0, fit0, first, last


def pace(years: Sequence[float], coverage: Sequence[float]) -> tuple[float, float]:
    """Least-squares line through (year, coverage): (slope in points per year, fit at the first year).

    NaN coverages are left out; (NaN, NaN) with fewer than two years left.
    """
    slope, fit0, _, _ = _paces(
        np.asarray(years, dtype=np.float64), np.asarray([coverage], dtype=np.float64)
    )
    return float(slope[0]), float(fit0[0])


def _reach(
    slope_pp: float, fit0: float, first: float, last: float, target: float
) -> tuple[int | None, str]:
    if math.isnan(slope_pp):
        return None, TOO_FEW_YEARS
    slope = slope_pp / 100.0
    if slope > 0:
        year = max(math.ceil((target - fit0) / slope + first - 1e-9), int(first))
        if year <= last:
            return year, f"{year} 年已达到 / reached in {year}"
        return year, f"按此速度 {year} 年达到 / reached in {year} at this pace"
    if fit0 + slope * (last - first) >= target:
        note = "已达到 / reached" if slope == 0 else "已达到，但在下降 / reached, but falling"
        return int(first), note
    return None, NOT_AT_THIS_PACE


def target_year(
    years: Sequence[float], coverage: Sequence[float], target: float
) -> tuple[int | None, str]:
    """The first whole year the least-squares line reaches ``target``, and that in words.

    Rising line: the year it crosses the target (not before the first year
    with data; "reached in …" when it is not after the last). Flat or
    falling line: reached (the first year with data) when it is at or above
    the target at the last year with data, otherwise ``None``, "not at this pace".
    """
    slope, fit0, first, last = _paces(
        np.asarray(years, dtype=np.float64), np.asarray([coverage], dtype=np.float64)
    )
    return _reach(float(slope[0]), float(fit0[0]), float(first[0]), float(last[0]), target)


def _per_zone(
    years: NDArray[np.float64],
    coverage: NDArray[np.float64],
    green: NDArray[np.float64],
    target: float | None,
) -> dict[str, Any]:
    """Changes, pace and target year from (zones x years) arrays, as columns zone-major."""
    nan = np.full((len(coverage), 1), np.nan)
    slope, fit0, first, last = _paces(years, coverage)
    n_years = len(years)
    reach: list[tuple[int | None, str]]
    if target is None:
        reach = [(None, TOO_FEW_YEARS if math.isnan(s) else "") for s in slope]
    else:
        reach = [_reach(*args, target) for args in zip(slope, fit0, first, last, strict=True)]
    return {
        "change_pp": np.hstack([nan, np.diff(coverage, axis=1) * 100.0]).ravel(),
        "change_km2": np.hstack([nan, np.diff(green, axis=1)]).ravel(),
        "total_change_pp": np.repeat((coverage[:, -1] - coverage[:, 0]) * 100.0, n_years),
        "total_change_km2": np.repeat(green[:, -1] - green[:, 0], n_years),
        "pace_pp_per_year": np.repeat(slope, n_years),
        "target_year": pd.array(
            np.repeat([pd.NA if y is None else y for y, _ in reach], n_years), dtype="Int64"
        ),
        "pace_note": np.repeat([note for _, note in reach], n_years),
    }


def _with_empty_zones(table: pd.DataFrame, n_zones: int) -> pd.DataFrame:
    """Rows for the zones left out (empty inside ``within``): no area, no data, no coverage."""
    years = sorted(pd.unique(table["year"]))
    grid = table.drop_duplicates("year").set_index("year")["grid"]
    keyed = table.set_index("year", append=True)
    full = keyed.reindex(pd.MultiIndex.from_product([range(n_zones), years]))
    full = full.reset_index(level=1).rename(columns={"level_1": "year"})
    missing = full["area_km2"].isna()
    full.loc[missing, ["area_km2", "data_km2", "green_km2"]] = 0.0
    full.loc[missing, "unknown"] = 1.0
    full["grid"] = full["year"].map(grid).astype(np.int64)
    return full


def trend(
    zones: gpd.GeoDataFrame,
    rasters: Mapping[int, YearSource],
    *,
    zone_field: str,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
    nir: Mapping[int, YearSource] | None = None,
    band: int = 1,
    ndvi_scale: float | None = None,
    within: gpd.GeoDataFrame | None = None,
    target: float | str | Path | None = None,
    prefer: str = "given",
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Green coverage per zone and year, its change, gain and loss, and the pace toward a target.

    Parameters
    ----------
    zones
        Zone polygons with a CRS.
    rasters
        ``{year: source}`` of NDVI or land-cover rasters (or red bands, with
        ``nir``), in any order. A source is a file or a collection, as for
        :func:`lzgis.greening.coverage_from_raster`: a list of files (in
        order of preference), a folder, a glob, a VRT or a STAC
        ItemCollection JSON; each part of a zone is measured from the first
        source whose extent covers it.
    zone_field
        Column of ``zones`` naming each zone.
    ndvi_threshold, classes, nir, band, ndvi_scale
        The green rule, as in :func:`lzgis.greening.coverage_from_raster`
        (``ndvi_scale``: NDVI = raw value × this, e.g. 0.0001).
    within
        A boundary (e.g. the built-up area 建成区): each zone is measured only
        inside it, and the areas and geometry refer to zone ∩ boundary (a
        zone outside it has no coverage).
    target
        A greening-coverage target: a fraction (0.3112), a shipped scheme
        name (``plan_2015``) or a targets TOML file with one such target.
    prefer
        ``"given"`` or ``"newest"`` (STAC items newest first).
    client
        A ``dask.distributed.Client``: the work runs on its cluster (same
        numbers as in this process, to 1e-12); None: in this process.
    progress
        Called with newly finished windows (see :func:`lzgis.zonal.trend_window_count`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone and year (zones in order, years ascending), columns
        :data:`TREND_COLUMNS` (see the module doc), then every attribute of
        ``zones`` (``zones_<name>`` where a name is taken), and the zone's
        geometry (cut to ``within`` when given).
        ``coverage``, ``unknown``, ``data_share``, ``compared_share`` and
        ``target`` are fractions; ``*_pp`` are percentage points.

    Examples
    --------
    >>> # t = trend(districts, {2019: "ndvi_2019.tif", 2023: "ndvi_2023.tif"},
    >>> #           zone_field="name", ndvi_threshold=0.3, target="plan_2015")
    >>> # tiles: a list in order of preference, a folder, a glob, a VRT or STAC JSON
    >>> # t = trend(districts, {2019: ["t47.tif", "t48.tif"], 2023: "tiles_2023/*.tif"},
    >>> #           zone_field="name", ndvi_threshold=0.3)
    >>> # t[t.year == 2023][["zone", "coverage", "gain_km2", "loss_km2", "target_year"]]
    """
    from lzgis import zonal

    require_crs(zones, name="zones")
    require_zone_field(zones, zone_field)
    goal = target_value(target)
    zones = zones.reset_index(drop=True)
    if within is not None:
        from lzgis.greening.zones import clip_to_within

        zones = clip_to_within(zones, within)
    empty = np.asarray(shapely.is_empty(np.asarray(zones.geometry.values, dtype=object)))
    if empty.all():
        raise ValidationError(
            "`within`: no zone overlaps the boundary; expected zones inside it; "
            "fix: check the boundary file and its CRS"
        )
    table = zonal.raster_trend(
        zones[~empty] if empty.any() else zones,
        rasters,
        classes=list(classes) if classes is not None else None,
        ndvi_threshold=ndvi_threshold,
        nir=nir,
        band=band,
        ndvi_scale=ndvi_scale,
        prefer=prefer,
        client=client,
        progress=progress,
    )
    if empty.any():
        table = _with_empty_zones(table, len(zones))
    no_data = table["coverage"].isna()
    table["green_km2"] = table["green_km2"].mask(no_data)
    table["data_share"] = 1.0 - table["unknown"]
    first = table["year"] == table["year"].min()
    grid_changed = table["grid"].ne(table["grid"].shift()) & ~first
    no_common = ~first & ~grid_changed & ~(table["compared_share"] > 0)
    for col in ("gain_km2", "loss_km2"):
        table[col] = table[col].mask(no_common)
    table["gain_loss_note"] = np.where(
        grid_changed, GRIDS_DIFFER, np.where(no_common, NO_COMMON_DATA, "")
    )
    n_years = len(table) // max(len(zones), 1)
    table = table.reset_index(drop=True)
    shape = (len(zones), n_years)
    columns = _per_zone(
        table["year"].to_numpy(dtype=np.float64)[:n_years],
        table["coverage"].to_numpy(dtype=np.float64).reshape(shape),
        table["green_km2"].to_numpy(dtype=np.float64).reshape(shape),
        goal,
    )
    for name, values in columns.items():
        table[name] = values
    table["target"] = np.nan if goal is None else goal
    table.insert(0, "zone", np.repeat(zones[zone_field].to_numpy(), n_years))
    geometry = np.repeat(np.asarray(zones.geometry.values, dtype=object), n_years)
    out = table[TREND_COLUMNS].copy()
    # every attribute of the zones passes through (renamed zones_<name> on a clash)
    taken = {*TREND_COLUMNS, "geometry"}
    for col in zones.columns:
        if col == zones.geometry.name:
            continue
        name = col if col not in taken else f"zones_{col}"
        out[name] = np.repeat(zones[col].to_numpy(), n_years)
        taken.add(name)
    return gpd.GeoDataFrame(out, geometry=geometry, crs=zones.crs)


def first_last_share_grid(table: pd.DataFrame) -> bool:
    """Whether the first and the last year of a :func:`trend` table are on one grid (a change layer exists)."""
    years = table["year"].nunique()
    grids = table["grid"].iloc[:years]
    return bool(years > 1 and grids.iloc[0] == grids.iloc[-1])


def write_trend(
    table: gpd.GeoDataFrame,
    path: str | Path,
    *,
    method: Mapping[str, str] | None = None,
    layer: str | None = None,
) -> None:
    """Write the trend table atomically: ``.csv`` (UTF-8 with BOM), ``.xlsx`` or ``.gpkg``.

    ``.xlsx`` has the bilingual headers (:data:`TREND_HEADERS`), % formats
    and ``method`` as a second sheet; ``.gpkg`` keeps the zones' CRS and a
    QGIS style graduated by coverage (layer ``layer``, default the file's stem).
    """
    from lzgis.greening import outputs as _outputs
    from lzgis.io import write_table
    from lzgis.io._styled_gpkg import write_styled_gpkg

    target = Path(path)
    if target.suffix.lower() == ".gpkg":
        name = layer or target.stem
        style = _outputs.coverage_style("coverage", verdicts=False)
        write_styled_gpkg({name: table}, {name: style}, target)
        return
    write_table(
        table,
        target,
        headers=TREND_HEADERS,
        number_formats=TREND_FORMATS,
        digits=TREND_DIGITS,
        sheet_name="trend",
        sheets={"方法与来源 method": _outputs.method_table(method)} if method else None,
    )
