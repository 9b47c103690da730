"""Run a sweep on Dask's distributed scheduler, recording every case in the catalogue as it ends.

Each case is one Dask task ([`run_case`][caspian.sweep.runner.run_case]) that builds and solves the
scenario, writes its full results to ``<out>/runs/<run_id>/`` (atomically, like ``caspian run``),
optionally appraises the Caspian cable, and returns a
[`RunRecord`][caspian.sweep.catalogue.RunRecord] as a dict. The driver
([`run_sweep`][caspian.sweep.runner.run_sweep]) is the only writer of the catalogue: it records each
case the moment its task finishes, in one transaction, so killing the driver loses no finished case,
and a second run of the same sweep skips every case whose input hash is already done.

Fault tolerance comes from Dask: a task whose worker dies is re-run on another worker (up to
the scheduler's ``allowed-failures``); a case that fails in Python (infeasible, bad input, time
limit) is caught inside the task and recorded as ``failed`` with its error, and the sweep goes on.
A case whose values do not make a valid scenario together (see
[`expand`][caspian.sweep.spec.expand]) is recorded as ``failed`` without running. Every record
is made storable before it reaches the catalogue: a value that is not a finite number is stored
as text (``"inf"``) in the parameters and scenario, and as missing (NULL) among the headlines;
should the catalogue still refuse a record, the case is recorded as ``failed`` with the reason,
and the sweep goes on.
"""

from __future__ import annotations

import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from caspian import __version__
from caspian.corridor.scenario import Scenario
from caspian.decompose import Method, method_from_name
from caspian.decompose.dask_pool import dashboard_link, local_cluster
from caspian.exceptions import InputError
from caspian.sweep.catalogue import CATALOGUE_FILENAME, Catalogue, RunRecord
from caspian.sweep.spec import SweepCase, SweepSpec, expand, input_hash

CATALOGUE_FILE = CATALOGUE_FILENAME
RUNS_FOLDER = "runs"
MAX_ERROR_CHARS = 20_000
"""Longest error message a record keeps (the start and the end of a longer one)."""


@dataclass(frozen=True)
class CaseSettings:
    """How every case of a sweep is run (part of each case's input hash)."""

    appraise: bool = True
    """Appraise the Caspian cable (NPV, BCR): 2-3 extra solves per case."""
    solver: str = "auto"
    """Method of every solve, the appraisal's included: ``auto`` (by the model's size, see
    [`caspian.optimize.auto`][caspian.optimize.auto]), ``benders``, or a HiGHS algorithm
    (``hipo``, ``ipm``, ``simplex``, ``pdlp``)."""
    time_limit: float | None = None
    """Solver time limit per solve, s (None: no limit)."""
    gap: float | None = None
    """Relative gap Benders proves, where it is used (None: ``BendersOptions``' default)."""
    block_hours: float | None = None
    """Hours per Benders time block, where it is used (None: ``BendersOptions``' default)."""

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain values; the Benders settings only where given, so the input
        hashes of catalogues written before they existed still hold."""
        fields: dict[str, Any] = {
            "appraise": self.appraise,
            "solver": self.solver,
            "time_limit": self.time_limit,
        }
        if self.gap is not None:
            fields["gap"] = self.gap
        if self.block_hours is not None:
            fields["block_hours"] = self.block_hours
        return fields

    def method(self) -> Method:
        """How each solve of a case is made: one thread per HiGHS solve, Benders blocks in the
        worker's own process (a case is one Dask task already)."""
        return method_from_name(
            self.solver,
            threads=1,
            time_limit=self.time_limit,
            gap=self.gap,
            block_hours=self.block_hours,
        )


@dataclass
class SweepProgress:
    """Counts the driver reports while a sweep runs."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    running: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def to_run(self) -> int:
        return self.total - self.skipped

    def eta_seconds(self) -> float | None:
        """Seconds left at the pace so far (None before the first case ends)."""
        if self.finished == 0:
            return None
        elapsed = time.perf_counter() - self.started
        return elapsed / self.finished * (self.to_run - self.finished)


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep did: cases recorded now, skipped as already done, and the catalogue."""

    sweep: str
    catalogue: Path
    recorded: list[RunRecord]
    skipped: list[str]
    wall_seconds: float


def run_case(
    sweep: str,
    case_id: str,
    params: dict[str, Any],
    scenario_json: str,
    digest: str,
    out_root: str,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Run one case on a worker; never raises for a failing scenario (it is recorded failed).

    Returns the fields of a [`RunRecord`][caspian.sweep.catalogue.RunRecord].
    """
    from caspian.corridor.appraisal import appraise_corridor_link, caspian_links
    from caspian.corridor.dataset import load_dataset
    from caspian.corridor.run import run_scenario

    started = datetime.now(UTC)
    clock = time.perf_counter()
    scenario = Scenario.model_validate_json(scenario_json)
    options = CaseSettings(**settings).method()
    out_dir = Path(out_root) / RUNS_FOLDER / digest[:12]
    headlines: dict[str, float | None] = {}
    build_s = solve_s = None
    status, error, results_path = "done", None, None
    try:
        ds = load_dataset()
        run = run_scenario(scenario, dataset=ds, options=options, out_dir=out_dir, overwrite=True)
        build_s, solve_s = run.build_seconds, run.solve_seconds
        h = run.headlines
        results_path = str(out_dir)
        headlines = dict(h.catalogue_values())
        if settings.get("appraise") and caspian_links(run.network, ds):
            # Sized by this optimum; a cable the optimum does not build is put in at 1.5 GW.
            appraisal = appraise_corridor_link(
                scenario, dataset=ds, sensitivity=False, options=options, solved=run.result
            )
            finance = appraisal.finance
            headlines |= {
                "welfare_change_eur": appraisal.cba.welfare_change,
                "npv_eur": finance.npv,
                "bcr": finance.bcr,
                "irr": finance.irr,
                "appraised_mw": float(sum(appraisal.cba.capacity_mw.values())),
            }
    except Exception as exc:  # every failure is recorded, the sweep goes on
        status = "failed"
        error = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, ValueError | RuntimeError):
            error += "\n" + "".join(traceback.format_exception(exc)[-3:])
    return _record_fields(
        digest,
        sweep,
        case_id,
        params,
        scenario,
        status=status,
        error=error,
        started_at=started,
        wall_seconds=time.perf_counter() - clock,
        build_seconds=build_s,
        solve_seconds=solve_s,
        worker=_worker_name(),
        headlines=headlines,
        results_path=results_path,
    )


def _record_fields(
    digest: str,
    sweep: str,
    case_id: str,
    params: dict[str, Any],
    scenario: Scenario | Mapping[str, Any],
    *,
    status: str,
    error: str | None,
    started_at: datetime,
    wall_seconds: float = 0.0,
    build_seconds: float | None = None,
    solve_seconds: float | None = None,
    worker: str | None = None,
    headlines: dict[str, float | None] | None = None,
    results_path: str | None = None,
) -> dict[str, Any]:
    """The fields of a :class:`RunRecord` for one case (a dict, so it pickles plainly), with
    values the catalogue can store (see :func:`storable`)."""
    values = scenario.model_dump(mode="json") if isinstance(scenario, Scenario) else scenario
    return {
        "input_hash": digest,
        "sweep": sweep,
        "case_id": case_id,
        "params": storable(params),
        "scenario": storable(values),
        "status": status,
        "error": None if error is None else _bounded(error),
        "started_at": started_at,
        "finished_at": datetime.now(UTC),
        "wall_seconds": wall_seconds,
        "build_seconds": build_seconds,
        "solve_seconds": solve_seconds,
        "worker": worker,
        "headlines": {k: _finite_or_none(v) for k, v in (headlines or {}).items()},
        "results_path": results_path,
        "caspian_version": __version__,
    }


def _bounded(text: str) -> str:
    if len(text) <= MAX_ERROR_CHARS:
        return text
    half = MAX_ERROR_CHARS // 2
    return f"{text[:half]}\n... ({len(text) - 2 * half:,} characters left out) ...\n{text[-half:]}"


def storable(value: Any) -> Any:
    """``value`` as JSON can hold it: numbers that are not finite become text (``"inf"``,
    ``"-inf"``, ``"nan"``), tuples lists, keys text, other objects their ``str``."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, Mapping):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return storable(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _finite_or_none(value: Any) -> float | None:
    """A headline as the catalogue stores it: a finite float, or None (missing)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def case_hash(case: SweepCase, settings: CaseSettings, sweep: str) -> str:
    """The input hash of a case: its scenario (or, for a case that is not a valid scenario,
    its values), how it is run and the sweep it belongs to (so the same inputs in two sweeps
    are two runs, each in its own sweep's summary)."""
    values = case.scenario if case.scenario is not None else case.raw or {}
    return input_hash(values, extra={**settings.as_dict(), "sweep": sweep})


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int = 1,
    settings: CaseSettings | None = None,
    retry_failed: bool = False,
    progress: Callable[[SweepProgress], None] | None = None,
    on_record: Callable[[RunRecord], None] | None = None,
    dashboard: Callable[[str], None] | None = None,
) -> SweepOutcome:
    """Run every case of ``spec`` not yet done, on a Dask cluster; see the module docstring.

    Parameters
    ----------
    spec
        the sweep, as [`load_sweep`][caspian.sweep.spec.load_sweep] reads it.
    out
        folder of the catalogue (``catalogue.duckdb``) and the runs' results (``runs/``).
    scheduler
        address of a running Dask scheduler (``tcp://host:port``); ``None`` starts a
        local cluster of ``workers`` single-threaded worker processes.
    workers
        number of local worker processes when no ``scheduler`` is given.
    settings
        how each case runs (part of its input hash).
    retry_failed
        run again the cases recorded as failed.
    progress
        called with the counts whenever they change.
    on_record
        called with each record once it is in the catalogue.
    dashboard
        with a local cluster: serve Dask's dashboard on loopback and call this with its URL
        (the cluster listens on loopback only either way).
    """
    from distributed import Client, as_completed

    settings = settings or CaseSettings()
    settings.method()  # an unknown solver or a bad gap fails here, not in every case
    cases = expand(spec)  # a bad sweep stops here, before any folder or catalogue is made
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    catalogue = Catalogue(out / CATALOGUE_FILE)
    known = catalogue.status_by_hash()
    todo: list[tuple[SweepCase, str]] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for case in cases:
        digest = case_hash(case, settings, spec.name)
        state = known.get(digest)
        if digest in seen or state == "done" or (state == "failed" and not retry_failed):
            skipped.append(case.case_id)
            continue
        seen.add(digest)
        todo.append((case, digest))
    counts = SweepProgress(total=len(cases), skipped=len(skipped))
    say = progress or (lambda counts: None)
    say(counts)
    start = time.perf_counter()
    recorded: list[RunRecord] = []

    def keep(record: RunRecord) -> None:
        recorded.append(record)
        if record.status == "done":
            counts.done += 1
        else:
            counts.failed += 1

    for case, digest in [t for t in todo if t[0].scenario is None]:
        # Values that break a rule of the scenario together: recorded failed, not run.
        error = f"InputError: the case is not a valid scenario: {case.error}"
        fields = _record_fields(
            digest,
            spec.name,
            case.case_id,
            case.params,
            case.raw or {},
            status="failed",
            error=error,
            started_at=datetime.now(UTC),
        )
        record = _store(catalogue, fields)
        keep(record)
        if on_record is not None:
            on_record(record)
    todo = [t for t in todo if t[0].scenario is not None]
    say(counts)
    if not todo:
        return SweepOutcome(
            spec.name, catalogue.path, recorded, skipped, time.perf_counter() - start
        )

    cluster = None
    if scheduler is None:
        cluster = local_cluster(workers, dashboard=dashboard is not None)
        if dashboard is not None:
            dashboard(dashboard_link(cluster))
    client = Client(cluster if cluster is not None else scheduler)
    try:
        futures = [
            client.submit(
                run_case,
                spec.name,
                case.case_id,
                case.params,
                _scenario_json(case),
                digest,
                str(out.resolve()),
                settings.as_dict(),
                key=f"caspian-case-{digest[:24]}",
                retries=1,
            )
            for case, digest in todo
        ]
        by_key = {f.key: (case, digest) for f, (case, digest) in zip(futures, todo, strict=True)}
        counts.running = min(len(futures), _worker_threads(client))
        say(counts)
        for future in as_completed(futures):
            case, digest = by_key[future.key]
            try:
                fields = future.result()
            except Exception as exc:  # a task Dask gave up on (e.g. KilledWorker)
                fields = _record_fields(
                    digest,
                    spec.name,
                    case.case_id,
                    case.params,
                    _scenario_of(case),
                    status="failed",
                    error=f"{type(exc).__name__}: {exc}",
                    started_at=datetime.now(UTC),
                )
            record = _store(catalogue, fields)
            keep(record)
            remaining = counts.to_run - counts.finished
            counts.running = min(remaining, _worker_threads(client))
            say(counts)
            if on_record is not None:
                on_record(record)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return SweepOutcome(spec.name, catalogue.path, recorded, skipped, time.perf_counter() - start)


def _scenario_of(case: SweepCase) -> Scenario:
    if case.scenario is None:  # pragma: no cover - invalid cases are recorded, never run
        raise ValueError(f"case {case.case_id} has no valid scenario")
    return case.scenario


def _scenario_json(case: SweepCase) -> str:
    return _scenario_of(case).model_dump_json()


def _store(catalogue: Catalogue, fields: dict[str, Any]) -> RunRecord:
    """Record ``fields`` in ``catalogue``; if it refuses them, record the case as failed with
    the reason instead, so that one bad record never stops the sweep."""
    record = RunRecord(**fields)
    try:
        catalogue.record(record)
    except InputError as refusal:
        error = f"InputError: the result could not be stored: {refusal}"
        if fields.get("error"):
            error += f"\n{fields['error']}"
        record = RunRecord(**(fields | {"status": "failed", "error": error, "headlines": {}}))
        catalogue.record(record)
    return record


def _worker_threads(client: Any) -> int:
    try:
        return int(sum(client.nthreads().values())) or 1
    except Exception:  # only for the progress display
        return 1
