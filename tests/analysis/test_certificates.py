"""Guarantee-of-origin matching and CBAM exposure on networks computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caspian.analysis.certificates import (
    cbam_exposure,
    default_exporters,
    export_matching,
    monthly_matching,
)
from caspian.analysis.tracing import trace
from caspian.exceptions import InputError
from caspian.network import Network
from caspian.optimize import optimize


def across_months() -> Network:
    """Exporter X (KZ) feeds 100 MW every hour to the importer's load (EU) over a lossless link.

    Snapshots: 31 Jan 00:00, 01:00, 1 Feb 00:00, 01:00. At X wind is forced to 150, 100, 0 and
    180 MW, local load is 50, 0, 100 and 80 MW, and gas (0.2 t/MWh_th at efficiency 0.5 =
    0.4 t/MWh) covers the rest: 0, 0, 200, 0 MW.
    """
    snapshots = pd.DatetimeIndex(
        ["2030-01-31 00:00", "2030-01-31 01:00", "2030-02-01 00:00", "2030-02-01 01:00"]
    )
    n = Network("months", snapshots)
    n.add("Carrier", ["onwind", "gas"], co2_emissions=[0.0, 0.2])
    n.add("Bus", ["X", "EU"], country=["KZ", "EU"])
    wind = [0.75, 0.5, 0.0, 0.9]
    n.add("Generator", "wind", bus="X", carrier="onwind", p_nom=200, p_max_pu=wind, p_min_pu=wind)
    n.add("Generator", "gas", bus="X", carrier="gas", p_nom=300, marginal_cost=50, efficiency=0.5)
    loads = pd.DataFrame({"X load": [50, 0, 100, 80], "EU load": 100}, index=snapshots)
    n.add("Load", ["X load", "EU load"], bus=["X", "EU"], p_set=loads)
    n.add("Link", "X-EU", bus0="X", bus1="EU", p_nom=500)
    return n


def test_matching_rules_by_hand() -> None:
    """E = 100 MWh every hour; R (renewable output of KZ) = 150, 100, 0, 180 MWh.

    - hourly: min(E, R) = 100 + 100 + 0 + 100 = 300 of 400: 0.75.
    - monthly: Jan min(200, 250) = 200, Feb min(200, 180) = 180: 380 of 400: 0.95.
    - annual: min(400, 430) = 400: 1.0.
    - traced: X is all wind except in hour 3 (all gas): 300 of 400: 0.75.
    """
    n = across_months()
    result = optimize(n)
    np.testing.assert_allclose(result.series("Generator", "p")["gas"], [0, 0, 200, 0], atol=1e-9)
    table = export_matching(result, "EU").set_index("rule")
    assert list(table.index) == ["hourly", "monthly", "annual", "traced"]
    assert table["exported_mwh"].to_numpy() == pytest.approx(400.0)
    assert table["renewable_generation_mwh"].to_numpy() == pytest.approx(430.0)
    assert table["matched_mwh"].to_list() == pytest.approx([300.0, 380.0, 400.0, 300.0])
    assert table["renewable_share"].to_list() == pytest.approx([0.75, 0.95, 1.0, 0.75])
    assert table.attrs["units"]["renewable_share"] == "1"
    assert table.attrs["units"]["matched_mwh"] == "MWh"

    months = monthly_matching(result, "EU")
    assert [str(m) for m in months["month"]] == ["2030-01", "2030-02"]
    assert months["exported_mwh"].to_list() == pytest.approx([200.0, 200.0])
    assert months["renewable_generation_mwh"].to_list() == pytest.approx([250.0, 180.0])
    assert months["matched_mwh"].to_list() == pytest.approx([200.0, 180.0])
    assert months["hourly_matched_mwh"].to_list() == pytest.approx([200.0, 100.0])
    assert months["renewable_share"].to_list() == pytest.approx([1.0, 0.9])
    assert months["hourly_renewable_share"].to_list() == pytest.approx([1.0, 0.5])


def test_matching_counts_snapshot_weights_and_chosen_carriers() -> None:
    """With 2 h per snapshot every MWh doubles, shares do not change; counting only solar as
    renewable leaves nothing to match."""
    n = across_months()
    n.snapshot_weightings.loc[:, :] = 2.0
    result = optimize(n)
    table = export_matching(result, "EU").set_index("rule")
    assert table["exported_mwh"].to_numpy() == pytest.approx(800.0)
    assert table["renewable_share"].to_list() == pytest.approx([0.75, 0.95, 1.0, 0.75])
    solar_only = export_matching(result, "EU", renewable_carriers={"solar"})
    assert solar_only["renewable_share"].to_list() == pytest.approx([0.0] * 4)


def transit() -> Network:
    """A (KZ) -> B (AZ) -> C (EU), two hours.

    Hour 1: A's 100 MW of wind minus 20 MW of load leave over a two-way cable of efficiency 0.9
    and 72 MW arrive at B, which adds 16 MW of gas and 12 MW of solar and has 30 MW of load; 70
    MW go on to C. Hour 2: nothing is exported; B's gas serves its own 30 MW.
    """
    n = Network("transit", pd.date_range("2030-01-01", periods=2, freq="h"))
    n.add("Carrier", ["onwind", "solar", "gas"], co2_emissions=[0.0, 0.0, 0.2])
    n.add("Bus", ["A", "B", "C"], country=["KZ", "AZ", "EU"])
    n.add(
        "Generator", "wind", bus="A", carrier="onwind", p_nom=100, p_max_pu=[1, 0], p_min_pu=[1, 0]
    )
    n.add(
        "Generator", "solar", bus="B", carrier="solar", p_nom=12, p_max_pu=[1, 0], p_min_pu=[1, 0]
    )
    gas = [16 / 30, 1.0]
    n.add(
        "Generator",
        "gas",
        bus="B",
        carrier="gas",
        p_nom=30,
        p_max_pu=gas,
        p_min_pu=gas,
        efficiency=0.5,
        marginal_cost=50,
    )
    n.add(
        "Load",
        ["A load", "B load", "C load"],
        bus=["A", "B", "C"],
        p_set=pd.DataFrame(
            {"A load": [20, 0], "B load": [30, 30], "C load": [70, 0]}, index=n.snapshots
        ),
    )
    n.add(
        "Link",
        "A-B",
        bus0="A",
        bus1="B",
        p_nom=200,
        efficiency=0.9,
        p_min_pu=-1,
        bidirectional=True,
    )
    n.add("Link", "B-C", bus0="B", bus1="C", p_nom=200)
    return n


def test_cbam_by_hand() -> None:
    """Hour 1, bus B is 72 % KZ wind, 16 % AZ gas, 12 % AZ solar; the 70 MWh exported to C are
    50.4 KZ wind + 11.2 AZ gas + 8.4 AZ solar, so KZ exports 50.4 and AZ 19.6 MWh.

    - default (KZ 0.9, AZ 0.5 t/MWh): 45.36 + 9.8 = 55.16 t; at 70 EUR/t 3861.2 EUR, 55.16
      EUR/MWh.
    - actual: gas emits 0.2 / 0.5 = 0.4 t/MWh, so 11.2 * 0.4 = 4.48 t (313.6 EUR).
    - model grid factor: AZ made 16 + 30 MWh of gas (18.4 t) and 12 MWh of solar: 18.4 / 58
      t/MWh; KZ only wind: 0. AZ: 19.6 * 18.4 / 58 = 6.21793 t.
    """
    n = transit()
    result = optimize(n)
    exposure = cbam_exposure(result, "EU", {"KZ": 0.9, "AZ": 0.5}, 70.0)
    by = exposure.by_origin.set_index(["rule", "origin_area"])
    assert by.loc[("default", "KZ"), "exported_mwh"] == pytest.approx(50.4)
    assert by.loc[("default", "AZ"), "exported_mwh"] == pytest.approx(19.6)
    assert by.loc[("default", "KZ"), "emissions_t"] == pytest.approx(45.36)
    assert by.loc[("default", "KZ"), "cost_eur_per_mwh"] == pytest.approx(63.0)
    assert by.loc[("actual", "AZ"), "factor_t_per_mwh"] == pytest.approx(4.48 / 19.6)
    assert by.loc[("actual", "KZ"), "emissions_t"] == pytest.approx(0.0)
    assert by.loc[("model_grid_factor", "AZ"), "factor_t_per_mwh"] == pytest.approx(18.4 / 58)

    total = exposure.total.set_index("rule")
    assert list(total.index) == ["default", "actual", "model_grid_factor"]
    assert total["exported_mwh"].to_numpy() == pytest.approx(70.0)
    assert total["emissions_t"].to_list() == pytest.approx([55.16, 4.48, 19.6 * 18.4 / 58])
    assert total["cost_eur"].to_list() == pytest.approx([3861.2, 313.6, 70 * 19.6 * 18.4 / 58])
    assert total.loc["default", "cost_eur_per_mwh"] == pytest.approx(55.16)
    assert exposure.total.attrs["units"] == {
        "exported_mwh": "MWh",
        "factor_t_per_mwh": "t/MWh",
        "emissions_t": "t",
        "cost_eur": "EUR",
        "cost_eur_per_mwh": "EUR/MWh",
    }

    matching = export_matching(result, "EU", flow_trace=trace(result)).set_index("rule")
    # 112 MWh of wind and solar in hour 1 cover the 70 MWh; tracing finds 50.4 + 8.4 green.
    assert matching["renewable_share"].to_list() == pytest.approx([1.0, 1.0, 1.0, 58.8 / 70])


def test_exports_count_only_exporting_areas() -> None:
    """Only what arrives from AZ counts; with KZ as the only exporter nothing arrives at C."""
    n = transit()
    result = optimize(n)
    assert default_exporters(n, "EU") == ["AZ", "KZ"]
    table = export_matching(result, "EU", exporter_areas=["KZ"])
    assert table["exported_mwh"].to_numpy() == pytest.approx(0.0)
    assert table["renewable_share"].isna().all()


def test_default_exporters_leave_out_markets() -> None:
    n = Network("markets")
    n.add("Carrier", ["market", "gas"])
    n.add("Bus", ["AZ", "TR", "EU", "KZ-W", "KZ-N"], country=["AZ", "", "", "KZ", "KZ"])
    n.add("Generator", ["TR market", "EU market"], bus=["TR", "EU"], carrier="market", p_nom=1)
    assert default_exporters(n, "EU") == ["AZ", "KZ"]


def test_errors_name_the_problem() -> None:
    n = transit()
    result = optimize(n)
    with pytest.raises(InputError, match=r"grid_factors: no grid emission factor for 'AZ'\."):
        cbam_exposure(result, "EU", {"KZ": 0.9}, 70.0)
    with pytest.raises(InputError, match=r"factor -0\.5 of area 'AZ' is not a finite number >= 0"):
        cbam_exposure(result, "EU", {"KZ": 0.9, "AZ": -0.5}, 70.0)
    with pytest.raises(InputError, match="co2_price_eur_per_t: must be a finite number >= 0"):
        cbam_exposure(result, "EU", {"KZ": 0.9, "AZ": 0.5}, float("nan"))
    with pytest.raises(InputError, match="the importer 'EU' is also an exporter"):
        export_matching(result, "EU", exporter_areas=["AZ", "EU"])
    with pytest.raises(InputError, match="unknown area 'UZ'"):
        export_matching(result, "EU", exporter_areas=["UZ"])
    n.set_snapshots([0, 1])
    with pytest.raises(InputError, match="monthly matching needs snapshots that are dates"):
        monthly_matching(result, "EU")
    assert "monthly" not in set(export_matching(result, "EU")["rule"])


PERIOD_WIND = {0: [0.75, 0.5], 1: [0.0, 0.9]}
PERIOD_LOAD = {0: [50, 0], 1: [100, 80]}


def _periods_network(
    snapshots: pd.DatetimeIndex, pattern: list[int], weights: list[float]
) -> Network:
    """across_months' two-hour periods 0 (wind 0.75, 0.5; load 50, 0) and 1 (wind 0, 0.9;
    load 100, 80) in the order ``pattern``, each snapshot weighted by ``weights``."""
    wind = [w for k in pattern for w in PERIOD_WIND[k]]
    load = [x for k in pattern for x in PERIOD_LOAD[k]]
    n = Network("periods", snapshots)
    for column in ("objective", "stores", "generators"):
        n.snapshot_weightings[column] = weights
    n.add("Carrier", ["onwind", "gas"], co2_emissions=[0.0, 0.2])
    n.add("Bus", ["X", "EU"], country=["KZ", "EU"])
    n.add("Generator", "wind", bus="X", carrier="onwind", p_nom=200, p_max_pu=wind, p_min_pu=wind)
    n.add("Generator", "gas", bus="X", carrier="gas", p_nom=300, marginal_cost=50, efficiency=0.5)
    loads = pd.DataFrame({"X load": load, "EU load": 100}, index=snapshots)
    n.add("Load", ["X load", "EU load"], bus=["X", "EU"], p_set=loads)
    n.add("Link", "X-EU", bus0="X", bus1="EU", p_nom=500)
    return n


@pytest.mark.parametrize("sequence", [[0, 1, 0, 1], [0, 0, 1, 0, 1]])
def test_monthly_matching_of_typical_periods_follows_the_real_calendar(sequence: list[int]) -> None:
    """Two-hour periods from 31 Jan 20:00, so the first two fall in January and the rest in
    February. Two typical periods, each dated from its first occurrence and weighted by how
    often it occurs, give the same months as the chronological hours."""
    from caspian.optimize import RepresentativePeriods

    start = pd.Timestamp("2030-01-31 20:00")
    hours = pd.date_range(start, periods=2 * len(sequence), freq="h")
    chronological = _periods_network(hours, sequence, [1.0] * len(hours))
    want = monthly_matching(optimize(chronological), "EU")

    periods = RepresentativePeriods(2, 2, np.array(sequence))
    labels = pd.DatetimeIndex(
        [
            start + pd.Timedelta(hours=2 * int(d) + j)
            for d in periods.first_occurrence()
            for j in (0, 1)
        ]
    )
    weights = periods.occurrences()[periods.typical_period()].astype(float)
    typical = _periods_network(labels, [0, 1], list(weights))
    got = monthly_matching(optimize(typical, periods=periods), "EU")
    assert [str(m) for m in got["month"]] == ["2030-01", "2030-02"]
    pd.testing.assert_frame_equal(got, want, check_exact=False, atol=1e-6)

    back_to_back = _periods_network(hours[:4], [0, 1], list(weights))  # not dated as required
    if not back_to_back.snapshots.equals(labels):
        with pytest.raises(InputError, match="dated from its first occurrence"):
            monthly_matching(optimize(back_to_back, periods=periods), "EU")


def test_power_bought_from_a_market_keeps_its_grid_factor_under_actual() -> None:
    """RU (a market) sells 50 MW through AZ to the EU for one hour. No plant stands behind it,
    so even under the 'actual' rule it counts at RU's grid factor: 50 * 0.4 = 20 t."""
    n = Network("wheeling", pd.date_range("2030-01-01", periods=1, freq="h"))
    n.add("Carrier", ["market"], co2_emissions=[0.0])
    n.add("Bus", ["M", "B", "C"], country=["RU", "AZ", "EU"])
    n.add("Generator", "RU market", bus="M", carrier="market", p_nom=500, marginal_cost=30)
    n.add("Load", "C load", bus="C", p_set=50)
    n.add("Link", "M-B", bus0="M", bus1="B", p_nom=200)
    n.add("Link", "B-C", bus0="B", bus1="C", p_nom=200)
    result = optimize(n)
    exposure = cbam_exposure(
        result, "EU", {"RU": 0.4, "AZ": 0.5}, 70.0, exporter_areas=["AZ", "RU"]
    )
    total = exposure.total.set_index("rule")
    assert total.loc["default", "emissions_t"] == pytest.approx(20.0)
    assert total.loc["actual", "emissions_t"] == pytest.approx(20.0)
