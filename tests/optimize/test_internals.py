"""Unit tests of the optimiser's parts: cycle basis, options, audit, result writing."""

from __future__ import annotations

import numpy as np
import pytest

from caspian.exceptions import AuditError, InputError
from caspian.network.examples import demo_network
from caspian.optimize import SolverOptions, build_model
from caspian.optimize.audit import audit
from caspian.optimize.export import write_result
from caspian.optimize.operation import GENERATOR_P
from caspian.optimize.results import extract_result
from caspian.optimize.solve import solve_model
from caspian.optimize.topology import cycle_basis


def test_cycle_basis_closes_every_cycle() -> None:
    # A 4-bus ring with a chord and a parallel line: 6 lines, 4 buses, 1 component -> 3 cycles.
    bus0 = np.array([0, 1, 2, 3, 0, 0])
    bus1 = np.array([1, 2, 3, 0, 2, 1])
    basis = cycle_basis(4, bus0, bus1)
    assert basis.n_cycles == len(bus0) - 4 + 1
    for c in range(basis.n_cycles):
        on = basis.cycle == c
        net = np.zeros(4)
        np.add.at(net, bus0[basis.line[on]], -basis.sign[on])
        np.add.at(net, bus1[basis.line[on]], basis.sign[on])
        assert np.allclose(net, 0), f"cycle {c} does not close"
    # independent: the signed line-cycle matrix has full column rank
    matrix = np.zeros((len(bus0), basis.n_cycles))
    matrix[basis.line, basis.cycle] = basis.sign
    assert np.linalg.matrix_rank(matrix) == basis.n_cycles


def test_cycle_basis_of_a_forest_is_empty() -> None:
    basis = cycle_basis(5, np.array([0, 1, 3]), np.array([1, 2, 4]))
    assert basis.n_cycles == 0


def test_solver_options_validation() -> None:
    with pytest.raises(InputError, match="unknown algorithm 'cplex'"):
        SolverOptions(algorithm="cplex")
    with pytest.raises(InputError, match="time_limit must be positive"):
        SolverOptions(time_limit=0)
    assert SolverOptions().resolved(100).algorithm == "simplex"
    assert SolverOptions().resolved(10**6).algorithm == "hipo"
    opts = SolverOptions(algorithm="hipo", crossover=True, threads=2, time_limit=5).highs_options()
    assert opts["solver"] == "hipo" and opts["run_crossover"] == "on"
    assert opts["threads"] == 2 and opts["time_limit"] == 5.0
    assert SolverOptions(algorithm="ipm").highs_options()["solver"] == "ipx"


def test_audit_rejects_a_corrupted_solution() -> None:
    model = build_model(demo_network(hours=24))
    solution = solve_model(model, SolverOptions(algorithm="simplex"))
    result = extract_result(model, solution)
    audit(model, result, solution.col_value)  # the real solution passes

    x = solution.col_value.copy()
    gens = model.lp.variables[GENERATOR_P]
    x[gens.start + 5] += 50.0  # 50 MW appear from nowhere
    broken = extract_result(
        model,
        type(solution)(x, solution.col_dual, solution.row_value, solution.row_dual, solution.stats),
    )
    with pytest.raises(AuditError, match="energy balance"):
        audit(model, broken, x)


def test_write_result_never_overwrites_silently(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from caspian.optimize import optimize

    result = optimize(demo_network(hours=12))
    out = write_result(result, tmp_path / "r")
    before = (out / "summary.json").read_text()
    with pytest.raises(InputError, match="already exists"):
        write_result(result, out)
    assert (out / "summary.json").read_text() == before
    write_result(result, out, overwrite=True, table_format="parquet")
    assert (out / "generators-p.parquet").exists()
    assert not any(p.name.startswith(".r.") for p in tmp_path.iterdir())


def test_line_and_link_shadow_prices_equal_the_price_spread() -> None:
    """Radial two-bus cases: the limit's shadow price is the price difference across it."""
    from caspian import Network, optimize

    for component, extendable in (("Line", False), ("Line", True), ("Link", False)):
        n = Network("radial", snapshots=range(2))
        n.snapshot_weightings["objective"] = 2.0
        n.add("Bus", ["a", "b"])
        n.add("Generator", "cheap", bus="a", p_nom=500, marginal_cost=10)
        n.add("Generator", "dear", bus="b", p_nom=500, marginal_cost=50)
        n.add("Load", "l", bus="b", p_set=[50, 200])
        if component == "Line":
            n.add(
                "Line",
                "ab",
                bus0="a",
                bus1="b",
                x=0.1,
                s_nom=100,
                s_nom_extendable=extendable,
                s_nom_max=100,
                capital_cost=1.0,
            )
        else:
            n.add("Link", "ab", bus0="a", bus1="b", p_nom=100)
        result = optimize(n, SolverOptions(algorithm="simplex"))
        spread = result.prices["b"] - result.prices["a"]
        assert spread.tolist() == pytest.approx([0.0, 40.0])
        assert result.shadow_price(component, "upper")["ab"].tolist() == pytest.approx([0.0, 40.0])
        assert result.shadow_price(component, "lower")["ab"].tolist() == pytest.approx([0.0, 0.0])
