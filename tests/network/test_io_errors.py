"""Errors in files: each names the file, what is wrong in it and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.exceptions import InputError, ValidationError
from caspian.network import Network, read_network, write_network


@pytest.fixture
def folder(tmp_path: Path, tiny: Network) -> Path:
    tiny.add("Generator", "wind", bus="east", p_nom=20.0, p_max_pu=[0.1, 0.2, 0.3, 0.4])
    write_network(tiny, tmp_path / "grid")
    return tmp_path / "grid"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))


def read_problems(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read_network(path)
    assert str(info.value).startswith(f"{len(info.value.problems)} problem")
    assert str(path) in str(info.value).splitlines()[0]
    return info.value.problems


def test_unknown_bus_names_the_file(folder: Path) -> None:
    edit(folder / "generators.csv", "gas,north,", "gas,nrth,")
    (problem,) = read_problems(folder)
    assert problem == (
        "generators.csv: Generator.bus = 'nrth' on 'gas' is not a bus. Did you mean 'north'? "
        "Fix the name or add it to buses.csv."
    )


def test_misspelt_column(folder: Path) -> None:
    edit(folder / "generators.csv", "p_nom_extendable", "p_nom_extendible")
    (problem,) = read_problems(folder)
    assert problem.startswith(
        "generators.csv: unknown column 'p_nom_extendible' in Generator. Did you mean "
        "'p_nom_extendable'? Rename it, remove it, or declare it as a custom column under "
        "[custom_attributes] generators in network.toml."
    )


def test_declared_custom_column_is_accepted(folder: Path) -> None:
    edit(folder / "buses.csv", "name,", "name,region,")
    for bus in ("north", "south", "east"):
        edit(folder / "buses.csv", f"\n{bus},", f"\n{bus},AZ,")
    assert "unknown column 'region'" in read_problems(folder)[0]
    edit(folder / "network.toml", "[custom_attributes]", '[custom_attributes]\nbuses = ["region"]')
    assert read_network(folder).static["Bus"]["region"].tolist() == ["AZ", "AZ", "AZ"]


def test_truncated_series(folder: Path) -> None:
    lines = (folder / "generators-p_max_pu.csv").read_text().splitlines()
    (folder / "generators-p_max_pu.csv").write_text("\n".join(lines[:3]) + "\n")
    (problem,) = read_problems(folder)
    assert problem == (
        "generators-p_max_pu.csv: Generator.p_max_pu has 2 rows, but the network has 4 "
        "snapshots; give one row per snapshot."
    )


def test_series_rows_labelled_otherwise(folder: Path) -> None:
    edit(folder / "generators-p_max_pu.csv", "2030-01-01T02:00:00", "2030-01-01T05:00:00")
    (problem,) = read_problems(folder)
    assert problem.startswith(
        "generators-p_max_pu.csv: Generator.p_max_pu: row 3 is labelled '2030-01-01 05:00:00' "
        "where the snapshots have '2030-01-01 02:00:00'"
    )


def test_bad_cell_in_series(folder: Path) -> None:
    edit(folder / "generators-p_max_pu.csv", ",0.2", ",lots")
    (problem,) = read_problems(folder)
    assert problem.startswith(
        "generators-p_max_pu.csv: Generator.p_max_pu = 'lots' for 'wind' at snapshot "
        "'2030-01-01 01:00:00' is not a number"
    )


def test_bad_cell_in_table(folder: Path) -> None:
    edit(folder / "generators.csv", ",100.0,", ",1OO,")
    (problem,) = read_problems(folder)
    assert "generators.csv: Generator.p_nom = '1OO' on 'gas' is not a number" in problem


def test_empty_cell_is_missing(folder: Path) -> None:
    edit(folder / "generators.csv", ",100.0,", ",,")
    (problem,) = read_problems(folder)
    assert (
        "Generator.p_nom = nan on 'gas' is missing; give a number between 0 and 1e+15 (MW) "
        "(the default is 0.0)." in problem
    )


def test_refused_in_folder(folder: Path) -> None:
    edit(folder / "generators.csv", "name,", "name,committable,")
    edit(folder / "generators.csv", "\ngas,", "\ngas,True,")
    edit(folder / "generators.csv", "\nwind,", "\nwind,False,")
    (problem,) = read_problems(folder)
    assert problem == (
        "generators.csv: Generator.committable = True on 'gas' asks for unit commitment, which "
        "caspian-grid does not model; remove it or set it to False."
    )


def test_unknown_series_attribute(folder: Path) -> None:
    (folder / "generators-p_max_pu.csv").rename(folder / "generators-p_maxpu.csv")
    (problem,) = read_problems(folder)
    assert problem.startswith(
        "generators-p_maxpu.csv: unknown time-varying attribute 'p_maxpu' of Generator. Did you "
        "mean 'p_max_pu'?"
    )


def test_unexpected_file(folder: Path) -> None:
    (folder / "generators.csv").rename(folder / "generator.csv")
    found = read_problems(folder)
    assert any(
        p.startswith("generator.csv: unexpected file. Did you mean 'generators.csv'?")
        for p in found
    )
    assert any(
        p.startswith("generators.csv: missing; network.toml lists 'generators'") for p in found
    )


def test_header_problems(folder: Path) -> None:
    edit(
        folder / "network.toml",
        "components = [",
        'colour = "red"\ncomponents = ["transformers", "generater", ',
    )
    found = read_problems(folder)
    assert "network.toml: unknown key 'colour'. Remove it." in found
    assert any(
        "does not model Transformer components; replace each two-winding transformer by a Line" in p
        for p in found
    )
    assert any(
        "'generater', which is not a component. Did you mean 'generators'?" in p for p in found
    )


def test_wrong_format_or_version(folder: Path) -> None:
    edit(folder / "network.toml", "version = 1", "version = 99")
    with pytest.raises(InputError, match=r"network\.toml: version = 99 is not a format version"):
        read_network(folder)
    edit(folder / "network.toml", 'format = "caspian-grid"', 'format = "pypsa"')
    with pytest.raises(InputError, match="format = 'pypsa' is not a caspian-grid network"):
        read_network(folder)


def test_garbage_header(folder: Path) -> None:
    (folder / "network.toml").write_bytes(b"\xff\xfe not toml [[[")
    with pytest.raises(InputError, match=r"network.toml: could not be read: UnicodeDecodeError"):
        read_network(folder)


def test_snapshot_type_mismatch(folder: Path) -> None:
    edit(folder / "snapshots.csv", "2030-01-01T01:00:00", "one o'clock")
    found = read_problems(folder)
    assert found[0].startswith(
        "snapshots.csv: the snapshot labels are not of snapshot_type = 'datetime' as "
        "network.toml says"
    )


def test_missing_weighting_column(folder: Path) -> None:
    edit(
        folder / "snapshots.csv",
        "snapshot,objective,stores,generators",
        "snapshot,objectiv,stores,generators",
    )
    found = read_problems(folder)
    assert "snapshots.csv: unknown column 'objectiv'. Did you mean 'objective'?" in found[0]
    assert found[1].startswith("snapshots.csv: missing column 'objective'")


def test_pypsa_csv_errors_name_the_file(tmp_path: Path, tiny: Network) -> None:
    write_network(tiny, tmp_path / "net", format="pypsa-csv")
    edit(tmp_path / "net" / "loads.csv", "city,south", "city,sooth")
    (problem,) = read_problems(tmp_path / "net")
    assert problem.startswith(
        "loads.csv: Load.bus = 'sooth' on 'city' is not a bus. Did you mean 'south'?"
    )


def test_truncated_netcdf(tmp_path: Path, tiny: Network) -> None:
    write_network(tiny, tmp_path / "net.nc", format="pypsa-netcdf")
    data = (tmp_path / "net.nc").read_bytes()
    (tmp_path / "net.nc").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"net\.nc: could not be read"):
        read_network(tmp_path / "net.nc")
