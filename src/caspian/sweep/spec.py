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
boundary (unknown keys and paths get a "did you mean"); [`expand`][caspian.sweep.spec.expand] turns
it into [`SweepCase`][caspian.sweep.spec.SweepCase] objects and checks that each one is a valid
scenario.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import hashlib
import itertools
import json
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    JsonValue,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from caspian import __version__
from caspian.corridor.dataset import dataset_digest
from caspian.corridor.scenario import Resolution, Scenario, load_scenario, resolve_yaml
from caspian.exceptions import InputError
from caspian.network.network import did_you_mean
from caspian.sweep.distributions import (
    DISTRIBUTION_NAMES,
    Distribution,
    SampleMethod,
    StrictModel,
    dist_tag,
    unit_design,
)

NOT_PARAMETERS = frozenset({"name", "description", "extends"})
"""Scenario fields a sweep does not vary: labels set per case, and ``extends`` (load time only)."""

SHOWN_FAILURES = 5
"""How many failing cases ``expand`` describes before summing up the rest."""


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
        Number of draws (per grid point), at least 1.
    method
        ``lhs`` (the default) or ``monte_carlo``.
    seed
        Seed of numpy's default_rng (at least 0); default 0.
    parameters
        Dotted scenario path -> its distribution, keyed by ``dist`` (``uniform``,
        ``triangular``, ``normal``, ``integers`` or ``choice``); at least one.
    """

    n: int = Field(ge=1, description="Number of draws (per grid point).")
    method: SampleMethod = "lhs"
    seed: int = Field(0, ge=0, description="Seed of numpy's default_rng.")
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
        The sweep's name: lower-case letters, digits and '-'.
    description
        One line saying what the sweep explores.
    base
        Shipped scenario name or path to a scenario YAML; default ``base``.
    resolution
        Replaces the base's resolution (a
        [`Resolution`][caspian.corridor.scenario.Resolution]), if given.
    grid
        Dotted path -> values; cases are their product.
    sample
        Draws of other parameters ([`Sample`][caspian.sweep.spec.Sample]), if given.
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Lower-case, digits, '-'.")
    description: str = ""
    base: str = Field("base", description="Shipped scenario name or path to a scenario YAML.")
    resolution: Resolution | None = Field(None, description="Replaces the base's resolution.")
    grid: dict[ParameterPath, Annotated[list[JsonValue], Field(min_length=1)]] = Field(
        default_factory=dict, description="Dotted path -> values; cases are their product."
    )
    sample: Sample | None = None
    _file: str | None = PrivateAttr(None)

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
        the base scenario with ``params`` applied, named ``"<sweep>-<case_id>"``.
    """

    case_id: str
    params: dict[str, Any]
    scenario: Scenario


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
        Naming the file, for invalid YAML, unknown keys or parameter paths (with a "did you
        mean"), values out of range (key and value), or a base scenario that does not load.
    """
    file = _resolve(path)
    try:
        raw = yaml.safe_load(file.read_text())
    except yaml.YAMLError as error:
        raise InputError(f"is not valid YAML: {error}", file=str(file)) from None
    if not isinstance(raw, dict):
        raise InputError(
            "must be a mapping of keys to values.",
            file=str(file),
            hint=f"See the examples in {sweep_folder()}.",
        )
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as error:
        problems = [_describe(e, raw, SweepSpec) for e in error.errors()]
        raise InputError(_listing(problems), file=str(file)) from None
    spec._file = str(file)
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
    grid and sample values win over ``spec.resolution``.

    Raises
    ------
    InputError
        If the base scenario does not load, or some cases are not valid scenarios: the first
        [`SHOWN_FAILURES`][caspian.sweep.spec.SHOWN_FAILURES] are named with their parameter values
        and pydantic's message.
    """
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
        raw["description"] = f"Case {case_id} of sweep {spec.name} (base {spec.base}): " + (
            ", ".join(f"{k}={v!r}" for k, v in params.items()) or "no changes"
        )
        try:
            cases.append(SweepCase(case_id, params, Scenario.model_validate(raw)))
        except ValidationError as error:
            problems = "; ".join(_describe(e, raw, Scenario) for e in error.errors())
            shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
            failures.append(f"{case_id} ({shown}): {problems}")
    if failures:
        more = len(failures) - SHOWN_FAILURES
        raise InputError(
            f"{len(failures)} of {len(combos)} cases are not valid scenarios:\n"
            + "\n".join(f"  - {f}" for f in failures[:SHOWN_FAILURES])
            + (f"\n  ... and {more} more" if more > 0 else "")
            + "\nNarrow the grid values or distributions to the scenario's allowed ranges.",
            file=spec._file,
        )
    return cases


# --- input hash -----------------------------------------------------------------------------


def input_hash(scenario: Scenario, extra: Mapping[str, Any] | None = None) -> str:
    """SHA-256 hex digest of a scenario's inputs, the same in every process.

    The digest covers ``scenario`` without its labels (``name``, ``description``, ``extends``:
    renaming or how a scenario was composed does not change it), ``caspian.__version__``, the
    shipped dataset's content (``caspian.corridor.dataset.dataset_digest``) and ``extra`` (e.g.
    solver settings and the sweep's name), as canonical JSON: sorted keys, no spaces, floats by
    ``repr`` (exact round trip). ``extra`` may hold JSON values, dataclasses, enums, numpy
    scalars and sets.
    """
    payload = {
        "caspian_version": __version__,
        "dataset": dataset_digest(),
        "scenario": scenario.model_dump(mode="json", exclude=set(NOT_PARAMETERS)),
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


# --- messages -------------------------------------------------------------------------------


def _listing(problems: list[str]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) > 1 else ''}:\n" + "\n".join(
        f"  - {p}" for p in problems
    )


_MISSING = object()


def _describe(error: Any, raw: Any, root: type[BaseModel]) -> str:
    """One pydantic error as a line naming the key path and its value."""
    key, value = _locate(raw, error["loc"])
    message = re.sub(r"^(Value|Assertion) error, ", "", error["msg"])
    kind = error["type"]
    if kind == "extra_forbidden":
        options = list(getattr(_model_at(root, error["loc"][:-1]), "model_fields", {}))
        name = str(error["loc"][-1])
        hint = did_you_mean(name, options) or f" Known keys: {', '.join(options)}."
        return f"unknown key '{key}'.{hint}"
    if kind == "union_tag_invalid":
        tag = str(error["ctx"]["tag"])
        hint = did_you_mean(tag, DISTRIBUTION_NAMES)
        return f"{key}: unknown dist '{tag}'.{hint} Use one of: {', '.join(DISTRIBUTION_NAMES)}."
    if kind == "union_tag_not_found":
        return f"{key} = {value!r}: needs 'dist', one of: {', '.join(DISTRIBUTION_NAMES)}."
    if kind == "missing":
        return f"{key}: required key missing."
    if "[key]" in error["loc"]:
        return f"{_locate(raw, error['loc'][:-2])[0]}: {message}"
    if kind == "value_error" or value is _MISSING:
        return f"{key}: {message}" if key else message
    return f"{key} = {value!r}: {message}"


def _locate(raw: Any, loc: tuple[str | int, ...]) -> tuple[str, Any]:
    """The key path as written in the file (without union tags) and the value there."""
    key, value = "", raw
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(value, dict) and value.get("dist") == part and part not in value:
            continue  # a discriminated-union tag, not a key of the file
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
        found = part in value if isinstance(value, dict) else _is_index(part, value)
        value = value[part] if found else _MISSING
    return key, value


def _is_index(part: str | int, value: Any) -> bool:
    return isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class at ``loc`` inside ``root``, following fields, dict values and tags."""
    current: Any = root
    for part in loc:
        current = _strip(current)
        if _is_union(current):  # a discriminated union: this part of the location is the tag
            current = next((m for m in get_args(current) if dist_tag(m) == part), None)
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _strip(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _strip(annotation: Any) -> Any:
    """``annotation`` without ``Annotated`` and ``| None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        members = [m for m in get_args(annotation) if m is not type(None)]
        if not _is_union(annotation) or len(members) != 1:
            return annotation
        annotation = members[0]
