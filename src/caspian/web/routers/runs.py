"""Runs: the list with headline numbers, one run with its report, two runs compared.

A run with a damaged file is listed and shown with its ``problems``; only a view that cannot be
right without that file (a comparison, the report) answers 409 naming the file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from caspian.atomic import write_text_atomic
from caspian.exceptions import CaspianError, InputError
from caspian.report import render_report
from caspian.runs.layout import REPORT_FILE
from caspian.web.deps import DAMAGED, Run, State, WebState, damaged, lookup_run
from caspian.web.pages import render
from caspian.web.schemas import ComparisonOut, RunDetailOut, RunOut
from caspian.web.store import BrokenFile, RunEntry, run_file
from caspian.web.summaries import compare_runs, run_detail, run_out

logger = logging.getLogger(__name__)
router = APIRouter(tags=["runs"])
RunId = Annotated[str, Query(description="Run id, as in GET /api/runs.", max_length=400)]
BROKEN: dict[int | str, dict[str, Any]] = {
    DAMAGED: {"description": "A file the view needs is damaged; the message names it"}
}


@router.get("/api/runs", summary="List the runs with their headline numbers")
def list_runs(state: State) -> list[RunOut]:
    return [run_out(entry) for entry in state.runs().values()]


@router.get("/api/runs/{run_id}", summary="One run: headlines, scenario, files")
def get_run(run: Run) -> RunDetailOut:
    return run_detail(run)


@router.get(
    "/api/compare",
    summary="Two runs side by side: headlines, b - a, parameters",
    responses=BROKEN,
)
def compare(a: RunId, b: RunId, state: State) -> ComparisonOut:
    return _compare(state, a, b)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def runs_page(request: Request, state: State) -> HTMLResponse:
    index = state.index()
    runs = [run_out(entry) for entry in index.runs.values()]
    return render(
        request,
        "runs.html",
        title="Runs",
        runs=runs,
        comparable=[run for run in runs if not run.problems],
        catalogues=[c for c in index.catalogues if c.problem],
        jobs=state.jobs.all(),
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run_page(request: Request, run: Run) -> HTMLResponse:
    return render(request, "run.html", title=run.id, detail=run_detail(run))


@router.get(
    "/runs/{run_id}/report.html",
    response_class=FileResponse,
    summary="The run's offline HTML report (written on first request)",
    responses=BROKEN,
)
def report(run: Run, state: State) -> FileResponse:
    return FileResponse(ensure_report(state, run), media_type="text/html")


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, a: RunId, b: RunId, state: State) -> HTMLResponse:
    comparison = _compare(state, a, b)
    return render(request, "compare.html", title=f"{a} vs {b}", comparison=comparison)


def _compare(state: WebState, a: str, b: str) -> ComparisonOut:
    runs = state.runs()
    try:
        return compare_runs(lookup_run(runs, a), lookup_run(runs, b))
    except BrokenFile as error:
        raise damaged(error, "cannot compare") from None


def ensure_report(state: WebState, run: RunEntry) -> Path:
    """The run's ``report.html``, written with :func:`caspian.report.write_report` if missing.

    It goes into the run folder, as ``caspian report`` would put it; where that folder is
    read-only (or its ``report.html`` cannot be replaced), into the app's scratch folder. A
    ``report.html`` that leads out of the run folder or cannot be read is drawn again.
    """
    with state.report_lock(run.id):
        spare = state.spare_reports.get(run.id)
        for path in (_own_report(run), spare):
            if path is not None and _readable(path):
                return path
        html = _draw(run)
        own = run.path / REPORT_FILE
        try:
            return write_text_atomic(own, html, overwrite=True)
        except (OSError, InputError):  # a read-only run folder; a folder named report.html
            spare = write_text_atomic(state.scratch() / f"{run.id}.html", html, overwrite=True)
            state.spare_reports[run.id] = spare
            return spare


def _own_report(run: RunEntry) -> Path | None:
    try:
        return run_file(run, REPORT_FILE)
    except FileNotFoundError:  # missing, or a link out of the run folder
        return None


def _readable(path: Path) -> bool:
    try:
        with path.open("rb"):
            return path.is_file()
    except OSError:
        return False


def _draw(run: RunEntry) -> str:
    """The report of ``run``; HTTP 409 naming the problem if a file it reads is damaged."""
    doing = f"cannot draw the report of run '{run.id}'"
    try:
        return render_report(run.path)
    except CaspianError as error:
        raise HTTPException(DAMAGED, f"{doing}: {error}") from None
    except Exception as error:
        # The report reads every file of the run (summary.json, network.nc, the analysis
        # tables); whichever is damaged, only this view fails, and says how.
        logger.exception("the report of run %s could not be drawn", run.id)
        raise HTTPException(DAMAGED, f"{doing}: {type(error).__name__}: {error}") from None
