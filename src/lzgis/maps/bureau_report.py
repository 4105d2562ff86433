"""The forestry bureau's report: one self-contained page, on screen, on a phone and on A4.

:func:`report_page` turns the results of ``lzgis greening check`` into an
HTML page with no external resource at all (it works on an intranet with no
network): title and date, warnings (zones with too little data), a map of
the zones as inline SVG (fill by coverage, outline by verdict, hatching
where data are insufficient; each zone's name and figures on hover), the
table per scheme with bilingual headers and the total for all zones
together, what could not be checked, and the method and sources. Print
styles lay it out on A4 (``lzgis greening report --out report.pdf`` prints it
with headless Chromium, :func:`lzgis.maps.snapshots.print_pdf`).

Every value from data is HTML-escaped.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lzgis.areas import equal_area_crs
from lzgis.greening.outputs import COVERAGE_BANDS, HEADERS
from lzgis.greening.verdicts import INSUFFICIENT, VERDICT_LABELS
from lzgis.maps._escape import esc

__all__ = ["report_page"]

_W = 800.0
_VERDICT_STROKE = {"PASS": "#0059c8", "FAIL": "#c80000", INSUFFICIENT: "#000000"}
# a scheme's result: as a zone's verdict, and INSUFFICIENT DATA when no check could be made
_SCHEME_RESULT = {**VERDICT_LABELS, "INSUFFICIENT DATA": INSUFFICIENT}
_COLUMNS = [
    "zone",
    "metric",
    "area_km2",
    "green_km2",
    "value",
    "target",
    "verdict",
    "shortfall_km2",
    "data_share",
]

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0 auto;
max-width:1000px;padding:12px;color:#222;line-height:1.45}
h1{font-size:1.5em;margin:.2em 0}h1 small{font-weight:normal;color:#555;font-size:.7em}
h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.4em}
.meta{color:#555}.warn{background:#fff3cd;border-left:4px solid #c80000;padding:6px 10px;margin:8px 0}
figure{margin:0}svg.map{width:100%;height:auto;border:1px solid #ddd;background:#fbfbf8}
svg.map path.zone:hover{opacity:.8}
.legend span{display:inline-block;margin:2px 10px 2px 0;font-size:.85em}
.legend i{display:inline-block;width:14px;height:10px;border:1px solid #777;margin-right:4px;
vertical-align:middle}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.85em;width:100%}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eef3ea}
td:first-child,th:first-child,td.t{text-align:left}
tr.total td{font-weight:bold;border-top:2px solid #555}
td.PASS{color:#0059c8}td.FAIL{color:#c80000;font-weight:bold}td.insufficient{color:#000;
background:repeating-linear-gradient(45deg,#fff,#fff 4px,#ddd 4px,#ddd 6px)}
@media (max-width:480px){body{padding:6px}table{font-size:.75em}}
@page{size:A4;margin:14mm 12mm}
@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}
figure,tr{break-inside:avoid}.tablewrap{overflow:visible}svg.map{max-height:150mm}}
"""


def _pct(value: object) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return "" if np.isnan(v) else f"{v:.2%}"


def _km2(value: object) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return "" if np.isnan(v) else f"{v:,.2f}"


def _fill(coverage: float) -> str:
    if np.isnan(coverage):
        return "#dcdcdc"
    for lo, hi, rgb in COVERAGE_BANDS:
        if lo <= coverage < hi:
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*COVERAGE_BANDS[-1][2])


def _path(geom: shapely.Geometry, x0: float, y1: float, k: float) -> str:
    parts = []
    for poly in shapely.get_parts(geom):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            if len(xy) < 3:
                continue
            pts = " ".join(f"{(x - x0) * k:.1f},{(y1 - y) * k:.1f}" for x, y in xy[:-1])
            parts.append(f"M{pts}Z")
    return "".join(parts)


def _map_svg(result: gpd.GeoDataFrame, verdicts: pd.Series) -> str:
    """Zones as SVG paths: fill by coverage, outline by verdict, hatching without enough data."""
    crs = CRS(result.crs)
    frame = result.to_crs(equal_area_crs(result)) if crs.is_geographic else result
    geoms = np.asarray(frame.geometry.values, dtype=object)
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
    span = max(x1 - x0, y1 - y0, 1e-9)
    k = _W / (x1 - x0 if x1 > x0 else span)
    height = max(60.0, (y1 - y0) * k)
    simple = shapely.simplify(geoms, span / 2000, preserve_topology=True)
    rows = list(result.itertuples())
    body = []
    for i in np.argsort(-shapely.area(geoms), kind="stable"):  # small zones drawn on top
        geom, row = simple[i], rows[i]
        if geom is None or shapely.is_empty(geom):
            continue
        verdict = str(verdicts.iloc[i]) if i < len(verdicts) else ""
        stroke = _VERDICT_STROKE.get(verdict, "#777777")
        title = (
            f"{esc(row.zone)} · 覆盖率 / coverage {_pct(row.coverage)} · 数据覆盖 / data share "
            f"{_pct(row.data_share)} · {esc(VERDICT_LABELS.get(verdict, verdict))}"
        )
        d = _path(geom, x0, y1, k)
        dash = ' stroke-dasharray="6 3"' if verdict == INSUFFICIENT else ""
        body.append(
            f'<path class="zone" d="{d}" fill="{_fill(float(row.coverage))}" fill-rule="evenodd" '
            f'stroke="{stroke}" stroke-width="1.6"{dash}><title>{title}</title></path>'
        )
        if verdict == INSUFFICIENT:
            body.append(f'<path d="{d}" fill="url(#lz-hatch)" fill-rule="evenodd" stroke="none"/>')
    defs = (
        '<defs><pattern id="lz-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#333" '
        'stroke-width="1.5"/></pattern></defs>'
    )
    return (
        f'<svg class="map" role="img" aria-label="区县覆盖率地图 / map of coverage by zone" '
        f'viewBox="-4 -4 {_W + 8:.0f} {height + 8:.0f}" xmlns="http://www.w3.org/2000/svg">'
        f"{defs}{''.join(body)}</svg>"
    )


def _legend() -> str:
    items = [
        f'<span><i style="background:{_fill((lo + hi) / 2)}"></i>{lo:.0%}–{min(hi, 1.0):.0%}</span>'
        for lo, hi, _ in COVERAGE_BANDS
    ]
    items.append('<span><i style="background:#dcdcdc"></i>无数据 / no data</span>')
    for verdict, colour in _VERDICT_STROKE.items():
        items.append(
            f'<span><i style="background:#fff;border:2px solid {colour}"></i>'
            f"{esc(VERDICT_LABELS[verdict])}</span>"
        )
    return f'<figcaption class="legend">覆盖率 / coverage: {"".join(items)}</figcaption>'


def _rows(frame: pd.DataFrame, *, total: bool) -> Iterable[str]:
    for row in frame.itertuples():
        verdict = str(row.verdict)
        cls = "insufficient" if verdict == INSUFFICIENT else verdict
        rate = _km2 if str(row.metric).endswith("_m2") else _pct
        cells = [
            f'<td class="t">{esc(row.zone)}</td>',
            f'<td class="t">{esc(row.metric)}</td>',
            f"<td>{_km2(row.area_km2)}</td>",
            f"<td>{_km2(row.green_km2)}</td>",
            f"<td>{rate(row.value)}</td>",
            f"<td>{esc(row.op)}{rate(row.target)}</td>",
            f'<td class="{cls} t">{esc(VERDICT_LABELS.get(verdict, verdict))}</td>',
            f"<td>{_km2(row.shortfall_km2)}</td>",
            f"<td>{_pct(row.data_share)}</td>",
        ]
        yield f"<tr{' class=total' if total else ''}>{''.join(cells)}</tr>"


def _tables(checked: pd.DataFrame, totals: pd.DataFrame, summary: pd.DataFrame) -> str:
    head = "".join(f"<th>{esc(HEADERS.get(c, c))}</th>" for c in _COLUMNS)
    out = []
    by_scheme = summary.set_index("scheme") if len(summary) else summary
    for scheme, part in checked.groupby("scheme", sort=False):
        s = by_scheme.loc[scheme]
        verdict = _SCHEME_RESULT[str(s["result"])]
        tot = totals[totals["scheme"] == scheme] if len(totals) else totals
        out.append(
            f"<h3>{esc(scheme)}: {verdict} · {s['passed']} 达标 pass, {s['failed']} 未达标 fail, "
            f"{s['insufficient']} 数据不足 insufficient · 差额 / shortfall "
            f"{s['shortfall_km2']:,.2f} km²</h3>"
            f'<div class="tablewrap"><table><thead><tr>{head}</tr></thead><tbody>'
            f"{''.join(_rows(part, total=False))}{''.join(_rows(tot, total=True))}"
            "</tbody></table></div>"
        )
    return "".join(out)


def report_page(
    result: gpd.GeoDataFrame,
    checked: pd.DataFrame,
    *,
    totals: pd.DataFrame,
    status: pd.DataFrame,
    summary: pd.DataFrame,
    method: pd.DataFrame,
    min_data_share: float,
    title: tuple[str, str] = ("绿化覆盖率核查报告", "Greening coverage report"),
    date: _dt.date | None = None,
) -> str:
    """The bureau's report as one self-contained HTML page.

    Parameters
    ----------
    result
        Coverage per zone (``zone``, ``coverage``, ``data_share``, geometry
        in any CRS), as from :func:`lzgis.greening.sources.coverage_from_sources`.
    checked, totals, status, summary
        From :func:`lzgis.greening.verdicts.check_zones` (zones; the union
        total), :func:`~lzgis.greening.verdicts.scheme_status` and
        :func:`~lzgis.greening.verdicts.scheme_summary`; ``checked``'s index
        is the zone's row in ``result``.
    method
        Two columns (item, value): :func:`lzgis.greening.outputs.method_table`.
    min_data_share
        The threshold used, for the warning text.
    """
    day = (date or _dt.date.today()).isoformat()
    first = checked[checked["scheme"] == checked["scheme"].iloc[0]] if len(checked) else checked
    first = first[~first.index.duplicated()]
    verdicts = pd.Series(first["verdict"].to_numpy(), index=first.index).reindex(range(len(result)))
    low = first[first["verdict"] == INSUFFICIENT]
    warnings = "".join(
        f'<p class="warn">数据不足 / insufficient data: {esc(r.zone)} — 仅 {_pct(r.data_share)} '
        f"的面积有数据（阈值 {min_data_share:.0%}），不作结论 / only {_pct(r.data_share)} of "
        f"its area has data (threshold {min_data_share:.0%}): no verdict</p>"
        for r in low.itertuples()
    )
    skipped = status[status["status"] != "checked"]
    not_checked = "".join(
        f"<li>{esc(t.scheme)} · {esc(t.metric)} {esc(t.op)} "
        f"{_km2(t.target) if str(t.metric).endswith('_m2') else _pct(t.target)}: "
        f"未核查 / {esc(t.status)}</li>"
        for t in skipped.itertuples()
    )
    method_rows = "".join(
        f'<tr><td class="t">{esc(a)}</td><td class="t">{esc(b)}</td></tr>'
        for a, b in method.itertuples(index=False, name=None)
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title[0])} / {esc(title[1])}</title><style>{_CSS}</style></head>
<body>
<h1>{esc(title[0])} <small>{esc(title[1])}</small></h1>
<p class="meta">日期 / date: {day} · 区县 / zones: {len(result)} · 数据覆盖阈值 / min data share: {min_data_share:.0%}</p>
{warnings}
<h2>地图 / Map</h2>
<figure>{_map_svg(result, verdicts)}{_legend()}</figure>
<h2>结果 / Results</h2>
{_tables(checked, totals, summary)}
<h2>未核查 / Not checked</h2>
<ul>{not_checked or "<li>无 / none</li>"}</ul>
<h2>方法与来源 / Method and sources</h2>
<div class="tablewrap"><table>{method_rows}</table></div>
</body></html>
"""
