"""Split a network's linear program into a master part and time blocks.

The snapshots are cut into consecutive blocks (e.g. weeks). Every column of the program then
falls into one of two kinds:

* **complicating** columns, decided by the master problem: the capacities (columns with no
  snapshot), and the few time-indexed columns that rows of *another* block refer to -- the storage
  level at the end of each block, which the next block's continuity row reads, the last level of a
  cyclic store, which the first block reads, and the output before a block's first snapshot that a
  ramp limit reads;
* **block** columns, the operation inside one block.

Rows fall into three kinds: rows of one block (all their block columns lie in it), master rows
(only complicating columns), and **global** rows whose block columns span many blocks, such as a
yearly CO2 cap. A global row ``L <= sum_b a_b^T x_b + m^T y <= U`` is split exactly by allocation
variables ``s_b``: block ``b`` gets ``a_b^T x_b - s_b <= 0`` (``>= 0`` for a lower limit, ``= 0``
for a range), and the master keeps ``L <= sum_b s_b + m^T y <= U``. With ``s_b`` and ``y`` fixed,
the blocks are independent linear programs (Benders, 1962; Geoffrion, 1972).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from caspian.optimize.assembly import LinearProgram

BOUNDARY_COLUMNS_MAX = 8
"""A row that spans blocks and refers to at most this many columns outside its own block makes
those columns complicating (they are boundary states); a wider row is split as a global row."""


@dataclass(frozen=True)
class Partition:
    """Which block (or the master) each column and row of a program belongs to.

    Attributes
    ----------
    n_blocks
        number of time blocks.
    col_block
        per column, its block, or -1 for a complicating (master) column.
    complicating
        the complicating columns, in master order.
    block_rows
        per block, the rows it owns.
    master_rows
        rows with complicating columns only.
    global_rows
        rows whose block columns span several blocks (split by allocation).
    """

    n_blocks: int
    col_block: np.ndarray
    complicating: np.ndarray
    block_rows: tuple[np.ndarray, ...]
    master_rows: np.ndarray
    global_rows: np.ndarray

    @property
    def n_master_columns(self) -> int:
        """Complicating columns plus one allocation per global row and block."""
        return len(self.complicating) + len(self.global_rows) * self.n_blocks

    def allocation_index(self, global_position: int, block: int) -> int:
        """Master column of the share of global row ``global_position`` given to ``block``."""
        return len(self.complicating) + global_position * self.n_blocks + block

    def block_columns(self, block: int) -> np.ndarray:
        return np.flatnonzero(self.col_block == block)


def hour_groups(hours_per_snapshot: np.ndarray, hours: float) -> np.ndarray:
    """Group of each snapshot when time is cut every ``hours`` hours (0, 1, ...), by the
    snapshots' start times from the cumulative ``hours_per_snapshot``."""
    start = np.concatenate([[0.0], np.cumsum(hours_per_snapshot)[:-1]])
    return np.floor(start / hours + 1e-9).astype(np.int64)


def column_snapshots(lp: LinearProgram) -> np.ndarray:
    """Snapshot of every column of ``lp``, or -1 for columns with no snapshot (capacities)."""
    out = np.full(lp.n_variables, -1, dtype=np.int64)
    for block in lp.variables.values():
        if block.time_indexed:
            T, N = block.shape
            out[block.start : block.start + block.size] = np.repeat(np.arange(T), N)
    return out


def partition_program(lp: LinearProgram, snapshot_block: np.ndarray) -> Partition:
    """Partition ``lp`` given the block of each snapshot (see the module docstring)."""
    n_blocks = int(snapshot_block.max()) + 1 if len(snapshot_block) else 0
    snaps = column_snapshots(lp)
    col_block = np.where(snaps >= 0, snapshot_block[np.maximum(snaps, 0)], -1)
    csr = sp.csr_array(lp.matrix)
    csr.sum_duplicates()
    row_of_entry = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    entry_block = col_block[csr.indices]

    def span(entry_blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest block among each row's block entries (-1, -1 if none)."""
        timed = entry_blocks >= 0
        low = np.full(csr.shape[0], np.iinfo(np.int64).max)
        high = np.full(csr.shape[0], -1)
        np.minimum.at(low, row_of_entry[timed], entry_blocks[timed])
        np.maximum.at(high, row_of_entry[timed], entry_blocks[timed])
        low[high < 0] = -1
        return low, high

    low, high = span(entry_block)
    is_global = np.zeros(csr.shape[0], dtype=bool)
    boundary: list[np.ndarray] = []
    for row in np.flatnonzero(low != high):
        lo, hi = csr.indptr[row], csr.indptr[row + 1]
        cols = csr.indices[lo:hi]
        blocks = entry_block[lo:hi]
        timed = blocks >= 0
        counts = np.bincount(blocks[timed], minlength=n_blocks)
        home = n_blocks - 1 - int(np.argmax(counts[::-1]))  # most entries; later block on ties
        outside = timed & (blocks != home)
        if outside.sum() <= BOUNDARY_COLUMNS_MAX and np.count_nonzero(counts) <= 2:
            boundary.append(cols[outside])
        else:
            is_global[row] = True
    if boundary:
        col_block[np.unique(np.concatenate(boundary))] = -1
        entry_block = col_block[csr.indices]
        low, high = span(entry_block)
    is_global |= low != high
    global_rows = np.flatnonzero(is_global)
    master_rows = np.flatnonzero((high < 0) & ~is_global)
    owned = (high >= 0) & ~is_global
    order = np.flatnonzero(owned)
    owner = high[order]
    sort = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[sort], np.arange(n_blocks + 1))
    block_rows = tuple(order[sort[bounds[b] : bounds[b + 1]]] for b in range(n_blocks))
    return Partition(
        n_blocks=n_blocks,
        col_block=col_block,
        complicating=np.flatnonzero(col_block < 0),
        block_rows=block_rows,
        master_rows=master_rows,
        global_rows=global_rows,
    )
