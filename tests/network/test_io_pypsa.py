"""PyPSA interoperability: files PyPSA writes read right, files we write PyPSA reads back equal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from caspian.network import Network, read_network, write_network
from caspian.network.pypsa_attrs import CASPIAN_ONLY
from caspian.network.schema import COMPONENTS
from tests.network.networks import full_network, without_default_refused
from tests.network.pypsa_files import (
    FORMATS,
    PYPSA_MARKS,
    export,
    pypsa,
    pypsa_network,
)

pytestmark = PYPSA_MARKS


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
