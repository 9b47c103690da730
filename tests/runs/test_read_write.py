"""Writing a run and opening it again: the same numbers come back, from folders of every
version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caspian.corridor.run import ScenarioRun
from caspian.corridor.scenario import Scenario
from caspian.exceptions import InputError
from caspian.report.run_folder import load_run
from caspian.runs import open_run, write_cba, write_trace
from caspian.runs.layout import CBA_FILES, TRACE_FILES
from caspian.web.schemas import HeadlinesOut


def test_open_run_gives_back_what_run_scenario_wrote(written_run: ScenarioRun) -> None:
    assert written_run.out_dir is not None
    run = open_run(written_run.out_dir)
    h, back = written_run.headlines, run.headlines
    assert back is not None
    assert back.as_dict() == h.as_dict()
    assert back.total_cost_eur_per_year == h.total_cost_eur_per_year == written_run.result.objective
    assert back.emissions_mt_co2 == h.emissions_mt_co2
    assert back.caspian_capacity_mw == h.caspian_capacity_mw
    # Bus names come back as strings of pandas' own string type, the numbers exactly.
    pd.testing.assert_frame_equal(
        back.link_flows_twh, h.link_flows_twh, check_names=False, check_dtype=False
    )
    pd.testing.assert_frame_equal(back.renewable_build_mw, h.renewable_build_mw)
    assert run.result.objective == written_run.result.objective
    assert run.summary["objective"] == written_run.result.objective
    assert run.is_corridor_run
    assert run.scenario_json is not None
    assert Scenario.model_validate_json(run.scenario_json) == written_run.scenario
    assert "branch_statistics" in run.analysis or run.analysis  # tables of analysis/
    assert run.cba is None and run.trace == {}
    summary_text = run.layout.summary_text.read_text()
    assert f"{h.total_cost_eur_per_year / 1e9:,.3f} bn EUR/yr" in summary_text


def test_cba_and_trace_folders_come_back(run_dir: Path) -> None:
    welfare = pd.DataFrame(
        {"change_welfare_eur": [1.5e6, -2.5e5]}, index=pd.Index(["AZ", "EU"], name="area")
    )
    indicators = pd.DataFrame({"indicator": ["x"], "value": [2.0], "unit": ["EUR"]})
    write_cba(
        run_dir / "cba",
        welfare=welfare,
        indicators=indicators,
        summary={"welfare_change_eur": 1.25e6, "capacity_mw": np.float32(1500.0)},
    )
    origin = pd.DataFrame({"origin_area": ["AZ"], "mwh": [1.0e6], "share": [1.0]})
    write_trace(run_dir / "trace", {"imports_by_origin": origin, "cbam": None})
    run = open_run(run_dir)
    assert run.cba is not None
    assert run.cba.summary == {"welfare_change_eur": 1.25e6, "capacity_mw": 1500.0}
    pd.testing.assert_frame_equal(run.cba.welfare_by_area, welfare)
    pd.testing.assert_frame_equal(run.cba.indicators, indicators)
    assert run.cba.tornado is None
    assert set(run.trace) == {"imports_by_origin"}
    pd.testing.assert_frame_equal(run.trace["imports_by_origin"], origin)
    assert sorted(p.name for p in (run_dir / "trace").iterdir()) == [
        TRACE_FILES["imports_by_origin"]
    ]
    assert {p.name for p in (run_dir / "cba").iterdir()} == {
        CBA_FILES[k] for k in ("summary", "welfare_by_area", "indicators")
    }
    with pytest.raises(ValueError, match="unknown trace tables"):
        write_trace(run_dir / "trace2", {"origin": origin})


def test_a_folder_written_before_opens_with_the_same_numbers(
    written_run: ScenarioRun, run_dir: Path
) -> None:
    """Headlines under older spellings, no CSV tables beside them, and an ``analysis/`` table
    with row numbers: every reader gives the same numbers as for the folder as written."""
    new = json.loads((run_dir / "headlines.json").read_text())
    old = {
        {
            "total_cost_eur_per_year": "total_cost_eur",
            "emissions_mt_co2": "emissions_mt",
            "mean_price_eur_per_mwh": "mean_price",
        }.get(key, key): value
        for key, value in new.items()
        if key not in ("solver", "relative_gap")
    }
    (run_dir / "headlines.json").write_text(json.dumps(old, indent=2) + "\n")
    (run_dir / "link_flows_twh.csv").unlink()
    (run_dir / "renewable_build_mw.csv").unlink()
    stem = sorted((run_dir / "analysis").glob("*.csv"))[0]
    table = pd.read_csv(stem)
    table.to_csv(stem)  # with row numbers, as older folders wrote them

    run = open_run(run_dir)
    h, back = written_run.headlines, run.headlines
    assert back is not None
    assert back.total_cost_eur_per_year == h.total_cost_eur_per_year
    assert back.emissions_mt_co2 == h.emissions_mt_co2
    assert back.mean_price_eur_per_mwh == h.mean_price_eur_per_mwh
    assert back.eu_exports_twh == h.eu_exports_twh
    assert back.caspian_capacity_mw == h.caspian_capacity_mw
    assert back.solver == "highs" and back.relative_gap == 0.0  # the defaults, when absent
    assert back.as_dict()["link_flows_twh"] == new["link_flows_twh"]
    assert back.as_dict()["renewable_build_mw"] == new["renewable_build_mw"]
    pd.testing.assert_frame_equal(run.analysis[stem.stem], table)
    # The report and the dashboard read the same numbers under the one name.
    report = load_run(run_dir).headlines
    assert report["total_cost_eur_per_year"] == new["total_cost_eur_per_year"]
    assert report["emissions_mt_co2"] == new["emissions_mt_co2"]
    assert "total_cost_eur" not in report
    out = HeadlinesOut.model_validate(
        old | {"solver": new["solver"], "relative_gap": new["relative_gap"]}
    )
    assert out == HeadlinesOut.model_validate(new)


def test_open_run_says_what_is_wrong(tmp_path: Path, run_dir: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        open_run(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InputError, match="is a file, not a results folder"):
        open_run(tmp_path / "file.txt")
    outer = tmp_path / "run-1"
    shutil.copytree(run_dir, outer / "base")
    with pytest.raises(InputError, match=r"summary\.json and network\.nc missing") as error:
        open_run(outer)
    assert "base" in str(error.value)


def test_damaged_headlines_are_named(run_dir: Path) -> None:
    (run_dir / "headlines.json").write_text('{"scenario": "base"}\n')
    with pytest.raises(InputError, match="does not hold a run's headlines") as error:
        _ = open_run(run_dir).headlines
    assert "headlines.json" in str(error.value)
    (run_dir / "headlines.json").write_text("[1, 2]\n")
    with pytest.raises(InputError, match="not a JSON object"):
        _ = open_run(run_dir).headlines
