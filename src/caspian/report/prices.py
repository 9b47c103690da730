"""Prices: the daily mean price of every node through the year, and price duration curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from caspian.analysis.market import price_duration_curves
from caspian.report.run_folder import RunFolder, hourly
from caspian.report.style import base_layout, node_colours

CURVE_POINTS = 600
"""Points kept of each price duration curve: enough to draw it, few enough to keep the report
small for an hourly year (8,760 points a node)."""


def daily_prices_figure(run: RunFolder) -> go.Figure:
    """Mean price of each node per day (EUR/MWh; each hour weighs the same). Typical days are
    laid over the real year: each day shows the prices of the typical day that stands for it."""
    prices = hourly(run.result.prices, run.network, run.result.periods)
    if isinstance(prices.index, pd.DatetimeIndex):
        prices = prices.groupby(prices.index.normalize()).mean()
        x: pd.Index | np.ndarray = np.asarray(pd.DatetimeIndex(prices.index).strftime("%Y-%m-%d"))
        title = "Daily mean price by node"
    else:
        x, title = prices.index, "Price by node and snapshot"
    fig = go.Figure(layout=base_layout(title))
    colours = node_colours([str(bus) for bus in run.result.prices.columns])
    for bus in prices.columns:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=prices[bus].to_numpy(float),
                mode="lines",
                name=str(bus),
                line={"width": 1.5, "color": colours[str(bus)]},
                hovertemplate=f"{bus} %{{y:,.1f}} EUR/MWh<extra></extra>",
            )
        )
    fig.update_layout(yaxis_title="EUR/MWh", height=460, hovermode="x unified")
    return fig


def price_duration_figure(run: RunFolder) -> go.Figure:
    """Each node's prices sorted from highest to lowest against the hours of the year they are
    reached (a price duration curve; EUR/MWh against h)."""
    curves = price_duration_curves(run.result)
    fig = go.Figure(layout=base_layout("Price duration curves"))
    colours = node_colours([str(bus) for bus in run.result.prices.columns])
    for bus, curve in curves.groupby("bus", sort=False):
        hours, price = _thin(curve["hours"].to_numpy(float), curve["price"].to_numpy(float))
        # The k-th price holds from the (k-1)-th cumulative hour to the k-th: start at hour 0
        # and step vertically first.
        hours, price = np.concatenate([[0.0], hours]), np.concatenate([price[:1], price])
        fig.add_trace(
            go.Scatter(
                x=hours,
                y=price,
                mode="lines",
                name=str(bus),
                line={"width": 1.8, "shape": "vh", "color": colours.get(str(bus), "#444")},
                hovertemplate=f"{bus}: at least %{{y:,.1f}} EUR/MWh for %{{x:,.0f}} h"
                "<extra></extra>",
            )
        )
    fig.update_layout(xaxis_title="hours of the year (h)", yaxis_title="EUR/MWh", height=460)
    return fig


def _thin(hours: np.ndarray, price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At most :data:`CURVE_POINTS` points of a sorted curve, both ends and every step kept
    where the curve has fewer steps than that."""
    if len(hours) <= CURVE_POINTS:
        return hours, price
    step = np.flatnonzero(np.diff(price) != 0.0)
    keep = np.unique(np.concatenate([[0, len(hours) - 1], step, step + 1]))
    if len(keep) > CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(hours) - 1, CURVE_POINTS).round().astype(int))
    return hours[keep], price[keep]
