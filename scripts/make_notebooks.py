"""Write the two example notebooks of the docs and run them, storing their outputs.

    .venv/bin/python scripts/make_notebooks.py                       # both
    .venv/bin/python scripts/make_notebooks.py custom-network        # one, by stem

Each notebook is written from the cells below (nbformat v4, cell ids fixed so that a rerun changes
only what really changed), executed with nbclient on the ``python3`` kernel in a fresh temporary
folder (what the notebooks write lands there), and saved with its outputs into
``docs/notebooks/<stem>.ipynb``. The test suite (``tests/docs/test_notebooks.py``) runs them again
and compares every code cell's text output with the stored one, so the outputs must be
deterministic plain text: the script refuses a notebook that prints to stderr, raises, or shows
anything but text.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "notebooks"
CELL_TIMEOUT_S = 600
TEXT_MIMES = {"text/plain"}

Cell = tuple[str, str]
"""("md" or "code", source)."""


def md(text: str) -> Cell:
    return ("md", text.strip("\n"))


def code(text: str) -> Cell:
    return ("code", text.strip("\n"))


# ============================================================================ corridor scenarios
CORRIDOR: list[Cell] = [
    md(
        """
# Comparing corridor scenarios

This notebook is an analyst's first afternoon with the corridor model, in Python: load three of
the shipped scenarios, solve each, and put the answers side by side: total system cost, the
Caspian cable, exports to the EU, emissions, prices and who gains or loses in each country.

The three scenarios:

| scenario | what it assumes |
|---|---|
| `base` | 2030; Caspian cable on route A sized by the optimisation (up to 7 GW) |
| `caspian-fixed-1.5gw` | as `base`, but the Caspian cable is built at 1.5 GW |
| `high-gas-price` | as `base`, with gas for power at 2.5 times the domestic price |

In all three the Black Sea cable from Georgia to Romania is fixed at the dataset's 1.3 GW.

The command line does the same in one line (and writes every result table, `network.nc` and a
report to a folder):

```text
caspian run base caspian-fixed-1.5gw high-gas-price --typical-days 4
```

Everything below runs offline in about half a minute on two cores.
"""
    ),
    md(
        """
## 1. Load the scenarios

A scenario is a small YAML file that names only what differs from the scenario it `extends:`.
[`load_scenario`][caspian.corridor.scenario.load_scenario] reads a shipped scenario by name (or
any YAML file by path), resolves `extends:` and checks every key; the result is a
[`Scenario`][caspian.corridor.scenario.Scenario], a frozen record of every assumption.
"""
    ),
    code(
        """
from caspian.corridor.scenario import available_scenarios, load_scenario

print("shipped:", ", ".join(available_scenarios()))

names = ["base", "caspian-fixed-1.5gw", "high-gas-price"]
for name in names:
    s = load_scenario(name)
    if s.caspian.extendable:
        cable = "sized by the model"
    else:
        cable = f"fixed at {s.caspian.p_nom_mw:.0f} MW"
    print(
        f"{name}: year {s.year}, {s.resolution.describe()}, Caspian cable on route(s) "
        f"{'/'.join(s.caspian.routes)} {cable}, gas price x {s.prices.gas_multiplier}"
    )
"""
    ),
    md(
        """
## 2. Choose the time resolution

The scenarios model a full synthetic weather year. By default (`resolution: {hours: 6}`) every
6 hours become one snapshot, 1,460 snapshots in all, and `caspian run` solves that exactly, in one
HiPO solve (`--solver auto` keeps a model of this size whole). For the base scenario that gives
3.2367 bn EUR/yr against 3.2292 bn EUR/yr for the full hourly year (+0.23 %), in about 40 s end
to end.

To compare several scenarios quickly this notebook uses **4 typical days** instead: tsam groups
the 365 days of the year into 4 clusters of alike days, each modelled hour by hour (96
snapshots), weighted by the number of days it stands for, with storage levels still carried
across the real sequence of days. The README measures 12 typical days at 3.2475 bn EUR/yr for the
base (+0.57 % above the hourly year); 4 typical days give 3.249 bn EUR/yr (below), +0.4 % above
the 6-hourly answer. What typical days give up is the difference between the days of one
cluster: each real day is replaced by its cluster's mean day, so the extremes (the stillest,
darkest days) are smoothed. Use them to compare and screen, and confirm a result that matters
at the default resolution.

[`prepare`][caspian.corridor.run.prepare] is what the command line's `--resolution`,
`--segments` and `--typical-days` options call: it loads the scenario and replaces its time
resolution.
"""
    ),
    code(
        """
from caspian.corridor.run import prepare

scenarios = {name: prepare(name, typical_days=4) for name in names}
for name, s in scenarios.items():
    print(f"{name}: {s.resolution.describe()}")
"""
    ),
    md(
        """
## 3. Build and solve

[`run_scenario`][caspian.corridor.run.run_scenario] builds the network of a scenario from the
sourced dataset and the synthetic weather year, solves it and computes the headline answers.
With no `out_dir` it writes nothing. The dataset is read once and shared. The solver is chosen
as on the command line (`--solver auto`), by the size of the model: HiGHS on the whole model, here
and up to the default 6-hourly year, and the Benders decomposition for chronological models of
250,000 columns or more, such as the 4-hourly and the hourly year.
"""
    ),
    code(
        """
from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import run_scenario

dataset = load_dataset()
runs = {name: run_scenario(s, dataset=dataset) for name, s in scenarios.items()}

for name, run in runs.items():
    n = run.network
    hours = n.snapshot_weightings["objective"].sum()
    print(
        f"{name}: {len(n.snapshots)} snapshots standing for {hours:,.0f} h, "
        f"{len(n.buses)} buses, {len(n.links)} links, {len(n.generators)} generators"
    )
"""
    ),
    md(
        """
## 4. The headline answers side by side

Each run carries its [`Headlines`][caspian.corridor.headlines.Headlines]: total system cost
(the objective: annualised investment plus operating cost, EUR per year), the Caspian cable's
capacity, energy arriving in the EU (TWh per year) and CO2 emitted by the modelled countries'
plants (Mt per year).
"""
    ),
    code(
        """
import pandas as pd

rows = {}
for name, run in runs.items():
    h = run.headlines
    rows[name] = {
        "cost_bn_eur_yr": h.total_cost_eur / 1e9,
        "caspian_mw": sum(h.caspian_capacity_mw.values()),
        "new_solar_mw": h.renewable_build_mw.get("solar", pd.Series(0.0)).sum(),
        "new_wind_mw": h.renewable_build_mw.drop(columns="solar", errors="ignore").to_numpy().sum(),
        "eu_exports_twh_yr": h.eu_exports_twh,
        "emissions_mt_yr": h.emissions_mt,
    }
headline = pd.DataFrame(rows).T
print(
    headline.to_string(
        formatters={
            "cost_bn_eur_yr": "{:.3f}".format,
            "caspian_mw": "{:,.1f}".format,
            "new_solar_mw": "{:,.1f}".format,
            "new_wind_mw": "{:,.1f}".format,
            "eu_exports_twh_yr": "{:.2f}".format,
            "emissions_mt_yr": "{:.1f}".format,
        }
    )
)
"""
    ),
    md(
        """
Two things to read carefully here.

First, the base builds **no** Caspian cable (0 MW): at the dataset's costs the optimisation finds
it not worth its investment. So `no-caspian-link` would give the base's answer again, which is
why it is not one of the three runs.

Second, `caspian-fixed-1.5gw` shows a *lower* total cost than the base. That is not a
contradiction: a cable of fixed capacity is an existing asset to the optimisation, so its
investment is not in the objective (the scenario gives the fixed cable no capital cost, and the
objective, like PyPSA's with `include_objective_constant=False`, counts investment only for
extendable assets). To compare like with like, add the cable's annualised cost, which the base
network holds as the candidate link's `capital_cost` (annuity plus fixed O&M, EUR per MW and
year):
"""
    ),
    code(
        """
cable = "Caspian route A Aktau-Sumgait"
per_mw = runs["base"].network.links.loc[cable, "capital_cost"]
annual = per_mw * 1500.0
fixed = runs["caspian-fixed-1.5gw"].headlines.total_cost_eur
base_cost = runs["base"].headlines.total_cost_eur
print(
    f"annualised cost of the cable: {per_mw:,.0f} EUR/MW/yr x 1,500 MW "
    f"= {annual / 1e6:,.1f} M EUR/yr"
)
print(f"caspian-fixed-1.5gw including the cable: {(fixed + annual) / 1e9:.3f} bn EUR/yr")
print(f"difference to base: {(fixed + annual - base_cost) / 1e6:+,.1f} M EUR/yr")

for name in ["base", "caspian-fixed-1.5gw"]:
    black_sea = runs[name].headlines.link_flows_twh.loc["GE-EU Black Sea Submarine Cable"]
    used = black_sea["forward_twh"] / (black_sea["capacity_mw"] * 8760 / 1e6)
    print(
        f"{name}: the {black_sea['capacity_mw']:,.1f} MW Black Sea cable carries {used:.1%} "
        "of what it could carry towards the EU in a year"
    )
"""
    ),
    md(
        """
## 5. Prices

Time-weighted mean nodal prices (EUR/MWh) from the headlines. Kazakhstan is three zones (west
KZ-W, north KZ-N, south KZ-S); EU, TR, RU and IR are price-taking markets whose prices are inputs.
"""
    ),
    code(
        """
prices = pd.DataFrame({name: run.headlines.mean_price for name, run in runs.items()})
prices["fixed-1.5gw minus base"] = prices["caspian-fixed-1.5gw"] - prices["base"]
prices["high-gas minus base"] = prices["high-gas-price"] - prices["base"]
print(prices.to_string(float_format="{:.1f}".format))
"""
    ),
    md(
        """
## 6. Welfare by country against the base

[`cba.compare`][caspian.analysis.cba.compare] takes any two solved cases and returns the change
of socio-economic welfare by area (country or market), split into consumer surplus, producer
surplus and congestion rent, which add up. Summed over the areas, the welfare change is minus the
change of total system cost (see [Cost-benefit indicators](../concepts/cost-benefit.md)). Here
each scenario is compared with the base, in million EUR per year.
"""
    ),
    code(
        """
from caspian.analysis import cba

base = runs["base"]
changes = {}
for name in ["caspian-fixed-1.5gw", "high-gas-price"]:
    run = runs[name]
    comparison = cba.compare(run.result, base.result)
    changes[name] = comparison.welfare / 1e6

parts = ["consumer_surplus_eur", "producer_surplus_eur", "congestion_rent_eur", "welfare_eur"]
for name, welfare in changes.items():
    table = welfare[[f"change_{p}" for p in parts]]
    table.columns = ["consumers", "producers", "congestion rent", "welfare"]
    table.loc["total"] = table.sum()
    print(f"{name} minus base (M EUR/yr):")
    print(table.to_string(float_format="{:,.1f}".format))
    print()
"""
    ),
    md(
        """
## 7. Where the EU's imports come from

[`tracing.trace`][caspian.analysis.tracing.trace] follows the power hour by hour by proportional
sharing, so each MWh arriving in the EU is attributed to the country and technology that produced
it (see [Tracing green power](../concepts/tracing.md)). Shares of the energy arriving in the EU
by origin country, and the renewable share of it (wind, solar and hydro):
"""
    ),
    code(
        """
from caspian.analysis import tracing
from caspian.analysis.common import RENEWABLE_CARRIERS

origins = {}
for name, run in runs.items():
    imports = tracing.trace(run.result).imports_by_origin("EU")
    by_area = imports.groupby("origin_area")["mwh"].sum()
    share = by_area / by_area.sum()
    green = imports["origin_carrier"].isin(RENEWABLE_CARRIERS)
    share["renewable"] = imports.loc[green, "mwh"].sum() / by_area.sum()
    origins[name] = share
table = pd.DataFrame(origins).fillna(0.0) * 100
table = table.loc[[a for a in table.index if a != "renewable"] + ["renewable"]]
print("% of the energy arriving in the EU:")
print(table.to_string(float_format="{:.1f}".format))
"""
    ),
    md(
        """
## 8. Checking the resolution

Before trusting a comparison made at a coarse resolution, check that the resolution does not
drive it. The tempting shortcut `--resolution 24` (one snapshot per day) is faster still, but it
averages each day into one value, so solar looks like a flat all-day supply and nights, evening
peaks and the storage that serves them disappear. That matters most where solar and storage
matter most, here the high-gas-price scenario:
"""
    ),
    code(
        """
daily = run_scenario(prepare("high-gas-price", resolution_hours=24), dataset=dataset)
typical = runs["high-gas-price"]
for label, run in [("24-hourly", daily), ("4 typical days", typical)]:
    h = run.headlines
    print(
        f"{label}: {h.total_cost_eur / 1e9:.3f} bn EUR/yr, {h.emissions_mt:.1f} Mt CO2/yr, "
        f"AZ mean price {h.mean_price['AZ']:.1f} EUR/MWh"
    )
"""
    ),
    md(
        """
The daily resolution puts the cost of the high-gas-price scenario 30 % lower than the typical
days, with 29 Mt less CO2 and an Azerbaijani price 15.5 EUR/MWh lower. At the default 6-hourly
resolution (not run here: half a minute to a minute on two cores) this scenario costs
6.036 bn EUR/yr, 0.1 % below the typical-day answer, so of these two shortcuts the typical days
are the one to trust. For the base the daily shortcut is much less wrong (3.161 bn EUR/yr,
2.4 % below the 6-hourly answer), because there cheap gas, not solar and storage, does most of
the work.

## What the numbers say

For 2030, on the dataset's assumptions and one synthetic weather year, at 4 typical days:

- **The Caspian cable is not built in the base.** Built at 1.5 GW anyway, it lowers the rest of
  the system's cost by 52 M EUR/yr, far less than its own annualised cost of 239 M EUR/yr: with
  the cable counted, the system costs 187 M EUR/yr more than the base. It does not raise exports
  to the EU (10.86 TWh/yr in both), because the Black Sea cable, fixed at 1.3 GW, already carries
  power towards the EU in practically every hour. Emissions rise slightly (+0.2 Mt/yr).
- **Who gains from the cable**, leaving its cost aside (whoever would pay it): prices fall in
  Azerbaijan (32.0 to 28.4 EUR/MWh) and Georgia (45.0 to 41.3) and rise in west Kazakhstan (24.8
  to 28.0). Azerbaijan's consumers gain 122 M EUR/yr but its producers lose 171 M EUR/yr, so
  Azerbaijan loses 46 M EUR/yr in all; Kazakhstan (+33) and Georgia (+40) gain, and the
  congestion rents of the interconnectors rise by 63 M EUR/yr in all.
- **Dear gas** (2.5 times the domestic price) raises the system cost by 2.8 bn EUR/yr and the
  mean prices of the corridor's countries by 9.7 (Georgia) to 18.5 EUR/MWh (west Kazakhstan). The
  model answers with 27 GW of new solar (5.7 GW in the base) and 2.2 GW of new wind, and
  emissions fall from 188 to 160 Mt/yr. Welfare falls in each of them, most in
  Uzbekistan (-1.38 bn EUR/yr); in Kazakhstan consumers pay 2.1 bn EUR/yr more while producers
  gain 1.8 bn EUR/yr, mostly existing coal plants selling at the higher prices. Exports to the EU
  fall slightly (10.86 to 10.74 TWh/yr) and their traced renewable share rises from 55 % to 63 %,
  with more coming through Georgia and Russia and less from Azerbaijan. The Caspian cable is
  still not built.
- **What this does not say.** These are single runs with point assumptions. The cable's case
  depends on the EU price, its capex and the Black Sea limit (try `eu-export-push`, where that
  cable may grow); the full appraisal (`caspian cba`: NPV, BCR and a tornado over the uncertain
  inputs) and sweeps over many cases are the tools for that question.

## Next steps

- Write your own scenario file with `extends: base` and run it the same way: see
  [Scenarios and changing an assumption](../corridor/scenarios.md).
- Read the appraisal of a link and the traced origin of exports:
  [Reading the cost-benefit and tracing results](../corridor/results.md).
- How typical days and the Benders decomposition work:
  [Decomposition and representative periods](../concepts/decomposition.md).
"""
    ),
]


# ============================================================================ custom network
CUSTOM: list[Cell] = [
    md(
        """
# A custom small network

This notebook builds a network from scratch with [`caspian.Network`][caspian.network.Network],
solves it with [`caspian.optimize`][caspian.optimize.optimize], changes one assumption, and
exports the network to PyPSA's netCDF format. The attribute names, units and defaults are
PyPSA's; [Build your own network](../how-to/own-network.md) lists what is supported.

The system has three buses:

- **steppe**, windy and far from demand, connected to the city by a 600 km HVDC cable;
- **desert**, sunny, connected to the city by a 500 MW AC line;
- **city**, with the demand, an existing 900 MW gas plant, and room for a battery.

Wind, solar, the battery and the HVDC cable are built by the optimisation, and a CO2 cap limits
the gas plant. One week is modelled hour by hour. The profiles are simple deterministic formulas,
so the notebook prints the same numbers on every run; they are not data about any real place.
"""
    ),
    md(
        """
## 1. Profiles

One week of hourly snapshots. Demand follows the time of day with an evening peak; wind comes in
weather systems of about three and a half days; solar follows the sun, with a cloudy spell on
the second and third days.
"""
    ),
    code(
        """
import numpy as np
import pandas as pd

HOURS = 168
snapshots = pd.date_range("2030-01-07", periods=HOURS, freq="h")
hour = snapshots.hour.to_numpy()
day = np.arange(HOURS) / 24

demand = 600 + 150 * np.sin(2 * np.pi * (hour - 12) / 24) + 100 * ((hour >= 17) & (hour <= 21))
weather = 0.45 + 0.35 * np.sin(2 * np.pi * day / 3.5)
wind = np.clip(weather + 0.1 * np.cos(2 * np.pi * hour / 24), 0, 1)
cloudy = np.sin(2 * np.pi * day / 7) > 0.6
solar = np.clip(np.sin(np.pi * (hour - 7) / 10), 0, None) * np.where(cloudy, 0.5, 0.8)

print(
    f"demand: mean {demand.mean():.1f} MW, peak {demand.max():.1f} MW, "
    f"{demand.sum():,.0f} MWh in the week"
)
print(f"capacity factors: wind {wind.mean():.3f}, solar {solar.mean():.3f}")
"""
    ),
    md(
        """
## 2. The network

Components are added with `n.add(component, names, **attributes)`, as in PyPSA. A value with one
entry per snapshot becomes a time series (`p_set`, `p_max_pu`).

Capital costs are annualised (EUR per MW and year). The model covers one week, so each asset
carries one week's share of its annual cost: `YEAR_SHARE = 168 / 8760`.

The HVDC cable is a `Link` with `bidirectional=True`: caspian-grid's lossy two-way link, which
loses `1 - efficiency` (here 4 %) in whichever direction it carries power, with one capacity
shared by both directions ([The HVDC loss model](../concepts/hvdc-losses.md)). The AC line has a
reactance `x` and resistance `r` in ohm and a fixed rating `s_nom`. The CO2 cap is a
`GlobalConstraint` on the carriers' `co2_emissions` (t CO2 per MWh of fuel; the gas plant's
efficiency of 0.5 makes that 0.4 t per MWh of electricity): 100 t per hour on average, 16,800 t
over the week.
"""
    ),
    code(
        """
import caspian

YEAR_SHARE = HOURS / 8760
CO2_CAP_T = 100.0 * HOURS

n = caspian.Network("three buses", snapshots)
n.add(
    "Carrier", ["gas", "wind", "solar", "battery", "AC", "DC"], co2_emissions=[0.2, 0, 0, 0, 0, 0]
)
n.add("Bus", ["steppe", "desert", "city"], v_nom=[500.0, 220.0, 220.0], carrier="AC")
n.add("Load", "city demand", bus="city", p_set=demand)
n.add(
    "Generator", "city gas", bus="city", carrier="gas", p_nom=900.0, efficiency=0.5,
    marginal_cost=60.0,
)
n.add(
    "Generator", "steppe wind", bus="steppe", carrier="wind", p_max_pu=wind, marginal_cost=1.0,
    p_nom_extendable=True, p_nom_max=2000.0, capital_cost=120_000 * YEAR_SHARE,
)
n.add(
    "Generator", "desert solar", bus="desert", carrier="solar", p_max_pu=solar, marginal_cost=0.5,
    p_nom_extendable=True, p_nom_max=2000.0, capital_cost=50_000 * YEAR_SHARE,
)
n.add(
    "StorageUnit", "city battery", bus="city", carrier="battery", max_hours=4.0,
    efficiency_store=0.95, efficiency_dispatch=0.95, cyclic_state_of_charge=True,
    p_nom_extendable=True, capital_cost=70_000 * YEAR_SHARE,
)
n.add(
    "Link", "steppe-city HVDC", bus0="steppe", bus1="city", carrier="DC", length=600.0,
    bidirectional=True, p_min_pu=-1.0, efficiency=0.96,
    p_nom_extendable=True, capital_cost=60_000 * YEAR_SHARE,
)
n.add(
    "Line", "desert-city", bus0="desert", bus1="city", carrier="AC", x=10.0, r=1.0, s_nom=500.0,
    length=150.0,
)
n.add(
    "GlobalConstraint", "co2 cap", type="primary_energy", carrier_attribute="co2_emissions",
    sense="<=", constant=CO2_CAP_T,
)
print(n)
"""
    ),
    md(
        """
## 3. Validate

[`validate`][caspian.network.validate.validate] checks the whole network and raises one
`ValidationError` listing every problem, each with its fix; it returns `None` for a valid
network. `caspian.optimize` validates too, so this step is optional, but it is the quickest way
to find mistakes. Here a copy with two deliberate mistakes:
"""
    ),
    code(
        """
from caspian.exceptions import ValidationError
from caspian.network import validate

print(validate(n))

broken = n.copy()
broken.add("Generator", "city solar", bus="citi", carrier="solar", p_nom=-100.0, p_max_pu=solar)
try:
    validate(broken)
except ValidationError as error:
    print(error)
"""
    ),
    md(
        """
## 4. Solve

`caspian.optimize` builds the linear program, solves it with HiGHS, audits the answer and
returns an [`OptimizationResult`][caspian.optimize.OptimizationResult]; the network itself is
not changed. The objective is PyPSA's: investment plus operating cost, here in EUR for the week.
"""
    ),
    code(
        """
result = caspian.optimize(n)

print(f"objective: {result.objective / 1e6:.3f} M EUR for the week")
emitted = result.global_constraints.loc["co2 cap", "value"]
print(f"CO2: {emitted:,.1f} t of {CO2_CAP_T:,.1f} t allowed, price {result.co2_price:.2f} EUR/t")
built = {
    "steppe wind": result.capacity("Generator")["steppe wind"],
    "desert solar": result.capacity("Generator")["desert solar"],
    "city battery": result.capacity("StorageUnit")["city battery"],
    "steppe-city HVDC": result.capacity("Link")["steppe-city HVDC"],
}
print("optimal capacities (MW):")
for name, mw in built.items():
    print(f"  {name}: {mw + 0.0:,.1f}")
"""
    ),
    md(
        """
Results use PyPSA's names and signs: `result.prices` is the nodal price (EUR/MWh) per snapshot
and bus, `result.series(component, attribute)` a snapshots x components table. A dispatch
summary for the week:
"""
    ),
    code(
        """
def summary(n, result):
    gen = result.series("Generator", "p")
    available = n.get_series("Generator", "p_max_pu") * result.capacity("Generator").to_numpy()
    curtailed = pd.Series((available - gen.to_numpy()).sum(axis=0), index=gen.columns)
    link_p0 = result.series("Link", "p0")["steppe-city HVDC"]
    link_p1 = result.series("Link", "p1")["steppe-city HVDC"]
    battery = result.series("StorageUnit", "p_dispatch")["city battery"]
    line = result.series("Line", "p0")["desert-city"]
    return pd.Series(
        {
            "gas (MWh)": gen["city gas"].sum(),
            "wind (MWh)": gen["steppe wind"].sum(),
            "solar (MWh)": gen["desert solar"].sum(),
            "wind and solar curtailed (MWh)": curtailed[["steppe wind", "desert solar"]].sum(),
            "battery discharged (MWh)": battery.sum(),
            "HVDC sent from steppe (MWh)": link_p0.clip(lower=0).sum(),
            "HVDC losses (MWh)": (link_p0 + link_p1).sum(),
            "line desert-city, max flow (MW)": line.abs().max(),
        }
    )


print(summary(n, result).to_string(float_format="{:,.1f}".format))
print()
print("mean prices (EUR/MWh):")
print(result.prices.mean().to_string(float_format="{:.2f}".format))
"""
    ),
    md(
        """
The gas plant runs exactly up to the cap (the cap binds), and the CO2 price is what one more
tonne of allowance would save. Desert and city share one price because the line never reaches
its 500 MW. The steppe's price is lower than the city's: steppe wind has no way out but the
cable, and the price difference pays for the cable's 4 % losses and, as congestion rent, for
the cable itself. An extendable cable is built up to the point where the rent it earns just
covers its capital cost, which [`caspian.analysis.market`][caspian.analysis.market] shows:
"""
    ),
    code(
        """
from caspian.analysis import market

cable = "steppe-city HVDC"
rent = market.congestion_rent(result).by_branch["rent"]
cable_cost = n.links.loc[cable, "capital_cost"] * result.capacity("Link")[cable]
print(f"congestion rent of the cable:  {rent[cable] / 1e3:,.1f} k EUR for the week")
print(f"its capital cost for the week: {cable_cost / 1e3:,.1f} k EUR")
print(f"congestion rent of the line:   {rent['desert-city'] / 1e3:,.1f} k EUR")
"""
    ),
    md(
        """
## 5. Change one assumption: a tighter CO2 cap

Halve the cap, to 50 t per hour on average, and solve again. `n.copy()` keeps the original
network unchanged for the comparison.
"""
    ),
    code(
        """
tight = n.copy()
tight.global_constraints.loc["co2 cap", "constant"] = CO2_CAP_T / 2
tight_result = caspian.optimize(tight)


def headline(n, result):
    capacity = pd.concat([result.capacity(c) for c in ("Generator", "StorageUnit", "Link")])
    extendable = ["steppe wind", "desert solar", "city battery", "steppe-city HVDC"]
    row = {"objective (k EUR)": result.objective / 1e3, "CO2 price (EUR/t)": result.co2_price}
    row.update({f"{name} (MW)": capacity[name] + 0.0 for name in extendable})
    row["city mean price (EUR/MWh)"] = result.prices["city"].mean()
    return pd.concat([pd.Series(row), summary(n, result)])


comparison = pd.DataFrame(
    {"cap 100 t/h": headline(n, result), "cap 50 t/h": headline(tight, tight_result)}
)
comparison["change"] = comparison["cap 50 t/h"] - comparison["cap 100 t/h"]
print(comparison.to_string(float_format="{:,.1f}".format))
"""
    ),
    md(
        """
Halving the cap halves gas output (21,000 MWh less, 8,400 t less CO2), and the optimisation
replaces it with more wind and solar, a larger HVDC cable and a battery that was not worth
building before. The week costs 467 k EUR more: about 56 EUR per tonne avoided on average, while
the CO2 price, the cost of the *last* tonne, rises from 7.7 to 158 EUR/t, and with it the city's
mean price. Curtailment more than triples: part of what the larger wind and solar fleet could
produce in good hours finds no use. The desert line now reaches its 500 MW.

## 6. Export to PyPSA

[`caspian.write_network`][caspian.network.write_network] writes the network as a PyPSA netCDF
file (or a PyPSA CSV folder, or caspian-grid's own folder format). Results are not written into
the network; `caspian solve` and [`write_result`][caspian.optimize.export.write_result] write
them to a results folder.
"""
    ),
    code(
        """
caspian.write_network(n, "three-buses.nc", format="pypsa-netcdf")

again = caspian.read_network("three-buses.nc")
print(again)
print(f"same objective after the round trip: {caspian.optimize(again).objective / 1e6:.3f} M EUR")
"""
    ),
    md(
        """
PyPSA (installed alongside caspian-grid here) opens the file. It keeps the `bidirectional`
column but does not use it: to PyPSA the cable is an ordinary link with `p_min_pu = -1`, which
loses 4 % forwards but *creates* energy when it runs backwards (see
[The HVDC loss model](../concepts/hvdc-losses.md)). In this network the cable only ever carries
power from the steppe to the city, so PyPSA finds the same optimum:
"""
    ),
    code(
        """
import logging

import pypsa

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)
pypsa.options.api.legacy_string_dtype = True

p = pypsa.Network("three-buses.nc")
print(p.links[["bus0", "bus1", "efficiency", "p_min_pu", "bidirectional"]].to_string())
reverse = (result.series("Link", "p0") < 0).to_numpy().sum()
print(f"hours of reverse flow in caspian-grid's result: {reverse}")

status, condition = p.optimize(
    solver_name="highs",
    include_objective_constant=False,
    progress=False,
    solver_options={"output_flag": False},
)
print(status, condition)
print(f"PyPSA objective: {p.objective / 1e6:.3f} M EUR")
print(f"caspian-grid:    {result.objective / 1e6:.3f} M EUR")
print(p.generators.p_nom_opt.round(1).to_string())
"""
    ),
    md(
        """
Where a cable does run both ways, the two tools answer differently on purpose; see
[Import from and export to PyPSA](../how-to/pypsa.md) and [For PyPSA users](../pypsa-users.md).
"""
    ),
]


NOTEBOOKS: dict[str, list[Cell]] = {"corridor-scenarios": CORRIDOR, "custom-network": CUSTOM}


def make_notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for index, (kind, source) in enumerate(cells):
        cell = (
            nbformat.v4.new_markdown_cell(source)
            if kind == "md"
            else nbformat.v4.new_code_cell(source)
        )
        cell["id"] = f"cell-{index:02d}"
        nb.cells.append(cell)
    return nb


def coalesce_streams(nb: nbformat.NotebookNode) -> None:
    """Merge consecutive stream outputs of a cell: how the kernel happened to flush its output
    would otherwise change the stored file from one run to the next."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list[nbformat.NotebookNode] = []
        for output in cell.outputs:
            last = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == output.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged


def check_outputs(stem: str, nb: nbformat.NotebookNode) -> list[str]:
    """Problems that would make the stored outputs unfit for the docs and the test."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            kind = output.output_type
            if kind == "stream" and output.name != "stdout":
                problems.append(f"{stem} cell {index}: stderr: {output.text[:300]}")
            elif kind == "error":
                problems.append(f"{stem} cell {index}: {output.ename}: {output.evalue}")
            elif kind in ("execute_result", "display_data"):
                extra = set(output.data) - TEXT_MIMES
                if extra:
                    problems.append(f"{stem} cell {index}: non-text output {sorted(extra)}")
    return problems


def build(stem: str) -> float:
    nb = make_notebook(NOTEBOOKS[stem])
    with tempfile.TemporaryDirectory(prefix=f"nb-{stem}-") as folder:
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": folder}},
            record_timing=False,
            allow_errors=True,
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    coalesce_streams(nb)
    problems = check_outputs(stem, nb)
    if problems:
        raise SystemExit("\n".join(problems))
    nbformat.validate(nb)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, OUT_DIR / f"{stem}.ipynb")
    return seconds


def main(argv: list[str]) -> None:
    stems = argv or list(NOTEBOOKS)
    unknown = [s for s in stems if s not in NOTEBOOKS]
    if unknown:
        raise SystemExit(f"unknown notebook {unknown[0]!r}; choose from {', '.join(NOTEBOOKS)}")
    for stem in stems:
        seconds = build(stem)
        print(f"{stem}: executed in {seconds:.1f} s -> {OUT_DIR / (stem + '.ipynb')}")


if __name__ == "__main__":
    main(sys.argv[1:])
