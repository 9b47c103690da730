"""``caspian solve``, ``caspian validate`` and ``caspian example``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from caspian.cli import checks
from caspian.cli.checks import Problems
from caspian.decompose import BendersOptions, Method, solve_network
from caspian.network import read_network, validate
from caspian.network.examples import EXAMPLES, example_network
from caspian.network.network import Network
from caspian.optimize import OptimizationResult
from caspian.optimize.auto import AUTO_BENDERS_MIN_COLUMNS
from caspian.optimize.export import TABLE_FORMATS, write_result

console = Console(highlight=False)

SolverOpt = Annotated[
    str,
    typer.Option(
        "--solver",
        help="hipo, ipm, simplex or pdlp (HiGHS on the whole model), benders (decomposition "
        "over time blocks, exact to --gap, for long horizons; one block or typical days are "
        "solved whole), or auto: the model's size decides, simplex for small models, HiPO for "
        f"larger, Benders from {AUTO_BENDERS_MIN_COLUMNS:,} columns in two or more time blocks.",
    ),
]
BlockHoursOpt = Annotated[
    float | None,
    typer.Option(
        "--block-hours",
        help=f"Benders: hours per time block (default {BendersOptions().block_hours:g}, weeks).",
    ),
]
GapOpt = Annotated[
    float | None,
    typer.Option(
        "--gap",
        help="Benders: relative gap to prove, e.g. 0.001 for 0.1 % (default "
        f"{BendersOptions().gap:g}).",
    ),
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", help="Benders: Dask worker processes for the time blocks.")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler", help="Benders: a running Dask scheduler (tcp://host:8786) for the blocks."
    ),
]
DaskDashboardOpt = Annotated[
    bool,
    typer.Option(
        "--dask-dashboard",
        help="With --workers: serve Dask's dashboard of the local cluster on 127.0.0.1 and print "
        "its URL (local clusters listen on loopback only; from another machine, tunnel it with "
        "ssh -L).",
    ),
]
TimeLimitOpt = Annotated[
    float | None, typer.Option("--time-limit", help="Seconds before the solve gives up.")
]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", help="Threads HiGHS may use.")]
CrossoverOpt = Annotated[
    bool, typer.Option("--crossover/--no-crossover", help="Crossover after interior point.")
]
OverwriteOpt = Annotated[
    bool, typer.Option("--overwrite", help="Replace an existing results folder.")
]
FormatOpt = Annotated[str, typer.Option("--format", help="Result tables as csv or parquet.")]


def register(app: typer.Typer) -> None:
    app.command("solve")(solve)
    app.command("validate")(validate_command)
    app.command("example")(example)


def solve(
    path: Annotated[Path, typer.Argument(help="caspian folder, PyPSA .nc file or CSV folder.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the result tables.")],
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    threads: ThreadsOpt = None,
    crossover: CrossoverOpt = False,
    overwrite: OverwriteOpt = False,
    table_format: FormatOpt = "csv",
    block_hours: BlockHoursOpt = None,
    gap: GapOpt = None,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    dask_dashboard: DaskDashboardOpt = False,
) -> None:
    """Optimise a network and write its results and summary.json to OUT."""
    problems = Problems()
    options = checks.method(
        problems,
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
    checks.choice(problems, "--format", table_format, TABLE_FORMATS, what="table format")
    if not path.exists():
        problems.add(
            f"{path} does not exist.",
            option="PATH",
            value=str(path),
            hint="Give a caspian folder, a PyPSA .nc file or a CSV folder.",
        )
    checks.output_folder(problems, out, overwrite=overwrite, inputs=[path])
    problems.raise_any()  # before reading or solving anything
    with console.status(f"reading {path}"):
        n = read_network(path)
    result = _solve(n, options)
    _write(result, out, overwrite, table_format)


def validate_command(
    path: Annotated[Path, typer.Argument(help="caspian folder, PyPSA .nc file or CSV folder.")],
) -> None:
    """Check a network without solving it."""
    n = read_network(path)
    validate(n, source=str(path))
    console.print(f"[green]valid[/]: {n!r}")


def example(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(EXAMPLES)}.")] = "demo",
    out: Annotated[Path, typer.Option("--out", help="Folder for the results.")] = Path(
        "results/example"
    ),
    solver: SolverOpt = "auto",
    overwrite: Annotated[
        bool, typer.Option("--overwrite/--no-overwrite", help="Replace earlier example results.")
    ] = True,
    table_format: FormatOpt = "csv",
) -> None:
    """Solve an example network shipped with caspian-grid and print a summary."""
    problems = Problems()
    checks.choice(problems, "NAME", name, EXAMPLES, what="example")
    options = checks.method(problems, solver)
    checks.choice(problems, "--format", table_format, TABLE_FORMATS, what="table format")
    checks.output_folder(problems, out, overwrite=overwrite)
    problems.raise_any()  # before solving anything
    n = example_network(name)
    result = _solve(n, options)
    _write(result, out, overwrite, table_format)


def _solve(n: Network, options: Method | None) -> OptimizationResult:
    with console.status("") as status:

        def say(message: str) -> None:
            console.print(message)
            status.update(message)

        say(f"building the linear program of {n!r}")
        return solve_network(n, options, progress=say)


def _write(result: OptimizationResult, out: Path, overwrite: bool, table_format: str) -> None:
    path = write_result(result, out, overwrite=overwrite, table_format=table_format)  # type: ignore[arg-type]
    print_summary(result)
    console.print(f"results written to [bold]{path}[/]")


def audit_lines(result: OptimizationResult) -> list[str]:
    """What the economic audit found and any clean-up of the solver's answer, one line each."""
    lines = []
    audit = result.economic_audit
    if audit is not None:
        interior = int(audit.assets["interior"].sum()) if len(audit.assets) else 0
        lines.append(
            f"prices audited: a dual solution, duality gap {audit.duality_gap_eur:,.2f} EUR; "
            f"{interior} extendable asset{'s' if interior != 1 else ''} at interior capacity "
            "break even at them"
        )
    if result.solver.cleanup:
        lines.append(f"clean-up: {result.solver.cleanup}, because {result.solver.cleanup_reason}")
    return lines


def print_summary(result: OptimizationResult) -> None:
    """A short table of the headline numbers."""
    s = result.summary()
    gap = result.solver.relative_gap
    proved = f", proved gap {gap:.2g}" if s["algorithm"] == "benders" else ""
    console.print(
        f"[bold green]optimal[/]  objective {s['objective']:,.2f} EUR   "
        f"solve {s['solve_seconds']:.2f} s ({s['algorithm']}, {s['iterations']} iterations"
        f"{proved})"
    )
    for line in audit_lines(result):
        console.print(line, markup=False)
    table = Table(title="mean price by bus (EUR/MWh)")
    table.add_column("bus")
    table.add_column("price", justify="right")
    for bus, price in s["mean_price_by_bus"].items():
        table.add_row(bus, f"{price:,.2f}")
    console.print(table)
    caps = s["optimal_capacity"]
    if caps:
        ct = Table(title="optimal capacity of extendable assets")
        ct.add_column("component")
        ct.add_column("name")
        ct.add_column("capacity", justify="right")
        for component, values in caps.items():
            for name, value in values.items():
                ct.add_row(component, name, f"{value:,.1f}")
        console.print(ct)
    if result.co2_price:
        console.print(f"CO2 price: {result.co2_price:,.2f} EUR/t")
