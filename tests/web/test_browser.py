"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

The app runs under uvicorn on a free port of 127.0.0.1; every request the browser makes is
recorded, and any that would leave 127.0.0.1 is blocked and fails the test, as does any
console error or uncaught exception, in the dashboard or in the embedded report.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI

from caspian.web import WebSettings, create_app
from tests.web.conftest import FAKE_WORKER

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path(os.environ.get("CASPIAN_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
]
SCREENSHOTS = os.environ.get("CASPIAN_SCREENSHOTS")
"""A folder to keep the screenshots in (to look at them); they go to tmp_path otherwise."""


@pytest.fixture
def app(results: Path) -> FastAPI:
    """The app the browser talks to (a test may change it before the server starts)."""
    return create_app(WebSettings(results=results, job_min_resolution_hours=24))


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


@dataclass
class Watch:
    """What the browser did: requests, the ones blocked for leaving the machine, errors."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: sync_api.Route) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.outside.append(url)
            route.abort()
        else:
            route.continue_()

    def console(self, message: sync_api.ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def page_error(self, error: sync_api.Error) -> None:
        self.errors.append(f"uncaught: {error}")


@pytest.fixture
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: sync_api.Browser) -> Iterator[tuple[sync_api.Page, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = Watch()
    context.route("**/*", watch.route)
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    yield page, watch
    context.close()


def shot(page: sync_api.Page, tmp_path: Path, name: str) -> None:
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_dashboard_run_page_and_report(
    server: str, page: tuple[sync_api.Page, Watch], tmp_path: Path
) -> None:
    browser_page, watch = page
    expect = sync_api.expect
    browser_page.goto(f"{server}/")
    rows = browser_page.locator("table#runs tbody tr")
    expect(rows).to_have_count(3)
    expect(browser_page.locator("table#runs")).to_contain_text("no-caspian-link")
    shot(browser_page, tmp_path, "runs")

    browser_page.get_by_role("link", name="base", exact=True).click()
    expect(browser_page).to_have_url(f"{server}/runs/base")
    expect(browser_page.locator(".cards")).to_contain_text("total system cost")
    frame = browser_page.frame_locator("#report")
    # The report is written on this first request, then plotly draws every figure.
    expect(frame.locator("#figure-map svg.main-svg").first).to_be_visible(timeout=120_000)
    report = browser_page.locator("#report").element_handle().content_frame()
    assert report is not None
    report.wait_for_function(
        "Array.from(document.querySelectorAll('div.figure'))"
        ".every(d => d.querySelector('svg.main-svg'))",
        timeout=60_000,
    )
    # Each figure has drawn marks: in plotly's traces (g.trace), heatmaps (g.hm) or Sankey.
    figures = report.evaluate(
        """() => Array.from(document.querySelectorAll('div.figure')).map(d => ({
            id: d.id,
            marks: d.querySelectorAll(
                'svg.main-svg g.trace path, svg.main-svg g.trace text, '
                + 'svg.main-svg g.hm image, svg.main-svg .sankey path'
            ).length,
            width: d.getBoundingClientRect().width,
        }))"""
    )
    names = [f["id"] for f in figures]
    assert "figure-map" in names and len(figures) >= 4, names
    empty = [f["id"] for f in figures if f["marks"] == 0 or f["width"] < 100]
    assert not empty, figures
    nodes = report.locator("#figure-map .scatterlayer .point")
    assert nodes.count() > 0
    browser_page.locator("#report").scroll_into_view_if_needed()
    shot(browser_page, tmp_path, "run-base")

    browser_page.goto(f"{server}/compare?a=base&b=no-caspian-link")
    expect(browser_page.locator("#differences")).to_contain_text("total system cost")
    expect(browser_page.locator("#parameters")).to_contain_text("caspian.routes")

    assert not watch.outside, f"requests leaving the machine: {watch.outside}"
    assert not watch.errors, watch.errors
    assert any(url.endswith("/runs/base/report.html") for url in watch.requests)


def test_start_a_run_from_the_form(
    server: str, page: tuple[sync_api.Page, Watch], tmp_path: Path
) -> None:
    browser_page, watch = page
    expect = sync_api.expect
    browser_page.goto(f"{server}/jobs/new")
    browser_page.select_option("select[name=scenario]", "no-caspian-link")
    expect(browser_page).to_have_url(f"{server}/jobs/new?scenario=no-caspian-link")
    expect(browser_page.locator("input[name='caspian.routes'][value=A]")).not_to_be_checked()

    # A value out of range comes back with the field marked, and nothing starts.
    browser_page.fill("input[name=resolution_hours]", "2")
    browser_page.fill("input[name='prices.gas_multiplier']", "-1")
    browser_page.click("button[type=submit]")
    expect(browser_page.locator("[data-error-for=resolution_hours]")).to_be_visible()
    expect(browser_page.locator("[data-error-for='prices.gas_multiplier']")).to_contain_text(
        "greater than 0"
    )
    shot(browser_page, tmp_path, "form-errors")
    # Chromium logs the 422 of that page as a failed load; it is the only error allowed.
    assert len(watch.errors) == 1 and "status of 422" in watch.errors[0], watch.errors
    watch.errors.clear()

    browser_page.fill("input[name=name]", "browser-run")
    browser_page.fill("input[name=resolution_hours]", "73")
    browser_page.fill("input[name='prices.gas_multiplier']", "1.5")
    browser_page.click("button[type=submit]")
    expect(browser_page.locator("[data-field=state]")).to_have_text("done", timeout=120_000)
    shot(browser_page, tmp_path, "job-done")
    browser_page.click("[data-field=run-link]")
    expect(browser_page).to_have_url(f"{server}/runs/browser-run")

    browser_page.goto(f"{server}/")
    expect(browser_page.locator("table#runs")).to_contain_text("browser-run")
    expect(browser_page.locator(".jobs")).to_contain_text("done")

    assert not watch.outside, f"requests leaving the machine: {watch.outside}"
    assert not watch.errors, watch.errors


@pytest.fixture
def interrupted(results: Path, tmp_path: Path) -> str:
    """The id of a job that an earlier server left interrupted (its record is in results)."""
    from caspian.web.schemas import JobIn

    earlier = create_app(WebSettings(results=results, job_min_resolution_hours=24))
    jobs = earlier.state.web.jobs
    jobs.command = (sys.executable, str(FAKE_WORKER), "block", str(tmp_path / "never"))
    job = jobs.submit(JobIn(scenario="base", name="again", resolution_hours=24))
    deadline = time.monotonic() + 60
    while jobs.get(job.id).message == "queued" or jobs.get(job.id).state == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    jobs.shutdown()
    return job.id


def test_a_damaged_run_and_an_interrupted_job(
    interrupted: str,  # first: the app reads the job records when it is made
    app: FastAPI,
    results: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    (results / "base" / "headlines.json").write_text('{"scenario": ')
    release = tmp_path / "release"
    app.state.web.jobs.command = (sys.executable, str(FAKE_WORKER), "block", str(release))
    server = request.getfixturevalue("server")
    browser_page, watch = request.getfixturevalue("page")
    expect = sync_api.expect

    browser_page.goto(f"{server}/")
    expect(browser_page.locator("table#runs tbody tr")).to_have_count(3)
    broken = browser_page.locator("tr[data-broken=base]")
    expect(broken).to_contain_text("damaged: headlines.json is not valid JSON")
    expect(browser_page.locator(".jobs")).to_contain_text("interrupted")
    shot(browser_page, tmp_path, "runs-damaged")
    broken.get_by_role("link", name="base", exact=True).click()
    expect(browser_page.locator("[data-problem='headlines.json']")).to_contain_text(
        "Damaged file headlines.json in run base"
    )
    expect(browser_page.locator("table.files")).to_contain_text("network.nc")

    browser_page.goto(f"{server}/jobs/{interrupted}")
    expect(browser_page.locator("[data-field=state]")).to_have_text("interrupted")
    expect(browser_page.locator("[data-field=message]")).to_contain_text("start it again")
    shot(browser_page, tmp_path, "job-interrupted")
    browser_page.get_by_role("button", name="Start it again").click()
    expect(browser_page).to_have_url(f"{server}/jobs/{interrupted}")
    expect(browser_page.locator("[data-field=state]")).to_have_text("running")
    expect(browser_page.locator("[data-field=restart]")).to_be_hidden()
    release.touch()
    expect(browser_page.locator("[data-field=state]")).to_have_text("done", timeout=30_000)

    assert not watch.outside, f"requests leaving the machine: {watch.outside}"
    assert not watch.errors, watch.errors
