"""Who gains: money and energy by asset, technology and area (country or market).

Every asset buys or sells at its bus's price ``lambda_{b,t}`` (EUR/MWh). With ``w_t`` the
objective weighting (hours) of snapshot ``t``, per area ``a``:

* consumer payments ``CP_a = sum_t w_t sum_{loads l in a} lambda_{b(l),t} p_{l,t}``; with
  inelastic demand the consumer surplus, up to a constant that cancels in every comparison,
  is ``CS_a = -CP_a``;
* producer surplus ``PS_a = sum_{assets in a} (revenue - variable cost - investment cost)``:
  generators earn ``w lambda p`` and pay ``w c p``; storage units earn on ``p_dispatch - p_store``
  and pay marginal and spill costs; stores earn on ``p``; the investment cost is the annualised
  ``(capital_cost + fom_cost) * capacity`` of extendable assets, as in the objective;
* congestion rent ``CR_a``: each branch's rent net of its own variable and investment cost,
  split between the areas at its two ends (default 50/50, see
  [`caspian.analysis.market.congestion_rent`][caspian.analysis.market.congestion_rent]).

Socio-economic welfare ``SEW_a = CS_a + PS_a + CR_a``. Because every bus balances, the sum over
areas of ``SEW_a`` equals minus the objective: the parts add up, which the tests check.
Market areas (price-takers such as the EU) hold a market generator that sells imports and buys
exports at the market price; its surplus is zero whenever the market sets the local price.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from caspian.analysis.common import (
    VARIABLE_RENEWABLE_CARRIERS,
    branch_flows,
    bus_areas,
    cost_weights,
    emission_factors,
    energy_weights,
    with_units,
)
from caspian.analysis.market import congestion_rent
from caspian.network.network import Network, extendable_mask
from caspian.optimize.results import OptimizationResult

_EUR = "EUR"


def asset_accounts(result: OptimizationResult) -> pd.DataFrame:
    """Revenue, costs and energy of every generator, storage unit and store over the period.

    Columns: component, name, bus, area, carrier, energy_mwh (output, net of charging for
    storage), revenue_eur, variable_cost_eur, investment_cost_eur, surplus_eur (revenue minus
    both costs), emissions_t (generators only).
    """
    n = result.network
    areas = bus_areas(n)
    w_cost = cost_weights(n).to_numpy()
    w_energy = energy_weights(n).to_numpy()
    prices = result.prices
    rows: list[pd.DataFrame] = []

    def account(
        component: str,
        injection: pd.DataFrame,
        variable_cost: np.ndarray,
        emissions: np.ndarray | None = None,
    ) -> None:
        static = n.static[component]
        if not len(static):
            return
        bus = static["bus"].astype(str)
        price = prices.reindex(columns=bus.to_numpy()).to_numpy()
        revenue = (w_cost[:, None] * price * injection.to_numpy()).sum(axis=0)
        rows.append(
            pd.DataFrame(
                {
                    "component": component,
                    "name": static.index,
                    "bus": bus.to_numpy(),
                    "area": areas.reindex(bus.to_numpy()).to_numpy(),
                    "carrier": static["carrier"].fillna("").astype(str).to_numpy(),
                    "energy_mwh": (w_energy[:, None] * injection.to_numpy()).sum(axis=0),
                    "revenue_eur": revenue,
                    "variable_cost_eur": variable_cost,
                    "investment_cost_eur": investment_cost(result, component),
                    "emissions_t": np.zeros(len(static)) if emissions is None else emissions,
                }
            )
        )

    gens = n.static["Generator"]
    if len(gens):
        p = result.series("Generator", "p")
        mc = n.get_series("Generator", "marginal_cost")
        factors = emission_factors(n).reindex(gens.index).to_numpy()
        emitted = (w_energy[:, None] * p.to_numpy()).sum(axis=0) * factors
        account("Generator", p, (w_cost[:, None] * mc * p.to_numpy()).sum(axis=0), emitted)
    units = n.static["StorageUnit"]
    if len(units):
        dispatch = result.series("StorageUnit", "p_dispatch").to_numpy()
        spill = result.series("StorageUnit", "spill").to_numpy()
        cost = w_cost[:, None] * (
            n.get_series("StorageUnit", "marginal_cost") * dispatch
            + n.get_series("StorageUnit", "spill_cost") * spill
        )
        account("StorageUnit", result.series("StorageUnit", "p"), cost.sum(axis=0))
    stores = n.static["Store"]
    if len(stores):
        p = result.series("Store", "p")
        cost = w_cost[:, None] * n.get_series("Store", "marginal_cost") * p.to_numpy()
        account("Store", p, cost.sum(axis=0))
    if not rows:
        columns = ["component", "name", "bus", "area", "carrier", "energy_mwh", "revenue_eur"]
        return pd.DataFrame(columns=columns)
    table = pd.concat(rows, ignore_index=True)
    table["surplus_eur"] = (
        table["revenue_eur"] - table["variable_cost_eur"] - table["investment_cost_eur"]
    )
    return with_units(
        table,
        {
            "energy_mwh": "MWh",
            "revenue_eur": _EUR,
            "variable_cost_eur": _EUR,
            "investment_cost_eur": _EUR,
            "surplus_eur": _EUR,
            "emissions_t": "t CO2",
        },
    )


def investment_cost(result: OptimizationResult, component: str) -> np.ndarray:
    """EUR per period: ``(capital_cost + fom_cost) * optimal capacity`` of extendable assets."""
    n = result.network
    static = n.static[component]
    if not len(static):
        return np.zeros(0)
    extendable = extendable_mask(static, component)
    unit_cost = static["capital_cost"].to_numpy(float) + static["fom_cost"].to_numpy(float)
    capacity = result.capacity(component).reindex(static.index).to_numpy(float)
    return np.where(extendable, unit_cost * capacity, 0.0)


def branch_costs(result: OptimizationResult) -> pd.Series:
    """EUR per period of every link: variable cost of the power it withdraws plus investment.

    A bidirectional link withdraws ``p_fwd`` at bus0 and ``p_bwd`` at bus1; from
    ``p0 = p_fwd - e p_bwd`` and ``p1 = p_bwd - e p_fwd`` (efficiency ``e < 1``) their sum is
    ``(p0 + p1) / (1 - e)``. Lines cost
    nothing in the linear program except their investment.
    """
    n = result.network
    costs = []
    w_cost = cost_weights(n).to_numpy()
    for component in ("Line", "Link"):
        static = n.static[component]
        if not len(static):
            continue
        total = investment_cost(result, component)
        if component == "Link":
            p0 = result.series("Link", "p0").to_numpy()
            p1 = result.series("Link", "p1").to_numpy()
            eff = n.get_series("Link", "efficiency")
            bidirectional = static["bidirectional"].to_numpy(bool)
            # p_fwd + p_bwd = (p0 + p1) / (1 - e): the losses over the loss rate.
            lossy = eff < 1.0
            two_way = np.where(lossy, (p0 + p1) / np.where(lossy, 1.0 - eff, 1.0), np.abs(p0))
            withdrawn = np.where(bidirectional[None, :], two_way, p0)
            mc = n.get_series("Link", "marginal_cost")
            total = total + (w_cost[:, None] * mc * withdrawn).sum(axis=0)
        costs.append(pd.Series(total, index=static.index))
    if not costs:
        return pd.Series(dtype=float)
    flows = branch_flows(result)
    out = pd.concat(costs)
    out.index = flows.p0.columns  # same order as branch_flows, prefixed on name clashes
    return out.rename("cost_eur")


def area_welfare(result: OptimizationResult, split: float = 0.5) -> pd.DataFrame:
    """Socio-economic welfare by area and its parts (EUR per period); see the module docstring.

    Columns: consumer_payments_eur, consumer_surplus_eur, producer_revenue_eur,
    producer_variable_cost_eur, producer_investment_cost_eur, producer_surplus_eur,
    congestion_rent_eur (the area's share, net of branch costs), welfare_eur. The sum of
    ``welfare_eur`` over areas is minus the objective.
    """
    n = result.network
    areas = bus_areas(n)
    index = pd.Index(sorted(areas.unique()), name="area")
    payments = consumer_payments(result).reindex(index, fill_value=0.0)
    assets = asset_accounts(result)
    by_area = (
        assets.groupby("area")[["revenue_eur", "variable_cost_eur", "investment_cost_eur"]].sum()
        if len(assets)
        else pd.DataFrame(columns=["revenue_eur", "variable_cost_eur", "investment_cost_eur"])
    ).reindex(index, fill_value=0.0)
    rent = net_rent_by_area(result, split).reindex(index, fill_value=0.0)
    table = pd.DataFrame(
        {
            "consumer_payments_eur": payments,
            "consumer_surplus_eur": -payments,
            "producer_revenue_eur": by_area["revenue_eur"],
            "producer_variable_cost_eur": by_area["variable_cost_eur"],
            "producer_investment_cost_eur": by_area["investment_cost_eur"],
        },
        index=index,
    )
    table["producer_surplus_eur"] = (
        table["producer_revenue_eur"]
        - table["producer_variable_cost_eur"]
        - table["producer_investment_cost_eur"]
    )
    table["congestion_rent_eur"] = rent
    table["welfare_eur"] = (
        table["consumer_surplus_eur"] + table["producer_surplus_eur"] + table["congestion_rent_eur"]
    )
    return with_units(table, dict.fromkeys(table.columns, _EUR))


def consumer_payments(result: OptimizationResult) -> pd.Series:
    """EUR per period that the loads of each area pay at their bus prices."""
    n = result.network
    loads = n.static["Load"]
    areas = bus_areas(n)
    if not len(loads):
        return pd.Series(dtype=float)
    bus = loads["bus"].astype(str).to_numpy()
    price = result.prices.reindex(columns=bus).to_numpy()
    p = result.series("Load", "p").to_numpy()
    paid = (cost_weights(n).to_numpy()[:, None] * price * p).sum(axis=0)
    return pd.Series(paid, index=areas.reindex(bus).to_numpy()).groupby(level=0).sum()


def net_rent_by_area(result: OptimizationResult, split: float = 0.5) -> pd.Series:
    """Each area's share of branch rents net of the branches' own costs (EUR per period).

    A branch's net rent (rent minus its variable and investment cost) is shared between the
    areas at its ends by the same rule as the rent itself: ``split`` to bus0's area.
    """
    n = result.network
    flows = branch_flows(result)
    if not len(flows.bus0):
        return pd.Series(dtype=float)
    rent = congestion_rent(result, split=split).by_branch["rent"]
    net = rent.reindex(flows.bus0.index, fill_value=0.0) - branch_costs(result).reindex(
        flows.bus0.index, fill_value=0.0
    )
    areas = bus_areas(n)
    area0 = areas.reindex(flows.bus0.to_numpy()).to_numpy()
    area1 = areas.reindex(flows.bus1.to_numpy()).to_numpy()
    share0 = np.where(area0 == area1, 1.0, split)
    shares = pd.concat(
        [
            pd.Series(share0 * net.to_numpy(), index=area0),
            pd.Series((1.0 - share0) * net.to_numpy(), index=area1),
        ]
    )
    return shares.groupby(level=0).sum()


def area_energy_balance(result: OptimizationResult) -> pd.DataFrame:
    """Annual energy by area (MWh): generation by carrier, storage, demand, trade, curtailment.

    Long table with columns area, item, carrier, energy_mwh, where item is one of generation,
    storage (net output), demand, imports, exports, losses, curtailment; plus emissions_t per
    area in [`area_emissions`][caspian.analysis.welfare.area_emissions]. Imports and exports count
    only branches that cross an area's border; imports are measured where they arrive and exports
    where they leave.
    """
    n = result.network
    areas = bus_areas(n)
    w = energy_weights(n).to_numpy()
    records: list[tuple[str, str, str, float]] = []
    assets = asset_accounts(result)
    sums = assets.groupby(["area", "component", "carrier"])["energy_mwh"].sum()
    for key, energy in zip(sums.index, sums.to_numpy(float), strict=True):
        area_name, component, carrier = cast(tuple[str, str, str], key)
        item = "generation" if component == "Generator" else "storage"
        records.append((str(area_name), item, str(carrier), float(energy)))
    for where, paid in _load_energy(n, result).items():
        records.append((str(where), "demand", "", float(paid)))
    curtailed = curtailment(result).groupby("area")["curtailment_mwh"].sum()
    for where, energy in curtailed.items():
        records.append((str(where), "curtailment", "", float(energy)))
    flows = branch_flows(result)
    for branch in flows.bus0.index:
        a0 = str(areas[flows.bus0[branch]])
        a1 = str(areas[flows.bus1[branch]])
        p0 = flows.p0[branch].to_numpy()
        p1 = flows.p1[branch].to_numpy()
        loss = float((w * (p0 + p1)).sum())
        if a0 == a1:
            records.append((a0, "losses", "", loss))
            continue
        # Forward: p0 > 0 leaves a0, -p1 arrives in a1. Backward: p1 > 0 leaves a1.
        records += [
            (a0, "exports", "", float((w * np.clip(p0, 0, None)).sum())),
            (a1, "imports", "", float((w * np.clip(-p1, 0, None)).sum())),
            (a1, "exports", "", float((w * np.clip(p1, 0, None)).sum())),
            (a0, "imports", "", float((w * np.clip(-p0, 0, None)).sum())),
            (a0, "losses", "", loss / 2.0),
            (a1, "losses", "", loss / 2.0),
        ]
    frame = pd.DataFrame(records, columns=["area", "item", "carrier", "energy_mwh"])
    table = frame.groupby(["area", "item", "carrier"], as_index=False)[["energy_mwh"]].sum()
    return with_units(table, {"energy_mwh": "MWh"})


def _load_energy(n: Network, result: OptimizationResult) -> pd.Series:
    loads = n.static["Load"]
    if not len(loads):
        return pd.Series(dtype=float)
    bus = loads["bus"].astype(str).to_numpy()
    energy = (energy_weights(n).to_numpy()[:, None] * result.series("Load", "p").to_numpy()).sum(
        axis=0
    )
    return pd.Series(energy, index=bus_areas(n).reindex(bus).to_numpy()).groupby(level=0).sum()


def curtailment(result: OptimizationResult) -> pd.DataFrame:
    """Unused availability of variable renewables, per generator (MWh per period).

    ``sum_t w_t (p_max_pu_t * p_nom_opt - p_t)`` for generators whose carrier is in
    [`VARIABLE_RENEWABLE_CARRIERS`][caspian.analysis.common.VARIABLE_RENEWABLE_CARRIERS].
    """
    n = result.network
    gens = n.static["Generator"]
    areas = bus_areas(n)
    vre: np.ndarray = gens["carrier"].isin(VARIABLE_RENEWABLE_CARRIERS).to_numpy(bool)
    if not len(gens) or not np.any(vre):
        return with_units(
            pd.DataFrame(columns=["name", "area", "carrier", "available_mwh", "curtailment_mwh"]),
            {"available_mwh": "MWh", "curtailment_mwh": "MWh"},
        )
    names = gens.index[vre]
    w = energy_weights(n).to_numpy()[:, None]
    capacity = result.capacity("Generator").reindex(names).to_numpy(float)
    available = n.get_series("Generator", "p_max_pu", names) * capacity
    used = result.series("Generator", "p")[names].to_numpy()
    table = pd.DataFrame(
        {
            "name": names,
            "area": areas.reindex(gens.loc[names, "bus"].astype(str).to_numpy()).to_numpy(),
            "carrier": gens.loc[names, "carrier"].to_numpy(),
            "available_mwh": (w * available).sum(axis=0),
            "curtailment_mwh": np.clip((w * (available - used)).sum(axis=0), 0.0, None),
        }
    )
    return with_units(table, {"available_mwh": "MWh", "curtailment_mwh": "MWh"})


def area_emissions(result: OptimizationResult) -> pd.Series:
    """t CO2 per period emitted by the generators of each area."""
    assets = asset_accounts(result)
    if not len(assets):
        return pd.Series(dtype=float, name="emissions_t")
    return assets.groupby("area")["emissions_t"].sum().rename("emissions_t")
