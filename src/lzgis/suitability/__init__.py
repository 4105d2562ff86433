"""Site suitability: grid, hard constraints, weighted criteria (AHP) and site allocation.

Public API: :func:`grid`, :func:`score`, :func:`allocate_sites`,
:class:`Criterion`, :class:`SlopeLimit`, :func:`read_criteria` (the criteria
file), :func:`prepare_criteria` / :func:`score_prepared` /
:func:`allocate_prepared` / :func:`run_criteria` (running it), and
:mod:`lzgis.suitability.ahp` (AHP weights and the consistency ratio).

Inside: ``_grid`` (grid, scoring, region growing), ``_file`` (reading and
checking the TOML criteria file), ``_run`` (reading its layers and running
it) and ``_slope`` (slope from a DEM).
"""

from lzgis.suitability._file import (
    AllocationSpec,
    ConstraintSpec,
    CriterionSpec,
    LayerRef,
    SuitabilitySpec,
    example_path,
    read_criteria,
)
from lzgis.suitability._grid import (
    DIRECTIONS,
    Criterion,
    SlopeLimit,
    allocate_sites,
    grid,
    is_equal_area,
    qgis_styles,
    score,
)
from lzgis.suitability._run import (
    PreparedRun,
    SuitabilityResult,
    allocate_prepared,
    load_ref,
    prepare_criteria,
    run_criteria,
    score_prepared,
)
from lzgis.suitability.ahp import ahp_weights

__all__ = [
    "DIRECTIONS",
    "AllocationSpec",
    "ConstraintSpec",
    "Criterion",
    "CriterionSpec",
    "LayerRef",
    "PreparedRun",
    "SlopeLimit",
    "SuitabilityResult",
    "SuitabilitySpec",
    "ahp_weights",
    "allocate_prepared",
    "allocate_sites",
    "example_path",
    "grid",
    "is_equal_area",
    "load_ref",
    "prepare_criteria",
    "qgis_styles",
    "read_criteria",
    "run_criteria",
    "score",
    "score_prepared",
]
