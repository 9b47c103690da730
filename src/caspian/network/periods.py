"""Representative periods: the network's snapshots as K typical periods standing for a year.

A network in representative-period mode has ``K * L`` snapshots: typical period ``k`` is the
snapshots ``k*L .. k*L + L - 1``, laid end to end, and ``sequence[d]`` says which typical period
stands for original period ``d`` of the year. The periods are part of the network's time
structure, like its snapshot weightings: ``n.periods`` (None for a chronological network),
written with the network and read back with it. How the optimisation links storage across the
periods is in :mod:`caspian.optimize.periods`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from caspian.exceptions import InputError

if TYPE_CHECKING:
    from caspian.network.network import Network

META_KEY = "caspian_representative_periods"
"""The key of ``n.meta`` under which the network's files carry its periods (every layout
keeps ``meta``; PyPSA reads it as a plain entry of ``n.meta``)."""


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


def file_meta(n: Network) -> dict[str, Any]:
    """``n.meta`` as the network's files carry it: with ``n.periods`` under ``META_KEY``."""
    if n.periods is None:
        return n.meta
    return {**n.meta, META_KEY: n.periods.as_dict()}


def periods_from_meta(n: Network, where: str) -> list[str]:
    """Move the periods a file carried in ``n.meta`` to ``n.periods``; return the problems (an
    entry that is no set of periods), each naming ``where`` (the file)."""
    data = n.meta.pop(META_KEY, None)
    if data is None:
        return []
    try:
        n.periods = RepresentativePeriods.from_dict(data)
    except (TypeError, ValueError, KeyError) as err:
        shown = repr(data)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        return [
            f"{where}: meta.{META_KEY} = {shown} is not a set of representative periods "
            f"({type(err).__name__}: {err}); give n_typical, period_length and sequence "
            "(integers), or remove the entry for chronological snapshots."
        ]
    return []
