"""A results folder solved once per session at a coarse resolution, and private copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caspian.corridor.run import prepare, run_scenario

COARSE = 73
"""Hours per snapshot: 120 snapshots a year, about a second a solve."""


@pytest.fixture(scope="session")
def solved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base scenario at 73-hourly, written as ``caspian run`` writes it (no report)."""
    out = tmp_path_factory.mktemp("report-run") / "base"
    run_scenario(prepare("base", COARSE), out_dir=out)
    return out


@pytest.fixture
def run_dir(solved_run: Path, tmp_path: Path) -> Path:
    """A private copy of the solved folder, which a test may write into."""
    return Path(shutil.copytree(solved_run, tmp_path / "base"))
