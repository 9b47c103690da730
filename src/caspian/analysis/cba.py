"""Cost-benefit analysis of links, in the spirit of the ENTSO-E CBA guideline (4th edition).

A with-and-without comparison: the network is solved once with the links under study at a
given capacity and once without them (capacity zero), and the indicators are the differences.
``hold`` chooses what the rest of the system may do:

* ``"fixed"`` (ENTSO-E's usual practice): every other extendable asset is fixed at its optimum
  in the *with* case, and only dispatch changes when the links are taken out (TOOT) or put in
  (PINT) — the benefit of the link to the system as planned around it;
* ``"reoptimise"``: both cases re-optimise all other investments — the benefit to a system
  planned without the link.

The links under study are never extendable in either case, so their own investment cost is
not part of the welfare change: it enters the project-finance view
([`appraise_link`][caspian.analysis.cba.appraise_link]), which compares the annual welfare gain with
the link's capex and O&M.

Indicators (with minus without, per period of the snapshots, usually a year): socio-economic
welfare in total and by area, split into consumer surplus, producer surplus and congestion rent
(which add up to the total); CO2 in tonnes and valued at low, central and high CO2 prices;
renewable output and curtailment; losses; unserved energy (output of generators whose carrier
is one of [`UNSERVED_CARRIERS`][caspian.analysis.cba.UNSERVED_CARRIERS]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from caspian.analysis.common import RENEWABLE_CARRIERS, energy_weights, with_units
from caspian.analysis.finance import ProjectAppraisal, appraise_project, tornado
from caspian.analysis.market import branch_statistics
from caspian.analysis.welfare import area_emissions, area_welfare, curtailment
from caspian.decompose import Method, solve_network
from caspian.exceptions import InfeasibleError, InputError
from caspian.network.network import Network, did_you_mean, extendable_mask
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize import OptimizationResult

UNSERVED_CARRIERS = frozenset({"load_shedding", "load shedding", "unserved", "voll"})
"""Generator carriers that stand for unserved energy (load shedding at the value of lost load)."""

DEFAULT_CO2_PRICES: dict[str, float] = {"low": 67.0, "central": 85.0, "high": 100.0}
"""EUR/t: EU ETS averages of 2024 (67) and 2023 (85) and the Feb 2023 peak (100.34), source
S120/S120b in the corridor data file."""

WELFARE_PARTS = (
    "consumer_surplus_eur",
    "producer_surplus_eur",
    "congestion_rent_eur",
    "welfare_eur",
)


class Hold(StrEnum):
    """What the rest of the system may do in a with-and-without comparison."""

    FIXED = "fixed"
    REOPTIMISE = "reoptimise"


@dataclass(frozen=True)
class LinkCBA:
    """A with-and-without comparison of ``links`` (see the module docstring).

    Attributes
    ----------
    links
        the links under study.
    capacity_mw
        their capacity in the *with* case, MW per link.
    hold
        what the rest of the system did.
    split
        share of each cross-area branch's congestion rent given to the area of its bus0.
    with_result, without_result
        the two optima.
    welfare
        per area, the welfare parts with, without and their change (EUR per period).
    indicators
        tidy table (indicator, value, unit) of the changes, with minus without.
    energy_carried_mwh
        energy the links carried in the *with* case (both directions, MWh).
    """

    links: tuple[str, ...]
    capacity_mw: dict[str, float]
    hold: Hold
    split: float
    with_result: OptimizationResult
    without_result: OptimizationResult
    welfare: pd.DataFrame
    indicators: pd.DataFrame
    energy_carried_mwh: float

    @property
    def welfare_change(self) -> float:
        """EUR per period: total change of socio-economic welfare (with minus without)."""
        return float(self.welfare["change_welfare_eur"].sum())

    def indicator(self, name: str) -> float:
        """The value of one indicator by name."""
        table = self.indicators.set_index("indicator")
        if name not in table.index:
            raise InputError(
                f"no indicator {name!r}.{did_you_mean(name, table.index)}",
                hint="Indicators: " + ", ".join(table.index) + ".",
            )
        return float(table["value"].to_numpy(float)[table.index.get_loc(name)])


def with_and_without(
    n: Network,
    links: str | Sequence[str],
    *,
    capacity_mw: float | Mapping[str, float] | None = None,
    hold: Hold | str = Hold.FIXED,
    split: float = 0.5,
    co2_prices: Mapping[str, float] | None = None,
    options: Method | None = None,
    progress: Callable[[str], None] | None = None,
    plan: OptimizationResult | None = None,
) -> LinkCBA:
    """Compare ``n`` with and without ``links``; see the module docstring.

    Parameters
    ----------
    n
        the network (not modified).
    links
        the Link names under study, taken out together.
    capacity_mw
        their capacity in the *with* case (MW), one number for all or one per link.
        Default: the optimum of ``n`` for extendable links (one extra solve), else ``p_nom``.
        A link whose optimum is zero cannot be studied this way: give a capacity.
    hold
        ``"fixed"`` or ``"reoptimise"`` (see the module docstring).
    split
        share of each branch's congestion rent that goes to the area of its bus0.
    co2_prices
        EUR/t by label for valuing the CO2 change (default
        [`DEFAULT_CO2_PRICES`][caspian.analysis.cba.DEFAULT_CO2_PRICES]).
    options
        how every solve is made, as
        [`caspian.decompose.solve_network`][caspian.decompose.solve_network] takes it: by default
        ``auto``, one HiGHS solve or Benders by the model's size.
    progress
        called with a line of text at each step.
    plan
        with ``hold="fixed"``, an optimum of ``n`` with the links at ``capacity_mw`` whose
        capacities fix the other investments (saves the planning solve); by default it is
        solved here.

    Notes
    -----
    With representative periods (typical days, ``n.periods``) every solve links storage over
    the real sequence of periods: the networks of the cases are copies of ``n`` and carry them.
    """
    say = progress or (lambda message: None)
    names = (links,) if isinstance(links, str) else tuple(links)
    hold = _hold(hold)
    known = n.static["Link"].index
    for name in names:
        if name not in known:
            raise InputError(
                f"no link {name!r} in the network.{did_you_mean(name, known)}",
                component="Link",
                hint="Links: " + ", ".join(map(str, known)) + ".",
            )
    if not names:
        raise InputError("no links to study.", component="Link", hint="Name at least one link.")

    capacity = _capacities(n, names, capacity_mw, options, say)
    with_net = _set_links(n, capacity)
    without_net = _set_links(n, dict.fromkeys(names, 0.0))
    if hold == Hold.FIXED:
        planned = plan
        if planned is None:
            say("solving the system with the links to fix the other investments")
            planned = solve_network(with_net, options, _within(say, "plan"))
        with_net = fix_investments(with_net, planned)
        without_net = fix_investments(without_net, planned)
    say("solving with the links")
    with_result = solve_network(with_net, options, _within(say, "with"))
    say("solving without the links")
    try:
        without_result = solve_network(without_net, options, _within(say, "without"))
    except InfeasibleError as error:
        held = (
            " with the other investments fixed at the with-case plan" if hold == Hold.FIXED else ""
        )
        raise InfeasibleError(
            f"without {', '.join(names)}{held}, the system cannot meet demand: {error}\n"
            "Use hold='reoptimise' (--hold reoptimise) to let the rest of the system adapt, or "
            "add load-shedding generators (carrier 'load_shedding') to value unserved energy.",
            explanation=error.explanation,
        ) from None

    comparison = compare(with_result, without_result, split=split, co2_prices=co2_prices)
    carried = branch_statistics(with_result)
    energy = float(carried.loc[list(names), ["energy_forward", "energy_backward"]].to_numpy().sum())
    return LinkCBA(
        links=names,
        capacity_mw=capacity,
        hold=hold,
        split=split,
        with_result=with_result,
        without_result=without_result,
        welfare=comparison.welfare,
        indicators=comparison.indicators,
        energy_carried_mwh=energy,
    )


@dataclass(frozen=True)
class Comparison:
    """Welfare by area (with, without, change) and the indicator table of two solved cases."""

    welfare: pd.DataFrame
    indicators: pd.DataFrame

    @property
    def welfare_change(self) -> float:
        return float(self.welfare["change_welfare_eur"].sum())


def compare(
    with_result: OptimizationResult,
    without_result: OptimizationResult,
    *,
    split: float = 0.5,
    co2_prices: Mapping[str, float] | None = None,
) -> Comparison:
    """The CBA indicators of any two solved cases, e.g. two scenarios (with minus without).

    Each result carries the network it was solved on (``result.network``). The networks may
    differ in anything; the comparison is meaningful when they cover the same period and the
    same areas (their buses' ``country``).
    """
    welfare = _welfare_table(with_result, without_result, split)
    indicators = _indicators(with_result, without_result, welfare, co2_prices)
    return Comparison(welfare=welfare, indicators=indicators)


def fix_investments(n: Network, result: OptimizationResult) -> Network:
    """A copy of ``n`` with every extendable asset fixed at its optimal capacity in ``result``."""
    out = n.copy()
    for component, attr in NOMINAL_ATTR.items():
        static = out.static[component]
        if not len(static):
            continue
        extendable = extendable_mask(static, component)
        if not extendable.any():
            continue
        optimum = result.capacity(component).reindex(static.index).to_numpy(float)
        static.loc[extendable, attr] = optimum[extendable]
        static.loc[extendable, f"{attr}_extendable"] = False
    return out


def appraise_link(
    cba: LinkCBA,
    *,
    capex_eur: float,
    lifetime_years: int,
    discount_rate: float,
    fixed_om_eur_per_year: float = 0.0,
    construction_years: int = 0,
    annual_benefit_eur: float | None = None,
) -> ProjectAppraisal:
    """The project-finance view: the annual welfare gain against the link's capex and O&M.

    ``annual_benefit_eur`` defaults to the welfare change of ``cba`` (the snapshots are taken
    to cover one year, as the snapshot weightings of a full-year model do).
    """
    benefit = cba.welfare_change if annual_benefit_eur is None else annual_benefit_eur
    return appraise_project(
        capex_eur=capex_eur,
        annual_benefit_eur=benefit,
        lifetime_years=lifetime_years,
        discount_rate=discount_rate,
        fixed_om_eur_per_year=fixed_om_eur_per_year,
        energy_carried_mwh_per_year=cba.energy_carried_mwh,
        construction_years=construction_years,
    )


DISCOUNT_RATE_SWING = 0.02
"""Tornado range of the discount rate: +/- 2 percentage points (assumption)."""

CAPEX_RANGE = (0.7, 1.3)
"""Tornado range of capex (and the O&M that scales with it): -30% / +30% (assumption)."""


def npv_tornado(
    cba: LinkCBA,
    *,
    capex_eur: float,
    lifetime_years: int,
    discount_rate: float,
    fixed_om_eur_per_year: float = 0.0,
    benefit_cases: Mapping[str, tuple[str, str, float, float]] | None = None,
) -> pd.DataFrame:
    """Tornado of the link's NPV: discount rate and capex, plus cases that change the benefit.

    ``benefit_cases`` maps a parameter to (low label, high label, annual benefit at low,
    annual benefit at high), e.g. from re-solving the pair at a low and a high gas price.
    """

    def npv(scale: float = 1.0, rate: float = discount_rate, benefit: float | None = None) -> float:
        return appraise_link(
            cba,
            capex_eur=capex_eur * scale,
            lifetime_years=lifetime_years,
            discount_rate=rate,
            fixed_om_eur_per_year=fixed_om_eur_per_year * scale,
            annual_benefit_eur=benefit,
        ).npv

    low_rate, high_rate = discount_rate - DISCOUNT_RATE_SWING, discount_rate + DISCOUNT_RATE_SWING
    low_capex, high_capex = CAPEX_RANGE
    cases: dict[str, tuple[str, str, float, float]] = {
        "discount_rate": (
            f"{low_rate:.1%}",
            f"{high_rate:.1%}",
            npv(rate=max(low_rate, 0.0)),
            npv(rate=high_rate),
        ),
        "capex": (f"x{low_capex:g}", f"x{high_capex:g}", npv(low_capex), npv(high_capex)),
    }
    for name, (low, high, benefit_low, benefit_high) in (benefit_cases or {}).items():
        cases[name] = (low, high, npv(benefit=benefit_low), npv(benefit=benefit_high))
    return tornado(npv(), cases)


def _within(say: Callable[[str], None], step: str) -> Callable[[str], None]:
    """Progress of one solve, its lines prefixed by the step of the comparison it belongs to."""
    return lambda message: say(f"{step}: {message}")


def _hold(hold: Hold | str) -> Hold:
    try:
        return Hold(str(hold).lower())
    except ValueError:
        raise InputError(
            f"unknown hold rule {hold!r}.",
            attribute="hold",
            hint="Use 'fixed' (the rest of the system fixed at its optimum with the links) or "
            "'reoptimise' (re-optimise the rest in both cases).",
        ) from None


def _capacities(
    n: Network,
    names: tuple[str, ...],
    capacity_mw: float | Mapping[str, float] | None,
    options: Method | None,
    say: Callable[[str], None],
) -> dict[str, float]:
    links = n.static["Link"]
    if isinstance(capacity_mw, Mapping):
        missing = [name for name in names if name not in capacity_mw]
        if missing:
            raise InputError(
                f"no capacity given for {', '.join(missing)}.",
                component="Link",
                attribute="capacity_mw",
                hint="Give one capacity per link, or one number for all.",
            )
        capacity = {name: float(capacity_mw[name]) for name in names}
    elif capacity_mw is not None:
        capacity = dict.fromkeys(names, float(capacity_mw))
    else:
        flags = extendable_mask(links.loc[list(names)], "Link")
        extendable = [name for name, flag in zip(names, flags, strict=True) if flag]
        optimum: pd.Series | None = None
        if extendable:
            say("solving the network to size the extendable links")
            optimum = solve_network(n, options, _within(say, "sizing")).capacity("Link")
        capacity = {
            name: float(optimum[name])
            if optimum is not None and name in extendable
            else float(links["p_nom"].to_numpy(float)[links.index.get_loc(name)])
            for name in names
        }
    for name, value in capacity.items():
        if not np.isfinite(value) or value <= 0:
            raise InputError(
                f"link {name!r} has capacity {value:g} MW in the with case, so there is "
                "nothing to compare.",
                component="Link",
                attribute="p_nom",
                hint="Give the capacity to study (e.g. --capacity 1500): an optimum of zero "
                "means the model does not build the link unless it is put in.",
            )
    return capacity


def _set_links(n: Network, capacity: Mapping[str, float]) -> Network:
    out = n.copy()
    static = out.static["Link"]
    for name, value in capacity.items():
        static.loc[name, "p_nom"] = value
        static.loc[name, "p_nom_min"] = 0.0
        static.loc[name, "p_nom_max"] = max(value, 0.0)
        static.loc[name, "p_nom_extendable"] = False
    return out


def _welfare_table(
    with_result: OptimizationResult, without_result: OptimizationResult, split: float
) -> pd.DataFrame:
    with_w = area_welfare(with_result, split)[list(WELFARE_PARTS)]
    without_w = area_welfare(without_result, split)[list(WELFARE_PARTS)]
    index = with_w.index.union(without_w.index)
    with_w = with_w.reindex(index, fill_value=0.0)
    without_w = without_w.reindex(index, fill_value=0.0)
    change = with_w - without_w
    table = pd.concat(
        [
            with_w.add_prefix("with_"),
            without_w.add_prefix("without_"),
            change.add_prefix("change_"),
        ],
        axis=1,
    )
    return with_units(table, dict.fromkeys(table.columns, "EUR"))


def _indicators(
    with_result: OptimizationResult,
    without_result: OptimizationResult,
    welfare: pd.DataFrame,
    co2_prices: Mapping[str, float] | None,
) -> pd.DataFrame:
    prices = dict(DEFAULT_CO2_PRICES if co2_prices is None else co2_prices)
    rows: list[tuple[str, float, str]] = [
        ("welfare_change", float(welfare["change_welfare_eur"].sum()), "EUR"),
        ("consumer_surplus_change", float(welfare["change_consumer_surplus_eur"].sum()), "EUR"),
        ("producer_surplus_change", float(welfare["change_producer_surplus_eur"].sum()), "EUR"),
        ("congestion_rent_change", float(welfare["change_congestion_rent_eur"].sum()), "EUR"),
        ("system_cost_change", with_result.objective - without_result.objective, "EUR"),
    ]
    co2 = float(area_emissions(with_result).sum()) - float(area_emissions(without_result).sum())
    rows.append(("co2_change", co2, "t"))
    for label, price in prices.items():
        rows.append((f"co2_benefit_{label}", -co2 * float(price), "EUR"))
    rows.append(
        (
            "renewable_output_change",
            _carrier_output(with_result, RENEWABLE_CARRIERS)
            - _carrier_output(without_result, RENEWABLE_CARRIERS),
            "MWh",
        )
    )
    rows.append(
        (
            "curtailment_change",
            float(curtailment(with_result)["curtailment_mwh"].sum())
            - float(curtailment(without_result)["curtailment_mwh"].sum()),
            "MWh",
        )
    )
    rows.append(
        (
            "losses_change",
            float(branch_statistics(with_result)["losses"].sum())
            - float(branch_statistics(without_result)["losses"].sum()),
            "MWh",
        )
    )
    rows.append(
        (
            "unserved_energy_change",
            _carrier_output(with_result, UNSERVED_CARRIERS)
            - _carrier_output(without_result, UNSERVED_CARRIERS),
            "MWh",
        )
    )
    table = pd.DataFrame(rows, columns=["indicator", "value", "unit"])
    return with_units(table, {"value": "see unit column"})


def _carrier_output(result: OptimizationResult, carriers: frozenset[str]) -> float:
    """MWh from generators, and storage units' dispatch (e.g. reservoir hydro), of ``carriers``."""
    n = result.network
    w = energy_weights(n).to_numpy()[:, None]
    total = 0.0
    for component, attr in (("Generator", "p"), ("StorageUnit", "p_dispatch")):
        static = n.static[component]
        chosen: pd.Index = static.index[static["carrier"].isin(carriers)]
        if len(chosen):
            total += float((w * result.series(component, attr)[chosen].to_numpy()).sum())
    return total


@dataclass(frozen=True)
class LinkAppraisal:
    """A link's cost-benefit analysis with its project finance and NPV tornado, for costs the
    caller gives (links outside the corridor dataset).

    Attributes
    ----------
    cba
        The with-and-without analysis.
    finance
        NPV, IRR, BCR, payback and LCOT against the given costs.
    tornado
        The NPV tornado on discount rate and capex, or None without ``sensitivity``.
    terms
        The costs: ``capex_eur``, ``lifetime_years``, ``discount_rate`` and
        ``fixed_om_eur_per_year``.
    """

    cba: LinkCBA
    finance: ProjectAppraisal
    tornado: pd.DataFrame | None
    terms: Mapping[str, float]

    def summary(self) -> dict[str, object]:
        """The links, their capacity (MW) and the cost terms, as plain values."""
        return {"links": list(self.cba.links), "capacity_mw": self.cba.capacity_mw, **self.terms}


def appraise_link_at_costs(
    n: Network,
    links: Sequence[str],
    *,
    capex_eur_per_mw: float,
    lifetime_years: int,
    discount_rate: float,
    fom_share: float = 0.0,
    capacity_mw: float | Mapping[str, float] | None = None,
    hold: Hold | str = Hold.FIXED,
    sensitivity: bool = True,
    options: Method | None = None,
    progress: Callable[[str], None] | None = None,
) -> LinkAppraisal:
    """Appraise ``links`` of any network at the costs given: with and without them
    ([`with_and_without`][caspian.analysis.cba.with_and_without]), then the finance of the
    welfare gain against ``capex_eur_per_mw`` times their capacity (EUR), a yearly fixed O&M
    of ``fom_share`` of that capex, over ``lifetime_years`` at ``discount_rate``."""
    study = with_and_without(
        n, list(links), capacity_mw=capacity_mw, hold=hold, options=options, progress=progress
    )
    capex = capex_eur_per_mw * sum(study.capacity_mw.values())
    terms = {
        "capex_eur": capex,
        "lifetime_years": lifetime_years,
        "discount_rate": discount_rate,
        "fixed_om_eur_per_year": fom_share * capex,
    }
    finance = appraise_link(
        study,
        capex_eur=capex,
        lifetime_years=lifetime_years,
        discount_rate=discount_rate,
        fixed_om_eur_per_year=fom_share * capex,
    )
    table = (
        npv_tornado(
            study,
            capex_eur=capex,
            lifetime_years=lifetime_years,
            discount_rate=discount_rate,
            fixed_om_eur_per_year=fom_share * capex,
        )
        if sensitivity
        else None
    )
    return LinkAppraisal(cba=study, finance=finance, tornado=table, terms=terms)
