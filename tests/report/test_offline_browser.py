"""The report, opened from disk in headless Chromium with networking off, draws every figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.report import report_figures, write_report
from tests.offline_browser import needs_chromium, offline_page

pytestmark = [pytest.mark.slow, needs_chromium]


def test_report_renders_offline(run_dir: Path) -> None:
    path = write_report(run_dir)
    names = list(report_figures(run_dir))
    with offline_page() as browser:
        page = browser.page
        page.goto(path.resolve().as_uri())
        for name in names:
            figure = page.locator(f"#figure-{name} .main-svg").first
            figure.wait_for(state="attached", timeout=30_000)
            marks = page.locator(f"#figure-{name} .main-svg path, #figure-{name} .main-svg rect")
            assert marks.count() > 0, name
    browser.assert_clean()
