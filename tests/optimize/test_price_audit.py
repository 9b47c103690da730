"""The economic audit: prices that are a dual solution pass, wrong ones are refused (exit 4)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from caspian.corridor.build import build_corridor_model
from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import prepare
from caspian.exceptions import AuditError
from caspian.network import Network
from caspian.optimize import SolverOptions, build_model, optimize
from caspian.optimize.balance import NODAL_BALANCE
from caspian.optimize.build import LinearModel
from caspian.optimize.operation import GENERATOR_P, limit_key
from caspian.optimize.price_audit import economic_audit
from caspian.optimize.results import extract_result
from caspian.optimize.solve import Solution, solve_model

LOADS = [50.0, 80.0, 100.0, 60.0]


def peak_network() -> Network:
    """One bus, four hours of load; gas to build at 100 EUR/MW and 20 EUR/MWh, load shedding at
    1,000 EUR/MWh, and a peaker at 500 EUR/MW and 10 EUR/MWh that is not worth building.

    On paper: every MW of gas up to the 100 MW peak saves at least 980 EUR of shedding for its
    100 EUR, so 100 MW are built and nothing is shed. The price is the gas's 20 EUR/MWh in the
    three hours below the peak; at the peak the capacity binds, and zero profit fixes the price:
    ``(P - 20) * 100 MW = 100 EUR/MW * 100 MW``, so ``P = 120``. The peaker would earn
    ``3 * (20 - 10) + (120 - 10) = 140`` EUR per MW at these prices, less than its 500.
    """
    n = Network("peak", snapshots=range(4))
    n.add("Bus", "A")
    n.add("Load", "load", bus="A", p_set=LOADS)
    n.add("Generator", "gas", bus="A", p_nom_extendable=True, capital_cost=100, marginal_cost=20)
    n.add("Generator", "peaker", bus="A", p_nom_extendable=True, capital_cost=500, marginal_cost=10)
    n.add("Generator", "shedding", bus="A", p_nom=1000, marginal_cost=1000)
    return n


def _solved(n: Network) -> tuple[LinearModel, Solution]:
    model = build_model(n)
    return model, solve_model(model, SolverOptions(algorithm="simplex"))


def _audit(model: LinearModel, solution: Solution) -> Any:
    return economic_audit(model, extract_result(model, solution), solution)


def _with_duals(solution: Solution, row_dual: np.ndarray, model: LinearModel) -> Solution:
    col_dual = model.lp.cost - model.lp.matrix.T @ row_dual
    return replace(solution, row_dual=row_dual, col_dual=col_dual)


def test_hand_computed_prices_and_zero_profit() -> None:
    result = optimize(peak_network())
    np.testing.assert_allclose(result.prices["A"], [20.0, 20.0, 120.0, 20.0])
    assert result.capacity("Generator")["gas"] == pytest.approx(100.0)
    audit = result.economic_audit
    assert audit is not None and audit.passed
    gas = audit.assets.loc[("Generator", "gas")]
    assert bool(gas["interior"])
    assert gas["revenue"] == pytest.approx(20 * (50 + 80 + 60) + 120 * 100)  # 15,800 EUR
    assert gas["running"] == pytest.approx(20 * sum(LOADS))  # 5,800 EUR
    assert gas["capital"] == pytest.approx(100 * 100)  # 10,000 EUR
    assert gas["profit"] == pytest.approx(0.0, abs=1e-9)
    assert audit.duality_gap_eur == pytest.approx(0.0, abs=1e-6)
    summary = result.summary()["economic_audit"]
    assert summary["passed"] is True
    assert summary["zero_profit"]["Generator/gas"]["profit_eur"] == pytest.approx(0, abs=1e-9)


def test_a_price_raised_at_the_peak_is_refused() -> None:
    """Raise the peak price by 30 EUR/MWh and the capacity limit's dual with it, so that the
    dispatch still looks optimal hour by hour: the gas plant now earns 3,000 EUR more than it
    costs, which no optimum allows."""
    model, solution = _solved(peak_network())
    y = solution.row_dual.copy()
    balance = model.lp.constraints[NODAL_BALANCE]
    limit = model.lp.constraints[limit_key(GENERATOR_P, "upper")]
    y[balance.start + 2] += 30.0
    y[limit.start + 2 * limit.shape[1] + list(limit.names).index("gas")] -= 30.0
    with pytest.raises(AuditError, match="does not break even") as error:
        _audit(model, _with_duals(solution, y, model))
    message = str(error.value)
    assert "Generator 'gas'" in message and "profit 3,000" in message
    # The capacity's reduced cost 100 - 130 is negative, with no upper bound to sit at.
    assert "not dual feasible" in message and "Generator-p_nom 'gas'" in message


def test_a_limit_dual_of_the_wrong_sign_is_refused() -> None:
    model, solution = _solved(peak_network())
    y = solution.row_dual.copy()
    limit = model.lp.constraints[limit_key(GENERATOR_P, "upper")]
    y[limit.start] = 5.0  # a <= row with a positive dual
    with pytest.raises(AuditError, match="not dual feasible"):
        _audit(model, _with_duals(solution, y, model))


def test_prices_that_make_an_unbuilt_plant_profitable_are_refused() -> None:
    """At a peak price of 700 EUR/MWh the peaker would earn 3 * 10 + 690 = 720 EUR per MW
    against its 500: no optimum leaves it unbuilt at such prices."""
    model, solution = _solved(peak_network())
    y = solution.row_dual.copy()
    balance = model.lp.constraints[NODAL_BALANCE]
    y[balance.start + 2] = 700.0
    with pytest.raises(AuditError, match="Generator 'peaker' \\(unbuilt: 720 EUR per MW"):
        _audit(model, _with_duals(solution, y, model))


def test_an_interior_point_that_fails_the_audit_is_solved_again_for_a_vertex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should an interior-point answer miss the economic audit (a small asset's profit error
    beyond tolerance), optimize asks HiGHS for the vertex of the same optimum instead of
    failing: the answer is cleaned up, not refused."""
    optimize_module = sys.modules["caspian.optimize"]
    calls: list[str] = []
    original = optimize_module.economic_audit

    def strict_once(model: LinearModel, result: Any, solution: Solution, **kw: Any) -> Any:
        calls.append(solution.stats.cleanup)
        if len(calls) == 1:
            raise AuditError("the prices failed the economic audit:\n  - made up for the test")
        return original(model, result, solution, **kw)

    monkeypatch.setattr(optimize_module, "economic_audit", strict_once)
    result = optimize(peak_network(), SolverOptions(algorithm="ipm"))
    assert calls == ["", "crossover"]
    assert result.solver.cleanup == "crossover"
    assert "failed the audit: made up for the test" in result.solver.cleanup_reason
    np.testing.assert_allclose(result.prices["A"], [20.0, 20.0, 120.0, 20.0], atol=1e-7)


def test_a_vertex_answer_that_fails_the_audit_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    optimize_module = sys.modules["caspian.optimize"]

    def refuse(*args: Any, **kw: Any) -> Any:
        raise AuditError("the prices failed the economic audit:\n  - refused")

    monkeypatch.setattr(optimize_module, "economic_audit", refuse)
    with pytest.raises(AuditError, match="refused"):
        optimize(peak_network(), SolverOptions(algorithm="simplex"))


@pytest.mark.parametrize(
    "resolution",
    [{"typical_days": 4}, {"segments": 120}],
    ids=["typical-days", "segments"],
)
def test_corridor_typical_days_and_segments_pass_the_audit(resolution: dict[str, int]) -> None:
    """Typical days weight each snapshot by how often its day occurs, segments by their hours:
    the prices (duals over those weightings) pass the same audit, every interior asset breaking
    even within the tolerance."""
    n, periods = build_corridor_model(prepare("base", **resolution), load_dataset())
    result = optimize(n, periods=periods)
    audit = result.economic_audit
    assert audit is not None and audit.passed
    assert audit.duality_gap <= 1e-6
    assert audit.assets["interior"].any()
    assert audit.max_profit_error <= 1e-5


def test_typical_day_prices_laid_over_the_calendar() -> None:
    """Each of the 365 days shows the prices of the typical day that stands for it, and the
    hours-weighted mean over the calendar is the summary's mean price."""
    n, periods = build_corridor_model(prepare("base", typical_days=4), load_dataset())
    assert periods is not None
    result = optimize(n, periods=periods)
    calendar = periods.to_calendar(result.prices)
    assert len(calendar) == periods.n_periods * periods.period_length
    assert isinstance(calendar.index, pd.DatetimeIndex)
    assert calendar.index[0] == pd.Timestamp(f"{calendar.index[0].year}-01-01")
    assert calendar.index.is_monotonic_increasing
    day = 40
    k = int(periods.sequence[day])
    L = periods.period_length
    np.testing.assert_array_equal(
        calendar.iloc[day * L : (day + 1) * L].to_numpy(), result.prices.iloc[k * L : (k + 1) * L]
    )
    step = periods.per_occurrence(n.snapshot_weightings["objective"].to_numpy(float))
    hours = step[periods.chronological_order()]
    mean = calendar.mul(hours, axis=0).sum() / hours.sum()
    pd.testing.assert_series_equal(
        mean,
        pd.Series(result.summary()["mean_price_by_bus"]),
        check_names=False,
        rtol=1e-9,
        check_index_type=False,
    )
