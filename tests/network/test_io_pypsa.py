"""PyPSA interoperability: files PyPSA writes read right, files we write PyPSA reads back equal."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import ValidationError
from caspian.network import Network, read_network, write_network
from caspian.network.pypsa_attrs import CASPIAN_ONLY
from caspian.network.schema import COMPONENTS
from tests.network.networks import full_network, without_default_refused

pypsa = pytest.importorskip("pypsa")

# PyPSA 1.4's CSV exporter and importer leave meta.json and crs.json open
# (``fn.open("w").write(...)`` in pypsa/network/io.py); that is theirs, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

FORMATS = [("pypsa-netcdf", "net.nc"), ("pypsa-csv", "net")]


@pytest.fixture(autouse=True)
def _quiet_pypsa() -> Iterator[None]:
    pypsa.options.api.legacy_string_dtype = True
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    yield


def export(n: pypsa.Network, path: Path) -> Path:
    """Write ``n`` with PyPSA's own exporter, as netCDF for ``*.nc`` else as a CSV folder."""
    if path.suffix == ".nc":
        n.export_to_netcdf(path)
    else:
        n.export_to_csv_folder(path)
    return path


def pypsa_network() -> pypsa.Network:
    """A PyPSA network using every component caspian-grid supports, built with PyPSA's API."""
    n = pypsa.Network(name="pypsa-made")
    sns = pd.date_range("2030-01-01", periods=4, freq="h")
    n.set_snapshots(sns)
    n.snapshot_weightings = pd.DataFrame(
        {"objective": [1.0, 2.0, 0.5, 3.0], "stores": [1.0, 2.0, 0.5, 3.0], "generators": 1.0},
        index=sns,
    )
    n.meta = {"source": "pypsa", "scale": 2}
    n.add("Carrier", ["gas", "wind", "AC", "DC"], co2_emissions=[0.2, 0, 0, 0], color="#123456")
    n.add("Bus", ["a", "b", "c"], v_nom=[380, 380, 220], x=[1, 2, 3], y=[4, 5, 6])
    n.add("Bus", ["d", "e"], carrier="DC", v_nom=500)
    n.buses["country"] = ["AZ", "AZ", "KZ", "sea", "sea"]
    n.add(
        "Generator",
        "gas",
        bus="a",
        carrier="gas",
        p_nom=100,
        marginal_cost=[50, 60, 70, 80],
        p_nom_extendable=True,
        p_nom_max=500,
        capital_cost=1000,
        efficiency=0.5,
        ramp_limit_up=0.5,
    )
    n.add("Generator", "wind", bus="b", carrier="wind", p_nom=50, p_max_pu=[0.1, 0.5, 0.9, 0.3])
    n.add("Generator", ["c-gen", "e-gen"], bus=["c", "e"], p_nom=10)
    n.add("Load", "l", bus="b", p_set=[10, 20, 30, 40])
    n.add("Load", "l2", bus="d", p_set=5)
    n.add(
        "Line",
        "ab",
        bus0="a",
        bus1="b",
        x=0.1,
        r=0.01,
        s_nom=100,
        s_max_pu=[1, 0.9, 0.8, 0.7],
        length=100,
        num_parallel=2,
    )
    n.add("Line", "de", bus0="d", bus1="e", r=0.1, s_nom=10)
    n.add("Link", "hvdc", bus0="b", bus1="d", p_nom=50, efficiency=[0.9, 0.95, 0.97, 0.99])
    n.links["p_min_pu"] = -1.0
    n.add(
        "StorageUnit",
        "bat",
        bus="a",
        p_nom=10,
        max_hours=4,
        inflow=[0, 1, 2, 3],
        cyclic_state_of_charge=True,
        standing_loss=0.01,
    )
    n.add("Store", "h2", bus="c", e_nom=100, e_cyclic=True, e_max_pu=[1, 0.9, 0.8, 0.7])
    n.add("GlobalConstraint", "co2", sense="<=", constant=1e6)
    n.add("GlobalConstraint", "co2-exact", constant=5e5)  # PyPSA's default sense is "=="
    return n


def with_results(n: pypsa.Network) -> pypsa.Network:
    """``n`` with output columns as a solved PyPSA network has them."""
    n.generators["p_nom_opt"] = 123.0
    n.lines["s_nom_opt"] = 99.0
    n.generators_t.p = pd.DataFrame(1.0, index=n.snapshots, columns=n.generators.index)
    n.buses_t.marginal_price = pd.DataFrame(42.0, index=n.snapshots, columns=n.buses.index)
    n.storage_units_t.state_of_charge = pd.DataFrame(
        3.0, index=n.snapshots, columns=n.storage_units.index
    )
    n.global_constraints["mu"] = -7.0
    return n


def assert_pypsa_equal(left: pypsa.Network, right: pypsa.Network) -> None:
    """Identical static tables, time series and snapshot weightings, as PyPSA holds them."""
    assert left.name == right.name
    assert left.meta == right.meta
    pd.testing.assert_index_equal(left.snapshots, right.snapshots, exact=False)
    pd.testing.assert_frame_equal(
        left.snapshot_weightings, right.snapshot_weightings, check_dtype=False, check_freq=False
    )
    for component in COMPONENTS:
        pd.testing.assert_frame_equal(
            left.c[component].static, right.c[component].static, obj=component
        )
        for attr, table in left.c[component].dynamic.items():
            pd.testing.assert_frame_equal(
                table,
                right.c[component].dynamic[attr],
                check_freq=False,
                check_index_type=False,
                obj=f"{component}.{attr}",
            )


def assert_matches_pypsa(ours: Network, theirs: pypsa.Network) -> None:
    """Our network holds what PyPSA holds: snapshots, weightings, every column, every series.

    Refused and caspian-only columns at their default are left out of PyPSA files, so they
    are not compared.
    """
    assert ours.name == theirs.name
    assert ours.meta == theirs.meta
    pd.testing.assert_index_equal(ours.snapshots, theirs.snapshots, exact=False)
    loose = {
        "check_names": False,
        "check_index_type": False,
        "check_column_type": False,
        "check_freq": False,
    }
    pd.testing.assert_frame_equal(ours.snapshot_weightings, theirs.snapshot_weightings, **loose)
    for cname, frame in ours.components():
        static = theirs.c[cname].static
        for column in without_default_refused(frame, cname).columns:
            if column in CASPIAN_ONLY.get(cname, ()) and column not in static:
                assert not frame[column].any(), f"{cname}.{column} is set but not written"
                continue
            pd.testing.assert_series_equal(
                frame[column],
                static[column],
                check_dtype=False,
                check_index_type=False,
                obj=f"{cname}.{column}",
            )
        for attr, table in ours.dynamic[cname].items():
            theirs_t = theirs.c[cname].dynamic[attr][table.columns]
            pd.testing.assert_frame_equal(table, theirs_t, obj=f"{cname}.{attr}", **loose)


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_reads_what_pypsa_writes(tmp_path: Path, fmt: str, name: str) -> None:
    path = export(with_results(pypsa_network()), tmp_path / name)
    ours = read_network(path)
    assert_matches_pypsa(ours, pypsa.Network(path))
    assert ours.name == "pypsa-made"
    assert ours.static["GlobalConstraint"]["sense"].tolist() == ["<=", "=="]
    assert ours.static["Bus"]["country"].tolist() == ["AZ", "AZ", "KZ", "sea", "sea"]
    # Results are dropped on import: they describe a solved network, not an input.
    assert "p_nom_opt" not in ours.static["Generator"]
    assert "s_nom_opt" not in ours.static["Line"]
    assert "mu" not in ours.static["GlobalConstraint"]
    assert "p" not in ours.dynamic["Generator"]
    assert "marginal_price" not in ours.dynamic["Bus"]
    assert "state_of_charge" not in ours.dynamic["StorageUnit"]


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_pypsa_file_survives_caspian(tmp_path: Path, fmt: str, name: str) -> None:
    original = export(pypsa_network(), tmp_path / name)
    copy = tmp_path / f"copy-{name}"
    write_network(read_network(original), copy, format=fmt)  # type: ignore[arg-type]
    assert_pypsa_equal(pypsa.Network(original), pypsa.Network(copy))


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_pypsa_reads_what_we_write(tmp_path: Path, fmt: str, name: str) -> None:
    ours = full_network()
    write_network(ours, tmp_path / name, format=fmt)  # type: ignore[arg-type]
    theirs = pypsa.Network(tmp_path / name)
    assert_matches_pypsa(ours, theirs)
    # caspian-grid's bidirectional links reach PyPSA as a custom column (an ordinary link there).
    assert bool(theirs.links.loc["hvdc", "bidirectional"]) is True


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_pypsa_layout_matches_pypsa(tmp_path: Path, fmt: str, name: str) -> None:
    """Our files use PyPSA's names for every table, variable and attribute."""
    n = pypsa_network()
    theirs = export(n, tmp_path / f"pypsa-{name}")
    ours = tmp_path / name
    write_network(read_network(theirs), ours, format=fmt)  # type: ignore[arg-type]
    if fmt == "pypsa-csv":
        assert {p.name for p in theirs.iterdir()} - {"crs.json"} == {p.name for p in ours.iterdir()}
        for file in ("snapshots.csv", "generators-p_max_pu.csv"):
            assert (theirs / file).read_text().splitlines()[0] == (
                ours / file
            ).read_text().splitlines()[0]
    else:
        import xarray as xr

        with xr.open_dataset(theirs) as a, xr.open_dataset(ours) as b:
            # PyPSA leaves out columns at their default; we write every schema attribute.
            assert set(a.variables) <= set(b.variables)
            for extra in set(b.variables) - set(a.variables):
                list_name = next(
                    c.list_name for c in COMPONENTS.values() if extra.startswith(c.list_name + "_")
                )
                attr = extra[len(list_name) + 1 :]
                assert (
                    attr
                    in next(
                        c for c in COMPONENTS.values() if c.list_name == list_name
                    ).attribute_names
                )
            assert a["snapshots_snapshot"].dtype == b["snapshots_snapshot"].dtype
            assert a["generators_p_nom_extendable"].dtype == b["generators_p_nom_extendable"].dtype
            assert {"network_name", "network_pypsa_version", "meta"} <= set(b.attrs)


def _refusal(tmp_path: Path, n: pypsa.Network, name: str = "net.nc") -> str:
    with pytest.raises(ValidationError) as info:
        read_network(export(n, tmp_path / name))
    return str(info.value)


@pytest.mark.parametrize("name", ["net.nc", "net"])
def test_refuses_unit_commitment(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.generators.loc["gas", "committable"] = True
    message = _refusal(tmp_path, n, name)
    assert (
        "Generator.committable = True on 'gas' asks for unit commitment, which caspian-grid "
        "does not model; remove it or set it to False"
    ) in message
    assert message.startswith(f"1 problem in {tmp_path / name}:")


@pytest.mark.parametrize("name", ["net.nc", "net"])
def test_refuses_transformers(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.add("Transformer", ["t1", "t2"], bus0="a", bus1="c", x=0.1, s_nom=100)
    message = _refusal(tmp_path, n, name)
    assert "2 Transformer component(s) ('t1', 't2'), which caspian-grid does not model" in message


@pytest.mark.parametrize("name", ["net.nc", "net"])
def test_refuses_investment_periods(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.set_investment_periods([2030, 2040])
    assert "investment periods (a multi-period network)" in _refusal(tmp_path, n, name)


def test_refuses_scenarios(tmp_path: Path) -> None:
    n = pypsa.Network()
    n.add("Bus", "a")
    n.add("Generator", "g", bus="a", p_nom=1)
    n.set_scenarios({"low": 0.5, "high": 0.5})
    assert "stochastic scenarios" in _refusal(tmp_path, n)


@pytest.mark.parametrize("name", ["net.nc", "net"])
def test_refused_series_names_the_snapshot(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.generators_t.p_set = pd.DataFrame({"wind": [np.nan, 5.0, np.nan, np.nan]}, index=n.snapshots)
    message = _refusal(tmp_path, n, name)
    assert (
        "Generator.p_set = 5.0 on 'wind' at snapshot '2030-01-01 01:00:00' asks for a fixed"
        in message
    )


@pytest.mark.parametrize("name", ["net.nc", "net"])
def test_misspelt_custom_column_is_an_error(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.generators["p_nom_extendible"] = True
    message = _refusal(tmp_path, n, name)
    assert (
        "unknown column 'p_nom_extendible' in Generator. Did you mean 'p_nom_extendable'?"
        in message
    )


def test_multi_port_link_is_refused(tmp_path: Path) -> None:
    n = pypsa_network()
    n.add("Link", "chp", bus0="a", bus1="b", bus2="c", efficiency2=0.4, p_nom=10)
    message = _refusal(tmp_path, n)
    assert "Link.bus2 = 'c' on 'chp' asks for multi-port links" in message


def test_custom_and_passthrough_columns_are_kept(tmp_path: Path) -> None:
    n = pypsa_network()
    n.lines["underground"] = [True, False]
    n.generators["control"] = ["PV", "PQ", "PQ", "Slack"]
    ours = read_network(export(n, tmp_path / "net.nc"))
    assert ours.static["Line"]["underground"].tolist() == [True, False]
    assert ours.static["Generator"]["control"].tolist() == ["PV", "PQ", "PQ", "Slack"]
    assert math.isclose(ours.static["Line"].loc["ab", "num_parallel"], 2.0)
