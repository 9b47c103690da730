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
