"""Land allocation: parks × districts × ecological constraints, and conflicts.

Public API: :func:`allocate`, :func:`conflicts`, :func:`embedded_allocation`
(``lzgis allocate`` in one call), :func:`embedded_inputs`,
:func:`constraint_layers`, :func:`read_constraints`, :func:`replace_parks`.

Inside: ``_allocate`` (the park × district table and its totals),
``_inputs`` (the embedded layers with the planner's own layers put in),
``_conflicts`` (overlaps with protected land) and ``_overlay`` (one
equal-area CRS per computation and the park hierarchy, which
:mod:`lzgis.projects` shares).
"""

from lzgis.allocation._allocate import (
    RIVER_BUFFER,
    RIVER_BUFFER_M,
    SLIVER_M2,
    allocate,
    conflicts,
)
from lzgis.allocation._inputs import (
    Constraints,
    constraint_layers,
    embedded_allocation,
    embedded_inputs,
    read_constraints,
    replace_parks,
)

__all__ = [
    "RIVER_BUFFER",
    "RIVER_BUFFER_M",
    "SLIVER_M2",
    "Constraints",
    "allocate",
    "conflicts",
    "constraint_layers",
    "embedded_allocation",
    "embedded_inputs",
    "read_constraints",
    "replace_parks",
]
