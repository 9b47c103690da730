"""Build and solve benchmark of caspian-grid against PyPSA: ``python -m bench.build_bench``.

For every size on the ladder (buses x hours) both sides get the same synthetic network
(:func:`caspian.network.synthetic.synthetic_network`, same seed) and each measurement runs in its
own process (see :mod:`bench.worker`):

1. build + hand-over: the LP built and passed to HiGHS, not solved; time and peak RSS per stage;
2. solve: build and solve to optimality with the same HiGHS options (HiPO, no crossover, same
   tolerances and threads), from the smallest size up, while the side stays within the cap.

Tables with PyPSA/caspian ratios are printed; every raw number goes to a CSV with the machine's
description. Nothing asserts on wall-clock time. See bench/README.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from bench.machine import machine_info, total_ram_bytes
from bench.report import csv_rows, print_report, solved_to_optimality, summary_line, write_csv
from bench.runner import REPO_ROOT, Outcome, WorkerSettings, run_worker
from bench.sizes import LADDER, QUICK, Size, parse_sizes
from bench.worker import PYPSA_INPUTS

DEFAULT_CSV = REPO_ROOT / "bench" / "results" / "build_bench.csv"
SIDE_NAMES = {"pypsa": "PyPSA", "caspian": "caspian"}
VARIABLES_PER_BUS_HOUR = 7.6
"""PyPSA's LP size on these networks (pypsa_notes.md); used for progress messages only."""
PYPSA_HINTS: dict[tuple[str, Size], str] = {
    ("build", Size(50, 2190)): "PyPSA took ~3 s and ~0.9 GB here",
    ("build", Size(100, 8760)): "PyPSA took ~15 s and ~4.7 GB here",
    ("solve", Size(20, 336)): "PyPSA took ~15-20 s here",
    ("solve", Size(30, 730)): "PyPSA took ~60 s here",
}
"""Measured with this benchmark on a 2-core, 24 GB machine; shown while the worker runs."""
BUILD_TIMEOUT_S = 1800.0
SOLVE_MEMORY_SHARE = 0.5
"""A solve is skipped where the build alone already used this share of the machine's RAM."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.build_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ladder = ",".join(s.label for s in LADDER)
    parser.add_argument("--sizes", type=_sizes, help=f"BUSESxHOURS list (default {ladder})")
    parser.add_argument("--quick", action="store_true", help="only the two smallest sizes")
    parser.add_argument("--sides", default="pypsa,caspian", help="pypsa, caspian or both")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic networks")
    parser.add_argument(
        "--solve-cap", type=float, default=300.0, help="HiGHS time limit per solve, s"
    )
    parser.add_argument("--threads", type=int, default=2, help="HiGHS threads on both sides")
    parser.add_argument("--no-solve", action="store_true", help="build and hand-over only")
    parser.add_argument(
        "--pypsa-input",
        choices=PYPSA_INPUTS,
        default="auto",
        help="how PyPSA gets the network: caspian's PyPSA netCDF export, PyPSA's API, or "
        "the export if it reproduces the network exactly (default)",
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="where to write the CSV")
    args = parser.parse_args(argv)
    sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    if not sides or set(sides) - set(SIDE_NAMES):
        parser.error(f"--sides takes pypsa and/or caspian, got {args.sides!r}")
    args.sides = sides
    args.sizes = QUICK if args.quick else (args.sizes or LADDER)
    return args


def _sizes(text: str) -> tuple[Size, ...]:
    try:
        return parse_sizes(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit code is 0 unless a worker failed unexpectedly."""
    args = parse_args(argv)
    console = Console()
    if not console.is_terminal:  # a log file: no need to squeeze the tables into 80 columns
        console = Console(width=160)
    machine = machine_info()
    settings = WorkerSettings(
        seed=args.seed,
        time_limit_s=args.solve_cap,
        threads=args.threads,
        pypsa_input=args.pypsa_input,
        results_dir=args.csv.parent,
    )
    console.print(
        f"[bold]caspian-grid vs PyPSA {machine['pypsa']}[/] (linopy {machine['linopy']}, "
        f"highspy {machine['highspy']}) on {machine['cores']} cores, {machine['ram_gb']} GB; "
        f"sizes {', '.join(s.label for s in args.sizes)}; seed {args.seed}"
    )
    outcomes: list[Outcome] = []
    for size in args.sizes:
        for side in args.sides:
            outcomes.append(_measure(console, side, "build", size, settings, BUILD_TIMEOUT_S))
    if not args.no_solve:
        outcomes += _solve_ladder(console, args, settings, outcomes)
    console.print()
    print_report(console, outcomes, args.sizes)
    write_csv(args.csv, csv_rows(outcomes, args.seed), machine)
    console.print(f"Raw numbers: {args.csv}; worker logs: {settings.results_dir / 'logs'}")
    return 1 if any(o.status in ("error", "crashed") for o in outcomes) else 0


def _solve_ladder(
    console: Console, args: argparse.Namespace, settings: WorkerSettings, builds: list[Outcome]
) -> list[Outcome]:
    """Solve from the smallest size up; a side stops after its first solve that is not optimal
    within the cap (larger sizes would take longer still)."""
    outcomes: list[Outcome] = []
    stopped: dict[str, str] = {}
    for side in args.sides:
        build = next((o for o in builds if o.side == side and o.task == "build"), None)
        if build is not None and build.status == "skipped":
            stopped[side] = build.message
    ram = total_ram_bytes()
    for size in sorted(args.sizes, key=lambda s: s.n_buses * s.n_hours):
        for side in args.sides:
            if side in stopped:
                continue
            build = next(
                (o for o in builds if (o.side, o.task, o.size) == (side, "build", size)), None
            )
            stage = None if build is None else build.stage("hand-over")
            if ram and stage is not None and stage["peak_rss_bytes"] > SOLVE_MEMORY_SHARE * ram:
                console.print(
                    f"[yellow]skip[/] {SIDE_NAMES[side]} solve {size.label}: the build alone "
                    f"used {stage['peak_rss_bytes'] / 1e9:.1f} of {ram / 1e9:.0f} GB"
                )
                continue
            timeout = 2.0 * args.solve_cap + 600.0
            out = _measure(console, side, "solve", size, settings, timeout)
            outcomes.append(out)
            if not solved_to_optimality(out):
                stopped[side] = f"{size.label} was not solved to optimality within the cap"
                console.print(f"[yellow]{SIDE_NAMES[side]}: no solves beyond {size.label}[/]")
    return outcomes


def _measure(
    console: Console,
    side: str,
    task: str,
    size: Size,
    settings: WorkerSettings,
    timeout_s: float,
) -> Outcome:
    """Run one worker with a live status line, then print a one-line summary."""
    what = "build + hand-over" if task == "build" else "solve"
    label = f"{SIDE_NAMES[side]} {what} {size.label}"
    variables = VARIABLES_PER_BUS_HOUR * size.n_buses * size.n_hours
    hint = PYPSA_HINTS.get((task, size), "") if side == "pypsa" else ""
    intro = f"{label} (~{variables / 1e6:.2g}M variables{'; ' + hint if hint else ''})"
    with console.status(intro) as status:

        def tick(elapsed: float, line: str) -> None:
            status.update(f"{intro} [{elapsed:.0f} s] {line}")

        out = run_worker(side, task, size, settings, timeout_s, on_tick=tick)
    console.print(summary_line(label, out))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
