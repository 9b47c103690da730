"""The real job: the base corridor study at full hourly resolution, PyPSA + HiGHS HiPO against
caspian-grid: ``python -m bench.corridor_bench``.

Each case runs in its own process (:mod:`bench.corridor_worker`) and reports its time to answer,
peak RSS, objective (EUR), Caspian link capacity (MW) and status or gap:

1. ``pypsa``: the base corridor network (``--hours`` per snapshot, 1 = the full hourly year)
   exported to PyPSA and solved with PyPSA + linopy + HiGHS HiPO, no crossover, the same
   tolerances and threads as caspian-grid, ``io_api="direct"``, within ``--pypsa-time-limit``;
2. ``caspian-exact``: the same network by caspian-grid's fastest exact method, Benders
   decomposition (``--caspian-method benders``), or one HiPO solve (``monolithic``);
3. ``caspian-default``: ``caspian run`` end to end at the scenario's default resolution;
4. ``caspian-typical-days``: ``caspian run --typical-days N``, where the CLI has that option;
5. ``synthetic-100x8760``: a synthetic network of 100 buses over 8760 hours, by caspian-grid.

Tables with PyPSA/case ratios and the errors against the exact answer are printed; every raw
number goes to a CSV with the machine's description. Nothing asserts. See bench/README.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from bench.corridor_report import CSV_FIELDS as CORRIDOR_CSV_FIELDS
from bench.corridor_report import CaseResult, csv_rows, print_corridor_report, summarise
from bench.corridor_worker import CORRIDOR_CASES, SYNTHETIC_PREFIX, parse_case
from bench.machine import machine_info
from bench.report import summary_line, write_csv
from bench.runner import REPO_ROOT, WorkerRun, run_module
from caspian.decompose.benders import EXACT_GAP

DEFAULT_CSV = REPO_ROOT / "bench" / "results" / "corridor_bench.csv"
DEFAULT_CASES = (*CORRIDOR_CASES, f"{SYNTHETIC_PREFIX}100x8760")
RUN_ORDER = ("caspian-exact", "caspian-default", "caspian-typical-days", "pypsa")
"""The quick cases first; synthetic ones last."""
METHOD_CHOICES = ("benders", "monolithic")
SETUP_ALLOWANCE_S = 1800.0
"""Seconds a worker may run beyond its solver's time limit (network, model build, results)
before it is killed."""
HINTS = {
    "pypsa": "about an hour at 1-hourly on 2 cores, seconds at 24-hourly",
    "caspian-default": "about 1.5 minutes on 2 cores",
    "caspian-typical-days": "about 30 s on 2 cores",
}
"""Shown while a case runs."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corridor_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--hours",
        type=int,
        default=1,
        help="hours per snapshot of the pypsa and caspian-exact cases (default 1, the full "
        "hourly year; e.g. 24 for a quick run)",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        default=list(DEFAULT_CASES),
        help=f"cases to run, space- or comma-separated (default: {' '.join(DEFAULT_CASES)}); "
        "synthetic-BxH for another synthetic size",
    )
    parser.add_argument(
        "--pypsa-time-limit", type=float, default=3600.0, help="HiGHS time limit, s (3600)"
    )
    parser.add_argument(
        "--caspian-time-limit",
        type=float,
        default=3600.0,
        help="time limit of caspian-exact and the synthetic case, s (3600)",
    )
    parser.add_argument(
        "--caspian-method",
        choices=METHOD_CHOICES,
        default="benders",
        help="exact method of caspian-exact and the synthetic case: Benders decomposition "
        "(default) or one HiPO solve of the whole model",
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="HiGHS threads and Benders workers (2)"
    )
    parser.add_argument("--block-hours", type=float, default=168.0, help="Benders block, h")
    parser.add_argument(
        "--gap",
        type=float,
        default=EXACT_GAP,
        help=f"Benders relative gap (default {EXACT_GAP:g}, the exact optimum and its prices)",
    )
    parser.add_argument(
        "--typical-days", type=int, default=12, help="days of caspian-typical-days (12)"
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="where to write the CSV")
    args = parser.parse_args(argv)
    cases = [c.strip() for text in args.cases for c in text.split(",") if c.strip()]
    try:
        args.cases = sorted(dict.fromkeys(parse_case(c) for c in cases), key=_run_position)
    except argparse.ArgumentTypeError as err:
        parser.error(str(err))
    if args.hours < 1:
        parser.error("--hours must be at least 1")
    return args


def _run_position(case: str) -> int:
    return RUN_ORDER.index(case) if case in RUN_ORDER else len(RUN_ORDER)


def method_label(case: str, args: argparse.Namespace, method: str) -> str:
    """How a case is solved, for the tables."""
    if case == "pypsa":
        return f"PyPSA + HiGHS hipo, {args.threads} threads"
    if case == "caspian-default":
        return "caspian run"
    if case == "caspian-typical-days":
        return f"caspian run --typical-days {args.typical_days}"
    if method == "benders":
        return f"Benders, {args.block_hours:g} h blocks, gap {args.gap:g}, {args.threads} workers"
    return f"monolithic HiGHS hipo, {args.threads} threads"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cases; the exit code is 0 unless a worker failed unexpectedly."""
    args = parse_args(argv)
    console = Console()
    if not console.is_terminal:  # a log file: room for the wide tables
        console = Console(width=180)
    machine = machine_info()
    method = args.caspian_method
    console.print(
        f"[bold]Corridor benchmark[/]: base scenario, {args.hours}-hourly; PyPSA "
        f"{machine['pypsa']} (linopy {machine['linopy']}, highspy {machine['highspy']}) against "
        f"caspian-grid {machine['caspian-grid']} ({method}) on {machine['cores']} cores, "
        f"{machine['ram_gb']} GB; cases {', '.join(args.cases)}"
    )
    results: list[CaseResult] = []
    for case in args.cases:
        label = method_label(case, args, method)
        limit = _time_limit(case, args)
        run = _measure(console, case, label, _arguments(case, args, method), limit, args)
        results.append(summarise(case, label, run, limit))
    console.print()
    print_corridor_report(console, results, args.hours)
    rows = csv_rows(results, args.hours, args.threads)
    write_csv(args.csv, rows, machine, CORRIDOR_CSV_FIELDS)
    console.print(f"Raw numbers: {args.csv}; worker logs: {args.csv.parent / 'logs'}")
    return 1 if any(r.run.status in ("error", "crashed") for r in results) else 0


def _time_limit(case: str, args: argparse.Namespace) -> float | None:
    if case == "pypsa":
        return float(args.pypsa_time_limit)
    if case in ("caspian-default", "caspian-typical-days"):
        return None  # the CLI has no time limit; the worker's time-out stops it
    return float(args.caspian_time_limit)


def _arguments(case: str, args: argparse.Namespace, method: str) -> list[str]:
    limit = args.pypsa_time_limit if case == "pypsa" else args.caspian_time_limit
    return [
        case,
        f"--hours={args.hours}",
        f"--method={method}",
        f"--time-limit={limit}",
        f"--threads={args.threads}",
        f"--block-hours={args.block_hours}",
        f"--gap={args.gap}",
        f"--typical-days={args.typical_days}",
    ]


def _measure(
    console: Console,
    case: str,
    label: str,
    arguments: list[str],
    time_limit_s: float | None,
    args: argparse.Namespace,
) -> WorkerRun:
    """Run one case's worker with a live status line, then print a one-line summary."""
    hint = HINTS.get(case)
    limit = args.caspian_time_limit if time_limit_s is None else time_limit_s
    intro = f"{case} ({label}{'; ' + hint if hint else ''})"
    stem = f"corridor-{case}" + (f"-{args.hours}h" if case in ("pypsa", "caspian-exact") else "")
    with console.status(intro) as status:

        def tick(elapsed: float, line: str) -> None:
            status.update(f"{intro} [{elapsed:.0f} s] {line}")

        run = run_module(
            "bench.corridor_worker",
            arguments,
            stem,
            args.csv.parent,
            limit + SETUP_ALLOWANCE_S,
            on_tick=tick,
        )
    mw = run.info.get("solve", {}).get("caspian_mw")
    console.print(summary_line(case, run, () if mw is None else (f"Caspian {mw:,.0f} MW",)))
    return run


if __name__ == "__main__":
    raise SystemExit(main())
