r"""Hourly wholesale price of an outside market, with a given annual mean.

.. math::

    p(t) = \lambda_y\, L_m\, e^{u(d)}\, W(d)\, \big[f(h, d) + \sigma\,\varepsilon(t)\big]\, J(t),

- :math:`L_m`: the month's level. For ``"south_east_europe"`` the mean of the 2024 day-ahead
  monthly averages of Romania (OPCOM) and Hungary (HUPX) from Ember's monthly series
  (source [S118] of ``caspian_data.md``; HUPX May/June/July 72.2/91.7/135.5 EUR/MWh as in
  [S119]): low in spring (61 EUR/MWh in April), the summer-evening premium of south-east Europe
  in July and August (140 and 124), high in November and December (166 and 143).
- :math:`u(d)`: a daily level anomaly (fuel, wind, hydro, imports): AR(1) over days with a
  5-day time scale and standard deviation 0.15, so monthly means scatter by about 8% between
  weather years.
- :math:`W(d)`: 1 on weekdays, 0.92 on Saturday, 0.82 on Sunday.
- :math:`f(h, d)`: the daily shape in local clock time, with daily mean 1: a night trough
  around 03:30, a morning peak at 08:00 (stronger in winter), a midday solar dip centred on solar
  noon (weak in December, deepest from April to August, and half as deep again on weekends), and
  an evening peak one hour after sunset (about 18:00 in December, 21:00 in June) whose height
  grows from winter to July, when the evening ramp sets the price.
- :math:`\varepsilon`: hourly noise, AR(1) with a 3-hour time scale, :math:`\sigma` = 0.08,
  and the solar dip's depth varies day to day (lognormal, 30%).
- :math:`J(t)`: spikes, about 0.3% of hours, mostly in the evening peak; each multiplies the
  price by 1.3 to 4.
- :math:`\lambda_y`: one factor per calendar year so the year's hourly mean equals
  ``annual_mean_eur_per_mwh`` exactly.

Prices are not clipped at zero: on sunny spring and summer weekends the midday solar dip can
push a few hours (typically 0.1-0.5% of the year) slightly below zero, as in the Romanian and
Hungarian day-ahead markets since 2023; they are floored at -10% of the annual mean.
Daylight saving time is not modelled: ``utc_offset_h`` is the market's standard-time offset
(2 for Romania, 1 for Hungary).

The ``"gas_dominated"`` profile (for neighbour markets without much solar, e.g. Russia or
Iran) is an assumption, not data: winter +15%, spring -10%, no solar dip, modest evening peak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from caspian.corridor.profiles.common import (
    check_seed,
    check_snapshots,
    choose,
    day_of_year,
    stream_rng,
    sunset_clock_hour,
    temporal_filter,
    year_slices,
)
from caspian.exceptions import InputError

# Day-ahead monthly averages 2024, EUR/MWh, Ember monthly wholesale price data [S118].
ROMANIA_2024 = (
    87.79, 69.72, 63.41, 60.05, 81.72, 97.81, 145.19, 126.86, 109.19, 89.96, 168.04, 141.13
)  # fmt: skip
HUNGARY_2024 = (
    85.85, 69.31, 65.06, 62.02, 72.28, 91.74, 135.57, 120.78, 105.85, 92.47, 163.71, 143.93
)  # fmt: skip
"""Hungary's January is the residual of the 2024 mean of monthly means (100.71) in [S118]."""


@dataclass(frozen=True)
class PriceShape:
    """Parameters of one market's price shape (see the module docstring).

    Amplitudes are relative to the daily mean; ``(winter, summer)`` pairs are interpolated by a
    cosine over the year, summer on 20 July.
    """

    monthly_level: tuple[float, ...]
    lat_deg: float
    lon_deg: float
    night_depth: float
    morning_peak: tuple[float, float]
    solar_dip: tuple[float, float]
    evening_peak: tuple[float, float]
    weekend: tuple[float, float] = (0.92, 0.82)
    weekend_solar_boost: float = 1.5
    daily_level_std: float = 0.15
    daily_level_tau_days: float = 5.0
    hourly_noise_std: float = 0.08
    hourly_noise_tau_h: float = 3.0
    solar_dip_variability: float = 0.30
    spike_share: float = 0.003
    floor_share_of_mean: float = -0.10


PRICE_SHAPES: dict[str, PriceShape] = {
    "south_east_europe": PriceShape(
        monthly_level=tuple((r + h) / 2.0 for r, h in zip(ROMANIA_2024, HUNGARY_2024, strict=True)),
        lat_deg=45.5,
        lon_deg=23.0,
        night_depth=0.22,
        morning_peak=(0.18, 0.06),
        solar_dip=(0.15, 0.62),
        evening_peak=(0.45, 1.05),
    ),
    "gas_dominated": PriceShape(
        monthly_level=(115, 112, 100, 90, 90, 100, 105, 105, 100, 100, 108, 115),
        lat_deg=50.0,
        lon_deg=45.0,
        night_depth=0.20,
        morning_peak=(0.10, 0.08),
        solar_dip=(0.0, 0.0),
        evening_peak=(0.25, 0.20),
        weekend=(0.95, 0.90),
        spike_share=0.001,
    ),
}


def market_price_profile(
    annual_mean_eur_per_mwh: float,
    snapshots: pd.DatetimeIndex,
    seed: int,
    utc_offset_h: float = 2.0,
    profile: str = "south_east_europe",
    market: str = "",
) -> pd.Series:
    """Hourly price (EUR/MWh) whose mean over each calendar year is ``annual_mean_eur_per_mwh``.

    Parameters
    ----------
    annual_mean_eur_per_mwh : time-weighted mean of the hourly prices in each calendar year.
    snapshots : tz-naive hourly UTC index of whole calendar years.
    seed : weather year; same seed, same output.
    utc_offset_h : the market's standard local time minus UTC (h), for the daily shape.
    profile : a key of :data:`PRICE_SHAPES`.
    market : optional name that salts the random streams, so that two markets priced with the
        same seed and profile do not share their noise.
    """
    snapshots = check_snapshots(snapshots)
    seed = check_seed(seed)
    shape = PRICE_SHAPES[choose(profile, PRICE_SHAPES, "profile")]
    mean = float(annual_mean_eur_per_mwh)
    if not 0.0 < mean < 1e4:
        raise InputError(
            f"annual mean price {annual_mean_eur_per_mwh!r} EUR/MWh must be positive and "
            f"below 10,000.",
            attribute="annual_mean_eur_per_mwh",
            value=annual_mean_eur_per_mwh,
            hint="Give the market's average day-ahead price, e.g. 103.4 for Romania in 2024.",
        )
    if not -12.0 <= float(utc_offset_h) <= 14.0:
        raise InputError(
            f"utc_offset_h {utc_offset_h!r} is outside [-12, 14].",
            attribute="utc_offset_h",
            value=utc_offset_h,
        )
    relative = _relative_price(shape, snapshots, seed, float(utc_offset_h), f"{profile}/{market}")
    floor = shape.floor_share_of_mean
    out = np.empty(len(snapshots))
    for _, rows in year_slices(snapshots):
        year = relative[rows]
        # The scale s with mean(max(s * year, floor)) = 1; the floor binds in a few hours only.
        scale = brentq(
            lambda s, year=year: float(np.maximum(s * year, floor).mean()) - 1.0,
            0.0,
            10.0 / max(float(year.mean()), 1e-3),
            xtol=1e-14,
        )
        prices = mean * np.maximum(scale * year, floor)
        out[rows] = prices * (mean / prices.mean())
    return pd.Series(out, index=snapshots, name="price_eur_per_mwh")


def _relative_price(
    shape: PriceShape, snapshots: pd.DatetimeIndex, seed: int, utc_offset_h: float, salt: str
) -> np.ndarray:
    """Price divided by the annual mean level, before the annual scaling, shape ``(T,)``.

    Each random component has its own stream, so the first years of a longer run equal a
    shorter run.
    """
    n_steps = len(snapshots)
    local = snapshots + pd.Timedelta(hours=utc_offset_h)
    clock = local.hour.to_numpy(float) + 0.5
    doy = day_of_year(snapshots)
    summer = 0.5 * (1.0 + np.cos(2.0 * np.pi * (doy - 201.0) / 365.25))

    def blend(pair: tuple[float, float]) -> np.ndarray:
        return pair[0] + (pair[1] - pair[0]) * summer

    weekday = local.day_of_week.to_numpy()
    weekend = np.where(weekday == 5, shape.weekend[0], np.where(weekday == 6, shape.weekend[1], 1))
    solar_boost = np.where(weekday >= 5, shape.weekend_solar_boost, 1.0)

    def draw(name: str) -> np.random.Generator:
        return stream_rng(seed, f"market-price/{salt}/{name}")

    day_index = (np.arange(n_steps) + utc_offset_h) // 24
    day_index = (day_index - day_index.min()).astype(int)
    n_days = int(day_index.max()) + 1
    daily_level = (
        shape.daily_level_std
        * temporal_filter(
            draw("level").standard_normal((n_days, 1)), shape.daily_level_tau_days, smooth=False
        )[:, 0]
    )
    dip_noise = np.exp(
        shape.solar_dip_variability * draw("solar-dip").standard_normal(n_days)
        - 0.5 * shape.solar_dip_variability**2
    )
    hourly = (
        shape.hourly_noise_std
        * temporal_filter(
            draw("hourly").standard_normal((n_steps, 1)), shape.hourly_noise_tau_h, smooth=False
        )[:, 0]
    )
    spikes = draw("spike").random(n_steps)
    spike_size = np.minimum(draw("spike-size").exponential(0.8, n_steps), 2.7)

    solar_noon = 12.0 - shape.lon_deg / 15.0 + utc_offset_h
    sunset = sunset_clock_hour(doy, shape.lat_deg, shape.lon_deg, utc_offset_h)
    evening = _bump(clock, sunset + 1.0, 1.5)
    daily = (
        -shape.night_depth * _bump(clock, 3.5, 2.0)
        + blend(shape.morning_peak) * _bump(clock, 8.0, 1.3)
        - blend(shape.solar_dip)
        * solar_boost
        * dip_noise[day_index]
        * _bump(clock, solar_noon, 2.4)
        + blend(shape.evening_peak) * evening
    )
    # Daily mean of the shape is 1 whatever the day's amplitudes.
    day_sum = np.bincount(day_index, weights=daily, minlength=n_days)
    day_hours = np.bincount(day_index, minlength=n_days)
    f = 1.0 + daily - (day_sum / day_hours)[day_index]

    spike_probability = shape.spike_share * (0.3 + 2.0 * evening)
    jumps = np.where(spikes < spike_probability, 1.3 + spike_size, 1.0)
    month_level = np.asarray(shape.monthly_level, float)[snapshots.month.to_numpy() - 1]
    level = month_level / np.mean(shape.monthly_level) * np.exp(daily_level[day_index]) * weekend
    return level * (f + hourly) * jumps


def _bump(clock: np.ndarray, centre: np.ndarray | float, width_h: float) -> np.ndarray:
    """Gaussian bump in clock hours, distance taken around the 24-hour circle."""
    distance = np.mod(clock - centre + 12.0, 24.0) - 12.0
    return np.exp(-0.5 * (distance / width_h) ** 2)
