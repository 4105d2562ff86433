"""What every executed notebook must show: a Leaflet map, and no error (imported by tests/test_notebooks_*.py)."""

from __future__ import annotations

import html
import re

import nbformat

# The map's div as folium writes it, inside a MapPage's <iframe srcdoc="..."> (HTML-escaped there).
MAP_DIV = re.compile(r'<div class="folium-map" id="map_\w+"')


def leaflet_maps(nb: nbformat.NotebookNode) -> list[str]:
    """The ``text/html`` outputs that hold a whole Leaflet map page (its div, Leaflet, ``L.map``)."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            page = html.unescape(out.get("data", {}).get("text/html", ""))
            if MAP_DIV.search(page) and "L.map(" in page and "leaflet" in page.lower():
                found.append(page)
    return found


def errors(nb: nbformat.NotebookNode) -> list[dict]:
    """Every error output, and every stream written to stderr that carries a traceback."""
    return [
        out
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
        or (out.get("name") == "stderr" and "Traceback" in out.get("text", ""))
    ]
