r"""The map: country outlines, nodes, and every link drawn by capacity, annual flow and direction.

Drawn on plain x/y axes (longitude, latitude) from outlines shipped with the package
(``data/countries.geojson``, Natural Earth 1:110m), so it needs nothing from the internet,
unlike plotly's geo traces, which fetch topojson from a CDN. The latitude axis is stretched by
:math:`1/\cos\varphi_0` at the mid-latitude :math:`\varphi_0` of the view (an equirectangular
projection true to scale there), so shapes keep their proportions.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from caspian.analysis.common import bus_areas
from caspian.analysis.market import branch_statistics
from caspian.report.run_folder import RunFolder, candidate_branches
from caspian.report.style import (
    BORDER_COLOUR,
    CANDIDATE_LINK_COLOUR,
    EXISTING_LINK_COLOUR,
    LAND_COLOUR,
    WATER_COLOUR,
    base_layout,
)
from caspian.runs.headlines import is_built

OUTLINES_FILE = "countries.geojson"
MARGIN_DEG = 3.0
"""Space around the outermost nodes (degrees)."""
PARALLEL_OFFSET_DEG = 0.3
"""Sideways gap between links that join the same two nodes (degrees)."""
MIN_WIDTH_PX, MAX_WIDTH_PX = 1.5, 12.0


@dataclass(frozen=True)
class Country:
    """A country's outline: ISO 3166 alpha-2 code (``-99`` where Natural Earth has none), name,
    and outer rings as (longitude, latitude) points in degrees."""

    iso_a2: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


@cache
def country_outlines() -> tuple[Country, ...]:
    """Every country in the outlines shipped with the package (see ``data/SOURCE.md``)."""
    text = resources.files("caspian.report").joinpath("data", OUTLINES_FILE).read_text("utf-8")
    countries = []
    for feature in json.loads(text)["features"]:
        rings = tuple(
            tuple((float(x), float(y)) for x, y in polygon[0])
            for polygon in feature["geometry"]["coordinates"]
        )
        properties = feature["properties"]
        countries.append(Country(str(properties["iso_a2"]), str(properties["name"]), rings))
    return tuple(countries)


def map_figure(run: RunFolder) -> go.Figure:
    """Nodes coloured by mean price, links as lines whose width is the capacity (MW), with an
    arrow in the direction of the net annual flow, and hover text with the forward and backward
    energy (TWh/yr), capacity and utilisation. Candidate links (extendable) are orange, dotted
    when the optimum did not build them."""
    n = run.network
    buses = n.static["Bus"]
    x = buses["x"].astype(float)
    y = buses["y"].astype(float)
    west, east = float(x.min()) - MARGIN_DEG, float(x.max()) + MARGIN_DEG
    south, north = float(y.min()) - MARGIN_DEG, float(y.max()) + MARGIN_DEG
    stretch = 1.0 / math.cos(math.radians((south + north) / 2.0))

    fig = go.Figure(layout=base_layout("Grid and annual flows"))
    fig.add_trace(_land())
    stats = _branch_table(run)
    widest = max(float(stats["capacity"].max()), 1.0) if len(stats) else 1.0
    biggest_net = max(float(stats["net_twh"].abs().max()), 1e-9) if len(stats) else 1.0
    shown: set[str] = set()
    for name, row in stats.iterrows():
        (x0, y0), (x1, y1) = _ends(row, x, y)
        kind = _kind(row)
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={
                    "color": CANDIDATE_LINK_COLOUR if row["candidate"] else EXISTING_LINK_COLOUR,
                    "width": _width(float(row["capacity"]), widest),
                    "dash": "dot" if kind == "candidate, not built" else "solid",
                },
                opacity=0.8,
                name=kind,
                legendgroup=kind,
                showlegend=kind not in shown,
                hoverinfo="skip",
            )
        )
        shown.add(kind)
        fig.add_trace(_hover_point(str(name), row, (x0 + x1) / 2, (y0 + y1) / 2))
        arrow = _arrow(row, (x0, y0), (x1, y1), biggest_net)
        if arrow is not None:
            fig.add_annotation(arrow)
    fig.add_trace(_nodes(run, x, y))
    fig.update_layout(
        xaxis={"range": [west, east], "visible": False, "constrain": "domain"},
        yaxis={
            "range": [south, north],
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": stretch,
            "constrain": "domain",
        },
        plot_bgcolor=WATER_COLOUR,
        height=620,
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0.0},
        margin={"l": 10, "r": 10, "t": 50, "b": 60},
    )
    return fig


def _land() -> go.Scatter:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for country in country_outlines():
        for ring in country.rings:
            lon += [p[0] for p in ring] + [None]
            lat += [p[1] for p in ring] + [None]
    return go.Scatter(
        x=lon,
        y=lat,
        mode="lines",
        fill="toself",
        fillcolor=LAND_COLOUR,
        line={"color": BORDER_COLOUR, "width": 0.8},
        hoverinfo="skip",
        showlegend=False,
        name="countries",
    )


def _branch_table(run: RunFolder) -> pd.DataFrame:
    """Per line and link: buses, capacity (MW), energy each way (TWh/yr), utilisation,
    whether it is a candidate and its place among parallel branches."""
    n = run.network
    stats = run.analysis.get("branches")
    if stats is None or not {"bus0", "bus1", "capacity", "energy_forward"} <= set(stats):
        stats = branch_statistics(run.result)
    stats = stats.set_index("branch") if "branch" in stats else stats.copy()
    stats.index = stats.index.astype(str)
    candidates = candidate_branches(n)
    # Names carry a "Line:"/"Link:" prefix only where a line and a link share one.
    stats["candidate"] = [
        name in candidates or name.partition(":")[2] in candidates for name in stats.index
    ]
    stats["forward_twh"] = stats["energy_forward"].astype(float) / 1e6
    stats["backward_twh"] = stats["energy_backward"].astype(float) / 1e6
    stats["net_twh"] = stats["forward_twh"] - stats["backward_twh"]
    pair = [
        tuple(sorted((str(a), str(b)))) for a, b in zip(stats["bus0"], stats["bus1"], strict=True)
    ]
    stats["pair"] = pair
    stats["parallel_index"] = stats.groupby("pair").cumcount()
    stats["parallel_count"] = stats.groupby("pair")["pair"].transform("size")
    return stats


def _kind(row: pd.Series) -> str:
    if not row["candidate"]:
        return "existing link"
    return "candidate, built" if is_built(float(row["capacity"])) else "candidate, not built"


def _width(capacity_mw: float, widest_mw: float) -> float:
    share = max(capacity_mw, 0.0) / widest_mw
    return MIN_WIDTH_PX + (MAX_WIDTH_PX - MIN_WIDTH_PX) * share


def _ends(row: pd.Series, x: pd.Series, y: pd.Series) -> tuple[tuple[float, float], ...]:
    """The two ends of a branch, moved sideways when other branches join the same nodes."""
    x0, y0 = float(x[row["bus0"]]), float(y[row["bus0"]])
    x1, y1 = float(x[row["bus1"]]), float(y[row["bus1"]])
    count, index = int(row["parallel_count"]), int(row["parallel_index"])
    if count > 1:
        # Perpendicular of the pair in a fixed orientation, so the offsets do not depend on
        # which end is bus0.
        a, b = sorted([(x0, y0), (x1, y1)])
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1.0
        shift = (index - (count - 1) / 2.0) * PARALLEL_OFFSET_DEG
        ox, oy = -dy / length * shift, dx / length * shift
        x0, y0, x1, y1 = x0 + ox, y0 + oy, x1 + ox, y1 + oy
    return (x0, y0), (x1, y1)


def _hover_point(name: str, row: pd.Series, xm: float, ym: float) -> go.Scatter:
    utilisation = row.get("utilisation")
    used = "n/a" if utilisation is None or pd.isna(utilisation) else f"{float(utilisation):.0%}"
    text = (
        f"<b>{name}</b><br>{row['bus0']} → {row['bus1']} ({_kind(row)})<br>"
        f"capacity {float(row['capacity']):,.0f} MW<br>"
        f"forward {float(row['forward_twh']):,.2f} TWh/yr, "
        f"backward {float(row['backward_twh']):,.2f} TWh/yr<br>"
        f"utilisation {used}"
    )
    return go.Scatter(
        x=[xm],
        y=[ym],
        mode="markers",
        marker={"size": 14, "color": "rgba(0,0,0,0)"},
        hovertext=[text],
        hoverinfo="text",
        showlegend=False,
        name=name,
    )


def _arrow(
    row: pd.Series, start: tuple[float, float], end: tuple[float, float], biggest_net: float
) -> dict[str, object] | None:
    """An arrow along the middle of the branch pointing where the net annual flow goes; its
    width grows with the net flow. None when the net flow is negligible."""
    net = float(row["net_twh"])
    if abs(net) < 0.01 * biggest_net or abs(net) < 1e-6:
        return None
    (x0, y0), (x1, y1) = (start, end) if net > 0 else (end, start)
    tail = (x0 + 0.35 * (x1 - x0), y0 + 0.35 * (y1 - y0))
    head = (x0 + 0.65 * (x1 - x0), y0 + 0.65 * (y1 - y0))
    return {
        "x": head[0],
        "y": head[1],
        "ax": tail[0],
        "ay": tail[1],
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1.0,
        "arrowwidth": 1.5 + 3.0 * abs(net) / biggest_net,
        "arrowcolor": "#1d3557",
        "text": "",
    }


def _nodes(run: RunFolder, x: pd.Series, y: pd.Series) -> go.Scatter:
    n = run.network
    prices = run.result.prices
    weights = n.snapshot_weightings["objective"].astype(float)
    mean_price = prices.mul(weights, axis=0).sum() / float(weights.sum())
    areas = bus_areas(n)
    names = [str(b) for b in x.index]
    text = [
        f"<b>{b}</b> ({areas.get(b, b)})<br>mean price {float(mean_price.get(b, np.nan)):,.1f} "
        "EUR/MWh"
        for b in x.index
    ]
    return go.Scatter(
        x=x.to_numpy(float),
        y=y.to_numpy(float),
        mode="markers+text",
        text=names,
        textposition="top center",
        textfont={"size": 12, "color": "#222"},
        hovertext=text,
        hoverinfo="text",
        marker={
            "size": 16,
            "color": mean_price.reindex(x.index).to_numpy(float),
            "colorscale": "YlOrRd",
            "line": {"color": "#222", "width": 1},
            "colorbar": {"title": {"text": "mean price<br>EUR/MWh"}, "thickness": 12, "len": 0.6},
        },
        name="nodes",
        showlegend=False,
    )
