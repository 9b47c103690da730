"""Colours, order and common layout of the report's figures."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

TECHNOLOGY_COLOURS: dict[str, str] = {
    "coal": "#4d4038",
    "lignite": "#6e5a4b",
    "oil": "#7a2f2f",
    "nuclear": "#b5479b",
    "gas_steam": "#b8682e",
    "gas_ccgt": "#e08b3a",
    "gas_ocgt": "#f2b872",
    "gas": "#e08b3a",
    "waste": "#8f8a55",
    "biomass": "#6b8e23",
    "hydro": "#1f5fa8",
    "ror": "#4b8fd6",
    "onwind": "#2e9e63",
    "wind": "#2e9e63",
    "offwind": "#17705a",
    "solar": "#f2c31b",
    "battery": "#8e5bb5",
    "market": "#9aa3ab",
    "load_shedding": "#d62728",
}
"""Colour of each carrier; others get :data:`FALLBACK_COLOURS` in turn."""

FALLBACK_COLOURS = ("#17becf", "#bcbd22", "#7f7f7f", "#e377c2", "#8c564b", "#9467bd")

NODE_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#1d3557",
    "#b8860b",
    "#00a08b",
    "#750d86",
    "#fb0d0d",
    "#511cfb",
)
"""Line colours of nodes, distinct for up to 16 (then repeating): the price lines of the
corridor's 11 nodes never share one."""

IMPORTS_COLOUR = "#5f6b73"
EXPORTS_COLOUR = "#aab4bb"
CURTAILMENT_COLOUR = "#e4572e"
DEMAND_COLOUR = "#111111"

EXISTING_LINK_COLOUR = "#4a4a4a"
CANDIDATE_LINK_COLOUR = "#d9480f"
LAND_COLOUR = "#f3f0e8"
BORDER_COLOUR = "#b4ab9c"
WATER_COLOUR = "#dfeaf3"

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
"""Fonts already on the reader's machine: the report fetches none."""


def technology_order(carriers: list[str]) -> list[str]:
    """Carriers in a fixed order, baseload at the bottom of a stack, variable renewables on top;
    carriers without a colour follow, alphabetically."""
    known = [c for c in TECHNOLOGY_COLOURS if c in carriers]
    return known + sorted(c for c in set(carriers) if c not in TECHNOLOGY_COLOURS)


def technology_colours(carriers: list[str]) -> dict[str, str]:
    """A colour for every carrier: its own, or the next fallback colour."""
    colours: dict[str, str] = {}
    spare = 0
    for carrier in technology_order(carriers):
        if carrier in TECHNOLOGY_COLOURS:
            colours[carrier] = TECHNOLOGY_COLOURS[carrier]
        else:
            colours[carrier] = FALLBACK_COLOURS[spare % len(FALLBACK_COLOURS)]
            spare += 1
    return colours


def node_colours(nodes: list[str]) -> dict[str, str]:
    """A line colour per node, in the given order."""
    return {node: NODE_COLOURS[i % len(NODE_COLOURS)] for i, node in enumerate(nodes)}


def label(carrier: str) -> str:
    """A carrier as a reader expects it: ``gas_ccgt`` -> ``gas CCGT``, ``onwind`` -> ``onshore
    wind``."""
    names = {
        "gas_ccgt": "gas CCGT",
        "gas_ocgt": "gas OCGT",
        "gas_steam": "gas steam",
        "onwind": "onshore wind",
        "offwind": "offshore wind",
        "ror": "run of river",
        "market": "market",
    }
    return names.get(carrier, carrier.replace("_", " "))


def base_layout(title: str, **extra: Any) -> go.Layout:
    """The layout every figure starts from: white background, system fonts, title top left
    (menus go top right), legend on the right."""
    return go.Layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font={"family": FONT, "size": 13},
        margin={"l": 70, "r": 20, "t": 70, "b": 50},
        **extra,
    )
