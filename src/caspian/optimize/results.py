"""Labelled results of an optimal solve, with PyPSA's names and sign conventions.

Signs follow PyPSA: ``p`` of a generator, storage unit or store is positive when it feeds its
bus; ``p0``/``p1`` of a line or link are the power *withdrawn* at bus0/bus1 (so ``p1`` is
negative where power arrives). Prices are in EUR/MWh: the dual of the nodal balance divided by
the snapshot's objective weighting, as ``n.buses_t.marginal_price`` in PyPSA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from caspian.exceptions import InputError
from caspian.network.network import Network, component_schema, extendable_mask
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize.assembly import VariableKey
from caspian.optimize.balance import NODAL_BALANCE
from caspian.optimize.build import LinearModel
from caspian.optimize.context import STORAGE_LEVEL
from caspian.optimize.inter_period import inter_level_key
from caspian.optimize.limits import CO2
from caspian.optimize.operation import (
    GENERATOR_P,
    LINE_S,
    LINK_P,
    LINK_P_BWD,
    LINK_P_FWD,
    STORAGE_UNIT_P_DISPATCH,
    STORAGE_UNIT_P_STORE,
    STORAGE_UNIT_SPILL,
    STORE_P,
    capacity_key,
    level_key,
    limit_key,
)
from caspian.optimize.periods import RepresentativePeriods, solved_levels, within_period_decay
from caspian.optimize.price_audit import EconomicAudit
from caspian.optimize.solve import Solution, SolverStats, SolveStatus

SERIES_ATTRS: dict[str, tuple[str, ...]] = {
    "Generator": ("p",),
    "Load": ("p",),
    "Line": ("p0", "p1"),
    "Link": ("p", "p0", "p1"),
    "StorageUnit": ("p", "p_dispatch", "p_store", "state_of_charge", "spill"),
    "Store": ("p", "e"),
}
"""Time series every result has, per component (PyPSA's names)."""


@dataclass(frozen=True)
class OptimizationResult:
    """The optimum of a network: objective, prices, dispatch, capacities, duals and statistics.

    Attributes
    ----------
    network
        the network that was solved (not modified).
    status
        always ``SolveStatus.OPTIMAL`` (other outcomes raise).
    objective
        EUR; PyPSA's objective with ``include_objective_constant=False``.
    prices
        EUR/MWh, snapshots x buses.
    global_constraints
        per GlobalConstraint, ``mu`` (PyPSA's sign; <= 0 for a binding cap)
        and ``value`` (its left-hand side at the optimum, t CO2).
    solver
        HiGHS statistics.
    build_seconds
        time to build the linear program.
    n_variables, n_constraints
        size of the linear program.
    periods
        the representative periods the snapshots stand for, or None (chronological). With
        periods, the ``state_of_charge`` and ``e`` series are the levels in the first original
        period each typical period stands for; see
        [`caspian.optimize.chronological_levels`][caspian.optimize.results.chronological_levels] for
        the whole year.
    """

    network: Network
    status: SolveStatus
    objective: float
    prices: pd.DataFrame
    global_constraints: pd.DataFrame
    solver: SolverStats
    build_seconds: float
    n_variables: int
    n_constraints: int
    _series: dict[tuple[str, str], pd.DataFrame] = field(repr=False)
    _capacity: dict[str, pd.Series] = field(repr=False)
    _shadow: dict[tuple[str, str], pd.DataFrame] = field(repr=False)
    periods: RepresentativePeriods | None = None
    _inter_levels: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    economic_audit: EconomicAudit | None = field(default=None, repr=False)
    """The economic audit the prices passed (dual feasibility, complementary slackness, zero
    profit): [`caspian.optimize.price_audit`][caspian.optimize.price_audit]; None for a result
    read back from a folder written before the audit existed."""

    def series(self, component: str, attr: str) -> pd.DataFrame:
        """Snapshots x components values of ``attr`` (e.g. ``("Generator", "p")``), MW or MWh."""
        cname = component_schema(component).name
        key = (cname, attr)
        if key not in self._series:
            known = ", ".join(SERIES_ATTRS.get(cname, ())) or "none"
            raise InputError(
                f"no result series '{attr}'.",
                component=cname,
                attribute=attr,
                hint=f"Available for {cname}: {known}.",
            )
        return self._series[key]

    def inter_period_levels(self, component: str) -> pd.DataFrame:
        """Storage level (MWh) at each original period boundary ``d = 0 .. D`` (``E[d]``),
        for ``"StorageUnit"`` or ``"Store"``; only with representative periods."""
        cname = component_schema(component).name
        if cname not in self._inter_levels:
            raise InputError(
                "has no inter-period levels.",
                component=cname,
                hint="They exist for StorageUnit and Store in a result solved with "
                "representative periods.",
            )
        return self._inter_levels[cname]

    def capacity(self, component: str) -> pd.Series:
        """Optimal capacity (``p_nom_opt``, ``s_nom_opt`` or ``e_nom_opt``) of every component."""
        cname = component_schema(component).name
        if cname not in self._capacity:
            raise InputError(
                "has no capacity.",
                component=cname,
                hint="Capacities exist for " + ", ".join(NOMINAL_ATTR) + ".",
            )
        return self._capacity[cname]

    def shadow_price(self, component: str, side: str) -> pd.DataFrame:
        """Value of relaxing a flow limit by 1 MW, EUR/MWh (>= 0), snapshots x components.

        ``side`` is ``"upper"`` (the limit in the bus0 -> bus1 direction) or ``"lower"``. It
        is the dual of the limit divided by the objective weighting, like the nodal prices, so
        for a line between two buses on a radial path it equals their price difference.
        Available for Line and for (non-bidirectional) Link.
        """
        cname = component_schema(component).name
        if (cname, side) not in self._shadow:
            raise InputError(
                f"no shadow price for side '{side}'.",
                component=cname,
                hint="Use component 'Line' or 'Link' and side 'upper' or 'lower'.",
            )
        return self._shadow[(cname, side)]

    @property
    def co2_price(self) -> float:
        """EUR/t: minus the dual of the CO2 cap(s) (0.0 if there is none or it is slack)."""
        if not len(self.global_constraints):
            return 0.0
        return float(-self.global_constraints["mu"].sum())

    def summary(self) -> dict[str, Any]:
        """Headline numbers, as written to ``summary.json``."""
        from caspian import __version__

        prices = self.prices
        weights = self.network.snapshot_weightings["objective"]
        mean = (prices.mul(weights, axis=0).sum() / weights.sum()) if len(prices) else prices.sum()
        return {
            "status": str(self.status),
            "objective": self.objective,
            "build_seconds": self.build_seconds,
            "solve_seconds": self.solver.solve_seconds,
            "n_variables": self.n_variables,
            "n_constraints": self.n_constraints,
            "algorithm": self.solver.algorithm,
            "iterations": self.solver.iterations,
            "relative_gap": self.solver.relative_gap,
            "mean_price_by_bus": {str(k): float(v) for k, v in mean.items()},
            "co2_price": self.co2_price,
            "optimal_capacity": {
                c: {str(k): float(v) for k, v in s[self._extendable(c)].items()}
                for c, s in self._capacity.items()
                if self._extendable(c).any()
            },
            "versions": {"caspian-grid": __version__, "highs": self.solver.highs_version},
            **({"periods": self.periods.as_dict()} if self.periods is not None else {}),
            **(
                {"economic_audit": self.economic_audit.as_dict()}
                if self.economic_audit is not None
                else {}
            ),
        }

    def _extendable(self, component: str) -> np.ndarray:
        return extendable_mask(self.network.static[component], component)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by file stem (``generators-p``, ``buses-marginal_price``, ...)."""
        out: dict[str, pd.DataFrame] = {"buses-marginal_price": self.prices}
        for (cname, attr), frame in self._series.items():
            if frame.shape[1]:
                out[f"{component_schema(cname).list_name}-{attr}"] = frame
        caps = [
            pd.DataFrame(
                {
                    "component": c,
                    "name": s.index,
                    "optimal_capacity": s.to_numpy(),
                    "extendable": self._extendable(c),
                }
            )
            for c, s in self._capacity.items()
            if len(s)
        ]
        if caps:
            out["capacities"] = pd.concat(caps, ignore_index=True).set_index(["component", "name"])
        if len(self.global_constraints):
            out["global_constraints"] = self.global_constraints
        return out


def extract_result(model: LinearModel, solution: Solution) -> OptimizationResult:
    """Turn a solution vector into labelled tables."""
    n = model.network
    lp = model.lp
    x = solution.col_value
    sns = n.snapshots
    T = len(sns)
    w_obj = n.snapshot_weightings["objective"].to_numpy(float)

    def frame(values: np.ndarray, names: pd.Index) -> pd.DataFrame:
        return pd.DataFrame(values, index=sns, columns=pd.Index(names, name="name"))

    def full(component: str, key: VariableKey) -> np.ndarray:
        """A variable block spread over all components of its type (0 where absent)."""
        names = n.static[component].index
        out = np.zeros((T, len(names)))
        block = lp.variables.get(key)
        if block is not None:
            out[:, names.get_indexer(block.names)] = block.take(x)
        return out

    series: dict[tuple[str, str], pd.DataFrame] = {}
    gen = n.static["Generator"].index
    series[("Generator", "p")] = frame(full("Generator", GENERATOR_P), gen)
    loads = n.static["Load"].index
    series[("Load", "p")] = frame(n.get_series("Load", "p_set"), loads)
    lines = n.static["Line"].index
    s = full("Line", LINE_S)
    series[("Line", "p0")] = frame(s, lines)
    series[("Line", "p1")] = frame(-s, lines)

    links = n.static["Link"].index
    eff = n.get_series("Link", "efficiency")
    p_plain = full("Link", LINK_P)
    p_fwd = full("Link", LINK_P_FWD)
    p_bwd = full("Link", LINK_P_BWD)
    series[("Link", "p")] = frame(p_plain + p_fwd - p_bwd, links)
    series[("Link", "p0")] = frame(p_plain + p_fwd - eff * p_bwd, links)
    series[("Link", "p1")] = frame(-eff * p_plain - eff * p_fwd + p_bwd, links)

    su = n.static["StorageUnit"].index
    dispatch = full("StorageUnit", STORAGE_UNIT_P_DISPATCH)
    store = full("StorageUnit", STORAGE_UNIT_P_STORE)
    series[("StorageUnit", "p_dispatch")] = frame(dispatch, su)
    series[("StorageUnit", "p_store")] = frame(store, su)
    series[("StorageUnit", "p")] = frame(dispatch - store, su)
    levels: dict[str, np.ndarray] = {}
    inter_levels: dict[str, pd.DataFrame] = {}
    for cname in STORAGE_LEVEL:
        if model.periods is None:
            levels[cname] = full(cname, level_key(cname))
            continue
        names = n.static[cname].index
        block = lp.variables.get(inter_level_key(cname))
        E = np.zeros((model.periods.n_periods + 1, len(names)))
        if block is not None:
            E = block.take(x).reshape(E.shape)
        intra = full(cname, level_key(cname, intra=True))
        levels[cname] = solved_levels(n, model.periods, cname, intra, E)
        inter_levels[cname] = pd.DataFrame(
            E, index=pd.RangeIndex(len(E), name="period"), columns=pd.Index(names, name="name")
        )
    series[("StorageUnit", "state_of_charge")] = frame(levels["StorageUnit"], su)
    series[("StorageUnit", "spill")] = frame(full("StorageUnit", STORAGE_UNIT_SPILL), su)
    stores = n.static["Store"].index
    series[("Store", "p")] = frame(full("Store", STORE_P), stores)
    series[("Store", "e")] = frame(levels["Store"], stores)

    capacity: dict[str, pd.Series] = {}
    for cname, attr in NOMINAL_ATTR.items():
        static = n.static[cname]
        cap = static[attr].astype(float).copy()
        block = lp.variables.get(capacity_key(cname))
        if block is not None:
            cap.loc[block.names] = block.take(x)
        cap.name = f"{attr}_opt"
        capacity[cname] = cap

    balance = lp.constraints[NODAL_BALANCE]
    prices = frame(balance.take(solution.row_dual) / w_obj[:, None], balance.names)

    glc = n.static["GlobalConstraint"]
    gc_table = pd.DataFrame(
        {"mu": np.zeros(len(glc)), "value": np.zeros(len(glc))}, index=glc.index
    )
    co2 = lp.constraints.get(CO2)
    if co2 is not None:
        gc_table["mu"] = co2.take(solution.row_dual)
        start = co2.start
        activity = solution.row_value[start : start + co2.size]
        shift = _co2_shift(n)
        gc_table["value"] = activity + shift

    shadow = _shadow_prices(model, solution, w_obj)
    objective = float(lp.cost @ x)
    return OptimizationResult(
        network=n,
        status=SolveStatus.OPTIMAL,
        objective=objective,
        prices=prices,
        global_constraints=gc_table,
        solver=solution.stats,
        build_seconds=model.build_seconds,
        n_variables=lp.n_variables,
        n_constraints=lp.n_constraints,
        _series=series,
        _capacity=capacity,
        _shadow=shadow,
        periods=model.periods,
        _inter_levels=inter_levels,
    )


def _co2_shift(n: Network) -> float:
    """Emissions of the initial storage levels, which the CO2 row carries on its right side."""
    carriers = n.static["Carrier"]["co2_emissions"]
    total = 0.0
    for cname, cyclic, initial in (
        ("StorageUnit", "cyclic_state_of_charge", "state_of_charge_initial"),
        ("Store", "e_cyclic", "e_initial"),
    ):
        frame = n.static[cname]
        if len(frame):
            rate = frame["carrier"].map(carriers).fillna(0.0).to_numpy(float)
            counted = ~frame[cyclic].to_numpy(bool)
            total += float((rate * frame[initial].to_numpy(float))[counted].sum())
    return total


def _shadow_prices(
    model: LinearModel, solution: Solution, w_obj: np.ndarray
) -> dict[tuple[str, str], pd.DataFrame]:
    """Duals of the flow limits of lines and plain links, EUR/MWh, >= 0."""
    lp = model.lp
    n = model.network
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for flow in (LINE_S, LINK_P):
        cname = flow.component
        block = lp.variables.get(flow)
        if block is None:
            continue
        reduced = block.take(solution.col_dual)
        upper = np.maximum(-reduced, 0.0)
        lower = np.maximum(reduced, 0.0)
        for side, sign, values in (("upper", -1.0, upper), ("lower", 1.0, lower)):
            rows = lp.constraints.get(limit_key(flow, side))
            if rows is not None:
                pos = block.names.get_indexer(rows.names)
                # The limit of an extendable is a row, and its implied column bound may carry
                # part of the same dual: the shadow price is their sum.
                values[:, pos] += np.maximum(sign * rows.take(solution.row_dual), 0.0)
            out[(cname, side)] = pd.DataFrame(
                values / w_obj[:, None],
                index=n.snapshots,
                columns=pd.Index(block.names, name="name"),
            )
    return out


def chronological_levels(result: OptimizationResult, component: str) -> pd.DataFrame:
    """The storage level of every step of the original year (MWh), rebuilt from the typical
    periods: ``s[d, j] = dec[k*L + j] E[d] + x[k*L + j]`` with ``k = sequence[d]``.

    Returns a (D*L) x components table indexed by (``period`` d, ``step`` j). ``component`` is
    ``"StorageUnit"`` (state of charge) or ``"Store"`` (energy).
    """
    periods = result.periods
    if periods is None:
        raise InputError(
            "the result has no representative periods; its levels are already chronological.",
            component=component,
            hint=f"Use result.series({component!r}, {STORAGE_LEVEL.get(component, 'e')!r}).",
        )
    n = result.network
    E = result.inter_period_levels(component).to_numpy()
    reported = result.series(component, STORAGE_LEVEL[component]).to_numpy()
    decay = within_period_decay(n, periods, component)
    first = periods.first_occurrence()[periods.typical_period()]
    intra = reported - decay * E[first]
    order = periods.chronological_order()
    period = np.repeat(np.arange(periods.n_periods), periods.period_length)
    index = pd.MultiIndex.from_arrays(
        [period, np.tile(np.arange(periods.period_length), periods.n_periods)],
        names=["period", "step"],
    )
    return pd.DataFrame(
        decay[order] * E[period] + intra[order],
        index=index,
        columns=pd.Index(n.static[component].index, name="name"),
    )
