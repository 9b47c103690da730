"""What every fuzz target checks, and how many cases each has seen.

An input either loads or is refused with the project's own input error (exit code 2 on the
command line): never another exception, never a hang (each case runs under an alarm of
``CASE_SECONDS``), never unbounded memory (under ``make fuzz`` the process's address space is
capped, so a runaway allocation is a ``MemoryError`` and fails the case).

``make test`` runs ``QUICK_CASES`` cases per target; ``make fuzz`` sets ``CASPIAN_FUZZ_CASES``
(10,000 by default) and prints the counts per target at the end.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

QUICK_CASES = 25
"""Cases per target in ``make test``."""

CASES = int(os.environ.get("CASPIAN_FUZZ_CASES", QUICK_CASES))
"""Cases per target: ``QUICK_CASES``, or what ``make fuzz`` asks for."""

CASE_SECONDS = int(os.environ.get("CASPIAN_FUZZ_CASE_SECONDS", 30))
"""A case still running after this long is a hang, and fails."""

FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    database=(
        DirectoryBasedExampleDatabase(os.environ["CASPIAN_FUZZ_DATABASE"])
        if os.environ.get("CASPIAN_FUZZ_DATABASE")
        else None
    ),
)
"""Hypothesis settings of every target. ``make test`` keeps no examples (every run starts
afresh); ``make fuzz`` keeps failing ones in ``CASPIAN_FUZZ_DATABASE`` (``.hypothesis/fuzz``),
so the next run tries them first."""

COUNTS: defaultdict[str, Counter[str]] = defaultdict(Counter)
"""Per target: how many cases loaded, were refused with exit code 2, or ended otherwise."""


PROGRESS_EVERY = 250
"""Under ``CASPIAN_FUZZ_REPORT``, the counts are written to the report every this many cases,
so a run of hours shows how far it has got (and a run cut short keeps its counts)."""


SUBDIVISIONS = ("solved", "no optimum (exit 3)")
"""Outcomes that divide the loaded networks further (a loaded network is then solved or has no
optimum), so they are not cases of their own."""


def outcome_total(counts: dict[str, int]) -> int:
    """The cases (or, for the web API, requests) behind ``counts``: every one ends loaded or
    refused, or with one HTTP status; ``SUBDIVISIONS`` are not counted again."""
    return sum(value for key, value in counts.items() if key not in SUBDIVISIONS)


def record(target: str, outcome: str) -> None:
    """Count one case of ``target`` and, every ``PROGRESS_EVERY`` cases, write the report."""
    COUNTS[target][outcome] += 1
    if sum(COUNTS[target].values()) % PROGRESS_EVERY == 0:
        write_report()


def write_report() -> None:
    """Write the counts so far to ``CASPIAN_FUZZ_REPORT`` (JSON), if it is set."""
    report = os.environ.get("CASPIAN_FUZZ_REPORT")
    if report:
        with open(report, "w") as fh:
            json.dump({t: dict(c) for t, c in COUNTS.items()}, fh, indent=2)


class CaseTimeout(Exception):
    """A case ran longer than ``CASE_SECONDS``: a hang."""


@contextmanager
def time_limit(seconds: int = CASE_SECONDS) -> Iterator[None]:
    """Raise :class:`CaseTimeout` in this (main) thread after ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout(f"the case ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(target: str, case: Callable[[], Any]) -> str:
    """Run ``case`` under the time limit; return ``"loaded"`` or ``"refused"`` (an
    :class:`~caspian.exceptions.InputError`). Anything else propagates and fails the case."""
    from caspian.exceptions import InputError

    with time_limit():
        try:
            case()
        except InputError as error:
            message = str(error)
            assert message.strip(), "an input error with no message"
            assert len(message) < 20_000, f"an error message of {len(message):,} characters"
            record(target, "refused (exit 2)")
            return "refused"
    record(target, "loaded")
    return "loaded"


def check_exit(target: str, argv: list[str]) -> int:
    """Run ``caspian ARGV`` in this process under the time limit; the exit code must be 0
    (loaded) or 2 (refused). A traceback (any exception other than the CLI's own exit) fails."""
    from caspian.cli.main import main

    with time_limit():
        try:
            main(argv)
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
    assert code in (0, 2), f"caspian {' '.join(argv)} exited {code}"
    record(target, "loaded" if code == 0 else "refused (exit 2)")
    return code
