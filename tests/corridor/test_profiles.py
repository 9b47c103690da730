"""Synthetic hourly profiles: calibration, shape, correlation, determinism and input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caspian.corridor.profiles import (
    demand_profiles,
    market_price_profile,
    solar_profiles,
    wind_profiles,
)
from caspian.corridor.profiles.common import positions_km
from caspian.corridor.profiles.demand import fit_load_factor
from caspian.exceptions import InputError


def year(y: int, n_years: int = 1) -> pd.DatetimeIndex:
    return pd.date_range(f"{y}-01-01", f"{y + n_years - 1}-12-31 23:00", freq="h")


SNS = year(2030)

SOLAR_SITES = pd.DataFrame(
    {
        "lat": [40.4, 37.7, 40.1, 51.2, 37.7],
        "lon": [49.9, 67.0, 65.4, 71.4, 67.0],
        "capacity_factor": [0.25, 0.26, 0.33, 0.15, 0.26],
        "tracking": [False, False, False, False, True],
    },
    index=["Baku", "Sherabad", "Navoi", "Astana", "Sherabad tracker"],
)
WIND_SITES = pd.DataFrame(
    {
        "lat": [40.4, 40.3, 43.65, 43.5, 40.3],
        "lon": [49.9, 50.3, 51.2, 71.5, 64.0],
        "capacity_factor": [0.46, 0.45, 0.40, 0.39, 0.38],
        "offshore": [False, True, False, False, False],
    },
    index=["Baku", "Baku offshore", "Aktau", "Zhambyl", "Bukhara"],
)
NODES = pd.DataFrame(
    {
        "annual_twh": [27.0, 75.5, 14.0],
        "peak_mw": [4871.0, 11000.0, 2500.0],
        "peak_season": ["summer", "winter", "winter"],
        "lat": [40.4, 51.2, 41.7],
        "lon": [49.9, 71.4, 44.8],
        "utc_offset_h": [4.0, 5.0, 4.0],
    },
    index=["AZ", "KZ-N", "GE"],
)


@pytest.fixture(scope="module", params=[0, 7])
def solar(request: pytest.FixtureRequest) -> pd.DataFrame:
    return solar_profiles(SOLAR_SITES, SNS, seed=request.param)


@pytest.fixture(scope="module", params=[0, 7])
def wind(request: pytest.FixtureRequest) -> pd.DataFrame:
    return wind_profiles(WIND_SITES, SNS, seed=request.param)


@pytest.fixture(scope="module")
def demand() -> pd.DataFrame:
    return demand_profiles(NODES, year(2030, 2), seed=3)


@pytest.fixture(scope="module")
def price() -> pd.Series:
    return market_price_profile(103.4, year(2030, 2), seed=5)


def local_solar_hour(index: pd.DatetimeIndex, lon: float) -> np.ndarray:
    return np.mod(index.hour.to_numpy() + 0.5 + lon / 15.0, 24.0)


# ---------------------------------------------------------------- solar


def test_solar_capacity_factor_matches_target(solar: pd.DataFrame) -> None:
    np.testing.assert_allclose(solar.mean(), SOLAR_SITES["capacity_factor"], rtol=1e-4)
    assert solar.to_numpy().min() >= 0.0
    assert solar.to_numpy().max() <= 1.0


def test_solar_is_zero_at_night_and_peaks_at_solar_noon(solar: pd.DataFrame) -> None:
    for site, row in SOLAR_SITES.iterrows():
        hour = local_solar_hour(solar.index, row["lon"])
        night = (hour < 3.5) | (hour > 20.5)
        assert (solar.loc[night, site] == 0.0).all()
        if row["tracking"]:
            continue
        profile = solar[site].groupby(np.floor(hour)).mean()
        centroid = float((profile * (profile.index + 0.5)).sum() / profile.sum())
        assert abs(centroid - 12.0) < 0.5, (site, centroid)


def test_solar_is_higher_in_summer_than_in_winter(solar: pd.DataFrame) -> None:
    monthly = solar.groupby(solar.index.month).mean()
    assert (monthly.loc[[6, 7]].mean() > 1.5 * monthly.loc[[12, 1]].mean()).all()


def test_solar_calibration_knobs_are_reported_and_plausible(solar: pd.DataFrame) -> None:
    knobs = {site: entries[0] for site, entries in solar.attrs["calibration"].items()}
    assert knobs["Astana"]["dc_ac_ratio"] == pytest.approx(1.25)
    assert 0.55 < knobs["Astana"]["clear_sky_index"] < knobs["Baku"]["clear_sky_index"] < 0.9
    # Navoi's 0.33 needs more than the clearest plausible sky: the DC/AC ratio takes the rest.
    assert knobs["Navoi"]["dc_ac_ratio"] > 1.5


def test_nearby_solar_sites_share_their_clouds() -> None:
    sites = pd.DataFrame(
        {"lat": [40.1, 40.2, 40.4], "lon": [65.4, 65.6, 49.9], "capacity_factor": 0.22},
        index=["Navoi", "Navoi east", "Baku"],
    )
    daily = solar_profiles(sites, SNS, seed=1).resample("D").mean()
    anomaly = daily - daily.rolling(31, center=True, min_periods=1).mean()
    corr = anomaly.corr()
    assert corr.loc["Navoi", "Navoi east"] > 0.8
    assert corr.loc["Navoi", "Baku"] < 0.4


# ---------------------------------------------------------------- wind


def test_wind_capacity_factor_matches_target(wind: pd.DataFrame) -> None:
    np.testing.assert_allclose(wind.mean(), WIND_SITES["capacity_factor"], rtol=1e-6)
    assert wind.to_numpy().min() >= 0.0
    assert wind.to_numpy().max() <= 1.0


def test_wind_autocorrelation_at_one_day_is_plausible(wind: pd.DataFrame) -> None:
    for site in wind:
        assert 0.3 < wind[site].autocorr(24) < 0.7, site
        assert wind[site].autocorr(1) > 0.95, site


def test_wind_correlation_falls_with_distance() -> None:
    lons = [51.0, 51.5, 55.5, 60.0, 69.0]
    sites = pd.DataFrame(
        {"lat": 43.0, "lon": lons, "capacity_factor": 0.4}, index=[f"s{i}" for i in range(5)]
    )
    positions = positions_km(sites["lat"].to_numpy(), sites["lon"].to_numpy())
    distance = np.linalg.norm(positions - positions[0], axis=1)
    np.testing.assert_allclose(distance[1:], [41, 366, 731, 1458], atol=1.0)
    for seed in (0, 1):
        corr = wind_profiles(sites, SNS, seed=seed).corr().iloc[0, 1:].to_numpy()
        assert (np.diff(corr) < 0).all(), corr
        assert corr[0] > 0.7
        assert corr[-1] < 0.2


def test_wind_is_windier_in_winter_and_offshore_has_a_weaker_daily_cycle() -> None:
    series = wind_profiles(WIND_SITES, year(2030, 3), seed=2)
    monthly = series.groupby(series.index.month).mean()
    winter, late_summer = monthly.loc[[12, 1, 2, 3]].mean(), monthly.loc[[7, 8, 9]].mean()
    assert (winter > late_summer).all()
    assert winter.mean() > late_summer.mean() + 0.05
    hourly = series.groupby(series.index.hour).mean()
    swing = hourly.max() - hourly.min()
    assert swing["Baku offshore"] < 0.5 * swing["Baku"]
    # Onshore maximum in the afternoon (solar time 12-18 h; Baku is UTC+3.3 h in solar time).
    assert 12 <= (hourly["Baku"].idxmax() + 0.5 + 49.9 / 15) % 24 <= 18


def test_each_year_of_a_multi_year_run_is_calibrated_and_the_first_matches_a_single_year() -> None:
    both = wind_profiles(WIND_SITES.iloc[:2], year(2031, 2), seed=4)
    np.testing.assert_allclose(both.groupby(both.index.year).mean(), [[0.46, 0.45]] * 2, rtol=1e-6)
    single = wind_profiles(WIND_SITES.iloc[:2], year(2031), seed=4)
    pd.testing.assert_frame_equal(both.loc["2031"], single, check_freq=False)


def test_a_site_sees_the_same_weather_whatever_else_is_generated_with_it() -> None:
    alone = wind_profiles(WIND_SITES.loc[["Aktau"]], SNS, seed=9)
    together = wind_profiles(WIND_SITES.iloc[::-1], SNS, seed=9)
    pd.testing.assert_series_equal(alone["Aktau"], together["Aktau"])
    alone = solar_profiles(SOLAR_SITES.loc[["Baku"]], SNS, seed=9)
    together = solar_profiles(SOLAR_SITES.iloc[:2], SNS, seed=9)
    pd.testing.assert_series_equal(alone["Baku"], together["Baku"])


# ---------------------------------------------------------------- demand


def test_demand_reproduces_energy_and_peak_each_year(demand: pd.DataFrame) -> None:
    by_year = demand.groupby(demand.index.year)
    for _, energy in by_year.sum().iterrows():
        np.testing.assert_allclose(energy / 1e6, NODES["annual_twh"], rtol=1e-9)
    for _, peak in by_year.max().iterrows():
        np.testing.assert_allclose(peak, NODES["peak_mw"], rtol=1e-9)
    assert demand.to_numpy().min() > 0.0


def test_demand_peaks_in_its_season_at_a_plausible_local_hour(demand: pd.DataFrame) -> None:
    for node, row in NODES.iterrows():
        for _, series in demand[node].groupby(demand.index.year):
            when = series.idxmax() + pd.Timedelta(hours=row["utc_offset_h"])
            if row["peak_season"] == "summer":
                assert when.month in (6, 7, 8) and 12 <= when.hour <= 18, (node, when)
            else:
                assert when.month in (12, 1, 2) and 16 <= when.hour <= 21, (node, when)


def test_demand_is_higher_on_weekdays_and_in_its_peak_season(demand: pd.DataFrame) -> None:
    local = demand["AZ"].copy()
    local.index = local.index + pd.Timedelta(hours=4)
    weekday = local.index.day_of_week
    assert local[weekday < 5].mean() > 1.02 * local[weekday >= 5].mean()
    monthly = demand.groupby(demand.index.month).mean()
    assert monthly.loc[[7, 8], "AZ"].mean() > monthly.loc[[4, 10], "AZ"].mean()
    assert monthly.loc[[12, 1], "KZ-N"].mean() > 1.1 * monthly.loc[[6, 7], "KZ-N"].mean()


@settings(max_examples=40, deadline=None)
@given(
    load_factor=st.floats(0.3, 0.95),
    values=st.lists(st.floats(0.05, 10.0), min_size=24, max_size=200),
)
def test_fit_load_factor_gives_unit_peak_and_the_load_factor(
    load_factor: float, values: list[float]
) -> None:
    shape = np.asarray(values)
    assume(np.ptp(shape) >= 1e-6)  # a flat shape has one load factor, 1
    fitted = fit_load_factor(shape, load_factor)
    assert fitted.max() == pytest.approx(1.0, rel=1e-12)
    assert fitted.mean() == pytest.approx(load_factor, rel=1e-9)
    assert fitted.min() > 0.0
    # The peak stays where it was (compared by value: near-ties may round either way).
    assert fitted[np.argmax(shape)] == pytest.approx(1.0, rel=1e-12)


def test_demand_in_a_leap_year_keeps_the_annual_energy() -> None:
    series = demand_profiles(NODES.iloc[:1], year(2032), seed=0)["AZ"]
    assert len(series) == 8784
    assert series.sum() / 1e6 == pytest.approx(27.0, rel=1e-9)
    assert series.max() == pytest.approx(4871.0, rel=1e-9)


# ---------------------------------------------------------------- market price


def test_price_mean_is_exact_each_year(price: pd.Series) -> None:
    for _, mean in price.groupby(price.index.year).mean().items():
        assert mean == pytest.approx(103.4, rel=1e-12)
    assert (price >= -10.34 - 1e-9).all()
    assert (price < 0).mean() < 0.01


def test_price_has_the_south_east_european_shape(price: pd.Series) -> None:
    local = price.copy()
    local.index = local.index + pd.Timedelta(hours=2)
    months = local.groupby(local.index.month).mean()
    assert months[7] > 1.5 * months[5]
    assert months[[1, 11, 12]].mean() > months[[3, 4, 5]].mean()

    def evening_premium(month: int) -> float:
        sub = local[local.index.month == month]
        return float(sub[sub.index.hour.isin([19, 20, 21])].mean() - sub.mean())

    assert evening_premium(7) > evening_premium(5) > 0
    summer = local[local.index.month.isin([5, 6, 7, 8])]
    by_hour = summer.groupby(summer.index.hour).mean()
    assert by_hour[11:15].mean() < 0.7 * summer.mean()  # solar midday dip
    weekday = local.index.day_of_week
    assert local[weekday < 5].mean() > local[weekday >= 5].mean()


# ---------------------------------------------------------------- determinism


def test_same_seed_same_output_and_different_seeds_differ() -> None:
    sites = SOLAR_SITES.iloc[:2]
    pd.testing.assert_frame_equal(solar_profiles(sites, SNS, 1), solar_profiles(sites, SNS, 1))
    assert not np.allclose(solar_profiles(sites, SNS, 1), solar_profiles(sites, SNS, 2))
    pd.testing.assert_frame_equal(
        wind_profiles(WIND_SITES, SNS, 1), wind_profiles(WIND_SITES, SNS, 1)
    )
    assert not np.allclose(wind_profiles(WIND_SITES, SNS, 1), wind_profiles(WIND_SITES, SNS, 2))
    pd.testing.assert_frame_equal(demand_profiles(NODES, SNS, 1), demand_profiles(NODES, SNS, 1))
    assert not np.allclose(demand_profiles(NODES, SNS, 1), demand_profiles(NODES, SNS, 2))
    pd.testing.assert_series_equal(
        market_price_profile(90.0, SNS, 1), market_price_profile(90.0, SNS, 1)
    )
    assert not np.allclose(market_price_profile(90.0, SNS, 1), market_price_profile(90.0, SNS, 2))
    assert not np.allclose(
        market_price_profile(90.0, SNS, 1, market="EU"), market_price_profile(90.0, SNS, 1)
    )


def test_different_seeds_are_statistically_similar_years() -> None:
    stats = []
    for seed in range(3):
        series = wind_profiles(WIND_SITES.loc[["Aktau"]], SNS, seed)["Aktau"]
        stats.append((series.std(), (series < 0.05).mean(), series.autocorr(24)))
    spread = np.ptp(np.asarray(stats), axis=0)
    assert (spread < [0.03, 0.05, 0.15]).all(), stats


# ---------------------------------------------------------------- input errors


def test_misspelt_column_gets_a_did_you_mean() -> None:
    sites = WIND_SITES.rename(columns={"capacity_factor": "capacity_factr"})
    with pytest.raises(InputError, match=r"missing column 'capacity_factor'.*Did you mean"):
        wind_profiles(sites, SNS, 0)


def test_snapshots_must_be_whole_hourly_years() -> None:
    with pytest.raises(InputError, match="whole calendar years"):
        wind_profiles(WIND_SITES, SNS[:-1], 0)
    with pytest.raises(InputError, match="tz-naive"):
        wind_profiles(WIND_SITES, SNS.tz_localize("UTC"), 0)


def test_bad_values_are_named() -> None:
    with pytest.raises(InputError, match=r"sites\.capacity_factor.*'Baku'.*outside"):
        solar_profiles(SOLAR_SITES.assign(capacity_factor=0.9), SNS, 0)
    with pytest.raises(InputError, match=r"unknown peak_season 'sumer'.*Did you mean 'summer'"):
        demand_profiles(NODES.assign(peak_season="sumer"), SNS, 0)
    with pytest.raises(InputError, match=r"load factor .* at 'AZ'"):
        demand_profiles(NODES.assign(peak_mw=1000.0), SNS, 0)
    with pytest.raises(InputError, match=r"unknown profile 'south_east_europ'.*Did you mean"):
        market_price_profile(100.0, SNS, 0, profile="south_east_europ")
    with pytest.raises(InputError, match="seed must be a non-negative integer"):
        wind_profiles(WIND_SITES, SNS, -1)
    with pytest.raises(InputError, match=r"offshore.*not true or false"):
        wind_profiles(WIND_SITES.assign(offshore="maybe"), SNS, 0)
