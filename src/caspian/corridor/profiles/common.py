r"""Shared pieces of the profile generators: input checks, seeded streams, weather fields, climate.

Every generator is a pure function of its inputs and ``seed``. Random numbers come from
:func:`stream_rng`, one independent stream per physical process (``"wind-synoptic"``,
``"solar-cloud-daily"``, ...), so changing one generator never changes another's output.

Spatially correlated weather is a stationary Gaussian random field built by random Fourier
features (Rahimi & Recht 2007): with frequencies :math:`\omega_m` drawn from the spectral
density of the exponential covariance :math:`k(r) = e^{-r/L}` (a 3-D Cauchy, i.e. multivariate
Student-t with one degree of freedom, scaled by :math:`1/L`) and uniform phases
:math:`\varphi_m`,

.. math::

    f(x, t) = \sum_{m=1}^{M} a_m(t)\, w_m(x), \qquad
    w_m(x) = \frac{\cos(\omega_m \cdot x + \varphi_m)}
                  {\sqrt{\sum_j \cos^2(\omega_j \cdot x + \varphi_j)}},

where each :math:`a_m(t)` is an independent unit-variance AR(1) process (or a twice-filtered,
smoother one; see :func:`temporal_filter`) with e-folding time :math:`\tau`. Every site then
has exactly unit variance and the autocorrelation of that process, and the correlation between
two sites tends to :math:`e^{-r/L}` as :math:`M` grows (sampling error about
:math:`1/\sqrt{M}`). Unlike a Cholesky factor over the site list, the field depends only on the
seed and on where a site is: a site's series does not change when other sites are added,
removed or reordered, or when sites are generated in separate calls, and two calls with the same
seed see the same weather at the same place. Positions are
points on a sphere of Earth's radius (chordal distance, within 0.5% of great-circle distance
below 1,000 km).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from caspian.exceptions import InputError
from caspian.network.network import did_you_mean

EARTH_RADIUS_KM = 6371.0
DAYS_PER_YEAR = 365.25


def check_snapshots(snapshots: object) -> pd.DatetimeIndex:
    """Return ``snapshots`` if it is a tz-naive hourly index (UTC) of whole calendar years."""
    if not isinstance(snapshots, pd.DatetimeIndex):
        raise InputError(
            f"expected a pandas DatetimeIndex, got {type(snapshots).__name__}.",
            component="snapshots",
            hint="Pass e.g. pd.date_range('2030-01-01', '2030-12-31 23:00', freq='h').",
        )
    if snapshots.tz is not None:
        raise InputError(
            f"snapshots must be tz-naive UTC, got tz={snapshots.tz}.",
            component="snapshots",
            hint="Use snapshots.tz_convert('UTC').tz_localize(None).",
        )
    if len(snapshots) == 0:
        raise InputError("snapshots are empty.", component="snapshots")
    first, last = snapshots[0].year, snapshots[-1].year
    whole = pd.date_range(f"{first}-01-01", f"{last}-12-31 23:00", freq="h")
    if not snapshots.equals(whole):
        raise InputError(
            f"snapshots must be hourly and cover whole calendar years; got {len(snapshots)} "
            f"steps from {snapshots[0]} to {snapshots[-1]} ({len(whole)} expected).",
            component="snapshots",
            hint="Generate hourly years and aggregate to coarser resolution afterwards.",
        )
    return snapshots


def year_slices(snapshots: pd.DatetimeIndex) -> Iterator[tuple[int, slice]]:
    """Yield ``(year, slice)`` for each calendar year of validated ``snapshots``."""
    years = snapshots.year.to_numpy()
    starts = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
    ends = np.r_[starts[1:], len(years)]
    for start, end in zip(starts, ends, strict=True):
        yield int(years[start]), slice(int(start), int(end))


def check_seed(seed: object) -> int:
    """Return ``seed`` as an int if it is a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(
            f"seed must be a non-negative integer, got {seed!r}.",
            component="seed",
            hint="Use e.g. seed=0; different seeds give different weather years.",
        )
    return int(seed)


def check_table(
    table: object,
    name: str,
    required: Mapping[str, tuple[float, float]],
    optional: Mapping[str, tuple[float, float]] | None = None,
    text: Sequence[str] = (),
) -> pd.DataFrame:
    """Check that ``table`` has the numeric ``required`` columns within their closed ranges.

    ``optional`` columns are range-checked where present; ``text`` columns must be present and
    are checked by their user. Other columns are ignored. Returns the table unchanged.
    """
    if not isinstance(table, pd.DataFrame):
        raise InputError(
            f"expected a pandas DataFrame, got {type(table).__name__}.", component=name
        )
    if table.empty:
        raise InputError("the table has no rows.", component=name)
    if not table.index.is_unique:
        duplicated = sorted({str(x) for x in table.index[table.index.duplicated()]})
        raise InputError(
            f"names must be unique; repeated: {', '.join(duplicated)}.",
            component=name,
            hint="Index the table by a unique site or node name.",
        )
    columns = [str(c) for c in table.columns]
    for column in [*required, *text]:
        if column not in table.columns:
            raise InputError(
                f"missing column '{column}'.{did_you_mean(column, columns)}",
                component=name,
                attribute=column,
                hint=f"Required columns: {', '.join([*required, *text])}.",
            )
    ranges = {**required, **{k: v for k, v in (optional or {}).items() if k in table.columns}}
    for column, (low, high) in ranges.items():
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        bad = ~((values >= low) & (values <= high))
        if bad.any():
            row = table.index[int(np.flatnonzero(bad)[0])]
            raise InputError(
                f"value {table[column].iloc[int(np.flatnonzero(bad)[0])]!r} at '{row}' is "
                f"outside [{low:g}, {high:g}].",
                component=name,
                attribute=column,
                value=table[column].loc[row],
                hint=f"Give a number in [{low:g}, {high:g}] for every row.",
            )
    return table


def flag_column(table: pd.DataFrame, name: str, column: str) -> np.ndarray:
    """Boolean values of an optional yes/no ``column`` (False where absent or missing)."""
    if column not in table.columns:
        return np.zeros(len(table), dtype=bool)
    values = table[column]
    known = values.isna() | values.isin([True, False, 0, 1])
    if not known.all():
        row = values.index[int(np.flatnonzero(~known.to_numpy())[0])]
        raise InputError(
            f"value {values.loc[row]!r} at '{row}' is not true or false.",
            component=name,
            attribute=column,
            value=values.loc[row],
            hint=f"Give True or False for '{column}' (empty means False).",
        )
    return values.fillna(False).astype(bool).to_numpy()


def choose(value: str, options: Mapping[str, object], what: str) -> str:
    """Return ``value`` if it is a key of ``options``; else raise with a did-you-mean."""
    if value not in options:
        raise InputError(
            f"unknown {what} '{value}'.{did_you_mean(value, list(options))}",
            attribute=what,
            value=value,
            hint=f"Known: {', '.join(options)}.",
        )
    return value


def stream_rng(seed: int, stream: str) -> np.random.Generator:
    """Return the generator of one named random stream for ``seed``."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(stream.encode())]))


def positions_km(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Cartesian positions (km) on a sphere of Earth's radius, shape ``(n, 3)``."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return EARTH_RADIUS_KM * np.column_stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]
    )


def temporal_filter(shocks: np.ndarray, tau_steps: float, smooth: bool) -> np.ndarray:
    r"""Turn white unit-variance ``shocks`` (time on axis 0) into a stationary unit-variance series.

    ``smooth=False``: AR(1), :math:`a_t = \phi a_{t-1} + \sqrt{1-\phi^2}\,\varepsilon_t`,
    :math:`\phi = e^{-1/\tau}`, autocorrelation :math:`\phi^h`; started in its stationary state.
    ``smooth=True``: the same filter applied twice, autocorrelation
    :math:`(1 + h\,\tfrac{1-\phi^2}{1+\phi^2})\,\phi^h \approx (1 + h/\tau)\,e^{-h/\tau}`,
    flat at lag zero like real weather (no hour-to-hour jitter); the first ``10 tau`` rows of
    ``shocks`` are spin-up and are dropped.
    """
    phi = float(np.exp(-1.0 / tau_steps))
    if not smooth:
        scaled = shocks.copy()
        scaled[1:] *= np.sqrt(1.0 - phi * phi)
        return np.asarray(lfilter([1.0], [1.0, -phi], scaled, axis=0))
    gain = np.sqrt((1.0 - phi * phi) ** 3 / (1.0 + phi * phi))
    filtered = lfilter([gain], [1.0, -2.0 * phi, phi * phi], shocks, axis=0)
    return np.asarray(filtered[spin_up(tau_steps) :])


def spin_up(tau_steps: float) -> int:
    """Rows of shocks a smooth :func:`temporal_filter` drops to forget its start."""
    return int(np.ceil(10.0 * tau_steps))


def gaussian_field(
    rng: np.random.Generator,
    positions: np.ndarray,
    n_steps: int,
    *,
    length_km: float,
    tau_steps: float,
    n_features: int,
    smooth: bool = False,
) -> np.ndarray:
    """Unit-variance Gaussian field at ``positions`` (km, ``(n, 3)``), shape ``(n_steps, n)``.

    Space: exponential covariance with e-folding ``length_km``; time: :func:`temporal_filter`
    with e-folding ``tau_steps``. See the module docstring for the construction. The time filter
    is linear, so it is applied after projecting the white feature shocks onto the sites.
    Shocks are drawn in time order, so a longer run starts with the same values as a shorter one.
    """
    directions = rng.standard_normal((n_features, 3))
    scale = length_km * np.abs(rng.standard_normal(n_features))
    omega = directions / np.maximum(scale, 1e-12)[:, None]
    phase = rng.uniform(0.0, 2.0 * np.pi, n_features)
    weights = np.cos(positions @ omega.T + phase)  # (n, M)
    weights /= np.sqrt((weights * weights).sum(axis=1, keepdims=True))
    rows = n_steps + (spin_up(tau_steps) if smooth else 0)
    shocks = rng.standard_normal((rows, n_features)) @ weights.T
    return temporal_filter(shocks, tau_steps, smooth)


def day_of_year(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Fractional day of year at the middle of each hourly step (0.02 on 1 Jan 00:00), ``(T,)``."""
    return snapshots.day_of_year.to_numpy(float) - 1.0 + (snapshots.hour.to_numpy(float) + 0.5) / 24


def solar_hour(snapshots: pd.DatetimeIndex, lon_deg: np.ndarray) -> np.ndarray:
    """Local mean solar hour (0-24) at the middle of each hourly step, shape ``(T, n)``."""
    utc = snapshots.hour.to_numpy(float)[:, None] + 0.5
    return np.mod(utc + np.asarray(lon_deg, float)[None, :] / 15.0, 24.0)


def seasonal_cosine(doy: np.ndarray, peak_doy: float, lat_deg: np.ndarray) -> np.ndarray:
    r""":math:`\cos(2\pi (d - d_{peak}) / 365.25)`, half a year later south of the equator."""
    shift = np.where(np.asarray(lat_deg) < 0.0, DAYS_PER_YEAR / 2.0, 0.0)
    return np.cos(2.0 * np.pi * (doy - peak_doy - shift) / DAYS_PER_YEAR)


def sunset_clock_hour(
    doy: np.ndarray, lat_deg: np.ndarray | float, lon_deg: np.ndarray | float, utc_offset_h: object
) -> np.ndarray:
    """Local clock hour of sunset (Cooper's declination, no refraction); arguments broadcast."""
    lat, lon = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
    declination = np.radians(23.44) * np.sin(2.0 * np.pi * (284.0 + doy) / 365.0)
    cos_hour_angle = -np.tan(np.radians(lat)) * np.tan(declination)
    half_day_h = np.degrees(np.arccos(np.clip(cos_hour_angle, -1.0, 1.0))) / 15.0
    return 12.0 + half_day_h - lon / 15.0 + np.asarray(utc_offset_h, float)


def climate_normals_c(lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Annual mean and seasonal half-range of air temperature (degC) at latitude ``lat_deg``.

    An assumption for continental mid-latitude Asia, not data: mean :math:`15 - (|\phi| - 40)`,
    half-range :math:`13 + 0.5 \max(0, |\phi| - 40)`. January/July: Baku 1/28, Navoi 2/28,
    Taraz -3/26, Astana -15/22 degC; observed are about 4/26, 0/29, -4/25 and -14/21.
    """
    excess = np.abs(np.asarray(lat_deg, float)) - 40.0
    return 15.0 - excess, 13.0 + 0.5 * np.maximum(excess, 0.0)


def climate_temperature_c(
    snapshots: pd.DatetimeIndex, lat_deg: np.ndarray, lon_deg: np.ndarray
) -> np.ndarray:
    """Climatological air temperature (degC), ``(T, n)``: :func:`climate_normals_c` peaking on
    20 July, plus a diurnal half-range of 6 degC peaking at 15:00 solar time.

    Used only for PV cell temperature and demand's heating and cooling, both normalised so the
    level matters little.
    """
    lat = np.asarray(lat_deg, float)
    mean, half_range = climate_normals_c(lat)
    doy = day_of_year(snapshots)[:, None]
    seasonal = half_range[None, :] * seasonal_cosine(doy, 201.0, lat[None, :])
    diurnal = 6.0 * np.cos(2.0 * np.pi * (solar_hour(snapshots, lon_deg) - 15.0) / 24.0)
    return mean[None, :] + seasonal + diurnal
