"""Write a results folder and the folders analyses add to it (``cba/``, ``trace/``).

Every writer goes through ``caspian.atomic.atomic_folder`` (the run itself through
[`write_result`][caspian.optimize.export.write_result], which uses it): a failure leaves the
earlier folder, or none, never a half-written one. File names come from
:mod:`caspian.runs.layout`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from caspian.analysis.finance import ProjectAppraisal
from caspian.atomic import atomic_folder
from caspian.optimize import OptimizationResult
from caspian.optimize.export import TableFormat, write_result
from caspian.runs.headlines import Headlines
from caspian.runs.layout import (
    CBA_FILES,
    TRACE_FILES,
    RunLayout,
)


def write_run(
    result: OptimizationResult,
    out_dir: str | Path,
    *,
    headlines: Headlines | None = None,
    scenario: BaseModel | None = None,
    analysis: Mapping[str, pd.DataFrame] | None = None,
    summary_text: Sequence[str] | None = None,
    overwrite: bool = False,
    table_format: TableFormat = "csv",
) -> RunLayout:
    """Write ``result`` and what a corridor run adds to the results folder ``out_dir``.

    Parameters
    ----------
    result
        The optimum: its tables, ``summary.json`` and ``network.nc`` (``write_result``).
    headlines
        Written as ``headlines.json`` (:meth:`Headlines.as_dict`), ``link_flows_twh.csv``
        (MW, TWh/yr) and ``renewable_build_mw.csv`` (MW).
    scenario
        The scenario it was run with, written as ``scenario.json`` (its JSON form).
    analysis
        Tables written as ``analysis/<stem>.csv``; a named index (bus, area, branch) is
        written, row numbers are not.
    summary_text
        Lines written as ``summary.txt``.
    overwrite
        Replace an existing ``out_dir`` (only once the new folder is complete).
    table_format
        ``csv`` or ``parquet`` for the result tables.
    """

    def extra(folder: Path) -> None:
        layout = RunLayout(folder)
        if headlines is not None:
            layout.headlines.write_text(json.dumps(headlines.as_dict(), indent=2) + "\n")
        if scenario is not None:
            layout.scenario.write_text(scenario.model_dump_json(indent=2) + "\n")
        if headlines is not None:
            headlines.link_flows_twh.to_csv(layout.link_flows)
            headlines.renewable_build_mw.to_csv(layout.renewable_build)
        if analysis is not None:
            layout.analysis.mkdir()
            for stem, table in analysis.items():
                # Row numbers are not data: only a named index (bus, area, branch) is written.
                named = any(name is not None for name in table.index.names)
                table.to_csv(layout.analysis / f"{stem}.csv", index=named)
        if summary_text is not None:
            layout.summary_text.write_text("\n".join(summary_text) + "\n")

    out = write_result(result, out_dir, overwrite=overwrite, table_format=table_format, extra=extra)
    return RunLayout(out)


def write_cba(
    out: str | Path,
    *,
    welfare: pd.DataFrame,
    indicators: pd.DataFrame,
    summary: Mapping[str, object],
    finance: ProjectAppraisal | None = None,
    tornado: pd.DataFrame | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a cost-benefit analysis to the folder ``out`` (by default ``RUN_DIR/cba``).

    ``welfare_by_area.csv`` (EUR/yr by area), ``indicators.csv``, ``summary.json`` (``summary``
    plus, with ``finance``, NPV, IRR, BCR, paybacks, LCOT and annuity, EUR and years; NaN as
    null), and with ``finance`` ``cash_flows.csv`` (EUR by year), with ``tornado``
    ``tornado.csv``.
    """
    out = Path(out)
    with atomic_folder(out, overwrite=overwrite) as folder:
        welfare.to_csv(folder / CBA_FILES["welfare_by_area"])
        indicators.to_csv(folder / CBA_FILES["indicators"], index=False)
        if finance is not None:
            finance.cash_flows.to_csv(folder / CBA_FILES["cash_flows"])  # indexed by year
            summary = {
                **summary,
                "npv_eur": finance.npv,
                "irr": None if finance.irr != finance.irr else finance.irr,
                "bcr": finance.bcr,
                "payback_year": finance.payback_year,
                "discounted_payback_year": finance.discounted_payback_year,
                "lcot_eur_per_mwh": finance.lcot_eur_per_mwh,
                "annuity_eur_per_year": finance.annuity,
            }
        if tornado is not None:
            tornado.to_csv(folder / CBA_FILES["tornado"], index=False)
        (folder / CBA_FILES["summary"]).write_text(
            json.dumps(summary, indent=2, default=_plain) + "\n"
        )
    return out


def write_trace(
    out: str | Path,
    tables: Mapping[str, pd.DataFrame | None],
    *,
    overwrite: bool = False,
) -> Path:
    """Write the tracing tables ``tables`` (by the keys of
    :data:`~caspian.runs.layout.TRACE_FILES`; None is left out) to the folder ``out`` (by
    default ``RUN_DIR/trace``), without row numbers."""
    unknown = sorted(set(tables) - set(TRACE_FILES))
    if unknown:
        raise ValueError(f"unknown trace tables {unknown}; known: {sorted(TRACE_FILES)}")
    out = Path(out)
    with atomic_folder(out, overwrite=overwrite) as folder:
        for key, table in tables.items():
            if table is not None:
                table.to_csv(folder / TRACE_FILES[key], index=False)
    return out


def _plain(value: object) -> object:
    """JSON for numpy scalars and NaN (as null)."""
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number
