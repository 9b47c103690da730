"""What the routers share: the app's state and the dependencies that look runs up."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import jinja2
from fastapi import Depends, HTTPException, Request

from caspian.network.network import did_you_mean
from caspian.web.job_manager import JobManager
from caspian.web.settings import WebSettings
from caspian.web.store import BadName, BrokenFile, RunEntry, RunIndex, check_run_id, find_runs

DAMAGED = 409
"""Status of a view that needs a damaged file of a run (the request is fine, the run is not)."""


@dataclass
class WebState:
    """Everything one app holds, made by :func:`caspian.web.create_app` (``app.state.web``)."""

    settings: WebSettings
    templates: jinja2.Environment
    jobs: JobManager
    spare_reports: dict[str, Path] = field(default_factory=dict)
    """Reports written to :meth:`scratch` because their run folder is read-only, by run id."""
    _report_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _scratch: Path | None = None

    def index(self) -> RunIndex:
        """The runs on disk now, and how each catalogue fared."""
        return find_runs(self.settings.results, self.settings.catalogues)

    def runs(self) -> dict[str, RunEntry]:
        """The runs on disk now, by id, newest first."""
        return self.index().runs

    def report_lock(self, run_id: str) -> threading.Lock:
        """The lock held while a run's report is written, so it is written once."""
        with self._lock:
            return self._report_locks.setdefault(run_id, threading.Lock())

    def scratch(self) -> Path:
        """A private temporary folder (reports of runs whose folder is read-only)."""
        with self._lock:
            if self._scratch is None:
                self._scratch = Path(tempfile.mkdtemp(prefix="caspian-serve-"))
            return self._scratch

    def close(self) -> None:
        self.jobs.shutdown()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


State = Annotated[WebState, Depends(web_state)]


def lookup_run(runs: Mapping[str, RunEntry], run_id: str) -> RunEntry:
    """The run ``run_id`` among ``runs`` (``WebState.runs()``); HTTP 400 for an id that is not a
    run id, 404 for an unknown one."""
    try:
        check_run_id(run_id)
    except BadName as error:
        raise HTTPException(400, str(error)) from None
    if run_id not in runs:
        hint = did_you_mean(run_id, runs) or " GET /api/runs lists the runs."
        raise HTTPException(404, f"no run '{run_id}'.{hint}")
    return runs[run_id]


def damaged(error: BrokenFile, doing: str) -> HTTPException:
    """HTTP 409 for a view that cannot be shown because of a damaged file; ``doing`` says which
    (``"cannot compare"``)."""
    return HTTPException(DAMAGED, f"{doing}: {error}")


def run_entry(run_id: str, state: State) -> RunEntry:
    return lookup_run(state.runs(), run_id)


Run = Annotated[RunEntry, Depends(run_entry)]
