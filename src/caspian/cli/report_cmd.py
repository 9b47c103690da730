"""``caspian report``: the self-contained HTML report of a results folder, and its figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from caspian.cli import checks
from caspian.cli.checks import Problems
from caspian.exceptions import InputError
from caspian.optimize.export import check_results_folder
from caspian.report import write_report
from caspian.report.images import FIGURES_FOLDER, image_formats
from caspian.report.run_folder import load_run
from caspian.runs.layout import REPORT_FILE

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
    problems = Problems()
    problems.check(image_formats, images)
    try:
        check_results_folder(run_dir)
        complete = True
    except InputError:
        complete = False
        problems.check(load_run, run_dir)  # its message says what is wrong and what to give
    if out is not None or complete:
        # RUN_DIR/report.html is derived from the folder and always refreshed; a named file is not
        checks.output_file(
            problems,
            run_dir / REPORT_FILE if out is None else out,
            overwrite=overwrite or out is None,
            inputs=[run_dir],
            results=True,
        )
    problems.raise_any()  # before drawing anything
    with console.status("drawing the report"):
        path = write_report(run_dir, out, overwrite=overwrite, images=images)
    console.print(f"report: [bold]{path}[/]", soft_wrap=True)
    if images:
        console.print(f"figures: [bold]{run_dir / FIGURES_FOLDER}[/]", soft_wrap=True)
