"""One "is it built" threshold and one round-off threshold, asked the same way everywhere.

A capacity just below and just above each threshold must be classified alike by the headlines,
the market statistics, the report's cards and map, and the sweep summary."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pytest

from caspian.analysis.market import MIN_CAPACITY_MW
from caspian.optimize import OptimizationResult
from caspian.report.map_figure import _kind
from caspian.report.page import _cards
from caspian.report.run_folder import RunFolder
from caspian.runs.headlines import (
    BUILT_THRESHOLD_MW,
    ROUND_OFF_MW,
    above_round_off,
    is_built,
)
from caspian.sweep.summary import summarise

EPS = 1e-9
BELOW, AT, ABOVE = BUILT_THRESHOLD_MW - EPS, BUILT_THRESHOLD_MW, BUILT_THRESHOLD_MW + EPS


def report_card(capacity_mw: float) -> str:
    """The report's "Caspian link" card for a run whose cable has ``capacity_mw``."""
    run = RunFolder(
        Path("run"),
        cast(OptimizationResult, None),  # the cards read the summary and headlines only
        {"objective": 1.0},
        {"caspian_capacity_mw": {"Caspian": capacity_mw}},
    )
    return _cards(run)


def sweep_built(capacity_mw: float) -> float:
    """The sweep summary's probability that the optimum builds the cable, for one run."""
    runs = pd.DataFrame(
        {"sweep": "s", "status": ["done"], "params": [{}], "caspian_mw": [capacity_mw]}
    )
    probability = summarise(runs, "s").probability.set_index("event")["probability"]
    return float(probability["optimum builds the cable"])


def map_kind(capacity_mw: float) -> str:
    return _kind(pd.Series({"candidate": True, "capacity": capacity_mw}))


@pytest.mark.parametrize(("capacity_mw", "built"), [(BELOW, False), (AT, False), (ABOVE, True)])
def test_built_alike_everywhere(capacity_mw: float, built: bool) -> None:
    assert bool(is_built(capacity_mw)) is built
    assert ("not built" not in report_card(capacity_mw)) is built
    assert (map_kind(capacity_mw) == "candidate, built") is built
    assert sweep_built(capacity_mw) == float(built)


def test_round_off_is_the_market_minimum_and_below_the_built_threshold() -> None:
    assert ROUND_OFF_MW == MIN_CAPACITY_MW
    assert ROUND_OFF_MW < BUILT_THRESHOLD_MW
    values = pd.Series([ROUND_OFF_MW - EPS * 1e-3, ROUND_OFF_MW, np.nan])
    assert list(above_round_off(values)) == [False, True, False]


def test_headlines_and_market_drop_the_same_round_off(tmp_path: Path) -> None:
    """A link just below the round-off has capacity 0 in the headlines and no utilisation in
    the market statistics; just above, both keep it."""
    from caspian.analysis.market import branch_statistics
    from caspian.corridor.headlines import headlines
    from caspian.network import Network
    from caspian.optimize import optimize

    def solved(p_nom: float) -> OptimizationResult:
        n = Network("two", snapshots=range(2))
        for bus in ("A", "B"):
            n.add("Bus", bus, country=f"X{bus}")
        n.add("Generator", "g", bus="A", p_nom=100, marginal_cost=10)
        n.add("Generator", "h", bus="B", p_nom=100, marginal_cost=50)
        n.add("Load", "d", bus="B", p_set=50)
        n.add("Link", "Caspian", bus0="A", bus1="B", p_nom=p_nom)
        return optimize(n)

    for p_nom, kept in ((ROUND_OFF_MW * 0.9, False), (ROUND_OFF_MW * 1.1, True)):
        result = solved(p_nom)
        h = headlines(result, "two")
        assert (h.caspian_capacity_mw["Caspian"] > 0) is kept
        utilisation = branch_statistics(result).loc["Caspian", "utilisation"]
        assert (not pd.isna(utilisation)) is kept
