"""Open a results folder: :func:`open_run` checks it, :class:`Run` reads each part on demand.

Nothing is solved. Each part (the result, ``summary.json``, the headlines, the scenario, the
``analysis/``, ``cba/`` and ``trace/`` tables) is read the first time it is asked for and kept.
Folders written by earlier versions open too: headline keys under older spellings are read as
their quantity (:func:`caspian.runs.headlines.canonical_keys`), and ``analysis/`` tables
written with row numbers lose them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.optimize import OptimizationResult
from caspian.optimize.export import read_result
from caspian.runs.headlines import Headlines, canonical_keys
from caspian.runs.layout import (
    CBA_FILES,
    NETWORK_FILE,
    SUMMARY_FILE,
    TRACE_FILES,
    RunLayout,
)

DAMAGED = "The results folder is damaged; run the scenario again."


@dataclass(frozen=True)
class CbaFolder:
    """What ``caspian cba RUN_DIR`` wrote: summary numbers (EUR, MW) and its tables (None where
    absent)."""

    summary: dict[str, Any]
    indicators: pd.DataFrame | None
    welfare_by_area: pd.DataFrame | None
    tornado: pd.DataFrame | None


@dataclass(frozen=True)
class Run:
    """A results folder, its parts read when first asked for (see :func:`open_run`).

    Attributes
    ----------
    path
        The folder.
    """

    path: Path

    @property
    def layout(self) -> RunLayout:
        """The paths of the folder's files."""
        return RunLayout(self.path)

    @property
    def is_corridor_run(self) -> bool:
        """True if a corridor run wrote it (it has ``scenario.json``)."""
        return self.layout.is_corridor_run()

    @cached_property
    def result(self) -> OptimizationResult:
        """The result, rebuilt by [`read_result`][caspian.optimize.export.read_result]."""
        return read_result(self.path)

    @property
    def network(self) -> Network:
        """The solved network."""
        return self.result.network

    @cached_property
    def summary(self) -> dict[str, Any]:
        """``summary.json``: solver, objective (EUR/yr), timings (s), problem size."""
        return read_json_object(self.layout.summary)

    @cached_property
    def headlines_dict(self) -> dict[str, Any]:
        """``headlines.json`` with every quantity under its one name; empty if the folder has
        none (a ``caspian solve`` folder)."""
        path = self.layout.headlines
        return canonical_keys(read_json_object(path)) if path.exists() else {}

    @cached_property
    def headlines(self) -> Headlines | None:
        """The typed headlines (tables from the CSV files where present), None if the folder
        has no ``headlines.json``; :class:`InputError` if it does not hold headlines."""
        if not self.headlines_dict:
            return None
        layout = self.layout
        # round_trip: the numbers exactly as written (the default parser may miss a last digit)
        flows = (
            pd.read_csv(layout.link_flows, index_col=0, float_precision="round_trip")
            if layout.link_flows.is_file()
            else None
        )
        build = None
        if layout.renewable_build.is_file():
            build = pd.read_csv(layout.renewable_build, index_col=0, float_precision="round_trip")
            build.columns.name = "technology"
        try:
            return Headlines.from_dict(self.headlines_dict, link_flows=flows, renewable_build=build)
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                f"does not hold a run's headlines ({type(error).__name__}: {error}).",
                file=str(layout.headlines),
                hint=DAMAGED,
            ) from None

    @cached_property
    def scenario_json(self) -> str | None:
        """The text of ``scenario.json`` (a corridor scenario; ``caspian.corridor`` parses it),
        None if the folder has none."""
        path = self.layout.scenario
        return path.read_text() if path.is_file() else None

    @cached_property
    def analysis(self) -> dict[str, pd.DataFrame]:
        """The tables of ``analysis/`` by file stem (empty if none)."""
        return {
            table.stem: analysis_table(table)
            for table in sorted(self.layout.analysis.glob("*.csv"))
        }

    @cached_property
    def cba(self) -> CbaFolder | None:
        """The ``cba/`` folder, None if ``caspian cba RUN_DIR`` has not written one."""
        folder = self.layout.cba
        if not (folder / CBA_FILES["summary"]).exists():
            return None

        def table(role: str) -> pd.DataFrame | None:
            path = folder / CBA_FILES[role]
            return pd.read_csv(path) if path.exists() else None

        welfare = table("welfare_by_area")
        if welfare is not None:
            welfare = welfare.set_index(welfare.columns[0])
        return CbaFolder(
            summary=read_json_object(folder / CBA_FILES["summary"]),
            indicators=table("indicators"),
            welfare_by_area=welfare,
            tornado=table("tornado"),
        )

    @cached_property
    def trace(self) -> dict[str, pd.DataFrame]:
        """The tables of ``trace/`` by name (:data:`~caspian.runs.layout.TRACE_FILES`), those
        present only."""
        folder = self.layout.trace
        return {
            key: pd.read_csv(folder / name, float_precision="round_trip")
            for key, name in TRACE_FILES.items()
            if (folder / name).is_file()
        }


def open_run(run_dir: str | Path) -> Run:
    """The results folder ``run_dir`` of ``caspian run`` or ``caspian solve``, checked to hold
    ``summary.json`` and ``network.nc`` (nothing else is read yet).

    Raises
    ------
    InputError
        If ``run_dir`` does not exist, is not a folder, or lacks ``summary.json`` or
        ``network.nc`` (for a folder of scenario folders, the message names them).
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
    return Run(path)


def analysis_table(path: Path) -> pd.DataFrame:
    """One ``analysis/`` table with its columns as written (a named index, such as ``branch``,
    is a column); older folders wrote row numbers as an unnamed first column, dropped here."""
    frame = pd.read_csv(path)
    if len(frame.columns) and str(frame.columns[0]).startswith("Unnamed: 0"):
        frame = frame.drop(columns=frame.columns[0])
    return frame


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in the file ``path``; :class:`InputError` if it is not one."""
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}).", hint=DAMAGED
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"{path} holds {type(data).__name__}, not a JSON object.", hint=DAMAGED)
    return data
