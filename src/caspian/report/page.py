"""The report as one self-contained HTML page: header, sections, plotly.js embedded once.

Nothing is loaded from anywhere: plotly.js is inlined (``plotly.offline.get_plotlyjs()``), the
figures are JSON drawn by ``Plotly.newPlot``, the styles use the reader's own fonts, and the map
needs no tiles. Every text taken from the results folder is HTML-escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from caspian.report.economics import cba_facts, indicator_facts, welfare_table
from caspian.report.run_folder import RunFolder
from caspian.report.style import FONT
from caspian.runs.headlines import CASPIAN_CAPACITY, EMISSIONS, EU_EXPORTS, TOTAL_COST, is_built

PLOTLY_SCRIPT_ID = "plotly-js"
"""id of the one ``<script>`` holding plotly.js, so tests can tell it from the report's own."""

PLOT_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading, a short explanation, figures and extra HTML."""

    key: str
    title: str
    intro: str
    figures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Plain-text notes shown where a figure or table is missing, and why."""
    html: str = ""
    """Trusted HTML (built here, already escaped) shown before the figures."""


def render_page(run: RunFolder, figures: Mapping[str, go.Figure]) -> str:
    """The whole report for ``run`` with ``figures`` (by name) placed in their sections."""
    sections = _sections(run, figures)
    title = f"caspian-grid report: {_scenario_name(run)}"
    body = [_header(run)]
    body.append(
        "<nav>"
        + " · ".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in sections)
        + "</nav>"
    )
    for section in sections:
        body.append(_section_html(section))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{_CSS}</style>",
            f'<script id="{PLOTLY_SCRIPT_ID}">{get_plotlyjs()}</script>',
            "</head>",
            "<body>",
            "<main>",
            *body,
            "</main>",
            f"<script>{_draw_script(figures)}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _draw_script(figures: Mapping[str, go.Figure]) -> str:
    entries = (f"{json.dumps(name)}:{figure.to_json()}" for name, figure in figures.items())
    data = _script_safe("{" + ",".join(entries) + "}")
    config = _script_safe(json.dumps(PLOT_CONFIG))
    return (
        "(function () {\n"
        f"  var config = {config};\n"
        f"  var figures = {data};\n"
        "  Object.keys(figures).forEach(function (name) {\n"
        "    var fig = figures[name];\n"
        "    var own = Object.assign({}, config, {toImageButtonOptions: Object.assign(\n"
        "      {}, config.toImageButtonOptions, {filename: name})});\n"
        "    Plotly.newPlot('figure-' + name, fig.data, fig.layout, own);\n"
        "  });\n"
        "})();"
    )


def _script_safe(text: str) -> str:
    """JSON made safe inside a ``<script>``: no ``</`` or ``<!--`` that would end or hide it."""
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def _scenario_name(run: RunFolder) -> str:
    if run.scenario is not None:
        return run.scenario.name
    return str(run.headlines.get("scenario") or run.summary.get("network") or run.path.name)


def _header(run: RunFolder) -> str:
    s, h = run.summary, run.headlines
    facts: list[tuple[str, str]] = [("results folder", str(run.path))]
    if run.scenario is not None:
        sc = run.scenario
        facts += [
            ("scenario", sc.name),
            ("year", str(sc.year)),
            ("weather year (seed)", str(sc.weather_seed)),
            (
                "time resolution",
                f"{sc.resolution.describe()} ({len(run.network.snapshots):,} snapshots)",
            ),
        ]
    else:
        facts.append(("snapshots", f"{len(run.network.snapshots):,}"))
    facts.append(("solver", _solver(s, h)))
    facts.append(
        (
            "model",
            f"{int(s.get('n_variables', 0)):,} variables, {int(s.get('n_constraints', 0)):,} "
            f"constraints; built in {float(s.get('build_seconds', 0.0)):,.1f} s, solved in "
            f"{float(s.get('solve_seconds', 0.0)):,.1f} s",
        )
    )
    versions = s.get("versions") or {}
    if versions:
        facts.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    description = (
        f"<p class='lead'>{_text(run.scenario.description.strip())}</p>"
        if run.scenario is not None and run.scenario.description
        else ""
    )
    return (
        f"<header><h1>caspian-grid report: {escape(_scenario_name(run))}</h1>{description}"
        f"{_cards(run)}{_definition_list(facts)}</header>"
    )


def _solver(summary: Mapping[str, Any], headlines: Mapping[str, Any]) -> str:
    algorithm = str(summary.get("algorithm") or headlines.get("solver") or "unknown")
    text = f"{algorithm}, {summary.get('status', 'optimal')}"
    iterations = summary.get("iterations")
    if iterations:
        text += f", {int(iterations):,} iterations"
    if algorithm == "benders":
        gap = summary.get("relative_gap", headlines.get("relative_gap"))
        if gap is not None:
            text += f", proved gap {float(gap):.3%}"
    return text


def _cards(run: RunFolder) -> str:
    h = run.headlines
    cards: list[tuple[str, str]] = []
    cost = h.get(TOTAL_COST.name, run.summary.get("objective"))
    if cost is not None:
        cards.append((TOTAL_COST.label, f"{float(cost) / 1e9:,.3f} bn {TOTAL_COST.unit}"))
    if EU_EXPORTS.name in h:
        cards.append((EU_EXPORTS.label, f"{float(h[EU_EXPORTS.name]):,.2f} {EU_EXPORTS.unit}"))
    if EMISSIONS.name in h:
        cards.append((EMISSIONS.label, f"{float(h[EMISSIONS.name]):,.1f} {EMISSIONS.unit}"))
    caspian = h.get(CASPIAN_CAPACITY.name)
    if caspian is not None:
        built = [f"{float(v):,.0f} MW" for v in caspian.values() if is_built(float(v))]
        value = ", ".join(built) if built else ("not built" if caspian else "none in scenario")
        cards.append(("Caspian link", value))
    if not cards:
        return ""
    items = "".join(
        f"<div class='card'><div class='value'>{escape(v)}</div><div>{escape(k)}</div></div>"
        for k, v in cards
    )
    return f"<div class='cards'>{items}</div>"


def _text(text: str) -> str:
    """Plain text as HTML, with `backticks` set as code."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escape(text))


def _definition_list(rows: Sequence[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f"<dl>{items}</dl>"


def _table(frame: pd.DataFrame, caption: str, fmt: str = "{:,.1f}") -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns])
    rows = "".join(
        "<tr><th>"
        + escape(str(index))
        + "</th>"
        + "".join(f"<td>{escape(_number(fmt, float(v)))}</td>" for v in row)
        + "</tr>"
        for index, row in zip(frame.index, frame.to_numpy(), strict=True)
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _number(fmt: str, value: float) -> str:
    """``value`` in ``fmt``, without the minus of a value that rounds to zero."""
    text = fmt.format(value)
    return fmt.format(0.0) if text.lstrip("-") == fmt.format(0.0) else text


def _section_html(section: Section) -> str:
    parts = [f"<section id='{section.key}'><h2>{escape(section.title)}</h2>"]
    parts.append(f"<p>{escape(section.intro)}</p>")
    parts.append(section.html)
    for name in section.figures:
        parts.append(f"<div class='figure' id='figure-{escape(name)}'></div>")
    for note in section.notes:
        parts.append(f"<p class='note'>{_text(note)}</p>")
    parts.append("</section>")
    return "".join(parts)


def _sections(run: RunFolder, figures: Mapping[str, go.Figure]) -> list[Section]:
    def present(*names: str) -> tuple[str, ...]:
        return tuple(name for name in names if name in figures)

    folder = str(run.path)
    cba_html = ""
    cba_notes: tuple[str, ...] = ()
    if run.cba is None:
        cba_notes = (
            "No cost-benefit analysis in this folder yet. Run `caspian cba "
            f"{folder}` (it solves the year with and without the link, and again for the "
            f"sensitivities), then `caspian report {folder}` to add it here.",
        )
    else:
        cba_html = _definition_list(cba_facts(run.cba))
        indicators = indicator_facts(run.cba)
        if indicators:
            cba_html += "<h3>Indicators, with minus without</h3>" + _definition_list(indicators)
        welfare = welfare_table(run.cba)
        if welfare is not None:
            welfare.index.name = "area"
            cba_html += _table(
                welfare, "Welfare change by area, with minus without (million EUR/yr)"
            )
        if "cba_tornado" not in figures:
            cba_notes = (
                "No sensitivity analysis: run `caspian cba` without --no-sensitivity for the "
                "tornado.",
            )
    origin_notes = (
        ()
        if "export_origin" in figures
        else (
            "No traced imports in this folder (analysis/imports_by_origin.csv is missing or "
            "empty).",
        )
    )
    utilisation_notes = (
        ()
        if "link_utilisation" in figures
        else ("No link with capacity, or snapshots without dates: nothing to show.",)
    )
    return [
        Section(
            "map",
            "Grid and annual flows",
            "Nodes are coloured by their mean price. Line width is capacity; arrows point the "
            "way the net annual flow goes, thicker for more energy. Orange links are candidates "
            "whose capacity the optimisation chose (dotted: not built). Hover over the middle "
            "of a link for its flows each way, capacity and utilisation.",
            present("map"),
        ),
        Section(
            "energy",
            "Energy balance",
            "Annual energy of each area with demand (TWh/yr): output by technology and imports "
            "above zero, exports below; the black bar is demand; hatched, renewable energy "
            "curtailed (available but not produced). Storage counts its net output.",
            present("energy_balance"),
        ),
        Section(
            "dispatch",
            "Dispatch in two weeks",
            "Hourly output by technology (MW) in the week of December to February with the most "
            "wind output, and the week of June to August with the most solar output, across "
            "the whole system. Charging and net exports are below zero; the line is demand. "
            "Pick the area in the menu. Coarser snapshots are shown as equal hours.",
            present("dispatch_winter", "dispatch_summer"),
        ),
        Section(
            "prices",
            "Prices",
            "Daily mean price of every node (EUR/MWh) and price duration curves: each node's "
            "prices sorted from highest to lowest against the hours of the year they last.",
            present("prices_daily", "price_duration"),
        ),
        Section(
            "links",
            "Link utilisation",
            "Flow as a share of capacity for each hour of the day (rows) and day of the year "
            "(columns): blue is towards bus1 (forward), red back. Pick the link in the menu.",
            present("link_utilisation"),
            utilisation_notes,
        ),
        Section(
            "cba",
            "Cost-benefit of the Caspian link",
            "With the link against without it, other investments held as stated; NPV over the "
            "link's lifetime at the dataset's discount rate. The tornado shows the NPV when one "
            "input is set to its low or high value.",
            present("cba_tornado"),
            cba_notes,
            cba_html,
        ),
        Section(
            "origin",
            "Where exported power comes from",
            "The power arriving in the EU traced back to the area and technology that produced "
            "it, hour by hour (average participation: each node's outflow mixes its inflows "
            "in proportion).",
            present("export_origin"),
            origin_notes,
        ),
    ]


_CSS = f"""
body {{ font-family: {FONT}; margin: 0; color: #1c1c1c; background: #fafaf8; }}
main {{ max-width: 1240px; margin: 0 auto; padding: 24px 28px 60px; }}
h1 {{ font-size: 1.7rem; margin: 0 0 8px; }}
h3 {{ font-size: 1.05rem; margin: 18px 0 6px; }}
h2 {{ font-size: 1.3rem; margin: 36px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }}
p {{ line-height: 1.45; max-width: 80ch; }}
p.lead {{ color: #444; }}
p.note {{ background: #fff6e0; border-left: 4px solid #e0a800; padding: 8px 12px; }}
nav {{ position: sticky; top: 0; background: #fafaf8; padding: 8px 0; z-index: 10;
  border-bottom: 1px solid #e4e4e4; font-size: 0.95rem; }}
nav a {{ color: #1d3557; text-decoration: none; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }}
.card {{ background: white; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 16px;
  min-width: 170px; }}
.card .value {{ font-size: 1.35rem; font-weight: 600; color: #1d3557; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 0.92rem; }}
dt {{ color: #555; }} dd {{ margin: 0; }}
.figure {{ background: white; border: 1px solid #e6e6e6; border-radius: 6px; margin: 14px 0; }}
table {{ border-collapse: collapse; margin: 14px 0; background: white; font-size: 0.92rem; }}
caption {{ text-align: left; font-weight: 600; padding: 4px 0; }}
th, td {{ border: 1px solid #e0e0e0; padding: 4px 10px; }}
td {{ text-align: right; font-variant-numeric: tabular-nums; }}
code {{ background: #efefeb; padding: 1px 4px; border-radius: 3px; font-size: 0.92em; }}
"""
