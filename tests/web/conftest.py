"""A results folder made once per session (two scenarios solved at a coarse resolution) and
apps and clients over copies of it."""

from __future__ import annotations

import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import prepare, run_scenario
from caspian.web import WebSettings, create_app

with warnings.catch_warnings():
    # Starlette asks for httpx2, which is not installed; httpx works the same here.
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

FAKE_WORKER = Path(__file__).with_name("fake_worker.py")
COARSE = 73
"""Hours per snapshot: 120 snapshots a year, about a second a solve."""
TOKEN = "s3cret-token-for-the-tests"
BASE_URL = "http://127.0.0.1"


@pytest.fixture(scope="session")
def solved_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``base`` and ``no-caspian-link`` at 73-hourly, and ``base`` again one folder deeper,
    as ``caspian run --out`` lays them out."""
    root = tmp_path_factory.mktemp("results")
    dataset = load_dataset()
    for name in ("base", "no-caspian-link"):
        run_scenario(prepare(name, COARSE), dataset=dataset, out_dir=root / name)
    shutil.copytree(root / "base", root / "run-20260101-000000" / "base")
    return root


@pytest.fixture
def results(solved_results: Path, tmp_path: Path) -> Path:
    """A private copy of the solved results, which a test may change."""
    return Path(shutil.copytree(solved_results, tmp_path / "results"))


@pytest.fixture
def settings(results: Path) -> WebSettings:
    return WebSettings(results=results, job_min_resolution_hours=24)


@pytest.fixture
def make_client(settings: WebSettings) -> Iterator[Callable[..., TestClient]]:
    """Clients of apps with ``settings`` changed by keyword; each app is closed after."""
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        client = TestClient(create_app(replace(settings, **changes)), base_url=BASE_URL)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def use_fake_worker(client: TestClient, *args: str) -> None:
    """Run the jobs of ``client``'s app with ``tests/web/fake_worker.py args...``."""
    client.app.state.web.jobs.command = (sys.executable, str(FAKE_WORKER), *args)  # type: ignore[attr-defined]


def wait_until(
    client: TestClient, job_id: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The job once ``done(job)`` holds (at most two minutes)."""
    deadline = time.monotonic() + 120
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if done(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job.get('state')}: {job.get('message')}")


def wait_for(client: TestClient, job_id: str) -> dict[str, Any]:
    """The job once it is done, failed or interrupted."""
    return wait_until(client, job_id, lambda job: job["state"] not in ("queued", "running"))
