"""Print how the synthetic profiles compare with the figures of ``caspian_data.md``.

    .venv/bin/python -m bench.profiles_report [--year 2030] [--seeds 0,1,2]

Sites and targets are the data file's observed or developer-stated capacity factors (section
2.3); demand nodes its national energy and peak (section 1); the price the 2024 Romanian
day-ahead mean (section 5.6). Tables are per seed-averaged weather year unless marked; times
are wall-clock on this machine and are not asserted anywhere.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from caspian.corridor.profiles import (
    demand_profiles,
    market_price_profile,
    solar_profiles,
    wind_profiles,
)
from caspian.corridor.profiles.common import positions_km
from caspian.corridor.profiles.prices import HUNGARY_2024, ROMANIA_2024

SOLAR = pd.DataFrame(
    {
        "lat": [40.4, 37.7, 40.1, 37.7],
        "lon": [49.9, 67.0, 65.4, 67.0],
        "capacity_factor": [0.25, 0.26, 0.33, 0.26],
        "tracking": [False, False, False, True],
        "utc_offset_h": [4, 5, 5, 5],
    },
    index=["Baku (Garadagh)", "Sherabad", "Navoi", "Sherabad, tracker"],
)
WIND = pd.DataFrame(
    {
        "lat": [40.4, 40.3, 43.65, 43.5, 40.3],
        "lon": [49.9, 50.3, 51.2, 71.5, 64.0],
        "capacity_factor": [0.46, 0.45, 0.40, 0.39, 0.38],
        "offshore": [False, True, False, False, False],
        "utc_offset_h": [4, 4, 5, 5, 5],
    },
    index=["Baku (Khizi-Absheron)", "Absheron offshore", "Aktau", "Zhambyl", "Bukhara (Bash)"],
)
# Energy and peak from section 1 of caspian_data.md (AZ: 2024 consumption with the 2025 record
# peak; KZ: 2023 consumption and 2023/24 winter peak; UZ: 2024 generation with the July 2023
# peak; GE: ~14 TWh with the GK winter peak of ~2.5 GW).
DEMAND = pd.DataFrame(
    {
        "annual_twh": [24.1, 115.0, 81.5, 14.0],
        "peak_mw": [4871.0, 16600.0, 12300.0, 2500.0],
        "peak_season": ["summer", "winter", "summer", "winter"],
        "lat": [40.4, 49.8, 41.3, 41.7],
        "lon": [49.9, 73.1, 69.2, 44.8],
        "utc_offset_h": [4.0, 5.0, 5.0, 4.0],
    },
    index=["AZ", "KZ", "UZ", "GE"],
)
EU_PRICE_MEAN = 103.4
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2030)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated weather seeds")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    snapshots = pd.date_range(f"{args.year}-01-01", f"{args.year}-12-31 23:00", freq="h")
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)

    print(f"Synthetic profiles for {args.year}, weather seeds {seeds}\n")
    timing = _timing(snapshots)
    solar = {seed: solar_profiles(SOLAR, snapshots, seed) for seed in seeds}
    wind = {seed: wind_profiles(WIND, snapshots, seed) for seed in seeds}
    _report_solar(solar)
    _report_wind(wind, seeds[0])
    _report_demand({seed: demand_profiles(DEMAND, snapshots, seed) for seed in seeds})
    _report_price({seed: market_price_profile(EU_PRICE_MEAN, snapshots, seed) for seed in seeds})
    print(timing)


def _title(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 92 - len(text)))


def _local_hour_profile(series: pd.DataFrame, offsets: pd.Series) -> pd.DataFrame:
    """Mean by local clock hour (standard time) per column."""
    columns = {}
    for name in series:
        local = series[name].copy()
        local.index = pd.DatetimeIndex(local.index) + pd.Timedelta(hours=float(offsets[str(name)]))
        columns[name] = local.groupby(pd.DatetimeIndex(local.index).hour).mean()
    return pd.DataFrame(columns).T


def _monthly(series: dict[int, pd.DataFrame]) -> pd.DataFrame:
    stacked = pd.concat(series.values())
    table = stacked.groupby(pd.DatetimeIndex(stacked.index).month).mean().T
    table.columns = MONTHS
    return table


def _report_solar(solar: dict[int, pd.DataFrame]) -> None:
    _title("Solar PV: capacity factor (AC), target vs achieved")
    rows = []
    for site, target in SOLAR["capacity_factor"].items():
        achieved = [float(frame[site].mean()) for frame in solar.values()]
        knobs = [frame.attrs["calibration"][site][0] for frame in solar.values()]
        rows.append(
            {
                "site": site,
                "target": target,
                "achieved (min..max over seeds)": f"{min(achieved):.4f}..{max(achieved):.4f}",
                "annual GHI/clear-sky": np.mean([k["clear_sky_index"] for k in knobs]),
                "DC/AC ratio": np.mean([k["dc_ac_ratio"] for k in knobs]),
                "max": max(float(frame[site].max()) for frame in solar.values()),
            }
        )
    print(pd.DataFrame(rows).set_index("site").round(3).to_string())
    _title("Solar PV: monthly capacity factor (mean over seeds)")
    print(_monthly(solar).round(3).to_string())
    _title("Solar PV: mean output by local clock hour (UTC+4 Baku, UTC+5 Uzbekistan)")
    shape = _local_hour_profile(pd.concat(solar.values()), SOLAR["utc_offset_h"])
    print(shape.loc[:, 4:20].round(2).to_string())


def _report_wind(wind: dict[int, pd.DataFrame], first_seed: int) -> None:
    _title("Wind: capacity factor, target vs achieved, persistence")
    rows = []
    for site, target in WIND["capacity_factor"].items():
        achieved = [float(frame[site].mean()) for frame in wind.values()]
        speeds = [frame.attrs["calibration"][site][0]["mean_speed_m_s"] for frame in wind.values()]
        rows.append(
            {
                "site": site,
                "target": target,
                "achieved (min..max)": f"{min(achieved):.4f}..{max(achieved):.4f}",
                "mean speed m/s": np.mean(speeds),
                "acf 1h": np.mean([frame[site].autocorr(1) for frame in wind.values()]),
                "acf 24h": np.mean([frame[site].autocorr(24) for frame in wind.values()]),
                "acf 72h": np.mean([frame[site].autocorr(72) for frame in wind.values()]),
                "hours <5%": np.mean([(frame[site] < 0.05).mean() for frame in wind.values()]),
                "hours >80%": np.mean([(frame[site] > 0.8).mean() for frame in wind.values()]),
                "ramp std": np.mean([frame[site].diff().std() for frame in wind.values()]),
            }
        )
    print(pd.DataFrame(rows).set_index("site").round(3).to_string())
    _title("Wind: monthly capacity factor (mean over seeds)")
    print(_monthly(wind).round(3).to_string())
    _title("Wind: mean output by local clock hour")
    shape = _local_hour_profile(pd.concat(wind.values()), WIND["utc_offset_h"])
    print(shape.loc[:, ::2].round(3).to_string())
    _title(f"Wind: hourly correlation between sites (seed {first_seed}) and distance (km)")
    positions = positions_km(WIND["lat"].to_numpy(), WIND["lon"].to_numpy())
    distance = np.linalg.norm(positions[:, None, :] - positions[None, :, :], axis=2)
    corr = wind[first_seed].corr().to_numpy()
    pairs = [
        (WIND.index[i], WIND.index[j], distance[i, j], corr[i, j])
        for i in range(len(WIND))
        for j in range(i + 1, len(WIND))
    ]
    table = pd.DataFrame(pairs, columns=["site", "other", "km", "corr"]).sort_values("km")
    print(table.round({"km": 0, "corr": 2}).to_string(index=False))


def _report_demand(demand: dict[int, pd.DataFrame]) -> None:
    _title("Demand: energy, peak, load factor, peak timing")
    rows = []
    for node, row in DEMAND.iterrows():
        series = [frame[node] for frame in demand.values()]
        shift = pd.Timedelta(hours=row["utc_offset_h"])
        peaks = [pd.Timestamp(str(s.idxmax())) + shift for s in series]
        local = series[0].copy()
        local.index = local.index + pd.Timedelta(hours=row["utc_offset_h"])
        weekday = pd.DatetimeIndex(local.index).day_of_week
        rows.append(
            {
                "node": node,
                "TWh target": row["annual_twh"],
                "TWh achieved": series[0].sum() / 1e6,
                "peak MW target": row["peak_mw"],
                "peak MW achieved": series[0].max(),
                "load factor": series[0].mean() / series[0].max(),
                "peak (local) per seed": ", ".join(p.strftime("%d %b %H:00") for p in peaks),
                "weekday/weekend": local[weekday < 5].mean() / local[weekday >= 5].mean(),
            }
        )
    print(pd.DataFrame(rows).set_index("node").round(3).to_string())
    _title("Demand: monthly mean / annual mean (mean over seeds)")
    monthly = _monthly(demand)
    print(monthly.div(monthly.mean(axis=1), axis=0).round(3).to_string())
    stacked = pd.concat(demand.values())
    for month in (1, 7):
        _title(f"Demand: {MONTHS[month - 1]} mean by local clock hour / {MONTHS[month - 1]} mean")
        sub = stacked[pd.DatetimeIndex(stacked.index).month == month]
        shape = _local_hour_profile(sub, DEMAND["utc_offset_h"])
        print(shape.div(shape.mean(axis=1), axis=0).loc[:, ::2].round(2).to_string())


def _report_price(prices: dict[int, pd.Series]) -> None:
    _title(f"EU landing price (south-east Europe shape), mean {EU_PRICE_MEAN} EUR/MWh")
    frame = pd.DataFrame(prices)
    monthly = frame.groupby(pd.DatetimeIndex(frame.index).month).mean()
    monthly.index = MONTHS
    observed = pd.DataFrame({"RO 2024": ROMANIA_2024, "HU 2024": HUNGARY_2024}, index=MONTHS)
    table = pd.concat([observed, monthly.add_prefix("seed ")], axis=1)
    print(table.round(1).T.to_string())
    stats = pd.DataFrame(
        {
            "annual mean": frame.mean(),
            "min": frame.min(),
            "max": frame.max(),
            "hours < 0": (frame < 0).sum(),
            "p99": frame.quantile(0.99),
        }
    )
    print(stats.round(2).to_string())
    local = frame.copy()
    local.index = local.index + pd.Timedelta(hours=2)
    _title("EU price: mean by local hour (UTC+2), EUR/MWh (mean over seeds)")
    rows = {}
    for month in (1, 4, 5, 7, 11):
        sub = local[pd.DatetimeIndex(local.index).month == month].mean(axis=1)
        rows[MONTHS[month - 1]] = sub.groupby(pd.DatetimeIndex(sub.index).hour).mean()
    print(pd.DataFrame(rows).T.round(0).astype(int).to_string())
    weekday = pd.DatetimeIndex(local.index).day_of_week
    ratio = local[weekday < 5].mean().mean() / local[weekday >= 5].mean().mean()
    print(f"weekday / weekend mean price: {ratio:.3f}")


def _timing(snapshots: pd.DatetimeIndex) -> str:
    """Wall-clock time to generate one year for ten sites of each kind."""
    rng = np.random.default_rng(0)
    sites = pd.DataFrame(
        {
            "lat": rng.uniform(37.0, 52.0, 10),
            "lon": rng.uniform(47.0, 80.0, 10),
            "capacity_factor": 0.2,
        },
        index=[f"site {i}" for i in range(10)],
    )
    timings = []
    for name, make, table in (
        ("solar", solar_profiles, sites),
        ("wind", wind_profiles, sites.assign(capacity_factor=0.38)),
        (
            "demand",
            demand_profiles,
            sites.assign(annual_twh=10.0, peak_mw=1700.0, peak_season="winter", utc_offset_h=5.0),
        ),
    ):
        start = time.perf_counter()
        make(table, snapshots, 0)
        timings.append(f"{name} {time.perf_counter() - start:.2f} s")
    return "\nTime for one year x 10 sites (this machine): " + ", ".join(timings)


if __name__ == "__main__":
    main()
