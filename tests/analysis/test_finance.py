"""Project-finance arithmetic against values checked by hand or from textbook examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caspian.analysis.finance import (
    ProjectAppraisal,
    annuity_factor,
    appraise_project,
    irr,
    npv,
    payback_year,
    present_value_factor,
    tornado,
)
from caspian.exceptions import InputError

# -1000 now, then 300 a year for 5 years, at 10 %: the annuity present value factor is
# (1 - 1.1^-5) / 0.1 = 3.790787, so NPV = -1000 + 300 * 3.790787 = 137.236.
PV_5_YEARS_10 = (1 - 1.1**-5) / 0.1
TEXTBOOK = [-1000.0] + [300.0] * 5


# ------------------------------------------------------------------------------ factors
def test_annuity_factor_reference_values() -> None:
    assert annuity_factor(0.06, 40) == pytest.approx(0.066462, abs=5e-7)
    assert annuity_factor(0.10, 5) == pytest.approx(1 / PV_5_YEARS_10)
    assert annuity_factor(0.0, 40) == pytest.approx(1 / 40)
    assert annuity_factor(0.08, 30) == pytest.approx(0.088827, abs=1e-6)


@given(st.floats(0.001, 0.3), st.integers(1, 80))
def test_annuity_factor_repays_the_capex(rate: float, years: int) -> None:
    present_value = sum(annuity_factor(rate, years) / (1 + rate) ** t for t in range(1, years + 1))
    assert present_value == pytest.approx(1.0, rel=1e-9)


def test_present_value_factor() -> None:
    assert present_value_factor(0.1, 2) == pytest.approx(1 / 1.21)
    assert present_value_factor(0.1, 0) == 1.0


def test_npv_textbook_example() -> None:
    assert npv(TEXTBOOK, 0.10) == pytest.approx(137.236, abs=1e-3)
    assert npv(TEXTBOOK, 0.0) == pytest.approx(500)


def test_npv_uses_the_years_of_a_series() -> None:
    """A flow of 121 in year 2 is worth 100 at 10 %, whatever its position."""
    assert npv(pd.Series([121.0], index=[2]), 0.10) == pytest.approx(100)


def test_irr_two_year_example() -> None:
    """-100 + 60 v + 60 v^2 = 0 with v = 1/(1+r): v = (-1 + sqrt(1 + 20/3)) / 2 -> 13.07 %."""
    v = (-1 + math.sqrt(1 + 20 / 3)) / 2
    assert irr([-100, 60, 60]) == pytest.approx(1 / v - 1, abs=1e-10)
    assert irr([-100, 60, 60]) == pytest.approx(0.1307, abs=5e-5)
    calendar = pd.Series([-100.0, 60.0, 60.0], index=[2030, 2031, 2032])
    assert irr(calendar) == pytest.approx(1 / v - 1, abs=1e-10)


def test_irr_makes_npv_zero() -> None:
    rate = irr(TEXTBOOK)
    assert npv(TEXTBOOK, rate) == pytest.approx(0, abs=1e-8)
    assert rate == pytest.approx(0.152382, abs=1e-6)


def test_irr_without_sign_change_is_nan() -> None:
    assert math.isnan(irr([100, 50, 50]))
    assert math.isnan(irr([-100, -5]))
    assert math.isnan(irr([0, 0]))


def test_irr_negative_return() -> None:
    """-100 now, 90 next year: r = -10 %."""
    assert irr([-100, 90]) == pytest.approx(-0.10, abs=1e-10)


# ------------------------------------------------------------------------------ payback
def test_payback_textbook() -> None:
    """Cumulative -700, -400, -100, +200 -> year 4; discounted at 10 % the cumulative PV is
    still -49.0 after year 4 and +137.2 after year 5 -> year 5."""
    assert payback_year(TEXTBOOK) == 4
    assert payback_year(TEXTBOOK, discount_rate=0.10) == 5


def test_payback_edge_cases() -> None:
    assert payback_year([-100, 50, 40]) is None
    assert payback_year([0, -100, 60, 60]) == 3  # leading zero years do not count
    assert payback_year([-100, 150, -100, 10]) is None  # reinvestment pushes it negative
    assert payback_year([-100, 150, -100, 60]) == 3
    assert payback_year([10, 5]) == 0
    assert payback_year(pd.Series([-10.0, 20.0], index=[2030, 2031])) == 2031
    calendar = pd.Series(TEXTBOOK, index=range(2030, 2036))
    assert payback_year(calendar, discount_rate=0.10) == 2035


# ------------------------------------------------------------------------------ appraisal
def test_appraisal_textbook_project() -> None:
    a = appraise_project(1000, 300, lifetime_years=5, discount_rate=0.10)
    assert isinstance(a, ProjectAppraisal)
    assert a.capex == 1000
    assert a.npv == pytest.approx(-1000 + 300 * PV_5_YEARS_10)
    assert a.irr == pytest.approx(irr(TEXTBOOK))
    assert a.bcr == pytest.approx(300 * PV_5_YEARS_10 / 1000)
    assert a.annuity == pytest.approx(1000 / PV_5_YEARS_10)
    assert (a.payback_year, a.discounted_payback_year) == (4, 5)
    assert math.isnan(a.lcot_eur_per_mwh)
    table = a.cash_flows
    assert list(table.index) == [0, 1, 2, 3, 4, 5]
    assert table["net"].tolist() == TEXTBOOK
    assert table["discounted_net"].sum() == pytest.approx(a.npv)
    assert table.attrs["units"]["capex"] == "EUR"


def test_appraisal_with_om_and_energy() -> None:
    """Benefit 350 and O&M 50 give the same net flows as above, but the BCR counts O&M as a
    cost: 350 * 3.7908 / (1000 + 50 * 3.7908) = 1.1154. LCOT = (263.80 + 50) / 1000 MWh."""
    a = appraise_project(
        1000,
        350,
        lifetime_years=5,
        discount_rate=0.10,
        fixed_om_eur_per_year=50,
        energy_carried_mwh_per_year=1000,
    )
    assert a.npv == pytest.approx(-1000 + 300 * PV_5_YEARS_10)
    assert a.bcr == pytest.approx(350 * PV_5_YEARS_10 / (1000 + 50 * PV_5_YEARS_10))
    assert a.bcr == pytest.approx(1.1154, abs=1e-4)
    assert a.lcot_eur_per_mwh == pytest.approx((1000 / PV_5_YEARS_10 + 50) / 1000)
    idle = appraise_project(1000, 0, 5, 0.10, energy_carried_mwh_per_year=0.0)
    assert idle.lcot_eur_per_mwh == math.inf


def test_appraisal_construction_years() -> None:
    """Two construction years: 500 in years 0 and 1, benefits in years 2..6."""
    a = appraise_project(1000, 300, lifetime_years=5, discount_rate=0.10, construction_years=2)
    table = a.cash_flows
    assert table["capex"].tolist() == [500, 500, 0, 0, 0, 0, 0]
    assert table["benefit"].tolist() == [0, 0, 300, 300, 300, 300, 300]
    assert a.npv == pytest.approx(-500 - 500 / 1.1 + 300 * PV_5_YEARS_10 / 1.1)
    assert a.payback_year == 5  # cumulative -1000, -700, -400, -100, +200 after year 5
    one = appraise_project(1000, 300, lifetime_years=5, discount_rate=0.10, construction_years=1)
    zero = appraise_project(1000, 300, lifetime_years=5, discount_rate=0.10)
    assert one.npv == zero.npv
    pd.testing.assert_frame_equal(one.cash_flows, zero.cash_flows)


def test_appraisal_zero_rate_and_losing_project() -> None:
    a = appraise_project(1000, 100, lifetime_years=5, discount_rate=0.0)
    assert a.npv == pytest.approx(-500)
    assert a.annuity == pytest.approx(200)
    assert a.payback_year is None and a.discounted_payback_year is None
    assert a.bcr == pytest.approx(0.5)
    assert a.irr == pytest.approx(irr([-1000] + [100] * 5))
    assert a.irr < 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"lifetime_years": 0},
            "project.lifetime_years: must be a whole number of years >= 1, got 0.",
        ),
        (
            {"lifetime_years": 2.5},
            "project.lifetime_years: must be a whole number of years >= 1, got 2.5.",
        ),
        (
            {"construction_years": -1},
            "project.construction_years: must be a whole number of years >= 0, got -1.",
        ),
        ({"capex_eur": -5.0}, "project.capex_eur: must not be negative, got -5.0."),
        (
            {"fixed_om_eur_per_year": -1.0},
            "project.fixed_om_eur_per_year: must not be negative, got -1.0.",
        ),
        (
            {"discount_rate": -1.0},
            "project.discount_rate: must be a yearly rate above -1 (-100 %), got -1.0.",
        ),
        (
            {"annual_benefit_eur": float("nan")},
            "project.annual_benefit_eur: must be a finite number, got nan.",
        ),
        (
            {"energy_carried_mwh_per_year": -1.0},
            "project.energy_carried_mwh_per_year: must be a finite number >= 0, got -1.0.",
        ),
    ],
)
def test_appraisal_error_messages(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float] = {
        "capex_eur": 1000,
        "annual_benefit_eur": 300,
        "lifetime_years": 5,
        "discount_rate": 0.1,
    }
    with pytest.raises(InputError) as info:
        appraise_project(**(args | kwargs))  # type: ignore[arg-type]
    assert str(info.value).startswith(message)


def test_factor_and_cashflow_errors() -> None:
    with pytest.raises(InputError, match=r"annuity_factor\.years: must be a positive number"):
        annuity_factor(0.06, 0)
    with pytest.raises(InputError, match=r"discounting\.rate: .*pass 0\.06 for 6 %"):
        npv([1.0], -2.0)
    with pytest.raises(InputError, match="cashflows: are empty"):
        irr([])
    with pytest.raises(InputError, match="cashflows: year 1 is not a finite number"):
        npv([1.0, np.nan], 0.1)
    with pytest.raises(InputError, match="cashflows: must be indexed by whole years"):
        npv(pd.Series([1.0, 2.0], index=[1, 0]), 0.1)


# ------------------------------------------------------------------------------ tornado
def test_tornado_sorted_by_swing() -> None:
    table = tornado(
        100.0,
        {
            "discount rate": ("5 %", "8 %", 160.0, 40.0),
            "capex": ("-20 %", "+20 %", 300.0, -100.0),
            "benefit": ("-10 %", "+10 %", 50.0, 150.0),
            "O&M": ("-50 %", "+50 %", 110.0, 90.0),
        },
    )
    assert table["parameter"].tolist() == ["capex", "discount rate", "benefit", "O&M"]
    assert table["swing"].tolist() == [400, 120, 100, 20]
    first = table.iloc[0]
    assert (first["low"], first["high"]) == ("-20 %", "+20 %")
    assert (first["delta_low"], first["delta_high"]) == (200, -200)
    assert table.attrs["units"]["swing"] == "EUR"


def test_tornado_rejects_malformed_case() -> None:
    with pytest.raises(InputError, match=r"tornado\.capex: needs 4 values"):
        tornado(0.0, {"capex": ("low", "high", 1.0)})  # type: ignore[dict-item]
