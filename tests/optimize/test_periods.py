"""Representative periods with inter-period storage linking (Kotzur et al. 2018).

Three kinds of checks: when every original period is its own typical period the model is the
chronological one (same objective, same levels); small cases whose seasonal levels are computed
on paper; and the validation of the periods against the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import InputError
from caspian.network import Network
from caspian.optimize import RepresentativePeriods, build_model, chronological_levels
from caspian.optimize.periods import storage_hours

Solve = Callable[..., Any]
D, L = 4, 6
"""Original periods and snapshots per period of the equivalence cases."""


def identity(days: int = D, length: int = L) -> RepresentativePeriods:
    """Every original period is its own typical period: the chronological year."""
    return RepresentativePeriods(days, length, np.arange(days))


def one_bus(hours: float = 1.0, snapshots: int = D * L, seed: int = 3) -> Network:
    """Load, variable solar and gas, each at a slightly different price every hour (so the
    optimum is unique); each snapshot lasts ``hours``."""
    rng = np.random.default_rng(seed)
    n = Network("periods", snapshots=range(snapshots))
    for column in ("objective", "stores", "generators"):
        n.snapshot_weightings[column] = hours
    n.add("Bus", "b")
    n.add("Carrier", ["solar", "gas", "oil"], co2_emissions=[0.0, 0.2, 0.3])
    n.add("Load", "load", bus="b", p_set=40 + 20 * rng.random(snapshots))
    n.add(
        "Generator",
        "solar",
        bus="b",
        carrier="solar",
        p_nom=90,
        p_max_pu=rng.random(snapshots),
        marginal_cost=rng.random(snapshots),
    )
    n.add(
        "Generator",
        "gas",
        bus="b",
        carrier="gas",
        p_nom=200,
        marginal_cost=50 + rng.random(snapshots),
    )
    return n


def battery(n: Network, **attrs: Any) -> None:
    n.add(
        "StorageUnit",
        "battery",
        bus="b",
        **{
            "p_nom": 20,
            "max_hours": 4,
            "efficiency_store": 0.9,
            "efficiency_dispatch": 0.9,
            "marginal_cost": 0.1,
            **attrs,
        },
    )


def reservoir(n: Network, **attrs: Any) -> None:
    rng = np.random.default_rng(7)
    inflow = 8 * rng.random(len(n.snapshots))
    n.add(
        "StorageUnit",
        "reservoir",
        bus="b",
        **{"p_nom": 15, "max_hours": 30, "inflow": inflow, "marginal_cost": 0.5, **attrs},
    )


def store(n: Network, **attrs: Any) -> None:
    e_max_pu = np.where(np.arange(len(n.snapshots)) % 5 == 0, 0.6, 1.0)
    n.add("Store", "store", bus="b", **{"e_max_pu": e_max_pu, "e_min_pu": 0.1, **attrs})


def oil_tank(n: Network) -> None:
    """An emitting, non-cyclic store and a CO2 cap that binds (9 t per hour of snapshot
    duration): the cap counts what the tank burns, ``0.3 * (e_initial - e[end])``, so the
    final level matters."""
    n.add("Store", "tank", bus="b", carrier="oil", e_nom=300, e_initial=300, marginal_cost=20.0)
    hours = float(n.snapshot_weightings["generators"].iloc[0])
    n.add("GlobalConstraint", "co2", sense="<=", constant=9.0 * hours)


CASES: dict[str, Callable[[Network], None]] = {
    "battery cyclic": lambda n: battery(n, cyclic_state_of_charge=True),
    "battery from initial": lambda n: battery(n, state_of_charge_initial=35.0),
    "reservoir cyclic": lambda n: reservoir(n, cyclic_state_of_charge=True),
    "reservoir from initial": lambda n: reservoir(n, state_of_charge_initial=300.0),
    "extendable battery": lambda n: battery(
        n, p_nom_extendable=True, p_nom_max=40, capital_cost=60.0, cyclic_state_of_charge=True
    ),
    "extendable store, e_min_pu and e_max_pu": lambda n: store(
        n, e_nom_extendable=True, capital_cost=8.0, e_cyclic=True
    ),
    "fixed store from initial": lambda n: store(n, e_nom=150, e_initial=50),
    "emitting tank under a CO2 cap": oil_tank,
}


def solved_pair(
    solve: Solve, add: Callable[[Network], None], hours: float = 1.0
) -> tuple[Any, Any]:
    n = one_bus(hours)
    add(n)
    return solve(n), solve(n, periods=identity())


@pytest.fixture
def solve_periods() -> Solve:
    """Dual simplex, with optional representative periods."""
    from caspian.optimize import SolverOptions, optimize

    def run(n: Network, periods: RepresentativePeriods | None = None) -> Any:
        return optimize(n, SolverOptions(algorithm="simplex"), periods=periods)

    return run


# ------------------------------------------------------------------ equivalence with the year
@pytest.mark.parametrize("hours", [1.0, 2.0])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_period_its_own_typical_period_is_the_chronological_model(
    solve_periods: Solve, case: str, hours: float
) -> None:
    chronological, periods = solved_pair(solve_periods, CASES[case], hours)
    assert periods.objective == pytest.approx(chronological.objective, rel=1e-7)
    for component in ("StorageUnit", "Store"):
        np.testing.assert_allclose(
            periods.capacity(component), chronological.capacity(component), rtol=1e-7, atol=1e-6
        )
    np.testing.assert_allclose(
        periods.global_constraints["value"], chronological.global_constraints["value"], atol=1e-6
    )


def test_co2_cap_binds_in_the_tank_case(solve_periods: Solve) -> None:
    _, periods = solved_pair(solve_periods, oil_tank)
    assert periods.co2_price > 0
    burnt = 300.0 - periods.inter_period_levels("Store")["tank"].iloc[-1]
    gas = (periods.series("Generator", "p")["gas"] * 0.2).sum()
    assert 0.3 * burnt + gas == pytest.approx(9.0, rel=1e-9)


@pytest.mark.parametrize("case", ["battery cyclic", "battery from initial"])
def test_each_period_its_own_typical_period_gives_the_chronological_levels(
    solve_periods: Solve, case: str
) -> None:
    """The battery's optimum is unique (every hour has its own gas price), so the levels
    rebuilt from intra- and inter-period levels are the chronological model's."""
    chronological, periods = solved_pair(solve_periods, CASES[case])
    expected = chronological.series("StorageUnit", "state_of_charge")["battery"].to_numpy()
    rebuilt = chronological_levels(periods, "StorageUnit")["battery"].to_numpy()
    np.testing.assert_allclose(rebuilt, expected, atol=1e-6)
    # With every period its own typical period, the reported level is the true one too.
    reported = periods.series("StorageUnit", "state_of_charge")["battery"].to_numpy()
    np.testing.assert_allclose(reported, expected, atol=1e-6)
    E = periods.inter_period_levels("StorageUnit")["battery"].to_numpy()
    np.testing.assert_allclose(E[1:], expected[L - 1 :: L], atol=1e-6)


def test_standing_loss_is_approximated_from_the_safe_side(solve_periods: Solve) -> None:
    """With standing loss the bounds are enforced on ``E + x`` and ``eta_L E + x``, which
    imply the true ones: never a better optimum, and the year's levels stay within bounds."""
    chronological, periods = solved_pair(
        solve_periods, lambda n: battery(n, standing_loss=0.02, cyclic_state_of_charge=True)
    )
    assert periods.objective >= chronological.objective * (1 - 1e-9)
    assert periods.objective == pytest.approx(chronological.objective, rel=1e-2)
    year = chronological_levels(periods, "StorageUnit")["battery"]
    assert year.min() >= -1e-6 and year.max() <= 80 + 1e-6


# ---------------------------------------------------------------- typical periods on paper
def two_typical_days(sequence: list[int]) -> tuple[Network, RepresentativePeriods]:
    """Typical day 0 (surplus): 30 MW of free solar, 10 MW of load, in each of its 2 hours.
    Typical day 1 (deficit): no solar, 10 MW of load met by the battery or gas at 100 EUR/MWh.
    The battery charges at most 5 MW, holds 10 MWh, and is lossless and cyclic. Each typical
    day occurs twice; weightings are 2 x 1 h."""
    n = Network("seasons", snapshots=range(4))
    for column in ("objective", "stores", "generators"):
        n.snapshot_weightings[column] = 2.0
    n.add("Bus", "b")
    n.add("Load", "load", bus="b", p_set=10.0)
    n.add("Generator", "solar", bus="b", p_nom=30, p_max_pu=[1.0, 1.0, 0.0, 0.0])
    n.add("Generator", "gas", bus="b", p_nom=100, marginal_cost=100.0)
    n.add(
        "StorageUnit",
        "battery",
        bus="b",
        p_nom=10,
        max_hours=1,
        p_min_pu=-0.5,
        cyclic_state_of_charge=True,
    )
    return n, RepresentativePeriods(2, 2, np.array(sequence))


def test_seasonal_storage_carries_two_surplus_days_into_two_deficit_days(
    solve_periods: Solve,
) -> None:
    """Sequence surplus, surplus, deficit, deficit. Each surplus day stores c (the same c on
    both, as both are typical day 0) and each deficit day draws c: E = [E0, E0 + c, E0 + 2c,
    E0 + c, E0]. The level peaks at E0 + 2c <= 10 MWh, so c = 5 and E0 = 0: gas covers
    2 x (20 - 5) = 30 MWh, 3000 EUR."""
    n, periods = two_typical_days([0, 0, 1, 1])
    res = solve_periods(n, periods)
    assert res.objective == pytest.approx(3000.0, abs=1e-6)
    E = res.inter_period_levels("StorageUnit")["battery"]
    np.testing.assert_allclose(E, [0, 5, 10, 5, 0], atol=1e-6)
    year = chronological_levels(res, "StorageUnit")["battery"]
    assert year.index.names == ["period", "step"] and len(year) == 8
    np.testing.assert_allclose(year.xs(1, level="step"), [5, 10, 5, 0], atol=1e-6)
    # Reported levels: each typical day in its first occurrence (days 0 and 2).
    reported = res.series("StorageUnit", "state_of_charge")["battery"].to_numpy()
    np.testing.assert_allclose(reported[[1, 3]], [5, 5], atol=1e-6)


def test_alternating_days_need_no_seasonal_storage(solve_periods: Solve) -> None:
    """Sequence surplus, deficit, surplus, deficit: each surplus day stores 10 MWh (2 h x 5 MW)
    and the next day uses it, E = [0, 10, 0, 10, 0]; gas covers 2 x (20 - 10) = 20 MWh."""
    n, periods = two_typical_days([0, 1, 0, 1])
    res = solve_periods(n, periods)
    assert res.objective == pytest.approx(2000.0, abs=1e-6)
    np.testing.assert_allclose(
        res.inter_period_levels("StorageUnit")["battery"], [0, 10, 0, 10, 0], atol=1e-6
    )


def expanded(n: Network, periods: RepresentativePeriods) -> Network:
    """The chronological year the typical periods stand for (every series copied)."""
    order = periods.chronological_order()
    year = n.copy()
    year.set_snapshots(range(len(order)))
    for column in ("objective", "stores", "generators"):
        year.snapshot_weightings[column] = storage_hours(n, periods)[order]
    for component, tables in n.dynamic.items():
        for attr, table in tables.items():
            year.dynamic[component][attr] = pd.DataFrame(
                table.to_numpy()[order], index=year.snapshots, columns=table.columns
            )
    return year


def test_typical_periods_never_beat_the_year_they_stand_for(solve_periods: Solve) -> None:
    """Lossless storage: the typical-period model is the year with every occurrence of a typical
    period forced to dispatch alike, so its optimum is never cheaper; and its levels, rebuilt
    over the year, follow the flows and stay within bounds."""
    sequence = np.array([0, 1, 1, 2, 0, 2, 2, 1])
    periods = RepresentativePeriods(3, L, sequence)
    n = one_bus(snapshots=3 * L)
    counts = periods.occurrences()[periods.typical_period()]
    for column in ("objective", "stores", "generators"):
        n.snapshot_weightings[column] = counts * 1.0
    reservoir(n, cyclic_state_of_charge=True)
    store(n, e_nom=100, e_cyclic=True)
    res = solve_periods(n, periods)
    year = solve_periods(expanded(n, periods), None)
    assert res.objective >= year.objective * (1 - 1e-9)

    level = chronological_levels(res, "Store")["store"].to_numpy()
    flow = -res.series("Store", "p")["store"].to_numpy()[periods.chronological_order()]
    np.testing.assert_allclose(level - np.roll(level, 1), flow, atol=1e-6)
    e_max = np.where(np.arange(3 * L) % 5 == 0, 60.0, 100.0)[periods.chronological_order()]
    assert (level >= 10 - 1e-6).all() and (level <= e_max + 1e-6).all()


def test_ramp_limits_do_not_reach_across_typical_periods(solve_periods: Solve) -> None:
    """Gas may ramp 10 MW per hour. Load jumps from 10 to 60 MW between the two periods: in
    the chronological model that costs expensive peaking power, in typical periods (which are
    not consecutive in time) it does not; within a period the ramp limit still holds."""
    n = Network("ramps", snapshots=range(4))
    n.add("Bus", "b")
    n.add("Load", "load", bus="b", p_set=[10, 10, 60, 60])
    n.add("Generator", "gas", bus="b", p_nom=100, marginal_cost=10, ramp_limit_up=0.1)
    n.add("Generator", "peak", bus="b", p_nom=100, marginal_cost=100)
    chronological = solve_periods(n, None)
    periods = solve_periods(n, RepresentativePeriods(2, 2, np.array([0, 1])))
    # Chronological: gas 10, 10, 20, 30 MW; peak 0, 0, 40, 30 MW.
    assert chronological.objective == pytest.approx(10 * 70 + 100 * 70, abs=1e-6)
    assert periods.objective == pytest.approx(10 * (10 + 10 + 60 + 60), abs=1e-6)


def test_rows_grow_with_the_original_periods_not_their_hours() -> None:
    """Per storage component, each added original period adds its three linking rows (balance,
    upper, lower) and nothing per hour."""
    n = one_bus(snapshots=2 * L)
    battery(n, cyclic_state_of_charge=True)
    short = build_model(n, RepresentativePeriods(2, L, np.array([0, 1])))
    long = build_model(n, RepresentativePeriods(2, L, np.array([0, 1] * 50)))
    assert long.n_constraints - short.n_constraints == 3 * 98


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("periods", "message"),
    [
        (
            RepresentativePeriods(3, L, np.array([0, 1, 2])),
            r"RepresentativePeriods\.period_length: 3 typical periods of 6 snapshots make 18 "
            r"snapshots, but the network has 24\.",
        ),
        (
            RepresentativePeriods(4, L, np.array([0, 1, 4, 3])),
            r"RepresentativePeriods\.sequence: original period 2 is represented by typical "
            r"period 4, outside 0 \.\. 3\.",
        ),
        (
            RepresentativePeriods(4, L, np.array([0, 1, 1, 3])),
            r"typical period 2 represents no original period",
        ),
        (
            RepresentativePeriods(4, L, np.array([0.0, 1.0, 2.0, 3.0])),
            r"sequence: must be a non-empty one-dimensional integer array, got float64",
        ),
        (
            RepresentativePeriods(4, L, np.zeros((2, 2), dtype=int)),
            r"one-dimensional integer array, got int64 of shape \(2, 2\)",
        ),
        (
            RepresentativePeriods(4, 0, np.arange(4)),
            r"RepresentativePeriods\.period_length: must be a positive integer, got 0\.",
        ),
    ],
    ids=["length", "out of range", "unused", "float", "2-d", "zero length"],
)
def test_periods_that_do_not_fit_the_network_are_refused(
    periods: RepresentativePeriods, message: str
) -> None:
    n = one_bus()
    battery(n)
    with pytest.raises(InputError, match=message):
        build_model(n, periods)


def test_chronological_results_have_no_inter_period_levels(solve_periods: Solve) -> None:
    n = one_bus()
    battery(n)
    res = solve_periods(n, None)
    assert res.periods is None
    with pytest.raises(InputError, match="StorageUnit: has no inter-period levels"):
        res.inter_period_levels("StorageUnit")
    with pytest.raises(InputError, match="already chronological"):
        chronological_levels(res, "StorageUnit")
