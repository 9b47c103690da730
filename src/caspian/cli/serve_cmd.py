"""``caspian serve``: the dashboard and JSON API over the results folders.

The port is taken before anything is printed, so a busy port is a clear error (exit 2), not a
URL that leads nowhere. Ctrl+C stops the server within a couple of seconds: open requests get
:data:`GRACE_S` to finish, running jobs are stopped and marked ``interrupted`` (a later server
shows them, and can start them again).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from caspian.exceptions import InputError

console = Console(highlight=False)

GRACE_S = 2
"""Seconds that open requests get to finish once the server is asked to stop."""


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Anything but loopback needs --token.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    results: Annotated[
        Path,
        typer.Option(
            "--results",
            help="Results folder: runs found below it are listed, new runs are written there.",
        ),
    ] = Path("results"),
    catalogue: Annotated[
        list[Path] | None,
        typer.Option("--catalogue", help="A sweep's catalogue.duckdb whose runs to list too."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="CASPIAN_TOKEN",
            show_envvar=True,
            help="Access token every request must carry (header 'Authorization: Bearer "
            "<token>', or sign in once at /login).",
        ),
    ] = None,
    max_jobs: Annotated[
        int, typer.Option("--max-jobs", help="Runs that may be queued or running at once.")
    ] = 1,
    min_resolution: Annotated[
        int,
        typer.Option("--min-resolution", help="Finest hours per snapshot a web run may use."),
    ] = 3,
) -> None:
    """Serve the dashboard and JSON API (schema at /openapi.json) until interrupted."""
    import uvicorn

    from caspian.web import WebSettings, create_app

    settings = WebSettings(
        results=results,
        catalogues=tuple(catalogue or ()),
        host=host,
        port=port,
        token=token or None,
        max_jobs=max_jobs,
        job_min_resolution_hours=min_resolution,
    )
    app = create_app(settings)  # checks the settings: exit 2 before anything listens
    listener = listen(host, port)  # a busy port: exit 2 before a URL is printed
    port = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    console.print(f"caspian-grid dashboard on [bold]{url}[/] (results: {results})")
    if token:
        console.print(f"sign in once at {url}login (the token is asked for there)")
    for catalogue_status in app.state.web.index().catalogues:
        if catalogue_status.problem:
            console.print("[yellow]notice:[/] catalogue ", end="")
            console.print(
                f"{catalogue_status.path} {catalogue_status.problem}", markup=False, soft_wrap=True
            )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        # The access log stays off with a token: a /login?token= request would print it.
        access_log=not token,
        log_level="info",
        ws="none",
        timeout_graceful_shutdown=GRACE_S,
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:
        pass  # uvicorn passes on the Ctrl+C it stopped for, once it has stopped
    finally:
        listener.close()
    for job in app.state.web.jobs.stopped():
        console.print(
            f"job {job.run_name} interrupted: start it again from {url}jobs/{job.id} once the "
            "server runs again",
            soft_wrap=True,
        )


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``, for the server to listen on.

    Raises
    ------
    InputError
        If the address cannot be taken: the port is in use, needs privileges, or the host is
        not an address of this machine.
    """
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host.strip("[]")).version == 6 else 0
    except ValueError:  # a name such as localhost
        family = 0
    try:
        found = socket.getaddrinfo(
            host.strip("[]"), port, family or socket.AF_UNSPEC, socket.SOCK_STREAM
        )
    except socket.gaierror as error:
        raise InputError(
            f"cannot listen on {host}: {error.strerror}.",
            attribute="--host",
            value=host,
            hint="Give an address of this machine, e.g. --host 127.0.0.1.",
        ) from None
    family, kind, proto, _, address = found[0]
    listener = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # a port left in TIME_WAIT by a server just stopped is free
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        listener.close()
        raise _bind_error(host, port, error) from None
    return listener


def _bind_error(host: str, port: int, error: OSError) -> InputError:
    where = f"cannot listen on {host} port {port}"
    if error.errno == errno.EADDRINUSE:
        return InputError(
            f"{where}: the port is in use (another caspian serve, or another program).",
            attribute="--port",
            value=port,
            hint=f"Choose another port with --port, e.g. --port {port + 1 if port else 8001}, or "
            "stop the program that holds it.",
        )
    if error.errno == errno.EACCES:
        return InputError(
            f"{where}: permission denied (ports below 1024 need administrator rights).",
            attribute="--port",
            value=port,
            hint="Use a port from 1024 up with --port, e.g. --port 8000.",
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return InputError(
            f"{where}: {host} is not an address of this machine.",
            attribute="--host",
            value=host,
            hint="Use --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (every network).",
        )
    return InputError(f"{where}: {error.strerror or error}.", attribute="--port", value=port)
