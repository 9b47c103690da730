"""Runs started from the web: the parameters a job may change, and what a job request means.

A job is a shipped scenario with some dotted parameters changed (the paths a sweep varies,
:func:`caspian.sweep.spec.parameter_paths`, less the resolution, which has its own field and a
server-set limit). :func:`build_scenario` turns a request into the scenario it asks for, or
names every problem; :class:`caspian.web.job_manager.JobManager` runs it.

A shipped scenario is loaded from the package's own file, never by a name that a file in the
working folder could shadow; its ``name:`` (which names the run's folder by default) must be a
safe name (:func:`caspian.names.check_name`), and no parameter may end up non-finite.
"""

from __future__ import annotations

import functools
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from caspian.corridor.run import prepare
from caspian.corridor.scenario import Scenario, available_scenarios, scenario_folder
from caspian.exceptions import CaspianError, InputError
from caspian.names import check_name
from caspian.network.network import did_you_mean
from caspian.sweep.spec import parameter_paths
from caspian.web.schemas import JobIn
from caspian.web.settings import WebSettings

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


class JobInputError(InputError):
    """A job request that cannot run; ``problems`` pairs each location with its message.

    An [`InputError`][caspian.exceptions.InputError]; the jobs router answers it 422."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(loc)}: {msg}" for loc, msg in problems))
        self.problems = problems


class JobsFull(CaspianError, RuntimeError):
    """As many jobs are queued or running as the server allows (the jobs router answers 429)."""


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


def scenario_values(
    scenario: Scenario, *, mode: Literal["json", "python"] = "json"
) -> dict[str, Any]:
    """Value of every job parameter of ``scenario``, by dotted path."""
    raw = scenario.model_dump(mode=mode)
    values = {}
    for p in parameters():
        node: Any = raw
        for part in p.path.split("."):
            node = node[part]
        values[p.path] = node
    return values


def allowed_range(path: str) -> str | None:
    """The range the scenario schema allows for the parameter ``path`` (``"0 to 1"``,
    ``"above 0"``), None if it sets none."""
    bounds: dict[str, Any] = {}
    for rule in _field(path).metadata:
        for kind in ("ge", "gt", "le", "lt"):
            if isinstance(rule, getattr(annotated_types, kind.capitalize())):
                bounds[kind] = getattr(rule, kind)
    shown = {
        kind: f"{value:g}" if isinstance(value, float) else str(value)
        for kind, value in bounds.items()
    }
    if "ge" in shown and "le" in shown:
        return f"{shown['ge']} to {shown['le']}"
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    text = " and ".join(f"{words[kind]} {value}" for kind, value in shown.items())
    return text or None


def shipped_path(name: str) -> Path:
    """The file of the shipped scenario ``name`` (one of :func:`available_scenarios`)."""
    return scenario_folder() / f"{check_name(name, what='scenario')}.yaml"


def shipped_scenario(name: str, resolution_hours: int | None = None) -> Scenario:
    """The shipped scenario ``name`` from the package's file: by path, so that a file or folder
    of that name in the working folder is never read instead."""
    return prepare(shipped_path(name), resolution_hours)


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
    try:
        # Its own resolution (segments or typical days included) unless the job sets hours.
        scenario = shipped_scenario(job.scenario, job.resolution_hours)
        # Its name names the run's folder when the job gives none.
        check_name(scenario.name, what="scenario name", file=shipped_path(job.scenario).name)
    except InputError as error:
        raise JobInputError([(("scenario",), str(error))]) from None
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
            problems.append(
                (("overrides", path) if path else ("overrides",), _with_range(path, e["msg"]))
            )
    else:
        # A value such as "inf" passes a bound like ge=0: no solve ever sees one.
        for path, value in scenario_values(scenario, mode="python").items():
            if isinstance(value, float) and not math.isfinite(value):
                message = f"{value} is not a finite number."
                problems.append((("overrides", path), _with_range(path, message)))
    if problems:
        raise JobInputError(problems)
    return scenario


def _with_range(path: str, message: str) -> str:
    """``message`` about the parameter ``path``, with the range the schema allows."""
    known = {p.path for p in parameters()}
    bounds = allowed_range(path) if path in known else None
    return f"{message.rstrip('.')} (allowed: {bounds})." if bounds else message
