"""One entry point for both ways of solving: HiGHS on the whole program, or Benders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caspian.decompose.benders import BendersOptions, solve_benders
from caspian.network.network import Network
from caspian.optimize import Algorithm, OptimizationResult, SolverOptions, optimize

Method = SolverOptions | BendersOptions
"""How a network is solved: ``SolverOptions`` (monolithic) or ``BendersOptions``."""

AUTO_BENDERS_MIN_SNAPSHOTS = 1000
"""With ``algorithm="auto"``, chronological models with at least this many snapshots are solved
by Benders over weekly blocks (to a proved 0.1 % gap): on the corridor's 6-hourly year (1,460
snapshots) that takes 14 s against 43 s for HiPO on the whole model, and on the hourly year it
solves a model HiPO does not (bench/README.md)."""


def solve_network(
    n: Network,
    method: Method | None = None,
    progress: Callable[[str], None] | None = None,
    **optimize_args: Any,
) -> OptimizationResult:
    """Solve ``n`` monolithically (``SolverOptions``) or by decomposition (``BendersOptions``).

    ``SolverOptions(algorithm="auto")`` (the default) picks Benders for chronological models of
    at least ``AUTO_BENDERS_MIN_SNAPSHOTS`` snapshots, else HiGHS on the whole model. Extra
    keyword arguments go to [`caspian.optimize.optimize`][caspian.optimize.optimize] (monolithic
    only). A decomposed result's ``solver.relative_gap`` is the gap it proved.
    """
    method = method or SolverOptions()
    if (
        isinstance(method, SolverOptions)
        and method.algorithm == Algorithm.AUTO
        and optimize_args.get("periods") is None
        and len(n.snapshots) >= AUTO_BENDERS_MIN_SNAPSHOTS
    ):
        method = BendersOptions(time_limit=method.time_limit)
    if isinstance(method, BendersOptions):
        if any(v is not None for v in optimize_args.values()):
            from caspian.exceptions import InputError

            raise InputError(
                "the Benders decomposition works on chronological snapshots only.",
                attribute=", ".join(optimize_args),
                hint="Use --solver hipo (or auto) with representative periods.",
            )
        return solve_benders(n, method, progress=progress).result
    return optimize(n, method, progress=progress, **optimize_args)
