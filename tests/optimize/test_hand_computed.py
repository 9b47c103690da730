"""Small networks whose optimum is computed on paper.

Each test builds a network with caspian-grid's own API, states the derivation of its optimum in
the docstring, and checks objective, dispatch and prices to 1e-6. Every case is built so that
the optimum is unique (no ties in cost, no constraint binding by coincidence), so prices and
dispatch can be compared exactly. PyPSA 1.4 gives the same numbers for every case it can
express (all but the caspian-only bidirectional link).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import InfeasibleError, InputError, UnboundedError
from caspian.network import Network

Solve = Callable[..., Any]
ATOL = 1e-6


def assert_values(actual: pd.DataFrame | pd.Series, expected: Sequence[Any] | float) -> None:
    """Compare a result table (in its own order of rows and columns) with numbers on paper."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=0, atol=ATOL
    )


def one_bus(hours: int) -> Network:
    n = Network("one bus", snapshots=range(hours))
    n.add("Bus", "b")
    return n


# ------------------------------------------------------------------------- KVL and prices
def triangle(s_nom_13: float) -> Network:
    """Buses 1, 2, 3; lines 1-2, 2-3, 1-3 with equal reactance; cheap generation at 1 (10
    EUR/MWh), expensive at 2 (50 EUR/MWh), 300 MW of load at 3."""
    n = Network("triangle")
    n.add("Bus", ["1", "2", "3"], v_nom=380)
    n.add(
        "Line",
        ["1-2", "2-3", "1-3"],
        bus0=["1", "2", "1"],
        bus1=["2", "3", "3"],
        x=10.0,
        s_nom=[1000, 1000, s_nom_13],
    )
    n.add("Generator", "cheap", bus="1", p_nom=1000, marginal_cost=10)
    n.add("Generator", "dear", bus="2", p_nom=1000, marginal_cost=50)
    n.add("Load", "load", bus="3", p_set=300)
    return n


def test_triangle_flows_split_two_thirds_one_third(solve: Solve) -> None:
    """Uncongested: all 300 MW come from 'cheap' at bus 1.

    The direct path 1-3 has reactance x, the indirect 1-2-3 has 2x, so by KVL the direct path
    carries 2/3 and the indirect 1/3: f(1-3) = 200, f(1-2) = f(2-3) = 100. Price 10 everywhere,
    objective 300 * 10 = 3000.
    """
    res = solve(triangle(s_nom_13=1000))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(3000, abs=ATOL)
    assert_values(res.series("Generator", "p")[["cheap", "dear"]], [[300, 0]])
    assert_values(res.series("Line", "p0")[["1-2", "2-3", "1-3"]], [[100, 100, 200]])
    assert_values(res.prices[["1", "2", "3"]], [[10, 10, 10]])


def test_triangle_congestion_sets_load_price_above_both_costs(solve: Solve) -> None:
    """Line 1-3 limited to 150 MW.

    With a = output at 1 and b = output at 2 (PTDFs towards bus 3: an injection at 1 puts 2/3
    on 1-3, one at 2 puts 1/3 on 1-3):
        f(1-3) = 2a/3 + b/3 = 150,  a + b = 300  =>  a = 150, b = 150,
        f(1-2) = a/3 - b/3 = 0,  f(2-3) = a/3 + 2b/3 = 150.
    Objective 150 * 10 + 150 * 50 = 9000. Prices: 10 at bus 1, 50 at bus 2. One more MW at bus 3
    must keep f(1-3) at 150: da + db = 1 and 2 da + db = 0, so da = -1, db = +2 and the price at
    bus 3 is 2 * 50 - 10 = 90 EUR/MWh, above both marginal costs.
    """
    res = solve(triangle(s_nom_13=150))
    assert res.objective == pytest.approx(9000, abs=ATOL)
    assert_values(res.series("Generator", "p")[["cheap", "dear"]], [[150, 150]])
    assert_values(res.series("Line", "p0")[["1-2", "2-3", "1-3"]], [[0, 150, 150]])
    assert_values(res.prices[["1", "2", "3"]], [[10, 50, 90]])


# -------------------------------------------------------------------------------- storage
def arbitrage(**storage: Any) -> Network:
    """One bus, 100 MW of load, a 200 MW generator whose cost is 10, 50, 20, 60 EUR/MWh, and
    a StorageUnit of 50 MW, 0.5 h (25 MWh), 90 % efficient each way."""
    n = one_bus(4)
    n.add("Generator", "g", bus="b", p_nom=200, marginal_cost=[10, 50, 20, 60])
    n.add("Load", "load", bus="b", p_set=100)
    n.add(
        "StorageUnit",
        "su",
        bus="b",
        p_nom=50,
        max_hours=0.5,
        efficiency_store=0.9,
        efficiency_dispatch=0.9,
        **storage,
    )
    return n


def test_storage_unit_cyclic_arbitrage(solve: Solve) -> None:
    """p_nom 50 MW, max_hours 0.5 (25 MWh), efficiencies 0.9 in and out, cyclic.

    Charging at 10 and selling at 50 (and at 20 -> 60) pays even at 81 % round trip, so the
    unit fills its 25 MWh in the cheap hours (charging 25 / 0.9 = 250/9 MW, below the 50 MW
    limit) and empties in the dear ones (discharging 25 * 0.9 = 22.5 MW). Any energy carried
    round the cycle would displace charging at 10 and discharging at 60, so the cycle starts
    empty: state of charge 25, 0, 25, 0. The generator stays marginal in every hour, so the
    prices are its costs. Generation 100 + 250/9, 77.5, 100 + 250/9, 77.5;
    objective (10 + 20) (100 + 250/9) + (50 + 60) 77.5 = 12358.333...
    """
    res = solve(arbitrage(cyclic_state_of_charge=True))
    charge = 250 / 9
    assert res.objective == pytest.approx(30 * (100 + charge) + 110 * 77.5, abs=ATOL)
    assert_values(res.series("StorageUnit", "state_of_charge")["su"], [25, 0, 25, 0])
    assert_values(res.series("StorageUnit", "p_store")["su"], [charge, 0, charge, 0])
    assert_values(res.series("StorageUnit", "p_dispatch")["su"], [0, 22.5, 0, 22.5])
    assert_values(res.series("StorageUnit", "p")["su"], [-charge, 22.5, -charge, 22.5])
    assert_values(res.series("Generator", "p")["g"], [100 + charge, 77.5, 100 + charge, 77.5])
    assert_values(res.prices["b"], [10, 50, 20, 60])


def test_storage_unit_with_initial_state(solve: Solve) -> None:
    """As the cyclic case but not cyclic, starting with 20 MWh.

    The unit tops up by 5 MWh in hour 0 (5 / 0.9 = 50/9 MW) and otherwise behaves as before;
    it ends empty since energy left at the end is worth nothing. State of charge 25, 0, 25, 0;
    objective 10 (100 + 50/9) + 20 (100 + 250/9) + 110 * 77.5 = 12136.111...
    """
    res = solve(arbitrage(state_of_charge_initial=20))
    assert res.objective == pytest.approx(11525 + 5500 / 9, abs=ATOL)
    assert_values(res.series("StorageUnit", "state_of_charge")["su"], [25, 0, 25, 0])
    assert_values(res.series("StorageUnit", "p_store")["su"], [50 / 9, 0, 250 / 9, 0])
    assert_values(res.series("Generator", "p")["g"], [100 + 50 / 9, 77.5, 100 + 250 / 9, 77.5])
    assert_values(res.prices["b"], [10, 50, 20, 60])


def test_store_with_standing_loss_and_initial_level(solve: Solve) -> None:
    """A Store (unlimited power) of 25 MWh on the bus, standing loss 10 %/h, starting at 10.

    As in PyPSA, e(t) = (1 - loss) e(t-1) - p(t) for t > 0 and e(0) = e_initial - p(0): the
    initial level enters the first snapshot without standing loss. Energy stored at the end of
    hour 2 is worth 0.9 * 60 = 54 > 20 and at the end of hour 0 0.9 * 50 = 45 > 10, so the store
    fills in hours 0 and 2 and empties in hours 1 and 3 (0.9 * 25 = 22.5 MWh left to sell):
    p = -15, 22.5, -25, 22.5 and e = 25, 0, 25, 0. Generation 115, 77.5, 125, 77.5;
    objective 1150 + 3875 + 2500 + 4650 = 12175. The generator is marginal throughout.
    """
    n = one_bus(4)
    n.add("Generator", "g", bus="b", p_nom=200, marginal_cost=[10, 50, 20, 60])
    n.add("Load", "load", bus="b", p_set=100)
    n.add("Store", "store", bus="b", e_nom=25, standing_loss=0.1, e_initial=10)
    res = solve(n)
    assert res.objective == pytest.approx(12175, abs=ATOL)
    assert_values(res.series("Store", "e")["store"], [25, 0, 25, 0])
    assert_values(res.series("Store", "p")["store"], [-15, 22.5, -25, 22.5])
    assert_values(res.series("Generator", "p")["g"], [115, 77.5, 125, 77.5])
    assert_values(res.prices["b"], [10, 50, 20, 60])


def test_store_cyclic_starts_empty(solve: Solve) -> None:
    """A lossless cyclic Store of 25 MWh: starting with x MWh would only shift 25 - x of
    charging from hour 0 (10 EUR) to a smaller discharge in hour 3 (60 EUR), so x = 0:
    e = 25, 0, 25, 0 and p = -25, 25, -25, 25; objective 10*125 + 50*75 + 20*125 + 60*75
    = 12000."""
    n = one_bus(4)
    n.add("Generator", "g", bus="b", p_nom=200, marginal_cost=[10, 50, 20, 60])
    n.add("Load", "load", bus="b", p_set=100)
    n.add("Store", "store", bus="b", e_nom=25, e_cyclic=True)
    res = solve(n)
    assert res.objective == pytest.approx(12000, abs=ATOL)
    assert_values(res.series("Store", "e")["store"], [25, 0, 25, 0])
    assert_values(res.series("Store", "p")["store"], [-25, 25, -25, 25])
    assert_values(res.prices["b"], [10, 50, 20, 60])


# ------------------------------------------------------------------------------- CO2 cap
def test_co2_cap_binds(solve: Solve) -> None:
    """Coal: 0.34 t/MWh_th at 40 % efficiency = 0.85 t/MWh, 30 EUR/MWh. Gas: 0.2 t/MWh_th at
    50 % = 0.4 t/MWh, 60 EUR/MWh. 100 MW of load, cap 60 t.

    Uncapped, coal alone emits 85 t. Capped: c + g = 100 and 0.85 c + 0.4 g = 60 give
    c = 400/9, g = 500/9; objective (30 * 400 + 60 * 500) / 9 = 4666.67. Replacing one MWh of
    coal by gas costs 30 EUR and saves 0.45 t: CO2 price 30 / 0.45 = 66.67 EUR/t (mu = -66.67).
    Price 30 + 0.85 * 66.67 = 60 + 0.4 * 66.67 = 86.67 EUR/MWh.
    """
    n = one_bus(1)
    n.add("Carrier", ["coal", "gas"], co2_emissions=[0.34, 0.2])
    n.add(
        "Generator",
        ["coal", "gas"],
        bus="b",
        carrier=["coal", "gas"],
        p_nom=100,
        efficiency=[0.4, 0.5],
        marginal_cost=[30, 60],
    )
    n.add("Load", "load", bus="b", p_set=100)
    n.add(
        "GlobalConstraint",
        "co2_cap",
        type="primary_energy",
        carrier_attribute="co2_emissions",
        sense="<=",
        constant=60,
    )
    res = solve(n)
    co2_price = 30 / 0.45
    assert res.objective == pytest.approx(42000 / 9, abs=ATOL)
    assert_values(res.series("Generator", "p")[["coal", "gas"]], [[400 / 9, 500 / 9]])
    assert_values(res.prices["b"], [30 + 0.85 * co2_price])
    assert res.co2_price == pytest.approx(co2_price, abs=ATOL)
    assert res.global_constraints.loc["co2_cap", "mu"] == pytest.approx(-co2_price, abs=ATOL)


def test_co2_cap_counts_generator_weighting(solve: Solve) -> None:
    """Emissions are weighted by snapshot_weightings.generators (2 h, 1 h), costs by
    objective (1, 1). Coal 1 t/MWh at 10 EUR (120 MW), gas clean at 40 EUR, load 100 and 150,
    cap 150 t.

    Coal is worth more in hour 1 (it emits 1 t there against 2 t in hour 0): coal runs at its
    120 MW limit in hour 1, leaving 30 t for hour 0, i.e. 15 MW. Gas 85 and 30.
    Objective 10 * 135 + 40 * 115 = 5950. One more tonne allows 0.5 MW more coal in hour 0,
    saving 15 EUR: CO2 price 15 EUR/t. Gas is marginal in both hours: prices 40, 40.
    """
    n = one_bus(2)
    n.snapshot_weightings["generators"] = [2.0, 1.0]
    n.add("Carrier", ["coal", "gas"], co2_emissions=[1.0, 0.0])
    n.add(
        "Generator",
        ["coal", "gas"],
        bus="b",
        carrier=["coal", "gas"],
        p_nom=[120, 200],
        marginal_cost=[10, 40],
    )
    n.add("Load", "load", bus="b", p_set=[100, 150])
    n.add("GlobalConstraint", "co2_cap", sense="<=", constant=150)
    res = solve(n)
    assert res.objective == pytest.approx(5950, abs=ATOL)
    assert_values(res.series("Generator", "p")[["coal", "gas"]], [[15, 85], [120, 30]])
    assert_values(res.prices["b"], [40, 40])
    assert res.co2_price == pytest.approx(15, abs=ATOL)


# ------------------------------------------------------------------------- load shedding
def test_load_shedding_runs_only_when_short_and_sets_price(solve: Solve) -> None:
    """A 100 MW generator at 20 EUR/MWh; unserved energy as a generator at 1000 EUR/MWh
    (PyPSA style); load 80, 130, 90. Shedding covers the 30 MW short in hour 1 only and sets
    the price there: prices 20, 1000, 20; objective 20 * 270 + 1000 * 30 = 35400."""
    n = one_bus(3)
    n.add("Generator", "g", bus="b", p_nom=100, marginal_cost=20)
    n.add("Generator", "shedding", bus="b", p_nom=1e5, marginal_cost=1000)
    n.add("Load", "load", bus="b", p_set=[80, 130, 90])
    res = solve(n)
    assert res.objective == pytest.approx(35400, abs=ATOL)
    assert_values(res.series("Generator", "p")[["g", "shedding"]], [[80, 0], [100, 30], [90, 0]])
    assert_values(res.prices["b"], [20, 1000, 20])


# --------------------------------------------------------------------------------- links
def two_zones() -> Network:
    """Zones A and B with 50 MW of load each; A is cheaper in hour 0, B in hour 1."""
    n = Network("two zones", snapshots=range(2))
    n.add("Bus", ["A", "B"])
    n.add("Generator", "gA", bus="A", p_nom=200, marginal_cost=[10, 40])
    n.add("Generator", "gB", bus="B", p_nom=200, marginal_cost=[30, 15])
    n.add("Load", ["loadA", "loadB"], bus=["A", "B"], p_set=50)
    return n


def test_bidirectional_link_loses_energy_both_ways(solve: Solve) -> None:
    """caspian-only lossy HVDC: p_nom 40, efficiency 0.9, p_min_pu -0.5 (20 MW backwards).

    Hour 0, A -> B at the 40 MW limit (10 / 0.9 < 30): B receives 36; gA = 90, gB = 14.
    Hour 1, B -> A at the 20 MW backward limit (15 / 0.9 < 40): A receives 18; gB = 70,
    gA = 32. Losses 4 and 2 MW, 10 % of the flow in each direction. p0 (withdrawn at bus0) =
    40, -18; p1 (withdrawn at bus1) = -36, 20. Generators are marginal: prices A 10, 40 and
    B 30, 15. Objective 10*90 + 30*14 + 40*32 + 15*70 = 3650.
    """
    n = two_zones()
    n.add(
        "Link",
        "A-B",
        bus0="A",
        bus1="B",
        p_nom=40,
        efficiency=0.9,
        p_min_pu=-0.5,
        bidirectional=True,
    )
    res = solve(n)
    assert res.objective == pytest.approx(3650, abs=ATOL)
    p0, p1 = res.series("Link", "p0")["A-B"], res.series("Link", "p1")["A-B"]
    assert_values(p0, [40, -18])
    assert_values(p1, [-36, 20])
    assert_values(p0 + p1, [4, 2])  # losses: 1 - efficiency of the flow, in both directions
    assert_values(res.series("Generator", "p")[["gA", "gB"]], [[90, 14], [32, 70]])
    assert_values(res.prices[["A", "B"]], [[10, 30], [40, 15]])


def test_pypsa_link_reversed_creates_energy(solve: Solve) -> None:
    """PyPSA semantics (not bidirectional): p0 = p, p1 = -0.9 p for either sign, p_min_pu -1.

    Hour 0 as above: p = 40, B receives 36; gA = 90, gB = 14. Hour 1, p = -40: A receives 40
    while B gives up only 36, so 4 MW are created; gA = 10, gB = 86. Prices A 10, 40 and
    B 30, 15. Objective 900 + 420 + 400 + 1290 = 3010.
    """
    n = two_zones()
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=40, efficiency=0.9, p_min_pu=-1)
    res = solve(n)
    assert res.objective == pytest.approx(3010, abs=ATOL)
    assert_values(res.series("Link", "p0")["A-B"], [40, -40])
    assert_values(res.series("Link", "p1")["A-B"], [-36, 36])
    assert_values(res.series("Generator", "p")[["gA", "gB"]], [[90, 14], [10, 86]])
    assert_values(res.prices[["A", "B"]], [[10, 30], [40, 15]])


# -------------------------------------------------------------- weightings and ramp limits
def test_snapshot_weightings_objective_stores_generators(solve: Solve) -> None:
    """Weightings: objective 1, 3; stores 2, 1; generators 5, 7 (no CO2 cap, so no effect).
    'cheap' 100 MW at 10, 'peak' 200 MW at 50, load 60 and 150; a lossless StorageUnit of
    100 MW and 1000 MWh, starting empty.

    Storage: soc(t) = soc(t-1) + stores(t) (p_store - p_dispatch). One MW discharged in hour 1
    needs 1 MWh, i.e. 0.5 MW charged over the 2 h of hour 0, costing 0.5 * 1 * cost(0). Cheap
    in hour 1 costs 3 * 10 = 30 per MW, storage fed by cheap 5, fed by peak 25: storage
    discharges its 100 MW limit in hour 1, charged with 50 MW in hour 0 (cheap's 40 spare MW
    plus 10 MW of peak). Hour 0: cheap 100, peak 10, charge 50, soc 100; hour 1: discharge
    100, cheap 50, soc 0. Objective 1 * (1000 + 500) + 3 * 500 = 3000.
    Prices (dual / objective weighting): hour 0 peak is marginal, 50; hour 1 cheap, 10.
    """
    n = one_bus(2)
    n.snapshot_weightings["objective"] = [1.0, 3.0]
    n.snapshot_weightings["stores"] = [2.0, 1.0]
    n.snapshot_weightings["generators"] = [5.0, 7.0]
    n.add("Generator", ["cheap", "peak"], bus="b", p_nom=[100, 200], marginal_cost=[10, 50])
    n.add("Load", "load", bus="b", p_set=[60, 150])
    n.add("StorageUnit", "su", bus="b", p_nom=100, max_hours=10)
    res = solve(n)
    assert res.objective == pytest.approx(3000, abs=ATOL)
    assert_values(res.series("Generator", "p")[["cheap", "peak"]], [[100, 10], [50, 0]])
    assert_values(res.series("StorageUnit", "p_store")["su"], [50, 0])
    assert_values(res.series("StorageUnit", "p_dispatch")["su"], [0, 100])
    assert_values(res.series("StorageUnit", "state_of_charge")["su"], [100, 0])
    assert_values(res.prices["b"], [50, 10])


def test_ramp_limits_bind_up_and_down(solve: Solve) -> None:
    """'slow' 100 MW at 10 EUR, ramping up 10 MW and down 30 MW per snapshot (0.1 and 0.3 of
    p_nom, no limit before the first snapshot); 'fast' 200 MW at 50 EUR; load 50, 100, 100, 20.

    slow(0) = 50 (the load). Up-ramp: slow(1) <= 60. Down-ramp into hour 3 (slow(3) <= 20):
    slow(2) <= 50. So slow = 50, 60, 50, 20 and fast = 0, 40, 50, 0; objective
    10 * 180 + 50 * 90 = 6300. Prices: fast is marginal in hours 1 and 2 (50). One more MW in
    hour 0 raises slow(0) and so slow(1), displacing fast: 10 + 10 - 50 = -30. One more MW in
    hour 3 lets slow(2) rise by one: again -30. Prices -30, 50, 50, -30.
    """
    n = one_bus(4)
    n.add(
        "Generator",
        "slow",
        bus="b",
        p_nom=100,
        marginal_cost=10,
        ramp_limit_up=0.1,
        ramp_limit_down=0.3,
    )
    n.add("Generator", "fast", bus="b", p_nom=200, marginal_cost=50)
    n.add("Load", "load", bus="b", p_set=[50, 100, 100, 20])
    res = solve(n)
    assert res.objective == pytest.approx(6300, abs=ATOL)
    assert_values(
        res.series("Generator", "p")[["slow", "fast"]], [[50, 0], [60, 40], [50, 50], [20, 0]]
    )
    assert_values(res.prices["b"], [-30, 50, 50, -30])


def test_ramp_limits_of_a_bidirectional_link_act_on_its_net_flow(solve: Solve) -> None:
    """A lossless two-way link A-B of 100 MW whose net flow p = p_fwd - p_bwd ramps up at most
    10 MW and down at most 50 MW per snapshot. A: 'a_cheap' 300 MW at 10 EUR; B: 'b_peak'
    300 MW at 50 EUR and 'b_cheap' at 5 EUR, available in hour 3 only. Loads: B 50, 100, 20, 0;
    A 0, 0, 0, 80.

    p(0) = 50 (B's load from A). Up-ramp: p(1) <= 60, b_peak covers 40. p(2) = 20 (>= 60 - 50).
    Hour 3: p(3) >= 20 - 50 = -30, so b_cheap sends 30 MW back and a_cheap covers 50.
    Objective 10 * (50 + 60 + 20 + 50) + 50 * 40 + 5 * 30 = 3950 (2100 without the limits).
    """
    n = Network("two-way ramps", snapshots=range(4))
    n.add("Bus", ["A", "B"])
    n.add("Generator", "a_cheap", bus="A", p_nom=300, marginal_cost=10)
    n.add("Generator", "b_peak", bus="B", p_nom=300, marginal_cost=50)
    n.add(
        "Generator", "b_cheap", bus="B", p_nom=300, marginal_cost=5, p_max_pu=[0.0, 0.0, 0.0, 1.0]
    )
    n.add("Load", "load_a", bus="A", p_set=[0, 0, 0, 80])
    n.add("Load", "load_b", bus="B", p_set=[50, 100, 20, 0])
    n.add(
        "Link",
        "cable",
        bus0="A",
        bus1="B",
        p_nom=100,
        p_min_pu=-1.0,
        efficiency=1.0,
        bidirectional=True,
        ramp_limit_up=0.1,
        ramp_limit_down=0.5,
    )
    res = solve(n)
    assert res.objective == pytest.approx(3950, abs=ATOL)
    assert_values(res.series("Link", "p")["cable"], [50, 60, 20, -30])
    assert_values(
        res.series("Generator", "p")[["a_cheap", "b_peak", "b_cheap"]],
        [[50, 0, 0], [60, 40, 0], [20, 0, 0], [50, 0, 30]],
    )


# -------------------------------------------------------------------- capacity expansion
def test_capacity_expansion_generator_and_line(solve: Solve) -> None:
    """Bus A: extendable 'base' (capital 30 EUR/MW, 10 EUR/MWh), load 50, 30. Bus B: 'gas'
    500 MW at 60, load 100, 40. Line A-B extendable at 25 EUR/MW.

    Export capacity L: one MW used in both hours saves 2 * (60 - 10) = 100 and costs 25 + 30
    of line and base; used in hour 0 only it saves 50 < 55. Hour 1 can take at most 40 (B's
    load), so L = 40, flows 40, 40. Base must cover 50 + 40 = 90 in hour 0: K = 90, output 90,
    70. Gas 60, 0. Objective 30*90 + 25*40 + 10*160 + 60*60 = 8900.
    Duals: hour 0 at A, one MW more needs one more MW of K: 30 + 10 = 40; at B gas is
    marginal: 60. Hour 1 at A base is marginal: 10. The line's rent 60 - 40 = 20 in hour 0
    leaves 25 - 20 = 5 for hour 1: price at B 10 + 5 = 15.
    """
    n = Network("expansion", snapshots=range(2))
    n.add("Bus", ["A", "B"])
    n.add(
        "Generator",
        "base",
        bus="A",
        p_nom_extendable=True,
        capital_cost=30,
        marginal_cost=10,
    )
    n.add("Generator", "gas", bus="B", p_nom=500, marginal_cost=60)
    n.add("Load", "loadA", bus="A", p_set=[50, 30])
    n.add("Load", "loadB", bus="B", p_set=[100, 40])
    n.add("Line", "A-B", bus0="A", bus1="B", x=0.1, s_nom_extendable=True, capital_cost=25)
    res = solve(n)
    assert res.objective == pytest.approx(8900, abs=ATOL)
    assert_values(res.capacity("Generator")[["base", "gas"]], [90, 500])
    assert_values(res.capacity("Line")[["A-B"]], [40])
    assert_values(res.series("Generator", "p")[["base", "gas"]], [[90, 60], [70, 0]])
    assert_values(res.series("Line", "p0")["A-B"], [40, 40])
    assert_values(res.prices[["A", "B"]], [[40, 60], [10, 15]])


# ------------------------------------------------------------------ no optimum, bad input
def test_infeasible_explanation_names_the_bus(solve: Solve) -> None:
    """Two separate buses; 'north' has 150 MW of load and 100 MW of generation, no shedding."""
    n = Network("short")
    n.add("Bus", ["north", "south"])
    n.add("Generator", ["north gen", "south gen"], bus=["north", "south"], p_nom=100)
    n.add("Load", ["north load", "south load"], bus=["north", "south"], p_set=[150, 50])
    with pytest.raises(InfeasibleError) as info:
        solve(n)
    assert info.value.explanation
    assert any("north" in line for line in info.value.explanation), info.value.explanation


def test_unbounded_raises(solve: Solve) -> None:
    """A generator paid 10 EUR/MWh to run, extendable without limit or capital cost, and an
    extendable sink (a generator with p_min_pu -1) to absorb its output."""
    n = one_bus(1)
    n.add("Generator", "paid", bus="b", p_nom_extendable=True, marginal_cost=-10)
    n.add("Generator", "sink", bus="b", p_nom_extendable=True, p_min_pu=-1, p_max_pu=0)
    with pytest.raises(UnboundedError):
        solve(n)


def test_unknown_bus_is_input_error(solve: Solve) -> None:
    n = one_bus(1)
    n.add("Generator", "g", bus="nowhere", p_nom=10)
    with pytest.raises(InputError, match="nowhere"):
        solve(n)


def test_unknown_algorithm_is_input_error(solve: Solve) -> None:
    n = one_bus(1)
    n.add("Generator", "g", bus="b", p_nom=10)
    with pytest.raises(InputError, match="algorithm"):
        solve(n, algorithm="magic")
