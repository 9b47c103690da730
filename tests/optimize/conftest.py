"""Shared fixtures of the optimiser tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from caspian.network import Network
from caspian.optimize import SolverOptions, optimize


@pytest.fixture
def solve() -> Callable[..., Any]:
    """Solve a network with dual simplex (a vertex, hence exact duals); extra keyword
    arguments go to :class:`SolverOptions`."""

    def run(n: Network, **options: Any) -> Any:
        return optimize(n, SolverOptions(**{"algorithm": "simplex", **options}))

    return run
