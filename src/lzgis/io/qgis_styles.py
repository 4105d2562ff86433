"""QGIS styles stored inside a GeoPackage (its ``layer_styles`` table).

QGIS looks for a ``layer_styles`` table in a GeoPackage and applies the row
marked ``useAsDefault`` when a layer is opened, so outputs open already
styled. :func:`rule_style` builds a rule-based QML style (one fill per rule,
rules drawn in order, several may match one feature) and :func:`add_styles`
writes styles into an existing GeoPackage with the standard library's
sqlite3. Used through :func:`lzgis.io.write_vectors` (``styles=``), which
writes them into the temporary file before the atomic rename.

Examples
--------
>>> qml = rule_style([Rule("all", "TRUE", fill=(200, 0, 0))])
>>> "RuleRenderer" in qml
True
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

__all__ = ["Rule", "add_styles", "rule_style"]

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Rule:
    """One rule: features matching the QGIS expression ``filter`` get this symbol.

    ``fill`` None draws no fill (outline only); ``outline`` None draws no outline.
    """

    label: str
    filter: str
    fill: Colour | None = None
    outline: Colour | None = (90, 90, 90)
    outline_mm: float = 0.1


def _rgba(c: Colour | None) -> str:
    return "0,0,0,0" if c is None else f"{c[0]},{c[1]},{c[2]},255"


def _symbol(i: int, rule: Rule) -> str:
    opts = {
        "color": _rgba(rule.fill),
        "style": "solid" if rule.fill is not None else "no",
        "outline_color": _rgba(rule.outline),
        "outline_style": "solid" if rule.outline is not None else "no",
        "outline_width": f"{rule.outline_mm:g}",
        "outline_width_unit": "MM",
        "joinstyle": "miter",
    }
    options = "".join(
        f'<Option name="{k}" value={quoteattr(v)} type="QString"/>' for k, v in opts.items()
    )
    props = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in opts.items())
    return (
        f'<symbol type="fill" name="{i}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{options}</Option>{props}</layer></symbol>'
    )


def rule_style(rules: Sequence[Rule]) -> str:
    """A QGIS 3 rule-based polygon style (QML text) drawing ``rules`` in order."""
    body = "".join(
        f'<rule key="r{i}" label={quoteattr(r.label)} filter={quoteattr(r.filter)} symbol="{i}"/>'
        for i, r in enumerate(rules)
    )
    symbols = "".join(_symbol(i, r) for i, r in enumerate(rules))
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology">'
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
        f'<rules key="root">{body}</rules><symbols>{symbols}</symbols>'
        "</renderer-v2></qgis>\n"
    )


_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
"""


def add_styles(
    path: str | Path, styles: Mapping[str, str], *, update_time: str | None = None
) -> None:
    """Store ``{layer name: QML}`` as each layer's default style in the GeoPackage ``path``.

    ``update_time`` (ISO 8601) fixes the rows' time stamp, so the same inputs give
    the same table; by default it is the time of writing.
    """
    con = sqlite3.connect(str(path))
    try:
        with con:
            con.execute(_CREATE)
            con.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles')"
            )
            geom_cols = dict(
                con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
            )
            for layer, qml in styles.items():
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                    "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, 'lzgis default style', '', '')",
                    (layer, geom_cols.get(layer, "geom"), layer, qml),
                )
                if update_time is not None:
                    con.execute(
                        "UPDATE layer_styles SET update_time = ? WHERE f_table_name = ?",
                        (update_time, layer),
                    )
    finally:
        con.close()
