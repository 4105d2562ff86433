"""Execute notebooks/greening_coverage.ipynb in a real ipykernel and check its outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "greening_coverage.ipynb"


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                # a busy kernel may split one print into several outputs: join them as written
                parts.append(out.get("text", ""))
            elif "data" in out:
                parts.append("\n" + out["data"].get("text/plain", "") + "\n")
    return "".join(parts)


def test_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)


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
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(cwd)}},
    )
    # The kernel inherits this environment: the worktree's src comes first.
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
    assert "DISTRICT COVERAGE" in text and "Chengguan" in text
    assert "CHECK SUMMARY" in text and "plan_2015" in text
    assert "MODIS COMPOSITION" in text and "igbp_10_grassland" in text
    # the synthetic NDVI raster: the whole raster is half green, the west quarter all green,
    # the zone half outside the raster is bare with half of it unknown
    assert "OWN NDVI COVERAGE" in text
    own = text.split("OWN NDVI COVERAGE", 1)[1].splitlines()
    names = ("whole", "west_quarter", "half_outside")
    # the first table after the marker (a warning on stderr may sit in between)
    rows: dict[str, list[str]] = {}
    for line in own:
        parts = line.split()
        if parts and parts[0] in names and parts[0] not in rows:
            rows[parts[0]] = parts
    assert rows["whole"][4] == "0.5" and rows["west_quarter"][4] == "1.0"
    assert rows["half_outside"][4] == "0.0" and rows["half_outside"][5] == "0.5"
    # the bureau's path: the int16 NDVI is refused until its scale is given
    assert "WITHOUT THE SCALE:" in text and "--ndvi-scale 0.0001" in text and "exit 2" in text
    # the zone half outside the imagery gets no verdict; the check exits 1
    assert "数据不足 / insufficient data" in text and "exit 1" in text
    assert "XLSX HEADERS: ['区县 / zone', '面积 km² / area', '覆盖率 / coverage'" in text
    assert "合计（并集）/ all zones (union)" in text and "coverage format: 0.00%" in text
    assert "620102" in text  # the zones' own field
    assert "wrote the report of 3 zones" in text and "self-contained: True | map: True" in text


def test_notebook_shows_the_greening_map(executed: nbformat.NotebookNode) -> None:
    from notebook_checks import errors, leaflet_maps

    assert errors(executed) == []
    assert len(leaflet_maps(executed)) >= 1
