"""Flow tracing (proportional sharing): hand-traced networks and invariants on random ones.

Every hand case forces the dispatch (``p_min_pu == p_max_pu``) or has a unique optimum, so its
flows, and hence the traced shares, can be computed on paper; the derivation is in each
docstring.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caspian.analysis.tracing import SINK_KINDS, FlowTrace, trace
from caspian.exceptions import InputError
from caspian.network import Network
from caspian.optimize import OptimizationResult, optimize

ATOL = 1e-6


def hours(count: int) -> pd.DatetimeIndex:
    return pd.date_range("2030-01-01", periods=count, freq="h")


def shares_of(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    """{(origin_area, origin_carrier): share} of a one-snapshot, one-place mix table."""
    return {(r.origin_area, r.origin_carrier): r.share for r in frame.itertuples()}


def mwh_of(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(r.origin_area, r.origin_carrier): r.mwh for r in frame.itertuples()}


def assert_close(
    actual: dict[tuple[str, str], float], expected: dict[tuple[str, str], float]
) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, abs=ATOL), key


def assert_invariants(ft: FlowTrace, rel: float = 1e-7) -> None:
    """Shares in [0, 1] summing to one, balance at every bus, and energy conserved by origin."""
    scale = max(1.0, float(np.abs(ft.throughput_mw).max()))
    tol = rel * scale
    shares = ft.shares()
    assert (shares >= 0).all()
    assert (shares <= 1 + 1e-9).all()
    flowing = ft.throughput_mw > tol
    np.testing.assert_allclose(shares.sum(-1)[flowing], 1.0, atol=1e-7)
    np.testing.assert_allclose(ft.node_mw.sum(-1), ft.throughput_mw, atol=tol)
    # What enters a bus leaves it: sinks + departures == throughput (the LP's nodal balance).
    out = sum(ft.sink_mw[kind] for kind in SINK_KINDS)
    t, b = np.nonzero(ft.send >= 0)
    np.add.at(out, (t, ft.send[t, b]), ft.departed_mw[t, b])
    np.testing.assert_allclose(out, ft.throughput_mw, atol=tol)
    # Energy by origin: generated == consumed + sold + stored + lost.
    balance = ft.balance_by_origin()
    ends = balance[[f"{kind}_mwh" for kind in SINK_KINDS]].sum(axis=1)
    np.testing.assert_allclose(ends, balance["generated_mwh"], atol=tol * ft.weights_h.sum())


# ------------------------------------------------------------------------ hand-traced cases
def meshed() -> Network:
    """Triangle of equal lines 1-2, 2-3, 1-3 and a lossy link 3 -> 4.

    Bus 1 (KZ): 300 MW of wind. Bus 2 (AZ): 60 MW of gas. Bus 3 (GE): 260 MW of load. Bus 4
    (EU): 90 MW of load, fed by a link of efficiency 0.9 from bus 3.
    """
    n = Network("meshed", hours(1))
    n.add("Carrier", ["onwind", "gas"], co2_emissions=[0.0, 0.2])
    n.add("Bus", ["1", "2", "3", "4"], country=["KZ", "AZ", "GE", "EU"])
    n.add(
        "Line",
        ["1-2", "2-3", "1-3"],
        bus0=["1", "2", "1"],
        bus1=["2", "3", "3"],
        x=10.0,
        s_nom=1000.0,
    )
    n.add("Link", "3-4", bus0="3", bus1="4", p_nom=500.0, efficiency=0.9)
    n.add("Generator", "wind", bus="1", carrier="onwind", p_nom=300, p_min_pu=1.0)
    n.add("Generator", "gas", bus="2", carrier="gas", p_nom=60, p_min_pu=1.0, marginal_cost=50)
    n.add("Load", ["load 3", "load 4"], bus=["3", "4"], p_set=[260.0, 90.0])
    return n


def test_meshed_network_traced_by_hand() -> None:
    """Flows by superposition (equal reactances split 2/3 direct, 1/3 round the triangle):

    - 300 MW from 1 to 3: 200 on 1-3, 100 on 1-2-3; 60 MW from 2 to 3: 40 on 2-3, 20 on 2-1-3.
    - Net: 1->3 = 220, 1->2 = 80, 2->3 = 140; the link takes 100 from 3 and delivers 90 to 4.

    Tracing:

    - bus 1: 300 MW, all KZ wind.
    - bus 2: 60 gas + 80 wind arriving = 140 MW: gas 3/7, wind 4/7.
    - bus 3: 220 wind + 140 * (3/7 gas, 4/7 wind) = 300 wind + 60 gas: wind 5/6, gas 1/6.
    - bus 4: 90 MW at bus 3's mix: 75 wind, 15 gas; the 10 MW loss is 25/3 wind, 5/3 gas.
    - load at 3 (GE): 260 * (5/6, 1/6) = 216.67 wind, 43.33 gas.
    """
    n = meshed()
    result = optimize(n)
    np.testing.assert_allclose(result.series("Line", "p0").iloc[0], [80.0, 140.0, 220.0])
    ft = trace(result)
    kz, az = ("KZ", "onwind"), ("AZ", "gas")
    assert_close(shares_of(ft.mix("1")), {kz: 1.0})
    assert_close(shares_of(ft.mix("2")), {kz: 4 / 7, az: 3 / 7})
    assert_close(shares_of(ft.mix("3")), {kz: 5 / 6, az: 1 / 6})
    assert_close(shares_of(ft.mix("EU")), {kz: 5 / 6, az: 1 / 6})
    assert_close(mwh_of(ft.imports_by_origin("EU")), {kz: 75.0, az: 15.0})
    assert_close(mwh_of(ft.imports_by_origin("GE", from_areas=["AZ"])), {kz: 80.0, az: 60.0})
    consumption = ft.consumption_by_origin()
    assert_close(mwh_of(consumption[consumption["area"] == "GE"]), {kz: 650 / 3, az: 130 / 3})
    balance = ft.balance_by_origin().set_index(["origin_area", "origin_carrier"])
    assert balance.loc[kz, "loss_mwh"] == pytest.approx(25 / 3)
    assert balance.loc[az, "loss_mwh"] == pytest.approx(5 / 3)
    assert balance.loc[kz, "load_mwh"] == pytest.approx(650 / 3 + 75)
    assert_invariants(ft)


def test_tables_are_tidy_with_units() -> None:
    ft = trace(optimize(meshed()))
    mix = ft.mix()
    assert list(mix.columns) == ["snapshot", "bus", "origin_area", "origin_carrier", "mw", "share"]
    assert mix.attrs["units"] == {"mw": "MW", "share": "1"}
    assert mix.groupby(["snapshot", "bus"])["share"].sum().to_numpy() == pytest.approx(1.0)
    assert list(ft.mix("EU").columns)[1] == "area"
    total = ft.imports_by_origin("EU")
    assert total.attrs["units"] == {"mwh": "MWh", "share": "1"}
    assert total["share"].sum() == pytest.approx(1.0)
    hourly = ft.imports_by_origin("EU", per="snapshot")
    assert hourly.attrs["units"] == {"mw": "MW", "mwh": "MWh"}
    assert hourly["mwh"].sum() == pytest.approx(90.0)
    consumption = ft.consumption_by_origin()
    assert consumption.groupby("area")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert ft.consumption_by_origin(per="snapshot")["mwh"].sum() == pytest.approx(350.0)
    assert ft.imported_mw("EU").iloc[0] == pytest.approx(90.0)
    assert ft.balance_by_origin().attrs["units"]["loss_mwh"] == "MWh"


def test_backward_bidirectional_link_and_storage() -> None:
    """A two-way cable 'AZ bus' (bus0) -- 'KZ bus' (bus1), efficiency 0.95, carries power
    backwards, from bus1 to bus0, and a battery at the AZ bus shifts it in time.

    Both hours the KZ bus makes 100 MW of wind and has no load: p1 = 100 is withdrawn there,
    and -p0 = 95 arrives in AZ. Load in AZ is 50 then 140 MW; gas (100 EUR/MWh) is dearer than
    a lossless cyclic battery (1 EUR/MWh dispatched), so hour 1 stores 45 MW and hour 2
    dispatches them:

    - hour 1, AZ bus: 95 MW, all KZ wind; load 50, charge 45.
    - hour 2, AZ bus: 95 KZ wind + 45 AZ battery = 140 MW: wind 95/140, battery 45/140.
    - KZ wind: 200 generated = 145 to load + 45 to storage + 10 lost. AZ battery: 45 to load.
    """
    n = Network("backward", hours(2))
    n.add("Carrier", ["onwind", "gas", "battery"], co2_emissions=[0.0, 0.2, 0.0])
    n.add("Bus", ["AZ bus", "KZ bus"], country=["AZ", "KZ"])
    n.add(
        "Link",
        "cable",
        bus0="AZ bus",
        bus1="KZ bus",
        p_nom=200,
        efficiency=0.95,
        p_min_pu=-1,
        bidirectional=True,
    )
    n.add("Generator", "wind", bus="KZ bus", carrier="onwind", p_nom=100, p_min_pu=1.0)
    n.add("Generator", "gas", bus="AZ bus", carrier="gas", p_nom=100, marginal_cost=100)
    n.add(
        "StorageUnit",
        "battery",
        bus="AZ bus",
        carrier="battery",
        p_nom=100,
        max_hours=4,
        cyclic_state_of_charge=True,
        marginal_cost=1.0,  # no simultaneous charge and discharge
    )
    n.add("Load", "load", bus="AZ bus", p_set=[50.0, 140.0])
    result = optimize(n)
    np.testing.assert_allclose(result.series("Link", "p1")["cable"], [100.0, 100.0])
    np.testing.assert_allclose(result.series("Link", "p0")["cable"], [-95.0, -95.0])
    ft = trace(result)
    wind, battery = ("KZ", "onwind"), ("AZ", "battery")
    mix = ft.mix("AZ bus")
    assert_close(shares_of(mix[mix["snapshot"] == n.snapshots[0]]), {wind: 1.0})
    assert_close(
        shares_of(mix[mix["snapshot"] == n.snapshots[1]]), {wind: 95 / 140, battery: 45 / 140}
    )
    assert_close(mwh_of(ft.imports_by_origin("AZ")), {wind: 190.0})
    consumption = ft.consumption_by_origin()
    assert_close(mwh_of(consumption[consumption["area"] == "AZ"]), {wind: 145.0, battery: 45.0})
    balance = ft.balance_by_origin().set_index(["origin_area", "origin_carrier"])
    assert balance.loc[wind].to_dict() == pytest.approx(
        {
            "generated_mwh": 200.0,
            "load_mwh": 145.0,
            "sale_mwh": 0.0,
            "storage_mwh": 45.0,
            "loss_mwh": 10.0,
        }
    )
    assert_invariants(ft)


def test_market_sales_purchases_and_an_empty_bus() -> None:
    """Wind at A (KZ) makes 100 MW then nothing; A's load is 40 MW. A lossless link takes the
    surplus to the market bus TR, whose market generator buys at 50 EUR/MWh (p = -60, a sale)
    in hour 1 and sells (p = +40, an import) in hour 2. A bus with nothing on it is traced as
    empty.

    - hour 1: A is 100 % KZ wind; 60 MW is sold, 40 MW consumed.
    - hour 2: the link brings 40 MW back from TR: A is 100 % (TR, market).
    """
    n = Network("market", hours(2))
    n.add("Carrier", ["onwind", "market"], co2_emissions=0.0)
    n.add("Bus", ["A", "TR", "empty"], country=["KZ", "", ""])
    n.add(
        "Generator", "wind", bus="A", carrier="onwind", p_nom=100, p_max_pu=[1, 0], p_min_pu=[1, 0]
    )
    n.add(
        "Generator",
        "TR market",
        bus="TR",
        carrier="market",
        p_nom=100,
        p_min_pu=-1,
        marginal_cost=50,
    )
    n.add("Link", "A-TR", bus0="A", bus1="TR", p_nom=100, p_min_pu=-1)
    n.add("Load", "load", bus="A", p_set=40.0)
    result = optimize(n)
    np.testing.assert_allclose(result.series("Generator", "p")["TR market"], [-60.0, 40.0])
    ft = trace(result)
    assert_close(shares_of(ft.mix("A").iloc[[0]]), {("KZ", "onwind"): 1.0})
    assert_close(shares_of(ft.mix("A").iloc[[1]]), {("TR", "market"): 1.0})
    assert ft.mix("empty").empty
    assert (ft.shares()[:, ft.buses.get_loc("empty")] == 0).all()
    balance = ft.balance_by_origin().set_index(["origin_area", "origin_carrier"])
    assert balance.loc[("KZ", "onwind"), "sale_mwh"] == pytest.approx(60.0)
    assert balance.loc[("TR", "market"), "load_mwh"] == pytest.approx(40.0)
    assert_close(mwh_of(ft.imports_by_origin("KZ")), {("TR", "market"): 40.0})
    assert_invariants(ft)


def with_series(
    result: OptimizationResult, values: dict[tuple[str, str], list[float]]
) -> OptimizationResult:
    """``result`` with some series replaced, to trace flows that no optimum would have."""
    series = dict(result._series)
    for key, numbers in values.items():
        frame = series[key].copy()
        frame.iloc[:, :] = np.asarray(numbers, dtype=float).reshape(frame.shape)
        series[key] = frame
    return dataclasses.replace(result, _series=series)


def two_buses_with_a_cable() -> Network:
    """A (KZ: 100 MW of wind, 90 MW of load) and B (AZ: 50 MW of gas, 45 MW of load), joined by
    a two-way cable of efficiency 0.9."""
    n = Network("simultaneous", hours(1))
    n.add("Carrier", ["onwind", "gas"], co2_emissions=[0.0, 0.2])
    n.add("Bus", ["A", "B"], country=["KZ", "AZ"])
    n.add("Generator", "wind", bus="A", carrier="onwind", p_nom=100, p_min_pu=1.0)
    n.add("Generator", "gas", bus="B", carrier="gas", p_nom=50, p_min_pu=1.0)
    n.add("Load", ["load A", "load B"], bus=["A", "B"], p_set=[90.0, 45.0])
    n.add(
        "Link",
        "cable",
        bus0="A",
        bus1="B",
        p_nom=200,
        efficiency=0.9,
        p_min_pu=-1,
        bidirectional=True,
    )
    return n


def test_simultaneous_flows_count_as_losses() -> None:
    """Both buses have a surplus (10 MW at A, 5 MW at B) that only the cable can absorb, by
    flowing both ways at once: p0 = 10 is withdrawn at A and p1 = 5 at B. Each withdrawal is a
    sink at its own bus: 10 MW of KZ wind and 5 MW of AZ gas are lost, nothing crosses."""
    n = two_buses_with_a_cable()
    result = optimize(n)
    assert result.series("Link", "p0").iloc[0, 0] == pytest.approx(10.0)
    assert result.series("Link", "p1").iloc[0, 0] == pytest.approx(5.0)
    ft = trace(result)
    assert (ft.send == -1).all()
    balance = ft.balance_by_origin().set_index(["origin_area", "origin_carrier"])
    assert balance["loss_mwh"].to_dict() == pytest.approx(
        {("AZ", "gas"): 5.0, ("KZ", "onwind"): 10.0}
    )
    assert ft.imports_by_origin("AZ").empty
    assert_invariants(ft)


def test_injection_without_withdrawal_is_a_source() -> None:
    """p0 = -10 and p1 = -5: the cable injects at both ends (as a link of efficiency above one
    could); loads are 110 and 55 MW to match. The injections are local sources of carrier
    'Link' in KZ and AZ."""
    n = two_buses_with_a_cable()
    result = with_series(
        optimize(n),
        {("Link", "p0"): [-10.0], ("Link", "p1"): [-5.0], ("Load", "p"): [110.0, 55.0]},
    )
    ft = trace(result)
    balance = ft.balance_by_origin().set_index(["origin_area", "origin_carrier"])
    assert balance["generated_mwh"].to_dict() == pytest.approx(
        {("AZ", "Link"): 5.0, ("AZ", "gas"): 50.0, ("KZ", "Link"): 10.0, ("KZ", "onwind"): 100.0}
    )
    assert_invariants(ft)


def test_closed_circulation_carries_nothing() -> None:
    """Links A->B and B->A both carry 50 MW with nothing else at A and B: the sharing matrix is
    singular. The circulation is traced as empty, and C, with its own generator and load, is
    unaffected."""
    n = Network("loop", hours(1))
    n.add("Carrier", "gas", co2_emissions=0.2)
    n.add("Bus", ["A", "B", "C"], country=["KZ", "KZ", "AZ"])
    n.add("Link", ["A-B", "B-A"], bus0=["A", "B"], bus1=["B", "A"], p_nom=100)
    n.add("Generator", "gas", bus="C", carrier="gas", p_nom=30, p_min_pu=1.0)
    n.add("Load", "load", bus="C", p_set=30.0)
    solved = optimize(n)
    ft = trace(with_series(solved, {("Link", "p0"): [50, 50], ("Link", "p1"): [-50, -50]}))
    assert np.allclose(ft.node_mw[:, :2], 0.0)
    assert_close(shares_of(ft.mix("C")), {("AZ", "gas"): 1.0})


def test_unknown_area_names_the_areas() -> None:
    ft = trace(optimize(meshed()))
    message = (
        r"Bus\.country: unknown area 'EUR'\. Areas of this network: AZ, EU, GE, KZ\. "
        r"Did you mean 'EU'\?"
    )
    with pytest.raises(InputError, match=message):
        ft.imports_by_origin("EUR")
    with pytest.raises(InputError, match="unknown sink kind 'lost'"):
        ft.sink_by_origin("lost")
    with pytest.raises(InputError, match="Use 'total' or 'snapshot'"):
        ft.consumption_by_origin(per="year")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ random networks
AREAS = ("KZ", "AZ", "GE", "EU")


def random_network(seed: int) -> Network:
    """2-5 buses over 2-6 hours: a random tree of lines and (lossy, one- or two-way) links plus
    one extra branch, loads, wind, gas, a market with prices that may go negative, a battery, a
    store, and costly load shedding everywhere so that every draw is feasible."""
    rng = np.random.default_rng(seed)
    n_bus, n_hours = int(rng.integers(2, 6)), int(rng.integers(2, 7))
    n = Network(f"random {seed}", hours(n_hours))
    n.add(
        "Carrier",
        ["onwind", "gas", "market", "battery", "heat", "shed"],
        co2_emissions=[0.0, 0.2, 0.0, 0.0, 0.0, 0.0],
    )
    buses = [f"b{i}" for i in range(n_bus)]
    n.add("Bus", buses, country=list(rng.choice(AREAS, n_bus)))
    pairs = [(buses[i], buses[int(rng.integers(0, i))]) for i in range(1, n_bus)]
    extra = rng.choice(buses, 2, replace=False)
    pairs.append((str(extra[0]), str(extra[1])))
    for k, (a, b) in enumerate(pairs):
        if rng.random() < 0.4:
            n.add(
                "Line",
                f"line {k}",
                bus0=a,
                bus1=b,
                x=float(rng.uniform(1, 20)),
                s_nom=float(rng.uniform(20, 200)),
            )
        else:
            n.add(
                "Link",
                f"link {k}",
                bus0=a,
                bus1=b,
                p_nom=float(rng.uniform(20, 200)),
                efficiency=float(rng.choice([1.0, rng.uniform(0.85, 1.0)])),
                p_min_pu=-1.0,
                bidirectional=bool(rng.random() < 0.5),
                marginal_cost=0.01,
            )
    for bus in buses:
        n.add("Load", f"load {bus}", bus=bus, p_set=rng.uniform(0, 100, n_hours))
        n.add(
            "Generator",
            f"wind {bus}",
            bus=bus,
            carrier="onwind",
            p_nom=float(rng.uniform(0, 150)),
            p_max_pu=rng.uniform(0, 1, n_hours),
            marginal_cost=0.1,
        )
        n.add(
            "Generator",
            f"gas {bus}",
            bus=bus,
            carrier="gas",
            p_nom=float(rng.uniform(0, 80)),
            marginal_cost=float(rng.uniform(30, 80)),
            efficiency=0.5,
        )
        n.add(
            "Generator", f"shed {bus}", bus=bus, carrier="shed", p_nom=1000.0, marginal_cost=1000.0
        )
    market = str(rng.choice(buses))
    n.add(
        "Generator",
        "market",
        bus=market,
        carrier="market",
        p_nom=100.0,
        p_min_pu=-1.0,
        marginal_cost=rng.uniform(-20, 120, n_hours),
    )
    n.add(
        "StorageUnit",
        "battery",
        bus=str(rng.choice(buses)),
        carrier="battery",
        p_nom=50.0,
        max_hours=2.0,
        efficiency_store=0.9,
        efficiency_dispatch=0.9,
        cyclic_state_of_charge=True,
    )
    n.add("Store", "store", bus=str(rng.choice(buses)), carrier="heat", e_nom=80.0, e_cyclic=True)
    return n


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_random_networks_conserve_energy_by_origin(seed: int) -> None:
    n = random_network(seed)
    result = optimize(n)
    ft = trace(result)
    assert_invariants(ft, rel=1e-6)
    # All load is traced to some origin.
    load = float(ft.weights_h @ result.series("Load", "p").to_numpy().sum(axis=1))
    assert ft.consumption_by_origin()["mwh"].sum() == pytest.approx(load, rel=1e-6, abs=1e-6)
    # Imports equal what arrives, traced or not.
    for area in set(ft.bus_area):
        traced = ft.imports_mw(area).to_numpy().sum(axis=1)
        np.testing.assert_allclose(traced, ft.imported_mw(area).to_numpy(), atol=1e-5)
