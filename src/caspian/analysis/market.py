"""Market outcomes of a solved network: prices, spreads, branch flows and congestion rent.

Prices are the nodal prices of ``OptimizationResult.prices`` (EUR/MWh). Sums of energy and
hours use the snapshot weights of [`energy_weights`][caspian.analysis.common.energy_weights] (h);
sums of money use [`cost_weights`][caspian.analysis.common.cost_weights] (h), the weights the prices
were divided by. Branches are all Lines and Links, as collected by
[`branch_flows`][caspian.analysis.common.branch_flows], with PyPSA's signs: ``p0``/``p1`` are
withdrawn at ``bus0``/``bus1`` (negative where power arrives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.analysis.common import (
    BranchFlows,
    branch_flows,
    bus_areas,
    cost_weights,
    energy_weights,
    with_units,
)
from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.optimize.results import OptimizationResult

PRICE_ZERO_TOL = 1e-6
"""EUR/MWh: a price at most this is counted as zero or negative (solver noise is ~1e-9)."""

MIN_CAPACITY_MW = 1e-3
"""MW: a branch with less capacity is treated as not built. An interior-point solve leaves
~1e-6 MW on extendable branches it does not build, which would make utilisation meaningless."""


# ------------------------------------------------------------------------------ prices
def price_statistics(result: OptimizationResult, zero_tol: float = PRICE_ZERO_TOL) -> pd.DataFrame:
    r"""Price statistics of every bus, EUR/MWh.

    With $w_t$ the hours of snapshot $t$, $\lambda_{b,t}$ the price and
    $L_{b,t}$ the load (MW) at bus $b$:

    - ``mean`` = $\sum_t w_t \lambda_{b,t} / \sum_t w_t$ (time-weighted);
    - ``load_weighted_mean`` = $\sum_t w_t L_{b,t} \lambda_{b,t} / \sum_t w_t L_{b,t}$,
      what the bus's load pays on average; NaN where the bus has no (positive) load;
    - ``min``, ``max``; ``std`` = time-weighted population standard deviation
      $\sqrt{\sum_t w_t (\lambda_{b,t} - \mathrm{mean})^2 / \sum_t w_t}$;
    - ``hours_non_positive`` = $\sum_t w_t [\lambda_{b,t} \le \mathrm{zero\_tol}]$ (h).

    Returns
    -------
    pd.DataFrame
        One row per bus (index ``bus``) with its ``area`` and the columns above.
    """
    n = result.network
    prices = _bus_prices(n, result)
    w = energy_weights(n)
    total = float(w.sum())
    mean = prices.mul(w, axis=0).sum() / total
    var = (prices - mean).pow(2).mul(w, axis=0).sum() / total
    load = _load_by_bus(n, result).reindex(columns=prices.columns, fill_value=0.0)
    load_w = load.mul(w, axis=0)
    load_energy = load_w.sum()
    paid = (load_w * prices).sum()
    load_mean = (paid / load_energy).where(load_energy > 0)
    table = pd.DataFrame(
        {
            "area": bus_areas(n).reindex(prices.columns),
            "mean": mean,
            "load_weighted_mean": load_mean,
            "min": prices.min(),
            "max": prices.max(),
            "std": np.sqrt(var),
            "hours_non_positive": (prices <= zero_tol).mul(w, axis=0).sum(),
        }
    )
    table.index.name = "bus"
    price = "EUR/MWh"
    units = {c: price for c in ("mean", "load_weighted_mean", "min", "max", "std")}
    return with_units(table, {"area": "", **units, "hours_non_positive": "h"})


def price_duration_curves(result: OptimizationResult) -> pd.DataFrame:
    r"""Price duration curve of every bus: prices sorted from highest to lowest.

    For bus $b$ the snapshots are sorted by price, descending (ties keep snapshot order),
    and ``hours`` is the cumulative weight $\sum_{s \le k} w_s$ up to and including the
    $k$-th: the price is at least ``price`` for ``hours`` hours. The last ``hours`` of
    every bus is the total modelled time (8760 h for a full weighted year).

    Returns
    -------
    pd.DataFrame
        Long table with columns ``bus``, ``area``, ``hours`` (h) and ``price`` (EUR/MWh).
    """
    n = result.network
    prices = _bus_prices(n, result)
    w = energy_weights(n).to_numpy(float)
    areas = bus_areas(n)
    parts = []
    for bus in prices.columns:
        values = prices[bus].to_numpy(float)
        order = np.argsort(-values, kind="stable")
        parts.append(
            pd.DataFrame(
                {
                    "bus": bus,
                    "area": areas.get(bus, bus),
                    "hours": np.cumsum(w[order]),
                    "price": values[order],
                }
            )
        )
    columns = ["bus", "area", "hours", "price"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return with_units(table, {"bus": "", "area": "", "hours": "h", "price": "EUR/MWh"})


@dataclass(frozen=True, eq=False)
class PriceSpreads:
    """Price differences across every branch.

    Attributes
    ----------
    hourly
        snapshots x branches, $\\lambda_{bus1,t} - \\lambda_{bus0,t}$ (EUR/MWh);
        positive where power is worth more at ``bus1``, so flow bus0 -> bus1 pays.
    summary
        per branch (index ``branch``): ``component``, ``bus0``, ``bus1``, ``mean`` and ``mean_abs``
        (time-weighted, EUR/MWh) and ``share_above_threshold`` (share of hours with
        $|\\text{spread}| >$ ``threshold``, 0..1).
    """

    hourly: pd.DataFrame
    summary: pd.DataFrame


def price_spreads(result: OptimizationResult, threshold: float = 1.0) -> PriceSpreads:
    r"""Price spread $\lambda_{bus1,t} - \lambda_{bus0,t}$ of every Line and Link.

    The summary weights snapshots by their hours $w_t$: ``mean`` =
    $\sum_t w_t s_t / \sum_t w_t$, ``mean_abs`` the same of $|s_t|$, and
    ``share_above_threshold`` = $\sum_t w_t [|s_t| > \mathrm{threshold}] / \sum_t w_t$.
    ``threshold`` is in EUR/MWh (default 1).
    """
    n = result.network
    flows = branch_flows(result)
    prices = _bus_prices(n, result)
    hourly = _at_buses(prices, flows.bus1) - _at_buses(prices, flows.bus0)
    w = energy_weights(n)
    total = float(w.sum())
    summary = pd.DataFrame(
        {
            "component": flows.component,
            "bus0": flows.bus0,
            "bus1": flows.bus1,
            "mean": hourly.mul(w, axis=0).sum() / total,
            "mean_abs": hourly.abs().mul(w, axis=0).sum() / total,
            "share_above_threshold": (hourly.abs() > threshold).mul(w, axis=0).sum() / total,
        }
    )
    summary.index.name = "branch"
    price = "EUR/MWh"
    with_units(hourly, {c: price for c in hourly.columns})
    units = {"component": "", "bus0": "", "bus1": "", "mean": price, "mean_abs": price}
    with_units(summary, {**units, "share_above_threshold": "1"})
    return PriceSpreads(hourly=hourly, summary=summary)


# ------------------------------------------------------------------------------ flows
def branch_statistics(result: OptimizationResult, tol: float = 1e-3) -> pd.DataFrame:
    r"""Energy, losses, utilisation and congestion of every Line and Link.

    With $w_t$ the hours of snapshot $t$ and PyPSA's ``p0``/``p1`` (MW withdrawn
    at bus0/bus1):

    - ``capacity`` (MW): optimal ``s_nom``/``p_nom``;
    - ``energy_forward`` = $\sum_t w_t \max(p_{0,t}, 0)$ (MWh leaving bus0 towards bus1);
    - ``energy_backward`` = $\sum_t w_t \max(p_{1,t}, 0)$ (MWh leaving bus1 towards bus0);
    - ``energy_net`` = forward - backward, both measured at their sending end (MWh);
    - ``losses`` = $\sum_t w_t (p_{0,t} + p_{1,t})$ (MWh; 0 for lines);
    - ``utilisation`` = $\sum_t w_t |f_t| / (\sum_t w_t \cdot \mathrm{capacity})$
      (0..1; NaN below [`MIN_CAPACITY_MW`][caspian.analysis.market.MIN_CAPACITY_MW]), where $f_t$ is
      the rated flow: ``p0`` of a line, ``p`` of a link, i.e. the sending-end flow (bus0's in
      forward, bus1's in backward hours) of lines and bidirectional links;
    - ``hours_congested_forward`` = $\sum_t w_t [f_t \ge (1-\mathrm{tol})\,\bar F_t]$ and
      ``hours_congested_backward`` =
      $\sum_t w_t [-f_t \ge (1-\mathrm{tol})\,\underline F_t]$ (h), with the limits $\bar F_t$ =
      ``s_max_pu``/``p_max_pu`` x capacity and $\underline F_t$ = ``s_max_pu``/``-p_min_pu`` x
      capacity; a zero limit, or a branch below
      [`MIN_CAPACITY_MW`][caspian.analysis.market.MIN_CAPACITY_MW], is never counted as congested.

    A bidirectional link that runs both ways in one hour (possible when dumping energy at
    negative prices) shows only its net flow here, as ``p0``/``p1`` carry only the net.
    """
    n = result.network
    if not 0 <= tol < 1:
        raise InputError(
            f"must be in [0, 1), got {tol!r}.",
            component="branch_statistics",
            attribute="tol",
            hint="tol is the relative margin below the limit that still counts as congested.",
        )
    flows = branch_flows(result)
    w = energy_weights(n)
    total = float(w.sum())
    forward = flows.p0.clip(lower=0.0).mul(w, axis=0).sum()
    backward = flows.p1.clip(lower=0.0).mul(w, axis=0).sum()
    rated = _rated_flow(n, result, flows)
    upper, lower = _flow_limits(n, flows)
    cap = flows.capacity
    mean_abs = rated.abs().mul(w, axis=0).sum() / total
    built = cap >= MIN_CAPACITY_MW
    congested_fwd = (upper > 0) & (rated >= (1 - tol) * upper) & built
    congested_bwd = (lower > 0) & (-rated >= (1 - tol) * lower) & built
    table = pd.DataFrame(
        {
            "component": flows.component,
            "bus0": flows.bus0,
            "bus1": flows.bus1,
            "capacity": cap,
            "energy_forward": forward,
            "energy_backward": backward,
            "energy_net": forward - backward,
            "losses": (flows.p0 + flows.p1).mul(w, axis=0).sum(),
            "utilisation": (mean_abs / cap).where(built),
            "hours_congested_forward": congested_fwd.mul(w, axis=0).sum(),
            "hours_congested_backward": congested_bwd.mul(w, axis=0).sum(),
        }
    )
    table.index.name = "branch"
    mwh = "MWh"
    units = {"component": "", "bus0": "", "bus1": "", "capacity": "MW"}
    units |= {c: mwh for c in ("energy_forward", "energy_backward", "energy_net", "losses")}
    units |= {"utilisation": "1", "hours_congested_forward": "h", "hours_congested_backward": "h"}
    return with_units(table, units)


# ------------------------------------------------------------------------------ rent
@dataclass(frozen=True, eq=False)
class CongestionRent:
    """Congestion rent of every branch and how it is shared between areas.

    Attributes
    ----------
    hourly
        snapshots x branches, EUR earned in each snapshot (already weighted by its hours).
    by_branch
        per branch (index ``branch``): ``component``, ``bus0``, ``bus1``, ``area0``,
        ``area1`` and ``rent`` (EUR over the modelled period; a year when the weights sum to
        8760 h).
    by_area
        per area (index ``area``): ``rent`` (EUR) received under the ``split`` rule.
    split
        share of every cross-area branch's rent given to bus0's area.
    """

    hourly: pd.DataFrame
    by_branch: pd.DataFrame
    by_area: pd.DataFrame
    split: float


def congestion_rent(result: OptimizationResult, split: float = 0.5) -> CongestionRent:
    r"""Congestion rent of every Line and Link, per snapshot, per branch and per area (EUR).

    The branch buys what it withdraws at each end at that end's price and sells what it
    injects, so with PyPSA's ``p0``/``p1`` (MW withdrawn) and $w_t$ the objective weight
    (h) of snapshot $t$:

    $$
    R_t = w_t \, (-\lambda_{1,t} p_{1,t} - \lambda_{0,t} p_{0,t}).
    $$

    In forward flow ($p_0 > 0$, $-p_1 = \eta p_0$ arrives) this is
    $w_t (\lambda_1 \eta p_0 - \lambda_0 p_0)$; backwards the roles swap. It nets out
    losses: an uncongested lossy link has $\lambda_1 = \lambda_0 / \eta$ and earns 0; a
    congested one earns $(\lambda_1 \eta - \lambda_0) p_0 \ge 0$. A lossy link can show a
    *negative* rent where it flows although the prices at its ends are equal (e.g. held at a
    minimum flow by ``p_min_pu > 0``, or, in a meshed grid, prices equalised through a lossless
    path): it buys $p_0$ and sells only $\eta p_0$ at the same price
    $\lambda > 0$, paying $\lambda (1 - \eta) p_0$ for its losses. Forced flows
    against the price difference give negative rent even without losses.

    Sharing between areas: a branch whose two buses lie in different areas gives ``split`` of
    its rent to bus0's area and ``1 - split`` to bus1's area (50/50 by default, the usual rule
    for interconnectors owned jointly by two TSOs); a branch within one area gives all of it to
    that area. Hourly and per-branch rents are not split.

    Parameters
    ----------
    split
        share (0..1) of a cross-area branch's rent that goes to bus0's area.
    """
    n = result.network
    if not (isinstance(split, int | float) and 0.0 <= split <= 1.0):
        raise InputError(
            f"must be between 0 and 1, got {split!r}.",
            component="congestion_rent",
            attribute="split",
            hint="split is the share of a branch's rent that goes to bus0's area, e.g. 0.5.",
        )
    flows = branch_flows(result)
    prices = _bus_prices(n, result)
    w = cost_weights(n)
    value0 = _at_buses(prices, flows.bus0) * flows.p0
    value1 = _at_buses(prices, flows.bus1) * flows.p1
    hourly = (-value1 - value0).mul(w, axis=0)
    hourly.columns.name = "branch"
    areas = bus_areas(n)
    area0 = flows.bus0.map(areas)
    area1 = flows.bus1.map(areas)
    rent = hourly.sum()
    by_branch = pd.DataFrame(
        {
            "component": flows.component,
            "bus0": flows.bus0,
            "bus1": flows.bus1,
            "area0": area0,
            "area1": area1,
            "rent": rent,
        }
    )
    by_branch.index.name = "branch"
    same = (area0 == area1).to_numpy()
    share0 = np.where(same, 1.0, split)
    shares = pd.concat(
        [
            pd.Series(rent.to_numpy() * share0, index=area0.to_numpy()),
            pd.Series(rent.to_numpy() * (1.0 - share0), index=area1.to_numpy()),
        ]
    )
    by_area = shares.groupby(level=0).sum().rename("rent").to_frame()
    by_area.index.name = "area"
    with_units(hourly, {c: "EUR" for c in hourly.columns})
    labels = ("component", "bus0", "bus1", "area0", "area1")
    with_units(by_branch, {**{c: "" for c in labels}, "rent": "EUR"})
    with_units(by_area, {"rent": "EUR"})
    return CongestionRent(hourly=hourly, by_branch=by_branch, by_area=by_area, split=float(split))


def rent_by_area(result: OptimizationResult, split: float = 0.5) -> pd.Series:
    """Congestion rent received by every area (EUR), as ``congestion_rent`` shares it."""
    rent = congestion_rent(result, split).by_area["rent"]
    rent.attrs["units"] = "EUR"
    return rent


# ------------------------------------------------------------------------------ helpers
def _bus_prices(n: Network, result: OptimizationResult) -> pd.DataFrame:
    """Snapshots x buses prices (EUR/MWh), in the network's bus order."""
    return result.prices.reindex(columns=n.static["Bus"].index).astype(float)


def _at_buses(prices: pd.DataFrame, buses: pd.Series) -> pd.DataFrame:
    """Prices at the given bus of every branch: snapshots x branches (EUR/MWh)."""
    values = prices.reindex(columns=buses.to_numpy()).to_numpy(float)
    return pd.DataFrame(values, index=prices.index, columns=buses.index)


def _load_by_bus(n: Network, result: OptimizationResult) -> pd.DataFrame:
    """Load (MW) summed per bus, snapshots x buses."""
    loads = n.static["Load"]
    p = result.series("Load", "p")
    if not len(loads):
        return pd.DataFrame(index=p.index)
    return p.T.groupby(loads["bus"].reindex(p.columns).to_numpy()).sum().T


def _rated_flow(n: Network, result: OptimizationResult, flows: BranchFlows) -> pd.DataFrame:
    """The flow each branch's rating limits (MW, + bus0 -> bus1): Line ``p0``, Link ``p``."""
    parts = [
        result.series(component, attr)
        for component, attr in (("Line", "p0"), ("Link", "p"))
        if len(n.static[component])
    ]
    if not parts:
        return flows.p0.copy()
    return pd.concat(parts, axis=1).set_axis(flows.p0.columns, axis=1)


def _flow_limits(n: Network, flows: BranchFlows) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forward and backward limits of the rated flow, snapshots x branches (MW, >= 0)."""
    upper, lower = [], []
    for component, up_attr, low_attr, sign in (
        ("Line", "s_max_pu", "s_max_pu", 1.0),
        ("Link", "p_max_pu", "p_min_pu", -1.0),
    ):
        if len(n.static[component]):
            upper.append(n.get_series(component, up_attr))
            lower.append(sign * n.get_series(component, low_attr))
    if not upper:
        return flows.p0.copy(), flows.p0.copy()
    cap = flows.capacity.to_numpy(float)
    index, columns = flows.p0.index, flows.p0.columns
    up = pd.DataFrame(np.hstack(upper) * cap, index=index, columns=columns)
    low = pd.DataFrame(np.hstack(lower) * cap, index=index, columns=columns)
    return up.clip(lower=0.0), low.clip(lower=0.0)
