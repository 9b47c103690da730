"""Fuzz the validator and everything behind it: random networks built in memory, with values
drawn to include the awkward ones (NaN, infinities, 1e30, negatives, zero), must either be
refused by validation with an input error, or build, reach HiGHS and come back optimal or with
the project's own "no optimum" error. Nothing that passes validation may crash the hand-over to
HiGHS or fail the audits."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from caspian.exceptions import SolverError
from caspian.network import Network, validate
from caspian.optimize import SolverOptions, optimize
from tests.fuzz.harness import FUZZ, check, record

AWKWARD = [math.nan, math.inf, -math.inf, 1e30, 1e21, -1e21, 1e-30, 0.0, -1.0, -0.0]

sane = st.floats(0, 1e3, allow_nan=False)
# Mostly sane values, so that many networks get as far as HiGHS; an awkward one now and then.
numbers = st.one_of(
    sane,
    sane,
    sane,
    st.integers(0, 100),
    st.sampled_from(AWKWARD),
    st.floats(allow_nan=True, allow_infinity=True),
)
per_unit = st.one_of(st.floats(0, 1), st.floats(0, 1), numbers)
sane_per_unit = st.floats(0, 1)
flags = st.one_of(st.booleans(), st.booleans(), st.sampled_from([0, 1, 2, "yes", None, math.nan]))
BUSES = ["a", "b", "c"]
buses = st.one_of(st.sampled_from(BUSES), st.sampled_from(BUSES), st.sampled_from(["", "x", "A"]))
HOURS = 3
series = st.lists(numbers, min_size=HOURS, max_size=HOURS)
value_or_series = st.one_of(numbers, series)


@st.composite
def networks(
    draw: st.DrawFn,
    numbers: st.SearchStrategy[Any] = numbers,
    flags: st.SearchStrategy[Any] = flags,
    buses: st.SearchStrategy[Any] = buses,
    bus_counts: tuple[int, ...] = (3, 3, 3, 2, 0),
    fractions: st.SearchStrategy[Any] = numbers,
) -> Network:
    series = st.lists(numbers, min_size=HOURS, max_size=HOURS)
    value_or_series = st.one_of(numbers, series)
    n = Network("fuzz", snapshots=range(HOURS))
    n.add("Bus", BUSES[: draw(st.sampled_from(bus_counts))])
    n.add("Carrier", ["gas", "wind"], co2_emissions=[draw(numbers), 0.0])
    for i in range(draw(st.integers(0, 3))):
        n.add(
            "Generator",
            f"g{i}",
            bus=draw(buses),
            p_nom=draw(numbers),
            p_nom_extendable=draw(flags),
            p_nom_max=draw(numbers),
            capital_cost=draw(numbers),
            marginal_cost=draw(value_or_series),
            p_max_pu=draw(
                st.one_of(
                    st.floats(0, 1), st.lists(st.floats(0, 1), min_size=HOURS, max_size=HOURS)
                )
            ),
            p_min_pu=draw(st.one_of(st.just(0.0), st.floats(0, 0.5))),
            efficiency=draw(fractions),
            carrier=draw(st.sampled_from(["gas", "wind", "coal"])),
        )
    for i in range(draw(st.integers(0, 2))):
        n.add("Load", f"l{i}", bus=draw(buses), p_set=draw(value_or_series))
    for i in range(draw(st.integers(0, 2))):
        n.add(
            "Line",
            f"line{i}",
            bus0=draw(buses),
            bus1=draw(buses),
            x=draw(numbers),
            r=draw(numbers),
            s_nom=draw(numbers),
            s_nom_extendable=draw(flags),
            capital_cost=draw(numbers),
        )
    for i in range(draw(st.integers(0, 2))):
        n.add(
            "Link",
            f"link{i}",
            bus0=draw(buses),
            bus1=draw(buses),
            p_nom=draw(numbers),
            efficiency=draw(fractions),
            p_min_pu=draw(st.floats(-1, 0)),
            marginal_cost=draw(numbers),
        )
    for i in range(draw(st.integers(0, 1))):
        n.add(
            "StorageUnit",
            f"su{i}",
            bus=draw(buses),
            p_nom=draw(numbers),
            max_hours=draw(numbers),
            efficiency_store=draw(fractions),
            inflow=draw(value_or_series),
            cyclic_state_of_charge=draw(flags),
            state_of_charge_initial=draw(numbers),
        )
    for i in range(draw(st.integers(0, 1))):
        n.add(
            "Store",
            f"st{i}",
            bus=draw(buses),
            e_nom=draw(numbers),
            e_cyclic=draw(flags),
            standing_loss=draw(fractions),
        )
    if draw(st.booleans()):
        n.add("GlobalConstraint", "co2", constant=draw(numbers))
    weights = draw(
        st.one_of(
            st.none(), st.none(), st.none(), st.lists(numbers, min_size=HOURS, max_size=HOURS)
        )
    )
    if weights is not None:
        n.snapshot_weightings["objective"] = weights
    return n


@FUZZ
@given(data=st.data())
def test_random_networks_validate_and_solve_or_are_refused(data: st.DataObject) -> None:
    def case() -> Any:
        n = data.draw(networks())  # building may itself refuse a value (InputError)
        note(network_text(n))
        validate(n)
        try:
            optimize(n, SolverOptions(algorithm="simplex", time_limit=20))
            record("random networks", "solved")
        except SolverError:
            record("random networks", "no optimum (exit 3)")

    check("random networks", case)


def sane_networks() -> st.SearchStrategy[Network]:
    """Networks of plausible values only (positive numbers, real buses, true flags): most of
    them validate and reach HiGHS."""
    positive = st.one_of(st.floats(0.1, 1e3), st.integers(1, 100))
    return networks(
        numbers=positive,
        flags=st.booleans(),
        buses=st.sampled_from(BUSES),
        bus_counts=(3,),
        fractions=st.floats(0.3, 1.0),
    )


@FUZZ
@given(data=st.data())
def test_sane_random_networks_solve_and_pass_the_audits(data: st.DataObject) -> None:
    """What validation lets through never crashes the hand-over to HiGHS or fails an audit:
    the answer is optimal (both audits passed) or the project's own "no optimum"."""

    def case() -> Any:
        n = data.draw(sane_networks())
        note(network_text(n))
        validate(n)
        try:
            optimize(n, SolverOptions(algorithm="simplex", time_limit=20))
            record("sane networks", "solved")
        except SolverError:
            record("sane networks", "no optimum (exit 3)")

    check("sane networks", case)


@st.composite
def one_awkward_value(draw: st.DrawFn) -> Network:
    """A network of sane values with one attribute of one component set to an awkward value
    (or a whole series of them): the validator must find exactly that."""
    from caspian.network.schema import COMPONENTS

    n = draw(sane_networks())
    present = [
        c
        for c in ("Generator", "Load", "Line", "Link", "StorageUnit", "Store", "Bus")
        if len(n.static[c])
    ]
    if not present:
        return n
    component = draw(st.sampled_from(present))
    schema = COMPONENTS[component]
    floats = [a for a in schema.attribute_names if schema.attribute(a).dtype == "float"]
    attr = draw(st.sampled_from(floats))
    name = draw(st.sampled_from(list(n.static[component].index)))
    value = draw(
        st.one_of(st.sampled_from(AWKWARD), st.floats(allow_nan=True, allow_infinity=True))
    )
    if attr in schema.varying_names and draw(st.booleans()):
        values = [value] * HOURS
        n.add(
            component, f"{name}-copy", **{**n.static[component].loc[name].to_dict(), attr: values}
        )
    else:
        n.static[component].loc[name, attr] = value
    return n


def network_text(n: Network) -> str:
    """Every table of ``n`` as text, for hypothesis's report of a failing case (a network's
    repr names only its size)."""
    parts = [repr(n), f"snapshot_weightings:\n{n.snapshot_weightings.to_string()}"]
    for component, table in n.static.items():
        if len(table):
            parts.append(f"{component}:\n{table.to_string()}")
        for attr, series in n.dynamic[component].items():
            if series.shape[1]:
                parts.append(f"{component}.{attr}:\n{series.to_string()}")
    return "\n".join(parts)


@FUZZ
@given(data=st.data())
def test_one_awkward_value_is_found_or_solved(data: st.DataObject) -> None:
    def case() -> Any:
        n = data.draw(one_awkward_value())
        note(network_text(n))
        validate(n)
        try:
            optimize(n, SolverOptions(algorithm="simplex", time_limit=20))
            record("one awkward value", "solved")
        except SolverError:
            record("one awkward value", "no optimum (exit 3)")

    check("one awkward value", case)
