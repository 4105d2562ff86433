"""Land allocation: parks × districts × ecological constraints, and conflicts.

Public API: :func:`allocate`, :func:`conflicts`, :func:`embedded_allocation`,
:func:`embedded_inputs`, :func:`read_constraints`.

Inside: ``_allocate`` (the park × district table and its totals),
``_conflicts`` (overlaps with protected land) and ``_overlay`` (one
equal-area CRS per computation and the park hierarchy, which
:mod:`lzgis.projects` shares).
"""

from lzgis.allocation._allocate import (
    RIVER_BUFFER,
    SLIVER_M2,
    allocate,
    conflicts,
    embedded_allocation,
    embedded_inputs,
    read_constraints,
)

__all__ = [
    "RIVER_BUFFER",
    "SLIVER_M2",
    "allocate",
    "conflicts",
    "embedded_allocation",
    "embedded_inputs",
    "read_constraints",
]
