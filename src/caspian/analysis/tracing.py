r"""Where electricity comes from: flow tracing by proportional sharing on a solved network.

Method
------
Each snapshot is traced on its own, from the solved dispatch and branch flows, with the
*proportional sharing* principle of Bialek [1] and Kirschen, Allan and Strbac [2] in the
matrix form used for large renewable systems by Hörsch, Schäfer et al. [3] ("average
participation"): every MW leaving a bus carries the mix of everything that entered it.

At bus $i$ the **local sources** are generators with $p > 0$ (a market
generator's import included), storage units' ``p_dispatch`` and stores' discharge
($p > 0$). Each source has an *origin* $k$ = (bus, carrier); results are reported by
(``origin_area``, ``origin_carrier``), the area being the bus's ``country``
([`bus_areas`][caspian.analysis.common.bus_areas]). The **sinks** are loads, generators with
$p < 0$ (sales into a market), storage charging and the departures over branches.

A branch $b$ whose ends see a withdrawal $d_b > 0$ at one bus and an injection at the
other *transfers* power from the sending bus $j$ to the receiving bus $i$:
$d_b$ departs and $a_b$ arrives (PyPSA's signs: forward ``d = p0``, ``a = -p1``;
backward ``d = p1``, ``a = -p0``). The loss $d_b - a_b$ is taken proportionally from what
departs, so the mix of what arrives is the sender's mix, scaled by $a_b / d_b$. Where both
ends withdraw (simultaneous flows of a two-way link) both withdrawals are sinks, counted as loss;
where an end injects without a withdrawal at the other (efficiency above one), the injection is a
local source with carrier ``"Line"`` or ``"Link"``. Flows with $|p| \le 10^{-6}$ MW are
ignored.

The **throughput** of bus $i$ (MW) is

$$
P_i = \sum_k g_{ik} + \sum_{b: j \to i} a_b ,
$$

and the vector $y_i$ of MW passing through $i$ by origin satisfies

$$
y_{ik} = g_{ik} + \sum_{b: j \to i} a_b \frac{y_{jk}}{P_j}
\quad\Longleftrightarrow\quad (I - B)\, Y = G, \qquad
B_{ij} = \sum_{b: j \to i} \frac{a_b}{P_j}.
$$

The system of all snapshots is block diagonal; it is solved at once with a sparse LU
factorisation (``scipy.sparse.linalg.splu``). $\sum_k y_{ik} = P_i$, so the share of
origin $k$ at bus $i$ is $y_{ik} / P_i$, and any sink $s$ at $i$
(load, sale, charge, departure) consumes $s \cdot y_{ik} / P_i$ of origin $k$. A
closed circulation (power going round a loop with no source or sink on it, possible in a
degenerate optimum) makes $I - B$ singular; it carries nothing, and a factor
$1 - 10^{-9}$ on $B$ then gives it a zero mix. Energies are MW times the snapshot
weights of [`energy_weights`][caspian.analysis.common.energy_weights] (h).

Limits of the method: proportional sharing is a convention, not physics (other rules, such as
"first in, first out" or marginal participation, give other answers); storage re-emits what it
stored under its own carrier, so the origin of charged energy is not carried through time.

References
----------
- [1] J. Bialek, "Tracing the flow of electricity", IEE Proc. Gener. Transm. Distrib.
  143(4), 313-320, 1996.
- [2] D. Kirschen, R. Allan, G. Strbac, "Contributions of individual generators to loads and
  flows", IEEE Trans. Power Syst. 12(1), 52-60, 1997.
- [3] J. Hörsch, M. Schäfer, S. Becker, S. Schramm, M. Greiner, "Flow tracing as a tool set
  for the analysis of networked large-scale renewable electricity systems", Int. J. Electr.
  Power Energy Syst. 96, 390-397, 2018.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from caspian.analysis.common import (
    BranchFlows,
    branch_flows,
    bus_areas,
    energy_weights,
    generator_carriers,
    with_units,
)
from caspian.exceptions import InputError
from caspian.network.network import Network, did_you_mean
from caspian.optimize.results import OptimizationResult

FLOW_TOLERANCE_MW = 1e-6
"""MW: injections, withdrawals and flows at most this (in magnitude) are ignored."""

SINGULAR_DAMPING = 1e-9
"""Relative damping of the sharing matrix used only when a closed circulation makes it singular."""

SINK_KINDS = ("load", "sale", "storage", "loss")
"""Where traced energy ends: loads, market sales (generators with p < 0), storage charging, and
branch losses (including withdrawals at both ends of a branch)."""

ORIGIN = ["origin_area", "origin_carrier"]

Per = Literal["snapshot", "total"]


@dataclass(frozen=True, eq=False)
class FlowTrace:
    """The traced mix of every bus and snapshot of a solved network (see the module docstring).

    Arrays are indexed by snapshot ``t``, bus ``i`` (position in ``buses``), origin ``k``
    (row of ``origins``) and branch ``b`` (position in ``branches``); powers are MW.

    Attributes
    ----------
    snapshots, buses, branches
        the labels of the axes.
    weights_h
        hours each snapshot stands for, shape (T,).
    bus_area
        area of every bus.
    origins
        one row per origin ``k``: ``origin_bus``, ``origin_area``, ``origin_carrier``.
    source_mw
        ``g``, MW injected by each origin, shape (T, K).
    node_mw
        ``y``, MW by origin passing through each bus, shape (T, N, K).
    throughput_mw
        ``P``, shape (T, N); ``node_mw.sum(-1) == throughput_mw`` except on a
        closed circulation, whose mix is zero.
    sink_mw
        MW leaving the system at each bus by kind (``load``, ``sale``, ``storage``, and
        ``loss`` for the withdrawals at both ends of a branch), each shape (T, N).
    send, receive
        sending and receiving bus of each branch, -1 where it transfers nothing,
        shape (T, B).
    departed_mw, arrived_mw
        ``d`` and ``a`` of each branch, shape (T, B).
    """

    snapshots: pd.Index
    buses: pd.Index
    branches: pd.Index
    weights_h: np.ndarray
    bus_area: pd.Series
    origins: pd.DataFrame
    source_mw: np.ndarray
    node_mw: np.ndarray
    throughput_mw: np.ndarray
    sink_mw: dict[str, np.ndarray]
    send: np.ndarray
    receive: np.ndarray
    departed_mw: np.ndarray
    arrived_mw: np.ndarray

    # ------------------------------------------------------------------ building blocks
    def shares(self) -> np.ndarray:
        """Share of each origin in each bus's throughput, (T, N, K); 0 where ``P == 0``."""
        with np.errstate(invalid="ignore", divide="ignore"):
            share = self.node_mw / self.throughput_mw[:, :, None]
        return np.nan_to_num(share, nan=0.0, posinf=0.0)

    def area_buses(self, area: str) -> np.ndarray:
        """Positions of the buses of ``area``; raises ``InputError`` for an unknown area."""
        mask = (self.bus_area == area).to_numpy()
        if not mask.any():
            areas = sorted(set(self.bus_area))
            raise InputError(
                f"unknown area {area!r}.",
                component="Bus",
                attribute="country",
                value=area,
                hint="Areas of this network: " + ", ".join(areas) + "." + did_you_mean(area, areas),
            )
        return np.flatnonzero(mask)

    def imports_mw(self, area: str, from_areas: Iterable[str] | None = None) -> pd.DataFrame:
        r"""MW arriving at the buses of ``area`` over branches from other areas, by origin.

        $$
        m_{tk} = \sum_{b: j \to i,\ i \in \text{area},\ j \in \text{from}}
        a_{tb}\, y_{tjk} / P_{tj}
        $$

        ``from_areas`` restricts the sending buses (default: every bus outside ``area``).
        Power that only transits the area is included (gross imports).

        Returns
        -------
        pd.DataFrame
            Snapshots x origins (columns ``origin_bus``, ``origin_area``, ``origin_carrier``), MW.
        """
        mw = self._arrival_mix(self._import_mask(area, from_areas))
        return pd.DataFrame(
            mw, index=self.snapshots, columns=pd.MultiIndex.from_frame(self.origins)
        )

    def imported_mw(self, area: str, from_areas: Iterable[str] | None = None) -> pd.Series:
        r"""Total MW arriving at ``area`` from ``from_areas``, $\sum_b a_{tb}$, per snapshot.

        The same branches as [`imports_mw`][caspian.analysis.tracing.FlowTrace.imports_mw], summed
        without tracing; it equals the row sums of
        [`imports_mw`][caspian.analysis.tracing.FlowTrace.imports_mw] up to solver tolerance.
        """
        mw = np.where(self._import_mask(area, from_areas), self.arrived_mw, 0.0).sum(axis=1)
        return pd.Series(mw, index=self.snapshots, name="mw")

    # ------------------------------------------------------------------ tidy tables
    def mix(self, bus_or_area: str | None = None) -> pd.DataFrame:
        """MW by origin passing through a bus, an area's buses, or every bus, per snapshot.

        A bus name wins over an area of the same name. For an area, ``mw`` sums over its buses
        (so power crossing two of its buses counts twice) and ``share`` is of that sum.

        Returns
        -------
        pd.DataFrame
            Tidy table ``snapshot``, ``bus`` (or ``area``), ``origin_area``, ``origin_carrier``,
            ``mw`` (MW), ``share`` (1; sums to one per snapshot and bus where throughput > 0).
            Rows with zero MW are left out.
        """
        if bus_or_area is None or bus_or_area in self.buses:
            where = "bus"
            pos = (
                np.arange(len(self.buses))
                if bus_or_area is None
                else np.flatnonzero(self.buses == bus_or_area)
            )
            names = self.buses[pos]
            mw = self.node_mw[:, pos, :] @ self._by_area
        else:
            where = "area"
            names = pd.Index([bus_or_area])
            mw = (self.node_mw[:, self.area_buses(bus_or_area), :] @ self._by_area).sum(
                axis=1, keepdims=True
            )
        total = mw.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, mw / total, 0.0)
        t, i, k = np.nonzero(mw > 0)
        labels = self._area_origins
        frame = pd.DataFrame(
            {
                "snapshot": self.snapshots[t],
                where: names[i],
                "origin_area": labels.get_level_values(0)[k],
                "origin_carrier": labels.get_level_values(1)[k],
                "mw": mw[t, i, k],
                "share": share[t, i, k],
            }
        )
        return with_units(frame, {"mw": "MW", "share": "1"})

    def imports_by_origin(
        self, area: str, from_areas: Iterable[str] | None = None, per: Per = "total"
    ) -> pd.DataFrame:
        """Energy arriving at ``area`` from other areas by origin (see ``imports_mw``).

        Parameters
        ----------
        per
            ``"total"`` for the sum over the snapshots (a year when the weights sum to
            8760 h) or ``"snapshot"`` for every snapshot.

        Returns
        -------
        pd.DataFrame
            ``per="total"``: ``origin_area``, ``origin_carrier``, ``mwh`` (MWh), ``share`` (1).
            ``per="snapshot"``: ``snapshot``, ``origin_area``, ``origin_carrier``, ``mw`` (MW),
            ``mwh`` (MWh).
        """
        mw = self.imports_mw(area, from_areas).to_numpy() @ self._by_area
        return self._tidy(mw, per)

    def consumption_by_origin(self, per: Per = "total") -> pd.DataFrame:
        r"""Energy of every area's loads by origin: $\sum_{i \in \text{area}} L_i y_{ik}/P_i$.

        Returns
        -------
        pd.DataFrame
            ``per="total"``: ``area``, ``origin_area``, ``origin_carrier``, ``mwh`` (MWh), ``share``
            (1, sums to one per area with load). ``per="snapshot"``: ``snapshot``, ``area``,
            ``origin_area``, ``origin_carrier``, ``mw`` (MW), ``mwh`` (MWh).
        """
        by_bus = self.sink_by_origin("load")
        parts = []
        for area in sorted(set(self.bus_area)):
            mw = by_bus[:, self.area_buses(area), :].sum(axis=1) @ self._by_area
            part = self._tidy(mw, per)
            part.insert(1 if per == "snapshot" else 0, "area", area)
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
        return with_units(frame, dict(parts[0].attrs["units"]))

    def balance_by_origin(self) -> pd.DataFrame:
        """Where the energy of each origin goes, MWh over all snapshots.

        ``generated_mwh`` = ``load_mwh`` + ``sale_mwh`` + ``storage_mwh`` + ``loss_mwh`` up to
        solver tolerance, where ``loss_mwh`` covers branch losses and withdrawals at both ends.

        Returns
        -------
        pd.DataFrame
            One row per (``origin_area``, ``origin_carrier``) with the columns above (MWh).
        """
        w = self.weights_h
        columns = {"generated_mwh": (w @ self.source_mw) @ self._by_area}
        for kind in SINK_KINDS:
            columns[f"{kind}_mwh"] = (w @ self.sink_by_origin(kind).sum(axis=1)) @ self._by_area
        frame = pd.DataFrame(columns, index=self._area_origins).reset_index()
        return with_units(frame, {c: "MWh" for c in columns})

    def sink_by_origin(self, kind: str) -> np.ndarray:
        """MW of a sink kind (one of ``SINK_KINDS``) by bus and origin, (T, N, K).

        ``loss`` includes the losses of the branches leaving each bus, ``d - a``.
        """
        if kind not in SINK_KINDS:
            raise InputError(
                f"unknown sink kind {kind!r}.",
                value=kind,
                hint="Use one of " + ", ".join(SINK_KINDS) + "." + did_you_mean(kind, SINK_KINDS),
            )
        sink = self.sink_mw[kind].copy()
        if kind == "loss":
            t, b = np.nonzero(self.send >= 0)
            np.add.at(sink, (t, self.send[t, b]), self.departed_mw[t, b] - self.arrived_mw[t, b])
        return self.shares() * sink[:, :, None]

    # ------------------------------------------------------------------ helpers
    @cached_property
    def _area_origins(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_frame(self.origins[ORIGIN].drop_duplicates()).sort_values()

    @cached_property
    def _by_area(self) -> np.ndarray:
        """Indicator matrix, bus-level origins x (origin_area, origin_carrier)."""
        pos = self._area_origins.get_indexer(pd.MultiIndex.from_frame(self.origins[ORIGIN]))
        out = np.zeros((len(self.origins), len(self._area_origins)))
        out[np.arange(len(self.origins)), pos] = 1.0
        return out

    def _import_mask(self, area: str, from_areas: Iterable[str] | None) -> np.ndarray:
        """(T, B): branches transferring power into ``area`` from a bus of ``from_areas``."""
        inside = np.zeros(len(self.buses), bool)
        inside[self.area_buses(area)] = True
        if from_areas is None:
            senders = ~inside
        else:
            senders = np.zeros(len(self.buses), bool)
            for other in from_areas:
                senders[self.area_buses(other)] = True
            senders &= ~inside
        active = self.send >= 0
        send = np.where(active, self.send, 0)
        receive = np.where(active, self.receive, 0)
        return active & senders[send] & inside[receive]

    def _arrival_mix(self, mask: np.ndarray) -> np.ndarray:
        """MW by origin arriving over the (snapshot, branch) pairs of ``mask``, (T, K)."""
        t, b = np.nonzero(mask)
        send = self.send[t, b]
        scale = np.divide(
            self.arrived_mw[t, b],
            self.throughput_mw[t, send],
            out=np.zeros(len(t)),
            where=self.throughput_mw[t, send] > 0,
        )
        out = np.zeros((len(self.snapshots), len(self.origins)))
        np.add.at(out, t, self.node_mw[t, send, :] * scale[:, None])
        return out

    def _tidy(self, mw: np.ndarray, per: Per) -> pd.DataFrame:
        """Tidy table of a (T, origin areas x carriers) array of MW, per snapshot or in total."""
        labels = self._area_origins
        if per == "snapshot":
            t, k = np.nonzero(mw > 0)
            frame = pd.DataFrame(
                {
                    "snapshot": self.snapshots[t],
                    "origin_area": labels.get_level_values(0)[k],
                    "origin_carrier": labels.get_level_values(1)[k],
                    "mw": mw[t, k],
                    "mwh": mw[t, k] * self.weights_h[t],
                }
            )
            return with_units(frame, {"mw": "MW", "mwh": "MWh"})
        if per != "total":
            raise InputError(f"unknown per={per!r}.", value=per, hint="Use 'total' or 'snapshot'.")
        mwh = self.weights_h @ mw
        total = mwh.sum()
        keep = mwh > 0
        frame = pd.DataFrame(
            {
                "origin_area": labels.get_level_values(0)[keep],
                "origin_carrier": labels.get_level_values(1)[keep],
                "mwh": mwh[keep],
                "share": mwh[keep] / total if total > 0 else 0.0,
            }
        )
        return with_units(frame, {"mwh": "MWh", "share": "1"})


# ---------------------------------------------------------------------------- tracing
def trace(result: OptimizationResult) -> FlowTrace:
    """Trace the origin of the power at every bus and snapshot (see the module docstring)."""
    n = result.network
    buses = n.static["Bus"].index
    T, N = len(n.snapshots), len(buses)
    origin_bus, origin_carrier, sources, sinks = _injections(n, result, buses)
    flows = branch_flows(result)
    transfer = _transfers(flows, buses)
    sinks["loss"] = sinks["loss"] + transfer.withdrawn
    extra = transfer.injected.any(axis=0)
    origin_bus = np.concatenate([origin_bus, transfer.injected_bus[extra]])
    origin_carrier = np.concatenate([origin_carrier, transfer.injected_carrier[extra]])
    sources = np.hstack([sources, transfer.injected[:, extra]])

    # Merge the sources of one (bus, carrier) into one origin; drop origins that never inject.
    keys = pd.MultiIndex.from_arrays([origin_bus, origin_carrier])
    codes, uniques = pd.factorize(keys)
    source_mw = np.zeros((T, len(uniques)))
    np.add.at(source_mw.T, codes, sources.T)
    used = (source_mw > 0).any(axis=0)
    source_mw = source_mw[:, used]
    bus_pos = np.asarray(uniques.get_level_values(0), dtype=int)[used]
    areas = bus_areas(n).reindex(buses)
    origins = pd.DataFrame(
        {
            "origin_bus": buses[bus_pos],
            "origin_area": areas.to_numpy()[bus_pos],
            "origin_carrier": np.asarray(uniques.get_level_values(1), dtype=object)[used],
        }
    )

    throughput = np.zeros((T, N))
    np.add.at(throughput.T, bus_pos, source_mw.T)
    t, b = np.nonzero(transfer.send >= 0)
    np.add.at(throughput, (t, transfer.receive[t, b]), transfer.arrived[t, b])
    node_mw = _solve(throughput, transfer, source_mw, bus_pos)
    return FlowTrace(
        snapshots=n.snapshots,
        buses=buses,
        branches=flows.p0.columns,
        weights_h=energy_weights(n).reindex(n.snapshots).to_numpy(float),
        bus_area=areas,
        origins=origins,
        source_mw=source_mw,
        node_mw=node_mw,
        throughput_mw=throughput,
        sink_mw=sinks,
        send=transfer.send,
        receive=transfer.receive,
        departed_mw=transfer.departed,
        arrived_mw=transfer.arrived,
    )


def _solve(
    throughput: np.ndarray, transfer: _Transfers, source_mw: np.ndarray, bus_pos: np.ndarray
) -> np.ndarray:
    """Solve ``(I - B) Y = G`` for all snapshots at once (block diagonal), Y is (T, N, K)."""
    T, N = throughput.shape
    K = source_mw.shape[1]
    t, b = np.nonzero(transfer.send >= 0)
    send, receive = transfer.send[t, b], transfer.receive[t, b]
    P = throughput[t, send]
    ok = P > 0
    values = transfer.arrived[t, b][ok] / P[ok]
    rows, cols = (t * N + receive)[ok], (t * N + send)[ok]
    B = sp.csc_array((values, (rows, cols)), shape=(T * N, T * N))
    injected = np.zeros((T, N, K))
    injected[:, bus_pos, np.arange(K)] = source_mw
    rhs = injected.reshape(T * N, K)
    eye = sp.eye_array(T * N, format="csc")
    try:
        lu = spla.splu(eye - B)
    except RuntimeError:  # exactly singular: a closed circulation
        lu = spla.splu(eye - (1.0 - SINGULAR_DAMPING) * B)
    y = lu.solve(rhs) if K else rhs
    return np.clip(y, 0.0, None).reshape(T, N, K)


def _injections(
    n: Network, result: OptimizationResult, buses: pd.Index
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Local sources (bus positions, carriers, MW of shape (T, C)) and sinks by kind (T, N)."""
    T, N = len(n.snapshots), len(buses)
    bus_pos: list[np.ndarray] = []
    carriers: list[np.ndarray] = []
    sources: list[np.ndarray] = []
    sinks = {kind: np.zeros((T, N)) for kind in SINK_KINDS}

    def pos(component: str) -> np.ndarray:
        return buses.get_indexer(pd.Index(n.static[component]["bus"])).astype(np.intp)

    def carrier(component: str) -> np.ndarray:
        c = n.static[component]["carrier"].fillna("").astype(str)
        return c.where(c != "", component).to_numpy(object)

    def add_source(component: str, mw: np.ndarray) -> None:
        bus_pos.append(pos(component))
        carriers.append(
            generator_carriers(n).to_numpy(object)
            if component == "Generator"
            else carrier(component)
        )
        sources.append(_positive(mw))

    def add_sink(kind: str, component: str, mw: np.ndarray) -> None:
        np.add.at(sinks[kind].T, pos(component), _positive(mw).T)

    gens = n.static["Generator"]
    if len(gens):
        p = result.series("Generator", "p").to_numpy(float) * gens["sign"].to_numpy(float)
        add_source("Generator", p)
        add_sink("sale", "Generator", -p)
    if len(n.static["StorageUnit"]):
        add_source("StorageUnit", result.series("StorageUnit", "p_dispatch").to_numpy(float))
        add_sink("storage", "StorageUnit", result.series("StorageUnit", "p_store").to_numpy(float))
    if len(n.static["Store"]):
        p = result.series("Store", "p").to_numpy(float)
        add_source("Store", p)
        add_sink("storage", "Store", -p)
    if len(n.static["Load"]):
        p = result.series("Load", "p").to_numpy(float)
        add_sink("load", "Load", p)
        add_source("Load", -p)  # a negative load injects
    if not sources:
        return np.zeros(0, int), np.zeros(0, object), np.zeros((T, 0)), sinks
    return np.concatenate(bus_pos), np.concatenate(carriers), np.hstack(sources), sinks


def _positive(mw: np.ndarray) -> np.ndarray:
    """``mw`` where it exceeds the tolerance, else 0."""
    return np.where(mw > FLOW_TOLERANCE_MW, mw, 0.0)


@dataclass(frozen=True, eq=False)
class _Transfers:
    """Branch flows split into transfers (send -> receive) and unmatched ends, (T, B) each."""

    send: np.ndarray
    receive: np.ndarray
    departed: np.ndarray
    arrived: np.ndarray
    withdrawn: np.ndarray
    """(T, N): withdrawals without an injection at the other end (both ends withdrawing)."""
    injected: np.ndarray
    """(T, 2B): injections without a withdrawal at the other end, at bus0 then at bus1."""
    injected_bus: np.ndarray
    injected_carrier: np.ndarray


def _transfers(flows: BranchFlows, buses: pd.Index) -> _Transfers:
    """Classify every branch end of every snapshot (see the module docstring)."""
    p0 = flows.p0.to_numpy(float)
    p1 = flows.p1.to_numpy(float)
    T, B = p0.shape
    b0 = buses.get_indexer(pd.Index(flows.bus0)).astype(np.intp)
    b1 = buses.get_indexer(pd.Index(flows.bus1)).astype(np.intp)
    tol = FLOW_TOLERANCE_MW
    out0, in0, out1, in1 = p0 > tol, p0 < -tol, p1 > tol, p1 < -tol
    fwd, bwd = out0 & in1, out1 & in0
    send = np.where(fwd, b0, np.where(bwd, b1, -1))
    receive = np.where(fwd, b1, np.where(bwd, b0, -1))
    departed = np.where(fwd, p0, np.where(bwd, p1, 0.0))
    arrived = np.where(fwd, -p1, np.where(bwd, -p0, 0.0))
    withdrawn = np.zeros((T, len(buses)))
    np.add.at(withdrawn.T, b0, np.where(out0 & ~in1, p0, 0.0).T)
    np.add.at(withdrawn.T, b1, np.where(out1 & ~in0, p1, 0.0).T)
    injected = np.hstack([np.where(in0 & ~out1, -p0, 0.0), np.where(in1 & ~out0, -p1, 0.0)])
    carrier = flows.component.to_numpy(object)
    return _Transfers(
        send=send,
        receive=receive,
        departed=departed,
        arrived=arrived,
        withdrawn=withdrawn,
        injected=injected,
        injected_bus=np.concatenate([b0, b1]),
        injected_carrier=np.concatenate([carrier, carrier]) if B else np.zeros(0, object),
    )
