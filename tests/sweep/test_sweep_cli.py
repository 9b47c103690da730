"""`caspian sweep`, `caspian runs` and `caspian show` through the entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.cli.main import EXIT_INPUT, main

SWEEP = """\
name: cli-test
base: base
resolution: {hours: 168}
grid:
  prices.gas_multiplier: [1.0, 2.5]
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_sweep_then_list_query_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP)
    out = tmp_path / "out"
    code, printed, _ = run(["sweep", str(spec), "--workers", "1", "--out", str(out)], capsys)
    assert code == 0, printed
    assert "2 run(s)" in printed and "distribution across runs" in printed
    assert "P(optimum builds the cable)" in printed
    assert (out / "cli-test-summary-distribution.csv").exists()
    catalogue = str(out / "catalogue.duckdb")

    code, printed, _ = run(["runs", "--catalogue", catalogue], capsys)
    assert code == 0 and "2 run(s)" in printed and "c0001" in printed
    code, printed, _ = run(
        ["runs", "--catalogue", catalogue, "--sql", "select count(*) as n from runs"], capsys
    )
    assert code == 0 and "1 row(s)" in printed

    code, printed, _ = run(["sweep", str(spec), "--workers", "1", "--out", str(out)], capsys)
    assert code == 0 and "2 already in the catalogue" in printed

    from caspian.sweep.catalogue import Catalogue

    run_id = str(Catalogue(catalogue).runs()["run_id"].iloc[0])
    code, printed, _ = run(["show", run_id[:8], "--catalogue", catalogue], capsys)
    assert code == 0 and run_id in printed and "headlines" in printed
    code, _, err = run(["show", "zzzz", "--catalogue", catalogue], capsys)
    assert code == EXIT_INPUT and "no run 'zzzz'" in err


def test_bad_sweep_file_is_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(SWEEP.replace("prices.gas_multiplier", "prices.gas_multipler"))
    code, _, err = run(["sweep", str(spec), "--out", str(tmp_path / "out")], capsys)
    assert code == EXIT_INPUT
    assert "prices.gas_multiplier" in err and "Traceback" not in err
    code, _, err = run(["runs", "--catalogue", str(tmp_path / "none.duckdb")], capsys)
    assert code == EXIT_INPUT
