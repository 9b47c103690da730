"""Solver settings handed to HiGHS."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from caspian.exceptions import InputError


class Algorithm(StrEnum):
    """HiGHS algorithms for linear programs.

    ``AUTO`` picks dual simplex for small models (exact vertex solutions, exact duals) and the
    HiPO interior-point solver for larger ones. ``IPM`` is HiGHS's older IPX interior-point
    solver (HiGHS option ``solver="ipx"``; with highspy-extras installed HiGHS's own ``"ipm"``
    would run HiPO too), ``HIPO`` its newer one, ``PDLP`` its first-order solver.
    """

    AUTO = "auto"
    HIPO = "hipo"
    IPM = "ipm"
    SIMPLEX = "simplex"
    PDLP = "pdlp"


HIGHS_SOLVER_NAME = {
    Algorithm.HIPO: "hipo",
    Algorithm.IPM: "ipx",
    Algorithm.SIMPLEX: "simplex",
    Algorithm.PDLP: "pdlp",
}
"""HiGHS's value of its ``solver`` option for each algorithm."""

AUTO_SIMPLEX_MAX_COLUMNS = 20_000
"""With ``Algorithm.AUTO``, models with at most this many variables are solved by simplex."""


@dataclass(frozen=True)
class SolverOptions:
    """How HiGHS solves the linear program.

    Parameters
    ----------
    algorithm : ``"auto"``, ``"hipo"``, ``"ipm"``, ``"simplex"`` or ``"pdlp"``.
    crossover : run crossover after an interior-point solve to reach a vertex with exact duals.
        ``None`` means off; crossover only matters for ``ipm`` and ``hipo``.
    primal_feasibility_tolerance, dual_feasibility_tolerance : HiGHS's tolerances.
    ipm_optimality_tolerance : relative duality gap at which interior point stops.
    threads : number of threads HiGHS may use (``None``: HiGHS decides).
    time_limit : seconds; ``None`` for no limit. Reaching it raises ``TimeLimitError``.
    log_to_console : print HiGHS's log.
    extra : further HiGHS options by their HiGHS name, passed through unchanged.
    """

    algorithm: Algorithm | str = Algorithm.AUTO
    crossover: bool | None = None
    primal_feasibility_tolerance: float = 1e-7
    dual_feasibility_tolerance: float = 1e-7
    ipm_optimality_tolerance: float = 1e-8
    threads: int | None = None
    time_limit: float | None = None
    log_to_console: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "algorithm", Algorithm(str(self.algorithm).lower()))
        except ValueError:
            choices = ", ".join(a.value for a in Algorithm)
            raise InputError(
                f"unknown algorithm {self.algorithm!r}.",
                component="SolverOptions",
                attribute="algorithm",
                hint=f"Choose one of: {choices}.",
            ) from None
        if self.time_limit is not None and not self.time_limit > 0:
            raise InputError(
                f"time_limit must be positive, got {self.time_limit!r}.",
                component="SolverOptions",
                attribute="time_limit",
                hint="Give a number of seconds, or None for no limit.",
            )
        if self.threads is not None and self.threads < 1:
            raise InputError(
                f"threads must be at least 1, got {self.threads!r}.",
                component="SolverOptions",
                attribute="threads",
            )

    def resolved(self, n_columns: int) -> SolverOptions:
        """These options with ``AUTO`` replaced by the algorithm used for a model this size."""
        if self.algorithm != Algorithm.AUTO:
            return self
        algorithm = Algorithm.SIMPLEX if n_columns <= AUTO_SIMPLEX_MAX_COLUMNS else Algorithm.HIPO
        return replace(self, algorithm=algorithm)

    def highs_options(self) -> dict[str, Any]:
        """The options as HiGHS option names and values (``AUTO`` must be resolved first)."""
        algorithm = Algorithm(self.algorithm)
        if algorithm == Algorithm.AUTO:
            raise ValueError("resolve Algorithm.AUTO with SolverOptions.resolved() first")
        opts: dict[str, Any] = {
            "solver": HIGHS_SOLVER_NAME[algorithm],
            "primal_feasibility_tolerance": self.primal_feasibility_tolerance,
            "dual_feasibility_tolerance": self.dual_feasibility_tolerance,
            "ipm_optimality_tolerance": self.ipm_optimality_tolerance,
            "output_flag": self.log_to_console,
            "log_to_console": self.log_to_console,
        }
        if algorithm in (Algorithm.IPM, Algorithm.HIPO):
            opts["run_crossover"] = "on" if self.crossover else "off"
        if self.threads is not None:
            opts["threads"] = self.threads
        if self.time_limit is not None:
            opts["time_limit"] = float(self.time_limit)
        opts.update(self.extra)
        return opts
