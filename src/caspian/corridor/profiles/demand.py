r"""Hourly electricity demand from annual energy and peak, with season, week and daily patterns.

A relative shape is built first, then mapped so that each calendar year's energy and maximum
are exactly the node's ``annual_twh`` and ``peak_mw``.

Shape, per node and hour, in local clock time (UTC + ``utc_offset_h``, no daylight saving):

.. math::

    s = \big(W(d)\,[B(h)\,(1 + k_D D(d)) + \ell(d)\,\mathrm{bump}(h - h_{sunset} - 0.5)]
        + k_H H(t)\,S_H(h) + k_C C(t)\,S_C(h)\big)\,(1 + \epsilon(t)),

- :math:`B(h)`: a weekday base curve with a night trough at 04:00, a morning ramp to 09:00, a
  plateau to 17:00 and a decline through the evening. :math:`D(d)` is 1 at the winter solstice
  and 0 at midsummer (long nights: lighting hours, indoor activity). A lighting bump (width
  1.2 h) half an hour after sunset, :math:`\ell = 0.10\,(1 + D)`, puts the winter evening peak
  at 17:00-18:00 and moves the summer one to about 21:00.
- :math:`W(d)`: 1 on weekdays, 0.94 on Saturday, 0.89 on Sunday and on 1-2 January.
- :math:`H, C`: heating and cooling indices, :math:`\max(0, 16 - T)` and :math:`\max(0, T - 20)`
  in degC, each divided by its value in an average January (July afternoon) so that they are
  about 1 there whatever the climate. :math:`T` is the climatological temperature of
  :func:`~caspian.corridor.profiles.common.climate_temperature_c` with half its diurnal swing
  (buildings lag the air) plus a weather anomaly: a smooth Gaussian field with 1,000 km
  e-folding and a 2-day time scale, standard deviation 5 degC in January and 3 degC in July, so
  cold and hot spells hit neighbours together. A mild winter followed by a cold March can still
  move a winter node's annual peak into March (one seed in eight for Kazakhstan).
- :math:`S_H` peaks in the morning and evening; :math:`S_C` in the afternoon (15:00-16:00).
- Winter-peaking nodes (KZ, GE): :math:`k_H = 0.45, k_C = 0.05, k_D = 0.12`. Summer-peaking
  nodes (AZ, UZ, TM): :math:`k_H = 0.15, k_C = 0.45, k_D = 0.05`, so the air-conditioning
  afternoon of a hot July or August day sets the peak and winter stays high.
- :math:`\epsilon`: 1.5% noise, AR(1) with a 4-hour time scale.

Calibration, each calendar year, with :math:`x = s / \max s` (so :math:`\max x = 1`) and
target load factor :math:`LF = E / (P \cdot 8760)` (8784 in leap years):

- :math:`LF \ge \bar x`: :math:`d = P\,(\alpha + (1 - \alpha) x)` with
  :math:`\alpha = (LF - \bar x)/(1 - \bar x)`, i.e. a flat industrial block added under a
  scaled-down shape;
- :math:`LF < \bar x`: :math:`d = P\,x^{\gamma}` with :math:`\gamma > 1` solved (Brent) so the
  mean is :math:`LF`: a more contrasted shape.

Both keep the peak hour where the shape puts it and reproduce energy and peak to rounding error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from caspian.corridor.profiles.common import (
    check_seed,
    check_snapshots,
    check_table,
    choose,
    climate_normals_c,
    climate_temperature_c,
    day_of_year,
    gaussian_field,
    positions_km,
    seasonal_cosine,
    solar_hour,
    stream_rng,
    sunset_clock_hour,
    temporal_filter,
    year_slices,
)
from caspian.exceptions import InputError

# (heating k_H, cooling k_C, darkness k_D) by peak season.
SEASON_WEIGHTS = {"winter": (0.45, 0.05, 0.12), "summer": (0.15, 0.45, 0.05)}
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.94, 0.89])
HOLIDAY_FACTOR = 0.89
LIGHTING_AMPLITUDE, LIGHTING_WIDTH_H = 0.10, 1.2
LIGHTING_WINTER_BOOST = 1.0
HEATING_BASE_C, COOLING_BASE_C = 16.0, 20.0
ANOMALY_STD_C = {"summer": 3.0, "winter": 5.0}
ANOMALY_LENGTH_KM, ANOMALY_TAU_H, ANOMALY_FEATURES = 1000.0, 48.0, 128
NOISE_STD, NOISE_TAU_H = 0.015, 4.0
LOAD_FACTOR_RANGE = (0.3, 0.95)

# Weekday base curve by local clock hour 00..23 (relative), before lighting.
_BASE = np.array(
    [0.78, 0.73, 0.70, 0.68, 0.67, 0.69, 0.75, 0.85, 0.93, 0.97, 0.98, 0.98,
     0.97, 0.96, 0.96, 0.97, 0.98, 0.98, 0.96, 0.93, 0.91, 0.88, 0.85, 0.81]
)  # fmt: skip
# Heating (morning and evening) and cooling (afternoon) daily shapes, mean about 1.
_HEATING = np.array(
    [0.85, 0.82, 0.80, 0.80, 0.82, 0.88, 0.98, 1.10, 1.15, 1.08, 1.00, 0.97,
     0.95, 0.94, 0.95, 0.98, 1.03, 1.12, 1.20, 1.20, 1.15, 1.07, 0.98, 0.90]
)  # fmt: skip
_COOLING = np.array(
    [0.70, 0.62, 0.56, 0.52, 0.50, 0.50, 0.55, 0.65, 0.78, 0.92, 1.07, 1.22,
     1.35, 1.45, 1.52, 1.55, 1.55, 1.50, 1.40, 1.28, 1.15, 1.02, 0.90, 0.79]
)  # fmt: skip

REQUIRED = {
    "annual_twh": (1e-6, 1e5),
    "peak_mw": (1e-3, 1e7),
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
    "utc_offset_h": (-12.0, 14.0),
}


def demand_profiles(nodes: pd.DataFrame, snapshots: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """Hourly demand (MW), snapshots x nodes; each year's energy and peak as given.

    Parameters
    ----------
    nodes : indexed by node name; columns ``annual_twh`` (energy over one calendar year, TWh),
        ``peak_mw`` (MW), ``peak_season`` (``'summer'`` or ``'winter'``), ``lat``, ``lon``
        (deg), ``utc_offset_h`` (local standard time minus UTC, h).
    snapshots : tz-naive hourly UTC index of whole calendar years.
    seed : weather year; same seed, same output.

    Returns
    -------
    DataFrame in MW; each calendar year sums to ``annual_twh * 1e6`` MWh and peaks at
    ``peak_mw``.
    """
    snapshots = check_snapshots(snapshots)
    seed = check_seed(seed)
    check_table(nodes, "nodes", REQUIRED, text=("peak_season",))
    shape = demand_shape(nodes, snapshots, seed)
    out = np.empty_like(shape)
    for j, name in enumerate(nodes.index):
        energy_mwh = float(nodes["annual_twh"].iloc[j]) * 1e6
        peak = float(nodes["peak_mw"].iloc[j])
        for year, rows in year_slices(snapshots):
            hours = rows.stop - rows.start
            load_factor = energy_mwh / (peak * hours)
            low, high = LOAD_FACTOR_RANGE
            if not low <= load_factor <= high:
                raise InputError(
                    f"load factor annual_twh / (peak_mw x {hours} h) = {load_factor:.3f} at "
                    f"'{name}' in {year} is outside [{low:g}, {high:g}].",
                    component="nodes",
                    attribute="annual_twh",
                    value=float(nodes["annual_twh"].iloc[j]),
                    hint="Check the units (annual_twh in TWh per year, peak_mw in MW) and, for "
                    "a scenario, that demand.growth_multiplier does not extrapolate the energy "
                    "and the peak of the dataset's years apart.",
                )
            out[rows, j] = peak * fit_load_factor(shape[rows, j], load_factor)
    return pd.DataFrame(out, index=snapshots, columns=nodes.index)


def fit_load_factor(shape: np.ndarray, load_factor: float) -> np.ndarray:
    """Map a positive ``shape`` to values with maximum 1 and mean ``load_factor`` (see above)."""
    x = shape / shape.max()
    mean = float(x.mean())
    if load_factor >= mean:
        alpha = (load_factor - mean) / (1.0 - mean)
        return alpha + (1.0 - alpha) * x
    log_x = np.log(np.maximum(x, 1e-12))

    def gap(exponent: float) -> float:
        return float(np.exp(exponent * log_x).mean()) - load_factor

    high = 2.0
    while gap(high) > 0:
        high *= 2.0
    exponent = brentq(gap, 1.0, high, xtol=1e-12)
    return np.exp(exponent * log_x)


def demand_shape(nodes: pd.DataFrame, snapshots: pd.DatetimeIndex, seed: int) -> np.ndarray:
    """The relative shape :math:`s` of the module docstring, shape ``(T, n)``."""
    seasons = [choose(str(s), SEASON_WEIGHTS, "peak_season") for s in nodes["peak_season"]]
    k_heat = np.array([SEASON_WEIGHTS[s][0] for s in seasons])
    k_cool = np.array([SEASON_WEIGHTS[s][1] for s in seasons])
    k_dark = np.array([SEASON_WEIGHTS[s][2] for s in seasons])
    lat = nodes["lat"].to_numpy(float)
    lon = nodes["lon"].to_numpy(float)
    offset = nodes["utc_offset_h"].to_numpy(float)
    n_steps = len(snapshots)

    clock = np.mod(snapshots.hour.to_numpy(float)[:, None] + 0.5 + offset[None, :], 24.0)
    week = np.empty((n_steps, len(nodes)))
    for j, hours in enumerate(offset):
        local = snapshots + pd.Timedelta(hours=float(hours))
        new_year = (local.month == 1) & (local.day <= 2)
        week[:, j] = np.where(new_year, HOLIDAY_FACTOR, WEEKDAY_FACTOR[local.day_of_week])

    doy = day_of_year(snapshots)[:, None]
    winter = 0.5 * (1.0 - seasonal_cosine(doy, 201.0, lat[None, :]))  # 1 in January, 0 in July
    darkness = 0.5 * (1.0 - seasonal_cosine(doy, 172.0, lat[None, :]))  # 1 at winter solstice
    sunset = sunset_clock_hour(doy, lat, lon, offset)
    gap_h = np.mod(clock - sunset - 0.5 + 12.0, 24.0) - 12.0
    lighting = (
        LIGHTING_AMPLITUDE
        * (1.0 + LIGHTING_WINTER_BOOST * darkness)
        * np.exp(-0.5 * (gap_h / LIGHTING_WIDTH_H) ** 2)
    )
    base = _cyclic(_BASE, clock) * (1.0 + k_dark * darkness) + lighting

    climate = climate_temperature_c(snapshots, lat, lon)
    diurnal = 6.0 * np.cos(2.0 * np.pi * (solar_hour(snapshots, lon) - 15.0) / 24.0)
    anomaly_std = (
        ANOMALY_STD_C["summer"] + (ANOMALY_STD_C["winter"] - ANOMALY_STD_C["summer"]) * winter
    )
    anomaly = anomaly_std * gaussian_field(
        stream_rng(seed, "demand-temperature"),
        positions_km(lat, lon),
        n_steps,
        length_km=ANOMALY_LENGTH_KM,
        tau_steps=ANOMALY_TAU_H,
        n_features=ANOMALY_FEATURES,
        smooth=True,
    )
    felt = climate - 0.5 * diurnal + anomaly
    mean, half_range = climate_normals_c(lat)
    january, july_afternoon = mean - half_range, mean + half_range + 3.0
    heating = np.maximum(HEATING_BASE_C - felt, 0.0) / np.maximum(HEATING_BASE_C - january, 5.0)
    cooling = np.maximum(felt - COOLING_BASE_C, 0.0) / np.maximum(
        july_afternoon - COOLING_BASE_C, 5.0
    )
    noise = NOISE_STD * temporal_filter(
        stream_rng(seed, "demand-noise").standard_normal((n_steps, len(nodes))),
        NOISE_TAU_H,
        smooth=False,
    )
    shape = (
        week * base
        + k_heat * heating * _cyclic(_HEATING, clock)
        + k_cool * cooling * _cyclic(_COOLING, clock)
    )
    return shape * (1.0 + noise)


def _cyclic(table: np.ndarray, clock: np.ndarray) -> np.ndarray:
    """Linear interpolation of an hourly table (values at 00:30, 01:30, ...) around the clock."""
    hours = np.arange(len(table) + 1) + 0.5
    return np.interp(np.mod(clock - 0.5, 24.0) + 0.5, hours, np.r_[table, table[0]])
