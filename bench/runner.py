"""Run one worker process, watch it, and collect its record.

Each measurement runs as ``python -m bench.worker ...`` in its own process group, with its output
in a log file. A worker that runs past its time-out is killed (its process group); one that dies
(e.g. killed for memory) still leaves the stages it had finished. The operating system's own
peak-RSS figure for the child (``ru_maxrss`` from ``wait4``) is kept as a cross-check.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.sizes import Size

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class WorkerSettings:
    """Settings shared by every worker of a benchmark run."""

    seed: int
    time_limit_s: float
    threads: int
    pypsa_input: str
    results_dir: Path


@dataclass
class Outcome:
    """What one worker reported, plus how its process ended."""

    side: str
    task: str
    size: Size
    status: str
    message: str
    stages: list[dict[str, Any]]
    info: dict[str, Any]
    returncode: int
    wall_seconds: float
    child_max_rss_bytes: int
    log_path: Path
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def stage(self, name: str) -> dict[str, Any] | None:
        """The stage called ``name``, if the worker got that far."""
        return next((s for s in self.stages if s["name"] == name), None)


def run_worker(
    side: str,
    task: str,
    size: Size,
    settings: WorkerSettings,
    timeout_s: float,
    on_tick: Callable[[float, str], None] | None = None,
) -> Outcome:
    """Run one worker to completion (or time-out) and return its outcome.

    Parameters
    ----------
    side, task, size : what to measure (see :mod:`bench.worker`).
    settings : seed, solver settings and where to put records and logs.
    timeout_s : wall-clock seconds after which the worker's process group is killed.
    on_tick : called about four times a second with the elapsed seconds and the worker's last
        progress line, to drive a progress display.
    """
    log_dir = settings.results_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{side}-{task}-{size.label}"
    record_path, log_path = log_dir / f"{stem}.json", log_dir / f"{stem}.log"
    record_path.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        side,
        task,
        size.label,
        f"--out={record_path}",
        f"--seed={settings.seed}",
        f"--time-limit={settings.time_limit_s}",
        f"--threads={settings.threads}",
        f"--pypsa-input={settings.pypsa_input}",
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    start = time.monotonic()
    timed_out = False
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            env=env,
            start_new_session=True,
        )
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - start
            if elapsed > timeout_s and not timed_out:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
            if on_tick is not None:
                on_tick(elapsed, last_progress_line(log_path))
            time.sleep(0.25)
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    wall = time.monotonic() - start
    record = _read_record(record_path)
    status, message = record.get("status", "not started"), record.get("message", "")
    if timed_out:
        status, message = "timed out", f"killed after {timeout_s:.0f} s"
    elif status == "running":
        status = "crashed"
        message = _crash_message(proc.returncode)
    return Outcome(
        side=side,
        task=task,
        size=size,
        status=status,
        message=message,
        stages=record.get("stages", []),
        info=record.get("info", {}),
        returncode=proc.returncode,
        wall_seconds=wall,
        child_max_rss_bytes=int(usage.ru_maxrss) * 1024,
        log_path=log_path,
        timed_out=timed_out,
    )


def _read_record(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _crash_message(returncode: int) -> str:
    if returncode == -signal.SIGKILL:
        return "killed by SIGKILL (most likely out of memory)"
    if returncode < 0:
        return f"killed by signal {-returncode}"
    return f"exited with code {returncode} before finishing"


def last_progress_line(log_path: Path) -> str:
    """The worker's latest ``[bench ...]`` progress line (read from the end of its log)."""
    try:
        with log_path.open("rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - 8192))
            tail = fh.read().decode(errors="replace")
    except OSError:
        return ""
    lines = [line for line in tail.splitlines() if line.startswith("[bench ")]
    return lines[-1].split("] ", 1)[-1] if lines else ""
