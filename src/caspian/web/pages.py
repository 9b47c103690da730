"""Server-rendered pages: the package's Jinja templates, autoescaped, and their filters."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse


def template_environment() -> jinja2.Environment:
    """The templates in ``caspian/web/templates``, HTML-escaped everywhere."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caspian.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.filters["when"] = when
    return env


def number(value: Any, digits: int = 1, scale: float = 1.0) -> str:
    """``value / scale`` with thousands separators and ``digits`` decimals; '–' if missing."""
    if value is None or isinstance(value, bool):
        return "–"
    try:
        x = float(value) / scale
    except (TypeError, ValueError):
        return str(value)
    return f"{x:,.{digits}f}" if math.isfinite(x) else "–"


def when(value: datetime | float | None) -> str:
    """A time in UTC, to the second ('–' if missing)."""
    if value is None:
        return "–"
    moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with ``context``."""
    env: jinja2.Environment = request.app.state.web.templates
    html = env.get_template(name).render(path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)
