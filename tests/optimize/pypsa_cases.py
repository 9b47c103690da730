"""Networks built with PyPSA's own API for the cross-check against PyPSA.

Each builder returns an unsolved :class:`pypsa.Network`; everything random comes from a
``numpy.random.Generator`` with a fixed seed, so every run builds the same networks. The cases
are small (at most a few hundred LP columns per snapshot block) so that the whole cross-check
runs in well under two minutes, yet each exercises one family of the formulation:

=================  ==============================================================================
case               what it exercises
=================  ==============================================================================
meshed_ac          KVL over a 6-bus mesh with 4 independent cycles; per-unit reactance with
                   v_nom of 110/220/380 kV; congestion; time-varying marginal_cost and p_max_pu;
                   must-run p_min_pu; load shedding generators
dc_lines           a DC sub-network of lines (KVL weighted by r, with a misleading x) next to an
                   AC triangle (weighted by x, with a misleading r), AC/DC converter links
hvdc_links         zones joined only by links: p_min_pu=-1 with efficiency < 1 (PyPSA's
                   energy-creating reversal), p_min_pu=-0.5, one-way links, time-varying
                   efficiency and p_max_pu, link marginal cost
expansion          extendable generators, lines (s_nom_min/max), links (p_nom_max), StorageUnit
                   and Store with capital costs, fom_cost, p_nom_max that binds
storage_units      cyclic battery, non-cyclic pumped hydro with initial state and standing loss,
                   hydro reservoir with inflow, forced spill and spill_cost
stores             Stores behind links (electrolyser, fuel cell, heat pump with COP > 1),
                   cyclic, non-cyclic with standing loss, extendable, e_min_pu / e_max_pu series
ramp_limits        static and time-varying ramp limits on fixed and extendable generators and on
                   a link
co2_cap            a binding primary-energy CO2 cap: generator efficiencies, non-uniform
                   generator weightings, an emitting non-cyclic Store and StorageUnit
weightings         objective, stores and generators weightings all different, with storage,
                   standing losses, ramp limits and a binding CO2 cap
mixed_a, mixed_b   random meshed networks with everything above mixed together
degenerate         built *not* to be unique: tied generators, load exactly at a capacity (a
                   price anywhere between two costs) and an extendable generator whose capital
                   cost equals its savings (a range of optimal capacities)
=================  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa

VOLL = 3000.0
"""Value of lost load, EUR/MWh: the marginal cost of the load-shedding generators."""

CARRIERS = {
    "AC": 0.0,
    "DC": 0.0,
    "H2": 0.0,
    "heat": 0.0,
    "gas": 0.2,
    "coal": 0.34,
    "lignite": 0.4,
    "oil": 0.26,
    "wind": 0.0,
    "solar": 0.0,
    "nuclear": 0.0,
    "hydro": 0.0,
    "battery": 0.0,
    "load shedding": 0.0,
    "HVDC": 0.0,
}
"""Carriers with their CO2 emissions in t per MWh of primary energy."""


@dataclass(frozen=True)
class Case:
    """One network of the cross-check.

    Parameters
    ----------
    name : the test id.
    build : returns the unsolved network.
    co2_cap : name of a CO2 cap the case is built to make binding (checked on the PyPSA side).
    degenerate : True if the case is built to have non-unique prices and capacities (checked on
        the PyPSA side); other cases are built so that most prices are unique.
    """

    name: str
    build: Callable[[], pypsa.Network]
    co2_cap: str | None = None
    degenerate: bool = False


def _network(hours: int) -> pypsa.Network:
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=hours, freq="h"))
    n.add("Carrier", list(CARRIERS), co2_emissions=list(CARRIERS.values()))
    return n


def _profile(
    rng: np.random.Generator, hours: int, mean: float, swing: float, noise: float = 0.05
) -> np.ndarray:
    """A smooth daily-like profile around ``mean`` with relative ``swing`` and some noise."""
    phase = rng.uniform(0, 2 * np.pi)
    t = np.arange(hours)
    shape = 1 + swing * np.sin(2 * np.pi * t / max(hours, 2) + phase)
    return np.round(mean * shape * (1 + noise * rng.standard_normal(hours)), 3)


def _availability(rng: np.random.Generator, hours: int, low: float, high: float) -> np.ndarray:
    return np.round(rng.uniform(low, high, hours), 4)


def _shedding(n: pypsa.Network, buses: list[str]) -> None:
    """PyPSA-style load shedding: a very expensive generator at every bus."""
    n.add(
        "Generator",
        [f"{b} shedding" for b in buses],
        bus=buses,
        carrier="load shedding",
        p_nom=1e4,
        marginal_cost=[VOLL + i for i in range(len(buses))],
    )


# ---------------------------------------------------------------------------------- cases
def meshed_ac() -> pypsa.Network:
    rng = np.random.default_rng(101)
    hours = 8
    n = _network(hours)
    buses = [f"bus{i}" for i in range(6)]
    n.add("Bus", buses, v_nom=[380, 380, 220, 220, 380, 110], carrier="AC")
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 1), (4, 5), (5, 0), (3, 5)]
    n.add(
        "Line",
        [f"line{a}-{b}" for a, b in edges],
        bus0=[buses[a] for a, _ in edges],
        bus1=[buses[b] for _, b in edges],
        x=np.round(rng.uniform(5, 40, len(edges)), 2),
        r=np.round(rng.uniform(1, 5, len(edges)), 2),
        s_nom=np.round(rng.uniform(60, 200, len(edges)), 1),
    )
    n.add(
        "Generator",
        [f"{b} gas" for b in buses],
        bus=buses,
        carrier="gas",
        p_nom=np.round(rng.uniform(150, 400, 6), 1),
        marginal_cost=np.round(rng.uniform(35, 90, 6), 2),
    )
    n.add(
        "Generator",
        ["bus1 wind", "bus4 wind"],
        bus=["bus1", "bus4"],
        carrier="wind",
        p_nom=[250, 180],
        marginal_cost=[0.5, 1.3],
        p_max_pu=pd.DataFrame(
            {
                "bus1 wind": _availability(rng, hours, 0.05, 0.95),
                "bus4 wind": _availability(rng, hours, 0.05, 0.95),
            },
            index=n.snapshots,
        ),
    )
    n.add(
        "Generator",
        "bus2 coal",
        bus="bus2",
        carrier="coal",
        p_nom=220,
        marginal_cost=pd.Series(np.round(rng.uniform(20, 45, hours), 2), n.snapshots),
    )
    n.add(
        "Generator",
        "bus3 nuclear",
        bus="bus3",
        carrier="nuclear",
        p_nom=150,
        p_min_pu=0.3,
        marginal_cost=8.0,
    )
    n.add(
        "Load",
        [f"{b} load" for b in buses],
        bus=buses,
        p_set=pd.DataFrame(
            {f"{b} load": _profile(rng, hours, rng.uniform(90, 200), 0.3) for b in buses},
            index=n.snapshots,
        ),
    )
    _shedding(n, buses)
    return n


def dc_lines() -> pypsa.Network:
    rng = np.random.default_rng(202)
    hours = 6
    n = _network(hours)
    ac = ["ac0", "ac1", "ac2"]
    dc = ["dc0", "dc1", "dc2"]
    n.add("Bus", ac, v_nom=380, carrier="AC")
    n.add("Bus", dc, v_nom=[320, 400, 320], carrier="DC")
    ring = [(0, 1), (1, 2), (2, 0)]
    # AC lines: KVL weighted by x; r is set in a different ratio so that using it would show.
    n.add(
        "Line",
        [f"ac{a}-ac{b}" for a, b in ring],
        bus0=[ac[a] for a, _ in ring],
        bus1=[ac[b] for _, b in ring],
        x=[10.0, 25.0, 14.0],
        r=[6.0, 1.0, 3.0],
        s_nom=[120, 160, 90],
    )
    # DC lines: KVL weighted by r; x is set in a different ratio so that using it would show.
    n.add(
        "Line",
        [f"dc{a}-dc{b}" for a, b in ring],
        bus0=[dc[a] for a, _ in ring],
        bus1=[dc[b] for _, b in ring],
        r=[2.0, 7.0, 3.5],
        x=[9.0, 1.0, 4.0],
        s_nom=[100, 140, 80],
    )
    n.add(
        "Link",
        [f"converter{i}" for i in range(3)],
        bus0=ac,
        bus1=dc,
        carrier="DC",
        p_nom=[150, 120, 200],
        p_min_pu=-1,
        efficiency=1.0,
    )
    n.add(
        "Generator",
        [f"{b} gas" for b in ac],
        bus=ac,
        carrier="gas",
        p_nom=[300, 250, 200],
        marginal_cost=[40.0, 55.0, 70.0],
    )
    n.add(
        "Generator",
        "dc2 offshore wind",
        bus="dc2",
        carrier="wind",
        p_nom=260,
        marginal_cost=0.2,
        p_max_pu=pd.Series(_availability(rng, hours, 0.2, 1.0), n.snapshots),
    )
    n.add(
        "Load",
        [f"{b} load" for b in [*ac, "dc1"]],
        bus=[*ac, "dc1"],
        p_set=pd.DataFrame(
            {
                "ac0 load": _profile(rng, hours, 120, 0.3),
                "ac1 load": _profile(rng, hours, 180, 0.3),
                "ac2 load": _profile(rng, hours, 150, 0.3),
                "dc1 load": _profile(rng, hours, 40, 0.2),
            },
            index=n.snapshots,
        ),
    )
    _shedding(n, ac)
    return n


def hvdc_links() -> pypsa.Network:
    rng = np.random.default_rng(303)
    hours = 8
    n = _network(hours)
    zones = ["z0", "z1", "z2", "z3"]
    n.add("Bus", zones, v_nom=400, carrier="AC")
    # No cycle of links multiplies energy by more than 1 (no reversible lossy link has a
    # lossless path in parallel), so the LP cannot create energy in a loop.
    n.add(
        "Link",
        ["z0-z1", "z0-z2", "z2-z3", "z3-z1"],
        bus0=["z0", "z0", "z2", "z3"],
        bus1=["z1", "z2", "z3", "z1"],
        carrier="HVDC",
        p_nom=[150, 100, 120, 80],
        p_min_pu=[-1.0, -0.5, 0.0, 0.0],
        efficiency=[0.95, 0.97, 0.9, 0.92],
        marginal_cost=[0.5, 0.0, 1.0, 0.0],
    )
    n.links_t.efficiency["z0-z2"] = np.round(rng.uniform(0.93, 0.98, hours), 4)
    n.links_t.p_max_pu["z3-z1"] = _availability(rng, hours, 0.5, 1.0)
    for i, z in enumerate(zones):
        n.add(
            "Generator",
            f"{z} thermal",
            bus=z,
            carrier="gas",
            p_nom=rng.uniform(150, 300),
            marginal_cost=pd.Series(
                np.round(30 + 10 * i + 25 * np.sin(np.arange(hours) * 0.9 + i * 1.7) ** 2, 2),
                n.snapshots,
            ),
        )
    n.add(
        "Generator",
        "z2 solar",
        bus="z2",
        carrier="solar",
        p_nom=200,
        p_max_pu=pd.Series(_availability(rng, hours, 0.0, 1.0), n.snapshots),
    )
    n.add(
        "Load",
        [f"{z} load" for z in zones],
        bus=zones,
        p_set=pd.DataFrame(
            {f"{z} load": _profile(rng, hours, 150, 0.4) for z in zones}, index=n.snapshots
        ),
    )
    _shedding(n, zones)
    return n


def expansion() -> pypsa.Network:
    rng = np.random.default_rng(404)
    hours = 12
    n = _network(hours)
    buses = ["b0", "b1", "b2", "b3"]
    n.add("Bus", buses, v_nom=380, carrier="AC")
    edges = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]
    n.add(
        "Line",
        [f"b{a}-b{b}" for a, b in edges],
        bus0=[buses[a] for a, _ in edges],
        bus1=[buses[b] for _, b in edges],
        x=[12.0, 20.0, 15.0, 18.0, 25.0],
        s_nom=[50, 80, 60, 100, 40],
        s_nom_extendable=[True, True, False, False, True],
        s_nom_min=[50, 0, 0, 0, 20],
        s_nom_max=[300, 90, np.inf, np.inf, 70],
        capital_cost=[15.0, 11.0, 0.0, 0.0, 9.0],
        length=[100, 150, 120, 130, 200],
    )
    n.add(
        "Generator",
        "b1 wind",
        bus="b1",
        carrier="wind",
        p_nom_extendable=True,
        p_nom_max=400,
        capital_cost=60.0,
        fom_cost=8.0,
        marginal_cost=0.1,
        p_max_pu=pd.Series(_availability(rng, hours, 0.1, 0.95), n.snapshots),
    )
    solar = np.clip(np.sin(np.linspace(0, np.pi, hours)), 0, None) * rng.uniform(0.7, 1.0)
    n.add(
        "Generator",
        "b2 solar",
        bus="b2",
        carrier="solar",
        p_nom_extendable=True,
        p_nom_max=120,
        capital_cost=25.0,
        p_max_pu=pd.Series(np.round(solar, 4), n.snapshots),
    )
    n.add(
        "Generator",
        "b3 gas",
        bus="b3",
        carrier="gas",
        p_nom_extendable=True,
        p_nom_min=20,
        capital_cost=30.0,
        marginal_cost=65.0,
    )
    n.add("Generator", "b0 coal", bus="b0", carrier="coal", p_nom=150, marginal_cost=33.0)
    n.add(
        "Link",
        "b3-b1 hvdc",
        bus0="b3",
        bus1="b1",
        carrier="HVDC",
        p_nom_extendable=True,
        p_nom_max=60,
        capital_cost=7.0,
        p_min_pu=-1,
        efficiency=0.97,
    )
    n.add(
        "StorageUnit",
        "b2 battery",
        bus="b2",
        carrier="battery",
        p_nom_extendable=True,
        capital_cost=12.0,
        max_hours=3,
        efficiency_store=0.93,
        efficiency_dispatch=0.93,
        cyclic_state_of_charge=True,
    )
    n.add(
        "Store",
        "b0 store",
        bus="b0",
        carrier="battery",
        e_nom_extendable=True,
        e_nom_max=150,
        capital_cost=3.0,
        e_cyclic=True,
        marginal_cost=0.3,
    )
    n.add(
        "Load",
        [f"{b} load" for b in buses],
        bus=buses,
        p_set=pd.DataFrame(
            {
                f"{b} load": _profile(rng, hours, m, 0.35)
                for b, m in zip(buses, [140, 90, 110, 70], strict=True)
            },
            index=n.snapshots,
        ),
    )
    _shedding(n, buses)
    return n


def storage_units() -> pypsa.Network:
    rng = np.random.default_rng(505)
    hours = 12
    n = _network(hours)
    n.add("Bus", ["north", "south"], v_nom=220, carrier="AC")
    n.add("Line", "north-south", bus0="north", bus1="south", x=20.0, s_nom=90)
    inflow = np.round(np.r_[np.full(6, 160.0), np.full(6, 20.0)] * rng.uniform(0.9, 1.1, hours), 2)
    n.add(
        "StorageUnit",
        "reservoir",
        bus="north",
        carrier="hydro",
        p_nom=100,
        max_hours=6,
        p_min_pu=0.0,
        efficiency_dispatch=0.9,
        state_of_charge_initial=300,
        inflow=pd.Series(inflow, n.snapshots),
        spill_cost=0.5,
        marginal_cost=0.2,
    )
    n.add(
        "StorageUnit",
        "battery",
        bus="south",
        carrier="battery",
        p_nom=50,
        max_hours=4,
        efficiency_store=0.92,
        efficiency_dispatch=0.92,
        cyclic_state_of_charge=True,
        marginal_cost=0.1,
    )
    n.add(
        "StorageUnit",
        "pumped hydro",
        bus="south",
        carrier="hydro",
        p_nom=80,
        max_hours=8,
        efficiency_store=0.85,
        efficiency_dispatch=0.9,
        standing_loss=0.002,
        state_of_charge_initial=200,
    )
    n.add(
        "Generator",
        "south gas",
        bus="south",
        carrier="gas",
        p_nom=400,
        marginal_cost=pd.Series(np.round(rng.uniform(40, 110, hours), 2), n.snapshots),
    )
    n.add(
        "Generator",
        "north solar",
        bus="north",
        carrier="solar",
        p_nom=120,
        p_max_pu=pd.Series(np.round(np.sin(np.linspace(0.1, np.pi - 0.1, hours)), 4), n.snapshots),
    )
    n.add(
        "Load",
        ["north load", "south load"],
        bus=["north", "south"],
        p_set=pd.DataFrame(
            {
                "north load": _profile(rng, hours, 60, 0.3),
                "south load": _profile(rng, hours, 260, 0.35),
            },
            index=n.snapshots,
        ),
    )
    _shedding(n, ["north", "south"])
    return n


def stores() -> pypsa.Network:
    rng = np.random.default_rng(606)
    hours = 10
    n = _network(hours)
    n.add("Bus", ["el0", "el1"], v_nom=220, carrier="AC")
    n.add("Bus", "h2", carrier="H2")
    n.add("Bus", "heat", carrier="heat")
    n.add("Line", "el0-el1", bus0="el0", bus1="el1", x=15.0, s_nom=120)
    n.add(
        "Link",
        ["electrolyser", "fuel cell", "heat pump"],
        bus0=["el0", "h2", "el1"],
        bus1=["h2", "el1", "heat"],
        carrier=["H2", "H2", "heat"],
        p_nom=[100, 80, 50],
        efficiency=[0.7, 0.5, 3.0],
        marginal_cost=[0.5, 0.0, 0.0],
    )
    n.add("Store", "h2 store", bus="h2", carrier="H2", e_nom=600, e_cyclic=True)
    n.add(
        "Store",
        "heat store",
        bus="heat",
        carrier="heat",
        e_nom=200,
        standing_loss=0.02,
        e_initial=50,
    )
    n.add(
        "Store",
        "el1 battery",
        bus="el1",
        carrier="battery",
        e_nom_extendable=True,
        e_nom_max=300,
        capital_cost=2.0,
        e_cyclic=True,
        marginal_cost=0.2,
        e_min_pu=0.1,
        e_max_pu=pd.Series(np.round(np.linspace(1.0, 0.8, hours), 3), n.snapshots),
    )
    n.add(
        "Generator",
        "el0 wind",
        bus="el0",
        carrier="wind",
        p_nom=300,
        p_max_pu=pd.Series(_availability(rng, hours, 0.0, 1.0), n.snapshots),
    )
    n.add("Generator", "el1 gas", bus="el1", carrier="gas", p_nom=250, marginal_cost=80.0)
    n.add("Generator", "heat boiler", bus="heat", carrier="gas", p_nom=150, marginal_cost=45.0)
    n.add(
        "Load",
        ["el0 load", "el1 load", "heat load"],
        bus=["el0", "el1", "heat"],
        p_set=pd.DataFrame(
            {
                "el0 load": _profile(rng, hours, 70, 0.3),
                "el1 load": _profile(rng, hours, 130, 0.3),
                "heat load": _profile(rng, hours, 90, 0.4),
            },
            index=n.snapshots,
        ),
    )
    _shedding(n, ["el0", "el1", "heat"])
    return n


def ramp_limits() -> pypsa.Network:
    rng = np.random.default_rng(707)
    hours = 12
    n = _network(hours)
    n.add("Bus", ["west", "east"], v_nom=380, carrier="AC")
    n.add("Line", "west-east", bus0="west", bus1="east", x=10.0, s_nom=150)
    load = np.array([120, 180, 320, 380, 300, 150, 90, 250, 400, 350, 160, 110], float)
    n.add(
        "Load",
        ["west load", "east load"],
        bus=["west", "east"],
        p_set=pd.DataFrame(
            {"west load": np.round(0.4 * load, 2), "east load": np.round(0.6 * load, 2)},
            index=n.snapshots,
        ),
    )
    n.add(
        "Generator",
        "west lignite",
        bus="west",
        carrier="lignite",
        p_nom=220,
        marginal_cost=12.0,
        ramp_limit_up=pd.Series(np.round(rng.uniform(0.05, 0.2, hours), 3), n.snapshots),
        ramp_limit_down=0.15,
    )
    n.add(
        "Generator",
        "east coal",
        bus="east",
        carrier="coal",
        p_nom=200,
        marginal_cost=25.0,
        ramp_limit_up=0.25,
        ramp_limit_down=0.3,
    )
    n.add(
        "Generator",
        "east ccgt",
        bus="east",
        carrier="gas",
        p_nom_extendable=True,
        capital_cost=20.0,
        marginal_cost=50.0,
        ramp_limit_up=0.5,
        ramp_limit_down=0.6,
    )
    n.add("Generator", "west peaker", bus="west", carrier="oil", p_nom=500, marginal_cost=140.0)
    n.add(
        "Link",
        "west-east dc",
        bus0="west",
        bus1="east",
        carrier="HVDC",
        p_nom=100,
        p_min_pu=-1,
        efficiency=1.0,
        marginal_cost=0.3,
        ramp_limit_up=0.3,
        ramp_limit_down=0.3,
    )
    return n


def co2_cap() -> pypsa.Network:
    rng = np.random.default_rng(808)
    hours = 8
    n = _network(hours)
    buses = ["a", "b", "c"]
    n.add("Bus", buses, v_nom=[380, 220, 220], carrier="AC")
    n.add("Bus", "gas hub", carrier="gas")
    n.add(
        "Line",
        ["a-b", "b-c", "c-a"],
        bus0=["a", "b", "c"],
        bus1=["b", "c", "a"],
        x=[30.0, 10.0, 35.0],
        s_nom=[200, 150, 180],
    )
    n.add(
        "Generator",
        ["a coal", "a lignite", "b ccgt", "c ocgt", "c wind"],
        bus=["a", "a", "b", "c", "c"],
        carrier=["coal", "lignite", "gas", "gas", "wind"],
        p_nom=[250, 200, 200, 150, 250],
        efficiency=[0.38, 0.35, 0.58, 0.39, 1.0],
        marginal_cost=[28.0, 18.0, 55.0, 85.0, 0.0],
    )
    n.generators_t.p_max_pu["c wind"] = _availability(rng, hours, 0.1, 0.9)
    # A fuel stock: a non-cyclic Store of gas whose drawdown counts as emissions.
    n.add("Store", "gas stock", bus="gas hub", carrier="gas", e_nom=500, e_initial=500)
    n.add(
        "Link",
        "gas turbine",
        bus0="gas hub",
        bus1="b",
        carrier="gas",
        p_nom=120,
        efficiency=0.5,
        marginal_cost=4.0,
    )
    # An emitting non-cyclic StorageUnit (an oil tank feeding a generator, no charging).
    n.add(
        "StorageUnit",
        "oil tank",
        bus="c",
        carrier="oil",
        p_nom=40,
        max_hours=5,
        p_min_pu=0.0,
        state_of_charge_initial=150,
        marginal_cost=60.0,
    )
    n.add(
        "Load",
        [f"{b} load" for b in buses],
        bus=buses,
        p_set=pd.DataFrame(
            {
                f"{b} load": _profile(rng, hours, m, 0.3)
                for b, m in zip(buses, [200, 150, 170], strict=True)
            },
            index=n.snapshots,
        ),
    )
    n.snapshot_weightings["generators"] = [1.0, 2.0, 1.0, 1.5, 1.0, 3.0, 1.0, 2.0]
    n.add(
        "GlobalConstraint",
        "co2_cap",
        type="primary_energy",
        carrier_attribute="co2_emissions",
        sense="<=",
        constant=3500.0,
    )
    _shedding(n, buses)
    return n


def weightings() -> pypsa.Network:
    rng = np.random.default_rng(909)
    hours = 6
    n = _network(hours)
    n.add("Bus", ["x", "y"], v_nom=220, carrier="AC")
    n.add("Line", "x-y", bus0="x", bus1="y", x=8.0, s_nom=80)
    n.snapshot_weightings["objective"] = [1.0, 2.0, 3.0, 1.0, 2.0, 4.0]
    n.snapshot_weightings["stores"] = [1.0, 1.0, 2.0, 2.0, 3.0, 1.0]
    n.snapshot_weightings["generators"] = [2.0, 1.0, 1.0, 3.0, 1.0, 2.0]
    n.add(
        "Generator",
        ["x coal", "y gas", "y wind"],
        bus=["x", "y", "y"],
        carrier=["coal", "gas", "wind"],
        p_nom=[200, 250, 150],
        efficiency=[0.4, 0.5, 1.0],
        marginal_cost=[25.0, 60.0, 0.0],
        ramp_limit_up=[0.3, np.nan, np.nan],
        ramp_limit_down=[0.4, np.nan, np.nan],
    )
    n.generators_t.marginal_cost["y gas"] = np.round(rng.uniform(50, 75, hours), 2)
    n.generators_t.p_max_pu["y wind"] = _availability(rng, hours, 0.0, 1.0)
    n.add(
        "StorageUnit",
        "x battery",
        bus="x",
        carrier="battery",
        p_nom=60,
        max_hours=3,
        efficiency_store=0.9,
        efficiency_dispatch=0.95,
        standing_loss=0.01,
        cyclic_state_of_charge=True,
    )
    n.add(
        "Store",
        "y store",
        bus="y",
        carrier="battery",
        e_nom=150,
        standing_loss=0.03,
        e_initial=40,
        marginal_cost=0.1,
    )
    n.add(
        "Load",
        ["x load", "y load"],
        bus=["x", "y"],
        p_set=pd.DataFrame(
            {"x load": _profile(rng, hours, 110, 0.3), "y load": _profile(rng, hours, 150, 0.3)},
            index=n.snapshots,
        ),
    )
    n.add(
        "GlobalConstraint",
        "co2_cap",
        type="primary_energy",
        carrier_attribute="co2_emissions",
        sense="<=",
        constant=1000.0,
    )
    _shedding(n, ["x", "y"])
    return n


def _mixed(seed: int, n_buses: int, hours: int) -> pypsa.Network:
    rng = np.random.default_rng(seed)
    n = _network(hours)
    buses = [f"n{i}" for i in range(n_buses)]
    n.add("Bus", buses, v_nom=rng.choice([110.0, 220.0, 380.0], n_buses), carrier="AC")
    # A random spanning tree plus extra edges, so that the mesh has several cycles.
    edges = {(int(rng.integers(0, i)), i) for i in range(1, n_buses)}
    while len(edges) < n_buses + 3:
        a, b = sorted(int(v) for v in rng.choice(n_buses, 2, replace=False))
        edges.add((a, b))
    edges_sorted = sorted(edges)
    extendable = rng.random(len(edges_sorted)) < 0.3
    n.add(
        "Line",
        [f"n{a}-n{b}" for a, b in edges_sorted],
        bus0=[buses[a] for a, _ in edges_sorted],
        bus1=[buses[b] for _, b in edges_sorted],
        x=np.round(rng.uniform(5, 50, len(edges_sorted)), 2),
        s_nom=np.round(rng.uniform(50, 200, len(edges_sorted)), 1),
        s_nom_extendable=extendable,
        s_nom_max=np.where(extendable, 400.0, np.inf),
        capital_cost=np.where(extendable, np.round(rng.uniform(5, 20, len(edges_sorted)), 2), 0.0),
    )
    for i, b in enumerate(buses):
        n.add(
            "Generator",
            f"{b} thermal",
            bus=b,
            carrier=str(rng.choice(["gas", "coal", "lignite"])),
            p_nom=round(float(rng.uniform(80, 250)), 1),
            marginal_cost=round(float(rng.uniform(20, 100)), 2),
            efficiency=round(float(rng.uniform(0.35, 0.6)), 3),
        )
        if i % 3 == 0:
            n.add(
                "Generator",
                f"{b} wind",
                bus=b,
                carrier="wind",
                p_nom_extendable=True,
                p_nom_max=300,
                capital_cost=round(float(rng.uniform(150, 350)), 2),
                marginal_cost=round(float(rng.uniform(0, 2)), 3),
                p_max_pu=pd.Series(_availability(rng, hours, 0.0, 1.0), n.snapshots),
            )
    n.add(
        "Load",
        [f"{b} load" for b in buses],
        bus=buses,
        p_set=pd.DataFrame(
            {f"{b} load": _profile(rng, hours, rng.uniform(60, 160), 0.3) for b in buses},
            index=n.snapshots,
        ),
    )
    a, b = buses[1], buses[-1]
    n.add(
        "Link",
        f"{a}-{b} hvdc",
        bus0=a,
        bus1=b,
        carrier="HVDC",
        p_nom=100,
        p_min_pu=-1,
        efficiency=0.96,
        marginal_cost=0.5,
    )
    n.add(
        "StorageUnit",
        f"{buses[2]} battery",
        bus=buses[2],
        carrier="battery",
        p_nom_extendable=True,
        p_nom_max=100,
        capital_cost=3.0,
        max_hours=4,
        efficiency_store=0.9,
        efficiency_dispatch=0.9,
        cyclic_state_of_charge=True,
    )
    n.add(
        "Store",
        f"{buses[3]} store",
        bus=buses[3],
        carrier="battery",
        e_nom=200,
        e_initial=50,
        standing_loss=0.01,
    )
    _shedding(n, buses)
    return n


def mixed_a() -> pypsa.Network:
    return _mixed(seed=1234, n_buses=8, hours=12)


def mixed_b() -> pypsa.Network:
    return _mixed(seed=98765, n_buses=10, hours=8)


def degenerate() -> pypsa.Network:
    n = _network(6)
    buses = ["a", "b", "c"]
    n.add("Bus", buses, v_nom=220, carrier="AC")
    n.add(
        "Line",
        ["a-b", "b-c", "c-a"],
        bus0=["a", "b", "c"],
        bus1=["b", "c", "a"],
        x=10.0,
        s_nom=1000,
    )
    n.add(
        "Generator",
        ["a cheap", "b gas", "c gas"],
        bus=buses,
        carrier=["coal", "gas", "gas"],
        p_nom=[100, 300, 300],
        marginal_cost=[20.0, 40.0, 40.0],
    )
    # Available in hour 4 only, where it displaces gas at 40 EUR/MWh: its capital cost of 40
    # EUR/MW equals its savings, so any capacity up to the 300 MW of gas it can displace is
    # optimal.
    n.add(
        "Generator",
        "a wind",
        bus="a",
        carrier="wind",
        p_nom_extendable=True,
        capital_cost=40.0,
        p_max_pu=pd.Series([0.0, 0.0, 0.0, 0.0, 1.0, 0.0], n.snapshots),
    )
    # Hours 0 and 3: the load equals the cheap generator's capacity, so the price may be
    # anything between 20 and 40.
    n.add(
        "Load",
        ["a load", "b load", "c load"],
        bus=buses,
        p_set=pd.DataFrame(
            {
                "a load": [40.0, 60.0, 80.0, 30.0, 150.0, 50.0],
                "b load": [30.0, 50.0, 90.0, 40.0, 150.0, 40.0],
                "c load": [30.0, 40.0, 80.0, 30.0, 100.0, 30.0],
            },
            index=n.snapshots,
        ),
    )
    return n


CASES: tuple[Case, ...] = (
    Case("meshed_ac", meshed_ac),
    Case("dc_lines", dc_lines),
    Case("hvdc_links", hvdc_links),
    Case("expansion", expansion),
    Case("storage_units", storage_units),
    Case("stores", stores),
    Case("ramp_limits", ramp_limits),
    Case("co2_cap", co2_cap, co2_cap="co2_cap"),
    Case("weightings", weightings, co2_cap="co2_cap"),
    Case("mixed_a", mixed_a),
    Case("mixed_b", mixed_b),
    Case("degenerate", degenerate, degenerate=True),
)
"""Every cross-check case, in test order."""
