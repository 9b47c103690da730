"""Runs started from the web: the parameters a job may change, and the jobs themselves.

A job is a shipped scenario with some dotted parameters changed (the paths a sweep varies,
:func:`caspian.sweep.spec.parameter_paths`, less the resolution, which has its own field and a
server-set limit). It runs :func:`caspian.corridor.run.run_scenario` on a worker thread and
writes its results folder under the results root, where the runs list finds it. Jobs live in
memory: a restart forgets them, not their results.
"""

from __future__ import annotations

import functools
import logging
import threading
import types
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from caspian.corridor.dataset import Dataset, load_dataset
from caspian.corridor.run import HEADLINES_FILE, prepare, run_scenario
from caspian.corridor.scenario import Scenario, available_scenarios
from caspian.decompose import Method, method_from_name
from caspian.exceptions import CaspianError
from caspian.network.network import did_you_mean
from caspian.report import write_report
from caspian.sweep.spec import parameter_paths
from caspian.web.schemas import JobIn, JobOut, JobState
from caspian.web.settings import WebSettings

logger = logging.getLogger(__name__)

Kind = Literal["bool", "int", "float", "choice", "multi"]
Loc = tuple[str, ...]
"""Where in a job request a problem is: ``("name",)``, ``("overrides", "caspian.p_nom_mw")``."""


@dataclass(frozen=True)
class Parameter:
    """A scenario parameter a job may change, described for the form and the API."""

    path: str
    kind: Kind
    optional: bool
    description: str
    choices: tuple[Any, ...] = ()


class JobInputError(ValueError):
    """A job request that cannot run; ``problems`` pairs each location with its message."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(loc)}: {msg}" for loc, msg in problems))


class JobsFull(RuntimeError):
    """As many jobs are queued or running as the server allows."""


@functools.cache
def parameters() -> tuple[Parameter, ...]:
    """The parameters a job may change, in the order of the scenario schema."""
    return tuple(
        _describe(path, _field(path))
        for path in parameter_paths()
        if not path.startswith("resolution.")
    )


def _field(path: str) -> FieldInfo:
    model: type[BaseModel] = Scenario
    *parents, leaf = path.split(".")
    for part in parents:
        annotation = model.model_fields[part].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return model.model_fields[leaf]


def _describe(path: str, info: FieldInfo) -> Parameter:
    annotation: Any = info.annotation
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        optional, annotation = True, members[0]
    description = info.description or ""
    if get_origin(annotation) is Literal:
        return Parameter(path, "choice", optional, description, get_args(annotation))
    if get_origin(annotation) is tuple:
        choices = get_args(get_args(annotation)[0])
        return Parameter(path, "multi", optional, description, choices)
    kind: Kind = "bool" if annotation is bool else "int" if annotation is int else "float"
    return Parameter(path, kind, optional, description)


def scenario_values(scenario: Scenario) -> dict[str, Any]:
    """Value of every job parameter of ``scenario``, by dotted path."""
    raw = scenario.model_dump(mode="json")
    values = {}
    for p in parameters():
        node: Any = raw
        for part in p.path.split("."):
            node = node[part]
        values[p.path] = node
    return values


def job_from_form(form: Mapping[str, list[str]]) -> JobIn:
    """A :class:`JobIn` from the fields of the HTML form (parameter inputs named by path).

    Form values are text: each is turned into its parameter's type here, the checks are the
    scenario's own (in :func:`build_scenario`). Raises pydantic's ``ValidationError``.
    """
    known = {p.path: p for p in parameters()}
    overrides: dict[str, Any] = {}
    for name, values in form.items():
        if name in ("scenario", "name", "resolution_hours"):
            continue
        p = known.get(name)
        if p is not None and p.kind == "multi":
            # The form sends an empty value first, so that no box ticked still names the field.
            overrides[name] = [_choice(v, p.choices) for v in values if v]
        elif p is not None and p.kind == "choice":
            overrides[name] = _choice(values[-1], p.choices)
        else:
            value = values[-1].strip()
            overrides[name] = None if value == "" and (p is None or p.optional) else value
    raw: dict[str, Any] = {"scenario": _last(form, "scenario"), "overrides": overrides}
    for key in ("name", "resolution_hours"):
        if _last(form, key):
            raw[key] = _last(form, key)
    return JobIn.model_validate(raw)


def _last(form: Mapping[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[-1].strip()


def _choice(value: str, choices: tuple[Any, ...]) -> Any:
    return next((c for c in choices if str(c) == value), value)


def build_scenario(job: JobIn, settings: WebSettings) -> Scenario:
    """The scenario ``job`` asks for: a shipped one, its resolution and parameters changed.

    Raises :class:`JobInputError` naming every problem: an unknown scenario or parameter (with
    a "did you mean"), a resolution finer than the server allows, a value the scenario schema
    refuses.
    """
    shipped = available_scenarios()
    if job.scenario not in shipped:
        hint = did_you_mean(job.scenario, shipped) or f" Shipped: {', '.join(shipped)}."
        raise JobInputError([(("scenario",), f"unknown scenario '{job.scenario}'.{hint}")])
    problems: list[tuple[Loc, str]] = []
    # The scenario's own resolution (segments or typical days included) unless the job sets hours.
    scenario = prepare(job.scenario, job.resolution_hours)
    hours = scenario.resolution.hours
    finest = settings.job_min_resolution_hours
    if hours < finest:
        problems.append(
            (
                ("resolution_hours",),
                f"{hours} hours per snapshot is finer than this server allows; use {finest}-168.",
            )
        )
    known = [p.path for p in parameters()]
    for path in job.overrides:
        if path not in known:
            hint = did_you_mean(path, known) or " GET /api/scenarios lists the parameters."
            problems.append((("overrides", path), f"unknown parameter '{path}'.{hint}"))
    raw = scenario.model_dump()
    for path, value in job.overrides.items():
        if path in known:
            *parents, leaf = path.split(".")
            node = raw
            for part in parents:
                node = node[part]
            node[leaf] = value
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        for e in error.errors():
            path = ".".join(part for part in e["loc"] if isinstance(part, str))
            problems.append((("overrides", path) if path else ("overrides",), e["msg"]))
    if problems:
        raise JobInputError(problems)
    return scenario


@dataclass(frozen=True)
class _Job:
    id: str
    scenario: str
    run_name: str
    resolution: str
    created_at: datetime
    state: JobState = JobState.QUEUED
    message: str = "queued"
    error: str | None = None
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
        )


@dataclass
class JobManager:
    """The jobs of one app: at most ``settings.max_jobs`` queued or running, on as many threads."""

    settings: WebSettings
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _dataset: Dataset | None = None
    _dataset_lock: threading.Lock = field(default_factory=threading.Lock)
    _options: Method = field(init=False)
    _pool: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        self._options = method_from_name(
            self.settings.job_solver,
            time_limit=self.settings.job_time_limit_s,
            threads=self.settings.job_threads,
        )
        self._pool = ThreadPoolExecutor(self.settings.max_jobs, thread_name_prefix="caspian-job")

    def submit(self, job: JobIn) -> JobOut:
        """Queue ``job``; raises :class:`JobInputError` or :class:`JobsFull`."""
        scenario = build_scenario(job, self.settings)
        stamp = datetime.now(UTC)
        with self._lock:
            name = job.name or self._free_name(f"{scenario.name}-{stamp:%Y%m%d-%H%M%S}")
            if self._taken(name):
                raise JobInputError([(("name",), f"a run named '{name}' already exists.")])
            active = [j for j in self._jobs.values() if j.state in _ACTIVE]
            if len(active) >= self.settings.max_jobs:
                raise JobsFull(
                    f"{len(active)} job{'s' if len(active) != 1 else ''} already queued or "
                    f"running; this server runs at most {self.settings.max_jobs} at once."
                )
            entry = _Job(
                uuid.uuid4().hex, scenario.name, name, scenario.resolution.describe(), stamp
            )
            self._jobs[entry.id] = entry
        self._pool.submit(self._work, entry.id, scenario, self.settings.results / name)
        return entry.out()

    def get(self, job_id: str) -> JobOut | None:
        with self._lock:
            entry = self._jobs.get(job_id)
        return entry.out() if entry else None

    def all(self) -> list[JobOut]:
        """Every job, newest first."""
        with self._lock:
            entries = sorted(self._jobs.values(), key=lambda j: j.created_at, reverse=True)
        return [j.out() for j in entries]

    def shutdown(self) -> None:
        """Drop queued jobs; a running solve finishes in the background (it cannot be stopped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

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

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _work(self, job_id: str, scenario: Scenario, out_dir: Path) -> None:
        self._update(
            job_id, state=JobState.RUNNING, message="started", started_at=datetime.now(UTC)
        )
        try:
            with self._dataset_lock:
                if self._dataset is None:
                    self._dataset = load_dataset()
                dataset = self._dataset
            run_scenario(
                scenario,
                dataset=dataset,
                options=self._options,
                out_dir=out_dir,
                progress=lambda message: self._update(job_id, message=message),
            )
            self._update(job_id, message=f"{scenario.name}: drawing the report")
            _draw_report(out_dir)
        except CaspianError as error:
            self._finish(job_id, str(error))
        except Exception as error:
            logger.exception("job %s (%s) failed", job_id, scenario.name)
            self._finish(job_id, f"{type(error).__name__}: {error}")
        else:
            self._finish(job_id, None)

    def _finish(self, job_id: str, error: str | None) -> None:
        state = JobState.FAILED if error else JobState.DONE
        message = "failed" if error else "done"
        self._update(
            job_id, state=state, error=error, message=message, finished_at=datetime.now(UTC)
        )


_ACTIVE = (JobState.QUEUED, JobState.RUNNING)


def _draw_report(out_dir: Path) -> None:
    """Write the run's ``report.html`` now, as ``caspian run`` does; if that fails the run page
    tries again and says why, so the run itself still counts as done."""
    if not (out_dir / HEADLINES_FILE).is_file():
        return
    try:
        write_report(out_dir)
    except CaspianError:
        logger.exception("the report of %s could not be written", out_dir)
