"""One entry point for every solve: HiGHS on the whole program, or Benders, as asked or by size.

    solve_network(n)                                   # auto: the size decides
    solve_network(n, method_from_name("auto", gap=1e-4, workers=4))
    solve_network(n, SolverOptions(algorithm="hipo"))  # HiGHS on the whole model
    solve_network(n, BendersOptions(block_hours=168))  # Benders where it applies

What ``auto`` picks is decided in one place,
[`caspian.optimize.strategy.choose_strategy`][caspian.optimize.strategy.choose_strategy] (by the
rule of [`caspian.optimize.auto.choose_method`][caspian.optimize.auto.choose_method]), from the
size of the linear program, its number of time blocks and whether it has representative periods.
This module turns the ways of asking (a ``--solver`` name, ``SolverOptions``, ``BendersOptions``,
``AutoMethod``) into a [`Request`][caspian.optimize.strategy.Request] of the optimiser's
pipeline, which builds the model once, chooses, solves and audits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from caspian.decompose.benders import BendersOptions
from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.optimize import (
    Algorithm,
    OptimizationResult,
    Request,
    SolverOptions,
    build_model,
    choose_strategy,
    solve_pipeline,
)
from caspian.optimize.strategy import strategy_names

SOLVER_NAMES = ("auto", *strategy_names())
"""The names ``--solver`` accepts: ``auto`` and every solve strategy (HiGHS's algorithms, then
``benders``, registered by :mod:`caspian.decompose.benders`)."""


@dataclass(frozen=True)
class AutoMethod:
    """Let the size of the model decide, with the settings of whichever way it picks.

    Parameters
    ----------
    solver
        HiGHS settings of a solve of the whole model (time limit, threads, tolerances); its
        algorithm stays ``"auto"``, so that the size picks it too.
    benders
        settings of a Benders solve (block length, gap, workers, time limit).
    """

    solver: SolverOptions = field(default_factory=SolverOptions)
    benders: BendersOptions = field(default_factory=BendersOptions)


Method = SolverOptions | BendersOptions | AutoMethod
"""How a network is solved: ``SolverOptions`` (``auto`` or one HiGHS algorithm on the whole
model), ``BendersOptions`` (Benders wherever it applies), or ``AutoMethod`` (``auto`` with the
settings of both ways)."""


@dataclass(frozen=True)
class Decision:
    """How one network is solved: a HiGHS algorithm or Benders, and why, where that needs saying.

    Attributes
    ----------
    method
        ``SolverOptions`` with an explicit algorithm, or ``BendersOptions``.
    note
        a line for the user when ``auto`` chose Benders or Benders was asked for but does not
        apply (``None`` otherwise).
    """

    method: SolverOptions | BendersOptions
    note: str | None = None


def method_from_name(
    solver: str,
    *,
    time_limit: float | None = None,
    threads: int | None = None,
    crossover: bool | None = None,
    block_hours: float | None = None,
    gap: float | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    dask_dashboard: bool = False,
) -> Method:
    """The method a ``--solver`` name asks for, carrying the settings of every way of solving.

    ``"auto"`` (let the size decide), ``"benders"``, or a HiGHS algorithm (``"hipo"``,
    ``"ipm"``, ``"simplex"``, ``"pdlp"``). ``time_limit`` applies to whichever way is used;
    ``threads`` and ``crossover`` to HiGHS on the whole model; ``block_hours``, ``gap``,
    ``workers``, ``scheduler`` and ``dask_dashboard`` to Benders (``None``: the defaults of
    [`BendersOptions`][caspian.decompose.BendersOptions]).
    """
    name = solver.lower()
    if name not in SOLVER_NAMES:
        raise InputError(
            f"unknown solver {solver!r}.",
            attribute="solver",
            value=solver,
            hint=f"Choose one of: {', '.join(SOLVER_NAMES)}.",
        )
    benders = BendersOptions(
        workers=workers,
        scheduler=scheduler,
        time_limit=time_limit,
        dask_dashboard=dask_dashboard,
    )
    if block_hours is not None:
        benders = replace(benders, block_hours=block_hours)
    if gap is not None:
        benders = replace(benders, gap=gap)
    if name == "benders":
        return benders
    highs = SolverOptions(
        algorithm=name, time_limit=time_limit, threads=threads, crossover=crossover
    )
    return AutoMethod(highs, benders) if name == "auto" else highs


def decide(n: Network, method: Method | None = None) -> Decision:
    """How [`solve_network`][caspian.decompose.solve_network] solves ``n`` with ``method``.

    An explicit HiGHS algorithm is used as given. Otherwise the linear program is built to
    measure it (a fraction of a second even for the corridor's hourly year) and
    [`choose_strategy`][caspian.optimize.strategy.choose_strategy] decides; ``BendersOptions``
    get Benders wherever it applies (chronological snapshots in at least two time blocks) and
    one HiGHS solve, with a note saying why, where it does not.
    """
    request = _request(method)
    model = build_model(n) if request.needs_model else None
    choice = choose_strategy(request, model)
    return Decision(choice.settings, choice.note)


def solve_network(
    n: Network,
    method: Method | None = None,
    progress: Callable[[str], None] | None = None,
) -> OptimizationResult:
    """Solve ``n`` on the whole with HiGHS or by Benders decomposition, as
    [`decide`][caspian.decompose.method.decide] says.

    One run of the optimiser's pipeline: the model is built once, the strategy chosen from it,
    and the answer audited whatever the strategy. A decomposed result has
    ``solver.algorithm == "benders"`` and its ``solver.relative_gap`` is the gap it proved.

    Parameters
    ----------
    n
        the network (not modified).
    method
        ``None`` or ``SolverOptions()`` (``auto``), ``AutoMethod`` (``auto`` with Benders
        settings), ``SolverOptions`` with a HiGHS algorithm, or ``BendersOptions``; see
        [`Method`][caspian.decompose.method.Method].
    progress
        called with a line of text at each step.

    Notes
    -----
    With representative periods (``n.periods``) the solve is always monolithic.
    """
    return solve_pipeline(n, _request(method), progress=progress).result


def _request(method: Method | None) -> Request:
    """The pipeline's request for ``method``: HiGHS settings, Benders settings, and whether
    Benders was asked for by name."""
    if isinstance(method, BendersOptions):
        return Request(SolverOptions(time_limit=method.time_limit), method, asked=True)
    if isinstance(method, AutoMethod):
        if method.solver.algorithm != Algorithm.AUTO:
            raise InputError(
                f"AutoMethod lets the size pick the algorithm, but its solver options ask for "
                f"'{method.solver.algorithm}'.",
                component="AutoMethod",
                attribute="solver.algorithm",
                hint="Leave it at 'auto', or pass the SolverOptions alone to use that algorithm.",
            )
        return Request(method.solver, method.benders)
    highs = method or SolverOptions()
    return Request(highs, BendersOptions(time_limit=highs.time_limit))
