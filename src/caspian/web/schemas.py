"""The JSON API's schemas: what a request may send (``*In``) and what it gets back (``*Out``).

Input models forbid unknown keys; output models are built by the server only. Units are in
the field names, as in ``headlines.json``: the headline fields take their names, units and
descriptions from the one model, :mod:`caspian.runs.headlines`, and :class:`HeadlinesOut`
reads the older spellings of a quantity too (``total_cost_eur``, ``emissions_mt``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from caspian.names import SAFE_NAME_HELP, SAFE_NAME_PATTERN, check_name
from caspian.runs.headlines import (
    CASPIAN_CAPACITY,
    EMISSIONS,
    EU_EXPORTS,
    LINK_FLOWS,
    MEAN_PRICE,
    RENEWABLE_BUILD,
    TOTAL_COST,
    Quantity,
    canonical_keys,
)


def _about(quantity: Quantity, more: str = "") -> str:
    """A headline field's description: its label and unit (and ``more``)."""
    return f"{quantity.label[:1].upper()}{quantity.label[1:]}, {quantity.unit}{more}."


def _run_name(name: str) -> str:
    return check_name(name, what="run name")


RunName = Annotated[
    str,
    AfterValidator(_run_name),
    Field(
        description=f"Folder name of the new run: {SAFE_NAME_HELP}.",
        json_schema_extra={"pattern": f"^{SAFE_NAME_PATTERN}$"},
    ),
]
OverrideValue = bool | int | float | str | list[str] | None


class _In(BaseModel):
    # Non-finite numbers never get in (the app refuses them in JSON bodies too).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- runs -----------------------------------------------------------------------------------


class ProblemOut(_Out):
    """A file of a run that cannot be used, and what is wrong with it."""

    file: str = Field(description="Its path inside the run folder, e.g. 'headlines.json'.")
    message: str = Field(description="What is wrong, and what to do about it.")


class RunOut(_Out):
    """One run in the list, with its headline numbers (None where ``problems`` says why)."""

    id: str = Field(description="Run id: its folder below the results root, '~' between folders.")
    scenario: str
    source: Literal["results", "catalogue"]
    sweep: str | None = None
    case_id: str | None = None
    modified_at: datetime | None = Field(description="When its headlines.json was written.")
    total_cost_eur_per_year: float | None = Field(description=_about(TOTAL_COST))
    caspian_capacity_mw: float | None = Field(
        description=_about(CASPIAN_CAPACITY, ", summed over the Caspian link routes")
    )
    eu_exports_twh: float | None = Field(description=_about(EU_EXPORTS))
    emissions_mt_co2: float | None = Field(description=_about(EMISSIONS))
    npv_eur: float | None = Field(None, description="Sweep runs that were appraised only.")
    bcr: float | None = None
    url: str
    report_url: str
    problems: list[ProblemOut] = Field(
        default_factory=list,
        description="Damaged files of the run (headlines.json here); empty for a sound run.",
    )


class LinkFlowOut(_Out):
    bus0: str
    bus1: str
    capacity_mw: float | None
    forward_twh: float | None
    backward_twh: float | None
    losses_twh: float | None


class HeadlinesOut(_Out):
    """``headlines.json`` of a run (see :class:`caspian.runs.headlines.Headlines`); a quantity
    under an older spelling is read as its one name."""

    scenario: str
    caspian_capacity_mw: dict[str, float | None] = Field(
        description=_about(CASPIAN_CAPACITY, " by route")
    )
    total_cost_eur_per_year: float | None = Field(description=_about(TOTAL_COST))
    eu_exports_twh: float | None = Field(description=_about(EU_EXPORTS))
    emissions_mt_co2: float | None = Field(description=_about(EMISSIONS))
    solver: str
    relative_gap: float | None = Field(
        description="Proved relative gap of the total cost to the optimum (0 for a direct solve)."
    )
    mean_price_eur_per_mwh: dict[str, float | None] = Field(
        description=_about(MEAN_PRICE, " by bus")
    )
    renewable_build_mw: dict[str, float | None] = Field(
        description=_about(RENEWABLE_BUILD, " of wind and solar by 'node technology'")
    )
    link_flows_twh: dict[str, LinkFlowOut] = Field(description=_about(LINK_FLOWS, " by link"))

    @model_validator(mode="before")
    @classmethod
    def _one_name(cls, data: Any) -> Any:
        return canonical_keys(data) if isinstance(data, Mapping) else data


class FileOut(_Out):
    """A file of a run and where to download it."""

    path: str
    size_bytes: int
    url: str
    parquet_url: str | None = Field(None, description="CSV tables only: the same as Parquet.")


class RunDetailOut(_Out):
    run: RunOut
    headlines: HeadlinesOut | None = Field(description="None if headlines.json is damaged.")
    scenario: dict[str, object] | None = Field(
        description="The scenario it was run with (empty if the run has no scenario.json, "
        "None if it is damaged)."
    )
    files: list[FileOut]
    archive_url: str
    problems: list[ProblemOut] = Field(
        default_factory=list, description="Damaged files among those this view reads."
    )


class CatalogueOut(_Out):
    """A sweep catalogue the server lists runs from."""

    path: str
    runs: int = Field(description="Finished runs listed from it.")
    problem: str | None = Field(description="Why none are listed, if it cannot be read.")


class DifferenceOut(_Out):
    """One quantity of two runs: ``difference`` is b - a, ``relative`` is (b - a) / |a|."""

    quantity: str
    unit: str
    a: float | None
    b: float | None
    difference: float | None
    relative: float | None


class ParameterDifferenceOut(_Out):
    """A scenario parameter (dotted path) that differs between the two runs."""

    parameter: str
    a: object
    b: object


class ComparisonOut(_Out):
    a: RunOut
    b: RunOut
    headlines: list[DifferenceOut]
    parameters: list[ParameterDifferenceOut]


# --- jobs -----------------------------------------------------------------------------------


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """The server stopped before the job finished; it can be started again."""


class JobIn(_In):
    """A new run: a shipped scenario with some parameters changed."""

    scenario: str = Field(
        max_length=100, description="A shipped scenario (GET /api/scenarios lists them)."
    )
    name: RunName | None = Field(
        None,
        description="Folder of the new run under the results root (default: "
        "<scenario>-<timestamp>).",
    )
    resolution_hours: int | None = Field(
        None,
        ge=1,
        le=168,
        description="Hours per snapshot (default: the scenario's own); the server sets the "
        "finest allowed.",
    )
    overrides: dict[str, OverrideValue] = Field(
        default_factory=dict,
        description="Scenario parameters to change, by dotted path, e.g. "
        '{"prices.gas_multiplier": 1.5, "caspian.extendable": false}.',
        max_length=64,
    )


class JobOut(_Out):
    id: str
    state: JobState
    scenario: str
    run_name: str
    resolution: str
    message: str = Field(description="The latest progress message.")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str
    run_url: str | None = Field(description="The finished run (state done only).")
    restart_url: str | None = Field(
        None,
        description="POST here to start an interrupted or failed job again (with the same "
        "request).",
    )


class ParameterOut(_Out):
    """A scenario parameter a job may change."""

    path: str
    type: str
    description: str
    choices: list[object] | None = None


class ScenarioOut(_Out):
    name: str
    description: str
    resolution_hours: int
    values: dict[str, object] = Field(description="Value of every parameter, by dotted path.")


class ScenariosOut(_Out):
    scenarios: list[ScenarioOut]
    parameters: list[ParameterOut]
    min_resolution_hours: int
