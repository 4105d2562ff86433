"""HTML-escaped, bilingual popup, tooltip and table snippets.

Every value that comes from data goes through :func:`esc` before it is
placed in HTML, so a feature named ``<img src=x onerror=alert(1)>`` is shown
as that text and runs nothing. The fixed labels are bilingual (Chinese /
English).

Examples
--------
>>> esc("<img src=x onerror=alert(1)>")
'&lt;img src=x onerror=alert(1)&gt;'
>>> popup_html("甲", "A", [("单位", "Unit", "<b>")], schematic=False)
'<div class="lz-pop"><b>甲</b><br><i>A</i><table><tr><th>单位 / Unit</th><td>&lt;b&gt;</td></tr></table></div>'
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

__all__ = ["SCHEMATIC_NOTE", "esc", "popup_body", "popup_html", "table_html", "tooltip_html"]

SCHEMATIC_NOTE = "示意 / schematic"


def esc(value: Any) -> str:
    """``value`` as HTML-escaped text; None, NaN and NA become an empty string."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN and pandas.NA-like
            return ""
    except (TypeError, ValueError):  # pandas.NA raises on bool()
        return ""
    if isinstance(value, float):
        return html.escape(f"{value:g}" if math.isfinite(value) else str(value))
    return html.escape(str(value), quote=True)


def popup_html(
    name_zh: Any,
    name_en: Any,
    rows: Iterable[tuple[str, str, Any]],
    *,
    schematic: bool,
    accuracy: Any = None,
) -> str:
    """A bilingual popup: the names, a table of ``(label_zh, label_en, value)``, a schematic note.

    Labels are fixed strings written by lzgis (not escaped); names and values
    are data and are escaped.
    """
    body = popup_body(rows, schematic=schematic, accuracy=accuracy)
    return f'<div class="lz-pop"><b>{esc(name_zh)}</b><br><i>{esc(name_en)}</i>{body}</div>'


def popup_body(
    rows: Iterable[tuple[str, str, Any]], *, schematic: bool, accuracy: Any = None
) -> str:
    """A popup's table and schematic note, without the names (the map runtime adds them as text).

    >>> popup_body([("单位", "Unit", "<b>")], schematic=True, accuracy="1 km")
    '<table><tr><th>单位 / Unit</th><td>&lt;b&gt;</td></tr></table><div class="lz-schem">示意 / schematic: 1 km</div>'
    """
    acc = esc(accuracy)
    cells = "".join(
        f"<tr><th>{zh} / {en}</th><td>{esc(value)}</td></tr>"
        for zh, en, value in rows
        if esc(value) != "" and not (schematic and esc(value) == acc)  # the note says it
    )
    note = ""
    if schematic:
        note = f'<div class="lz-schem">{SCHEMATIC_NOTE}{": " + acc if acc else ""}</div>'
    return f"<table>{cells}</table>{note}"


def tooltip_html(name_zh: Any, name_en: Any, *, schematic: bool) -> str:
    """One line: ``name_zh / name_en``, plus the schematic note where it applies."""
    parts = [p for p in (esc(name_zh), esc(name_en)) if p]
    text = " / ".join(parts)
    return f"{text} ({SCHEMATIC_NOTE})" if schematic else text


def table_html(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """An HTML table; ``header`` holds fixed lzgis labels, ``rows`` data (escaped)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
