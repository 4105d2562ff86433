"""AHP weights and consistency ratio against published examples and consistent matrices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lzgis._errors import LzgisError, ValidationError
from lzgis.suitability.ahp import RANDOM_INDEX, ahp_weights

# Saaty, T. L. (1990) "How to make a decision: The analytic hierarchy process",
# European Journal of Operational Research 48, 9-26: the house-buying example.
# Criteria: size of house, transportation, neighbourhood, age of house, yard
# space, modern facilities, general condition, financing. The paper prints the
# priorities .173 .054 .188 .018 .031 .036 .167 .333 with lambda_max = 9.669,
# C.I. = 0.238 and C.R. = 0.169 (the same judgements appear as the
# "Incomplete Housing" test data of the AHPy package, PhilipGriffith/AHPy).
HOUSE_NAMES = [
    "size",
    "transport",
    "neighbourhood",
    "age",
    "yard",
    "modern",
    "condition",
    "finance",
]
HOUSE = [
    [1, 5, 3, 7, 6, 6, "1/3", "1/4"],
    ["1/5", 1, "1/3", 5, 3, 3, "1/5", "1/7"],
    ["1/3", 3, 1, 6, 3, 4, 6, "1/5"],
    ["1/7", "1/5", "1/6", 1, "1/3", "1/4", "1/7", "1/8"],
    ["1/6", "1/3", "1/3", 3, 1, "1/2", "1/5", "1/6"],
    ["1/6", "1/3", "1/4", 4, 2, 1, "1/5", "1/6"],
    [3, 5, "1/6", 7, 5, 5, 1, "1/2"],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_PUBLISHED = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# Wikipedia, "Analytic hierarchy process - leader example": criteria
# experience, education, charisma, age weighted .547, .127, .270, .056.
LEADER_NAMES = ["experience", "education", "charisma", "age"]
LEADER = [
    [1, 4, 3, 7],
    ["1/4", 1, "1/3", 3],
    ["1/3", 3, 1, 5],
    ["1/7", "1/3", "1/5", 1],
]


def test_saaty_house_example_gives_the_published_weights_and_cr() -> None:
    weights, cr = ahp_weights(HOUSE, HOUSE_NAMES, max_cr=None)
    assert list(weights.index) == HOUSE_NAMES
    np.testing.assert_allclose(weights.to_numpy(), HOUSE_PUBLISHED, atol=0.0006)
    assert cr == pytest.approx(0.169, abs=0.0006)
    # CR = CI / RI with RI(8) = 1.41 and the published CI 0.238
    assert cr * RANDOM_INDEX[8] == pytest.approx(0.238, abs=0.0006)


def test_saaty_house_example_is_refused_with_the_cr_and_the_fix() -> None:
    with pytest.raises(LzgisError, match=r"consistency ratio is 0\.169") as info:
        ahp_weights(HOUSE, HOUSE_NAMES)
    msg = str(info.value)
    assert "fix:" in msg and "\n" not in msg and "0.1" in msg


def test_leader_example_gives_the_published_weights_and_passes() -> None:
    weights, cr = ahp_weights(LEADER, LEADER_NAMES)
    np.testing.assert_allclose(weights.to_numpy(), [0.547, 0.127, 0.270, 0.056], atol=0.0006)
    assert 0 < cr < 0.1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.05, max_value=20.0), min_size=3, max_size=10))
def test_consistent_matrix_recovers_its_weights_with_cr_zero(raw: list[float]) -> None:
    w = np.array(raw) / np.sum(raw)
    matrix = w[:, None] / w[None, :]
    names = [f"c{i}" for i in range(len(w))]
    weights, cr = ahp_weights(matrix, names)
    np.testing.assert_allclose(weights.to_numpy(), w, rtol=1e-6)
    assert abs(cr) < 1e-9


def test_two_criteria_are_always_consistent() -> None:
    weights, cr = ahp_weights([[1, 3], ["1/3", 1]], ["a", "b"])
    assert weights.to_dict() == pytest.approx({"a": 0.75, "b": 0.25})
    assert cr == 0.0


@pytest.mark.parametrize(
    ("matrix", "pattern"),
    [
        ([[1, 3], [3, 1]], "expected reciprocals"),
        ([[1, -3], ["-1/3", 1]], "not positive"),
        ([[1, "three"], ["1/3", 1]], "not a number"),
        ([[2, 3], ["1/3", 1]], "diagonal"),
        ([[1, 3, 2], ["1/3", 1]], r"expected 2 x 2"),
    ],
)
def test_bad_matrices_are_refused_with_one_line(matrix: list[list[object]], pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern) as info:
        ahp_weights(matrix, ["a", "b"])
    assert "\n" not in str(info.value) and "fix:" in str(info.value)
