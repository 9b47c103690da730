"""What the API and pages say about runs: their headlines, files, and two runs compared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from caspian.web.schemas import (
    ComparisonOut,
    DifferenceOut,
    FileOut,
    HeadlinesOut,
    ParameterDifferenceOut,
    RunDetailOut,
    RunOut,
)
from caspian.web.store import RunEntry, run_files


def run_url(entry: RunEntry) -> str:
    return f"/runs/{entry.id}"


def file_url(entry: RunEntry, path: str) -> str:
    return f"/api/runs/{entry.id}/files/{quote(path)}"


def run_out(entry: RunEntry) -> RunOut:
    """The list entry of a run."""
    h = entry.headlines()
    caspian = h.get("caspian_capacity_mw") or {}
    return RunOut(
        id=entry.id,
        scenario=str(h.get("scenario", entry.path.name)),
        source="catalogue" if entry.source == "catalogue" else "results",
        sweep=entry.sweep,
        case_id=entry.case_id,
        modified_at=datetime.fromtimestamp(entry.modified, UTC),
        total_cost_eur_per_year=h.get("total_cost_eur_per_year"),
        caspian_capacity_mw=sum(v for v in caspian.values() if v is not None),
        eu_exports_twh=h.get("eu_exports_twh"),
        emissions_mt_co2=h.get("emissions_mt_co2"),
        npv_eur=entry.catalogue_headlines.get("npv_eur"),
        bcr=entry.catalogue_headlines.get("bcr"),
        url=run_url(entry),
        report_url=f"{run_url(entry)}/report.html",
    )


def run_detail(entry: RunEntry) -> RunDetailOut:
    """Everything about one run but its time series (those are files to download)."""
    files = [
        FileOut(
            path=path,
            size_bytes=size,
            url=file_url(entry, path),
            parquet_url=f"{file_url(entry, path)}?format=parquet" if path[-4:] == ".csv" else None,
        )
        for path, size in run_files(entry)
    ]
    return RunDetailOut(
        run=run_out(entry),
        headlines=HeadlinesOut.model_validate(entry.headlines()),
        scenario=entry.scenario(),
        files=files,
        archive_url=f"/api/runs/{entry.id}/archive.zip",
    )


def compare_runs(a: RunEntry, b: RunEntry) -> ComparisonOut:
    """Headlines of ``a`` and ``b`` side by side with b - a, and the parameters that differ."""
    ha, hb = HeadlinesOut.model_validate(a.headlines()), HeadlinesOut.model_validate(b.headlines())
    out_a, out_b = run_out(a), run_out(b)
    rows = [
        _row("total system cost", "EUR/yr", ha.total_cost_eur_per_year, hb.total_cost_eur_per_year),
        _row("Caspian link capacity", "MW", out_a.caspian_capacity_mw, out_b.caspian_capacity_mw),
        _row("exports to the EU", "TWh/yr", ha.eu_exports_twh, hb.eu_exports_twh),
        _row("emissions", "Mt CO2/yr", ha.emissions_mt_co2, hb.emissions_mt_co2),
    ]
    groups = (
        ("capacity", "MW", ha.caspian_capacity_mw, hb.caspian_capacity_mw),
        ("mean price", "EUR/MWh", ha.mean_price_eur_per_mwh, hb.mean_price_eur_per_mwh),
        ("new capacity", "MW", ha.renewable_build_mw, hb.renewable_build_mw),
        (
            "flow forward",
            "TWh/yr",
            {k: v.forward_twh for k, v in ha.link_flows_twh.items()},
            {k: v.forward_twh for k, v in hb.link_flows_twh.items()},
        ),
    )
    for label, unit, va, vb in groups:
        for key in sorted(set(va) | set(vb)):
            # A build or link missing from one run is zero there (headlines omit zero builds).
            rows.append(_row(f"{label}: {key}", unit, va.get(key, 0.0), vb.get(key, 0.0)))
    pa, pb = _flatten(a.scenario()), _flatten(b.scenario())
    parameters = [
        ParameterDifferenceOut(parameter=key, a=pa.get(key), b=pb.get(key))
        for key in sorted(set(pa) | set(pb))
        if key != "description" and pa.get(key) != pb.get(key)
    ]
    return ComparisonOut(a=out_a, b=out_b, headlines=rows, parameters=parameters)


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
