"""``make fuzz``'s runner: one pytest process per target, counts gathered from their reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fuzz.run_parallel import TARGETS, main


def test_the_runner_runs_targets_side_by_side_and_prints_their_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    argv = ["--cases", "3", "--jobs", "2", "--out", str(out), "--database", str(tmp_path / "db")]
    assert main([*argv, "yaml-files", "network-files-caspian-csv"]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "network-files-caspian-csv.json").read_text())
    counts = report["network files (caspian-csv)"]
    assert sum(counts.values()) == 3
    parts = ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items()))
    assert f"network files (caspian-csv): 3 outcomes ({parts})" in printed
    assert "scenario files: 3 outcomes" in printed
    assert "yaml-files: passed" in printed and "network-files-caspian-csv: passed" in printed


def test_an_unknown_target_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web-apy"]) == 2
    assert "unknown target 'web-apy'" in capsys.readouterr().err


def test_every_fuzz_test_belongs_to_a_target() -> None:
    """A new fuzz test must be added to the runner, or make fuzz would skip it."""
    files = {p.name for p in Path(__file__).parent.glob("test_*.py")} - {Path(__file__).name}
    named = {node.split("/")[-1].split("::")[0] for nodes in TARGETS.values() for node in nodes}
    assert files == named
