"""The corridor benchmark's output: what each case answered, how fast and in how much memory,
against PyPSA and against the exact answer; the rich tables and the CSV rows.

Ratios are PyPSA over the case (above 1: the case is faster or smaller). A case that did not
answer within its time limit has only a lower bound on its time, so a ratio with it is a bound
(``>=`` where PyPSA's time is the bound). Nothing here asserts: the targets are printed as
PASS/FAIL columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.report import (
    fmt_memory,
    fmt_objective,
    fmt_seconds,
    megabytes,
    rounded,
    solved_to_optimality,
)
from bench.runner import WorkerRun

MEMORY_TARGET_BYTES = 16e9
"""Peak RSS each case should stay within."""
OBJECTIVE_TARGET = 0.02
"""Largest relative error of an approximation's total cost against the exact answer."""
CAPACITY_TARGET = 0.10
"""Largest relative error of an approximation's Caspian capacity against the exact answer."""
CAPACITY_FLOOR_MW = 1.0
"""Capacity errors are relative to the exact capacity or this, whichever is larger, so that a
link the exact answer does not build (0 MW, up to solver noise) still gives a finite error."""
APPROXIMATIONS = ("caspian-default", "caspian-typical-days")
"""Cases that answer a coarser model, checked against the targets."""
CORRIDOR = ("pypsa", "caspian-exact", *APPROXIMATIONS)
"""Cases on the corridor network, compared with PyPSA and with the exact answer."""
STAGES = ("import", "network", "to pypsa", "solve", "run")
"""Stages a corridor worker may time (see :mod:`bench.corridor_worker`)."""

CSV_FIELDS = (
    "case",
    "method",
    "hours",
    "status",
    "termination",
    "answered",
    "time_to_answer_s",
    "time_is_lower_bound",
    "time_limit_s",
    "threads",
    "peak_rss_mb",
    "within_memory_target",
    "objective_eur",
    "lower_bound_eur",
    "gap",
    "caspian_mw",
    "iterations",
    "solver_seconds",
    "primal_dual_objective_error",
    "reference_case",
    "objective_rel_error",
    "caspian_mw_rel_error",
    "objective_target_pass",
    "caspian_mw_target_pass",
    "time_ratio_pypsa",
    "time_ratio_bound",
    "memory_ratio_pypsa",
    *(f"{stage.replace(' ', '_')}_s" for stage in STAGES),
    *(f"{stage.replace(' ', '_')}_peak_rss_mb" for stage in STAGES),
    "child_max_rss_mb",
    "group_peak_rss_mb",
    "wall_seconds",
    "note",
    "log",
)


@dataclass(frozen=True)
class CaseResult:
    """One case's answer and cost.

    Attributes
    ----------
    case, method : the case name and a description of how it was solved.
    run : what its worker reported.
    time_limit_s : the solver's time limit it ran with (None: none).
    seconds : time to answer (s): the ``solve`` stage (network in memory to answer), or the
        ``run`` stage (the whole CLI run); for a case without an answer, a lower bound on it,
        or None if it failed before it could tell.
    lower_bound : ``seconds`` is a lower bound (no answer within the limit).
    peak_rss_bytes : the largest of the worker's stage peaks, the operating system's figure and
        the sampled sum over its processes (None if it measured nothing).
    """

    case: str
    method: str
    run: WorkerRun
    time_limit_s: float | None
    seconds: float | None
    lower_bound: bool
    peak_rss_bytes: float | None

    @property
    def answered(self) -> bool:
        """An exact answer: optimal, or Benders within its requested gap."""
        return solved_to_optimality(self.run)

    @property
    def solve(self) -> dict[str, Any]:
        return dict(self.run.info.get("solve", {}))

    @property
    def has_solution(self) -> bool:
        """An exact answer, or a feasible solution within a proved gap (Benders stopped early);
        a time-limited interior-point solve has neither."""
        return self.answered or (self.run.ok and self.gap is not None)

    @property
    def objective(self) -> float | None:
        """EUR per year, of the solution (None without one)."""
        return _finite(self.solve.get("objective")) if self.has_solution else None

    @property
    def caspian_mw(self) -> float | None:
        """MW of the Caspian link in the solution (None without one, or without the link)."""
        return _finite(self.solve.get("caspian_mw")) if self.has_solution else None

    @property
    def gap(self) -> float | None:
        return _finite(self.solve.get("gap"))

    @property
    def status(self) -> str:
        """``optimal``, ``converged`` (Benders within its gap), the solver's termination, or
        how the worker ended."""
        if not self.run.ok:
            return self.run.status
        solve = self.solve
        if solve.get("status") != "ok":
            return "not optimal"
        termination = str(solve.get("termination", "?"))
        if "requested_gap" in solve and termination == "optimal":
            return "converged"
        return termination


def summarise(case: str, method: str, run: WorkerRun, time_limit_s: float | None) -> CaseResult:
    """The :class:`CaseResult` of a worker's run."""
    stage = run.stage("run") or run.stage("solve")
    seconds: float | None = None if stage is None else float(stage["seconds"])
    lower_bound = False
    if not solved_to_optimality(run):
        lower_bound = True
        if stage is None:  # killed, crashed or failed before the answer's stage ended
            seconds = time_limit_s if run.timed_out else None
    peak = run.peak_rss_bytes or None
    return CaseResult(case, method, run, time_limit_s, seconds, lower_bound, peak)


def reference(results: Sequence[CaseResult]) -> CaseResult | None:
    """The exact answer the others are compared with: caspian-exact's, else PyPSA's."""
    for case in ("caspian-exact", "pypsa"):
        found = find(results, case)
        if found is not None and found.answered:
            return found
    return None


def find(results: Sequence[CaseResult], case: str) -> CaseResult | None:
    """The result of ``case``, if it ran."""
    return next((r for r in results if r.case == case), None)


# ------------------------------------------------------------------ comparisons
def time_ratio(pypsa: CaseResult | None, row: CaseResult) -> tuple[float | None, str]:
    """PyPSA's time over the row's, and ``">="``/``"<="`` if it is only a bound."""
    if pypsa is None or pypsa.seconds is None or row.seconds is None or row.seconds <= 0:
        return None, ""
    if pypsa.lower_bound and row.lower_bound:
        return None, ""  # both unfinished: no bound either way
    bound = ">=" if pypsa.lower_bound else "<=" if row.lower_bound else ""
    return pypsa.seconds / row.seconds, bound


def memory_ratio(pypsa: CaseResult | None, row: CaseResult) -> float | None:
    """PyPSA's peak RSS over the row's."""
    if pypsa is None or pypsa.peak_rss_bytes is None or not row.peak_rss_bytes:
        return None
    return pypsa.peak_rss_bytes / row.peak_rss_bytes


def objective_error(row: CaseResult, ref: CaseResult | None) -> float | None:
    """``(objective - exact) / |exact|``."""
    if ref is None or row.objective is None or ref.objective is None or ref.objective == 0:
        return None
    return (row.objective - ref.objective) / abs(ref.objective)


def capacity_error(row: CaseResult, ref: CaseResult | None) -> float | None:
    """``(MW - exact MW) / max(exact MW, CAPACITY_FLOOR_MW)`` of the Caspian link."""
    if ref is None or row.caspian_mw is None or ref.caspian_mw is None:
        return None
    return (row.caspian_mw - ref.caspian_mw) / max(abs(ref.caspian_mw), CAPACITY_FLOOR_MW)


def within(error: float | None, target: float) -> bool | None:
    """``|error| <= target`` (None if there is no error to check)."""
    return None if error is None else abs(error) <= target


# ------------------------------------------------------------------------ tables
def _fmt_time(row: CaseResult) -> str:
    if row.seconds is None:
        return "-"
    return (">= " if row.lower_bound else "") + fmt_seconds(row.seconds)


def _fmt_ratio(value: float | None, bound: str = "") -> str:
    if value is None:
        return "-"
    return f"{bound + ' ' if bound else ''}{value:.2f}x"


def _fmt_error(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:+.2e}" if abs(value) < 1e-4 else f"{value:+.2%}"


def _fmt_pass(value: bool | None) -> str:
    return "-" if value is None else "[green]PASS[/]" if value else "[red]FAIL[/]"


def _fmt_mw(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def in_table_order(results: Sequence[CaseResult]) -> list[CaseResult]:
    """PyPSA first, then caspian-grid's exact answer, the approximations, and the rest."""
    order = {case: i for i, case in enumerate(CORRIDOR)}
    return sorted(results, key=lambda r: order.get(r.case, len(order)))


def answers_table(results: Sequence[CaseResult], hours: int) -> Table:
    """Per case: time to answer, peak RSS (against the memory target), objective, Caspian MW,
    gap and status."""
    target = MEMORY_TARGET_BYTES / 1e9
    table = Table(
        title=f"Base corridor study ({hours}-hourly for the exact cases) and synthetic network",
        caption=f"Memory target: {target:.0f} GB peak RSS per case. "
        "'>=': no answer within the time limit, so the time is a lower bound.",
    )
    columns = ("case", "method", "time to answer", "peak RSS", f"<= {target:.0f} GB")
    for column in (*columns, "objective (EUR)", "Caspian MW", "gap", "status"):
        table.add_column(column, justify="left" if column in ("case", "method") else "right")
    for row in results:
        fits = None if row.peak_rss_bytes is None else row.peak_rss_bytes <= MEMORY_TARGET_BYTES
        table.add_row(
            row.case,
            row.method,
            _fmt_time(row),
            fmt_memory(row.peak_rss_bytes),
            "-" if fits is None else "yes" if fits else "[red]NO[/]",
            fmt_objective(row.objective),
            _fmt_mw(row.caspian_mw),
            "-" if row.gap is None else f"{row.gap:.1e}",
            row.status,
        )
    return table


def comparison_table(results: Sequence[CaseResult], ref: CaseResult | None) -> Table:
    """Per corridor case: PyPSA/case ratios, and its errors against the exact answer with the
    targets of the approximations."""
    pypsa = find(results, "pypsa")
    exact = "no exact answer" if ref is None else f"{ref.case}'s"
    table = Table(
        title=f"Against PyPSA (ratio = PyPSA / case) and against the exact answer ({exact})",
        caption=f"Targets for the approximations: total cost within {OBJECTIVE_TARGET:.0%}, "
        f"Caspian capacity within {CAPACITY_TARGET:.0%} (relative to the exact capacity, at "
        f"least {CAPACITY_FLOOR_MW:g} MW).",
    )
    columns = ("case", "time ratio", "memory ratio", "objective error", "Caspian MW error")
    for column in (*columns, f"cost <= {OBJECTIVE_TARGET:.0%}", f"MW <= {CAPACITY_TARGET:.0%}"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for row in results:
        if row.case not in CORRIDOR:
            continue
        own = row.case == "pypsa"
        ratio, bound = (None, "") if own else time_ratio(pypsa, row)
        objective, capacity = objective_error(row, ref), capacity_error(row, ref)
        checked = row.case in APPROXIMATIONS
        table.add_row(
            row.case,
            _fmt_ratio(ratio, bound),
            _fmt_ratio(None if own else memory_ratio(pypsa, row)),
            "-" if row is ref else _fmt_error(objective),
            "-" if row is ref else _fmt_error(capacity),
            _fmt_pass(within(objective, OBJECTIVE_TARGET)) if checked else "",
            _fmt_pass(within(capacity, CAPACITY_TARGET)) if checked else "",
        )
    return table


def print_corridor_report(console: Console, results: Sequence[CaseResult], hours: int) -> None:
    """Print both tables, then what failed or was skipped and any caveat about the reference."""
    ref = reference(results)
    results = in_table_order(results)
    console.print(answers_table(results, hours))
    if any(r.case in CORRIDOR for r in results):
        console.print(comparison_table(results, ref))
    if hours != 1 and ref is not None:
        console.print(
            f"[yellow]note:[/] the exact answers are {hours}-hourly, not the full hourly year; "
            "the approximations' errors are against that coarser model."
        )
    pypsa = find(results, "pypsa")
    if pypsa is not None and pypsa.run.ok and not pypsa.answered:
        console.print(
            "[yellow]note:[/] PyPSA reached no optimum within its time limit; its time is a "
            "lower bound, and so are the time ratios."
        )
    for row in results:
        if not row.run.ok:
            console.print(
                f"[yellow]{row.case}: {row.run.status}[/] {row.run.message} "
                f"(log: {row.run.log_path})"
            )
        elif row.solve.get("status") not in (None, "ok"):
            console.print(
                f"[yellow]{row.case}: not optimal[/] {row.solve.get('termination')} "
                f"(log: {row.run.log_path})"
            )


# --------------------------------------------------------------------------- CSV
def csv_rows(results: Sequence[CaseResult], hours: int, threads: int) -> list[dict[str, Any]]:
    """One row per case with every number behind the tables."""
    ref = reference(results)
    pypsa = find(results, "pypsa")
    rows = []
    for row in in_table_order(results):
        solve, run = row.solve, row.run
        corridor, own = row.case in CORRIDOR, row.case == "pypsa"
        ratio, bound = (None, "") if own or not corridor else time_ratio(pypsa, row)
        objective = objective_error(row, ref) if corridor else None
        capacity = capacity_error(row, ref) if corridor else None
        checked = row.case in APPROXIMATIONS
        out: dict[str, Any] = {
            "case": row.case,
            "method": row.method,
            "hours": _hours(row, hours),
            "status": row.status,
            "termination": solve.get("termination"),
            "answered": row.answered,
            "time_to_answer_s": rounded(row.seconds, 3),
            "time_is_lower_bound": row.lower_bound,
            "time_limit_s": row.time_limit_s,
            "threads": threads,
            "peak_rss_mb": megabytes(row.peak_rss_bytes),
            "within_memory_target": None
            if row.peak_rss_bytes is None
            else row.peak_rss_bytes <= MEMORY_TARGET_BYTES,
            "objective_eur": row.objective,
            "lower_bound_eur": solve.get("lower_bound"),
            "gap": row.gap,
            "caspian_mw": row.caspian_mw,
            "iterations": solve.get("iterations"),
            "solver_seconds": rounded(solve.get("solver_seconds"), 3),
            "primal_dual_objective_error": solve.get("primal_dual_objective_error"),
            "reference_case": None if ref is None or not corridor else ref.case,
            "objective_rel_error": objective,
            "caspian_mw_rel_error": capacity,
            "objective_target_pass": within(objective, OBJECTIVE_TARGET) if checked else None,
            "caspian_mw_target_pass": within(capacity, CAPACITY_TARGET) if checked else None,
            "time_ratio_pypsa": rounded(ratio, 4),
            "time_ratio_bound": bound,
            "memory_ratio_pypsa": rounded(None if own else memory_ratio(pypsa, row), 4)
            if corridor
            else None,
            "child_max_rss_mb": megabytes(run.child_max_rss_bytes),
            "group_peak_rss_mb": megabytes(run.group_peak_rss_bytes),
            "wall_seconds": rounded(run.wall_seconds, 3),
            "note": "; ".join(
                str(x)
                for x in (
                    run.message,
                    run.info.get("pypsa_input"),
                    run.info.get("options_note"),
                    run.info.get("command"),
                    "" if solve.get("status") in (None, "ok") else solve.get("termination"),
                )
                if x
            ),
            "log": str(run.log_path),
        }
        for stage in run.stages:
            key = str(stage["name"]).replace(" ", "_")
            out[f"{key}_s"] = rounded(stage["seconds"], 3)
            out[f"{key}_peak_rss_mb"] = megabytes(stage["peak_rss_bytes"])
        rows.append(out)
    return rows


def _hours(row: CaseResult, hours: int) -> Any:
    """Hours per snapshot of the model the case solved (a description for the CLI cases)."""
    if row.case in APPROXIMATIONS:
        resolution = row.run.info.get("resolution") or {}
        return ", ".join(f"{k}={v}" for k, v in resolution.items() if v is not None) or None
    if row.case.startswith("synthetic-"):
        return 1
    return hours


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number
