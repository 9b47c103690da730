"""``caspian cba`` (cost-benefit of a link or a scenario pair) and ``caspian trace`` (origin)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from caspian.analysis.cba import Hold, LinkAppraisal, appraise_link_at_costs, compare
from caspian.analysis.certificates import cbam_exposure, export_matching, rule_label
from caspian.analysis.common import bus_areas
from caspian.analysis.finance import ProjectAppraisal
from caspian.analysis.standard import millions
from caspian.analysis.tracing import trace
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
from caspian.corridor.appraisal import (
    Appraisal,
    appraise_corridor_link,
    cbam_grid_factors,
    eu_co2_price,
)
from caspian.corridor.build import build_corridor_network
from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import prepare, resolution_override
from caspian.corridor.scenario import Resolution, Scenario
from caspian.exceptions import InputError
from caspian.network import read_network
from caspian.network.network import Network
from caspian.optimize import OptimizationResult
from caspian.optimize.export import check_results_folder, read_result
from caspian.runs import RunLayout, open_run, write_cba, write_trace

console = Console(highlight=False)


def register(app: typer.Typer) -> None:
    app.command("cba")(cba)
    app.command("trace")(trace_command)


def trace_command(
    run_dir: Annotated[Path, typer.Argument(help="A results folder of 'caspian run'/'solve'.")],
    importer: Annotated[
        str, typer.Option("--importer", help="Area whose imports are traced (default EU).")
    ] = "EU",
    co2_price: Annotated[
        float | None,
        typer.Option(
            "--co2-price",
            help="EUR/t for CBAM (default: the dataset's EU ETS price for corridor runs).",
        ),
    ] = None,
    grid_factor: Annotated[
        list[str] | None,
        typer.Option(
            "--grid-factor",
            help="AREA=t/MWh, the CBAM default factor of an exporting area (repeat). "
            "Corridor runs default to the dataset's factors.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the tracing tables (default: RUN_DIR/trace)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output folder.")
    ] = False,
) -> None:
    """Where the power arriving in an area comes from, how green it is, and its CBAM exposure."""
    problems = Problems()
    out = out or RunLayout(run_dir).trace
    factors = _grid_factors(problems, grid_factor)
    checks.number(problems, "--co2-price", co2_price, at_least=0, meaning="EUR per t CO2")
    checks.output_folder(problems, out, overwrite=overwrite, inputs=[run_dir], results=True)
    network = problems.check(_results_network, run_dir)
    if network is not None:
        areas = sorted(set(bus_areas(network)))
        where = f"the network of {run_dir}"
        checks.known_name(problems, "--importer", importer, areas, "area", where)
        for area in factors:
            checks.known_name(problems, "--grid-factor", area, areas, "area", where)
    problems.raise_any()  # before tracing anything
    result = read_result(run_dir)
    corridor = RunLayout(run_dir).is_corridor_run()
    if corridor:
        ds = load_dataset()
        factors = {**cbam_grid_factors(ds), **factors}
        co2_price = eu_co2_price(ds) if co2_price is None else co2_price
    with console.status("tracing the flows hour by hour"):
        flow_trace = trace(result)
        origin = flow_trace.imports_by_origin(importer)
        matching = export_matching(result, importer, flow_trace=flow_trace)
        consumption = flow_trace.consumption_by_origin()
        cbam = (
            cbam_exposure(result, importer, factors, co2_price, flow_trace=flow_trace)
            if co2_price is not None and factors
            else None
        )
    console.rule(f"[bold]origin of the power arriving in {importer}")
    _print_origin(origin, importer)
    _print_matching(matching, importer)
    if cbam is None:
        console.print("CBAM: give --co2-price and --grid-factor AREA=t/MWh to value it.")
    else:
        _print_cbam(cbam.total, co2_price or 0.0)
    tables = {
        "imports_by_origin": origin,
        "export_matching": matching,
        "consumption_by_origin": consumption,
        "cbam": None if cbam is None else cbam.total,
        "cbam_by_origin": None if cbam is None else cbam.by_origin,
    }
    write_trace(out, tables, overwrite=overwrite)
    console.print(f"tables: [bold]{out}[/]")


def _results_network(run_dir: Path) -> Network:
    """The network of the results folder ``run_dir`` (its names to check arguments against)."""
    return read_network(RunLayout(check_results_folder(run_dir)).network)


def _grid_factors(problems: Problems, pairs: list[str] | None) -> dict[str, float]:
    """``--grid-factor AREA=t/MWh`` pairs as a mapping; each malformed one noted."""
    factors: dict[str, float] = {}
    for pair in pairs or []:
        area, _, value = pair.partition("=")
        try:
            factor = float(value)
        except ValueError:
            factor = math.nan
        if not area.strip() or not math.isfinite(factor) or factor < 0:
            problems.add(
                f"{pair!r} is not AREA=number (a factor of at least 0).",
                option="--grid-factor",
                value=pair,
                hint="e.g. --grid-factor KZ=0.9 (t CO2 per MWh).",
            )
            continue
        factors[area.strip()] = factor
    return factors


def _print_origin(origin: pd.DataFrame, importer: str) -> None:
    total = float(origin["mwh"].sum())
    view = Table(title=f"power arriving in {importer}: {total / 1e6:,.2f} TWh/yr by origin")
    for column in ("origin area", "technology", "TWh/yr", "share"):
        view.add_column(
            column, justify="left" if column in ("origin area", "technology") else "right"
        )
    top = origin.sort_values("mwh", ascending=False)
    for record in top[top["share"] >= 0.001].to_dict("records"):
        view.add_row(
            str(record["origin_area"]),
            str(record["origin_carrier"]),
            f"{float(record['mwh']) / 1e6:,.3f}",
            f"{float(record['share']):.1%}",
        )
    console.print(view)


def _print_matching(matching: pd.DataFrame, importer: str) -> None:
    view = Table(title=f"renewable share of exports to {importer} by matching rule")
    for column in ("rule", "exported TWh", "matched TWh", "renewable share"):
        view.add_column(column, justify="left" if column == "rule" else "right")
    for record in matching.to_dict("records"):
        view.add_row(
            rule_label(str(record["rule"])),
            f"{float(record['exported_mwh']) / 1e6:,.3f}",
            f"{float(record['matched_mwh']) / 1e6:,.3f}",
            f"{float(record['renewable_share']):.1%}",
        )
    console.print(view)


def _print_cbam(total: pd.DataFrame, price: float) -> None:
    view = Table(title=f"CBAM exposure at {price:,.0f} EUR/t")
    for column in ("rule", "t CO2", "t/MWh", "million EUR", "EUR/MWh"):
        view.add_column(column, justify="left" if column == "rule" else "right")
    for record in total.to_dict("records"):
        view.add_row(
            str(record["rule"]),
            f"{float(record['emissions_t']):,.0f}",
            f"{float(record['factor_t_per_mwh']):.3f}",
            f"{float(record['cost_eur']) / 1e6:,.1f}",
            f"{float(record['cost_eur_per_mwh']):,.1f}",
        )
    console.print(view)


def cba(
    run_dir: Annotated[
        Path | None,
        typer.Argument(
            help="A results folder of 'caspian run' or 'caspian solve'. Without it, the "
            "scenario given by --scenario is built and appraised."
        ),
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option("--link", help="Link(s) to appraise (default: the Caspian crossing)."),
    ] = None,
    capacity: Annotated[
        float | None,
        typer.Option(
            "--capacity",
            help="Capacity of the link(s) in the with case, MW (default: the optimum, or 1,500 "
            "MW for a Caspian cable the optimum does not build).",
        ),
    ] = None,
    hold: Annotated[
        str,
        typer.Option(
            "--hold", help="fixed: other investments fixed at the with-case plan; reoptimise."
        ),
    ] = "fixed",
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="Compare RUN_DIR (with) against this results folder (without): a scenario "
            "pair, no solving.",
        ),
    ] = None,
    scenario: Annotated[
        str, typer.Option("--scenario", help="Scenario to appraise when no RUN_DIR is given.")
    ] = "base",
    resolution: Annotated[
        int | None,
        typer.Option("--resolution", help="Hours per snapshot (for --scenario)."),
    ] = None,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity/--no-sensitivity",
            help="Compute the tornado (re-solves for gas price, EU price, demand growth).",
        ),
    ] = True,
    capex_eur_per_mw: Annotated[
        float | None,
        typer.Option("--capex-eur-per-mw", help="Overnight capex for links outside the dataset."),
    ] = None,
    lifetime: Annotated[
        int | None, typer.Option("--lifetime", help="Years, for links outside the dataset.")
    ] = None,
    discount_rate: Annotated[
        float | None,
        typer.Option("--discount-rate", help="e.g. 0.06, for links outside the dataset."),
    ] = None,
    fom_share: Annotated[
        float | None,
        typer.Option("--fom-share", help="Fixed O&M per year as a share of capex (default 0)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the CBA tables (default: RUN_DIR/cba)."),
    ] = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    block_hours: BlockHoursOpt = None,
    gap: GapOpt = None,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    dask_dashboard: DaskDashboardOpt = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output folder.")
    ] = False,
) -> None:
    """Cost-benefit analysis of a link (with and without it) or of a pair of solved runs.

    Three workflows, each a library call: a pair of runs (``--against``: ``compare``), a
    corridor link (``appraise_corridor_link``: the dataset's costs) and a link of any network
    at the costs given (``appraise_link_at_costs``). Every solve (sizing, plan, with, without
    and the tornado's) is made with the solver options given here."""
    problems = Problems()
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
    if hold.lower() not in set(Hold):
        checks.choice(problems, "--hold", hold, list(Hold), what="hold rule")
    checks.number(problems, "--capacity", capacity, above=0, meaning="MW")
    costs: dict[str, float | None] = {
        "--capex-eur-per-mw": capex_eur_per_mw,
        "--lifetime": lifetime,
        "--discount-rate": discount_rate,
        "--fom-share": fom_share,
    }
    checks.number(problems, "--capex-eur-per-mw", capex_eur_per_mw, above=0, meaning="EUR/MW")
    checks.number(problems, "--lifetime", lifetime, at_least=1, meaning="years")
    checks.number(
        problems, "--discount-rate", discount_rate, above=-1, below=1, meaning="0.06 = 6 %/yr"
    )
    checks.number(problems, "--fom-share", fom_share, at_least=0, at_most=1, meaning="of capex")
    if out is None:
        out = (
            RunLayout(run_dir).cba
            if run_dir is not None
            else Path("results") / f"cba-{dt.datetime.now():%Y%m%d-%H%M%S}"
        )
    checks.output_folder(
        problems, out, overwrite=overwrite, inputs=[run_dir, against], results=True
    )
    if against is not None:
        unused: dict[str, object] = {
            "--link": link or None,
            "--capacity": capacity,
            "--resolution": resolution,
            "--scenario": None if scenario == "base" else scenario,
            **costs,
        }
        _check_pair(problems, run_dir, against, unused)
        problems.raise_any()  # before reading the runs
        assert run_dir is not None
        _cba_pair(run_dir, against, out, overwrite)
        return

    corridor = _check_link_study(problems, run_dir, scenario, resolution, link or [], costs)
    problems.raise_any()  # before solving anything
    with console.status("") as status:
        solved = read_result(run_dir) if run_dir is not None else None
        appraisal: Appraisal | LinkAppraisal
        if corridor is not None:
            # the run's own optimum sizes the link: no need to solve the scenario again
            appraisal = appraise_corridor_link(
                corridor,
                links=link or None,
                capacity_mw=capacity,
                hold=hold,
                sensitivity=sensitivity,
                options=options,
                progress=status.update,
                solved=solved,
            )
        else:
            assert solved is not None and link and capex_eur_per_mw is not None
            assert lifetime is not None and discount_rate is not None
            appraisal = appraise_link_at_costs(
                solved.network,
                link,
                capex_eur_per_mw=capex_eur_per_mw,
                lifetime_years=lifetime,
                discount_rate=discount_rate,
                fom_share=0.0 if fom_share is None else fom_share,
                capacity_mw=capacity,
                hold=hold,
                sensitivity=sensitivity,
                options=options,
                progress=status.update,
            )
    study = appraisal.cba
    _print_comparison(study.welfare, study.indicators, ", ".join(study.links))
    _warn_of_gaps(study.with_result, study.without_result)
    _print_finance(appraisal.finance, appraisal.tornado)
    write_cba(
        out,
        welfare=study.welfare,
        indicators=study.indicators,
        summary=appraisal.summary(),
        finance=appraisal.finance,
        tornado=appraisal.tornado,
        overwrite=overwrite,
    )
    console.print(f"tables: [bold]{out}[/]")


def _cba_pair(run_dir: Path, against: Path, out: Path, overwrite: bool) -> None:
    """``cba RUN --against OTHER``: compare two solved runs, no solving."""
    with_result = read_result(run_dir)
    without_result = read_result(against)
    pair = compare(with_result, without_result)
    _print_comparison(pair.welfare, pair.indicators, f"{run_dir} against {against}")
    _warn_of_gaps(with_result, without_result)
    summary = {
        "with": str(run_dir),
        "without": str(against),
        "welfare_change_eur": pair.welfare_change,
    }
    write_cba(
        out,
        welfare=pair.welfare,
        indicators=pair.indicators,
        summary=summary,
        overwrite=overwrite,
    )
    console.print(f"tables: [bold]{out}[/]")


def _check_pair(
    problems: Problems, run_dir: Path | None, against: Path, unused: dict[str, object]
) -> None:
    """Note what is wrong with comparing RUN_DIR against ``against``: a folder that is not a
    results folder, or options (``unused``, by name) that only a link appraisal reads."""
    if run_dir is None:
        problems.add(
            "needs RUN_DIR, the with case.",
            option="--against",
            hint="caspian cba WITH --against WITHOUT",
        )
    else:
        problems.check(check_results_folder, run_dir)
    problems.check(check_results_folder, against)
    given = [option for option, value in unused.items() if value is not None]
    if given:
        problems.add(
            f"{', '.join(given)}: options of a link appraisal, which comparing two runs "
            "(--against) does not make.",
            hint="Drop them, or appraise a link in one run: caspian cba RUN_DIR --link NAME.",
        )


def _check_link_study(
    problems: Problems,
    run_dir: Path | None,
    name: str,
    resolution: int | None,
    links: list[str],
    costs: dict[str, float | None],
) -> Scenario | None:
    """The corridor scenario whose link is appraised (from --scenario, or the one RUN_DIR was
    run with), None for a run that is not a corridor run; every problem with the link study's
    options noted: the links must be in the network (and, for a corridor run, in the dataset,
    which has their costs), a run that is not a corridor run needs the costs."""
    network: Network | None = None
    if run_dir is None:
        timing = None
        if resolution is not None:
            override = problems.check(resolution_override, resolution, None, None)
            timing = None if override is None else resolution
        corridor = problems.check(prepare, name, timing)
        is_corridor = True
    else:
        if resolution is not None or name != "base":
            problems.add(
                f"--scenario and --resolution choose what to solve when no RUN_DIR is given; "
                f"{run_dir} is appraised as it was run.",
                hint=f"Drop them, or run the scenario first: caspian run {name} --resolution N.",
            )
        network = problems.check(_results_network, run_dir)
        corridor = problems.check(_run_scenario, run_dir) if network is not None else None
        is_corridor = RunLayout(run_dir).is_corridor_run()
    if is_corridor:
        given = [option for option, value in costs.items() if value is not None]
        if given:
            problems.add(
                f"{', '.join(given)}: costs of a link outside the corridor dataset; a corridor "
                "link's costs come from the dataset.",
                hint="Drop them (caspian data sources --table links lists the dataset's costs).",
            )
        where = f"the network of {run_dir}"
        if links and network is None and corridor is not None:
            network = problems.check(_scenario_network, corridor)
            where = f"the network of scenario {corridor.name!r}"
        if links and network is not None:
            _check_links(problems, links, network, where, corridor=True)
        return corridor
    if network is None:
        return None
    missing = [option for option, value in costs.items() if value is None]
    missing = [option for option in missing if option != "--fom-share"]
    if not links or missing:
        problems.add(
            f"{run_dir} is not a corridor run, so the link and its costs must be given "
            f"({', '.join((['--link'] if not links else []) + missing)}).",
            hint="e.g. caspian cba RUN_DIR --link NAME --capex-eur-per-mw 1.8e6 "
            "--lifetime 40 --discount-rate 0.06",
        )
    _check_links(problems, links, network, f"the network of {run_dir}", corridor=False)
    return None


def _check_links(
    problems: Problems, links: list[str], network: Network, where: str, *, corridor: bool
) -> None:
    """Note every link of ``links`` that is not in ``network`` (or, for a ``corridor`` run, that
    the corridor dataset has no costs for), with the candidates and a did-you-mean."""
    known = [str(name) for name in network.static["Link"].index]
    dataset = [str(name) for name in load_dataset().links.index] if corridor else known
    for name in links:
        if name in known and name in dataset:
            continue
        if name in known:
            problems.add(
                f"link {name!r} is not in the corridor dataset, so its costs are unknown.",
                option="--link",
                value=name,
                hint="Appraise a link of the dataset: "
                + ", ".join(n for n in known if n in dataset)
                + ".",
            )
            continue
        elsewhere = [n for n in dataset if n not in known]
        note = checks.did_you_mean(name, elsewhere).replace(" Did you mean", " The dataset has")
        problems.add(
            f"no link {name!r} in {where}.",
            option="--link",
            value=name,
            hint=f"Links: {', '.join(known)}.{checks.did_you_mean(name, known)}"
            + (f"{note[:-1]}, not built in this scenario." if note else ""),
        )


def _run_scenario(run_dir: Path) -> Scenario | None:
    """The scenario the results folder ``run_dir`` was run with; None if not a corridor run."""
    text = open_run(run_dir).scenario_json
    if text is None:
        return None
    try:
        return Scenario.model_validate_json(text)
    except ValidationError as error:
        raise InputError(
            f"is not a scenario this version of caspian-grid reads: {error.errors()[0]['msg']}.",
            file=str(RunLayout(run_dir).scenario),
            hint="Run the scenario again with 'caspian run'.",
        ) from None


def _scenario_network(scenario: Scenario) -> Network:
    """``scenario``'s network at a coarse resolution: its components, to check names against."""
    coarse = scenario.model_copy(update={"resolution": Resolution(hours=168)})
    return build_corridor_network(coarse, load_dataset())


def _warn_of_gaps(*results: OptimizationResult) -> None:
    """Say how far apart two runs solved only to a proved gap (Benders) may be by that alone.

    Each run's cost is at most its gap above its optimum, so the difference of two costs is off
    by at most the larger of the two slacks."""
    slack = max(abs(r.objective) * r.solver.relative_gap for r in results)
    if slack > 0:
        console.print(
            f"note: these runs are optimal only to within their proved gaps "
            f"({', '.join(f'{r.solver.relative_gap:.2%}' for r in results)}), so the change in "
            f"total cost and welfare may be off by up to {millions(slack)} million EUR/yr from "
            "that alone; solve both with a smaller --gap (or --solver hipo) to compare smaller "
            "effects."
        )


def _print_comparison(welfare: pd.DataFrame, indicators: pd.DataFrame, title: str) -> None:
    console.rule(f"[bold]cost-benefit: {title}")
    view = Table(title="welfare change by area, with minus without (million EUR/yr)")
    view.add_column("area")
    for column in ("consumers", "producers", "congestion rent", "total"):
        view.add_column(column, justify="right")
    for area, row in welfare.iterrows():
        view.add_row(
            str(area),
            *(
                millions(row[f"change_{part}_eur"])
                for part in ("consumer_surplus", "producer_surplus", "congestion_rent", "welfare")
            ),
        )
    total = welfare.filter(like="change_").sum()
    view.add_row(
        "[bold]all",
        *(
            f"[bold]{millions(total[f'change_{part}_eur'])}"
            for part in ("consumer_surplus", "producer_surplus", "congestion_rent", "welfare")
        ),
    )
    console.print(view)
    facts = Table(title="indicators (with minus without, per year)")
    facts.add_column("indicator")
    facts.add_column("value", justify="right")
    facts.add_column("unit")
    for record in indicators.to_dict("records"):
        facts.add_row(
            str(record["indicator"]),
            _whole(float(record["value"])),
            str(record["unit"]),
        )
    console.print(facts)


def _whole(value: float) -> str:
    """A number in whole units with thousands separators, never "-0"."""
    return f"{round(value) + 0:,}" if math.isfinite(value) else str(value)


def _print_finance(finance: ProjectAppraisal, table: pd.DataFrame | None) -> None:
    irr = "none" if finance.irr != finance.irr else f"{finance.irr:.1%}"
    payback = "never" if finance.payback_year is None else f"year {finance.payback_year}"
    console.print(
        f"capex {finance.capex / 1e9:,.2f} bn EUR   NPV [bold]{finance.npv / 1e9:,.2f} bn EUR[/]   "
        f"BCR {finance.bcr:.2f}   IRR {irr}   payback {payback}   "
        f"LCOT {finance.lcot_eur_per_mwh:,.1f} EUR/MWh"
    )
    if table is None:
        return
    view = Table(title="NPV sensitivity (bn EUR)")
    for column in ("parameter", "low", "high", "NPV low", "NPV high", "swing"):
        view.add_column(column, justify="left" if column == "parameter" else "right")
    for record in table.to_dict("records"):
        view.add_row(
            str(record["parameter"]),
            str(record["low"]),
            str(record["high"]),
            *(f"{float(record[k]) / 1e9:,.2f}" for k in ("npv_low", "npv_high", "swing")),
        )
    console.print(view)
