"""Time resolution of a corridor run: which hours are merged into each snapshot.

Two chronological ways, so that storage sees the real sequence of the year:

* every ``hours`` consecutive hours form one snapshot (``hours: 1`` is the full hourly year);
* ``segments: N`` splits the year into N segments of varying length with tsam's segmentation
  (Kotzur et al., "Time series aggregation for energy system design", Applied Energy 2018;
  Pineda and Morales, IEEE Trans. Power Syst. 2018): adjacent hours that look alike (demand,
  wind, solar and prices at every node) are merged, so calm nights become long snapshots and
  fast-changing mornings stay short.

And one that is not: ``typical_days: K`` clusters the 365 days of the year into K groups of
days that look alike (tsam's hierarchical clustering of the same series), and each group becomes
one hourly typical day. The snapshots are the K typical days end to end, hour ``j`` of typical
day ``k`` standing for hour ``j`` of every day in group ``k``; the optimiser links storage over
the year with [`RepresentativePeriods`][caspian.optimize.periods.RepresentativePeriods].

In every case a snapshot's weighting is the number of hours it stands for, and its values are the
means over those hours (for typical days, the group's mean day, so annual energies are kept).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from caspian.corridor.scenario import Resolution
from caspian.exceptions import InputError

HOURS_PER_DAY = 24


def time_blocks(inputs: pd.DataFrame, resolution: Resolution) -> np.ndarray:
    """The snapshot (0, 1, ...) each hour of ``inputs`` belongs to, in order.

    Parameters
    ----------
    inputs
        hourly time series that the aggregation should preserve (one column each).
    resolution
        the scenario's time resolution.
    """
    n_hours = len(inputs)
    if resolution.typical_days is not None:
        return typical_day_blocks(typical_day_sequence(inputs, resolution.typical_days))
    if resolution.segments is None:
        return np.arange(n_hours) // resolution.hours
    import tsam

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsam.aggregate(
            _scaled(inputs),
            n_clusters=1,
            period_duration=n_hours,
            segments=tsam.SegmentConfig(n_segments=min(resolution.segments, n_hours)),
            preserve_column_means=False,
        )
    return np.asarray(result.assignments["segment_idx"].to_numpy(), dtype=np.int64)


def typical_day_blocks(days: np.ndarray) -> np.ndarray:
    """The snapshot of each hour when day ``d`` of the year is typical day ``days[d]``: hour
    ``h`` of typical day ``k`` is snapshot ``k * 24 + h``."""
    return (days[:, None] * HOURS_PER_DAY + np.arange(HOURS_PER_DAY)[None, :]).ravel()


def typical_day_sequence(inputs: pd.DataFrame, n_typical: int) -> np.ndarray:
    """The typical day (0 .. K-1) of every day of ``inputs``, numbered in order of first
    appearance (day 0 is in typical day 0, and typical days start in calendar order).

    Parameters
    ----------
    inputs
        hourly time series of whole days that the clustering should preserve.
    n_typical
        K, the number of typical days.
    """
    n_days, rest = divmod(len(inputs), HOURS_PER_DAY)
    if rest or n_typical > n_days:
        raise InputError(
            f"cannot make {n_typical} typical days of {len(inputs)} hours.",
            component="resolution",
            attribute="typical_days",
            value=n_typical,
            hint=f"Give whole days of hourly data and at most {n_days} typical days.",
        )
    import tsam

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsam.aggregate(
            _scaled(inputs),
            n_clusters=n_typical,
            period_duration=HOURS_PER_DAY,
            cluster=tsam.ClusterConfig(method="hierarchical"),
            preserve_column_means=False,
        )
    clusters = np.asarray(result.cluster_assignments, dtype=np.int64)
    _, first = np.unique(clusters, return_index=True)
    renumber = np.empty(len(first), dtype=np.int64)
    renumber[clusters[np.sort(first)]] = np.arange(len(first))
    return renumber[clusters]


def _scaled(inputs: pd.DataFrame) -> pd.DataFrame:
    """Each column scaled to [0, 1] (so all weigh alike), on an hourly datetime index."""
    spread = (inputs.max() - inputs.min()).replace(0.0, 1.0)
    scaled = (inputs - inputs.min()) / spread
    scaled.index = pd.date_range("2030-01-01", periods=len(inputs), freq="h")
    return scaled
