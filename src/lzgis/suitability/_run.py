"""Running a criteria file: read its layers, derive the weights, grid, score, allocate.

The steps are separate so that the command line can surface every input error
(unknown park, AHP consistency ratio above 0.1, an empty layer reference)
before its progress bar starts: :func:`prepare_criteria` does all reading and
checking, :func:`score_prepared` the scoring, :func:`allocate_prepared` the
allocation; :func:`run_criteria` does all three.

Examples
--------
>>> from lzgis.suitability._file import example_path, read_criteria
>>> spec = read_criteria(example_path())
>>> spec.allocation.park, spec.allocation.area_km2
('new_area_park', 60.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lzgis import layers as _layers
from lzgis._errors import LzgisError, ValidationError
from lzgis._validate import require_path
from lzgis.areas import to_equal_area
from lzgis.io import read_vector
from lzgis.suitability._file import AllocationSpec, LayerRef, SuitabilitySpec
from lzgis.suitability._grid import Criterion, allocate_sites, grid, score
from lzgis.suitability.ahp import ahp_weights

__all__ = [
    "PreparedRun",
    "SuitabilityResult",
    "allocate_prepared",
    "load_ref",
    "prepare_criteria",
    "run_criteria",
    "score_prepared",
]


@dataclass
class SuitabilityResult:
    """Everything :func:`run_criteria` produces (frames in the grid's equal-area CRS)."""

    scored: gpd.GeoDataFrame
    weights: pd.Series
    consistency_ratio: float | None
    site_cells: gpd.GeoDataFrame | None = None
    site: gpd.GeoDataFrame | None = None
    notes: list[str] = field(default_factory=list)


def load_ref(ref: LayerRef, *, base: Path, where: str) -> gpd.GeoDataFrame:
    """Read a layer reference: an embedded layer id or a path relative to ``base``; filter it."""
    if ref.layer in _layers.LAYER_IDS:
        gdf = _layers.load(ref.layer)
    else:
        path = Path(ref.layer)
        gdf = read_vector(path if path.is_absolute() else base / path, id_field=None)
    if ref.ids:
        if "id" not in gdf.columns:
            raise ValidationError(
                f"{where}: layer {ref.layer!r} has no `id` field to select "
                f"{', '.join(ref.ids)} from; fix: drop `ids` or add the field"
            )
        missing = [i for i in ref.ids if i not in set(gdf["id"].astype(str))]
        if missing:
            raise ValidationError(
                f"{where}: id(s) {', '.join(missing)} not in layer {ref.layer!r}; expected some of "
                f"{', '.join(gdf['id'].astype(str).head(30))}; fix: correct `ids`"
            )
        gdf = gdf[gdf["id"].astype(str).isin(ref.ids)]
    for column, values in ref.where:
        if column not in gdf.columns:
            raise ValidationError(
                f"{where}: `where` column {column!r} is not in layer "
                f"{ref.layer!r}; fix: use one of {', '.join(map(str, gdf.columns))}"
            )
        gdf = gdf[gdf[column].isin(values)]
    if ref.to == "centroid" and len(gdf):
        metric = to_equal_area(gdf)
        gdf = metric.set_geometry(metric.geometry.centroid).to_crs(4326)
    return gdf


@dataclass
class PreparedRun:
    """A criteria file with its layers read, weights derived and grid built; not scored yet."""

    spec: SuitabilitySpec
    cells: gpd.GeoDataFrame
    constraints: dict[str, gpd.GeoDataFrame]
    criteria: list[Criterion]
    weights: pd.Series
    consistency_ratio: float | None
    park: gpd.GeoDataFrame | None
    notes: list[str]


def _park(spec: SuitabilitySpec, alloc: AllocationSpec) -> gpd.GeoDataFrame:
    parks = load_ref(
        LayerRef(alloc.parks_layer), base=spec.path.parent, where=f"{spec.path}: [allocation]"
    )
    ids = parks["id"].astype(str) if "id" in parks.columns else pd.Series([], dtype=str)
    if alloc.park not in set(ids):
        raise ValidationError(
            f"{spec.path}: `allocation.park` {alloc.park!r} is not a park id in "
            f"{alloc.parks_layer!r}; expected one of {', '.join(ids) or 'none'}; fix: correct `park`"
        )
    return parks[ids == alloc.park]


def _weights(spec: SuitabilitySpec, kept: Sequence[str]) -> tuple[pd.Series, float | None]:
    if spec.ahp is not None:
        keep = [i for i, n in enumerate(spec.order) if n in kept]
        matrix = [[spec.ahp[i][j] for j in keep] for i in keep]
        try:
            return ahp_weights(matrix, [spec.order[i] for i in keep])
        except LzgisError as exc:
            raise type(exc)(f"{spec.path}: `weights.ahp`: {exc}") from None
    assert spec.direct is not None
    weights = pd.Series({k: v for k, v in spec.direct.items() if k in kept}, dtype=float)
    if weights.sum() <= 0:
        raise ValidationError(f"{spec.path}: `weights.direct` sum to 0; fix: give positive weights")
    return weights / weights.sum(), None


def prepare_criteria(spec: SuitabilitySpec, *, cell_m: float | None = None) -> PreparedRun:
    """Read the layers, derive the weights and build the grid; every input error surfaces here.

    Raises
    ------
    LzgisError
        A bad or empty layer reference, an unknown park, an AHP consistency
        ratio above 0.1, a missing DEM.
    """
    base = spec.path.parent
    notes: list[str] = []
    park = _park(spec, spec.allocation) if spec.allocation is not None else None
    criteria: list[Criterion] = []
    for c in spec.criteria:
        layer = load_ref(c.ref, base=base, where=f"{spec.path}: criterion {c.name!r}")
        if len(layer) == 0 and c.optional:
            notes.append(f"criterion {c.name!r} dropped: its layer reference selects no features")
            continue
        if len(layer) == 0:
            raise ValidationError(
                f"{spec.path}: criterion {c.name!r} selects no features from {c.ref.layer!r}; "
                "fix: correct `ids`/`where`, or set `optional = true`"
            )
        criteria.append(Criterion(c.name, layer, c.direction, c.max_distance_m))  # type: ignore[arg-type]
    weights, cr = _weights(spec, [c.name for c in criteria])
    if spec.slope is not None:
        require_path(spec.slope.dem, what="DEM file (`slope.dem`)")
    extent = load_ref(spec.extent, base=base, where=f"{spec.path}: [extent]")
    if len(extent) == 0:
        raise ValidationError(f"{spec.path}: [extent] selects no features; fix: correct it")
    cells = grid(extent, cell_m=cell_m or spec.cell_m)
    constraints = {}
    for con in spec.constraints:
        layer = load_ref(con.ref, base=base, where=f"{spec.path}: constraint {con.name!r}")
        if con.buffer_m > 0 and len(layer):
            metric = to_equal_area(layer, crs=cells.crs)
            layer = metric.set_geometry(metric.geometry.buffer(con.buffer_m))
        constraints[con.name] = layer
    return PreparedRun(spec, cells, constraints, criteria, weights, cr, park, notes)


def score_prepared(
    prep: PreparedRun, *, on_step: Callable[[str], None] | None = None
) -> gpd.GeoDataFrame:
    """Score the prepared grid (see :func:`lzgis.suitability.score`)."""
    return score(
        prep.cells,
        constraints=prep.constraints,
        criteria=prep.criteria,
        weights=prep.weights,
        slope=prep.spec.slope,
        on_step=on_step,
    )


def allocate_prepared(
    prep: PreparedRun, scored: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
    """Allocate the file's request on ``scored``; None when the file has no [allocation]."""
    alloc = prep.spec.allocation
    if alloc is None or prep.park is None:
        return None
    try:
        cells, site = allocate_sites(
            scored, within=prep.park, area_km2=alloc.area_km2, name=alloc.name
        )
    except LzgisError as exc:
        raise type(exc)(f"{prep.spec.path}: park {alloc.park!r}: {exc}") from None
    site["park"] = alloc.park
    return cells, site


def run_criteria(
    spec: SuitabilitySpec,
    *,
    cell_m: float | None = None,
    on_step: Callable[[str], None] | None = None,
) -> SuitabilityResult:
    """Prepare, score and allocate, as the criteria file says.

    Parameters
    ----------
    spec
        From :func:`read_criteria`.
    cell_m
        Override the file's cell size.
    on_step
        Progress callback, called :attr:`SuitabilitySpec.steps` times while scoring.

    Raises
    ------
    LzgisError
        Any input error (see :func:`prepare_criteria`) or a park too small for
        the request. Nothing is written.
    """
    prep = prepare_criteria(spec, cell_m=cell_m)
    scored = score_prepared(prep, on_step=on_step)
    result = SuitabilityResult(
        scored=scored,
        weights=prep.weights,
        consistency_ratio=prep.consistency_ratio,
        notes=prep.notes,
    )
    allocated = allocate_prepared(prep, scored)
    if allocated is not None:
        result.site_cells, result.site = allocated
    return result
