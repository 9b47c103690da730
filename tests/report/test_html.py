"""The HTML report is one self-contained file: plotly.js once, no URL it could fetch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from caspian.report import render_report
from caspian.report.page import PLOTLY_SCRIPT_ID

PLOTLY_BLOCK = re.compile(rf'<script id="{PLOTLY_SCRIPT_ID}">.*?</script>', re.DOTALL)
FETCHING_TAG = re.compile(
    r"<(?:script|link|img|iframe|source|embed|object|video|audio)\b[^>]*\b(?:src|href|data)\s*=",
    re.IGNORECASE,
)
EXTERNAL_ATTRIBUTE = re.compile(
    r"""\b(?:src|href|action|data|poster)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE
)


@pytest.fixture(scope="module")
def html(solved_run: Path) -> str:
    return render_report(solved_run)


def test_plotly_is_embedded_once(html: str) -> None:
    assert html.count(get_plotlyjs()) == 1
    assert html.count(f'<script id="{PLOTLY_SCRIPT_ID}">') == 1
    assert html.count("<script") == 2  # plotly.js and the figures
    assert html.count("Plotly.newPlot(") == 1


def test_no_external_url_anywhere(html: str) -> None:
    """plotly.js is the library as plotly ships it (it holds map-tile URLs for the map traces,
    which the report does not use; see test_figures); everything else is the report's own."""
    ours = PLOTLY_BLOCK.sub("", html)
    assert len(html) - len(ours) > len(get_plotlyjs())
    # Nothing of the report's own refers to another site, not even in text.
    assert "http://" not in ours and "https://" not in ours
    assert not EXTERNAL_ATTRIBUTE.search(ours)
    assert not FETCHING_TAG.search(ours)  # no script, stylesheet or image loaded from a file
    for call in ("fetch(", "XMLHttpRequest", "import(", "@import", "url(", "WebSocket"):
        assert call not in ours, call
    links = re.findall(r"""\bhref\s*=\s*["']([^"']*)""", ours)
    assert links and all(link.startswith("#") for link in links)


def test_every_figure_is_drawn_in_its_place(html: str) -> None:
    ours = PLOTLY_BLOCK.sub("", html)
    for name in ("map", "energy_balance", "dispatch_winter", "link_utilisation", "export_origin"):
        assert f"id='figure-{name}'" in ours
        assert f'"{name}":' in ours
    assert "</script" not in ours.split("var figures = ", 1)[1].split("\n", 1)[0]


def test_header_and_missing_cba_note(html: str, solved_run: Path) -> None:
    assert "caspian-grid report: base" in html
    assert "73-hourly (120 snapshots)" in html
    assert "total system cost" in html and "exports to the EU" in html
    assert f"caspian cba {solved_run}" in html  # how to add the cost-benefit analysis
