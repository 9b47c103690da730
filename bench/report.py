"""The benchmark's output: rich tables of times, memory and PyPSA/caspian ratios, and the CSV.

Ratios are PyPSA over caspian: above 1 means caspian-grid is faster or smaller.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.runner import Outcome, WorkerRun
from bench.sizes import Size

CSV_FIELDS = (
    "size",
    "n_buses",
    "n_hours",
    "seed",
    "side",
    "task",
    "stage",
    "seconds",
    "peak_rss_mb",
    "status",
    "n_variables",
    "n_constraints",
    "nnz",
    "objective",
    "termination",
    "solver_seconds",
    "iterations",
    "child_max_rss_mb",
    "note",
)
BUILD_STAGES = ("import", "network", "to pypsa", "build", "hand-over")


# ---------------------------------------------------------------------- CSV
def csv_rows(outcomes: Iterable[Outcome], seed: int) -> list[dict[str, Any]]:
    """One row per stage of every outcome (one row for a worker that finished no stage)."""
    rows = []
    for out in outcomes:
        base = {
            "size": out.size.label,
            "n_buses": out.size.n_buses,
            "n_hours": out.size.n_hours,
            "seed": seed,
            "side": out.side,
            "task": out.task,
            "status": out.status,
            "child_max_rss_mb": megabytes(out.child_max_rss_bytes),
            "note": "; ".join(
                x for x in (out.message, out.info.get("pypsa_input", ""), _options_note(out)) if x
            ),
        }
        for stage in out.stages or [{"name": "-", "seconds": None, "peak_rss_bytes": None}]:
            row = {**base, "stage": stage["name"], "seconds": rounded(stage["seconds"], 4)}
            row["peak_rss_mb"] = megabytes(stage["peak_rss_bytes"])
            if stage["name"] == "hand-over":
                row.update(out.info.get("lp", {}))
            if stage["name"] == "solve":
                solve = out.info.get("solve", {})
                row.update({k: solve.get(k) for k in ("objective", "termination", "iterations")})
                row["solver_seconds"] = rounded(solve.get("solver_seconds"), 4)
            rows.append(row)
    return rows


def write_csv(
    path: Path,
    rows: Sequence[dict[str, Any]],
    machine: dict[str, str],
    fields: Sequence[str] = CSV_FIELDS,
) -> None:
    """Write the rows (columns ``fields``) with the machine's description repeated on each, so
    one file says all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = [*fields, *machine]
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **machine})


def _options_note(out: Outcome) -> str:
    return str(out.info.get("options_note", ""))


def megabytes(n_bytes: float | None) -> float | None:
    """Bytes as MB (10^6 bytes) to 0.1 MB, for the CSV."""
    return None if n_bytes is None else round(n_bytes / 1e6, 1)


def rounded(value: float | None, digits: int) -> float | None:
    """``value`` rounded to ``digits`` decimals (None stays None), for the CSV."""
    return None if value is None else round(float(value), digits)


# ---------------------------------------------------------------------- tables
def _find(outcomes: Sequence[Outcome], side: str, task: str, size: Size) -> Outcome | None:
    return next(
        (o for o in outcomes if (o.side, o.task, o.size) == (side, task, size)),
        None,
    )


def _seconds(out: Outcome | None, stages: Sequence[str]) -> float | None:
    if out is None:
        return None
    found = [out.stage(name) for name in stages]
    if any(s is None for s in found):
        return None
    return sum(float(s["seconds"]) for s in found if s is not None)


def _peak(out: Outcome | None, stage: str) -> float | None:
    found = None if out is None else out.stage(stage)
    return None if found is None else float(found["peak_rss_bytes"])


def _ratio(pypsa: float | None, caspian: float | None) -> str:
    if pypsa is None or caspian is None or caspian <= 0:
        return "-"
    return f"{pypsa / caspian:.2f}x"


def fmt_seconds(value: float | None) -> str:
    """Seconds for a table: ms below 0.1 s, no decimals from 100 s."""
    if value is None:
        return "-"
    if value < 0.1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def fmt_memory(value: float | None) -> str:
    """Bytes for a table, in GB from 1 GB, else MB."""
    if value is None:
        return "-"
    return f"{value / 1e9:.2f} GB" if value >= 1e9 else f"{value / 1e6:.0f} MB"


def _fmt_count(value: Any) -> str:
    return "-" if value is None else f"{int(value):,}"


def build_table(outcomes: Sequence[Outcome], sizes: Sequence[Size]) -> Table:
    """Time and peak RSS per stage of the build task, with PyPSA/caspian ratios."""
    table = Table(title="Build and hand-over to HiGHS (not solved); ratio = PyPSA / caspian")
    for column in ("size", "stage", "PyPSA", "caspian", "ratio"):
        table.add_column(column, justify="left" if column in ("size", "stage") else "right")
    for column in ("PyPSA peak RSS", "caspian peak RSS", "ratio"):
        table.add_column(column, justify="right")
    for size in sizes:
        pypsa = _find(outcomes, "pypsa", "build", size)
        caspian = _find(outcomes, "caspian", "build", size)
        rows: list[tuple[str, tuple[str, ...], str]] = [
            (name, (name,), name) for name in BUILD_STAGES
        ]
        rows.append(("build + hand-over", ("build", "hand-over"), "hand-over"))
        for label, stages, rss_stage in rows:
            t_p, t_c = _seconds(pypsa, stages), _seconds(caspian, stages)
            m_p, m_c = _peak(pypsa, rss_stage), _peak(caspian, rss_stage)
            if label == "to pypsa":
                t_c = m_c = None
            table.add_row(
                size.label if label == "import" else "",
                label,
                fmt_seconds(t_p),
                fmt_seconds(t_c),
                _ratio(t_p, t_c) if label != "to pypsa" else "",
                fmt_memory(m_p),
                fmt_memory(m_c),
                _ratio(m_p, m_c) if label != "to pypsa" else "",
                style="bold" if label == "build + hand-over" else None,
                end_section=label == "build + hand-over",
            )
    return table


def size_table(outcomes: Sequence[Outcome], sizes: Sequence[Size]) -> Table:
    """The LP each side handed to HiGHS: columns, rows and nonzeros."""
    table = Table(title="LP handed to HiGHS (columns, rows, nonzeros); ratio = PyPSA / caspian")
    table.add_column("size")
    for side in ("PyPSA", "caspian"):
        for what in ("vars", "rows", "nnz"):
            table.add_column(f"{side} {what}", justify="right")
    table.add_column("nnz ratio", justify="right")
    for size in sizes:
        lps = [
            (o.info.get("lp", {}) if o is not None else {})
            for o in (
                _find(outcomes, "pypsa", "build", size),
                _find(outcomes, "caspian", "build", size),
            )
        ]
        cells = [
            _fmt_count(lp.get(k)) for lp in lps for k in ("n_variables", "n_constraints", "nnz")
        ]
        table.add_row(size.label, *cells, _ratio(lps[0].get("nnz"), lps[1].get("nnz")))
    return table


def solve_table(outcomes: Sequence[Outcome], sizes: Sequence[Size]) -> Table:
    """Per size and side: time to optimal, HiGHS's own time, iterations, peak RSS, objective;
    then a row of PyPSA/caspian ratios and the objectives' relative difference."""
    table = Table(title="Solve to optimal (HiGHS hipo, no crossover, same options)")
    columns = ("size", "side", "time to optimal", "HiGHS time", "IPM iterations", "peak RSS")
    for column in (*columns, "objective", "status"):
        table.add_column(column, justify="left" if column in ("size", "side") else "right")
    for size in sizes:
        pypsa = _find(outcomes, "pypsa", "solve", size)
        caspian = _find(outcomes, "caspian", "solve", size)
        if pypsa is None and caspian is None:
            continue
        numbers = {}
        for side, out in (("PyPSA", pypsa), ("caspian", caspian)):
            solve = _solve_info(out)
            numbers[side] = (
                _time_to_optimal(out),
                solve.get("solver_seconds"),
                solve.get("iterations"),
                _peak(out, "solve"),
                solve.get("objective"),
            )
            time, highs, iterations, peak, objective = numbers[side]
            table.add_row(
                size.label if side == "PyPSA" else "",
                side,
                fmt_seconds(time),
                fmt_seconds(highs),
                _fmt_count(iterations),
                fmt_memory(peak),
                fmt_objective(objective),
                _status(out),
            )
        ratios = [
            _ratio(p, c) for p, c in zip(numbers["PyPSA"][:4], numbers["caspian"][:4], strict=True)
        ]
        diff = relative_difference(numbers["PyPSA"][4], numbers["caspian"][4])
        table.add_row(
            "", "PyPSA/caspian", *ratios, f"rel. diff {diff}", "", style="bold", end_section=True
        )
    return table


def _solve_info(out: WorkerRun | None) -> dict[str, Any]:
    return {} if out is None else dict(out.info.get("solve", {}))


def solved_to_optimality(out: WorkerRun | None) -> bool:
    """True if the worker finished and the solver reported an optimum."""
    if out is None or not out.ok:
        return False
    solve = _solve_info(out)
    return solve.get("status") == "ok" and str(solve.get("termination")) == "optimal"


def _time_to_optimal(out: Outcome | None) -> float | None:
    return _seconds(out, ("solve",)) if solved_to_optimality(out) else None


def _status(out: Outcome | None) -> str:
    if out is None:
        return "not run"
    if out.ok:
        return str(_solve_info(out).get("termination", "?"))
    return out.status


def fmt_objective(value: Any) -> str:
    """An objective (EUR) to 9 significant digits, ``-`` if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{float(value):.8e}"


def relative_difference(a: Any, b: Any) -> str:
    """``|a - b| / max(|a|, |b|)`` formatted, or ``-`` if either is missing."""
    if a is None or b is None:
        return "-"
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return "-"
    scale = max(abs(a), abs(b))
    return f"{abs(a - b) / scale:.1e}" if scale else "0"


def summary_line(label: str, run: WorkerRun, extra: Sequence[str] = ()) -> str:
    """One line for a finished worker: its stages' times, its answer, ``extra`` and its peak
    RSS, or why it has none."""
    if run.status == "skipped":
        return f"[yellow]skipped[/] {label}: {run.message}"
    if not run.ok:
        return f"[red]{run.status}[/] {label}: {run.message} (log: {run.log_path})"
    parts = [f"{s['name']} {s['seconds']:.2f} s" for s in run.stages]
    solve = run.info.get("solve")
    if solve:
        parts.append(f"{solve.get('termination')}, objective {solve.get('objective')}")
    parts += extra
    return (
        f"[green]done[/] {label}: "
        + ", ".join(parts)
        + f"; peak RSS {fmt_memory(run.peak_rss_bytes)}"
    )


def option_differences(outcomes: Sequence[Outcome]) -> list[str]:
    """HiGHS options that differ between the two sides' hand-over at the same size."""
    lines = []
    for out in outcomes:
        if out.side != "pypsa" or out.task != "build":
            continue
        other = _find(outcomes, "caspian", "build", out.size)
        ours, theirs = out.info.get("highs_options"), other and other.info.get("highs_options")
        if not ours or not theirs:
            continue
        for name, value in ours.items():
            if theirs.get(name) != value:
                lines.append(
                    f"{out.size.label}: HiGHS option {name} is {value!r} for PyPSA "
                    f"but {theirs.get(name)!r} for caspian"
                )
    return lines


def print_report(console: Console, outcomes: Sequence[Outcome], sizes: Sequence[Size]) -> None:
    """Print the tables, then what was skipped or failed and any option mismatch."""
    if any(o.task == "build" for o in outcomes):
        console.print(build_table(outcomes, sizes))
        console.print(size_table(outcomes, sizes))
    if any(o.task == "solve" for o in outcomes):
        console.print(solve_table(outcomes, sizes))
    for line in option_differences(outcomes):
        console.print(f"[yellow]warning:[/] {line}")
    for out in outcomes:
        if not out.ok:
            console.print(
                f"[yellow]{out.side} {out.task} {out.size.label}: {out.status}[/] "
                f"{out.message} (log: {out.log_path})"
            )
