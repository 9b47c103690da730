"""Benders decomposition over time blocks: an exact method for long capacity-expansion runs.

The year is cut into blocks (weeks by default). The master problem holds the investments, the
storage levels at block boundaries and each block's share of yearly caps (see
:mod:`caspian.decompose.partition`), plus one cost-to-go ``theta_b`` per block; the blocks are
operation problems solved with those fixed (:mod:`caspian.decompose.subproblem`). Each round
solves the master (a lower bound), solves every block at a proposal (an upper bound when all are
feasible) and adds one cut per block (multi-cut Benders: Birge and Louveaux, 1988). The loop
stops when the relative gap between the bounds is at most ``gap``; the gap it reports is proved,
since both bounds are exact up to the solver tolerances.

The prices of the whole program are recovered at the end from the master's multipliers of the
cuts (:mod:`caspian.decompose.prices`). They are the LP's own prices once the gap is closed,
which is why the default ``gap`` is ``EXACT_GAP``: the optimum up to the solver's tolerances.

Stabilisation is in-out separation (Ben-Ameur and Neto, 2007; Fischetti, Ljubic and Sinnl,
2017): the blocks are solved at ``lambda * y_master + (1 - lambda) * y_best`` rather than at the
master's extreme point, which keeps early proposals sensible; when the lower bound stalls, a round
at the master point itself (``lambda = 1``) keeps the method convergent.

The method is the solve stage of the optimiser's pipeline (:mod:`caspian.optimize.pipeline`):
[`BendersStrategy`][caspian.decompose.benders.BendersStrategy], registered as ``"benders"`` when
this module is imported. The pipeline builds and conditions the model before it and extracts and
audits the answer after it, as for a monolithic solve.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from caspian.decompose.master import Master
from caspian.decompose.partition import Partition, hour_groups, partition_program
from caspian.decompose.pool import LocalPool, SubproblemPool
from caspian.decompose.prices import recover_duals
from caspian.decompose.start import coarse_start
from caspian.decompose.subproblem import BlockData, Outcome, block_data
from caspian.exceptions import AuditError, InputError, SolverError
from caspian.network.network import Network, extendable_mask
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize import (
    Decomposition,
    LinearModel,
    OptimizationResult,
    Solution,
    SolverStats,
    register_decomposition,
    solve_pipeline,
)
from caspian.optimize.highs import highs_version

EXACT_GAP = 1e-7
"""The default relative gap: the optimum up to the blocks' and master's tolerances.

Measured on the corridor's base scenario against one simplex solve of the whole program: at this
gap Benders proved the optimum (a gap of 0 to 7e-8) and every price agreed to 5e-11 EUR/MWh at
6- and 24-hourly resolution; at 0.1 % single prices were up to 23 EUR/MWh apart, at 1e-5 up to
0.7. Closing the gap took 78 rounds against 39 for 0.1 % on the hourly year, about 10 % more
time (the last rounds re-solve warm blocks that barely move): ``make bench``."""


@dataclass(frozen=True)
class BendersOptions:
    """Settings of the decomposition.

    Parameters
    ----------
    block_hours
        length of a time block in hours (snapshot weightings ``stores``); 168 = weeks.
    gap
        stop when ``(upper - lower) / |upper|`` is at most this. The default, ``EXACT_GAP``,
        closes it up to the solver's tolerances, so the answer and its prices are the LP's own;
        a looser gap (0.001 = 0.1 %) is faster but returns prices that are only a dual solution
        within that gap (on the corridor's 6-hourly year up to 23 EUR/MWh apart from the
        optimal ones in single snapshots).
    max_iterations
        stop after this many rounds even if the gap is larger.
    time_limit
        seconds; stop (with the gap reached so far) when exceeded.
    workers
        number of local Dask worker processes for the blocks; 1 solves them in this
        process. Ignored when a ``scheduler`` is given.
    scheduler
        address of a running Dask scheduler (``tcp://host:8786``) whose workers solve
        the blocks, one group of blocks per worker.
    dask_dashboard
        with ``workers`` > 1, serve Dask's dashboard of the local cluster on loopback and say
        its URL through ``progress``; local clusters listen on loopback only either way.
    stabilisation
        ``lambda`` of in-out separation (1 = plain Kelley cuts at the master point).
    stall_rounds
        rounds without a better lower bound before a round at the master point.
    start_hours
        first proposal from a monolithic solve at this many hours per snapshot
        (``caspian.decompose.start``); ``None`` starts from the master's own first point.
    subproblem_options
        further HiGHS options for the blocks.
    """

    block_hours: float = 168.0
    gap: float = EXACT_GAP
    max_iterations: int = 1000
    time_limit: float | None = None
    workers: int = 1
    scheduler: str | None = None
    dask_dashboard: bool = False
    stabilisation: float = 0.5
    stall_rounds: int = 3
    start_hours: float | None = 24.0
    subproblem_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks = (
            ("block_hours", self.block_hours > 0, "a positive number of hours, e.g. 168"),
            ("gap", 0 < self.gap < 1, "a relative gap between 0 and 1, e.g. 0.001"),
            ("max_iterations", self.max_iterations >= 1, "at least 1"),
            ("workers", self.workers >= 1, "at least 1"),
            ("stabilisation", 0 < self.stabilisation <= 1, "in (0, 1]"),
            ("stall_rounds", self.stall_rounds >= 1, "at least 1"),
        )
        for attr, ok, hint in checks:
            if not ok:
                raise InputError(
                    f"invalid {attr} {getattr(self, attr)!r}.",
                    component="BendersOptions",
                    attribute=attr,
                    hint=f"Give {hint}.",
                )
        if self.time_limit is not None and not self.time_limit > 0:
            raise InputError(
                f"invalid time_limit {self.time_limit!r}.",
                component="BendersOptions",
                attribute="time_limit",
                hint="Give a positive number of seconds, or None.",
            )


@dataclass(frozen=True)
class BlockIndex:
    """Where a block's columns and rows sit in the full program, and the master columns it reads."""

    block: int
    own_columns: np.ndarray
    own_rows: np.ndarray
    linked: np.ndarray


@dataclass(frozen=True)
class BendersResult:
    """Outcome of the decomposition.

    Attributes
    ----------
    objective
        EUR, cost of the best solution found (the upper bound).
    lower_bound
        EUR, proved lower bound on the optimum.
    gap
        ``(objective - lower_bound) / |objective|``, proved.
    converged
        whether ``gap`` reached the requested tolerance.
    iterations, seconds
        rounds made and wall time (s), set-up included.
    capacities
        optimal capacities of the extendable components, per component (MW or MWh).
    history
        per round: lower and upper bound, gap, lambda, infeasible blocks, cuts, master
        and (summed) block solve seconds, and seconds since the start.
    result
        the full labelled result at the best solution (dispatch, prices, ...).
    n_blocks
        number of time blocks.
    price_seconds
        wall time (s) of recovering the prices of the whole program after the last round
        (:mod:`caspian.decompose.prices`).
    """

    objective: float
    lower_bound: float
    gap: float
    converged: bool
    iterations: int
    seconds: float
    capacities: dict[str, pd.Series]
    history: pd.DataFrame
    result: OptimizationResult
    n_blocks: int
    price_seconds: float = 0.0


def time_blocks(n: Network, block_hours: float) -> np.ndarray:
    """Block of each snapshot: cut every ``block_hours`` hours of the ``stores`` weighting.

    A last block shorter than half a block is merged into the one before it.
    """
    hours = n.snapshot_weightings["stores"].to_numpy(float)
    blocks = hour_groups(hours, block_hours)
    last = int(blocks[-1]) if len(blocks) else 0
    if last > 0 and hours[blocks == last].sum() * 2 < block_hours:
        blocks[blocks == last] = last - 1
    return blocks


def solve_benders(
    n: Network,
    options: BendersOptions | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> BendersResult:
    """Solve ``n`` to within ``options.gap`` of its optimum by Benders decomposition.

    The pipeline of every solve ([`caspian.optimize.pipeline`][caspian.optimize.pipeline])
    with [`BendersStrategy`][caspian.decompose.benders.BendersStrategy] as its solve stage: the
    answer passes the same audits, its prices those of the whole program. The blocks are solved
    in this process, on a local Dask cluster of ``options.workers`` processes, or on the cluster
    of ``options.scheduler``.

    Parameters
    ----------
    n
        the network (validated, not modified).
    options
        see [`BendersOptions`][caspian.decompose.benders.BendersOptions].
    progress
        called with one line per round.
    """
    start = time.perf_counter()
    run = solve_pipeline(n, BendersStrategy(options or BendersOptions()), progress=progress)
    solution = run.solution
    assert isinstance(solution, BendersSolution)  # BendersStrategy never re-solves
    model, result = run.model, run.result
    capacities = {
        component: result.capacity(component)[
            extendable_mask(model.network.static[component], component)
        ]
        for component in NOMINAL_ATTR
        if len(model.network.static[component])
    }
    return BendersResult(
        objective=solution.stats.objective,
        lower_bound=solution.lower_bound,
        gap=solution.stats.relative_gap,
        converged=solution.converged,
        iterations=solution.stats.iterations,
        seconds=time.perf_counter() - start,
        capacities=capacities,
        history=solution.history,
        result=result,
        n_blocks=solution.n_blocks,
        price_seconds=solution.price_seconds,
    )


@dataclass(frozen=True)
class BendersSolution(Solution):
    """The whole program's primal at the best proposal and its recovered duals
    (:mod:`caspian.decompose.prices`), with what the decomposition proved.

    ``stats.objective`` is the best solution's cost (the upper bound), ``stats.relative_gap``
    the proved gap and ``stats.iterations`` the rounds made.

    Attributes
    ----------
    lower_bound
        EUR, proved lower bound on the optimum.
    converged
        whether the gap reached the requested tolerance.
    history
        per round, as in [`BendersResult`][caspian.decompose.benders.BendersResult].
    n_blocks
        number of time blocks.
    price_seconds
        wall time (s) of recovering the prices of the whole program.
    """

    lower_bound: float
    converged: bool
    history: pd.DataFrame
    n_blocks: int
    price_seconds: float


@dataclass(frozen=True)
class BendersStrategy:
    """Benders decomposition over time blocks as the solve stage of the pipeline
    ([`SolveStrategy`][caspian.optimize.strategy.SolveStrategy]); registered as ``"benders"``
    when ``caspian.decompose`` is imported."""

    options: BendersOptions = field(default_factory=BendersOptions)

    @property
    def name(self) -> str:
        return "benders"

    def describe(self, model: LinearModel) -> str:
        return "Benders decomposition"

    def solve(self, model: LinearModel, say: Callable[[str], None]) -> BendersSolution:
        """Cut ``model`` into time blocks, run the rounds until the gap is closed, and return
        the primal at the best proposal with the recovered duals of the whole program.

        Raises InputError for a model of representative periods, SolverError when no feasible
        solution is found.
        """
        if model.periods is not None:
            raise InputError(
                "Benders decomposition does not support representative periods.",
                attribute="periods",
                hint="Solve the model whole (caspian.optimize.optimize, or --solver auto).",
            )
        opts = self.options
        start = time.perf_counter()
        snapshot_block = time_blocks(model.network, opts.block_hours)
        part = partition_program(model.lp, snapshot_block)
        blocks = [block_data(model.lp, part, b) for b in range(part.n_blocks)]
        say(
            f"time blocks: {part.n_blocks} of {opts.block_hours:g} h; master: "
            f"{len(part.complicating)} investment and boundary columns, "
            f"{len(part.global_rows)} yearly constraints split by block"
        )
        pool = _default_pool(blocks, opts, say)
        # The pool holds the blocks' data now (here or on the workers); keep only their indices.
        index = [BlockIndex(d.block, d.own_columns, d.own_rows, d.linked) for d in blocks]
        del blocks
        try:
            return _run(model, part, snapshot_block, index, pool, opts, say, start)
        finally:
            pool.close()

    def after_failed_audit(
        self,
        model: LinearModel,
        solution: Solution,
        error: AuditError,
        say: Callable[[str], None],
    ) -> Solution | None:
        """None: the recovered prices are the LP's own once the gap is closed, so a failed
        audit is an error, not a reason to solve again."""
        return None


def count_time_blocks(n: Network, block_hours: float) -> int:
    """How many time blocks of ``block_hours`` the snapshots of ``n`` form
    ([`time_blocks`][caspian.decompose.benders.time_blocks])."""
    blocks = time_blocks(n, block_hours)
    return int(blocks.max()) + 1 if len(blocks) else 0


def _benders_strategy(settings: BendersOptions | None) -> BendersStrategy:
    return BendersStrategy(settings or BendersOptions())


register_decomposition(
    Decomposition(name="benders", make=_benders_strategy, count_blocks=count_time_blocks)
)


def _default_pool(
    blocks: list[BlockData], opts: BendersOptions, say: Callable[[str], None]
) -> SubproblemPool:
    if opts.scheduler is None and opts.workers == 1:
        return LocalPool(blocks, opts.subproblem_options)
    from caspian.decompose.dask_pool import DaskPool

    if opts.scheduler is not None:
        return DaskPool.connect(opts.scheduler, blocks, opts.subproblem_options)
    pool = DaskPool.local(
        blocks, opts.workers, opts.subproblem_options, dashboard=opts.dask_dashboard
    )
    if pool.dashboard_link is not None:
        say(
            f"Dask dashboard: {pool.dashboard_link} (this machine only; from another, tunnel "
            "it with ssh -L, see the Dask how-to)"
        )
    return pool


def _run(
    model: LinearModel,
    part: Partition,
    snapshot_block: np.ndarray,
    blocks: list[BlockIndex],
    pool: SubproblemPool,
    opts: BendersOptions,
    say: Callable[[str], None],
    start: float,
) -> BendersSolution:
    linked = [d.linked for d in blocks]
    master = Master(model.lp, part, linked)
    master.add_cuts(pool.lower_bounds(), key=0)
    core: np.ndarray | None = None
    step = model.network.snapshot_weightings["stores"].to_numpy(float)
    if opts.start_hours is not None and len(step) and opts.start_hours > step.max():
        say(f"first proposal from the network at {opts.start_hours:g} h per snapshot")
        core = np.clip(
            coarse_start(model, part, snapshot_block, opts.start_hours),
            master.y_lower,
            master.y_upper,
        )
    lower, upper = -np.inf, np.inf
    best: np.ndarray | None = None
    history: list[dict[str, float]] = []
    stalled = 0
    converged = False
    iteration = 0
    for iteration in range(1, opts.max_iterations + 1):
        tick = time.perf_counter()
        y_master, _, bound = master.solve()
        master_seconds = time.perf_counter() - tick
        stalled = 0 if bound > lower + 1e-9 * max(1.0, abs(lower)) else stalled + 1
        lower = max(lower, bound)
        if iteration == 1 and core is not None:
            lam, y = 0.0, core
        else:
            lam = 1.0 if core is None or stalled >= opts.stall_rounds else opts.stabilisation
            if lam == 1.0:
                stalled = 0
            y = y_master if core is None else lam * y_master + (1.0 - lam) * core
        y = np.clip(y, master.y_lower, master.y_upper)
        outcomes = pool.solve([y[cols] for cols in linked], keep=iteration)
        master.add_cuts(outcomes, key=iteration)
        if all(o.feasible for o in outcomes):
            value = float(master.y_cost @ y) + sum(o.value for o in outcomes)
            if value < upper:
                upper, best, core = value, y, y
        elif best is None:
            core = None  # an infeasible centre would pull every proposal towards infeasibility
        gap = _gap(lower, upper)
        history.append(
            {
                "iteration": iteration,
                "lower_bound": lower,
                "upper_bound": upper,
                "gap": gap,
                "lambda": lam,
                "infeasible_blocks": sum(not o.feasible for o in outcomes),
                "cuts": master.n_cuts,
                "master_seconds": master_seconds,
                "block_seconds": sum(o.seconds for o in outcomes),
                "seconds": time.perf_counter() - start,
            }
        )
        say(
            f"round {iteration}: lower {lower:,.0f}, upper {upper:,.0f}, gap {gap:.3%}"
            f" ({history[-1]['seconds']:.0f} s)"
        )
        if gap <= opts.gap:
            converged = True
            break
        if opts.time_limit is not None and time.perf_counter() - start > opts.time_limit:
            say(f"time limit of {opts.time_limit:g} s reached at gap {gap:.3%}")
            break
    if best is None:
        raise SolverError(
            f"the decomposition found no feasible solution in {iteration} rounds; raise "
            "max_iterations or time_limit, or solve the model monolithically."
        )
    outcomes = pool.solve([best[cols] for cols in linked], want_solution=True)
    tick = time.perf_counter()
    duals = recover_duals(model.lp, part, [d.own_rows for d in blocks], master, pool)
    lower = max(lower, duals.objective)
    price_seconds = time.perf_counter() - tick
    gap = _gap(lower, upper)
    x = _primal(model, part, blocks, best, outcomes)
    stats = SolverStats(
        algorithm="benders",
        crossover=False,
        solve_seconds=time.perf_counter() - start,
        iterations=iteration,
        objective=upper,
        primal_infeasibility=0.0,
        dual_infeasibility=0.0,
        highs_version=highs_version(),
        relative_gap=gap,
    )
    return BendersSolution(
        col_value=x,
        col_dual=duals.col_dual,
        row_value=model.lp.matrix @ x,
        row_dual=duals.row_dual,
        stats=stats,
        lower_bound=lower,
        converged=converged,
        history=pd.DataFrame(history).set_index("iteration"),
        n_blocks=part.n_blocks,
        price_seconds=price_seconds,
    )


def _gap(lower: float, upper: float) -> float:
    if not np.isfinite(upper) or not np.isfinite(lower):
        return float("inf")
    return max(0.0, (upper - lower) / max(abs(upper), 1.0))


def _primal(
    model: LinearModel,
    part: Partition,
    blocks: list[BlockIndex],
    y: np.ndarray,
    outcomes: list[Outcome],
) -> np.ndarray:
    """The full program's primal: the master's columns at the best proposal ``y``, and each
    block's own columns as solved there."""
    x = np.zeros(model.lp.n_variables)
    x[part.complicating] = y[: len(part.complicating)]
    for data, out in zip(blocks, outcomes, strict=True):
        assert out.primal is not None
        x[data.own_columns] = out.primal
    return x
