"""`caspian sweep`, `caspian runs` and `caspian show` through the entry point."""

from __future__ import annotations

import os
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


def test_sweep_checks_its_output_folder_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import caspian.cli.sweep_cmd as sweep_cmd

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the sweep started before its arguments were checked")

    monkeypatch.setattr(sweep_cmd, "run_sweep", refuse)
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    code, _, err = run(["sweep", str(spec), "--out", str(notes), "--gap", "5"], capsys)
    assert code == EXIT_INPUT and "Traceback" not in err
    text = " ".join(err.split())
    assert "2 problems" in text and "notes.txt is not a folder" in text and "--gap" in text


def test_runs_checks_its_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from caspian.sweep.catalogue import Catalogue
    from tests.sweep.test_catalogue import make_record

    catalogue = tmp_path / "catalogue.duckdb"
    Catalogue(catalogue).record(make_record())  # a run of the sweep 'base'
    argv = ["runs", "--catalogue", str(catalogue)]
    code, _, err = run([*argv, "--limit", "-1", "--status", "don", "--sweep", "bas"], capsys)
    assert code == EXIT_INPUT
    text = " ".join(err.split())
    assert "3 problems" in text and "--limit: -1 is out of range" in text
    assert "unknown status 'don'" in text and "Did you mean 'done'?" in text
    assert "no sweep 'bas'" in text and "Did you mean 'base'?" in text
    code, _, err = run([*argv, "--sql", "select 1", "--status", "done"], capsys)
    assert code == EXIT_INPUT and "--status do not apply" in " ".join(err.split())


def test_runs_lists_the_leftovers_of_killed_writers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from caspian import atomic
    from tests.test_atomic import age, dead_pid

    runs_folder = tmp_path / "runs"
    runs_folder.mkdir()
    stale = runs_folder / f".0a1b2c3d4e5f.tmp-{dead_pid()}-{atomic._HOST_TAG}-0a1b2c3d"
    stale.mkdir()
    age(stale, 3600)
    busy = tmp_path / f".catalogue.duckdb.tmp-{os.getpid()}-{atomic._HOST_TAG}-0a1b2c3d"
    busy.write_text("")
    catalogue = tmp_path / "catalogue.duckdb"
    code, printed, err = run(["runs", "--catalogue", str(catalogue), "--status", "stale"], capsys)
    assert code == 0, err
    text = " ".join(printed.split())
    assert "2 leftover(s) of writers" in text and "1 stale" in text
    assert "0a1b2c3d4e5f" in text and "catalogue.duckdb" in text  # what each was written for
    assert "in use" in text and "gone" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    code, printed, _ = run(["runs", "--catalogue", str(empty), "--status", "stale"], capsys)
    assert code == 0 and "no leftovers of killed writers" in printed
