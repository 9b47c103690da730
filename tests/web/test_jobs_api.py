"""Starting runs: validation of the form and the API, job states, the limit on jobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from caspian.corridor.scenario import Scenario
from caspian.exceptions import InputError
from caspian.web.jobs import allowed_range
from tests.web.conftest import TestClient, use_fake_worker, wait_for, wait_until

QUICK = {"scenario": "base", "resolution_hours": 24}
"""A valid job (run by the fake worker where it is used)."""


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
        ({"scenario": "base", "name": "../x"}, ["body", "name"], "cannot be used as a file"),
        ({"scenario": "base", "name": ".hidden"}, ["body", "name"], "cannot be used as a file"),
        ({"scenario": "base", "name": "x" * 101}, ["body", "name"], "at most 100 characters"),
        ({"scenario": "base", "name": "trailing."}, ["body", "name"], "cannot be used as a file"),
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
def release(tmp_path: Path) -> Path:
    """The file whose creation lets the fake worker's blocked jobs finish."""
    return tmp_path / "release"


def test_too_many_jobs_is_429(client: TestClient, release: Path) -> None:
    use_fake_worker(client, "block", str(release))
    first = client.post("/api/jobs", json=QUICK)
    assert first.status_code == 202
    wait_until(client, first.json()["id"], lambda job: job["message"] == "pretending to solve")
    second = client.post("/api/jobs", json=QUICK)
    assert second.status_code == 429
    assert "at most 1 at once" in second.json()["detail"]
    assert second.headers["retry-after"] == "10"
    form = client.post("/jobs", data={"scenario": "base", "resolution_hours": "24"})
    assert form.status_code == 429
    release.touch()
    assert wait_for(client, first.json()["id"])["state"] == "done"
    third = client.post("/api/jobs", json=QUICK)
    assert third.status_code == 202
    assert wait_for(client, third.json()["id"])["state"] == "done"


def test_two_jobs_when_allowed(make_client: Callable[..., TestClient], release: Path) -> None:
    client = make_client(max_jobs=2)
    use_fake_worker(client, "block", str(release))
    jobs = [client.post("/api/jobs", json=QUICK) for _ in range(3)]
    assert [j.status_code for j in jobs] == [202, 202, 429]
    release.touch()
    for job in jobs[:2]:
        assert wait_for(client, job.json()["id"])["state"] == "done"


def test_failed_job_keeps_its_message(client: TestClient) -> None:
    use_fake_worker(client, "fail", "the model is infeasible at bus AZ.")
    job = client.post("/api/jobs", json=QUICK).json()
    failed = wait_for(client, job["id"])
    assert failed["state"] == "failed"
    assert failed["error"] == "the model is infeasible at bus AZ."
    assert failed["run_url"] is None
    assert failed["restart_url"] == f"/api/jobs/{job['id']}/restart"


def test_unknown_job(client: TestClient) -> None:
    assert client.get(f"/api/jobs/{'0' * 32}").status_code == 404
    assert client.get("/api/jobs/not-a-job").status_code == 422


@pytest.mark.parametrize("solver", ["benders", "auto", "hipo"])
def test_a_job_solves_with_the_servers_method(
    make_client: Callable[..., TestClient], tmp_path: Path, results: Path, solver: str
) -> None:
    client = make_client(job_solver=solver, job_time_limit_s=60.0, job_threads=2)
    sent = tmp_path / "job.json"
    use_fake_worker(client, "record", str(sent))
    job = client.post("/api/jobs", json={**QUICK, "name": "by-method"}).json()
    assert wait_for(client, job["id"])["state"] == "done"
    spec = json.loads(sent.read_text())
    assert (spec["solver"], spec["time_limit_s"], spec["threads"]) == (solver, 60.0, 2)
    assert Path(spec["out_dir"]) == (results / "by-method").resolve()
    assert spec["scenario"]["resolution"]["hours"] == 24


@pytest.mark.parametrize("solver", ["benders", "auto", "hipo"])
def test_the_worker_solves_with_the_method_it_is_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, solver: str
) -> None:
    from caspian.decompose import method_from_name
    from caspian.web.job_manager import WorkerJob
    from caspian.web.worker import run_job

    methods: list[object] = []

    def run(*_: Any, options: object, progress: Callable[[str], None], **__: Any) -> None:
        methods.append(options)
        progress("solving")

    monkeypatch.setattr("caspian.web.worker.run_scenario", run)
    events: list[dict[str, Any]] = []
    job = WorkerJob(
        scenario=Scenario(), out_dir=tmp_path / "x", solver=solver, time_limit_s=60.0, threads=2
    )
    run_job(job, events.append)
    assert methods == [method_from_name(solver, time_limit=60.0, threads=2)]
    assert events == [
        {"event": "progress", "message": "solving"},
        {"event": "written"},
        {"event": "progress", "message": "base: drawing the report"},
        {"event": "done"},
    ]


def test_the_worker_reports_a_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from caspian.web.job_manager import WorkerJob
    from caspian.web.worker import run_job

    def fail(*_: Any, **__: Any) -> None:
        raise InputError("the model is infeasible at bus AZ.")

    monkeypatch.setattr("caspian.web.worker.run_scenario", fail)
    events: list[dict[str, Any]] = []
    run_job(WorkerJob(scenario=Scenario(), out_dir=tmp_path, solver="auto"), events.append)
    assert events == [{"event": "failed", "error": "the model is infeasible at bus AZ."}]


def test_an_unknown_job_solver_is_refused(make_client: Callable[..., TestClient]) -> None:
    with pytest.raises(InputError, match="unknown solver 'cplex'"):
        make_client(job_solver="cplex")


# --- values and names that must never reach a solve or the file system ------------------------


@pytest.mark.parametrize(
    ("body", "loc", "token"),
    [
        ('"overrides": {"prices.gas_multiplier": Infinity}', "prices.gas_multiplier", "Infinity"),
        ('"overrides": {"caspian.p_nom_max_mw": 1e400}', "caspian.p_nom_max_mw", "1e400"),
        ('"overrides": {"caspian.p_nom_mw": -Infinity}', "caspian.p_nom_mw", "-Infinity"),
        ('"overrides": {"demand.growth_multiplier": NaN}', "demand.growth_multiplier", "NaN"),
    ],
)
def test_non_finite_json_numbers_are_refused_at_parse_time(
    client: TestClient, body: str, loc: str, token: str
) -> None:
    response = client.post(
        "/api/jobs",
        content=f'{{"scenario": "base", "resolution_hours": 24, {body}}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "overrides", loc]
    assert problem["msg"] == (
        f"overrides.{loc}: {token} is not a finite number; JSON numbers must be finite (NaN, "
        "Infinity and numbers beyond ±1.8e308 are refused)."
    )
    assert client.get("/api/jobs").json() == []


def test_every_non_finite_number_is_named(client: TestClient) -> None:
    response = client.post(
        "/api/jobs",
        content=b'{"scenario": "base", "resolution_hours": Infinity, '
        b'"overrides": {"caspian.routes": [NaN]}}',
        headers={"Content-Type": "application/vnd.caspian+json"},
    )
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [
        ["body", "resolution_hours"],
        ["body", "overrides", "caspian.routes", 0],
    ]


@pytest.mark.parametrize("text", ["inf", "Infinity", "-inf", "nan"])
def test_non_finite_text_is_refused_with_the_range(client: TestClient, text: str) -> None:
    response = client.post("/api/jobs", json={**QUICK, "overrides": {"caspian.p_nom_max_mw": text}})
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert [p["loc"] for p in problems] == [["body", "overrides", "caspian.p_nom_max_mw"]]
    assert "finite number" in problems[0]["msg"]
    assert f"(allowed: {allowed_range('caspian.p_nom_max_mw')})" in problems[0]["msg"]
    assert client.get("/api/jobs").json() == []


def test_non_finite_form_value_is_refused(client: TestClient) -> None:
    response = client.post(
        "/jobs", data={"scenario": "base", "resolution_hours": "24", "caspian.p_nom_mw": "inf"}
    )
    assert response.status_code == 422
    assert 'data-error-for="caspian.p_nom_mw"' in response.text
    assert "finite number" in response.text
    assert f"(allowed: {allowed_range('caspian.p_nom_mw')})." in response.text
    assert client.get("/api/jobs").json() == []


@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        ("caspian.availability", 1.5, "0 to 1"),
        ("caspian.outage_start_day", 400, "1 to 365"),
        ("prices.gas_multiplier", 0, "above 0"),  # (and at most ..., once it has a limit)
        ("finance.discount_rate_offset", -1, "-0.05 to 0.2"),
    ],
)
def test_out_of_range_value_names_the_field_and_range(
    client: TestClient, path: str, value: float, allowed: str
) -> None:
    response = client.post("/api/jobs", json={**QUICK, "overrides": {path: value}})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "overrides", path]
    assert f"(allowed: {allowed}" in problem["msg"]


def test_an_unsafe_scenario_name_never_names_a_folder(
    client: TestClient, results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario's ``name:`` names the run's folder when the job gives no name."""
    from caspian.corridor.run import prepare

    def renamed(name_or_path: Any, hours: int | None = None, *_: Any, **__: Any) -> Scenario:
        return prepare(name_or_path, hours).model_copy(update={"name": "../../escaped"})

    monkeypatch.setattr("caspian.web.jobs.prepare", renamed)
    use_fake_worker(client, "written")
    response = client.post("/api/jobs", json=QUICK)
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "scenario"]
    assert "scenario name '../../escaped' cannot be used as a file or folder name" in problem["msg"]
    assert client.post("/jobs", data={"scenario": "base"}).status_code == 422
    assert client.get("/api/jobs").json() == []
    assert not list(results.parent.parent.glob("escaped*"))


def test_a_file_named_like_a_scenario_in_the_working_folder_is_not_read(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipped scenarios are read from the package, not from ./high-gas-price if there is one.

    (Not ./base: the shipped scenarios that say ``extends: base`` are resolved by
    ``caspian.corridor.scenario``, which does look in the working folder first.)
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "high-gas-price").write_text(
        "name: ../../elsewhere\nprices:\n  gas_multiplier: 9\n"
    )
    (tmp_path / "eu-export-push").mkdir()
    listing = client.get("/api/scenarios")
    assert listing.status_code == 200
    values = {s["name"]: s["values"] for s in listing.json()["scenarios"]}
    assert values["high-gas-price"]["prices.gas_multiplier"] == 2.5
    assert "eu-export-push" in values
    assert client.get("/jobs/new", params={"scenario": "eu-export-push"}).status_code == 200
    sent = tmp_path / "job.json"
    use_fake_worker(client, "record", str(sent))
    job = client.post("/api/jobs", json={**QUICK, "scenario": "high-gas-price"})
    assert job.status_code == 202, job.text
    assert job.json()["run_name"].startswith("high-gas-price-")
    assert wait_for(client, job.json()["id"])["state"] == "done"
    assert json.loads(sent.read_text())["scenario"]["prices"]["gas_multiplier"] == 2.5
