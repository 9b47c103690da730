"""Prices of the whole program from a Benders run: the blocks' cut duals weighted by the master.

Solving each block at the final investments gives *a* dual of each block, but not a dual of the
whole program: where a capacity binds in several hours, the block's simplex splits its scarcity
rent across those hours arbitrarily, and nothing ties the rents to the capital cost the master
pays. The master's own optimum does: its multiplier ``mu_bk`` of block ``b``'s cut ``k`` says how
much of that cut supports the optimum. Since ``theta_b`` is free with cost 1, the multipliers of
each block's optimality cuts sum to 1, and

    pi_b = sum_k mu_bk * pi_bk            (plus sum_j nu_bj * r_bj for active feasibility cuts)

is a convex combination of the block's dual solutions ``pi_bk`` behind its cuts (``r_bj``: rays of
its elastic version). It is dual feasible for the block at any investment, and the master's
stationarity in the investments is exactly dual feasibility of the full program's investment
columns with these ``pi_b``: together with the master's duals of its own rows and of the yearly
(global) rows, they form a dual solution of the full program whose objective is the master's
optimum, the proved lower bound. This is the Dantzig-Wolfe reading of Benders' master (the dual
of the master is the restricted master of a Dantzig-Wolfe decomposition of the dual program:
Dantzig and Wolfe, Operations Research 8(1), 1960; Lasdon, *Optimization Theory for Large
Systems*, 1970); the duality gap of the primal and these duals is the proved Benders gap, and it
vanishes as the gap does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caspian.decompose.master import Master
from caspian.decompose.partition import Partition
from caspian.decompose.pool import SubproblemPool
from caspian.optimize.assembly import LinearProgram


@dataclass(frozen=True)
class RecoveredDuals:
    """A dual solution of the whole program, recovered from a Benders run.

    Attributes
    ----------
    row_dual
        per row of the full program (HiGHS's sign convention, as a monolithic solve returns).
    col_dual
        reduced costs ``c - A^T row_dual`` of every column.
    objective
        EUR, the master's optimum after the last cuts: the dual objective of these duals.
    weight_error
        largest ``|1 - sum_k mu_bk|`` over the blocks (0 up to the master's tolerances).
    global_mismatch
        largest difference between a block's combined dual of its part of a yearly row and the
        master's dual of that row (0 up to tolerances: both price the same constraint).
    """

    row_dual: np.ndarray
    col_dual: np.ndarray
    objective: float
    weight_error: float
    global_mismatch: float


def recover_duals(
    lp: LinearProgram,
    part: Partition,
    own_rows: Sequence[np.ndarray],
    master: Master,
    pool: SubproblemPool,
) -> RecoveredDuals:
    """Solve the master once more (after the last cuts) and combine the blocks' cut duals
    with its multipliers (see the module docstring)."""
    master.solve()
    weights = master.cut_weights()
    combined = pool.combine(weights)
    row_dual = np.zeros(lp.n_constraints)
    global_mismatch = 0.0
    master_duals = master.master_duals()
    row_dual[part.master_rows] = master_duals[: len(part.master_rows)]
    global_duals = master_duals[len(part.master_rows) :]
    row_dual[part.global_rows] = global_duals
    for b, (rows, duals) in enumerate(zip(own_rows, combined, strict=True)):
        row_dual[rows] = duals[: len(rows)]
        parts = duals[len(rows) :]
        if len(parts):
            involved = master.involved_globals(b)
            mismatch = np.abs(parts - global_duals[involved])
            global_mismatch = max(global_mismatch, float(mismatch.max()))
    col_dual = lp.cost - lp.matrix.T @ row_dual
    return RecoveredDuals(
        row_dual=row_dual,
        col_dual=np.asarray(col_dual),
        objective=master.objective,
        weight_error=master.theta_weight_error(),
        global_mismatch=global_mismatch,
    )
