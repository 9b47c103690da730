"""``solve_network`` and ``decide``: which way a network is solved, with which settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caspian.corridor.build import build_corridor_model
from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import prepare
from caspian.decompose import (
    AutoMethod,
    BendersOptions,
    decide,
    method_from_name,
    solve_network,
)
from caspian.exceptions import InputError
from caspian.network.examples import demo_network
from caspian.network.network import Network
from caspian.optimize import Algorithm, SolverOptions, auto


def two_buses(snapshots: int = 2_920, hours: float = 3.0) -> Network:
    """A year of ``hours``-hourly snapshots at two buses, like PyPSA's ``model-energy``: wind,
    solar and a battery to build at one bus, gas at the other, a link between them."""
    n = Network("two buses")
    n.set_snapshots(pd.date_range("2030-01-01", periods=snapshots, freq=f"{hours:g}h"))
    n.snapshot_weightings.loc[:, :] = hours
    share = snapshots * hours / 8760.0
    hour = n.snapshots.hour.to_numpy()
    day = np.arange(snapshots) * hours / 24.0
    n.add("Carrier", ["wind", "solar", "gas"], co2_emissions=[0.0, 0.0, 0.2])
    n.add("Bus", ["green", "grey"])
    n.add("Load", "demand", bus="green", p_set=100.0 + 20.0 * np.sin(2 * np.pi * (hour - 9) / 24))
    wind = 0.45 + 0.35 * np.sin(2 * np.pi * day / 4.5)
    solar = np.clip(np.sin(np.pi * (hour - 6) / 12), 0.0, None)
    n.add(
        "Generator",
        ["wind", "solar"],
        bus="green",
        carrier=["wind", "solar"],
        p_nom_extendable=True,
        p_max_pu=np.column_stack([wind, solar]),
        capital_cost=[110_000.0 * share, 45_000.0 * share],
    )
    n.add("Generator", "gas", bus="grey", carrier="gas", p_nom=200.0, marginal_cost=80.0)
    n.add("Link", "interconnector", bus0="grey", bus1="green", p_nom=150.0, p_min_pu=-1.0)
    n.add(
        "StorageUnit",
        "battery",
        bus="green",
        p_nom_extendable=True,
        max_hours=4.0,
        cyclic_state_of_charge=True,
        capital_cost=60_000.0 * share,
    )
    return n


def test_a_small_long_model_is_solved_whole_under_auto() -> None:
    """2,920 snapshots in 52 weekly blocks, but some 26,000 columns: one HiPO solve."""
    n = two_buses()
    decision = decide(n)
    assert decision.method == SolverOptions(algorithm="hipo") and decision.note is None
    said: list[str] = []
    result = solve_network(n, progress=said.append)
    assert result.solver.algorithm == "hipo"
    assert not any("benders" in line.lower() for line in said)


def test_benders_on_one_time_block_solves_whole_and_says_so() -> None:
    n = demo_network(hours=72)
    said: list[str] = []
    result = solve_network(n, BendersOptions(block_hours=168.0, time_limit=60.0), said.append)
    assert result.solver.algorithm == "simplex"
    assert said[0] == (
        "benders: the snapshots form one time block of 168 h, so there is nothing to decompose; "
        "solving the whole model with HiGHS (simplex)"
    )
    assert decide(n, BendersOptions(time_limit=60.0)).method == SolverOptions(
        algorithm="simplex", time_limit=60.0
    )


def test_benders_on_representative_periods_solves_whole_and_says_so() -> None:
    n, periods = build_corridor_model(prepare("base", typical_days=2), load_dataset())
    assert periods is not None and n.periods is periods  # the network carries its days
    decision = decide(n, BendersOptions())
    assert isinstance(decision.method, SolverOptions)
    assert decision.note is not None and "representative periods" in decision.note
    assert decide(n, None).note is None  # auto: whole, nothing surprising to say


def test_benders_where_it_applies() -> None:
    n = demo_network(hours=72)
    said: list[str] = []
    options = BendersOptions(block_hours=24.0, gap=1e-4)
    result = solve_network(n, options, said.append)
    assert result.solver.algorithm == "benders"
    assert any(line.startswith("time blocks: 3 of 24 h") for line in said)


def test_auto_uses_the_benders_settings_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auto, "AUTO_BENDERS_MIN_COLUMNS", 1_000)  # the demo is "too large"
    n = demo_network(hours=72)
    method = method_from_name("auto", block_hours=24.0, gap=1e-4, time_limit=60.0)
    decision = decide(n, method)
    assert decision.method == BendersOptions(block_hours=24.0, gap=1e-4, time_limit=60.0)
    assert decision.note is not None and decision.note.startswith("auto: ")
    assert "in 3 time blocks of 24 h" in decision.note
    assert solve_network(n, method).solver.algorithm == "benders"
    # a SolverOptions alone: Benders with default settings and its time limit
    plain = decide(demo_network(hours=340), SolverOptions(time_limit=30.0))
    assert plain.method == BendersOptions(time_limit=30.0)
    # an explicit HiGHS algorithm is never second-guessed
    assert decide(n, SolverOptions(algorithm="ipm")).method == SolverOptions(algorithm="ipm")


def test_method_from_name() -> None:
    auto_method = method_from_name("AUTO", time_limit=5.0, threads=2, gap=0.01, workers=3)
    assert auto_method == AutoMethod(
        SolverOptions(time_limit=5.0, threads=2),
        BendersOptions(gap=0.01, workers=3, time_limit=5.0),
    )
    assert method_from_name("benders", block_hours=24.0) == BendersOptions(block_hours=24.0)
    assert method_from_name("hipo", crossover=True) == SolverOptions(
        algorithm=Algorithm.HIPO, crossover=True
    )
    with pytest.raises(InputError, match=r"unknown solver 'cplex'\..*auto, hipo.*benders"):
        method_from_name("cplex")


def test_auto_method_with_an_algorithm_is_refused() -> None:
    with pytest.raises(InputError, match=r"AutoMethod\.solver\.algorithm: .*'hipo'"):
        decide(demo_network(hours=24), AutoMethod(SolverOptions(algorithm="hipo")))
