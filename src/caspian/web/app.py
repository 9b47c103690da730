"""The app factory: :func:`create_app` builds the dashboard and JSON API from its settings."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from caspian import __version__
from caspian.web.deps import WebState
from caspian.web.finite_json import FiniteJson
from caspian.web.job_manager import JobManager
from caspian.web.pages import render, template_environment
from caspian.web.routers import catalogues, downloads, jobs, runs, session
from caspian.web.security import BodyLimit, HostGuard, SecurityHeaders, TokenGuard
from caspian.web.settings import WebSettings, check_settings


def create_app(settings: WebSettings) -> FastAPI:
    """The web app for ``settings``, checked first.

    Raises
    ------
    InputError
        If the settings are unsafe or unusable: a non-loopback host without a token, a short
        token, a missing catalogue, a limit out of range, an unknown solver.
    """
    check_settings(settings)
    state = WebState(settings, template_environment(), JobManager(settings))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="caspian-grid",
        version=__version__,
        description="Results of the Caspian corridor study: runs, their files, and new runs. "
        "With an access token set, send `Authorization: Bearer <token>`.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; /openapi.json stays
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    for router in (runs.router, catalogues.router, jobs.router, downloads.router, session.router):
        app.include_router(router)
    static = StaticFiles(packages=[("caspian.web", "static")])
    app.mount("/static", static, name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        # Browsers ask for it on every page without a <link rel="icon">, e.g. a report alone.
        return RedirectResponse("/static/favicon.svg", status_code=301)

    app.add_exception_handler(StarletteHTTPException, _error_page)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    # Added innermost first: the last one added sees the request first.
    app.add_middleware(FiniteJson)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(TokenGuard, token=settings.token)
    app.add_middleware(HostGuard, hosts=settings.host_names())
    app.add_middleware(SecurityHeaders)
    return app


ECHO_LIMIT = 200
"""Characters of a request's value echoed back in a validation error, at most."""


async def _invalid_request(request: Request, error: Exception) -> Response:
    """FastAPI's 422 with each error's ``input`` made plain and short: raw bytes that are not
    UTF-8 (a body sent as text) broke FastAPI's own encoder, a 500, and a long value would be
    echoed back whole."""
    assert isinstance(error, RequestValidationError)
    details = []
    for item in error.errors():
        entry = {key: value for key, value in item.items() if key != "ctx"}
        if "input" in entry:
            entry["input"] = _echo(entry["input"])
        if "ctx" in item:
            entry["ctx"] = {str(k): _echo(v) for k, v in dict(item["ctx"]).items()}
        details.append(entry)
    return JSONResponse({"detail": jsonable_encoder(details)}, status_code=422)


def _echo(value: Any) -> Any:
    """A JSON-safe, short stand-in for ``value``."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value if len(value) <= ECHO_LIMIT else value[: ECHO_LIMIT - 3] + "..."
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    text = repr(value)
    if isinstance(value, dict | list | tuple) and len(text) <= ECHO_LIMIT:
        try:
            return jsonable_encoder(value)
        except (TypeError, ValueError, UnicodeDecodeError):
            return text
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 3] + "..."


async def _error_page(request: Request, error: Exception) -> Response:
    """JSON for the API, a page for a browser."""
    assert isinstance(error, StarletteHTTPException)
    browser = "text/html" in request.headers.get("accept", "")
    if request.url.path.startswith("/api/") or not browser:
        return await http_exception_handler(request, error)
    return render(
        request,
        "error.html",
        error.status_code,
        title=f"Error {error.status_code}",
        status=error.status_code,
        detail=error.detail,
    )
