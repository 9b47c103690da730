"""Audit a solution before it becomes a result.

Checks made from the network data and the labelled solution, independently of the matrix that was
solved (so an assembly bug cannot hide itself):

* energy balance at every bus and snapshot;
* every variable within its bounds, and every row of the program within its limits;
* storage continuity: the state of charge follows from the charging and discharging (with
  representative periods, over the whole year the typical periods stand for).

A violation beyond tolerance raises :class:`~caspian.exceptions.AuditError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.exceptions import AuditError
from caspian.optimize.build import LinearModel
from caspian.optimize.periods import storage_hours
from caspian.optimize.results import OptimizationResult, chronological_levels
from caspian.optimize.tolerances import RELATIVE_TOLERANCE


def audit(model: LinearModel, result: OptimizationResult, col_value: np.ndarray) -> None:
    """Raise AuditError if the solution breaks balance, bounds or storage continuity."""
    problems = [
        *_check_balance(result),
        *_check_bounds(model, col_value),
        *_check_rows(model, col_value),
        *_check_storage(result),
    ]
    if problems:
        raise AuditError(
            "the solver's answer failed the audit, so it is not returned as a result:\n"
            + "\n".join(f"  - {p}" for p in problems[:10])
        )


def _tol(scale: np.ndarray | float) -> np.ndarray:
    return RELATIVE_TOLERANCE * (1.0 + np.abs(scale))


def _worst(
    residual: np.ndarray, scale: np.ndarray, label: str, names: pd.Index, snapshots: pd.Index
) -> list[str]:
    excess = np.abs(residual) - _tol(scale)
    if not (excess > 0).any():
        return []
    t, j = np.unravel_index(int(np.argmax(excess)), excess.shape)
    count = int((excess > 0).sum())
    return [
        f"{label}: {count} violations, worst {residual[t, j]:.6g} at '{names[int(j)]}', "
        f"snapshot {snapshots[int(t)]}"
    ]


def _check_balance(result: OptimizationResult) -> list[str]:
    n = result.network
    buses = n.static["Bus"].index
    T = len(n.snapshots)
    net = np.zeros((T, len(buses)))
    scale = np.zeros((T, len(buses)))

    def add(frame: pd.DataFrame, bus_names: pd.Series, sign: float) -> None:
        if frame.shape[1] == 0:
            return
        pos = buses.get_indexer(pd.Index(bus_names.reindex(frame.columns).to_numpy()))
        values = sign * frame.to_numpy(float)
        np.add.at(net.T, pos, values.T)
        np.add.at(scale.T, pos, np.abs(values).T)

    gens = n.static["Generator"]
    add(result.series("Generator", "p") * gens["sign"], gens["bus"], 1.0)
    add(result.series("StorageUnit", "p"), n.static["StorageUnit"]["bus"], 1.0)
    add(result.series("Store", "p"), n.static["Store"]["bus"], 1.0)
    add(result.series("Load", "p"), n.static["Load"]["bus"], -1.0)
    for component in ("Line", "Link"):
        frame = n.static[component]
        add(result.series(component, "p0"), frame["bus0"], -1.0)
        add(result.series(component, "p1"), frame["bus1"], -1.0)
    return _worst(net, scale, "energy balance (MW)", buses, n.snapshots)


def _check_bounds(model: LinearModel, x: np.ndarray) -> list[str]:
    lp = model.lp
    below = lp.col_lower - x
    above = x - lp.col_upper
    with np.errstate(invalid="ignore"):
        violation = np.fmax(below - _tol(lp.col_lower), above - _tol(lp.col_upper))
    violation = np.nan_to_num(violation, nan=-1.0, neginf=-1.0)
    if not (violation > 0).any():
        return []
    worst = int(np.argmax(violation))
    return [
        f"variable bounds: {(violation > 0).sum()} violations, worst by "
        f"{violation[worst]:.6g} on {lp.col_label(worst)}"
    ]


def _check_rows(model: LinearModel, x: np.ndarray) -> list[str]:
    lp = model.lp
    activity = lp.matrix @ x
    scale = abs(lp.matrix) @ np.abs(x)
    with np.errstate(invalid="ignore"):
        violation = np.fmax(lp.row_lower - activity, activity - lp.row_upper) - _tol(scale)
    violation = np.nan_to_num(violation, nan=-1.0, neginf=-1.0)
    if not (violation > 0).any():
        return []
    worst = int(np.argmax(violation))
    return [
        f"constraints: {(violation > 0).sum()} violated, worst by {violation[worst]:.6g} "
        f"on {lp.row_label(worst)}"
    ]


def _check_storage(result: OptimizationResult) -> list[str]:
    """Continuity of every storage level; with representative periods, of the whole year's
    levels rebuilt from the typical periods (:func:`chronological_levels`)."""
    n = result.network
    problems: list[str] = []
    h = storage_hours(n, result.periods)[:, None]
    su = n.static["StorageUnit"]
    if len(su):
        soc = result.series("StorageUnit", "state_of_charge").to_numpy()
        eta = (1 - n.get_series("StorageUnit", "standing_loss")) ** h
        flow = h * (
            n.get_series("StorageUnit", "efficiency_store")
            * result.series("StorageUnit", "p_store").to_numpy()
            - result.series("StorageUnit", "p_dispatch").to_numpy()
            / n.get_series("StorageUnit", "efficiency_dispatch")
            + n.get_series("StorageUnit", "inflow")
            - result.series("StorageUnit", "spill").to_numpy()
        )
        soc, eta, flow, steps = _in_year_order(result, "StorageUnit", soc, eta, flow)
        start = np.where(
            su["cyclic_state_of_charge"].to_numpy(bool),
            eta[0] * soc[-1],
            su["state_of_charge_initial"].to_numpy(float),
        )
        previous = np.vstack([start[None, :], eta[1:] * soc[:-1]])
        residual = soc - previous - flow
        problems += _worst(
            residual,
            np.abs(soc) + np.abs(flow),
            "storage unit continuity (MWh)",
            su.index,
            steps,
        )
    st = n.static["Store"]
    if len(st):
        e = result.series("Store", "e").to_numpy()
        eta = (1 - n.get_series("Store", "standing_loss")) ** h
        flow = -h * result.series("Store", "p").to_numpy()
        e, eta, flow, steps = _in_year_order(result, "Store", e, eta, flow)
        start = np.where(
            st["e_cyclic"].to_numpy(bool), eta[0] * e[-1], st["e_initial"].to_numpy(float)
        )
        previous = np.vstack([start[None, :], eta[1:] * e[:-1]])
        residual = e - previous - flow
        problems += _worst(
            residual, np.abs(e) + np.abs(flow), "store continuity (MWh)", st.index, steps
        )
    return problems


def _in_year_order(
    result: OptimizationResult,
    component: str,
    level: np.ndarray,
    eta: np.ndarray,
    flow: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Levels, decay factors and flows in the order of the year, with a label per step: the
    snapshots themselves, or with representative periods every step of every original period."""
    periods = result.periods
    if periods is None:
        return level, eta, flow, result.network.snapshots
    year = chronological_levels(result, component)
    order = periods.chronological_order()
    labels = pd.Index([f"step {step} of original period {d}" for d, step in year.index])
    return year.to_numpy(), eta[order], flow[order], labels
