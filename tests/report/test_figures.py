"""The report's figures: each has data, the map is honest, the weeks are the ones asked for, and
the dispatch stacks add up to demand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from caspian.analysis.finance import tornado
from caspian.cli.main import main
from caspian.report import render_report, report_figures
from caspian.report.energy import NET_IMPORTS, area_dispatch, pick_week
from caspian.report.map_figure import country_outlines
from caspian.report.run_folder import hourly, is_chronological, load_run

FIGURES = (
    "map",
    "energy_balance",
    "dispatch_winter",
    "dispatch_summer",
    "prices_daily",
    "price_duration",
    "link_utilisation",
    "export_origin",
)
CDN_TRACES = {"scattergeo", "choropleth", "scattermap", "scattermapbox", "choroplethmap"}


def _size(values: object) -> int:
    return 0 if values is None else int(np.asarray(values, dtype=object).size)


def _has_data(trace: go.BaseTraceType) -> bool:
    if isinstance(trace, go.Sankey):
        return _size(trace.link.value) > 0 and float(np.sum(trace.link.value)) > 0
    sizes = [_size(getattr(trace, attr, None)) for attr in ("x", "y", "z")]
    return all(size > 0 for size in sizes if size) and any(sizes)


@pytest.fixture(scope="module")
def figures(solved_run: Path) -> dict[str, go.Figure]:
    return report_figures(solved_run)


def test_every_figure_has_data(figures: dict[str, go.Figure]) -> None:
    assert tuple(figures) == FIGURES
    for name, figure in figures.items():
        assert figure.data, name
        assert all(_has_data(trace) for trace in figure.data), name
        assert not {trace.type for trace in figure.data} & CDN_TRACES, name
        assert figure.layout.title.text, name


def test_map_draws_outlines_links_and_flows(figures: dict[str, go.Figure]) -> None:
    codes = {country.iso_a2 for country in country_outlines()}
    assert {"AZ", "KZ", "UZ", "TM", "GE", "TR", "RO", "RU", "IR", "AM", "BG", "UA"} <= codes
    fig = figures["map"]
    land = fig.data[0]
    assert land.fill == "toself" and _size(land.x) > 1000
    hover = " ".join(str(t.hovertext) for t in fig.data if t.hovertext is not None)
    assert "Caspian route A Aktau-Sumgait" in hover
    assert "forward" in hover and "TWh/yr" in hover and "utilisation" in hover
    # Latitude is stretched by 1/cos(mid-latitude), about 1.3 around 44 N.
    assert 1.2 < fig.layout.yaxis.scaleratio < 1.5 and fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.annotations, "arrows show the direction of the net flows"
    kinds = {t.name for t in fig.data if t.showlegend is not False}
    assert "existing link" in kinds


def test_dispatch_menus_pick_each_area(figures: dict[str, go.Figure]) -> None:
    fig = figures["dispatch_winter"]
    buttons = fig.layout.updatemenus[0].buttons
    areas = [b.label for b in buttons]
    assert {"AZ", "KZ", "UZ", "GE"} <= set(areas) and "EU" not in areas
    for button in buttons:
        visible = button.args[0]["visible"]
        assert len(visible) == len(fig.data) and any(visible)
    assert "windiest winter week" in fig.layout.title.text
    assert "sunniest summer week" in figures["dispatch_summer"].layout.title.text


def test_dispatch_adds_up_to_demand(solved_run: Path) -> None:
    run = load_run(solved_run)
    frame = area_dispatch(run)
    for area in ("AZ", "GE", "KZ", "UZ", "TM"):
        part = frame[area]
        supply = part.drop(columns="demand").sum(axis=1)
        # Lossless links inside an area; what enters across the border counts as it arrives.
        assert np.allclose(supply, part["demand"], atol=1e-3 * part["demand"].max()), area
        assert NET_IMPORTS in part


def test_hours_line_up_whatever_the_resolution(solved_run: Path) -> None:
    run = load_run(solved_run)
    assert is_chronological(run.network)
    prices = hourly(run.result.prices, run.network)
    assert len(prices) == 8760 and prices.index[1] - prices.index[0] == pd.Timedelta(hours=1)
    first = run.result.prices.iloc[0]
    assert (prices.iloc[:73] == first).all().all()


def test_the_week_with_most_output_in_the_season() -> None:
    hours = pd.date_range("2030-01-01", "2030-12-31 23:00", freq="h")
    output = pd.Series(1.0, index=hours)
    output["2030-02-10":"2030-02-16"] = 5.0  # the windiest winter week: 35 days' worth
    output["2030-02-26":"2030-02-28"] = 8.0  # Feb 22-28 has only 28
    output["2030-03-01":"2030-03-31"] = 50.0  # windier, but spring: no week may reach into it
    assert pick_week(output, (12, 1, 2)) == pd.Timestamp("2030-02-10")
    assert pick_week(output, (3,)) == pd.Timestamp("2030-03-01")
    short = output["2030-01-01":"2030-01-05"]
    assert pick_week(short, (1,)) is None


def test_heat_maps_one_per_built_link(figures: dict[str, go.Figure]) -> None:
    fig = figures["link_utilisation"]
    heat = fig.data[0]
    assert np.asarray(heat.z).shape == (24, 365)
    assert np.nanmax(np.abs(np.asarray(heat.z, dtype=float))) <= 100
    assert len(fig.layout.updatemenus[0].buttons) == len(fig.data)


def test_cost_benefit_and_tornado_from_the_cba_folder(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["cba", str(run_dir), "--no-sensitivity"])
    assert not done.value.code
    capsys.readouterr()
    summary = json.loads((run_dir / "cba" / "summary.json").read_text())
    base = float(summary["npv_eur"])
    table = tornado(
        base,
        {
            "gas price": ("-30 %", "+30 %", base - 4e8, base + 6e8),
            "EU price": ("-20 %", "+20 %", base - 9e8, base + 9e8),
        },
    )
    table.to_csv(run_dir / "cba" / "tornado.csv", index=False)
    figures = report_figures(run_dir)
    fig = figures["cba_tornado"]
    assert [bar.name for bar in fig.data] == ["low value", "high value"]
    assert list(fig.data[0].y) == ["gas price", "EU price"]  # widest swing on top
    assert fig.data[1].x[1] == pytest.approx(0.9)  # bn EUR above the base NPV
    page = render_report(run_dir)
    assert "No cost-benefit analysis" not in page
    for fact in (
        "<dt>NPV</dt>",
        "<dt>benefit-cost ratio</dt>",
        "Welfare change by area",
        "<dt>co2 change</dt>",
    ):
        assert fact in page, fact


def test_a_folder_without_analysis_still_has_its_figures(solved_run: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(solved_run, tmp_path / "bare"))
    shutil.rmtree(copy / "analysis")
    (copy / "headlines.json").unlink()
    (copy / "scenario.json").unlink()
    figures = report_figures(copy)
    assert "export_origin" not in figures  # tracing is not redone
    assert {"map", "energy_balance", "dispatch_winter", "link_utilisation"} <= set(figures)
