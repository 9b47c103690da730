"""Decomposition: exact solves of long models by Benders over time blocks.

    from caspian.decompose import solve_network
    result = solve_network(n)   # HiGHS on the whole model, or Benders when it is too large

    from caspian.decompose import BendersOptions, solve_benders
    res = solve_benders(n, BendersOptions(block_hours=168, gap=1e-3))
    res.objective, res.gap, res.capacities, res.result

The master problem holds the investments, the storage levels at block boundaries and each block's
share of yearly caps; the blocks (weeks by default) are operation problems built once and kept
warm, solved in this process or on Dask workers
([`caspian.decompose.dask_pool`][caspian.decompose.dask_pool]).
"""

from __future__ import annotations

from caspian.decompose.benders import (
    BendersOptions,
    BendersResult,
    BendersStrategy,
    solve_benders,
    time_blocks,
)
from caspian.decompose.method import (
    AutoMethod,
    Decision,
    Method,
    decide,
    method_from_name,
    solve_network,
)
from caspian.decompose.partition import Partition, partition_program
from caspian.decompose.pool import LocalPool, SubproblemPool

__all__ = [
    "AutoMethod",
    "BendersOptions",
    "BendersResult",
    "BendersStrategy",
    "Decision",
    "LocalPool",
    "Method",
    "Partition",
    "SubproblemPool",
    "decide",
    "method_from_name",
    "partition_program",
    "solve_benders",
    "solve_network",
    "time_blocks",
]
