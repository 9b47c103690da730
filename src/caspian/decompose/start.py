"""A starting point for the master: the optimum of the same network at a coarse resolution.

Benders' first rounds are spent learning where the optimum roughly lies. A monolithic solve of the
network with every ``hours`` consecutive snapshots merged (time series averaged, weightings
summed) takes a few seconds and lands close to it: its capacities, its storage levels at the
block boundaries and its emissions per block become the first proposal and the first stability
centre of in-out separation. It is only a start: the bounds the method proves come from the full
problem.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from caspian.decompose.partition import Partition, column_snapshots, hour_groups
from caspian.network.network import Network
from caspian.optimize import HighsStrategy, LinearModel, build_model

WEIGHTINGS_SUMMED = ("objective", "stores", "generators")


def aggregate_snapshots(n: Network, groups: np.ndarray) -> Network:
    """``n`` with the snapshots of each group merged into one (the group's first snapshot).

    Time series are averaged over the group and snapshot weightings summed, so energies and
    costs over the year are kept.
    """
    coarse = n.copy()
    first = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    index = n.snapshots[first]
    weights = n.snapshot_weightings.groupby(groups).sum()
    weights.index = index
    for tables in coarse.dynamic.values():
        for attr, table in list(tables.items()):
            mean = table.groupby(groups).mean()
            mean.index = index
            tables[attr] = mean
    coarse.set_snapshots(index)
    coarse.snapshot_weightings = weights.reindex(columns=n.snapshot_weightings.columns)
    return coarse


def coarse_start(
    model: LinearModel, part: Partition, snapshot_block: np.ndarray, hours: float
) -> np.ndarray:
    """Master values ``y`` taken from the optimum of the network at ``hours`` per snapshot.

    A column of the full program maps to the same variable at the coarse snapshot containing its
    snapshot; a block's share of a global row is the coarse row's terms over that block.
    """
    n = model.network
    groups = hour_groups(n.snapshot_weightings["stores"].to_numpy(float), hours)
    coarse = build_model(aggregate_snapshots(n, groups), check=False)
    # The build and solve stages of the pipeline alone: a starting point, not a result.
    solution = HighsStrategy().solve(coarse, _silent)
    x_coarse = solution.col_value

    # Full column -> coarse column: same block and name, coarse snapshot of its group.
    lp, clp = model.lp, coarse.lp
    full_to_coarse = np.empty(lp.n_variables, dtype=np.int64)
    first_of_group = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    group_of = np.searchsorted(first_of_group, np.arange(len(groups)), side="right") - 1
    for key, block in lp.variables.items():
        cblock = clp.variables[key]
        cols = block.columns()
        if block.time_indexed:
            full_to_coarse[cols] = cblock.columns()[group_of]
        else:
            full_to_coarse[cols] = cblock.columns()
    y = np.zeros(part.n_master_columns)
    y[: len(part.complicating)] = x_coarse[full_to_coarse[part.complicating]]

    coarse_rows = _coarse_rows(model, coarse, part.global_rows)
    if len(part.global_rows):
        rows = sp.csr_array(clp.matrix[np.maximum(coarse_rows, 0), :])
        coarse_snap = column_snapshots(clp)
        block_of_coarse = np.where(
            coarse_snap >= 0, snapshot_block[first_of_group[np.maximum(coarse_snap, 0)]], -1
        )
        for g in np.flatnonzero(coarse_rows >= 0):
            lo, hi = rows.indptr[g], rows.indptr[g + 1]
            cols = rows.indices[lo:hi]
            terms = rows.data[lo:hi] * x_coarse[cols]
            blocks = block_of_coarse[cols]
            timed = blocks >= 0
            shares = np.bincount(blocks[timed], terms[timed], minlength=part.n_blocks)
            for b in range(part.n_blocks):
                y[part.allocation_index(int(g), b)] = shares[b]
    return y


def _coarse_rows(model: LinearModel, coarse: LinearModel, rows: np.ndarray) -> np.ndarray:
    """The coarse program's row for each full row without a snapshot (else -1)."""
    out = np.full(len(rows), -1, dtype=np.int64)
    for key, block in model.lp.constraints.items():
        if len(block.shape) != 1:
            continue
        inside = (rows >= block.start) & (rows < block.start + block.size)
        out[inside] = coarse.lp.constraints[key].start + rows[inside] - block.start
    return out


def _silent(message: str) -> None:
    """Progress of the coarse solve, which goes unreported."""
