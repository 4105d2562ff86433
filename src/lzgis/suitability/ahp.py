"""Criterion weights from an AHP pairwise comparison matrix (Saaty's eigenvector method).

``matrix[i][j]`` says how much more important criterion ``i`` is than criterion
``j`` on Saaty's 1-9 scale (1 equal, 3 moderate, 5 strong, 7 very strong, 9
extreme; reciprocals for the reverse). The weights are the principal
eigenvector of the matrix, scaled to sum to 1. The consistency index is
``CI = (lambda_max - n) / (n - 1)`` and the consistency ratio ``CR = CI / RI``
with Saaty's random index ``RI`` for an ``n`` x ``n`` matrix (:data:`RANDOM_INDEX`,
Saaty 1980, the table printed in most AHP texts). Judgements with ``CR > 0.1``
are refused: revise the comparisons that contradict each other.

Examples
--------
>>> w, cr = ahp_weights([[1, 3], ["1/3", 1]], ["a", "b"])
>>> w.round(3).to_dict(), cr
({'a': 0.75, 'b': 0.25}, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pandas as pd

from lzgis._errors import LzgisError, ValidationError

__all__ = ["MAX_CR", "RANDOM_INDEX", "ahp_weights", "parse_judgement"]

#: Saaty's random consistency index by matrix size (n = 1..10).
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
#: Saaty's limit: a consistency ratio above this is refused.
MAX_CR = 0.1
_RECIPROCAL_RTOL = 0.02  # "1/3" typed as 0.33 passes; 0.5 against 3 does not


def parse_judgement(value: object, *, where: str = "matrix") -> float:
    """One matrix entry as a float: a positive number or a fraction string like ``"1/3"``."""
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            number = float(Fraction(value.strip()))
        elif isinstance(value, int | float):
            number = float(value)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ValidationError(
            f"{where}: entry {value!r} is not a number; expected a positive number or a "
            'fraction such as "1/3"; fix: correct the entry'
        ) from None
    if not np.isfinite(number) or number <= 0:
        raise ValidationError(
            f"{where}: entry {value!r} is not positive; expected Saaty's 1-9 scale or its "
            "reciprocals; fix: correct the entry"
        )
    return number


def _as_matrix(matrix: Sequence[Sequence[object]] | np.ndarray, names: Sequence[str]) -> np.ndarray:
    n = len(names)
    if len(set(names)) != n:
        raise ValidationError(
            f"AHP `names` repeat a name ({', '.join(names)}); fix: use unique names"
        )
    rows = [list(row) for row in matrix]
    if len(rows) != n or any(len(row) != n for row in rows):
        shape = f"{len(rows)} rows of lengths {sorted({len(r) for r in rows})}"
        raise ValidationError(
            f"AHP matrix has {shape} but there are {n} criteria ({', '.join(names)}); "
            f"expected {n} x {n}; fix: give one row and one column per criterion"
        )
    a = np.array(
        [
            [parse_judgement(v, where=f"AHP matrix row {i + 1} ({names[i]})") for v in row]
            for i, row in enumerate(rows)
        ]
    )
    for i in range(n):
        if not np.isclose(a[i, i], 1.0):
            raise ValidationError(
                f"AHP matrix: diagonal entry for {names[i]!r} is {a[i, i]:g}; expected 1 "
                "(a criterion is equal to itself); fix: set it to 1"
            )
        for j in range(i + 1, n):
            if not np.isclose(a[i, j] * a[j, i], 1.0, rtol=_RECIPROCAL_RTOL):
                raise ValidationError(
                    f"AHP matrix: {names[i]!r} vs {names[j]!r} is {a[i, j]:g} but {names[j]!r} vs "
                    f"{names[i]!r} is {a[j, i]:g}; expected reciprocals (product 1); "
                    f'fix: set the second to "1/{a[i, j]:g}" or the first to "1/{a[j, i]:g}"'
                )
    return a


def ahp_weights(
    matrix: Sequence[Sequence[object]] | np.ndarray,
    names: Sequence[str],
    *,
    max_cr: float | None = MAX_CR,
) -> tuple[pd.Series, float]:
    """Weights and consistency ratio of a pairwise comparison matrix.

    Parameters
    ----------
    matrix
        ``n`` x ``n`` positive reciprocal matrix; entries are numbers or
        fraction strings (``"1/3"``). Row ``i``, column ``j``: importance of
        ``names[i]`` over ``names[j]``.
    names
        The criteria, in matrix order.
    max_cr
        Refuse matrices whose consistency ratio exceeds this (Saaty's 0.1);
        ``None`` only reports it.

    Returns
    -------
    (pandas.Series, float)
        Weights indexed by ``names`` summing to 1, and the consistency ratio
        (0 for ``n <= 2``, which are always consistent).

    Raises
    ------
    ValidationError
        Not square, not positive, diagonal not 1, or not reciprocal.
    LzgisError
        ``CR > max_cr``.

    Examples
    --------
    A perfectly consistent matrix (a = 2b = 4c) has CR 0:

    >>> w, cr = ahp_weights([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]], ["a", "b", "c"])
    >>> w.round(4).tolist(), round(cr, 6)
    ([0.5714, 0.2857, 0.1429], 0.0)
    """
    names = [str(n) for n in names]
    a = _as_matrix(matrix, names)
    n = len(names)
    if n == 0:
        raise ValidationError("AHP matrix is empty; fix: give at least one criterion")
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    vec = np.abs(vectors[:, k].real)
    weights = pd.Series(vec / vec.sum(), index=names, name="weight")
    if n <= 2:
        cr = 0.0
    else:
        ri = RANDOM_INDEX.get(n)
        if ri is None:
            raise ValidationError(
                f"AHP matrix has {n} criteria; Saaty's random index is tabulated for up to "
                f"{max(RANDOM_INDEX)}; fix: group criteria into at most {max(RANDOM_INDEX)}"
            )
        cr = max(0.0, (lam - n) / (n - 1)) / ri
    if max_cr is not None and cr > max_cr:
        worst = _most_inconsistent(a, weights.to_numpy(), names)
        raise LzgisError(
            f"AHP consistency ratio is {cr:.3f} (lambda_max {lam:.3f}, n {n}), above Saaty's "
            f"limit {max_cr:g}; the judgements contradict each other, most of all {worst}; "
            "fix: revise the pairwise comparisons (or give the weights directly)"
        )
    return weights, cr


def _most_inconsistent(a: np.ndarray, w: np.ndarray, names: Sequence[str]) -> str:
    """The pair whose judgement strays most from the ratio of the derived weights."""
    ratio = a * w[None, :] / w[:, None]
    err = np.abs(np.log(ratio))
    flat = np.unravel_index(int(np.argmax(err)), err.shape)
    i, j = int(flat[0]), int(flat[1])
    return (
        f"{names[i]!r} vs {names[j]!r} (given {a[i, j]:.3g}, the weights imply {w[i] / w[j]:.3g})"
    )
