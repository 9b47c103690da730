r"""Hourly solar PV output from pvlib physics and a synthetic, spatially correlated cloud field.

Chain, per site and hour (sun position and sky at the middle of the hour, 00:30 for the 00:00 step):

1. Sun position (pvlib SPA), clear sky by Ineichen-Perez with pvlib's monthly Linke turbidity
   climatology (``LinkeTurbidities.h5`` ships inside pvlib; a constant 3.0 if it cannot be read)
   and the site altitude from pvlib's ``Altitude.h5`` (sea level if it cannot be read).
2. Clear-sky index :math:`K_c = 0.12 + (1.05 - 0.12)\,\Phi(z)`, with

   .. math:: z = 0.8\,[g_d + 0.6 \cos(2\pi (d - 196)/365.25)] + 0.5\, g_h + \mu,

   :math:`g_d` a daily Gaussian field over local solar days (e-folding 350 km, 1.5 days),
   :math:`g_h` an hourly field for broken clouds (40 km, 2 h), the cosine the seasonal swing
   (clearest mid-July, cloudiest mid-January) and :math:`\mu` the site's clearness, the
   calibration knob. Intermediate skies get the most hour-to-hour variability because
   :math:`\Phi` is steepest there; clear days stay clear. Overcast days keep 12% of clear-sky
   irradiance, and broken clouds can enhance it to 105%.
3. GHI = :math:`K_c` x clear-sky GHI; Erbs decomposition to DNI/DHI; Perez transposition to a
   fixed plane facing the equator, tilted :math:`|\varphi| - 10^\circ` unless the site table
   says otherwise, or (``tracking=True``) to a horizontal north-south single-axis tracker with
   backtracking (60 degree limit, ground coverage 0.35); ASHRAE incidence-angle loss on the beam.
4. Faiman cell temperature (2 m/s wind) over a climatological air temperature; PVWatts DC with
   :math:`\gamma = -0.35\%/K`; 10% system losses (soiling, mismatch, wiring, availability,
   degradation); 97% inverter efficiency; clipping at the inverter rating with DC/AC ratio
   1.25. Output is AC per unit of inverter (AC) capacity, as plant capacity factors are quoted.

Calibration, each site and calendar year, solved by Brent's method so the annual mean output
equals ``capacity_factor`` exactly:

- first the clearness :math:`\mu`, within a plausible climate band (:math:`\mu \in [-0.6, 1.1]`,
  an annual GHI / clear-sky GHI of about 0.45 to 0.9 depending on the year; Central Asian
  deserts are near the top).
  This shifts the whole clear-sky index distribution and never pushes an hour above the
  inverter limit;
- if the target needs a sky clearer than that band allows (Baku's 0.25 and Sherabad's 0.26 for
  fixed plates; Navoi's reported 0.33 even with trackers), the sky stays at the band's clearest
  and the DC/AC ratio is raised instead (clipping flattens the midday); if it needs a sky
  cloudier than the band, the ratio is lowered. A ratio far above 1.3-1.4 flags a target that
  a fixed plant there is unlikely to reach.

The knob values are returned in ``result.attrs["calibration"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib
from scipy.optimize import brentq
from scipy.special import ndtr

from caspian.corridor.profiles.common import (
    check_seed,
    check_snapshots,
    check_table,
    climate_temperature_c,
    flag_column,
    gaussian_field,
    positions_km,
    seasonal_cosine,
    stream_rng,
    year_slices,
)
from caspian.exceptions import InputError

DC_AC_RATIO = 1.25
DC_AC_RANGE = (0.2, 3.0)
SYSTEM_LOSS = 0.10
INVERTER_EFFICIENCY = 0.97
GAMMA_PDC_PER_K = -0.0035
ALBEDO = 0.25
TRACKER_MAX_ANGLE_DEG, TRACKER_GCR = 60.0, 0.35
WIND_SPEED_M_S = 2.0
LINKE_TURBIDITY_FALLBACK = 3.0
KC_LOW, KC_HIGH = 0.12, 1.05
CLOUD_CONTRAST = 0.8
CLOUD_SEASONAL_AMPLITUDE = 0.6
CLOUD_HOURLY_WEIGHT = 0.5
CLEARNESS_RANGE = (-0.6, 1.1)
DAILY_LENGTH_KM, DAILY_TAU_DAYS, DAILY_FEATURES = 350.0, 1.5, 256
HOURLY_LENGTH_KM, HOURLY_TAU_H, HOURLY_FEATURES = 40.0, 2.0, 128

REQUIRED = {"lat": (-66.0, 66.0), "lon": (-180.0, 180.0), "capacity_factor": (0.02, 0.45)}
OPTIONAL = {
    "tilt_deg": (0.0, 90.0),
    "azimuth_deg": (0.0, 360.0),
    "altitude_m": (-500.0, 6000.0),
    "dc_ac_ratio": (0.5, 2.5),
}


@dataclass(frozen=True)
class _Daylight:
    """One site's hours with the sun up (arrays over those hours) and their positions."""

    index: np.ndarray
    zenith: np.ndarray
    azimuth: np.ndarray
    aoi: np.ndarray
    airmass: np.ndarray
    dni_extra: np.ndarray
    ghi_clear: np.ndarray
    day_of_year: np.ndarray
    temp_air_c: np.ndarray
    cloud_z: np.ndarray
    tilt_deg: np.ndarray | float
    azimuth_deg: np.ndarray | float


def solar_profiles(sites: pd.DataFrame, snapshots: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """Hourly AC output per unit of inverter capacity, snapshots x sites, each year at its CF.

    Parameters
    ----------
    sites : indexed by site name; columns ``lat``, ``lon`` (deg), ``capacity_factor`` (annual
        target, AC), optional ``tilt_deg`` (default :math:`|lat| - 10`), ``azimuth_deg``
        (default facing the equator, 180 north of it), ``tracking`` (bool, default False: a
        single-axis tracker instead of the fixed plane), ``altitude_m`` (default from pvlib),
        ``dc_ac_ratio`` (default 1.25; the calibration may move it, see the module docstring).
    snapshots : tz-naive hourly UTC index of whole calendar years.
    seed : weather year; same seed, same output.

    Returns
    -------
    DataFrame of values in [0, 1]; ``attrs["calibration"]`` maps each site to a list of
    ``{"year", "clearness", "dc_ac_ratio", "clear_sky_index"}`` (the annual
    GHI / clear-sky GHI ratio).
    """
    snapshots = check_snapshots(snapshots)
    seed = check_seed(seed)
    check_table(sites, "sites", REQUIRED, OPTIONAL)
    lat = sites["lat"].to_numpy(float)
    lon = sites["lon"].to_numpy(float)
    tracking = flag_column(sites, "sites", "tracking")
    cloud_z = _cloud_drivers(snapshots, lat, lon, seed)
    temp_air = climate_temperature_c(snapshots, lat, lon)
    out = np.zeros((len(snapshots), len(sites)))
    calibration: dict[str, list[dict[str, float]]] = {}
    for j, name in enumerate(sites.index):
        row = sites.iloc[j]
        daylight = _daylight(snapshots, row, bool(tracking[j]), cloud_z[:, j], temp_air[:, j])
        ratio0 = _optional(row, "dc_ac_ratio", DC_AC_RATIO)
        calibration[str(name)] = []
        for year, rows in year_slices(snapshots):
            in_year = (daylight.index >= rows.start) & (daylight.index < rows.stop)
            hours = rows.stop - rows.start
            target = float(row["capacity_factor"])
            ac, knobs = _calibrate(daylight, in_year, hours, target, ratio0, str(name), year)
            out[daylight.index[in_year], j] = ac
            calibration[str(name)].append({"year": year, **knobs})
    result = pd.DataFrame(out, index=snapshots, columns=sites.index)
    result.attrs["calibration"] = calibration
    return result


def _cloud_drivers(
    snapshots: pd.DatetimeIndex, lat: np.ndarray, lon: np.ndarray, seed: int
) -> np.ndarray:
    """The clearness-free part of :math:`z` (see module docstring), shape ``(T, n)``."""
    positions = positions_km(lat, lon)
    n_steps = len(snapshots)
    n_days = n_steps // 24 + 2
    daily = gaussian_field(
        stream_rng(seed, "solar-cloud-daily"),
        positions,
        n_days,
        length_km=DAILY_LENGTH_KM,
        tau_steps=DAILY_TAU_DAYS,
        n_features=DAILY_FEATURES,
    )
    hourly = gaussian_field(
        stream_rng(seed, "solar-cloud-hourly"),
        positions,
        n_steps,
        length_km=HOURLY_LENGTH_KM,
        tau_steps=HOURLY_TAU_H,
        n_features=HOURLY_FEATURES,
    )
    # Local solar day of each hour, so a day's cloudiness changes at local midnight.
    local_day = np.floor((np.arange(n_steps)[:, None] + 0.5 + lon[None, :] / 15.0) / 24.0)
    day_rows = local_day.astype(int) + 1
    daily_at_hour = np.take_along_axis(daily, day_rows, axis=0)
    doy = snapshots.day_of_year.to_numpy(float)[:, None]
    season = CLOUD_SEASONAL_AMPLITUDE * seasonal_cosine(doy, 196.0, lat[None, :])
    return CLOUD_CONTRAST * (daily_at_hour + season) + CLOUD_HOURLY_WEIGHT * hourly


def _daylight(
    snapshots: pd.DatetimeIndex,
    row: pd.Series,
    tracking: bool,
    cloud_z: np.ndarray,
    temp_air: np.ndarray,
) -> _Daylight:
    """Sun, clear sky and plane geometry over the hours with the sun up at one site."""
    lat, lon = float(row["lat"]), float(row["lon"])
    altitude = _optional(row, "altitude_m", np.nan)
    if np.isnan(altitude):
        altitude = _lookup_altitude(lat, lon)
    tilt = _optional(row, "tilt_deg", max(0.0, abs(lat) - 10.0))
    azimuth = _optional(row, "azimuth_deg", 180.0 if lat >= 0 else 0.0)
    mid = snapshots + pd.Timedelta(minutes=30)
    sun = pvlib.solarposition.get_solarposition(mid, lat, lon, altitude=altitude)
    apparent = sun["apparent_zenith"].to_numpy(float)
    up = np.flatnonzero(apparent < 89.5)
    times = mid[up]
    zenith = sun["zenith"].to_numpy(float)[up]
    sun_azimuth = sun["azimuth"].to_numpy(float)[up]
    airmass = pvlib.atmosphere.get_relative_airmass(apparent[up])
    pressure = pvlib.atmosphere.alt2pres(altitude)
    dni_extra = np.asarray(
        pvlib.irradiance.get_extra_radiation(times.day_of_year.to_numpy()), float
    )
    clear = pvlib.clearsky.ineichen(
        apparent[up],
        pvlib.atmosphere.get_absolute_airmass(airmass, pressure),
        _linke_turbidity(times, lat, lon),
        altitude=altitude,
        dni_extra=dni_extra,
    )
    ghi_clear = np.nan_to_num(np.asarray(clear["ghi"], float))
    keep = ghi_clear > 1.0
    up = up[keep]
    if tracking:
        tracker = pvlib.tracking.singleaxis(
            apparent[up],
            sun_azimuth[keep],
            axis_azimuth=180.0,
            max_angle=TRACKER_MAX_ANGLE_DEG,
            backtrack=True,
            gcr=TRACKER_GCR,
        )
        tilt = np.nan_to_num(np.asarray(tracker["surface_tilt"], float))
        azimuth = np.nan_to_num(np.asarray(tracker["surface_azimuth"], float), nan=90.0)
    aoi = pvlib.irradiance.aoi(tilt, azimuth, zenith[keep], sun_azimuth[keep])
    return _Daylight(
        index=up,
        zenith=zenith[keep],
        azimuth=sun_azimuth[keep],
        aoi=np.asarray(aoi, float),
        airmass=np.asarray(airmass, float)[keep],
        dni_extra=dni_extra[keep],
        ghi_clear=ghi_clear[keep],
        day_of_year=times.day_of_year.to_numpy()[keep],
        temp_air_c=temp_air[up],
        cloud_z=cloud_z[up],
        tilt_deg=tilt,
        azimuth_deg=azimuth,
    )


def _dc_per_unit(d: _Daylight, select: np.ndarray, clearness: float) -> tuple[np.ndarray, float]:
    """AC-side output per unit of DC capacity before clipping, and the annual clear-sky index."""
    kc = KC_LOW + (KC_HIGH - KC_LOW) * ndtr(d.cloud_z[select] + clearness)
    ghi_clear = d.ghi_clear[select]
    ghi = kc * ghi_clear
    zenith = d.zenith[select]
    with np.errstate(divide="ignore", invalid="ignore"):
        split = pvlib.irradiance.erbs(ghi, zenith, d.day_of_year[select])
        poa = pvlib.irradiance.get_total_irradiance(
            _pick(d.tilt_deg, select),
            _pick(d.azimuth_deg, select),
            zenith,
            d.azimuth[select],
            np.nan_to_num(split["dni"]),
            ghi,
            np.nan_to_num(split["dhi"]),
            dni_extra=d.dni_extra[select],
            airmass=d.airmass[select],
            albedo=ALBEDO,
            model="perez",
        )
        beam = np.nan_to_num(poa["poa_direct"]) * pvlib.iam.ashrae(d.aoi[select])
        diffuse = np.nan_to_num(poa["poa_diffuse"])
    effective = np.maximum(np.nan_to_num(beam) + diffuse, 0.0)
    cell = pvlib.temperature.faiman(effective, d.temp_air_c[select], WIND_SPEED_M_S)
    dc = pvlib.pvsystem.pvwatts_dc(effective, cell, 1.0, GAMMA_PDC_PER_K)
    per_unit = np.maximum(dc, 0.0) * (1.0 - SYSTEM_LOSS) * INVERTER_EFFICIENCY
    return per_unit, float(ghi.sum() / max(ghi_clear.sum(), 1e-9))


def _calibrate(
    d: _Daylight,
    select: np.ndarray,
    hours: int,
    target: float,
    ratio0: float,
    name: str,
    year: int,
) -> tuple[np.ndarray, dict[str, float]]:
    """Solve clearness (then, if needed, DC/AC ratio) so the year's mean output is ``target``."""

    def mean_output(clearness: float, ratio: float) -> float:
        dc, _ = _dc_per_unit(d, select, clearness)
        return float(np.minimum(ratio * dc, 1.0).sum() / hours)

    low, high = CLEARNESS_RANGE
    ratio = ratio0
    if mean_output(high, ratio) < target:
        clearness = high
    elif mean_output(low, ratio) > target:
        clearness = low
    else:
        clearness = brentq(lambda c: mean_output(c, ratio) - target, low, high, xtol=1e-7)
    dc, kc = _dc_per_unit(d, select, clearness)
    if clearness in (low, high):
        ratio = _solve_ratio(dc, hours, target, name, year)
    ac = np.minimum(ratio * dc, 1.0)
    return ac, {"clearness": float(clearness), "dc_ac_ratio": float(ratio), "clear_sky_index": kc}


def _solve_ratio(dc: np.ndarray, hours: int, target: float, name: str, year: int) -> float:
    low, high = DC_AC_RANGE

    def gap(ratio: float) -> float:
        return float(np.minimum(ratio * dc, 1.0).sum() / hours) - target

    if gap(low) > 0 or gap(high) < 0:
        reachable = (gap(low) + target, gap(high) + target)
        raise InputError(
            f"capacity factor {target:g} at '{name}' cannot be reached in {year}: the plant "
            f"there gives {reachable[0]:.3f} to {reachable[1]:.3f} over plausible skies and "
            f"DC/AC ratios {low:g} to {high:g}.",
            component="sites",
            attribute="capacity_factor",
            value=target,
            hint="Check the site's coordinates and capacity factor (AC basis).",
        )
    return float(brentq(gap, low, high, xtol=1e-9))


def _pick(value: np.ndarray | float, select: np.ndarray) -> np.ndarray | float:
    return value[select] if isinstance(value, np.ndarray) else value


def _optional(row: pd.Series, column: str, default: float) -> float:
    value = row.get(column, None)
    if value is None or pd.isna(value):
        return default
    return float(value)


def _lookup_altitude(lat: float, lon: float) -> float:
    try:
        return float(pvlib.location.lookup_altitude(lat, lon))
    except (ImportError, OSError, ValueError):
        return 0.0


def _linke_turbidity(times: pd.DatetimeIndex, lat: float, lon: float) -> np.ndarray | float:
    """pvlib's monthly Linke turbidity at the site, interpolated between mid-month days."""
    middles = pd.date_range("2001-01-01", periods=12, freq="MS") + pd.Timedelta(days=14)
    try:
        monthly = pvlib.clearsky.lookup_linke_turbidity(middles, lat, lon, interp_turbidity=False)
    except (ImportError, OSError, ValueError):
        return LINKE_TURBIDITY_FALLBACK
    days = np.r_[middles.day_of_year[-1] - 365, middles.day_of_year, middles.day_of_year[0] + 365]
    values = np.asarray(monthly, float)
    return np.interp(times.day_of_year.to_numpy(), days, np.r_[values[-1], values, values[0]])
