"""The corridor's default dataset: it loads, every number is sourced, and it reproduces the data
file's totals (``shared/reference/caspian_data.md``) within the stated tolerances."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from caspian.corridor.dataset import (
    Dataset,
    capacity_in_year,
    default_data_folder,
    hvdc_efficiency,
    load_dataset,
    projects_in_service,
    sources_table,
)
from caspian.corridor.dataset_schema import ASSUMPTION, TABLES
from caspian.exceptions import InputError


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped tables."""
    target = tmp_path / "data"
    shutil.copytree(str(default_data_folder()), target)
    return target


def _country_totals(fleet: pd.DataFrame, nodes: pd.DataFrame) -> pd.Series:
    generation = fleet[fleet["technology"] != "battery"]
    return generation.groupby(generation["node"].map(nodes["country"]))["p_nom_mw"].sum()


# --------------------------------------------------------------------------- shape and sources
def test_tables_have_the_documented_indices(ds: Dataset) -> None:
    assert ds.nodes.index.name == "node"
    assert list(ds.demand.index.names) == ["node", "year"]
    assert list(ds.resources.index.names) == ["node", "technology"]
    assert list(ds.fuel_prices.index.names) == ["node", "fuel"]
    assert ds.links.index.name == "name"
    assert ds.technologies.index.name == "technology"
    assert {"node", "technology", "p_nom_mw"} <= set(ds.fleet.columns)
    assert {"name", "node", "technology", "p_nom_mw", "in_service_year", "status"} <= set(
        ds.projects.columns
    )
    assert set(ds.nodes.loc[ds.nodes["kind"] == "system"].index) == {
        "AZ",
        "KZ-W",
        "KZ-N",
        "KZ-S",
        "UZ",
        "TM",
        "GE",
    }
    assert set(ds.markets.index) == {"EU", "TR", "RU", "IR"}
    assert set(ds.discount_rates.index) >= {"res", "interconnector", "conventional"}


def test_every_number_has_a_resolving_source_and_a_confidence(ds: Dataset) -> None:
    known = set(ds.sources.index) | {ASSUMPTION}
    for row in ds.provenance.itertuples():
        tokens = [t.strip() for t in row.source.split(",")]
        assert tokens and set(tokens) <= known, (row.table, row.key, row.quantity, row.source)
        assert row.confidence in ("H", "M", "L"), (row.table, row.key, row.quantity)
        if ASSUMPTION in tokens:
            assert row.note, (row.table, row.key, row.quantity)


def test_provenance_has_one_row_per_number(ds: Dataset) -> None:
    folder = default_data_folder()
    expected = 0
    for spec in TABLES:
        with folder.joinpath(spec.file).open("r", encoding="utf-8") as handle:
            raw = pd.read_csv(handle)
        expected += int(raw[[q.name for q in spec.quantities]].notna().sum().sum())
    assert len(ds.provenance) == expected
    assert ds.provenance["unit"].ne("").all()


def test_sources_table_counts_every_cited_source(ds: Dataset) -> None:
    table = sources_table(ds)
    assert {"S23", "S40", "S70", "S130", "S131", ASSUMPTION} <= set(table.index)
    assert (table["values"] > 0).all()
    assert table["values"].sum() >= len(ds.provenance)
    assert table["citation"].str.len().gt(0).all()


# --------------------------------------------------------------------------- totals vs data file
@pytest.mark.parametrize(
    ("country", "low", "high"),
    [
        ("AZ", 9_732.5, 10_000.0),  # S23 9,732.5 MW (Oct 2025) + Khizi 240 MW; ~10,000 (S26)
        ("KZ", 24_600.0, 25_000.0),  # S40 24,641.9 MW (1 Jan 2024); ~25,000 (S49, 2025)
        ("UZ", 25_797.0 - 1, 25_797.0 + 1),  # S70 end-2025
        ("TM", 6_943.2 - 1, 6_943.2 + 1),  # S90
        ("GE", 4_621.0 - 1, 4_621.0 + 1),  # S100
    ],
)
def test_installed_capacity_per_country(ds: Dataset, country: str, low: float, high: float) -> None:
    total = _country_totals(ds.fleet, ds.nodes)[country]
    assert low <= total <= high


def test_kz_zones_reproduce_the_plant_list_and_register(ds: Dataset) -> None:
    fleet = ds.fleet.set_index(["node", "technology"])["p_nom_mw"]
    factor = ds.parameters["kz_thermal_scale_factor"]
    plant_list = {
        ("KZ-N", "coal"): 12_102,
        ("KZ-S", "gas_steam"): 1_643,
        ("KZ-W", "gas_ocgt"): 1_121,
    }
    for key, listed in plant_list.items():
        assert fleet[key] / factor == pytest.approx(listed, abs=0.2)
    kz = fleet.loc[["KZ-N", "KZ-S", "KZ-W"]].groupby(level="technology").sum()
    assert kz["onwind"] == pytest.approx(1_409.6, abs=0.2)  # S47 register, end-2023
    assert kz["solar"] == pytest.approx(1_222.6, abs=0.2)
    assert kz["hydro"] == pytest.approx(2_726 + 269.6, abs=0.2)  # S50 list + S47 small hydro


def test_base_year_demand_and_peak(ds: Dataset) -> None:
    d = ds.demand
    assert d.loc[("AZ", 2024), "reported_consumption_twh"] == 24.1  # S23
    assert d.loc[("AZ", 2024), "annual_twh"] == pytest.approx(28.4 - 1.40 + 0.07)  # S24, S23
    assert d.loc[("AZ", 2024), "peak_mw"] == 4_871  # S25
    kz = d.loc[[("KZ-N", 2023), ("KZ-S", 2023), ("KZ-W", 2023)]]
    assert kz["annual_twh"].sum() == pytest.approx(115.0, abs=0.05)  # S40
    assert kz["peak_mw"].sum() == pytest.approx(16_600, abs=1)  # S41
    assert d.loc[("UZ", 2024), "reported_consumption_twh"] == 67.5  # S71, supplied
    assert d.loc[("UZ", 2024), "annual_twh"] == 81.5  # S71, generation
    assert d.loc[("UZ", 2024), "peak_mw"] == pytest.approx(12_300)  # S73


def test_demand_growth_follows_the_data_file(ds: Dataset) -> None:
    d = ds.demand["annual_twh"]
    kz = lambda y: sum(d[(z, y)] for z in ("KZ-N", "KZ-S", "KZ-W"))  # noqa: E731
    assert kz(2030) == pytest.approx(115.0 * 1.03**7, rel=1e-3)  # +3%/yr, S43
    assert 120 <= d[("UZ", 2030)] <= 125  # S12
    peak = ds.demand["peak_mw"]
    assert peak[("AZ", 2030)] == pytest.approx(4_871 * 1.043**5, rel=1e-3)  # S25
    seasons = ds.demand["peak_season"].groupby(level="node").unique()
    assert {n for n, s in seasons.items() if list(s) == ["summer"]} == {"AZ", "UZ", "TM"}
    assert {n for n, s in seasons.items() if list(s) == ["winter"]} == {
        "KZ-N",
        "KZ-S",
        "KZ-W",
        "GE",
    }


def test_every_system_node_has_demand_in_both_target_years(ds: Dataset) -> None:
    for node in ds.nodes.index[ds.nodes["kind"] == "system"]:
        for year in (2030, 2035):
            assert (node, year) in ds.demand.index


# --------------------------------------------------------------------------- links and losses
def test_hvdc_loss_rule_reproduces_section_4_3(ds: Dataset) -> None:
    assert 1 - hvdc_efficiency(ds, 370) == pytest.approx(0.028, abs=0.0006)
    assert 1 - hvdc_efficiency(ds, 1_155) == pytest.approx(0.046, abs=0.0006)


def test_caspian_candidates_and_black_sea_cable(ds: Dataset) -> None:
    links = ds.links
    route_a = links[links["route"] == "A"].iloc[0]
    route_b = links[links["route"] == "B"].iloc[0]
    assert (route_a["bus0"], route_a["bus1"], route_a["length_km"]) == ("KZ-W", "AZ", 380)
    assert route_a["extendable_default"] and not route_b["extendable_default"]
    assert (route_b["bus0"], route_b["length_km"]) == ("TM", 300)
    bssc = links[links["role"] == "black_sea"].iloc[0]
    assert (bssc["p_nom_mw"], bssc["length_km"], bssc["extendable_default"]) == (1300, 1155, False)
    assert (links.loc[links["kind"] == "hvdc", "length_km"] > 0).all()


# --------------------------------------------------------------------------- projects and costs
def test_projects_enter_by_their_in_service_year(ds: Dataset) -> None:
    names_2030 = set(projects_in_service(ds, 2030)["name"])
    assert "Bilasuvar PV" in names_2030
    assert "Caspian Breeze" not in names_2030  # no in-service year
    assert "Khizi-Absheron wind" not in names_2030  # already in the fleet
    assert "Ulken nuclear plant (Lake Balkhash)" not in names_2030
    assert "Ulken nuclear plant (Lake Balkhash)" in set(projects_in_service(ds, 2035)["name"])
    capacity = capacity_in_year(ds, 2030)
    assert ("KZ-S", "coal") not in capacity.index  # Almaty CHPs converted to gas
    added = capacity.sum() - ds.fleet["p_nom_mw"].sum()
    changes = projects_in_service(ds, 2030)
    sign = changes["action"].map({"add": 1, "retire": -1})
    assert added == pytest.approx((changes["p_nom_mw"] * sign).sum())


def test_technology_costs_and_emissions(ds: Dataset) -> None:
    t = ds.technologies
    assert t.loc["gas_ccgt", "co2_t_per_mwh_th"] == pytest.approx(56.1 * 3.6 / 1000, abs=1e-4)
    assert t.loc["hvdc_submarine", "capex_eur_per_mw_km"] == 3_130  # DEA 2025→2040, at 2030
    for tech in t.index[t["extendable"]]:
        row = t.loc[tech]
        capex = row[["capex_eur_per_kw", "capex_eur_per_kwh", "capex_eur_per_mw_km"]]
        assert capex.notna().any() and not math.isnan(row["lifetime_years"]), tech
        assert row["asset_class"] in ds.discount_rates.index


# --------------------------------------------------------------------------- corrupted copies
def _edit(folder: Path, file: str, line: int, column: str, value: str) -> None:
    frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = value
    frame.to_csv(folder / file, index=False)


@pytest.mark.parametrize(
    ("file", "column", "value", "expected"),
    [
        ("fleet.csv", "node", "AZZ", "unknown system node (value 'AZZ')"),
        ("fleet.csv", "p_nom_mw", "-5", "negative (MW) (value '-5')"),
        ("fleet.csv", "source", "", "source missing"),
        ("fleet.csv", "confidence", "X", "confidence must be H, M or L (value 'X')"),
        ("links.csv", "source", "S999", "unknown source id (value 'S999')"),
        ("demand.csv", "peak_season", "spring", "not an allowed value (value 'spring')"),
    ],
)
def test_corrupted_table_names_file_row_column_and_value(
    data_copy: Path, file: str, column: str, value: str, expected: str
) -> None:
    _edit(data_copy, file, 2, column, value)
    with pytest.raises(InputError) as caught:
        load_dataset(data_copy)
    message = str(caught.value)
    assert file in message
    assert f"column '{column}'" in message
    assert expected in message
    assert "(line 2)" in message


def test_unknown_node_suggests_the_closest(data_copy: Path) -> None:
    _edit(data_copy, "fleet.csv", 2, "node", "KZ-NN")
    with pytest.raises(InputError, match="Did you mean 'KZ-N'"):
        load_dataset(data_copy)


def test_missing_file_and_unknown_column_are_reported(data_copy: Path) -> None:
    (data_copy / "markets.csv").unlink()
    frame = pd.read_csv(data_copy / "links.csv", dtype=str, keep_default_na=False)
    frame.rename(columns={"p_nom_max_mw": "p_nom_maxmw"}).to_csv(
        data_copy / "links.csv", index=False
    )
    with pytest.raises(InputError) as caught:
        load_dataset(data_copy)
    message = str(caught.value)
    assert "markets.csv: file not found" in message
    assert "unknown column 'p_nom_maxmw'. Did you mean 'p_nom_max_mw'?" in message
