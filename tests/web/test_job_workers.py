"""Jobs run in worker processes: stopping the server interrupts them (not fails them), a new
server shows them and can start them again, and a worker that dies fails only its own job."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from caspian.web.job_manager import JOBS_FOLDER
from tests.web.conftest import TestClient, use_fake_worker, wait_for, wait_until

QUICK = {"scenario": "base", "resolution_hours": 24, "name": "quick"}


def running(client: TestClient, job_id: str) -> None:
    """Wait until the fake worker has said something."""
    wait_until(client, job_id, lambda job: job["message"] != "queued" and job["state"] != "queued")


def start_blocked(client: TestClient, tmp_path: Path) -> str:
    """The id of a job that runs until the server stops it."""
    use_fake_worker(client, "block", str(tmp_path / "never"))
    job_id: str = client.post("/api/jobs", json=QUICK).json()["id"]
    running(client, job_id)
    return job_id


def stop(client: TestClient) -> None:
    """Stop the app as the server does on Ctrl+C (its lifespan ends)."""
    client.app.state.web.jobs.shutdown()  # type: ignore[attr-defined]


def test_stopping_the_server_interrupts_a_running_job(
    make_client: Callable[..., TestClient], results: Path, tmp_path: Path
) -> None:
    client = make_client()
    job = {"id": start_blocked(client, tmp_path)}
    stop(client)
    stopped = client.get(f"/api/jobs/{job['id']}").json()
    assert stopped["state"] == "interrupted"
    assert stopped["error"] is None and stopped["run_url"] is None
    assert "start it again" in stopped["message"]
    assert stopped["restart_url"] == f"/api/jobs/{job['id']}/restart"
    record = json.loads((results / JOBS_FOLDER / f"{job['id']}.json").read_text())
    assert record["state"] == "interrupted"
    assert not (results / "quick").exists()

    # A new server over the same results shows it, and starts it again with the same request.
    again = make_client()
    assert [j["state"] for j in again.get("/api/jobs").json()] == ["interrupted"]
    page = again.get(f"/jobs/{job['id']}")
    assert page.status_code == 200 and 'action="/jobs/' in page.text
    use_fake_worker(again, "written")
    restarted = again.post(f"/api/jobs/{job['id']}/restart")
    assert restarted.status_code == 202, restarted.text
    assert restarted.json()["id"] == job["id"] and restarted.json()["run_name"] == "quick"
    wait_until(again, job["id"], lambda j: j["state"] == "running")


def test_a_job_left_running_by_a_server_that_died_is_interrupted(
    make_client: Callable[..., TestClient], results: Path, tmp_path: Path
) -> None:
    client = make_client()
    job = {"id": start_blocked(client, tmp_path)}
    record = results / JOBS_FOLDER / f"{job['id']}.json"
    deadline = time.monotonic() + 30
    while json.loads(record.read_text())["state"] != "running":  # written just after
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # As if the server had been killed here: its record still says running.
    later = make_client()
    found = later.get(f"/api/jobs/{job['id']}").json()
    assert found["state"] == "interrupted"
    stop(client)


def test_restart_from_the_page(
    make_client: Callable[..., TestClient], tmp_path: Path, results: Path
) -> None:
    client = make_client()
    use_fake_worker(client, "fail", "infeasible")
    job = client.post("/api/jobs", json=QUICK).json()
    assert wait_for(client, job["id"])["state"] == "failed"
    use_fake_worker(client, "written")
    response = client.post(f"/jobs/{job['id']}/restart", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/jobs/{job['id']}"
    wait_until(client, job["id"], lambda j: j["message"] == "drawing the report")
    # running now: starting it again is refused, on the page too
    conflict = client.post(f"/api/jobs/{job['id']}/restart")
    assert conflict.status_code == 409
    assert "only an interrupted or failed job" in conflict.json()["detail"]
    page = client.post(f"/jobs/{job['id']}/restart")
    assert page.status_code == 409 and "only an interrupted or failed job" in page.text
    stop(client)
    # the run folder was written before the stop: the job is done, not interrupted
    assert client.get(f"/api/jobs/{job['id']}").json()["state"] == "done"
    assert (results / "quick" / "headlines.json").is_file()


def test_restart_refusals(make_client: Callable[..., TestClient], results: Path) -> None:
    client = make_client()
    assert client.post(f"/api/jobs/{'0' * 32}/restart").status_code == 404
    use_fake_worker(client, "fail", "no")
    job = client.post("/api/jobs", json=QUICK).json()
    wait_for(client, job["id"])
    (results / "quick").mkdir()  # the name is taken meanwhile
    taken = client.post(f"/api/jobs/{job['id']}/restart")
    assert taken.status_code == 422
    assert taken.json()["detail"][0]["loc"] == ["body", "name"]
    assert "exists now" in taken.json()["detail"][0]["msg"]
    # a stricter server refuses what an earlier one accepted, naming the field
    strict = make_client(job_min_resolution_hours=48)
    (results / "quick").rmdir()
    refused = strict.post(f"/api/jobs/{job['id']}/restart")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "resolution_hours"]


def test_a_worker_that_dies_fails_only_its_job(client: TestClient) -> None:
    use_fake_worker(client, "crash")
    job = client.post("/api/jobs", json=QUICK).json()
    failed = wait_for(client, job["id"])
    assert failed["state"] == "failed"
    assert failed["error"] == (
        "the worker process was ended by SIGKILL (out of memory?) before it finished."
    )
    assert client.get("/api/runs").status_code == 200


def test_a_stopped_job_leaves_no_half_written_folder(client: TestClient, results: Path) -> None:
    use_fake_worker(client, "partial")
    job = client.post("/api/jobs", json=QUICK).json()
    wait_until(client, job["id"], lambda j: j["message"] == "writing")
    assert list(results.glob(".quick.tmp-*"))
    stop(client)
    assert client.get(f"/api/jobs/{job['id']}").json()["state"] == "interrupted"
    assert not list(results.glob(".quick.tmp-*"))


def test_a_worker_that_ignores_the_stop_is_killed(client: TestClient, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    use_fake_worker(client, "stubborn", str(pid_file))
    job = client.post("/api/jobs", json=QUICK).json()
    wait_until(client, job["id"], lambda j: j["message"] == "not listening")
    pid = int(pid_file.read_text())
    stop(client)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert client.get(f"/api/jobs/{job['id']}").json()["state"] == "interrupted"


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"id": "' + b"a" * 32 + b'"}',
        None,  # a valid record with an unsafe run name
    ],
)
def test_damaged_job_records_are_skipped(
    make_client: Callable[..., TestClient], results: Path, content: bytes | None
) -> None:
    client = make_client()
    use_fake_worker(client, "fail", "no")
    job = client.post("/api/jobs", json=QUICK).json()
    wait_for(client, job["id"])
    good = results / JOBS_FOLDER / f"{job['id']}.json"
    bad = results / JOBS_FOLDER / f"{'b' * 32}.json"
    if content is None:
        record = json.loads(good.read_text())
        record |= {"id": "b" * 32, "run_name": "../../outside"}
        content = json.dumps(record).encode()
    bad.write_bytes(content)
    later = make_client()
    assert [j["id"] for j in later.get("/api/jobs").json()] == [job["id"]]
    assert later.get("/").status_code == 200
