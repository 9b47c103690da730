"""Economics: the cost-benefit of the Caspian link with its tornado, and where exports come from.

The cost-benefit numbers are those ``caspian cba RUN_DIR`` wrote to ``RUN_DIR/cba``; the report
never re-solves. The origin of the power arriving in the EU is the flow tracing ``caspian run``
wrote to ``analysis/imports_by_origin.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from caspian.report.run_folder import RunFolder
from caspian.report.style import base_layout, label, technology_colours
from caspian.runs.layout import EU_AREA
from caspian.runs.read import CbaFolder

MIN_SHARE = 0.001
"""Origins carrying less than this share of the imports are left out of the Sankey."""
AREA_COLOUR = "#6c7a89"


def tornado_figure(cba: CbaFolder) -> go.Figure | None:
    """NPV of the link (bn EUR) when each uncertain input is set low or high, as bars from the
    base NPV, widest swing on top. None without ``tornado.csv``."""
    table = cba.tornado
    if table is None or not len(table):
        return None
    table = table.sort_values("swing", ascending=True, kind="stable")
    if {"delta_low", "npv_low"} <= set(table):
        base = float((table["npv_low"] - table["delta_low"]).iloc[0])
    else:
        base = float(cba.summary.get("npv_eur") or 0.0)
    parameters = [str(p) for p in table["parameter"]]
    fig = go.Figure(layout=base_layout(f"NPV sensitivity (base {base / 1e9:,.2f} bn EUR)"))
    for side, colour in (("low", "#3a7dc9"), ("high", "#e07b39")):
        npv = table[f"npv_{side}"].to_numpy(float)
        fig.add_trace(
            go.Bar(
                y=parameters,
                x=(npv - base) / 1e9,
                base=base / 1e9,
                orientation="h",
                name=f"{side} value",
                marker={"color": colour},
                customdata=np.column_stack([table[side].astype(str), npv / 1e9]),
                hovertemplate="%{y} = %{customdata[0]}: NPV %{customdata[1]:,.2f} bn EUR"
                "<extra></extra>",
            )
        )
    fig.add_vline(x=base / 1e9, line={"color": "#222", "width": 1.5})
    fig.update_layout(
        barmode="overlay",
        xaxis_title="NPV (bn EUR)",
        height=max(260, 80 + 45 * len(parameters)),
        margin={"l": 160},
    )
    return fig


def cba_facts(cba: CbaFolder) -> list[tuple[str, str]]:
    """The headline numbers of the cost-benefit analysis as (what, value) rows."""
    s = cba.summary
    rows: list[tuple[str, str]] = []

    def add(key: str, what: str, show: Callable[[Any], str], missing: str | None = None) -> None:
        """A row for ``key`` if the summary has it; ``missing`` where it is null (NaN)."""
        value = s.get(key)
        if value is not None and value == value:
            rows.append((what, show(value)))
        elif key in s and missing is not None:
            rows.append((what, missing))

    links = s.get("links")
    if links:
        capacity: Mapping[str, float] = s.get("capacity_mw") or {}
        rows.append(
            (
                "link",
                ", ".join(f"{name} ({float(capacity.get(name, 0.0)):,.0f} MW)" for name in links),
            )
        )
    add("with", "with case", str)
    add("without", "without case", str)
    add("hold", "other investments", str)
    add("capex_eur", "capex", lambda v: f"{float(v) / 1e9:,.2f} bn EUR")
    add("discount_rate", "discount rate", lambda v: f"{float(v):.1%}")
    add("lifetime_years", "lifetime", lambda v: f"{float(v):,.0f} years")
    for key in ("welfare_change_eur_per_year", "welfare_change_eur"):
        add(key, "welfare change", lambda v: f"{float(v) / 1e6:,.1f} million EUR/yr")
    add("npv_eur", "NPV", lambda v: f"{float(v) / 1e9:,.2f} bn EUR")
    add("bcr", "benefit-cost ratio", lambda v: f"{float(v):.2f}")
    add("irr", "IRR", lambda v: f"{float(v):.1%}", "none (the benefits never repay the capex)")
    add("payback_year", "payback", lambda v: f"year {int(v)}", "never")
    add("discounted_payback_year", "discounted payback", lambda v: f"year {int(v)}", "never")
    add("lcot_eur_per_mwh", "levelised cost of transmission", lambda v: f"{float(v):,.1f} EUR/MWh")
    add(
        "energy_carried_mwh_per_year",
        "energy carried",
        lambda v: f"{float(v) / 1e6:,.2f} TWh/yr",
    )
    return rows


INDICATOR_UNITS: dict[str, tuple[float, str]] = {
    "EUR": (1e6, "million EUR/yr"),
    "t": (1e3, "kt/yr"),
    "MWh": (1e3, "GWh/yr"),
}
"""How each unit of ``indicators.csv`` is shown: divided by the factor, in the label's unit."""


def indicator_facts(cba: CbaFolder) -> list[tuple[str, str]]:
    """The indicators of the analysis (with minus without, per year) as (what, value) rows:
    money in million EUR, CO2 in kt, energy in GWh."""
    table = cba.indicators
    if table is None or not {"indicator", "value", "unit"} <= set(table):
        return []
    rows = []
    for record in table.to_dict("records"):
        factor, unit = INDICATOR_UNITS.get(str(record["unit"]), (1.0, str(record["unit"])))
        what = str(record["indicator"]).replace("_", " ")
        rows.append((what, f"{float(record['value']) / factor:,.1f} {unit}"))
    return rows


def welfare_table(cba: CbaFolder) -> pd.DataFrame | None:
    """Welfare change by area, with minus without (million EUR/yr): consumers, producers,
    congestion rent and their total; None without ``welfare_by_area.csv``."""
    welfare = cba.welfare_by_area
    parts = {
        "consumers": "change_consumer_surplus_eur",
        "producers": "change_producer_surplus_eur",
        "congestion rent": "change_congestion_rent_eur",
        "total": "change_welfare_eur",
    }
    if welfare is None or not set(parts.values()) <= set(welfare):
        return None
    table = pd.DataFrame({k: welfare[v].astype(float) / 1e6 for k, v in parts.items()})
    table.loc["all"] = table.sum()
    return table


def origin_figure(run: RunFolder) -> go.Figure | None:
    """Sankey of the power arriving in the EU (TWh/yr): from each origin area through its
    technology to the EU, by flow tracing (average participation). None without the table."""
    origin = run.analysis.get("imports_by_origin")
    if origin is None or not {"origin_area", "origin_carrier", "mwh"} <= set(origin):
        return None
    origin = origin.assign(twh=origin["mwh"].astype(float) / 1e6)
    total = float(origin["twh"].sum())
    if total <= 0:
        return None
    origin = origin[origin["twh"] >= MIN_SHARE * total]
    areas = sorted(str(a) for a in origin["origin_area"].unique())
    carriers = sorted(str(c) for c in origin["origin_carrier"].unique())
    colours = technology_colours(carriers)
    nodes = [*areas, *(label(c) for c in carriers), EU_AREA]
    node_colours = [AREA_COLOUR] * len(areas) + [colours[c] for c in carriers] + ["#1d3557"]
    area_at = {a: i for i, a in enumerate(areas)}
    carrier_at = {c: len(areas) + i for i, c in enumerate(carriers)}
    by_pair = origin.groupby(["origin_area", "origin_carrier"])["twh"].sum()
    by_carrier = origin.groupby("origin_carrier")["twh"].sum()
    sources = [area_at[str(a)] for a, _ in by_pair.index] + [
        carrier_at[str(c)] for c in by_carrier.index
    ]
    targets = [carrier_at[str(c)] for _, c in by_pair.index] + [len(nodes) - 1] * len(by_carrier)
    values = [*by_pair.to_numpy(float), *by_carrier.to_numpy(float)]
    link_colours = [_transparent(colours[str(c)]) for _, c in by_pair.index] + [
        _transparent(colours[str(c)]) for c in by_carrier.index
    ]
    fig = go.Figure(
        go.Sankey(
            node={
                "label": nodes,
                "color": node_colours,
                "pad": 14,
                "thickness": 16,
                "hovertemplate": "%{label}: %{value:,.2f} TWh/yr<extra></extra>",
            },
            link={
                "source": sources,
                "target": targets,
                "value": values,
                "color": link_colours,
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,.2f} TWh/yr"
                "<extra></extra>",
            },
            valueformat=",.2f",
            valuesuffix=" TWh",
        ),
        layout=base_layout(
            f"Where the power arriving in {EU_AREA} comes from ({total:,.2f} TWh/yr, traced)"
        ),
    )
    fig.update_layout(height=480)
    return fig


def _transparent(colour: str, alpha: float = 0.45) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
