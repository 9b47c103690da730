"""Sweep benchmark: ``python -m bench.sweep_bench [--cases 50] [--workers 1 2] [--loop 3]``.

Runs the first ``--cases`` cases of a shipped sweep (default ``caspian-uncertainty``, at its own
resolution, the default 6-hourly one) on a fresh local Dask cluster for each worker count, each
into its own empty catalogue, and measures:

* the sweep's wall time per worker count and the speed-up over one worker;
* the overhead per task: one worker's wall time minus the time the tasks themselves spent
  (``wall_seconds`` each task records), divided by the number of tasks: cluster start-up,
  scheduling, serialisation and catalogue writes;
* a plain loop over the first ``--loop`` cases: the task function called directly, no Dask, to
  check that a task's own time is what the same case takes outside Dask.

Results are printed and written to ``bench/results/sweep_bench.csv``. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from rich.console import Console

from bench.machine import machine_info
from caspian.sweep.catalogue import Catalogue
from caspian.sweep.runner import CATALOGUE_FILE, CaseSettings, case_hash, run_case, run_sweep
from caspian.sweep.spec import SweepSpec, expand, load_sweep

RESULTS = Path(__file__).parent / "results" / "sweep_bench.csv"


def first_cases(spec: SweepSpec, n: int) -> SweepSpec:
    """The sweep cut to its first ``n`` cases (LHS keeps its design; only n changes)."""
    if spec.sample is None:
        return spec
    return spec.model_copy(update={"sample": spec.sample.model_copy(update={"n": n})})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", default="caspian-uncertainty")
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--loop", type=int, default=3, help="cases run in a plain loop")
    parser.add_argument("--csv", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    spec = first_cases(load_sweep(args.sweep), args.cases)
    cases = expand(spec)
    settings = CaseSettings(appraise=False)
    console.print(f"{spec.name}: {len(cases)} cases, {settings}; {machine_info()}")
    rows: list[dict[str, object]] = []

    with tempfile.TemporaryDirectory(prefix="sweep-bench-loop-") as folder:
        for case in [c for c in cases if c.scenario is not None][: args.loop]:
            # The task's own function, called directly: the same solve and the same writes.
            assert case.scenario is not None
            start = time.perf_counter()
            run_case(
                spec.name,
                case.case_id,
                case.params,
                case.scenario.model_dump_json(),
                case_hash(case, settings, spec.name),
                folder,
                settings.as_dict(),
            )
            seconds = time.perf_counter() - start
            console.print(f"plain loop {case.case_id}: {seconds:.1f} s")
            rows.append({"mode": "loop", "case": case.case_id, "workers": 0, "seconds": seconds})

    walls: dict[int, float] = {}
    for workers in args.workers:
        with tempfile.TemporaryDirectory(prefix="sweep-bench-") as folder:
            start = time.perf_counter()
            outcome = run_sweep(spec, folder, workers=workers, settings=settings)
            wall = time.perf_counter() - start
            runs = Catalogue(Path(folder) / CATALOGUE_FILE).runs()
        in_tasks = float(runs["wall_seconds"].sum())
        done = int((runs["status"] == "done").sum())
        walls[workers] = wall
        overhead = (wall * workers - in_tasks) / len(runs) if len(runs) else float("nan")
        console.print(
            f"{workers} worker(s): {wall:,.1f} s wall for {len(outcome.recorded)} tasks "
            f"({done} done); task time {in_tasks:,.1f} s; overhead per task "
            f"{overhead:,.2f} s (worker-seconds not spent in tasks / tasks)"
        )
        rows.append(
            {
                "mode": "sweep",
                "case": "",
                "workers": workers,
                "seconds": wall,
                "task_seconds": in_tasks,
                "tasks": len(runs),
                "done": done,
                "overhead_per_task_s": overhead,
            }
        )
        for case_id, seconds in zip(runs["case_id"], runs["wall_seconds"], strict=True):
            if case_id in {c.case_id for c in cases[: args.loop]}:
                rows.append(
                    {"mode": "task", "case": case_id, "workers": workers, "seconds": seconds}
                )
    if 1 in walls:
        for workers, wall in walls.items():
            console.print(f"speed-up with {workers} worker(s): {walls[1] / wall:.2f}x")
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    fields = sorted({key for row in rows for key in row})
    with args.csv.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    console.print(f"written to {args.csv}")


if __name__ == "__main__":
    main()
