"""Fuzz targets: bound the memory under ``make fuzz`` and report the cases per target."""

from __future__ import annotations

import os
import resource
from typing import Any

from tests.fuzz.harness import CASES, COUNTS, QUICK_CASES, outcome_total, write_report

MEMORY_GB = float(os.environ.get("CASPIAN_FUZZ_MEMORY_GB", 8))
"""Address-space limit of the fuzzing process under ``make fuzz`` (GB)."""


def pytest_configure(config: Any) -> None:
    if CASES > QUICK_CASES:
        limit = int(MEMORY_GB * 1024**3)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.section("fuzz cases per target")
    for target, counts in sorted(COUNTS.items()):
        total = outcome_total(counts)
        parts = ", ".join(f"{value:,} {key}" for key, value in sorted(counts.items()))
        terminalreporter.write_line(f"{target}: {total:,} outcomes ({parts})")
    write_report()
