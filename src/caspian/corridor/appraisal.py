"""Cost-benefit appraisal of a corridor link: with-and-without, project finance and sensitivities.

The Caspian cable is studied by default. When the optimum of the scenario builds none of it, the
cable is *put in* at the size of the ``caspian-fixed-1.5gw`` scenario (1.5 GW, the default size
in the data file's list of most uncertain numbers); otherwise at its optimal size.

Project finance takes the link's overnight capex from the technology catalogue (cable per MW-km
times length, plus a converter pair for HVDC), its FOM shares, the cable's lifetime and the discount
rate of its asset class (plus the scenario's offset), from
[`link_cost_terms`][caspian.corridor.costs.link_cost_terms], the function that also gives the
link's ``capital_cost`` in the network.

Sensitivities (the tornado) move one input at a time between a low and a high value. Discount
rate and capex change only the finance; gas price, EU price and demand growth re-solve the
with-and-without pair under the appraisal's own hold rule: with ``fixed`` the other investments
stay at the plan of the with case, with ``reoptimise`` both cases re-plan the system. The ranges
are stated in [`SENSITIVITIES`][caspian.corridor.appraisal.SENSITIVITIES] and
[`caspian.analysis.cba.npv_tornado`][caspian.analysis.cba.npv_tornado].
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from pydantic import ValidationError

from caspian.analysis.cba import (
    Hold,
    LinkCBA,
    appraise_link,
    fix_investments,
    npv_tornado,
    with_and_without,
)
from caspian.analysis.finance import ProjectAppraisal
from caspian.corridor.build import build_corridor_model
from caspian.corridor.costs import link_cost_terms
from caspian.corridor.dataset import Dataset, load_dataset
from caspian.corridor.scenario import Scenario, load_scenario
from caspian.decompose import Method, solve_network
from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.optimize import OptimizationResult

DEFAULT_PUT_IN_SCENARIO = "caspian-fixed-1.5gw"
"""Scenario whose Caspian capacity is used when the optimum builds no cable."""


@dataclass(frozen=True)
class Sensitivity:
    """A model input of the tornado: the factors on its base value at the low and high end."""

    parameter: str
    low: float
    high: float
    note: str


SENSITIVITIES: tuple[Sensitivity, ...] = (
    Sensitivity(
        "gas_price",
        0.75,
        2.5,
        "low: assumption -25%; high: 2.5x, the export-netback case (high-gas-price scenario)",
    ),
    Sensitivity("eu_price", 0.8, 1.2, "assumption: -20% / +20% of the EU price"),
    Sensitivity("demand_growth", 0.5, 1.5, "assumption: half / one and a half the growth"),
)
"""Inputs whose tornado cases re-solve the pair; discount rate and capex are finance-only
([`caspian.analysis.cba.DISCOUNT_RATE_SWING`][caspian.analysis.cba.DISCOUNT_RATE_SWING],
[`caspian.analysis.cba.CAPEX_RANGE`][caspian.analysis.cba.CAPEX_RANGE])."""


@dataclass(frozen=True)
class LinkCosts:
    """Overnight capex and finance terms of a link at a given capacity."""

    capex_eur: float
    fixed_om_eur_per_year: float
    lifetime_years: int
    discount_rate: float


@dataclass(frozen=True)
class Appraisal:
    """The appraisal of a corridor link: CBA, project finance and the tornado."""

    scenario: Scenario
    cba: LinkCBA
    costs: LinkCosts
    finance: ProjectAppraisal
    tornado: pd.DataFrame | None

    def summary(self) -> dict[str, object]:
        """Headline figures as plain numbers (EUR, EUR/MWh, MW)."""
        f = self.finance
        return {
            "scenario": self.scenario.name,
            "links": list(self.cba.links),
            "capacity_mw": self.cba.capacity_mw,
            "hold": str(self.cba.hold),
            "welfare_change_eur_per_year": self.cba.welfare_change,
            "welfare_change_by_area_eur": {
                str(k): float(v) for k, v in self.cba.welfare["change_welfare_eur"].items()
            },
            "capex_eur": self.costs.capex_eur,
            "fixed_om_eur_per_year": self.costs.fixed_om_eur_per_year,
            "discount_rate": self.costs.discount_rate,
            "lifetime_years": self.costs.lifetime_years,
            "npv_eur": f.npv,
            "irr": f.irr,
            "bcr": f.bcr,
            "payback_year": f.payback_year,
            "lcot_eur_per_mwh": f.lcot_eur_per_mwh,
            "energy_carried_mwh_per_year": self.cba.energy_carried_mwh,
        }


CO2_PRICE_PARAMETER = "eu_ets_price_2024"
"""The EU ETS price the corridor values CBAM certificates at (latest annual average, S120)."""


def cbam_grid_factors(ds: Dataset) -> dict[str, float]:
    """CBAM default grid emission factors (t/MWh) by area, from ``cbam_grid_factor_xx``."""
    prefix = "cbam_grid_factor_"
    params = ds.parameters
    return {
        str(name)[len(prefix) :].upper(): float(value)
        for name, value in params.items()
        if str(name).startswith(prefix)
    }


def eu_co2_price(ds: Dataset) -> float:
    """EUR/t: the EU ETS price of ``CO2_PRICE_PARAMETER``."""
    return float(ds.parameters[CO2_PRICE_PARAMETER])


def caspian_links(n: Network, ds: Dataset) -> list[str]:
    """The Caspian crossing links present in ``n``."""
    roles = ds.links["role"]
    crossing = [str(name) for name in roles.index[roles == "caspian_crossing"]]
    return [name for name in crossing if name in n.static["Link"].index]


def link_costs(ds: Dataset, scenario: Scenario, link: str, capacity_mw: float) -> LinkCosts:
    """Overnight capex, yearly FOM, lifetime and discount rate of ``link`` at ``capacity_mw``."""
    if link not in ds.links.index:
        raise InputError(
            f"link {link!r} is not in the corridor dataset, so its costs are unknown.",
            component="Link",
            hint="Give --capex-eur-per-mw, --lifetime and --discount-rate for other links.",
        )
    terms = link_cost_terms(ds, scenario, link)
    return LinkCosts(
        capex_eur=terms.capex_eur_per_mw * capacity_mw,
        fixed_om_eur_per_year=terms.fixed_om_eur_per_mw_year * capacity_mw,
        lifetime_years=terms.lifetime_years,
        discount_rate=terms.discount_rate,
    )


def appraise_corridor_link(
    scenario: Scenario,
    *,
    links: list[str] | None = None,
    capacity_mw: float | None = None,
    hold: Hold | str = Hold.FIXED,
    sensitivity: bool = True,
    dataset: Dataset | None = None,
    options: Method | None = None,
    progress: Callable[[str], None] | None = None,
    solved: OptimizationResult | None = None,
) -> Appraisal:
    """Appraise ``links`` (default: the Caspian crossing) in ``scenario``; see the module doc.

    ``options`` says how every solve is made, the tornado's included (see
    [`caspian.decompose.solve_network`][caspian.decompose.solve_network]; by default ``auto``).
    ``solved`` is the scenario's own optimum if already at hand (it sizes the links, and when
    they are kept at that size it is also the plan of the *with* case).
    """
    say = progress or (lambda message: None)
    ds = dataset or load_dataset()
    if solved is not None:
        n = solved.network  # the scenario's network, with its typical days (n.periods) if any
    else:
        say(f"{scenario.name}: building the network")
        n, _ = build_corridor_model(scenario, ds)
    links = links or caspian_links(n, ds)
    if not links:
        raise InputError(
            f"scenario {scenario.name!r} has no Caspian link to appraise.",
            hint="Choose a scenario with a Caspian route, or name a link with --link.",
        )
    known = n.static["Link"].index
    unknown = [name for name in links if name not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], [str(k) for k in known], n=1)
        raise InputError(
            f"scenario {scenario.name!r} has no link {unknown[0]!r}"
            + (f"; did you mean {close[0]!r}?" if close else "."),
            component="Link",
            value=unknown[0],
            hint="Its links are: " + ", ".join(repr(str(k)) for k in known) + ".",
        )
    capacity = capacity_mw
    plan: OptimizationResult | None = None
    if capacity is None:
        if solved is None:
            say(f"{scenario.name}: solving to size the links")
            solved = solve_network(n, options, _prefixed(say, scenario.name))
        optimum = solved.capacity("Link")[links]
        capacity = float(optimum.max())
        if capacity >= 1.0 and len(links) == 1:
            plan = solved  # the links stay at their optimum: the optimum is the plan
        if capacity < 1.0:
            capacity = load_scenario(DEFAULT_PUT_IN_SCENARIO).caspian.p_nom_mw
            say(
                f"{scenario.name}: the optimum builds no cable; putting it in at "
                f"{capacity:,.0f} MW ({DEFAULT_PUT_IN_SCENARIO})"
            )
    cba = with_and_without(
        n,
        links,
        capacity_mw=capacity,
        hold=hold,
        options=options,
        progress=say,
        plan=plan,
    )
    costs = _total_costs(ds, scenario, links, capacity)
    finance = appraise_link(
        cba,
        capex_eur=costs.capex_eur,
        lifetime_years=costs.lifetime_years,
        discount_rate=costs.discount_rate,
        fixed_om_eur_per_year=costs.fixed_om_eur_per_year,
    )
    table = None
    if sensitivity:
        table = _tornado(scenario, ds, links, capacity, cba, costs, options, say)
    return Appraisal(scenario=scenario, cba=cba, costs=costs, finance=finance, tornado=table)


def _total_costs(ds: Dataset, scenario: Scenario, links: list[str], capacity: float) -> LinkCosts:
    parts = [link_costs(ds, scenario, link, capacity) for link in links]
    return LinkCosts(
        capex_eur=sum(p.capex_eur for p in parts),
        fixed_om_eur_per_year=sum(p.fixed_om_eur_per_year for p in parts),
        lifetime_years=min(p.lifetime_years for p in parts),
        discount_rate=parts[0].discount_rate,
    )


def _tornado(
    scenario: Scenario,
    ds: Dataset,
    links: list[str],
    capacity: float,
    cba: LinkCBA,
    costs: LinkCosts,
    options: Method | None,
    say: Callable[[str], None],
) -> pd.DataFrame:
    benefit_cases: dict[str, tuple[str, str, float, float]] = {}
    for s in SENSITIVITIES:
        benefits = []
        for factor in (s.low, s.high):
            step = f"sensitivity: {s.parameter} x{factor:g}"
            say(step)
            # Under the appraisal's own hold rule: with "fixed" the other investments stay at
            # the plan of the with case, so the pair is two dispatch solves; with
            # "reoptimise" both cases re-plan the system at the varied input.
            varied, _ = build_corridor_model(_vary(scenario, s.parameter, factor), ds)
            reoptimise = cba.hold is Hold.REOPTIMISE
            net = varied if reoptimise else fix_investments(varied, cba.with_result)
            pair = with_and_without(
                net,
                links,
                capacity_mw=capacity,
                hold=Hold.REOPTIMISE,
                options=options,
                progress=_prefixed(say, step),
            )
            benefits.append(pair.welfare_change)
        benefit_cases[s.parameter] = (f"x{s.low:g}", f"x{s.high:g}", benefits[0], benefits[1])
    return npv_tornado(
        cba,
        capex_eur=costs.capex_eur,
        lifetime_years=costs.lifetime_years,
        discount_rate=costs.discount_rate,
        fixed_om_eur_per_year=costs.fixed_om_eur_per_year,
        benefit_cases=benefit_cases,
    )


def _prefixed(say: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    """Progress of one solve, each line prefixed by the step it belongs to."""
    return lambda message: say(f"{prefix}: {message}")


def _vary(scenario: Scenario, parameter: str, factor: float) -> Scenario:
    data = scenario.model_dump()
    if parameter == "gas_price":
        data["prices"]["gas_multiplier"] *= factor
    elif parameter == "eu_price":
        data["prices"]["eu_price_multiplier"] *= factor
    elif parameter == "demand_growth":
        data["demand"]["growth_multiplier"] *= factor
    else:  # pragma: no cover - SENSITIVITIES lists only these
        raise ValueError(parameter)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problem = "; ".join(str(e["msg"]) for e in error.errors())
        raise InputError(
            f"the tornado's case '{parameter}' x {factor:g} of scenario {scenario.name!r} is "
            f"outside the scenario's ranges: {problem}.",
            attribute=parameter,
            value=factor,
            hint="Appraise without the tornado (--no-sensitivity), or start from a scenario "
            "further from the limit.",
        ) from None
