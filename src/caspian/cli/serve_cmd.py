"""``caspian serve``: the dashboard and JSON API over the results folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(highlight=False)


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
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    console.print(f"caspian-grid dashboard on [bold]{url}[/] (results: {results})")
    if token:
        console.print(f"sign in once at {url}login (the token is asked for there)")
    # The access log stays off with a token: a /login?token= request would print it.
    uvicorn.run(app, host=host, port=port, access_log=not token, log_level="info", ws="none")
