"""The caspian side: build, hand-over and solve through ``caspian.optimize``, or solve by
Benders decomposition through ``caspian.decompose``.

Coded against the optimiser's contract: ``build_model(n)`` returns a model with ``n_variables``,
``n_constraints``, ``nnz`` and ``to_highs(options) -> highspy.Highs``; ``optimize(n, options)``
returns a result with ``objective``, ``capacity(component)`` and ``solver.solve_seconds`` /
``solver.iterations``; ``SolverOptions(algorithm=..., crossover=..., time_limit=...)`` holds the
solver settings. And against the decomposition's: ``solve_benders(n, BendersOptions(block_hours,
gap, workers, time_limit), progress=...)`` returns a result with ``objective`` (the best upper
bound), ``lower_bound``, ``gap``, ``iterations``, ``seconds`` and ``capacities`` (component ->
capacities of the extendables).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from bench.highs_options import TOLERANCES
from bench.measure import SkipMeasurement

MISSING_MESSAGE = (
    "caspian.optimize.build_model is not available yet (the optimiser is still being written); "
    "the caspian side is skipped."
)

_DICT_FIELDS = ("highs_options", "extra_options", "extra", "options")
"""Names under which SolverOptions might take raw HiGHS options it has no field for."""


BENDERS_MISSING_MESSAGE = (
    "caspian.decompose.solve_benders is not available yet (the decomposition is still being "
    "written); run with --caspian-method monolithic for the stand-in."
)


class CaspianMissing(SkipMeasurement):
    """``caspian.optimize`` or ``caspian.decompose`` does not provide the API the benchmark
    needs."""


def import_optimize() -> ModuleType:
    """Import ``caspian.optimize`` and check that it has the benchmark's API."""
    # ``caspian.optimize`` the attribute is the function that the package re-exports;
    # the module itself comes from the import system.
    optimize_module = importlib.import_module("caspian.optimize")
    missing = [
        name
        for name in ("build_model", "optimize", "SolverOptions")
        if not hasattr(optimize_module, name)
    ]
    if missing:
        raise CaspianMissing(MISSING_MESSAGE + f" Missing: {', '.join(missing)}.")
    return optimize_module


def solver_options(module: ModuleType, time_limit_s: float, threads: int) -> tuple[Any, str]:
    """``SolverOptions`` matching :func:`bench.highs_options.highs_options`, and a note.

    HiPO without crossover and the time limit come from the contract; threads and tolerances
    are passed where ``SolverOptions`` has a field of HiGHS's name for them (or a dict of raw
    HiGHS options). The note lists those it could not pass, which then keep HiGHS's defaults
    (the same values, see ``TOLERANCES``).
    """
    cls = module.SolverOptions
    fields = _field_names(cls)
    kwargs: dict[str, Any] = {"algorithm": "hipo", "crossover": False, "time_limit": time_limit_s}
    if "log_to_console" in fields:  # PyPSA leaves HiGHS's log on; the worker's log keeps it
        kwargs["log_to_console"] = True
    wanted: dict[str, Any] = {"threads": threads, **TOLERANCES}
    dict_field = next((name for name in _DICT_FIELDS if name in fields), None)
    unpassed = []
    for name, value in wanted.items():
        if name in fields:
            kwargs[name] = value
        elif dict_field is not None:
            kwargs.setdefault(dict_field, {})[name] = value
        else:
            unpassed.append(name)
    note = f"SolverOptions has no field for {', '.join(unpassed)}" if unpassed else ""
    return cls(**kwargs), note


def _field_names(cls: type) -> set[str]:
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls)}
    return set(inspect.signature(cls).parameters)


def solve(module: ModuleType, n: Any, options: Any, links: Sequence[str] = ()) -> dict[str, Any]:
    """``optimize(n, options)``; status, objective and the solver's statistics.

    A solve that is not optimal raises in caspian-grid; it is reported with the error's name.
    ``links``: links whose optimal capacity (MW) to report as ``link_capacity_mw``.
    """
    try:
        result = module.optimize(n, options)
    except Exception as err:  # the optimiser's own errors for non-optimal outcomes
        return {"status": "not optimal", "termination": f"{type(err).__name__}: {err}"}
    stats = getattr(result, "solver", None)
    status = getattr(result, "status", "optimal")
    out = {
        "status": "ok",
        "termination": str(getattr(status, "value", status)),
        "objective": float(result.objective),
        "solver_seconds": _number(stats, "solve_seconds"),
        "iterations": _number(stats, "iterations"),
    }
    if links:
        capacity = result.capacity("Link")
        out["link_capacity_mw"] = {name: float(capacity[name]) for name in links}
    return out


def import_benders() -> ModuleType:
    """Import ``caspian.decompose`` and check that it has ``solve_benders`` and
    ``BendersOptions``; :class:`CaspianMissing` if not."""
    try:
        module = importlib.import_module("caspian.decompose")
    except ModuleNotFoundError as err:
        if err.name not in ("caspian.decompose", "caspian"):
            raise  # the package exists but something it imports does not
        raise CaspianMissing(BENDERS_MISSING_MESSAGE) from None
    missing = [name for name in ("solve_benders", "BendersOptions") if not hasattr(module, name)]
    if missing:
        raise CaspianMissing(BENDERS_MISSING_MESSAGE + f" Missing: {', '.join(missing)}.")
    return module


def benders_options(
    module: ModuleType, time_limit_s: float | None, workers: int, block_hours: float, gap: float
) -> Any:
    """``BendersOptions(block_hours, gap, workers, time_limit)``."""
    return module.BendersOptions(
        block_hours=block_hours, gap=gap, workers=workers, time_limit=time_limit_s
    )


def solve_benders(
    module: ModuleType,
    n: Any,
    options: Any,
    links: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``solve_benders(n, options, progress=progress)``: bounds, gap and iterations.

    ``termination`` is ``optimal`` when the proved gap reached ``options.gap`` (an exact answer
    to that tolerance), else ``gap not reached``; ``status`` is ``ok`` either way, as the best
    solution found is feasible. ``links`` as in :func:`solve`.
    """
    try:
        result = module.solve_benders(n, options, progress=progress)
    except Exception as err:  # the decomposition's errors (infeasible block, ...)
        traceback.print_exc()  # to the worker's log
        return {"status": "not optimal", "termination": f"{type(err).__name__}: {err}"}
    gap = float(result.gap)
    converged = bool(getattr(result, "converged", gap <= options.gap))
    out: dict[str, Any] = {
        "status": "ok",
        "termination": "optimal" if converged else "gap not reached",
        "objective": float(result.objective),
        "lower_bound": float(result.lower_bound),
        "gap": gap,
        "requested_gap": float(options.gap),
        "iterations": int(result.iterations),
        "solver_seconds": float(result.seconds),
        "options": _as_dict(options),
    }
    if links:
        capacity = result.capacities.get("Link")
        out["link_capacity_mw"] = {
            name: float("nan") if capacity is None else float(capacity.get(name, float("nan")))
            for name in links
        }
    return out


def _as_dict(options: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(options) and not isinstance(options, type):
        return {
            k: v if isinstance(v, (bool, int, float, str, type(None))) else str(v)
            for k, v in dataclasses.asdict(options).items()
        }
    return {"repr": repr(options)}


def _number(stats: Any, name: str) -> float | int | None:
    value = getattr(stats, name, None)
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)
