"""Jobs: start a run from a shipped scenario with changed parameters, and follow it."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from caspian.corridor.scenario import available_scenarios
from caspian.exceptions import InputError
from caspian.web.deps import State
from caspian.web.job_manager import JobNotRestartable
from caspian.web.jobs import (
    JobInputError,
    JobsFull,
    Loc,
    job_from_form,
    parameters,
    scenario_values,
    shipped_scenario,
)
from caspian.web.pages import render
from caspian.web.schemas import JobIn, JobOut, ParameterOut, ScenarioOut, ScenariosOut

logger = logging.getLogger(__name__)
router = APIRouter(tags=["jobs"])
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Job id, as returned.")]


@router.get("/api/scenarios", summary="The shipped scenarios and the parameters a job may change")
def scenarios(state: State) -> ScenariosOut:
    shipped = []
    for name in available_scenarios():
        try:
            scenario = shipped_scenario(name)
        except InputError as error:  # one that cannot be read is not offered; the others are
            logger.warning("scenario %s is not offered: %s", name, error)
            continue
        shipped.append(
            ScenarioOut(
                name=name,
                description=scenario.description.strip(),
                resolution_hours=scenario.resolution.hours,
                values=scenario_values(scenario),
            )
        )
    return ScenariosOut(
        scenarios=shipped,
        parameters=[
            ParameterOut(
                path=p.path,
                type=p.kind + (" or null" if p.optional else ""),
                description=p.description,
                choices=list(p.choices) or None,
            )
            for p in parameters()
        ],
        min_resolution_hours=state.settings.job_min_resolution_hours,
    )


@router.get("/api/jobs", summary="Every job, newest first (earlier servers' jobs included)")
def list_jobs(state: State) -> list[JobOut]:
    return state.jobs.all()


@router.post(
    "/api/jobs",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a run; poll GET /api/jobs/{job_id} for its progress",
    responses={429: {"description": "As many jobs as the server allows are queued or running"}},
)
def start_job(job: JobIn, state: State) -> JobOut:
    try:
        return state.jobs.submit(job)
    except JobInputError as error:
        raise _invalid(error) from None
    except JobsFull as error:
        raise _full(error) from None


@router.get("/api/jobs/{job_id}", summary="A job's state and latest progress message")
def get_job(job_id: JobId, state: State) -> JobOut:
    job = state.jobs.get(job_id)
    if job is None:
        raise _unknown(job_id)
    return job


@router.post(
    "/api/jobs/{job_id}/restart",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start an interrupted or failed job again, with the same request and run name",
    responses={
        404: {"description": "No such job"},
        409: {"description": "The job is queued, running or done"},
        429: {"description": "As many jobs as the server allows are queued or running"},
    },
)
def restart_job(job_id: JobId, state: State) -> JobOut:
    try:
        job = state.jobs.restart(job_id)
    except JobNotRestartable as error:
        raise HTTPException(409, str(error)) from None
    except JobInputError as error:
        raise _invalid(error) from None
    except JobsFull as error:
        raise _full(error) from None
    if job is None:
        raise _unknown(job_id)
    return job


@router.get("/jobs/new", response_class=HTMLResponse, include_in_schema=False)
def job_form(
    request: Request,
    state: State,
    scenario: Annotated[str, Query(max_length=100)] = "base",
) -> HTMLResponse:
    if scenario not in available_scenarios():
        scenario = "base"
    return _form(request, state, scenario, {}, {})


@router.post("/jobs", include_in_schema=False)
async def submit_form(request: Request, state: State) -> Response:
    form = await request.form()
    fields = {key: [str(v) for v in form.getlist(key)] for key in form}
    values = {key: (v if len(v) > 1 else v[-1]) for key, v in fields.items()}
    chosen = fields.get("scenario", ["base"])[-1]
    scenario = chosen if chosen in available_scenarios() else "base"
    try:
        job = job_from_form(fields)
        started = state.jobs.submit(job)
    except ValidationError as error:
        errors = {_field_name(tuple(map(str, e["loc"]))): e["msg"] for e in error.errors()}
        return _form(request, state, scenario, values, errors, 422)
    except JobInputError as error:
        errors = {_field_name(loc): msg for loc, msg in error.problems}
        return _form(request, state, scenario, values, errors, 422)
    except JobsFull as error:
        return _form(request, state, scenario, values, {"": str(error)}, 429)
    return RedirectResponse(started.url, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, job_id: JobId, state: State) -> HTMLResponse:
    job = get_job(job_id, state)
    return render(request, "job.html", title=f"Job {job.run_name}", job=job, problem=None)


@router.post("/jobs/{job_id}/restart", include_in_schema=False)
def restart_form(request: Request, job_id: JobId, state: State) -> Response:
    try:
        restart_job(job_id, state)
    except RequestValidationError as error:
        problem = "; ".join(str(e["msg"]) for e in error.errors())
        return _job_page(request, state, job_id, problem, 422)
    except HTTPException as error:
        if error.status_code == 404:
            raise
        return _job_page(request, state, job_id, str(error.detail), error.status_code)
    return RedirectResponse(f"/jobs/{job_id}", status_code=status.HTTP_303_SEE_OTHER)


def _job_page(
    request: Request, state: State, job_id: str, problem: str, status_code: int
) -> HTMLResponse:
    job = get_job(job_id, state)
    return render(
        request, "job.html", status_code, title=f"Job {job.run_name}", job=job, problem=problem
    )


def _invalid(error: JobInputError) -> RequestValidationError:
    return RequestValidationError([_error(("body", *loc), msg) for loc, msg in error.problems])


def _full(error: JobsFull) -> HTTPException:
    return HTTPException(429, str(error), headers={"Retry-After": "10"})


def _unknown(job_id: str) -> HTTPException:
    return HTTPException(404, f"no job '{job_id}'. GET /api/jobs lists the jobs.")


def _form(
    request: Request,
    state: State,
    scenario: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    """The new-run form for ``scenario``; ``values`` (as sent) win over the scenario's own."""
    try:
        loaded = shipped_scenario(scenario)
    except InputError as error:  # the package's own file: the server is at fault, and says how
        raise HTTPException(500, f"scenario '{scenario}' cannot be read: {error}") from None
    shown: dict[str, Any] = {
        "scenario": scenario,
        "name": "",
        "resolution_hours": loaded.resolution.hours,
        **scenario_values(loaded),
    }
    return render(
        request,
        "job_form.html",
        status_code=status_code,
        title="New run",
        scenarios=available_scenarios(),
        description=loaded.description.strip(),
        parameters=parameters(),
        values=shown | values,
        errors=errors,
        min_hours=state.settings.job_min_resolution_hours,
        active=[j for j in state.jobs.all() if j.state in ("queued", "running")],
    )


def _field_name(loc: Loc) -> str:
    """The form field a problem belongs to: ``("overrides", "caspian.p_nom_mw")`` is
    ``caspian.p_nom_mw``, ``("resolution_hours",)`` is ``resolution_hours``."""
    return loc[-1] if loc and loc[0] == "overrides" and len(loc) > 1 else ".".join(loc)


def _error(loc: tuple[str, ...], msg: str) -> dict[str, Any]:
    return {"type": "value_error", "loc": loc, "msg": msg, "input": None}
