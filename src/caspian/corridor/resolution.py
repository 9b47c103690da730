"""Time resolution of a corridor run: which hours are merged into each snapshot.

Two ways, both chronological so that storage sees the real sequence of the year:

* every ``hours`` consecutive hours form one snapshot (``hours: 1`` is the full hourly year);
* ``segments: N`` splits the year into N segments of varying length with tsam's segmentation
  (Kotzur et al., "Time series aggregation for energy system design", Applied Energy 2018;
  Pineda and Morales, IEEE Trans. Power Syst. 2018): adjacent hours that look alike (demand,
  wind, solar and prices at every node) are merged, so calm nights become long snapshots and
  fast-changing mornings stay short.

In both cases a snapshot's weighting is the number of hours it stands for, and its values are the
means over those hours.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from caspian.corridor.scenario import Resolution


def time_blocks(inputs: pd.DataFrame, resolution: Resolution) -> np.ndarray:
    """The snapshot (0, 1, ...) each hour of ``inputs`` belongs to, in order.

    Parameters
    ----------
    inputs : hourly time series that the aggregation should preserve (one column each).
    resolution : the scenario's time resolution.
    """
    n_hours = len(inputs)
    if resolution.segments is None:
        return np.arange(n_hours) // resolution.hours
    import tsam

    scaled = inputs.copy()
    spread = (scaled.max() - scaled.min()).replace(0.0, 1.0)
    scaled = (scaled - scaled.min()) / spread
    scaled.index = pd.date_range("2030-01-01", periods=n_hours, freq="h")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsam.aggregate(
            scaled,
            n_clusters=1,
            period_duration=n_hours,
            segments=tsam.SegmentConfig(n_segments=min(resolution.segments, n_hours)),
            preserve_column_means=False,
        )
    return np.asarray(result.assignments["segment_idx"].to_numpy(), dtype=np.int64)
