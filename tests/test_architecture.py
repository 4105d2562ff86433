"""The package's shape: imports run one way, ground → analyses → maps → publish → CLI.

Read from the source with :mod:`ast`, so a lazy import inside a function
counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lzgis"

# Each top-level module or package of lzgis, by layer (a lower number is lower).
LAYERS = {
    "_errors": 0,
    "_validate": 0,
    "_coords": 0,
    "_encoding": 0,
    "_paths": 0,
    "_geometry": 0,
    "areas": 0,
    "gcj02": 0,
    "io": 0,
    "layers": 0,
    "zonal": 1,
    "greening": 1,
    "allocation": 1,
    "projects": 1,
    "suitability": 1,
    "maps": 2,
    "tables": 2,
    "publish": 3,
    "cli": 4,
    "__main__": 4,
    "__init__": 0,
}


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(source: str) -> list[str]:
    """The top-level lzgis parts that ``source`` imports."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lzgis"):
            names = (
                [node.module] if node.module != "lzgis" else [f"lzgis.{a.name}" for a in node.names]
            )
            found.extend(names)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.startswith("lzgis"))
    return [name.split(".")[1] for name in found if "." in name]


MODULES = sorted(SRC.rglob("*.py"))


def test_every_part_has_a_layer():
    assert {_part(p) for p in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_only_run_down(path):
    here = _part(path)
    upward = [
        target
        for target in _imports(path.read_text(encoding="utf-8"))
        if target != here and LAYERS[target] > LAYERS[here]
    ]
    assert upward == [], f"{path.relative_to(SRC)} imports from a higher layer: {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_past_600_lines(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 600, f"{path.relative_to(SRC)} has {lines} lines; split it"


def test_the_import_reader_sees_lazy_and_package_imports():
    """The check itself can fail: every form of import is read."""
    source = (
        "import lzgis.maps\n"
        "from lzgis import publish\n"
        "def f():\n"
        "    from lzgis.cli.greening import greening\n"
    )
    assert _imports(source) == ["maps", "publish", "cli"]
