"""Economic audit of a solve: are the prices a dual solution of the LP, and do assets break even?

The physical audit (:mod:`caspian.optimize.audit`) checks the primal. This one checks the duals,
which every price, rent and welfare figure is computed from, for every solve method (simplex,
interior point, Benders). With ``x`` the primal, ``y`` the row duals and ``z = c - A^T y`` the
reduced costs (HiGHS's signs: ``y_i >= 0`` on a row at its lower limit, ``<= 0`` at its upper):

1. **Dual feasibility.** ``z_j >= 0`` where ``x_j`` has no upper bound, ``z_j <= 0`` where it has
   no lower bound; ``y_i >= 0`` where row ``i`` has no upper limit, ``y_i <= 0`` where it has no
   lower limit. Each violation is measured against ``1 + |c_j| + sum_i |a_ij y_i|`` (the size
   of the terms that make ``z_j``) or ``1 + |y|_max``.
2. **Complementary slackness.** ``sum_j z_j^+ (x_j - l_j) + z_j^- (u_j - x_j)`` plus the same
   over the rows: for a feasible pair this sum *is* the duality gap, in EUR. It may be at most
   the gap the method proved (Benders) plus ``COMPLEMENTARITY_TOLERANCE`` of the objective.
3. **Zero profit**, from the labelled result and the network data alone (so a wrong mapping of
   duals to prices is caught too): every extendable asset whose capacity lies strictly between
   its bounds earns at the returned prices exactly its cost::

       revenue - running cost - CO2 cost - capital cost + value of its own fixed inputs = 0

   revenue: ``sum_t w_t P[bus, t] * injection`` at each of its buses (for lines the congestion
   value of their capacity, ``sum_t w_t (mu_up + mu_lo) s_max_pu s_nom``, since loop flows make
   a meshed line's flow rent differ from it); running cost: its marginal (and spill) costs;
   CO2 cost: the CO2 price times its emissions as the cap counts them; capital cost:
   ``(capital_cost + fom_cost) * capacity``; own fixed inputs: what the LP's own rows of the
   asset hold on their right-hand sides (a storage unit's inflow and initial level) valued at
   those rows' duals (the water value). An asset at its lower bound would not earn more than
   its cost per MW (checked for generators and links without ramp limits or minimum output).

A failure raises :class:`~caspian.exceptions.AuditError` (exit code 4 in the CLI); the figures of
a pass go into ``summary.json`` (:meth:`EconomicAudit.as_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

from caspian.exceptions import AuditError
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize.balance import KIRCHHOFF_VOLTAGE_LAW, NODAL_BALANCE
from caspian.optimize.build import LinearModel
from caspian.optimize.context import STORAGE_START
from caspian.optimize.limits import CO2
from caspian.optimize.operation import capacity_key
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.solve import Solution


class PricedResult(Protocol):
    """What the economic audit reads from a result: an
    [`OptimizationResult`][caspian.optimize.OptimizationResult], which carries the audit's
    report and so is defined above this module."""

    @property
    def prices(self) -> pd.DataFrame: ...

    @property
    def co2_price(self) -> float: ...

    @property
    def periods(self) -> RepresentativePeriods | None: ...

    def series(self, component: str, attr: str) -> pd.DataFrame: ...

    def shadow_price(self, component: str, side: str) -> pd.DataFrame: ...

    def inter_period_levels(self, component: str) -> pd.DataFrame: ...


DUAL_FEASIBILITY_TOLERANCE = 1e-6
"""Largest relative violation of dual feasibility (see the module docstring)."""

COMPLEMENTARITY_TOLERANCE = 1e-6
"""Duality gap allowed beyond the proved gap, relative to ``max(1, |objective|)``."""

ZERO_PROFIT_TOLERANCE = 1e-5
"""Largest ``|profit|`` of an asset at interior capacity, relative to the sum of the absolute
values of its revenue and cost terms (beyond the proved gap's share of the objective)."""

INTERIOR_MARGIN = 1e-3
"""MW (MWh for stores): a capacity within this of a bound is at that bound."""

SHARED_ROWS = (NODAL_BALANCE, CO2, KIRCHHOFF_VOLTAGE_LAW)
"""Constraint families that several assets share (their duals are the prices)."""


@dataclass(frozen=True)
class EconomicAudit:
    """The figures of the economic audit of one solve.

    Attributes
    ----------
    dual_infeasibility
        largest relative violation of dual feasibility, and ``worst_dual`` what it is on.
    duality_gap_eur
        complementary-slackness sum (EUR), ``= c^T x - dual objective`` for a feasible pair;
        ``duality_gap`` the same relative to ``max(1, |objective|)`` and ``allowed_gap`` its
        limit; ``worst_complementarity`` the largest terms.
    assets
        per extendable asset: capacity, whether interior, revenue, running, CO2 and capital
        cost, value of own inputs and profit (EUR), and its relative error for interior ones.
    max_profit_error
        largest relative profit error over interior assets (0 if none).
    unbuilt_violations
        assets at their lower bound that would earn more than their cost per MW.
    """

    dual_infeasibility: float
    worst_dual: str
    duality_gap_eur: float
    duality_gap: float
    allowed_gap: float
    worst_complementarity: tuple[str, ...]
    assets: pd.DataFrame = field(repr=False)
    max_profit_error: float
    unbuilt_violations: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The figures for ``summary.json``."""
        interior = self.assets[self.assets["interior"]] if len(self.assets) else self.assets
        return {
            "passed": self.passed,
            "dual_infeasibility": self.dual_infeasibility,
            "duality_gap_eur": self.duality_gap_eur,
            "duality_gap": self.duality_gap,
            "allowed_gap": self.allowed_gap,
            "max_profit_error": self.max_profit_error,
            "interior_assets": len(interior),
            "zero_profit": {
                "/".join(cast(tuple[str, str], key)): {
                    "capacity": float(row["capacity"]),
                    "revenue_eur": float(row["revenue"]),
                    "cost_eur": float(row["running"] + row["co2"] + row["capital"]),
                    "own_inputs_eur": float(row["own_inputs"]),
                    "profit_eur": float(row["profit"]),
                }
                for key, row in interior.iterrows()
            },
            "problems": list(self.problems),
        }


def economic_audit(
    model: LinearModel,
    result: PricedResult,
    solution: Solution,
    *,
    proved_gap: float = 0.0,
) -> EconomicAudit:
    """Audit the duals of ``solution`` (see the module docstring); raise AuditError on failure.

    ``proved_gap`` is the relative gap the method proved between its objective and a lower
    bound (Benders); the duality gap of the pair may be that large.
    """
    lp = model.lp
    x = solution.col_value
    y = solution.row_dual
    z = lp.cost - lp.matrix.T @ y
    magnitude = np.abs(lp.cost) + abs(lp.matrix).T @ np.abs(y)
    objective = float(lp.cost @ x)
    problems: list[str] = []

    dual_viol, worst_dual = _dual_feasibility(model, z, y, magnitude)
    if dual_viol > DUAL_FEASIBILITY_TOLERANCE:
        problems.append(
            f"the duals are not dual feasible: relative violation {dual_viol:.3g} on {worst_dual}"
        )

    gap_eur, worst_cs = _complementarity(model, x, z, y)
    scale = max(1.0, abs(objective))
    allowed = max(proved_gap, 0.0) + COMPLEMENTARITY_TOLERANCE
    if gap_eur > allowed * scale:
        problems.append(
            f"complementary slackness fails: duality gap {gap_eur:,.6g} EUR "
            f"({gap_eur / scale:.3g} of the objective, allowed {allowed:.3g}); largest terms: "
            + "; ".join(worst_cs)
        )

    assets = _asset_economics(model, result, solution)
    slack = max(proved_gap, 0.0) * scale
    max_error = 0.0
    if len(assets):
        interior = assets["interior"].to_numpy(bool)
        size = assets[["revenue", "running", "co2", "capital", "own_inputs"]].abs().sum(axis=1)
        error = (assets["profit"].abs() - slack).clip(lower=0.0) / (1.0 + size)
        assets["error"] = np.where(interior, error, np.nan)
        if interior.any():
            max_error = float(error[interior].max())
            bad = assets[interior & (error > ZERO_PROFIT_TOLERANCE).to_numpy()]
            for key, row in bad.head(5).iterrows():
                component, name = cast(tuple[str, str], key)
                problems.append(
                    f"{component} '{name}' at interior capacity {row['capacity']:,.6g} does not "
                    f"break even at the returned prices: revenue {row['revenue']:,.6g} EUR, "
                    f"running {row['running']:,.6g}, CO2 {row['co2']:,.6g}, capital "
                    f"{row['capital']:,.6g}, own inputs {row['own_inputs']:,.6g}, profit "
                    f"{row['profit']:,.6g} EUR"
                )
    unbuilt = _unbuilt_violations(model, result, assets, slack)
    problems += [
        f"{item} would earn more than its cost per MW at the returned prices" for item in unbuilt
    ]
    report = EconomicAudit(
        dual_infeasibility=dual_viol,
        worst_dual=worst_dual,
        duality_gap_eur=gap_eur,
        duality_gap=gap_eur / scale,
        allowed_gap=allowed,
        worst_complementarity=tuple(worst_cs),
        assets=assets,
        max_profit_error=max_error,
        unbuilt_violations=tuple(unbuilt),
        problems=tuple(problems),
    )
    if problems:
        raise AuditError(
            "the prices failed the economic audit (they are not a dual solution of the model), "
            "so the answer is not returned as a result:\n"
            + "\n".join(f"  - {p}" for p in problems[:10])
        )
    return report


def _dual_feasibility(
    model: LinearModel, z: np.ndarray, y: np.ndarray, magnitude: np.ndarray
) -> tuple[float, str]:
    lp = model.lp
    no_lower = ~np.isfinite(lp.col_lower)
    no_upper = ~np.isfinite(lp.col_upper)
    col_viol = np.maximum(np.where(no_upper, -z, 0.0), np.where(no_lower, z, 0.0))
    col_rel = np.maximum(col_viol, 0.0) / (1.0 + magnitude)
    scale = 1.0 + float(np.abs(y).max(initial=0.0))
    row_viol = np.maximum(
        np.where(~np.isfinite(lp.row_upper), -y, 0.0),
        np.where(~np.isfinite(lp.row_lower), y, 0.0),
    )
    row_rel = np.maximum(row_viol, 0.0) / scale
    worst_col = int(np.argmax(col_rel)) if len(col_rel) else -1
    worst_row = int(np.argmax(row_rel)) if len(row_rel) else -1
    col_worst = float(col_rel[worst_col]) if worst_col >= 0 else 0.0
    row_worst = float(row_rel[worst_row]) if worst_row >= 0 else 0.0
    if col_worst >= row_worst:
        label = lp.col_label(worst_col) if worst_col >= 0 else "nothing"
        return col_worst, f"the reduced cost {z[worst_col]:.6g} of {label}"
    return row_worst, f"the dual {y[worst_row]:.6g} of {lp.row_label(worst_row)}"


def _complementarity(
    model: LinearModel, x: np.ndarray, z: np.ndarray, y: np.ndarray
) -> tuple[float, list[str]]:
    """The complementary-slackness sum (EUR) and its three largest terms, labelled."""
    lp = model.lp
    activity = lp.matrix @ x
    with np.errstate(invalid="ignore"):
        col_terms = np.nan_to_num(
            np.maximum(z, 0.0) * np.abs(x - lp.col_lower), nan=0.0, posinf=0.0
        ) + np.nan_to_num(np.maximum(-z, 0.0) * np.abs(lp.col_upper - x), nan=0.0, posinf=0.0)
        row_terms = np.nan_to_num(
            np.maximum(y, 0.0) * np.abs(activity - lp.row_lower), nan=0.0, posinf=0.0
        ) + np.nan_to_num(
            np.maximum(-y, 0.0) * np.abs(lp.row_upper - activity), nan=0.0, posinf=0.0
        )
    # A term with an infinite distance and a non-zero dual is a dual infeasibility, counted there.
    total = float(col_terms.sum() + row_terms.sum())
    labelled = [(float(v), lp.col_label(int(j))) for j, v in _largest(col_terms)] + [
        (float(v), lp.row_label(int(i))) for i, v in _largest(row_terms)
    ]
    labelled.sort(reverse=True)
    return total, [f"{label}: {value:,.6g} EUR" for value, label in labelled[:3] if value > 0]


def _largest(values: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    if not len(values):
        return []
    top = np.argpartition(-values, min(k, len(values) - 1))[:k]
    return [(int(i), float(values[i])) for i in top]


def _asset_economics(model: LinearModel, result: PricedResult, solution: Solution) -> pd.DataFrame:
    """Revenue and cost terms (EUR) of every extendable asset, from the labelled result."""
    n = model.network
    lp = model.lp
    x = solution.col_value
    w = n.snapshot_weightings["objective"].to_numpy(float)[:, None]
    w_gen = n.snapshot_weightings["generators"].to_numpy(float)[:, None]
    prices = result.prices
    co2_price = result.co2_price
    rates = n.static["Carrier"]["co2_emissions"]
    own_inputs = _own_input_values(model, solution.row_dual)
    frames = []
    for component, attr in NOMINAL_ATTR.items():
        static = n.static[component]
        capacity_block = lp.variables.get(capacity_key(component))
        if capacity_block is None or not len(static):
            continue
        names = capacity_block.names
        capacity = capacity_block.take(x)
        capital = lp.cost[capacity_block.start : capacity_block.start + capacity_block.size]
        sub = static.loc[names]
        running = _running_costs(model, component, names, x)
        co2 = np.zeros(len(names))
        if component == "Line":
            revenue = _line_capacity_value(n, result, names, capacity, w)
        else:
            revenue = _revenue_at_prices(n, result, component, names, prices, w)
        if component == "Generator":
            rate = sub["carrier"].map(rates).fillna(0.0).to_numpy(float)
            rate = _per_output(rate, sub["efficiency"].to_numpy(float))
            p = result.series("Generator", "p")[names].to_numpy()
            co2 = co2_price * (w_gen * rate * p).sum(axis=0)
        elif component in STORAGE_START:
            co2 = co2_price * _storage_emissions(n, result, component, names)
        lower = sub[f"{attr}_min"].to_numpy(float)
        upper = sub[f"{attr}_max"].to_numpy(float)
        margin = np.maximum(INTERIOR_MARGIN, 1e-6 * np.abs(capacity))
        interior = (capacity - lower > margin) & (upper - capacity > margin)
        inputs = own_inputs.get(component, pd.Series(dtype=float)).reindex(names).fillna(0.0)
        frame = pd.DataFrame(
            {
                "capacity": capacity,
                "interior": interior,
                "revenue": revenue,
                "running": running,
                "co2": co2,
                "capital": capital * capacity,
                "own_inputs": inputs.to_numpy(float),
            },
            index=pd.MultiIndex.from_product([[component], names], names=["component", "name"]),
        )
        frame["profit"] = (
            frame["revenue"] - frame["running"] - frame["co2"] - frame["capital"]
        ) + frame["own_inputs"]
        frames.append(frame)
    if not frames:
        return pd.DataFrame(
            columns=["capacity", "interior", "revenue", "running", "co2", "capital", "profit"]
        )
    return pd.concat(frames)


def _per_output(rate: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """t CO2 per MWh of output, ``rate / efficiency``; 0 where the carrier emits nothing."""
    return np.divide(rate, efficiency, out=np.zeros_like(rate), where=rate != 0)


def _revenue_at_prices(
    n: Any,
    result: PricedResult,
    component: str,
    names: pd.Index,
    prices: pd.DataFrame,
    w: np.ndarray,
) -> np.ndarray:
    """``sum_t w_t sum_bus P[bus, t] * injection[bus, t]`` of each asset (EUR)."""
    static = n.static[component].loc[names]

    def at(bus_column: str) -> np.ndarray:
        return prices[static[bus_column].to_numpy()].to_numpy()

    if component == "Generator":
        injection = result.series("Generator", "p")[names].to_numpy()
        injection = injection * static["sign"].to_numpy(float)
        return np.asarray((w * at("bus") * injection).sum(axis=0))
    if component == "Link":
        p0 = result.series("Link", "p0")[names].to_numpy()
        p1 = result.series("Link", "p1")[names].to_numpy()
        return np.asarray(-(w * (at("bus0") * p0 + at("bus1") * p1)).sum(axis=0))
    injection = result.series(component, "p")[names].to_numpy()
    return np.asarray((w * at("bus") * injection).sum(axis=0))


def _line_capacity_value(
    n: Any, result: PricedResult, names: pd.Index, capacity: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """``sum_t w_t (mu_up + mu_lo) s_max_pu[t] * s_nom`` of each line (EUR)."""
    mu = (
        result.shadow_price("Line", "upper")[names].to_numpy()
        + result.shadow_price("Line", "lower")[names].to_numpy()
    )
    s_max_pu = n.get_series("Line", "s_max_pu", names)
    return np.asarray((w * mu * s_max_pu).sum(axis=0) * capacity)


def _running_costs(
    model: LinearModel, component: str, names: pd.Index, x: np.ndarray
) -> np.ndarray:
    """The LP's operating costs of each asset: ``sum c_j x_j`` over its time-indexed columns."""
    lp = model.lp
    out = np.zeros(len(names))
    for block in lp.variables.values():
        if block.component != component or not block.time_indexed:
            continue
        cost = lp.cost[block.start : block.start + block.size].reshape(block.shape)
        per_name = (cost * block.take(x)).sum(axis=0)
        pos = names.get_indexer(block.names)
        found = pos >= 0
        np.add.at(out, pos[found], per_name[found])
    return out


def _storage_emissions(n: Any, result: PricedResult, component: str, names: pd.Index) -> np.ndarray:
    """t CO2 of each storage asset as the cap counts them: ``rate * (initial - final level)``
    for non-cyclic ones."""
    cyclic_attr, initial_attr = STORAGE_START[component]
    static = n.static[component].loc[names]
    rate = static["carrier"].map(n.static["Carrier"]["co2_emissions"]).fillna(0.0)
    rate = rate.to_numpy(float) * ~static[cyclic_attr].to_numpy(bool)
    if not rate.any():
        return np.zeros(len(names))
    level = "state_of_charge" if component == "StorageUnit" else "e"
    if result.periods is not None:
        final = result.inter_period_levels(component)[names].to_numpy()[-1]
    else:
        final = result.series(component, level)[names].to_numpy()[-1]
    return np.asarray(rate * (static[initial_attr].to_numpy(float) - final))


def _own_input_values(model: LinearModel, row_dual: np.ndarray) -> dict[str, pd.Series]:
    """Per component and asset, ``sum y_i b_i`` over the asset's own rows (``b_i`` the limit the
    dual prices: the lower one for ``y_i > 0``, the upper one for ``y_i < 0``)."""
    lp = model.lp
    out: dict[str, pd.Series] = {}
    for key, block in lp.constraints.items():
        if key in SHARED_ROWS or block.component not in NOMINAL_ATTR:
            continue
        y = block.take(row_dual)
        lower = lp.row_lower[block.start : block.start + block.size].reshape(block.shape)
        upper = lp.row_upper[block.start : block.start + block.size].reshape(block.shape)
        with np.errstate(invalid="ignore"):
            bound = np.where(y > 0, lower, np.where(y < 0, upper, 0.0))
            value = np.nan_to_num(y * bound, nan=0.0, posinf=0.0, neginf=0.0)
        per_name = value.sum(axis=0) if len(block.shape) == 2 else value
        series = pd.Series(per_name, index=block.names)
        previous = out.get(block.component)
        out[block.component] = series if previous is None else previous.add(series, fill_value=0)
    return out


def _unbuilt_violations(
    model: LinearModel, result: PricedResult, assets: pd.DataFrame, slack: float
) -> list[str]:
    """Generators and links at their lower capacity bound (without ramp limits or minimum
    output) whose value per MW at the returned prices exceeds their capital cost per MW."""
    if not len(assets):
        return []
    n = model.network
    lp = model.lp
    w = n.snapshot_weightings["objective"].to_numpy(float)[:, None]
    w_gen = n.snapshot_weightings["generators"].to_numpy(float)[:, None]
    prices = result.prices
    out: list[str] = []
    for component in ("Generator", "Link"):
        block = lp.variables.get(capacity_key(component))
        if block is None or component not in assets.index.get_level_values(0):
            continue
        table = assets.loc[component]
        at_lower = ~table["interior"].to_numpy(bool) & (
            table["capacity"].to_numpy(float)
            <= n.static[component].loc[table.index, "p_nom_min"].to_numpy(float) + INTERIOR_MARGIN
        )
        names = table.index[at_lower]
        if not len(names):
            continue
        static = n.static[component].loc[names]
        p_min = n.get_series(component, "p_min_pu", names)
        p_max = n.get_series(component, "p_max_pu", names)
        mc = n.get_series(component, "marginal_cost", names)
        ramps = n.get_series(component, "ramp_limit_up", names)
        ramps_down = n.get_series(component, "ramp_limit_down", names)
        simple = ~(np.isfinite(ramps).any(axis=0) | np.isfinite(ramps_down).any(axis=0))
        capital = lp.cost[block.start : block.start + block.size][block.names.get_indexer(names)]
        if component == "Generator":
            simple &= (p_min <= 0).all(axis=0) & (static["sign"].to_numpy(float) > 0)
            rate = static["carrier"].map(n.static["Carrier"]["co2_emissions"]).fillna(0.0)
            rate = _per_output(rate.to_numpy(float), static["efficiency"].to_numpy(float))
            margin = w * (prices[static["bus"].to_numpy()].to_numpy() - mc)
            margin = margin - result.co2_price * w_gen * rate
            value = (np.maximum(margin, 0.0) * np.maximum(p_max, 0.0)).sum(axis=0)
        else:
            eff = n.get_series("Link", "efficiency", names)
            p0 = prices[static["bus0"].to_numpy()].to_numpy()
            p1 = prices[static["bus1"].to_numpy()].to_numpy()
            forward = w * (eff * p1 - p0 - mc)
            two_way = static["bidirectional"].to_numpy(bool)
            backward = np.where(two_way, w * (eff * p0 - p1 - mc), -forward)
            simple &= (p_min <= 0).all(axis=0) & (p_max >= 0).all(axis=0)
            value = np.maximum.reduce(
                [np.zeros_like(forward), forward * p_max, backward * -p_min]
            ).sum(axis=0)
        excess = value - capital
        # Within a proved gap, an unbuilt asset may be worth up to gap / (p_nom_max - p_nom_min)
        # more per MW than it costs (complementary slackness of its capacity); none without
        # an upper bound, where dual feasibility alone forbids it.
        room = (static["p_nom_max"] - static["p_nom_min"]).to_numpy(float)
        simple &= room > 0  # a capacity fixed by equal bounds has no choice to check
        per_mw = np.divide(slack, room, out=np.zeros_like(room), where=room > 0)
        limit = ZERO_PROFIT_TOLERANCE * (1.0 + np.abs(value) + np.abs(capital)) + per_mw
        for name in names[simple & (excess > limit)]:
            i = names.get_loc(name)
            out.append(
                f"{component} '{name}' (unbuilt: {value[i]:,.6g} EUR per MW against a capital "
                f"cost of {capital[i]:,.6g})"
            )
    return out
