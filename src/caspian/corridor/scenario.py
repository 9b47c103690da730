"""Scenarios of the corridor study: YAML files that override the base assumptions.

A scenario file names what differs from the base (or from the scenario it ``extends``):

    name: caspian-fixed-1.5gw
    description: The Caspian cable built at 1.5 GW on route A.
    caspian:
      extendable: false
      p_nom_mw: 1500

Every key is checked: an unknown key is an error with a "did you mean", a value of the wrong
type or out of range names the file, the key, the value and the allowed range. Every number must
be finite and within the range its field documents, and ``name`` must be a safe file name
(``caspian.names.check_name``): it names the results folder. Files are read within
the bounds of ``caspian.corridor.yaml_input``. The shipped scenarios
live in ``caspian/corridor/scenarios/``; a path to a YAML file works anywhere a name does.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from caspian.corridor.yaml_input import describe, listing, read_yaml, resolve_yaml
from caspian.exceptions import InputError, shown
from caspian.names import SAFE_NAME_HELP, check_name

Route = Literal["A", "B"]
"""Caspian routes: A = Aktau/Kuryk (KZ-W) to Sumgait (AZ); B = Turkmenbashi (TM) to Baku (AZ)."""

MAX_CAPACITY_MW = 100_000.0
"""Largest capacity a scenario may give a cable, MW: 100 GW, about the corridor's whole peak
demand and over ten times the largest HVDC link built."""
MAX_MULTIPLIER = 100.0
"""Largest price or capex multiplier: two orders of magnitude over the dataset's value."""
MAX_GROWTH_MULTIPLIER = 10.0
"""Largest demand-growth multiplier: ten times the dataset's growth from base to target year."""
MAX_SEED = 2**32 - 1
"""Largest weather seed (numpy seeds are unsigned 32-bit integers in most tools)."""
MAX_TEXT = 2_000
"""Longest description, in characters."""
MAX_PATH = 4_096
"""Longest ``extends`` (a name or a path), in characters."""
MAX_EXTENDS = 20
"""Longest chain of scenarios extending one another."""


def _safe_name(name: str) -> str:
    try:
        return check_name(name)
    except InputError:
        raise ValueError(
            f"cannot be used as a file or folder name (it names the results folder); "
            f"{SAFE_NAME_HELP}"
        ) from None


SafeName = Annotated[str, AfterValidator(_safe_name)]
"""A name that is also a file name: ``caspian.names.SAFE_NAME``."""


def _once_each(routes: tuple[str, ...]) -> tuple[str, ...]:
    twice = sorted({r for r in routes if routes.count(r) > 1})
    if twice:
        raise ValueError(f"lists route {twice[0]!r} twice; name each route once")
    return routes


def _capacity(default: float | None, what: str) -> Any:
    return Field(
        default,
        ge=0,
        le=MAX_CAPACITY_MW,
        allow_inf_nan=False,
        description=f"{what} (MW, 0 to {MAX_CAPACITY_MW:,.0f}).",
    )


def _multiplier(what: str, high: float = MAX_MULTIPLIER) -> Any:
    return Field(
        1.0,
        gt=0,
        le=high,
        allow_inf_nan=False,
        description=f"{what} (above 0, at most {high:g}).",
    )


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

    hours: int = Field(
        6, ge=1, le=168, description="Hours per snapshot (1 = full hourly year; 1 to 168)."
    )
    segments: int | None = Field(
        None,
        ge=2,
        le=8760,
        description="Split the year into this many tsam segments instead (2 to 8760).",
    )
    typical_days: int | None = Field(
        None,
        ge=1,
        le=365,
        description="Model the year by this many hourly typical days (tsam) instead, with "
        "storage linked across the days of the year (1 to 365).",
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
        Candidate routes to include (see ``Route``), each at most once; default ``("A",)``.
    extendable
        Capacity chosen by the optimisation; default True.
    p_nom_mw
        Capacity when not extendable (MW, 0 to 100,000); default 0.
    p_nom_max_mw
        Upper limit when extendable (MW, 0 to 100,000); default 7000.
    capex_multiplier
        Scales cable and converter capex (above 0, at most 100); default 1.
    availability
        Share of the year the cable is in service; the rest is one outage (a subsea repair),
        starting on ``outage_start_day``. 0 = the cable is out all year; 0 to 1, default 1.
    outage_start_day
        Day of the year the outage starts (when availability < 1); 1 to 365, default 1.
    """

    routes: Annotated[tuple[Route, ...], AfterValidator(_once_each)] = Field(
        ("A",), max_length=2, description="Candidate routes to include, each at most once."
    )
    extendable: bool = Field(True, description="Capacity chosen by the optimisation.")
    p_nom_mw: float = _capacity(0.0, "Capacity when not extendable")
    p_nom_max_mw: float = _capacity(7000.0, "Upper limit when extendable")
    capex_multiplier: float = _multiplier("Scales cable and converter capex")
    availability: float = Field(
        1.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Share of the year the cable is in service; the rest is one outage "
        "(a subsea repair), starting on outage_start_day. 0 = the cable is out all year "
        "(0 to 1).",
    )
    outage_start_day: int = Field(
        1,
        ge=1,
        le=365,
        description="Day of the year the outage starts (when availability < 1; 1 to 365).",
    )


class BlackSeaCable(_Section):
    """The Georgia-Romania Black Sea cable.

    Attributes
    ----------
    extendable
        Capacity chosen by the optimisation; default False.
    p_nom_mw
        Capacity (MW, 0 to 100,000); None (the default) = the dataset's value.
    p_nom_max_mw
        Upper limit when extendable (MW, 0 to 100,000); default 6000.
    """

    extendable: bool = Field(False, description="Capacity chosen by the optimisation.")
    p_nom_mw: float | None = _capacity(None, "Capacity; None = the dataset's value")
    p_nom_max_mw: float = _capacity(6000.0, "Upper limit when extendable")


class Prices(_Section):
    """Fuel and market price assumptions, as multipliers on the dataset's values.

    Attributes
    ----------
    gas_multiplier
        Scales gas prices in every country (above 0, at most 100); default 1.
    coal_multiplier
        Scales coal prices (above 0, at most 100); default 1.
    eu_price_multiplier
        Scales the EU market price (above 0, at most 100); default 1.
    market_price_multiplier
        Scales the non-EU market prices (TR, RU, IR) (above 0, at most 100); default 1.
    """

    gas_multiplier: float = _multiplier("Scales gas prices in every country")
    coal_multiplier: float = _multiplier("Scales coal prices")
    eu_price_multiplier: float = _multiplier("Scales the EU market price")
    market_price_multiplier: float = _multiplier("Scales the non-EU market prices (TR, RU, IR)")


class Demand(_Section):
    """Demand assumptions.

    Attributes
    ----------
    growth_multiplier
        Scales demand growth from the base year to the target year (above 0, at most 10);
        default 1.
    """

    growth_multiplier: float = _multiplier(
        "Scales demand growth from the base year to the target year", MAX_GROWTH_MULTIPLIER
    )


class Finance(_Section):
    """Cost of capital.

    Attributes
    ----------
    discount_rate_offset
        Added to every asset class's discount rate; -0.05 to 0.2, default 0.
    """

    discount_rate_offset: float = Field(
        0.0,
        ge=-0.05,
        le=0.2,
        allow_inf_nan=False,
        description="Added to every asset class's discount rate (-0.05 to 0.2).",
    )


class Scenario(_Section):
    """One scenario: every assumption the corridor model reads, with the base as default.

    A scenario file sets any of these keys, the sections (``caspian``, ``prices``, ...) as
    nested mappings; every key left out keeps its default (or the value of the scenario it
    ``extends``). Every number must be finite and in its field's range.

    Attributes
    ----------
    name
        The scenario's name, which names its results folder: letters, digits, ``.``, ``_`` and
        ``-``, starting with a letter or digit, at most 100 characters
        (``caspian.names.check_name``); default ``"base"`` (a file's name when
        loaded from a file).
    description
        One line saying what the scenario changes (at most 2,000 characters).
    extends
        Scenario whose values this one starts from (a shipped name or a path).
    year
        Target year, 2030 or 2035; default 2030.
    weather_seed
        Seed of the synthetic weather year (0 to 4,294,967,295); default 1.
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

    name: SafeName = Field("base", description="The scenario's name; names its results folder.")
    description: str = Field("", max_length=MAX_TEXT, description="What the scenario changes.")
    extends: str | None = Field(
        None, max_length=MAX_PATH, description="Scenario whose values this one starts from."
    )
    year: Literal[2030, 2035] = Field(2030, description="Target year.")
    weather_seed: int = Field(
        1,
        ge=0,
        le=MAX_SEED,
        description=f"Seed of the synthetic weather year (0 to {MAX_SEED:,}).",
    )
    resolution: Resolution = Resolution()
    caspian: CaspianLink = CaspianLink()
    black_sea: BlackSeaCable = BlackSeaCable()
    prices: Prices = Prices()
    demand: Demand = Demand()
    finance: Finance = Finance()

    @model_validator(mode="after")
    def _caspian_capacity(self) -> Scenario:
        if not self.caspian.extendable and self.caspian.p_nom_mw > self.caspian.p_nom_max_mw:
            raise ValueError(
                f"caspian.p_nom_mw ({self.caspian.p_nom_mw:g}) is above caspian.p_nom_max_mw "
                f"({self.caspian.p_nom_max_mw:g}); lower the one or raise the other"
            )
        return self


def scenario_folder() -> Path:
    """The folder of the shipped scenario files."""
    return Path(str(resources.files("caspian.corridor") / "scenarios"))


def available_scenarios() -> list[str]:
    """Names of the shipped scenarios."""
    return sorted(p.stem for p in scenario_folder().glob("*.yaml"))


def load_scenario(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load a shipped scenario by name, or a YAML file by path, resolving ``extends``.

    Raises
    ------
    InputError
        Naming the file: not readable or over the bounds of
        ``caspian.corridor.yaml_input.read_yaml``, unknown keys (with a "did you
        mean"), values of the wrong type or out of range (key, value and range), an unsafe
        ``name``, or an ``extends`` that is unknown, cyclic or more than
        [`MAX_EXTENDS`][caspian.corridor.scenario.MAX_EXTENDS] deep.
    """
    path = _resolve(name_or_path)
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(
            "must be a mapping of keys to values.", file=str(path), hint="See scenarios/base.yaml."
        )
    raw.setdefault("name", path.stem)
    parent = raw.get("extends")
    base: dict[str, Any] = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent or len(parent) > MAX_PATH:
            raise InputError(
                f"extends = {shown(parent)}: must name a shipped scenario or a YAML file.",
                file=str(path),
                hint=f"Shipped scenarios: {', '.join(available_scenarios())}.",
            )
        chain = (*_seen, str(path.resolve()))
        if len(chain) > MAX_EXTENDS:
            raise InputError(
                f"'extends: {shown(parent)}' makes a chain of more than {MAX_EXTENDS} scenarios.",
                file=str(path),
                hint="Extend a scenario that sets more of the values itself.",
            )
        if str(_resolve(parent, path.parent).resolve()) in chain:
            raise InputError(
                f"'extends: {shown(parent)}' forms a cycle of scenarios.",
                file=str(path),
                hint="Make one scenario extend the other, not both ways.",
            )
        base = load_scenario(_resolve(parent, path.parent), chain).model_dump(
            exclude={"name", "description", "extends"}
        )
    merged = _deep_merge(base, raw)
    return _validate(merged, path)


def _resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    return resolve_yaml(name_or_path, scenario_folder(), "scenario", relative_to=relative_to)


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
        problems = [describe(e, raw, Scenario) for e in error.errors()]
        raise InputError(listing(problems), file=str(path)) from None
