"""``caspian sweep`` (sweeps on Dask), ``caspian runs`` and ``caspian show`` (the catalogue)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from caspian.atomic import leftovers, write_text_atomic
from caspian.cli import checks
from caspian.cli.checks import Problems
from caspian.cli.solve_cmd import BlockHoursOpt, GapOpt, SolverOpt
from caspian.names import check_name, inside
from caspian.sweep.catalogue import Catalogue, RunStatus
from caspian.sweep.runner import CATALOGUE_FILE, CaseSettings, SweepProgress, run_sweep
from caspian.sweep.spec import load_sweep, shipped_sweeps
from caspian.sweep.summary import SweepSummary, summarise

console = Console(highlight=False)
DEFAULT_OUT = Path("results") / "sweeps"
STALE = "stale"
"""``caspian runs --status stale``: the leftovers of killed writers, not runs."""


def _show_dashboard(url: str) -> None:
    console.print(
        f"Dask dashboard: {url} (this machine only; from another, tunnel it: "
        f"ssh -L 8787:{url.split('//')[1].split('/')[0]} HOST, then http://localhost:8787/status)"
    )


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
    app.command("runs")(runs)
    app.command("show")(show)


def sweep(
    sweep_file: Annotated[
        str,
        typer.Argument(
            help=f"Sweep YAML file, or a shipped sweep ({', '.join(shipped_sweeps())})."
        ),
    ],
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Local worker processes (no --scheduler).")
    ] = 2,
    out: Annotated[
        Path, typer.Option("--out", help="Folder of the catalogue and the runs' results.")
    ] = DEFAULT_OUT,
    appraise: Annotated[
        bool,
        typer.Option("--appraise/--no-appraise", help="Appraise the Caspian cable in each run."),
    ] = True,
    solver: SolverOpt = "auto",
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds per solve.")
    ] = None,
    gap: GapOpt = None,
    block_hours: BlockHoursOpt = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the cases recorded as failed.")
    ] = False,
    dask_dashboard: Annotated[
        bool,
        typer.Option(
            "--dask-dashboard",
            help="Serve Dask's dashboard of the local cluster on 127.0.0.1 and print its URL "
            "(the cluster listens on loopback only; from another machine, tunnel it with ssh -L).",
        ),
    ] = False,
) -> None:
    """Run a sweep of corridor scenarios on Dask; finished cases are skipped on a re-run."""
    problems = Problems()
    spec = problems.check(load_sweep, sweep_file)
    if spec is not None:
        problems.check(check_name, spec.name, what="sweep name", file=sweep_file)
    checks.method(
        problems,
        solver,
        time_limit=time_limit,
        gap=gap,
        block_hours=block_hours,
        scheduler=scheduler,
    )
    if dask_dashboard:
        checks.dask_dashboard_applies(problems, workers=None, scheduler=scheduler)
    # the folder may exist (a re-run skips what is done); the catalogue goes into it
    checks.output_file(problems, out / CATALOGUE_FILE, overwrite=True)
    problems.raise_any()  # before starting any worker
    assert spec is not None
    settings = CaseSettings(
        appraise=appraise, solver=solver, time_limit=time_limit, gap=gap, block_hours=block_hours
    )
    where = scheduler or f"a local cluster of {workers} worker(s)"
    console.print(f"sweep [bold]{spec.name}[/] on {where}; catalogue {out / CATALOGUE_FILE}")
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[eta]}"),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(spec.name, total=None, state="", eta="")

        def show_progress(p: SweepProgress) -> None:
            eta = p.eta_seconds()
            bar.update(
                task,
                total=p.to_run,
                completed=p.finished,
                state=f"done {p.done}, running {p.running}, failed {p.failed}, skipped {p.skipped}",
                eta="" if eta is None else f"~{eta / 60:.1f} min left",
            )

        outcome = run_sweep(
            spec,
            out,
            scheduler=scheduler,
            workers=workers,
            settings=settings,
            retry_failed=retry_failed,
            progress=show_progress,
            dashboard=_show_dashboard if dask_dashboard else None,
        )
    failed = [r for r in outcome.recorded if r.status == "failed"]
    console.print(
        f"{len(outcome.recorded)} run(s) in {outcome.wall_seconds:,.1f} s, "
        f"{len(failed)} failed, {len(outcome.skipped)} already in the catalogue"
    )
    for record in failed[:5]:
        first = (record.error or "").splitlines()[0] if record.error else ""
        console.print(f"  [red]failed[/] {record.case_id} {record.params}: {first}")
    catalogue = Catalogue(outcome.catalogue)
    summary = summarise(catalogue.runs(sweep=spec.name), spec.name)
    print_summary(summary)
    _write_summary(summary, out)


def print_summary(summary: SweepSummary) -> None:
    """The results across a sweep as tables."""
    runs = f"{summary.runs} run{'' if summary.runs == 1 else 's'} done"
    console.rule(f"[bold]{summary.sweep}: {runs}, {summary.failed} failed")
    if len(summary.distribution):
        view = Table(title="distribution across runs")
        view.add_column("output")
        for column in ("unit", "mean", "p10", "p50", "p90", "min", "max"):
            view.add_column(column, justify="right")
        for name, row in summary.distribution.iterrows():
            view.add_row(
                str(name),
                str(row["unit"]),
                *(_number(row[c]) for c in ("mean", "p10", "p50", "p90", "min", "max")),
            )
        console.print(view)
    for record in summary.probability.to_dict("records"):
        console.print(
            f"P({record['event']}) = [bold]{float(record['probability']):.0%}[/] "
            f"of {int(record['runs'])} runs"
        )
    if len(summary.sensitivity):
        view = Table(title="what matters most (swing: top third minus bottom third of the input)")
        for column in ("rank", "parameter", "output", "spearman rho", "swing"):
            view.add_column(column, justify="right" if column != "parameter" else "left")
        for record in summary.sensitivity.to_dict("records"):
            view.add_row(
                str(record["rank"]),
                str(record["parameter"]),
                str(record["output"]),
                f"{float(record['spearman_rho']):+.2f}",
                _number(record["swing"]),
            )
        console.print(view)


def _write_summary(summary: SweepSummary, out: Path) -> None:
    """The sweep's summary tables, ``<out>/<sweep>-summary-*.csv``, each replaced in one step."""
    stem = check_name(summary.sweep, what="sweep name")
    tables = {
        "distribution": summary.distribution.to_csv(),
        "probability": summary.probability.to_csv(index=False),
        "sensitivity": summary.sensitivity.to_csv(index=False),
    }
    for kind, text in tables.items():
        path = inside(out, f"{stem}-summary-{kind}.csv", what="summary table")
        write_text_atomic(path, text, overwrite=True)


def _number(value: Any) -> str:
    number = float(value)
    if number != number:
        return "-"
    if abs(number) >= 1e9:
        return f"{number / 1e9:,.2f} bn"
    if abs(number) >= 1e6:
        return f"{number / 1e6:,.1f} M"
    return f"{number:,.2f}" if abs(number) < 100 else f"{number:,.0f}"


def runs(
    catalogue: Annotated[
        Path, typer.Option("--catalogue", help="The catalogue file.")
    ] = DEFAULT_OUT / CATALOGUE_FILE,
    sweep_name: Annotated[str | None, typer.Option("--sweep", help="Only this sweep.")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only runs with this status (done, failed); or 'stale' for the hidden "
            "leftovers of killed writers (.NAME.tmp-*, .NAME.old-*) in the catalogue's folder "
            "(or the folder --catalogue names) and two levels below: the next write in their "
            "folder removes the stale ones.",
        ),
    ] = None,
    sql: Annotated[
        str | None,
        typer.Option("--sql", help="Run this SQL over the catalogue (table 'runs') instead."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows to print.")] = 50,
) -> None:
    """List the runs in the results catalogue, or query it with SQL."""
    problems = Problems()
    checks.number(problems, "--limit", limit, at_least=0)
    if status is not None:
        checks.choice(problems, "--status", status, [*RunStatus, STALE], what="status")
    if sql is not None and (sweep_name is not None or status is not None):
        problems.add(
            "runs the SQL instead of the listing, so --sweep and --status do not apply.",
            option="--sql",
            hint="Put the conditions in the SQL, e.g. where sweep = 'gas-price'.",
        )
    if status == STALE and sweep_name is not None:
        problems.add(
            "lists the leftovers of writers in a folder, of any sweep; --sweep does not apply.",
            option="--status stale",
            hint="Drop --sweep.",
        )
    if status == STALE:
        problems.raise_any()
        _print_leftovers(catalogue if catalogue.is_dir() else catalogue.parent, limit)
        return
    cat = problems.check(_open, catalogue)
    if cat is not None and sweep_name is not None:
        where = f"the catalogue {catalogue}"
        checks.known_name(problems, "--sweep", sweep_name, cat.sweeps(), "sweep", where)
    problems.raise_any()
    assert cat is not None
    if sql is not None:
        frame = cat.query(sql)
        _print_frame(frame.head(limit), f"{len(frame)} row(s)")
        return
    frame = cat.runs(sweep=sweep_name, status=status)
    shown = [
        c
        for c in ("run_id", "sweep", "case_id", "status", "wall_seconds", "caspian_mw", "npv_eur")
        if c in frame
    ]
    _print_frame(frame[shown].head(limit), f"{len(frame)} run(s) in {catalogue}")


def _print_leftovers(folder: Path, limit: int) -> None:
    """The leftovers of writers in ``folder`` and two levels of folders below it."""
    found = [item for where in _folders(folder, depth=2) for item in leftovers(where)]
    if not found:
        console.print(f"no leftovers of killed writers in {folder}")
        return
    stale = sum(item.stale for item in found)
    console.print(
        f"{len(found)} leftover(s) of writers in {folder}, {stale} stale: the next write in "
        "their folder removes a stale one (an .old- folder whose result is missing is put "
        "back instead)"
    )
    for item in found[:limit]:
        kind = "being written" if item.kind == "tmp" else "an earlier result"
        console.print(
            f"  {'stale ' if item.stale else 'in use'}  {item.path.relative_to(folder)}: {kind} "
            f"for {item.target!r} by {item.writer}, unchanged for {_duration(item.age_s)}",
            markup=False,
            soft_wrap=True,
        )


def _folders(folder: Path, depth: int) -> list[Path]:
    """``folder`` and the folders below it, ``depth`` levels deep, hidden ones left out."""
    if not folder.is_dir():
        return []
    below = [p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return [folder, *(f for p in below if depth > 0 for f in _folders(p, depth - 1))]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def show(
    run_id: Annotated[
        str,
        typer.Argument(help="A run id (or a unique prefix of one), or SWEEP/CASE_ID."),
    ],
    catalogue: Annotated[
        Path, typer.Option("--catalogue", help="The catalogue file.")
    ] = DEFAULT_OUT / CATALOGUE_FILE,
) -> None:
    """Print one run's inputs, status, timings and headline results."""
    entry = _open(catalogue).get(run_id)
    view = Table(title=f"run {entry.get('run_id', run_id)}", show_header=False)
    view.add_column("field")
    view.add_column("value", overflow="fold")
    for key, value in entry.items():
        if key == "scenario":
            continue
        text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
        view.add_row(key, text)
    console.print(view)


def _open(path: Path) -> Catalogue:
    return Catalogue(path, create=False)


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    console.print(title)
    view = Table()
    for column in frame.columns:
        view.add_column(str(column), overflow="fold")
    for record in frame.to_dict("records"):
        view.add_row(*(_cell(v) for v in record.values()))
    console.print(view)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return _number(value)
    return str(value)
