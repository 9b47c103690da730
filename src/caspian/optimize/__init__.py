"""The optimiser: build a network's linear program, solve it with HiGHS, return labelled results.

    result = optimize(n, SolverOptions(algorithm="hipo"))

Only an optimal solve yields a result; infeasible, unbounded and time-limited solves raise their
own errors, and every result passes an audit of energy balance, bounds and storage continuity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from caspian.exceptions import AuditError
from caspian.network.network import Network
from caspian.optimize.audit import audit
from caspian.optimize.build import LinearModel, build_model
from caspian.optimize.options import Algorithm, SolverOptions
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.price_audit import EconomicAudit, economic_audit
from caspian.optimize.results import OptimizationResult, chronological_levels, extract_result
from caspian.optimize.solve import (
    INTERIOR_ALGORITHMS,
    Solution,
    SolverStats,
    SolveStatus,
    solve_model,
)

__all__ = [
    "Algorithm",
    "EconomicAudit",
    "LinearModel",
    "OptimizationResult",
    "RepresentativePeriods",
    "SolveStatus",
    "SolverOptions",
    "SolverStats",
    "audited_result",
    "build_model",
    "chronological_levels",
    "optimize",
]


def optimize(
    n: Network,
    options: SolverOptions | None = None,
    progress: Callable[[str], None] | None = None,
    periods: RepresentativePeriods | None = None,
) -> OptimizationResult:
    """Validate, build, solve and audit ``n``; return its optimum.

    Parameters
    ----------
    n
        the network (not modified).
    options
        HiGHS settings; by default simplex for small models and HiPO for large ones.
    progress
        called with a line of text before each long step (build, solve).
    periods
        when the snapshots of ``n`` are typical periods of a longer year, which period
        stands for which; storage is then linked across periods
        (``caspian.optimize.periods``).

    Raises
    ------
    InputError
        the network is invalid (the message says where and how to fix it).
    InfeasibleError
        no optimum was reached: the model has no feasible solution (the message names what
        cannot be satisfied where that can be located).
    UnboundedError
        no optimum was reached: the objective can decrease without limit.
    TimeLimitError
        no optimum was reached within ``options.time_limit``.
    SolverError
        no optimum was reached for another reason (the base class of the three above).
    AuditError
        the solver's answer violates balance, bounds or storage continuity, or its prices are
        not a dual solution of the model (:mod:`caspian.optimize.price_audit`).
    """
    say = progress or (lambda message: None)
    say(f"building the linear program of {n!r}")
    model = build_model(n, periods)
    resolved = (options or SolverOptions()).resolved(model.n_variables)
    say(
        f"built {model.n_variables:,} variables, {model.n_constraints:,} constraints, "
        f"{model.nnz:,} non-zeros in {model.build_seconds:.2f} s; "
        f"solving with HiGHS ({resolved.algorithm})"
    )
    solution = solve_model(model, options)
    try:
        return audited_result(model, solution)
    except AuditError as error:
        interior = Algorithm(resolved.algorithm) in INTERIOR_ALGORITHMS
        if not interior or solution.stats.cleanup:
            raise
        # An interior point inside HiGHS's tolerances can still miss the audit's (in the
        # original units, per asset): the vertex of the same optimum is exact.
        first = str(error).splitlines()[1].strip(" -") if "\n" in str(error) else str(error)
        say(f"the {resolved.algorithm} answer failed the audit ({first}); solving for a vertex")
        solution = solve_model(model, options, vertex_because=f"it failed the audit: {first}")
        return audited_result(model, solution)


def audited_result(
    model: LinearModel, solution: Solution, *, proved_gap: float = 0.0
) -> OptimizationResult:
    """The labelled result of ``solution``, once it has passed the physical audit (balance,
    bounds, storage continuity) and the economic one (its prices are a dual solution; assets
    break even); the economic audit's figures travel with the result.

    Raises AuditError when either audit fails.
    """
    result = extract_result(model, solution)
    audit(model, result, solution.col_value)
    report = economic_audit(model, result, solution, proved_gap=proved_gap)
    return replace(result, economic_audit=report)
