"""JSON request bodies hold finite numbers only.

Python's ``json`` (which FastAPI parses bodies with) reads ``NaN``, ``Infinity`` and
``-Infinity``, which JSON does not have, and turns a number beyond the float range (``1e400``)
into an infinity. None of them means anything to a model, and a bound such as ``ge=0`` lets an
infinity through. :class:`FiniteJson` refuses such a body for every JSON endpoint, before any
route reads it, with HTTP 422 naming each place (``loc``, as FastAPI's own validation errors do).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from caspian.web.security import ASGIApp, Receive, Scope, Send, header, refuse, replaying

Loc = tuple[str | int, ...]


class _NotFinite:
    """Stands for a non-finite number while the body is checked."""

    def __init__(self, text: str) -> None:
        self.text = text


def non_finite_numbers(body: bytes) -> list[tuple[Loc, str]]:
    """Where ``body`` (JSON) holds a number that is not finite, and its text as sent; empty if
    it holds none or is not JSON at all (the route reports that)."""
    try:
        data = json.loads(body, parse_constant=_NotFinite, parse_float=_float)
    except (ValueError, RecursionError):
        return []
    return list(_find(data, ()))


def _float(text: str) -> float | _NotFinite:
    value = float(text)
    return value if math.isfinite(value) else _NotFinite(text)


def _find(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, _NotFinite):
        yield loc, value.text
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _find(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _find(item, (*loc, index))


def is_json(content_type: str | None) -> bool:
    """Whether FastAPI parses a body of ``content_type`` as JSON (none given counts)."""
    if content_type is None:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = kind.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


class FiniteJson:
    """Refuses (422) a JSON request body that holds ``NaN``, ``Infinity`` or a number beyond
    the float range; other requests pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_json(header(scope, b"content-type")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:  # BodyLimit, outside, has bounded the body
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        found = non_finite_numbers(body) if body else []
        if found:
            await refuse(send, 422, _problems(found), [])
            return
        await self.app(scope, replaying(body, receive), send)


def _problems(found: list[tuple[Loc, str]]) -> list[dict[str, object]]:
    """Each non-finite number as FastAPI reports a validation error."""
    return [
        {
            "type": "finite_number",
            "loc": ["body", *loc],
            "msg": f"{'.'.join(map(str, loc)) or 'the body'}: {text} is not a finite number; "
            "JSON numbers must be finite (NaN, Infinity and numbers beyond ±1.8e308 are "
            "refused).",
            "input": text,
        }
        for loc, text in found
    ]
