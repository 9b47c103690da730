"""``caspian solve --solver benders``: same optimum as HiGHS on the whole model, gap reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caspian.cli.main import EXIT_INPUT
from caspian.network import write_network
from caspian.network.examples import demo_network
from tests.cli.test_cli import run


def test_benders_matches_simplex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    write_network(demo_network(hours=72), folder)
    mono, dec = tmp_path / "mono", tmp_path / "dec"
    assert run(["solve", str(folder), "--out", str(mono), "--solver", "simplex"], capsys)[0] == 0
    argv = ["solve", str(folder), "--out", str(dec), "--solver", "benders"]
    code, out, _ = run([*argv, "--block-hours", "24", "--gap", "0.0001"], capsys)
    assert code == 0
    assert "proved gap" in out
    exact = json.loads((mono / "summary.json").read_text())["objective"]
    summary = json.loads((dec / "summary.json").read_text())
    assert summary["algorithm"] == "benders"
    assert summary["objective"] == pytest.approx(exact, rel=1e-4)
    assert (dec / "buses-marginal_price.csv").exists()


def test_bad_benders_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    write_network(demo_network(hours=24), folder)
    argv = ["solve", str(folder), "--out", str(tmp_path / "o"), "--solver", "benders"]
    code, _, err = run([*argv, "--gap", "2"], capsys)
    assert code == EXIT_INPUT
    assert "gap" in err and "Traceback" not in err
    argv = ["solve", str(folder), "--out", str(tmp_path / "o"), "--solver", "x"]
    code, _, err = run(argv, capsys)
    assert code == EXIT_INPUT
    assert "benders" in err


def test_benders_on_one_time_block_solves_whole_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    write_network(demo_network(hours=24), folder)
    argv = ["solve", str(folder), "--out", str(tmp_path / "o"), "--solver", "benders"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    printed = " ".join(out.split())
    assert "benders: the snapshots form one time block of 168 h" in printed
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["algorithm"] == "simplex"


def test_cba_gives_its_solver_options_to_every_solve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from caspian.analysis.cba import with_and_without
    from caspian.decompose import BendersOptions
    from tests.analysis.test_welfare_cba import two_zones

    folder, solved = tmp_path / "two-zones", tmp_path / "solved"
    n = two_zones()
    n.set_snapshots(range(48))
    write_network(n, folder)
    assert run(["solve", str(folder), "--out", str(solved)], capsys)[0] == 0
    studies, methods = [], []

    def recorded(*args: object, **kwargs: object) -> object:
        methods.append(kwargs["options"])
        studies.append(with_and_without(*args, **kwargs))  # type: ignore[arg-type]
        return studies[-1]

    monkeypatch.setattr("caspian.analysis.cba.with_and_without", recorded)
    argv = ["cba", str(solved), "--link", "ab", "--capex-eur-per-mw", "1e6"]
    argv += ["--lifetime", "40", "--discount-rate", "0.06", "--no-sensitivity"]
    argv += ["--solver", "benders", "--block-hours", "24", "--gap", "1e-4", "--time-limit", "60"]
    code, _, err = run(argv, capsys)
    assert code == 0, err
    (study,) = studies
    assert study.with_result.solver.algorithm == "benders"
    assert study.without_result.solver.algorithm == "benders"
    assert methods == [BendersOptions(block_hours=24.0, gap=1e-4, time_limit=60.0)]
