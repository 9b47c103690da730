"""Typical days: the corridor year as K hourly tsam days, storage linked over the year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caspian.cli.main import main
from caspian.corridor.build import build_corridor_model, hourly_snapshots
from caspian.corridor.dataset import load_dataset
from caspian.corridor.run import prepare, run_scenario
from caspian.exceptions import InputError
from caspian.optimize import chronological_levels


@pytest.fixture(scope="module")
def dataset():  # type: ignore[no-untyped-def]
    return load_dataset()


def test_typical_days_keep_the_year_and_solve(dataset) -> None:  # type: ignore[no-untyped-def]
    run = run_scenario(prepare("base", typical_days=4), dataset=dataset)
    n, periods = run.network, run.result.periods
    assert periods is not None and run.result.objective > 0
    assert (periods.n_typical, periods.period_length, periods.n_periods) == (4, 24, 365)
    assert len(n.snapshots) == 96 and n.snapshots.is_monotonic_increasing
    # Each typical day is labelled by the hours of the first day it stands for.
    first = periods.first_occurrence()
    assert first[0] == 0 and (np.diff(first) > 0).all()
    hourly = hourly_snapshots(2030)
    assert (n.snapshots == hourly[(first[:, None] * 24 + np.arange(24)).ravel()]).all()
    weights = n.snapshot_weightings["objective"].to_numpy()
    np.testing.assert_array_equal(weights, np.repeat(periods.occurrences(), 24))
    assert weights.sum() == 8760
    energy = (n.get_series("Load", "p_set") * weights[:, None]).sum() / 1e6
    assert energy == pytest.approx(dataset.demand.xs(2030, level="year")["annual_twh"].sum())

    hydro = chronological_levels(run.result, "StorageUnit")
    assert hydro.shape == (8760, len(n.static["StorageUnit"]))
    max_hours = n.static["StorageUnit"]["max_hours"] * run.result.capacity("StorageUnit")
    assert (hydro.min() >= -1e-3).all() and (hydro.max() <= max_hours + 1e-3).all()


def test_every_day_its_own_typical_day_is_the_hourly_year(dataset) -> None:  # type: ignore[no-untyped-def]
    n, periods = build_corridor_model(prepare("base", typical_days=365), dataset)
    hourly, none = build_corridor_model(prepare("base", 1), dataset)
    assert periods is not None and none is None
    np.testing.assert_array_equal(periods.sequence, np.arange(365))
    assert (n.snapshots == hourly.snapshots).all()
    assert (n.snapshot_weightings == 1.0).all().all()
    for component, attr in (("Load", "p_set"), ("Generator", "p_max_pu"), ("Link", "p_max_pu")):
        np.testing.assert_allclose(
            n.get_series(component, attr), hourly.get_series(component, attr), rtol=1e-12
        )


def test_typical_days_and_segments_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="segments and typical_days cannot both be set"):
        prepare("base", segments=50, typical_days=12)
    with pytest.raises(InputError, match="--typical-days 400: Input should be less than or equal"):
        prepare("base", typical_days=400)
    path = tmp_path / "both.yaml"
    path.write_text("extends: base\nresolution: {segments: 50, typical_days: 12}\n")
    with pytest.raises(InputError, match=r"both\.yaml: 1 problem:\n  - resolution = .*segments"):
        prepare(path)


def test_cli_passes_typical_days_on(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["run", "base", "--typical-days", "12", "--segments", "50"])
    assert done.value.code == 2
    assert "--typical-days 12" in capsys.readouterr().err


def test_appraisal_of_a_typical_day_scenario_links_storage_over_the_year() -> None:
    from caspian.corridor.appraisal import appraise_corridor_link

    scenario = prepare("base", typical_days=4)
    appraisal = appraise_corridor_link(scenario, capacity_mw=1000.0, sensitivity=False)
    cba = appraisal.cba
    for result in (cba.with_result, cba.without_result):
        assert result.periods is not None  # every solve saw the real sequence of days
    link = "Caspian route A Aktau-Sumgait"
    assert cba.with_result.capacity("Link")[link] == pytest.approx(1000.0)
    assert cba.without_result.capacity("Link")[link] == pytest.approx(0.0, abs=1e-6)
    # Welfare is minus the cost of the year, so the change is the cost the cable saves.
    saved = cba.without_result.objective - cba.with_result.objective
    assert saved != 0
    assert cba.welfare_change == pytest.approx(saved, rel=1e-6, abs=1.0)
    # The finance earns that change every year of the cable's life.
    costs = appraisal.costs
    years = np.arange(1, costs.lifetime_years + 1)
    yearly = cba.welfare_change - costs.fixed_om_eur_per_year
    npv = -costs.capex_eur + float(np.sum(yearly / (1 + costs.discount_rate) ** years))
    assert appraisal.finance.npv == pytest.approx(npv, rel=1e-9)


def test_appraisal_of_a_solved_typical_day_run_reads_the_days_from_its_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's network carries its typical days (n.periods), also through its results
    folder, so appraising the solved run needs no rebuild of the corridor; the answer is the
    one of the appraisal that builds the network itself."""
    from caspian.corridor import appraisal as module
    from caspian.optimize.export import read_result

    scenario = prepare("base", typical_days=4)
    run = run_scenario(scenario, out_dir=tmp_path / "run")
    assert run.network.periods is run.result.periods
    assert run.out_dir is not None
    solved = read_result(run.out_dir)
    assert solved.network.periods is not None
    assert solved.network.periods.as_dict() == run.result.periods.as_dict()
    built = module.appraise_corridor_link(scenario, capacity_mw=1000.0, sensitivity=False)

    def no_build(*args: object) -> None:
        raise AssertionError("the corridor was rebuilt")

    monkeypatch.setattr(module, "build_corridor_model", no_build)
    read = module.appraise_corridor_link(
        scenario, capacity_mw=1000.0, sensitivity=False, solved=solved
    )
    assert read.cba.with_result.periods is not None
    assert read.cba.welfare_change == pytest.approx(built.cba.welfare_change, rel=1e-9)
