"""Coefficient ranges and the exact rescaling of the linear program (conditioning.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from caspian.network import Network
from caspian.network.examples import demo_network
from caspian.network.synthetic import synthetic_network
from caspian.optimize import SolverOptions, build_model
from caspian.optimize.assembly import ConstraintKey, LinearProgram, ModelBuilder, VariableKey
from caspian.optimize.conditioning import (
    Coefficient,
    Extreme,
    ValueRange,
    problem_ranges,
    scale_program,
)
from caspian.optimize.results import extract_result
from caspian.optimize.solve import Solution, solve_model

from .test_hand_computed import triangle

Solve = Callable[..., Any]


def hand_built() -> LinearProgram:
    """Two snapshots, two generators and a capacity; every kind of number placed on purpose.

    Columns: ``Generator-p`` (2 x 2, bounds [0, 0.02] and [0, 3e6], costs 5 and 0) and
    ``Generator-p_nom`` (bounds [0, inf], cost 2e5). Rows: a balance ``p_a + p_b = 400, 9000``
    and limits ``p_b - 0.001 P <= 0``.
    """
    b = ModelBuilder(pd.Index([10, 11], name="snapshot"))
    gens = pd.Index(["a", "b"])
    p = b.add_variables(
        VariableKey("Generator", "p"), gens, 0.0, np.array([0.02, 3e6]), cost=np.array([5.0, 0.0])
    )
    cap = b.add_variables(
        VariableKey("Generator", "p_nom"), pd.Index(["b"]), 0.0, np.inf, time_indexed=False
    )
    b.add_cost(cap, 2e5)
    load = np.array([[400.0], [9000.0]])
    balance = b.add_constraints(
        ConstraintKey("Bus", "nodal_balance"), pd.Index(["bus"]), load, load
    )
    b.add_terms(balance.rows(), p.columns()[:, [0]], 1.0)
    b.add_terms(balance.rows(), p.columns()[:, [1]], 1.0)
    limit = b.add_constraints(
        ConstraintKey("Generator", "ext-p-upper"), pd.Index(["b"]), -np.inf, 0.0
    )
    b.add_terms(limit.rows(), p.columns()[:, [1]], 1.0)
    b.add_terms(limit.rows(), np.full((2, 1), cap.start), np.array([[-0.001], [-0.5]]))
    return b.finish()


# ------------------------------------------------------------------------------- ranges
def extremes(r: ValueRange) -> tuple[Extreme, Extreme]:
    assert r.smallest is not None and r.largest is not None
    return r.smallest, r.largest


def test_ranges_of_a_hand_built_program() -> None:
    ranges = problem_ranges(hand_built())
    low, high = extremes(ranges.matrix)
    assert (low.value, high.value) == (0.001, 1.0)
    assert low.block == "Generator-ext-p-upper x Generator-p_nom"
    assert low.entry == ("row Generator-ext-p-upper 'b' at snapshot 10, column Generator-p_nom 'b'")
    # zero costs, zero bounds and infinite bounds take no part, as in HiGHS
    low, high = extremes(ranges.cost)
    assert (low.value, high.value, ranges.cost.count) == (5.0, 2e5, 3)
    assert (low.block, high.block) == ("Generator-p", "Generator-p_nom")
    low, high = extremes(ranges.bound)
    assert (low.value, high.value, ranges.bound.count) == (0.02, 3e6, 4)
    assert high.entry == "Generator-p 'b' at snapshot 10"
    low, high = extremes(ranges.rhs)
    assert (low.value, high.value, ranges.rhs.count) == (400.0, 9000.0, 4)
    assert ranges.rhs.kind is Coefficient.RHS and ranges.rhs.ratio == 22.5
    assert ranges.overall == (0.001, 3e6)
    text = str(ranges)
    assert "  Matrix  [1e-03, 1e+00]  ratio 1.0e+03" in text
    assert "  Bound   [2e-02, 3e+06]" in text and "  All     [1e-03, 3e+06]" in text
    assert "max 3e+06 in Generator-p: Generator-p 'b' at snapshot 10" in text


def test_ranges_of_an_empty_kind_print_as_highs_does() -> None:
    b = ModelBuilder(pd.Index([0]))
    b.add_variables(VariableKey("Generator", "p"), pd.Index(["g"]), 0.0, np.inf)
    ranges = problem_ranges(b.finish())
    assert ranges.cost.smallest is None and ranges.cost.count == 0
    assert ranges.cost.bracket() == "[0e+00, 0e+00]" and ranges.cost.ratio == 1.0
    assert ranges.overall == (0.0, 0.0)


def _highs_ranges(model: Any, options: SolverOptions, log: Path) -> list[str]:
    """The four "Coefficient ranges" lines HiGHS writes to its log for ``model``."""
    extra = {"log_file": str(log), "output_flag": True, "time_limit": 1e-3}
    h = model.to_highs(
        SolverOptions(algorithm=options.algorithm, scaling=options.scaling, extra=extra)
    )
    h.run()
    text = log.read_text().splitlines()
    start = text.index("Coefficient ranges:")
    return [line.rstrip() for line in text[start + 1 : start + 5]]


@pytest.mark.parametrize("scaling", [False, True])
def test_ranges_match_highs_log(tmp_path: Path, scaling: bool) -> None:
    model = build_model(synthetic_network(4, 24))
    lp = scale_program(model.lp).lp if scaling else model.lp
    ours = problem_ranges(lp).lines(where=False)[1:5]
    logged = _highs_ranges(
        model, SolverOptions(algorithm="simplex", scaling=scaling), tmp_path / "h.log"
    )
    assert [line.split("  ratio")[0] for line in ours] == logged


# ------------------------------------------------------------------------------ scaling
def _powers_of_two(values: np.ndarray) -> bool:
    mantissa, _ = np.frexp(values)
    return bool(np.all(mantissa == 0.5))


def test_unscale_of_scale_is_the_identity() -> None:
    lp = build_model(demo_network(hours=48)).lp
    scaled = scale_program(lp)
    assert _powers_of_two(scaled.row_scale) and _powers_of_two(scaled.col_scale)
    assert _powers_of_two(np.array([scaled.cost_scale, scaled.bound_scale]))
    back = scaled.restore()
    for attr in ("cost", "col_lower", "col_upper", "row_lower", "row_upper"):
        np.testing.assert_array_equal(getattr(back, attr), getattr(lp, attr), err_msg=attr)
    np.testing.assert_array_equal(back.matrix.data, lp.matrix.data)
    np.testing.assert_array_equal(back.matrix.indices, lp.matrix.indices)

    rng = np.random.default_rng(0)
    x = rng.standard_normal(lp.n_variables) * 1e3
    y = rng.standard_normal(lp.n_constraints) * 1e2
    s, r = scaled.col_scale, scaled.row_scale
    sigma, beta = scaled.cost_scale, scaled.bound_scale
    assert np.array_equal(scaled.unscale_col_value(x * beta / s), x)
    assert np.array_equal(scaled.unscale_col_dual(x * s * sigma), x)
    assert np.array_equal(scaled.unscale_row_value(y * r * beta), y)
    assert np.array_equal(scaled.unscale_row_dual(y * sigma / r), y)
    # the maps are consistent with the scaled matrix: A' x' = beta R A x
    np.testing.assert_allclose(
        scaled.lp.matrix @ (x * beta / s), beta * r * (lp.matrix @ x), rtol=1e-12, atol=1e-9
    )
    assert scaled.unscale_objective(float(scaled.lp.cost @ (x * beta / s))) == pytest.approx(
        float(lp.cost @ x), rel=1e-12
    )


def test_scaling_brings_every_number_near_one() -> None:
    lp = build_model(synthetic_network(5, 48)).lp
    before = problem_ranges(lp)
    after = problem_ranges(scale_program(lp).lp)
    low, high = after.overall
    assert high / low < before.overall[1] / before.overall[0] / 1e3
    assert low < 1 < high
    # the scaled program does not need HiGHS's warnings about large bounds or costs
    assert extremes(after.bound)[1].value < 1e6 and extremes(after.cost)[1].value < 1e6


@pytest.mark.parametrize(("cost_factor", "bound_factor"), [(2.0**10, 1.0), (2.0**-7, 2.0**12)])
def test_highs_sees_the_same_program_whatever_the_units(
    cost_factor: float, bound_factor: float
) -> None:
    """Costs in EUR or kEUR, energy in MWh or GWh: up to powers of two the scaled program, the
    one HiGHS solves, is bit for bit the same (only sigma and beta change)."""
    lp = build_model(synthetic_network(6, 48, seed=3)).lp
    other = dataclasses.replace(
        lp,
        cost=lp.cost * cost_factor,
        col_lower=lp.col_lower * bound_factor,
        col_upper=lp.col_upper * bound_factor,
        row_lower=lp.row_lower * bound_factor,
        row_upper=lp.row_upper * bound_factor,
    )
    a, b = scale_program(lp), scale_program(other)
    for attr in ("cost", "col_lower", "col_upper", "row_lower", "row_upper"):
        np.testing.assert_array_equal(getattr(a.lp, attr), getattr(b.lp, attr), err_msg=attr)
    np.testing.assert_array_equal(a.lp.matrix.data, b.lp.matrix.data)
    assert a.cost_scale == b.cost_scale * cost_factor
    assert a.bound_scale == b.bound_scale * bound_factor


def test_scaling_keeps_infinite_and_zero_entries() -> None:
    b = ModelBuilder(pd.Index([0]))
    b.add_variables(VariableKey("Store", "p"), pd.Index(["s"]), -np.inf, 1e25, time_indexed=False)
    b.add_variables(VariableKey("Store", "e"), pd.Index(["s"]), 0.0, 10.0, time_indexed=False)
    b.add_constraints(ConstraintKey("Bus", "empty"), pd.Index(["x"]), -np.inf, np.inf, shape=(1,))
    lp = b.finish()
    scaled = scale_program(lp)
    assert scaled.lp.col_lower[0] == -np.inf and scaled.lp.col_upper[0] == np.inf
    assert scaled.lp.col_lower[1] == 0.0 and np.isinf(scaled.lp.row_upper[0])
    assert np.all(scaled.row_scale == 1.0)  # a row with no numbers keeps its units


# ------------------------------------------------------- scaled and unscaled solves agree
NETWORKS: dict[str, Callable[[], Network]] = {
    "demo": lambda: demo_network(hours=48),
    "synthetic": lambda: synthetic_network(6, 48, seed=3),
}


def _assert_optimal_pair(lp: LinearProgram, solution: Solution, objective: float) -> None:
    """``solution`` (in original units) is an optimal primal-dual pair of ``lp``: feasible,
    ``c = A^T y + z`` (HiGHS's signs), and the primal objective ``objective``."""
    x, y, z = solution.col_value, solution.row_dual, solution.col_dual
    flow = 1.0 + np.abs(x).max()
    np.testing.assert_allclose(solution.row_value, lp.matrix @ x, rtol=0, atol=1e-9 * flow)
    slack = 1e-6 * flow
    assert np.all(x >= lp.col_lower - slack) and np.all(x <= lp.col_upper + slack)
    row = solution.row_value
    assert np.all(row >= lp.row_lower - slack) and np.all(row <= lp.row_upper + slack)
    cost = 1.0 + np.abs(lp.cost).max()
    np.testing.assert_allclose(lp.matrix.T @ y + z, lp.cost, rtol=0, atol=1e-6 * cost)
    assert float(lp.cost @ x) == pytest.approx(objective, rel=1e-7)


@pytest.mark.parametrize("algorithm", ["simplex", "hipo"])
@pytest.mark.parametrize("name", list(NETWORKS))
def test_scaled_solve_is_an_optimum_of_the_original(name: str, algorithm: str) -> None:
    """Objective and prices as without scaling; dispatch and the other duals may differ where
    the optimum is not unique, so the unscaled answer is checked as an optimum of the original
    program instead."""
    model = build_model(NETWORKS[name]())
    plain = solve_model(model, SolverOptions(algorithm=algorithm, scaling=False))
    scaled = solve_model(model, SolverOptions(algorithm=algorithm, scaling=True))
    objective = plain.stats.objective
    assert scaled.stats.objective == pytest.approx(objective, rel=1e-7)
    _assert_optimal_pair(model.lp, scaled, objective)

    rp, rs = extract_result(model, plain), extract_result(model, scaled)
    assert rs.objective == pytest.approx(rp.objective, rel=1e-7)
    price_scale = 1.0 + float(np.abs(rp.prices.to_numpy()).max())
    np.testing.assert_allclose(rs.prices, rp.prices, rtol=0, atol=1e-6 * price_scale)
    np.testing.assert_allclose(rs.co2_price, rp.co2_price, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("algorithm", ["simplex", "hipo"])
def test_scaled_and_unscaled_solves_agree_where_the_optimum_is_unique(algorithm: str) -> None:
    """The congested triangle of test_hand_computed: one optimal vertex, non-degenerate, so
    its dispatch, row duals and reduced costs are unique (prices 10, 50, 90 EUR/MWh)."""
    model = build_model(triangle(s_nom_13=150))
    plain = solve_model(model, SolverOptions(algorithm=algorithm, scaling=False))
    scaled = solve_model(model, SolverOptions(algorithm=algorithm, scaling=True))
    for attr in ("col_value", "row_value", "row_dual", "col_dual"):
        np.testing.assert_allclose(
            getattr(scaled, attr), getattr(plain, attr), rtol=1e-7, atol=1e-6, err_msg=attr
        )
    prices = extract_result(model, scaled).prices
    np.testing.assert_allclose(prices[["1", "2", "3"]], [[10, 50, 90]], rtol=1e-7)


def test_optimize_returns_original_units_with_scaling(solve: Solve) -> None:
    """A one-bus case on paper: 100 MW of load, the cheap plant (10 EUR/MWh) has 60 MW, the
    dear one (50 EUR/MWh) the rest, so the price is 50 and the cost 60*10 + 40*50 per hour."""
    n = Network("paper", snapshots=range(3))
    n.add("Bus", "b")
    n.add("Generator", ["cheap", "dear"], bus="b", p_nom=[60.0, 1e7], marginal_cost=[10.0, 50.0])
    n.add("Load", "load", bus="b", p_set=100.0)
    for scaling in (False, True):
        result = solve(n, scaling=scaling)
        assert result.objective == pytest.approx(3 * (600 + 2000), rel=1e-12)
        np.testing.assert_allclose(result.prices.to_numpy(), 50.0, rtol=1e-12)
        np.testing.assert_allclose(
            result.series("Generator", "p").to_numpy(), [[60, 40]] * 3, rtol=1e-12
        )
