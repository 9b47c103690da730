"""The synthetic network generator: shapes, determinism, a connected meshed grid, feasibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse import csgraph

from caspian.network import Network, validate
from caspian.network.synthetic import (
    BATTERY_MAX_HOURS,
    HOURS_PER_YEAR,
    synthetic_network,
    synthetic_tables,
)


@pytest.fixture(scope="module")
def network() -> Network:
    return synthetic_network(30, 24 * 14, seed=3)


def _frames_equal(a: Network, b: Network) -> bool:
    for component, frame in a.static.items():
        pd.testing.assert_frame_equal(frame, b.static[component])
        for attr, table in a.dynamic[component].items():
            pd.testing.assert_frame_equal(table, b.dynamic[component][attr])
    return True


def test_shape(network: Network) -> None:
    n_buses, n_hours = 30, 24 * 14
    assert len(network.snapshots) == n_hours
    assert network.snapshots[0] == pd.Timestamp("2030-01-01 00:00")
    assert (network.snapshots.to_series().diff().iloc[1:] == pd.Timedelta("1h")).all()
    assert len(network.buses) == n_buses
    assert (network.buses["v_nom"] == 380.0).all()
    assert network.generators["carrier"].value_counts().to_dict() == {
        "wind": n_buses,
        "solar": n_buses,
        "gas": n_buses,
    }
    assert len(network.loads) == n_buses
    assert len(network.storage_units) == n_buses
    assert network.loads_t.p_set.shape == (n_hours, n_buses)
    assert network.generators_t.p_max_pu.shape == (n_hours, 2 * n_buses)
    assert network.snapshot_weightings["objective"].iloc[0] == pytest.approx(
        HOURS_PER_YEAR / n_hours
    )


def test_same_seed_same_network_other_seed_other_network() -> None:
    assert _frames_equal(synthetic_network(12, 48, seed=7), synthetic_network(12, 48, seed=7))
    other = synthetic_network(12, 48, seed=8)
    assert not np.allclose(
        synthetic_network(12, 48, seed=7).loads_t.p_set.to_numpy(), other.loads_t.p_set.to_numpy()
    )


def test_tables_and_network_carry_the_same_data() -> None:
    tables = synthetic_tables(8, 24, seed=1)
    n = synthetic_network(8, 24, seed=1)
    for component, table in tables.static.items():
        for column in table.columns:
            np.testing.assert_array_equal(
                n.static[component][column].to_numpy(), table[column].to_numpy()
            )
    pd.testing.assert_frame_equal(
        n.generators_t.p_max_pu,
        tables.varying["Generator"]["p_max_pu"],
        check_names=False,
        check_freq=False,
    )


@pytest.mark.parametrize("n_buses", [1, 2, 3, 4, 30, 150])
def test_grid_is_connected_and_meshed(n_buses: int) -> None:
    n = synthetic_network(n_buses, 2, seed=0)
    index = n.buses.index
    lines = n.lines
    assert not lines.duplicated(["bus0", "bus1"]).any()
    assert (lines["bus0"] != lines["bus1"]).all()
    graph = sparse.coo_matrix(
        (
            np.ones(len(lines)),
            (index.get_indexer(lines["bus0"]), index.get_indexer(lines["bus1"])),
        ),
        shape=(n_buses, n_buses),
    )
    n_parts, _ = csgraph.connected_components(graph, directed=False)
    assert n_parts == 1
    if n_buses >= 30:
        assert len(lines) == round(1.5 * n_buses)  # n - 1 tree lines, the rest close cycles
        assert lines["s_nom_extendable"].any()
        assert (lines["x"] > 0).all()


def test_gas_covers_every_peak_so_the_network_is_feasible(network: Network) -> None:
    gas = network.generators[network.generators["carrier"] == "gas"].set_index("bus")["p_nom"]
    load = network.loads_t.p_set.T.groupby(network.loads["bus"]).sum().T
    assert (load > 0).all().all()
    assert (gas.reindex(load.columns) >= load.max()).all()
    assert network.carriers.loc["gas", "co2_emissions"] > 0


def test_profiles_are_plausible(network: Network) -> None:
    p_max_pu = network.generators_t.p_max_pu
    assert ((p_max_pu >= 0) & (p_max_pu <= 1)).all().all()
    solar = p_max_pu.filter(like="solar")
    night = network.snapshots.hour.isin([0, 1, 2, 3, 22, 23])
    assert (solar[night] == 0).all().all()
    assert solar[~night].to_numpy().max() > 0.3
    wind_mean = p_max_pu.filter(like="wind").to_numpy().mean()
    assert 0.15 < wind_mean < 0.5
    battery = network.storage_units
    assert (battery["max_hours"] == BATTERY_MAX_HOURS).all()
    assert battery["p_nom_extendable"].all()


def test_network_passes_validation(network: Network) -> None:
    validate(network)


def test_rejects_empty_sizes() -> None:
    with pytest.raises(ValueError, match="at least one bus and one hour"):
        synthetic_tables(0, 10)


def test_small_network_solves_to_an_optimum() -> None:
    from caspian.optimize import optimize

    n = synthetic_network(4, 48, seed=2)
    result = optimize(n)
    # Every bus burning its own gas for its own load, building nothing, is feasible: the optimum
    # costs at most that, and no less than nothing.
    gas = n.generators[n.generators["carrier"] == "gas"].set_index("bus")["marginal_cost"]
    load = n.loads_t.p_set.T.groupby(n.loads["bus"]).sum().T
    gas_only_eur = (load * gas.reindex(load.columns)).sum().sum()
    gas_only_eur *= n.snapshot_weightings["objective"].iloc[0]
    assert 0 < result.objective <= gas_only_eur * (1 + 1e-9)
