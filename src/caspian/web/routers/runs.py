"""Runs: the list with headline numbers, one run with its report, two runs compared."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from caspian.atomic import write_text_atomic
from caspian.exceptions import CaspianError
from caspian.report import REPORT_FILE, render_report
from caspian.web.deps import Run, State, WebState, lookup_run
from caspian.web.pages import render
from caspian.web.schemas import ComparisonOut, RunDetailOut, RunOut
from caspian.web.store import RunEntry
from caspian.web.summaries import compare_runs, run_detail, run_out

logger = logging.getLogger(__name__)
router = APIRouter(tags=["runs"])
RunId = Annotated[str, Query(description="Run id, as in GET /api/runs.", max_length=400)]


@router.get("/api/runs", summary="List the runs with their headline numbers")
def list_runs(state: State) -> list[RunOut]:
    return [run_out(entry) for entry in state.runs().values()]


@router.get("/api/runs/{run_id}", summary="One run: headlines, scenario, files")
def get_run(run: Run) -> RunDetailOut:
    return run_detail(run)


@router.get("/api/compare", summary="Two runs side by side: headlines, b - a, parameters")
def compare(a: RunId, b: RunId, state: State) -> ComparisonOut:
    runs = state.runs()
    return compare_runs(lookup_run(runs, a), lookup_run(runs, b))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def runs_page(request: Request, state: State) -> HTMLResponse:
    runs = [run_out(entry) for entry in state.runs().values()]
    return render(request, "runs.html", title="Runs", runs=runs, jobs=state.jobs.all())


@router.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run_page(request: Request, run: Run) -> HTMLResponse:
    return render(request, "run.html", title=run.id, detail=run_detail(run))


@router.get(
    "/runs/{run_id}/report.html",
    response_class=FileResponse,
    summary="The run's offline HTML report (written on first request)",
)
def report(run: Run, state: State) -> FileResponse:
    return FileResponse(ensure_report(state, run), media_type="text/html")


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, a: RunId, b: RunId, state: State) -> HTMLResponse:
    runs = state.runs()
    comparison = compare_runs(lookup_run(runs, a), lookup_run(runs, b))
    return render(request, "compare.html", title=f"{a} vs {b}", comparison=comparison)


def ensure_report(state: WebState, run: RunEntry) -> Path:
    """The run's ``report.html``, written with :func:`caspian.report.write_report` if missing.

    It goes into the run folder, as ``caspian report`` would put it; where that folder is
    read-only, into the app's scratch folder.
    """
    with state.report_lock(run.id):
        own = run.path / REPORT_FILE
        spare = state.spare_reports.get(run.id)
        for path in (own, spare):
            if path is not None and path.is_file():
                return path
        try:
            html = render_report(run.path)  # drawn once, whichever folder takes it
            try:
                return write_text_atomic(own, html, overwrite=True)
            except OSError:  # a read-only run folder
                spare = write_text_atomic(state.scratch() / f"{run.id}.html", html, overwrite=True)
                state.spare_reports[run.id] = spare
                return spare
        except CaspianError as error:
            message = f"cannot write the report of run '{run.id}': {error}"
            raise HTTPException(500, message) from None
