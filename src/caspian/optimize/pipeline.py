"""The one pipeline every solve runs: build, condition, solve, extract, audit.

    run = run_pipeline(n, Request(SolverOptions()), STAGES)    # or caspian.optimize.solve_pipeline
    run.result                                                  # the audited, labelled optimum

1. **build**: validate the network and build its linear program
   ([`build_model`][caspian.optimize.build.build_model]); the strategy is then chosen from the
   built model ([`choose_strategy`][caspian.optimize.strategy.choose_strategy]), so the program
   is built once;
2. **condition**: refuse what HiGHS would reject, named, before anything is solved
   ([`condition_model`][caspian.optimize.pipeline.condition_model]); the exact rescaling
   ([`caspian.optimize.conditioning`][caspian.optimize.conditioning]) belongs to each hand-over
   to HiGHS and the clean-up of an interior point to the HiGHS instance that found it, so both
   stay inside the solve of the strategy that uses them;
3. **solve**: the [`SolveStrategy`][caspian.optimize.strategy.SolveStrategy] (one HiGHS solve,
   Benders decomposition, ...) returns primal values, row duals and reduced costs of the whole
   program;
4. **extract**: the labelled result with its prices
   (``caspian.optimize.results.extract_result``);
5. **audit**: the physical audit (balance, bounds, storage continuity) and the economic one
   (the prices are a dual solution, assets break even; the gap a strategy proved is allowed),
   for every strategy. A strategy may answer a failed audit with another solution once
   (``SolveStrategy.after_failed_audit``), which is extracted and audited again.

The stages are plain functions gathered in [`Stages`][caspian.optimize.pipeline.Stages]; the
default ones are ``caspian.optimize.STAGES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from caspian.exceptions import AuditError
from caspian.network.network import Network
from caspian.optimize.build import LinearModel
from caspian.optimize.highs import refuse_bad_program
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.results import OptimizationResult
from caspian.optimize.solve import Solution
from caspian.optimize.strategy import Request, SolveStrategy, choose_strategy


@dataclass(frozen=True)
class Stages:
    """The stages around the solve, in the order they run.

    Attributes
    ----------
    build
        network and representative periods (or None) to linear program.
    condition
        the built model to the model the strategy solves (checked; the same object).
    extract
        model and solution to the labelled result.
    audit
        model, result and solution to the audited result (raises ``AuditError``).
    """

    build: Callable[[Network, RepresentativePeriods | None], LinearModel]
    condition: Callable[[LinearModel], LinearModel]
    extract: Callable[[LinearModel, Solution], OptimizationResult]
    audit: Callable[[LinearModel, OptimizationResult, Solution], OptimizationResult]


@dataclass(frozen=True)
class PipelineRun:
    """What one run of the pipeline made: the model, the strategy that solved it, the solution
    it returned (a strategy may return a subclass carrying more) and the audited result."""

    model: LinearModel
    strategy: SolveStrategy
    solution: Solution
    result: OptimizationResult


def condition_model(model: LinearModel) -> LinearModel:
    """The condition stage: raise an ``InputError`` naming every value HiGHS would reject or
    misread (``caspian.optimize.highs.refuse_bad_program``), whatever strategy solves the
    model; return it unchanged."""
    refuse_bad_program(model.lp)
    return model


def run_pipeline(
    n: Network,
    how: Request | SolveStrategy,
    stages: Stages,
    *,
    periods: RepresentativePeriods | None = None,
    progress: Callable[[str], None] | None = None,
) -> PipelineRun:
    """Build, condition, solve, extract and audit ``n``; see the module docstring.

    Parameters
    ----------
    n
        the network (not modified).
    how
        a [`Request`][caspian.optimize.strategy.Request], from which
        [`choose_strategy`][caspian.optimize.strategy.choose_strategy] picks the strategy once the
        model is built, or the strategy itself.
    stages
        the stages around the solve (``caspian.optimize.STAGES``).
    periods
        the representative periods the snapshots of ``n`` stand for, if any.
    progress
        called with a line of text at each step.

    Raises
    ------
    InputError, SolverError, AuditError
        as the stages and the strategy raise them.
    """
    say = progress or _silent
    model = stages.build(n, periods)
    if isinstance(how, Request):
        choice = choose_strategy(how, model)
        strategy = choice.strategy
        if choice.note is not None:
            say(choice.note)
    else:
        strategy = how
    say(
        f"built {model.n_variables:,} variables, {model.n_constraints:,} constraints, "
        f"{model.nnz:,} non-zeros in {model.build_seconds:.2f} s; "
        f"solving with {strategy.describe(model)}"
    )
    model = stages.condition(model)
    solution = strategy.solve(model, say)
    try:
        result = stages.audit(model, stages.extract(model, solution), solution)
    except AuditError as error:
        again = strategy.after_failed_audit(model, solution, error, say)
        if again is None:
            raise
        solution = again
        result = stages.audit(model, stages.extract(model, solution), solution)
    return PipelineRun(model=model, strategy=strategy, solution=solution, result=result)


def _silent(message: str) -> None:
    """Progress that goes nowhere."""
