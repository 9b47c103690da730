"""The documentation site builds with warnings as errors and opens from disk with no internet."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.docs.pages import DOCS
from tests.offline_browser import needs_chromium, offline_page

ROOT = DOCS.parent
pytestmark = pytest.mark.slow
_RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=\"([^\"]+)\"|"
    r"<link\b[^>]*\bhref=\"([^\"]+)\"",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARNING" not in log, log
    return out


def _nav_pages(items: list) -> list[str]:
    found: list[str] = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += _nav_pages(value) if isinstance(value, list) else [value]
    return found


def test_every_nav_page_is_built(site: Path) -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    missing = [
        p for p in _nav_pages(config["nav"]) if not (site / p).with_suffix(".html").is_file()
    ]
    assert missing == []


def test_nothing_is_loaded_from_the_internet(site: Path) -> None:
    remote: list[str] = []
    for path in site.rglob("*.html"):
        for match in _RESOURCE.finditer(path.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2)
            if url.startswith(("http:", "https:", "//")):
                remote.append(f"{path.relative_to(site)}: {url}")
    for path in site.rglob("*.css"):
        for url in re.findall(r"url\(['\"]?((?:https?:)?//[^'\")]+)", path.read_text("utf-8")):
            remote.append(f"{path.relative_to(site)}: {url}")
    assert remote == []


def test_generated_tables_come_from_the_code(site: Path) -> None:
    from caspian.corridor.dataset import load_dataset
    from caspian.corridor.scenario import available_scenarios

    cli = (site / "reference/cli.html").read_text()
    for command in ("caspian run", "caspian solve", "caspian sweep", "caspian data sources"):
        assert command in cli
    assert "--typical-days" in cli
    sources = (site / "corridor/sources.html").read_text()
    assert f"{len(load_dataset().provenance)} numbers." in sources
    scenarios = (site / "corridor/scenarios.html").read_text()
    assert all(f"<code>{name}</code>" in scenarios for name in available_scenarios())
    components = (site / "how-to/own-network.html").read_text()
    assert "p_nom_extendable" in components and "marginal_cost" in components


def test_maths_is_mathml_and_api_pages_are_filled(site: Path) -> None:
    page = (site / "concepts/optimisation.html").read_text()
    assert page.count("<math ") > 10
    assert 'class="arithmatex"' not in page
    api = (site / "reference/api/optimize.html").read_text()
    assert "caspian.optimize.optimize" in api and "SolverOptions" in api
    assert "solve_benders" in (site / "reference/api/decompose.html").read_text()


def test_notebook_pages_show_code_and_outputs(site: Path) -> None:
    for name in ("corridor-scenarios", "custom-network"):
        page = (site / f"notebooks/{name}.html").read_text()
        notebook = json.loads((DOCS / f"notebooks/{name}.ipynb").read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert page.count('<div class="highlight">') >= len(code)
        printed = [
            line
            for c in code
            for out in c["outputs"]
            if out["output_type"] == "stream"
            for line in "".join(out["text"]).splitlines()
            if line.strip()
        ]
        assert printed and html.escape(printed[-1].strip(), quote=False) in page
        assert (site / f"notebooks/{name}.ipynb").is_file()


@needs_chromium
def test_site_opens_from_disk_offline_and_search_works(site: Path) -> None:
    with offline_page() as browser:
        page = browser.page
        page.goto((site / "index.html").as_uri())
        page.locator("input[data-md-component=search-query]").fill("Benders")
        results = page.locator(".md-search-result__item")
        results.first.wait_for(timeout=30_000)
        assert results.count() > 0
        page.goto((site / "concepts/optimisation.html").as_uri())
        assert page.locator("math").count() > 10
    browser.assert_clean()
