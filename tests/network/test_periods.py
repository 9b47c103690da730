"""Representative periods are part of the network's time structure (``n.periods``): written and
read with the network in every layout, validated with it, and used by the optimisation without
being passed beside it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from caspian.decompose import BendersOptions, solve_benders
from caspian.decompose.method import decide
from caspian.exceptions import InputError, ValidationError
from caspian.network import Network, read_network, write_network
from caspian.network.periods import META_KEY, RepresentativePeriods
from caspian.optimize import optimize
from tests.optimize.test_periods import battery, one_bus

SEQUENCE = [0, 1, 1, 0, 1]
"""Five original periods of six hours, stood for by two typical ones."""


def typical() -> Network:
    """Two typical periods of six snapshots standing for five, weighted by occurrence."""
    n = one_bus(snapshots=12)
    battery(n)
    periods = RepresentativePeriods(2, 6, np.array(SEQUENCE))
    for column in n.snapshot_weightings:
        n.snapshot_weightings[column] = np.repeat(periods.occurrences(), 6) * 1.0
    n.periods = periods
    return n


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("caspian", "folder"), ("pypsa-netcdf", "network.nc"), ("pypsa-csv", "csv")],
)
def test_periods_are_written_and_read_with_the_network(tmp_path: Path, fmt: str, name: str) -> None:
    n = typical()
    n.meta = {"author": "test"}
    write_network(n, tmp_path / name, format=fmt)  # type: ignore[arg-type]
    back = read_network(tmp_path / name)
    assert back.periods is not None
    assert back.periods.as_dict() == {"n_typical": 2, "period_length": 6, "sequence": SEQUENCE}
    assert back.meta == {"author": "test"}  # the periods' entry does not leak into meta
    assert n.meta == {"author": "test"}  # writing does not change the network


def test_a_chronological_network_has_no_periods_after_a_round_trip(tmp_path: Path) -> None:
    write_network(one_bus(), tmp_path / "n.nc", format="pypsa-netcdf")
    assert read_network(tmp_path / "n.nc").periods is None


def test_a_damaged_periods_entry_names_the_file_and_the_key(tmp_path: Path) -> None:
    write_network(typical(), tmp_path / "csv", format="pypsa-csv")
    meta = tmp_path / "csv" / "meta.json"
    meta.write_text(json.dumps({META_KEY: {"n_typical": 2, "sequence": [0, 1]}}))
    with pytest.raises(ValidationError) as info:
        read_network(tmp_path / "csv")
    message = str(info.value)
    assert f"meta.json: meta.{META_KEY} = " in message
    assert "is not a set of representative periods (KeyError: 'period_length')" in message


def test_periods_that_do_not_fit_the_snapshots_are_a_validation_problem(tmp_path: Path) -> None:
    n = typical()
    n.periods = RepresentativePeriods(3, 6, np.array([0, 1, 2]))  # 18 snapshots, not 12
    write_network(n, tmp_path / "folder")
    with pytest.raises(ValidationError, match=r"the representative periods \(n.periods\): "):
        read_network(tmp_path / "folder")


def test_new_snapshots_drop_the_periods_and_a_copy_keeps_them() -> None:
    n = typical()
    assert n.copy().periods is n.periods
    n.set_snapshots(range(24))
    assert n.periods is None


def test_the_optimisation_uses_the_networks_own_periods() -> None:
    n = typical()
    own = optimize(n)
    chronological = n.copy()
    chronological.periods = None
    passed = optimize(chronological, periods=n.periods)
    assert own.objective == pytest.approx(passed.objective, rel=1e-12)
    assert own.periods is n.periods
    assert own.objective != pytest.approx(optimize(chronological).objective, rel=1e-6)


def test_periods_passed_beside_a_network_with_other_periods_are_refused() -> None:
    n = typical()
    other = RepresentativePeriods(2, 6, np.array([1, 0, 0, 1, 0]))
    with pytest.raises(InputError, match="differ from the network's own"):
        optimize(n, periods=other)


def test_benders_refuses_representative_periods_and_auto_solves_them_whole() -> None:
    n = typical()
    decision = decide(n, BendersOptions(block_hours=6))
    assert decision.note is not None and "representative periods" in decision.note
    assert not isinstance(decision.method, BendersOptions)
    with pytest.raises(InputError, match="representative periods"):
        solve_benders(n, BendersOptions(block_hours=6))
