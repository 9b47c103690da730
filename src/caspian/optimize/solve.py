"""Run HiGHS on a built model and turn its outcome into a result or a precise error."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, NoReturn

import numpy as np

from caspian.exceptions import InfeasibleError, SolverError, TimeLimitError, UnboundedError
from caspian.optimize.build import LinearModel
from caspian.optimize.cleanup import CleanUp, clean_up, worst_violation
from caspian.optimize.conditioning import ScaledProgram
from caspian.optimize.highs import Highs, HighsInfo, ModelStatus, is_basic
from caspian.optimize.infeasibility import explain_infeasibility
from caspian.optimize.options import Algorithm, SolverOptions


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

    ``cleanup`` says what was run after an interior-point answer missed the audit's tolerances
    in the original units (``"crossover"``, ``"crossover+simplex"``; ``""`` when nothing was,
    see ``caspian.optimize.cleanup``), ``cleanup_reason`` the
    violation that triggered it and ``cleanup_seconds`` its share of ``solve_seconds``;
    ``iterations`` and the infeasibilities then include the clean-up.
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
    cleanup: str = ""
    cleanup_reason: str = ""
    cleanup_seconds: float = 0.0


@dataclass(frozen=True)
class Solution:
    """Primal values, row duals and column duals (reduced costs) of an optimal solve, in the
    units of ``model.lp`` (mapped back from the scaled program when HiGHS solved one)."""

    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray
    stats: SolverStats


def solve_model(
    model: LinearModel, options: SolverOptions | None = None, *, vertex_because: str = ""
) -> Solution:
    """Solve ``model`` with HiGHS; raise unless the solve is optimal.

    An interior-point answer (no crossover) that violates a bound or row beyond the audit's
    tolerance in the original units is cleaned up into a vertex first
    (``caspian.optimize.cleanup``); one within it is returned as is. So is one that HiGHS leaves
    with status "Unknown" (its interior-point method stalled at the optimum's doorstep): if the
    clean-up then proves it optimal, it is a result. ``vertex_because`` asks for the clean-up of
    any interior-point answer, giving the reason (e.g. a failed economic audit).

    Raises
    ------
    InfeasibleError : with an explanation of which buses or constraints cannot be satisfied.
    UnboundedError, TimeLimitError, SolverError : for the other non-optimal outcomes, the
        clean-up's included.
    """
    options = (options or SolverOptions()).resolved(model.n_variables)
    h, scaled = model.hand_over(options)
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    status = h.getModelStatus()
    interior = Algorithm(options.algorithm) in INTERIOR_ALGORITHMS and not is_basic(h)
    reason = ""
    if status == ModelStatus.kUnknown and interior:
        reason = "HiGHS ended its interior-point solve with status 'Unknown'"
    elif status != ModelStatus.kOptimal:
        _raise_not_optimal(model, options, h, status, wall)
    iterations = _iterations(h.getInfo())
    if interior and not reason:
        reason = vertex_because
        if not reason:
            violation = worst_violation(model.lp, _unscaled_values(h, scaled).col_value)
            reason = "" if violation is None else str(violation)
    cleanup, cleanup_seconds = CleanUp.NONE, 0.0
    if reason:
        start = time.perf_counter()
        cleanup, more = clean_up(h, Algorithm(options.algorithm))
        cleanup_seconds = time.perf_counter() - start
        iterations += more
        status = h.getModelStatus()
        if status != ModelStatus.kOptimal:
            _raise_cleanup_failed(options, h, status, reason, cleanup)
    values = _unscaled_values(h, scaled)
    info = h.getInfo()
    stats = SolverStats(
        algorithm=str(options.algorithm),
        crossover=bool(options.crossover),
        solve_seconds=wall + cleanup_seconds,
        iterations=iterations,
        objective=values.objective,
        primal_infeasibility=float(info.max_primal_infeasibility),
        dual_infeasibility=float(info.max_dual_infeasibility),
        highs_version=h.version(),
        cleanup=str(cleanup),
        cleanup_reason=reason,
        cleanup_seconds=cleanup_seconds,
    )
    return Solution(
        col_value=values.col_value,
        col_dual=values.col_dual,
        row_value=values.row_value,
        row_dual=values.row_dual,
        stats=stats,
    )


INTERIOR_ALGORITHMS = (Algorithm.IPM, Algorithm.HIPO, Algorithm.PDLP)
"""Algorithms whose answer is not a vertex unless crossover ran."""


def _iterations(info: HighsInfo) -> int:
    return max(
        int(info.simplex_iteration_count),
        int(info.ipm_iteration_count) + int(info.crossover_iteration_count),
        int(info.pdlp_iteration_count),
    )


class _Values(NamedTuple):
    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray
    objective: float


def _unscaled_values(h: Highs, scaled: ScaledProgram | None) -> _Values:
    """HiGHS's primal values, reduced costs, row activities, row duals and objective, in the
    units of ``model.lp``."""
    sol = h.getSolution()
    values = _Values(
        np.asarray(sol.col_value),
        np.asarray(sol.col_dual),
        np.asarray(sol.row_value),
        np.asarray(sol.row_dual),
        float(h.getInfo().objective_function_value),
    )
    if scaled is None:
        return values
    return _Values(
        scaled.unscale_col_value(values.col_value),
        scaled.unscale_col_dual(values.col_dual),
        scaled.unscale_row_value(values.row_value),
        scaled.unscale_row_dual(values.row_dual),
        scaled.unscale_objective(values.objective),
    )


def _raise_cleanup_failed(
    options: SolverOptions,
    h: Highs,
    status: ModelStatus,
    reason: str,
    cleanup: CleanUp,
) -> NoReturn:
    found = (
        f"HiGHS's {options.algorithm} answer needed a clean-up ({cleanup}) to reach a vertex "
        f"because {reason}"
    )
    if status == ModelStatus.kTimeLimit:
        raise TimeLimitError(
            f"{found}, and it reached the time limit of {options.time_limit} s; no result is "
            "returned. Raise --time-limit, or solve with --crossover.",
            status=SolveStatus.TIME_LIMIT,
        )
    raise SolverError(
        f"{found}; it ended with status {h.modelStatusToString(status)!r}, so no result is "
        "returned. Try another algorithm (--solver simplex gives a vertex directly).",
        status=SolveStatus.ERROR,
    )


def _raise_not_optimal(
    model: LinearModel,
    options: SolverOptions,
    h: Highs,
    status: ModelStatus,
    wall: float,
) -> NoReturn:
    MS = ModelStatus
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
