"""Placeholder until the validation module lands (being written now)."""

from __future__ import annotations

from typing import Any


def validate(n: Any, source: str | None = None) -> None:
    return None
