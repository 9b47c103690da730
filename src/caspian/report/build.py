"""Make the report of a results folder: its figures, its HTML, and the files written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import plotly.graph_objects as go

from caspian.atomic import check_file_writable, write_text_atomic
from caspian.report.economics import origin_figure, tornado_figure
from caspian.report.energy import area_dispatch, dispatch_figure, energy_balance_figure
from caspian.report.images import FIGURES_FOLDER, export_images, find_chromium, image_formats
from caspian.report.links import utilisation_figure
from caspian.report.map_figure import map_figure
from caspian.report.page import render_page
from caspian.report.prices import daily_prices_figure, price_duration_figure
from caspian.report.run_folder import RunFolder, hourly, load_run
from caspian.runs.layout import REPORT_FILE


def figures_of(run: RunFolder) -> dict[str, go.Figure]:
    """Every figure that has something to show, in report order, by name."""
    timeline = hourly(area_dispatch(run), run.network)
    figures: dict[str, go.Figure | None] = {
        "map": map_figure(run),
        "energy_balance": energy_balance_figure(run),
        "dispatch_winter": dispatch_figure(run, "winter", timeline),
        "dispatch_summer": dispatch_figure(run, "summer", timeline),
        "prices_daily": daily_prices_figure(run),
        "price_duration": price_duration_figure(run),
        "link_utilisation": utilisation_figure(run),
        "cba_tornado": tornado_figure(run.cba) if run.cba is not None else None,
        "export_origin": origin_figure(run),
    }
    return {name: figure for name, figure in figures.items() if figure is not None}


def report_figures(run_dir: str | Path) -> dict[str, go.Figure]:
    """The report's figures for a results folder, in report order; the names are those of the
    image files (``map``, ``energy_balance``, ``dispatch_winter``, ...).

    Raises
    ------
    InputError
        If ``run_dir`` is not a results folder of ``caspian run`` or ``caspian solve``.
    """
    return figures_of(load_run(run_dir))


def render_report(run_dir: str | Path) -> str:
    """The self-contained HTML report of a results folder, as text."""
    run = load_run(run_dir)
    return render_page(run, figures_of(run))


def write_report(
    run_dir: str | Path,
    out: str | Path | None = None,
    *,
    overwrite: bool = False,
    images: str | Iterable[str] = (),
) -> Path:
    """Write the HTML report of ``run_dir`` and, with ``images``, its figures as image files.

    Parameters
    ----------
    run_dir
        a results folder of ``caspian run`` (or ``caspian solve``).
    out
        the HTML file; default ``run_dir/report.html``, which is always refreshed. A file
        named here is replaced only with ``overwrite``.
    overwrite
        replace an existing ``out``.
    images
        formats to export each figure in (``"png,svg"`` or ``["png", "svg"]``), written
        to ``run_dir/figures/<name>.<format>`` with kaleido and the local Chromium.

    Returns
    -------
    Path
        The path of the HTML file, written atomically (a temporary file renamed into place).

    Raises
    ------
    InputError
        If ``run_dir`` is not a results folder, ``out`` exists (without ``overwrite``) or is a
        folder, an image format is unknown, or images are asked for and no Chromium is found.
        All are checked before the report is drawn.
    """
    formats = image_formats(images)
    run_path = Path(run_dir)
    target = run_path / REPORT_FILE if out is None else Path(out)
    # RUN_DIR/report.html is derived from the folder and always refreshed; a named file is not.
    check_file_writable(target, overwrite=overwrite or out is None)
    run = load_run(run_path)
    chromium = find_chromium() if formats else None
    figures = figures_of(run)
    write_text_atomic(target, render_page(run, figures), overwrite=True)
    if formats:
        export_images(figures, run_path / FIGURES_FOLDER, formats, chromium)
    return target
