"""Build the corridor network of a scenario from the dataset and the synthetic weather year.

The network has one bus per node of the dataset. System nodes (AZ, the three Kazakh zones, UZ,
TM, GE) carry their demand, existing fleet, announced projects in service by the target year, and
extendable wind, solar, batteries and gas within resource limits. Market nodes (the EU landing in
Romania, Türkiye, Russia, Iran) are price-takers: one market generator buys and sells there at the
hourly market price, up to what the interconnectors carry. Existing interconnections are lossless
transfer limits (NTCs); HVDC cables are caspian-grid's lossy two-way links, with losses per
converter pair and per 1000 km, and the Caspian routes are extendable candidates.

Annualised capital cost of a technology, EUR per MW and year:

    capital_cost = capex * (annuity(r, lifetime) + fom_share)

with the discount rate ``r`` of the technology's asset class.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from caspian.corridor.dataset import (
    Dataset,
    annuity,
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
    stand for when the scenario's resolution has ``typical_days`` (else None).

    With K typical days the network has K * 24 hourly snapshots, each typical day labelled by
    the hours of the first day of the year it stands for (so the snapshots are real, increasing
    datetimes), and weighted by the number of days it stands for.
    """
    ds = dataset or load_dataset()
    builder = _Builder(ds, scenario)
    return builder.build(), builder.periods


class _Builder:
    def __init__(self, ds: Dataset, scenario: Scenario) -> None:
        self.ds = ds
        self.sc = scenario
        self.hourly = hourly_snapshots(scenario.year)
        nodes = ds.nodes
        self.system = nodes.index[nodes["kind"] == "system"]
        self.markets = nodes.index[nodes["kind"] == "market"]
        self.periods: RepresentativePeriods | None = None

    # -------------------------------------------------------------- helpers
    def set_resolution(self, inputs: dict[str, pd.DataFrame]) -> None:
        """Group the hours into snapshots and create the network with their weightings."""
        table = pd.concat(inputs, axis=1)
        table.columns = [" ".join(map(str, column)) for column in table.columns]
        n_typical = self.sc.resolution.typical_days
        if n_typical is not None:
            days = typical_day_sequence(table, n_typical)
            self.blocks = typical_day_blocks(days)
            self.periods = RepresentativePeriods(
                n_typical=int(days.max()) + 1, period_length=HOURS_PER_DAY, sequence=days
            )
        else:
            self.blocks = time_blocks(table, self.sc.resolution)
        _, first = np.unique(self.blocks, return_index=True)  # each snapshot's first hour
        self.snapshots = self.hourly[first]
        self.n = Network(f"caspian corridor {self.sc.name} {self.sc.year}", self.snapshots)
        weights = np.bincount(self.blocks).astype(float)
        for column in ("objective", "stores", "generators"):
            self.n.snapshot_weightings[column] = weights

    def aggregate(self, hourly: pd.DataFrame) -> pd.DataFrame:
        """Mean over each snapshot's hours, labelled by its first hour."""
        values = hourly.to_numpy(float)
        sums = np.zeros((len(self.snapshots), values.shape[1]))
        np.add.at(sums, self.blocks, values)
        counts = np.bincount(self.blocks)[:, None]
        return pd.DataFrame(sums / counts, index=self.snapshots, columns=hourly.columns)

    def capital_cost(self, technology: str) -> float:
        """EUR/MW/a for ``technology`` (capex per kW in the catalogue)."""
        tech = self.ds.technologies.loc[technology]
        return _num(tech["capex_eur_per_kw"]) * 1000.0 * self._annual_factor(tech)

    def _annual_factor(self, tech: pd.Series | pd.DataFrame) -> float:
        rate = (
            _num(self.ds.discount_rates[tech["asset_class"]]) + self.sc.finance.discount_rate_offset
        )
        return annuity(rate, _num(tech["lifetime_years"])) + _num(tech["fom_pct"]) / 100.0

    def marginal_cost(self, node: str, technology: str, efficiency: float | None = None) -> float:
        """EUR/MWh: fuel price / efficiency + variable O&M."""
        tech = self.ds.technologies.loc[technology]
        cost = _num(tech["vom_eur_per_mwh"]) if pd.notna(tech["vom_eur_per_mwh"]) else 0.0
        fuel = tech.get("fuel")
        if isinstance(fuel, str) and fuel:
            if (node, fuel) not in self.ds.fuel_prices.index:
                raise InputError(
                    f"node '{node}' burns {fuel} ({technology}) but has no {fuel} price.",
                    file="fuel_prices.csv",
                    component="fuel_prices",
                    attribute="eur_per_mwh_th",
                    hint=f"Add a row ({node}, {fuel}) with its price and source.",
                )
            price = _num(self.ds.fuel_prices.loc[(node, fuel), "eur_per_mwh_th"])
            price *= {
                "gas": self.sc.prices.gas_multiplier,
                "coal": self.sc.prices.coal_multiplier,
            }.get(fuel, 1.0)
            cost += price / (efficiency or _num(tech["efficiency"]))
        return cost

    # -------------------------------------------------------------- build
    def build(self) -> Network:
        """Hourly inputs first, then the time resolution, then the components."""
        demand = demand_profiles(self.demand_table(), self.hourly, seed=self.sc.weather_seed)
        hourly_profiles = self.renewable_profiles()
        prices = self.market_prices()
        self.set_resolution({"demand": demand, "price": prices, **hourly_profiles})
        profiles = {tech: self.aggregate(table) for tech, table in hourly_profiles.items()}
        self.add_buses_and_carriers()
        self.add_demand(demand)
        self.add_fleet(profiles)
        self.add_extendables(profiles)
        self.add_links()
        self.add_markets(prices)
        return self.n

    def add_buses_and_carriers(self) -> None:
        nodes = self.ds.nodes
        # Results by country: the three Kazakh zones are KZ; a market node is its own area
        # (the EU landing is "EU", not Romania).
        country = nodes["country"].where(nodes["kind"] == "system", nodes.index.to_series())
        self.n.add(
            "Bus",
            list(nodes.index),
            x=nodes["lon"].to_numpy(),
            y=nodes["lat"].to_numpy(),
            carrier="AC",
            country=country.to_numpy(),
        )
        tech = self.ds.technologies
        carriers = sorted(set(tech.index) | {"market", "AC", "DC"})
        co2 = [
            _num(tech.loc[c, "co2_t_per_mwh_th"])
            if c in tech.index and pd.notna(tech.loc[c].get("co2_t_per_mwh_th"))
            else 0.0
            for c in carriers
        ]
        self.n.add("Carrier", carriers, co2_emissions=co2)

    def demand_table(self) -> pd.DataFrame:
        """Annual energy and peak of every system node in the target year."""
        demand = self.ds.demand
        rows = {}
        for node in self.system:
            years = demand.loc[node].sort_index()
            base = years.iloc[0]
            target = years.loc[self.sc.year]
            m = self.sc.demand.growth_multiplier
            rows[node] = {
                "annual_twh": base["annual_twh"] + m * (target["annual_twh"] - base["annual_twh"]),
                "peak_mw": base["peak_mw"] + m * (target["peak_mw"] - base["peak_mw"]),
                "peak_season": target["peak_season"],
            }
        table = pd.DataFrame.from_dict(rows, orient="index")
        nodes = self.ds.nodes.loc[table.index, ["lat", "lon", "utc_offset_h"]]
        return table.join(nodes)

    def add_demand(self, hourly: pd.DataFrame) -> None:
        """One load per system node (hourly MW averaged over each snapshot)."""
        nodes = list(hourly.columns)
        names = [f"{node} demand" for node in nodes]
        load = self.aggregate(hourly).set_axis(names, axis=1)
        self.n.add("Load", names, bus=nodes, carrier="demand", p_set=load)

    def renewable_profiles(self) -> dict[str, pd.DataFrame]:
        """Hourly per-unit availability, hours x system nodes, for onwind, offwind and solar."""
        res = self.ds.resources
        out: dict[str, pd.DataFrame] = {}
        seed = self.sc.weather_seed
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
            sites = rows[["capacity_factor"]].join(self.ds.nodes[["lat", "lon"]])
            if technology == "offwind":
                sites = sites.assign(offshore=True)
            out[technology] = make(sites, self.hourly, seed=seed)
        return out

    def add_fleet(self, profiles: dict[str, pd.DataFrame]) -> None:
        """Existing fleet plus announced projects in service by the target year, net of
        retirements. Thermal plants use their existing-fleet efficiency where the catalogue has
        one; Kazakh thermal plants are derated to available capacity."""
        tech = self.ds.technologies
        params = self.ds.parameters
        for key, p_nom in capacity_in_year(self.ds, self.sc.year).items():
            node, technology = cast(tuple[str, str], key)
            name = f"{node} {technology}"
            if technology in THERMAL:
                row = tech.loc[technology]
                existing = row.get("efficiency_existing")
                efficiency = _num(existing) if pd.notna(existing) else _num(row["efficiency"])
                derate = (
                    _num(params["kz_available_over_installed"])
                    if str(node).startswith("KZ")
                    else 1.0
                )
                self.n.add(
                    "Generator",
                    name,
                    bus=node,
                    carrier=technology,
                    p_nom=p_nom,
                    efficiency=efficiency,
                    p_max_pu=derate,
                    marginal_cost=self.marginal_cost(node, technology, efficiency),
                )
            elif technology in VARIABLE:
                self.n.add(
                    "Generator",
                    name,
                    bus=node,
                    carrier=technology,
                    p_nom=p_nom,
                    marginal_cost=self.marginal_cost(node, technology),
                    p_max_pu=self._profile(profiles, technology, node),
                )
            elif technology == "hydro":
                self.add_hydro(node, p_nom)
            elif technology == "battery":
                efficiency = _num(tech.loc["battery", "efficiency"])
                self.n.add(
                    "StorageUnit",
                    name,
                    bus=node,
                    carrier="battery",
                    p_nom=p_nom,
                    max_hours=_num(params["battery_max_hours"]),
                    efficiency_store=efficiency,
                    efficiency_dispatch=efficiency,
                    cyclic_state_of_charge=True,
                )
            else:
                raise InputError(
                    f"no model for technology '{technology}' at node '{node}'.",
                    file="fleet.csv",
                    component="fleet",
                    attribute="technology",
                    hint=f"Use one of: {', '.join((*THERMAL, *VARIABLE, 'hydro', 'battery'))}.",
                )

    def _profile(self, profiles: dict[str, pd.DataFrame], technology: str, node: str) -> np.ndarray:
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

    def add_hydro(self, node: str, p_nom: float) -> None:
        """Hydro as a reservoir: inflow averaging the node's hydro capacity factor with a
        snowmelt peak in early summer, ``hydro_max_hours`` of storage, cyclic over the year."""
        params = self.ds.parameters
        cf = _num(self.ds.resources.loc[(node, "hydro"), "capacity_factor"])
        day = self.hourly.day_of_year.to_numpy()
        amplitude = _num(params["hydro_inflow_amplitude"])
        peak_day = _num(params["hydro_inflow_peak_day"])
        shape = 1.0 + amplitude * np.cos(2 * np.pi * (day - peak_day) / 365.0)
        inflow = pd.DataFrame({node: cf * p_nom * shape / shape.mean()}, index=self.hourly)
        self.n.add(
            "StorageUnit",
            f"{node} hydro",
            bus=node,
            carrier="hydro",
            p_nom=p_nom,
            p_min_pu=0.0,
            max_hours=_num(params["hydro_max_hours"]),
            inflow=self.aggregate(inflow)[node].to_numpy(),
            cyclic_state_of_charge=True,
            marginal_cost=_num(self.ds.technologies.loc["hydro", "vom_eur_per_mwh"]),
        )

    def add_extendables(self, profiles: dict[str, pd.DataFrame]) -> None:
        """New wind, solar and gas at every system node, within the resource limit on the node's
        total (existing + announced + new), and new batteries."""
        res = self.ds.resources
        tech = self.ds.technologies
        installed = capacity_in_year(self.ds, self.sc.year)
        buildable = [
            t for t in EXTENDABLE_GENERATORS if t in tech.index and bool(tech.loc[t, "extendable"])
        ]
        for node in self.system:
            for technology in buildable:
                p_max_pu: float | np.ndarray = 1.0
                p_nom_max = np.inf
                if technology in VARIABLE:
                    if (node, technology) not in res.index:
                        continue
                    limit = res.loc[(node, technology), "p_nom_max_mw"]
                    if pd.notna(limit):
                        p_nom_max = max(
                            _num(limit) - _num(installed.get((node, technology), 0.0)), 0.0
                        )
                    p_max_pu = self._profile(profiles, technology, node)
                efficiency = _num(tech.loc[technology, "efficiency"])
                self.n.add(
                    "Generator",
                    f"{node} {technology} new",
                    bus=node,
                    carrier=technology,
                    p_nom_extendable=True,
                    p_nom_max=p_nom_max,
                    p_max_pu=p_max_pu,
                    efficiency=efficiency,
                    marginal_cost=self.marginal_cost(node, technology, efficiency),
                    capital_cost=self.capital_cost(technology),
                )
            self.add_new_battery(node)

    def add_new_battery(self, node: str) -> None:
        """An extendable battery: inverter (EUR/kW) plus ``battery_max_hours`` of cells
        (EUR/kWh), each annualised over its own lifetime."""
        tech = self.ds.technologies
        max_hours = _num(self.ds.parameters["battery_max_hours"])
        energy = tech.loc["battery_energy"]
        cost = self.capital_cost("battery") + _num(
            energy["capex_eur_per_kwh"]
        ) * 1000.0 * max_hours * self._annual_factor(energy)
        eff = _num(tech.loc["battery", "efficiency"])
        self.n.add(
            "StorageUnit",
            f"{node} battery new",
            bus=node,
            carrier="battery",
            p_nom_extendable=True,
            max_hours=max_hours,
            efficiency_store=eff,
            efficiency_dispatch=eff,
            cyclic_state_of_charge=True,
            capital_cost=cost,
        )

    def market_prices(self) -> pd.DataFrame:
        """Hourly price (EUR/MWh) of every market node, hours x markets."""
        markets = self.ds.markets
        columns = {}
        for node in self.markets:
            mean = _num(markets.loc[node, "annual_mean_eur_per_mwh"])
            multiplier = (
                self.sc.prices.eu_price_multiplier
                if node == "EU"
                else self.sc.prices.market_price_multiplier
            )
            columns[node] = market_price_profile(
                mean * multiplier,
                self.hourly,
                seed=self.sc.weather_seed,
                utc_offset_h=_num(self.ds.nodes.loc[node, "utc_offset_h"]),
                profile=MARKET_SHAPES.get(node, "south_east_europe"),
                market=node,
            )
        return pd.DataFrame(columns, index=self.hourly)

    def add_markets(self, hourly: pd.DataFrame) -> None:
        """A market generator at each market node that buys and sells at the market price."""
        prices = self.aggregate(hourly)
        for node in prices.columns:
            # Exactly what the links into the market can carry, so the limit never binds and
            # the bound stays as tight as the model allows.
            reach = self._link_reach(node)
            if reach == 0:
                continue
            self.n.add(
                "Generator",
                f"{node} market",
                bus=node,
                carrier="market",
                p_nom=reach,
                p_min_pu=-1.0,
                p_max_pu=1.0,
                marginal_cost=prices[node].to_numpy(),
            )

    def _link_reach(self, bus: str) -> float:
        """Most power (MW) the links at ``bus`` can carry into or out of it at once."""
        links = self.n.static["Link"]
        touching = links[(links["bus0"] == bus) | (links["bus1"] == bus)]
        capacity = touching["p_nom_max"].where(extendable_mask(touching, "Link"), touching["p_nom"])
        return float(capacity.sum())

    def add_links(self) -> None:
        """Interconnections in service by the target year and the candidates of this scenario.

        AC interconnections are lossless transfer limits both ways. HVDC links are lossy both
        ways (efficiency from the HVDC loss rule). The Caspian routes follow the scenario's
        ``caspian`` section, the Black Sea cable its ``black_sea`` section, and other candidates
        are extendable where the dataset says so; extendable links cost their line or cable per
        MW-km plus, for HVDC, a converter pair.
        """
        for name, link in self.ds.links.iterrows():
            sizing = self._sizing(link)
            if sizing is None:
                continue
            extendable, p_nom, p_nom_min, p_nom_max, multiplier = sizing
            hvdc = link["kind"] == "hvdc"
            length = _num(link["length_km"]) if pd.notna(link["length_km"]) else 0.0
            in_service: float | pd.Series = 1.0
            if link["role"] == "caspian_crossing":
                in_service = self.caspian_in_service()
            self.n.add(
                "Link",
                str(name),
                bus0=link["bus0"],
                bus1=link["bus1"],
                carrier="DC" if hvdc else "AC",
                bidirectional=hvdc,
                p_max_pu=in_service,
                p_min_pu=-in_service,
                efficiency=hvdc_efficiency(self.ds, length) if hvdc else 1.0,
                length=length,
                p_nom=p_nom,
                p_nom_extendable=extendable,
                p_nom_min=p_nom_min,
                p_nom_max=p_nom_max,
                capital_cost=self.link_capital_cost(link, length) * multiplier
                if extendable
                else 0.0,
            )

    def caspian_in_service(self) -> float | pd.Series:
        """Share of each snapshot the Caspian cable is in service (1.0 without an outage).

        One outage of ``(1 - availability) * 8760`` hours starts on ``outage_start_day``,
        wrapping into January if it runs past December.
        """
        c = self.sc.caspian
        if c.availability >= 1.0:
            return 1.0
        hours = len(self.hourly)
        up = np.ones(hours)
        out = round((1.0 - c.availability) * hours)
        up[((c.outage_start_day - 1) * 24 + np.arange(out)) % hours] = 0.0
        share = self.aggregate(pd.DataFrame({"up": up}, index=self.hourly))["up"]
        return share

    def _sizing(self, link: pd.Series) -> tuple[bool, float, float, float, float] | None:
        """(extendable, p_nom, p_nom_min, p_nom_max, capex multiplier), or None if the link is
        not part of this scenario."""
        role = link["role"]
        year = link["in_service_year"]
        if role == "caspian_crossing":
            c = self.sc.caspian
            if link["route"] not in c.routes:
                return None
            return (
                c.extendable,
                0.0 if c.extendable else c.p_nom_mw,
                0.0,
                c.p_nom_max_mw,
                c.capex_multiplier,
            )
        if link["status"] != "candidate" and pd.notna(year) and int(year) > self.sc.year:
            return None
        p_nom = _num(link["p_nom_mw"]) if pd.notna(link["p_nom_mw"]) else 0.0
        p_nom_max = _num(link["p_nom_max_mw"]) if pd.notna(link["p_nom_max_mw"]) else np.inf
        if role == "black_sea":
            b = self.sc.black_sea
            p_nom = p_nom if b.p_nom_mw is None else b.p_nom_mw
            return b.extendable, p_nom, p_nom, max(b.p_nom_max_mw, p_nom), 1.0
        if link["status"] == "candidate":
            # A feeder to a Caspian landing is a candidate whenever its route is.
            feeds_route = role == "feeder" and link["route"] in self.sc.caspian.routes
            if not (bool(link["extendable_default"]) or feeds_route):
                return None
            return True, 0.0, 0.0, p_nom_max, 1.0
        return False, p_nom, 0.0, p_nom_max, 1.0

    def link_capital_cost(self, link: pd.Series, length_km: float) -> float:
        """EUR/MW/a: the line or cable per MW-km, plus a converter pair for HVDC."""
        tech = self.ds.technologies
        line = tech.loc[link["line_type"]]
        cost = _num(line["capex_eur_per_mw_km"]) * length_km * self._annual_factor(line)
        if link["kind"] == "hvdc":
            converter = tech.loc["hvdc_converter_pair"]
            cost += _num(converter["capex_eur_per_kw"]) * 1000.0 * self._annual_factor(converter)
        return cost


def _num(value: object) -> float:
    """A table cell as a float (pandas' scalar types are too wide for the type checker)."""
    return float(value)  # type: ignore[arg-type]
