"""Jobs: start a run from a shipped scenario with changed parameters, and follow it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from caspian.corridor.scenario import available_scenarios, load_scenario
from caspian.web.deps import State
from caspian.web.jobs import (
    JobInputError,
    JobsFull,
    Loc,
    job_from_form,
    parameters,
    scenario_values,
)
from caspian.web.pages import render
from caspian.web.schemas import JobIn, JobOut, ParameterOut, ScenarioOut, ScenariosOut

router = APIRouter(tags=["jobs"])
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Job id, as returned.")]


@router.get("/api/scenarios", summary="The shipped scenarios and the parameters a job may change")
def scenarios(state: State) -> ScenariosOut:
    shipped = []
    for name in available_scenarios():
        scenario = load_scenario(name)
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


@router.get("/api/jobs", summary="Every job since the server started, newest first")
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
        raise RequestValidationError(
            [_error(("body", *loc), msg) for loc, msg in error.problems]
        ) from None
    except JobsFull as error:
        raise HTTPException(429, str(error), headers={"Retry-After": "10"}) from None


@router.get("/api/jobs/{job_id}", summary="A job's state and latest progress message")
def get_job(job_id: JobId, state: State) -> JobOut:
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job '{job_id}' (jobs are forgotten when the server stops).")
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
    return render(request, "job.html", title=f"Job {job.run_name}", job=job)


def _form(
    request: Request,
    state: State,
    scenario: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    """The new-run form for ``scenario``; ``values`` (as sent) win over the scenario's own."""
    loaded = load_scenario(scenario)
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
