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

Each block keeps the row duals behind every cut it gave, under the cut's id, so that the prices
of the whole program can be recovered at the end as the combination of those duals that the
master's cut multipliers weight (:meth:`Subproblem.combine`; see
:mod:`caspian.decompose.prices`).

Objects here are plain data and HiGHS instances, so a :class:`BlockData` pickles to a Dask worker,
which builds its :class:`Subproblem` there and keeps it warm between iterations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from caspian.decompose.partition import Partition
from caspian.exceptions import SolverError
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.highs import Highs, ModelStatus, new_highs, pass_program

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
    ``gradient`` its subgradient with respect to the block's linked master columns, taken at
    ``point`` (the linked values the block was solved at). ``primal``/``row_dual``/``col_dual``
    are the own columns' values, the own rows' duals and the own columns' reduced costs, when
    asked for.
    """

    block: int
    feasible: bool
    value: float
    gradient: np.ndarray
    point: np.ndarray
    seconds: float
    iterations: int
    duplicate: bool = False
    """The same cut (gradient and constant) as one the block gave before: adds nothing."""
    primal: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None


RELAXED_BOUND_MAX_COLUMNS = 50_000
"""Blocks up to this size get their first lower bound from a relaxed solve (see
:meth:`Subproblem.lower_bound`)."""


DUPLICATE_TOLERANCE = 1e-10
"""A cut whose gradient and constant match an earlier cut of the block to this relative
tolerance is the same cut (see :meth:`Subproblem._remember`)."""


class SubproblemError(SolverError):
    """A block's solve ended without an optimum or a proof of infeasibility."""


def _highs(
    matrix: sp.csc_array,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    options: dict[str, Any],
) -> Highs:
    h = new_highs(options)
    if not pass_program(h, matrix, cost, col_lower, col_upper, row_lower, row_upper):
        raise SubproblemError("HiGHS rejected a time block (passModel returned an error).")
    return h


SUBPROBLEM_OPTIONS: dict[str, Any] = {
    "solver": "simplex",
    "threads": 1,
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
}
"""Dual simplex: exact duals for the cuts, and warm starts after the master moves a bound."""


class Subproblem:
    """A block's HiGHS model, kept warm across iterations.

    It remembers the row duals behind each cut it gave (``keep`` of :meth:`solve`, id 0 for the
    first cut of :meth:`lower_bound`), so that :meth:`combine` can return the block's part of a
    dual solution of the whole program.
    """

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
        self._duals: dict[int, np.ndarray | None] = {}
        self._cuts: list[tuple[bool, np.ndarray, float]] = []

    def lower_bound(self) -> Outcome:
        """The block's first optimality cut, which bounds ``theta_b`` from below on its own.

        For blocks of up to ``RELAXED_BOUND_MAX_COLUMNS`` columns, the optimum of the block with
        every linked column free within its master bounds: ``L_b = min_y Q_b(y)`` at ``y_r``, with
        the relaxed solve's reduced costs ``g`` as gradient. ``theta_b >= L_b + g^T (y - y_r)``
        is a valid cut (the relaxed duals are dual feasible for the block at any ``y``), and it
        is at least ``L_b`` everywhere within the bounds (``g`` has the sign of the bound each
        ``y_r`` sits at). The solver is cleared afterwards: its basis would be a poor start for
        the first real proposal. Larger blocks, where that solve costs as much as several
        rounds, use ``L_b = sum_j min(c_j l_j, c_j u_j)`` over the own columns when it is finite:
        the dual objective of the zero dual, so the cut ``theta_b >= L_b`` has zero gradient and
        zero duals.

        Raises SubproblemError if the relaxed block is infeasible or unbounded.
        """
        d = self.data
        n = d.n_own
        start = time.perf_counter()
        cost, lower, upper = d.cost[:n], d.col_lower[:n], d.col_upper[:n]
        with np.errstate(invalid="ignore"):
            ends = np.minimum(
                np.where(cost == 0, 0.0, cost * lower), np.where(cost == 0, 0.0, cost * upper)
            )
        bound = float(ends.sum())
        linked = len(d.linked)
        if np.isfinite(bound) and n > RELAXED_BOUND_MAX_COLUMNS:
            self._duals[0] = None  # the zero dual
            return Outcome(
                block=d.block,
                feasible=True,
                value=bound,
                gradient=np.zeros(linked),
                point=np.zeros(linked),
                seconds=time.perf_counter() - start,
                iterations=0,
            )
        h = self._h
        idx = self._linked_index
        if len(idx):
            h.changeColsBounds(len(idx), idx, d.linked_lower, d.linked_upper)
        h.run()
        status = h.getModelStatus()
        if status != ModelStatus.kOptimal:
            raise SubproblemError(
                f"time block {d.block} has no optimum even with every capacity and "
                f"storage level free ({h.modelStatusToString(status)}); an unbounded block "
                "needs finite capacity limits (p_nom_max) or non-negative costs."
            )
        info = h.getInfo()
        sol = h.getSolution()
        self._duals[0] = np.array(sol.row_dual, dtype=float)
        outcome = Outcome(
            block=d.block,
            feasible=True,
            value=float(info.objective_function_value),
            gradient=_clean(np.asarray(sol.col_dual)[n:]),
            point=np.array(sol.col_value, dtype=float)[n:],
            seconds=time.perf_counter() - start,
            iterations=int(info.simplex_iteration_count),
        )
        self._remember(True, outcome.gradient, outcome.value - outcome.gradient @ outcome.point)
        h.clearSolver()
        return outcome

    def solve(
        self, linked_values: np.ndarray, want_solution: bool = False, keep: int | None = None
    ) -> Outcome:
        """Solve at the master proposal ``linked_values`` (one value per linked column).

        With ``keep``, the row duals behind the cut (of the block, or of its elastic version
        when the block is infeasible) are kept under that id for :meth:`combine`.
        """
        start = time.perf_counter()
        h = self._h
        idx = self._linked_index
        values = np.clip(linked_values, self.data.linked_lower, self.data.linked_upper)
        if len(idx):
            h.changeColsBounds(len(idx), idx, values, values)
        h.run()
        status = h.getModelStatus()
        MS = ModelStatus
        if status == MS.kOptimal:
            info = h.getInfo()
            sol = h.getSolution()
            col_dual = np.asarray(sol.col_dual)
            value = float(info.objective_function_value)
            gradient = _clean(col_dual[self.data.n_own :])
            duplicate = False
            if keep is not None:
                duplicate = self._remember(True, gradient, value - float(gradient @ values))
                if not duplicate:
                    self._duals[keep] = np.array(sol.row_dual, dtype=float)
            primal = row_dual = own_col_dual = None
            if want_solution:
                n_own = self.data.n_own
                primal = np.asarray(sol.col_value)[:n_own].copy()
                row_dual = np.asarray(sol.row_dual)[: len(self.data.own_rows)].copy()
                own_col_dual = col_dual[:n_own].copy()
            return Outcome(
                block=self.data.block,
                feasible=True,
                value=value,
                gradient=gradient,
                point=values,
                seconds=time.perf_counter() - start,
                iterations=int(info.simplex_iteration_count),
                duplicate=duplicate,
                primal=primal,
                row_dual=row_dual,
                col_dual=own_col_dual,
            )
        if status in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
            value, gradient, iterations, duals = self._violation(values)
            duplicate = False
            if keep is not None:
                duplicate = self._remember(False, gradient, value - float(gradient @ values))
                if not duplicate:
                    self._duals[keep] = duals
            return Outcome(
                block=self.data.block,
                feasible=False,
                value=value,
                gradient=gradient,
                point=values,
                seconds=time.perf_counter() - start,
                iterations=iterations,
                duplicate=duplicate,
            )
        # Rare simplex trouble on a warm start: clear the basis and try once more from scratch.
        h.clearSolver()
        h.run()
        if h.getModelStatus() in (MS.kOptimal, MS.kInfeasible):
            return self.solve(linked_values, want_solution, keep)
        raise SubproblemError(
            f"time block {self.data.block} ended with status "
            f"{h.modelStatusToString(h.getModelStatus())!r}."
        )

    def _remember(self, feasible: bool, gradient: np.ndarray, constant: float) -> bool:
        """Whether this cut repeats one the block gave before; if not, remember it.

        In the last rounds most blocks see almost the same proposal as before and return the
        same dual vertex: the same cut again, which adds nothing to the master but a degenerate
        row (it made the master's simplex take 10^5 iterations for 5,000 rows).
        """
        scale = DUPLICATE_TOLERANCE * max(1.0, float(np.abs(gradient).max(initial=0.0)))
        for kind, g, c in self._cuts:
            if (
                kind == feasible
                and np.abs(g - gradient).max(initial=0.0) <= scale
                and abs(c - constant) <= DUPLICATE_TOLERANCE * max(1.0, abs(constant))
            ):
                return True
        self._cuts.append((feasible, gradient, constant))
        return False

    def combine(self, weights: dict[int, float]) -> np.ndarray:
        """``sum_k weights[k] * duals[k]`` over the kept cut duals: the block's rows' part (own
        rows, then its parts of the global rows) of the recovered dual solution."""
        out = np.zeros(self.data.matrix.shape[0])
        for key, weight in weights.items():
            if key not in self._duals:
                raise SubproblemError(
                    f"time block {self.data.block} has no duals kept for cut {key}."
                )
            duals = self._duals[key]
            if duals is not None and weight != 0.0:
                out += weight * duals
        return out

    def _violation(self, values: np.ndarray) -> tuple[float, np.ndarray, int, np.ndarray]:
        """Minimum total row violation at ``values``, its subgradient, the simplex iterations
        and the elastic program's row duals."""
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
        if h.getModelStatus() != ModelStatus.kOptimal:
            raise SubproblemError(
                f"time block {self.data.block} is infeasible even with its own columns free "
                "of the master's values: check bounds and fixed loads in this period."
            )
        sol = h.getSolution()
        gradient = _clean(np.asarray(sol.col_dual)[idx])
        info = h.getInfo()
        return (
            float(info.objective_function_value),
            gradient,
            int(info.simplex_iteration_count),
            np.array(sol.row_dual, dtype=float),
        )


def _clean(gradient: np.ndarray) -> np.ndarray:
    g = np.array(gradient, dtype=float)
    if len(g):
        g[np.abs(g) <= CUT_COEFFICIENT_FLOOR * max(1.0, float(np.abs(g).max()))] = 0.0
    return g
