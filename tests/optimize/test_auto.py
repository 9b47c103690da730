"""What ``auto`` picks, by the size of the model: one rule for HiGHS's algorithm and for Benders."""

from __future__ import annotations

import pytest

from caspian.optimize import Algorithm, SolverOptions
from caspian.optimize.auto import (
    AUTO_BENDERS_MIN_COLUMNS,
    AUTO_SIMPLEX_MAX_COLUMNS,
    ProblemSize,
    SolveChoice,
    benders_applies,
    choose_method,
)

WEEKS = 52


@pytest.mark.parametrize(
    ("columns", "blocks", "choice"),
    [
        (2_524, WEEKS, SolveChoice.SIMPLEX),  # the demo network
        (AUTO_SIMPLEX_MAX_COLUMNS, WEEKS, SolveChoice.SIMPLEX),
        (AUTO_SIMPLEX_MAX_COLUMNS + 1, WEEKS, SolveChoice.HIPO),
        (30_000, 18, SolveChoice.HIPO),  # 2 buses, 2,920 three-hour snapshots
        (191_297, WEEKS, SolveChoice.HIPO),  # the corridor's 6-hourly year
        (AUTO_BENDERS_MIN_COLUMNS - 1, WEEKS, SolveChoice.HIPO),
        (AUTO_BENDERS_MIN_COLUMNS, WEEKS, SolveChoice.BENDERS),
        (382_557, WEEKS, SolveChoice.BENDERS),  # the corridor's 3-hourly year
        (1_147_597, WEEKS, SolveChoice.BENDERS),  # the corridor's hourly year
        (AUTO_BENDERS_MIN_COLUMNS, 2, SolveChoice.BENDERS),
    ],
)
def test_the_size_decides(columns: int, blocks: int, choice: SolveChoice) -> None:
    assert choose_method(ProblemSize(columns=columns, time_blocks=blocks)) == choice


@pytest.mark.parametrize("columns", [1_000, 100_000, 1_147_597, 10_000_000])
def test_one_time_block_is_never_benders(columns: int) -> None:
    size = ProblemSize(columns=columns, time_blocks=1)
    assert not benders_applies(size)
    assert choose_method(size) != SolveChoice.BENDERS


@pytest.mark.parametrize("columns", [1_000, 1_147_597, 10_000_000])
def test_representative_periods_are_solved_whole(columns: int) -> None:
    size = ProblemSize(columns=columns, time_blocks=WEEKS, representative_periods=True)
    assert not benders_applies(size)
    expected = SolveChoice.SIMPLEX if columns <= AUTO_SIMPLEX_MAX_COLUMNS else SolveChoice.HIPO
    assert choose_method(size) == expected


@pytest.mark.parametrize(
    ("columns", "algorithm"),
    [
        (AUTO_SIMPLEX_MAX_COLUMNS, Algorithm.SIMPLEX),
        (AUTO_SIMPLEX_MAX_COLUMNS + 1, Algorithm.HIPO),
        (10 * AUTO_BENDERS_MIN_COLUMNS, Algorithm.HIPO),  # HiGHS alone never decomposes
    ],
)
def test_solver_options_resolve_by_the_same_rule(columns: int, algorithm: Algorithm) -> None:
    assert SolverOptions().resolved(columns).algorithm == algorithm
    assert SolverOptions(algorithm="ipm").resolved(columns).algorithm == Algorithm.IPM
