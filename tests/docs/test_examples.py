"""Every example in the docs runs, and prints what the page says it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.pages import DOCS, blocks, pages, run_page

PAGES = pages()
RUNNABLE_PAGES = [p for p in PAGES if any(b.runs for b in blocks(p))]


def test_every_page_in_the_nav_is_written() -> None:
    stubs = [p.relative_to(DOCS).as_posix() for p in PAGES if "STUB" in p.read_text()[:200]]
    assert stubs == []


def test_the_guides_have_examples() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in RUNNABLE_PAGES}
    assert {"getting-started.md", "corridor/scenarios.md", "how-to/own-network.md"} <= names


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    RUNNABLE_PAGES,
    ids=[p.relative_to(DOCS).with_suffix("").as_posix() for p in RUNNABLE_PAGES],
)
def test_page_examples_run(page: Path, tmp_path: Path) -> None:
    run_page(page, tmp_path)
