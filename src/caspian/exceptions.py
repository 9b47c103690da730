"""The package's errors. Every error caspian-grid raises on purpose derives from CaspianError.

The CLI maps [`InputError`][caspian.exceptions.InputError] (and its subclasses) to exit code 2 with
the message alone, no traceback; solver outcomes that are not optimal have their own classes so
callers can react to each.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import numpy as np

SHOWN_CHARS = 200
"""The most characters of an offending value a message shows
([`shown`][caspian.exceptions.shown])."""


class CaspianError(Exception):
    """Base class of all caspian-grid errors."""


class InputError(CaspianError, ValueError):
    """Bad input: a file, component, attribute or value that cannot be used.

    The message names where the problem is (file, component, attribute, value) and how to fix
    it. Give the place and the fix as keyword arguments to keep messages uniform: the error's text
    is ``"<file>: <component>.<attribute>: <message> <hint>"``, leaving out what is not given.

    Parameters
    ----------
    message
        what is wrong, with the offending value.
    file
        the file the input came from.
    component
        the component (``"Generator"``) or other part of the input.
    attribute
        the attribute or key within it.
    value
        the offending value, kept on the error for callers (not added to the text).
    hint
        how to fix it, appended to the text.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        component: str | None = None,
        attribute: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.component = component
        self.attribute = attribute
        self.value = value
        self.hint = hint
        parts = []
        if file:
            parts.append(f"{file}: ")
        where = ".".join(p for p in (component, attribute) if p)
        if where:
            parts.append(f"{where}: ")
        parts.append(message)
        if hint:
            parts.append(f" {hint}")
        super().__init__("".join(parts))


class UnsupportedFeatureError(InputError):
    """The network uses a PyPSA feature caspian-grid does not model (e.g. unit commitment)."""


class ValidationError(InputError):
    """A network failed validation; ``problems`` lists every problem found, one per entry.

    The message is a one-line summary (``"3 problems in grid/:"``) followed by one problem per
    line, each naming the file, component, attribute and value, and how to fix it.
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in {source or 'the network'}:"
        super().__init__("\n".join([summary, *(f"  - {p}" for p in self.problems)]))
        self.file = source


class SolverError(CaspianError, RuntimeError):
    """The solver did not reach a certified optimum; no result is returned."""

    def __init__(self, message: str, *, status: str | None = None) -> None:
        self.status = status
        super().__init__(message)


class InfeasibleError(SolverError):
    """The model has no feasible solution. ``explanation`` names what cannot be satisfied."""

    def __init__(self, message: str, *, explanation: list[str] | None = None) -> None:
        self.explanation = explanation or []
        super().__init__(message, status="infeasible")


class UnboundedError(SolverError):
    """The objective can decrease without limit (e.g. negative cost without a capacity limit)."""


class TimeLimitError(SolverError):
    """The time limit was reached before optimality was proven."""


class AuditError(CaspianError, RuntimeError):
    """A solved model violates energy balance, bounds or storage continuity beyond tolerance."""


class _BoundedRepr(reprlib.Repr):
    """``reprlib`` limits (a few levels and items) plus integers too long for ``repr``."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict = 3, 6, 6, 6
        self.maxset = self.maxfrozenset = self.maxdeque = self.maxarray = 6
        self.maxstring = self.maxother = SHOWN_CHARS
        self.maxlong = 40

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        """Items in their own order (``reprlib`` sorts them)."""
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = [
            f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}"
            for k, v in list(x.items())[: self.maxdict]
        ]
        more = ", ..." if len(x) > self.maxdict else ""
        return "{" + ", ".join(items) + more + "}"

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # repr refuses ints of more than 4300 digits
            digits = math.floor(math.log10(abs(x))) + 1
            return f"{'-' if x < 0 else ''}<an integer of about {digits} digits>"
        return super().repr_int(x, level)


_REPR = _BoundedRepr()


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` for a message, at most ``limit`` characters whatever ``value`` is.

    Deeply nested or shared structures (a YAML "billion laughs") are cut after a few levels and
    items, so showing a value costs little time and memory; numpy scalars show as Python's.
    """
    if isinstance(value, np.generic):
        value = value.item()
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose own __repr__ fails must not hide the error being shown
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
