"""The master problem: investments, boundary states and CO2 shares, plus one cost-to-go per block.

Columns are ``[y | theta]``: ``y`` the complicating columns and the allocations of the global
rows (see :mod:`caspian.decompose.partition`), ``theta_b`` the estimated operating cost of block
``b``::

    minimise    c_y^T y + sum_b theta_b
    subject to  master rows and the master side of the global rows
                theta_b >= Q_b(y^k) + g_b^k (y - y^k)     (optimality cuts)
                0 >= V_b(y^k) + g_b^k (y - y^k)           (feasibility cuts)
                theta_b >= L_b                            (lower bound of each block)

Its optimum is a lower bound on the optimum of the full program. It is solved by dual simplex
and warm-started after each round of cuts.
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp

from caspian.decompose.partition import Partition
from caspian.decompose.subproblem import Outcome
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.build import pass_program


class MasterError(RuntimeError):
    """The master problem has no optimum (the full program is infeasible)."""


class Master:
    """The master LP in HiGHS, growing by cuts."""

    def __init__(
        self,
        lp: LinearProgram,
        part: Partition,
        theta_lower: np.ndarray,
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
        lower = np.concatenate([lp.col_lower[comp], -alloc_bound, theta_lower])
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
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("threads", 1)
        pass_program(h, matrix, cost, lower, upper, lp.row_lower[rows], lp.row_upper[rows])
        self._h = h
        self.n_cuts = 0
        self.n_global = len(part.global_rows)
        self.n_master_rows = len(part.master_rows)

    def solve(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Optimal ``y``, ``theta`` and objective (a lower bound on the full optimum)."""
        h = self._h
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise MasterError(
                "the master problem has no optimum "
                f"({h.modelStatusToString(status)}): the investments cannot make every time "
                "block feasible, so the full model is infeasible. Solve it monolithically "
                "(caspian solve) to have the infeasibility explained."
            )
        x = np.asarray(h.getSolution().col_value)
        return (
            x[: self.n_y].copy(),
            x[self.n_y :].copy(),
            float(h.getInfo().objective_function_value),
        )

    def global_duals(self) -> np.ndarray:
        """Row duals of the master side of the global rows (e.g. the CO2 cap)."""
        duals = np.asarray(self._h.getSolution().row_dual)
        start = self.n_master_rows
        return duals[start : start + self.n_global].copy()

    def add_cuts(self, y_point: np.ndarray, outcomes: list[Outcome]) -> None:
        """Add the optimality or feasibility cut of every outcome, taken at ``y_point``."""
        starts = [0]
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        lower: list[float] = []
        upper: list[float] = []
        for out in outcomes:
            cols = self.linked[out.block]
            g = out.gradient
            keep = g != 0
            cols, g = cols[keep], g[keep]
            constant = out.value - float(g @ y_point[cols])
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
