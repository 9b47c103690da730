"""Numbers the optimiser cannot use are named by validation, before anything reaches HiGHS:
infinite, NaN or huge values, weightings, and NaN cells of PyPSA files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from caspian.exceptions import ValidationError
from caspian.network import Network, read_network, validate, write_network


def small() -> Network:
    n = Network("small", snapshots=range(3))
    n.add("Bus", ["a", "b"])
    n.add("Generator", "gas", bus="a", p_nom=100, marginal_cost=50)
    n.add("Generator", "wind", bus="a", p_nom=100, marginal_cost=1, p_max_pu=[0.5, 0.6, 0.7])
    n.add("Load", "city", bus="b", p_set=60)
    n.add("Link", "ab", bus0="a", bus1="b", p_nom=200)
    return n


def problems_of(n: Network) -> list[str]:
    with pytest.raises(ValidationError) as error:
        validate(n)
    return error.value.problems


@pytest.mark.parametrize(
    ("component", "attr", "value", "expected"),
    [
        ("Load", "p_set", 1e30, "Load.p_set = 1e+30 on 'city' is beyond ±1e+15, the largest "
         "magnitude passed to HiGHS; use a value between -1e+15 and 1e+15 (MW)."),
        ("Load", "p_set", math.inf, "Load.p_set = inf on 'city' is infinite; give a finite "
         "number between -1e+15 and 1e+15 (MW)."),
        ("Generator", "marginal_cost", -math.inf, "Generator.marginal_cost = -inf on 'gas' is "
         "infinite; give a finite number between -1e+15 and 1e+15 (EUR/MWh)."),
        ("Generator", "marginal_cost", 1e21, "Generator.marginal_cost = 1e+21 on 'gas' is "
         "beyond ±1e+15"),
        ("Generator", "p_nom", math.inf, "Generator.p_nom = inf on 'gas' is infinite; give a "
         "finite number between 0 and 1e+15 (MW)."),
        ("Generator", "p_nom_max", 1e25, "Generator.p_nom_max = 1e+25 on 'gas' is beyond "
         "±1e+15, the largest magnitude passed to HiGHS; use a value between 0 and 1e+15 (MW), "
         "or inf for no limit."),
        ("Generator", "ramp_limit_up", math.inf, "Generator.ramp_limit_up = inf on 'gas' is "
         "infinite; give a finite number between 0 and 1e+15 (per unit); leave it empty (NaN) "
         "for no limit."),
        ("Link", "efficiency", 1e16, "Link.efficiency = 1e+16 on 'ab' is beyond ±1e+15"),
        ("Generator", "p_nom_max", -math.inf, "Generator.p_nom_max = -inf on 'gas' is below "
         "the minimum 0.0"),
    ],
)  # fmt: skip
def test_a_number_the_optimiser_cannot_use_is_named_with_its_range(
    component: str, attr: str, value: float, expected: str
) -> None:
    n = small()
    n.static[component].loc[n.static[component].index[0], attr] = value
    (problem,) = problems_of(n)
    assert expected in problem


def test_infinity_is_kept_where_it_means_no_limit() -> None:
    n = small()
    n.static["Generator"].loc["gas", ["p_nom_extendable", "p_nom_max"]] = [True, math.inf]
    n.static["Generator"].loc["gas", "ramp_limit_up"] = math.nan
    validate(n)


def test_a_bad_cell_of_a_time_series_is_named_with_its_snapshot_and_count() -> None:
    n = small()
    n.add("Load", "town", bus="b", p_set=[10.0, math.inf, math.inf])
    (problem,) = problems_of(n)
    assert (
        "Load.p_set = inf for 'town' at snapshot '1' is infinite (2 value(s) in total; also "
        "'town' at '2'); give a finite number between -1e+15 and 1e+15 (MW)." in problem
    )


@pytest.mark.parametrize("weighting", [math.inf, math.nan, 0.0, 1e7])
def test_snapshot_weightings_must_be_positive_and_finite(weighting: float) -> None:
    n = small()
    n.snapshot_weightings.loc[1, "objective"] = weighting
    (problem,) = problems_of(n)
    assert f"snapshot weighting 'objective' = {weighting!r} at snapshot '1'" in problem
    assert "is not a positive number of hours up to 1e+06" in problem


def test_lines_need_a_positive_nominal_voltage_at_bus0() -> None:
    n = small()
    n.add("Bus", "c")
    lines = ["ac", "cb", "ab-line"]
    n.add("Line", lines, bus0=["a", "c", "a"], bus1=["c", "b", "b"], x=0.1, s_nom=100)
    n.static["Bus"].loc["a", "v_nom"] = 0.0
    (problem,) = problems_of(n)
    assert "Bus.v_nom = 0.0 on 'a', bus0 of line 'ac' (also on 'ab-line')" in problem
    assert "give v_nom > 0 (kV)" in problem


def test_a_co2_cap_needs_every_generator_to_have_an_efficiency() -> None:
    n = small()
    n.add("Carrier", "gas", co2_emissions=0.2)
    n.add("GlobalConstraint", "co2", constant=1e3, sense="<=")
    n.static["Generator"].loc["wind", "efficiency"] = 0.0
    (problem,) = problems_of(n)
    assert "Generator.efficiency = 0.0 on 'wind': with a CO2 constraint" in problem


# --- NaN in PyPSA files ---------------------------------------------------------------------


def test_a_nan_number_in_a_netcdf_file_is_named_not_read_as_the_default(tmp_path: Path) -> None:
    path = tmp_path / "net.nc"
    write_network(small(), path, format="pypsa-netcdf")
    with xr.open_dataset(path) as ds:
        data = ds.load()
    costs = data["generators_marginal_cost"].to_numpy().copy()
    costs[0] = np.nan  # gas
    data["generators_marginal_cost"] = (("generators_i",), costs)
    data.to_netcdf(tmp_path / "nan.nc")
    with pytest.raises(ValidationError) as error:
        read_network(tmp_path / "nan.nc")
    (problem,) = error.value.problems
    assert problem == (
        "nan.nc: Generator.marginal_cost = nan on 'gas' is missing; give a number between "
        "-1e+15 and 1e+15 (EUR/MWh) (the default is 0.0)."
    )


def test_a_nan_in_a_netcdf_ramp_limit_still_means_no_limit(tmp_path: Path) -> None:
    n = small()
    n.static["Generator"].loc["wind", "ramp_limit_up"] = 0.5  # gas keeps NaN: no limit
    write_network(n, tmp_path / "net.nc", format="pypsa-netcdf")
    back = read_network(tmp_path / "net.nc")
    assert math.isnan(back.generators.loc["gas", "ramp_limit_up"])


def test_a_blank_static_cell_of_a_pypsa_csv_folder_is_the_default_as_in_pypsa(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "csv"
    write_network(small(), folder, format="pypsa-csv")
    table = folder / "generators.csv"
    text = table.read_text()
    table.write_text(text.replace(",50.0,", ",,", 1))
    assert read_network(folder).generators.loc["gas", "marginal_cost"] == 0.0


def test_a_blank_cell_of_a_pypsa_csv_time_series_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    write_network(small(), folder, format="pypsa-csv")
    series = folder / "generators-p_max_pu.csv"
    lines = series.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ","
    series.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValidationError) as error:
        read_network(folder)
    (problem,) = error.value.problems
    assert problem.startswith(
        "generators-p_max_pu.csv: Generator.p_max_pu = nan for 'wind' at snapshot '1' is missing"
    )
