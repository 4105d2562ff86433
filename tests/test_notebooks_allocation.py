"""The planners' notebooks run top to bottom in a real kernel and are stored without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lzgis.layers import CONFIG_ENV

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["land_allocation.ipynb", "project_locations.ipynb"]


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
    last = {
        "land_allocation.ipynb": "reconciled:",
        "project_locations.ipynb": "every project has a district",
    }
    assert last[name] in text
    assert not any(
        out.get("output_type") == "error" for c in nb.cells for out in c.get("outputs", [])
    )
