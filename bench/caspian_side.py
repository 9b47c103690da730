"""The caspian side: build, hand-over and solve through ``caspian.optimize``, or solve by
Benders decomposition through ``caspian.decompose``, with the settings PyPSA's side uses."""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.highs_options import TOLERANCES
from caspian.decompose import BendersOptions
from caspian.decompose import solve_benders as run_benders
from caspian.network import Network
from caspian.optimize import SolverOptions, optimize


def solver_options(time_limit_s: float, threads: int) -> SolverOptions:
    """The settings of :func:`bench.highs_options.highs_options`: HiPO without crossover, the
    shared tolerances, threads and time limit, and HiGHS's log on (as PyPSA leaves it)."""
    return SolverOptions(
        algorithm="hipo",
        crossover=False,
        time_limit=time_limit_s,
        threads=threads,
        log_to_console=True,
        primal_feasibility_tolerance=TOLERANCES["primal_feasibility_tolerance"],
        dual_feasibility_tolerance=TOLERANCES["dual_feasibility_tolerance"],
        ipm_optimality_tolerance=TOLERANCES["ipm_optimality_tolerance"],
    )


def solve(
    n: Network,
    options: SolverOptions,
    links: Sequence[str] = (),
    prices: Path | None = None,
) -> dict[str, Any]:
    """``optimize(n, options)``: status, objective and the solver's statistics.

    A solve that is not optimal raises in caspian-grid; it is reported with the error's name.
    ``links``: links whose optimal capacity (MW) to report as ``link_capacity_mw``; ``prices``:
    a Parquet file for the prices (EUR/MWh, snapshots x buses).
    """
    try:
        result = optimize(n, options)
    except Exception as err:  # the optimiser's own errors for non-optimal outcomes
        return {"status": "not optimal", "termination": f"{type(err).__name__}: {err}"}
    out: dict[str, Any] = {
        "status": "ok",
        "termination": str(result.status),
        "objective": float(result.objective),
        "solver_seconds": float(result.solver.solve_seconds),
        "iterations": int(result.solver.iterations),
    }
    if links:
        capacity = result.capacity("Link")
        out["link_capacity_mw"] = {name: float(capacity[name]) for name in links}
    if prices is not None:
        result.prices.to_parquet(prices)
    return out


def benders_options(
    time_limit_s: float | None, workers: int, block_hours: float, gap: float
) -> BendersOptions:
    """``BendersOptions(block_hours, gap, workers, time_limit)``."""
    return BendersOptions(
        block_hours=block_hours, gap=gap, workers=workers, time_limit=time_limit_s
    )


def solve_benders(
    n: Network,
    options: BendersOptions,
    links: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    prices: Path | None = None,
) -> dict[str, Any]:
    """``solve_benders(n, options, progress=progress)``: bounds, gap, iterations and the time
    spent recovering the prices of the whole program (``price_seconds``).

    ``termination`` is ``optimal`` when the proved gap reached ``options.gap`` (an exact answer
    to that tolerance), else ``gap not reached``; ``status`` is ``ok`` either way, as the best
    solution found is feasible. ``links`` as in :func:`solve`.
    """
    try:
        result = run_benders(n, options, progress=progress)
    except Exception as err:  # the decomposition's errors (infeasible block, ...)
        traceback.print_exc()  # to the worker's log
        return {"status": "not optimal", "termination": f"{type(err).__name__}: {err}"}
    out: dict[str, Any] = {
        "status": "ok",
        "termination": "optimal" if result.converged else "gap not reached",
        "objective": float(result.objective),
        "lower_bound": float(result.lower_bound),
        "gap": float(result.gap),
        "requested_gap": float(options.gap),
        "iterations": int(result.iterations),
        "solver_seconds": float(result.seconds),
        "price_seconds": float(result.price_seconds),
        "options": {
            k: v if isinstance(v, (bool, int, float, str, type(None))) else str(v)
            for k, v in dataclasses.asdict(options).items()
        },
    }
    if links:
        capacity = result.capacities.get("Link")
        out["link_capacity_mw"] = {
            name: float("nan") if capacity is None else float(capacity.get(name, float("nan")))
            for name in links
        }
    if prices is not None:
        result.result.prices.to_parquet(prices)
    return out
