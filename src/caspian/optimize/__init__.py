"""Placeholder until the optimiser lands (being written now)."""

from __future__ import annotations

from typing import Any


class SolverOptions:
    pass


def optimize(n: Any, options: Any = None) -> Any:
    raise NotImplementedError
