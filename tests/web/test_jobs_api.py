"""Starting runs: validation of the form and the API, job states, the limit on jobs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from caspian.exceptions import InputError
from tests.web.conftest import TestClient

QUICK = {"scenario": "base", "resolution_hours": 24}
"""A valid job (the runner is replaced where it is used)."""


def wait_until(
    client: TestClient, job_id: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The job once ``done(job)`` holds (at most two minutes)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['state']}: {job['message']}")


def wait_for(client: TestClient, job_id: str) -> dict[str, Any]:
    """The job once it is done or failed."""
    return wait_until(client, job_id, lambda job: job["state"] in ("done", "failed"))


def test_scenarios_and_parameters(client: TestClient) -> None:
    listing = client.get("/api/scenarios").json()
    names = [s["name"] for s in listing["scenarios"]]
    assert "base" in names and "no-caspian-link" in names
    paths = {p["path"]: p for p in listing["parameters"]}
    assert paths["caspian.routes"]["choices"] == ["A", "B"]
    assert paths["year"]["choices"] == [2030, 2035]
    assert paths["black_sea.p_nom_mw"]["type"] == "float or null"
    assert not any(p.startswith("resolution") for p in paths)
    assert listing["min_resolution_hours"] == 24


def test_run_a_job_to_the_end(client: TestClient, results: Path) -> None:
    response = client.post(
        "/api/jobs",
        json={
            "scenario": "base",
            "name": "cheap-gas",
            "resolution_hours": 73,
            "overrides": {"prices.gas_multiplier": 0.5, "weather_seed": 3},
        },
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["state"] in ("queued", "running")
    assert job["run_name"] == "cheap-gas" and job["resolution"] == "73-hourly"
    done = wait_for(client, job["id"])
    assert done["state"] == "done", done["error"]
    assert done["run_url"] == "/runs/cheap-gas"
    runs = {run["id"]: run for run in client.get("/api/runs").json()}
    assert "cheap-gas" in runs
    detail = client.get("/api/runs/cheap-gas").json()
    assert detail["scenario"]["prices"]["gas_multiplier"] == 0.5
    assert detail["scenario"]["weather_seed"] == 3
    assert detail["scenario"]["resolution"]["hours"] == 73
    # the same name again is refused, on the field that names it
    again = client.post(
        "/api/jobs", json={"scenario": "base", "name": "cheap-gas", "resolution_hours": 73}
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({"scenario": "bsae"}, ["body", "scenario"], "Did you mean 'base'?"),
        ({"scenario": "../etc/passwd"}, ["body", "scenario"], "unknown scenario"),
        ({"scenario": "base", "resolution_hours": 1}, ["body", "resolution_hours"], "24-168"),
        ({"scenario": "base", "resolution_hours": 500}, ["body", "resolution_hours"], "168"),
        ({"scenario": "base", "name": "../x"}, ["body", "name"], "pattern"),
        ({"scenario": "base", "name": ".hidden"}, ["body", "name"], "pattern"),
        (
            {"scenario": "base", "overrides": {"caspian.p_nom_mw": -5}},
            ["body", "overrides", "caspian.p_nom_mw"],
            "greater than or equal to 0",
        ),
        (
            {"scenario": "base", "overrides": {"prices.gas_multipler": 2}},
            ["body", "overrides", "prices.gas_multipler"],
            "Did you mean 'prices.gas_multiplier'?",
        ),
        (
            {"scenario": "base", "overrides": {"year": 2040}},
            ["body", "overrides", "year"],
            "2030 or 2035",
        ),
        (
            {"scenario": "base", "overrides": {"resolution.hours": 1}},
            ["body", "overrides", "resolution.hours"],
            "unknown parameter",
        ),
        ({"scenario": "base", "extra": 1}, ["body", "extra"], "Extra inputs"),
    ],
)
def test_invalid_job_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[str], message: str
) -> None:
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert loc in [p["loc"] for p in problems], problems
    assert any(message in p["msg"] for p in problems if p["loc"] == loc), problems
    assert client.get("/api/jobs").json() == []


def test_invalid_form_is_422_naming_the_fields(client: TestClient) -> None:
    response = client.post(
        "/jobs",
        data={
            "scenario": "base",
            "resolution_hours": "2",
            "caspian.p_nom_mw": "lots",
            "prices.gas_multiplier": "-1",
            "caspian.routes": ["", "A"],
        },
    )
    assert response.status_code == 422
    for field in ("resolution_hours", "caspian.p_nom_mw", "prices.gas_multiplier"):
        assert f'data-error-for="{field}"' in response.text
    assert 'data-error-for="caspian.routes"' not in response.text
    assert 'value="lots"' in response.text  # what was typed is shown again


def test_form_starts_a_job_and_redirects(client: TestClient) -> None:
    form = client.get("/jobs/new", params={"scenario": "no-caspian-link"})
    assert form.status_code == 200
    assert '<option value="no-caspian-link" selected>' in form.text
    response = client.post(
        "/jobs",
        data={"scenario": "no-caspian-link", "resolution_hours": "73", "caspian.routes": [""]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    job_id = response.headers["location"].rsplit("/", 1)[-1]
    assert client.get(f"/jobs/{job_id}").status_code == 200
    done = wait_for(client, job_id)
    assert done["state"] == "done", done["error"]
    assert done["run_name"].startswith("no-caspian-link-")


@pytest.fixture
def blocking_runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Replaces the solve by one that waits for the event given (set after the test)."""
    release = threading.Event()

    def run(*_: Any, progress: Callable[[str], None], **__: Any) -> None:
        progress("pretending to solve")
        if not release.wait(30):
            raise RuntimeError("never released")

    monkeypatch.setattr("caspian.web.jobs.run_scenario", run)
    yield release
    release.set()


def test_too_many_jobs_is_429(client: TestClient, blocking_runner: threading.Event) -> None:
    first = client.post("/api/jobs", json=QUICK)
    assert first.status_code == 202
    running = wait_until(client, first.json()["id"], lambda job: job["state"] == "running")
    assert running["message"] in ("started", "pretending to solve")
    wait_until(client, first.json()["id"], lambda job: job["message"] == "pretending to solve")
    second = client.post("/api/jobs", json=QUICK)
    assert second.status_code == 429
    assert "at most 1 at once" in second.json()["detail"]
    assert second.headers["retry-after"] == "10"
    form = client.post("/jobs", data={"scenario": "base", "resolution_hours": "24"})
    assert form.status_code == 429
    blocking_runner.set()
    assert wait_for(client, first.json()["id"])["state"] == "done"
    third = client.post("/api/jobs", json=QUICK)
    assert third.status_code == 202
    assert wait_for(client, third.json()["id"])["state"] == "done"


def test_two_jobs_when_allowed(
    make_client: Callable[..., TestClient], blocking_runner: threading.Event
) -> None:
    client = make_client(max_jobs=2)
    jobs = [client.post("/api/jobs", json=QUICK) for _ in range(3)]
    assert [j.status_code for j in jobs] == [202, 202, 429]
    blocking_runner.set()
    for job in jobs[:2]:
        assert wait_for(client, job.json()["id"])["state"] == "done"


def test_failed_job_keeps_its_message(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: Any, **__: Any) -> None:
        raise InputError("the model is infeasible at bus AZ.")

    monkeypatch.setattr("caspian.web.jobs.run_scenario", fail)
    job = client.post("/api/jobs", json=QUICK).json()
    failed = wait_for(client, job["id"])
    assert failed["state"] == "failed"
    assert failed["error"] == "the model is infeasible at bus AZ."
    assert failed["run_url"] is None


def test_unknown_job(client: TestClient) -> None:
    assert client.get(f"/api/jobs/{'0' * 32}").status_code == 404
    assert client.get("/api/jobs/not-a-job").status_code == 422


@pytest.mark.parametrize("solver", ["benders", "auto", "hipo"])
def test_a_job_solves_with_the_servers_method(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch, solver: str
) -> None:
    from caspian.decompose import method_from_name

    methods: list[object] = []

    def run(*_: Any, options: object, **__: Any) -> None:
        methods.append(options)

    monkeypatch.setattr("caspian.web.jobs.run_scenario", run)
    client = make_client(job_solver=solver, job_time_limit_s=60.0, job_threads=2)
    job = client.post("/api/jobs", json=QUICK).json()
    assert wait_for(client, job["id"])["state"] == "done"
    assert methods == [method_from_name(solver, time_limit=60.0, threads=2)]


def test_an_unknown_job_solver_is_refused(make_client: Callable[..., TestClient]) -> None:
    with pytest.raises(InputError, match="unknown solver 'cplex'"):
        make_client(job_solver="cplex")
