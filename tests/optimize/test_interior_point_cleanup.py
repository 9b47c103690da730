"""Interior-point answers that HiGHS calls optimal but that miss the audit's tolerances in the
original units are cleaned up into a vertex (``caspian.optimize.cleanup``); answers within them
are returned as they are, with no extra work.

The failing case is PyPSA's ``storage-hvdc`` example (``tests/data/pypsa/SOURCE.md``): HiPO
stalls near the optimum, HiGHS accepts its point, and a generator's output lies ``1e-4`` MW
outside its bounds, so the audit used to refuse the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import TimeLimitError
from caspian.network import Network, read_network
from caspian.optimize import OptimizationResult, SolverOptions, build_model, optimize
from caspian.optimize import solve as solve_module
from caspian.optimize.balance import NODAL_BALANCE
from caspian.optimize.cleanup import CleanUp, Violation, clean_up, worst_violation
from caspian.optimize.highs import pass_program
from caspian.optimize.options import Algorithm

STORAGE_HVDC = Path(__file__).parents[1] / "data" / "pypsa" / "storage-hvdc"
OBJECTIVE_RTOL = 1e-8
PRICE_RTOL, PRICE_ATOL = 1e-6, 1e-6
PRICE_STEP = 1e-2
"""MW by which a bus's load moves to measure the range of its price (one-sided slopes)."""
UNIQUE_WIDTH = 1e-6


@pytest.fixture(scope="module")
def storage_hvdc() -> Network:
    return read_network(STORAGE_HVDC)


@pytest.fixture(scope="module")
def simplex(storage_hvdc: Network) -> OptimizationResult:
    return optimize(storage_hvdc, SolverOptions(algorithm="simplex"))


@pytest.fixture
def no_cleanup(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Violation | None]]:
    """Fail if a clean-up runs; record what each check of a solution found."""
    found: list[Violation | None] = []

    def check(*args: Any, **kwargs: Any) -> Violation | None:
        found.append(worst_violation(*args, **kwargs))
        return found[-1]

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a clean-up ran although the answer was within tolerance")

    monkeypatch.setattr(solve_module, "worst_violation", check)
    monkeypatch.setattr(solve_module, "clean_up", refuse)
    yield found


@pytest.mark.parametrize(
    ("algorithm", "cleanup"),
    [("hipo", CleanUp.CROSSOVER), ("pdlp", CleanUp.CROSSOVER_SIMPLEX)],
)
def test_optimal_answer_outside_the_audit_tolerance_is_cleaned_up(
    storage_hvdc: Network, simplex: OptimizationResult, algorithm: str, cleanup: CleanUp
) -> None:
    # Without the clean-up, optimize raised AuditError here (a generator's bound broken by
    # about 1e-4 MW with HiPO, 1.5e-5 MW with PDLP).
    result = optimize(storage_hvdc, SolverOptions(algorithm=algorithm))
    stats = result.solver
    assert stats.cleanup == cleanup, (
        f"HiGHS {stats.highs_version} ({algorithm}) no longer misses the audit's tolerances on "
        "storage-hvdc: this test needs another network that reproduces the stall"
    )
    assert "Gas 4" in stats.cleanup_reason
    assert "violated by" in stats.cleanup_reason
    assert 0 < stats.cleanup_seconds <= stats.solve_seconds
    assert result.objective == pytest.approx(simplex.objective, rel=OBJECTIVE_RTOL)
    assert stats.objective == pytest.approx(simplex.objective, rel=OBJECTIVE_RTOL)


def test_prices_after_cleanup_match_simplex_where_unique(
    storage_hvdc: Network, simplex: OptimizationResult
) -> None:
    result = optimize(storage_hvdc, SolverOptions(algorithm="hipo"))
    assert result.solver.cleanup == CleanUp.CROSSOVER
    low, high = price_ranges(storage_hvdc)
    unique = (high - low) <= UNIQUE_WIDTH * (1 + simplex.prices.abs())
    assert unique.to_numpy().mean() > 0.9, "too few unique prices for the check to mean much"
    for prices in (result.prices, simplex.prices):
        inside = (prices >= low - PRICE_ATOL) & (prices <= high + PRICE_ATOL)
        assert inside.to_numpy().all()
    close = (result.prices - simplex.prices).abs() <= PRICE_ATOL + PRICE_RTOL * simplex.prices.abs()
    assert (close | ~unique).to_numpy().all(), result.prices.where(unique & ~close).stack()


def test_interior_point_within_tolerance_is_returned_without_cleanup(
    storage_hvdc: Network, simplex: OptimizationResult, no_cleanup: list[Violation | None]
) -> None:
    # IPX, unlike HiPO, converges here: its point is within the audit's tolerances.
    result = optimize(storage_hvdc, SolverOptions(algorithm="ipm"))
    assert no_cleanup == [None]
    stats = result.solver
    assert (stats.cleanup, stats.cleanup_reason, stats.cleanup_seconds) == ("", "", 0.0)
    assert result.objective == pytest.approx(simplex.objective, rel=1e-7)


def test_vertex_is_not_checked(storage_hvdc: Network, no_cleanup: list[Violation | None]) -> None:
    optimize(storage_hvdc, SolverOptions(algorithm="hipo", crossover=True))
    optimize(storage_hvdc, SolverOptions(algorithm="simplex"))
    assert no_cleanup == []


def test_worst_violation_uses_the_audit_tolerance_with_a_margin(storage_hvdc: Network) -> None:
    model = build_model(storage_hvdc)
    lp = model.lp
    x = solve_module.solve_model(model, SolverOptions(algorithm="simplex")).col_value
    assert worst_violation(lp, x) is None
    # A column at its lower bound of zero: the audit allows 1e-5 there, the check a tenth.
    k = int(np.flatnonzero((lp.col_lower == 0) & (x == 0))[0])
    x[k] = -5e-7
    assert worst_violation(lp, x) is None
    x[k] = -5e-6
    found = worst_violation(lp, x)
    assert found is not None
    assert (found.what, found.label) == ("bound", lp.col_label(k))
    assert found.amount == pytest.approx(5e-6)
    assert found.tolerance == pytest.approx(1e-5)
    assert str(found) == (
        f"bound {lp.col_label(k)} was violated by 5e-06 in the original units "
        "(audit tolerance 1e-05)"
    )


def test_cleanup_that_reaches_the_time_limit_raises(
    storage_hvdc: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_time(h: highspy.Highs, algorithm: Algorithm) -> tuple[CleanUp, int]:
        # HiGHS counts its time limit over all runs of one instance: the first run used it up.
        h.setOptionValue("time_limit", 1e-6)
        return clean_up(h, algorithm)

    monkeypatch.setattr(solve_module, "clean_up", out_of_time)
    with pytest.raises(TimeLimitError) as raised:
        optimize(storage_hvdc, SolverOptions(algorithm="hipo", time_limit=3600))
    message = str(raised.value)
    assert message.startswith(
        "HiGHS's hipo answer needed a clean-up (crossover) to reach a vertex because row "
        "Generator-ext-p-upper 'Gas 4' at snapshot 2015-01-01 03:00:00 was violated by "
    )
    assert message.endswith(
        "in the original units (audit tolerance 1e-05), and it reached the time limit of "
        "3600 s; no result is returned. Raise --time-limit, or solve with --crossover."
    )
    assert raised.value.status == "time_limit"


def price_ranges(n: Network) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smallest and largest optimal price at every snapshot and bus (EUR/MWh): the backward and
    forward slopes of the optimum in the bus's load, by dual simplex on the program in its
    original units, divided by the objective weighting."""
    model = build_model(n)
    lp = model.lp
    rows = lp.constraints[NODAL_BALANCE].rows()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    pass_program(h, lp.matrix, lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper)
    optimum = _optimum(h)
    slopes = []
    for sign in (-1.0, 1.0):
        slope = np.empty(rows.shape)
        for index, row in np.ndenumerate(rows):
            h.changeRowBounds(
                int(row),
                lp.row_lower[row] + sign * PRICE_STEP,
                lp.row_upper[row] + sign * PRICE_STEP,
            )
            slope[index] = sign * (_optimum(h) - optimum) / PRICE_STEP
            h.changeRowBounds(int(row), lp.row_lower[row], lp.row_upper[row])
        slopes.append(slope / n.snapshot_weightings["objective"].to_numpy()[:, None])
    low, high = (pd.DataFrame(s, index=n.snapshots, columns=n.static["Bus"].index) for s in slopes)
    return low, high


def _optimum(h: highspy.Highs) -> float:
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)
