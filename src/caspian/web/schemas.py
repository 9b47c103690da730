"""The JSON API's schemas: what a request may send (``*In``) and what it gets back (``*Out``).

Input models forbid unknown keys; output models are built by the server only. Units are in
the field names, as in ``headlines.json``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from caspian.web.store import SEGMENT

RunName = Annotated[
    str,
    Field(
        pattern=rf"^{SEGMENT}$",
        description="Folder name of the new run: letters, digits, '.', '_' and '-', not "
        "starting with a dot (at most 128 characters).",
    ),
]
OverrideValue = bool | int | float | str | list[str] | None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- runs -----------------------------------------------------------------------------------


class RunOut(_Out):
    """One run in the list, with its headline numbers."""

    id: str = Field(description="Run id: its folder below the results root, '~' between folders.")
    scenario: str
    source: Literal["results", "catalogue"]
    sweep: str | None = None
    case_id: str | None = None
    modified_at: datetime
    total_cost_eur_per_year: float | None
    caspian_capacity_mw: float | None = Field(description="Sum over the Caspian link routes.")
    eu_exports_twh: float | None
    emissions_mt_co2: float | None
    npv_eur: float | None = Field(None, description="Sweep runs that were appraised only.")
    bcr: float | None = None
    url: str
    report_url: str


class LinkFlowOut(_Out):
    bus0: str
    bus1: str
    capacity_mw: float | None
    forward_twh: float | None
    backward_twh: float | None
    losses_twh: float | None


class HeadlinesOut(_Out):
    """``headlines.json`` of a run (see :class:`caspian.corridor.headlines.Headlines`)."""

    scenario: str
    caspian_capacity_mw: dict[str, float | None]
    total_cost_eur_per_year: float | None
    eu_exports_twh: float | None
    emissions_mt_co2: float | None
    solver: str
    relative_gap: float | None
    mean_price_eur_per_mwh: dict[str, float | None]
    renewable_build_mw: dict[str, float | None]
    link_flows_twh: dict[str, LinkFlowOut]


class FileOut(_Out):
    """A file of a run and where to download it."""

    path: str
    size_bytes: int
    url: str
    parquet_url: str | None = Field(None, description="CSV tables only: the same as Parquet.")


class RunDetailOut(_Out):
    run: RunOut
    headlines: HeadlinesOut
    scenario: dict[str, object] = Field(description="The scenario it was run with.")
    files: list[FileOut]
    archive_url: str


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


class JobIn(_In):
    """A new run: a shipped scenario with some parameters changed."""

    scenario: str = Field(description="A shipped scenario (GET /api/scenarios lists them).")
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
