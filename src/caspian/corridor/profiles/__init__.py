"""Hourly profiles for the corridor model, generated locally and reproducibly from a seed.

No weather data is downloaded: solar output comes from pvlib's physics under a synthetic,
spatially correlated cloud field; wind from a correlated Gaussian weather field through Weibull
speeds and a farm power curve; demand from annual energy and peak with season, week and daily
patterns; outside-market prices from recorded monthly levels and a typical daily shape. Each
generator calibrates each calendar year exactly to its target (capacity factor, energy and
peak, or mean price), so a seed changes the weather, never the annual totals.

All functions take a tz-naive hourly UTC :class:`~pandas.DatetimeIndex` of whole calendar years
and a non-negative integer ``seed``; the same inputs always give the same output, and different
seeds give different, statistically similar weather years.
"""

from __future__ import annotations

from caspian.corridor.profiles.demand import demand_profiles
from caspian.corridor.profiles.prices import PRICE_SHAPES, market_price_profile
from caspian.corridor.profiles.solar import solar_profiles
from caspian.corridor.profiles.wind import wind_profiles

__all__ = [
    "PRICE_SHAPES",
    "demand_profiles",
    "market_price_profile",
    "solar_profiles",
    "wind_profiles",
]
