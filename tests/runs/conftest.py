"""One corridor run, solved once per session at a coarse resolution and written as ``caspian
run`` writes it, and private copies of its folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caspian.corridor.run import ScenarioRun, prepare, run_scenario

COARSE = 73
"""Hours per snapshot: 120 snapshots a year, about a second a solve."""


@pytest.fixture(scope="session")
def written_run(tmp_path_factory: pytest.TempPathFactory) -> ScenarioRun:
    """The base scenario at 73-hourly, solved and written to ``<tmp>/base``."""
    out = tmp_path_factory.mktemp("runs") / "base"
    return run_scenario(prepare("base", COARSE), out_dir=out)


@pytest.fixture
def run_dir(written_run: ScenarioRun, tmp_path: Path) -> Path:
    """A private copy of the written folder, which a test may change."""
    assert written_run.out_dir is not None
    return Path(shutil.copytree(written_run.out_dir, tmp_path / "base"))
