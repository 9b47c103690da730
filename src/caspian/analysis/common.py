"""What every analysis needs: areas of buses, snapshot weights, branch flows, units on tables.

Tables returned by ``caspian.analysis`` are tidy pandas frames whose units are in
``frame.attrs["units"]`` (column -> unit), set with
[`with_units`][caspian.analysis.common.with_units].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from caspian.network.network import Network
from caspian.optimize.results import OptimizationResult

RENEWABLE_CARRIERS = frozenset({"onwind", "offwind", "solar", "wind", "ror", "hydro"})
"""Carriers counted as renewable (green) generation by default."""

VARIABLE_RENEWABLE_CARRIERS = frozenset({"onwind", "offwind", "solar", "wind", "ror"})
"""Renewable carriers whose unused availability is curtailment."""


_T = TypeVar("_T")

_SHARED: ContextVar[dict[tuple[object, ...], Any] | None] = ContextVar(
    "caspian_shared_tables", default=None
)


@contextmanager
def shared_intermediates() -> Iterator[None]:
    """Compute the intermediates every analysis needs (branch flows, bus areas) once while
    the block runs, instead of once per table.

    [`standard_tables`][caspian.analysis.standard.standard_tables] wraps its tables in this;
    outside it each call computes afresh. The cached values are keyed by the identity of what
    they come from: the result for branch flows (a result carries the network it was solved
    on), the network for bus areas. They are shared, so callers must not modify them (none
    does).
    """
    if _SHARED.get() is not None:  # nested: the outer block's store serves
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _shared(name: str, sources: tuple[object, ...], compute: Callable[[], _T]) -> _T:
    """``compute()``, or the value computed from the same ``sources`` (by identity) earlier in
    the same ``shared_intermediates`` block. The store holds the sources too, so their ids
    cannot be reused by other objects while it lives."""
    store = _SHARED.get()
    if store is None:
        return compute()
    key = (name, *map(id, sources))
    if key not in store:
        store[key] = (sources, compute())
    return store[key][1]


def with_units(frame: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Return ``frame`` with ``attrs["units"]`` set to ``units`` (column -> unit)."""
    frame.attrs["units"] = dict(units)
    return frame


def bus_areas(n: Network) -> pd.Series:
    """The area (country or market) of every bus: its ``country``, or its own name if empty."""
    return _shared("bus_areas", (n,), lambda: _bus_areas(n))


def _bus_areas(n: Network) -> pd.Series:
    buses = n.static["Bus"]
    if "country" not in buses:
        return pd.Series(buses.index, index=buses.index, name="area")
    country = buses["country"].fillna("").astype(str)
    return country.where(country != "", buses.index.to_series()).rename("area")


def energy_weights(n: Network) -> pd.Series:
    """Hours each snapshot stands for when summing energy (PyPSA's ``generators`` weighting)."""
    return n.snapshot_weightings["generators"].astype(float)


def cost_weights(n: Network) -> pd.Series:
    """Hours each snapshot stands for when summing money (PyPSA's ``objective`` weighting)."""
    return n.snapshot_weightings["objective"].astype(float)


@dataclass(frozen=True)
class BranchFlows:
    """Flows of every Line and Link, snapshots x branches (MW).

    ``p0`` is withdrawn at ``bus0`` and ``p1`` at ``bus1`` (PyPSA's sign: negative means
    injected). For a lossless line ``p1 = -p0``; for a lossy link the difference ``p0 + p1``
    is the loss. Branch names are prefixed ``Line:``/``Link:`` only when a name is used by both.
    """

    bus0: pd.Series
    bus1: pd.Series
    component: pd.Series
    p0: pd.DataFrame
    p1: pd.DataFrame
    capacity: pd.Series
    """Optimal capacity (MW): ``s_nom_opt`` of lines, ``p_nom_opt`` of links."""


def branch_flows(result: OptimizationResult) -> BranchFlows:
    """Collect the flows of all lines and links of a solved network (``result.network``)."""
    return _shared("branch_flows", (result,), lambda: _branch_flows(result.network, result))


def _branch_flows(n: Network, result: OptimizationResult) -> BranchFlows:
    parts = []
    for component in ("Line", "Link"):
        static = n.static[component]
        if not len(static):
            continue
        parts.append(
            (
                component,
                static,
                result.series(component, "p0"),
                result.series(component, "p1"),
                result.capacity(component),
            )
        )
    names = [name for _, static, *_ in parts for name in static.index]
    clash = len(set(names)) < len(names)

    def label(component: str, index: pd.Index) -> pd.Index:
        return index.map(lambda name: f"{component}:{name}") if clash else index

    bus0, bus1, kind, p0, p1, cap = [], [], [], [], [], []
    for component, static, f0, f1, c in parts:
        idx = label(component, static.index)
        bus0.append(pd.Series(static["bus0"].to_numpy(), index=idx))
        bus1.append(pd.Series(static["bus1"].to_numpy(), index=idx))
        kind.append(pd.Series(component, index=idx))
        p0.append(f0.set_axis(idx, axis=1))
        p1.append(f1.set_axis(idx, axis=1))
        cap.append(pd.Series(c.to_numpy(float), index=idx))
    if not parts:
        empty = pd.Series(dtype=object)
        frame = pd.DataFrame(index=n.snapshots)
        return BranchFlows(empty, empty, empty, frame, frame.copy(), pd.Series(dtype=float))
    return BranchFlows(
        bus0=pd.concat(bus0).rename("bus0"),
        bus1=pd.concat(bus1).rename("bus1"),
        component=pd.concat(kind).rename("component"),
        p0=pd.concat(p0, axis=1),
        p1=pd.concat(p1, axis=1),
        capacity=pd.concat(cap).rename("capacity"),
    )


def generator_carriers(n: Network) -> pd.Series:
    """Carrier of every generator (empty string where unset)."""
    return n.static["Generator"]["carrier"].fillna("").astype(str)


def emission_factors(n: Network) -> pd.Series:
    """t CO2 per MWh of electricity of every generator: carrier emissions / efficiency."""
    gens = n.static["Generator"]
    co2 = n.static["Carrier"]["co2_emissions"] if len(n.static["Carrier"]) else pd.Series()
    per_th = gens["carrier"].map(co2).fillna(0.0).astype(float)
    eff = gens["efficiency"].astype(float).replace(0.0, np.nan)
    return (per_th / eff).fillna(0.0).rename("t_per_mwh")
