"""``caspian solve``, ``caspian validate`` and ``caspian example``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from caspian.network import read_network, validate
from caspian.network.examples import EXAMPLES, example_network
from caspian.network.network import Network
from caspian.optimize import OptimizationResult, SolverOptions, optimize
from caspian.optimize.export import write_result

console = Console(highlight=False)

SolverOpt = Annotated[
    str, typer.Option("--solver", help="HiGHS algorithm: auto, hipo, ipm, simplex or pdlp.")
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
) -> None:
    """Optimise a network and write its results and summary.json to OUT."""
    options = SolverOptions(
        algorithm=solver, time_limit=time_limit, threads=threads, crossover=crossover
    )
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
    n = example_network(name)
    result = _solve(n, SolverOptions(algorithm=solver))
    _write(result, out, overwrite, table_format)


def _solve(n: Network, options: SolverOptions) -> OptimizationResult:
    with console.status("") as status:

        def say(message: str) -> None:
            console.print(message)
            status.update(message)

        return optimize(n, options, progress=say)


def _write(result: OptimizationResult, out: Path, overwrite: bool, table_format: str) -> None:
    path = write_result(result, out, overwrite=overwrite, table_format=table_format)  # type: ignore[arg-type]
    print_summary(result)
    console.print(f"results written to [bold]{path}[/]")


def print_summary(result: OptimizationResult) -> None:
    """A short table of the headline numbers."""
    s = result.summary()
    console.print(
        f"[bold green]optimal[/]  objective {s['objective']:,.2f} EUR   "
        f"solve {s['solve_seconds']:.2f} s ({s['algorithm']}, {s['iterations']} iterations)"
    )
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
