"""Trade and economics on the corridor model: invariants, the Caspian link's CBA, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from caspian.analysis.finance import appraise_project
from caspian.analysis.market import branch_statistics, congestion_rent
from caspian.analysis.tracing import trace
from caspian.analysis.welfare import area_welfare
from caspian.cli.main import EXIT_INPUT, main
from caspian.corridor.appraisal import appraise_corridor_link, caspian_links, link_costs
from caspian.corridor.build import build_corridor_network
from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import ScenarioRun, prepare, run_scenario
from caspian.corridor.scenario import Scenario
from caspian.decompose import BendersOptions
from caspian.exceptions import InputError

COARSE = 73


@pytest.fixture(scope="module")
def base() -> ScenarioRun:
    return run_scenario(prepare("base", COARSE))


def test_welfare_parts_add_up_to_minus_the_cost(base: ScenarioRun) -> None:
    result = base.result
    w = area_welfare(result)
    parts = w["consumer_surplus_eur"] + w["producer_surplus_eur"] + w["congestion_rent_eur"]
    np.testing.assert_allclose(parts, w["welfare_eur"])
    assert w["welfare_eur"].sum() == pytest.approx(-result.objective, rel=1e-9)
    assert {"AZ", "KZ", "UZ", "TM", "GE", "EU"} <= set(w.index)


def test_rent_is_price_gap_times_flow(base: ScenarioRun) -> None:
    n, result = base.network, base.result
    rent = congestion_rent(result).by_branch["rent"]
    w = n.snapshot_weightings["objective"].to_numpy()
    links = n.static["Link"]
    for name in links.index:
        p0 = result.series("Link", "p0")[name].to_numpy()
        p1 = result.series("Link", "p1")[name].to_numpy()
        price0 = result.prices[links.loc[name, "bus0"]].to_numpy()
        price1 = result.prices[links.loc[name, "bus1"]].to_numpy()
        by_hand = float((w * (-price1 * p1 - price0 * p0)).sum())
        assert rent[name] == pytest.approx(by_hand, rel=1e-9, abs=1.0)
        if links.loc[name, "efficiency"] == 1.0:  # lossless: gap times flow
            gap = float((w * (price1 - price0) * p0).sum())
            assert rent[name] == pytest.approx(gap, rel=1e-9, abs=1.0)
    stats = branch_statistics(result)
    assert (stats["utilisation"].dropna().between(0, 1 + 1e-9)).all()


def test_traced_shares_sum_to_one(base: ScenarioRun) -> None:
    flow_trace = trace(base.result)
    shares = flow_trace.shares()
    through = flow_trace.throughput_mw > 1e-6
    assert (shares >= 0).all()
    np.testing.assert_allclose(shares.sum(axis=-1)[through], 1.0, atol=1e-6)
    origin = flow_trace.imports_by_origin("EU")
    assert origin["share"].sum() == pytest.approx(1.0)
    arrived = float(flow_trace.weights_h @ flow_trace.imported_mw("EU").to_numpy())
    assert origin["mwh"].sum() == pytest.approx(arrived, rel=1e-6)
    balance = flow_trace.balance_by_origin()
    sinks = balance[["load_mwh", "sale_mwh", "storage_mwh", "loss_mwh"]].sum(axis=1)
    np.testing.assert_allclose(sinks, balance["generated_mwh"], rtol=1e-6, atol=1.0)


def test_link_costs_from_the_catalogue() -> None:
    ds = load_dataset()
    scenario = prepare("base")
    costs = link_costs(ds, scenario, "Caspian route A Aktau-Sumgait", 1500.0)
    # 3,130 EUR/MW/km x 380 km + 620 EUR/kW converter pair, per MW, times 1,500 MW.
    assert costs.capex_eur == pytest.approx((3130 * 380 + 620_000) * 1500)
    assert costs.discount_rate == pytest.approx(0.06)
    assert costs.lifetime_years == 40
    dearer = scenario.model_copy(
        update={"caspian": scenario.caspian.model_copy(update={"capex_multiplier": 1.4})}
    )
    scaled = link_costs(ds, dearer, "Caspian route A Aktau-Sumgait", 1500.0)
    assert scaled.capex_eur == pytest.approx(1.4 * costs.capex_eur)
    assert scaled.fixed_om_eur_per_year == pytest.approx(1.4 * costs.fixed_om_eur_per_year)
    other = "GE-EU Black Sea Submarine Cable"  # the multiplier is the Caspian crossing's only
    assert link_costs(ds, dearer, other, 1.0) == link_costs(ds, scenario, other, 1.0)


@pytest.mark.parametrize("caspian_capex", [1.0, 1.4])
def test_appraised_annual_cost_of_a_link_is_its_capital_cost_in_the_network(
    caspian_capex: float,
) -> None:
    ds = load_dataset()
    scenario = prepare("eu-export-push", COARSE)  # extendable Caspian and Black Sea cables
    data = scenario.model_dump()
    data["finance"]["discount_rate_offset"] = 0.01
    data["caspian"]["capex_multiplier"] = caspian_capex
    scenario = Scenario.model_validate(data)
    links = build_corridor_network(scenario, ds).static["Link"]
    candidates = links.index[links["p_nom_extendable"]]
    assert {"Caspian route A Aktau-Sumgait", "GE-EU Black Sea Submarine Cable"} <= set(candidates)
    for link in candidates:
        costs = link_costs(ds, scenario, str(link), 1500.0)
        finance = appraise_project(
            costs.capex_eur,
            annual_benefit_eur=0.0,
            lifetime_years=costs.lifetime_years,
            discount_rate=costs.discount_rate,
            fixed_om_eur_per_year=costs.fixed_om_eur_per_year,
        )
        yearly = finance.annuity + costs.fixed_om_eur_per_year
        assert yearly == pytest.approx(links.at[link, "capital_cost"] * 1500.0, rel=1e-12), link


def test_caspian_cable_appraisal_puts_it_in() -> None:
    appraisal = appraise_corridor_link(prepare("base", COARSE), sensitivity=True)
    cba = appraisal.cba
    assert cba.links == ("Caspian route A Aktau-Sumgait",)
    assert cba.capacity_mw == {"Caspian route A Aktau-Sumgait": 1500.0}  # put in at 1.5 GW
    parts = cba.welfare[
        ["change_consumer_surplus_eur", "change_producer_surplus_eur", "change_congestion_rent_eur"]
    ].sum(axis=1)
    np.testing.assert_allclose(parts, cba.welfare["change_welfare_eur"], atol=1e-3)
    assert cba.indicator("system_cost_change") == pytest.approx(-cba.welfare_change, abs=1.0)
    assert cba.energy_carried_mwh > 0
    assert appraisal.finance.npv < 0 < appraisal.costs.capex_eur  # the optimum built none
    table = appraisal.tornado
    assert table is not None
    assert set(table["parameter"]) == {
        "discount_rate",
        "capex",
        "gas_price",
        "eu_price",
        "demand_growth",
    }
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)


def test_cba_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cba"
    argv = ["cba", "--resolution", str(COARSE), "--no-sensitivity", "--out", str(out)]
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert not done.value.code
    printed = capsys.readouterr().out
    assert "welfare change by area" in printed and "NPV" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["capacity_mw"] == {"Caspian route A Aktau-Sumgait": 1500.0}
    assert (out / "welfare_by_area.csv").exists() and (out / "cash_flows.csv").exists()
    with pytest.raises(SystemExit) as again:
        main(argv)
    assert again.value.code == EXIT_INPUT
    assert "already exists" in capsys.readouterr().err


def test_cba_command_on_a_scenario_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(SystemExit) as ran:
        main(
            [
                "run",
                "caspian-fixed-1.5gw",
                "no-caspian-link",
                "--resolution",
                "146",
                "--out",
                str(runs),
            ]
        )
    assert ran.value.code == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["cba", str(runs / "caspian-fixed-1.5gw"), "--against", str(runs / "no-caspian-link")])
    assert done.value.code == 0
    summary = json.loads((runs / "caspian-fixed-1.5gw" / "cba" / "summary.json").read_text())
    # Total welfare is minus the total cost, so the change is the cost the cable saves.
    cost = {
        name: json.loads((runs / name / "headlines.json").read_text())["total_cost_eur_per_year"]
        for name in ("caspian-fixed-1.5gw", "no-caspian-link")
    }
    saved = cost["no-caspian-link"] - cost["caspian-fixed-1.5gw"]
    assert summary["welfare_change_eur"] == pytest.approx(saved, rel=1e-6, abs=1.0)
    assert summary["welfare_change_eur"] != 0


def test_caspian_links_of_a_network(base: ScenarioRun) -> None:
    assert caspian_links(base.network, load_dataset()) == ["Caspian route A Aktau-Sumgait"]


def test_run_writes_analysis_and_trace_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(SystemExit):
        main(["run", "--resolution", str(COARSE), "--out", str(runs)])
    capsys.readouterr()
    base = runs / "base"
    summary = (base / "summary.txt").read_text()
    assert "Welfare by area" in summary and "Exports to EU" in summary and "CBAM" in summary
    for stem in ("prices", "branches", "welfare_by_area", "export_matching", "cbam"):
        assert (base / "analysis" / f"{stem}.csv").exists(), stem
    with pytest.raises(SystemExit) as done:
        main(["trace", str(base), "--grid-factor", "KZ=1.0"])
    assert not done.value.code
    printed = capsys.readouterr().out
    assert "origin of the power arriving in EU" in printed and "CBAM exposure" in printed
    matching = (base / "trace" / "export_matching.csv").read_text()
    assert "traced" in matching
    with pytest.raises(SystemExit) as bad:
        main(["trace", str(base), "--grid-factor", "KZ:1.0", "--out", str(tmp_path / "t2")])
    assert bad.value.code == EXIT_INPUT
    assert "AREA=number" in capsys.readouterr().err


def test_tornado_follows_the_hold_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under 'reoptimise' every sensitivity case re-plans the system, as the appraisal did:
    nothing is fixed at the with-case plan."""
    import caspian.corridor.appraisal as appraisal_module

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fix_investments called under hold='reoptimise'")

    monkeypatch.setattr(appraisal_module, "fix_investments", refuse)
    appraisal = appraise_corridor_link(
        prepare("base", 168), capacity_mw=1500.0, hold="reoptimise", sensitivity=True
    )
    assert appraisal.tornado is not None and len(appraisal.tornado) == 5


QUARTERS = BendersOptions(block_hours=13 * 168.0, gap=1e-4)
"""Benders over four blocks of 13 weeks: quick on weekly snapshots."""


def test_the_appraisal_solves_with_the_method_given() -> None:
    said: list[str] = []
    appraisal = appraise_corridor_link(
        prepare("base", 168),
        capacity_mw=1500.0,
        sensitivity=False,
        options=QUARTERS,
        progress=said.append,
    )
    assert appraisal.cba.with_result.solver.algorithm == "benders"
    assert appraisal.cba.without_result.solver.algorithm == "benders"
    steps = {line.split(":")[0] for line in said if ": time blocks: 4 of 2184 h" in line}
    assert steps == {"plan", "with", "without"}


def test_every_tornado_case_solves_with_the_method_given(monkeypatch: pytest.MonkeyPatch) -> None:
    import caspian.corridor.appraisal as appraisal_module
    from caspian.analysis.cba import Hold

    methods: list[object] = []

    def comparison(*_: object, options: object, **__: object) -> SimpleNamespace:
        methods.append(options)
        return SimpleNamespace(welfare_change=1e8, energy_carried_mwh=1e6, hold=Hold.REOPTIMISE)

    built = appraisal_module.build_corridor_model(prepare("base", 168), load_dataset())
    monkeypatch.setattr(appraisal_module, "build_corridor_model", lambda *_: built)
    monkeypatch.setattr(appraisal_module, "with_and_without", comparison)
    appraise_corridor_link(
        prepare("base", 168),
        capacity_mw=1500.0,
        hold="reoptimise",
        sensitivity=True,
        options=QUARTERS,
    )
    assert methods == [QUARTERS] * 7  # the pair, then low and high of three inputs


def test_comparing_runs_solved_to_a_gap_says_how_far_apart_that_alone_puts_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from caspian.cli.analysis_cmd import _warn_of_gaps

    def run(objective: float, gap: float) -> SimpleNamespace:
        return SimpleNamespace(objective=objective, solver=SimpleNamespace(relative_gap=gap))

    _warn_of_gaps(run(3.2e9, 0.0), run(3.3e9, 0.0))  # type: ignore[arg-type]
    assert capsys.readouterr().out == ""
    _warn_of_gaps(run(3.2e9, 1e-3), run(3.2e9, 5e-4))  # type: ignore[arg-type]
    assert "up to 3.2 million EUR/yr" in " ".join(capsys.readouterr().out.split())


def test_cba_of_a_results_folder_refuses_scenario_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["cba", str(tmp_path), "--resolution", "24"])
    assert done.value.code == 2
    assert "is appraised as it was run" in " ".join(capsys.readouterr().err.split())


def test_unknown_link_is_an_input_error_naming_the_links() -> None:
    """Before, ``capacity("Link")[links]`` raised a pandas KeyError for a link the scenario
    does not build."""
    with pytest.raises(InputError, match=r"has no link 'Caspian route Z'.*Its links are"):
        appraise_corridor_link(prepare("base", 168), links=["Caspian route Z"], sensitivity=False)
