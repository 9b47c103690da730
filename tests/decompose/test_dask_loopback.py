"""Local Dask clusters listen on loopback only; their dashboard, when asked for, too."""

from __future__ import annotations

import ipaddress
import urllib.request
from typing import Any

import psutil
import pytest

from caspian.decompose import BendersOptions, solve_benders
from caspian.decompose.dask_pool import LOOPBACK, dashboard_link, local_cluster
from caspian.network.examples import demo_network


def _listening(cluster: Any) -> list[str]:
    """Addresses the process tree of this test (scheduler, nannies, workers) listens on."""
    me = psutil.Process()
    found = []
    for process in [me, *me.children(recursive=True)]:
        try:
            connections = process.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        found += [c.laddr.ip for c in connections if c.status == psutil.CONN_LISTEN]
    return found


@pytest.mark.parametrize("dashboard", [False, True], ids=["quiet", "dashboard"])
def test_local_cluster_listens_on_loopback_only(dashboard: bool) -> None:
    """Before, the scheduler's HTTP routes (health, metrics, call stacks, logs) listened on
    every interface (``dashboard_address=":0"``)."""
    cluster = local_cluster(2, dashboard=dashboard)
    try:
        addresses = _listening(cluster)
        assert len(addresses) >= 3  # scheduler, and each worker with its nanny
        assert all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses
        assert cluster.scheduler_address.startswith(f"tcp://{LOOPBACK}:")
        if dashboard:
            link = dashboard_link(cluster)
            assert link.startswith(f"http://{LOOPBACK}:")
            with urllib.request.urlopen(link, timeout=30) as page:
                assert page.status == 200
                assert b"Dask" in page.read()
    finally:
        cluster.close()


def test_benders_says_where_its_dashboard_is() -> None:
    lines: list[str] = []
    options = BendersOptions(block_hours=24, workers=2, dask_dashboard=True)
    res = solve_benders(demo_network(hours=48), options, progress=lines.append)
    assert res.converged
    (line,) = [line for line in lines if line.startswith("Dask dashboard:")]
    assert f"http://{LOOPBACK}:" in line and "ssh -L" in line
