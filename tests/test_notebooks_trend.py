"""Execute notebooks/greening_trend.ipynb in a real ipykernel and check its outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "greening_trend.ipynb"


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif "data" in out:
                parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "made up by this notebook" in nb.cells[0].source  # says so plainly


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.pop("LZGIS_CONFIG", None)
    cwd = tmp_path_factory.mktemp("nb")
    client = NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(cwd)}}
    )
    old = dict(os.environ)
    os.environ.update(env)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


def test_notebook_runs_without_error(executed: nbformat.NotebookNode) -> None:
    errors = [
        out
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors, errors


def test_notebook_key_outputs(executed: nbformat.NotebookNode) -> None:
    text = _text(executed)
    assert "TREND TABLE" in text and "West hills" in text
    check = text.split("GAIN-LOSS CHECK rows:", 1)[1].splitlines()[0].split()
    assert int(check[0]) == 8 and float(check[-1]) < 1e-9
    pace = text.split("PACE", 1)[1]
    west = next(line for line in pace.splitlines() if "West hills" in line)
    assert " 2.0 " in west and "2025" in west  # 20% + 2 points a year reaches 31.12% in 2025
    new = next(line for line in pace.splitlines() if "New district" in line)
    assert "-3.0" in new and "not at this pace" in new
    assert text.count("| exit 0") == 2 and "gain/loss raster" in text
    assert "CHANGE RASTER cells: {-1: 1680, 0: 37040, 1: 1280}" in text
    tiles = text.split("TILES coverage max difference from the one file:", 1)[1].split()
    assert float(tiles[0]) < 1e-12  # a year in two overlapping tiles = the one file
    assert "grid or tiling differs" in text.split("TILES", 1)[1]  # no gain/loss across tilings
    assert "OWN DATA: not found" in text
    shown = [
        out["data"]["text/html"]
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if "text/html" in out.get("data", {})
    ]
    assert any("srcdoc=" in page and "lz-chart" in page for page in shown)  # the page inline
