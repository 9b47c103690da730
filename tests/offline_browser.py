"""Headless Debian Chromium with networking off, for pages that must work opened from disk."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CASPIAN_CHROMIUM", "/usr/bin/chromium"))
needs_chromium = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}")


@dataclass
class OfflinePage:
    """A Playwright page with no network, and what it logged and asked for."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No console or page error, and no request that left the local files."""
        assert self.errors == []
        assert all(u.startswith(("file:", "data:", "blob:")) for u in self.requests), self.requests


@contextmanager
def offline_page() -> Iterator[OfflinePage]:
    """A fresh offline page in headless Chromium, closed afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_context(offline=True).new_page()
            seen = OfflinePage(page)
            page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            page.on("request", lambda r: seen.requests.append(r.url))
            yield seen
        finally:
            browser.close()
