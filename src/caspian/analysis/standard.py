"""The standard trade-and-economics tables of a solved network, and their text summary.

``caspian run`` writes these into each results folder (``analysis/``), the report and the
dashboard read them. Money is EUR and energy MWh over the modelled period (a year when the
snapshot weightings sum to 8760 h).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from caspian.analysis.certificates import cbam_exposure, export_matching, rule_label
from caspian.analysis.common import shared_intermediates
from caspian.analysis.market import branch_statistics, congestion_rent, price_statistics
from caspian.analysis.tracing import trace
from caspian.analysis.welfare import area_energy_balance, area_welfare, asset_accounts
from caspian.optimize.results import OptimizationResult


def standard_tables(
    result: OptimizationResult,
    *,
    split: float = 0.5,
    importer: str | None = None,
    grid_factors: Mapping[str, float] | None = None,
    co2_price_eur_per_t: float | None = None,
) -> dict[str, pd.DataFrame]:
    """Market outcomes, welfare by area, and (with ``importer``) the origin of its imports,
    of the network ``result`` was solved on (``result.network``).

    Returns tables by file stem: ``prices`` (per bus), ``branches`` (flows, losses,
    utilisation, congestion and rent per line and link), ``rent_by_area``, ``welfare_by_area``,
    ``energy_balance``, ``producers`` (revenue, costs and surplus by area and technology); with
    ``importer``: ``imports_by_origin`` (MWh arriving at the importer by origin area and
    technology), ``export_matching`` (renewable share of exports under each matching rule) and,
    with ``grid_factors`` and ``co2_price_eur_per_t``, ``cbam`` and ``cbam_by_origin``.
    Branch flows and bus areas are computed once for all the tables
    ([`shared_intermediates`][caspian.analysis.common.shared_intermediates]).
    """
    with shared_intermediates():
        return _standard_tables(result, split, importer, grid_factors, co2_price_eur_per_t)


def _standard_tables(
    result: OptimizationResult,
    split: float,
    importer: str | None,
    grid_factors: Mapping[str, float] | None,
    co2_price_eur_per_t: float | None,
) -> dict[str, pd.DataFrame]:
    rent = congestion_rent(result, split=split)
    branches = branch_statistics(result).join(rent.by_branch[["rent"]])
    accounts = asset_accounts(result)
    producers = (
        accounts.groupby(["area", "carrier"])[
            [
                "energy_mwh",
                "revenue_eur",
                "variable_cost_eur",
                "investment_cost_eur",
                "surplus_eur",
                "emissions_t",
            ]
        ]
        .sum()
        .reset_index()
    )
    tables = {
        "prices": price_statistics(result),
        "branches": branches,
        "rent_by_area": rent.by_area,
        "welfare_by_area": area_welfare(result, split),
        "energy_balance": area_energy_balance(result),
        "producers": producers,
    }
    if importer is not None:
        flow_trace = trace(result)
        tables["imports_by_origin"] = flow_trace.imports_by_origin(importer)
        tables["export_matching"] = export_matching(result, importer, flow_trace=flow_trace)
        if grid_factors is not None and co2_price_eur_per_t is not None:
            cbam = cbam_exposure(
                result, importer, grid_factors, co2_price_eur_per_t, flow_trace=flow_trace
            )
            tables["cbam"] = cbam.total
            tables["cbam_by_origin"] = cbam.by_origin
    return tables


def millions(eur: float) -> str:
    """EUR as million EUR with one decimal, never "-0.0"."""
    return f"{round(eur / 1e6, 1) + 0.0:,.1f}"


def summary_lines(tables: Mapping[str, pd.DataFrame], importer: str | None = None) -> list[str]:
    """A short plain-text summary of ``standard_tables`` (one fact per line)."""
    lines = []
    welfare = tables["welfare_by_area"]
    lines.append("Welfare by area (million EUR/yr; consumers + producers + congestion rent):")
    for area, row in welfare.iterrows():
        lines.append(
            f"  {area:<4} {millions(row['welfare_eur']):>10} = "
            f"{millions(row['consumer_surplus_eur'])} + {millions(row['producer_surplus_eur'])}"
            f" + {millions(row['congestion_rent_eur'])}"
        )
    branches = tables["branches"]
    busiest = branches.sort_values("rent", ascending=False).head(5)
    lines.append("Largest congestion rents (million EUR/yr, utilisation, hours congested):")
    for name, row in busiest.iterrows():
        congested = row["hours_congested_forward"] + row["hours_congested_backward"]
        utilisation = "-" if pd.isna(row["utilisation"]) else f"{row['utilisation']:.0%}"
        lines.append(f"  {name}: {row['rent'] / 1e6:,.1f}, {utilisation}, {congested:,.0f} h")
    if importer is not None and "export_matching" in tables:
        matching = tables["export_matching"].set_index("rule")
        exported = float(matching["exported_mwh"].iloc[0])
        shares = ", ".join(
            f"{rule_label(str(rule))} {share:.0%}"
            for rule, share in matching["renewable_share"].items()
        )
        lines.append(
            f"Exports to {importer}: {exported / 1e6:,.2f} TWh/yr; renewable share: {shares}"
        )
        origin = tables["imports_by_origin"]
        by_area = origin.groupby("origin_area")["mwh"].sum().sort_values(ascending=False)
        total = float(by_area.sum())
        if total > 0:
            parts = ", ".join(
                f"{a} {v / total:.0%}" for a, v in by_area.items() if v / total >= 0.005
            )
            lines.append(f"Traced origin of power arriving in {importer}: {parts}")
    if "cbam" in tables:
        cbam = tables["cbam"].set_index("rule")
        parts = ", ".join(
            f"{rule} {row['cost_eur'] / 1e6:,.1f} M EUR ({row['cost_eur_per_mwh']:,.1f} EUR/MWh)"
            for rule, row in cbam.iterrows()
        )
        lines.append(f"CBAM exposure of exports: {parts}")
    return lines
