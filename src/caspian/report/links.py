"""How hard each line and link works: utilisation by hour of the day and day of the year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from caspian.analysis.common import branch_flows
from caspian.report.run_folder import RunFolder, candidate_branches, hourly
from caspian.report.style import base_layout
from caspian.runs.headlines import is_built

HOURS_PER_DAY = 24


def utilisation_figure(run: RunFolder) -> go.Figure | None:
    r"""Heat map per branch of its flow as a share of capacity, :math:`p_0 / p^\mathrm{nom}`,
    hour of the day (rows) by day (columns): positive from bus0 to bus1, negative back. A menu
    picks the branch; candidates come first. None when the snapshots carry no dates or no
    branch has capacity."""
    n = run.network
    if not isinstance(n.snapshots, pd.DatetimeIndex):
        return None
    flows = branch_flows(run.result)
    capacity = flows.capacity.astype(float)
    built = capacity[is_built(capacity)]
    if not len(built):
        return None
    candidates = candidate_branches(n)
    order = [name for name in built.index if name in candidates]
    order += [name for name in built.index if name not in candidates]
    share = hourly(flows.p0[order].div(built[order], axis=1), n)
    stamps = pd.DatetimeIndex(share.index)
    day_codes, day_values = pd.factorize(stamps.normalize(), sort=True)
    days = pd.DatetimeIndex(day_values)
    hours = np.asarray(stamps.hour)
    fig = go.Figure(layout=base_layout(""))
    titles = []
    x = days.strftime("%Y-%m-%d")
    for number, name in enumerate(order):
        z = np.full((HOURS_PER_DAY, len(days)), np.nan)
        z[hours, day_codes] = 100.0 * share[name].to_numpy(float)
        fig.add_trace(
            go.Heatmap(
                z=_compact(z),
                x=x,
                y=np.arange(HOURS_PER_DAY),
                zmin=-100,
                zmax=100,
                zmid=0,
                colorscale="RdBu",
                colorbar={
                    "title": {"text": "flow / capacity<br>+ forward<br>− backward"},
                    "ticksuffix": "%",
                },
                name=str(name),
                visible=number == 0,
                hovertemplate="%{x|%d %b}, %{y}:00: %{z}% of capacity<extra></extra>",
            )
        )
        bus0, bus1 = flows.bus0[name], flows.bus1[name]
        kind = "candidate, " if name in candidates else ""
        titles.append(f"Utilisation of {name} ({kind}{built[name]:,.0f} MW; + is {bus0} → {bus1})")
    buttons = [
        {
            "label": str(name),
            "method": "update",
            "args": [{"visible": [k == i for k in range(len(order))]}, {"title.text": titles[i]}],
        }
        for i, name in enumerate(order)
    ]
    fig.update_layout(
        title_text=titles[0],
        xaxis_title="day",
        yaxis={"title": "hour of the day", "dtick": 6, "range": [-0.5, HOURS_PER_DAY - 0.5]},
        height=440,
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 1.0,
                "xanchor": "right",
                "y": 1.18,
                "yanchor": "top",
            }
        ]
        if len(order) > 1
        else [],
    )
    return fig


def _compact(percent: np.ndarray) -> np.ndarray:
    """Whole percent as int8 (a byte a cell in the page) when every cell has a value; float32
    where some are empty (typical days cover only some days)."""
    if np.all(np.isfinite(percent)):
        return np.clip(np.round(percent), -127, 127).astype(np.int8)
    return np.round(percent).astype(np.float32)
