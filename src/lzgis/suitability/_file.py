"""The suitability criteria file (TOML): read and check it (lzgis.suitability._run runs it).

A criteria file says where to build the grid, what is off limits, what makes a
cell good, how much each criterion weighs and what to allocate. Every key
(see ``src/lzgis/data/suitability_example.toml`` for a full, commented file):

Top level
    ``title`` (str, optional) a label; ``cell_m`` (number, default 250) the
    cell edge in metres.
``[extent]``
    The area to grid: a *layer reference* (below). Default: the districts
    layer, i.e. the whole city.
``[[constraint]]`` (any number)
    Hard constraints. ``name`` (str, unique) plus a layer reference and
    ``buffer_m`` (number, default 0): features are buffered by this many
    metres first (the Yellow River's protection band). Cells whose interior
    meets a constraint are masked.
``[slope]`` (optional)
    ``dem`` (path to a GeoTIFF DEM, relative to the file) and ``max_deg``
    (number): cells whose centre pixel is steeper are masked.
``[[criterion]]`` (at least one)
    ``name`` (str, unique), a layer reference, ``direction`` ("closer" or
    "farther" is better), ``max_distance_m`` (number > 0: the distance at
    which the criterion saturates) and ``optional`` (bool, default false: when
    true and the reference selects no features the criterion is dropped with a
    note instead of failing; its AHP row and column go too).
``[weights]``
    Either ``direct`` (a table ``name = weight``; scaled to sum to 1) or
    ``ahp`` (a square list of rows, entries numbers or fraction strings like
    "1/3"), with ``order`` (list of criterion names, default: the order of the
    ``[[criterion]]`` tables) naming the rows. AHP matrices with a
    consistency ratio above 0.1 are refused.
``[allocation]`` (optional)
    ``park`` (an ``id`` in the parks layer), ``area_km2`` (number > 0), ``name``
    (str, default "site": a label such as "new materials"), ``parks_layer``
    (layer id or path, default "parks").

A *layer reference* is ``layer`` (one of the embedded layer ids, honouring
``--config``/``LZGIS_CONFIG``, or a path to a vector file relative to the
criteria file) with optional ``ids`` (list: keep only these feature ids),
``where`` (table ``column = value`` or ``column = [values]``: keep matching
features) and ``to`` ("feature", the default, or "centroid": measure to each
feature's centroid, e.g. to a park's core rather than its edge).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tomllib

from lzgis._errors import LzgisError, ValidationError
from lzgis._validate import require_path
from lzgis.suitability._grid import DIRECTIONS, SlopeLimit

__all__ = [
    "AllocationSpec",
    "ConstraintSpec",
    "CriterionSpec",
    "LayerRef",
    "SuitabilitySpec",
    "example_path",
    "read_criteria",
]

_TOP = {"title", "cell_m", "extent", "constraint", "slope", "criterion", "weights", "allocation"}
_REF_KEYS = {"layer", "ids", "where", "to"}


def example_path() -> Path:
    """The shipped example criteria file (new materials, 60 km², New Area park)."""
    return Path(__file__).parents[1] / "data" / "suitability_example.toml"


@dataclass(frozen=True)
class LayerRef:
    """A layer id or path, with an optional feature filter."""

    layer: str
    ids: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    to: str = "feature"


@dataclass(frozen=True)
class ConstraintSpec:
    name: str
    ref: LayerRef
    buffer_m: float = 0.0


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    ref: LayerRef
    direction: str
    max_distance_m: float
    optional: bool = False


@dataclass(frozen=True)
class AllocationSpec:
    park: str
    area_km2: float
    name: str = "site"
    parks_layer: str = "parks"


@dataclass(frozen=True)
class SuitabilitySpec:
    """A checked criteria file; layers are not read yet."""

    path: Path
    title: str
    cell_m: float
    extent: LayerRef
    constraints: tuple[ConstraintSpec, ...]
    slope: SlopeLimit | None
    criteria: tuple[CriterionSpec, ...]
    direct: Mapping[str, float] | None
    ahp: tuple[tuple[Any, ...], ...] | None
    order: tuple[str, ...]
    allocation: AllocationSpec | None

    @property
    def inputs(self) -> list[Path]:
        """The files this criteria file reads besides embedded layers: itself, layer paths, the DEM."""
        from lzgis.layers import LAYER_IDS

        refs = [self.extent, *(c.ref for c in self.constraints), *(c.ref for c in self.criteria)]
        names = [r.layer for r in refs]
        if self.allocation is not None:
            names.append(self.allocation.parks_layer)
        found = [self.path, *([self.slope.dem] if self.slope else [])]
        for name in names:
            if name not in LAYER_IDS:
                found.append(Path(name) if Path(name).is_absolute() else self.path.parent / name)
        return found

    @property
    def steps(self) -> int:
        """Scoring steps (constraints, slope, criteria), for a progress bar."""
        return len(self.constraints) + len(self.criteria) + (1 if self.slope else 0)


class _Reader:
    """Typed access to the TOML tables, with one-line errors naming file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, what: str, fix: str) -> LzgisError:
        return ValidationError(f"{self.path}: `{key.lstrip('.')}` {what}; fix: {fix}")

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        default: float | None = None,
        *,
        positive: bool = True,
    ) -> float:
        if key not in table:
            if default is None:
                raise self.fail(f"{where}.{key}", "is missing", f"add `{key} = <number>`")
            return default
        v = table[key]
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not np.isfinite(v)
            or (v <= 0 if positive else v < 0)
        ):
            kind = "a positive number" if positive else "a number >= 0"
            raise self.fail(f"{where}.{key}", f"is {v!r}, expected {kind}", "correct it")
        return float(v)

    def string(
        self, table: Mapping[str, Any], key: str, where: str, default: str | None = None
    ) -> str:
        if key not in table:
            if default is None:
                raise self.fail(f"{where}.{key}", "is missing", f'add `{key} = "..."`')
            return default
        v = table[key]
        if not isinstance(v, str) or not v.strip():
            raise self.fail(
                f"{where}.{key}", f"is {v!r}, expected a non-empty string", "correct it"
            )
        return v

    def table(self, data: Mapping[str, Any], key: str) -> dict[str, Any]:
        v = data.get(key, {})
        if not isinstance(v, dict):
            raise self.fail(key, f"is {type(v).__name__}, expected a table", f"write it as [{key}]")
        return v

    def tables(self, data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        v = data.get(key, [])
        if not isinstance(v, list) or not all(isinstance(t, dict) for t in v):
            raise self.fail(key, "is not an array of tables", f"write each one as [[{key}]]")
        return v

    def ref(self, table: Mapping[str, Any], where: str) -> LayerRef:
        layer = self.string(table, "layer", where)
        ids = table.get("ids", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise self.fail(
                f"{where}.ids", f"is {ids!r}, expected a list of id strings", "correct it"
            )
        where_t = table.get("where", {})
        if not isinstance(where_t, dict):
            raise self.fail(
                f"{where}.where", "is not a table", 'write `where = { column = "value" }`'
            )
        to = self.string(table, "to", where, "feature")
        if to not in ("feature", "centroid"):
            raise self.fail(f"{where}.to", f"is {to!r}, expected feature or centroid", "correct it")
        conds = tuple(
            (str(k), tuple(v) if isinstance(v, list) else (v,)) for k, v in where_t.items()
        )
        return LayerRef(layer=layer, ids=tuple(ids), where=conds, to=to)

    def name(self, table: Mapping[str, Any], where: str, seen: set[str]) -> str:
        name = self.string(table, "name", where)
        if not name.isidentifier():
            raise self.fail(
                f"{where}.name",
                f"is {name!r}, expected letters, digits and _",
                "rename it (it becomes a column name)",
            )
        if name in seen:
            raise self.fail(f"{where}.name", f"{name!r} is used twice", "give each a unique name")
        seen.add(name)
        return name


def read_criteria(path: str | Path) -> SuitabilitySpec:
    """Read and check a criteria file; no layer is read yet.

    Raises
    ------
    LayerError, ValidationError
        Missing file, invalid TOML, unknown or missing keys, bad values.
    """
    p = require_path(path, what="criteria file")
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{p}: not valid TOML ({exc}); fix: correct the file") from None
    r = _Reader(p)
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise r.fail(
            ", ".join(unknown),
            f"unknown key(s); expected {', '.join(sorted(_TOP))}",
            "remove or rename them",
        )
    cell_m = r.number(data, "cell_m", "", 250.0)
    extent_t = r.table(data, "extent")
    extent = r.ref(extent_t, "extent") if extent_t else LayerRef("districts")
    seen: set[str] = set()
    constraints = []
    for i, t in enumerate(r.tables(data, "constraint")):
        where = f"constraint[{i + 1}]"
        _check_keys(r, t, where, {"name", "buffer_m"} | _REF_KEYS)
        constraints.append(
            ConstraintSpec(
                r.name(t, where, seen),
                r.ref(t, where),
                r.number(t, "buffer_m", where, 0.0, positive=False),
            )
        )
    slope_t = r.table(data, "slope")
    slope = None
    if slope_t:
        _check_keys(r, slope_t, "slope", {"dem", "max_deg"})
        dem = Path(r.string(slope_t, "dem", "slope"))
        dem = dem if dem.is_absolute() else p.parent / dem
        slope = SlopeLimit(dem=dem, max_deg=r.number(slope_t, "max_deg", "slope"))
    criteria = []
    cseen: set[str] = set()
    for i, t in enumerate(r.tables(data, "criterion")):
        where = f"criterion[{i + 1}]"
        _check_keys(r, t, where, {"name", "direction", "max_distance_m", "optional"} | _REF_KEYS)
        direction = r.string(t, "direction", where)
        if direction not in DIRECTIONS:
            raise r.fail(
                f"{where}.direction",
                f"is {direction!r}, expected one of {', '.join(DIRECTIONS)}",
                "say whether closer or farther is better",
            )
        optional = t.get("optional", False)
        if not isinstance(optional, bool):
            raise r.fail(
                f"{where}.optional", f"is {optional!r}, expected true or false", "correct it"
            )
        criteria.append(
            CriterionSpec(
                r.name(t, where, cseen),
                r.ref(t, where),
                direction,
                r.number(t, "max_distance_m", where),
                optional,
            )
        )
    if not criteria:
        raise r.fail("criterion", "is missing", "add at least one [[criterion]] table")
    names = [c.name for c in criteria]
    weights_t = r.table(data, "weights")
    _check_keys(r, weights_t, "weights", {"direct", "ahp", "order"})
    if ("direct" in weights_t) == ("ahp" in weights_t):
        raise r.fail(
            "weights",
            "needs exactly one of `direct` or `ahp`",
            "give `direct = { name = weight, ... }` or an `ahp` matrix",
        )
    direct = None
    ahp = None
    order = tuple(names)
    if "direct" in weights_t:
        d = weights_t["direct"]
        if not isinstance(d, dict):
            raise r.fail("weights.direct", "is not a table", "write `direct = { name = weight }`")
        direct = {str(k): r.number(d, k, "weights.direct", positive=False) for k in d}
        _same_names(r, "weights.direct", list(direct), names)
    else:
        m = weights_t["ahp"]
        if not isinstance(m, list) or not all(isinstance(row, list) for row in m):
            raise r.fail(
                "weights.ahp", "is not a list of rows", 'write `ahp = [[1, 3], ["1/3", 1]]`'
            )
        ahp = tuple(tuple(row) for row in m)
        o = weights_t.get("order", names)
        if not isinstance(o, list) or not all(isinstance(x, str) for x in o):
            raise r.fail(
                "weights.order", f"is {o!r}, expected a list of criterion names", "correct it"
            )
        _same_names(r, "weights.order", o, names)
        order = tuple(o)
        if len(ahp) != len(order) or any(len(row) != len(order) for row in ahp):
            raise r.fail(
                "weights.ahp",
                f"is not {len(order)} x {len(order)} (one row and column "
                f"per criterion: {', '.join(order)})",
                "give a square matrix in that order",
            )
    alloc_t = r.table(data, "allocation")
    allocation = None
    if alloc_t:
        _check_keys(r, alloc_t, "allocation", {"park", "area_km2", "name", "parks_layer"})
        allocation = AllocationSpec(
            park=r.string(alloc_t, "park", "allocation"),
            area_km2=r.number(alloc_t, "area_km2", "allocation"),
            name=r.string(alloc_t, "name", "allocation", "site"),
            parks_layer=r.string(alloc_t, "parks_layer", "allocation", "parks"),
        )
    title = data.get("title", p.stem)
    return SuitabilitySpec(
        path=p,
        title=str(title),
        cell_m=cell_m,
        extent=extent,
        constraints=tuple(constraints),
        slope=slope,
        criteria=tuple(criteria),
        direct=direct,
        ahp=ahp,
        order=order,
        allocation=allocation,
    )


def _check_keys(r: _Reader, table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise r.fail(
            f"{where}",
            f"has unknown key(s) {', '.join(extra)}; expected {', '.join(sorted(allowed))}",
            "remove or rename them",
        )


def _same_names(r: _Reader, where: str, got: Sequence[str], names: Sequence[str]) -> None:
    if sorted(got) != sorted(names):
        raise r.fail(
            where,
            f"names {', '.join(got)} but the criteria are {', '.join(names)}",
            "name every criterion exactly once",
        )
