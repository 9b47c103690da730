"""``caspian run`` (the corridor study) and ``caspian data`` (the dataset and its sources)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from caspian.atomic import write_text_atomic
from caspian.cli import checks
from caspian.cli.checks import Problems
from caspian.cli.solve_cmd import (
    BlockHoursOpt,
    DaskDashboardOpt,
    GapOpt,
    SchedulerOpt,
    SolverOpt,
    TimeLimitOpt,
    WorkersOpt,
)
from caspian.corridor.dataset import load_dataset, sources_table
from caspian.corridor.run import (
    check_seed,
    prepare,
    resolution_override,
    results_folder,
    run_scenario,
)
from caspian.corridor.scenario import available_scenarios, scenario_folder
from caspian.report import write_report
from caspian.runs.headlines import Headlines

console = Console(highlight=False)
data_app = typer.Typer(
    help="The corridor dataset and where every number comes from.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.add_typer(data_app, name="data")


def run(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Scenario names or YAML files (shipped: {', '.join(available_scenarios())})."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Results folder (default: results/run-<timestamp>)."),
    ] = None,
    resolution: Annotated[
        int | None, typer.Option("--resolution", help="Hours per snapshot (1 = full hourly year).")
    ] = None,
    segments: Annotated[
        int | None,
        typer.Option("--segments", help="Split the year into N tsam segments (overrides hours)."),
    ] = None,
    typical_days: Annotated[
        int | None,
        typer.Option(
            "--typical-days",
            help="Model the year by N hourly tsam typical days, storage linked over the year "
            "(overrides hours; fast and approximate).",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Weather-year seed.")] = None,
    solver: SolverOpt = "auto",
    block_hours: BlockHoursOpt = None,
    gap: GapOpt = None,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    dask_dashboard: DaskDashboardOpt = False,
    time_limit: TimeLimitOpt = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing results.")
    ] = False,
) -> None:
    """Build, solve and report the corridor study for each scenario (default: base)."""
    problems = Problems()
    timing = (resolution, segments, typical_days)
    bad_timing = timing != (None, None, None) and (
        problems.check(resolution_override, *timing) is None
    )
    bad_seed = seed is not None and problems.check(check_seed, seed) is None
    # with a bad override, the scenarios are still loaded to check their names and files
    overrides = (resolution, seed, segments, typical_days)
    if bad_timing or bad_seed:
        overrides = (None, None, None, None)
    prepared = [
        (name, scenario)
        for name in scenarios or ["base"]
        if (scenario := problems.check(prepare, name, *overrides)) is not None
    ]
    options = checks.method(
        problems,
        solver,
        time_limit=time_limit,
        block_hours=block_hours,
        gap=gap,
        workers=workers,
        scheduler=scheduler,
        dask_dashboard=dask_dashboard,
    )
    if out is None:
        out = Path("results") / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}"
    folders: dict[str, Path] = {}
    for given, scenario in prepared:
        folder = problems.check(results_folder, out, scenario)
        if folder is None:
            continue
        if scenario.name in folders:
            problems.add(
                f"two scenarios are named {scenario.name!r}; both would be written to {folder}.",
                option="SCENARIOS",
                value=given,
                hint="Give each scenario once, or give one another 'name:' in its file.",
            )
            continue
        folders[scenario.name] = folder
        source = Path(given) if Path(given).exists() else scenario_folder() / f"{given}.yaml"
        checks.output_folder(problems, folder, overwrite=overwrite, inputs=[source])
    problems.raise_any()  # before building or solving anything
    dataset = load_dataset()
    for _, scenario in prepared:
        folder = folders[scenario.name]
        with console.status("") as status:
            done = run_scenario(
                scenario,
                dataset=dataset,
                options=options,
                out_dir=folder,
                overwrite=overwrite,
                progress=lambda message: status.update(message),
            )
        print_headlines(done.headlines, done.build_seconds, done.solve_seconds)
        for line in done.trade_summary:
            console.print(line, markup=False)
        console.print(f"results: [bold]{folder}[/] (network.nc opens in PyPSA)")
        with console.status(f"{scenario.name}: drawing the report"):
            report = write_report(folder)
        console.print(f"report: [bold]{report}[/]\n", soft_wrap=True)


def print_headlines(h: Headlines, build_s: float, solve_s: float) -> None:
    """The headline answers of one scenario, as tables."""
    console.rule(f"[bold]{h.scenario}")
    proved = f", proved gap {h.relative_gap:.3%}" if h.solver == "benders" else ""
    console.print(f"built in {build_s:.1f} s, solved in {solve_s:.1f} s ({h.solver}{proved})")
    caspian = ", ".join(f"{k}: {v:,.0f} MW" for k, v in h.caspian_capacity_mw.items()) or "none"
    console.print(f"Caspian link capacity: [bold]{caspian}[/]")
    console.print(
        f"total system cost: {h.total_cost_eur_per_year / 1e9:,.3f} bn EUR/yr   "
        f"exports to the EU: {h.eu_exports_twh:,.2f} TWh/yr   "
        f"emissions: {h.emissions_mt_co2:,.2f} Mt CO2/yr"
    )
    flows = Table(title="annual flows (TWh/yr)")
    for column in ("link", "from", "to", "capacity MW", "forward", "backward", "losses"):
        flows.add_column(
            column, justify="right" if column not in ("link", "from", "to") else "left"
        )
    for name, row in h.link_flows_twh.iterrows():
        flows.add_row(
            str(name),
            row["bus0"],
            row["bus1"],
            f"{row['capacity_mw']:,.0f}",
            f"{row['forward_twh']:,.2f}",
            f"{row['backward_twh']:,.2f}",
            f"{row['losses_twh']:,.3f}",
        )
    console.print(flows)
    build = Table(title="new renewable capacity (MW)")
    build.add_column("node")
    for tech in h.renewable_build_mw.columns:
        build.add_column(str(tech), justify="right")
    for node, row in h.renewable_build_mw.iterrows():
        build.add_row(str(node), *[f"{v:,.0f}" for v in row])
    console.print(build)
    prices = Table(title="mean price (EUR/MWh)")
    prices.add_column("node")
    prices.add_column("price", justify="right")
    for node, value in h.mean_price_eur_per_mwh.items():
        prices.add_row(node, f"{value:,.1f}")
    console.print(prices)


@data_app.command("sources")
def sources(
    table: Annotated[
        str | None, typer.Option("--table", help="Only this dataset table (e.g. links, fleet).")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the provenance table to this CSV.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the --csv file if it exists.")
    ] = False,
) -> None:
    """Print every number of the dataset with its unit, year, source and confidence, then the
    sources they cite."""
    problems = Problems()
    if csv is not None:
        checks.output_file(problems, csv, overwrite=overwrite, option="--csv")
    ds = load_dataset()
    provenance = ds.provenance
    if table is not None:
        known = sorted(provenance["table"].unique())
        checks.known_name(problems, "--table", table, known, "table", "the dataset")
    problems.raise_any()
    if table is not None:
        provenance = provenance[provenance["table"] == table]
    if csv is not None:
        write_text_atomic(csv, provenance.to_csv(index=False), overwrite=overwrite)
    view = Table(title=f"corridor dataset: {len(provenance)} numbers")
    for column in ("table", "key", "quantity", "value", "unit", "year", "source", "confidence"):
        view.add_column(column, overflow="fold")
    for row in provenance.itertuples(index=False):
        year = "" if row.year is None or str(row.year) in ("<NA>", "nan") else str(row.year)
        view.add_row(
            str(row.table),
            str(row.key),
            str(row.quantity),
            _value(row.value, str(row.quantity)),
            str(row.unit),
            year,
            str(row.source),
            str(row.confidence),
        )
    console.print(view)
    cited = sources_table(ds)
    if table is not None:  # the sources this table cites; the counts stay over all tables
        used = provenance["source"].str.split(",").explode().str.strip().unique()
        cited = cited[cited.index.isin(used)]
    listing = Table(title=f"{len(cited)} sources cited" + (f" by {table}" if table else ""))
    listing.add_column("source")
    listing.add_column("citation", overflow="fold")
    listing.add_column("numbers (all tables)" if table else "numbers", justify="right")
    for source, citation, count in zip(
        cited.index, cited["citation"], cited["values"], strict=True
    ):
        listing.add_row(str(source), str(citation), str(count))
    console.print(listing)


def _value(value: object, quantity: str) -> str:
    """A dataset number as the table shows it: years without a thousands separator."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:.6g}" if quantity.endswith("year") else f"{value:,.6g}"
