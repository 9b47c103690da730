"""Scenarios of the corridor study: YAML files that override the base assumptions.

A scenario file names what differs from the base (or from the scenario it ``extends``):

    name: caspian-fixed-1.5gw
    description: The Caspian cable built at 1.5 GW on route A.
    caspian:
      extendable: false
      p_nom_mw: 1500

Every key is checked: an unknown key is an error with a "did you mean", a value of the wrong
type or out of range names the file, the key and the value. The shipped scenarios live in
``caspian/corridor/scenarios/``; a path to a YAML file works anywhere a name does.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from caspian.exceptions import InputError

Route = Literal["A", "B"]
"""Caspian routes: A = Aktau/Kuryk (KZ-W) to Sumgait (AZ); B = Turkmenbashi (TM) to Baku (AZ)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resolution(_Section):
    """Time resolution over the full year: ``hours`` per snapshot (1 = hourly), ``segments``
    of varying length found by tsam, or ``typical_days`` found by tsam whose storage is linked
    over the year (either of the last two overrides ``hours``).

    Attributes
    ----------
    hours
        Hours per snapshot (1 = full hourly year); 1 to 168, default 6.
    segments
        Split the year into this many tsam segments instead; 2 to 8760, default None.
    typical_days
        Model the year by this many hourly typical days (tsam) instead, with storage linked
        across the days of the year; 1 to 365, default None. Not together with ``segments``.
    """

    hours: int = Field(6, ge=1, le=168, description="Hours per snapshot (1 = full hourly year).")
    segments: int | None = Field(
        None, ge=2, le=8760, description="Split the year into this many tsam segments instead."
    )
    typical_days: int | None = Field(
        None,
        ge=1,
        le=365,
        description="Model the year by this many hourly typical days (tsam) instead, with "
        "storage linked across the days of the year.",
    )

    @model_validator(mode="after")
    def _one_aggregation(self) -> Resolution:
        if self.segments is not None and self.typical_days is not None:
            raise ValueError(
                "segments and typical_days cannot both be set; choose one way to shorten the year"
            )
        return self

    def describe(self) -> str:
        """A few words for messages: ``6-hourly``, ``100 segments`` or ``12 typical days``."""
        if self.typical_days is not None:
            return f"{self.typical_days} typical days"
        if self.segments is not None:
            return f"{self.segments} segments"
        return f"{self.hours}-hourly"


class CaspianLink(_Section):
    """The Caspian subsea HVDC interconnector.

    Attributes
    ----------
    routes
        Candidate routes to include (see ``Route``); default ``("A",)``.
    extendable
        Capacity chosen by the optimisation; default True.
    p_nom_mw
        Capacity when not extendable (MW, at least 0); default 0.
    p_nom_max_mw
        Upper limit when extendable (MW, at least 0); default 7000.
    capex_multiplier
        Scales cable and converter capex (above 0); default 1.
    availability
        Share of the year the cable is in service; the rest is one outage (a subsea repair),
        starting on ``outage_start_day``. 0 = the cable is out all year; 0 to 1, default 1.
    outage_start_day
        Day of the year the outage starts (when availability < 1); 1 to 365, default 1.
    """

    routes: tuple[Route, ...] = Field(("A",), description="Candidate routes to include.")
    extendable: bool = Field(True, description="Capacity chosen by the optimisation.")
    p_nom_mw: float = Field(0.0, ge=0, description="Capacity when not extendable (MW).")
    p_nom_max_mw: float = Field(7000.0, ge=0, description="Upper limit when extendable (MW).")
    capex_multiplier: float = Field(1.0, gt=0, description="Scales cable and converter capex.")
    availability: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of the year the cable is in service; the rest is one outage "
        "(a subsea repair), starting on outage_start_day. 0 = the cable is out all year.",
    )
    outage_start_day: int = Field(
        1, ge=1, le=365, description="Day of the year the outage starts (when availability < 1)."
    )


class BlackSeaCable(_Section):
    """The Georgia-Romania Black Sea cable.

    Attributes
    ----------
    extendable
        Capacity chosen by the optimisation; default False.
    p_nom_mw
        Capacity (MW, at least 0); None (the default) = the dataset's value.
    p_nom_max_mw
        Upper limit when extendable (MW, at least 0); default 6000.
    """

    extendable: bool = Field(False, description="Capacity chosen by the optimisation.")
    p_nom_mw: float | None = Field(None, ge=0, description="Capacity (MW); None = dataset value.")
    p_nom_max_mw: float = Field(6000.0, ge=0, description="Upper limit when extendable (MW).")


class Prices(_Section):
    """Fuel and market price assumptions, as multipliers on the dataset's values.

    Attributes
    ----------
    gas_multiplier
        Scales gas prices in every country (above 0); default 1.
    coal_multiplier
        Scales coal prices (above 0); default 1.
    eu_price_multiplier
        Scales the EU market price (above 0); default 1.
    market_price_multiplier
        Scales the non-EU market prices (TR, RU, IR) (above 0); default 1.
    """

    gas_multiplier: float = Field(1.0, gt=0, description="Scales gas prices in every country.")
    coal_multiplier: float = Field(1.0, gt=0, description="Scales coal prices.")
    eu_price_multiplier: float = Field(1.0, gt=0, description="Scales the EU market price.")
    market_price_multiplier: float = Field(
        1.0, gt=0, description="Scales the non-EU market prices (TR, RU, IR)."
    )


class Demand(_Section):
    """Demand assumptions.

    Attributes
    ----------
    growth_multiplier
        Scales demand growth from the base year to the target year (above 0); default 1.
    """

    growth_multiplier: float = Field(
        1.0, gt=0, description="Scales demand growth from the base year to the target year."
    )


class Finance(_Section):
    """Cost of capital.

    Attributes
    ----------
    discount_rate_offset
        Added to every asset class's discount rate; -0.05 to 0.2, default 0.
    """

    discount_rate_offset: float = Field(
        0.0, ge=-0.05, le=0.2, description="Added to every asset class's discount rate."
    )


class Scenario(_Section):
    """One scenario: every assumption the corridor model reads, with the base as default.

    A scenario file sets any of these keys, the sections (``caspian``, ``prices``, ...) as
    nested mappings; every key left out keeps its default (or the value of the scenario it
    ``extends``).

    Attributes
    ----------
    name
        The scenario's name; default ``"base"`` (a file's name when loaded from a file).
    description
        One line saying what the scenario changes.
    extends
        Scenario whose values this one starts from.
    year
        Target year, 2030 or 2035; default 2030.
    weather_seed
        Seed of the synthetic weather year (at least 0); default 1.
    resolution
        Time resolution ([`Resolution`][caspian.corridor.scenario.Resolution]).
    caspian
        The Caspian cable ([`CaspianLink`][caspian.corridor.scenario.CaspianLink]).
    black_sea
        The Black Sea cable ([`BlackSeaCable`][caspian.corridor.scenario.BlackSeaCable]).
    prices
        Price multipliers ([`Prices`][caspian.corridor.scenario.Prices]).
    demand
        Demand growth ([`Demand`][caspian.corridor.scenario.Demand]).
    finance
        Cost of capital ([`Finance`][caspian.corridor.scenario.Finance]).
    """

    name: str = "base"
    description: str = ""
    extends: str | None = Field(None, description="Scenario whose values this one starts from.")
    year: Literal[2030, 2035] = Field(2030, description="Target year.")
    weather_seed: int = Field(1, ge=0, description="Seed of the synthetic weather year.")
    resolution: Resolution = Resolution()
    caspian: CaspianLink = CaspianLink()
    black_sea: BlackSeaCable = BlackSeaCable()
    prices: Prices = Prices()
    demand: Demand = Demand()
    finance: Finance = Finance()

    @model_validator(mode="after")
    def _caspian_capacity(self) -> Scenario:
        if not self.caspian.extendable and self.caspian.p_nom_mw > self.caspian.p_nom_max_mw:
            raise ValueError("caspian.p_nom_mw is above caspian.p_nom_max_mw")
        return self


def scenario_folder() -> Path:
    """The folder of the shipped scenario files."""
    return Path(str(resources.files("caspian.corridor") / "scenarios"))


def available_scenarios() -> list[str]:
    """Names of the shipped scenarios."""
    return sorted(p.stem for p in scenario_folder().glob("*.yaml"))


def load_scenario(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load a shipped scenario by name, or a YAML file by path, resolving ``extends``."""
    path = _resolve(name_or_path)
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise InputError(f"is not valid YAML: {error}", file=str(path)) from None
    if not isinstance(raw, dict):
        raise InputError(
            "must be a mapping of keys to values.", file=str(path), hint="See scenarios/base.yaml."
        )
    raw.setdefault("name", path.stem)
    parent = raw.get("extends")
    base: dict[str, Any] = {}
    if parent:
        chain = (*_seen, str(path.resolve()))
        if str(_resolve(parent).resolve()) in chain:
            raise InputError(
                f"'extends: {parent}' forms a cycle of scenarios.",
                file=str(path),
                hint="Make one scenario extend the other, not both ways.",
            )
        base = load_scenario(parent, chain).model_dump(exclude={"name", "description", "extends"})
    merged = _deep_merge(base, raw)
    return _validate(merged, path)


def _resolve(name_or_path: str | Path) -> Path:
    return resolve_yaml(name_or_path, scenario_folder(), "scenario")


def resolve_yaml(name_or_path: str | Path, folder: Path, kind: str) -> Path:
    """The YAML file a ``kind`` (scenario, sweep) is given by: a path, or a name shipped in
    ``folder``; an unknown name gets a "did you mean" and the list of shipped ones."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise InputError(
                f"{kind} file {candidate} does not exist.",
                hint=f"Give a shipped {kind} name or the path to a YAML file.",
            )
        return candidate
    shipped = folder / f"{name_or_path}.yaml"
    if shipped.is_file():
        return shipped
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    match = difflib.get_close_matches(str(name_or_path), names, n=1, cutoff=0.5)
    hint = f" Did you mean '{match[0]}'?" if match else ""
    raise InputError(
        f"unknown {kind} '{name_or_path}'.",
        hint=f"Shipped {kind}s: {', '.join(names)}.{hint} Or give the path to a YAML file.",
    )


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _validate(raw: dict[str, Any], path: Path) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        problems = [_describe(e, raw) for e in error.errors()]
        summary = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}:"
        raise InputError(
            summary + "\n" + "\n".join(f"  - {p}" for p in problems), file=str(path)
        ) from None


def _describe(error: Any, raw: dict[str, Any]) -> str:
    location = [str(part) for part in error["loc"]]
    key = ".".join(location)
    if error["type"] == "extra_forbidden":
        model: type[BaseModel] = Scenario
        for part in location[:-1]:
            field = model.model_fields.get(part)
            annotation = getattr(field, "annotation", None)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                model = annotation
        options = list(model.model_fields)
        match = difflib.get_close_matches(location[-1], options, n=1, cutoff=0.6)
        hint = f" Did you mean '{match[0]}'?" if match else f" Known keys: {', '.join(options)}."
        return f"unknown key '{key}'.{hint}"
    value: Any = raw
    for part in error["loc"]:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            value = None
    return f"{key} = {value!r}: {error['msg']}"
