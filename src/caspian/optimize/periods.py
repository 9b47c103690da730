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

This module holds the value type and the arithmetic of periods; the rows are built by
:mod:`caspian.optimize.inter_period`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caspian.exceptions import InputError
from caspian.network.network import Network


@dataclass(frozen=True, eq=False)
class RepresentativePeriods:
    """A network's snapshots as typical periods, and the year they stand for.

    Attributes
    ----------
    n_typical
        K, the number of typical periods.
    period_length
        L, snapshots per period; snapshot ``k*L + j`` is step ``j`` of period ``k``.
    sequence
        D integers in ``0 .. K-1``: the typical period of each original period of the
        year, in order.
    """

    n_typical: int
    period_length: int
    sequence: np.ndarray

    @property
    def n_periods(self) -> int:
        """D, the number of original periods."""
        return len(self.sequence)

    def occurrences(self) -> np.ndarray:
        """How many original periods each typical period stands for (K integers)."""
        return np.bincount(self.sequence, minlength=self.n_typical)

    def first_occurrence(self) -> np.ndarray:
        """The first original period each typical period stands for (K integers)."""
        order = np.argsort(self.sequence, kind="stable")
        starts = np.searchsorted(self.sequence[order], np.arange(self.n_typical))
        return np.asarray(order[starts], dtype=np.int64)

    def typical_period(self) -> np.ndarray:
        """The typical period of every snapshot (K*L integers)."""
        return np.arange(self.n_typical * self.period_length) // self.period_length

    def period_starts(self) -> np.ndarray:
        """True at the first snapshot of every typical period (K*L booleans)."""
        return np.arange(self.n_typical * self.period_length) % self.period_length == 0

    def per_occurrence(self, weighting: np.ndarray) -> np.ndarray:
        """A snapshot weighting divided by the occurrences of each snapshot's typical period:
        the hours a snapshot lasts within one occurrence."""
        return weighting / self.occurrences()[self.typical_period()]

    def calendar(self, snapshots: pd.Index) -> pd.DatetimeIndex:
        """The start of every step of every original period of the year (D*L timestamps).

        Needs the typical periods dated as the corridor model dates them: typical period ``k``
        from the start of its first occurrence ``first_occurrence()[k]``, in equal steps, so
        that original period ``d`` starts ``d`` period lengths after the year's start.

        Raises
        ------
        InputError
            the snapshots are not dated that way.
        """
        index = pd.DatetimeIndex(snapshots) if len(snapshots) else pd.DatetimeIndex([])
        length, first = self.period_length, self.first_occurrence()
        if not isinstance(snapshots, pd.DatetimeIndex) or len(index) < 1:
            raise InputError(
                "typical periods can only be laid over the calendar when their snapshots are "
                f"dates, not {type(snapshots).__name__} values.",
                component="snapshots",
                hint="Label typical period k with the dates of its first occurrence.",
            )
        if self.n_typical > 1:
            period = (index[length] - index[0]) / int(first[1] - first[0])
        else:
            period = (index[1] - index[0]) * length if length > 1 else pd.Timedelta(days=1)
        start = index[0] - period * int(first[0])
        step = period / length
        expected = pd.DatetimeIndex(
            [
                start + period * int(first[k]) + step * j
                for k in range(self.n_typical)
                for j in range(length)
            ]
        )
        if not index.equals(expected):
            raise InputError(
                "typical periods can only be laid over the calendar when each one's snapshots "
                "are dated from its first occurrence in the year, in equal steps (as the "
                "corridor model labels them).",
                component="snapshots",
                value=str(index[0]),
                hint="Label typical period k from the start of original period "
                "periods.first_occurrence()[k].",
            )
        return pd.DatetimeIndex(
            [start + period * d + step * j for d in range(self.n_periods) for j in range(length)]
        )

    def to_calendar(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Per-snapshot values of the typical periods laid over the year: one row for every
        step of every original period, in order, dated by :meth:`calendar` (each original
        period shows the values of the typical period that stands for it)."""
        values = frame.to_numpy()[self.chronological_order()]
        return pd.DataFrame(
            values, index=self.calendar(frame.index).rename(frame.index.name), columns=frame.columns
        )

    def chronological_order(self) -> np.ndarray:
        """The snapshot of each step of the original year, in order (D*L integers)."""
        steps = np.arange(self.period_length)
        return (self.sequence[:, None] * self.period_length + steps[None, :]).ravel()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values; ``RepresentativePeriods.from_dict`` reads them back."""
        return {
            "n_typical": int(self.n_typical),
            "period_length": int(self.period_length),
            "sequence": [int(k) for k in self.sequence],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RepresentativePeriods:
        """The periods ``as_dict`` wrote."""
        return cls(
            int(data["n_typical"]),
            int(data["period_length"]),
            np.asarray(data["sequence"], dtype=np.int64),
        )

    def validate(self, n: Network) -> None:
        """Raise InputError unless these periods describe the snapshots of ``n``."""
        where = {"component": "RepresentativePeriods"}
        for attr in ("n_typical", "period_length"):
            value = getattr(self, attr)
            if not isinstance(value, int | np.integer) or value < 1:
                raise InputError(
                    f"must be a positive integer, got {value!r}.", attribute=attr, **where
                )
        sequence = np.asarray(self.sequence)
        if sequence.ndim != 1 or len(sequence) == 0 or sequence.dtype.kind not in "iu":
            raise InputError(
                f"must be a non-empty one-dimensional integer array, got {sequence.dtype} of "
                f"shape {sequence.shape}.",
                attribute="sequence",
                hint="Give the typical period (0 .. K-1) of each original period, in order.",
                **where,
            )
        n_snapshots = len(n.snapshots)
        if self.n_typical * self.period_length != n_snapshots:
            raise InputError(
                f"{self.n_typical} typical periods of {self.period_length} snapshots make "
                f"{self.n_typical * self.period_length} snapshots, but the network has "
                f"{n_snapshots}.",
                attribute="period_length",
                hint="The snapshots must be the K typical periods laid end to end.",
                **where,
            )
        outside = (sequence < 0) | (sequence >= self.n_typical)
        if outside.any():
            d = int(np.flatnonzero(outside)[0])
            raise InputError(
                f"original period {d} is represented by typical period {int(sequence[d])}, "
                f"outside 0 .. {self.n_typical - 1}.",
                attribute="sequence",
                value=int(sequence[d]),
                hint="Number the typical periods from 0.",
                **where,
            )
        unused = np.flatnonzero(np.bincount(sequence, minlength=self.n_typical) == 0)
        if len(unused):
            raise InputError(
                f"typical period {int(unused[0])} represents no original period, so its "
                "snapshots have no duration.",
                attribute="sequence",
                value=int(unused[0]),
                hint="Drop unused typical periods from the snapshots and renumber the rest.",
                **where,
            )


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
