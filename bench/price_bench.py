"""What exact prices cost Benders: ``python -m bench.price_bench [--hours 6 1]``.

For each resolution, the base corridor network is solved in fresh processes
(:mod:`bench.corridor_worker`, case ``caspian-exact``):

1. by Benders to a loose gap (``--loose-gap``, 0.1 %, the default before prices were exact);
2. by Benders to ``EXACT_GAP`` (the default now), which also recovers the prices of the whole
   program from the master's cut multipliers (:mod:`caspian.decompose.prices`);
3. at resolutions of ``--reference-hours`` or coarser, by one HiPO solve of the whole program,
   whose prices are the reference.

It prints, per resolution: rounds, time, peak memory and the price-recovery step's own seconds
of each Benders run; the ratios exact / loose of time and memory (the issue's bar: at most 1.2 on
the hourly year); and the largest price difference of each Benders run against the reference.
Raw numbers go to ``bench/results/price_bench.csv``. Nothing asserts.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from bench.machine import machine_info
from bench.report import write_csv
from bench.runner import REPO_ROOT, WorkerRun, run_module
from caspian.decompose.benders import EXACT_GAP

DEFAULT_CSV = REPO_ROOT / "bench" / "results" / "price_bench.csv"
FIELDS = [
    "hours",
    "run",
    "status",
    "rounds",
    "gap",
    "seconds",
    "price_seconds",
    "peak_rss_gb",
    "objective",
    "max_price_difference",
]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.price_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--hours", type=int, nargs="+", default=[6, 1], help="resolutions")
    parser.add_argument("--loose-gap", type=float, default=1e-3, help="gap of the loose run")
    parser.add_argument(
        "--reference-hours",
        type=int,
        default=3,
        help="solve the whole program for reference prices at this many hours per snapshot "
        "or more (3)",
    )
    parser.add_argument("--threads", type=int, default=2, help="Benders workers, HiGHS threads")
    parser.add_argument("--time-limit", type=float, default=3600.0, help="per solve, s")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console() if Console().is_terminal else Console(width=160)
    machine = machine_info()
    console.print(
        f"[bold]Price benchmark[/]: base corridor, Benders to {args.loose_gap:g} and to "
        f"{EXACT_GAP:g}, {args.threads} workers; caspian-grid {machine['caspian-grid']} on "
        f"{machine['cores']} cores"
    )
    rows: list[dict[str, Any]] = []
    folder = args.csv.parent
    folder.mkdir(parents=True, exist_ok=True)
    for hours in args.hours:
        runs: dict[str, tuple[WorkerRun, Path]] = {}
        plan = [("loose", "benders", args.loose_gap), ("exact", "benders", EXACT_GAP)]
        if hours >= args.reference_hours:
            plan.append(("whole program (HiPO)", "monolithic", EXACT_GAP))
        for label, method, gap in plan:
            prices = folder / f"prices-{hours}h-{method}-{gap:g}.parquet"
            prices.unlink(missing_ok=True)
            with console.status(f"{hours}-hourly, {label}"):
                run = run_module(
                    "bench.corridor_worker",
                    [
                        "caspian-exact",
                        f"--hours={hours}",
                        f"--method={method}",
                        f"--gap={gap}",
                        f"--threads={args.threads}",
                        f"--time-limit={args.time_limit}",
                        f"--prices={prices}",
                    ],
                    f"price-{hours}h-{method}-{gap:g}",
                    folder,
                    args.time_limit + 1800.0,
                )
            runs[label] = (run, prices)
        reference = runs.get("whole program (HiPO)")
        table = Table(title=f"{hours}-hourly base corridor")
        for column in (
            "run",
            "rounds",
            "proved gap",
            "s",
            "price recovery s",
            "peak GB",
            "max |dP|",
        ):
            table.add_column(column, justify="left" if column == "run" else "right")
        for label, (run, prices) in runs.items():
            solve = run.info.get("solve", {})
            stage = run.stage("solve")
            seconds = float(stage["seconds"]) if stage else float("nan")
            diff = _max_difference(prices, reference[1]) if reference else float("nan")
            row = {
                "hours": hours,
                "run": label,
                "status": solve.get("termination", run.status),
                "rounds": solve.get("iterations"),
                "gap": solve.get("gap"),
                "seconds": seconds,
                "price_seconds": solve.get("price_seconds"),
                "peak_rss_gb": run.peak_rss_bytes / 1e9,
                "objective": solve.get("objective"),
                "max_price_difference": diff,
            }
            rows.append(row)
            table.add_row(
                label,
                _fmt(row["rounds"], "{:d}"),
                _fmt(row["gap"], "{:.1e}"),
                _fmt(seconds, "{:,.1f}"),
                _fmt(row["price_seconds"], "{:.2f}"),
                _fmt(row["peak_rss_gb"], "{:.2f}"),
                _fmt(diff, "{:.2e}"),
            )
        console.print(table)
        loose, exact = runs["loose"][0], runs["exact"][0]
        if loose.ok and exact.ok:
            t_loose = loose.stage("solve")["seconds"]  # type: ignore[index]
            t_exact = exact.stage("solve")["seconds"]  # type: ignore[index]
            console.print(
                f"exact / loose: time {t_exact / t_loose:.2f}, peak memory "
                f"{exact.peak_rss_bytes / max(loose.peak_rss_bytes, 1):.2f}"
            )
    write_csv(args.csv, rows, machine, FIELDS)
    console.print(f"Raw numbers: {args.csv}")
    return 0


def _max_difference(prices: Path, reference: Path) -> float:
    if not prices.exists() or not reference.exists():
        return float("nan")
    got, want = pd.read_parquet(prices), pd.read_parquet(reference)
    return float((got - want).abs().to_numpy().max())


def _fmt(value: Any, pattern: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return pattern.format(value)


if __name__ == "__main__":
    raise SystemExit(main())
