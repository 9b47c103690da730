"""Property tests: malformed input to the readers gives InputError, never another exception.

Each example copies a valid network in one layout, damages it (a cell, a column, a truncated
file, garbage bytes, a variable of a netCDF file) and reads it back: the reader must either
return a network or raise :class:`InputError` (validation problems included). A network it
accepts is written again in the same layout and must read back the same: what the reader
returns is what a file can hold, nothing lost or made up on the way.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caspian.exceptions import InputError
from caspian.network import CustomColumnWarning, Network, read_network, write_network
from caspian.network.io_folder import HEADER_KEYS
from tests.network.networks import assert_same_network, tiny_network

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LAYOUTS = ("caspian-csv", "caspian-parquet", "pypsa-csv", "pypsa-netcdf")
WRITE_ARGS: dict[str, dict[str, str]] = {
    "caspian-csv": {},
    "caspian-parquet": {"table_format": "parquet"},
    "pypsa-csv": {"format": "pypsa-csv"},
    "pypsa-netcdf": {"format": "pypsa-netcdf"},
}
"""How ``write_network`` writes each layout."""

cells = st.one_of(
    st.sampled_from(["", "nan", "inf", "-inf", "-1", "1e999", "True", "no", '"', ",", "\n", "now"]),
    st.text(max_size=12),
)


def _network() -> Network:
    n = tiny_network()
    n.add("Generator", "wind", bus="east", p_nom=20.0, p_max_pu=[0.1, 0.2, 0.3, 0.4])
    n.add("StorageUnit", "battery", bus="south", p_nom=5.0, cyclic_state_of_charge=True)
    n.add("GlobalConstraint", "co2", constant=100.0)
    return n


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz")
    paths = {layout: root / _file_name(layout) for layout in LAYOUTS}
    for layout, path in paths.items():
        write_network(_network(), path, **WRITE_ARGS[layout])  # type: ignore[arg-type]
    return paths


def _file_name(layout: str) -> str:
    return f"{layout}.nc" if layout == "pypsa-netcdf" else layout


def _layout(path: Path) -> str:
    return path.name.removesuffix(".nc")


@pytest.fixture
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def copy(base: Path) -> tuple[Path, Path]:
    """A fresh copy of ``base`` in a new temporary folder: (copy, folder to remove)."""
    folder = Path(tempfile.mkdtemp())
    target = folder / base.name
    if base.is_dir():
        shutil.copytree(base, target)
    else:
        shutil.copy(base, target)
    return target, folder


def read_or_input_error(path: Path) -> Network | None:
    """The network at ``path``, or None if the reader refuses it with an InputError."""
    # A renamed column is a custom column: kept with a notice, which is not a failure here.
    with contextlib.suppress(InputError), warnings.catch_warnings():
        warnings.simplefilter("ignore", CustomColumnWarning)
        return read_network(path)
    return None


def assert_reads_back(n: Network, layout: str, folder: Path) -> None:
    """``n`` written in ``layout`` reads back the same."""
    path = folder / "again" / _file_name(layout)
    path.parent.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CustomColumnWarning)
        write_network(n, path, **WRITE_ARGS[layout])  # type: ignore[arg-type]
        assert_same_network(read_network(path), n)


def damage(base: Path, change: object) -> None:
    """Apply ``change(path)`` to a copy of ``base`` and read it; if it reads, it reads back."""
    path, folder = copy(base)
    try:
        change(path)  # type: ignore[operator]
        accepted = read_or_input_error(path)
        if accepted is not None:
            assert_reads_back(accepted, _layout(base), folder)
    finally:
        shutil.rmtree(folder)


def csv_files(base: Path) -> list[str]:
    return sorted(p.name for p in base.glob("*.csv"))


@FUZZ
@given(data=st.data(), layout=st.sampled_from(["caspian-csv", "pypsa-csv"]), text=cells)
def test_corrupted_cell(
    bases: dict[str, Path], data: st.DataObject, layout: str, text: str
) -> None:
    file = data.draw(st.sampled_from(csv_files(bases[layout])))
    lines = (bases[layout] / file).read_text().splitlines()
    row = data.draw(st.integers(0, len(lines) - 1))
    fields = lines[row].split(",")
    col = data.draw(st.integers(0, len(fields) - 1))

    def change(path: Path) -> None:
        fields[col] = text
        lines[row] = ",".join(fields)
        (path / file).write_text("\n".join(lines) + "\n")

    damage(bases[layout], change)


@FUZZ
@given(
    data=st.data(),
    layout=st.sampled_from(["caspian-csv", "pypsa-csv"]),
    new_name=st.one_of(st.none(), cells),
)
def test_dropped_or_renamed_column(
    bases: dict[str, Path], data: st.DataObject, layout: str, new_name: str | None
) -> None:
    file = data.draw(st.sampled_from(csv_files(bases[layout])))
    rows = [line.split(",") for line in (bases[layout] / file).read_text().splitlines()]
    col = data.draw(st.integers(0, len(rows[0]) - 1))

    def change(path: Path) -> None:
        if new_name is None:
            out = [r[:col] + r[col + 1 :] for r in rows]
        else:
            out = [
                [new_name, *r[col + 1 :]] if i == 0 and col == 0 else r for i, r in enumerate(rows)
            ]
            out[0][col] = new_name
        (path / file).write_text("\n".join(",".join(r) for r in out) + "\n")

    damage(bases[layout], change)


@FUZZ
@given(data=st.data(), layout=st.sampled_from(LAYOUTS))
def test_truncated_file(bases: dict[str, Path], data: st.DataObject, layout: str) -> None:
    base = bases[layout]
    names = sorted(p.name for p in base.iterdir()) if base.is_dir() else [None]
    name = data.draw(st.sampled_from(names))
    size = (base / name if name else base).stat().st_size
    keep = data.draw(st.integers(0, max(size - 1, 0)))

    def change(path: Path) -> None:
        target = path / name if name else path
        target.write_bytes(target.read_bytes()[:keep])

    damage(base, change)


@FUZZ
@given(data=st.data(), layout=st.sampled_from(LAYOUTS), garbage=st.binary(max_size=200))
def test_garbage_file(
    bases: dict[str, Path], data: st.DataObject, layout: str, garbage: bytes
) -> None:
    base = bases[layout]
    names = sorted(p.name for p in base.iterdir()) if base.is_dir() else [None]
    name = data.draw(st.sampled_from(names))

    def change(path: Path) -> None:
        (path / name if name else path).write_bytes(garbage)

    damage(base, change)


toml_values = st.recursive(
    st.one_of(st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
header_keys = st.sampled_from([*HEADER_KEYS, "extra"])


@FUZZ
@given(changes=st.dictionaries(header_keys, toml_values, max_size=4))
def test_garbage_header_values(bases: dict[str, Path], changes: dict[str, object]) -> None:
    def change(path: Path) -> None:
        import tomllib

        header = tomllib.loads((path / "network.toml").read_text())
        header.update(changes)
        (path / "network.toml").write_text(tomli_w.dumps(header))

    damage(bases["caspian-csv"], change)


@FUZZ
@given(
    data=st.data(), value=st.one_of(cells, st.floats(), st.booleans(), st.integers(-(2**31), 2**31))
)
def test_netcdf_variable_damage(bases: dict[str, Path], data: st.DataObject, value: object) -> None:
    with xr.open_dataset(bases["pypsa-netcdf"]) as ds:
        ds = ds.load()
    name = data.draw(st.sampled_from(sorted(str(v) for v in ds.variables)))
    action = data.draw(st.sampled_from(["drop", "fill", "rename"]))

    def change(path: Path) -> None:
        if action == "drop":
            damaged = ds.drop_vars(name)
        elif action == "rename":
            damaged = ds.rename_vars({name: f"{name}x"}) if name not in ds.dims else ds
        else:
            damaged = ds.copy()
            damaged[name] = (
                xr.full_like(ds[name], value, dtype=type(value))
                if name not in ds.dims
                else ds[name]
            )
        damaged.to_netcdf(path)

    damage(bases["pypsa-netcdf"], change)


def test_base_networks_read(bases: dict[str, Path]) -> None:
    for path in bases.values():
        assert_same_network(read_network(path), _network())
