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


def test_typical_periods_come_back_with_the_result(tmp_path: Path) -> None:
    """A model of typical periods: which period stands for which is written and read back, so
    analyses of the folder (monthly matching) see the same year as the solve did."""
    from caspian.network import Network
    from caspian.optimize import RepresentativePeriods

    periods = RepresentativePeriods(2, 2, np.array([0, 1, 1, 0, 1]))
    n = Network("typical", pd.date_range("2030-01-01", periods=4, freq="h"))
    weights = periods.occurrences()[periods.typical_period()].astype(float)
    for column in ("objective", "stores", "generators"):
        n.snapshot_weightings[column] = weights
    n.add("Bus", "b")
    n.add("Generator", "gas", bus="b", p_nom=100, marginal_cost=40)
    n.add("Load", "load", bus="b", p_set=[10, 20, 30, 40])
    result = optimize(n, periods=periods)
    back = read_result(write_result(result, tmp_path / "out"))
    assert back.periods is not None
    assert back.periods.as_dict() == periods.as_dict() == result.periods.as_dict()
    # A network solved with periods passed beside it, as before networks carried them: the
    # folder keeps them in summary.json, and the network read back carries them.
    assert result.network.periods is None and back.network.periods is back.periods
    assert (
        read_result(write_result(optimize(example_network("demo")), tmp_path / "c")).periods is None
    )
