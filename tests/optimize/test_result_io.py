"""Results folders: written atomically, read back whole by read_result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import InputError
from caspian.network.examples import example_network
from caspian.optimize import optimize
from caspian.optimize.export import read_result, write_result


@pytest.mark.parametrize("table_format", ["csv", "parquet"])
def test_read_result_gives_back_what_was_written(tmp_path: Path, table_format: str) -> None:
    n = example_network("demo")
    result = optimize(n)
    folder = write_result(result, tmp_path / "out", table_format=table_format)  # type: ignore[arg-type]
    back = read_result(folder)
    assert back.objective == pytest.approx(result.objective)
    np.testing.assert_allclose(back.prices.to_numpy(), result.prices.to_numpy())
    assert list(back.prices.columns) == list(result.prices.columns)
    for key, frame in result._series.items():
        np.testing.assert_allclose(back._series[key].to_numpy(), frame.to_numpy(), err_msg=str(key))
    for component, capacity in result._capacity.items():
        pd.testing.assert_series_equal(
            back.capacity(component), capacity, check_names=False, check_index_type=False
        )
    assert list(back.network.static["Link"].index) == list(n.static["Link"].index)


def test_read_result_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a results folder"):
        read_result(tmp_path / "nowhere")
    folder = write_result(optimize(example_network("demo")), tmp_path / "out")
    (folder / "network.nc").unlink()
    with pytest.raises(InputError, match=r"network\.nc is missing"):
        read_result(folder)


def test_an_existing_folder_is_never_overwritten_silently(tmp_path: Path) -> None:
    result = optimize(example_network("demo"))
    folder = write_result(result, tmp_path / "out")
    (folder / "note.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        write_result(result, folder)
    assert (folder / "note.txt").read_text() == "mine"
    write_result(result, folder, overwrite=True)
    assert not (folder / "note.txt").exists() and (folder / "summary.json").exists()
