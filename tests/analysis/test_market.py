"""Market outcomes on two-zone networks whose optimum is computed on paper.

Zone A (area "XA") has a cheap plant at 10 EUR/MWh, zone B (area "XB") a dear one at
50 EUR/MWh and the load; one branch of 100 MW joins them. Three snapshots of 1, 2 and 5 hours
carry loads of 300, 50 and 300 MW: in the 300 MW hours the branch is congested (prices 10 and
50), in the 50 MW hour it is not (both prices 10 for a lossless branch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from caspian.analysis.market import (
    CongestionRent,
    branch_statistics,
    congestion_rent,
    price_duration_curves,
    price_spreads,
    price_statistics,
    rent_by_area,
)
from caspian.exceptions import InputError
from caspian.network import Network
from caspian.optimize import optimize

WEIGHTS = [1.0, 2.0, 5.0]
LOAD_B = [300.0, 50.0, 300.0]
HOURS = sum(WEIGHTS)
ATOL = 1e-6


def two_zones(
    branch: str = "Link",
    efficiency: float = 1.0,
    p_nom: float = 100.0,
    load: list[float] | float = LOAD_B,
    areas: tuple[str, str] = ("XA", "XB"),
    **link: Any,
) -> Network:
    """Buses A and B, cheap plant at A, dear plant and load at B, one branch A -> B."""
    n = Network("two zones", snapshots=range(3))
    n.snapshot_weightings.loc[:, :] = np.array(WEIGHTS)[:, None]
    n.add("Bus", ["A", "B"], country=list(areas))
    n.add("Generator", "cheap", bus="A", p_nom=1000, marginal_cost=10, carrier="gas")
    n.add("Generator", "dear", bus="B", p_nom=1000, marginal_cost=50, carrier="gas")
    n.add("Load", "demand", bus="B", p_set=load)
    if branch == "Line":
        n.add("Line", "A-B", bus0="A", bus1="B", x=0.1, s_nom=p_nom)
    else:
        attrs = {"bus0": "A", "bus1": "B", "p_min_pu": -1.0, **link}
        n.add("Link", "A-B", p_nom=p_nom, efficiency=efficiency, **attrs)
    return n


# ------------------------------------------------------------------------------ prices
@pytest.mark.parametrize("branch", ["Link", "Line"])
def test_prices_and_price_statistics(branch: str) -> None:
    """Prices: A is 10 throughout; B is 50, 10, 50.

    B's time-weighted mean is (50*1 + 10*2 + 50*5) / 8 = 40; its load pays
    (300*1*50 + 50*2*10 + 300*5*50) / (300 + 100 + 1500) = 91000 / 1900; its variance is
    (1*10^2 + 2*30^2 + 5*10^2) / 8 = 300.
    """
    result = optimize(two_zones(branch))
    np.testing.assert_allclose(result.prices[["A", "B"]], [[10, 50], [10, 10], [10, 50]])
    stats = price_statistics(result)
    assert list(stats.index) == ["A", "B"]
    assert list(stats["area"]) == ["XA", "XB"]
    assert stats.loc["A", "mean"] == pytest.approx(10)
    assert stats["load_weighted_mean"].isna().tolist() == [True, False]
    assert stats.loc["B", "mean"] == pytest.approx(40)
    assert stats.loc["B", "load_weighted_mean"] == pytest.approx(91000 / 1900)
    assert (stats.loc["B", "min"], stats.loc["B", "max"]) == pytest.approx((10, 50))
    assert stats.loc["B", "std"] == pytest.approx(np.sqrt(300))
    assert stats["hours_non_positive"].tolist() == [0, 0]
    assert stats.attrs["units"]["mean"] == "EUR/MWh"
    assert stats.attrs["units"]["hours_non_positive"] == "h"


def test_hours_at_zero_price_are_counted() -> None:
    """A bus served by a free plant has price 0 in every hour: all 8 h count."""
    n = Network("free", snapshots=range(3))
    n.snapshot_weightings.loc[:, :] = np.array(WEIGHTS)[:, None]
    n.add("Bus", "C")
    n.add("Generator", "wind", bus="C", p_nom=100, marginal_cost=0)
    n.add("Load", "demand", bus="C", p_set=40)
    result = optimize(n)
    stats = price_statistics(result)
    assert stats.loc["C", "hours_non_positive"] == pytest.approx(HOURS)
    assert stats.loc["C", "area"] == "C"  # no country: the bus is its own area


def test_price_duration_curve_sorted_and_covers_the_period() -> None:
    """B sorted: 50 (1 h), 50 (5 h), 10 (2 h) -> cumulative hours 1, 6, 8."""
    result = optimize(two_zones())
    curves = price_duration_curves(result)
    assert list(curves.columns) == ["bus", "area", "hours", "price"]
    b = curves[curves["bus"] == "B"]
    assert b["price"].tolist() == pytest.approx([50, 50, 10])
    assert b["hours"].tolist() == pytest.approx([1, 6, 8])
    for _, curve in curves.groupby("bus"):
        assert curve["price"].is_monotonic_decreasing
        assert curve["hours"].iloc[-1] == pytest.approx(HOURS)
    assert curves.attrs["units"] == {"bus": "", "area": "", "hours": "h", "price": "EUR/MWh"}


def test_price_duration_curve_of_a_weighted_year() -> None:
    """Weights of 8760/3 h each: the curve ends at 8760 h."""
    n = two_zones()
    n.snapshot_weightings.loc[:, :] = 8760 / 3
    result = optimize(n)
    curves = price_duration_curves(result)
    assert curves.groupby("bus")["hours"].max().tolist() == pytest.approx([8760, 8760])


def test_price_spreads_sign_and_summary() -> None:
    """Spread = price(bus1) - price(bus0) = 40, 0, 40 on A -> B; mean (40 + 200) / 8 = 30;
    |spread| > 1 in 6 of 8 hours. Turning the branch round flips the sign."""
    result = optimize(two_zones())
    spreads = price_spreads(result)
    np.testing.assert_allclose(spreads.hourly["A-B"], [40, 0, 40], atol=ATOL)
    row = spreads.summary.loc["A-B"]
    assert (row["bus0"], row["bus1"], row["component"]) == ("A", "B", "Link")
    assert row["mean"] == pytest.approx(30)
    assert row["mean_abs"] == pytest.approx(30)
    assert row["share_above_threshold"] == pytest.approx(6 / 8)
    assert price_spreads(result, threshold=50).summary.loc["A-B", "share_above_threshold"] == 0

    reverse = two_zones(branch="Link", bidirectional=True)
    reverse.static["Link"][["bus0", "bus1"]] = [["B", "A"]]
    result2 = optimize(reverse)
    np.testing.assert_allclose(price_spreads(result2).hourly["A-B"], [-40, 0, -40])


# ------------------------------------------------------------------------------ flows
@pytest.mark.parametrize("branch", ["Link", "Line"])
def test_branch_statistics_congested_link(branch: str) -> None:
    """Flow A -> B is 100, 50, 100 MW: 700 MWh forward, none back, no losses; congested in
    1 + 5 = 6 h; utilisation (100*1 + 50*2 + 100*5) / (8 * 100) = 0.875."""
    result = optimize(two_zones(branch))
    stats = branch_statistics(result)
    row = stats.loc["A-B"]
    assert row["component"] == branch
    assert row["capacity"] == pytest.approx(100)
    assert row["energy_forward"] == pytest.approx(700)
    assert row["energy_backward"] == pytest.approx(0, abs=ATOL)
    assert row["energy_net"] == pytest.approx(700)
    assert row["losses"] == pytest.approx(0, abs=ATOL)
    assert row["utilisation"] == pytest.approx(0.875)
    assert row["hours_congested_forward"] == pytest.approx(6)
    assert row["hours_congested_backward"] == 0
    assert stats.attrs["units"]["energy_forward"] == "MWh"
    assert stats.attrs["units"]["utilisation"] == "1"


def test_branch_statistics_count_congestion_at_the_derated_limit() -> None:
    """p_max_pu = 0.8: the link is full at 80 MW, which counts as congested."""
    result = optimize(two_zones(p_max_pu=0.8))
    row = branch_statistics(result).loc["A-B"]
    assert row["hours_congested_forward"] == pytest.approx(6)
    assert row["utilisation"] == pytest.approx((80 * 1 + 50 * 2 + 80 * 5) / (8 * 100))


def test_branch_statistics_backward_lossy_flow() -> None:
    """A bidirectional link B -> A carrying power from A to B (backward): 100 MW leave A (its
    bus1) in the loaded hours and 90 arrive; in the light hour 50 arrive, so 50 / 0.9 leave.
    Backward energy 100*6 + 2*50/0.9, losses 10*6 + 2*(50/0.9 - 50)."""
    n = two_zones(efficiency=0.9, bidirectional=True)
    n.static["Link"][["bus0", "bus1"]] = [["B", "A"]]
    result = optimize(n)
    row = branch_statistics(result).loc["A-B"]
    assert row["energy_forward"] == pytest.approx(0, abs=ATOL)
    assert row["energy_backward"] == pytest.approx(600 + 100 / 0.9)
    assert row["energy_net"] == pytest.approx(-(600 + 100 / 0.9))
    assert row["losses"] == pytest.approx(60 + 2 * (50 / 0.9 - 50))
    assert row["hours_congested_backward"] == pytest.approx(6)
    assert row["hours_congested_forward"] == 0


def test_branch_statistics_rejects_bad_tol() -> None:
    result = optimize(two_zones())
    with pytest.raises(InputError, match=r"branch_statistics\.tol: must be in \[0, 1\), got 2"):
        branch_statistics(result, tol=2)


# ------------------------------------------------------------------------------ rent
@pytest.mark.parametrize("branch", ["Link", "Line"])
def test_congestion_rent_of_a_congested_link(branch: str) -> None:
    """Rent = (50 - 10) * 100 MW in the 6 congested hours = 24000 EUR, shared 50/50."""
    result = optimize(two_zones(branch))
    rent = congestion_rent(result)
    assert isinstance(rent, CongestionRent)
    np.testing.assert_allclose(rent.hourly["A-B"], [4000, 0, 4000 * 5], atol=ATOL)
    row = rent.by_branch.loc["A-B"]
    assert (row["area0"], row["area1"]) == ("XA", "XB")
    assert row["rent"] == pytest.approx((50 - 10) * 100 * 6)
    assert rent.by_area["rent"].to_dict() == pytest.approx({"XA": 12000, "XB": 12000})
    assert rent.split == 0.5
    assert rent.by_area.attrs["units"] == {"rent": "EUR"}


def test_congestion_rent_split_and_single_area() -> None:
    """split=0.3 gives 30 % to bus0's area; a branch inside one area keeps all of it."""
    result = optimize(two_zones())
    shares = rent_by_area(result, split=0.3)
    assert shares.to_dict() == pytest.approx({"XA": 0.3 * 24000, "XB": 0.7 * 24000})
    result1 = optimize(two_zones(areas=("X", "X")))
    assert rent_by_area(result1, split=0.3).to_dict() == pytest.approx({"X": 24000})


@pytest.mark.parametrize("split", [-0.1, 1.5, float("nan")])
def test_congestion_rent_rejects_bad_split(split: float) -> None:
    result = optimize(two_zones())
    with pytest.raises(InputError, match=r"congestion_rent\.split: must be between 0 and 1"):
        congestion_rent(result, split=split)


@pytest.mark.parametrize("reverse", [False, True])
def test_congestion_rent_of_a_lossy_link(reverse: bool) -> None:
    """Efficiency 0.9, 100 MW: in the loaded hours 100 MW leave A and 90 arrive at B, so
    rent = 50 * 90 - 10 * 100 = 3500 EUR/h; in the light hour the link is not full and
    lambda_B = lambda_A / 0.9, so the rent is 0. Same with the link drawn B -> A and run
    backwards."""
    n = two_zones(efficiency=0.9, bidirectional=True)
    if reverse:
        n.static["Link"][["bus0", "bus1"]] = [["B", "A"]]
    result = optimize(n)
    np.testing.assert_allclose(
        result.prices[["A", "B"]], [[10.0, 50.0], [10.0, 10 / 0.9], [10.0, 50.0]]
    )
    rent = congestion_rent(result)
    np.testing.assert_allclose(rent.hourly["A-B"], [3500, 0, 3500 * 5], atol=ATOL)
    assert rent.by_branch.loc["A-B", "rent"] == pytest.approx(3500 * 6)


def test_uncongested_lossy_link_earns_nothing() -> None:
    """1000 MW link, efficiency 0.9: prices 10 and 10 / 0.9 in every hour and no rent."""
    result = optimize(two_zones(efficiency=0.9, p_nom=1000))
    np.testing.assert_allclose(result.prices["B"], [10 / 0.9] * 3)
    assert congestion_rent(result).by_branch.loc["A-B", "rent"] == pytest.approx(0, abs=ATOL)


def test_lossy_link_at_equal_prices_has_negative_rent() -> None:
    """Both zones have a 10 EUR/MWh plant and the link must carry 50 MW (p_min_pu = 0.5):
    prices are 10 on both sides, it buys 50 and sells 45 -> rent -50 EUR/h, the cost of its
    losses."""
    n = two_zones(efficiency=0.9, p_min_pu=0.5)
    n.static["Generator"].loc["dear", "marginal_cost"] = 10.0
    result = optimize(n)
    np.testing.assert_allclose(result.prices[["A", "B"]], 10.0)
    rent = congestion_rent(result)
    np.testing.assert_allclose(rent.hourly["A-B"], -50.0 * np.array(WEIGHTS), atol=ATOL)


def test_rent_of_an_optimally_sized_link_pays_its_capital_cost() -> None:
    """An extendable lossy link (efficiency 0.9, 150 EUR/MW) is worth 50*0.9 - 10 = 35 EUR per
    MWh of capacity in each congested hour: 35 * 8 h up to 50/0.9 MW, 35 * 6 h = 210 > 150 up
    to 300/0.9 MW, 0 beyond, so p_nom = 1000/3 MW. At an optimum the rent recovers exactly
    the capital cost (complementary slackness): rent = 150 * p_nom, whatever the duals."""
    n = two_zones(efficiency=0.9, bidirectional=True, p_nom_extendable=True, capital_cost=150)
    result = optimize(n)
    p_nom = result.capacity("Link")["A-B"]
    assert p_nom == pytest.approx(1000 / 3)
    rent = congestion_rent(result).by_branch.loc["A-B", "rent"]
    assert rent == pytest.approx(150 * p_nom, rel=1e-6)


def test_unbuilt_branch_has_no_utilisation() -> None:
    """A branch below MIN_CAPACITY_MW counts as not built: utilisation NaN, never congested."""
    result = optimize(two_zones(p_nom=1e-4))
    row = branch_statistics(result).loc["A-B"]
    assert pd.isna(row["utilisation"])
    assert row["hours_congested_forward"] == 0


def test_tables_without_branches() -> None:
    """A single bus has no branches: the branch tables are empty, the bus tables are not."""
    n = Network("one", snapshots=range(2))
    n.add("Bus", "C", country="XC")
    n.add("Generator", "g", bus="C", p_nom=100, marginal_cost=20)
    n.add("Load", "d", bus="C", p_set=10)
    result = optimize(n)
    assert price_statistics(result).loc["C", "mean"] == pytest.approx(20)
    assert congestion_rent(result).by_branch.empty
    assert rent_by_area(result).empty
    assert branch_statistics(result).empty
    assert isinstance(price_spreads(result).hourly, pd.DataFrame)
