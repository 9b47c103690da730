"""Costs of the corridor's technologies and links, from the dataset's technology catalogue.

One source for the network builder (the ``capital_cost`` of extendable assets) and the appraisal
(a link's capex, fixed O&M, lifetime and discount rate), so the two cannot disagree.

Annualised capital cost of a technology, EUR per MW and year:

    capital_cost = capex * (annuity_factor(r, lifetime) + fom_share)

with the discount rate ``r`` of the technology's asset class plus the scenario's offset
(``finance.discount_rate_offset``). A link is one asset: its cable or line (per MW-km, times its
length) and, for HVDC, its converter pair are annualised over the lifetime and at the rate of the
cable (its ``line_type`` in the catalogue), each with its own FOM share. The scenario's
``caspian.capex_multiplier`` scales all of it for the Caspian crossing
([`capex_multiplier`][caspian.corridor.costs.capex_multiplier]).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caspian.analysis.finance import annuity_factor
from caspian.corridor.dataset import Dataset
from caspian.corridor.scenario import Scenario

CONVERTER = "hvdc_converter_pair"
"""Catalogue row of the converter pair every HVDC link needs."""


def num(value: object) -> float:
    """A table cell as a float (pandas' scalar types are too wide for the type checker)."""
    return float(value)  # type: ignore[arg-type]


def discount_rate(
    ds: Dataset, technology: pd.Series | pd.DataFrame, discount_rate_offset: float
) -> float:
    """Per year: the rate of the technology's asset class plus the scenario's offset."""
    return num(ds.discount_rates[technology["asset_class"]]) + discount_rate_offset


def annual_factor(
    ds: Dataset, technology: pd.Series | pd.DataFrame, discount_rate_offset: float
) -> float:
    """1/yr: the annuity factor over the technology's lifetime plus its FOM share."""
    rate = discount_rate(ds, technology, discount_rate_offset)
    fom_share = num(technology["fom_pct"]) / 100.0
    return annuity_factor(rate, num(technology["lifetime_years"])) + fom_share


def capital_cost(ds: Dataset, technology: str, discount_rate_offset: float) -> float:
    """EUR/MW/yr of ``technology`` (its capex per kW in the catalogue, annualised, plus FOM)."""
    tech = ds.technologies.loc[technology]
    return num(tech["capex_eur_per_kw"]) * 1000.0 * annual_factor(ds, tech, discount_rate_offset)


@dataclass(frozen=True)
class LinkCostTerms:
    """The costs of one MW of a link.

    Attributes
    ----------
    capex_eur_per_mw
        overnight capex: cable or line per MW-km times the length, plus a converter pair for HVDC.
    fixed_om_eur_per_mw_year
        fixed O&M, each part's FOM share of its capex.
    lifetime_years
        economic lifetime of the link (its cable's).
    discount_rate
        per year, of the cable's asset class plus the scenario's offset.
    annual_cost_eur_per_mw
        capex annualised over ``lifetime_years`` at ``discount_rate``, plus fixed O&M: the
        link's ``capital_cost`` in the network.

    Every figure includes the scenario's capex multiplier of the link.
    """

    capex_eur_per_mw: float
    fixed_om_eur_per_mw_year: float
    lifetime_years: int
    discount_rate: float
    annual_cost_eur_per_mw: float


def capex_multiplier(scenario: Scenario, role: str) -> float:
    """The factor on the capex (and so the FOM) of a link of ``role`` in ``scenario``:
    ``caspian.capex_multiplier`` for the Caspian crossing, 1 for every other link."""
    return scenario.caspian.capex_multiplier if role == "caspian_crossing" else 1.0


def link_cost_terms(ds: Dataset, scenario: Scenario, link: str) -> LinkCostTerms:
    """The costs per MW of the dataset's link ``link`` in ``scenario`` (see the module
    docstring): its discount rate offset and capex multiplier apply."""
    row = ds.links.loc[link]
    discount_rate_offset = scenario.finance.discount_rate_offset
    factor = capex_multiplier(scenario, str(row["role"]))
    tech = ds.technologies
    line = tech.loc[row["line_type"]]
    length_km = num(row["length_km"]) if pd.notna(row["length_km"]) else 0.0
    rate = discount_rate(ds, line, discount_rate_offset)
    lifetime = num(line["lifetime_years"])
    annuity = annuity_factor(rate, lifetime)
    capex = num(line["capex_eur_per_mw_km"]) * length_km
    fom = capex * num(line["fom_pct"]) / 100.0
    annual = capex * (annuity + num(line["fom_pct"]) / 100.0)
    if row["kind"] == "hvdc":
        converter = tech.loc[CONVERTER]
        converter_capex = num(converter["capex_eur_per_kw"]) * 1000.0
        capex += converter_capex
        fom += converter_capex * num(converter["fom_pct"]) / 100.0
        annual += converter_capex * (annuity + num(converter["fom_pct"]) / 100.0)
    return LinkCostTerms(
        capex_eur_per_mw=capex * factor,
        fixed_om_eur_per_mw_year=fom * factor,
        lifetime_years=int(lifetime),
        discount_rate=rate,
        annual_cost_eur_per_mw=annual * factor,
    )
