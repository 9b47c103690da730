"""A results folder, read once for the report: the solved network, its summaries and tables.

``caspian run`` writes ``network.nc``, ``summary.json``, ``headlines.json``, ``scenario.json``,
one table per result series and ``analysis/*.csv``; ``caspian cba RUN_DIR`` adds ``cba/``
(the layout: :mod:`caspian.runs.layout`). :func:`load_run` reads what is there through
:func:`caspian.runs.open_run`; the figures compute what is missing from the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caspian.analysis.common import energy_weights
from caspian.corridor.scenario import Scenario
from caspian.network.network import Network, extendable_mask
from caspian.optimize import OptimizationResult
from caspian.optimize.periods import RepresentativePeriods
from caspian.runs.read import CbaFolder, open_run


@dataclass(frozen=True)
class RunFolder:
    """A results folder read for the report.

    Attributes
    ----------
    path : the folder.
    result : the result rebuilt by :func:`caspian.optimize.export.read_result`.
    summary : ``summary.json`` (solver, objective, timings).
    headlines : ``headlines.json`` of a corridor run, every quantity under its one name
        (:func:`caspian.runs.headlines.canonical_keys`); empty for other runs.
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
        ``network.nc`` (:func:`caspian.runs.open_run`).
    """
    run = open_run(run_dir)
    result = run.result
    summary = run.summary
    headlines = run.headlines_dict
    scenario_json = run.scenario_json
    scenario = None if scenario_json is None else Scenario.model_validate_json(scenario_json)
    return RunFolder(run.path, result, summary, headlines, scenario, run.analysis, run.cba)


def is_chronological(n: Network) -> bool:
    """True if every snapshot runs until the next one starts (hours, segments), so the
    snapshots tile the year; False for typical days (``n.periods``), whose snapshots stand for
    days elsewhere. A network read from a folder written before networks carried their periods
    is told by its timestamps: its typical days do not tile the year either."""
    sns = n.snapshots
    if n.periods is not None or not isinstance(sns, pd.DatetimeIndex) or len(sns) == 0:
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
