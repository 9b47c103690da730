"""Checks of command-line arguments, made before anything is loaded or solved, reported together.

A command makes a :class:`Problems`, runs every check on it (ranges, choices, names, the output
location and that it is not the input), then calls :meth:`Problems.raise_any`: one
:class:`~caspian.exceptions.InputError` (exit code 2) lists every problem found, each naming the
option, the value and the fix, so a user fixes them all in one go.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from caspian.atomic import check_file_writable, check_writable
from caspian.decompose import Method, method_from_name
from caspian.decompose.method import SOLVER_NAMES
from caspian.exceptions import InputError
from caspian.optimize.export import result_entries

T = TypeVar("T")


class Problems:
    """The problems found in one command's arguments, raised together by :meth:`raise_any`."""

    def __init__(self) -> None:
        self._errors: list[InputError] = []

    def __len__(self) -> int:
        return len(self._errors)

    def add(
        self,
        message: str,
        *,
        option: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        """Note a problem with ``option`` (e.g. ``"--resolution"``)."""
        self.error(InputError(message, attribute=option, value=value, hint=hint))

    def error(self, error: InputError) -> None:
        """Note a problem found by a check that raised ``error``; the same text once only."""
        if all(str(error) != str(known) for known in self._errors):
            self._errors.append(error)

    @contextmanager
    def collect(self) -> Iterator[None]:
        """Note an :class:`InputError` raised in the block instead of raising it."""
        try:
            yield
        except InputError as error:
            self.error(error)

    def check(self, function: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        """``function(*args, **kwargs)``, or None with its :class:`InputError` noted."""
        with self.collect():
            return function(*args, **kwargs)
        return None

    def raise_any(self) -> None:
        """Raise the one problem found as it is, or one :class:`InputError` listing them all."""
        if len(self._errors) == 1:
            raise self._errors[0]
        if self._errors:
            lines = [str(e).replace("\n", "\n    ") for e in self._errors]
            raise InputError(
                f"{len(lines)} problems with the command's arguments:\n"
                + "\n".join(f"  - {line}" for line in lines)
            )


def number(
    problems: Problems,
    option: str,
    value: float | None,
    *,
    at_least: float | None = None,
    above: float | None = None,
    at_most: float | None = None,
    below: float | None = None,
    meaning: str = "",
) -> None:
    """Note ``value`` of ``option`` unless it is None or a finite number within the bounds;
    ``meaning`` says what the number is (``"hours per snapshot"``)."""
    if value is None:
        return
    if at_least is not None and at_most is not None:
        wanted = f"from {at_least:g} to {at_most:g}"
    else:
        bounds = [
            f"{words} {bound:g}"
            for words, bound in (
                ("at least", at_least),
                ("above", above),
                ("at most", at_most),
                ("below", below),
            )
            if bound is not None
        ]
        wanted = " and ".join(bounds) if bounds else "that is finite"
    ok = math.isfinite(value) and not (
        (at_least is not None and value < at_least)
        or (above is not None and value <= above)
        or (at_most is not None and value > at_most)
        or (below is not None and value >= below)
    )
    if not ok:
        what = f" ({meaning})" if meaning else ""
        problems.add(
            f"{value!r} is out of range{what}.",
            option=option,
            value=value,
            hint=f"Give a number {wanted}.",
        )


def choice(
    problems: Problems, option: str, value: str, choices: Iterable[str], *, what: str = "value"
) -> None:
    """Note ``value`` of ``option`` unless it is one of ``choices`` (case as given)."""
    options = list(choices)
    if value not in options:
        problems.add(
            f"unknown {what} {value!r}.",
            option=option,
            value=value,
            hint=f"Choose one of: {', '.join(options)}.{did_you_mean(value, options)}",
        )


def known_name(
    problems: Problems, option: str, value: str, names: Iterable[str], what: str, where: str
) -> None:
    """Note ``value`` of ``option`` unless it is one of ``names``: "no ``what`` ... in
    ``where``", listing the candidates with a did-you-mean."""
    candidates = [str(n) for n in names]
    if value not in candidates:
        problems.add(
            f"no {what} {value!r} in {where}.",
            option=option,
            value=value,
            hint=f"{what.capitalize()}s: {', '.join(candidates) or 'none'}."
            + did_you_mean(value, candidates),
        )


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``" Did you mean 'x'?"`` for the option ``word`` starts (or is the start of), else the
    closest by spelling, else ``""``."""
    candidates = list(options)
    lower = word.strip().lower()
    starts = [o for o in candidates if lower and o.lower().startswith(lower)]
    if not starts:
        starts = [o for o in candidates if lower.startswith(o.lower()) and o]
    close = starts or difflib.get_close_matches(word, candidates, n=2, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close[:2]) + "?"


def method(
    problems: Problems,
    solver: str,
    *,
    time_limit: float | None = None,
    threads: int | None = None,
    crossover: bool = False,
    block_hours: float | None = None,
    gap: float | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    dask_dashboard: bool = False,
) -> Method | None:
    """The solve method the options ask for, or None with their problems noted, each named
    by its option."""
    before = len(problems)
    if solver.lower() not in SOLVER_NAMES:
        choice(problems, "--solver", solver, SOLVER_NAMES, what="solver")
    number(problems, "--time-limit", time_limit, above=0, meaning="seconds")
    number(problems, "--threads", threads, at_least=1)
    number(problems, "--block-hours", block_hours, above=0, meaning="hours per time block")
    number(problems, "--gap", gap, above=0, below=1, meaning="a relative gap, 0.001 = 0.1 %")
    number(problems, "--workers", workers, at_least=1)
    if scheduler is not None and not scheduler.strip():
        problems.add(
            "the scheduler address is empty.",
            option="--scheduler",
            value=scheduler,
            hint="Give a Dask scheduler's address, e.g. tcp://host:8786, or leave it out.",
        )
    if dask_dashboard:
        dask_dashboard_applies(problems, workers=workers, scheduler=scheduler)
    if len(problems) > before:
        return None
    return problems.check(
        method_from_name,
        solver,
        time_limit=time_limit,
        threads=threads,
        crossover=crossover,
        block_hours=block_hours,
        gap=gap,
        workers=workers,
        scheduler=scheduler,
        dask_dashboard=dask_dashboard,
    )


def dask_dashboard_applies(
    problems: Problems, *, workers: int | None, scheduler: str | None
) -> None:
    """``--dask-dashboard`` shows the dashboard of the local cluster a command starts: there is
    none with ``--scheduler`` (open that cluster's own) or with one worker (no cluster)."""
    if scheduler is not None:
        problems.add(
            "shows the dashboard of a local cluster, and --scheduler uses yours.",
            option="--dask-dashboard",
            hint="Open your scheduler's own dashboard, or leave out --dask-dashboard.",
        )
    elif workers is not None and workers < 2:
        problems.add(
            "shows the dashboard of the local Dask cluster, which only --workers 2 or more starts.",
            option="--dask-dashboard",
            hint="Add --workers 2 (or more), or leave out --dask-dashboard.",
        )


def output_folder(
    problems: Problems,
    out: Path,
    *,
    overwrite: bool,
    inputs: Iterable[Path | None] = (),
    results: bool = False,
    option: str = "--out",
) -> None:
    """Note why ``out`` cannot be written as a results folder: it is a file, exists (without
    ``overwrite``), cannot be created or written, or could replace or change an input
    (:func:`not_input`)."""
    _output(problems, check_writable, out, overwrite, inputs, results, option)


def output_file(
    problems: Problems,
    out: Path,
    *,
    overwrite: bool,
    inputs: Iterable[Path | None] = (),
    results: bool = False,
    option: str = "--out",
) -> None:
    """Note why the file ``out`` cannot be written (see :func:`output_folder`)."""
    _output(problems, check_file_writable, out, overwrite, inputs, results, option)


def _output(
    problems: Problems,
    check: Callable[..., None],
    out: Path,
    overwrite: bool,
    inputs: Iterable[Path | None],
    results: bool,
    option: str,
) -> None:
    before = len(problems)
    not_input(problems, out, inputs, results=results, option=option)
    if len(problems) == before:  # else that is the problem to fix, not that it exists
        problems.check(check, out, overwrite=overwrite, option=option)


def not_input(
    problems: Problems,
    out: Path,
    inputs: Iterable[Path | None],
    *,
    results: bool = False,
    option: str = "--out",
) -> None:
    """Note ``out`` if writing it could replace or change an input: it is an input, holds one,
    or lies inside an input folder at one of its existing entries. With ``results``, the input
    folders are results folders, and only what the result itself consists of counts as input
    (:func:`caspian.optimize.export.result_entries`): ``RUN_DIR/cba``, ``RUN_DIR/trace`` or a
    report may be replaced. A new entry inside an input folder is allowed."""
    target = out.resolve()
    for source_path in inputs:
        if source_path is None or not source_path.exists():
            continue
        source = source_path.resolve()
        fix = "Choose an --out path outside the input, e.g. a new folder beside it."
        if target == source:
            problems.add(
                f"{out} is the input {source_path}; writing there would replace it.",
                option=option,
                value=str(out),
                hint=fix,
            )
        elif source.is_relative_to(target):
            problems.add(
                f"{out} holds the input {source_path}; replacing it would delete the input.",
                option=option,
                value=str(out),
                hint=fix,
            )
        elif source.is_dir() and target.is_relative_to(source):
            first = target.relative_to(source).parts[0]
            protected = result_entries(source) if results else None
            exists = (source / first).exists() or (source / first).is_symlink()
            if exists and (protected is None or first in protected):
                problems.add(
                    f"{out} is inside the input {source_path} and would replace or change its "
                    f"{first!r}.",
                    option=option,
                    value=str(out),
                    hint=fix,
                )
