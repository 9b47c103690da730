"""The PyPSA side of the cross-check: export a case, solve it in PyPSA, measure its uniqueness.

:func:`solve_reference` exports a case to both file formats, solves it in PyPSA with HiGHS
simplex, and measures how far the optimum is unique (:class:`Reference`), so that the tests
compare caspian-grid with PyPSA exactly where the answer is unique and accept any other optimal
answer elsewhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pypsa

from .pypsa_cases import Case

FORMATS = ("netcdf", "csv")
"""The two file formats every case is exported to and read back from."""

NOMINAL_ATTRS = {
    "Generator": ("generators", "p_nom"),
    "Line": ("lines", "s_nom"),
    "Link": ("links", "p_nom"),
    "StorageUnit": ("storage_units", "p_nom"),
    "Store": ("stores", "e_nom"),
}
"""Component -> (PyPSA list name, nominal attribute) of the capacities that can be optimised."""

PRICE_STEP = 1e-2
"""MW by which the load at one bus and snapshot is moved to measure the price range."""

MU_STEP = 1e-2
"""t by which a CO2 cap is moved to measure the range of its dual."""

OBJECTIVE_SLACK = 1e-8
"""Relative slack on the objective when measuring the range of optimal capacities."""


@dataclass(frozen=True)
class Reference:
    """PyPSA's solution of a case and the range of every optimal answer.

    Attributes
    ----------
    network : the solved PyPSA network (its inputs are what caspian-grid reads from ``files``).
    files : format -> path the unsolved network was exported to.
    objective : PyPSA's optimum, EUR (``include_objective_constant=False``).
    price : ``n.buses_t.marginal_price``, snapshots x buses, EUR/MWh.
    price_low, price_high : snapshots x buses, EUR/MWh. Backward and forward differences of the
        optimal objective when the load at that bus and snapshot moves by ``PRICE_STEP`` MW,
        divided by the objective weighting. The optimum is convex and piecewise linear in the
        load, so these bracket its sub-differential, which is the set of optimal duals of the
        nodal balance: every optimal price lies in [low, high], and where low == high the
        price is unique. (Sound, not exact: a breakpoint closer than the step only widens it.)
    capacity, capacity_low, capacity_high : component -> Series of PyPSA's optimal capacity
        and the smallest / largest capacity among all solutions whose objective is within
        ``OBJECTIVE_SLACK`` of the optimum (min/max of the capacity over the optimal face).
    mu, mu_low, mu_high : per GlobalConstraint, PyPSA's dual and the range of optimal duals,
        measured like the prices by moving the constant by ``MU_STEP`` t.
    """

    case: Case
    network: pypsa.Network
    files: dict[str, Path]
    objective: float
    price: pd.DataFrame
    price_low: pd.DataFrame
    price_high: pd.DataFrame
    capacity: dict[str, pd.Series]
    capacity_low: dict[str, pd.Series]
    capacity_high: dict[str, pd.Series]
    mu: pd.Series
    mu_low: pd.Series
    mu_high: pd.Series


def export(n: pypsa.Network, folder: Path, name: str) -> dict[str, Path]:
    """Write ``n`` as netCDF and as a CSV folder; return format -> path."""
    files = {"netcdf": folder / f"{name}.nc", "csv": folder / f"{name}_csv"}
    n.export_to_netcdf(files["netcdf"])
    with warnings.catch_warnings():
        # PyPSA 1.4 leaves the handles of meta.json and crs.json to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        n.export_to_csv_folder(files["csv"])
    return files


def solve_reference(case: Case, folder: Path) -> Reference:
    """Export ``case``, solve it in PyPSA with HiGHS simplex and measure its uniqueness."""
    n = case.build()
    files = export(n, folder, case.name)
    n.optimize.create_model(include_objective_constant=False)
    _, condition = n.optimize.solve_model(
        solver_name="highs", io_api="direct", solver="simplex", output_flag=False
    )
    if condition != "optimal":
        raise AssertionError(f"PyPSA did not solve case {case.name!r} to optimality: {condition}")
    m = n.model
    lp = m.solver_model.getLp()
    row_of = _positions(m.matrices.clabels)
    col_of = _positions(m.matrices.vlabels)

    labels = m.constraints["Bus-nodal_balance"].labels.to_pandas()
    labels = labels.reindex(index=n.snapshots, columns=n.buses.index)
    low, high = _rhs_slopes(lp, [row_of.get(int(v), -1) for v in labels.to_numpy().ravel()])
    weight = n.snapshot_weightings.objective.to_numpy()[:, None]
    shape = labels.shape

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values.reshape(shape) / weight, labels.index, labels.columns)

    gc_names = n.global_constraints.index
    gc_rows = [
        row_of[int(m.constraints[f"GlobalConstraint-{name}"].labels.item())] for name in gc_names
    ]
    mu_low, mu_high = _rhs_slopes(lp, gc_rows, MU_STEP)

    capacity, capacity_low, capacity_high = {}, {}, {}
    for component, (list_name, attr) in NOMINAL_ATTRS.items():
        static = getattr(n, list_name)
        capacity[component] = static[f"{attr}_opt"].astype(float)
        low_c = static[attr].astype(float).copy()
        high_c = low_c.copy()
        ext = static.index[static[f"{attr}_extendable"].astype(bool)]
        if len(ext):
            var = m.variables[f"{component}-{attr}"].labels.to_pandas().reindex(ext)
            cols = [col_of[int(v)] for v in var.to_numpy()]
            lo, hi = _column_ranges(lp, cols, n.objective)
            low_c[ext], high_c[ext] = lo, hi
        capacity_low[component], capacity_high[component] = low_c, high_c

    return Reference(
        case=case,
        network=n,
        files=files,
        objective=float(n.objective),
        price=n.buses_t.marginal_price.reindex(columns=n.buses.index).astype(float),
        price_low=frame(low),
        price_high=frame(high),
        capacity=capacity,
        capacity_low=capacity_low,
        capacity_high=capacity_high,
        mu=n.global_constraints.mu.astype(float),
        mu_low=pd.Series(mu_low, gc_names, dtype=float),
        mu_high=pd.Series(mu_high, gc_names, dtype=float),
    )


def _positions(labels: np.ndarray) -> dict[int, int]:
    """linopy label -> row or column of the HiGHS model built from ``m.matrices``."""
    return {int(label): i for i, label in enumerate(labels)}


def _highs(lp: highspy.HighsLp) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.passModel(lp)
    h.run()
    return h


def _objective_or_inf(h: highspy.Highs) -> float:
    """The optimum, or +inf where the model became infeasible."""
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return float(h.getInfo().objective_function_value)
    if status == highspy.HighsModelStatus.kInfeasible:
        return np.inf
    raise AssertionError(f"unexpected HiGHS status {h.modelStatusToString(status)}")


def _rhs_slopes(
    lp: highspy.HighsLp, rows: Iterable[int], step: float = PRICE_STEP
) -> tuple[np.ndarray, np.ndarray]:
    """Backward and forward differences of the optimum in the right-hand side of ``rows``.

    Both bounds of a row move together; a row index of -1 (no such row) gets (-inf, inf).
    """
    rows = list(rows)
    low = np.full(len(rows), -np.inf)
    high = np.full(len(rows), np.inf)
    if not rows:
        return low, high
    h = _highs(lp)
    base = _objective_or_inf(h)
    for k, row in enumerate(rows):
        if row < 0:
            continue
        lower, upper = lp.row_lower_[row], lp.row_upper_[row]
        moved = []
        for sign in (1.0, -1.0):
            h.changeRowBounds(row, lower + sign * step, upper + sign * step)
            h.run()
            moved.append(_objective_or_inf(h))
            h.changeRowBounds(row, lower, upper)
        high[k] = (moved[0] - base) / step
        low[k] = (base - moved[1]) / step
    return low, high


def _column_ranges(
    lp: highspy.HighsLp, cols: list[int], objective: float
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value of each column over the (slightly relaxed) optimal face."""
    h = _highs(lp)
    cost = np.asarray(lp.col_cost_, dtype=float)
    nonzero = np.flatnonzero(cost)
    bound = objective - lp.offset_ + OBJECTIVE_SLACK * max(1.0, abs(objective))
    h.addRow(-highspy.kHighsInf, bound, len(nonzero), nonzero.astype(np.int32), cost[nonzero])
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), np.zeros(len(cost)))
    low = np.empty(len(cols))
    high = np.empty(len(cols))
    for k, col in enumerate(cols):
        for sign, out in ((1.0, low), (-1.0, high)):
            h.changeColCost(col, sign)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                out[k] = h.getSolution().col_value[col]
            elif status in (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                out[k] = -sign * np.inf
            else:
                raise AssertionError(
                    f"capacity range: HiGHS status {h.modelStatusToString(status)}"
                )
        h.changeColCost(col, 0.0)
    return low, high
