"""The command line through its entry point: exit codes, messages, written results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caspian.cli.main import EXIT_INPUT, EXIT_SOLVER, main
from caspian.network import write_network
from caspian.network.examples import demo_network


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    code = done.value.code
    return (0 if code is None else int(code)), out, err


@pytest.fixture
def demo_folder(tmp_path: Path) -> Path:
    path = tmp_path / "demo"
    write_network(demo_network(hours=24), path)
    return path


def test_example_writes_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["example", "--out", str(tmp_path / "ex")], capsys)
    assert code == 0
    summary = json.loads((tmp_path / "ex" / "summary.json").read_text())
    for key in (
        "status",
        "objective",
        "build_seconds",
        "solve_seconds",
        "n_variables",
        "n_constraints",
        "mean_price_by_bus",
        "versions",
    ):
        assert key in summary
    assert summary["status"] == "optimal"
    assert set(summary["versions"]) == {"caspian-grid", "highs"}
    assert "optimal" in out


def test_solve_folder_and_refuse_overwrite(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, _, _ = run(
        ["solve", str(demo_folder), "--out", str(out_dir), "--solver", "simplex"], capsys
    )
    assert code == 0
    first = json.loads((out_dir / "summary.json").read_text())
    assert (out_dir / "buses-marginal_price.csv").exists()

    code, _, err = run(["solve", str(demo_folder), "--out", str(out_dir)], capsys)
    assert code == EXIT_INPUT
    assert "--overwrite" in err and "Traceback" not in err
    # the earlier results are untouched
    assert json.loads((out_dir / "summary.json").read_text()) == first

    code, _, _ = run(
        [
            "solve",
            str(demo_folder),
            "--out",
            str(out_dir),
            "--overwrite",
            "--solver",
            "ipm",
            "--format",
            "parquet",
        ],
        capsys,
    )
    assert code == 0
    assert (out_dir / "buses-marginal_price.parquet").exists()
    assert not (out_dir / "buses-marginal_price.csv").exists()


def test_bad_solver_is_input_error(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["solve", str(demo_folder), "--out", str(tmp_path / "o"), "--solver", "cplex"], capsys
    )
    assert code == EXIT_INPUT
    assert "unknown solver 'cplex'" in err and "hipo" in err and "benders" in err


def test_missing_path_is_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", str(tmp_path / "nowhere")], capsys)
    assert code == EXIT_INPUT
    assert "nowhere" in err and "Traceback" not in err


def test_validate_reports_bad_bus(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = demo_folder / "generators.csv"
    table.write_text(table.read_text().replace(",north,", ",nrth,", 1))
    code, _, err = run(["validate", str(demo_folder)], capsys)
    assert code == EXIT_INPUT
    assert "nrth" in err and "north" in err


def test_infeasible_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = demo_network(hours=24)
    n.static["Load"].loc["island load", "p_set"] = 0.0
    n.dynamic["Load"]["p_set"]["island load"] = 5_000.0
    write_network(n, tmp_path / "short")
    code, _, err = run(["solve", str(tmp_path / "short"), "--out", str(tmp_path / "o")], capsys)
    assert code == EXIT_SOLVER
    assert "island" in err and "cannot meet its load" in err
    assert not (tmp_path / "o").exists()


def test_usage_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["solve"], capsys)
    assert code == 2


def refuse(*_: object, **__: object) -> None:
    raise AssertionError("called before the arguments were checked")


def test_solve_checks_its_output_before_reading_the_network(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import caspian.cli.solve_cmd as solve_cmd

    monkeypatch.setattr(solve_cmd, "read_network", refuse)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    for out, message in (
        (notes, "is a file, not a folder"),
        (notes / "out", "notes.txt is not a folder"),
        (Path("/proc/nope"), "cannot be written"),
    ):
        code, _, err = run(["solve", str(demo_folder), "--out", str(out), "--overwrite"], capsys)
        assert code == EXIT_INPUT, err
        assert message in " ".join(err.split()) and "Traceback" not in err
    assert notes.read_text() == "mine"


def test_solve_never_replaces_its_input(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in demo_folder.iterdir())
    (demo_folder / "notes").mkdir()
    for out, message in (
        (demo_folder, "is the input"),
        (tmp_path, "holds the input"),
        (demo_folder / "notes", "is inside the input"),
    ):
        code, _, err = run(["solve", str(demo_folder), "--out", str(out), "--overwrite"], capsys)
        assert code == EXIT_INPUT, err
        assert message in " ".join(err.split())
    assert sorted(p.name for p in demo_folder.iterdir()) == sorted([*before, "notes"])
    nc = tmp_path / "demo.nc"
    write_network(demo_network(hours=24), nc, format="pypsa-netcdf")
    code, _, err = run(["solve", str(nc), "--out", str(nc), "--overwrite"], capsys)
    assert code == EXIT_INPUT and nc.is_file()
    # a new folder inside the input's folder replaces nothing
    code, _, err = run(["solve", str(demo_folder), "--out", str(demo_folder / "results")], capsys)
    assert code == 0, err


def test_every_bad_option_is_reported_at_once(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["solve", str(demo_folder), "--out", str(demo_folder), "--solver", "simplx"]
    argv += ["--threads", "0", "--gap", "2", "--time-limit", "0", "--format", "xls"]
    code, _, err = run(argv, capsys)
    assert code == EXIT_INPUT
    text = " ".join(err.split())
    assert "6 problems with the command's arguments" in text
    assert "unknown solver 'simplx'" in text and "Did you mean 'simplex'?" in text
    assert "--threads: 0 is out of range" in text and "at least 1" in text
    assert "--gap: 2.0 is out of range" in text and "above 0 and below 1" in text
    assert "--time-limit: 0.0 is out of range" in text
    assert "unknown table format 'xls'" in text and "csv, parquet" in text
    assert "is the input" in text


def test_example_checks_everything_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import caspian.cli.solve_cmd as solve_cmd

    monkeypatch.setattr(solve_cmd, "solve_network", refuse)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    code, _, err = run(["example", "dmo", "--out", str(notes)], capsys)
    assert code == EXIT_INPUT
    text = " ".join(err.split())
    assert "unknown example 'dmo'" in text and "Did you mean 'demo'?" in text
    assert "is a file, not a folder" in text


def test_data_sources_csv_is_checked_and_never_overwritten_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["data", "sources", "--csv", str(tmp_path), "--table", "link"], capsys)
    assert code == EXIT_INPUT and "Traceback" not in err
    text = " ".join(err.split())
    assert "is a folder" in text and "no table 'link'" in text and "Did you mean 'links'?" in text
    csv = tmp_path / "sources.csv"
    csv.write_text("mine")
    code, _, err = run(["data", "sources", "--csv", str(csv)], capsys)
    assert code == EXIT_INPUT and "--overwrite" in err and csv.read_text() == "mine"
    code, _, _ = run(["data", "sources", "--csv", str(csv), "--overwrite"], capsys)
    assert code == 0 and csv.read_text().startswith("table,")


def test_report_never_writes_over_the_results_it_reads(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solved = tmp_path / "solved"
    assert run(["solve", str(demo_folder), "--out", str(solved)], capsys)[0] == 0
    network = (solved / "network.nc").read_bytes()
    for out in (solved / "network.nc", solved, solved / "summary.json"):
        code, _, err = run(["report", str(solved), "--out", str(out), "--overwrite"], capsys)
        assert code == EXIT_INPUT, err
    assert (solved / "network.nc").read_bytes() == network
    code, _, err = run(["report", str(solved), "--images", "gif", "--out", str(solved)], capsys)
    assert code == EXIT_INPUT
    assert "unknown image format 'gif'" in err and "is the input" in err
