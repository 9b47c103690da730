"""PNG and SVG copies of the report's figures, drawn by kaleido in the local Chromium.

Kaleido 1.x renders in a Chrome it drives over a pipe (choreographer). It is pointed at the
system's Chromium (Debian's ``/usr/bin/chromium``, or ``BROWSER_PATH``) and told not to load
MathJax, whose default is a CDN, so export needs no network either.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal, cast, get_args

import plotly.graph_objects as go

from caspian.atomic import temp_folder_beside
from caspian.exceptions import InputError

ImageFormat = Literal["png", "svg"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = get_args(ImageFormat)
FIGURES_FOLDER = "figures"
IMAGE_WIDTH_PX = 1200
DEFAULT_HEIGHT_PX = 500
PNG_SCALE = 2.0
"""Pixels per CSS pixel of the PNGs: sharp on screens and in print."""
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FALLBACK = Path("/usr/bin/chromium")


def image_formats(formats: str | Iterable[str]) -> tuple[ImageFormat, ...]:
    """Check image formats given as ``"png,svg"`` or a list; duplicates dropped, order kept.

    Raises
    ------
    InputError
        For a format other than png or svg.
    """
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = [name.strip().lower() for name in names if name.strip()]
    for name in wanted:
        if name not in IMAGE_FORMATS:
            raise InputError(
                f"unknown image format {name!r}.",
                attribute="images",
                value=name,
                hint=f"Use {' or '.join(IMAGE_FORMATS)}, e.g. --images png,svg.",
            )
    return tuple(dict.fromkeys(cast(ImageFormat, name) for name in wanted))


def find_chromium() -> Path:
    """The Chromium kaleido will drive: ``BROWSER_PATH`` if set, else the first Chromium or
    Chrome on ``PATH``, else ``/usr/bin/chromium``.

    Raises
    ------
    InputError
        If none is found (or ``BROWSER_PATH`` names no executable), saying how to install it.
    """
    override = os.environ.get("BROWSER_PATH")
    if override:
        if Path(override).is_file() and os.access(override, os.X_OK):
            return Path(override)
        raise InputError(
            f"BROWSER_PATH={override!r} is not an executable file, so no figure can be exported.",
            hint="Point BROWSER_PATH at Chromium (e.g. /usr/bin/chromium) or unset it.",
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    if CHROMIUM_FALLBACK.is_file() and os.access(CHROMIUM_FALLBACK, os.X_OK):
        return CHROMIUM_FALLBACK
    raise InputError(
        "no Chromium found; PNG and SVG export draws the figures in a headless Chromium.",
        attribute="images",
        hint="Install it with 'make chromium' (or 'sudo apt install chromium'), or set "
        "BROWSER_PATH to a Chromium or Chrome executable; the HTML report needs none.",
    )


def export_images(
    figures: Mapping[str, go.Figure],
    folder: str | Path,
    formats: Iterable[ImageFormat],
    chromium: Path | None = None,
) -> list[Path]:
    """Write every figure as ``folder/<name>.<format>``; return the paths written.

    Files are drawn into a temporary folder beside ``folder`` and moved into place only when
    all are drawn, replacing earlier copies of the same names.
    """
    formats = tuple(formats)
    if not formats or not figures:
        return []
    browser = chromium or find_chromium()
    import kaleido

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    # Named after this process, so a killed export's leftover is cleaned by the next write.
    staging = temp_folder_beside(out)
    try:
        jobs = [
            {
                "fig": figure,
                "path": staging / f"{name}.{fmt}",
                "opts": {
                    "format": fmt,
                    "width": IMAGE_WIDTH_PX,
                    "height": int(figure.layout.height or DEFAULT_HEIGHT_PX),
                    "scale": PNG_SCALE if fmt == "png" else 1.0,
                },
            }
            for name, figure in figures.items()
            for fmt in formats
        ]
        kaleido.write_fig_from_object_sync(
            jobs, kopts={"path": str(browser), "mathjax": False}, cancel_on_error=True
        )
        written = []
        for job in jobs:
            drawn = Path(str(job["path"]))
            target = out / drawn.name
            os.replace(drawn, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
