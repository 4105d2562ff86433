"""The planners' notebooks run top to bottom in a real kernel, show their maps, are stored without outputs.

Every notebook in notebooks/ is executed here, except greening_coverage.ipynb
(tests/test_notebooks_greening.py executes that one and checks the same) and
greening_trend.ipynb (tests/test_notebooks_trend.py: its page is inline SVG, not Leaflet).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_checks import errors, leaflet_maps

from lzgis.layers import CONFIG_ENV

REPO = Path(__file__).resolve().parents[1]
OWN_TESTS = {"greening_coverage.ipynb", "greening_trend.ipynb"}  # executed by their own tests
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb") if p.name not in OWN_TESTS)
# The text each notebook ends on, and how many maps it shows at least.
LAST = {
    "land_allocation.ipynb": ("reconciled:", 3),
    "project_locations.ipynb": ("every project has a district", 1),
}


def test_the_planners_notebooks_are_all_here() -> None:
    assert set(LAST) <= set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs on the embedded layers (no user config)."""
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])),
    )
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    )
    last, maps = LAST.get(name, ("", 1))
    assert last in text
    assert errors(nb) == []
    shown = leaflet_maps(nb)
    assert len(shown) >= maps, f"{name} shows {len(shown)} Leaflet map(s), expected {maps}"
    if name == "land_allocation.ipynb":
        # the sensitivity table has the four bands; three projects move into the widened Xigu park
        html_out = " ".join(
            out.get("data", {}).get("text/html", "")
            for c in nb.cells
            for out in c.get("outputs", [])
        )
        for width in (250, 500, 1000, 2000):
            assert f"developable, {width} m band" in html_out
        assert "3 project(s) move from outside to inside a park" in text
        assert any("your layer water_source" in page for page in shown)  # the user's layer


def test_the_notebook_extra_installs_jupyterlab_and_what_explore_needs() -> None:
    import tomllib

    extra = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["notebook"]
    names = {re.split(r"[<>=\[ ]", req, maxsplit=1)[0] for req in extra}
    assert {"jupyterlab", "matplotlib", "mapclassify", "ipykernel"} <= names
    from lzgis.layers import load

    parks = load("parks")
    # a classified choropleth: mapclassify bins the values, matplotlib gives the colours
    page = parks.explore(column="tier", scheme="quantiles", k=2, cmap="viridis")._repr_html_()
    assert "folium-map" in html.unescape(page)
