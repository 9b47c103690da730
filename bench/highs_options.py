"""The HiGHS options both sides solve with, so that the solver does the same work."""

from __future__ import annotations

from typing import Any

TOLERANCES: dict[str, float] = {
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
    "ipm_optimality_tolerance": 1e-8,
}
"""HiGHS's defaults, set explicitly so that a change of default cannot favour one side."""


def highs_options(time_limit_s: float, threads: int) -> dict[str, Any]:
    """HiGHS options: the HiPO interior-point solver without crossover, shared tolerances.

    Parameters
    ----------
    time_limit_s : HiGHS's own time limit in seconds.
    threads : most threads HiGHS may use.
    """
    return {
        "solver": "hipo",
        "run_crossover": "off",
        "threads": threads,
        "time_limit": float(time_limit_s),
        **TOLERANCES,
    }


COMPARED = ("output_flag", "presolve", "parallel")
"""Options neither side sets but both should leave alike; read back with the ones set."""


def read_back(highs: Any, names: list[str]) -> dict[str, Any]:
    """The values a ``highspy.Highs`` instance actually holds for the options ``names``.

    HiGHS ignores an option it does not know or cannot accept; reading the values back shows
    what each side really handed to the solver.
    """
    values: dict[str, Any] = {}
    for name in names:
        _status, value = highs.getOptionValue(name)
        values[name] = value if isinstance(value, (bool, int, float, str)) else str(value)
    return values


def model_size(highs: Any) -> dict[str, int]:
    """Columns, rows and nonzeros of the LP held by a ``highspy.Highs`` instance."""
    return {
        "n_variables": int(highs.getNumCol()),
        "n_constraints": int(highs.getNumRow()),
        "nnz": int(highs.getNumNz()),
    }
