"""The jobs of one server: each runs in a worker process, each is recorded on disk.

A job runs in a process of its own (:mod:`caspian.web.worker`), watched by a thread that reads
its progress. So stopping the server stops its jobs at once: the workers are ended, and each
job that had not finished is marked ``interrupted``, not failed. A worker that dies (out of
memory, a crash in the solver) fails its job with a message and leaves the server up.

Every job is recorded in ``<results>/.caspian-jobs/<id>.json`` when it is queued and when its
state changes. A new server reads the records back: a job that was queued or running when the
last server stopped shows as ``interrupted``, and an interrupted or failed job can be started
again (:meth:`JobManager.restart`), with the same request and run name. A record that cannot be
read is skipped with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from caspian.atomic import write_text_atomic
from caspian.corridor.scenario import Scenario
from caspian.decompose import method_from_name
from caspian.exceptions import CaspianError, InputError
from caspian.names import check_name, inside
from caspian.web.jobs import JobInputError, JobsFull, build_scenario
from caspian.web.schemas import JobIn, JobOut, JobState, RunName
from caspian.web.settings import WebSettings

logger = logging.getLogger(__name__)

JOBS_FOLDER = ".caspian-jobs"
"""Folder of the job records, in the results root (hidden: never taken for a run)."""
MAX_RECORD_BYTES = 256 * 1024
STOP_WAIT_S = 1.0
"""How long a stopped worker gets to end before it is killed, s."""
MAX_MESSAGE_CHARS = 2000
INTERRUPTED_MESSAGE = "interrupted: the server stopped before the run finished; start it again"
_ACTIVE = (JobState.QUEUED, JobState.RUNNING)
_RESTARTABLE = (JobState.INTERRUPTED, JobState.FAILED)


def worker_command() -> tuple[str, ...]:
    """The command that starts a worker: this Python running :mod:`caspian.web.worker`."""
    return (sys.executable, "-m", "caspian.web.worker")


class WorkerJob(BaseModel):
    """What the server asks a worker (:mod:`caspian.web.worker`) to do, as one JSON line."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    scenario: Scenario
    out_dir: Path
    """The run's folder: absolute, a safe name inside the results root."""
    solver: str
    time_limit_s: float | None = None
    threads: int | None = None


class JobNotRestartable(CaspianError, RuntimeError):
    """A job that is queued, running or done cannot be started again (HTTP 409)."""


class JobRecord(BaseModel):
    """A job as recorded on disk and in memory: its request and how far it got."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    request: JobIn
    scenario: str
    run_name: RunName
    resolution: str
    state: JobState
    message: str
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def out(self) -> JobOut:
        return JobOut(
            id=self.id,
            state=self.state,
            scenario=self.scenario,
            run_name=self.run_name,
            resolution=self.resolution,
            message=self.message,
            error=self.error,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            url=f"/jobs/{self.id}",
            run_url=f"/runs/{self.run_name}" if self.state == JobState.DONE else None,
            restart_url=f"/api/jobs/{self.id}/restart" if self.state in _RESTARTABLE else None,
        )


@dataclass
class JobManager:
    """The jobs of one app: at most ``settings.max_jobs`` queued or running, each in a worker
    process started by ``command`` (the job is written to its standard input)."""

    settings: WebSettings
    command: tuple[str, ...] = field(default_factory=worker_command)
    _jobs: dict[str, JobRecord] = field(default_factory=dict)
    _workers: dict[str, subprocess.Popen[str]] = field(default_factory=dict)
    _watchers: list[threading.Thread] = field(default_factory=list)
    _written: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _save_lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: bool = False
    _stopped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # An unknown solver is refused when the app is made, not when a job starts.
        method_from_name(
            self.settings.job_solver,
            time_limit=self.settings.job_time_limit_s,
            threads=self.settings.job_threads,
        )
        self._load()

    @property
    def folder(self) -> Path:
        """Where the job records are kept."""
        return self.settings.results / JOBS_FOLDER

    # --- what the routers call ------------------------------------------------------------

    def submit(self, job: JobIn) -> JobOut:
        """Queue ``job``; raises :class:`JobInputError` or :class:`JobsFull`."""
        scenario = build_scenario(job, self.settings)
        stamp = datetime.now(UTC)
        with self._lock:
            self._check_room()
            name = job.name or self._free_name(_default_name(scenario, stamp))
            if self._taken(name):
                raise JobInputError([(("name",), f"a run named '{name}' already exists.")])
            out_dir = self._out_dir(name)
            record = JobRecord(
                id=uuid.uuid4().hex,
                request=job,
                scenario=scenario.name,
                run_name=name,
                resolution=scenario.resolution.describe(),
                state=JobState.QUEUED,
                message="queued",
                created_at=stamp,
            )
            self._jobs[record.id] = record
        self._save(record.id)
        self._start(record.id, scenario, out_dir)
        return record.out()

    def restart(self, job_id: str) -> JobOut | None:
        """Start the interrupted or failed job ``job_id`` again, with the same request and run
        name; None if there is no such job. Raises :class:`JobNotRestartable`,
        :class:`JobInputError` (the request no longer passes, or the run's folder is taken) or
        :class:`JobsFull`."""
        with self._lock:
            record = self._jobs.get(job_id)
        if record is None:
            return None
        self._check_restartable(record)
        scenario = build_scenario(record.request, self.settings)  # this server's limits
        with self._lock:
            record = self._jobs[job_id]
            self._check_restartable(record)
            self._check_room()
            if self._taken(record.run_name):
                raise JobInputError(
                    [(("name",), f"a run named '{record.run_name}' exists now; start a new job.")]
                )
            out_dir = self._out_dir(record.run_name)
            self._written.discard(job_id)
            record = record.model_copy(
                update={
                    "state": JobState.QUEUED,
                    "message": "queued again",
                    "error": None,
                    "started_at": None,
                    "finished_at": None,
                }
            )
            self._jobs[job_id] = record
        self._save(job_id)
        self._start(job_id, scenario, out_dir)
        return record.out()

    def get(self, job_id: str) -> JobOut | None:
        with self._lock:
            record = self._jobs.get(job_id)
        return record.out() if record else None

    def all(self) -> list[JobOut]:
        """Every job, newest first."""
        with self._lock:
            records = sorted(self._jobs.values(), key=lambda j: j.created_at, reverse=True)
        return [j.out() for j in records]

    def stopped(self) -> list[JobOut]:
        """The jobs that :meth:`shutdown` interrupted (and that stayed so)."""
        with self._lock:
            records = [self._jobs[job_id] for job_id in self._stopped]
        return [r.out() for r in records if r.state == JobState.INTERRUPTED]

    def shutdown(self) -> None:
        """Stop every worker now; a job that had not finished is ``interrupted`` (``done`` if
        its results folder was already written: only the report was still being drawn)."""
        stamp = datetime.now(UTC)
        with self._lock:
            self._stopping = True
            workers = list(self._workers.values())
            stopped = []
            for job_id, record in self._jobs.items():
                if record.state not in _ACTIVE:
                    continue
                if job_id in self._written:
                    changes: dict[str, Any] = {"state": JobState.DONE, "message": "done"}
                else:
                    changes = {"state": JobState.INTERRUPTED, "message": INTERRUPTED_MESSAGE}
                    self._stopped.append(job_id)
                self._jobs[job_id] = record.model_copy(update={**changes, "finished_at": stamp})
                stopped.append(job_id)
            watchers = list(self._watchers)
        for worker in workers:
            _stop(worker)
        deadline = time.monotonic() + STOP_WAIT_S
        for worker in workers:
            try:
                worker.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.kill()  # it ignored both requests
                worker.wait()
        for job_id in stopped:
            self._save(job_id)
        for watcher in watchers:
            watcher.join(STOP_WAIT_S)

    # --- workers ----------------------------------------------------------------------------

    def _start(self, job_id: str, scenario: Scenario, out_dir: Path) -> None:
        job = WorkerJob(
            scenario=scenario,
            out_dir=out_dir,
            solver=self.settings.job_solver,
            time_limit_s=self.settings.job_time_limit_s,
            threads=self.settings.job_threads,
        )
        watcher = threading.Thread(
            target=self._watch,
            args=(job_id, job),
            name=f"caspian-job-{job_id[:8]}",
            daemon=True,  # never keeps the server from exiting; shutdown() ends the worker
        )
        with self._lock:
            self._watchers = [w for w in self._watchers if w.is_alive()] + [watcher]
        watcher.start()

    def _watch(self, job_id: str, job: WorkerJob) -> None:
        """Start the worker for ``job_id``, follow its events, and settle the job's state."""
        before = _leftovers(job.out_dir)
        try:
            worker = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,  # a Ctrl-C in the terminal is the server's to handle
                env={k: v for k, v in os.environ.items() if k != "CASPIAN_TOKEN"},
            )
        except OSError as error:
            self._end(job_id, JobState.FAILED, f"cannot start a worker process: {error}")
            return
        with worker:  # closes its pipes and waits for it
            with self._lock:
                stopping = self._stopping
                if not stopping:
                    self._workers[job_id] = worker
            if stopping:  # shutdown() has marked the job already
                _end_process(worker)
                return
            outcome = self._follow(job_id, job, worker)
            try:
                worker.wait(STOP_WAIT_S)  # it has said all it will
            except subprocess.TimeoutExpired:
                _end_process(worker)
        code = worker.wait()
        with self._lock:
            self._workers.pop(job_id, None)
            stopping = self._stopping
            written = job_id in self._written
        if outcome is None or outcome[0] != JobState.DONE:
            _remove(_leftovers(job.out_dir) - before)  # a folder it had begun to write
        if outcome is not None:
            self._end(job_id, *outcome)
        elif stopping:
            return  # interrupted, as shutdown() recorded
        elif written:
            self._end(job_id, JobState.DONE, None)  # only the report was missing
        else:
            self._end(job_id, JobState.FAILED, f"the worker process {_how_it_ended(code)}.")

    def _follow(
        self, job_id: str, job: WorkerJob, worker: subprocess.Popen[str]
    ) -> tuple[JobState, str | None] | None:
        """Send ``job`` to ``worker`` and apply its events until it ends; the outcome it
        reported, None if it reported none."""
        assert worker.stdin is not None and worker.stdout is not None
        try:
            worker.stdin.write(job.model_dump_json() + "\n")
            worker.stdin.flush()
            self._update(job_id, state=JobState.RUNNING, message="started")
            for line in worker.stdout:
                event = _event(line)
                kind = event.get("event")
                if kind == "progress":
                    self._update(job_id, message=_text(event.get("message")))
                elif kind == "written":
                    with self._lock:
                        self._written.add(job_id)
                elif kind == "done":
                    return JobState.DONE, None
                elif kind == "failed":
                    return JobState.FAILED, _text(event.get("error")) or "failed"
        except (OSError, ValueError):  # the worker ended, or was ended, mid-way
            pass
        return None

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            record = self._jobs[job_id]
            if record.state not in _ACTIVE:  # settled meanwhile (the server is stopping)
                return
            if changes.get("state") == JobState.RUNNING:
                changes["started_at"] = datetime.now(UTC)
            self._jobs[job_id] = record.model_copy(update=changes)
        if "state" in changes:
            self._save(job_id)

    def _end(self, job_id: str, state: JobState, error: str | None) -> None:
        with self._lock:
            record = self._jobs[job_id]
            if record.state not in _ACTIVE and state != JobState.DONE:
                return  # interrupted by shutdown(); a finished run is done whatever happened
            record = record.model_copy(
                update={
                    "state": state,
                    "error": error,
                    "message": state.value,
                    "finished_at": datetime.now(UTC),
                }
            )
            self._jobs[job_id] = record
        self._save(job_id)

    # --- names and records ------------------------------------------------------------------

    def _check_room(self) -> None:
        if self._stopping:
            raise JobsFull("the server is stopping; start the job once it runs again.")
        active = [j for j in self._jobs.values() if j.state in _ACTIVE]
        if len(active) >= self.settings.max_jobs:
            raise JobsFull(
                f"{len(active)} job{'s' if len(active) != 1 else ''} already queued or "
                f"running; this server runs at most {self.settings.max_jobs} at once."
            )

    def _check_restartable(self, record: JobRecord) -> None:
        if record.state not in _RESTARTABLE:
            raise JobNotRestartable(
                f"job '{record.id}' is {record.state.value}; only an interrupted or failed job "
                "can be started again."
            )

    def _out_dir(self, name: str) -> Path:
        """The folder of the run ``name``: a safe name, inside the results root."""
        try:
            return inside(self.settings.results, check_name(name, what="run name"), what="run")
        except InputError as error:
            raise JobInputError([(("name",), str(error))]) from None

    def _taken(self, name: str) -> bool:
        in_flight = any(j.run_name == name for j in self._jobs.values() if j.state in _ACTIVE)
        folder = self.settings.results / name
        return in_flight or folder.exists() or folder.is_symlink()

    def _free_name(self, name: str) -> str:
        candidate, number = name, 1
        while self._taken(candidate):
            number += 1
            candidate = f"{name}-{number}"
        return candidate

    def _save(self, job_id: str) -> None:
        """Write the job's record as it is now (one writer at a time, so the last write is the
        latest state)."""
        with self._save_lock:
            with self._lock:
                record = self._jobs[job_id]
            try:
                path = inside(self.folder, f"{record.id}.json", what="job record")
                write_text_atomic(path, record.model_dump_json(indent=2) + "\n", overwrite=True)
            except (OSError, InputError) as error:  # a read-only results folder: memory only
                logger.warning("cannot record job %s: %s", record.id, error)

    def _load(self) -> None:
        """Read the records of earlier servers; those left queued or running are interrupted."""
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            return
        for path in paths:
            try:
                if path.is_symlink() or not path.is_file():
                    raise ValueError("not a regular file")
                if path.stat().st_size > MAX_RECORD_BYTES:
                    raise ValueError(f"larger than {MAX_RECORD_BYTES} bytes")
                record = JobRecord.model_validate_json(path.read_bytes())
                if path.stem != record.id:
                    raise ValueError(f"it holds job {record.id}")
            except (OSError, ValueError, ValidationError) as error:
                logger.warning("skipping the job record %s: %s", path, error)
                continue
            if record.state in _ACTIVE:
                record = record.model_copy(
                    update={"state": JobState.INTERRUPTED, "message": INTERRUPTED_MESSAGE}
                )
            self._jobs[record.id] = record


def _default_name(scenario: Scenario, stamp: datetime) -> str:
    return f"{scenario.name[:80]}-{stamp:%Y%m%d-%H%M%S}"


def _stop(worker: subprocess.Popen[str]) -> None:
    """Ask ``worker`` to end: close its input (it exits on that) and send SIGTERM."""
    try:
        if worker.stdin is not None:
            worker.stdin.close()
    except OSError:
        pass
    if worker.poll() is None:
        worker.terminate()


def _end_process(worker: subprocess.Popen[str]) -> None:
    """Stop ``worker``, and kill it if it has not ended within :data:`STOP_WAIT_S`."""
    _stop(worker)
    try:
        worker.wait(STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _event(line: str) -> dict[str, Any]:
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _text(value: object) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return f"was ended by {name}{hint} before it finished"
    return f"ended with exit status {code} before it finished"


def _leftovers(out_dir: Path) -> set[Path]:
    """Temporary folders of ``out_dir`` (``.<name>.tmp-*``) that a stopped worker leaves."""
    try:
        return set(out_dir.parent.glob(f".{out_dir.name}.tmp-*"))
    except OSError:
        return set()


def _remove(folders: set[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
