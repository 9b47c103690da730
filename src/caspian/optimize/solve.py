"""Run HiGHS on a built model and turn its outcome into a result or a precise error."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np

from caspian.exceptions import InfeasibleError, SolverError, TimeLimitError, UnboundedError
from caspian.optimize.build import LinearModel
from caspian.optimize.infeasibility import explain_infeasibility
from caspian.optimize.options import SolverOptions


class SolveStatus(StrEnum):
    """Outcome of a solve. Only ``OPTIMAL`` yields a result."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True)
class SolverStats:
    """What HiGHS reports about a solve.

    ``relative_gap`` is the proved gap between the objective and a lower bound: 0 for a direct
    solve (optimal within HiGHS's tolerances), the final gap for a decomposed one.
    ``objective`` is in EUR; with ``SolverOptions.scaling`` the infeasibilities are those of the
    rescaled program HiGHS solved
    ([`caspian.optimize.conditioning`][caspian.optimize.conditioning]).
    """

    algorithm: str
    crossover: bool
    solve_seconds: float
    iterations: int
    objective: float
    primal_infeasibility: float
    dual_infeasibility: float
    highs_version: str
    relative_gap: float = 0.0


@dataclass(frozen=True)
class Solution:
    """Primal values, row duals and column duals (reduced costs) of an optimal solve, in the
    units of ``model.lp`` (mapped back from the scaled program when HiGHS solved one)."""

    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray
    stats: SolverStats


def solve_model(model: LinearModel, options: SolverOptions | None = None) -> Solution:
    """Solve ``model`` with HiGHS; raise unless the solve is optimal.

    Raises
    ------
    InfeasibleError : with an explanation of which buses or constraints cannot be satisfied.
    UnboundedError, TimeLimitError, SolverError : for the other non-optimal outcomes.
    """
    options = (options or SolverOptions()).resolved(model.n_variables)
    h, scaled = model.hand_over(options)
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    status = h.getModelStatus()
    MS = highspy.HighsModelStatus
    if status == MS.kOptimal:
        info = h.getInfo()
        sol = h.getSolution()
        iterations = max(
            int(info.simplex_iteration_count),
            int(info.ipm_iteration_count) + int(info.crossover_iteration_count),
            int(info.pdlp_iteration_count),
        )
        objective = float(info.objective_function_value)
        col_value, col_dual = np.asarray(sol.col_value), np.asarray(sol.col_dual)
        row_value, row_dual = np.asarray(sol.row_value), np.asarray(sol.row_dual)
        if scaled is not None:
            objective = scaled.unscale_objective(objective)
            col_value, col_dual = (
                scaled.unscale_col_value(col_value),
                scaled.unscale_col_dual(col_dual),
            )
            row_value, row_dual = (
                scaled.unscale_row_value(row_value),
                scaled.unscale_row_dual(row_dual),
            )
        stats = SolverStats(
            algorithm=str(options.algorithm),
            crossover=bool(options.crossover),
            solve_seconds=wall,
            iterations=iterations,
            objective=objective,
            primal_infeasibility=float(info.max_primal_infeasibility),
            dual_infeasibility=float(info.max_dual_infeasibility),
            highs_version=h.version(),
        )
        return Solution(
            col_value=col_value,
            col_dual=col_dual,
            row_value=row_value,
            row_dual=row_dual,
            stats=stats,
        )
    if status == MS.kTimeLimit:
        limit = options.time_limit
        raise TimeLimitError(
            f"HiGHS reached the time limit of {limit} s before proving optimality; no result "
            "is returned. Raise --time-limit, or try another algorithm (hipo is usually fastest).",
            status=SolveStatus.TIME_LIMIT,
        )
    if status in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        explanation = explain_infeasibility(model, options)
        if explanation is not None:
            lines = "\n".join(f"  - {line}" for line in explanation)
            raise InfeasibleError(
                "the model is infeasible: no dispatch satisfies every constraint.\n" + lines,
                explanation=explanation,
            )
        if status == MS.kInfeasible:
            raise InfeasibleError(
                "the model is infeasible, and relaxing the nodal balances and CO2 caps did not "
                "locate the conflict; check storage initial levels and fixed bounds.",
            )
    if status in (MS.kUnbounded, MS.kUnboundedOrInfeasible):
        raise UnboundedError(
            "the model is unbounded: the objective can fall without limit. Usually an "
            "extendable component with a negative cost and no p_nom_max, or a negative "
            "marginal cost with no capacity limit.",
            status=SolveStatus.UNBOUNDED,
        )
    raise SolverError(
        f"HiGHS stopped with status {h.modelStatusToString(status)!r} after "
        f"{wall:.0f} s without certifying an optimum ({options.algorithm}); no result is "
        "returned. Try another algorithm (--solver ipm runs IPX, --solver simplex is slow but "
        "robust) or a coarser time resolution.",
        status=SolveStatus.ERROR,
    )
