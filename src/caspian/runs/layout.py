"""Every file and folder name of a results folder, in one place.

A results folder (``caspian run`` writes one per scenario, ``caspian solve`` one per network)
holds:

```
network.nc                  the solved network's inputs (PyPSA netCDF)
summary.json                solver, objective (EUR/yr), timings (s), problem size, tables written
<list>-<attr>.csv           one table per result series (MW, MWh, EUR/MWh; snapshots x names)
capacities.csv              optimal capacity per component (MW, MWh)
global_constraints.csv      mu and value of each global constraint
scenario.json               corridor runs: the scenario it was run with
headlines.json              corridor runs: the headline answers (caspian.runs.headlines)
link_flows_twh.csv          corridor runs: per link, capacity (MW) and flows (TWh/yr)
renewable_build_mw.csv      corridor runs: new wind and solar, node x technology (MW)
summary.txt                 corridor runs: the headlines and trade summary as text
analysis/<table>.csv        corridor runs: trade and economics tables
cba/                        added by 'caspian cba RUN_DIR'
trace/                      added by 'caspian trace RUN_DIR'
report.html                 added by 'caspian run' and 'caspian report RUN_DIR'
```

The low-level result files (``network.nc``, ``summary.json`` and the tables) are written by
[`caspian.optimize.export.write_result`][caspian.optimize.export.write_result], which any PyPSA
network's solve uses; their names are defined there (``optimize`` must not import ``runs``) and
re-exported here, so that every other package takes a run's file names from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caspian.optimize.export import NETWORK_FILE, SUMMARY_FILE

__all__ = [
    "ANALYSIS_FOLDER",
    "CBA_FILES",
    "CBA_FOLDER",
    "EU_AREA",
    "HEADLINES_FILE",
    "LINK_FLOWS_FILE",
    "NETWORK_FILE",
    "RENEWABLE_BUILD_FILE",
    "REPORT_FILE",
    "SCENARIO_FILE",
    "SUMMARY_FILE",
    "SUMMARY_TEXT_FILE",
    "TRACE_FILES",
    "TRACE_FOLDER",
    "RunLayout",
]

SCENARIO_FILE = "scenario.json"
"""The scenario a results folder was run with, so analyses can rebuild its variants."""
HEADLINES_FILE = "headlines.json"
"""The headline answers of a corridor run (:class:`caspian.runs.headlines.Headlines`)."""
LINK_FLOWS_FILE = "link_flows_twh.csv"
"""Per link: bus0, bus1, capacity (MW), forward, backward and losses (TWh/yr)."""
RENEWABLE_BUILD_FILE = "renewable_build_mw.csv"
"""New wind and solar capacity (MW), node x technology."""
SUMMARY_TEXT_FILE = "summary.txt"
"""The headlines and the trade-and-economics summary as lines of text."""
REPORT_FILE = "report.html"
"""The offline HTML report of the run."""
ANALYSIS_FOLDER = "analysis"
"""Trade and economics tables of a corridor run, one CSV per table."""
CBA_FOLDER = "cba"
"""What ``caspian cba RUN_DIR`` writes (by default)."""
TRACE_FOLDER = "trace"
"""What ``caspian trace RUN_DIR`` writes (by default)."""

CBA_FILES = {
    "summary": SUMMARY_FILE,
    "welfare_by_area": "welfare_by_area.csv",
    "indicators": "indicators.csv",
    "cash_flows": "cash_flows.csv",
    "tornado": "tornado.csv",
}
"""The files of a ``cba/`` folder by role: summary numbers (EUR, MW), welfare change by area
(EUR/yr), indicators, the cable's cash flows by year (EUR) and the NPV tornado (EUR)."""
TRACE_FILES = {
    "imports_by_origin": "imports_by_origin.csv",
    "export_matching": "export_matching.csv",
    "consumption_by_origin": "consumption_by_origin.csv",
    "cbam": "cbam.csv",
    "cbam_by_origin": "cbam_by_origin.csv",
}
"""The files of a ``trace/`` folder by table (energies in MWh, emissions in t, costs in EUR)."""

EU_AREA = "EU"
"""The area of the EU landing market, whose imports the ``analysis/`` tables of a corridor run
trace and match."""


@dataclass(frozen=True)
class RunLayout:
    """The paths of every file and folder of the results folder ``root`` (nothing is read).

    Examples
    --------
    >>> RunLayout(Path("results/base")).headlines.as_posix()
    'results/base/headlines.json'
    """

    root: Path

    @property
    def network(self) -> Path:
        return self.root / NETWORK_FILE

    @property
    def summary(self) -> Path:
        return self.root / SUMMARY_FILE

    @property
    def scenario(self) -> Path:
        return self.root / SCENARIO_FILE

    @property
    def headlines(self) -> Path:
        return self.root / HEADLINES_FILE

    @property
    def link_flows(self) -> Path:
        return self.root / LINK_FLOWS_FILE

    @property
    def renewable_build(self) -> Path:
        return self.root / RENEWABLE_BUILD_FILE

    @property
    def summary_text(self) -> Path:
        return self.root / SUMMARY_TEXT_FILE

    @property
    def report(self) -> Path:
        return self.root / REPORT_FILE

    @property
    def analysis(self) -> Path:
        return self.root / ANALYSIS_FOLDER

    @property
    def cba(self) -> Path:
        return self.root / CBA_FOLDER

    @property
    def trace(self) -> Path:
        return self.root / TRACE_FOLDER

    def is_corridor_run(self) -> bool:
        """True if the folder was written by a corridor run (it holds ``scenario.json``)."""
        return self.scenario.is_file()
