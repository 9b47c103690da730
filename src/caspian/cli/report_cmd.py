"""``caspian report``: the self-contained HTML report of a results folder, and its figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from caspian.report import REPORT_FILE, write_report
from caspian.report.images import FIGURES_FOLDER

console = Console(highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    run_dir: Annotated[
        Path, typer.Argument(help="A results folder of 'caspian run' (one scenario) or 'solve'.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help=f"HTML file to write (default: RUN_DIR/{REPORT_FILE})."),
    ] = None,
    images: Annotated[
        str,
        typer.Option(
            "--images",
            help=f"Also export every figure to RUN_DIR/{FIGURES_FOLDER}/ as png, svg or "
            "png,svg (needs Chromium: make chromium).",
        ),
    ] = "",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the --out file if it exists.")
    ] = False,
) -> None:
    """Write one HTML report of a results folder that opens with no internet: map, energy
    balance, dispatch weeks, prices, link utilisation, cost-benefit and export origin."""
    with console.status("drawing the report"):
        path = write_report(run_dir, out, overwrite=overwrite, images=images)
    console.print(f"report: [bold]{path}[/]", soft_wrap=True)
    if images:
        console.print(f"figures: [bold]{run_dir / FIGURES_FOLDER}[/]", soft_wrap=True)
