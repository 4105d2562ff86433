"""Escaping of data in popups, tooltips and tables."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lzgis.maps._escape import esc, popup_html, table_html, tooltip_html

XSS = "<img src=x onerror=alert(1)>"


@given(st.text())
def test_escaped_text_has_no_markup_and_reads_back(text: str) -> None:
    out = esc(text)
    assert "<" not in out and ">" not in out and '"' not in out
    assert html.unescape(out) == text


def test_missing_values_are_empty_and_numbers_are_plain() -> None:
    assert [esc(None), esc(float("nan")), esc(pd.NA), esc(np.nan)] == ["", "", "", ""]
    assert esc(2.5) == "2.5" and esc(3) == "3"


def test_popup_escapes_names_and_values_but_not_labels() -> None:
    out = popup_html(
        XSS, "B&B", [("单位", "Unit", XSS), ("空", "Empty", None)], schematic=True, accuracy="<1 km"
    )
    assert XSS not in out
    assert out.count("&lt;img src=x onerror=alert(1)&gt;") == 2
    assert "B&amp;B" in out and "&lt;1 km" in out
    assert "<th>单位 / Unit</th>" in out
    assert "Empty" not in out  # rows without a value are left out
    assert "示意 / schematic" in out


def test_tooltip_and_table_escape() -> None:
    assert tooltip_html(XSS, "", schematic=False) == html.escape(XSS)
    assert tooltip_html("甲", "A", schematic=True) == "甲 / A (示意 / schematic)"
    out = table_html(["名 / name"], [[XSS]])
    assert XSS not in out and "<th>名 / name</th>" in out
