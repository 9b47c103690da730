"""The standard tables compute their shared intermediates once, and give the same tables as
each analysis function called on its own."""

from __future__ import annotations

import pandas as pd
import pytest

import caspian.analysis.common as common
from caspian.analysis.common import branch_flows, bus_areas, shared_intermediates
from caspian.analysis.market import branch_statistics, price_statistics
from caspian.analysis.standard import standard_tables
from caspian.analysis.welfare import area_energy_balance, area_welfare
from caspian.optimize import optimize
from tests.analysis.test_market import two_zones


def test_standard_tables_compute_branch_flows_and_areas_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = optimize(two_zones())
    calls = {"flows": 0, "areas": 0}
    flows, areas = common._branch_flows, common._bus_areas

    def counted_flows(*args: object) -> common.BranchFlows:
        calls["flows"] += 1
        return flows(*args)  # type: ignore[arg-type]

    def counted_areas(*args: object) -> pd.Series:
        calls["areas"] += 1
        return areas(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(common, "_branch_flows", counted_flows)
    monkeypatch.setattr(common, "_bus_areas", counted_areas)
    standard_tables(result, importer="XB")
    assert calls == {"flows": 1, "areas": 1}
    # Outside the block every call computes afresh (nothing outlives standard_tables).
    branch_flows(result)
    bus_areas(result.network)
    assert calls == {"flows": 2, "areas": 2}


def test_standard_tables_equal_the_functions_called_alone() -> None:
    result = optimize(two_zones(efficiency=0.9))
    tables = standard_tables(result)
    pd.testing.assert_frame_equal(tables["prices"], price_statistics(result))
    pd.testing.assert_frame_equal(
        tables["branches"].drop(columns="rent"), branch_statistics(result)
    )
    pd.testing.assert_frame_equal(tables["welfare_by_area"], area_welfare(result, 0.5))
    pd.testing.assert_frame_equal(tables["energy_balance"], area_energy_balance(result))


def test_a_second_network_in_the_block_gets_its_own_areas() -> None:
    r1 = optimize(two_zones(areas=("XA", "XB")))
    r2 = optimize(two_zones(areas=("YA", "YB")))
    with shared_intermediates():
        assert list(bus_areas(r1.network)) == ["XA", "XB"]
        assert list(bus_areas(r2.network)) == ["YA", "YB"]
        assert branch_flows(r1) is branch_flows(r1)
        assert branch_flows(r2) is not branch_flows(r1)


def test_a_second_result_of_one_network_gets_its_own_flows() -> None:
    """Branch flows are keyed by the result (which carries its network), bus areas by the
    network: a second solve of the same network shares the areas, not the flows."""
    n = two_zones()
    first, second = optimize(n), optimize(n)
    assert first.network is second.network
    with shared_intermediates():
        assert bus_areas(first.network) is bus_areas(second.network)
        assert branch_flows(first) is branch_flows(first)
        assert branch_flows(second) is not branch_flows(first)
