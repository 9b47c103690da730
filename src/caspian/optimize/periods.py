"""Representative periods: a year modelled by K typical periods, with storage linked across them.

A network in representative-period mode has ``K * L`` snapshots: typical period ``k`` is the
snapshots ``k*L .. k*L + L - 1``, laid end to end. ``sequence[d]`` says which typical period
stands for original period ``d = 0 .. D-1`` of the year, so typical period ``k`` occurs
``n_k = #{d : sequence[d] = k}`` times, and the builder of the network sets every snapshot
weighting to ``n_k * h[t]`` (``h[t]`` hours per snapshot): costs and emissions count each
typical period as often as it occurs.

Storage follows the superposition of Kotzur, Markewitz, Robinius and Stolten, "Time series
aggregation for energy system design: Modeling seasonal storage", Applied Energy 213 (2018).
With ``h[t] = w_stores[t] / n_k`` the duration of snapshot ``t = k*L + j`` within its period,
``eta[t] = (1 - standing_loss[t])^h[t]`` and ``f[t]`` the net energy flowing in during ``t``
(MWh; the flow terms of :mod:`caspian.optimize.storage`):

Intra-period level ``x[t]`` (MWh, free sign), starting from zero in every typical period::

    x[k*L]     = f[k*L]                          (the level before the period counts as 0)
    x[k*L + j] = eta[k*L + j] x[k*L + j - 1] + f[k*L + j]        j = 1 .. L-1

Inter-period level ``E[d]`` (MWh), the level at the start of original period ``d = 0 .. D``
(``E[D]`` is the level at the end of the year)::

    E[d+1] = eta_L[k] E[d] + x[k*L + L-1]        k = sequence[d], eta_L[k] = prod_j eta[k*L + j]
    E[D] = E[0]                                  (cyclic)
    eta[k0*L] E[0] = initial                     (non-cyclic, k0 = sequence[0]; as in PyPSA the
                                                  initial level is not subject to standing loss)

so the level at step ``j`` of original period ``d`` is exactly::

    s[d, j] = dec[k*L + j] E[d] + x[k*L + j],    dec[k*L + j] = prod_{i <= j} eta[k*L + i]

Its bounds ``lower[t] <= s[d, j] <= upper[t]`` for every ``d`` and ``j`` (``lower``, ``upper`` =
``min_pu, max_pu`` times ``max_hours * p_nom`` or ``e_nom``, a variable when extendable) are kept
with one peak and one trough per typical period, so the row count grows with ``D``, not ``D*L``::

    peak[k]   >= x[t] - upper[t]                 every t of period k
    trough[k] <= x[t] - lower[t]                 every t of period k
    E[d] + peak[sequence[d]]            <= 0     d = 0 .. D-1
    eta_L[k] E[d] + trough[sequence[d]] >= 0     k = sequence[d]

With constant limits (``lower = 0``, ``upper = cap``) these are Kotzur's ``E + soc_max <= cap``
and ``E + soc_min >= 0``, with ``peak = soc_max - cap`` and ``trough = soc_min``; the shift by
the limits keeps them exact when ``e_max_pu`` or ``e_min_pu`` vary in time. Without standing
loss ``dec = 1`` and the rows are equivalent to the bounds. With standing loss they are a
conservative approximation: ``E >= 0`` (a column bound wherever ``lower >= 0``) and
``eta_L <= dec <= 1`` make them imply the bounds, but they also cut off some feasible levels;
for a store with a negative ``e_min_pu`` and standing loss ``E`` is free and the rows only
approximate the bounds.

The ``state_of_charge`` (``e``) reported in the result for snapshot ``k*L + j`` is the level in
the first original period that ``k`` stands for, ``s[d_k, j]``;
:func:`caspian.optimize.results.chronological_levels` rebuilds the whole year's ``D * L`` levels.

The value type, ``RepresentativePeriods``, belongs to the network's time structure
(:mod:`caspian.network.periods`, ``n.periods``); this module holds the arithmetic of storage
across periods, and the rows are built by :mod:`caspian.optimize.inter_period`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.network.network import Network
from caspian.network.periods import RepresentativePeriods

__all__ = ["RepresentativePeriods", "solved_levels", "storage_hours", "within_period_decay"]


def storage_hours(n: Network, periods: RepresentativePeriods | None) -> np.ndarray:
    """Hours of each snapshot in the storage dynamics: the stores weighting, divided by the
    occurrences of its typical period when there are representative periods."""
    w = n.snapshot_weightings["stores"].to_numpy(float)
    return w if periods is None else periods.per_occurrence(w)


def within_period_decay(
    n: Network, periods: RepresentativePeriods, component: str, names: pd.Index | None = None
) -> np.ndarray:
    """``dec[k*L + j] = prod_{i <= j} eta[k*L + i]``, snapshots x components (1 without loss)."""
    h = storage_hours(n, periods)[:, None]
    eta = (1.0 - n.get_series(component, "standing_loss", names)) ** h
    shape = (periods.n_typical, periods.period_length, eta.shape[1])
    return np.cumprod(eta.reshape(shape), axis=1).reshape(eta.shape)


def solved_levels(
    n: Network, periods: RepresentativePeriods, component: str, intra: np.ndarray, E: np.ndarray
) -> np.ndarray:
    """The level reported per snapshot: ``s[d_k, j] = dec E[d_k] + x`` in the first original
    period ``d_k`` of each typical period (MWh, snapshots x components)."""
    first = periods.first_occurrence()[periods.typical_period()]
    return within_period_decay(n, periods, component) * E[first] + intra
