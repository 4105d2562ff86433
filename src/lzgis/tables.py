"""Tables for reading: the analyses' results as small bilingual tables for people.

The analyses return tables for machines (ids, fractions, every column at
once). These functions turn them into tables a planner reads in a notebook
or pastes into a report: names in Chinese and English instead of ids, rates
as percentages (``31.12%``), km² to 0.01, bilingual headers, one question per
table. Missing data stays visibly missing (``未知 / unknown``), never 0; a
value that does not apply is ``—``. Every function returns a
:class:`pandas.DataFrame` of text (so what you see is what you test);
:func:`style` gives a :class:`pandas.io.formats.style.Styler` without the
index for display.

Examples
--------
>>> percent(0.3112), percent(float("nan")), km2(1234.5678)
('31.12%', '未知 / unknown', '1,234.57')
>>> import pandas as pd
>>> report = pd.DataFrame({"zone_zh": ["城关区"], "zone_en": ["Chengguan"], "zone_kind": ["district"],
...     "area_km2": [220.0], "green_km2": [None], "coverage": [None], "unknown": [1.0],
...     "target": [0.3112], "passed": [pd.NA], "shortfall_km2": [None]})
>>> greening(report).iloc[0].tolist()
['城关区 / Chengguan', '区县 / district', '220.00', '未知 / unknown', '未知 / unknown', '100.00%', '31.12%', '未知 / unknown', '未知 / unknown']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = [
    "CODE_LABELS",
    "NOT_APPLICABLE",
    "UNKNOWN",
    "by_district",
    "by_tier",
    "city",
    "conflicts",
    "constraints",
    "developable_by_band",
    "greening",
    "km2",
    "layer_name",
    "line_km",
    "moved_projects",
    "name_list",
    "names",
    "park_parts",
    "parks",
    "percent",
    "plan_mismatch",
    "projects",
    "projects_per_district",
    "style",
    "units",
    "with_labels",
]

UNKNOWN = "未知 / unknown"
NOT_APPLICABLE = "—"
_ALL = "(all)"  # lzgis.allocation's id for "every park / district"
_PLACES = {
    "outside the districts": "区县外 / outside the districts",
    "outside the parks": "园区外 / outside the parks",
    _ALL: "全部 / all",
}
_TIERS = {3: "三大园区 / 3 major zones", 8: "八个县区园区 / 8 county parks"}
_LAYER_NAMES = {  # the layers' ids (e.g. conflicts' protected_layer) in words
    "wetlands": "湿地 / wetlands",
    "greening_zones": "绿化区 / greening zones",
    "river_buffer": "黄河保护带 / river band",
    "new_area": "兰州新区 / New Area",
    "parks": "园区 / parks",
}
_KINDS = {
    "city": "全市 / city",
    "district": "区县 / district",
    "two_mountains": "两山 / two mountains",
    "park": "园区 / park",
    "project": "项目 / project",
}
_CATEGORIES = {
    "industry": "工业 / industry",
    "energy": "能源 / energy",
    "logistics": "物流 / logistics",
    "transport": "交通 / transport",
    "environment": "环保 / environment",
    "ecology": "生态 / ecology",
    "services": "服务 / services",
}
_ROW_KINDS = {  # the allocation table's row kinds
    "part": "园区在区县内的部分 / park part in a district",
    "park_total": "园区整体 / park as a whole",
    "district_total": "区县合计 / district total",
    "tier_total": "层级合计 / tier total",
    "city_total": "全市合计 / city total",
}
_CONFIDENCE = {"high": "高 / high", "medium": "中 / medium", "low": "低 / low"}
# Columns whose values are codes, with their words: the workbook shows the words, the CSVs
# keep the codes (scripts rely on them), as the verdicts are shown and kept.
CODE_LABELS: dict[str, dict[str, str]] = {
    "zone_kind": _KINDS,
    "feature_kind": _KINDS,
    "row_kind": _ROW_KINDS,
    "category": _CATEGORIES,
    "location_confidence": _CONFIDENCE,
}
_NAMED_LAYERS = ("districts", "parks", "new_area", "greening_zones", "wetlands", "yellow_river")

AREA = "面积 km² / area"
DEVELOPABLE = "可开发 km² / developable"
PROTECTED = "受保护 km² / protected"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def percent(value: Any, *, digits: int = 2) -> str:
    """A fraction as a percentage (``0.3112`` → ``31.12%``); missing → ``未知 / unknown``."""
    if _missing(value) or not math.isfinite(float(value)):
        return UNKNOWN
    return f"{float(value) * 100:.{digits}f}%"


def km2(value: Any, *, digits: int = 2) -> str:
    """An area in km² to 0.01 with thousands separators; missing → ``未知 / unknown``."""
    if _missing(value) or not math.isfinite(float(value)):
        return UNKNOWN
    return f"{float(value):,.{digits}f}"


def _pair(zh: Any, en: Any, fallback: Any = "") -> str:
    zh = "" if _missing(zh) else str(zh).strip()
    en = "" if _missing(en) else str(en).strip()
    if zh and en:
        return f"{zh} / {en}"
    return zh or en or _PLACES.get(str(fallback), str(fallback))


def names(layers: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """``id`` → ``"中文 / English"`` for every named feature (default: the embedded layers)."""
    if layers is None:
        from lzgis.layers import load

        layers = {lid: load(lid) for lid in (*_NAMED_LAYERS, "projects")}
    out = dict(_PLACES)
    for frame in layers.values():
        if "id" not in frame.columns:
            continue
        for rec in frame.itertuples(index=False):
            fid = str(rec.id)
            out.setdefault(
                fid, _pair(getattr(rec, "name_zh", ""), getattr(rec, "name_en", ""), fid)
            )
    return out


def _name_of(fid: str, lookup: Mapping[str, str]) -> str:
    """A feature's name; ``<layer>:<id>`` of your own layers as "你的图层 <layer> / your layer"."""
    if fid in lookup or ":" not in fid:
        return lookup.get(fid, fid)
    layer, own = fid.split(":", 1)
    return f"你的图层 {layer} / your layer {layer}: {own}"


def layer_name(layer: Any) -> str:
    """A layer's id in words; one of your own layers as "你的图层 NAME / your layer NAME".

    Examples
    --------
    >>> layer_name("wetlands"), layer_name("red_line")
    ('湿地 / wetlands', '你的图层 red_line / your layer red_line')
    """
    name = str(layer)
    return _LAYER_NAMES.get(name, f"你的图层 {name} / your layer {name}")


def name_list(value: Any, lookup: Mapping[str, str], *, missing: str = NOT_APPLICABLE) -> str:
    """``"a, b"`` of ids → their names joined by "; " (an unknown id stays as it is).

    Examples
    --------
    >>> name_list("anning, outside the parks", {"anning": "安宁区 / Anning"})
    '安宁区 / Anning; 园区外 / outside the parks'
    >>> name_list(None, {}, missing="")
    ''
    """
    if _missing(value) or not str(value).strip():
        return missing
    full = {**_PLACES, **lookup}
    return "; ".join(_name_of(p.strip(), full) for p in str(value).split(","))


def style(frame: pd.DataFrame) -> Styler:
    """``frame`` for display: no index, text left-aligned, figures right-aligned."""
    numeric = [c for c in frame.columns if "km" in str(c) or "%" in "".join(map(str, frame[c]))]
    styler = frame.style.hide(axis="index").set_properties(**{"text-align": "left"})
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
    return styler


def _rows(allocation: pd.DataFrame, kind: str) -> pd.DataFrame:
    return allocation[allocation["row_kind"].astype(str) == kind]


def _park_name(rec: Any) -> str:
    return _pair(rec.park_name_zh, rec.park_name_en, rec.park_id)


def _district_name(rec: Any) -> str:
    return _pair(rec.district_name_zh, rec.district_name_en, rec.district_id)


def _figures(rec: Any) -> dict[str, str]:
    return {
        AREA: km2(rec.area_km2),
        PROTECTED: km2(rec.constrained_km2),
        DEVELOPABLE: km2(rec.developable_km2),
        "可开发占比 / developable share": percent(
            rec.developable_km2 / rec.area_km2 if rec.area_km2 else float("nan")
        ),
    }


def parks(allocation: pd.DataFrame) -> pd.DataFrame:
    """Each park, whole: tier, area, protected and developable land, share of the city.

    A parent park (the union of its sub-parks) is marked: it is never added to totals.
    """
    rows = []
    for rec in _rows(allocation, "park_total").itertuples(index=False):
        tier = NOT_APPLICABLE if _missing(rec.tier) else _TIERS.get(int(rec.tier), str(rec.tier))
        rows.append(
            {
                "园区 / park": _park_name(rec),
                "层级 / tier": tier,
                **_figures(rec),
                "占全市 / share of city": percent(rec.share_of_city),
                "说明 / note": ""
                if rec.leaf
                else "子园区之和,不计入合计 / union of its sub-parks, not added to totals",
            }
        )
    return pd.DataFrame(rows)


def constraints(allocation: pd.DataFrame) -> pd.DataFrame:
    """Each park, whole: km² under each protected layer, and under their union (counted once)."""
    names_ = list(allocation.attrs.get("constraints", [])) or [
        c.removesuffix("_km2")
        for c in allocation.columns
        if c.endswith("_km2")
        and c not in {"area_km2", "constrained_km2", "developable_km2", "overlap_km2"}
    ]
    rows = []
    for rec in _rows(allocation, "park_total").itertuples(index=False):
        row = {"园区 / park": _park_name(rec)}
        for name in names_:
            label = layer_name(name)
            row[f"{label} km²"] = km2(getattr(rec, f"{name}_km2"))
        row["合计(不重复) km² / all, counted once"] = km2(rec.constrained_km2)
        rows.append(row)
    return pd.DataFrame(rows)


def park_parts(allocation: pd.DataFrame) -> pd.DataFrame:
    """Each park in each district: km², share of the park, developable km²."""
    rows = [
        {
            "园区 / park": _park_name(rec),
            "区县 / district": _district_name(rec),
            AREA: km2(rec.area_km2),
            "占园区 / share of park": percent(rec.share_of_park),
            DEVELOPABLE: km2(rec.developable_km2),
        }
        for rec in _rows(allocation, "part").itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def by_district(allocation: pd.DataFrame) -> pd.DataFrame:
    """Park land per district (leaf parks, as a union), protected and developable."""
    rows = [
        {
            "区县 / district": _district_name(rec),
            **_figures(rec),
            "占区县 / share of district": percent(rec.share_of_district)
            if rec.district_id != "outside the districts"
            else NOT_APPLICABLE,
        }
        for rec in _rows(allocation, "district_total").itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def by_tier(allocation: pd.DataFrame) -> pd.DataFrame:
    """Park land per tier (the 3 major zones, the 8 county parks)."""
    rows = [
        {
            "层级 / tier": _TIERS.get(int(rec.tier), str(rec.tier)),
            **_figures(rec),
            "占全市 / share of city": percent(rec.share_of_city),
        }
        for rec in _rows(allocation, "tier_total").itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def city(allocation: pd.DataFrame) -> pd.DataFrame:
    """All parks together (a union: overlaps counted once), one row."""
    rows = [
        {
            "范围 / scope": "全部园区 / all parks",
            **_figures(rec),
            "占全市 / share of city": percent(rec.share_of_city),
            "园区重叠 km² / overlap": km2(rec.overlap_km2),
        }
        for rec in _rows(allocation, "city_total").itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def developable_by_band(by_width: Mapping[float, pd.DataFrame]) -> pd.DataFrame:
    """Developable km² of each park (and all parks) for each river band width.

    Parameters
    ----------
    by_width
        River band half-width in metres → the allocation table computed with it.

    Returns
    -------
    pandas.DataFrame
        One row per park, then "全部园区 / all parks"; one column per width,
        and the change from the narrowest to the widest band as a percentage.
    """
    widths = sorted(by_width)
    first = by_width[widths[0]]
    wanted = first["row_kind"].astype(str).isin(["park_total", "city_total"])
    keys = list(zip(first.loc[wanted, "row_kind"], first.loc[wanted, "park_id"], strict=True))
    values: dict[float, dict[tuple[str, str], float]] = {}
    for w in widths:
        t = by_width[w]
        values[w] = {
            (str(k), str(p)): float(v)
            for k, p, v in zip(t["row_kind"], t["park_id"], t["developable_km2"], strict=True)
        }
    labels = {
        (str(r.row_kind), str(r.park_id)): _park_name(r)
        if r.row_kind == "park_total"
        else "全部园区 / all parks"
        for r in first[wanted].itertuples(index=False)
    }
    rows = []
    for key in keys:
        key = (str(key[0]), str(key[1]))
        row = {"园区 / park": labels[key]}
        for w in widths:
            row[f"可开发 km²,河带 {w:g} 米 / developable, {w:g} m band"] = km2(values[w].get(key))
        lo, hi = values[widths[0]].get(key), values[widths[-1]].get(key)
        head = f"变化 / change {widths[0]:g}→{widths[-1]:g} m"
        if lo is None or hi is None:
            row[head] = UNKNOWN
        else:  # nothing developable to begin with: a change does not apply
            row[head] = percent((hi - lo) / lo, digits=1) if lo else NOT_APPLICABLE
        rows.append(row)
    return pd.DataFrame(rows)


def conflicts(found: pd.DataFrame, *, lookup: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Each conflict with protected land, by name: what, where, how much, which rule."""
    lookup = names() if lookup is None else lookup
    rows = [
        {
            "园区或项目 / park or project": lookup.get(
                str(r.park_or_project_id), r.park_or_project_id
            ),
            "类型 / kind": _KINDS.get(str(r.feature_kind), str(r.feature_kind)),
            "保护图层 / protected layer": layer_name(r.protected_layer),
            "保护对象 / protected": lookup.get(str(r.protected_id), str(r.protected_id)),
            AREA: km2(r.area_km2) if r.area_km2 else NOT_APPLICABLE,
            "长度 km / length": km2(r.length_km) if r.length_km else NOT_APPLICABLE,
            "规则 / rule": str(r.rule),
        }
        for r in found.itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def greening(report: pd.DataFrame) -> pd.DataFrame:
    """Greening coverage per zone against its target, with a verdict that can be unknown."""
    rows = []
    for r in report.itertuples(index=False):
        verdict = (
            UNKNOWN if _missing(r.passed) else ("达标 / pass" if r.passed else "未达标 / fail")
        )
        rows.append(
            {
                "区域 / zone": _pair(r.zone_zh, r.zone_en, getattr(r, "zone", "")),
                "类型 / kind": _KINDS.get(str(r.zone_kind), str(r.zone_kind)),
                AREA: km2(r.area_km2),
                "绿地 km² / green": km2(r.green_km2),
                "覆盖率 / coverage": percent(r.coverage),
                "无数据 / no data": percent(r.unknown),
                "目标 / target": percent(r.target),
                "结论 / verdict": verdict,
                "差额 km² / shortfall": km2(r.shortfall_km2),
            }
        )
    return pd.DataFrame(rows)


def projects(located: pd.DataFrame, *, lookup: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Each project by name: category, district(s), park, zones, distance to the river."""
    lookup = names() if lookup is None else lookup
    rows = [
        {
            "项目 / project": _pair(r.name_zh, r.name_en, r.id),
            "类别 / category": _CATEGORIES.get(str(r.category), str(r.category)),
            "区县 / district": name_list(r.district, lookup),
            "园区 / park": lookup.get(str(r.park), str(r.park)),
            "涉及区域 / zones": name_list(r.zones, lookup),
            "距黄河 km / to the river": km2(r.dist_river_km),
        }
        for r in located.itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def moved_projects(
    before: pd.DataFrame, after: pd.DataFrame, *, lookup: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Projects whose park changed between two runs of :func:`lzgis.projects.locate`.

    ``before`` and ``after`` hold the same projects (``id``, ``park``,
    ``inside_park``), e.g. with the embedded park outlines and with yours.
    One row per project whose park changed, with the direction of the move.
    """
    lookup = names() if lookup is None else lookup
    old = before.set_index(before["id"].astype(str))
    rows = []
    for r in after.itertuples(index=False):
        prev = old.loc[str(r.id)]
        if str(prev["park"]) == str(r.park):
            continue
        move = {
            (False, True): "园区外 → 园区内 / outside → inside",
            (True, False): "园区内 → 园区外 / inside → outside",
        }.get((bool(prev["inside_park"]), bool(r.inside_park)), "换园区 / another park")
        rows.append(
            {
                "项目 / project": _pair(r.name_zh, r.name_en, r.id),
                "原园区 / park before": lookup.get(str(prev["park"]), str(prev["park"])),
                "新园区 / park after": lookup.get(str(r.park), str(r.park)),
                "变化 / move": move,
            }
        )
    columns = ["项目 / project", "原园区 / park before", "新园区 / park after", "变化 / move"]
    return pd.DataFrame(rows, columns=columns)


def projects_per_district(
    located: pd.DataFrame, *, lookup: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """How many projects of each category lie in each district (a line counts in each it crosses)."""
    lookup = names() if lookup is None else lookup
    long = located.assign(district=located["district"].astype(str).str.split(", ")).explode(
        "district"
    )
    counts = long.groupby(["district", "category"]).size().unstack(fill_value=0)
    counts.columns = [_CATEGORIES.get(str(c), str(c)) for c in counts.columns]
    counts["合计 / all"] = counts.sum(axis=1)
    counts.insert(0, "区县 / district", [lookup.get(str(d), str(d)) for d in counts.index])
    return counts.reset_index(drop=True)


def units(by_unit: pd.DataFrame) -> pd.DataFrame:
    """:func:`lzgis.projects.by_unit` for reading: unit names in both languages, project names."""
    return pd.DataFrame(
        {
            "责任单位 / unit": [
                _pair(a, b) for a, b in zip(by_unit["unit"], by_unit["unit_en"], strict=True)
            ],
            "类别 / category": [_CATEGORIES.get(str(c), str(c)) for c in by_unit["category"]],
            "项目数 / projects": by_unit["count"].astype(int).to_numpy(),
            "单位合计 / unit total": by_unit["unit_total"].astype(int).to_numpy(),
            "项目 / projects": by_unit["project_names_zh"].to_numpy(),
        }
    )


def line_km(lines: pd.DataFrame, *, lookup: Mapping[str, str] | None = None) -> pd.DataFrame:
    """:func:`lzgis.projects.line_lengths` for reading: km of each line project in each district."""
    lookup = names() if lookup is None else lookup
    return pd.DataFrame(
        {
            "项目 / project": [lookup.get(str(i), str(i)) for i in lines["project_id"]],
            "区县 / district": [lookup.get(str(d), str(d)) for d in lines["district_id"]],
            "长度 km / length": [km2(v) for v in lines["length_km"]],
        }
    )


def plan_mismatch(
    located: pd.DataFrame, *, lookup: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Projects located in another park than the one the plan names, and how far off they are."""
    lookup = names() if lookup is None else lookup
    differs = located[located["park_matches_plan"].eq(False).fillna(False)]
    return pd.DataFrame(
        {
            "项目 / project": [
                _pair(a, b, i)
                for a, b, i in zip(
                    differs["name_zh"], differs["name_en"], differs["id"], strict=True
                )
            ],
            "规划所属园区 / park in the plan": [
                lookup.get(str(p), str(p)) for p in differs["park_plan"]
            ],
            "所在园区 / park located": [lookup.get(str(p), str(p)) for p in differs["park"]],
            "距园区边界 km / to the park edge": [km2(v) for v in differs["dist_park_edge_km"]],
        }
    )


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the codes of :data:`CODE_LABELS` columns in words ("中文 / English").

    Unknown codes and missing values stay as they are; the input is not changed.

    >>> with_labels(pd.DataFrame({"zone_kind": ["city", "district", "other"]}))["zone_kind"].tolist()
    ['全市 / city', '区县 / district', 'other']
    """
    out = frame.copy()
    for col, labels in CODE_LABELS.items():
        if col in out.columns:
            out[col] = [labels.get(v, v) if isinstance(v, str) else v for v in out[col]]
    return out
