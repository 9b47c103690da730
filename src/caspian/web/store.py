"""Where the web app finds runs and their files, and the checks that keep requests inside them.

A run is a results folder holding ``headlines.json`` (what ``caspian run`` and sweeps write).
Runs are found by scanning the results root (up to :data:`MAX_DEPTH` levels down) and the
sweep catalogues; a run's id is its folder path below the root with ``~`` between folders
(``run-20261127-120000~base``). A request's run id is only ever a key into the runs found, never
turned into a path, and a file path inside a run is checked segment by segment, then resolved
and required to stay inside the run folder (symbolic links included).

A damaged file stays with its run: reading it raises :class:`BrokenFile` (the file and what is
wrong), which the views that need that file report; a catalogue that cannot be read leaves its
runs out and says why (:class:`CatalogueStatus`), the other runs are listed as usual.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from caspian.exceptions import CaspianError, InputError
from caspian.runs.headlines import canonical_keys
from caspian.runs.layout import HEADLINES_FILE, SCENARIO_FILE
from caspian.sweep.catalogue import Catalogue
from caspian.sweep.runner import RUNS_FOLDER

logger = logging.getLogger(__name__)

MAX_DEPTH = 3
"""Folder levels below the results root searched for runs (``<out>/<scenario>`` is two,
``<sweep>/runs/<id>`` three)."""

SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
"""One folder or file name: letters, digits, ``.``, ``_``, ``-``, not starting with a dot."""
SEGMENT_RE = re.compile(SEGMENT)
RUN_ID_RE = re.compile(rf"{SEGMENT}(?:~{SEGMENT}){{0,{MAX_DEPTH - 1}}}")
RUN_ID_HELP = "letters, digits, '.', '_' and '-', with '~' between folders"
DOWNLOADABLE = frozenset({".csv", ".json", ".nc", ".txt", ".html"})
"""Suffixes of the files a run serves; anything else in its folder stays private."""
MAX_JSON_BYTES = 4 * 1024 * 1024
"""Largest ``headlines.json`` or ``scenario.json`` read (they are a few KiB)."""
CATALOGUE_WAIT_S = 2.0
"""How long a page waits for a sweep that holds its catalogue's lock, s."""
DAMAGED_HINT = "The run folder is damaged: run the scenario again, or remove the folder."


class BadName(InputError):
    """A run id or file path that does not fit the safe pattern (HTTP 400)."""


class BrokenFile(InputError):
    """A file of a run that exists but cannot be used: ``file`` is its path inside the run
    folder, ``problem`` says what is wrong with it, ``run_id`` which run it belongs to (where
    the message needs to say)."""

    file: str

    def __init__(self, file: str, problem: str, run_id: str | None = None) -> None:
        super().__init__(f"{f'run {run_id!r}: ' if run_id else ''}{file} {problem}")
        self.file = file
        self.problem = problem
        self.run_id = run_id

    def of(self, run_id: str) -> BrokenFile:
        """The same problem, its message naming the run."""
        return BrokenFile(self.file, self.problem, run_id)


@dataclass(frozen=True)
class RunEntry:
    """A run found on disk: its id, folder and where it was found."""

    id: str
    path: Path
    source: str
    """``results`` (found under the results root) or ``catalogue``."""
    modified: float
    """When the run was written (POSIX time of its ``headlines.json``)."""
    sweep: str | None = None
    case_id: str | None = None
    catalogue_headlines: dict[str, float | None] = field(default_factory=dict)
    """Headlines only the catalogue holds (``npv_eur``, ``bcr``), None where missing."""

    def headlines(self) -> dict[str, Any]:
        """``headlines.json`` with non-finite numbers as None and every quantity under its one
        name (:func:`caspian.runs.headlines.canonical_keys`); :class:`BrokenFile` if it cannot
        be read as a JSON object."""
        found = read_json(self, HEADLINES_FILE)
        if found is None:
            raise BrokenFile(HEADLINES_FILE, "is gone (the folder changed while it was read).")
        return canonical_keys(found)

    def scenario(self) -> dict[str, Any]:
        """``scenario.json`` (empty if the run has none); :class:`BrokenFile` if it cannot be
        read as a JSON object."""
        return read_json(self, SCENARIO_FILE) or {}


@dataclass(frozen=True)
class CatalogueStatus:
    """A sweep catalogue given to the server, and whether its runs could be listed."""

    path: Path
    runs: int
    """Finished runs listed from it."""
    problem: str | None = None
    """Why none are listed: the catalogue could not be read."""


@dataclass(frozen=True)
class RunIndex:
    """The runs found, by id, newest first, and how each catalogue fared."""

    runs: dict[str, RunEntry]
    catalogues: tuple[CatalogueStatus, ...] = ()


def read_json(run: RunEntry, name: str) -> dict[str, Any] | None:
    """The JSON object in the file ``name`` of ``run``, non-finite numbers as None; None if the
    run has no such file.

    Raises
    ------
    BrokenFile
        If the file leads out of the run folder, is not a regular file, is larger than
        :data:`MAX_JSON_BYTES`, cannot be read, is not UTF-8 JSON, or holds no JSON object.
    """
    root = run.path.resolve()
    try:
        path = (root / name).resolve(strict=True)
    except FileNotFoundError:
        return None
    except (OSError, RuntimeError) as error:  # a loop of links, a folder we may not enter
        raise BrokenFile(name, f"cannot be opened ({_reason(error)}). {DAMAGED_HINT}") from None
    if not path.is_relative_to(root):
        raise BrokenFile(name, "is a link to a file outside the run folder; it is not read.")
    try:
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):
            raise BrokenFile(name, f"is not a regular file. {DAMAGED_HINT}")
        if found.st_size > MAX_JSON_BYTES:
            raise BrokenFile(
                name, f"has {found.st_size:,} bytes, more than the {MAX_JSON_BYTES:,} read."
            )
        with path.open("rb") as stream:
            raw = stream.read(MAX_JSON_BYTES + 1)  # it may have grown since
    except OSError as error:
        raise BrokenFile(name, f"cannot be read ({_reason(error)}).") from None
    if len(raw) > MAX_JSON_BYTES:
        raise BrokenFile(name, f"has more than the {MAX_JSON_BYTES:,} bytes read.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BrokenFile(name, f"is not UTF-8 text (byte {error.start}). {DAMAGED_HINT}") from None
    except json.JSONDecodeError as error:
        raise BrokenFile(
            name,
            f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}). "
            f"{DAMAGED_HINT}",
        ) from None
    except RecursionError:
        raise BrokenFile(name, f"nests too deep to read. {DAMAGED_HINT}") from None
    if not isinstance(data, dict):
        raise BrokenFile(name, f"holds a JSON {_json_type(data)}, not an object. {DAMAGED_HINT}")
    finite: dict[str, Any] = _finite(data)
    return finite


def _reason(error: OSError | RuntimeError) -> str:
    return getattr(error, "strerror", None) or type(error).__name__


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def check_run_id(run_id: str) -> str:
    """``run_id`` if it fits :data:`RUN_ID_RE`, else :class:`BadName`."""
    if not RUN_ID_RE.fullmatch(run_id):
        raise BadName(f"{run_id!r} is not a run id ({RUN_ID_HELP}).")
    return run_id


def find_runs(results: Path, catalogues: tuple[Path, ...]) -> RunIndex:
    """Every run under ``results`` and in ``catalogues``, by id, newest first.

    A folder found both ways is listed once, with the catalogue's labels. A catalogue that
    cannot be read adds no runs; its :class:`CatalogueStatus` says why.
    """
    found: dict[Path, RunEntry] = {}
    for path, modified in _scan(results):
        run_id = "~".join(path.relative_to(results).parts)
        found[path.resolve()] = RunEntry(run_id, path, "results", modified)
    statuses = []
    for catalogue in catalogues:
        try:
            listed = _catalogue_runs(catalogue)
        except (CaspianError, duckdb.Error, OSError, ValueError, LookupError, TypeError) as error:
            # A damaged or foreign file: its runs are left out, everything else is served.
            logger.info("cannot list the runs of catalogue %s: %s", catalogue, error)
            statuses.append(CatalogueStatus(catalogue, 0, _catalogue_problem(error)))
            continue
        statuses.append(CatalogueStatus(catalogue, len(listed)))
        for entry in listed:
            key = entry.path.resolve()
            if key in found:
                entry = replace(entry, id=found[key].id)
            found[key] = entry
    entries = sorted(found.values(), key=lambda e: (-e.modified, e.id))
    return RunIndex({e.id: e for e in entries}, tuple(statuses))


def _catalogue_problem(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    if len(text) > 300:
        text = text[:297] + "..."
    return f"cannot be read, so its runs are not listed: {text}"


def _scan(root: Path) -> list[tuple[Path, float]]:
    """Run folders below ``root`` (those with ``headlines.json``, safe names, no symbolic
    links) and when each was written."""
    if not root.is_dir():
        return []
    runs: list[tuple[Path, float]] = []
    level = [root]
    for _ in range(MAX_DEPTH):
        deeper: list[Path] = []
        for folder in level:
            for path in _subfolders(folder):
                modified = _written(path)
                if modified is not None:
                    runs.append((path, modified))
                else:
                    deeper.append(path)
        level = deeper
    return runs


def _subfolders(folder: Path) -> list[Path]:
    """The folders in ``folder`` with safe names, not following symbolic links."""
    try:
        with os.scandir(folder) as entries:
            return [
                Path(item.path)
                for item in entries
                if item.is_dir(follow_symlinks=False) and SEGMENT_RE.fullmatch(item.name)
            ]
    except OSError:  # unreadable: not ours to list
        return []


def _catalogue_runs(catalogue: Path) -> list[RunEntry]:
    """The finished runs of a sweep catalogue whose results folder is still there."""
    frame = Catalogue(catalogue, create=False, lock_timeout_s=CATALOGUE_WAIT_S).runs(status="done")
    sweep_folder = catalogue.parent
    prefix = sweep_folder.name if SEGMENT_RE.fullmatch(sweep_folder.name) else "sweep"
    entries = []
    for row in frame.itertuples(index=False):
        if not SEGMENT_RE.fullmatch(str(row.run_id)):
            continue
        path = sweep_folder / RUNS_FOLDER / str(row.run_id)
        modified = None if path.is_symlink() else _written(path)
        if modified is None:  # gone, not a run, or a link (as for folders under the root)
            continue
        extra = {
            name: _number(getattr(row, name)) for name in ("npv_eur", "bcr", "welfare_change_eur")
        }
        entries.append(
            RunEntry(
                f"{prefix}~{RUNS_FOLDER}~{row.run_id}",
                path,
                "catalogue",
                modified,
                str(row.sweep),
                str(row.case_id),
                extra,
            )
        )
    return entries


def _written(folder: Path) -> float | None:
    """When ``folder``'s ``headlines.json`` was written, None if it has none."""
    try:
        found = (folder / HEADLINES_FILE).stat()
    except OSError:
        return None
    return found.st_mtime if stat.S_ISREG(found.st_mode) else None


def run_file(run: RunEntry, relative: str) -> Path:
    """The file ``relative`` (``/`` between folders) inside ``run``'s folder.

    Raises
    ------
    BadName
        If a segment is empty, ``.``/``..``, absolute or has other characters than
        :data:`SEGMENT` allows, or the suffix is not one a run serves.
    FileNotFoundError
        If there is no such regular file inside the run folder (a symbolic link that leads out
        of the folder counts as missing).
    """
    parts = relative.split("/")
    if len(parts) > MAX_DEPTH or not all(SEGMENT_RE.fullmatch(p) for p in parts):
        raise BadName(
            f"{relative!r} is not a file of a run: use names of letters, digits, '.', '_' "
            "and '-' with '/' between folders."
        )
    if Path(parts[-1]).suffix not in DOWNLOADABLE:
        raise BadName(f"{relative!r}: a run serves only {', '.join(sorted(DOWNLOADABLE))} files.")
    root = run.path.resolve()
    try:
        path = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise FileNotFoundError(relative) from None
    if not path.is_relative_to(root) or not path.is_file():
        raise FileNotFoundError(relative)
    return path


def run_files(run: RunEntry) -> list[tuple[str, int]]:
    """Relative path and size (bytes) of each file a run serves, sorted by path."""
    root = run.path.resolve()
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if SEGMENT_RE.fullmatch(d))
        for name in sorted(names):
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            try:
                files.append((relative, run_file(run, relative).stat().st_size))
            except (BadName, FileNotFoundError):
                continue
    return sorted(files)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None, at any depth (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
