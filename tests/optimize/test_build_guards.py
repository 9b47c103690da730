"""The hand-over to HiGHS: what HiGHS cannot take is a project error naming where it is."""

from __future__ import annotations

import numpy as np
import pytest

from caspian.exceptions import InputError, SolverError
from caspian.network import Network
from caspian.optimize import optimize
from caspian.optimize.build import build_model


def one_bus(p_set: float = 50.0, marginal_cost: float = 10.0) -> Network:
    n = Network("one bus", snapshots=range(2))
    n.add("Bus", "a")
    n.add("Generator", "g", bus="a", p_nom=100, marginal_cost=marginal_cost)
    n.add("Load", "l", bus="a", p_set=p_set)
    return n


def test_an_empty_network_is_bad_input_not_a_solver_status() -> None:
    with pytest.raises(InputError, match="the network is empty: it has no buses, so there is "):
        optimize(Network("empty"))


def test_buses_alone_leave_nothing_to_optimise() -> None:
    n = Network("buses", snapshots=range(2))
    n.add("Bus", ["a", "b"])
    with pytest.raises(InputError) as error:
        optimize(n)
    assert str(error.value).startswith(
        "the network has 2 buses but no generator, line, link, storage unit or store, so there "
        "is nothing to optimise."
    )


def test_a_cost_times_its_weighting_beyond_highs_infinity_is_named() -> None:
    n = one_bus(marginal_cost=1e15)  # allowed alone; 1e15 EUR/MWh x 1e6 h is not
    n.snapshot_weightings["objective"] = 1e6
    with pytest.raises(InputError) as error:
        optimize(n)
    assert str(error.value).startswith(
        "the model cannot be handed to HiGHS: costs not finite or beyond ±1e+20: Generator-p "
        "'g' at snapshot 0 = 1e+21, Generator-p 'g' at snapshot 1 = 1e+21."
    )


def test_what_validation_would_refuse_is_still_caught_at_the_hand_over() -> None:
    model = build_model(one_bus(p_set=1e30), check=False)
    expected = r"lower bounds of 1e\+20 or more \(or NaN\): Bus-nodal_balance 'a' at snapshot 0"
    with pytest.raises(InputError, match=expected):
        model.hand_over()


def test_program_problems_names_nan_coefficients_and_counts_the_rest() -> None:
    from caspian.optimize.highs import program_problems

    model = build_model(one_bus(), check=False)
    lp = model.lp
    lp.matrix.data[:] = np.nan
    lp.cost[:] = np.inf
    found = program_problems(lp, shown=1)
    assert (
        found[0]
        == "costs not finite or beyond ±1e+20: Generator-p 'g' at snapshot 0 = inf and 1 more"
    )
    assert found[-1].startswith("coefficients not finite or beyond ±1e+15: Bus-nodal_balance 'a'")


def test_a_rejection_by_highs_is_a_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from caspian.optimize import highs

    model = build_model(one_bus())
    monkeypatch.setattr(highs, "_pass_model", lambda h, lp: False)
    with pytest.raises(SolverError) as error:
        model.hand_over()
    assert error.value.status == "rejected"
    assert "HiGHS rejected the model (passModel returned an error)" in str(error.value)
