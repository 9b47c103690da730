"""Every example in the docs runs, and prints what the page says it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.pages import DOCS, blocks, pages, run_page

PAGES = pages()


def test_every_page_in_the_nav_is_written() -> None:
    stubs = [p.relative_to(DOCS).as_posix() for p in PAGES if "STUB" in p.read_text()[:200]]
    assert stubs == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "page", PAGES, ids=[p.relative_to(DOCS).with_suffix("").as_posix() for p in PAGES]
)
def test_page_examples_run(page: Path, tmp_path: Path) -> None:
    if not any(b.lang in ("pycon", "python", "console") or b.title for b in blocks(page)):
        pytest.skip("no examples on this page")
    run_page(page, tmp_path)
