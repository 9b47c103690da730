"""Time and peak memory of the stages of one benchmark process.

Peak memory is the process's high-water mark of resident memory (``VmHWM`` in
``/proc/self/status``, or ``ru_maxrss`` where there is no ``/proc``), or that of the largest
child process it has waited for (a command it ran), whichever is larger. It never goes down, so
the value after a stage is the peak of everything the process did up to and including that
stage; each measurement therefore runs in a fresh process.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far, in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _maxrss_bytes(resource.RUSAGE_SELF)


def children_peak_rss_bytes() -> int:
    """Peak resident memory of the largest child process this one has waited for, in bytes."""
    return _maxrss_bytes(resource.RUSAGE_CHILDREN)


def _maxrss_bytes(who: int) -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return int(resource.getrusage(who).ru_maxrss) * scale


class SkipMeasurement(Exception):
    """What a measurement needs does not exist (yet); it is reported as skipped."""


@dataclass
class Stage:
    """One timed stage: wall seconds and the process's peak RSS at its end (or its largest
    waited-for child's, if larger)."""

    name: str
    seconds: float
    peak_rss_bytes: int


@dataclass
class Record:
    """Everything one benchmark process measured, written as JSON after every stage so that a
    process killed part-way (out of memory, time-out) still leaves what it had measured."""

    side: str
    task: str
    size: str
    seed: int
    path: Path
    status: str = "running"
    message: str = ""
    stages: list[Stage] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name`` and save the record."""
        log(f"{self.side} {self.task} {self.size}: {name} ...")
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        peak = max(peak_rss_bytes(), children_peak_rss_bytes())
        self.stages.append(Stage(name, seconds, peak))
        log(f"{self.side} {self.task} {self.size}: {name} took {seconds:.2f} s")
        self.save()

    def finish(self, status: str, message: str = "") -> None:
        """Set the final status (``ok``, ``skipped``, ``error``) and save."""
        self.status, self.message = status, message
        self.save()

    def save(self) -> None:
        data = asdict(self)
        data["path"] = str(self.path)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, default=_jsonable))
        tmp.replace(self.path)


def run_measurement(record: Record, body: Callable[[], None]) -> int:
    """Run ``body`` (which times its stages on ``record``) and set the record's final status.

    ``ok`` if it returns, ``skipped`` (with the message) if it raises :class:`SkipMeasurement`,
    ``error`` (traceback to stderr) for any other exception. Returns the process's exit code:
    0 unless it failed.
    """
    record.save()
    try:
        body()
    except SkipMeasurement as err:
        record.finish("skipped", str(err))
        return 0
    except Exception as err:
        traceback.print_exc()
        record.finish("error", f"{type(err).__name__}: {err}")
        return 1
    record.finish("ok")
    return 0


def _jsonable(value: Any) -> Any:
    """JSON for NumPy scalars and other odd values in ``info``."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def log(message: str) -> None:
    """A progress line on stderr, flushed so that the log file shows where a run is."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
