"""Where the time blocks are solved: in this process, or on Dask workers.

A pool holds the blocks' :class:`~caspian.decompose.subproblem.Subproblem` objects, built once
and kept warm, and solves every block at a master proposal. :class:`LocalPool` does it in this
process; :class:`caspian.decompose.dask_pool.DaskPool` spreads the blocks over the workers of a
Dask cluster (one actor per worker), so the method scales past one machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from caspian.decompose.subproblem import BlockData, Outcome, Subproblem


class SubproblemPool(Protocol):
    """What the Benders loop needs from a pool."""

    def lower_bounds(self) -> list[Outcome]:
        """Each block's first cut (``Subproblem.lower_bound``), in block order; its duals are
        kept under id 0."""
        ...

    def solve(
        self,
        points: Sequence[np.ndarray],
        want_solution: bool = False,
        keep: int | None = None,
    ) -> list[Outcome]:
        """Solve block ``b`` at ``points[b]`` (its linked values); outcomes in block order.
        With ``keep``, each block keeps the duals behind its cut under that id."""
        ...

    def combine(self, weights: Sequence[dict[int, float]]) -> list[np.ndarray]:
        """Per block, its kept cut duals combined with ``weights[b]`` (cut id -> weight)."""
        ...

    def close(self) -> None: ...


class LocalPool:
    """All blocks solved one after another in this process."""

    def __init__(self, blocks: Sequence[BlockData], options: dict[str, Any] | None = None):
        self._subproblems = [Subproblem(data, options) for data in blocks]

    def lower_bounds(self) -> list[Outcome]:
        return [s.lower_bound() for s in self._subproblems]

    def solve(
        self,
        points: Sequence[np.ndarray],
        want_solution: bool = False,
        keep: int | None = None,
    ) -> list[Outcome]:
        return [
            s.solve(p, want_solution, keep) for s, p in zip(self._subproblems, points, strict=True)
        ]

    def combine(self, weights: Sequence[dict[int, float]]) -> list[np.ndarray]:
        return [s.combine(w) for s, w in zip(self._subproblems, weights, strict=True)]

    def close(self) -> None:
        self._subproblems.clear()
