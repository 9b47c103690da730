"""The corridor network: every scenario builds and solves; totals match the dataset; runs repeat."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from caspian.cli.main import main
from caspian.corridor.build import build_corridor_network
from caspian.corridor.dataset import capacity_in_year, load_dataset
from caspian.corridor.run import prepare, run_scenario
from caspian.corridor.scenario import available_scenarios

COARSE = 73
"""Hours per snapshot in the tests: 120 snapshots a year, each scenario solves in about a second."""


@pytest.fixture(scope="module")
def dataset():  # type: ignore[no-untyped-def]
    return load_dataset()


@pytest.mark.parametrize("name", available_scenarios())
def test_every_scenario_builds_and_solves(name: str, dataset) -> None:  # type: ignore[no-untyped-def]
    run = run_scenario(prepare(name, COARSE), dataset=dataset)
    h, n, result = run.headlines, run.network, run.result
    w = n.snapshot_weightings["objective"].to_numpy()
    # The yearly cost by hand from the solution: what is built times its capital cost, plus
    # what runs times its marginal cost in each snapshot, weighted by the hours it stands for.
    cost = 0.0
    for component, power in (("Generator", "p"), ("StorageUnit", "p_dispatch"), ("Link", "p0")):
        static = n.static[component]
        built = static.index[static["p_nom_extendable"]]
        capacity = result.capacity(component)[built]
        cost += float((static.loc[built, "capital_cost"] * capacity).sum())
        marginal = n.get_series(component, "marginal_cost", static.index)
        dispatch = result.series(component, power)[static.index].to_numpy()
        cost += float((w[:, None] * marginal * dispatch).sum())
    assert cost > 0
    assert h.total_cost_eur == pytest.approx(cost, rel=1e-9)
    # Emissions by hand: fuel burnt (output / efficiency) times its carrier's CO2 per MWh_th.
    gens = n.static["Generator"]
    per_mwh = gens["carrier"].map(n.static["Carrier"]["co2_emissions"]) / gens["efficiency"]
    output = result.series("Generator", "p")[gens.index].to_numpy()
    tonnes = float((w[:, None] * output * per_mwh.to_numpy()).sum())
    assert tonnes > 0
    assert h.emissions_mt == pytest.approx(tonnes / 1e6, abs=1e-6)
    assert h.eu_exports_twh >= 0
    if name == "no-caspian-link":
        assert h.caspian_capacity_mw == {}
    if name == "caspian-fixed-1.5gw":
        assert list(h.caspian_capacity_mw.values()) == pytest.approx([1500.0])
    if name == "caspian-route-turkmenistan":
        assert len(h.caspian_capacity_mw) == 2


def test_network_reproduces_dataset_totals(dataset) -> None:  # type: ignore[no-untyped-def]
    scenario = prepare("base", COARSE)
    n = build_corridor_network(scenario, dataset)
    weights = n.snapshot_weightings["generators"].to_numpy()
    assert weights.sum() == 8760
    energy = (n.get_series("Load", "p_set") * weights[:, None]).sum(axis=0) / 1e6
    demand = dataset.demand.xs(2030, level="year")["annual_twh"]
    loads = n.static["Load"]
    for i, name in enumerate(loads.index):
        assert energy[i] == pytest.approx(demand[loads.loc[name, "bus"]], rel=1e-6)

    expected = capacity_in_year(dataset, 2030)
    gens = n.static["Generator"]
    fixed = gens[~gens["p_nom_extendable"] & (gens["carrier"] != "market")]
    su = n.static["StorageUnit"]
    fixed_su = su[~su["p_nom_extendable"]]
    built = {
        **{(g.bus, g.carrier): g.p_nom for g in fixed.itertuples()},
        **{(s.bus, s.carrier): s.p_nom for s in fixed_su.itertuples()},
    }
    assert built == pytest.approx(expected.to_dict())


def test_same_seed_same_answer(dataset) -> None:  # type: ignore[no-untyped-def]
    first = run_scenario(prepare("base", COARSE), dataset=dataset)
    second = run_scenario(prepare("base", COARSE), dataset=dataset)
    assert first.result.objective == second.result.objective
    assert first.headlines.as_dict() == second.headlines.as_dict()
    other = run_scenario(prepare("base", COARSE, weather_seed=7), dataset=dataset)
    assert not np.isclose(other.result.objective, first.result.objective, rtol=1e-9)


def test_segmented_resolution_keeps_the_year(dataset) -> None:  # type: ignore[no-untyped-def]
    scenario = prepare("base").model_copy(
        update={"resolution": prepare("base").resolution.model_copy(update={"segments": 100})}
    )
    n = build_corridor_network(scenario, dataset)
    weights = n.snapshot_weightings["objective"].to_numpy()
    assert len(n.snapshots) == 100 and weights.sum() == 8760
    assert weights.min() >= 1 and weights.max() > weights.min()  # segments differ in length
    assert n.snapshots.is_monotonic_increasing
    energy = (n.get_series("Load", "p_set") * weights[:, None]).sum() / 1e6
    assert energy == pytest.approx(dataset.demand.xs(2030, level="year")["annual_twh"].sum())
    run = run_scenario(scenario, dataset=dataset)
    assert run.result.objective > 0


def test_caspian_run_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "runs"
    with pytest.raises(SystemExit) as done:
        main(["run", "base", "no-caspian-link", "--resolution", str(COARSE), "--out", str(out)])
    assert done.value.code in (0, None)
    printed = capsys.readouterr().out
    assert "Caspian link capacity" in printed and "exports to the EU" in printed
    assert "Welfare by area" in printed and "renewable share" in printed
    for name in ("base", "no-caspian-link"):
        folder = out / name
        heads = json.loads((folder / "headlines.json").read_text())
        assert heads["scenario"] == name
        assert (folder / "network.nc").exists() and (folder / "summary.json").exists()
    with pytest.raises(SystemExit) as again:
        main(["run", "base", "--resolution", str(COARSE), "--out", str(out)])
    assert again.value.code == 2
    assert "already exists" in capsys.readouterr().err


def test_exported_network_opens_in_pypsa(tmp_path: Path, dataset) -> None:  # type: ignore[no-untyped-def]
    import pypsa  # a test dependency: the exported file must open in PyPSA itself

    pypsa.options.api.legacy_string_dtype = True
    run = run_scenario(prepare("base", COARSE), dataset=dataset, out_dir=tmp_path / "base")
    other = pypsa.Network(tmp_path / "base" / "network.nc")
    assert len(other.buses) == len(run.network.static["Bus"])
    assert len(other.snapshots) == len(run.network.snapshots)


def test_data_sources_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as done:
        main(["data", "sources", "--csv", str(tmp_path / "sources.csv")])
    assert done.value.code in (0, None)
    assert "S130" in capsys.readouterr().out
    assert (tmp_path / "sources.csv").stat().st_size > 1000


def test_caspian_outage_takes_the_cable_out(dataset) -> None:  # type: ignore[no-untyped-def]
    scenario = prepare("caspian-fixed-1.5gw", 24)
    caspian = scenario.caspian.model_copy(update={"availability": 0.5, "outage_start_day": 200})
    run = run_scenario(scenario.model_copy(update={"caspian": caspian}), dataset=dataset)
    name = "Caspian route A Aktau-Sumgait"
    flow = run.result.series("Link", "p0")[name]
    out = (flow.index.day_of_year >= 200) & (flow.index.day_of_year < 200 + 182)
    assert np.abs(flow[out]).max() < 1e-6
    assert np.abs(flow[~out]).max() > 1.0


def test_route_b_brings_its_feeder(dataset) -> None:  # type: ignore[no-untyped-def]
    feeder = "UZ-TM feeder Bukhara-Turkmenbashi"
    base = build_corridor_network(prepare("base", COARSE), dataset)
    both = build_corridor_network(prepare("caspian-route-turkmenistan", COARSE), dataset)
    assert feeder not in base.static["Link"].index
    assert bool(both.static["Link"].loc[feeder, "p_nom_extendable"])
    assert "UZ-KZ-W feeder Nukus-Aktau" in base.static["Link"].index


def refuse(*_: object, **__: object) -> None:
    raise AssertionError("called before the arguments were checked")


def caspian(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0), " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize("name", ["../victim", "ABSOLUTE", "a/b", ".hidden", ".."])
def test_a_scenario_name_never_writes_outside_out(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("mine")
    name = str(victim) if name == "ABSOLUTE" else name
    scenario = tmp_path / "evil.yaml"
    scenario.write_text(f"name: {json.dumps(name)}\nextends: base\n")
    out = tmp_path / "out"
    code, err = caspian(
        ["run", str(scenario), "--resolution", "168", "--out", str(out), "--overwrite"], capsys
    )
    assert code == 2 and "Traceback" not in err
    assert "name" in err and "letters, digits" in err
    assert (victim / "precious.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.yaml", "victim"]


def test_run_scenario_checks_the_name_and_folder_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import caspian.corridor.run as run_module
    from caspian.exceptions import InputError

    monkeypatch.setattr(run_module, "build_corridor_model", refuse)
    evil = prepare("base", COARSE).model_copy(update={"name": "../victim"})
    with pytest.raises(InputError, match=r"scenario name '\.\./victim'"):
        run_scenario(evil, out_dir=tmp_path / "victim")
    (tmp_path / "base").mkdir()
    with pytest.raises(InputError, match="already exists"):
        run_scenario(prepare("base", COARSE), out_dir=tmp_path / "base")


def test_run_checks_every_argument_and_the_output_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import caspian.cli.corridor_cmd as corridor_cmd

    monkeypatch.setattr(corridor_cmd, "load_dataset", refuse)
    notes = tmp_path / "README.md"
    notes.write_text("mine")
    code, err = caspian(["run", "base", "--resolution", "0"], capsys)
    assert code == 2 and "--resolution 0" in err and "1-168 hours per snapshot" in err
    code, err = caspian(["run", "base", "--typical-days", "0", "--seed", "-1"], capsys)
    assert code == 2 and "--typical-days 0" in err and "--seed" in err and "outside 0 to" in err
    for out, message in ((notes, "README.md is not a folder"), ("/proc/nope", "cannot be")):
        code, err = caspian(["run", "base", "--resolution", "168", "--out", str(out)], capsys)
        assert code == 2 and message in err, err
    code, err = caspian(["run", "base", "base", "--resolution", "168"], capsys)
    assert code == 2 and "two scenarios are named 'base'" in err
    argv = ["run", "base", "hi-gas-price", "--resolution", "0", "--solver", "cplex"]
    code, err = caspian([*argv, "--gap", "0", "--out", str(notes)], capsys)
    assert code == 2 and "5 problems with the command's arguments" in err
    for part in ("--resolution 0", "'hi-gas-price'", "'high-gas-price'", "cplex", "--gap"):
        assert part in err
    assert "README.md is not a folder" in err
    assert notes.read_text() == "mine"


def test_run_never_replaces_its_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import caspian.cli.corridor_cmd as corridor_cmd

    monkeypatch.setattr(corridor_cmd, "load_dataset", refuse)
    folder = tmp_path / "out" / "mine"
    folder.mkdir(parents=True)
    scenario = folder / "mine.yaml"
    scenario.write_text("extends: base\n")
    argv = ["run", str(scenario), "--resolution", "168", "--out", str(tmp_path / "out")]
    code, err = caspian([*argv, "--overwrite"], capsys)
    assert code == 2 and "holds the input" in err
    assert scenario.read_text() == "extends: base\n"
