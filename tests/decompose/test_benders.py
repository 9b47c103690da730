"""Benders over time blocks reaches the monolithic optimum (correctness only, never speed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caspian.decompose import BendersOptions, partition_program, solve_benders, time_blocks
from caspian.exceptions import InputError
from caspian.network import Network
from caspian.network.examples import demo_network
from caspian.network.synthetic import synthetic_network
from caspian.optimize import SolverOptions, build_model, optimize
from caspian.optimize.operation import level_key

GAP = 1e-5


def monolithic(n: Network) -> float:
    return optimize(n, SolverOptions(algorithm="simplex")).objective


def check_bounds(n: Network, block_hours: float, **options: object) -> None:
    """The proved bounds bracket the monolithic optimum and the gap is met."""
    exact = monolithic(n)
    res = solve_benders(n, BendersOptions(block_hours=block_hours, gap=GAP, **options))  # type: ignore[arg-type]
    assert res.converged
    assert res.gap <= GAP
    tol = 1e-7 * abs(exact)
    assert res.lower_bound <= exact + tol
    assert res.objective >= exact - tol
    assert res.objective == pytest.approx(exact, rel=GAP)
    assert res.result.objective == pytest.approx(res.objective, rel=1e-9)


def test_synthetic_network_with_batteries_matches_monolithic() -> None:
    check_bounds(synthetic_network(4, 168, seed=3), block_hours=24)


def test_demo_network_with_co2_cap_ramps_and_hvdc_matches_monolithic() -> None:
    n = demo_network(hours=96)
    res_mono = optimize(n, SolverOptions(algorithm="simplex"))
    assert res_mono.co2_price > 0  # the cap binds, so the split across blocks matters
    check_bounds(n, block_hours=24)


def test_co2_cap_is_split_and_priced() -> None:
    n = demo_network(hours=96)
    exact = optimize(n, SolverOptions(algorithm="simplex"))
    res = solve_benders(n, BendersOptions(block_hours=24, gap=1e-7))
    part = partition_program(build_model(n).lp, time_blocks(n, 24))
    assert len(part.global_rows) == 1
    emitted = res.result.global_constraints["value"].iloc[0]
    assert emitted <= n.static["GlobalConstraint"]["constant"].iloc[0] * (1 + 1e-6)
    assert res.result.co2_price == pytest.approx(exact.co2_price, rel=1e-3)


def seasonal_network(cyclic: bool) -> Network:
    """Two days of surplus, then two of deficit that only stored energy can cover.

    With 24-hour blocks, a master that proposes an empty store at the start of day 3 makes the
    day infeasible (no other supply), so feasibility cuts are needed.
    """
    sns = pd.date_range("2030-01-01", periods=96, freq="h")
    n = Network("seasonal", sns)
    n.add("Bus", "b")
    n.add("Load", "load", bus="b", p_set=100.0)
    sun = np.r_[np.full(48, 1.0), np.zeros(48)]
    n.add(
        "Generator",
        "pv",
        bus="b",
        p_nom_extendable=True,
        p_nom_max=1000.0,
        p_max_pu=sun,
        capital_cost=10.0,
        marginal_cost=1.0,
    )
    n.add(
        "StorageUnit",
        "tank",
        bus="b",
        p_nom=500.0,
        max_hours=20.0,
        efficiency_store=0.9,
        efficiency_dispatch=0.9,
        cyclic_state_of_charge=cyclic,
        state_of_charge_initial=0.0,
        standing_loss=0.001,
    )
    return n


@pytest.mark.parametrize("cyclic", [True, False])
def test_storage_carried_across_blocks_needs_feasibility_cuts(cyclic: bool) -> None:
    n = seasonal_network(cyclic)
    exact = monolithic(n)
    res = solve_benders(n, BendersOptions(block_hours=24, gap=1e-7))
    assert res.history["infeasible_blocks"].sum() > 0
    assert res.objective == pytest.approx(exact, rel=1e-6)
    soc = res.result.series("StorageUnit", "state_of_charge")["tank"]
    assert soc.iloc[47] >= 4800.0 / 0.9  # two days of load, through the discharge losses


def test_partition_puts_capacities_and_boundary_levels_in_the_master() -> None:
    n = synthetic_network(3, 48, seed=1)
    model = build_model(n)
    part = partition_program(model.lp, time_blocks(n, 24))
    assert part.n_blocks == 2
    comp = set(part.complicating.tolist())
    for key, block in model.lp.variables.items():
        if not block.time_indexed:
            assert set(block.columns().ravel()) <= comp, key
    soc = model.lp.variables[level_key("StorageUnit")].columns()
    # level at the end of block 0 (read by block 1) and at the end of the year (cyclic).
    assert set(soc[23]) <= comp and set(soc[47]) <= comp
    assert not set(soc[10]) & comp
    rows = np.concatenate([*part.block_rows, part.master_rows, part.global_rows])
    assert np.array_equal(np.sort(rows), np.arange(model.lp.n_constraints))


def test_time_blocks_merge_a_short_last_block() -> None:
    n = synthetic_network(1, 24 * 9 + 5)
    blocks = time_blocks(n, 24 * 4)
    assert blocks.max() == 1 and (blocks == 1).sum() == 24 * 5 + 5


@pytest.mark.parametrize(
    ("attr", "value"),
    [("block_hours", 0), ("gap", 0.0), ("workers", 0), ("stabilisation", 1.5)],
)
def test_invalid_options_are_named(attr: str, value: float) -> None:
    with pytest.raises(InputError, match=attr):
        BendersOptions(**{attr: value})  # type: ignore[arg-type]


def test_dask_workers_give_the_same_answer() -> None:
    n = synthetic_network(3, 96, seed=2)
    local = solve_benders(n, BendersOptions(block_hours=24, gap=1e-6))
    spread = solve_benders(n, BendersOptions(block_hours=24, gap=1e-6, workers=2))
    assert spread.objective == pytest.approx(local.objective, rel=1e-9)
    assert spread.iterations == local.iterations


def test_blocks_on_a_running_dask_scheduler() -> None:
    from distributed import LocalCluster

    n = synthetic_network(3, 96, seed=2)
    local = solve_benders(n, BendersOptions(block_hours=24, gap=1e-6))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as cluster:
        options = BendersOptions(block_hours=24, gap=1e-6, scheduler=cluster.scheduler_address)
        remote = solve_benders(n, options)
    assert remote.objective == pytest.approx(local.objective, rel=1e-9)


def test_shadow_prices_of_fixed_branches_come_from_the_blocks() -> None:
    """A 50 MW line and a 20 MW link from a cheap to a dear bus, congested every other hour:
    the blocks' reduced costs, and for the master's boundary columns c - A'y, give the same
    shadow prices as the monolithic solve (40 EUR/MWh in the congested hours)."""
    n = Network("congested", snapshots=range(48))
    n.add("Bus", ["A", "B"])
    n.add("Generator", "cheap", bus="A", p_nom=500, marginal_cost=10)
    n.add("Generator", "dear", bus="B", p_nom=500, marginal_cost=50)
    n.add("Load", "load", bus="B", p_set=[40.0 + 60.0 * (t % 2) for t in range(48)])
    n.add("Line", "line", bus0="A", bus1="B", x=0.1, s_nom=50)
    # A (slack) ramp limit makes the link's flow before each block's first hour a master column.
    n.add("Link", "link", bus0="A", bus1="B", p_nom=20, ramp_limit_up=1.0, ramp_limit_down=1.0)
    exact = optimize(n, SolverOptions(algorithm="simplex"))
    res = solve_benders(n, BendersOptions(block_hours=24, gap=1e-7))
    for component in ("Line", "Link"):
        want = exact.shadow_price(component, "upper")
        assert want.to_numpy().max() == pytest.approx(40.0)
        got = res.result.shadow_price(component, "upper")
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), atol=1e-6)
