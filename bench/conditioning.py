"""Conditioning benchmark: ``python -m bench.conditioning [--no-solve] [--only NAME ...]``.

For each network it prints the coefficient ranges of the linear program before and after
:func:`caspian.optimize.conditioning.scale_program` (with where the extremes are), and checks
them against the "Coefficient ranges" lines HiGHS itself logs for the program it is handed,
scaled and not. Then it solves the solve cases with HiPO (no crossover) twice, scaling off and
on, and prints wall and CPU time, iterations, objective and the largest price difference.

Networks (``--only`` picks by name):

* ranges: ``corridor-1h`` (the base corridor at hourly resolution) and ``synthetic-30x730``;
* solves: ``corridor-3h`` (the base corridor at 3-hourly resolution, about 90 s a solve on two
  cores) and ``synthetic-30x730`` (about 45 s).

Results are printed and written to ``bench/results/conditioning.csv``. The machine may be shared:
the load average is recorded with every solve, and CPU time is less disturbed by other work
than wall time. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console

from bench.machine import machine_info
from bench.report import write_csv
from caspian.network import Network
from caspian.optimize import SolverOptions, build_model
from caspian.optimize.build import LinearModel
from caspian.optimize.conditioning import ProblemRanges, problem_ranges, scale_program
from caspian.optimize.results import extract_result
from caspian.optimize.solve import solve_model

RESULTS = Path(__file__).parent / "results" / "conditioning.csv"


def corridor(resolution_hours: int) -> Callable[[], Network]:
    def make() -> Network:
        from caspian.corridor.build import build_corridor_network
        from caspian.corridor.run import prepare

        return build_corridor_network(prepare("base", resolution_hours=resolution_hours))

    return make


def synthetic(n_buses: int, n_hours: int) -> Callable[[], Network]:
    def make() -> Network:
        from caspian.network.synthetic import synthetic_network

        return synthetic_network(n_buses, n_hours)

    return make


RANGE_CASES = {"corridor-1h": corridor(1), "synthetic-30x730": synthetic(30, 730)}
SOLVE_CASES = {"corridor-3h": corridor(3), "synthetic-30x730": synthetic(30, 730)}


def highs_logged_ranges(model: LinearModel, scaling: bool) -> list[str]:
    """The four "Coefficient ranges" lines HiGHS logs when handed ``model`` (scaled or not).

    HiGHS writes them when ``run`` starts; a tiny time limit stops it right after presolve.
    """
    with tempfile.TemporaryDirectory(prefix="conditioning-") as folder:
        log = Path(folder) / "highs.log"
        extra = {"log_file": str(log), "output_flag": True, "time_limit": 1e-3}
        options = SolverOptions(algorithm="hipo", crossover=False, scaling=scaling, extra=extra)
        model.to_highs(options).run()
        lines = log.read_text().splitlines()
    start = lines.index("Coefficient ranges:")
    return [line.rstrip() for line in lines[start + 1 : start + 5]]


def check_against_highs(console: Console, ours: ProblemRanges, logged: list[str]) -> bool:
    mine = [line.split("  ratio")[0] for line in ours.lines(where=False)[1:5]]
    if mine == logged:
        console.print("  HiGHS's log agrees: " + " | ".join(s.strip() for s in logged))
        return True
    console.print("[red]  HiGHS's log differs:[/red]")
    for a, b in zip(mine, logged, strict=True):
        console.print(f"    ours {a!r}  HiGHS {b!r}")
    return False


def range_row(name: str, stage: str, ranges: ProblemRanges) -> dict[str, object]:
    row: dict[str, object] = {"case": name, "stage": stage}
    for r in ranges:
        kind = r.kind.value.lower()
        row[f"{kind}_min"] = r.smallest.value if r.smallest else 0.0
        row[f"{kind}_max"] = r.largest.value if r.largest else 0.0
    row["all_min"], row["all_max"] = ranges.overall
    return row


def measure_ranges(console: Console, name: str, make: Callable[[], Network]) -> list[dict]:
    model = build_model(make())
    console.rule(f"{name}: {model.n_variables:,} variables, {model.n_constraints:,} rows")
    before = problem_ranges(model.lp)
    start = time.perf_counter()
    scaled = scale_program(model.lp)
    seconds = time.perf_counter() - start
    after = problem_ranges(scaled.lp)
    console.print("[bold]before scaling[/bold]")
    console.print(str(before), markup=False)
    agrees_before = check_against_highs(console, before, highs_logged_ranges(model, False))
    console.print(
        f"[bold]after scaling[/bold] ({seconds:.2f} s; cost scale 2^"
        f"{int(np.log2(scaled.cost_scale))}, bound scale 2^{int(np.log2(scaled.bound_scale))}; "
        f"row factors 2^[{int(np.log2(scaled.row_scale.min()))}, "
        f"{int(np.log2(scaled.row_scale.max()))}], column factors 2^"
        f"[{int(np.log2(scaled.col_scale.min()))}, {int(np.log2(scaled.col_scale.max()))}])"
    )
    console.print(str(after), markup=False)
    agrees_after = check_against_highs(console, after, highs_logged_ranges(model, True))
    rows = [range_row(name, "before", before), range_row(name, "after", after)]
    rows[0]["highs_log_agrees"], rows[1]["highs_log_agrees"] = agrees_before, agrees_after
    rows[1]["scale_seconds"] = seconds
    return rows


def measure_solves(console: Console, name: str, make: Callable[[], Network]) -> list[dict]:
    model = build_model(make())
    console.rule(f"{name}: HiPO without crossover, scaling off then on")
    rows: list[dict[str, object]] = []
    walls, cpus, objectives, prices = [], [], [], []
    for scaling in (False, True):
        options = SolverOptions(algorithm="hipo", crossover=False, scaling=scaling)
        load = os.getloadavg()[0]
        cpu = time.process_time()
        solution = solve_model(model, options)
        cpu = time.process_time() - cpu
        prices.append(extract_result(model, solution).prices.to_numpy())
        stats = solution.stats
        walls.append(stats.solve_seconds)
        cpus.append(cpu)
        objectives.append(stats.objective)
        rows.append(
            {
                "case": name,
                "stage": "scaled" if scaling else "unscaled",
                "solve_seconds": stats.solve_seconds,
                "cpu_seconds": cpu,
                "iterations": stats.iterations,
                "objective": stats.objective,
                "load_average": load,
            }
        )
        console.print(
            f"  scaling {'on ' if scaling else 'off'}: {stats.solve_seconds:6.1f} s wall, "
            f"{cpu:6.1f} s CPU, {stats.iterations} iterations, objective "
            f"{stats.objective:.10e} EUR (load average {load:.1f})"
        )
    gap = abs(objectives[1] - objectives[0]) / abs(objectives[0])
    price_gap = float(np.abs(prices[1] - prices[0]).max())
    rows[1]["objective_rel_diff"], rows[1]["price_max_abs_diff"] = gap, price_gap
    console.print(
        f"  on/off: wall {walls[1] / walls[0]:.2f}, CPU {cpus[1] / cpus[0]:.2f}; objectives "
        f"differ by {gap:.1e} (relative), prices by at most {price_gap:.1e} EUR/MWh"
    )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-solve", action="store_true", help="ranges only")
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--csv", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"conditioning benchmark; {machine_info()}")
    wanted = set(args.only or [*RANGE_CASES, *SOLVE_CASES])
    rows: list[dict[str, object]] = []
    for name, make in RANGE_CASES.items():
        if name in wanted:
            rows += measure_ranges(console, name, make)
    if not args.no_solve:
        for name, make in SOLVE_CASES.items():
            if name in wanted:
                rows += measure_solves(console, name, make)
    fields = list(dict.fromkeys(key for row in rows for key in row))
    write_csv(args.csv, rows, machine_info(), fields)
    console.print(f"written to {args.csv}")


if __name__ == "__main__":
    main()
