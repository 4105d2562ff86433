"""Inline SVG pieces for pages that need no library: zone paths, a PNG layer, line charts.

Everything here returns text to place in a page as is; values from data
are escaped by the callers (:mod:`lzgis.maps._escape`) or are numbers.

Examples
--------
>>> frame = Frame((0.0, 0.0, 10.0, 5.0), width=100.0)
>>> frame.xy(10.0, 0.0)
(100.0, 50.0)
>>> png_data_uri(np.zeros((1, 1, 4), dtype=np.uint8))[:22]
'data:image/png;base64,'
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["Frame", "line_chart", "path_data", "png_data_uri"]


@dataclass(frozen=True)
class Frame:
    """Map coordinates (``bounds`` = xmin, ymin, xmax, ymax) onto an SVG box ``width`` wide, y down.

    ``aspect`` stretches x (cos of the latitude for lon/lat coordinates).
    """

    bounds: tuple[float, float, float, float]
    width: float = 1000.0
    aspect: float = 1.0

    @property
    def scale(self) -> float:
        span = (self.bounds[2] - self.bounds[0]) * self.aspect
        return self.width / span if span > 0 else 1.0

    @property
    def height(self) -> float:
        return max(1.0, (self.bounds[3] - self.bounds[1]) * self.scale)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        s = self.scale
        return (
            round((x - self.bounds[0]) * self.aspect * s, 1),
            round((self.bounds[3] - y) * s, 1),
        )


def path_data(geom: shapely.Geometry, frame: Frame) -> str:
    """SVG path ``d`` of a polygon or multipolygon (rings closed; use ``fill-rule: evenodd``)."""
    tolerance = 0.5 / frame.scale  # half an SVG unit
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    parts = []
    for poly in shapely.get_parts(simple):
        for ring in [poly.exterior, *poly.interiors]:
            coords = np.asarray(ring.coords)
            if len(coords) < 3:
                continue
            points = [frame.xy(float(x), float(y)) for x, y in coords[:-1]]
            parts.append("M" + "L".join(f"{_n(px)} {_n(py)}" for px, py in points) + "Z")
    return "".join(parts)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def png_data_uri(rgba: NDArray[np.uint8]) -> str:
    """An (h, w, 4) uint8 RGBA array as a ``data:image/png;base64,…`` URI (no dependencies)."""
    h, w = rgba.shape[:2]
    raw = b"".join(b"\x00" + rgba[r].tobytes() for r in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _nice_top(value: float) -> float:
    """A round upper bound for a percentage axis."""
    for top in (5, 10, 20, 25, 30, 40, 50, 60, 80, 100):
        if value <= top:
            return float(top)
    return float(math.ceil(value / 10) * 10)


def line_chart(
    years: Sequence[int],
    values_pct: Sequence[float],
    *,
    target_pct: float | None,
    label: str,
    fit: tuple[float, float] | None = None,
    width: int = 280,
    height: int = 150,
) -> str:
    """A small inline-SVG line chart of percentages over years, with a dashed target line.

    ``values_pct`` may hold NaN (a gap); ``fit`` = (slope per year, value at
    the first year) draws the least-squares line dotted; ``label`` is the
    (already escaped) accessible name.
    """
    left, right, top, bottom = 34, 16, 10, 22
    pw, ph = width - left - right, height - top - bottom
    known = [v for v in values_pct if not math.isnan(v)]
    ymax = _nice_top(max([*known, target_pct or 0.0, 1.0]) * 1.1)
    x0, x1 = float(min(years)), float(max(years))
    span = x1 - x0 or 1.0

    def x(year: float) -> float:
        return round(left + (year - x0) / span * pw if x1 > x0 else left + pw / 2, 1)

    def y(value: float) -> float:
        return round(top + ph - value / ymax * ph, 1)

    out = [
        f'<svg class="lz-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" class="ax"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" class="ax"/>',
    ]
    for tick in (0.0, ymax / 2, ymax):
        out.append(f'<text x="{left - 4}" y="{y(tick) + 3}" text-anchor="end">{_n(tick)}%</text>')
    for year in years:
        out.append(f'<text x="{x(year)}" y="{height - 6}" text-anchor="middle">{year}</text>')
    if target_pct is not None:
        out.append(
            f'<line x1="{left}" y1="{y(target_pct)}" x2="{left + pw}" y2="{y(target_pct)}" '
            'class="target"/>'
        )
    if fit is not None and not math.isnan(fit[0]):
        slope, start = fit
        # the fitted line from the first to the last year, cut to the chart's 0..ymax
        ta, tb = x0, x1
        if slope != 0:
            ends = sorted(x0 + (bound - start) / slope for bound in (0.0, ymax))
            ta, tb = max(ta, ends[0]), min(tb, ends[1])
        elif not 0.0 <= start <= ymax:
            tb = ta - 1.0
        if tb > ta:
            a, b = start + slope * (ta - x0), start + slope * (tb - x0)
            out.append(f'<line x1="{x(ta)}" y1="{y(a)}" x2="{x(tb)}" y2="{y(b)}" class="fit"/>')
    segment: list[str] = []
    segments = [segment]
    for year, value in zip(years, values_pct, strict=True):
        if math.isnan(value):
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{x(year)},{y(value)}")
        out.append(f'<circle cx="{x(year)}" cy="{y(value)}" r="3"/>')
    for seg in segments:
        if len(seg) > 1:
            out.append(f'<polyline points="{" ".join(seg)}"/>')
    out.append("</svg>")
    return "".join(out)
