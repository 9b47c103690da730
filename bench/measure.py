"""Time and peak memory of the stages of one benchmark process.

Peak memory is the process's high-water mark of resident memory (``VmHWM`` in
``/proc/self/status``, or ``ru_maxrss`` where there is no ``/proc``). It never goes down, so the
value after a stage is the peak of everything the process did up to and including that stage;
each measurement therefore runs in a fresh process.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
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
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


@dataclass
class Stage:
    """One timed stage: wall seconds and the process's peak RSS at its end."""

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
        self.stages.append(Stage(name, seconds, peak_rss_bytes()))
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


def _jsonable(value: Any) -> Any:
    """JSON for NumPy scalars and other odd values in ``info``."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def log(message: str) -> None:
    """A progress line on stderr, flushed so that the log file shows where a run is."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
