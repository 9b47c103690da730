"""The headline answers of a corridor run, computed from its optimisation result.

All energies in TWh per year, capacities in MW, prices in EUR/MWh (time-weighted means), costs in
EUR per year, emissions in Mt CO2 per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from caspian.analysis.market import MIN_CAPACITY_MW
from caspian.network.network import extendable_mask
from caspian.optimize import OptimizationResult

RENEWABLE = ("onwind", "offwind", "solar")


@dataclass(frozen=True)
class Headlines:
    """What the study asks first, for one scenario.

    Attributes
    ----------
    scenario
        The scenario's name.
    caspian_capacity_mw
        Optimal capacity (MW) of every link whose name starts with ``Caspian``; below
        ``caspian.analysis.market.MIN_CAPACITY_MW`` (solver round-off) it is 0.
    link_flows_twh
        Per link: ``bus0``, ``bus1``, ``capacity_mw``, ``forward_twh``, ``backward_twh`` and
        ``losses_twh``.
    renewable_build_mw
        Optimal capacity (MW) of the extendable wind and solar generators, node x technology
        (0 below ``MIN_CAPACITY_MW``).
    mean_price
        Time-weighted mean price (EUR/MWh) of every bus.
    total_cost_eur
        The objective: total system cost, EUR per year. As in PyPSA it counts the investment
        in what the optimisation builds (extendable assets), not in capacity the scenario fixes
        (such as the Caspian cable of ``caspian-fixed-1.5gw``), so compare scenarios that fix
        different assets with ``caspian cba``, which adds the link's own cost.
    eu_exports_twh
        Energy arriving at the ``EU`` bus over links, TWh per year.
    emissions_mt
        Emissions of the generators, Mt CO2 per year.
    """

    scenario: str
    caspian_capacity_mw: dict[str, float]
    link_flows_twh: pd.DataFrame
    renewable_build_mw: pd.DataFrame
    mean_price: dict[str, float]
    total_cost_eur: float
    eu_exports_twh: float
    emissions_mt: float
    solver: str = "highs"
    """The algorithm that solved it (``benders`` for the decomposition)."""
    relative_gap: float = 0.0
    """Proved relative gap of the total cost to the optimum (0 for a direct solve)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "caspian_capacity_mw": self.caspian_capacity_mw,
            "total_cost_eur_per_year": self.total_cost_eur,
            "eu_exports_twh": self.eu_exports_twh,
            "emissions_mt_co2": self.emissions_mt,
            "solver": self.solver,
            "relative_gap": self.relative_gap,
            "mean_price_eur_per_mwh": self.mean_price,
            "renewable_build_mw": {
                " ".join(map(str, cast(tuple[str, str], key))): float(cast(float, v))
                for key, v in self.renewable_build_mw.stack().items()
                if v > 0
            },
            "link_flows_twh": {
                str(name): {k: (v if isinstance(v, str) else float(v)) for k, v in row.items()}
                for name, row in self.link_flows_twh.iterrows()
            },
        }


def headlines(result: OptimizationResult, scenario: str) -> Headlines:
    """Headline answers of ``result``."""
    n = result.network
    w = n.snapshot_weightings["generators"].to_numpy(float)
    links = n.static["Link"]
    caspian = links.index[links.index.str.startswith("Caspian")]
    capacity = result.capacity("Link")
    capacity = capacity.where(capacity >= MIN_CAPACITY_MW, 0.0)  # solver round-off is 0

    p0 = result.series("Link", "p0")
    p1 = result.series("Link", "p1")
    forward = (p0.clip(lower=0).mul(w, axis=0)).sum() / 1e6
    backward = ((-p0).clip(lower=0).mul(w, axis=0)).sum() / 1e6
    losses = (p0 + p1).mul(w, axis=0).sum() / 1e6
    flows = pd.DataFrame(
        {
            "bus0": links["bus0"],
            "bus1": links["bus1"],
            "capacity_mw": capacity,
            "forward_twh": forward,
            "backward_twh": backward,
            "losses_twh": losses,
        }
    )

    gens = n.static["Generator"]
    new = gens[extendable_mask(gens, "Generator") & gens["carrier"].isin(RENEWABLE).to_numpy()]
    build = pd.DataFrame(
        {
            "node": new["bus"],
            "technology": new["carrier"],
            "mw": result.capacity("Generator")[new.index].where(
                lambda mw: mw >= MIN_CAPACITY_MW, 0.0
            ),
        }
    )
    build_table = build.pivot_table(
        index="node", columns="technology", values="mw", aggfunc="sum", fill_value=0.0
    )

    weights = n.snapshot_weightings["objective"]
    prices = result.prices.mul(weights, axis=0).sum() / weights.sum()

    # Energy arriving at the EU bus: p0/p1 are withdrawals, so arrivals are their negative parts.
    into_eu = 0.0
    for name, link in links.iterrows():
        for bus, withdrawn in (("bus0", p0), ("bus1", p1)):
            if link[bus] == "EU":
                into_eu += float(((-withdrawn[name]).clip(lower=0) * w).sum())

    carriers = n.static["Carrier"]["co2_emissions"]
    rate = gens["carrier"].map(carriers).fillna(0.0) / gens["efficiency"]
    gen_p = result.series("Generator", "p")
    emissions = float((gen_p.mul(w, axis=0) * rate.to_numpy()).to_numpy().sum()) / 1e6

    return Headlines(
        scenario=scenario,
        caspian_capacity_mw={str(k): float(capacity[k]) for k in caspian},
        link_flows_twh=flows,
        renewable_build_mw=build_table,
        mean_price={str(k): float(v) for k, v in prices.items()},
        total_cost_eur=result.objective,
        eu_exports_twh=into_eu / 1e6,
        emissions_mt=float(np.round(emissions, 6)),
        solver=result.solver.algorithm,
        relative_gap=result.solver.relative_gap,
    )
