"""The app factory: :func:`create_app` builds the dashboard and JSON API from its settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from caspian import __version__
from caspian.web.deps import WebState
from caspian.web.jobs import JobManager
from caspian.web.pages import render, template_environment
from caspian.web.routers import downloads, jobs, runs, session
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
    for router in (runs.router, jobs.router, downloads.router, session.router):
        app.include_router(router)
    static = StaticFiles(packages=[("caspian.web", "static")])
    app.mount("/static", static, name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        # Browsers ask for it on every page without a <link rel="icon">, e.g. a report alone.
        return RedirectResponse("/static/favicon.svg", status_code=301)

    app.add_exception_handler(StarletteHTTPException, _error_page)
    # Added innermost first: the last one added sees the request first.
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(TokenGuard, token=settings.token)
    app.add_middleware(HostGuard, hosts=settings.host_names())
    app.add_middleware(SecurityHeaders)
    return app


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
