"""The results catalogue of a sweep: one embedded DuckDB file with a row per run.

A sweep writes ``catalogue.duckdb``
([`CATALOGUE_FILENAME`][caspian.sweep.catalogue.CATALOGUE_FILENAME]) in its output folder. Each row
holds a run's inputs, the hash that identifies them, its status, timings, headline results and
where its full results folder is. The file is plain DuckDB, so SQL across runs needs nothing
but DuckDB itself:

    duckdb catalogue.duckdb "select case_id, caspian_mw, npv_eur from runs where status = 'done'"

Schema
------
Table ``runs``, one row per distinct input hash:

| column | type | meaning |
|---|---|---|
| input_hash | VARCHAR | primary key: sha256 hex (64 characters) of the canonical inputs |
| run_id | VARCHAR | the first 12 characters of ``input_hash`` |
| sweep | VARCHAR | sweep name |
| case_id | VARCHAR | short id of the case within the sweep, e.g. ``c0007`` |
| status | VARCHAR | ``done`` or ``failed`` |
| error | VARCHAR | why a run failed (NULL when done) |
| started_at | TIMESTAMP | when the run started, UTC |
| finished_at | TIMESTAMP | when the run finished, UTC |
| wall_seconds | DOUBLE | wall-clock time of the whole run, s |
| build_seconds | DOUBLE | time to build the model, s (NULL if unknown) |
| solve_seconds | DOUBLE | time in the solver, s (NULL if unknown) |
| worker | VARCHAR | the Dask worker that ran it (NULL if unknown) |
| objective_eur | DOUBLE | optimal objective, EUR |
| caspian_mw | DOUBLE | Caspian link capacity, MW |
| npv_eur | DOUBLE | net present value of the appraised Caspian cable, EUR |
| bcr | DOUBLE | benefit-cost ratio, dimensionless |
| eu_exports_twh | DOUBLE | exports into the EU, TWh per year |
| emissions_mt | DOUBLE | emissions, Mt CO2 per year |
| welfare_change_eur | DOUBLE | welfare gain of the appraised Caspian cable, EUR per year |
| irr | DOUBLE | internal rate of return of the cable (NULL if none), per year |
| appraised_mw | DOUBLE | capacity at which the cable was appraised, MW |
| extra_headlines | VARCHAR | JSON object of headlines without a column of their own |
| params | VARCHAR | JSON object of the parameters varied in this case |
| scenario | VARCHAR | JSON object of the full scenario |
| results_path | VARCHAR | the run's results folder (NULL if none was written) |
| caspian_version | VARCHAR | caspian-grid version that ran it |
| recorded_at | TIMESTAMP | when the row was written, UTC |

A headline that is missing or NaN is NULL, so SQL aggregates skip it. The JSON columns are
text that DuckDB's JSON functions read directly, e.g. ``params->>'wind_capex'`` or
``json_extract_string(scenario, '$.year')``. Table ``catalogue_meta`` (``key``, ``value``) holds
``schema_version``.

Concurrency and crash safety
----------------------------
DuckDB lets one process hold a database file read-write, and while it does no other process
can open the file at all. The sweep driver is the only writer, and readers (``caspian runs``)
must work while a sweep runs, so [`Catalogue`][caspian.sweep.catalogue.Catalogue] never keeps a
connection open: every operation opens its own (read-only unless it writes) and closes it, and an
open that finds the file locked is retried with back-off for up to ``lock_timeout_s`` seconds. Each
[`Catalogue.record`][caspian.sweep.catalogue.Catalogue.record] is one transaction, so a process
killed mid-write leaves no partial row; DuckDB's write-ahead log restores every committed row when
the file is next opened. Nothing is written outside the database file and its log.

A [`Catalogue`][caspian.sweep.catalogue.Catalogue] is meant for one thread at a time.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from caspian.exceptions import InputError
from caspian.runs.headlines import CASPIAN_CAPACITY, EMISSIONS, EU_EXPORTS, TOTAL_COST

CATALOGUE_FILENAME = "catalogue.duckdb"
"""The catalogue's file name in a sweep's output folder."""
SCHEMA_VERSION = 1
RUN_ID_LENGTH = 12


HEADLINE_COLUMNS: tuple[str, ...] = (
    TOTAL_COST.column,
    CASPIAN_CAPACITY.column,
    "npv_eur",
    "bcr",
    EU_EXPORTS.column,
    EMISSIONS.column,
    "welfare_change_eur",
    "irr",
    "appraised_mw",
)
"""Headline results stored in DOUBLE columns of their own (other headlines go to
``extra_headlines``), in the order of the table's columns (which existing catalogues keep).
The run's own headlines take their column names from
[`caspian.runs.headlines`][caspian.runs.headlines] (the appraisal's are the cable's: NPV, BCR,
welfare change, IRR, capacity appraised)."""
DEFAULT_LOCK_TIMEOUT_S = 10.0
"""Seconds an operation waits by default for another process to release the file."""


class RunStatus(StrEnum):
    """How a run ended."""

    DONE = "done"
    FAILED = "failed"


_STATUSES = ", ".join(f"'{s.value}'" for s in RunStatus)
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("input_hash", "VARCHAR PRIMARY KEY"),
    ("run_id", "VARCHAR NOT NULL"),
    ("sweep", "VARCHAR NOT NULL"),
    ("case_id", "VARCHAR NOT NULL"),
    ("status", f"VARCHAR NOT NULL CHECK (status IN ({_STATUSES}))"),
    ("error", "VARCHAR"),
    ("started_at", "TIMESTAMP NOT NULL"),
    ("finished_at", "TIMESTAMP NOT NULL"),
    ("wall_seconds", "DOUBLE NOT NULL"),
    ("build_seconds", "DOUBLE"),
    ("solve_seconds", "DOUBLE"),
    ("worker", "VARCHAR"),
    *((name, "DOUBLE") for name in HEADLINE_COLUMNS),
    ("extra_headlines", "VARCHAR NOT NULL"),
    ("params", "VARCHAR NOT NULL"),
    ("scenario", "VARCHAR NOT NULL"),
    ("results_path", "VARCHAR"),
    ("caspian_version", "VARCHAR NOT NULL"),
    ("recorded_at", "TIMESTAMP NOT NULL"),
)
_NAMES = tuple(name for name, _ in _COLUMNS)
_JSON_COLUMNS = ("extra_headlines", "params", "scenario")
_HASH = re.compile(r"[0-9a-f]{64}")
_LIST_HINT = "List the runs with `select run_id, sweep, case_id, status from runs`."


@dataclass(frozen=True)
class RunRecord:
    """One finished run of a sweep, as the catalogue stores it.

    Attributes
    ----------
    input_hash
        sha256 hex digest (64 lower-case characters) of the canonical inputs;
        identifies the run, computed by the caller.
    sweep
        sweep name.
    case_id
        short id of the case within the sweep, e.g. ``"c0007"``.
    params
        the parameters varied in this case (JSON-able).
    scenario
        the full scenario (JSON-able).
    status
        ``"done"`` or ``"failed"`` (see [`RunStatus`][caspian.sweep.catalogue.RunStatus]).
    error
        why the run failed; None when done.
    started_at, finished_at
        start and end; naive datetimes are taken as UTC, aware ones are converted to UTC.
    wall_seconds, build_seconds, solve_seconds
        timings in s (build and solve None if unknown).
    worker
        the worker that ran it, if known.
    headlines
        headline results; the keys in [`HEADLINE_COLUMNS`][caspian.sweep.catalogue.HEADLINE_COLUMNS]
        get DOUBLE columns, others are kept in the ``extra_headlines`` JSON column. None or NaN
        means missing.
    results_path
        the run's results folder, if one was written.
    caspian_version
        caspian-grid version that ran it.
    """

    input_hash: str
    sweep: str
    case_id: str
    params: dict[str, Any]
    scenario: dict[str, Any]
    status: str
    error: str | None
    started_at: datetime
    finished_at: datetime
    wall_seconds: float
    build_seconds: float | None
    solve_seconds: float | None
    worker: str | None
    headlines: dict[str, float | None]
    results_path: str | None
    caspian_version: str

    @property
    def run_id(self) -> str:
        """The short id of the run: the first 12 hex characters of ``input_hash``."""
        return self.input_hash[:RUN_ID_LENGTH]


class Catalogue:
    """The results catalogue in the DuckDB file ``path``.

    Parameters
    ----------
    path
        the database file, conventionally ``<sweep folder>/catalogue.duckdb``.
    create
        create the file (and its folder) and the schema if missing; with False a missing
        file is an [`InputError`][caspian.exceptions.InputError] and nothing is written.
    lock_timeout_s
        how long an operation waits, in s, for another process to release the file.

    Raises
    ------
    InputError
        If ``path`` is a folder, not a DuckDB file, a catalogue of another schema version, or
        stays locked by another process for longer than ``lock_timeout_s``.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s
        if self.path.is_dir():
            raise InputError(
                "is a folder, not a catalogue file.",
                file=str(self.path),
                hint=f"Pass the file, e.g. {self.path / CATALOGUE_FILENAME}.",
            )
        if self.path.exists():
            with self._connect(read_only=True) as con:
                if _schema_version(con, self.path) is not None:
                    return
        if not create:
            raise InputError(
                "no catalogue here.",
                file=str(self.path),
                hint=f"A sweep writes {CATALOGUE_FILENAME} in its output folder; check the path.",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect(read_only=False) as con:
            con.begin()
            if _schema_version(con, self.path) is None:
                _create_schema(con, self.path)
            con.commit()

    def __repr__(self) -> str:
        return f"Catalogue({str(self.path)!r})"

    def record(self, rec: RunRecord) -> bool:
        """Store ``rec`` in one transaction.

        Returns
        -------
        bool
            False, with nothing changed, if a ``done`` run with the same input hash is already
            stored; True otherwise. A stored ``failed`` run is replaced by ``rec``.

        Raises
        ------
        InputError
            If a field of ``rec`` cannot be stored (bad hash or status, inputs that are not
            JSON-able, infinite headline or timing).
        """
        row = _row(rec, recorded_at=datetime.now(UTC).replace(tzinfo=None))
        columns = ", ".join(_NAMES)
        marks = ", ".join("?" for _ in _NAMES)
        with self._connect(read_only=False) as con:
            con.begin()
            found = con.execute(
                "SELECT status FROM runs WHERE input_hash = ?", [rec.input_hash]
            ).fetchone()
            if found is not None and found[0] == RunStatus.DONE:
                con.rollback()
                return False
            # An error before COMMIT leaves the transaction open; closing the connection rolls
            # it back, so no partial row is ever stored.
            con.execute(f"INSERT OR REPLACE INTO runs ({columns}) VALUES ({marks})", row)
            con.commit()
        return True

    def status_by_hash(self) -> dict[str, str]:
        """Status of every stored run, keyed by input hash, for skipping runs already done."""
        with self._connect(read_only=True) as con:
            rows = con.execute("SELECT input_hash, status FROM runs").fetchall()
        return {input_hash: status for input_hash, status in rows}

    def sweeps(self) -> list[str]:
        """The names of the sweeps with runs in the catalogue, sorted."""
        with self._connect(read_only=True) as con:
            rows = con.execute("SELECT DISTINCT sweep FROM runs ORDER BY sweep").fetchall()
        return [str(name) for (name,) in rows]

    def runs(self, sweep: str | None = None, status: str | None = None) -> pd.DataFrame:
        """All runs, optionally of one sweep and one status, ordered by sweep and case id.

        One column per column of ``runs`` (see the module docstring); the JSON columns
        ``params``, ``scenario`` and ``extra_headlines`` are parsed into dicts.
        """
        if status is not None and status not in set(RunStatus):
            raise InputError(
                f"unknown status {status!r}.",
                attribute="status",
                value=status,
                hint=f"Use one of {', '.join(RunStatus)}.",
            )
        where, args = [], []
        for name, value in (("sweep", sweep), ("status", status)):
            if value is not None:
                where.append(f"{name} = ?")
                args.append(value)
        sql = f"SELECT {', '.join(_NAMES)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._connect(read_only=True) as con:
            frame = con.execute(sql + " ORDER BY sweep, case_id, input_hash", args).df()
        for name in _JSON_COLUMNS:
            frame[name] = frame[name].map(json.loads).astype(object)
        return frame

    def get(self, run_id_or_hash_prefix: str) -> dict[str, Any]:
        """The run whose input hash starts with ``run_id_or_hash_prefix``, or the run named
        ``SWEEP/CASE_ID`` (e.g. ``gas-price/c0001``).

        Returns
        -------
        dict
            The fields of [`RunRecord`][caspian.sweep.catalogue.RunRecord] plus ``run_id`` and
            ``recorded_at``; ``headlines`` has every key of
            [`HEADLINE_COLUMNS`][caspian.sweep.catalogue.HEADLINE_COLUMNS] (None where missing) and
            the extra ones.

        Raises
        ------
        InputError
            If no run or more than one run matches, naming the close or the matching ids.
        """
        key = run_id_or_hash_prefix.strip().lower()
        if not key:
            raise InputError("the run id is empty.", file=str(self.path), hint=_LIST_HINT)
        sweep, slash, case_id = run_id_or_hash_prefix.strip().rpartition("/")
        with self._connect(read_only=True) as con:
            if slash:
                matches = con.execute(
                    "SELECT input_hash, sweep, case_id FROM runs "
                    "WHERE sweep = ? AND lower(case_id) = ? ORDER BY input_hash",
                    [sweep, case_id.lower()],
                ).fetchall()
            else:
                matches = con.execute(
                    "SELECT input_hash, sweep, case_id FROM runs "
                    "WHERE starts_with(input_hash, ?) ORDER BY input_hash",
                    [key],
                ).fetchall()
            if len(matches) == 1:
                row = con.execute(
                    f"SELECT {', '.join(_NAMES)} FROM runs WHERE input_hash = ?", [matches[0][0]]
                ).fetchall()[0]
                return _as_record_dict(dict(zip(_NAMES, row, strict=True)))
            if matches:
                raise self._ambiguous(key, matches)
            everything = con.execute("SELECT input_hash, sweep, case_id FROM runs").fetchall()
        raise self._unknown(run_id_or_hash_prefix.strip(), key, everything)

    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` read-only over the catalogue (table ``runs``) and return its result.

        JSON columns come back as text. The connection cannot write, nor read or write other
        files.

        Raises
        ------
        InputError
            If DuckDB rejects the query; the message is DuckDB's.
        """
        with self._connect(read_only=True, sandboxed=True) as con:
            try:
                return con.execute(sql).df()
            except duckdb.Error as err:
                raise InputError(
                    f"the query failed: {err}",
                    file=str(self.path),
                    hint="The catalogue is read-only here; its table is `runs`, with the "
                    "columns listed in caspian.sweep.catalogue.",
                ) from err

    @contextmanager
    def _connect(
        self, *, read_only: bool, sandboxed: bool = False
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one operation, closed (and any open transaction rolled back) after."""
        con = self._open(read_only=read_only, sandboxed=sandboxed)
        try:
            yield con
        finally:
            con.close()

    def _open(self, *, read_only: bool, sandboxed: bool) -> duckdb.DuckDBPyConnection:
        # No access to other files: query() runs SQL it did not write.
        config: dict[str, str | bool | int | float | list[str]] = (
            {"enable_external_access": False} if sandboxed else {}
        )
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config)
            except duckdb.Error as err:
                if not _is_lock_error(err):
                    raise InputError(
                        f"cannot open the catalogue: {err}", file=str(self.path)
                    ) from err
                left = deadline - time.monotonic()
                if left <= 0:
                    raise InputError(
                        f"the catalogue stayed locked by another process for "
                        f"{self.lock_timeout_s:g} s.",
                        file=str(self.path),
                        hint="A sweep holds the lock only while it records a run; if this "
                        f"persists, close the program that keeps the file open. ({err})",
                    ) from err
                time.sleep(min(delay, left))
                delay = min(2 * delay, 0.5)

    def _ambiguous(self, key: str, matches: list[tuple[str, str, str]]) -> InputError:
        shown = ", ".join(_describe(*m) for m in matches[:5])
        more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
        return InputError(
            f"run id {key!r} is ambiguous: it matches {len(matches)} runs: {shown}{more}.",
            file=str(self.path),
            hint="Give more characters of the run id.",
        )

    def _unknown(self, typed: str, key: str, runs: list[tuple[str, str, str]]) -> InputError:
        same_case = [r for r in runs if r[2] == typed]
        if same_case:
            hint = (
                f"{typed!r} is a case id, not a run id; its runs: "
                f"{', '.join(_describe(*r) for r in same_case)}."
            )
        else:
            prefixes: dict[str, tuple[str, str, str]] = {r[0][: len(key)]: r for r in runs}
            close = difflib.get_close_matches(key, list(prefixes), n=3, cutoff=0.6)
            hint = _LIST_HINT
            if close:
                hint = f"Did you mean {' or '.join(_describe(*prefixes[c]) for c in close)}? {hint}"
        return InputError(f"no run {typed!r} in the catalogue.", file=str(self.path), hint=hint)


def _describe(input_hash: str, sweep: str, case_id: str) -> str:
    return f"{input_hash[:RUN_ID_LENGTH]} (sweep {sweep!r}, case {case_id})"


def _is_lock_error(err: duckdb.Error) -> bool:
    return isinstance(err, duckdb.IOException) and "lock" in str(err).lower()


def _schema_version(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """The catalogue schema version in ``con``, or None if it has no catalogue schema yet."""
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if "catalogue_meta" not in tables:
        if "runs" in tables:
            raise InputError(
                "has a table `runs` but is not a caspian-grid catalogue.",
                file=str(path),
                hint=f"Choose another file name than {path.name}.",
            )
        return None
    found = con.execute("SELECT value FROM catalogue_meta WHERE key = 'schema_version'").fetchone()
    version = int(found[0]) if found else None
    if version != SCHEMA_VERSION:
        raise InputError(
            f"catalogue schema version {version}; this caspian-grid reads version "
            f"{SCHEMA_VERSION}.",
            file=str(path),
            hint="Use the caspian-grid version that wrote it, or start a new sweep folder.",
        )
    return version


def _create_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    columns = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in _COLUMNS)
    con.execute(f"CREATE TABLE runs (\n    {columns}\n)")
    con.execute("CREATE TABLE catalogue_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO catalogue_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def _row(rec: RunRecord, recorded_at: datetime) -> list[Any]:
    """The values of ``rec`` in the order of :data:`_COLUMNS`, validated."""
    where = f"run {rec.case_id}"
    if not isinstance(rec.input_hash, str) or not _HASH.fullmatch(rec.input_hash):
        raise InputError(
            "is not a sha256 hex digest (64 lower-case hex characters).",
            component=where,
            attribute="input_hash",
            value=rec.input_hash,
            hint="Pass hashlib.sha256(canonical_inputs).hexdigest().",
        )
    if rec.status not in set(RunStatus):
        raise InputError(
            f"unknown status {rec.status!r}.",
            component=where,
            attribute="status",
            value=rec.status,
            hint=f"Use one of {', '.join(RunStatus)}.",
        )
    columns, extra = _split_headlines(rec.headlines, where)
    return [
        rec.input_hash,
        rec.run_id,
        rec.sweep,
        rec.case_id,
        str(rec.status),
        rec.error,
        _utc_naive(rec.started_at),
        _utc_naive(rec.finished_at),
        _number(rec.wall_seconds, where, "wall_seconds"),
        None if rec.build_seconds is None else _number(rec.build_seconds, where, "build_seconds"),
        None if rec.solve_seconds is None else _number(rec.solve_seconds, where, "solve_seconds"),
        rec.worker,
        *columns,
        _json(extra, where, "headlines"),
        _json(rec.params, where, "params"),
        _json(rec.scenario, where, "scenario"),
        rec.results_path,
        rec.caspian_version,
        recorded_at,
    ]


def _split_headlines(
    headlines: Mapping[str, float | None], where: str
) -> tuple[list[float | None], dict[str, float | None]]:
    """Headline values for the DOUBLE columns (in order) and the rest; NaN becomes None."""
    values: dict[str, float | None] = {}
    for key, value in headlines.items():
        number = None if value is None else _number(value, where, f"headlines[{key!r}]", nan=True)
        values[key] = None if number is not None and math.isnan(number) else number
    extra = {k: v for k, v in values.items() if k not in HEADLINE_COLUMNS}
    return [values.get(name) for name in HEADLINE_COLUMNS], extra


def _number(value: object, where: str, attribute: str, *, nan: bool = False) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.inf
    if math.isinf(number) or (math.isnan(number) and not nan):
        raise InputError(
            "must be a finite number.",
            component=where,
            attribute=attribute,
            value=value,
            hint="Store None for a value that is unknown.",
        )
    return number


def _json(value: object, where: str, attribute: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise InputError(
            f"cannot be stored as JSON: {err}.",
            component=where,
            attribute=attribute,
            hint="Use only dicts, lists, strings, finite numbers, booleans and None.",
        ) from err


def _utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without a time zone; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _as_record_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the fields of :class:`RunRecord` plus ``run_id`` and ``recorded_at``."""
    extra = json.loads(row.pop("extra_headlines"))
    headlines = {name: row.pop(name) for name in HEADLINE_COLUMNS} | extra
    row["params"] = json.loads(row["params"])
    row["scenario"] = json.loads(row["scenario"])
    row["headlines"] = headlines
    return row
