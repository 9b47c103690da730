"""Synthetic meshed networks for tests and benchmarks.

[`synthetic_network`][caspian.network.synthetic.synthetic_network] builds a network like the PyPSA
baseline in the project notes: buses on a plane joined by a meshed 380 kV grid, and at every bus a
load, extendable wind and solar, a gas plant that covers the bus's own peak load (so every network
is feasible without the grid), and an extendable 4-hour battery. Everything is drawn from one seeded
random generator with vectorised NumPy, so 100 buses x 8760 hours build in about a second.

[`synthetic_tables`][caspian.network.synthetic.synthetic_tables] returns the same data as plain
tables (one static table per component, with PyPSA's attribute names, and its time series), so that
another modelling framework can be given exactly the same network (the benchmark builds a
``pypsa.Network`` from them).

Units: power in MW, energy in MWh, lengths and coordinates in km, reactance and resistance in Ohm,
marginal costs in EUR/MWh, capital costs as annuities (annualised investment plus fixed O&M) in
EUR/MW/a. Operating costs are weighted up to a full year through the objective snapshot weighting
(``8760 / n_hours`` hours per snapshot), so the trade-off between building and running plant is
the same for a week as for a year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal, sparse, spatial
from scipy.sparse import csgraph

from caspian.network.network import Network

HOURS_PER_YEAR = 8760
START = "2030-01-01"

LINES_PER_BUS = 1.5
"""Target number of lines per bus; the grid is a spanning tree plus the shortest extra links."""
CIRCUIT_MW = 1700.0
"""Thermal rating of one 380 kV overhead circuit."""
X_OHM_PER_KM = 0.26
R_OHM_PER_KM = 0.03
ROUTING_FACTOR = 1.25
"""Line length over straight-line distance."""
KM_PER_BUS = 120.0
"""The buses are spread over a square of side ``KM_PER_BUS * sqrt(n_buses)``."""
LINE_COST_EUR_PER_MW_KM_A = 34.0
"""Annuity of a 380 kV overhead line (432 EUR/MW/km, 40 a, 7 %, plus 2 %/a O&M)."""
EXTENDABLE_LINE_SHARE = 0.3

WIND_COST_EUR_PER_MW_A = 110_000.0
SOLAR_COST_EUR_PER_MW_A = 45_000.0
BATTERY_COST_EUR_PER_MW_A = 85_000.0
"""A 4-hour battery: inverter plus 4 MWh of cells per MW, annualised over 15 a at 7 %."""
BATTERY_MAX_HOURS = 4.0
BATTERY_EFFICIENCY = 0.9
GAS_CO2_T_PER_MWH = 0.2
"""Emissions of natural gas per MWh of fuel (primary energy)."""
GAS_MARGIN = 1.1
"""Gas capacity at a bus over the bus's peak load."""
LATITUDE_DEG = 45.0
SOLAR_TILT_DEG = 35.0

CARRIER_CO2: dict[str, float] = {
    "AC": 0.0,
    "wind": 0.0,
    "solar": 0.0,
    "gas": GAS_CO2_T_PER_MWH,
    "battery": 0.0,
}


@dataclass(frozen=True)
class SyntheticTables:
    """The data of a synthetic network as plain tables.

    Parameters
    ----------
    name
        label of the network.
    snapshots
        hourly time stamps.
    objective_weighting_h
        hours each snapshot stands for in the objective (``8760 / n_hours``); the store and
        generator weightings are 1 h.
    static
        one table per component class name (``"Generator"``), indexed by component name,
        with PyPSA attribute names as columns, in the order the components must be added.
    varying
        per component class name, the time series tables (snapshots x names) by attribute.
    """

    name: str
    snapshots: pd.DatetimeIndex
    objective_weighting_h: float
    static: Mapping[str, pd.DataFrame]
    varying: Mapping[str, Mapping[str, pd.DataFrame]]


def synthetic_network(n_buses: int, n_hours: int, seed: int = 0) -> Network:
    """Build a feasible meshed network with renewables, gas and batteries.

    Parameters
    ----------
    n_buses
        number of buses (at least 1).
    n_hours
        number of hourly snapshots from 2030-01-01 00:00 (at least 1).
    seed
        seed of the random generator; the same arguments always give the same network.

    Returns
    -------
    Network
        ``n_buses`` AC buses at 380 kV; about ``1.5 * n_buses`` lines forming one connected,
        meshed grid (30 % of them extendable); per bus one load, one extendable wind and one
        extendable solar generator, one gas generator of 1.1 x the bus's peak load, and one
        extendable battery (4 h, 0.9 efficiency each way, cyclic state of charge).

    Examples
    --------
    >>> n = synthetic_network(5, 24)
    >>> len(n.buses), len(n.generators), len(n.snapshots)
    (5, 15, 24)
    """
    return network_from_tables(synthetic_tables(n_buses, n_hours, seed))


def network_from_tables(tables: SyntheticTables) -> Network:
    """Assemble a ``Network`` from ``SyntheticTables``."""
    n = Network(tables.name, snapshots=tables.snapshots)
    n.snapshot_weightings["objective"] = tables.objective_weighting_h
    for component, table in tables.static.items():
        series = tables.varying.get(component, {})
        n.add(component, table.index.tolist(), **{c: table[c] for c in table.columns}, **series)
    return n


def synthetic_tables(n_buses: int, n_hours: int, seed: int = 0) -> SyntheticTables:
    """The data of ``synthetic_network`` as tables; see there for the parameters."""
    if n_buses < 1 or n_hours < 1:
        raise ValueError(f"need at least one bus and one hour, got {n_buses} x {n_hours}.")
    rng = np.random.default_rng(seed)
    snapshots = pd.date_range(START, periods=n_hours, freq="h", name="snapshot")
    buses = pd.Index([f"bus{i}" for i in range(n_buses)], dtype=object, name="name")
    xy_km = rng.uniform(0.0, KM_PER_BUS * np.sqrt(n_buses), size=(n_buses, 2))

    load_mw = _load_profiles(rng, snapshots, n_buses)
    wind_pu = _wind_profiles(rng, snapshots, xy_km)
    solar_pu = _solar_profiles(rng, snapshots, xy_km)
    mean_load_mw = load_mw.mean(axis=0)

    static: dict[str, pd.DataFrame] = {
        "Carrier": pd.DataFrame(
            {"co2_emissions": list(CARRIER_CO2.values())},
            index=pd.Index(list(CARRIER_CO2), dtype=object, name="name"),
        ),
        "Bus": pd.DataFrame(
            {"v_nom": 380.0, "carrier": "AC", "x": xy_km[:, 0], "y": xy_km[:, 1]}, index=buses
        ),
        "Line": _lines(rng, xy_km, buses),
    }
    gens, has_profile = _generators(rng, buses, mean_load_mw, load_mw.max(axis=0))
    static["Generator"] = gens
    static["Load"] = pd.DataFrame(
        {"bus": buses.to_numpy()}, index=pd.Index(buses + " load", dtype=object, name="name")
    )
    static["StorageUnit"] = _batteries(rng, buses)

    p_max_pu = np.concatenate([wind_pu, solar_pu], axis=1)  # gas has no profile
    varying = {
        "Generator": {
            "p_max_pu": pd.DataFrame(p_max_pu, index=snapshots, columns=gens.index[has_profile])
        },
        "Load": {"p_set": pd.DataFrame(load_mw, index=snapshots, columns=static["Load"].index)},
    }
    return SyntheticTables(
        name=f"synthetic {n_buses}x{n_hours} seed {seed}",
        snapshots=snapshots,
        objective_weighting_h=HOURS_PER_YEAR / n_hours,
        static=static,
        varying=varying,
    )


# ---------------------------------------------------------------------- grid
def _grid_edges(xy_km: np.ndarray) -> np.ndarray:
    """Edges (pairs of bus indices, smaller first) of a connected meshed grid of near neighbours.

    A minimum spanning tree over the Delaunay triangulation connects every bus; the shortest
    remaining Delaunay edges are added until there are ``LINES_PER_BUS`` lines per bus, which
    closes cycles between neighbours the way real grids do.
    """
    n = len(xy_km)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    if n < 4:  # every pair is a neighbour; spares Delaunay its degenerate cases
        candidates = np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
    else:
        simplices = spatial.Delaunay(xy_km).simplices
        pairs = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
        candidates = np.unique(np.sort(pairs, axis=1), axis=0)
    length = np.linalg.norm(xy_km[candidates[:, 0]] - xy_km[candidates[:, 1]], axis=1)
    graph = sparse.coo_matrix((length, (candidates[:, 0], candidates[:, 1])), shape=(n, n))
    tree = csgraph.minimum_spanning_tree(graph.tocsr()).tocoo()
    tree_edges = np.sort(np.column_stack([tree.row, tree.col]), axis=1)
    in_tree = np.isin(
        candidates[:, 0] * n + candidates[:, 1], tree_edges[:, 0] * n + tree_edges[:, 1]
    )
    n_extra = min(round(LINES_PER_BUS * n) - len(tree_edges), int((~in_tree).sum()))
    extra = np.flatnonzero(~in_tree)[np.argsort(length[~in_tree], kind="stable")[:n_extra]]
    edges = np.concatenate([tree_edges, candidates[extra]])
    return edges[np.lexsort((edges[:, 1], edges[:, 0]))]


def _lines(rng: np.random.Generator, xy_km: np.ndarray, buses: pd.Index) -> pd.DataFrame:
    """380 kV lines along the grid edges; 30 % extendable up to three times their rating."""
    edges = _grid_edges(xy_km)
    n_lines = len(edges)
    length_km = ROUTING_FACTOR * np.linalg.norm(xy_km[edges[:, 0]] - xy_km[edges[:, 1]], axis=1)
    circuits = 1 + (rng.random(n_lines) < 0.3)
    s_nom = CIRCUIT_MW * circuits
    extendable = rng.random(n_lines) < EXTENDABLE_LINE_SHARE
    names = pd.Index([f"line{i}" for i in range(n_lines)], dtype=object, name="name")
    return pd.DataFrame(
        {
            "bus0": buses.to_numpy()[edges[:, 0]],
            "bus1": buses.to_numpy()[edges[:, 1]],
            "x": X_OHM_PER_KM * length_km / circuits,
            "r": R_OHM_PER_KM * length_km / circuits,
            "s_nom": s_nom,
            "s_nom_extendable": extendable,
            "s_nom_min": np.where(extendable, s_nom, 0.0),
            "s_nom_max": np.where(extendable, 3.0 * s_nom, np.inf),
            "capital_cost": np.where(extendable, LINE_COST_EUR_PER_MW_KM_A * length_km, 0.0),
            "length": length_km,
            "carrier": "AC",
        },
        index=names,
    )


# ---------------------------------------------------------------------- plant
def _generators(
    rng: np.random.Generator, buses: pd.Index, mean_load_mw: np.ndarray, peak_load_mw: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Wind, solar and gas at every bus, and the mask of those with a p_max_pu profile.

    Costs carry a few per cent of noise per bus, so that the optimum is less degenerate.
    """
    n = len(buses)

    def jitter(scale: float) -> np.ndarray:
        return 1.0 + scale * rng.uniform(-1.0, 1.0, n)

    fuel_eur_per_mwh = rng.uniform(30.0, 40.0, n)
    gas_efficiency = rng.uniform(0.5, 0.58, n)
    zeros, ones = np.zeros(n), np.ones(n)

    def renewable(
        most_per_mean_load: float, capital_cost: float, marginal_cost: float
    ) -> dict[str, np.ndarray]:
        """New-build plant of up to U(1, most) x the bus's mean load, none existing."""
        return {
            "p_nom": zeros,
            "p_nom_extendable": ones.astype(bool),
            "p_nom_max": rng.uniform(1.0, most_per_mean_load, n) * mean_load_mw,
            "capital_cost": capital_cost * jitter(0.05),
            "marginal_cost": marginal_cost * jitter(0.1),
            "efficiency": ones,
        }

    kinds: dict[str, dict[str, np.ndarray]] = {
        "wind": renewable(4.0, WIND_COST_EUR_PER_MW_A, 1.5),
        "solar": renewable(3.0, SOLAR_COST_EUR_PER_MW_A, 0.5),
        "gas": {
            "p_nom": np.ceil(GAS_MARGIN * peak_load_mw),
            "p_nom_extendable": zeros.astype(bool),
            "p_nom_max": np.full(n, np.inf),
            "capital_cost": zeros,
            "marginal_cost": fuel_eur_per_mwh / gas_efficiency,
            "efficiency": gas_efficiency,
        },
    }
    gens = pd.concat(
        [
            pd.DataFrame(
                {"bus": buses.to_numpy(), "carrier": carrier, **attrs},
                index=pd.Index(buses + f" {carrier}", dtype=object, name="name"),
            )
            for carrier, attrs in kinds.items()
        ]
    )
    return gens, (gens["carrier"] != "gas").to_numpy()


def _batteries(rng: np.random.Generator, buses: pd.Index) -> pd.DataFrame:
    """An extendable 4-hour battery at every bus, cyclic over the horizon."""
    n = len(buses)
    return pd.DataFrame(
        {
            "bus": buses.to_numpy(),
            "carrier": "battery",
            "p_nom_extendable": True,
            "max_hours": BATTERY_MAX_HOURS,
            "efficiency_store": BATTERY_EFFICIENCY,
            "efficiency_dispatch": BATTERY_EFFICIENCY,
            "cyclic_state_of_charge": True,
            "capital_cost": BATTERY_COST_EUR_PER_MW_A * (1.0 + 0.05 * rng.uniform(-1.0, 1.0, n)),
        },
        index=pd.Index(buses + " battery", dtype=object, name="name"),
    )


# ---------------------------------------------------------------------- profiles
def _ar1(rng: np.random.Generator, n_steps: int, n_series: int, phi: float) -> np.ndarray:
    """Stationary AR(1) noise with unit variance, shape (n_steps, n_series)."""
    burn_in = int(np.ceil(5.0 / (1.0 - phi)))
    eps = rng.standard_normal((n_steps + burn_in, n_series))
    out = signal.lfilter([np.sqrt(1.0 - phi**2)], [1.0, -phi], eps, axis=0)
    return np.asarray(out[burn_in:])


def _calendar(snapshots: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Day of year and hour of day (at the middle of the hour) as float columns."""
    day = snapshots.day_of_year.to_numpy(float)[:, None]
    hour = snapshots.hour.to_numpy(float)[:, None] + 0.5
    return day, hour


def _load_profiles(
    rng: np.random.Generator, snapshots: pd.DatetimeIndex, n_buses: int
) -> np.ndarray:
    """Demand in MW: a per-bus level times a winter-peaking season, a day with morning and
    evening peaks, lower weekends, and autocorrelated noise of 3 %."""
    day, hour = _calendar(snapshots)
    level_mw = np.clip(rng.lognormal(np.log(1200.0), 0.5, n_buses), 200.0, 6000.0)
    season = 1.0 + 0.12 * np.cos(2 * np.pi * (day - 15.0) / 365.0)
    daily = (
        1.0
        + 0.15 * np.cos(2 * np.pi * (hour - 18.0) / 24.0)
        + 0.05 * np.cos(4 * np.pi * (hour - 9.0) / 24.0)
    )
    weekend = np.where(snapshots.day_of_week.to_numpy()[:, None] >= 5, 0.92, 1.0)
    noise = 1.0 + 0.03 * _ar1(rng, len(snapshots), n_buses, phi=0.9)
    return level_mw * season * daily * weekend * noise


def _wind_profiles(
    rng: np.random.Generator, snapshots: pd.DatetimeIndex, xy_km: np.ndarray
) -> np.ndarray:
    """Wind availability per unit: a logistic power curve over weather shared by all sites
    and local gusts, windier in winter and towards the north (larger y); mean about 0.3."""
    day, _ = _calendar(snapshots)
    n_hours, n_buses = len(snapshots), len(xy_km)
    weather = 0.7 * _ar1(rng, n_hours, 1, phi=0.97) + 0.714 * _ar1(rng, n_hours, n_buses, 0.95)
    season = 0.35 * np.cos(2 * np.pi * (day - 15.0) / 365.0)
    north = xy_km[:, 1] / max(float(np.ptp(xy_km[:, 1])), 1.0) - 0.5
    site = 0.6 * north + 0.2 * rng.standard_normal(n_buses)
    return 0.95 / (1.0 + np.exp(-(1.6 * (weather + season + site) - 1.1)))


def _solar_profiles(
    rng: np.random.Generator, snapshots: pd.DatetimeIndex, xy_km: np.ndarray
) -> np.ndarray:
    """Solar availability per unit: direct light on south-facing panels tilted 35 degrees at
    45 N plus diffuse light, zero while the sun is below the horizon, dimmed through the air
    mass at low sun and by daily clouds, and shifted by each site's longitude."""
    day, hour = _calendar(snapshots)
    declination = np.deg2rad(23.44) * np.sin(2 * np.pi * (284.0 + day) / 365.0)
    longitude_deg = (xy_km[:, 0] - xy_km[:, 0].mean()) / 80.0  # ~80 km per degree at 45 N
    hour_angle = np.deg2rad(15.0 * (hour - 12.0) + longitude_deg)
    lat, tilt = np.deg2rad(LATITUDE_DEG), np.deg2rad(SOLAR_TILT_DEG)

    def cos_zenith(latitude: float) -> np.ndarray:
        return np.sin(latitude) * np.sin(declination) + np.cos(latitude) * np.cos(
            declination
        ) * np.cos(hour_angle)

    sin_elevation = cos_zenith(lat)
    up = sin_elevation > 0.01
    air_mass = 1.0 / np.where(up, sin_elevation, 1.0)
    direct = np.clip(cos_zenith(lat - tilt), 0.0, None)  # on the tilted plane
    clear_sky = np.where(up, 0.85 * direct + 0.15 * sin_elevation, 0.0)  # plus diffuse light
    clear_sky *= 0.7 ** (air_mass**0.678 - 1.0)  # 1 with the sun overhead
    days = (snapshots.normalize() - snapshots[0].normalize()).days.to_numpy()
    cloud_days = _ar1(rng, int(days[-1]) + 1, len(xy_km), phi=0.6)
    clearness = 0.2 + 0.75 / (1.0 + np.exp(-(1.5 * cloud_days[days] + 0.5)))
    return np.clip(0.9 * clear_sky * clearness, 0.0, 1.0)
