"""The sweep file: which scenario parameters a sweep varies, and the cases it expands into.

A sweep names a base scenario and varies dotted [`Scenario`][caspian.corridor.scenario.Scenario]
paths on a grid, by sampling, or both:

    name: caspian-uncertainty
    base: base                    # shipped scenario name or path to a scenario YAML
    resolution: {hours: 6}        # optional override of the base's resolution
    grid:                         # optional: cartesian product
      caspian.p_nom_mw: [0, 1500, 3000]
    sample:                       # optional: n draws, every grid point gets all n
      n: 50
      method: lhs                 # lhs or monte_carlo
      seed: 42
      parameters:
        prices.gas_multiplier: {dist: uniform, low: 0.75, high: 3.5}
        weather_seed: {dist: choice, values: [1, 2, 3, 4, 5]}

The settable paths come from the pydantic models
([`parameter_paths`][caspian.sweep.spec.parameter_paths]), so a field added to the scenario is a
sweep parameter at once. [`load_sweep`][caspian.sweep.spec.load_sweep] checks the file at the
boundary, before anything runs: unknown keys and paths get a "did you mean"; a sweep of more than
``max_cases`` cases ([`MAX_CASES`][caspian.sweep.spec.MAX_CASES] unless the file raises it) is
refused before any case is made; and every grid value, ``choice`` value and distribution range
must lie in the range of the scenario field it sets, every bad one listed
([`value_problems`][caspian.sweep.spec.value_problems]). [`expand`][caspian.sweep.spec.expand]
turns the sweep into [`SweepCase`][caspian.sweep.spec.SweepCase] objects. A case whose values are
each valid but break a rule of the scenario together (``caspian.p_nom_mw`` above
``caspian.p_nom_max_mw``) carries its error instead of a scenario: the runner records it as
failed and the other cases run.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import functools
import hashlib
import itertools
import json
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    JsonValue,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from caspian import __version__
from caspian.corridor.dataset import dataset_digest
from caspian.corridor.scenario import (
    MAX_PATH,
    MAX_TEXT,
    Resolution,
    SafeName,
    Scenario,
    load_scenario,
)
from caspian.corridor.yaml_input import (
    RANGE_ERRORS,
    describe,
    field_at,
    listing,
    locate,
    must_be,
    read_yaml,
    resolve_yaml,
)
from caspian.exceptions import InputError, shown
from caspian.network.network import did_you_mean
from caspian.sweep.distributions import (
    Choice,
    Distribution,
    Integers,
    Normal,
    SampleMethod,
    StrictModel,
    unit_design,
)

NOT_PARAMETERS = frozenset({"name", "description", "extends"})
"""Scenario fields a sweep does not vary: labels set per case, and ``extends`` (load time only)."""

SHOWN_FAILURES = 5
"""How many failing cases ``expand`` describes before summing up the rest."""

SHOWN_VALUE_PROBLEMS = 20
"""How many bad grid or sample values a message lists before counting the rest."""

MAX_CASES = 100_000
"""Most cases a sweep may have unless its file raises ``max_cases``: every case is held in
memory before the first one runs (about 10 kB each), and 100,000 one-minute cases are some 70
days of one worker's time."""

MAX_CASES_LIMIT = 1_000_000
"""Highest ``max_cases`` a sweep file may set (about 10 GB of cases in memory)."""

MAX_SWEEP_NAME = 80
"""Longest sweep name: case scenarios are named ``<sweep>-c<number>``, at most 100 characters."""


# --- settable paths -------------------------------------------------------------------------


def _leaf_annotations(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Dotted path -> annotation of every leaf field of ``model``, in declaration order."""
    leaves: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if not prefix and name in NOT_PARAMETERS:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            leaves |= _leaf_annotations(annotation, f"{prefix}{name}.")
        else:
            leaves[f"{prefix}{name}"] = annotation
    return leaves


def parameter_paths() -> list[str]:
    """Every dotted ``Scenario`` path a sweep may set, e.g. ``"prices.gas_multiplier"``."""
    return list(_leaf_annotations(Scenario))


def _check_path(path: str) -> str:
    paths = parameter_paths()
    if path not in paths:
        hint = did_you_mean(path, paths) or f" Parameters: {', '.join(paths)}."
        raise ValueError(f"unknown scenario parameter '{path}'.{hint}")
    return path


ParameterPath = Annotated[str, AfterValidator(_check_path)]
"""A dotted ``Scenario`` path, checked against ``parameter_paths``."""


def _numeric_kinds(annotation: Any) -> set[type]:
    """The numeric types (``int``, ``float``) a field annotation accepts; empty if none."""
    members = get_args(annotation) if _is_union(annotation) else (annotation,)
    return {m for m in members if m in (int, float)}


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


# --- the file's schema ----------------------------------------------------------------------


class Sample(StrictModel):
    """``n`` draws of the ``parameters``, by Latin hypercube (``lhs``) or plain Monte Carlo,
    reproducible from ``seed``; the parameters' order in the file is the design's column order.

    Attributes
    ----------
    n
        Number of draws (per grid point), 1 to 1,000,000 (and at most the sweep's
        ``max_cases`` in all).
    method
        ``lhs`` (the default) or ``monte_carlo``.
    seed
        Seed of numpy's default_rng (0 to 2**64 - 1); default 0.
    parameters
        Dotted scenario path -> its distribution, keyed by ``dist`` (``uniform``,
        ``triangular``, ``normal``, ``integers`` or ``choice``); at least one.
    """

    n: int = Field(
        ge=1, le=MAX_CASES_LIMIT, description="Number of draws (per grid point), 1 to 1,000,000."
    )
    method: SampleMethod = "lhs"
    seed: int = Field(0, ge=0, le=2**64 - 1, description="Seed of numpy's default_rng.")
    parameters: dict[ParameterPath, Distribution] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_field_types(self) -> Sample:
        annotations = _leaf_annotations(Scenario)
        for path, dist in self.parameters.items():
            kinds = _numeric_kinds(annotations[path])
            if dist.draws is object or dist.draws in kinds or (dist.draws is int and kinds):
                continue
            takes = getattr(annotations[path], "__name__", None) or str(annotations[path])
            fix = "dist: integers or dist: choice" if kinds else "dist: choice"
            raise ValueError(
                f"dist '{dist.dist}' of parameters.{path} draws {dist.draws.__name__} values, "
                f"but {path} takes {takes.replace('typing.', '')}; use {fix}."
            )
        return self


class SweepSpec(StrictModel):
    """A sweep file: a base scenario, an optional resolution, a grid and/or a sample.

    Attributes
    ----------
    name
        The sweep's name, which names its cases and their results: letters, digits, ``.``,
        ``_`` and ``-``, starting with a letter or digit
        (``caspian.names.check_name``), at most 80 characters.
    description
        One line saying what the sweep explores (at most 2,000 characters).
    base
        Shipped scenario name or path to a scenario YAML; default ``base``.
    resolution
        Replaces the base's resolution (a
        [`Resolution`][caspian.corridor.scenario.Resolution]), if given.
    grid
        Dotted path -> values; cases are their product. Each value must lie in the range of
        the scenario field it sets.
    sample
        Draws of other parameters ([`Sample`][caspian.sweep.spec.Sample]), if given.
    max_cases
        Most cases the sweep may have (grid points times draws), 1 to 1,000,000; default
        100,000 ([`MAX_CASES`][caspian.sweep.spec.MAX_CASES]). Checked before any case is made.
    """

    name: Annotated[SafeName, Field(max_length=MAX_SWEEP_NAME)] = Field(
        description="The sweep's name; names its cases and their results."
    )
    description: str = Field("", max_length=MAX_TEXT, description="What the sweep explores.")
    base: str = Field(
        "base",
        min_length=1,
        max_length=MAX_PATH,
        description="Shipped scenario name or path to a scenario YAML.",
    )
    resolution: Resolution | None = Field(None, description="Replaces the base's resolution.")
    grid: dict[ParameterPath, Annotated[list[JsonValue], Field(min_length=1)]] = Field(
        default_factory=dict, description="Dotted path -> values; cases are their product."
    )
    sample: Sample | None = None
    max_cases: int = Field(
        MAX_CASES,
        ge=1,
        le=MAX_CASES_LIMIT,
        description="Most cases the sweep may have (grid points times draws).",
    )
    _file: str | None = PrivateAttr(None)

    @property
    def n_cases(self) -> int:
        """The number of cases: grid points times draws, computed without making them."""
        return math.prod(len(v) for v in self.grid.values()) * (self.sample.n if self.sample else 1)

    @model_validator(mode="after")
    def _grid_or_sample(self) -> SweepSpec:
        for path, values in self.grid.items():
            seen = [json.dumps(v, sort_keys=True) for v in values]
            if len(set(seen)) < len(seen):
                raise ValueError(f"grid.{path} lists a value twice: {values}.")
        both = sorted(set(self.grid) & set(self.sample.parameters if self.sample else {}))
        if both:
            raise ValueError(
                f"in both grid and sample.parameters: {', '.join(both)}. A parameter is either "
                "on the grid or sampled; remove it from one of them."
            )
        if self.n_cases > self.max_cases:
            sizes = [f"{len(v):,} values of {p}" for p, v in self.grid.items()]
            if self.sample:
                sizes.append(f"{self.sample.n:,} draws")
            raise ValueError(
                f"the sweep has {self.n_cases:,} cases ({' x '.join(sizes)}), more than "
                f"max_cases = {self.max_cases:,}. Use fewer grid values or draws, or raise "
                f"max_cases in the sweep file (at most {MAX_CASES_LIMIT:,})."
            )
        return self

    @property
    def source(self) -> Path | None:
        """The file this spec was loaded from, if any."""
        return Path(self._file) if self._file else None


@dataclass(frozen=True)
class SweepCase:
    """One case of a sweep.

    Attributes
    ----------
    case_id
        ``"c0000"``, ``"c0001"``, ... in expansion order.
    params
        dotted path -> value of each swept parameter (plain, JSON-able Python values).
    scenario
        the base scenario with ``params`` applied, named ``"<sweep>-<case_id>"``; None if
        those values do not make a valid scenario together (see ``error``).
    error
        why the values do not make a valid scenario (e.g. ``caspian.p_nom_mw`` above
        ``caspian.p_nom_max_mw``); None for a valid case. Such a case is recorded as failed
        without running.
    raw
        the scenario's values as given to the schema, for a case that is not valid (None
        otherwise).
    """

    case_id: str
    params: dict[str, Any]
    scenario: Scenario | None
    error: str | None = None
    raw: dict[str, Any] | None = None


# --- loading --------------------------------------------------------------------------------


def sweep_folder() -> Path:
    """The folder of the shipped example sweeps."""
    return Path(str(resources.files("caspian.sweep") / "examples"))


def shipped_sweeps() -> list[str]:
    """Names of the shipped example sweeps."""
    return sorted(p.stem for p in sweep_folder().glob("*.yaml"))


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file, by path or by the name of a shipped example.

    Raises
    ------
    InputError
        Naming the file, for YAML that is invalid or over the bounds of
        ``caspian.corridor.yaml_input.read_yaml``, unknown keys or parameter paths
        (with a "did you mean"), values out of range (key, value and range), more cases than
        ``max_cases``, grid or sample values outside the range of the scenario field they set
        (every one listed), or a base scenario that does not load.
    """
    file = _resolve(path)
    raw = read_yaml(file)
    if not isinstance(raw, dict):
        raise InputError(
            "must be a mapping of keys to values.",
            file=str(file),
            hint=f"See the examples in {sweep_folder()}.",
        )
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as error:
        problems = [describe(e, raw, SweepSpec) for e in error.errors()]
        raise InputError(listing(problems), file=str(file)) from None
    spec._file = str(file)
    bad_values = value_problems(spec)
    if bad_values:
        raise InputError(_value_listing(bad_values), file=str(file))
    try:
        _base_scenario(spec)
    except InputError as error:
        raise InputError(f"base: {error}", file=str(file)) from None
    return spec


def _resolve(name_or_path: str | Path) -> Path:
    return resolve_yaml(name_or_path, sweep_folder(), "sweep")


def _base_scenario(spec: SweepSpec) -> Scenario:
    """The base scenario; a relative path is taken from the sweep file's folder if it is there."""
    base = Path(spec.base)
    if spec.source is not None and not base.is_absolute() and base.suffix in (".yaml", ".yml"):
        beside = spec.source.parent / base
        if beside.is_file():
            return load_scenario(beside)
    return load_scenario(spec.base)


# --- expansion ------------------------------------------------------------------------------


def draw_samples(sample: Sample) -> list[dict[str, Any]]:
    """The ``n`` draws of ``sample``: each unit column mapped through its inverse CDF."""
    design = unit_design(sample.n, len(sample.parameters), sample.method, sample.seed)
    columns = {
        path: dist.ppf(design[:, j]) for j, (path, dist) in enumerate(sample.parameters.items())
    }
    return [{path: values[i] for path, values in columns.items()} for i in range(sample.n)]


def grid_points(grid: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``grid`` (last key varies fastest); ``[{}]`` for no grid."""
    return [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())]


def expand(spec: SweepSpec) -> list[SweepCase]:
    """The sweep's cases: every grid point with every sample (or just one of the two).

    Each case is the base scenario, with ``spec.resolution`` if given, then its ``params`` set;
    grid and sample values win over ``spec.resolution``. A case whose values break a rule of
    the scenario together gets ``scenario=None`` and the ``error``.

    Raises
    ------
    InputError
        Before any case is made: if the sweep has more than ``spec.max_cases`` cases, a grid or
        sample value lies outside the range of its scenario field (every one listed), or the
        base scenario does not load. After: if no case at all is a valid scenario (the first
        [`SHOWN_FAILURES`][caspian.sweep.spec.SHOWN_FAILURES] are named with their values).
    """
    if spec.n_cases > spec.max_cases:  # a spec built without validation (model_construct)
        raise InputError(
            f"the sweep has {spec.n_cases:,} cases, more than max_cases = {spec.max_cases:,}.",
            file=spec._file,
            hint="Use fewer grid values or draws, or raise max_cases.",
        )
    bad_values = value_problems(spec)
    if bad_values:
        raise InputError(_value_listing(bad_values), file=spec._file)
    base = _base_scenario(spec).model_dump(exclude=set(NOT_PARAMETERS))
    if spec.resolution is not None:
        base["resolution"] = spec.resolution.model_dump()
    samples = draw_samples(spec.sample) if spec.sample else [{}]
    combos = [copy.deepcopy(point | draw) for point in grid_points(spec.grid) for draw in samples]
    width = max(4, len(str(len(combos) - 1)))
    cases: list[SweepCase] = []
    failures: list[str] = []
    for number, params in enumerate(combos):
        case_id = f"c{number:0{width}d}"
        raw = copy.deepcopy(base)
        for path, value in params.items():
            *parents, leaf = path.split(".")
            node = raw
            for part in parents:
                node = node[part]
            node[leaf] = value
        raw["name"] = f"{spec.name}-{case_id}"
        changes = ", ".join(f"{k}={shown(v)}" for k, v in params.items()) or "no changes"
        description = f"Case {case_id} of sweep {spec.name} (base {spec.base}): {changes}"
        raw["description"] = _cut(description, MAX_TEXT)
        try:
            cases.append(SweepCase(case_id, params, Scenario.model_validate(raw)))
        except ValidationError as error:
            problems = "; ".join(describe(e, raw, Scenario) for e in error.errors())
            failures.append(f"{case_id} ({changes}): {problems}")
            cases.append(SweepCase(case_id, params, None, error=problems, raw=raw))
    if failures and len(failures) == len(combos):
        more = len(failures) - SHOWN_FAILURES
        raise InputError(
            f"none of the {len(combos)} cases is a valid scenario:\n"
            + "\n".join(f"  - {f}" for f in failures[:SHOWN_FAILURES])
            + (f"\n  ... and {more} more" if more > 0 else "")
            + "\nChange the grid values or distributions so that they fit the scenario's "
            "rules together.",
            file=spec._file,
        )
    return cases


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- values against the scenario's ranges ---------------------------------------------------

_VALUE_HINT = "Keep grid values and distributions within the scenario's allowed ranges."


def value_problems(spec: SweepSpec) -> list[str]:
    """Every grid value, ``choice`` value and distribution range of ``spec`` that lies outside
    the range of the scenario field it sets, one line each (empty if there is none).

    A value that no case could use is refused before any case runs: a grid value is checked
    on its own, a continuous or integer distribution by its lowest and highest draw (a normal
    without ``low`` and ``high`` can draw any number), a ``choice`` by each of its values.
    """
    problems: list[str] = []
    for path, values in spec.grid.items():
        for i, value in enumerate(values):
            problem = _value_problem(path, value)
            if problem:
                problems.append(f"grid.{path}[{i}] = {shown(value)}: {problem}")
    for path, dist in (spec.sample.parameters if spec.sample else {}).items():
        where = f"sample.parameters.{path}"
        if isinstance(dist, Choice):
            for i, value in enumerate(dist.values):
                problem = _value_problem(path, value)
                if problem:
                    problems.append(f"{where}.values[{i}] = {shown(value)}: {problem}")
            continue
        given = (getattr(dist, "low", None), getattr(dist, "high", None))
        low = -math.inf if given[0] is None else given[0]
        high = math.inf if given[1] is None else given[1]
        problem = _value_problem(path, low) or _value_problem(path, high)
        if problem:
            unbounded = isinstance(dist, Normal) and None in given
            note = " (a normal without low and high can draw any number)" if unbounded else ""
            kind = "integers" if isinstance(dist, Integers) else f"a {dist.dist}"
            problems.append(
                f"{where}: {kind} from {shown(low)} to {shown(high)} draws values outside the "
                f"range of {path}, which {problem}{note}; give low and high within that range."
            )
    return problems


def _value_problem(path: str, value: Any) -> str:
    """Why ``value`` cannot be the scenario field at ``path`` on its own; ``""`` if it can."""
    try:
        _adapter(path).validate_python(value)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] in RANGE_ERRORS:
            ctx = dict(first.get("ctx") or {})
            message = must_be(_field(path), ctx, finite=first["type"] == "finite_number")
        if first["loc"]:  # an item of a list value, e.g. one route
            key, item = locate(value, first["loc"])
            return f"its item {key} = {shown(item)}: {message}"
        return message
    return ""


@functools.cache
def _field(path: str) -> Any:
    return field_at(Scenario, tuple(path.split(".")))


@functools.cache
def _adapter(path: str) -> TypeAdapter[Any]:
    field = _field(path)
    annotated: Any = Annotated[field.annotation, field]
    return TypeAdapter(annotated)


def _value_listing(problems: list[str]) -> str:
    more = len(problems) - SHOWN_VALUE_PROBLEMS
    shown_problems = problems[:SHOWN_VALUE_PROBLEMS]
    if more > 0:
        shown_problems.append(f"... and {more} more")
    return (
        f"{len(problems)} value{'s' if len(problems) > 1 else ''} outside the scenario's "
        "ranges:\n" + "\n".join(f"  - {p}" for p in shown_problems) + f"\n{_VALUE_HINT}"
    )


# --- input hash -----------------------------------------------------------------------------


def input_hash(
    scenario: Scenario | Mapping[str, Any], extra: Mapping[str, Any] | None = None
) -> str:
    """SHA-256 hex digest of a scenario's inputs, the same in every process.

    The digest covers ``scenario`` without its labels (``name``, ``description``, ``extends``:
    renaming or how a scenario was composed does not change it), ``caspian.__version__``, the
    shipped dataset's content (``caspian.corridor.dataset.dataset_digest``) and ``extra`` (e.g.
    solver settings and the sweep's name), as canonical JSON: sorted keys, no spaces, floats by
    ``repr`` (exact round trip). ``extra`` may hold JSON values, dataclasses, enums, numpy
    scalars and sets. ``scenario`` may also be the values of a case that is not a valid
    scenario (a mapping, [`SweepCase.raw`][caspian.sweep.spec.SweepCase]).
    """
    if isinstance(scenario, Scenario):
        values = scenario.model_dump(mode="json", exclude=set(NOT_PARAMETERS))
    else:
        values = {k: v for k, v in scenario.items() if k not in NOT_PARAMETERS}
    payload = {
        "caspian_version": __version__,
        "dataset": dataset_digest(),
        "scenario": values,
        "extra": dict(extra or {}),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"input_hash: {value!r} ({type(value).__name__}) is not JSON-able.")
