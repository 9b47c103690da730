"""Round trips through every format lose nothing; writing is atomic and never overwrites."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import InputError
from caspian.network import CustomColumnWarning, Network, read_network, validate, write_network
from caspian.network.schema import COMPONENTS
from tests.network.networks import assert_same_network

TARGETS = [
    ("caspian", "csv", "net"),
    ("caspian", "parquet", "net"),
    ("pypsa-netcdf", "csv", "net.nc"),
    ("pypsa-csv", "csv", "net"),
]


def test_full_network_is_valid_and_sets_every_attribute(full: Network) -> None:
    validate(full)
    for cname, schema in COMPONENTS.items():
        frame = full.static[cname]
        assert len(frame), cname
        for attr in schema.attributes:
            values = full.get_series(cname, attr.name) if attr.dtype == "float" else None
            if attr.required or attr.dtype == "str":
                continue
            if values is None:
                assert (frame[attr.name] != attr.default).any(), f"{cname}.{attr.name}"
                continue
            default = float(attr.default)
            differs = ~((values == default) | (np.isnan(values) & np.isnan(default)))
            assert differs.any(), f"{cname}.{attr.name} is only ever at its default"
        for attr in schema.varying_names:
            assert full.is_varying(cname, attr) or cname == "Load", f"{cname}.{attr}"


def read_back(path: Path, fmt: str) -> Network:
    """Read the full network back: its custom columns come with a notice from PyPSA formats."""
    if fmt == "caspian":
        return read_network(path)  # declared in network.toml, so no notice
    custom = "Bus.region, Generator.country, Generator.units, Line.score, Store.flag"
    with pytest.warns(CustomColumnWarning, match=f"5 custom column\\(s\\) kept .*: {custom}\\."):
        return read_network(path)


@pytest.mark.parametrize(("fmt", "table_format", "name"), TARGETS)
def test_round_trip(tmp_path: Path, full: Network, fmt: str, table_format: str, name: str) -> None:
    write_network(full, tmp_path / name, format=fmt, table_format=table_format)  # type: ignore[arg-type]
    back = read_back(tmp_path / name, fmt)
    assert_same_network(full, back, ignore_default_refused=fmt != "caspian")


@pytest.mark.parametrize(("fmt", "table_format", "name"), TARGETS)
def test_twice_round_trip_is_stable(
    tmp_path: Path, full: Network, fmt: str, table_format: str, name: str
) -> None:
    write_network(full, tmp_path / f"1-{name}", format=fmt, table_format=table_format)  # type: ignore[arg-type]
    once = read_back(tmp_path / f"1-{name}", fmt)
    write_network(once, tmp_path / f"2-{name}", format=fmt, table_format=table_format)  # type: ignore[arg-type]
    assert_same_network(once, read_back(tmp_path / f"2-{name}", fmt))


@pytest.mark.parametrize(
    "snapshots",
    [
        pd.Index(["now"]),
        pd.Index(["winter peak", "summer night", "12"]),
        pd.RangeIndex(5),
        pd.date_range("2030-01-01", periods=3, freq="D"),
        pd.date_range("2030-03-30", periods=4, freq="h", tz="Europe/Berlin"),
        pd.Index([0.5, 1.5]),
    ],
    ids=["now", "text", "int", "dates", "tz", "float"],
)
@pytest.mark.parametrize("table_format", ["csv", "parquet"])
def test_caspian_folder_keeps_snapshot_types(
    tmp_path: Path, snapshots: pd.Index, table_format: str
) -> None:
    n = Network("labels", snapshots)
    n.add("Bus", "b")
    n.add("Generator", "g", bus="b", p_nom=1.0, p_max_pu=np.linspace(0, 1, len(snapshots)))
    write_network(n, tmp_path / "n", table_format=table_format)  # type: ignore[arg-type]
    back = read_network(tmp_path / "n")
    pd.testing.assert_index_equal(back.snapshots, n.snapshots, exact=False)
    assert back.snapshots.dtype.kind == n.snapshots.dtype.kind or (
        n.snapshots.dtype.kind == "O" and back.snapshots.dtype.kind == "O"
    )
    assert back.dynamic["Generator"]["p_max_pu"].index.equals(back.snapshots)


@pytest.mark.parametrize("fmt", ["pypsa-netcdf", "pypsa-csv"])
@pytest.mark.parametrize(
    "snapshots",
    [pd.Index(["now"]), pd.RangeIndex(3), pd.date_range("2030-01-01", periods=3, freq="D")],
    ids=["now", "int", "dates"],
)
def test_pypsa_formats_keep_snapshot_types(tmp_path: Path, fmt: str, snapshots: pd.Index) -> None:
    n = Network("labels", snapshots)
    n.add("Bus", "b")
    path = tmp_path / ("n.nc" if fmt == "pypsa-netcdf" else "n")
    write_network(n, path, format=fmt)  # type: ignore[arg-type]
    back = read_network(path)
    pd.testing.assert_index_equal(back.snapshots, n.snapshots, exact=False)


def test_time_zones_are_refused_by_pypsa_formats(tmp_path: Path) -> None:
    n = Network("tz", pd.date_range("2030-01-01", periods=2, freq="h", tz="UTC"))
    n.add("Bus", "b")
    with pytest.raises(InputError, match="time-zone-aware snapshots"):
        write_network(n, tmp_path / "n.nc", format="pypsa-netcdf")
    assert not list(tmp_path.iterdir())


def test_folder_layout(tmp_path: Path, full: Network) -> None:
    write_network(full, tmp_path / "net")
    files = {p.name for p in (tmp_path / "net").iterdir()}
    assert {"network.toml", "snapshots.csv", "generators.csv", "generators-p_max_pu.csv"} <= files
    header = tomllib.loads((tmp_path / "net" / "network.toml").read_text())
    assert header["format"] == "caspian-grid"
    assert header["version"] == 1
    assert header["table_format"] == "csv"
    assert header["snapshot_type"] == "datetime"
    assert header["custom_attributes"]["generators"] == ["country", "units"]
    assert "generators" in header["components"]
    assert header["meta"]["study"] == "round trip"
    snapshots = pd.read_csv(tmp_path / "net" / "snapshots.csv")
    assert list(snapshots.columns) == ["snapshot", "objective", "stores", "generators"]
    assert snapshots["snapshot"].iloc[1] == "2030-01-01T01:00:00"
    series = pd.read_csv(tmp_path / "net" / "generators-p_max_pu.csv")
    assert list(series.columns) == ["snapshot", "solar"]


def test_meta_that_toml_cannot_hold_is_kept_as_json(tmp_path: Path, tiny: Network) -> None:
    tiny.meta = {"missing": None, "values": [1, None]}
    write_network(tiny, tmp_path / "n")
    assert read_network(tmp_path / "n").meta == tiny.meta


def test_existing_path_is_never_overwritten(tmp_path: Path, tiny: Network) -> None:
    write_network(tiny, tmp_path / "n")
    before = (tmp_path / "n" / "generators.csv").read_text()
    tiny.static["Generator"]["p_nom"] = 7.0
    with pytest.raises(InputError, match=r"already exists.*overwrite=True"):
        write_network(tiny, tmp_path / "n")
    assert (tmp_path / "n" / "generators.csv").read_text() == before
    write_network(tiny, tmp_path / "n", overwrite=True)
    assert read_network(tmp_path / "n").static["Generator"].loc["gas", "p_nom"] == 7.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n"]


@pytest.mark.parametrize(("fmt", "name"), [("pypsa-netcdf", "n.nc"), ("pypsa-csv", "n")])
def test_overwrite_pypsa_formats(tmp_path: Path, tiny: Network, fmt: str, name: str) -> None:
    write_network(tiny, tmp_path / name, format=fmt)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="already exists"):
        write_network(tiny, tmp_path / name, format=fmt)  # type: ignore[arg-type]
    write_network(tiny, tmp_path / name, format=fmt, overwrite=True)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_failed_write_leaves_nothing(tmp_path: Path, tiny: Network) -> None:
    tiny.static["Line"]["mixed"] = pd.Series([1, "a"], index=tiny.lines.index, dtype=object)
    with pytest.raises(InputError):
        write_network(tiny, tmp_path / "n", table_format="parquet")
    assert list(tmp_path.iterdir()) == []


def test_write_arguments_are_checked(tmp_path: Path, tiny: Network) -> None:
    with pytest.raises(InputError, match=r"format 'pypsa-cdf'.*Did you mean 'pypsa-netcdf'"):
        write_network(tiny, tmp_path / "n", format="pypsa-cdf")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="caspian format only"):
        write_network(tiny, tmp_path / "n", format="pypsa-csv", table_format="parquet")
    with pytest.raises(InputError, match="does not exist"):
        write_network(tiny, tmp_path / "missing" / "n")


def test_read_dispatch(tmp_path: Path, tiny: Network) -> None:
    write_network(tiny, tmp_path / "n")
    assert read_network(tmp_path / "n" / "network.toml").name == "tiny"
    with pytest.raises(InputError, match=r"does not exist\. caspian-grid reads a caspian-grid"):
        read_network(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"is not a network.*network\.toml.*\.nc.*buses\.csv"):
        read_network(tmp_path / "empty")
    (tmp_path / "net.h5").write_bytes(b"\x89HDF")
    with pytest.raises(InputError, match=r"net\.h5"):
        read_network(tmp_path / "net.h5")
