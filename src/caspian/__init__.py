"""caspian-grid: planning and trading power across the Caspian.

The optimiser reads PyPSA networks (or caspian-grid's own folder format), builds the linear
program directly as a sparse matrix, solves it with HiGHS and returns labelled results:

    import caspian
    n = caspian.read_network("my_network.nc")
    result = caspian.solve_network(n)   # one HiGHS solve, or Benders for a model too large for one
    result.prices            # EUR/MWh per snapshot and bus

``caspian.optimize(n)`` always solves the whole model with HiGHS.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("caspian-grid")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from caspian.decompose import solve_network
from caspian.network import Network, read_network, write_network
from caspian.optimize import SolverOptions, optimize

__all__ = [
    "Network",
    "SolverOptions",
    "__version__",
    "optimize",
    "read_network",
    "solve_network",
    "write_network",
]
