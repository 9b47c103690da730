"""The optimiser: build a network's linear program, solve it with HiGHS, return labelled results.

    result = optimize(n, SolverOptions(algorithm="hipo"))

Every solve runs one pipeline, build -> condition -> solve -> extract -> audit
([`caspian.optimize.pipeline`][caspian.optimize.pipeline]); only its solve stage differs
between methods ([`caspian.optimize.strategy`][caspian.optimize.strategy]). Only an optimal
solve yields a result; infeasible, unbounded and time-limited solves raise their own errors, and
every result passes an audit of energy balance, bounds and storage continuity and an audit of its
prices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from caspian.network.network import Network
from caspian.optimize.audit import audit
from caspian.optimize.build import LinearModel, build_model
from caspian.optimize.options import Algorithm, SolverOptions
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.pipeline import PipelineRun, Stages, condition_model, run_pipeline
from caspian.optimize.price_audit import EconomicAudit, economic_audit
from caspian.optimize.results import OptimizationResult, chronological_levels, extract_result
from caspian.optimize.solve import Solution, SolverStats, SolveStatus
from caspian.optimize.strategy import (
    Decomposition,
    HighsStrategy,
    Request,
    SolveStrategy,
    choose_strategy,
    register_decomposition,
    strategy_named,
)

__all__ = [
    "STAGES",
    "Algorithm",
    "Decomposition",
    "EconomicAudit",
    "HighsStrategy",
    "LinearModel",
    "OptimizationResult",
    "PipelineRun",
    "RepresentativePeriods",
    "Request",
    "Solution",
    "SolveStatus",
    "SolveStrategy",
    "SolverOptions",
    "SolverStats",
    "Stages",
    "audit_result",
    "build_model",
    "choose_strategy",
    "chronological_levels",
    "optimize",
    "register_decomposition",
    "solve_pipeline",
    "strategy_named",
]


def optimize(
    n: Network,
    options: SolverOptions | None = None,
    progress: Callable[[str], None] | None = None,
    periods: RepresentativePeriods | None = None,
) -> OptimizationResult:
    """Validate, build, solve and audit ``n``; return its optimum.

    One HiGHS solve of the whole model
    ([`HighsStrategy`][caspian.optimize.strategy.HighsStrategy]) run through the pipeline;
    ``caspian.decompose.solve_network`` may decompose instead.

    Parameters
    ----------
    n
        the network (not modified).
    options
        HiGHS settings; by default simplex for small models and HiPO for large ones.
    progress
        called with a line of text before each long step (solve).
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
    request = Request(options or SolverOptions())
    return solve_pipeline(n, request, progress=progress, periods=periods).result


def solve_pipeline(
    n: Network,
    how: Request | SolveStrategy,
    *,
    progress: Callable[[str], None] | None = None,
    periods: RepresentativePeriods | None = None,
) -> PipelineRun:
    """Run the pipeline with the default stages, ``STAGES``: ``how`` is a
    [`Request`][caspian.optimize.strategy.Request] the strategy is chosen from once the model
    is built, or the strategy itself (see
    [`run_pipeline`][caspian.optimize.pipeline.run_pipeline])."""
    return run_pipeline(n, how, STAGES, periods=periods, progress=progress)


def audit_result(
    model: LinearModel, result: OptimizationResult, solution: Solution
) -> OptimizationResult:
    """The audit stage: ``result`` once it has passed the physical audit (balance, bounds,
    storage continuity) and the economic one (its prices are a dual solution; assets break
    even, within the gap the strategy proved, ``solution.stats.relative_gap``); the economic
    audit's figures travel with the result.

    Raises AuditError when either audit fails.
    """
    audit(model, result, solution.col_value)
    proved_gap = solution.stats.relative_gap
    report = economic_audit(model, result, solution, proved_gap=proved_gap)
    return replace(result, economic_audit=report)


STAGES = Stages(
    build=build_model, condition=condition_model, extract=extract_result, audit=audit_result
)
"""The pipeline's stages around the solve. The audit stage is
[`audit_result`][caspian.optimize.audit_result]; it looks up both audits in this package when it
runs."""
