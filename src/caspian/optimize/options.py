"""Solver settings handed to HiGHS."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from caspian.exceptions import InputError
from caspian.optimize.auto import ProblemSize, choose_method


class Algorithm(StrEnum):
    """HiGHS algorithms for linear programs.

    ``AUTO`` picks dual simplex for small models (exact vertex solutions, exact duals) and the
    HiPO interior-point solver for larger ones, by the one rule of
    [`caspian.optimize.auto.choose_method`][caspian.optimize.auto.choose_method] (which also
    says when [`caspian.decompose.solve_network`][caspian.decompose.solve_network] decomposes a
    model instead). ``IPM`` is HiGHS's older IPX interior-point
    solver (HiGHS option ``solver="ipx"``; with highspy-extras installed HiGHS's own ``"ipm"``
    would run HiPO too), ``HIPO`` its newer one, ``PDLP`` its first-order solver.

    Why these defaults: dual simplex needs a number of iterations that grows with the number of
    rows, so past some tens of thousands of columns an interior-point solver is faster; of the
    two, HiPO (a direct factorisation, multi-threaded) is faster than IPX (conjugate
    gradients): 11 s against 30 s of CPU time, one thread, on the synthetic 20 x 365. PDLP is
    never chosen automatically: a first-order method, it stops at a relative accuracy
    (``pdlp_optimality_tolerance``, ``1e-7``) that leaves prices less certain than the other
    solvers' and may need tens of thousands of iterations to reach it.
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


@dataclass(frozen=True)
class SolverOptions:
    """How HiGHS solves the linear program.

    Parameters
    ----------
    algorithm
        ``"auto"``, ``"hipo"``, ``"ipm"``, ``"simplex"`` or ``"pdlp"`` (see
        [`Algorithm`][caspian.optimize.options.Algorithm] for what ``auto`` picks and why).
    crossover
        run crossover after an interior-point solve to reach a vertex (a basic
        solution with exact, basic duals). ``None`` means off; it only matters for ``ipm`` and
        ``hipo``. Without it the prices are those of a point near the centre of the optimal face:
        optimal within the tolerances, and where a price is not unique (a degenerate optimum) a
        value inside its range rather than one end of it. Turn it on only when exact vertex
        duals are needed (sensitivity analysis, comparing duals bit-for-bit with a simplex
        solve): crossover is a simplex phase whose time grows with the model and is hard to
        predict, so it stays off by default even where ``auto`` picks HiPO.
    primal_feasibility_tolerance, dual_feasibility_tolerance
        HiGHS's absolute tolerances (HiGHS's defaults, ``1e-7``), on the program as HiGHS receives
        it. With ``scaling`` its numbers are near one, so they act as relative tolerances: ``1e-7``
        of the typical flow and of the typical cost rather than ``1e-7`` MW next to bounds of
        ``1e6`` MWh.
    ipm_optimality_tolerance
        relative duality gap at which interior point stops (HiGHS's default, ``1e-8``): two orders
        tighter than the ``1e-6`` to which objectives and prices are compared with PyPSA, so that a
        solve without crossover still meets that check.
    threads
        number of threads HiGHS may use (``None``: HiGHS decides).
    time_limit
        seconds; ``None`` for no limit. Reaching it raises ``TimeLimitError``.
    log_to_console
        print HiGHS's log.
    scaling
        hand HiGHS the program rescaled by
        [`caspian.optimize.conditioning.scale_program`][caspian.optimize.conditioning.scale_program]
        (powers of two, so the solution maps back exactly) instead of the program in MW, MWh and
        EUR; results are always in the original units. On by default: HiGHS then solves the same
        program whatever units the data come in, and its tolerances mean the same on every network;
        solve times stayed within the usual variation (see
        [`caspian.optimize.conditioning`][caspian.optimize.conditioning]).
    extra
        further HiGHS options by their HiGHS name, passed through unchanged.
    """

    algorithm: Algorithm | str = Algorithm.AUTO
    crossover: bool | None = None
    primal_feasibility_tolerance: float = 1e-7
    dual_feasibility_tolerance: float = 1e-7
    ipm_optimality_tolerance: float = 1e-8
    threads: int | None = None
    time_limit: float | None = None
    log_to_console: bool = False
    scaling: bool = True
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
        """These options with ``AUTO`` replaced by the algorithm HiGHS runs on a whole model of
        ``n_columns`` columns ([`choose_method`][caspian.optimize.auto.choose_method] of one
        block, which is never Benders)."""
        if self.algorithm != Algorithm.AUTO:
            return self
        choice = choose_method(ProblemSize(columns=n_columns))
        return replace(self, algorithm=Algorithm(choice.value))

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
