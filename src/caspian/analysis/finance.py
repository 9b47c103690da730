"""Project-finance arithmetic: annuities, discounting, NPV, IRR, payback and appraisal.

Conventions: money in EUR, rates as fractions per year (0.06 = 6 %/yr), cash flows indexed by
year 0..N with each year's flow counted at the end of the year, so year 0 is undiscounted and
year $t$ is discounted by $(1 + r)^{-t}$. Costs are negative net cash flows.
Nothing here solves a network; feed it benefits from ``caspian.analysis`` or elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from caspian.analysis.common import with_units
from caspian.exceptions import InputError

CashFlows: TypeAlias = pd.Series | Sequence[float] | np.ndarray
"""Net cash flows (EUR) by year: a Series indexed by year, or a sequence for years 0, 1, ..."""

IRR_GRID = np.concatenate([np.linspace(-0.99, 1.0, 200), np.geomspace(1.0, 1000.0, 61)[1:]])
"""Rates (per year) scanned for the first sign change of the NPV before refining with Brent."""


# ------------------------------------------------------------------------------ factors
def annuity_factor(rate: float, years: float) -> float:
    r"""Capital recovery factor: the yearly payment that repays 1 EUR over ``years`` years.

    $$
    a(r, n) = \frac{r}{1 - (1 + r)^{-n}}, \qquad a(0, n) = 1 / n.
    $$

    ``rate`` per year (> -1), ``years`` > 0; the result is in 1/yr. E.g. a(6 %, 40) = 0.066462.
    """
    _check_rate(rate, "rate")
    if not (math.isfinite(years) and years > 0):
        raise InputError(
            f"must be a positive number of years, got {years!r}.",
            component="annuity_factor",
            attribute="years",
            hint="Pass the economic lifetime, e.g. 40 for an HVDC cable.",
        )
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def present_value_factor(rate: float, year: float) -> float:
    r"""Discount factor $(1 + r)^{-t}$ of a flow at the end of year $t$."""
    _check_rate(rate, "rate")
    return float((1.0 + rate) ** -year)


def npv(cashflows: CashFlows, rate: float) -> float:
    r"""Net present value $\sum_t CF_t (1 + r)^{-t}$ (EUR) of flows indexed by year."""
    _check_rate(rate, "rate")
    flows = _as_cashflows(cashflows)
    years = flows.index.to_numpy(float)
    return float(np.sum(flows.to_numpy(float) * (1.0 + rate) ** -years))


def irr(cashflows: CashFlows) -> float:
    r"""Internal rate of return: the rate $r > -1$ with $\mathrm{NPV}(r) = 0$.

    The NPV is evaluated on the grid [`IRR_GRID`][caspian.analysis.finance.IRR_GRID]
    (-99 % to 100 000 %/yr); the root in the first interval where it changes sign is refined with
    ``scipy.optimize.brentq`` (``xtol`` 1e-12). For a conventional project (outflows, then inflows)
    that root is the only one; for flows that change sign several times it is the lowest of possibly
    several.

    Returns NaN when the flows do not change sign (no investment or no return: every rate, or
    none, makes the NPV zero) or the NPV does not change sign on the grid (a return beyond it).
    """
    flows = _as_cashflows(cashflows)
    values = flows.to_numpy(float)
    # Counting from the first year scales the NPV by a positive factor: same root, no overflow.
    years = flows.index.to_numpy(float) - float(flows.index[0])
    if not ((values > 0).any() and (values < 0).any()):
        return math.nan

    def value(rate: float) -> float:
        return float(np.sum(values * (1.0 + rate) ** -years))

    with np.errstate(over="ignore", invalid="ignore"):
        grid = np.array([value(r) for r in IRR_GRID])
    for i in range(len(IRR_GRID) - 1):
        a, b = grid[i], grid[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0.0:
            return float(IRR_GRID[i])
        if a * b < 0:
            return float(brentq(value, IRR_GRID[i], IRR_GRID[i + 1], xtol=1e-12))
    return float(IRR_GRID[-1]) if grid[-1] == 0.0 else math.nan


def payback_year(cashflows: CashFlows, discount_rate: float | None = None) -> int | None:
    r"""First year from which the cumulative cash flow stays non-negative (``None`` if never).

    The cumulative flow is $C_t = \sum_{s \le t} CF_s$, or with ``discount_rate``
    $\sum_{s \le t} CF_s (1 + r)^{-s}$ (discounted payback). The payback year is the
    first $t$ with $C_s \ge 0$ for every $s \ge t$, so leading zero years and a
    later reinvestment that pushes $C$ negative again do not count as paid back.
    """
    flows = _as_cashflows(cashflows)
    values = flows.to_numpy(float)
    if discount_rate is not None:
        _check_rate(discount_rate, "discount_rate")
        # Discounting to the first year instead of year 0 scales C by a positive constant.
        years = flows.index.to_numpy(float) - float(flows.index[0])
        values = values * (1.0 + discount_rate) ** -years
    negative = np.flatnonzero(np.cumsum(values) < 0)
    if not len(negative):
        return int(flows.index[0])
    last = int(negative[-1])
    return None if last == len(values) - 1 else int(flows.index[last + 1])


# ------------------------------------------------------------------------------ appraisal
@dataclass(frozen=True, eq=False)
class ProjectAppraisal:
    """Result of ``appraise_project`` (EUR, EUR/yr, EUR/MWh).

    Attributes
    ----------
    capex
        investment (EUR, overnight: no interest during construction).
    annuity
        capex x annuity factor over the lifetime (EUR/yr).
    npv
        net present value of the cash flows (EUR).
    irr
        internal rate of return (per year; NaN if undefined, see
        [`irr`][caspian.analysis.finance.irr]).
    bcr
        benefit-cost ratio, PV(benefits) / PV(capex + O&M) (NaN if there are no costs).
    payback_year, discounted_payback_year
        year from which the (discounted) cumulative net cash flow stays non-negative, counted from
        the start of construction; None if never.
    lcot_eur_per_mwh
        levelised cost of transmission, (annuity + fixed O&M) / MWh carried per
        year (EUR/MWh; NaN if the energy is unknown, inf if it is 0 and there are costs).
    cash_flows
        per year (index ``year``): ``capex``, ``om`` (costs, >= 0), ``benefit``,
        ``net`` = benefit - capex - om, ``discount_factor`` and ``discounted_net`` (EUR).
    """

    capex: float
    annuity: float
    npv: float
    irr: float
    bcr: float
    payback_year: int | None
    discounted_payback_year: int | None
    lcot_eur_per_mwh: float
    cash_flows: pd.DataFrame


def appraise_project(
    capex_eur: float,
    annual_benefit_eur: float,
    lifetime_years: int,
    discount_rate: float,
    fixed_om_eur_per_year: float = 0.0,
    energy_carried_mwh_per_year: float | None = None,
    construction_years: int = 0,
) -> ProjectAppraisal:
    r"""Appraise an investment with a constant yearly benefit over its lifetime.

    Schedule: with $C$ = ``max(construction_years, 1)`` the capex is spent in equal parts
    in years $0..C-1$, and the project operates in years $C..C+L-1$ ($L$ =
    ``lifetime_years``), earning ``annual_benefit_eur`` and paying ``fixed_om_eur_per_year``
    each year. So ``construction_years`` 0 and 1 both mean all capex in year 0 and benefits in
    years 1..L.

    Results, with $d_t = (1 + r)^{-t}$:

    - NPV = $\sum_t d_t (B_t - K_t - O_t)$;
    - BCR = $\sum_t d_t B_t / \sum_t d_t (K_t + O_t)$;
    - annuity = capex x [`annuity_factor`][caspian.analysis.finance.annuity_factor] (r, L);
    - LCOT = (annuity + fixed O&M) / ``energy_carried_mwh_per_year`` (EUR/MWh).

    Raises
    ------
    InputError
        For negative capex or O&M, a lifetime below 1 year, a negative number of construction
        years, a rate at or below -100 %, a negative energy carried, or non-finite values.
    """
    _check_nonnegative(capex_eur, "capex_eur", "the investment in EUR")
    _check_nonnegative(fixed_om_eur_per_year, "fixed_om_eur_per_year", "fixed O&M in EUR/yr")
    _check_finite(annual_benefit_eur, "annual_benefit_eur")
    _check_rate(discount_rate, "discount_rate", component="project")
    _check_whole(lifetime_years, "lifetime_years", minimum=1)
    _check_whole(construction_years, "construction_years", minimum=0)
    if energy_carried_mwh_per_year is not None and not (
        math.isfinite(energy_carried_mwh_per_year) and energy_carried_mwh_per_year >= 0
    ):
        raise InputError(
            f"must be a finite number >= 0, got {energy_carried_mwh_per_year!r}.",
            component="project",
            attribute="energy_carried_mwh_per_year",
            hint="Pass the MWh the project carries per year, or None if unknown.",
        )

    build = max(int(construction_years), 1)
    life = int(lifetime_years)
    years = np.arange(build + life)
    operating = years >= build
    capex = np.where(years < build, capex_eur / build, 0.0)
    om = np.where(operating, float(fixed_om_eur_per_year), 0.0)
    benefit = np.where(operating, float(annual_benefit_eur), 0.0)
    net = benefit - capex - om
    discount = (1.0 + discount_rate) ** -years.astype(float)
    table = pd.DataFrame(
        {
            "capex": capex,
            "om": om,
            "benefit": benefit,
            "net": net,
            "discount_factor": discount,
            "discounted_net": net * discount,
        },
        index=pd.Index(years, name="year"),
    )
    eur = "EUR"
    with_units(table, {**{c: eur for c in table.columns}, "discount_factor": "1"})

    costs = float(np.sum((capex + om) * discount))
    annuity = capex_eur * annuity_factor(discount_rate, life)
    net_series = table["net"]
    lcot = math.nan
    yearly_cost = annuity + fixed_om_eur_per_year
    if energy_carried_mwh_per_year is not None and energy_carried_mwh_per_year > 0:
        lcot = yearly_cost / energy_carried_mwh_per_year
    elif energy_carried_mwh_per_year == 0 and yearly_cost > 0:
        lcot = math.inf  # a project that carries nothing never recovers its cost per MWh
    return ProjectAppraisal(
        capex=float(capex_eur),
        annuity=float(annuity),
        npv=float(table["discounted_net"].sum()),
        irr=irr(net_series),
        bcr=float(np.sum(benefit * discount)) / costs if costs > 0 else math.nan,
        payback_year=payback_year(net_series),
        discounted_payback_year=payback_year(net_series, discount_rate),
        lcot_eur_per_mwh=float(lcot),
        cash_flows=table,
    )


# ------------------------------------------------------------------------------ sensitivity
def tornado(base_npv: float, cases: Mapping[str, tuple[str, str, float, float]]) -> pd.DataFrame:
    r"""Tornado table of a sensitivity analysis, widest swing first.

    Parameters
    ----------
    base_npv
        NPV of the base case (EUR).
    cases
        parameter -> (low label, high label, NPV with the low value, NPV with the high
        value), e.g. ``{"capex": ("-20 %", "+20 %", 410e6, 95e6)}``.

    Returns
    -------
    pd.DataFrame
        One row per parameter, sorted by ``swing`` =
        $|\mathrm{NPV_{high}} - \mathrm{NPV_{low}}|$ descending (ties keep the order given), with
        columns ``parameter``, ``low``, ``high``, ``npv_low``, ``npv_high``, ``swing`` and
        ``delta_low``/``delta_high`` (NPV minus ``base_npv``), all in EUR but the labels.
    """
    rows = []
    for parameter, case in cases.items():
        if len(case) != 4:
            raise InputError(
                f"needs 4 values (low label, high label, npv_low, npv_high), got {case!r}.",
                component="tornado",
                attribute=str(parameter),
                hint="Pass e.g. ('-20 %', '+20 %', 410e6, 95e6).",
            )
        low, high, npv_low, npv_high = case
        rows.append((parameter, low, high, float(npv_low), float(npv_high)))
    columns = ["parameter", "low", "high", "npv_low", "npv_high"]
    table = pd.DataFrame(rows, columns=columns)
    table["swing"] = (table["npv_high"] - table["npv_low"]).abs()
    table["delta_low"] = table["npv_low"] - base_npv
    table["delta_high"] = table["npv_high"] - base_npv
    table = table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    labels = {"parameter": "", "low": "", "high": ""}
    money = ("npv_low", "npv_high", "swing", "delta_low", "delta_high")
    return with_units(table, {**labels, **{c: "EUR" for c in money}})


# ------------------------------------------------------------------------------ validation
def _as_cashflows(cashflows: CashFlows) -> pd.Series:
    """Cash flows as a float Series indexed by whole years in increasing order."""
    if isinstance(cashflows, pd.Series):
        flows = cashflows.astype(float)
    else:
        flows = pd.Series(np.asarray(cashflows, dtype=float))
    if not len(flows):
        raise InputError(
            "are empty.", component="cashflows", hint="Pass at least one year's cash flow."
        )
    if not np.isfinite(flows.to_numpy()).all():
        bad = flows[~np.isfinite(flows.to_numpy())].index[0]
        raise InputError(
            f"year {bad!r} is not a finite number.",
            component="cashflows",
            hint="Replace NaN or inf by 0 or the intended amount.",
        )
    index = flows.index
    if not (pd.api.types.is_integer_dtype(index) and index.is_monotonic_increasing):
        raise InputError(
            "must be indexed by whole years in increasing order.",
            component="cashflows",
            hint="Use a Series indexed 0, 1, ..., N, or a plain list for years 0..N.",
        )
    return flows


def _check_rate(rate: float, name: str, component: str = "discounting") -> None:
    if not (math.isfinite(rate) and rate > -1.0):
        raise InputError(
            f"must be a yearly rate above -1 (-100 %), got {rate!r}.",
            component=component,
            attribute=name,
            hint="Rates are fractions per year: pass 0.06 for 6 %.",
        )


def _check_finite(value: float, name: str) -> None:
    if not math.isfinite(value):
        raise InputError(
            f"must be a finite number, got {value!r}.", component="project", attribute=name
        )


def _check_nonnegative(value: float, name: str, what: str) -> None:
    _check_finite(value, name)
    if value < 0:
        raise InputError(
            f"must not be negative, got {value!r}.",
            component="project",
            attribute=name,
            hint=f"Pass {what} as a positive amount (costs are entered as positive numbers).",
        )


def _check_whole(value: int, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not float(value).is_integer() or value < minimum:
        raise InputError(
            f"must be a whole number of years >= {minimum}, got {value!r}.",
            component="project",
            attribute=name,
            hint="Pass e.g. lifetime_years=40, construction_years=3.",
        )
