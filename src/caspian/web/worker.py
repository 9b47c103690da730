"""The process a dashboard job runs in: ``python -m caspian.web.worker``.

The server (:class:`caspian.web.job_manager.JobManager`) starts one worker per job, in a
session of its own, and writes one line to its standard input: the job as JSON
(:class:`~caspian.web.job_manager.WorkerJob`). The worker solves it with
:func:`caspian.corridor.run.run_scenario`, writes the results folder and its report, and reports
on its standard output, one JSON object a line (:data:`Event`): ``progress`` messages,
``written`` once the results folder is in place, then ``done`` or ``failed``. Anything else that
would print to standard output (a solver's log) goes to standard error.

Its standard input stays open while the server wants the job: when it closes (the server
stopped, or died), the worker exits at once. A solve cannot be stopped from inside, so stopping
the process is the only way to stop a job promptly; the results folder is written atomically,
so a stopped job leaves no half-written run.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import run_scenario
from caspian.decompose import method_from_name
from caspian.exceptions import CaspianError
from caspian.report import write_report
from caspian.runs.layout import HEADLINES_FILE
from caspian.web.job_manager import WorkerJob

logger = logging.getLogger(__name__)

Event = dict[str, Any]
"""``{"event": "progress", "message": ...}``, ``{"event": "written"}``, ``{"event": "done"}``
or ``{"event": "failed", "error": ...}``."""
EXIT_STOPPED = 75
"""Exit status of a worker whose standard input closed before it finished."""


def run_job(job: WorkerJob, emit: Callable[[Event], None]) -> None:
    """Solve ``job`` and write its results folder and report, telling ``emit`` how it goes.

    Every failure ends in a ``failed`` event with its message (the traceback of an unexpected
    one goes to the log); nothing is raised.
    """
    name = job.scenario.name
    try:
        options = method_from_name(job.solver, time_limit=job.time_limit_s, threads=job.threads)
        run_scenario(
            job.scenario,
            dataset=load_dataset(),
            options=options,
            out_dir=job.out_dir,
            progress=lambda message: emit({"event": "progress", "message": message}),
        )
        emit({"event": "written"})
        emit({"event": "progress", "message": f"{name}: drawing the report"})
        draw_report(job.out_dir)
    except CaspianError as error:
        emit({"event": "failed", "error": str(error)})
    except Exception as error:
        logger.exception("job %s failed", name)
        emit({"event": "failed", "error": f"{type(error).__name__}: {error}"})
    else:
        emit({"event": "done"})


def draw_report(out_dir: Path) -> None:
    """Write the run's ``report.html`` now, as ``caspian run`` does; if that fails the run page
    tries again and says why, so the run itself still counts as done."""
    if not (out_dir / HEADLINES_FILE).is_file():
        return
    try:
        write_report(out_dir)
    except CaspianError:
        logger.exception("the report of %s could not be written", out_dir)


def main() -> int:
    """Read the job from standard input, run it, report on standard output."""
    events = _take_stdout()
    line = sys.stdin.readline()
    if not line:
        return EXIT_STOPPED
    job = WorkerJob.model_validate_json(line)
    threading.Thread(target=_exit_when_input_closes, args=(sys.stdin,), daemon=True).start()
    lock = threading.Lock()

    def emit(event: Event) -> None:
        with lock:
            try:
                events.write(json.dumps(event) + "\n")
                events.flush()
            except (OSError, ValueError):  # the server is gone
                os._exit(EXIT_STOPPED)

    run_job(job, emit)
    return 0


def _take_stdout() -> TextIO:
    """A private stream on the original standard output, for events only; file descriptor 1
    (where a solver prints its log) then leads to standard error."""
    sys.stdout.flush()
    events = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return events


def _exit_when_input_closes(stream: TextIO) -> None:
    while stream.read(65536):
        pass
    # os._exit, not sys.exit: the solve on the main thread cannot be interrupted otherwise.
    os._exit(EXIT_STOPPED)


if __name__ == "__main__":
    logging.basicConfig(format="caspian worker: %(levelname)s: %(message)s")
    sys.exit(main())
