r"""Hourly wind power: a correlated Gaussian weather field through Weibull speeds and a farm curve.

Per site and hour,

.. math::

    g &= \sqrt{0.75}\, g_{syn} + \sqrt{0.25}\, g_{meso}, \\
    v &= c\, S(t)\, D(t)\, \frac{(-\ln(1 - \Phi(g)))^{1/k}}{\Gamma(1 + 1/k)}, \\
    p &= P_{farm}(v),

- :math:`g_{syn}`: synoptic field, exponential spatial correlation with 600 km e-folding (an
  assumption inside the usual 500-800 km range) and a smooth (twice-filtered AR(1)) time
  profile with :math:`\tau` = 20 h: autocorrelation :math:`(1 + h/\tau)e^{-h/\tau}`, 0.66 at one
  day and 0.13 at three, i.e. weather systems passing in 1-4 days. :math:`g_{meso}`: mesoscale
  field, 75 km and :math:`\tau` = 3 h, so that even neighbouring farms are not identical and
  hourly ramps have a realistic size. Onshore and offshore farms draw separate mesoscale fields,
  so an onshore and an offshore farm at one node correlate like neighbours, not perfectly.
- :math:`\Phi(g)` is uniform, so at fixed :math:`S D` the speed is Weibull with shape
  :math:`k` (2.2 onshore, 2.4 offshore) and mean :math:`c`. :math:`c` is the calibration knob.
- :math:`S(t) = 1 + s \cos(2\pi(d - 60)/365.25)`: windiest around 1 March (winter and spring
  storms, the Siberian-High pressure gradients of the Kazakh steppe), calmest around late August;
  :math:`s` = 0.15 onshore, 0.10 offshore.
- :math:`D(t) = 1 + a\,(1 + 0.5 S_{sum})\cos(2\pi(h - 15)/24)` with :math:`h` the local solar
  hour: an afternoon maximum, strongest in summer (:math:`S_{sum}` = +1 in July, -1 in January).
  A choice, not data: at 100-120 m hubs the diurnal cycle is weak and can invert (nocturnal
  low-level jets over flat steppe); we assume the afternoon maximum of the dry continental
  boundary layer, where daytime mixing brings momentum down, and of the Absheron sea breeze,
  with a modest :math:`a` = 0.07 onshore and 0.02 offshore so the choice moves little energy.
- :math:`P_{farm}`: a generic 4-5 MW class turbine curve (cut-in 3, rated 12.5, cut-out 25 m/s),
  smoothed by a Gaussian spread of 10% of the speed (wind varies across a farm and within the hour,
  so the farm output turns down gradually above 25 m/s), times 0.95 for wakes and availability.
  Output is per unit of installed capacity, at most 0.95.

Calibration, each site and calendar year: :math:`c` is solved (Brent) so the annual mean of
:math:`p` equals ``capacity_factor`` exactly. The shape of the distribution, the diurnal and
seasonal cycles and the persistence are unchanged; only the speed level moves. The solved mean
speeds are returned in ``result.attrs["calibration"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import gamma, log_ndtr

from caspian.corridor.profiles.common import (
    check_seed,
    check_snapshots,
    check_table,
    day_of_year,
    flag_column,
    gaussian_field,
    positions_km,
    seasonal_cosine,
    solar_hour,
    stream_rng,
    year_slices,
)
from caspian.exceptions import InputError

SYNOPTIC_SHARE = 0.75
SYNOPTIC_LENGTH_KM, SYNOPTIC_TAU_H, SYNOPTIC_FEATURES = 600.0, 20.0, 512
MESO_LENGTH_KM, MESO_TAU_H, MESO_FEATURES = 75.0, 3.0, 256
WEIBULL_SHAPE = {False: 2.2, True: 2.4}
SEASONAL_AMPLITUDE = {False: 0.15, True: 0.10}
SEASONAL_PEAK_DOY = 60.0
DIURNAL_AMPLITUDE = {False: 0.07, True: 0.02}
DIURNAL_PEAK_SOLAR_HOUR = 15.0
FARM_EFFICIENCY = 0.95
MEAN_SPEED_RANGE_M_S = (1.0, 25.0)

# Generic 4-5 MW class turbine (IEC class II/III), per unit of rated power.
_TURBINE_SPEED_M_S = np.array(
    [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12.5, 25, 25.01, 40], dtype=float
)
_TURBINE_POWER = np.array(
    [0, 0, 0.04, 0.10, 0.19, 0.31, 0.46, 0.63, 0.79, 0.91, 0.98, 1, 1, 0, 0], dtype=float
)

REQUIRED = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "capacity_factor": (0.02, 0.7)}


def farm_power_curve(speed_m_s: np.ndarray) -> np.ndarray:
    """Per-unit farm output at hub-height mean speed ``speed_m_s`` (see module docstring)."""
    return np.interp(speed_m_s, _FARM_GRID_M_S, _FARM_POWER, right=0.0)


def _smoothed_curve() -> tuple[np.ndarray, np.ndarray]:
    grid = np.arange(0.0, 40.0, 0.05)
    spread = np.linspace(-3.0, 3.0, 61)
    weights = np.exp(-0.5 * spread**2)
    weights /= weights.sum()
    speeds = grid[:, None] * (1.0 + 0.10 * spread[None, :])
    power = np.interp(speeds, _TURBINE_SPEED_M_S, _TURBINE_POWER) @ weights
    return grid, FARM_EFFICIENCY * power


_FARM_GRID_M_S, _FARM_POWER = _smoothed_curve()


def wind_profiles(sites: pd.DataFrame, snapshots: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """Hourly output per unit of installed capacity, snapshots x sites, each year at its CF.

    Parameters
    ----------
    sites : indexed by site name; columns ``lat``, ``lon`` (deg), ``capacity_factor`` (annual
        target), optional ``offshore`` (bool, default False).
    snapshots : tz-naive hourly UTC index of whole calendar years.
    seed : weather year; same seed, same output. Sites generated in separate calls with the same
        seed share the same weather field.

    Returns
    -------
    DataFrame of values in [0, 0.95]; ``attrs["calibration"]`` maps each site to a list of
    ``{"year", "mean_speed_m_s"}``.
    """
    snapshots = check_snapshots(snapshots)
    seed = check_seed(seed)
    check_table(sites, "sites", REQUIRED)
    offshore = flag_column(sites, "sites", "offshore")
    lat = sites["lat"].to_numpy(float)
    lon = sites["lon"].to_numpy(float)
    normalised = _normalised_speed(snapshots, lat, lon, offshore, seed)
    out = np.empty_like(normalised)
    calibration: dict[str, list[dict[str, float]]] = {}
    for j, name in enumerate(sites.index):
        target = float(sites["capacity_factor"].iloc[j])
        calibration[str(name)] = []
        for year, rows in year_slices(snapshots):
            shape = normalised[rows, j]
            mean_speed = _solve_mean_speed(shape, target, str(name), year)
            out[rows, j] = farm_power_curve(mean_speed * shape)
            calibration[str(name)].append({"year": year, "mean_speed_m_s": mean_speed})
    result = pd.DataFrame(out, index=snapshots, columns=sites.index)
    result.attrs["calibration"] = calibration
    return result


def _normalised_speed(
    snapshots: pd.DatetimeIndex,
    lat: np.ndarray,
    lon: np.ndarray,
    offshore: np.ndarray,
    seed: int,
) -> np.ndarray:
    """Hub-height speed divided by its long-run mean :math:`c`, shape ``(T, n)``."""
    n_steps = len(snapshots)
    positions = positions_km(lat, lon)
    synoptic = gaussian_field(
        stream_rng(seed, "wind-synoptic"),
        positions,
        n_steps,
        length_km=SYNOPTIC_LENGTH_KM,
        tau_steps=SYNOPTIC_TAU_H,
        n_features=SYNOPTIC_FEATURES,
        smooth=True,
    )
    field = np.sqrt(SYNOPTIC_SHARE) * synoptic
    for is_offshore, stream in ((False, "wind-meso-onshore"), (True, "wind-meso-offshore")):
        columns = np.flatnonzero(offshore == is_offshore)
        if columns.size:
            meso = gaussian_field(
                stream_rng(seed, stream),
                positions[columns],
                n_steps,
                length_km=MESO_LENGTH_KM,
                tau_steps=MESO_TAU_H,
                n_features=MESO_FEATURES,
                smooth=True,
            )
            field[:, columns] += np.sqrt(1.0 - SYNOPTIC_SHARE) * meso
    k = np.where(offshore, WEIBULL_SHAPE[True], WEIBULL_SHAPE[False])
    # Weibull quantile of Phi(g): (-ln(1 - Phi(g)))^(1/k) = (-log_ndtr(-g))^(1/k), stable in tails.
    weibull = (-log_ndtr(-field)) ** (1.0 / k) / gamma(1.0 + 1.0 / k)
    doy = day_of_year(snapshots)[:, None]
    seasonal = np.where(offshore, SEASONAL_AMPLITUDE[True], SEASONAL_AMPLITUDE[False])
    summer = seasonal_cosine(doy, 201.0, lat[None, :])
    diurnal = np.where(offshore, DIURNAL_AMPLITUDE[True], DIURNAL_AMPLITUDE[False])
    hour = solar_hour(snapshots, lon)
    season_factor = 1.0 + seasonal * seasonal_cosine(doy, SEASONAL_PEAK_DOY, lat[None, :])
    day_factor = 1.0 + diurnal * (1.0 + 0.5 * summer) * np.cos(
        2.0 * np.pi * (hour - DIURNAL_PEAK_SOLAR_HOUR) / 24.0
    )
    return weibull * season_factor * day_factor


def _solve_mean_speed(shape: np.ndarray, target: float, name: str, year: int) -> float:
    low, high = MEAN_SPEED_RANGE_M_S

    def gap(mean_speed: float) -> float:
        return float(farm_power_curve(mean_speed * shape).mean()) - target

    # Output rises with the mean speed until cut-out losses dominate: bracket the first crossing.
    grid = np.linspace(low, high, 13)
    gaps = np.array([gap(c) for c in grid])
    above = np.flatnonzero(gaps >= 0)
    if above.size == 0 or above[0] == 0:
        reached = (gaps[0] + target, gaps.max() + target)
        raise InputError(
            f"capacity factor {target:g} at '{name}' cannot be reached in {year}: mean speeds "
            f"of {low:g}-{high:g} m/s give {reached[0]:.3f} to {reached[1]:.3f}.",
            component="sites",
            attribute="capacity_factor",
            value=target,
            hint="Check the capacity factor (annual energy / (capacity x 8760 h)).",
        )
    first = int(above[0])
    return float(brentq(gap, grid[first - 1], grid[first], xtol=1e-9))
