"""Custom columns are kept, written back and announced once; misspelt attributes are refused."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from caspian.network import CustomColumnWarning, read_network, write_network
from caspian.network.custom import misspelt_attribute, refusable
from caspian.network.schema import COMPONENTS
from tests.network.pypsa_files import (
    FORMATS,
    PYPSA_MARKS,
    export,
    pypsa,
    pypsa_network,
    refusal,
)

pytestmark = PYPSA_MARKS


@pytest.mark.parametrize(
    ("component", "column"),
    [
        ("Line", "length_m"),  # the attribute plus a word: a meaning of its own
        ("Line", "length_km"),
        ("Line", "underground"),
        ("Line", "i_nom"),
        ("Generator", "bus_name"),
        ("Generator", "country"),
        ("Generator", "note"),
        ("Generator", "p_nom_max_2030"),
        ("Generator", "marginal_cost_eur"),
    ],
)
def test_custom_columns_are_not_misspellings(component: str, column: str) -> None:
    assert misspelt_attribute(column, refusable(COMPONENTS[component], False)) is None


@pytest.mark.parametrize(
    ("component", "column", "attribute"),
    [
        ("Generator", "p_nom_extendible", "p_nom_extendable"),
        ("Generator", "marginal_costs", "marginal_cost"),  # a letter added inside a word
        ("Generator", "P_NOM", "p_nom"),
        ("Generator", "pnom", "p_nom"),
        ("Generator", "build_years", "build_year"),  # refused attributes count too
        ("Link", "bus_0", "bus0"),
    ],
)
def test_misspellings(component: str, column: str, attribute: str) -> None:
    assert misspelt_attribute(column, refusable(COMPONENTS[component], False)) == attribute


def test_misspelt_series() -> None:
    generator = COMPONENTS["Generator"]
    assert misspelt_attribute("p_max_puu", refusable(generator, True)) == "p_max_pu"
    assert misspelt_attribute("p_max_pu_2030", refusable(generator, True)) is None


def with_custom_columns() -> pypsa.Network:
    """PyPSA's network with custom columns of its users: text, numbers, flags, a series."""
    n = pypsa_network()
    n.lines["length_m"] = [100e3, 20e3]
    n.lines["underground"] = [True, False]
    n.generators["country"] = ["AZ", "AZ", "KZ", "sea"]
    n.generators["note"] = ["old", "", "", "new"]
    n.generators["control"] = ["PV", "PQ", "PQ", "Slack"]  # PyPSA's own: no notice
    n.generators_t["profile"] = pd.DataFrame({"wind": [1.0, 2.0, 3.0, 4.0]}, index=n.snapshots)
    return n


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_custom_columns_are_kept_with_one_notice(tmp_path: Path, fmt: str, name: str) -> None:
    path = export(with_custom_columns(), tmp_path / name)
    with pytest.warns(CustomColumnWarning) as notices:
        ours = read_network(path)
    assert [str(w.message) for w in notices] == [
        f"{path}: 5 custom column(s) kept but not used by caspian-grid: Generator.country, "
        "Generator.note, Generator.profile (per snapshot), Line.length_m, Line.underground. "
        "They are written back when the network is written in a PyPSA format; rename one if "
        "it was meant as a PyPSA attribute."
    ]
    assert ours.static["Line"]["length_m"].tolist() == [100e3, 20e3]
    assert ours.static["Line"]["underground"].tolist() == [True, False]
    assert ours.static["Generator"]["country"].tolist() == ["AZ", "AZ", "KZ", "sea"]
    assert ours.static["Generator"]["control"].tolist() == ["PV", "PQ", "PQ", "Slack"]
    assert math.isclose(ours.static["Line"].loc["ab", "num_parallel"], 2.0)
    # ... and written back, so PyPSA reads them from our file as it wrote them.
    write_network(ours, tmp_path / f"ours-{name}", format=fmt)  # type: ignore[arg-type]
    theirs = pypsa.Network(tmp_path / f"ours-{name}")
    assert theirs.lines["length_m"].tolist() == [100e3, 20e3]
    assert theirs.generators["note"].tolist() == ["old", "", "", "new"]
    assert theirs.generators_t["profile"]["wind"].tolist() == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_misspelt_columns_are_refused(tmp_path: Path, fmt: str, name: str) -> None:
    n = pypsa_network()
    n.generators["p_nom_extendible"] = True
    n.generators["marginal_costs"] = 30.0
    n.lines["length_m"] = 1.0  # kept: no notice, since the read fails
    message = refusal(tmp_path, n, name)
    assert message.startswith(f"2 problems in {tmp_path / name}:")
    for column, attribute in (
        ("p_nom_extendible", "p_nom_extendable"),
        ("marginal_costs", "marginal_cost"),
    ):
        assert (
            f"unknown column '{column}' in Generator. Did you mean '{attribute}'? Rename it: as "
            "written it is kept as a custom column and the attribute keeps its default."
        ) in message
