"""Validation: every problem found at once, each message naming what is wrong and the fix."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caspian.exceptions import InputError, ValidationError
from caspian.network import Network, validate
from caspian.network.validate import check


def problems(n: Network) -> list[str]:
    with pytest.raises(ValidationError) as info:
        validate(n, source="grid/", files={"Generator": "generators.csv", "Bus": "buses.csv"})
    return info.value.problems


def only(n: Network) -> str:
    found = problems(n)
    assert len(found) == 1, found
    return found[0]


def test_valid_network_passes(tiny: Network, full: Network) -> None:
    assert validate(tiny) is None
    assert validate(full) is None
    assert check(full) == []


def test_error_summarises_all_problems(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "bus"] = "nrth"
    tiny.static["Generator"].loc["gas", "p_nom"] = -5.0
    tiny.static["Line"].loc["south-east", "x"] = 0.0
    with pytest.raises(ValidationError) as info:
        validate(tiny, source="grid/")
    error = info.value
    assert isinstance(error, InputError)
    lines = str(error).splitlines()
    assert lines[0] == "3 problems in grid/:"
    assert len(lines) == 4 and len(error.problems) == 3
    assert error.file == "grid/"


def test_one_problem_is_singular(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "p_nom"] = -5.0
    with pytest.raises(ValidationError, match=r"^1 problem in the network:\n"):
        validate(tiny)


def test_unknown_bus_with_did_you_mean(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "bus"] = "nrth"
    assert only(tiny) == (
        "generators.csv: Generator.bus = 'nrth' on 'gas' is not a bus. Did you mean 'north'? "
        "Fix the name or add it to buses.csv."
    )


def test_unknown_branch_bus(tiny: Network) -> None:
    tiny.static["Line"].loc["south-east", "bus1"] = "eats"
    message = only(tiny)
    assert "Line.bus1 = 'eats' on 'south-east' is not a bus. Did you mean 'east'?" in message


def test_empty_bus(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "bus"] = ""
    assert "Generator.bus is empty on 'gas'; name the bus it connects to." in only(tiny)


def test_missing_required_column(tiny: Network) -> None:
    tiny.static["Generator"] = tiny.static["Generator"].rename(columns={"bus": "buss"})
    missing, misspelt = problems(tiny)
    assert missing == (
        "generators.csv: Generator is missing the required column 'bus' (Bus); add it. "
        "Did you mean 'buss'?"
    )
    assert "unknown column 'buss' in Generator. Did you mean 'bus'?" in misspelt


def test_negative_capacity(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "p_nom"] = -5.0
    assert only(tiny) == (
        "generators.csv: Generator.p_nom = -5.0 on 'gas' is below the minimum 0.0; use a value "
        ">= 0.0 (MW)."
    )


def test_standing_loss_above_one(tiny: Network) -> None:
    tiny.add("Store", "s", bus="north", standing_loss=1.5)
    message = only(tiny)
    assert (
        "Store.standing_loss = 1.5 on 's' is above the maximum 1.0; use a value <= 1.0" in message
    )


def test_storage_charging_limit_must_not_be_positive(tiny: Network) -> None:
    tiny.add("StorageUnit", "bat", bus="north", p_min_pu=[-1.0, 0.2, -1.0, -1.0])
    message = only(tiny)
    assert message.startswith(
        "StorageUnit.p_min_pu = 0.2 for 'bat' at snapshot '2030-01-01 01:00:00' is above the "
        "maximum 0.0 (1 value(s) in total)"
    )


def test_zero_dispatch_efficiency_is_refused(tiny: Network) -> None:
    """The storage balance divides by efficiency_dispatch: 0 was accepted (the minimum was
    inclusive) and the LP build divided by zero; found by the fuzz target one_awkward."""
    tiny.add("StorageUnit", "bat", bus="north", efficiency_dispatch=0.0)
    message = only(tiny)
    assert message == (
        "StorageUnit.efficiency_dispatch = 0.0 on 'bat' is not above 0.0; "
        "use a value > 0.0 (per unit)."
    )


def test_zero_dispatch_efficiency_per_snapshot_is_refused(tiny: Network) -> None:
    tiny.add("StorageUnit", "bat", bus="north", efficiency_dispatch=[0.9, 0.0, 0.9, 0.9])
    assert "StorageUnit.efficiency_dispatch = 0.0 for 'bat' at snapshot" in only(tiny)


def test_nan_where_not_allowed(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "marginal_cost"] = math.nan
    message = only(tiny)
    assert (
        "Generator.marginal_cost = nan on 'gas' is missing; give a number between -1e+15 and "
        "1e+15 (EUR/MWh)" in message
    )


def test_nan_allowed_for_ramp_limits(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "ramp_limit_up"] = math.nan
    validate(tiny)


def test_not_a_number(tiny: Network) -> None:
    tiny.static["Generator"]["p_nom"] = pd.Series(["lots"], index=["gas"], dtype=object)
    assert "Generator.p_nom = 'lots' on 'gas' is not a number; give a number (MW)." in only(tiny)


def test_not_a_boolean(tiny: Network) -> None:
    tiny.static["Generator"]["p_nom_extendable"] = pd.Series(["yes"], index=["gas"], dtype=object)
    message = only(tiny)
    assert (
        "Generator.p_nom_extendable = 'yes' on 'gas' is not a boolean; use True or False."
        in message
    )


def test_wrong_length_series(tiny: Network) -> None:
    tiny.dynamic["Load"]["p_set"] = tiny.dynamic["Load"]["p_set"].iloc[:3]
    assert only(tiny) == (
        "Load.p_set has 3 rows, but the network has 4 snapshots; give one row per snapshot."
    )


def test_series_rows_must_be_the_snapshots(tiny: Network) -> None:
    table = tiny.dynamic["Load"]["p_set"]
    tiny.dynamic["Load"]["p_set"] = table.set_axis(table.index.shift(1, freq="h"), axis=0)
    message = only(tiny)
    assert "Load.p_set: row 1 is labelled '2030-01-01 01:00:00' where the snapshots have" in message


def test_series_of_unknown_component(tiny: Network) -> None:
    tiny.dynamic["Load"]["p_set"]["cty"] = 1.0
    message = only(tiny)
    assert "column 'cty' of Load.p_set is not a Load. Did you mean 'city'?" in message


def test_series_for_attribute_that_may_not_vary(tiny: Network) -> None:
    tiny.dynamic["Generator"]["p_nom"] = pd.DataFrame({"gas": 1.0}, index=tiny.snapshots)
    message = only(tiny)
    assert "Generator.p_nom is given per snapshot, but caspian-grid does not let it vary" in message


def test_nan_in_series_names_first_snapshot(tiny: Network) -> None:
    tiny.dynamic["Load"]["p_set"].iloc[2, 0] = math.nan
    message = only(tiny)
    assert "Load.p_set = nan for 'city' at snapshot '2030-01-01 02:00:00' is missing" in message


def test_refused_unit_commitment(tiny: Network) -> None:
    tiny.static["Generator"]["committable"] = True
    assert only(tiny) == (
        "generators.csv: Generator.committable = True on 'gas' asks for unit commitment, which "
        "caspian-grid does not model; remove it or set it to False."
    )


def test_refused_at_default_is_fine(tiny: Network) -> None:
    tiny.static["Generator"]["committable"] = False
    tiny.static["Generator"]["p_nom_set"] = math.nan  # NaN default compares equal to NaN
    tiny.static["Generator"]["lifetime"] = math.inf
    validate(tiny)


def test_refused_nan_default(tiny: Network) -> None:
    tiny.static["Generator"]["p_nom_set"] = 50.0
    message = only(tiny)
    assert "Generator.p_nom_set = 50.0 on 'gas' asks for a fixed optimal capacity" in message
    assert message.endswith("remove it or set it to NaN.")


def test_refused_line_type(tiny: Network) -> None:
    tiny.static["Line"]["type"] = ["Al/St 240/40 2-bundle 380.0", ""]
    message = only(tiny)
    assert (
        "Line.type = 'Al/St 240/40 2-bundle 380.0' on 'north-south' asks for standard line"
        in message
    )


def test_line_type_refusal_is_not_followed_by_its_reactance(tiny: Network) -> None:
    # PyPSA takes a typed line's x from its type (x = 0 in the table, as in SciGRID-DE).
    tiny.static["Line"]["type"] = ["Al/St 240/40 2-bundle 380.0", ""]
    tiny.static["Line"]["x"] = [0.0, 0.1]
    assert "asks for standard line types" in only(tiny)
    tiny.static["Line"]["x"] = [0.1, 0.0]
    assert "Line.x = 0.0 on 'south-east'" in problems(tiny)[1]


def test_extendable_min_above_max(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", ["p_nom_extendable", "p_nom_min", "p_nom_max"]] = [
        True,
        50.0,
        10.0,
    ]
    assert only(tiny) == (
        "generators.csv: Generator 'gas' is extendable with p_nom_min = 50.0 > p_nom_max = 10.0, "
        "so p_nom has no feasible value; lower p_nom_min or raise p_nom_max."
    )


def test_min_above_max_ignored_when_not_extendable(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", ["p_nom_min", "p_nom_max"]] = [50.0, 10.0]
    validate(tiny)


def test_per_unit_min_above_max_names_first_snapshot(tiny: Network) -> None:
    tiny.add("Store", "s", bus="north", e_nom=10.0, e_min_pu=[0.0, 0.0, 0.9, 0.95], e_max_pu=0.8)
    assert only(tiny) == (
        "Store 's' has e_min_pu = 0.9 > e_max_pu = 0.8 at snapshot '2030-01-01 02:00:00' (first "
        "of 2 snapshot(s)); lower e_min_pu or raise e_max_pu there."
    )


def test_generator_min_above_max(tiny: Network) -> None:
    tiny.static["Generator"].loc["gas", "p_min_pu"] = 0.5
    tiny.add("Generator", "wind", bus="north", p_max_pu=[1.0, 0.4, 0.3, 1.0])
    tiny.static["Generator"].loc["wind", "p_min_pu"] = 0.5
    message = only(tiny)
    assert "Generator 'wind' has p_min_pu = 0.5 > p_max_pu = 0.4 at snapshot" in message


def test_duplicate_and_empty_names(tiny: Network) -> None:
    frame = tiny.static["Generator"]
    tiny.static["Generator"] = pd.concat([frame, frame, frame.rename(index={"gas": ""})])
    found = problems(tiny)
    assert any("Generator name 'gas' appears 2 times; names must be unique" in p for p in found)
    assert any(
        "Generator has 1 component(s) with an empty name (first in row 3)" in p for p in found
    )


def test_duplicate_snapshots(tiny: Network) -> None:
    n = Network("dup", ["a", "b", "a"])
    n.add("Bus", "b")
    assert "snapshot 'a' appears 2 times; make them unique." in only(n)
    assert tiny is not None


@pytest.mark.parametrize("value", [0.0, -1.0, math.nan])
def test_snapshot_weightings_positive(tiny: Network, value: float) -> None:
    tiny.snapshot_weightings.iloc[1, 0] = value
    message = only(tiny)
    assert (
        f"snapshot weighting 'objective' = {value!r} at snapshot '2030-01-01 01:00:00'" in message
    )
    assert "must be > 0" in message


def test_global_constraint_types(tiny: Network) -> None:
    tiny.add(
        "GlobalConstraint",
        "cap",
        type="transmission_volume_expansion_limit",
        carrier_attribute="co2_emission",
        sense="<",
    )
    found = problems(tiny)
    assert len(found) == 3
    assert (
        "GlobalConstraint.type = 'transmission_volume_expansion_limit' on 'cap' is not "
        "supported; caspian-grid supports 'primary_energy'."
    ) in found[0]
    assert "Did you mean 'co2_emissions'?" in found[1]
    assert "GlobalConstraint.sense = '<' on 'cap' is not supported" in found[2]


def test_ac_line_needs_reactance(tiny: Network) -> None:
    tiny.static["Line"].loc["south-east", "x"] = 0.0
    message = only(tiny)
    assert message.startswith(
        "Line.x = 0.0 on 'south-east': a line between AC buses needs a positive reactance x (Ohm)"
    )


def test_dc_line_needs_resistance(tiny: Network) -> None:
    tiny.add("Bus", ["d0", "d1"], carrier="DC")
    tiny.add("Line", "dc", bus0="d0", bus1="d1", x=0.0, r=0.0, s_nom=10.0)
    tiny.add("Generator", "dg", bus="d0")
    message = only(tiny)
    assert "Line.r = 0.0 on 'dc': a line between DC buses needs a positive resistance r" in message


def test_line_between_carriers(tiny: Network) -> None:
    tiny.add("Bus", "d0", carrier="DC")
    tiny.add("Line", "mixed", bus0="east", bus1="d0", x=0.1, r=0.1)
    message = only(tiny)
    assert (
        "Line 'mixed' joins bus 'east' (carrier 'AC') and bus 'd0' (carrier 'DC'); a line must "
        "join buses of one carrier. Connect different carriers with a Link."
    ) in message


def test_bus_with_no_way_to_meet_its_load(tiny: Network) -> None:
    tiny.add("Bus", "island")
    tiny.add("Load", "village", bus="island", p_set=[0.0, 0.0, 3.0, 4.0])
    assert only(tiny) == (
        "Bus 'island' has load 'village' of up to 4.0 MW (first at snapshot "
        "'2030-01-01 02:00:00') but no generator, storage unit, store, line or link attached: a "
        "bus with no way to meet its load. Attach a generator or connect the bus to the network."
    )


def test_bus_with_zero_or_negative_load_is_fine(tiny: Network) -> None:
    tiny.add("Bus", "island")
    tiny.add("Load", "village", bus="island", p_set=-2.0)
    validate(tiny)


def test_misspelt_custom_column(tiny: Network) -> None:
    tiny.static["Generator"]["p_nom_extendible"] = True
    message = only(tiny)
    assert (
        "unknown column 'p_nom_extendible' in Generator. Did you mean 'p_nom_extendable'?"
        in message
    )


def test_custom_columns_are_fine(tiny: Network) -> None:
    tiny.static["Bus"]["country"] = "AZ"
    tiny.static["Generator"]["tags"] = "x"
    validate(tiny)


def test_problems_of_one_cell_are_not_repeated(tiny: Network) -> None:
    tiny.static["Generator"]["p_min_pu"] = pd.Series(["high"], index=["gas"], dtype=object)
    assert len(problems(tiny)) == 1


def test_vectorised_over_snapshots() -> None:
    sns = pd.date_range("2030-01-01", periods=8760, freq="h")
    n = Network("year", sns)
    n.add("Bus", [f"b{i}" for i in range(20)])
    n.add("Generator", [f"g{i}" for i in range(20)], bus=[f"b{i}" for i in range(20)], p_nom=1.0)
    n.dynamic["Generator"]["p_max_pu"] = pd.DataFrame(
        np.random.default_rng(0).random((8760, 20)), index=sns, columns=n.generators.index
    )
    validate(n)
    n.dynamic["Generator"]["p_max_pu"].iloc[5000:, 3] = np.nan
    message = only(n)
    assert (
        "Generator.p_max_pu = nan for 'g3' at snapshot '2030-07-28 08:00:00' is missing" in message
    )
    assert (
        "(3760 value(s) in total; also 'g3' at '2030-07-28 09:00:00', 'g3' at "
        "'2030-07-28 10:00:00', 'g3' at '2030-07-28 11:00:00' and 3756 more)" in message
    )


def test_misspelt_series_name(tiny: Network) -> None:
    tiny.dynamic["Generator"]["p_max_puu"] = pd.DataFrame({"gas": 0.5}, index=tiny.snapshots)
    message = only(tiny)
    assert "unknown time series 'p_max_puu' in Generator. Did you mean 'p_max_pu'?" in message


def test_refused_series_that_cannot_vary(tiny: Network) -> None:
    tiny.dynamic["Generator"]["committable"] = pd.DataFrame({"gas": 1.0}, index=tiny.snapshots)
    assert only(tiny) == (
        "generators-committable.csv: Generator.committable is given per snapshot, but PyPSA does "
        "not let it vary in time and "
        "caspian-grid refuses it (it asks for unit commitment); remove the series."
    )


def test_passthrough_series_is_kept(tiny: Network) -> None:
    tiny.dynamic["Load"]["q_set"] = pd.DataFrame({"city": 1.0}, index=tiny.snapshots)
    validate(tiny)
