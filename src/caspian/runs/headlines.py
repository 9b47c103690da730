"""The headline answers of a run: one typed model, one name and one unit per quantity.

:class:`Headlines` is what ``headlines.json`` holds, what the report's cards and the
dashboard's schemas show and what a sweep's catalogue stores. Each quantity is declared once in
:data:`QUANTITIES`: its name (the key in ``headlines.json``, the field of the dashboard's JSON
API), its unit, its label, its column in a sweep catalogue and the other spellings it has had,
which :func:`canonical_keys` (and so every reader) still accepts:

- total system cost: ``total_cost_eur_per_year``, EUR/yr; catalogue column ``objective_eur``;
  also read as ``total_cost_eur`` and ``objective_eur``;
- Caspian link capacity: ``caspian_capacity_mw``, MW by route; catalogue column ``caspian_mw``
  (the sum of the routes);
- exports to the EU: ``eu_exports_twh``, TWh/yr; catalogue column ``eu_exports_twh``;
- emissions: ``emissions_mt_co2``, Mt CO2/yr; catalogue column ``emissions_mt``; also read as
  ``emissions_mt``;
- mean price: ``mean_price_eur_per_mwh``, EUR/MWh by bus; also read as ``mean_price``;
- new capacity: ``renewable_build_mw``, MW by node and technology;
- link flows: ``link_flows_twh``, TWh/yr by link (capacity in MW).

The catalogue keeps its column names so that SQL written against existing catalogues still
runs; they are taken from this table, not spelled again.

Two capacity thresholds, each defined once and used everywhere:

- :data:`ROUND_OFF_MW` (1e-3 MW, ``caspian.analysis.market.MIN_CAPACITY_MW``): an optimal
  capacity below it is solver round-off; the headlines write 0 (:func:`above_round_off`) and the
  market statistics give no utilisation. It changes numbers, so it is kept as small as the
  solver's tolerances allow.
- :data:`BUILT_THRESHOLD_MW` (1 MW): a candidate line, link or cable with more capacity than
  this is built (:func:`is_built`): the report's cards, map and utilisation figure and the
  sweep summary's "optimum builds the cable" all ask this one question. Building is a decision,
  not a number: 0.5 MW of a gigawatt HVDC cable stays in the headlines (it is what the LP
  chose) but is no project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from caspian.analysis.market import MIN_CAPACITY_MW

ROUND_OFF_MW = MIN_CAPACITY_MW
"""Optimal capacities below this (MW) are solver round-off, written as 0 by the headlines."""
BUILT_THRESHOLD_MW = 1.0
"""The one "is it built" threshold: more optimal capacity than this (MW) is built."""


def is_built(capacity_mw: Any) -> Any:
    """True where ``capacity_mw`` (a number, array or Series, MW) is more than
    :data:`BUILT_THRESHOLD_MW` (1 MW): the line, link or cable is built."""
    return capacity_mw > BUILT_THRESHOLD_MW


def above_round_off(capacity_mw: Any) -> Any:
    """True where ``capacity_mw`` (a number, array or Series, MW) is at least
    :data:`ROUND_OFF_MW`, so not solver round-off (NaN is False)."""
    return capacity_mw >= ROUND_OFF_MW


@dataclass(frozen=True)
class Quantity:
    """One headline quantity: its one name and unit, and where else it is spelled.

    Attributes
    ----------
    name
        Key in ``headlines.json`` and field of the dashboard's schemas (units in the name).
    unit
        Unit as shown to people, e.g. ``EUR/yr``.
    label
        What the report and the dashboard call it.
    catalogue_column
        Its DOUBLE column in a sweep catalogue, or None if it has none.
    aliases
        Other spellings, read as this quantity (never written).
    """

    name: str
    unit: str
    label: str
    catalogue_column: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        """:attr:`catalogue_column`, for a quantity that has one (ValueError otherwise)."""
        if self.catalogue_column is None:
            raise ValueError(f"{self.name} has no catalogue column")
        return self.catalogue_column


TOTAL_COST = Quantity(
    "total_cost_eur_per_year",
    "EUR/yr",
    "total system cost",
    catalogue_column="objective_eur",
    aliases=("total_cost_eur", "objective_eur"),
)
CASPIAN_CAPACITY = Quantity(
    "caspian_capacity_mw", "MW", "Caspian link capacity", catalogue_column="caspian_mw"
)
EU_EXPORTS = Quantity(
    "eu_exports_twh", "TWh/yr", "exports to the EU", catalogue_column="eu_exports_twh"
)
EMISSIONS = Quantity(
    "emissions_mt_co2",
    "Mt CO2/yr",
    "emissions",
    catalogue_column="emissions_mt",
    aliases=("emissions_mt",),
)
MEAN_PRICE = Quantity("mean_price_eur_per_mwh", "EUR/MWh", "mean price", aliases=("mean_price",))
RENEWABLE_BUILD = Quantity("renewable_build_mw", "MW", "new capacity")
LINK_FLOWS = Quantity("link_flows_twh", "TWh/yr", "flow forward")
RELATIVE_GAP = Quantity("relative_gap", "1", "proved relative gap")

QUANTITIES: tuple[Quantity, ...] = (
    TOTAL_COST,
    CASPIAN_CAPACITY,
    EU_EXPORTS,
    EMISSIONS,
    MEAN_PRICE,
    RENEWABLE_BUILD,
    LINK_FLOWS,
    RELATIVE_GAP,
)
"""Every headline quantity, each once."""
CATALOGUE_QUANTITIES: tuple[Quantity, ...] = tuple(
    q for q in QUANTITIES if q.catalogue_column is not None
)
"""The quantities a sweep catalogue stores in columns of their own."""
LINK_FLOW_COLUMNS = ("bus0", "bus1", "capacity_mw", "forward_twh", "backward_twh", "losses_twh")
"""Columns of :attr:`Headlines.link_flows_twh` (MW for the capacity, TWh/yr for the flows)."""


def canonical_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (a ``headlines.json`` object) with every quantity under its one name.

    A quantity found only under an older spelling (:attr:`Quantity.aliases`, e.g.
    ``total_cost_eur`` or ``emissions_mt``) is moved to its name; where both are present the
    name wins and the alias is dropped. Other keys are kept as they are.
    """
    out = dict(data)
    for quantity in QUANTITIES:
        for alias in quantity.aliases:
            if alias in out:
                value = out.pop(alias)
                out.setdefault(quantity.name, value)
    return out


@dataclass(frozen=True)
class Headlines:
    """What the study asks first, for one scenario.

    Energies in TWh per year, capacities in MW, prices in EUR/MWh (time-weighted means), costs
    in EUR per year, emissions in Mt CO2 per year.

    Attributes
    ----------
    scenario
        The scenario's name.
    caspian_capacity_mw
        Optimal capacity (MW) of every link whose name starts with ``Caspian``; below
        :data:`ROUND_OFF_MW` (solver round-off) it is 0.
    link_flows_twh
        Per link: ``bus0``, ``bus1``, ``capacity_mw``, ``forward_twh``, ``backward_twh`` and
        ``losses_twh``.
    renewable_build_mw
        Optimal capacity (MW) of the extendable wind and solar generators, node x technology
        (0 below :data:`ROUND_OFF_MW`).
    mean_price_eur_per_mwh
        Time-weighted mean price (EUR/MWh) of every bus.
    total_cost_eur_per_year
        The objective: total system cost, EUR per year. As in PyPSA it counts the investment
        in what the optimisation builds (extendable assets), not in capacity the scenario fixes
        (such as the Caspian cable of ``caspian-fixed-1.5gw``), so compare scenarios that fix
        different assets with ``caspian cba``, which adds the link's own cost.
    eu_exports_twh
        Energy arriving at the ``EU`` bus over links, TWh per year.
    emissions_mt_co2
        Emissions of the generators, Mt CO2 per year.
    solver
        The algorithm that solved it (``benders`` for the decomposition).
    relative_gap
        Proved relative gap of the total cost to the optimum (0 for a direct solve).
    """

    scenario: str
    caspian_capacity_mw: dict[str, float]
    link_flows_twh: pd.DataFrame
    renewable_build_mw: pd.DataFrame
    mean_price_eur_per_mwh: dict[str, float]
    total_cost_eur_per_year: float
    eu_exports_twh: float
    emissions_mt_co2: float
    solver: str = "highs"
    relative_gap: float = 0.0

    @property
    def total_cost_eur(self) -> float:
        """Older spelling of :attr:`total_cost_eur_per_year`, EUR/yr."""
        return self.total_cost_eur_per_year

    @property
    def emissions_mt(self) -> float:
        """Older spelling of :attr:`emissions_mt_co2`, Mt CO2/yr."""
        return self.emissions_mt_co2

    @property
    def mean_price(self) -> dict[str, float]:
        """Older spelling of :attr:`mean_price_eur_per_mwh`, EUR/MWh."""
        return self.mean_price_eur_per_mwh

    @property
    def caspian_total_mw(self) -> float:
        """Caspian link capacity summed over its routes, MW (the catalogue's ``caspian_mw``)."""
        return float(sum(self.caspian_capacity_mw.values()))

    def as_dict(self) -> dict[str, Any]:
        """The JSON form written as ``headlines.json`` (builds of 0 MW are left out)."""
        return {
            "scenario": self.scenario,
            CASPIAN_CAPACITY.name: self.caspian_capacity_mw,
            TOTAL_COST.name: self.total_cost_eur_per_year,
            EU_EXPORTS.name: self.eu_exports_twh,
            EMISSIONS.name: self.emissions_mt_co2,
            "solver": self.solver,
            RELATIVE_GAP.name: self.relative_gap,
            MEAN_PRICE.name: self.mean_price_eur_per_mwh,
            RENEWABLE_BUILD.name: {
                " ".join(map(str, cast(tuple[str, str], key))): float(cast(float, v))
                for key, v in self.renewable_build_mw.stack().items()
                if v > 0
            },
            LINK_FLOWS.name: {
                str(name): {k: (v if isinstance(v, str) else float(v)) for k, v in row.items()}
                for name, row in self.link_flows_twh.iterrows()
            },
        }

    def catalogue_values(self) -> dict[str, float]:
        """The numbers a sweep catalogue stores, by column (:data:`CATALOGUE_QUANTITIES`)."""
        values = {
            TOTAL_COST: self.total_cost_eur_per_year,
            CASPIAN_CAPACITY: self.caspian_total_mw,
            EU_EXPORTS: self.eu_exports_twh,
            EMISSIONS: self.emissions_mt_co2,
        }
        return {q.column: float(values[q]) for q in CATALOGUE_QUANTITIES}

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        link_flows: pd.DataFrame | None = None,
        renewable_build: pd.DataFrame | None = None,
    ) -> Headlines:
        """The headlines in ``data``, a ``headlines.json`` object of any version (older
        spellings are read, see :func:`canonical_keys`).

        ``link_flows`` and ``renewable_build`` (the folder's CSV tables) replace the tables
        rebuilt from ``data``, which leaves out builds of 0 MW.

        Raises
        ------
        KeyError, TypeError, ValueError
            If a quantity is missing or is not a number (the caller names the file).
        """
        d = canonical_keys(data)
        if link_flows is None:
            link_flows = pd.DataFrame.from_dict(
                dict(d.get(LINK_FLOWS.name, {})), orient="index", columns=list(LINK_FLOW_COLUMNS)
            )
        if renewable_build is None:
            renewable_build = _build_table(d.get(RENEWABLE_BUILD.name, {}))
        return cls(
            scenario=str(d["scenario"]),
            caspian_capacity_mw={
                str(k): float(v) for k, v in dict(d[CASPIAN_CAPACITY.name]).items()
            },
            link_flows_twh=link_flows,
            renewable_build_mw=renewable_build,
            mean_price_eur_per_mwh={
                str(k): _float(v) for k, v in dict(d.get(MEAN_PRICE.name, {})).items()
            },
            total_cost_eur_per_year=_float(d[TOTAL_COST.name]),
            eu_exports_twh=_float(d[EU_EXPORTS.name]),
            emissions_mt_co2=_float(d[EMISSIONS.name]),
            solver=str(d.get("solver", "highs")),
            relative_gap=_float(d.get(RELATIVE_GAP.name, 0.0)),
        )


def _float(value: Any) -> float:
    """A number, with None (how JSON writers spell NaN) as NaN."""
    return float("nan") if value is None else float(value)


def _build_table(builds: Mapping[str, Any]) -> pd.DataFrame:
    """``renewable_build_mw`` of ``headlines.json`` ("node technology": MW) as node x technology;
    the technology is the last word (onwind, offwind, solar), the node what comes before."""
    rows = [(*str(key).rsplit(" ", 1), _float(mw)) for key, mw in builds.items()]
    frame = pd.DataFrame(rows, columns=["node", "technology", "mw"])
    table = frame.pivot_table(
        index="node", columns="technology", values="mw", aggfunc="sum", fill_value=0.0
    )
    return table.astype(np.float64)
