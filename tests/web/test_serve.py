"""``caspian serve`` as a program: a busy port, and Ctrl+C while a job runs (a real server
process, a real worker and solve)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from caspian.cli.main import EXIT_INPUT, main
from caspian.web.job_manager import JOBS_FOLDER

STOP_BOUND_S = 10.0
"""A stopped server must be gone well within this (it takes about a second; before workers,
it waited for the solve to end, minutes at hourly resolution)."""


def test_busy_port_is_exit_2_before_any_url(
    capsys: pytest.CaptureFixture[str], results: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as done:
            main(["serve", "--port", str(port), "--results", str(results)])
    assert done.value.code == EXIT_INPUT
    out, err = capsys.readouterr()
    assert "dashboard on" not in out and "http://" not in out
    assert (
        f"--port: cannot listen on 127.0.0.1 port {port}: the port is in use (another caspian "
        f"serve, or another program). Choose another port with --port, e.g. --port {port + 1}"
    ) in err


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    lines: list[str]

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def wait_for_job(self, job_id: str, ready: Any, limit_s: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + limit_s
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}")
            if ready(job):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id}: {job}")

    def interrupt(self) -> tuple[float, int, str]:
        """Ctrl+C: seconds until the process ended, its exit status and output."""
        start = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            out, _ = self.process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return time.monotonic() - start, self.process.returncode, "".join(self.lines) + out


@pytest.fixture
def marker() -> str:
    """Put in the servers' environment, which their workers inherit: to find any left over."""
    return uuid.uuid4().hex


@pytest.fixture
def serve(results: Path, marker: str) -> Iterator[Any]:
    started: list[Server] = []

    def start(*options: str) -> Server:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = os.environ | {"PYTHONUNBUFFERED": "1", "CASPIAN_TEST_MARKER": marker}
        code = "from caspian.cli.main import main; main()"
        arguments = ["serve", "--port", str(port), "--results", str(results), *options]
        process = subprocess.Popen(
            [sys.executable, "-c", code, *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert process.stdout is not None
        lines = [process.stdout.readline()]
        assert f"dashboard on http://127.0.0.1:{port}/" in lines[0], lines
        server = Server(process, f"http://127.0.0.1:{port}", lines)
        started.append(server)
        deadline = time.monotonic() + 60
        while True:
            try:
                server.get("/api/runs")
                return server
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, lines
                time.sleep(0.1)

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.communicate()


def workers_left(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (Linux; empty elsewhere)."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            if marker.encode() in (folder / "environ").read_bytes():
                found.append(int(folder.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_ctrl_c_stops_a_running_job_promptly_and_it_can_start_again(
    serve: Any, results: Path, marker: str
) -> None:
    server = serve("--min-resolution", "1")
    job = server.post("/api/jobs", {"scenario": "base", "resolution_hours": 1, "name": "hourly"})
    working = server.wait_for_job(job["id"], lambda j: "building" in j["message"])
    assert working["state"] == "running"
    took, code, output = server.interrupt()
    assert took < STOP_BOUND_S, (took, output)
    assert code == 0, output
    assert f"job hourly interrupted: start it again from {server.url}/jobs/{job['id']}" in output
    assert "Traceback" not in output
    assert workers_left(marker) == []
    record = json.loads((results / JOBS_FOLDER / f"{job['id']}.json").read_text())
    assert record["state"] == "interrupted"
    assert not (results / "hourly").exists() and not list(results.glob(".hourly.tmp-*"))

    again = serve("--min-resolution", "1")
    (shown,) = again.get("/api/jobs")
    assert (shown["id"], shown["state"]) == (job["id"], "interrupted")
    restarted = again.post(shown["restart_url"])
    assert (restarted["id"], restarted["state"]) == (job["id"], "queued")
    again.wait_for_job(job["id"], lambda j: "building" in j["message"])
    took, code, output = again.interrupt()
    assert took < STOP_BOUND_S and code == 0, (took, output)
    assert workers_left(marker) == []
