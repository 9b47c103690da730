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
