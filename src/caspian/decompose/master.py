"""The master problem: investments, boundary states and CO2 shares, plus one cost-to-go per block.

Columns are ``[y | theta]``: ``y`` the complicating columns and the allocations of the global
rows (see :mod:`caspian.decompose.partition`), ``theta_b`` the estimated operating cost of block
``b``::

    minimise    c_y^T y + sum_b theta_b
    subject to  master rows and the master side of the global rows
                theta_b >= Q_b(y^k) + g_b^k (y - y^k)     (optimality cuts)
                0 >= V_b(y^k) + g_b^k (y - y^k)           (feasibility cuts)
                theta_b >= L_b + g_b^0 (y - y_b^0)        (each block's first cut)

Its optimum is a lower bound on the optimum of the full program. It is solved by dual simplex
and warm-started after each round of cuts. Each cut row remembers its block and the id under
which the block kept the duals behind it, so that the master's multipliers of the cuts weight
those duals into a dual solution of the whole program (:meth:`Master.cut_weights`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from caspian.decompose.partition import Partition
from caspian.decompose.subproblem import Outcome
from caspian.exceptions import SolverError
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.highs import ModelStatus, new_highs, pass_program

MASTER_OPTIONS: dict[str, str | int] = {"solver": "simplex", "simplex_strategy": 1}
"""Dual simplex, warm-started after each round of cuts."""

RETRIES: tuple[dict[str, str | int], ...] = (
    {},
    {"simplex_strategy": 4},
    {"solver": "ipm", "run_crossover": "on"},
)
"""What a master solve that did not end optimal tries next, each from scratch: dual simplex
again, primal simplex, interior point with crossover."""


class MasterError(SolverError):
    """The master problem has no optimum (the full program is infeasible)."""


class Master:
    """The master LP in HiGHS, growing by cuts."""

    def __init__(
        self,
        lp: LinearProgram,
        part: Partition,
        linked: list[np.ndarray],
    ) -> None:
        self.part = part
        self.linked = linked
        comp = part.complicating
        K, B, G = len(comp), part.n_blocks, len(part.global_rows)
        self.n_y = K + G * B
        self.n_blocks = B
        involved = np.zeros((G, B), dtype=bool)
        for b, cols in enumerate(linked):
            shares = cols[cols >= K] - K
            involved[shares // B, b] = True
        alloc_bound = np.where(involved.ravel(), np.inf, 0.0)
        cost = np.concatenate([lp.cost[comp], np.zeros(G * B), np.ones(B)])
        # theta is free: each block's first cut bounds it (see Subproblem.lower_bound), and a
        # bound on theta itself would take multiplier weight that belongs to the cuts.
        lower = np.concatenate([lp.col_lower[comp], -alloc_bound, np.full(B, -np.inf)])
        upper = np.concatenate([lp.col_upper[comp], alloc_bound, np.full(B, np.inf)])
        self.y_lower = lower[: self.n_y]
        self.y_upper = upper[: self.n_y]
        self.y_cost = cost[: self.n_y]

        rows = np.concatenate([part.master_rows, part.global_rows])
        csr = sp.csr_array(lp.matrix[rows, :])
        on_comp = csr[:, comp]
        alloc_rows = np.repeat(np.arange(len(part.master_rows), len(rows)), B)
        alloc_cols = np.arange(G * B)
        alloc = sp.csr_array((np.ones(G * B), (alloc_rows, alloc_cols)), shape=(len(rows), G * B))
        matrix = sp.csc_array(sp.hstack([on_comp, alloc, sp.csr_array((len(rows), B))]))
        h = new_highs({"threads": 1, **MASTER_OPTIONS})
        if not pass_program(h, matrix, cost, lower, upper, lp.row_lower[rows], lp.row_upper[rows]):
            raise MasterError("HiGHS rejected the master problem (passModel returned an error).")
        self._h = h
        self.n_cuts = 0
        self.n_global = len(part.global_rows)
        self.n_master_rows = len(part.master_rows)
        self._cut_block: list[int] = []
        self._cut_key: list[int] = []
        self._cut_feasible: list[bool] = []

    def solve(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Optimal ``y``, ``theta`` and objective (a lower bound on the full optimum)."""
        h = self._h
        h.run()
        status = h.getModelStatus()
        for retry in RETRIES:
            if status == ModelStatus.kOptimal:
                break
            # Near the optimum the cuts are almost parallel and a warm dual simplex can end
            # with status "Unknown"; the same program from scratch by another method can not.
            h.clearSolver()
            for key, value in retry.items():
                h.setOptionValue(key, value)
            h.run()
            status = h.getModelStatus()
            for key, value in MASTER_OPTIONS.items():
                h.setOptionValue(key, value)
        if status == ModelStatus.kInfeasible:
            raise MasterError(
                "the master problem is infeasible: the investments cannot make every time "
                "block feasible, so the full model is infeasible. Solve it monolithically "
                "(caspian solve) to have the infeasibility explained."
            )
        if status != ModelStatus.kOptimal:
            raise MasterError(
                f"the master problem ended with status {h.modelStatusToString(status)!r} by "
                "dual and primal simplex and by interior point with crossover; solve the model "
                "monolithically (--solver hipo)."
            )
        x = np.asarray(h.getSolution().col_value)
        return (
            x[: self.n_y].copy(),
            x[self.n_y :].copy(),
            float(h.getInfo().objective_function_value),
        )

    @property
    def objective(self) -> float:
        """The objective of the last solve (a lower bound on the full optimum)."""
        return float(self._h.getInfo().objective_function_value)

    def master_duals(self) -> np.ndarray:
        """Row duals of the master rows, then of the master side of the global rows (e.g. the
        CO2 cap), after the last solve."""
        duals = np.asarray(self._h.getSolution().row_dual)
        return duals[: self.n_master_rows + self.n_global].copy()

    def involved_globals(self, block: int) -> np.ndarray:
        """Positions (in ``part.global_rows``) of the global rows block ``block`` has a part
        of, in the order of its part rows."""
        shares = self.linked[block]
        shares = shares[shares >= len(self.part.complicating)] - len(self.part.complicating)
        return shares // self.n_blocks

    def theta_weight_error(self) -> float:
        """Largest ``|1 - sum_k mu_bk|`` over the blocks' optimality cuts: the reduced cost of
        each ``theta_b`` (0 at an optimum, since ``theta_b`` is free)."""
        reduced = np.asarray(self._h.getSolution().col_dual)[self.n_y :]
        return float(np.abs(reduced).max()) if len(reduced) else 0.0

    def cut_weights(self) -> list[dict[int, float]]:
        """Per block, the master's multiplier of each of its cuts (by the id the block kept the
        cut's duals under), after the last solve.

        An optimality cut ``theta_b - g^T y >= .`` has a multiplier ``>= 0``, a feasibility cut
        ``g^T y <= .`` one ``<= 0``; both weigh their duals by its absolute value. Since
        ``theta_b`` is free with cost 1, the optimality multipliers of each block sum to 1: the
        weighted duals are a convex combination of the block's dual solutions (plus
        non-negative multiples of elastic rays), which is dual feasible for the block, and
        together with the master's duals they are a dual solution of the full program whose
        objective is the master's (Dantzig-Wolfe duality of Benders' master).
        """
        duals = np.asarray(self._h.getSolution().row_dual)
        cuts = duals[self.n_master_rows + self.n_global :]
        weights: list[dict[int, float]] = [{} for _ in range(self.n_blocks)]
        for row, (block, key, feasible) in enumerate(
            zip(self._cut_block, self._cut_key, self._cut_feasible, strict=True)
        ):
            weight = float(cuts[row]) if feasible else -float(cuts[row])
            if weight > 0.0:
                weights[block][key] = weights[block].get(key, 0.0) + weight
        return weights

    def add_cuts(self, outcomes: list[Outcome], key: int) -> None:
        """Add the optimality or feasibility cut of every outcome, taken at its ``point``; the
        blocks kept the duals behind them under ``key``."""
        starts = [0]
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        lower: list[float] = []
        upper: list[float] = []
        for out in outcomes:
            if out.duplicate:
                continue
            cols = self.linked[out.block]
            g = out.gradient
            keep = g != 0
            constant = out.value - float(g[keep] @ out.point[keep])
            cols, g = cols[keep], g[keep]
            if out.feasible:
                # theta_b - g^T y >= Q - g^T y^k
                idx = np.concatenate([cols, [self.n_y + out.block]])
                val = np.concatenate([-g, [1.0]])
                lower.append(constant)
                upper.append(np.inf)
            else:
                # g^T y <= -(V - g^T y^k)
                idx, val = cols, g
                lower.append(-np.inf)
                upper.append(-constant)
            indices.append(idx.astype(np.int32))
            values.append(val.astype(np.float64))
            starts.append(starts[-1] + len(idx))
            self._cut_block.append(out.block)
            self._cut_key.append(key)
            self._cut_feasible.append(out.feasible)
        if not indices:
            return
        self._h.addRows(
            len(lower),
            np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64),
            starts[-1],
            np.asarray(starts[:-1], dtype=np.int32),
            np.concatenate(indices),
            np.concatenate(values),
        )
        self.n_cuts += len(lower)
