"""The headline model: one name and unit per quantity, its JSON form, and the older spellings
that every reader still accepts (folders and catalogues written before keep opening)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from caspian.runs.headlines import (
    CATALOGUE_QUANTITIES,
    EMISSIONS,
    QUANTITIES,
    TOTAL_COST,
    Headlines,
    canonical_keys,
)
from caspian.sweep.catalogue import HEADLINE_COLUMNS, Catalogue
from caspian.web.schemas import HeadlinesOut, RunOut


def small_headlines() -> Headlines:
    """Headlines of a made-up run, numbers chosen to survive JSON exactly."""
    flows = pd.DataFrame(
        {
            "bus0": ["AZ", "KZ"],
            "bus1": ["KZ", "EU"],
            "capacity_mw": [1500.0, 0.0],
            "forward_twh": [6.25, 0.0],
            "backward_twh": [0.5, 0.0],
            "losses_twh": [0.125, 0.0],
        },
        index=pd.Index(["Caspian-A", "BlackSea"], name="name"),
    )
    build = pd.DataFrame(
        {"onwind": [250.0, 0.0], "solar": [0.0, 1250.5]},
        index=pd.Index(["AZ", "KZ"], name="node"),
    ).rename_axis(columns="technology")
    return Headlines(
        scenario="made-up",
        caspian_capacity_mw={"Caspian-A": 1500.0},
        link_flows_twh=flows,
        renewable_build_mw=build,
        mean_price_eur_per_mwh={"AZ": 41.5, "KZ": 38.25, "EU": 88.0},
        total_cost_eur_per_year=12_345_678_901.25,
        eu_exports_twh=5.75,
        emissions_mt_co2=41.123456,
        solver="benders",
        relative_gap=0.001,
    )


def test_every_quantity_has_one_name_and_its_spellings_are_not_names() -> None:
    names = [q.name for q in QUANTITIES]
    aliases = [alias for q in QUANTITIES for alias in q.aliases]
    assert len(set(names)) == len(names)
    assert not set(names) & set(aliases)
    assert len(set(aliases)) == len(aliases)


def test_json_form_is_what_headlines_json_has_always_held() -> None:
    """The keys and their order of ``headlines.json`` (written by every run so far)."""
    assert list(small_headlines().as_dict()) == [
        "scenario",
        "caspian_capacity_mw",
        "total_cost_eur_per_year",
        "eu_exports_twh",
        "emissions_mt_co2",
        "solver",
        "relative_gap",
        "mean_price_eur_per_mwh",
        "renewable_build_mw",
        "link_flows_twh",
    ]


def test_json_round_trip_gives_the_same_numbers() -> None:
    h = small_headlines()
    back = Headlines.from_dict(json.loads(json.dumps(h.as_dict())))
    assert back.as_dict() == h.as_dict()
    assert back.total_cost_eur_per_year == h.total_cost_eur_per_year
    assert back.emissions_mt_co2 == h.emissions_mt_co2
    pd.testing.assert_frame_equal(back.link_flows_twh, h.link_flows_twh, check_names=False)
    # Builds of 0 MW are not in the JSON: the table comes back with them as 0.
    pd.testing.assert_frame_equal(back.renewable_build_mw, h.renewable_build_mw, check_names=False)


def test_older_spellings_are_read_as_their_quantity() -> None:
    """A headlines.json written with the dataclass's and the catalogue's spellings of a
    quantity (``total_cost_eur``/``objective_eur``, ``emissions_mt``, ``mean_price``)."""
    h = small_headlines()
    new = h.as_dict()
    old = {
        {"total_cost_eur_per_year": "total_cost_eur", "emissions_mt_co2": "emissions_mt"}.get(
            k, "mean_price" if k == "mean_price_eur_per_mwh" else k
        ): v
        for k, v in new.items()
    }
    assert "total_cost_eur_per_year" not in old and "total_cost_eur" in old
    assert canonical_keys(old) == new
    assert Headlines.from_dict(old).as_dict() == new
    by_catalogue = dict(old)
    by_catalogue["objective_eur"] = by_catalogue.pop("total_cost_eur")
    assert Headlines.from_dict(by_catalogue).total_cost_eur_per_year == h.total_cost_eur_per_year
    assert HeadlinesOut.model_validate(old) == HeadlinesOut.model_validate(new)


def test_the_name_wins_over_an_older_spelling() -> None:
    both = {TOTAL_COST.name: 2.0, "total_cost_eur": 1.0, "objective_eur": 3.0}
    assert canonical_keys(both) == {TOTAL_COST.name: 2.0}


def test_older_attribute_names_still_work() -> None:
    h = small_headlines()
    assert h.total_cost_eur == h.total_cost_eur_per_year
    assert h.emissions_mt == h.emissions_mt_co2
    assert h.mean_price == h.mean_price_eur_per_mwh


def test_dashboard_schemas_use_the_model_names_and_units() -> None:
    fields = HeadlinesOut.model_fields
    assert {q.name for q in QUANTITIES if q.name != "relative_gap"} <= set(fields)
    assert set(fields) == set(small_headlines().as_dict())
    for quantity in (TOTAL_COST, EMISSIONS):
        assert quantity.name in RunOut.model_fields
        assert quantity.unit in str(RunOut.model_fields[quantity.name].description)
        assert quantity.unit in str(fields[quantity.name].description)


def test_catalogue_columns_come_from_the_model() -> None:
    h = small_headlines()
    values = h.catalogue_values()
    assert list(values) == [q.catalogue_column for q in CATALOGUE_QUANTITIES]
    assert set(values) <= set(HEADLINE_COLUMNS)
    assert values == {
        "objective_eur": h.total_cost_eur_per_year,
        "caspian_mw": 1500.0,
        "eu_exports_twh": 5.75,
        "emissions_mt": 41.123456,
    }


OLD_CATALOGUE = """
CREATE TABLE runs (
    input_hash VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, sweep VARCHAR NOT NULL,
    case_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('done', 'failed')), error VARCHAR,
    started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL,
    wall_seconds DOUBLE NOT NULL, build_seconds DOUBLE, solve_seconds DOUBLE, worker VARCHAR,
    objective_eur DOUBLE, caspian_mw DOUBLE, npv_eur DOUBLE, bcr DOUBLE, eu_exports_twh DOUBLE,
    emissions_mt DOUBLE, welfare_change_eur DOUBLE, irr DOUBLE, appraised_mw DOUBLE,
    extra_headlines VARCHAR NOT NULL, params VARCHAR NOT NULL, scenario VARCHAR NOT NULL,
    results_path VARCHAR, caspian_version VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE catalogue_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
INSERT INTO catalogue_meta VALUES ('schema_version', '1');
"""
"""A sweep catalogue as caspian-grid has written them (schema version 1), spelled out here
rather than taken from the code, so that a change of the code cannot hide a change of it."""


def test_a_catalogue_written_before_opens_with_the_same_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.duckdb"
    digest = "ab" * 32
    moment = datetime(2026, 1, 1, 12, 0, 0)
    with duckdb.connect(str(path)) as con:
        con.execute(OLD_CATALOGUE)
        con.execute(
            "INSERT INTO runs VALUES (?, ?, 's', 'c0001', 'done', NULL, ?, ?, 10.0, 1.0, 8.0, "
            "NULL, 1.25e10, 1500.0, -2e8, 0.9, 5.75, 41.123456, 1e7, NULL, 1500.0, "
            "'{\"lcot\": 31.5}', '{}', '{}', NULL, '0.1.0', ?)",
            [digest, digest[:12], moment, moment, moment],
        )
    catalogue = Catalogue(path, create=False)
    row = catalogue.get(digest[:12])
    assert row["headlines"]["objective_eur"] == 1.25e10
    assert row["headlines"]["emissions_mt"] == 41.123456
    assert row["headlines"]["lcot"] == 31.5
    runs = catalogue.runs(status="done")
    for quantity in CATALOGUE_QUANTITIES:
        assert quantity.catalogue_column in runs.columns
    assert runs.loc[0, "caspian_mw"] == 1500.0
    # The model reads the catalogue's spelling of the total cost too.
    assert canonical_keys(row["headlines"])[TOTAL_COST.name] == 1.25e10


def test_a_missing_quantity_is_an_error_the_caller_can_name() -> None:
    data = small_headlines().as_dict()
    del data[TOTAL_COST.name]
    with pytest.raises(KeyError, match=TOTAL_COST.name):
        Headlines.from_dict(data)
