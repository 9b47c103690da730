"""The layout of a results folder: every name a run writes is declared once."""

from __future__ import annotations

from pathlib import Path

from caspian.corridor.run import ScenarioRun
from caspian.optimize import export
from caspian.runs import layout
from caspian.runs.layout import RunLayout


def test_paths_of_a_folder() -> None:
    paths = RunLayout(Path("out/base"))
    assert paths.network == Path("out/base/network.nc")
    assert paths.summary == Path("out/base/summary.json")
    assert paths.headlines == Path("out/base/headlines.json")
    assert paths.scenario == Path("out/base/scenario.json")
    assert paths.link_flows == Path("out/base/link_flows_twh.csv")
    assert paths.renewable_build == Path("out/base/renewable_build_mw.csv")
    assert paths.summary_text == Path("out/base/summary.txt")
    assert paths.report == Path("out/base/report.html")
    assert paths.analysis == Path("out/base/analysis")
    assert paths.cba == Path("out/base/cba")
    assert paths.trace == Path("out/base/trace")


def test_the_result_files_are_named_where_optimize_writes_them() -> None:
    """``optimize`` does not import ``runs``; the layout re-exports its names, not copies."""
    assert layout.NETWORK_FILE is export.NETWORK_FILE
    assert layout.SUMMARY_FILE is export.SUMMARY_FILE


def test_every_entry_of_a_corridor_run_is_in_the_layout(written_run: ScenarioRun) -> None:
    """What ``caspian run`` writes besides the result tables is named in the layout."""
    assert written_run.out_dir is not None
    paths = RunLayout(written_run.out_dir)
    declared = {
        getattr(paths, name).name
        for name in (
            "network",
            "summary",
            "headlines",
            "scenario",
            "link_flows",
            "renewable_build",
            "summary_text",
            "analysis",
        )
    }
    tables = {f"{stem}.csv" for stem in written_run.result.tables()}
    written = {p.name for p in written_run.out_dir.iterdir()}
    assert written - tables == declared
    assert paths.is_corridor_run()
