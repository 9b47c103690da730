"""Run the fuzz targets side by side, one pytest process per target, and print their counts.

``make fuzz`` calls this: a whole run of 10,000 cases per target takes hours in one process, but
the targets are independent, so with ``--jobs`` processes (default: the machine's cores) it
takes about as long as its slowest target. Each target writes its log and its counts (JSON,
every 250 cases while it runs) into ``--out``; this script prints the counts so far every
``--every`` seconds, the table at the end, and exits 1 if a target failed, naming its log.

    python -m tests.fuzz.run_parallel --cases 10000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.harness import outcome_total

FUZZ = "tests/fuzz"

TARGETS: dict[str, list[str]] = {
    **{
        f"network-files-{layout}": [
            f"{FUZZ}/test_network_files.py::test_damaged_network_files_load_or_exit_2[{layout}]"
        ]
        for layout in ("caspian-csv", "caspian-parquet", "pypsa-csv", "pypsa-netcdf")
    },
    "random-networks": [
        f"{FUZZ}/test_validator.py::test_random_networks_validate_and_solve_or_are_refused"
    ],
    "sane-networks": [
        f"{FUZZ}/test_validator.py::test_sane_random_networks_solve_and_pass_the_audits"
    ],
    "one-awkward-value": [f"{FUZZ}/test_validator.py::test_one_awkward_value_is_found_or_solved"],
    "yaml-files": [f"{FUZZ}/test_yaml_files.py"],
    "web-api": [f"{FUZZ}/test_web_api.py"],
}
"""Each job: a name (its log and report files) and the pytest node ids it runs."""


@dataclass
class Job:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    report: Path
    started: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases per target")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes at once")
    parser.add_argument("--out", type=Path, default=Path(".hypothesis/fuzz-run"))
    parser.add_argument("--database", type=Path, default=Path(".hypothesis/fuzz"))
    parser.add_argument("--every", type=float, default=60.0, help="seconds between progress lines")
    parser.add_argument("targets", nargs="*", help=f"some of: {', '.join(TARGETS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown or args.cases < 1 or args.jobs < 1:
        what = f"unknown target {unknown[0]!r}" if unknown else "--cases and --jobs must be >= 1"
        print(f"error: {what}; targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    waiting = list(args.targets or TARGETS)
    running: list[Job] = []
    finished: dict[str, tuple[int, float, Job]] = {}
    start = last = time.monotonic()
    print(
        f"fuzz: {len(waiting)} targets, {args.cases:,} cases each, {args.jobs} at a time; "
        f"logs and counts in {args.out}/",
        flush=True,
    )
    while waiting or running:
        while waiting and len(running) < args.jobs:
            running.append(_start(waiting.pop(0), args))
        time.sleep(1.0)
        for job in list(running):
            code = job.process.poll()
            if code is not None:
                running.remove(job)
                finished[job.name] = (code, time.monotonic() - job.started, job)
                state = "passed" if code == 0 else f"FAILED (exit {code}), see {job.log}"
                print(f"  {job.name}: {state} after {_minutes(finished[job.name][1])}", flush=True)
        if time.monotonic() - last >= args.every and running:
            last = time.monotonic()
            counts = ", ".join(f"{j.name} {_cases(j.report):,}" for j in running)
            print(f"  [{_minutes(last - start)}] cases so far: {counts}", flush=True)
    print(f"fuzz cases per target ({_minutes(time.monotonic() - start)} in all):")
    for name, (_code, seconds, job) in finished.items():
        for target, counts in _counts(job.report).items():
            parts = ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items()))
            took = _minutes(seconds)
            print(f"  {target}: {outcome_total(counts):,} outcomes ({parts}) [{name}, {took}]")
    failed = [name for name, (code, _, _) in finished.items() if code != 0]
    if failed:
        print(f"failed: {', '.join(failed)} (logs in {args.out}/)", file=sys.stderr)
    return 1 if failed else 0


def _start(name: str, args: argparse.Namespace) -> Job:
    log, report = args.out / f"{name}.log", args.out / f"{name}.json"
    report.unlink(missing_ok=True)
    env = {
        **os.environ,
        "CASPIAN_FUZZ_CASES": str(args.cases),
        "CASPIAN_FUZZ_REPORT": str(report),
        "CASPIAN_FUZZ_DATABASE": str(args.database / name),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TARGETS[name]]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    return Job(name, process, log, report, time.monotonic())


def _counts(report: Path) -> dict[str, dict[str, int]]:
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _cases(report: Path) -> int:
    return sum(outcome_total(c) for c in _counts(report).values())


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


if __name__ == "__main__":
    sys.exit(main())
