"""Say, after the run, which docs blocks were shown but not run (``docs-test: skip``)."""

from __future__ import annotations

import pytest

from tests.docs.pages import SHOWN_NOT_RUN


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SHOWN_NOT_RUN:
        terminalreporter.section("docs blocks shown but not run")
        for line in sorted(set(SHOWN_NOT_RUN)):
            terminalreporter.write_line(line)
