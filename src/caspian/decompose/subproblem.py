"""One time block's operation problem, built once and re-solved for each master proposal.

For block ``b`` with its own columns ``x_b`` and the master values ``y`` it reads (capacities,
boundary storage levels, CO2 allocations)::

    Q_b(y) = min  c_b^T x_b
             s.t. row_lower_b <= A_b x_b + B_b y <= row_upper_b,   x_b within its bounds

The master values enter as *columns fixed by their bounds*, so after a simplex solve their
reduced costs ``g`` are a subgradient of ``Q_b`` at ``y``, and ``theta_b >= Q_b(y') + g^T (y - y')``
is a valid optimality cut. A block that is infeasible at ``y`` gives a feasibility cut from its
elastic version (every row may be violated at unit cost, ``V_b(y) = 0`` exactly when the block is
feasible): ``V_b(y') + g^T (y - y') <= 0``.

Objects here are plain data and HiGHS instances, so a :class:`BlockData` pickles to a Dask worker,
which builds its :class:`Subproblem` there and keeps it warm between iterations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from caspian.decompose.partition import Partition
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.build import pass_program

CUT_COEFFICIENT_FLOOR = 1e-11
"""Subgradient entries smaller than this (relative to the largest) are solver noise; dropped."""


@dataclass(frozen=True)
class BlockData:
    """The data of one block's linear program (picklable).

    Columns are ``[own | linked]``: the block's own columns, then the master columns it reads
    (``linked``: their master indices), which are fixed by bounds when solving. Rows are the
    block's own rows followed by its parts of the global rows.
    """

    block: int
    matrix: sp.csc_array
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    own_columns: np.ndarray
    """Columns of the full program that are this block's own, in order."""
    own_rows: np.ndarray
    """Rows of the full program this block owns, in order (its global-row parts follow)."""
    linked: np.ndarray
    """Master column index of each linked column."""

    @property
    def n_own(self) -> int:
        return len(self.own_columns)

    @property
    def linked_lower(self) -> np.ndarray:
        """Bounds of the linked columns in the master (used for the relaxed lower bound)."""
        return self.col_lower[self.n_own :]

    @property
    def linked_upper(self) -> np.ndarray:
        return self.col_upper[self.n_own :]


def block_data(lp: LinearProgram, part: Partition, block: int) -> BlockData:
    """Cut block ``block``'s program out of ``lp`` (see :class:`BlockData`)."""
    own = part.block_columns(block)
    rows = part.block_rows[block]
    matrix = lp.matrix
    sub_rows = sp.csr_array(matrix[rows, :]) if len(rows) else sp.csr_array((0, matrix.shape[1]))
    touched = np.unique(sub_rows.indices)
    linked_cols = touched[part.col_block[touched] < 0]
    n_comp = len(part.complicating)
    master_of_col = np.searchsorted(part.complicating, linked_cols)

    # Parts of global rows: the block's own entries plus -1 on its allocation column.
    g_rows = part.global_rows
    g_part = sp.csr_array(matrix[g_rows, :][:, own]) if len(g_rows) else None
    involved = (
        np.flatnonzero(np.diff(g_part.indptr) > 0) if g_part is not None else np.zeros(0, int)
    )

    own_block = sub_rows[:, own].tocsc() if len(rows) else sp.csc_array((0, len(own)))
    linked_block = sub_rows[:, linked_cols].tocsc() if len(rows) else sp.csc_array((0, 0))
    n_rows = len(rows) + len(involved)
    n_linked = len(linked_cols) + len(involved)
    top = sp.hstack([own_block, linked_block, sp.csc_array((len(rows), len(involved)))])
    if len(involved):
        assert g_part is not None
        part_rows = g_part[involved, :]
        alloc = sp.csc_array(
            (-np.ones(len(involved)), (np.arange(len(involved)), np.arange(len(involved)))),
            shape=(len(involved), len(involved)),
        )
        zero = sp.csc_array((len(involved), len(linked_cols)))
        bottom = sp.hstack([part_rows, zero, alloc])
        full = sp.csc_array(sp.vstack([top, bottom]))
    else:
        full = sp.csc_array(top)
    full.sum_duplicates()
    full.sort_indices()

    g_lower = lp.row_lower[g_rows[involved]]
    g_upper = lp.row_upper[g_rows[involved]]
    # part - share <= 0 under an upper limit, >= 0 under a lower one, = 0 (the master chooses
    # each block's exact share) for a range or an equality.
    part_lower = np.where(np.isfinite(g_lower), 0.0, -np.inf)
    part_upper = np.where(np.isfinite(g_upper), 0.0, np.inf)

    linked = np.concatenate(
        [master_of_col, [part.allocation_index(int(i), block) for i in involved]]
    ).astype(np.int64)
    lin_lower = np.concatenate([lp.col_lower[linked_cols], np.full(len(involved), -np.inf)])
    lin_upper = np.concatenate([lp.col_upper[linked_cols], np.full(len(involved), np.inf)])
    assert full.shape == (n_rows, len(own) + n_linked)
    assert np.all(linked[: len(linked_cols)] < n_comp)
    return BlockData(
        block=block,
        matrix=full,
        cost=np.concatenate([lp.cost[own], np.zeros(n_linked)]),
        col_lower=np.concatenate([lp.col_lower[own], lin_lower]),
        col_upper=np.concatenate([lp.col_upper[own], lin_upper]),
        row_lower=np.concatenate([lp.row_lower[rows], part_lower]),
        row_upper=np.concatenate([lp.row_upper[rows], part_upper]),
        own_columns=own,
        own_rows=rows,
        linked=linked,
    )


@dataclass(frozen=True)
class Outcome:
    """A block solved at one master proposal.

    ``value`` is ``Q_b(y)`` when ``feasible``, else the elastic violation ``V_b(y) > 0``;
    ``gradient`` its subgradient with respect to the block's linked master columns.
    ``primal``/``row_dual``/``col_dual`` are the own columns' values, the own rows' duals and
    the own columns' reduced costs, when asked for.
    """

    block: int
    feasible: bool
    value: float
    gradient: np.ndarray
    seconds: float
    iterations: int
    primal: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None


RELAXED_BOUND_MAX_COLUMNS = 50_000
"""Blocks up to this size get their first lower bound from a relaxed solve (see
:meth:`Subproblem.lower_bound`)."""


class SubproblemError(RuntimeError):
    """A block's solve ended without an optimum or a proof of infeasibility."""


def _highs(
    matrix: sp.csc_array,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    options: dict[str, Any],
) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    pass_program(h, matrix, cost, col_lower, col_upper, row_lower, row_upper)
    return h


SUBPROBLEM_OPTIONS: dict[str, Any] = {
    "solver": "simplex",
    "threads": 1,
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
}
"""Dual simplex: exact duals for the cuts, and warm starts after the master moves a bound."""


class Subproblem:
    """A block's HiGHS model, kept warm across iterations."""

    def __init__(self, data: BlockData, options: dict[str, Any] | None = None) -> None:
        self.data = data
        self.options = {**SUBPROBLEM_OPTIONS, **(options or {})}
        self._h = _highs(
            data.matrix,
            data.cost,
            data.col_lower,
            data.col_upper,
            data.row_lower,
            data.row_upper,
            self.options,
        )
        n = data.n_own
        self._linked_index = np.arange(n, n + len(data.linked), dtype=np.int32)

    def lower_bound(self) -> float:
        """A valid lower bound on ``theta_b``.

        ``min_y Q_b(y)`` over the master bounds of ``y`` by a relaxed solve, for blocks of up to
        ``RELAXED_BOUND_MAX_COLUMNS`` columns (the solver is cleared afterwards: its basis would
        be a poor start for the first real proposal). Larger blocks, where that solve costs as
        much as several rounds, use ``sum_j min(c_j l_j, c_j u_j)`` over the own columns when it
        is finite.

        Raises SubproblemError if the relaxed block is infeasible or unbounded.
        """
        d = self.data
        n = d.n_own
        cost, lower, upper = d.cost[:n], d.col_lower[:n], d.col_upper[:n]
        with np.errstate(invalid="ignore"):
            ends = np.minimum(
                np.where(cost == 0, 0.0, cost * lower), np.where(cost == 0, 0.0, cost * upper)
            )
        bound = float(ends.sum())
        if np.isfinite(bound) and n > RELAXED_BOUND_MAX_COLUMNS:
            return bound
        h = self._h
        idx = self._linked_index
        if len(idx):
            h.changeColsBounds(len(idx), idx, d.linked_lower, d.linked_upper)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SubproblemError(
                f"time block {d.block} has no optimum even with every capacity and "
                f"storage level free ({h.modelStatusToString(status)}); an unbounded block "
                "needs finite capacity limits (p_nom_max) or non-negative costs."
            )
        value = float(h.getInfo().objective_function_value)
        h.clearSolver()
        return value

    def solve(self, linked_values: np.ndarray, want_solution: bool = False) -> Outcome:
        """Solve at the master proposal ``linked_values`` (one value per linked column)."""
        start = time.perf_counter()
        h = self._h
        idx = self._linked_index
        values = np.clip(linked_values, self.data.linked_lower, self.data.linked_upper)
        if len(idx):
            h.changeColsBounds(len(idx), idx, values, values)
        h.run()
        status = h.getModelStatus()
        MS = highspy.HighsModelStatus
        if status == MS.kOptimal:
            info = h.getInfo()
            sol = h.getSolution()
            col_dual = np.asarray(sol.col_dual)
            primal = row_dual = own_col_dual = None
            if want_solution:
                n_own = self.data.n_own
                primal = np.asarray(sol.col_value)[:n_own].copy()
                row_dual = np.asarray(sol.row_dual)[: len(self.data.own_rows)].copy()
                own_col_dual = col_dual[:n_own].copy()
            return Outcome(
                block=self.data.block,
                feasible=True,
                value=float(info.objective_function_value),
                gradient=_clean(col_dual[self.data.n_own :]),
                seconds=time.perf_counter() - start,
                iterations=int(info.simplex_iteration_count),
                primal=primal,
                row_dual=row_dual,
                col_dual=own_col_dual,
            )
        if status in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
            value, gradient, iterations = self._violation(values)
            return Outcome(
                block=self.data.block,
                feasible=False,
                value=value,
                gradient=gradient,
                seconds=time.perf_counter() - start,
                iterations=iterations,
            )
        # Rare simplex trouble on a warm start: clear the basis and try once more from scratch.
        h.clearSolver()
        h.run()
        if h.getModelStatus() in (MS.kOptimal, MS.kInfeasible):
            return self.solve(linked_values, want_solution)
        raise SubproblemError(
            f"time block {self.data.block} ended with status "
            f"{h.modelStatusToString(h.getModelStatus())!r}."
        )

    def _violation(self, values: np.ndarray) -> tuple[float, np.ndarray, int]:
        """Minimum total row violation at ``values`` and its subgradient (elastic program)."""
        # Built when needed and dropped after: infeasible proposals are rare after the first
        # rounds, and a kept copy per block would double the pool's memory.
        d = self.data
        n_rows = d.matrix.shape[0]
        eye = sp.identity(n_rows, format="csc")
        matrix = sp.csc_array(sp.hstack([d.matrix, eye, -eye]))
        n_cols = d.matrix.shape[1]
        h = _highs(
            matrix,
            np.concatenate([np.zeros(n_cols), np.ones(2 * n_rows)]),
            np.concatenate([d.col_lower, np.zeros(2 * n_rows)]),
            np.concatenate([d.col_upper, np.full(2 * n_rows, np.inf)]),
            d.row_lower,
            d.row_upper,
            self.options,
        )
        del matrix
        idx = self._linked_index
        if len(idx):
            h.changeColsBounds(len(idx), idx, values, values)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SubproblemError(
                f"time block {self.data.block} is infeasible even with its own columns free "
                "of the master's values: check bounds and fixed loads in this period."
            )
        sol = h.getSolution()
        gradient = _clean(np.asarray(sol.col_dual)[idx])
        info = h.getInfo()
        return float(info.objective_function_value), gradient, int(info.simplex_iteration_count)


def _clean(gradient: np.ndarray) -> np.ndarray:
    g = np.array(gradient, dtype=float)
    if len(g):
        g[np.abs(g) <= CUT_COEFFICIENT_FLOOR * max(1.0, float(np.abs(g).max()))] = 0.0
    return g
