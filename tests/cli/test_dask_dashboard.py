"""``--dask-dashboard``: Dask's dashboard of a local cluster, on loopback, with its URL printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.cli.main import EXIT_INPUT, main
from caspian.network import write_network
from caspian.network.examples import demo_network


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_solve_prints_the_dashboard_of_its_local_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_network(demo_network(hours=48), tmp_path / "net")
    argv = ["solve", str(tmp_path / "net"), "--out", str(tmp_path / "out"), "--solver"]
    argv += ["benders", "--block-hours", "24", "--workers", "2", "--dask-dashboard"]
    assert _run(argv) == 0
    out = capsys.readouterr().out
    assert "Dask dashboard: http://127.0.0.1:" in " ".join(out.split())


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--workers", "1"], "only --workers 2 or more"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler uses yours"),
    ],
)
def test_dashboard_without_a_local_cluster_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    write_network(demo_network(hours=24), tmp_path / "net")
    argv = ["solve", str(tmp_path / "net"), "--out", str(tmp_path / "out"), "--dask-dashboard"]
    assert _run([*argv, *extra]) == EXIT_INPUT
    assert says in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "out").exists()
