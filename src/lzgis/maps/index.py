"""The ``index.html`` of a published map set: links and key figures, bilingual, no script.

Examples
--------
>>> page = index_page(maps=[("overview.html", "总览", "Overview")], tables=[])
>>> '<meta charset="utf-8">' in page.html and 'href="overview.html"' in page.html
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from lzgis.areas import area_km2
from lzgis.maps._escape import SCHEMATIC_NOTE, esc, table_html
from lzgis.maps._page import MapPage
from lzgis.maps._styles import CATEGORIES, number
from lzgis.maps._text import confidence, humanize, id_names, kind_label, tier_label
from lzgis.maps.greening import PLANNED_NOTE, is_measured, verdict

__all__ = ["index_page"]

_CSS = """
body{font:14px/1.45 sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#1f2328}
h1{font-size:22px;margin-bottom:4px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:8px 0;font-size:13px;display:block;overflow-x:auto;max-width:100%}
td{max-width:460px} td:first-child{min-width:6em}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} .note{color:#9a3412;font-style:italic} .fig{font-size:18px;font-weight:600}
ul.maps li{margin:4px 0}
"""
_VERDICT = {"pass": "达标 / met", "fail": "未达标 / missed", "none": "无目标 / no target"}
_MAX_ROWS = 60
_TABLES = {
    "greening_report.csv": "各分区绿化 / greening by zone",
    "allocation.csv": "园区用地分配 / land allocation",
    "conflicts.csv": "冲突 / conflicts",
    "projects.csv": "规划项目 / projects",
    "report_tables.xlsx": "全部报表，中英文表头 / all tables, bilingual headers",
}
_KIND = {"csv": "CSV", "xlsx": "Excel"}


def _pct(value: Any) -> str:
    s = number(float(value) * 100, 1) if number(value) else ""
    return f"{s}%" if s else ""


def _greening(report: gpd.GeoDataFrame) -> str:
    if not is_measured(report):
        planned: list[tuple[Any, ...]] = [
            (
                rec.get("zone_zh"),
                rec.get("zone_en"),
                number(rec.get("area_km2"), 1),
                _pct(rec.get("coverage")) or "未知 / unknown",
                _pct(rec.get("reference_coverage")),
            )
            for _, rec in report.iterrows()
        ]
        return (
            "<h2>规划绿化区占比 / Share of each zone in the planned greening zones</h2>"
            f'<p class="note">{PLANNED_NOTE}</p>'
            + table_html(
                [
                    "分区",
                    "Zone",
                    "面积 / area (km²)",
                    "规划绿化区占比 / share in planned zones",
                    "公开的建成区绿化覆盖率(2015) / reported built-up coverage (2015)",
                ],
                planned,
            )
        )
    verdicts = [verdict(p) for p in report.get("passed", pd.Series(dtype=object))]
    met, judged = verdicts.count("pass"), sum(v != "none" for v in verdicts)
    rows: list[tuple[Any, ...]] = []
    for _, rec in report.iterrows():
        unknown = pd.to_numeric(pd.Series([rec.get("unknown")]), errors="coerce").iloc[0]
        rows.append(
            (
                rec.get("zone_zh"),
                rec.get("zone_en"),
                _pct(rec.get("coverage")) or "未知 / unknown",
                _pct(1.0 - float(unknown)) if unknown == unknown else "未知 / unknown",
                _pct(rec.get("target")),
                _VERDICT[verdict(rec.get("passed"))],
                number(rec.get("shortfall_km2")),
            )
        )
    return (
        "<h2>绿化覆盖率与目标(实测绿地) / Green coverage against the targets (measured)</h2>"
        f'<p class="fig">{met} / {judged} 个分区达标 / zones meet their target</p>'
        + table_html(
            [
                "分区",
                "Zone",
                "覆盖率 / coverage",
                "有数据部分 / share with data",
                "目标 / target",
                "结果 / result",
                "缺口 / shortfall (km²)",
            ],
            rows,
        )
    )


def _parks(parks: gpd.GeoDataFrame) -> str:
    top = parks[parks.get("parent", pd.Series("", index=parks.index)).fillna("").astype(str) == ""]
    areas = area_km2(top)
    rows = []
    totals: dict[str, float] = {}
    for (_, rec), area in zip(top.iterrows(), areas, strict=True):
        tier = str(rec.get("tier"))
        totals[tier] = totals.get(tier, 0.0) + float(area)
        rows.append(
            (
                rec.get("name_zh"),
                rec.get("name_en"),
                tier_label(tier),
                number(area, 1),
                number(rec.get("area_km2_stated"), 1),
            )
        )
    summary = "; ".join(
        f"{tier} 类 / tier {tier}: {number(v, 1)} km²" for tier, v in sorted(totals.items())
    )
    return (
        "<h2>园区用地 / Land under the parks</h2>"
        f'<p class="fig">{esc(summary)}</p>'
        f'<p class="note">面积按示意边界量算 / areas measured on the schematic outlines ({SCHEMATIC_NOTE})</p>'
        + table_html(
            ["园区", "Park", "层级 / tier", "绘制面积 / drawn (km²)", "规划面积 / stated (km²)"],
            rows,
        )
    )


def _s(value: Any) -> str:
    """``value`` as text; "" for None, NaN and NA."""
    return str(value) if esc(value) != "" else ""


_ROW_KIND = {
    "park_total": "园区合计 / park total",
    "tier_total": "层级合计 / tier total",
    "city_total": "全市合计 / city total",
}


def _allocation(table: pd.DataFrame) -> str:
    """Totals only (parks, tiers, city), with readable labels and percentages."""
    data = table
    if "row_kind" in data.columns:
        data = data[data["row_kind"].astype(str).isin(_ROW_KIND)]
    rows = []
    for _, rec in data.iterrows():
        kind = str(rec.get("row_kind", ""))
        tier = _s(rec.get("tier"))
        name = _s(rec.get("park_name_zh"))
        if kind == "tier_total":
            name = tier_label(tier)
        elif kind == "city_total":
            name = "兰州市 / Lanzhou"
        elif _s(rec.get("park_name_en")):
            name = f"{name} / {_s(rec.get('park_name_en'))}"
        rows.append(
            (
                _ROW_KIND.get(kind, kind_label(kind)),
                name,
                number(rec.get("area_km2"), 2),
                number(rec.get("constrained_km2"), 2),
                number(rec.get("developable_km2"), 2),
                _pct(rec.get("share_of_city")),
            )
        )
    more = (
        f"<p>… 另有 {len(rows) - _MAX_ROWS} 行,见 CSV / {len(rows) - _MAX_ROWS} more rows in the CSV</p>"
        if len(rows) > _MAX_ROWS
        else ""
    )
    return (
        "<h3>用地分配(合计) / Allocation totals</h3>"
        + table_html(
            [
                "类型 / row",
                "园区 / park",
                "面积 / area (km²)",
                "受保护约束 / protected (km²)",
                "可开发 / developable (km²)",
                "占全市 / share of the city",
            ],
            rows[:_MAX_ROWS],
        )
        + more
    )


_PROTECTED = {
    "greening_zones": "绿化区 / greening zone",
    "wetlands": "湿地 / wetland",
    "river_buffer": "黄河保护带 / river strip",
}


def _conflicts(conflicts: gpd.GeoDataFrame, names: dict[str, str]) -> str:
    rows = []
    for _, rec in conflicts.iterrows():
        subject = names.get(str(rec.get("park_or_project_id")), _s(rec.get("name_zh")))
        if _s(rec.get("name_en")):
            subject = f"{subject} / {_s(rec.get('name_en'))}"
        layer = str(rec.get("protected_layer", ""))
        protected = names.get(str(rec.get("protected_id")), "")
        what = _PROTECTED.get(layer, kind_label(layer))
        rows.append(
            (
                subject,
                f"{protected} ({what})" if protected else what,
                number(rec.get("area_km2"), 3),
                humanize(rec.get("rule"), names),
            )
        )
    return "<h3>冲突 / Conflicts</h3>" + table_html(
        [
            "园区或项目 / park or project",
            "保护对象 / protected",
            "面积 / area (km²)",
            "规则 / rule",
        ],
        rows[:_MAX_ROWS],
    )


def _projects(projects: gpd.GeoDataFrame) -> str:
    counts = projects["category"].astype(str).value_counts()
    rows = [(zh, en, int(counts.get(cat, 0))) for cat, (zh, en, _, _) in CATEGORIES.items()]
    rows += [(c, c, int(n)) for c, n in counts.items() if c not in CATEGORIES]
    conf = projects.get("location_confidence", pd.Series(dtype=str)).astype(str).value_counts()
    order = {"high": 0, "medium": 1, "low": 2}
    conf_text = ", ".join(
        f"{esc(confidence(k))}: {int(v)}"
        for k, v in sorted(conf.items(), key=lambda kv: (order.get(kv[0], 3), kv[0]))
    )
    return (
        "<h2>规划项目 / Projects by category</h2>"
        f'<p class="fig">{len(projects)} 个项目 / projects</p>'
        + table_html(["类别", "Category", "数量 / count"], rows)
        + f"<p>定位可信度 / location confidence (高 = 有可靠来源的位置 / high = a sourced position; "
        f"低 = 依规划文本推测 / low = inferred from the plan's text): {conf_text}</p>"
    )


def index_page(
    *,
    maps: Sequence[tuple[str, str, str]],
    tables: Sequence[str],
    report: gpd.GeoDataFrame | None = None,
    allocation: pd.DataFrame | None = None,
    conflicts: gpd.GeoDataFrame | None = None,
    projects: gpd.GeoDataFrame | None = None,
    parks: gpd.GeoDataFrame | None = None,
) -> MapPage:
    """The index page: links to ``maps`` (file, title_zh, title_en) and ``tables``, key figures.

    Every value from the frames is escaped; figures missing an input are left out.
    """
    names = id_names([f for f in (parks, projects) if f is not None])
    if report is not None:
        names.update(
            dict(zip(report["zone"].astype(str), report["zone_zh"].astype(str), strict=True))
        )
    links = "".join(f'<li><a href="{esc(f)}">{esc(zh)} / {esc(en)}</a></li>' for f, zh, en in maps)
    parts = [
        "<h1>兰州“多极突破”行动规划(2012)</h1>",
        "<p>Lanzhou multi-pole breakthrough plan (2012): maps and key figures</p>",
        f'<p class="note">标注“{SCHEMATIC_NOTE}”的图层依规划文本绘制，位置与面积仅为示意 / '
        "layers marked schematic are drawn from the plan's text; their positions and areas are indicative.</p>",
        f'<h2>地图 / Maps</h2><ul class="maps">{links}</ul>',
    ]
    if report is not None:
        parts.append(_greening(report))
    if parks is not None:
        parts.append(_parks(parks))
    if conflicts is not None:
        total = float(pd.to_numeric(conflicts.get("area_km2"), errors="coerce").fillna(0).sum())
        parts.append(
            f'<p class="fig">{len(conflicts)} 处冲突 / conflicts with protected land, '
            f"{number(total, 2) or 0} km²</p>"
        )
        parts.append(_conflicts(conflicts, names))
    if allocation is not None:
        parts.append(_allocation(allocation))
    if projects is not None:
        parts.append(_projects(projects))
    if tables:
        items = "".join(
            f'<li><a href="{esc(t)}">{_TABLES.get(t) or esc(t.rsplit(".", 1)[0].replace("_", " "))}'
            f" ({_KIND.get(t.rsplit('.', 1)[-1].lower(), 'CSV')})</a></li>"
            for t in tables
        )
        parts.append(f"<h2>报表 / Report tables</h2><ul>{items}</ul>")
    body = "\n".join(parts)
    return MapPage(
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>兰州规划地图 / Lanzhou plan maps</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        title="兰州规划地图 / Lanzhou plan maps",
    )
