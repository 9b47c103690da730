"""Settings of ``caspian serve``, passed to :func:`caspian.web.create_app` (never globals)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from caspian.exceptions import InputError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
"""Host names a browser uses for this machine; the only ones accepted on a loopback bind."""

MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class WebSettings:
    """Everything the web app needs to know, fixed for the app's lifetime.

    Attributes
    ----------
    results
        folder of results; every folder up to three levels below it that holds
        ``headlines.json`` is a run, and jobs started from the web write their run here (and
        their records in its hidden folder ``.caspian-jobs``).
    catalogues
        sweep catalogues (``catalogue.duckdb``) whose finished runs are listed too.
    host, port
        where ``caspian serve`` listens. A host that is not a loopback address needs
        ``token``.
    token
        access token; when set, every request needs it (``Authorization: Bearer <token>``
        or the session cookie set by ``/login``).
    max_jobs
        runs that may be queued or running at once; one more is refused with 429.
    max_body_bytes
        largest request body accepted; a larger one is refused with 413.
    job_solver
        solve method of runs started from the web: ``auto`` (the model's size decides between
        one HiGHS solve and Benders, [`caspian.optimize.auto`][caspian.optimize.auto]),
        ``benders``, or a HiGHS algorithm (``hipo``, ``ipm``, ``simplex``, ``pdlp``).
    job_min_resolution_hours
        finest time resolution (hours per snapshot) a web job may ask for; the form starts from the
        scenario's own resolution.
    job_time_limit_s
        solver time limit of a web job, s (None: no limit).
    job_threads
        HiGHS threads per web job (None: HiGHS decides).
    allowed_hosts
        values of the ``Host`` header accepted (without port); None means the
        loopback names for a loopback bind (a guard against DNS rebinding) and any host
        otherwise (the token guards those).
    """

    results: Path = Path("results")
    catalogues: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_jobs: int = 1
    max_body_bytes: int = 64 * 1024
    job_solver: str = "auto"
    job_min_resolution_hours: int = 3
    job_time_limit_s: float | None = 1800.0
    job_threads: int | None = None
    allowed_hosts: tuple[str, ...] | None = None

    def host_names(self) -> frozenset[str] | None:
        """Accepted ``Host`` header names, lower case, or None for any."""
        if self.allowed_hosts is not None:
            return frozenset(h.lower() for h in self.allowed_hosts)
        if is_loopback(self.host):
            return frozenset(LOOPBACK_NAMES)
        return None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_settings(settings: WebSettings) -> None:
    """Raise :class:`InputError` unless ``settings`` are safe and usable.

    A non-loopback host without a token is refused: anyone who can reach the port could read
    every result and start runs.
    """
    if not is_loopback(settings.host) and not settings.token:
        raise InputError(
            f"refusing to serve on {settings.host}, which other machines can reach, without an "
            "access token.",
            attribute="--host",
            value=settings.host,
            hint="Pass --token (or set CASPIAN_TOKEN), e.g. "
            "`export CASPIAN_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe())')`,"
            " or serve on 127.0.0.1.",
        )
    if settings.token is not None and len(settings.token) < MIN_TOKEN_CHARS:
        raise InputError(
            f"the access token has {len(settings.token)} characters; at least "
            f"{MIN_TOKEN_CHARS} are needed.",
            attribute="--token",
            hint="Generate one with `python -c 'import secrets; print(secrets.token_urlsafe())'`.",
        )
    if settings.token is not None and not settings.token.isascii():
        raise InputError("the access token must be ASCII.", attribute="--token")
    checks = (
        ("--port", settings.port, 0 <= settings.port <= 65535, "Use 0-65535."),
        ("max_jobs", settings.max_jobs, settings.max_jobs >= 1, "Use at least 1."),
        (
            "max_body_bytes",
            settings.max_body_bytes,
            settings.max_body_bytes >= 1024,
            "Use at least 1024.",
        ),
        (
            "job_min_resolution_hours",
            settings.job_min_resolution_hours,
            1 <= settings.job_min_resolution_hours <= 168,
            "Use 1-168 hours per snapshot.",
        ),
    )
    for attribute, value, ok, hint in checks:
        if not ok:
            raise InputError(f"invalid value {value!r}.", attribute=attribute, hint=hint)
    for catalogue in settings.catalogues:
        if not catalogue.is_file():
            raise InputError(
                "no sweep catalogue here.",
                file=str(catalogue),
                hint="Pass the catalogue.duckdb file a sweep wrote in its output folder.",
            )
