"""The greening trend page: a year switch over the zones map, the gain/loss layer, a chart per zone.

One self-contained HTML page from the table of :func:`lzgis.greening.trend`:
the map is inline SVG (no Leaflet, no tiles, nothing from a network, so it
works on an offline intranet and on a 390 px phone), zones coloured by
coverage in the chosen year; the gain/loss layer is the change raster's
preview (:func:`lzgis.zonal._change.change_preview`) as an inline PNG drawn
on the same coordinates; below, one small line chart per zone of coverage
over the years against the target, and the table. Text is Chinese first,
English second; every value from data is HTML-escaped (names reach the
script as JSON with ``<`` escaped and are shown as text).

Examples
--------
>>> # page = trend_page(greening.trend(zones, rasters, zone_field="name",
>>> #                                  ndvi_threshold=0.3, target="plan_2015"))
>>> # page.save("trend.html")   # or show it in Jupyter: page
"""

from __future__ import annotations

import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from lzgis.areas import equal_area_crs
from lzgis.maps._escape import esc
from lzgis.maps._page import MapPage
from lzgis.maps._styles import number
from lzgis.maps._svg import Frame, line_chart, path_data, png_data_uri
from lzgis.maps.greening import COVERAGE_BINS, NO_DATA, coverage_color
from lzgis.zonal import ChangePreview

__all__ = ["GAIN_COLOR", "LOSS_COLOR", "trend_page"]

GAIN_COLOR, LOSS_COLOR = "#2166ac", "#d7191c"  # blue and red: apart from the greens
GAIN, LOSS = 1, -1  # the codes of lzgis.zonal.change_raster
_TITLE = "绿化覆盖率逐年变化 / Greening coverage over the years"

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222;background:#fafaf7}
header,main{max-width:1100px;margin:0 auto;padding:8px 12px}
h1{font-size:1.25em;margin:.4em 0}h2{font-size:1.05em;margin:1em 0 .4em}
.bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:.4em 0}
.bar button{font:inherit;padding:4px 10px;border:1px solid #888;border-radius:4px;background:#fff;cursor:pointer}
.bar button[aria-pressed=true]{background:#1a7f37;color:#fff;border-color:#1a7f37}
#map{width:100%;height:auto;max-height:70vh;background:#f3f1ea;border:1px solid #ccc;display:block}
#map path{stroke:#444;stroke-width:1;fill-rule:evenodd;fill-opacity:.75;vector-effect:non-scaling-stroke}
#map path.sel{stroke:#000;stroke-width:3}
.legend{display:flex;flex-wrap:wrap;gap:8px;font-size:.85em;margin:.3em 0}
.sw{display:inline-block;width:14px;height:10px;border:1px solid #777;margin-right:3px;vertical-align:middle}
.note{font-size:.85em;color:#555}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 8px}
.card h3{font-size:.95em;margin:0 0 2px}.card p{margin:2px 0;font-size:.8em;color:#444}
.lz-chart{width:100%;height:auto;font-size:10px}
.lz-chart .ax{stroke:#999}.lz-chart text{fill:#555}
.lz-chart polyline{fill:none;stroke:#1a7f37;stroke-width:2}.lz-chart circle{fill:#1a7f37}
.lz-chart .target{stroke:#d1242f;stroke-dasharray:5 3}.lz-chart .fit{stroke:#1a7f37;stroke-dasharray:2 3;opacity:.7}
.tbl{overflow-x:auto}table{border-collapse:collapse;font-size:.85em;background:#fff}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}th:first-child,td:first-child{text-align:left}
"""

_SCRIPT = """
(function(){
var D=JSON.parse(document.getElementById('lz-data').textContent);
var label=document.getElementById('lz-year');
function show(i){
  D.zones.forEach(function(z,k){
    var p=document.getElementById('lz-z'+k);
    p.setAttribute('fill',z.fill[i]);
    p.querySelector('title').textContent=z.name+': '+z.text[i]+' ('+D.years[i]+')';
  });
  label.textContent=D.years[i];
  document.querySelectorAll('#lz-years button').forEach(function(b,k){
    b.setAttribute('aria-pressed',k===i?'true':'false');});
}
document.querySelectorAll('#lz-years button').forEach(function(b,k){
  b.addEventListener('click',function(){show(k);});});
var box=document.getElementById('lz-change');
if(box){box.addEventListener('change',function(){
  document.getElementById('lz-change-layer').style.display=box.checked?'':'none';});}
show(D.years.length-1);
})();
"""


def _pct(value: Any, digits: int = 1) -> str:
    s = number(float(value) * 100, digits) if number(value) else ""
    return f"{s}%" if s else "—"


def _display_crs(zones: gpd.GeoDataFrame, preview: ChangePreview | None) -> CRS:
    return preview.crs if preview is not None else equal_area_crs(zones)


def _frame(geoms: gpd.GeoSeries, crs: CRS) -> Frame:
    xmin, ymin, xmax, ymax = (float(v) for v in geoms.total_bounds)
    aspect = math.cos(math.radians((ymin + ymax) / 2)) if crs.is_geographic else 1.0
    pad = 0.02 * max(xmax - xmin, ymax - ymin)
    return Frame((xmin - pad, ymin - pad, xmax + pad, ymax + pad), aspect=aspect)


def _change_layer(preview: ChangePreview, frame: Frame) -> str:
    values = preview.values
    rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
    for code, color in ((GAIN, GAIN_COLOR), (LOSS, LOSS_COLOR)):
        rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
        rgba[values == code] = [*rgb, 230]
    left, bottom, right, top = preview.bounds
    x0, y0 = frame.xy(left, top)
    x1, y1 = frame.xy(right, bottom)
    return (
        f'<image id="lz-change-layer" href="{png_data_uri(rgba)}" x="{x0}" y="{y0}" '
        f'width="{round(x1 - x0, 1)}" height="{round(y1 - y0, 1)}" preserveAspectRatio="none" '
        'style="image-rendering:pixelated;pointer-events:none"/>'
    )


def _legend(preview: ChangePreview | None) -> str:
    items = []
    low = 0.0
    for upper, color in COVERAGE_BINS:
        text = f"≥ {low * 100:.0f}%" if math.isinf(upper) else f"{low * 100:.0f}–{upper * 100:.0f}%"
        items.append(f'<span><i class="sw" style="background:{color}"></i>{text}</span>')
        low = upper
    items.append(f'<span><i class="sw" style="background:{NO_DATA}"></i>无数据 / no data</span>')
    if preview is not None:
        items.append(f'<span><i class="sw" style="background:{GAIN_COLOR}"></i>增加 / gain</span>')
        items.append(f'<span><i class="sw" style="background:{LOSS_COLOR}"></i>减少 / loss</span>')
    return f'<div class="legend">{"".join(items)}</div>'


def _json_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="lz-data">{text}</script>'


def _card(part: pd.DataFrame, years: list[int]) -> str:
    first = part.iloc[0]
    name = esc(first["zone"])
    target = first["target"]
    target_pct = None if pd.isna(target) else float(target) * 100
    cov = [float(c) * 100 if not pd.isna(c) else math.nan for c in part["coverage"]]
    slope = float(first["pace_pp_per_year"])
    known = [c for c in cov if not math.isnan(c)]
    fit = None
    if not math.isnan(slope) and known:
        ys = np.array([y for y, c in zip(years, cov, strict=True) if not math.isnan(c)], float)
        cs = np.array(known)
        fit = (slope, float(cs.mean() + slope * (years[0] - ys.mean())))
    chart = line_chart(years, cov, target_pct=target_pct, label=name, fit=fit)
    pace = "—" if math.isnan(slope) else f"{slope:+.2f}"
    lines = [
        f"<p>速度 / pace: {pace} 个百分点/年 / points a year</p>",
        f"<p>{_pct(part['coverage'].iloc[0])} → {_pct(part['coverage'].iloc[-1])}"
        + (f"；目标 / target {_pct(target, 2)}" if target_pct is not None else "")
        + "</p>",
    ]
    if first["pace_note"]:
        lines.append(f"<p>{esc(first['pace_note'])}</p>")
    return f'<div class="card"><h3>{name}</h3>{chart}{"".join(lines)}</div>'


def _table(zones: list[pd.DataFrame], years: list[int]) -> str:
    head = (
        ["分区 / zone"]
        + [f"{y}" for y in years]
        + [
            "变化 / change (pp)",
            "增加 / gain km²",
            "减少 / loss km²",
            "速度 / pace (pp/yr)",
            "达标年份 / target year",
        ]
    )
    rows = []
    for part in zones:
        first = part.iloc[0]
        gains = part["gain_km2"].iloc[1:]
        losses = part["loss_km2"].iloc[1:]
        cells = (
            [esc(first["zone"])]
            + [_pct(c) for c in part["coverage"]]
            + [
                number(first["total_change_pp"], 2) or "—",
                number(gains.sum(min_count=1), 4) or "—",
                number(losses.sum(min_count=1), 4) or "—",
                number(first["pace_pp_per_year"], 2) or "—",
                esc(first["target_year"]) or "—",
            ]
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in head)
    return (
        f'<div class="tbl"><table><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def trend_page(
    table: gpd.GeoDataFrame,
    *,
    preview: ChangePreview | None = None,
    title: str = _TITLE,
    note: str = "",
) -> MapPage:
    """The trend page for the table of :func:`lzgis.greening.trend` (always self-contained).

    Parameters
    ----------
    table
        One row per zone and year, zones in blocks of all years (as
        :func:`lzgis.greening.trend` returns it), with geometry.
    preview
        The first → last change on a coarse grid (gain/loss layer); None
        when the years share no grid (the page says so).
    title, note
        Fixed text for the heading and a line under it (escaped).
    """
    years = sorted(int(y) for y in pd.unique(table["year"]))
    n_years = len(years)
    blocks = [table.iloc[i : i + n_years] for i in range(0, len(table), n_years)]
    zones = gpd.GeoDataFrame(
        {"zone": [b["zone"].iloc[0] for b in blocks]},
        geometry=[b.geometry.iloc[0] for b in blocks],
        crs=table.crs,
    )
    crs = _display_crs(zones, preview)
    shown = zones.to_crs(crs)
    frame = _frame(shown.geometry, crs)
    paths = []
    data_zones = []
    for k, (geom, part) in enumerate(zip(shown.geometry, blocks, strict=True)):
        paths.append(
            f'<path id="lz-z{k}" d="{path_data(geom, frame)}" fill="{NO_DATA}">'
            f"<title>{esc(part['zone'].iloc[0])}</title></path>"
        )
        data_zones.append(
            {
                "name": str(part["zone"].iloc[0]),
                "fill": [coverage_color(c) for c in part["coverage"]],
                "text": [_pct(c) for c in part["coverage"]],
            }
        )
    layer = _change_layer(preview, frame) if preview is not None else ""
    width, height = round(frame.width), round(frame.height)
    svg = (
        f'<svg id="map" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="分区地图 / zones map">{"".join(paths)}{layer}</svg>'
    )
    buttons = "".join(f'<button type="button" aria-pressed="false">{y}</button>' for y in years)
    if preview is not None:
        change = (
            '<label><input type="checkbox" id="lz-change" checked> '
            f"增减图层 / gain and loss {years[0]}→{years[-1]}</label>"
        )
    else:
        change = (
            '<span class="note">各年栅格网格不同，无增减图层 / the years are on different grids: '
            "no gain/loss layer</span>"
        )
    cards = "".join(_card(part, years) for part in blocks)
    data = {"years": years, "zones": data_zones}
    return MapPage(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{esc(title)}</title><style>{_CSS}</style></head>'
        f"<body><header><h1>{esc(title)}</h1>"
        + (f'<p class="note">{esc(note)}</p>' if note else "")
        + "</header><main>"
        f'<div class="bar" id="lz-years" role="group" aria-label="年份 / year">'
        f'年份 / year: {buttons} <strong id="lz-year"></strong></div>'
        f'<div class="bar">{change}</div>{svg}{_legend(preview)}'
        '<p class="note">颜色 = 所选年份的绿化覆盖率；增减 = 首末两年逐像元比较，仅计两年都有数据的像元 / '
        "colour = greening coverage in the chosen year; gain and loss = first vs last year, "
        "cell by cell, only where both years have data</p>"
        f'<h2>各分区覆盖率与目标 / Coverage per zone against the target</h2><div class="charts">{cards}</div>'
        f"<h2>表 / Table</h2>{_table(blocks, years)}"
        f"{_json_script(data)}<script>{_SCRIPT}</script></main></body></html>",
        title=title,
    )
