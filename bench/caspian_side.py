"""The caspian side: build, hand-over and solve through ``caspian.optimize``.

Coded against the optimiser's contract: ``build_model(n)`` returns a model with ``n_variables``,
``n_constraints``, ``nnz`` and ``to_highs(options) -> highspy.Highs``; ``optimize(n, options)``
returns a result with ``objective`` and ``solver.solve_seconds`` / ``solver.iterations``;
``SolverOptions(algorithm=..., crossover=..., time_limit=...)`` holds the solver settings.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from types import ModuleType
from typing import Any

from bench.highs_options import TOLERANCES

MISSING_MESSAGE = (
    "caspian.optimize.build_model is not available yet (the optimiser is still being written); "
    "the caspian side is skipped."
)

_DICT_FIELDS = ("highs_options", "extra_options", "extra", "options")
"""Names under which SolverOptions might take raw HiGHS options it has no field for."""


class CaspianMissing(Exception):
    """``caspian.optimize`` does not provide the API the benchmark needs."""


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


def solve(module: ModuleType, n: Any, options: Any) -> dict[str, Any]:
    """``optimize(n, options)``; status, objective and the solver's statistics.

    A solve that is not optimal raises in caspian-grid; it is reported with the error's name.
    """
    try:
        result = module.optimize(n, options)
    except Exception as err:  # the optimiser's own errors for non-optimal outcomes
        return {"status": "not optimal", "termination": f"{type(err).__name__}: {err}"}
    stats = getattr(result, "solver", None)
    status = getattr(result, "status", "optimal")
    return {
        "status": "ok",
        "termination": str(getattr(status, "value", status)),
        "objective": float(result.objective),
        "solver_seconds": _number(stats, "solve_seconds"),
        "iterations": _number(stats, "iterations"),
    }


def _number(stats: Any, name: str) -> float | int | None:
    value = getattr(stats, name, None)
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)
