"""Run one worker process, watch it, and collect its record.

Each measurement runs as ``python -m bench.worker ...`` (or another worker module, see
:func:`run_module`) in its own process group, with its output in a log file. A worker that runs
past its time-out is killed (its process group); one that dies (e.g. killed for memory) still
leaves the stages it had finished. The operating system's own peak-RSS figure for the child
(``ru_maxrss`` from ``wait4``) is kept as a cross-check, and the summed resident memory of all
the worker's processes is sampled while it runs (for workers that start processes of their own).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
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
class WorkerRun:
    """What one worker process reported (its record), plus how the process ended."""

    status: str
    message: str
    stages: list[dict[str, Any]]
    info: dict[str, Any]
    returncode: int
    wall_seconds: float
    child_max_rss_bytes: int
    """The operating system's peak RSS of the worker or of its largest descendant."""
    log_path: Path
    timed_out: bool = False
    group_peak_rss_bytes: int = 0
    """Largest sum of the resident memory of all the worker's processes, sampled four times
    a second (shared pages count once per process, so an upper bound; 0 without ``/proc``)."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def stage(self, name: str) -> dict[str, Any] | None:
        """The stage called ``name``, if the worker got that far."""
        return next((s for s in self.stages if s["name"] == name), None)

    @property
    def peak_rss_bytes(self) -> int:
        """The largest of the stages' peaks, the operating system's figure and the sampled sum
        over the worker's processes (0 if nothing was measured)."""
        peaks = [int(s["peak_rss_bytes"]) for s in self.stages]
        return max([*peaks, self.child_max_rss_bytes, self.group_peak_rss_bytes])


@dataclass(kw_only=True)
class Outcome(WorkerRun):
    """A :mod:`bench.worker` run: which side, task and size it measured."""

    side: str
    task: str
    size: Size


def run_worker(
    side: str,
    task: str,
    size: Size,
    settings: WorkerSettings,
    timeout_s: float,
    on_tick: Callable[[float, str], None] | None = None,
) -> Outcome:
    """Run one :mod:`bench.worker` to completion (or time-out) and return its outcome.

    Parameters
    ----------
    side, task, size : what to measure (see :mod:`bench.worker`).
    settings : seed, solver settings and where to put records and logs.
    timeout_s : wall-clock seconds after which the worker's process group is killed.
    on_tick : called about four times a second with the elapsed seconds and the worker's last
        progress line, to drive a progress display.
    """
    arguments = [
        side,
        task,
        size.label,
        f"--seed={settings.seed}",
        f"--time-limit={settings.time_limit_s}",
        f"--threads={settings.threads}",
        f"--pypsa-input={settings.pypsa_input}",
    ]
    stem = f"{side}-{task}-{size.label}"
    run = run_module("bench.worker", arguments, stem, settings.results_dir, timeout_s, on_tick)
    fields = {f.name: getattr(run, f.name) for f in dataclasses.fields(WorkerRun)}
    return Outcome(**fields, side=side, task=task, size=size)


def run_module(
    module: str,
    arguments: Sequence[str],
    stem: str,
    results_dir: Path,
    timeout_s: float,
    on_tick: Callable[[float, str], None] | None = None,
) -> WorkerRun:
    """Run ``python -m MODULE ARGUMENTS --out=FILE`` in its own process group and collect it.

    The module writes its :class:`bench.measure.Record` as JSON to FILE; its output goes to a
    log file. Both are ``results_dir/logs/<stem>.json`` and ``.log``.

    Parameters
    ----------
    module : a worker module that takes ``--out``, e.g. ``"bench.worker"``.
    arguments : its other command-line arguments.
    stem : name of the record and log files.
    results_dir : where the ``logs`` folder goes.
    timeout_s : wall-clock seconds after which the worker's process group is killed.
    on_tick : called about four times a second with the elapsed seconds and the worker's last
        progress line, to drive a progress display.
    """
    log_dir = results_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    record_path, log_path = log_dir / f"{stem}.json", log_dir / f"{stem}.log"
    record_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", module, *arguments, f"--out={record_path}"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    start = time.monotonic()
    timed_out = False
    group_peak = 0
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
            group_peak = max(group_peak, session_rss_bytes(proc.pid))
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
    return WorkerRun(
        status=status,
        message=message,
        stages=record.get("stages", []),
        info=record.get("info", {}),
        returncode=proc.returncode,
        wall_seconds=wall,
        child_max_rss_bytes=int(usage.ru_maxrss) * 1024,
        log_path=log_path,
        timed_out=timed_out,
        group_peak_rss_bytes=group_peak,
    )


def session_rss_bytes(session_id: int) -> int:
    """Sum of the resident memory of the processes in session ``session_id`` (a worker started
    with ``start_new_session``, and every process it started), from ``/proc/<pid>/stat``."""
    total = 0
    try:
        entries = os.scandir("/proc")
    except OSError:
        return 0
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    # After the command name in parentheses: state, ppid, pgrp, session, ...
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if int(fields[3]) == session_id:
                    total += int(fields[21]) * _PAGE_BYTES  # field 24, rss in pages
            except (OSError, ValueError, IndexError):
                continue
    return total


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


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
