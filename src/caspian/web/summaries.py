"""What the API and pages say about runs: their headlines, files, and two runs compared.

A damaged file of a run (:class:`~caspian.web.store.BrokenFile`) is reported where it is read:
the list and a run's own view show the run with its ``problems``; a comparison, which cannot be
right without both runs' files, raises it for the router to report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from caspian.runs.headlines import (
    CASPIAN_CAPACITY,
    EMISSIONS,
    EU_EXPORTS,
    LINK_FLOWS,
    MEAN_PRICE,
    RENEWABLE_BUILD,
    TOTAL_COST,
    Quantity,
)
from caspian.runs.layout import HEADLINES_FILE
from caspian.web.schemas import (
    ComparisonOut,
    DifferenceOut,
    FileOut,
    HeadlinesOut,
    ParameterDifferenceOut,
    ProblemOut,
    RunDetailOut,
    RunOut,
)
from caspian.web.store import DAMAGED_HINT, BrokenFile, RunEntry, run_files


def run_url(entry: RunEntry) -> str:
    return f"/runs/{entry.id}"


def file_url(entry: RunEntry, path: str) -> str:
    return f"/api/runs/{entry.id}/files/{quote(path)}"


def headlines_of(entry: RunEntry) -> HeadlinesOut:
    """The run's ``headlines.json``, checked; :class:`BrokenFile` if it is damaged."""
    raw = entry.headlines()
    try:
        return HeadlinesOut.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise BrokenFile(
            HEADLINES_FILE,
            f"does not hold a run's headlines: {where}: {first['msg']}{more}. {DAMAGED_HINT}",
        ) from None


def run_out(entry: RunEntry, heads: HeadlinesOut | BrokenFile | None = None) -> RunOut:
    """The list entry of a run (``heads``: its headlines if already read)."""
    if heads is None:
        try:
            heads = headlines_of(entry)
        except BrokenFile as error:
            heads = error
    ok = heads if isinstance(heads, HeadlinesOut) else None
    capacities = [] if ok is None else [v for v in ok.caspian_capacity_mw.values() if v is not None]
    return RunOut(
        id=entry.id,
        scenario=entry.path.name if ok is None else ok.scenario,
        source="catalogue" if entry.source == "catalogue" else "results",
        sweep=entry.sweep,
        case_id=entry.case_id,
        modified_at=_moment(entry.modified),
        total_cost_eur_per_year=None if ok is None else ok.total_cost_eur_per_year,
        caspian_capacity_mw=None if ok is None else sum(capacities),
        eu_exports_twh=None if ok is None else ok.eu_exports_twh,
        emissions_mt_co2=None if ok is None else ok.emissions_mt_co2,
        npv_eur=entry.catalogue_headlines.get("npv_eur"),
        bcr=entry.catalogue_headlines.get("bcr"),
        url=run_url(entry),
        report_url=f"{run_url(entry)}/report.html",
        problems=[] if isinstance(heads, HeadlinesOut) else [_problem(heads)],
    )


def run_detail(entry: RunEntry) -> RunDetailOut:
    """Everything about one run but its time series (those are files to download); a damaged
    ``headlines.json`` or ``scenario.json`` is None, with a problem saying why."""
    heads: HeadlinesOut | BrokenFile
    try:
        heads = headlines_of(entry)
    except BrokenFile as error:
        heads = error
    scenario: dict[str, Any] | BrokenFile
    try:
        scenario = entry.scenario()
    except BrokenFile as error:
        scenario = error
    return RunDetailOut(
        run=run_out(entry, heads),
        headlines=heads if isinstance(heads, HeadlinesOut) else None,
        scenario=None if isinstance(scenario, BrokenFile) else scenario,
        files=file_list(entry),
        archive_url=f"/api/runs/{entry.id}/archive.zip",
        problems=[_problem(found) for found in (heads, scenario) if isinstance(found, BrokenFile)],
    )


def file_list(entry: RunEntry) -> list[FileOut]:
    """The files of a run with their download links."""
    return [
        FileOut(
            path=path,
            size_bytes=size,
            url=file_url(entry, path),
            parquet_url=f"{file_url(entry, path)}?format=parquet" if path[-4:] == ".csv" else None,
        )
        for path, size in run_files(entry)
    ]


def _problem(error: BrokenFile) -> ProblemOut:
    return ProblemOut(file=error.file, message=str(error))


def _moment(posix: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(posix, UTC)
    except (OverflowError, OSError, ValueError):  # a clock far off when the file was written
        return None


def compare_runs(a: RunEntry, b: RunEntry) -> ComparisonOut:
    """Headlines of ``a`` and ``b`` side by side with b - a, and the parameters that differ.

    Raises :class:`BrokenFile` if either run's ``headlines.json`` or ``scenario.json`` is
    damaged: a comparison without them would be wrong, not partial.
    """
    ha, sa = _sound(a)
    hb, sb = _sound(b)
    out_a, out_b = run_out(a, ha), run_out(b, hb)
    rows = [
        _headline(TOTAL_COST, ha.total_cost_eur_per_year, hb.total_cost_eur_per_year),
        _headline(CASPIAN_CAPACITY, out_a.caspian_capacity_mw, out_b.caspian_capacity_mw),
        _headline(EU_EXPORTS, ha.eu_exports_twh, hb.eu_exports_twh),
        _headline(EMISSIONS, ha.emissions_mt_co2, hb.emissions_mt_co2),
    ]
    groups: tuple[tuple[str, Quantity, dict[str, float | None], dict[str, float | None]], ...] = (
        ("capacity", CASPIAN_CAPACITY, ha.caspian_capacity_mw, hb.caspian_capacity_mw),
        ("mean price", MEAN_PRICE, ha.mean_price_eur_per_mwh, hb.mean_price_eur_per_mwh),
        ("new capacity", RENEWABLE_BUILD, ha.renewable_build_mw, hb.renewable_build_mw),
        (
            "flow forward",
            LINK_FLOWS,
            {k: v.forward_twh for k, v in ha.link_flows_twh.items()},
            {k: v.forward_twh for k, v in hb.link_flows_twh.items()},
        ),
    )
    for label, quantity, va, vb in groups:
        for key in sorted(set(va) | set(vb)):
            # A build or link missing from one run is zero there (headlines omit zero builds).
            rows.append(_row(f"{label}: {key}", quantity.unit, va.get(key, 0.0), vb.get(key, 0.0)))
    pa, pb = _flatten(sa), _flatten(sb)
    parameters = [
        ParameterDifferenceOut(parameter=key, a=pa.get(key), b=pb.get(key))
        for key in sorted(set(pa) | set(pb))
        if key != "description" and pa.get(key) != pb.get(key)
    ]
    return ComparisonOut(a=out_a, b=out_b, headlines=rows, parameters=parameters)


def _sound(entry: RunEntry) -> tuple[HeadlinesOut, dict[str, Any]]:
    """Headlines and scenario of a run; :class:`BrokenFile` naming the run if one is damaged."""
    try:
        return headlines_of(entry), entry.scenario()
    except BrokenFile as error:
        raise error.of(entry.id) from None


def _headline(of: Quantity, a: float | None, b: float | None) -> DifferenceOut:
    """The headline quantity ``of`` in runs a and b, with its label and unit."""
    return _row(of.label, of.unit, a, b)


def _row(quantity: str, unit: str, a: float | None, b: float | None) -> DifferenceOut:
    difference = None if a is None or b is None else b - a
    # No relative change from (near) zero: a solver's 1e-6 MW would give a change of 1e9.
    relative = None
    if difference is not None and a is not None and abs(a) > 1e-6 * max(1.0, abs(b or 0.0)):
        relative = difference / abs(a)
    return DifferenceOut(
        quantity=quantity, unit=unit, a=a, b=b, difference=difference, relative=relative
    )


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat
