"""The report, opened from disk in headless Chromium with networking off, draws every figure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caspian.report import report_figures, write_report

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path(os.environ.get("CASPIAN_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
]


def test_report_renders_offline(run_dir: Path) -> None:
    path = write_report(run_dir)
    names = list(report_figures(run_dir))
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.resolve().as_uri())
        for name in names:
            figure = page.locator(f"#figure-{name} .main-svg").first
            figure.wait_for(state="attached", timeout=30_000)
            marks = page.locator(f"#figure-{name} .main-svg path, #figure-{name} .main-svg rect")
            assert marks.count() > 0, name
        browser.close()
    assert errors == []
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
