"""Networks like PyPSA's own examples, built with PyPSA's API (no files, no internet).

* :func:`model_energy` follows ``examples/networks/model-energy`` of PyPSA's repository (2 buses,
  3-hourly): wind and solar to build, a battery, electrolysis, a hydrogen store and a turbine,
  load shedding at 2,000 EUR/MWh. Same components, costs and efficiencies; the weather and
  demand are seeded synthetic profiles, and the horizon is shorter to keep the test quick.
* :func:`benchmark_sp` follows ``test/data/benchmark-sp``: one bus with a constant 1 MW load and
  four generators to build (solar, wind, gas, lignite) at PyPSA's costs, a 3-hourly year. Its
  optimum builds only gas, exactly at the load, so the prices are *not* unique: the scarcity
  rent that pays the gas plant can be spread over the hours in many ways, and only their sum
  is fixed (zero profit). That is the network on which Benders used to return prices at which
  the plant earned 689,260 EUR against its cost of 645,199.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa


def _daily(hours: np.ndarray, peak_hour: float) -> np.ndarray:
    return np.cos(2 * np.pi * (hours % 24 - peak_hour) / 24)


def model_energy(weeks: int = 12, seed: int = 7) -> pypsa.Network:
    """PyPSA's model-energy example on ``weeks`` of 3-hourly synthetic weather."""
    rng = np.random.default_rng(seed)
    snapshots = pd.date_range("2019-01-01", periods=weeks * 56, freq="3h")
    hours = np.arange(len(snapshots)) * 3.0
    n = pypsa.Network()
    n.set_snapshots(snapshots)
    n.snapshot_weightings.loc[:, :] = 3.0
    n.add("Carrier", ["electricity", "hydrogen", "wind", "solar", "load shedding"])
    n.add("Bus", "electricity", carrier="electricity")
    n.add("Bus", "hydrogen", carrier="hydrogen")
    demand = 5500 + 600 * _daily(hours, 18) + rng.normal(0, 150, len(hours))
    n.add("Load", "demand", bus="electricity", p_set=np.round(demand, 2))
    n.add(
        "Generator",
        "load shedding",
        bus="electricity",
        carrier="load shedding",
        p_nom=10901.16,
        marginal_cost=2000.0,
    )
    sun = np.clip(_daily(hours, 13), 0, None) * rng.uniform(0.4, 1.0, len(hours))
    weather = np.convolve(rng.normal(0, 1, len(hours) + 7), np.ones(8) / 8, mode="valid")
    wind = np.clip(0.35 + 0.3 * weather, 0.0, 1.0)
    n.add(
        "Generator",
        "wind",
        bus="electricity",
        carrier="wind",
        p_nom_extendable=True,
        capital_cost=101644.12332388276,
        p_max_pu=np.round(wind, 4),
    )
    n.add(
        "Generator",
        "solar",
        bus="electricity",
        carrier="solar",
        p_nom_extendable=True,
        capital_cost=51346.82981964593,
        p_max_pu=np.round(sun, 4),
    )
    n.add(
        "StorageUnit",
        "battery storage",
        bus="electricity",
        p_nom_extendable=True,
        capital_cost=63361.75356490421,
        cyclic_state_of_charge=True,
        max_hours=3.0,
        efficiency_store=0.96,
        efficiency_dispatch=0.96,
    )
    n.add(
        "Link",
        "electrolysis",
        bus0="electricity",
        bus1="hydrogen",
        efficiency=0.6217,
        p_nom_extendable=True,
        capital_cost=188715.7758309984,
    )
    n.add(
        "Link",
        "turbine",
        bus0="hydrogen",
        bus1="electricity",
        efficiency=0.41,
        p_nom_extendable=True,
        capital_cost=116387.00137488062,
    )
    n.add(
        "Store",
        "hydrogen storage",
        bus="hydrogen",
        e_nom_extendable=True,
        e_cyclic=True,
        capital_cost=148.31893020591625,
    )
    return n


def benchmark_sp(seed: int = 11) -> pypsa.Network:
    """PyPSA's benchmark-sp test network on a 3-hourly year of synthetic weather."""
    rng = np.random.default_rng(seed)
    snapshots = pd.date_range("2015-01-01", periods=2920, freq="3h")
    hours = np.arange(len(snapshots)) * 3.0
    n = pypsa.Network()
    n.set_snapshots(snapshots)
    n.snapshot_weightings.loc[:, :] = 3.0
    n.add("Bus", "DE")
    n.add("Load", "DE_load", bus="DE", p_set=1.0)
    season = 0.6 + 0.4 * np.cos(2 * np.pi * (hours / 8760 - 0.5))
    sun = np.clip(_daily(hours, 13), 0, None) * season * rng.uniform(0.5, 1.0, len(hours))
    weather = np.convolve(rng.normal(0, 1, len(hours) + 15), np.ones(16) / 16, mode="valid")
    wind = np.clip(0.25 + 0.35 * weather, 0.0, 1.0)
    n.add(
        "Generator",
        ["solar", "wind", "gas", "lignite"],
        bus="DE",
        p_nom_extendable=True,
        marginal_cost=[0.01, 0.02, 66.66666666666667, 130.0],
        capital_cost=[87427.87103912777, 174855.74207825554, 61199.50972738944, 113656.2323508661],
        efficiency=[1.0, 1.0, 0.6, 0.4],
    )
    n.generators_t.p_max_pu["solar"] = np.round(sun, 4)
    n.generators_t.p_max_pu["wind"] = np.round(wind, 4)
    return n
