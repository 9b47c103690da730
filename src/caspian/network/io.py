"""Placeholder until the I/O module lands (being written now)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_network(path: str | Path) -> Any:
    raise NotImplementedError


def write_network(n: Any, path: str | Path, **kwargs: Any) -> None:
    raise NotImplementedError
