"""Welfare by area and the with-and-without CBA on markets solved by hand."""

from __future__ import annotations

import pytest

from caspian.analysis.cba import compare, fix_investments, with_and_without
from caspian.analysis.welfare import area_energy_balance, area_welfare, curtailment
from caspian.decompose import BendersOptions
from caspian.exceptions import InfeasibleError, InputError
from caspian.network.network import Network
from caspian.optimize import optimize


def two_zones(link_mw: float = 100.0, *, extendable_b: bool = False) -> Network:
    """Zone A: 10 EUR/MWh up to 200 MW. Zone B: 150 MW load, 50 EUR/MWh. Link A->B."""
    n = Network()
    n.set_snapshots(range(2))
    n.add("Bus", ["a", "b"], country=["A", "B"])
    n.add("Carrier", ["gas", "solar"], co2_emissions=[0.2, 0.0])
    n.add("Generator", "cheap", bus="a", p_nom=200, marginal_cost=10, carrier="solar")
    n.add(
        "Generator",
        "dear",
        bus="b",
        p_nom=0 if extendable_b else 300,
        p_nom_extendable=extendable_b,
        capital_cost=20.0 if extendable_b else 0.0,
        marginal_cost=50,
        efficiency=0.5,
        carrier="gas",
    )
    n.add("Load", "demand", bus="b", p_set=150)
    n.add("Link", "ab", bus0="a", bus1="b", p_nom=link_mw, p_min_pu=-1)
    return n


def test_two_zone_welfare_by_hand() -> None:
    n = two_zones()
    result = optimize(n)
    w = area_welfare(result)
    # Per snapshot (1 h): prices 10 and 50; 100 MW flow; rent (50 - 10) * 100 = 4000.
    assert result.prices.loc[0].tolist() == pytest.approx([10.0, 50.0])
    assert w.loc["B", "consumer_payments_eur"] == pytest.approx(2 * 50 * 150)
    assert w.loc["A", "producer_surplus_eur"] == pytest.approx(0.0)
    assert w.loc["B", "producer_surplus_eur"] == pytest.approx(0.0)
    assert w.loc["A", "congestion_rent_eur"] == pytest.approx(2 * 2000)
    assert w.loc["B", "congestion_rent_eur"] == pytest.approx(2 * 2000)
    assert w.loc["A", "welfare_eur"] == pytest.approx(4000)
    assert w.loc["B", "welfare_eur"] == pytest.approx(-15000 + 4000)
    assert w["welfare_eur"].sum() == pytest.approx(-result.objective)
    assert w.attrs["units"]["welfare_eur"] == "EUR"
    other = area_welfare(result, split=1.0)
    assert other.loc["A", "congestion_rent_eur"] == pytest.approx(8000)
    assert other.loc["B", "congestion_rent_eur"] == pytest.approx(0.0)


def test_energy_balance_and_curtailment() -> None:
    n = two_zones()
    result = optimize(n)
    table = area_energy_balance(result).set_index(["area", "item", "carrier"])["energy_mwh"]
    assert table[("A", "exports", "")] == pytest.approx(200)
    assert table[("B", "imports", "")] == pytest.approx(200)
    assert table[("B", "demand", "")] == pytest.approx(300)
    assert table[("A", "generation", "solar")] == pytest.approx(200)
    curtailed = curtailment(result).set_index("name")["curtailment_mwh"]
    assert curtailed["cheap"] == pytest.approx(2 * 100)  # 200 MW available, 100 MW used


def test_cba_of_a_link_by_hand() -> None:
    n = two_zones()
    cba = with_and_without(n, "ab")
    # Without the link B burns 150 MW at 50 instead of importing 100 MW at 10: 4000 per hour.
    assert cba.capacity_mw == {"ab": 100.0}
    assert cba.welfare_change == pytest.approx(2 * 4000)
    change = cba.welfare.filter(like="change_")
    parts = change[
        ["change_consumer_surplus_eur", "change_producer_surplus_eur", "change_congestion_rent_eur"]
    ].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(change["change_welfare_eur"].to_numpy())
    assert cba.indicator("system_cost_change") == pytest.approx(-cba.welfare_change)
    # 100 MW less gas at efficiency 0.5 and 0.2 t/MWh_th: 40 t per hour.
    assert cba.indicator("co2_change") == pytest.approx(-2 * 40)
    assert cba.indicator("co2_benefit_central") == pytest.approx(2 * 40 * 85)
    assert cba.indicator("renewable_output_change") == pytest.approx(2 * 100)
    assert cba.energy_carried_mwh == pytest.approx(200)


def test_reoptimise_equals_minus_cost_change() -> None:
    n = two_zones(extendable_b=True)
    again = with_and_without(n, "ab", hold="reoptimise")
    direct = compare(*_pair(n))
    assert again.welfare_change == pytest.approx(direct.welfare_change)
    # With the link B builds 50 MW of gas (20 EUR/MW) instead of 150 MW, and imports 100 MW.
    assert again.welfare_change == pytest.approx(2 * 4000 + 100 * 20)
    # Fixed at the with-case plan (50 MW of gas), B cannot meet its load without the link.
    with pytest.raises(InfeasibleError, match="without ab with the other investments fixed"):
        with_and_without(n, "ab", hold="fixed")


@pytest.mark.parametrize(
    ("hold", "extendable_b", "by_hand"),
    [
        ("fixed", False, 48 * 4000),  # 4,000 EUR an hour of imports instead of gas
        ("reoptimise", True, 48 * 4000 + 100 * 20),  # and 100 MW less gas to build
    ],
)
def test_every_solve_of_the_comparison_takes_the_method_given(
    hold: str, extendable_b: bool, by_hand: float
) -> None:
    """Two days in two blocks of 24 h: with BendersOptions every solve of the comparison (the
    plan under "fixed", with, without) is a Benders solve, and the answer is the one by hand."""
    n = two_zones(extendable_b=extendable_b)
    n.set_snapshots(range(48))
    said: list[str] = []
    options = BendersOptions(block_hours=24.0, gap=1e-6)
    cba = with_and_without(n, "ab", hold=hold, options=options, progress=said.append)
    assert cba.with_result.solver.algorithm == "benders"
    assert cba.without_result.solver.algorithm == "benders"
    steps = {line.split(":")[0] for line in said if ": time blocks: 2 of 24 h" in line}
    assert steps == ({"plan", "with", "without"} if hold == "fixed" else {"with", "without"})
    assert cba.welfare_change == pytest.approx(by_hand, rel=1e-6)


def _pair(n: Network):  # type: ignore[no-untyped-def]
    with_net, without_net = n.copy(), n.copy()
    without_net.static["Link"].loc["ab", "p_nom"] = 0.0
    return optimize(with_net), optimize(without_net)


def test_fix_investments_keeps_the_plan() -> None:
    n = two_zones(extendable_b=True)
    result = optimize(n)
    fixed = fix_investments(n, result)
    assert not fixed.static["Generator"]["p_nom_extendable"].any()
    assert fixed.static["Generator"].loc["dear", "p_nom"] == pytest.approx(50.0)
    assert n.static["Generator"].loc["dear", "p_nom_extendable"]  # the original is untouched


def test_cba_errors_name_the_problem() -> None:
    n = two_zones()
    with pytest.raises(InputError, match=r"no link 'abb'.*Did you mean 'ab'"):
        with_and_without(n, "abb")
    with pytest.raises(InputError, match="capacity 0 MW"):
        with_and_without(n, "ab", capacity_mw=0.0)
    with pytest.raises(InputError, match="unknown hold rule 'frozen'"):
        with_and_without(n, "ab", hold="frozen")


def test_appraisal_at_given_costs_by_hand() -> None:
    """The link saves 8,000 EUR a year (see above); at 1,000 EUR/MW for 100 MW (100,000 EUR),
    2 % of it a year in O&M (2,000 EUR), 20 years at 5 %: NPV = -100,000 + 6,000 * annuity."""
    from caspian.analysis.cba import appraise_link_at_costs

    appraisal = appraise_link_at_costs(
        two_zones(),
        ["ab"],
        capex_eur_per_mw=1000.0,
        lifetime_years=20,
        discount_rate=0.05,
        fom_share=0.02,
    )
    annuity = (1 - 1.05**-20) / 0.05
    assert appraisal.terms["capex_eur"] == pytest.approx(100_000.0)
    assert appraisal.terms["fixed_om_eur_per_year"] == pytest.approx(2_000.0)
    assert appraisal.finance.npv == pytest.approx(-100_000 + 6_000 * annuity, rel=1e-9)
    assert appraisal.tornado is not None
    assert list(appraisal.tornado["parameter"]) == ["capex", "discount_rate"]
    assert appraisal.summary() == {
        "links": ["ab"],
        "capacity_mw": {"ab": 100.0},
        "capex_eur": 100_000.0,
        "lifetime_years": 20,
        "discount_rate": 0.05,
        "fixed_om_eur_per_year": 2_000.0,
    }
