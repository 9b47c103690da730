"""A stand-in for ``python -m caspian.web.worker`` in the job tests.

It speaks the worker's protocol (one job as a JSON line on standard input, events as JSON lines
on standard output) but does what its arguments say instead of solving, and starts in a blink
(standard library only):

    fake_worker.py block RELEASE   a progress message, then done once the file RELEASE exists
    fake_worker.py fail MESSAGE    a progress message, then failed with MESSAGE
    fake_worker.py record FILE     writes the job it was sent to FILE, then done
    fake_worker.py crash           a progress message, then dies by SIGKILL
    fake_worker.py partial         starts the run's temporary folder, then waits to be stopped
    fake_worker.py written         writes the run's folder, says so, "drawing the report", then
                                   waits to be stopped
    fake_worker.py stubborn PIDS   ignores SIGTERM and its input closing; writes its pid to PIDS
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path


def emit(event: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def wait_for_stop() -> None:
    """Until standard input closes (the server stops the job)."""
    while sys.stdin.read(1):
        pass


def main(mode: str, *args: str) -> None:
    job = json.loads(sys.stdin.readline())
    out_dir = Path(job["out_dir"])
    emit({"event": "progress", "message": "pretending to solve"})
    if mode == "block":
        release = Path(args[0])
        deadline = time.monotonic() + 120
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        emit({"event": "done"})
    elif mode == "fail":
        emit({"event": "failed", "error": args[0]})
    elif mode == "record":
        Path(args[0]).write_text(json.dumps(job))
        emit({"event": "done"})
    elif mode == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "partial":
        temporary = out_dir.parent / f".{out_dir.name}.tmp-fake"
        temporary.mkdir(parents=True)
        (temporary / "network.nc").write_text("half")
        emit({"event": "progress", "message": "writing"})
        wait_for_stop()
    elif mode == "written":
        out_dir.mkdir(parents=True)
        (out_dir / "headlines.json").write_text("{}")
        emit({"event": "written"})
        emit({"event": "progress", "message": "drawing the report"})
        wait_for_stop()
    elif mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        Path(args[0]).write_text(str(os.getpid()))
        emit({"event": "progress", "message": "not listening"})
        time.sleep(300)


if __name__ == "__main__":
    main(*sys.argv[1:])
