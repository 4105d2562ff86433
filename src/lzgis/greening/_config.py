"""The data files shipped with lzgis.greening: targets and metric rules."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import tomllib

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TARGETS_FILE = DATA_DIR / "targets.toml"
RULES_FILE = DATA_DIR / "greening_rules.toml"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """The metric configuration in ``lzgis/data/greening_rules.toml``."""
    with open(RULES_FILE, "rb") as fh:
        return tomllib.load(fh)


def service_rules() -> list[tuple[float, float]]:
    """(min_area_m2, radius_m) pairs of the park service radii, largest radius first."""
    pairs = [
        (float(r["min_area_m2"]), float(r["radius_m"])) for r in rules()["service_radius"]["rules"]
    ]
    return sorted(pairs, key=lambda p: -p[1])


def raster_classes(name: str) -> list[int]:
    """A named list of green classes (``igbp``, ``igbp_forest``, ``worldcover`` ...)."""
    return [int(c) for c in rules()["raster_classes"][name]]
