"""Build the corridor network of a scenario from the dataset and the synthetic weather year.

The network has one bus per node of the dataset. System nodes (AZ, the three Kazakh zones, UZ,
TM, GE) carry their demand, existing fleet, announced projects in service by the target year, and
extendable wind, solar, batteries and gas within resource limits. Market nodes (the EU landing in
Romania, Türkiye, Russia, Iran) are price-takers: one market generator buys and sells there at the
hourly market price, up to what the interconnectors carry. Existing interconnections are lossless
transfer limits (NTCs); HVDC cables are caspian-grid's lossy two-way links, with losses per
converter pair and per 1000 km, and the Caspian routes are extendable candidates.

The build is a pipeline of steps, each a function of what it needs that returns what it makes
(hourly inputs, the time grid, then the components of each family), called in order by
[`build_corridor_model`][caspian.corridor.build.build_corridor_model]. Capital costs (EUR per MW
and year) come from [`caspian.corridor.costs`][caspian.corridor.costs],
which the appraisal uses as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from caspian.corridor import costs
from caspian.corridor.costs import num as _num
from caspian.corridor.dataset import (
    Dataset,
    capacity_in_year,
    hvdc_efficiency,
    load_dataset,
)
from caspian.corridor.profiles import (
    demand_profiles,
    market_price_profile,
    solar_profiles,
    wind_profiles,
)
from caspian.corridor.resolution import (
    HOURS_PER_DAY,
    time_blocks,
    typical_day_blocks,
    typical_day_sequence,
)
from caspian.corridor.scenario import Scenario
from caspian.exceptions import InputError
from caspian.network.network import Network, extendable_mask
from caspian.optimize import RepresentativePeriods

THERMAL = ("gas_ccgt", "gas_ocgt", "gas_steam", "coal", "nuclear", "waste")
VARIABLE = ("onwind", "offwind", "solar")
EXTENDABLE_GENERATORS = ("onwind", "offwind", "solar", "gas_ccgt", "gas_ocgt")
"""Generators that may be built new where the catalogue marks them extendable."""
MIN_PER_UNIT = 1e-3
"""Renewable availability below this is treated as zero (see ``_profile``)."""
MARKET_SHAPES = {"RU": "gas_dominated", "IR": "gas_dominated"}
"""Daily/seasonal price shape per market (default: south-east Europe, calibrated to RO/HU)."""


@dataclass(frozen=True)
class Component:
    """One ``Network.add`` call a build step asks for: component class, name(s), attributes."""

    component: str
    names: str | list[str]
    attrs: dict[str, Any]


@dataclass(frozen=True)
class TimeGrid:
    """The snapshots of the model and the hour each hour of the year falls in.

    Attributes
    ----------
    blocks
        For each hour of the year, the position of its snapshot.
    snapshots
        Each snapshot labelled by its first hour.
    periods
        The representative periods the snapshots stand for (typical days), else None.
    """

    blocks: np.ndarray
    snapshots: pd.DatetimeIndex
    periods: RepresentativePeriods | None

    @property
    def weights(self) -> np.ndarray:
        """Hours each snapshot stands for."""
        return np.bincount(self.blocks).astype(float)

    def aggregate(self, hourly: pd.DataFrame) -> pd.DataFrame:
        """Mean over each snapshot's hours, labelled by its first hour."""
        values = hourly.to_numpy(float)
        sums = np.zeros((len(self.snapshots), values.shape[1]))
        np.add.at(sums, self.blocks, values)
        counts = np.bincount(self.blocks)[:, None]
        return pd.DataFrame(sums / counts, index=self.snapshots, columns=hourly.columns)


def hourly_snapshots(year: int) -> pd.DatetimeIndex:
    """The 8760 hours of ``year`` in UTC (29 February dropped in leap years)."""
    index = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h")
    return index[~((index.month == 2) & (index.day == 29))]


def build_corridor_network(scenario: Scenario, dataset: Dataset | None = None) -> Network:
    """The corridor network for ``scenario`` (see the module docstring), at a chronological
    resolution: a typical-day network means nothing without its periods, so that asks for
    [`build_corridor_model`][caspian.corridor.build.build_corridor_model]."""
    n, periods = build_corridor_model(scenario, dataset)
    if periods is not None:
        raise InputError(
            f"scenario '{scenario.name}' uses typical days ({scenario.resolution.typical_days}), "
            "which this analysis does not support: it needs the hours in their real order.",
            component="resolution",
            attribute="typical_days",
            value=scenario.resolution.typical_days,
            hint="Rerun with a chronological resolution (--resolution N or --segments N).",
        )
    return n


def build_corridor_model(
    scenario: Scenario, dataset: Dataset | None = None
) -> tuple[Network, RepresentativePeriods | None]:
    """The corridor network for ``scenario``, and the representative periods its snapshots
    stand for when the scenario's resolution has ``typical_days`` (else None); the network
    carries them too, as ``n.periods``.

    With K typical days the network has K * 24 hourly snapshots, each typical day labelled by
    the hours of the first day of the year it stands for (so the snapshots are real, increasing
    datetimes), and weighted by the number of days it stands for.

    Hourly inputs first, then the time resolution, then the components family by family.
    """
    ds = dataset or load_dataset()
    hours = hourly_snapshots(scenario.year)
    demand = demand_profiles(demand_table(ds, scenario), hours, seed=scenario.weather_seed)
    renewables = renewable_profiles(ds, scenario, hours)
    prices = market_prices(ds, scenario, hours)
    grid = time_grid(scenario, hours, {"demand": demand, "price": prices, **renewables})
    profiles = {tech: grid.aggregate(table) for tech, table in renewables.items()}
    n = empty_network(scenario, grid)
    _add(n, buses_and_carriers(ds))
    _add(n, loads(grid, demand))
    _add(n, fleet(ds, scenario, grid, hours, profiles))
    _add(n, extendables(ds, scenario, profiles))
    _add(n, links(ds, scenario, grid, hours))
    _add(n, market_generators(grid, prices, n.static["Link"]))
    n.periods = grid.periods
    return n, grid.periods


def _add(n: Network, components: list[Component]) -> None:
    for c in components:
        n.add(c.component, c.names, **c.attrs)


# ------------------------------------------------------------------ hourly inputs
def demand_table(ds: Dataset, scenario: Scenario) -> pd.DataFrame:
    """Annual energy and peak of every system node in the target year."""
    demand = ds.demand
    rows = {}
    for node in _system_nodes(ds):
        years = demand.loc[node].sort_index()
        base = years.iloc[0]
        target = years.loc[scenario.year]
        m = scenario.demand.growth_multiplier
        rows[node] = {
            "annual_twh": base["annual_twh"] + m * (target["annual_twh"] - base["annual_twh"]),
            "peak_mw": base["peak_mw"] + m * (target["peak_mw"] - base["peak_mw"]),
            "peak_season": target["peak_season"],
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    nodes = ds.nodes.loc[table.index, ["lat", "lon", "utc_offset_h"]]
    return table.join(nodes)


def renewable_profiles(
    ds: Dataset, scenario: Scenario, hours: pd.DatetimeIndex
) -> dict[str, pd.DataFrame]:
    """Hourly per-unit availability, hours x system nodes, for onwind, offwind and solar."""
    res = ds.resources
    out: dict[str, pd.DataFrame] = {}
    seed = scenario.weather_seed
    for technology, make in (
        ("onwind", wind_profiles),
        ("offwind", wind_profiles),
        ("solar", solar_profiles),
    ):
        rows = (
            res.xs(technology, level="technology")
            if technology in res.index.get_level_values("technology")
            else pd.DataFrame()
        )
        if rows.empty:
            continue
        sites = rows[["capacity_factor"]].join(ds.nodes[["lat", "lon"]])
        if technology == "offwind":
            sites = sites.assign(offshore=True)
        out[technology] = make(sites, hours, seed=seed)
    return out


def market_prices(ds: Dataset, scenario: Scenario, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """Hourly price (EUR/MWh) of every market node, hours x markets."""
    markets = ds.markets
    columns = {}
    for node in _market_nodes(ds):
        mean = _num(markets.loc[node, "annual_mean_eur_per_mwh"])
        multiplier = (
            scenario.prices.eu_price_multiplier
            if node == "EU"
            else scenario.prices.market_price_multiplier
        )
        columns[node] = market_price_profile(
            mean * multiplier,
            hours,
            seed=scenario.weather_seed,
            utc_offset_h=_num(ds.nodes.loc[node, "utc_offset_h"]),
            profile=MARKET_SHAPES.get(node, "south_east_europe"),
            market=node,
        )
    return pd.DataFrame(columns, index=hours)


# ------------------------------------------------------------------ time resolution
def time_grid(
    scenario: Scenario, hours: pd.DatetimeIndex, inputs: Mapping[str, pd.DataFrame]
) -> TimeGrid:
    """Group the hours into snapshots by the scenario's resolution, from the hourly inputs."""
    table = pd.concat(inputs, axis=1)
    table.columns = [" ".join(map(str, column)) for column in table.columns]
    n_typical = scenario.resolution.typical_days
    periods = None
    if n_typical is not None:
        days = typical_day_sequence(table, n_typical)
        blocks = typical_day_blocks(days)
        periods = RepresentativePeriods(
            n_typical=int(days.max()) + 1, period_length=HOURS_PER_DAY, sequence=days
        )
    else:
        blocks = time_blocks(table, scenario.resolution)
    _, first = np.unique(blocks, return_index=True)  # each snapshot's first hour
    return TimeGrid(blocks=blocks, snapshots=hours[first], periods=periods)


def empty_network(scenario: Scenario, grid: TimeGrid) -> Network:
    """A network with the grid's snapshots, each weighted by the hours it stands for."""
    n = Network(f"caspian corridor {scenario.name} {scenario.year}", grid.snapshots)
    weights = grid.weights
    for column in ("objective", "stores", "generators"):
        n.snapshot_weightings[column] = weights
    return n


# ------------------------------------------------------------------ components
def buses_and_carriers(ds: Dataset) -> list[Component]:
    """One bus per node, its area the country (a market node is its own area), and every
    carrier with its CO2 intensity (t/MWh_th)."""
    nodes = ds.nodes
    # Results by country: the three Kazakh zones are KZ; a market node is its own area
    # (the EU landing is "EU", not Romania).
    country = nodes["country"].where(nodes["kind"] == "system", nodes.index.to_series())
    tech = ds.technologies
    carriers = sorted(set(tech.index) | {"market", "AC", "DC"})
    co2 = [
        _num(tech.loc[c, "co2_t_per_mwh_th"])
        if c in tech.index and pd.notna(tech.loc[c].get("co2_t_per_mwh_th"))
        else 0.0
        for c in carriers
    ]
    return [
        Component(
            "Bus",
            list(nodes.index),
            {
                "x": nodes["lon"].to_numpy(),
                "y": nodes["lat"].to_numpy(),
                "carrier": "AC",
                "country": country.to_numpy(),
            },
        ),
        Component("Carrier", carriers, {"co2_emissions": co2}),
    ]


def loads(grid: TimeGrid, hourly: pd.DataFrame) -> list[Component]:
    """One load per system node (hourly MW averaged over each snapshot)."""
    nodes = list(hourly.columns)
    names = [f"{node} demand" for node in nodes]
    load = grid.aggregate(hourly).set_axis(names, axis=1)
    return [Component("Load", names, {"bus": nodes, "carrier": "demand", "p_set": load})]


def fleet(
    ds: Dataset,
    scenario: Scenario,
    grid: TimeGrid,
    hours: pd.DatetimeIndex,
    profiles: Mapping[str, pd.DataFrame],
) -> list[Component]:
    """Existing fleet plus announced projects in service by the target year, net of
    retirements. Thermal plants use their existing-fleet efficiency where the catalogue has
    one; Kazakh thermal plants are derated to available capacity."""
    tech = ds.technologies
    params = ds.parameters
    out = []
    for key, p_nom in capacity_in_year(ds, scenario.year).items():
        node, technology = cast(tuple[str, str], key)
        name = f"{node} {technology}"
        if technology in THERMAL:
            row = tech.loc[technology]
            existing = row.get("efficiency_existing")
            efficiency = _num(existing) if pd.notna(existing) else _num(row["efficiency"])
            derate = (
                _num(params["kz_available_over_installed"]) if str(node).startswith("KZ") else 1.0
            )
            attrs = {
                "bus": node,
                "carrier": technology,
                "p_nom": p_nom,
                "efficiency": efficiency,
                "p_max_pu": derate,
                "marginal_cost": marginal_cost(ds, scenario, node, technology, efficiency),
            }
            out.append(Component("Generator", name, attrs))
        elif technology in VARIABLE:
            attrs = {
                "bus": node,
                "carrier": technology,
                "p_nom": p_nom,
                "marginal_cost": marginal_cost(ds, scenario, node, technology),
                "p_max_pu": _profile(profiles, technology, node),
            }
            out.append(Component("Generator", name, attrs))
        elif technology == "hydro":
            out.append(hydro(ds, grid, hours, node, p_nom))
        elif technology == "battery":
            efficiency = _num(tech.loc["battery", "efficiency"])
            attrs = {
                "bus": node,
                "carrier": "battery",
                "p_nom": p_nom,
                "max_hours": _num(params["battery_max_hours"]),
                "efficiency_store": efficiency,
                "efficiency_dispatch": efficiency,
                "cyclic_state_of_charge": True,
            }
            out.append(Component("StorageUnit", name, attrs))
        else:
            raise InputError(
                f"no model for technology '{technology}' at node '{node}'.",
                file="fleet.csv",
                component="fleet",
                attribute="technology",
                hint=f"Use one of: {', '.join((*THERMAL, *VARIABLE, 'hydro', 'battery'))}.",
            )
    return out


def hydro(
    ds: Dataset, grid: TimeGrid, hours: pd.DatetimeIndex, node: str, p_nom: float
) -> Component:
    """Hydro as a reservoir: inflow averaging the node's hydro capacity factor with a
    snowmelt peak in early summer, ``hydro_max_hours`` of storage, cyclic over the year."""
    params = ds.parameters
    cf = _num(ds.resources.loc[(node, "hydro"), "capacity_factor"])
    day = hours.day_of_year.to_numpy()
    amplitude = _num(params["hydro_inflow_amplitude"])
    peak_day = _num(params["hydro_inflow_peak_day"])
    shape = 1.0 + amplitude * np.cos(2 * np.pi * (day - peak_day) / 365.0)
    inflow = pd.DataFrame({node: cf * p_nom * shape / shape.mean()}, index=hours)
    attrs = {
        "bus": node,
        "carrier": "hydro",
        "p_nom": p_nom,
        "p_min_pu": 0.0,
        "max_hours": _num(params["hydro_max_hours"]),
        "inflow": grid.aggregate(inflow)[node].to_numpy(),
        "cyclic_state_of_charge": True,
        "marginal_cost": _num(ds.technologies.loc["hydro", "vom_eur_per_mwh"]),
    }
    return Component("StorageUnit", f"{node} hydro", attrs)


def extendables(
    ds: Dataset, scenario: Scenario, profiles: Mapping[str, pd.DataFrame]
) -> list[Component]:
    """New wind, solar and gas at every system node, within the resource limit on the node's
    total (existing + announced + new), and new batteries."""
    res = ds.resources
    tech = ds.technologies
    offset = scenario.finance.discount_rate_offset
    installed = capacity_in_year(ds, scenario.year)
    buildable = [
        t for t in EXTENDABLE_GENERATORS if t in tech.index and bool(tech.loc[t, "extendable"])
    ]
    out = []
    for node in _system_nodes(ds):
        for technology in buildable:
            p_max_pu: float | np.ndarray = 1.0
            p_nom_max = np.inf
            if technology in VARIABLE:
                if (node, technology) not in res.index:
                    continue
                limit = res.loc[(node, technology), "p_nom_max_mw"]
                if pd.notna(limit):
                    p_nom_max = max(_num(limit) - _num(installed.get((node, technology), 0.0)), 0.0)
                p_max_pu = _profile(profiles, technology, node)
            efficiency = _num(tech.loc[technology, "efficiency"])
            attrs = {
                "bus": node,
                "carrier": technology,
                "p_nom_extendable": True,
                "p_nom_max": p_nom_max,
                "p_max_pu": p_max_pu,
                "efficiency": efficiency,
                "marginal_cost": marginal_cost(ds, scenario, node, technology, efficiency),
                "capital_cost": costs.capital_cost(ds, technology, offset),
            }
            out.append(Component("Generator", f"{node} {technology} new", attrs))
        out.append(new_battery(ds, scenario, node))
    return out


def new_battery(ds: Dataset, scenario: Scenario, node: str) -> Component:
    """An extendable battery: inverter (EUR/kW) plus ``battery_max_hours`` of cells
    (EUR/kWh), each annualised over its own lifetime."""
    tech = ds.technologies
    offset = scenario.finance.discount_rate_offset
    max_hours = _num(ds.parameters["battery_max_hours"])
    energy = tech.loc["battery_energy"]
    cost = costs.capital_cost(ds, "battery", offset) + _num(
        energy["capex_eur_per_kwh"]
    ) * 1000.0 * max_hours * costs.annual_factor(ds, energy, offset)
    eff = _num(tech.loc["battery", "efficiency"])
    attrs = {
        "bus": node,
        "carrier": "battery",
        "p_nom_extendable": True,
        "max_hours": max_hours,
        "efficiency_store": eff,
        "efficiency_dispatch": eff,
        "cyclic_state_of_charge": True,
        "capital_cost": cost,
    }
    return Component("StorageUnit", f"{node} battery new", attrs)


def links(
    ds: Dataset, scenario: Scenario, grid: TimeGrid, hours: pd.DatetimeIndex
) -> list[Component]:
    """Interconnections in service by the target year and the candidates of this scenario.

    AC interconnections are lossless transfer limits both ways. HVDC links are lossy both
    ways (efficiency from the HVDC loss rule). The Caspian routes follow the scenario's
    ``caspian`` section, the Black Sea cable its ``black_sea`` section, and other candidates
    are extendable where the dataset says so; extendable links cost their line or cable per
    MW-km plus, for HVDC, a converter pair
    ([`link_cost_terms`][caspian.corridor.costs.link_cost_terms]).
    """
    out = []
    for name, link in ds.links.iterrows():
        sizing = _sizing(scenario, link)
        if sizing is None:
            continue
        extendable, p_nom, p_nom_min, p_nom_max = sizing
        hvdc = link["kind"] == "hvdc"
        length = _num(link["length_km"]) if pd.notna(link["length_km"]) else 0.0
        in_service: float | pd.Series = 1.0
        if link["role"] == "caspian_crossing":
            in_service = caspian_in_service(scenario, grid, hours)
        capital_cost = 0.0
        if extendable:
            capital_cost = costs.link_cost_terms(ds, scenario, str(name)).annual_cost_eur_per_mw
        attrs = {
            "bus0": link["bus0"],
            "bus1": link["bus1"],
            "carrier": "DC" if hvdc else "AC",
            "bidirectional": hvdc,
            "p_max_pu": in_service,
            "p_min_pu": -in_service,
            "efficiency": hvdc_efficiency(ds, length) if hvdc else 1.0,
            "length": length,
            "p_nom": p_nom,
            "p_nom_extendable": extendable,
            "p_nom_min": p_nom_min,
            "p_nom_max": p_nom_max,
            "capital_cost": capital_cost,
        }
        out.append(Component("Link", str(name), attrs))
    return out


def caspian_in_service(
    scenario: Scenario, grid: TimeGrid, hours: pd.DatetimeIndex
) -> float | pd.Series:
    """Share of each snapshot the Caspian cable is in service (1.0 without an outage).

    One outage of ``(1 - availability) * 8760`` hours starts on ``outage_start_day``,
    wrapping into January if it runs past December.
    """
    c = scenario.caspian
    if c.availability >= 1.0:
        return 1.0
    count = len(hours)
    up = np.ones(count)
    out = round((1.0 - c.availability) * count)
    up[((c.outage_start_day - 1) * 24 + np.arange(out)) % count] = 0.0
    share = grid.aggregate(pd.DataFrame({"up": up}, index=hours))["up"]
    return share


def _sizing(scenario: Scenario, link: pd.Series) -> tuple[bool, float, float, float] | None:
    """(extendable, p_nom, p_nom_min, p_nom_max), or None if the link is
    not part of this scenario."""
    role = link["role"]
    year = link["in_service_year"]
    if role == "caspian_crossing":
        c = scenario.caspian
        if link["route"] not in c.routes:
            return None
        return (
            c.extendable,
            0.0 if c.extendable else c.p_nom_mw,
            0.0,
            c.p_nom_max_mw,
        )
    if link["status"] != "candidate" and pd.notna(year) and int(year) > scenario.year:
        return None
    p_nom = _num(link["p_nom_mw"]) if pd.notna(link["p_nom_mw"]) else 0.0
    p_nom_max = _num(link["p_nom_max_mw"]) if pd.notna(link["p_nom_max_mw"]) else np.inf
    if role == "black_sea":
        b = scenario.black_sea
        p_nom = p_nom if b.p_nom_mw is None else b.p_nom_mw
        return b.extendable, p_nom, p_nom, max(b.p_nom_max_mw, p_nom)
    if link["status"] == "candidate":
        # A feeder to a Caspian landing is a candidate whenever its route is.
        feeds_route = role == "feeder" and link["route"] in scenario.caspian.routes
        if not (bool(link["extendable_default"]) or feeds_route):
            return None
        return True, 0.0, 0.0, p_nom_max
    return False, p_nom, 0.0, p_nom_max


def market_generators(
    grid: TimeGrid, hourly_prices: pd.DataFrame, link_table: pd.DataFrame
) -> list[Component]:
    """A market generator at each market node that buys and sells at the market price, as
    much as the links of ``link_table`` (the network's Link table) can carry there."""
    prices = grid.aggregate(hourly_prices)
    out = []
    for node in prices.columns:
        # Exactly what the links into the market can carry, so the limit never binds and
        # the bound stays as tight as the model allows.
        reach = _link_reach(link_table, node)
        if reach == 0:
            continue
        attrs = {
            "bus": node,
            "carrier": "market",
            "p_nom": reach,
            "p_min_pu": -1.0,
            "p_max_pu": 1.0,
            "marginal_cost": prices[node].to_numpy(),
        }
        out.append(Component("Generator", f"{node} market", attrs))
    return out


def _link_reach(link_table: pd.DataFrame, bus: str) -> float:
    """Most power (MW) the links at ``bus`` can carry into or out of it at once."""
    touching = link_table[(link_table["bus0"] == bus) | (link_table["bus1"] == bus)]
    capacity = touching["p_nom_max"].where(extendable_mask(touching, "Link"), touching["p_nom"])
    return float(capacity.sum())


# ------------------------------------------------------------------ helpers
def marginal_cost(
    ds: Dataset,
    scenario: Scenario,
    node: str,
    technology: str,
    efficiency: float | None = None,
) -> float:
    """EUR/MWh: fuel price (times the scenario's multiplier) / efficiency + variable O&M."""
    tech = ds.technologies.loc[technology]
    cost = _num(tech["vom_eur_per_mwh"]) if pd.notna(tech["vom_eur_per_mwh"]) else 0.0
    fuel = tech.get("fuel")
    if isinstance(fuel, str) and fuel:
        if (node, fuel) not in ds.fuel_prices.index:
            raise InputError(
                f"node '{node}' burns {fuel} ({technology}) but has no {fuel} price.",
                file="fuel_prices.csv",
                component="fuel_prices",
                attribute="eur_per_mwh_th",
                hint=f"Add a row ({node}, {fuel}) with its price and source.",
            )
        price = _num(ds.fuel_prices.loc[(node, fuel), "eur_per_mwh_th"])
        price *= {
            "gas": scenario.prices.gas_multiplier,
            "coal": scenario.prices.coal_multiplier,
        }.get(fuel, 1.0)
        cost += price / (efficiency or _num(tech["efficiency"]))
    return cost


def _profile(profiles: Mapping[str, pd.DataFrame], technology: str, node: str) -> np.ndarray:
    table = profiles.get(technology)
    if table is None or node not in table:
        raise InputError(
            f"node '{node}' has {technology} capacity but no capacity factor.",
            file="resources.csv",
            component="resources",
            attribute="capacity_factor",
            hint=f"Add a row ({node}, {technology}) with its capacity factor and source.",
        )
    values = table[node].to_numpy()
    # Output below MIN_PER_UNIT (dawn and dusk) is set to zero: it carries no energy worth
    # modelling and its tiny coefficients would widen the matrix range HiGHS must handle.
    return np.where(values < MIN_PER_UNIT, 0.0, values)


def _system_nodes(ds: Dataset) -> pd.Index:
    return ds.nodes.index[ds.nodes["kind"] == "system"]


def _market_nodes(ds: Dataset) -> pd.Index:
    return ds.nodes.index[ds.nodes["kind"] == "market"]
