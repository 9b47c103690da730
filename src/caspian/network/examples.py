"""A small example network shipped with the package, for a first run and for tests.

The numbers are illustrative round figures chosen to exercise every feature of the optimiser
(meshed AC lines with Kirchhoff's voltage law, a lossy two-way HVDC link, extendable wind, solar,
batteries and a line, a CO2 cap); they are not data about any real system. The sourced Caspian
corridor dataset is a separate model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.network.network import Network

EXAMPLES = ("demo",)
CO2_CAP_T_PER_HOUR = 100.0
"""The demo's CO2 cap, tonnes per modelled hour."""


def demo_network(hours: int = 168, seed: int = 1) -> Network:
    """Four buses over ``hours`` hourly snapshots (default one week of 2030).

    Three AC buses ``north``, ``south`` and ``coast`` form a triangle; ``island`` is reached from
    ``coast`` by a 300 km two-way HVDC cable that loses 4 % in either direction. North is windy,
    south sunny; gas and coal plants cover the rest under a CO2 cap.
    """
    rng = np.random.default_rng(seed)
    # Capital costs are annuities (EUR/MW/a) scaled to the modelled share of a year.
    year_share = hours / 8760.0
    snapshots = pd.date_range("2030-07-01", periods=hours, freq="h")
    n = Network("demo", snapshots)
    hour = snapshots.hour.to_numpy()
    day = np.arange(hours) / 24.0

    n.add(
        "Carrier",
        ["gas", "coal", "wind", "solar", "battery", "AC", "DC"],
        co2_emissions=[0.2, 0.34, 0, 0, 0, 0, 0],
    )
    n.add("Bus", ["north", "south", "coast"], v_nom=220.0, x=[0.0, 1.0, 2.0], y=[2.0, 0.0, 1.0])
    n.add("Bus", "island", v_nom=320.0, carrier="AC", x=4.0, y=1.0)

    daily = 1.0 + 0.25 * np.sin(2 * np.pi * (hour - 9) / 24)
    for bus, peak in (("north", 300.0), ("south", 500.0), ("coast", 250.0), ("island", 200.0)):
        noise = 1.0 + 0.03 * rng.standard_normal(hours)
        n.add("Load", f"{bus} load", bus=bus, p_set=peak * daily * noise / 1.25)

    wind = np.clip(
        0.45 + 0.25 * np.sin(2 * np.pi * day / 3.5) + 0.12 * rng.standard_normal(hours), 0.0, 1.0
    )
    solar = np.clip(np.sin(np.pi * (hour - 6) / 13), 0.0, None) * 0.85
    n.add(
        "Generator",
        "north wind",
        bus="north",
        carrier="wind",
        p_nom_extendable=True,
        p_nom_max=1500.0,
        p_max_pu=wind,
        capital_cost=110_000.0 * year_share,
        marginal_cost=0.5,
    )
    n.add(
        "Generator",
        "south solar",
        bus="south",
        carrier="solar",
        p_nom_extendable=True,
        p_nom_max=2000.0,
        p_max_pu=solar,
        capital_cost=45_000.0 * year_share,
        marginal_cost=0.1,
    )
    n.add(
        "Generator",
        ["north gas", "south gas", "island gas"],
        bus=["north", "south", "island"],
        carrier="gas",
        p_nom=[250.0, 400.0, 250.0],
        efficiency=[0.55, 0.55, 0.38],
        marginal_cost=[75.0, 72.0, 105.0],
        ramp_limit_up=0.5,
        ramp_limit_down=0.5,
    )
    n.add(
        "Generator",
        "coast coal",
        bus="coast",
        carrier="coal",
        p_nom=300.0,
        efficiency=0.36,
        marginal_cost=45.0,
        p_min_pu=0.2,
    )
    n.add(
        "StorageUnit",
        "south battery",
        bus="south",
        carrier="battery",
        p_nom_extendable=True,
        max_hours=4.0,
        efficiency_store=0.95,
        efficiency_dispatch=0.95,
        cyclic_state_of_charge=True,
        capital_cost=60_000.0 * year_share,
        marginal_cost=0.2,
    )

    n.add(
        "Line",
        ["north-south", "south-coast", "coast-north"],
        bus0=["north", "south", "coast"],
        bus1=["south", "coast", "north"],
        x=[20.0, 25.0, 30.0],
        r=[2.0, 2.5, 3.0],
        s_nom=[400.0, 350.0, 300.0],
        length=[220.0, 250.0, 300.0],
        carrier="AC",
    )
    n.add(
        "Line",
        "north-south upgrade",
        bus0="north",
        bus1="south",
        x=20.0,
        r=2.0,
        s_nom_extendable=True,
        s_nom_max=1000.0,
        capital_cost=25_000.0 * year_share,
        length=220.0,
    )
    n.add(
        "Link",
        "coast-island HVDC",
        bus0="coast",
        bus1="island",
        carrier="DC",
        bidirectional=True,
        p_nom=300.0,
        p_min_pu=-1.0,
        efficiency=0.96,
        length=300.0,
        marginal_cost=0.5,
    )

    n.add(
        "GlobalConstraint",
        "co2 cap",
        type="primary_energy",
        carrier_attribute="co2_emissions",
        sense="<=",
        constant=CO2_CAP_T_PER_HOUR * hours,
    )
    return n


def example_network(name: str = "demo") -> Network:
    """The shipped example called ``name`` (see ``EXAMPLES``)."""
    if name == "demo":
        return demo_network()
    from caspian.exceptions import InputError
    from caspian.network.network import did_you_mean

    raise InputError(
        f"unknown example {name!r}.",
        hint=f"Available: {', '.join(EXAMPLES)}." + did_you_mean(name, EXAMPLES),
    )
