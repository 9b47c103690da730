"""The headline answers of a corridor run, computed from its optimisation result.

The model they are held in, :class:`caspian.runs.headlines.Headlines` (re-exported here), belongs
to ``caspian.runs``, with its JSON form and its reader. All energies in TWh per year, capacities
in MW, prices in EUR/MWh (time-weighted means), costs in EUR per year, emissions in Mt CO2 per
year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.network.network import extendable_mask
from caspian.optimize import OptimizationResult
from caspian.runs.headlines import Headlines, above_round_off

RENEWABLE = ("onwind", "offwind", "solar")


def headlines(result: OptimizationResult, scenario: str) -> Headlines:
    """Headline answers of ``result``."""
    n = result.network
    w = n.snapshot_weightings["generators"].to_numpy(float)
    links = n.static["Link"]
    caspian = links.index[links.index.str.startswith("Caspian")]
    capacity = result.capacity("Link")
    capacity = capacity.where(above_round_off(capacity), 0.0)  # solver round-off is 0

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
            "mw": result.capacity("Generator")[new.index].where(above_round_off, 0.0),
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
        mean_price_eur_per_mwh={str(k): float(v) for k, v in prices.items()},
        total_cost_eur_per_year=result.objective,
        eu_exports_twh=into_eu / 1e6,
        emissions_mt_co2=float(np.round(emissions, 6)),
        solver=result.solver.algorithm,
        relative_gap=result.solver.relative_gap,
    )
