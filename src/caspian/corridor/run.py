"""Run the corridor study: build each scenario's network, solve it, write results and headlines."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from caspian.analysis.standard import standard_tables, summary_lines
from caspian.atomic import check_writable
from caspian.corridor.appraisal import cbam_grid_factors, eu_co2_price
from caspian.corridor.build import build_corridor_model
from caspian.corridor.dataset import Dataset, load_dataset
from caspian.corridor.headlines import headlines
from caspian.corridor.scenario import MAX_SEED, Resolution, Scenario, load_scenario
from caspian.decompose import Method, solve_network
from caspian.exceptions import InputError
from caspian.names import check_name, inside
from caspian.network.network import Network
from caspian.optimize import OptimizationResult
from caspian.runs.headlines import Headlines
from caspian.runs.layout import EU_AREA
from caspian.runs.write import write_run


@dataclass(frozen=True)
class ScenarioRun:
    """One solved scenario: its inputs, result, headlines and timings (s).

    Attributes
    ----------
    scenario
        The scenario that was run.
    network
        The network built for it.
    result
        Its optimum.
    headlines
        The headline answers.
    build_seconds, solve_seconds
        Time to build the network and to solve it, s.
    out_dir
        The results folder written, or None.
    """

    scenario: Scenario
    network: Network
    result: OptimizationResult
    headlines: Headlines
    build_seconds: float
    solve_seconds: float
    out_dir: Path | None
    trade_summary: tuple[str, ...] = ()
    """Lines of the trade-and-economics summary (written runs only; see ``summary.txt``)."""


def prepare(
    name_or_path: str | Path,
    resolution_hours: int | None = None,
    weather_seed: int | None = None,
    segments: int | None = None,
    typical_days: int | None = None,
) -> Scenario:
    """Load a scenario and apply command-line overrides of resolution and weather seed.

    An override given is checked as the scenario file's key would be (``0`` is a value, not
    "use the default"), and named by its option in the error.
    """
    scenario = load_scenario(name_or_path)
    update: dict[str, object] = {}
    if resolution_hours is not None or segments is not None or typical_days is not None:
        update["resolution"] = resolution_override(
            resolution_hours, segments, typical_days, default_hours=scenario.resolution.hours
        )
    if weather_seed is not None:
        update["weather_seed"] = check_seed(weather_seed)
    return scenario.model_copy(update=update) if update else scenario


def check_seed(weather_seed: int) -> int:
    """``weather_seed`` if it can seed the weather year (a whole number from 0 to
    ``MAX_SEED``, as in a scenario file)."""
    if not 0 <= weather_seed <= MAX_SEED:
        raise InputError(
            f"weather seed {weather_seed} is outside 0 to {MAX_SEED:,}.",
            attribute="--seed",
            value=weather_seed,
            hint="Give a whole number in that range, e.g. --seed 7.",
        )
    return weather_seed


def resolution_override(
    hours: int | None,
    segments: int | None,
    typical_days: int | None,
    *,
    default_hours: int = Resolution().hours,
) -> Resolution:
    """The time resolution ``--resolution``, ``--segments`` and ``--typical-days`` ask for
    (``hours`` None: ``default_hours``); an :class:`InputError` names every option out of range."""
    try:
        return Resolution.model_validate(
            {
                "hours": default_hours if hours is None else hours,
                "segments": segments,
                "typical_days": typical_days,
            }
        )
    except ValidationError as error:
        options = {
            "hours": "--resolution",
            "segments": "--segments",
            "typical_days": "--typical-days",
        }
        given = {"hours": hours, "segments": segments, "typical_days": typical_days}
        asked = ", ".join(f"{options[k]} {v}" for k, v in given.items() if v is not None)
        problems = "; ".join(
            f"{options[str(e['loc'][0])]} {given[str(e['loc'][0])]}: {e['msg']}"
            if e["loc"]
            else f"{asked}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise InputError(
            f"invalid time resolution: {problems}.",
            hint="Use 1-168 hours per snapshot (--resolution), 2-8760 segments (--segments) or "
            "1-365 typical days (--typical-days), and at most one of --segments and "
            "--typical-days.",
        ) from None


def results_folder(out: str | Path, scenario: Scenario) -> Path:
    """The folder of ``scenario``'s results in ``out``: ``out/<name>``, its name checked to be
    one safe file name (:func:`caspian.names.check_name`) and the folder to lie inside ``out``."""
    name = check_name(scenario.name, what="scenario name")
    inside(out, name, what=f"the results folder of scenario {name!r}")
    return Path(out) / name


def run_scenario(
    scenario: Scenario,
    *,
    dataset: Dataset | None = None,
    options: Method | None = None,
    out_dir: Path | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ScenarioRun:
    """Build, solve and (if ``out_dir``) write one scenario.

    ``options`` picks the method, as in
    [`caspian.decompose.solve_network`][caspian.decompose.solve_network]: by default ``auto``
    (one HiGHS solve, or Benders for a model too large for one, such as the 4-hourly year and
    finer: [`caspian.optimize.auto`][caspian.optimize.auto]);
    [`SolverOptions`][caspian.optimize.options.SolverOptions] with an algorithm solves the whole
    model with HiGHS; [`BendersOptions`][caspian.decompose.benders.BendersOptions] decomposes it
    over time blocks wherever that applies.
    """
    say = progress or (lambda message: None)
    if out_dir is not None:  # before anything is built or solved
        check_name(scenario.name, what="scenario name")
        check_writable(out_dir, overwrite=overwrite)
    ds = dataset or load_dataset()
    say(
        f"{scenario.name}: building the network ({scenario.year}, {scenario.resolution.describe()})"
    )
    start = time.perf_counter()
    n, _ = build_corridor_model(scenario, ds)  # with typical days, n.periods says which days
    built = time.perf_counter()
    result = solve_network(n, options, progress=lambda message: say(f"{scenario.name}: {message}"))
    solved = time.perf_counter()
    heads = headlines(result, scenario.name)
    trade: list[str] = []
    if out_dir is not None:
        say(f"{scenario.name}: writing results to {out_dir}")
        say(f"{scenario.name}: trade and economics tables")
        tables = standard_tables(
            result,
            importer=EU_AREA,
            grid_factors=cbam_grid_factors(ds),
            co2_price_eur_per_t=eu_co2_price(ds),
        )
        trade.extend(summary_lines(tables, importer=EU_AREA))
        caspian = ", ".join(f"{k} {v:,.0f} MW" for k, v in heads.caspian_capacity_mw.items())
        lines = [
            f"Scenario {scenario.name} ({scenario.year}, {scenario.resolution.describe()})",
            f"Caspian link: {caspian or 'none'}",
            f"Total system cost: {heads.total_cost_eur_per_year / 1e9:,.3f} bn EUR/yr; "
            f"emissions {heads.emissions_mt_co2:,.2f} Mt CO2/yr",
            *trade,
        ]
        write_run(
            result,
            out_dir,
            headlines=heads,
            scenario=scenario,
            analysis=tables,
            summary_text=lines,
            overwrite=overwrite,
        )
    return ScenarioRun(
        scenario, n, result, heads, built - start, solved - built, out_dir, tuple(trade)
    )
