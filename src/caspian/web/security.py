"""The app's guards, as ASGI middleware: allowed hosts, access token, body size, headers.

Order, outermost first: :class:`SecurityHeaders` (every response gets them, refusals too),
:class:`HostGuard` (``Host`` must be a loopback name on a loopback bind: no DNS rebinding;
``Origin`` of a POST must be this server: no cross-site forms), :class:`TokenGuard` (with a
token, every request carries it: ``Authorization: Bearer <token>`` or the session cookie that
``/login`` sets), :class:`BodyLimit` (a body over the limit is refused with 413 before the app
reads it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "caspian_session"
PUBLIC_PATHS = frozenset({"/login"})
"""Paths open without the token: the login form."""
REPORT_SUFFIX = "/report.html"
SIGN_IN_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in · caspian-grid</title>'
    '<p>This caspian-grid server needs its access token. <a href="/login">Sign in</a>.</p></html>'
)

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""Dashboard pages: scripts and styles only from the app's own files."""
REPORT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts allow-downloads"
)
"""A run's report.html: plotly.js and the figures are inline in it, so inline scripts are
allowed there (no ``eval``: its SVG traces do not need it), but it loads nothing from
elsewhere, only this app may frame it, and it runs sandboxed in an origin of its own: its
scripts cannot reach the dashboard, its cookie or the API."""


def session_value(token: str) -> str:
    """The session cookie for ``token``: a keyed hash, so the cookie is not the token itself."""
    return hmac.new(token.encode(), b"caspian-serve-session", hashlib.sha256).hexdigest()


def token_matches(token: str, given: str) -> bool:
    """Constant-time comparison of ``given`` with ``token``."""
    return secrets.compare_digest(token.encode(), given.encode("utf-8", "replace"))


def header(scope: Scope, name: bytes) -> str | None:
    """The request header ``name`` (lower case), or None."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def refuse(
    send: Send,
    status: int,
    detail: object,
    extra: list[tuple[bytes, bytes]],
    *,
    page: str | None = None,
) -> None:
    """Answer ``status`` with ``{"detail": detail}``, or the HTML ``page`` if given."""
    if page is None:
        body, media = json.dumps({"detail": detail}).encode(), b"application/json"
    else:
        body, media = page.encode(), b"text/html; charset=utf-8"
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds CSP, nosniff, framing, referrer and cache headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        report = str(scope.get("path", "")).endswith(REPORT_SUFFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", (REPORT_CSP if report else PAGE_CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"SAMEORIGIN" if report else b"DENY"),
                    (b"referrer-policy", b"same-origin"),  # no-referrer would make Origin null
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HostGuard:
    """Refuses (400) a ``Host`` not in ``hosts`` (None: any), and (403) a POST, PUT, PATCH or
    DELETE whose ``Origin`` is another site."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = header(scope, b"host") or ""
        if self.hosts is not None and _hostname(f"//{host}") not in self.hosts:
            await refuse(send, 400, f"unknown host {host!r}; use http://127.0.0.1.", [])
            return
        origin = header(scope, b"origin")
        unsafe = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if unsafe and origin is not None and _netloc(origin) != host.lower():
            await refuse(send, 403, "cross-site request refused.", [])
            return
        await self.app(scope, receive, send)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return ""


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


class TokenGuard:
    """With a token, refuses (401) any request without it, except :data:`PUBLIC_PATHS`."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token
        self.session = session_value(token) if token else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.token or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        if self._authorised(scope):
            await self.app(scope, receive, send)
            return
        browser = "text/html" in (header(scope, b"accept") or "")
        await refuse(
            send,
            401,
            "access token required: send 'Authorization: Bearer <token>', or open "
            "/login?token=<token> in the browser.",
            [(b"www-authenticate", b'Bearer realm="caspian"')],
            page=SIGN_IN_PAGE if browser else None,
        )

    def _authorised(self, scope: Scope) -> bool:
        assert self.token is not None
        authorization = header(scope, b"authorization") or ""
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and token_matches(self.token, given.strip()):
            return True
        cookies = header(scope, b"cookie") or ""
        for item in cookies.split(";"):
            key, _, value = item.strip().partition("=")
            if key == SESSION_COOKIE and token_matches(self.session, value):
                return True
        return False


class BodyLimit:
    """Refuses (413) a request body over ``limit`` bytes, by its ``Content-Length`` or, when
    it is sent in chunks, by counting: the body is read (at most ``limit`` bytes) before the app
    sees it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"request body over {self.limit} bytes."
        length = header(scope, b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                await refuse(send, 400, "invalid Content-Length.", [])
                return
            if int(length) > self.limit:
                await refuse(send, 413, too_big, [])
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await refuse(send, 413, too_big, [])
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replaying(b"".join(chunks), receive), send)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (already read) first, then whatever ``receive`` gives
    (a disconnect)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
