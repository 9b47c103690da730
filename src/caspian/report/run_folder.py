"""A results folder, read once for the report: the solved network, its summaries and tables.

``caspian run`` writes ``network.nc``, ``summary.json``, ``headlines.json``, ``scenario.json``,
one table per result series and ``analysis/*.csv``; ``caspian cba RUN_DIR`` adds ``cba/``.
:func:`load_run` reads what is there; the figures compute what is missing from the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caspian.analysis.common import energy_weights
from caspian.corridor.run import HEADLINES_FILE, SCENARIO_FILE
from caspian.corridor.scenario import Scenario
from caspian.exceptions import InputError
from caspian.network.network import Network, extendable_mask
from caspian.optimize import OptimizationResult
from caspian.optimize.export import NETWORK_FILE, SUMMARY_FILE, read_result
from caspian.optimize.periods import RepresentativePeriods

ANALYSIS_FOLDER = "analysis"
CBA_FOLDER = "cba"
BUILT_MW = 1.0
"""A candidate line or link with less capacity than this (MW) counts as not built."""


@dataclass(frozen=True)
class CbaFolder:
    """What ``caspian cba RUN_DIR`` wrote: summary numbers (EUR, MW) and its tables."""

    summary: dict[str, Any]
    indicators: pd.DataFrame | None
    welfare_by_area: pd.DataFrame | None
    tornado: pd.DataFrame | None


@dataclass(frozen=True)
class RunFolder:
    """A results folder read for the report.

    Attributes
    ----------
    path : the folder.
    result : the result rebuilt by :func:`caspian.optimize.export.read_result`.
    summary : ``summary.json`` (solver, objective, timings).
    headlines : ``headlines.json`` of a corridor run; empty for other runs.
    scenario : the corridor scenario the folder was run with, or None.
    analysis : the tables of ``analysis/`` by file stem (may be empty).
    cba : the ``cba/`` folder, or None when the user has not run ``caspian cba``.
    """

    path: Path
    result: OptimizationResult
    summary: dict[str, Any]
    headlines: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario | None = None
    analysis: dict[str, pd.DataFrame] = field(default_factory=dict)
    cba: CbaFolder | None = None

    @property
    def network(self) -> Network:
        """The solved network."""
        return self.result.network


def load_run(run_dir: str | Path) -> RunFolder:
    """Read a results folder of ``caspian run`` (or ``caspian solve``) without solving.

    Raises
    ------
    InputError
        If ``run_dir`` does not exist, is not a folder, or lacks ``summary.json`` or
        ``network.nc``.
    """
    path = Path(run_dir)
    if not path.exists():
        raise InputError(
            f"{path} is not a results folder (no such folder).",
            hint="Give the folder written by 'caspian run' or 'caspian solve', e.g. "
            "results/run-20300101-120000/base.",
        )
    if not path.is_dir():
        raise InputError(
            f"{path} is a file, not a results folder.",
            hint="Give the folder written by 'caspian run' or 'caspian solve'.",
        )
    missing = [name for name in (SUMMARY_FILE, NETWORK_FILE) if not (path / name).exists()]
    if missing:
        inside = sorted(p.name for p in path.iterdir() if (p / SUMMARY_FILE).is_file())
        hint = (
            f"It holds the results of {', '.join(inside)}: give one, e.g. {path / inside[0]}."
            if inside
            else "Give the folder of one scenario written by 'caspian run' (RUN/base, not "
            "RUN) or by 'caspian solve'."
        )
        raise InputError(
            f"{path} is not a results folder: {' and '.join(missing)} missing.", hint=hint
        )
    result = read_result(path)
    summary = _json(path / SUMMARY_FILE)
    headlines = _json(path / HEADLINES_FILE) if (path / HEADLINES_FILE).exists() else {}
    scenario_path = path / SCENARIO_FILE
    scenario = (
        Scenario.model_validate_json(scenario_path.read_text()) if scenario_path.exists() else None
    )
    analysis = {
        table.stem: _analysis_table(table)
        for table in sorted((path / ANALYSIS_FOLDER).glob("*.csv"))
    }
    return RunFolder(path, result, summary, headlines, scenario, analysis, _cba(path / CBA_FOLDER))


def _analysis_table(path: Path) -> pd.DataFrame:
    """One ``analysis/`` table with its columns as written (a named index, such as ``branch``,
    is a column); older folders wrote row numbers as an unnamed first column, dropped here."""
    frame = pd.read_csv(path)
    if len(frame.columns) and str(frame.columns[0]).startswith("Unnamed: 0"):
        frame = frame.drop(columns=frame.columns[0])
    return frame


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}).",
            hint="The results folder is damaged; run the scenario again.",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"{path} holds {type(data).__name__}, not a JSON object.",
            hint="The results folder is damaged; run the scenario again.",
        )
    return data


def _cba(folder: Path) -> CbaFolder | None:
    if not (folder / SUMMARY_FILE).exists():
        return None

    def table(name: str) -> pd.DataFrame | None:
        path = folder / name
        return pd.read_csv(path) if path.exists() else None

    welfare = table("welfare_by_area.csv")
    if welfare is not None:
        welfare = welfare.set_index(welfare.columns[0])
    return CbaFolder(
        summary=_json(folder / SUMMARY_FILE),
        indicators=table("indicators.csv"),
        welfare_by_area=welfare,
        tornado=table("tornado.csv"),
    )


def is_chronological(n: Network) -> bool:
    """True if every snapshot runs until the next one starts (hours, segments), so the
    snapshots tile the year; False for typical days, whose snapshots stand for days elsewhere."""
    sns = n.snapshots
    if not isinstance(sns, pd.DatetimeIndex) or len(sns) == 0:
        return False
    hours = energy_weights(n).to_numpy(float)
    if not np.allclose(hours, np.round(hours)) or np.any(hours < 1):
        return False
    ends = sns + pd.to_timedelta(np.round(hours), unit="h")
    return bool(np.all(ends[:-1] == sns[1:]))


def hourly(
    frame: pd.DataFrame, n: Network, periods: RepresentativePeriods | None = None
) -> pd.DataFrame:
    """Snapshot values repeated over every hour each snapshot stands for (MW stays MW).

    A 6-hourly snapshot becomes six equal hours, so weeks, days and hours of the day line up
    whatever the resolution. With ``periods`` (typical days) the values are first laid over
    the real year, each original day showing its typical day
    ([`RepresentativePeriods.to_calendar`][caspian.optimize.periods.RepresentativePeriods.to_calendar]).
    Without them, snapshots that do not tile the year come back as they are.
    """
    if periods is not None:
        order = periods.chronological_order()
        steps = periods.per_occurrence(energy_weights(n).to_numpy(float))[order]
        calendar = periods.to_calendar(frame)
        repeats = np.round(steps).astype(int)
        if np.allclose(steps, repeats) and (repeats >= 1).all():
            index = pd.date_range(calendar.index[0], periods=int(repeats.sum()), freq="h")
            return pd.DataFrame(
                np.repeat(calendar.to_numpy(float), repeats, axis=0),
                index=index.rename("hour"),
                columns=frame.columns,
            )
        return calendar
    if not is_chronological(n):
        return frame
    repeats = np.round(energy_weights(n).to_numpy(float)).astype(int)
    index = pd.date_range(n.snapshots[0], periods=int(repeats.sum()), freq="h", name="hour")
    return pd.DataFrame(
        np.repeat(frame.to_numpy(float), repeats, axis=0), index=index, columns=frame.columns
    )


def candidate_branches(n: Network) -> set[str]:
    """Names of the lines and links whose capacity the optimisation chose (extendable)."""
    names: set[str] = set()
    for component in ("Line", "Link"):
        static = n.static[component]
        if len(static):
            names |= {str(k) for k in static.index[extendable_mask(static, component)]}
    return names
