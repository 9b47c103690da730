"""Energy per area: the annual balance by technology, and the dispatch of two telling weeks.

Areas are those with demand (the modelled systems); the priced markets at the edge (EU, TR, RU,
IR in the corridor) only trade, which the map shows. Energy is TWh over the modelled year,
power MW.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from caspian.analysis.common import bus_areas, generator_carriers
from caspian.analysis.welfare import area_energy_balance
from caspian.report.run_folder import RunFolder, hourly, is_chronological
from caspian.report.style import (
    CURTAILMENT_COLOUR,
    DEMAND_COLOUR,
    EXPORTS_COLOUR,
    IMPORTS_COLOUR,
    base_layout,
    label,
    technology_colours,
    technology_order,
)

WINTER_MONTHS = (12, 1, 2)
SUMMER_MONTHS = (6, 7, 8)
WIND_CARRIERS = frozenset({"onwind", "offwind", "wind"})
SOLAR_CARRIERS = frozenset({"solar"})
WEEK_DAYS = 7
Season = Literal["winter", "summer"]
NET_IMPORTS = "net imports"
DEMAND = "demand"


def demand_areas(run: RunFolder) -> list[str]:
    """Areas with a load, in the order of their buses; every area if none has one."""
    n = run.network
    areas = bus_areas(n)
    loads = n.static["Load"]
    with_load = set(areas.reindex(loads["bus"].astype(str)).dropna()) if len(loads) else set()
    ordered = list(dict.fromkeys(str(a) for a in areas))
    return [a for a in ordered if a in with_load] or ordered


def energy_balance_figure(run: RunFolder) -> go.Figure:
    """Stacked bars per area (TWh/yr): generation and storage output by technology and imports
    above zero, exports below, curtailed renewable energy on top (not produced), and demand as a
    black bar across."""
    table = run.analysis.get("energy_balance")
    if table is None or not {"area", "item", "carrier", "energy_mwh"} <= set(table):
        table = area_energy_balance(run.result)
    table = table.assign(
        area=table["area"].astype(str),
        carrier=table["carrier"].fillna("").astype(str),
        twh=table["energy_mwh"].astype(float) / 1e6,
    )
    areas = [a for a in demand_areas(run) if a in set(table["area"])]
    table = table[table["area"].isin(areas)]

    def per_area(mask: pd.Series) -> np.ndarray:
        return table[mask].groupby("area")["twh"].sum().reindex(areas).fillna(0.0).to_numpy()

    supply = table[table["item"].isin(["generation", "storage"])]
    carriers = technology_order(list(supply["carrier"].unique()))
    colours = technology_colours(carriers)
    fig = go.Figure(layout=base_layout("Annual energy balance by area", barmode="relative"))
    for carrier in carriers:
        values = per_area(
            table["item"].isin(["generation", "storage"]) & (table["carrier"] == carrier)
        )
        if np.all(np.abs(values) < 1e-6):
            continue
        fig.add_trace(_bar(areas, values, label(carrier), colours[carrier]))
    fig.add_trace(_bar(areas, per_area(table["item"] == "imports"), "imports", IMPORTS_COLOUR))
    fig.add_trace(_bar(areas, -per_area(table["item"] == "exports"), "exports", EXPORTS_COLOUR))
    curtailed = per_area(table["item"] == "curtailment")
    if np.any(curtailed > 1e-6):
        bar = _bar(areas, curtailed, "curtailed (not produced)", CURTAILMENT_COLOUR)
        bar.marker.pattern = {"shape": "/", "fgcolor": "white"}
        fig.add_trace(bar)
    fig.add_trace(
        go.Scatter(
            x=areas,
            y=per_area(table["item"] == "demand"),
            mode="markers",
            name="demand",
            marker={"symbol": "line-ew", "size": 34, "line": {"width": 3, "color": DEMAND_COLOUR}},
            hovertemplate="demand %{y:,.1f} TWh<extra>%{x}</extra>",
        )
    )
    fig.update_layout(yaxis_title="TWh/yr", height=480, bargap=0.35)
    return fig


def _bar(areas: list[str], values: np.ndarray, name: str, colour: str) -> go.Bar:
    return go.Bar(
        x=areas,
        y=values,
        name=name,
        marker={"color": colour, "line": {"width": 0}},
        hovertemplate=f"{name} %{{y:,.2f}} TWh<extra>%{{x}}</extra>",
    )


def area_dispatch(run: RunFolder) -> pd.DataFrame:
    """Snapshots x (area, series) MW: output by technology (generators and storage, discharge
    positive, charging negative), net imports across the area's border, and demand."""
    n, result = run.network, run.result
    areas = bus_areas(n)
    parts: dict[tuple[str, str], pd.Series] = {}

    def add(frame: pd.DataFrame, area: pd.Series, kind: pd.Series) -> None:
        if not frame.shape[1]:
            return
        keys = pd.MultiIndex.from_arrays([area.to_numpy(str), kind.to_numpy(str)])
        grouped = frame.T.set_axis(keys).groupby(level=[0, 1]).sum().T
        for key, column in grouped.items():
            where = (str(key[0]), str(key[1]))  # type: ignore[index]
            parts[where] = parts[where] + column if where in parts else column

    gens = n.static["Generator"]
    add(
        result.series("Generator", "p")[gens.index],
        areas.reindex(gens["bus"].astype(str)),
        generator_carriers(n),
    )
    storage = n.static["StorageUnit"]
    if len(storage):
        add(
            result.series("StorageUnit", "p")[storage.index],
            areas.reindex(storage["bus"].astype(str)),
            storage["carrier"].fillna("storage").astype(str),
        )
    loads = n.static["Load"]
    if len(loads):
        add(
            result.series("Load", "p")[loads.index],
            areas.reindex(loads["bus"].astype(str)),
            pd.Series(DEMAND, index=loads.index),
        )
    for component in ("Line", "Link"):
        static = n.static[component]
        if not len(static):
            continue
        a0 = areas.reindex(static["bus0"].astype(str)).to_numpy(str)
        a1 = areas.reindex(static["bus1"].astype(str)).to_numpy(str)
        cross = a0 != a1
        if not np.any(cross):
            continue
        names = static.index[cross]
        # -p0 and -p1 are the power each end receives (PyPSA withdraws p0 at bus0).
        received = pd.concat(
            [-result.series(component, "p0")[names], -result.series(component, "p1")[names]],
            axis=1,
        )
        where = pd.Series(np.concatenate([a0[cross], a1[cross]]))
        add(received, where, pd.Series(NET_IMPORTS, index=where.index))
    frame = pd.DataFrame(parts, index=n.snapshots)
    frame.columns = pd.MultiIndex.from_tuples(list(parts), names=["area", "series"])
    return frame


@dataclass(frozen=True)
class Week:
    """Rows of the hourly timeline shown, and how they were chosen."""

    start: int
    stop: int
    caption: str
    on_dates: bool
    """True when the rows are consecutive hours (drawn on a date axis), False for typical
    periods end to end (drawn one after the other)."""


def pick_week(output_mw: pd.Series, months: tuple[int, ...]) -> pd.Timestamp | None:
    """First day of the 7 consecutive days, all in ``months``, with the most energy in
    ``output_mw`` (an hourly series); None when the timeline holds no such week."""
    if not isinstance(output_mw.index, pd.DatetimeIndex) or not len(output_mw):
        return None
    daily = output_mw.groupby(output_mw.index.normalize()).sum()
    days = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
    daily = daily.reindex(days)
    daily[~days.month.isin(months)] = np.nan
    totals = daily.rolling(WEEK_DAYS, min_periods=WEEK_DAYS).sum().to_numpy(float)
    if not np.any(np.isfinite(totals)):
        return None
    return days[int(np.nanargmax(totals))] - pd.Timedelta(days=WEEK_DAYS - 1)


def choose_week(run: RunFolder, timeline: pd.DataFrame, season: Season) -> Week:
    """The windiest winter week (December to February, most wind output of the whole system)
    or the sunniest summer week (June to August, most solar output).

    Without such a week (a horizon shorter than the season, or typical days, which do not
    tile the year) the first 168 rows of the timeline are shown instead, and the caption says
    so.
    """
    months, carriers, what = (
        (WINTER_MONTHS, WIND_CARRIERS, "windiest winter week")
        if season == "winter"
        else (SUMMER_MONTHS, SOLAR_CARRIERS, "sunniest summer week")
    )
    series = timeline.columns.get_level_values("series")
    output = timeline.loc[:, series.isin(sorted(carriers))].sum(axis=1)
    chronological = is_chronological(run.network)
    start = pick_week(output, months) if chronological else None
    if start is None:
        stop = min(len(timeline), WEEK_DAYS * 24)
        why = (
            f"no full week from {calendar.month_name[months[0]]} to "
            f"{calendar.month_name[months[-1]]}"
            if chronological
            else "the snapshots are typical periods, shown end to end"
        )
        return Week(0, stop, f"the first {stop} snapshots ({why})", chronological)
    index = timeline.index
    first = int(index.searchsorted(start))
    last = int(index.searchsorted(start + pd.Timedelta(days=WEEK_DAYS)))
    end = start + pd.Timedelta(days=WEEK_DAYS - 1)
    return Week(first, last, f"the {what}, {start:%d %b} to {end:%d %b %Y}", True)


def dispatch_figure(
    run: RunFolder, season: Season, timeline: pd.DataFrame | None = None
) -> go.Figure:
    """Hourly output by technology of each area in one week, stacked (charging and exports
    below zero), with net imports and demand; a menu picks the area.

    ``timeline`` is :func:`area_dispatch` spread over hours (:func:`hourly`); pass it to share
    the work between the winter and summer figures.
    """
    if timeline is None:
        timeline = hourly(area_dispatch(run), run.network)
    week = choose_week(run, timeline, season)
    window = timeline.iloc[week.start : week.stop]
    times = _labels(window.index)
    areas = [a for a in demand_areas(run) if a in set(timeline.columns.get_level_values("area"))]
    series = list(dict.fromkeys(str(s) for s in timeline.columns.get_level_values("series")))
    technologies = technology_order([s for s in series if s not in (NET_IMPORTS, DEMAND)])
    colours = technology_colours(technologies)
    fig = go.Figure(layout=base_layout("", barmode="relative", bargap=0))
    owners: list[str] = []
    for number, area in enumerate(areas):
        visible = number == 0
        frame = (
            window[area] if area in window.columns.get_level_values("area") else window.iloc[:, :0]
        )
        for name in [*technologies, NET_IMPORTS]:
            if name not in frame or np.all(np.abs(frame[name].to_numpy(float)) < 1e-3):
                continue
            colour = IMPORTS_COLOUR if name == NET_IMPORTS else colours[name]
            shown = NET_IMPORTS if name == NET_IMPORTS else label(name)
            fig.add_trace(
                go.Bar(
                    x=times,
                    y=frame[name].to_numpy(float),
                    name=shown,
                    marker={"color": colour, "line": {"width": 0}},
                    visible=visible,
                    hovertemplate=f"{shown} %{{y:,.0f}} MW<extra></extra>",
                )
            )
            owners.append(area)
        if DEMAND in frame:
            fig.add_trace(
                go.Scatter(
                    x=times,
                    y=frame[DEMAND].to_numpy(float),
                    name="demand",
                    mode="lines",
                    line={"color": DEMAND_COLOUR, "width": 2, "shape": "hv"},
                    visible=visible,
                    hovertemplate="demand %{y:,.0f} MW<extra></extra>",
                )
            )
            owners.append(area)
    title = f"Dispatch in {week.caption}"
    buttons = [
        {
            "label": area,
            "method": "update",
            "args": [
                {"visible": [owner == area for owner in owners]},
                {"title.text": f"{title}: {area}"},
            ],
        }
        for area in areas
    ]
    fig.update_layout(
        title_text=f"{title}: {areas[0]}" if areas else title,
        yaxis_title="MW",
        xaxis={"type": "date" if week.on_dates else "category"},
        height=480,
        hovermode="x unified",
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 1.0,
                "xanchor": "right",
                "y": 1.15,
                "yanchor": "top",
                "showactive": True,
            }
        ]
        if len(areas) > 1
        else [],
    )
    return fig


def _labels(index: pd.Index) -> pd.Index | np.ndarray:
    """Times as short strings plotly reads as dates (half the size of its own ISO stamps)."""
    if isinstance(index, pd.DatetimeIndex):
        return np.asarray(index.strftime("%Y-%m-%d %H:%M"))
    return index
