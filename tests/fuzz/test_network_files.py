"""Fuzz the network readers (netCDF, PyPSA CSV folder, caspian folder) through ``caspian
validate``: a valid network written in each layout, damaged in one to three random ways, must be
read and validated, or refused with exit code 2."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from caspian.network import CustomColumnWarning, Network, write_network
from tests.fuzz.harness import FUZZ, check_exit

LAYOUTS = ("caspian-csv", "caspian-parquet", "pypsa-csv", "pypsa-netcdf")

TEXT_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e999",
            "-1",
            "0",
            "1e30",
            "True",
            "no",
            '"',
            ",",
            "\n",
            "2030-13-45",
            "bus",
            "../x",
            "0x10",
            "1_000",
            "١٢",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=16),
)


def _network() -> Network:
    """A small network that exercises every reader's tables: buses, lines, links, generators
    with a series, storage, a store, a load, carriers and a CO2 cap."""
    n = Network("fuzz", snapshots=range(4))
    n.add("Carrier", ["gas", "wind"], co2_emissions=[0.2, 0.0])
    n.add("Bus", ["north", "south", "east"], v_nom=380.0)
    n.add("Line", "n-s", bus0="north", bus1="south", x=0.1, s_nom=100.0)
    n.add("Link", "s-e", bus0="south", bus1="east", p_nom=50.0, efficiency=0.97)
    n.add("Generator", "gas", bus="north", p_nom=80.0, marginal_cost=50.0, carrier="gas")
    n.add(
        "Generator",
        "wind",
        bus="east",
        p_nom_extendable=True,
        capital_cost=1000.0,
        p_max_pu=[0.1, 0.5, 0.9, 0.3],
        carrier="wind",
    )
    n.add("Load", "demand", bus="south", p_set=[30.0, 40.0, 50.0, 45.0])
    n.add("StorageUnit", "battery", bus="south", p_nom=5.0, max_hours=4.0)
    n.add("Store", "tank", bus="east", e_nom=20.0, e_cyclic=True)
    n.add("GlobalConstraint", "co2", constant=1000.0)
    return n


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz-networks")
    n = _network()
    paths = {
        "caspian-csv": root / "caspian-csv",
        "caspian-parquet": root / "caspian-parquet",
        "pypsa-csv": root / "pypsa-csv",
        "pypsa-netcdf": root / "network.nc",
    }
    write_network(n, paths["caspian-csv"])
    write_network(n, paths["caspian-parquet"], table_format="parquet")
    write_network(n, paths["pypsa-csv"], format="pypsa-csv")
    write_network(n, paths["pypsa-netcdf"], format="pypsa-netcdf")
    return paths


Damage = Callable[[Path], None]


def _files(base: Path) -> list[str]:
    return sorted(p.name for p in base.iterdir()) if base.is_dir() else [""]


@st.composite
def damages(draw: st.DrawFn, base: Path) -> Damage:
    """One random change to a copy of ``base`` (a folder or a netCDF file)."""
    name = draw(st.sampled_from(_files(base)))
    original = base / name if name else base
    kind = draw(
        st.sampled_from(
            ["cell", "row", "column", "truncate", "garbage", "remove", "netcdf"]
            if base.suffix == ".nc"
            else ["cell", "row", "column", "truncate", "garbage", "remove"]
        )
    )
    if kind in ("cell", "row", "column") and original.suffix in (".csv", ".toml"):
        lines = original.read_text().splitlines() or [""]
        row = draw(st.integers(0, len(lines) - 1))
        fields = lines[row].split(",")
        col = draw(st.integers(0, len(fields) - 1))
        text = draw(TEXT_CELLS)

        def edit(path: Path) -> None:
            new = list(lines)
            if kind == "cell":
                cells = list(fields)
                cells[col] = text
                new[row] = ",".join(cells)
            elif kind == "row":
                new.insert(row, new[row]) if text else new.pop(row)
            else:
                new = [
                    ",".join(f for i, f in enumerate(line.split(",")) if i != col) for line in new
                ]
            (path / name).write_text("\n".join(new) + "\n")

        return edit
    if kind == "netcdf":
        data = xr.open_dataset(base)
        variables = sorted(str(v) for v in data.data_vars)
        data.close()
        variable = draw(st.sampled_from(variables))
        value = draw(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True),
                st.sampled_from([0.0, -1.0, 1e30, 1e21, np.nan, np.inf]),
            )
        )
        drop = draw(st.booleans())

        def change_variable(path: Path) -> None:
            with xr.open_dataset(path) as ds:
                ds = ds.load()
            if drop:
                ds = ds.drop_vars(variable)
            elif ds[variable].dtype.kind in "fiu":
                ds[variable] = ds[variable].astype(float) * 0 + value
            else:
                ds[variable] = ds[variable].astype(str).str.replace("a", "\u0301")
            path.unlink()
            ds.to_netcdf(path)

        return change_variable
    size = original.stat().st_size
    keep = draw(st.integers(0, max(size - 1, 0)))
    garbage = draw(st.binary(max_size=300))

    def bytes_change(path: Path) -> None:
        target = path / name if name else path
        if kind == "remove" and name:
            target.unlink()
        elif kind == "garbage":
            target.write_bytes(garbage)
        else:
            target.write_bytes(target.read_bytes()[:keep])

    return bytes_change


@pytest.mark.parametrize("layout", LAYOUTS)
@FUZZ
@given(data=st.data())
def test_damaged_network_files_load_or_exit_2(
    bases: dict[str, Path], data: st.DataObject, layout: str
) -> None:
    base = bases[layout]
    changes = data.draw(st.lists(damages(base), min_size=1, max_size=3))
    folder = Path(tempfile.mkdtemp(prefix="caspian-fuzz-"))
    try:
        target = folder / base.name
        if base.is_dir():
            shutil.copytree(base, target)
        else:
            shutil.copy(base, target)
        for change in changes:
            # An earlier change may have removed or broken what this one edits.
            with contextlib.suppress(FileNotFoundError, KeyError, ValueError, OSError):
                change(target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CustomColumnWarning)
            check_exit(f"network files ({layout})", ["validate", str(target)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
