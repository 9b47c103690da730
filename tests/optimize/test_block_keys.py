"""Blocks of the linear program have typed keys: a wrong key fails loudly, a key is taken once,
and the keys the families create are the ones the readers use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caspian.network.examples import demo_network
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize import RepresentativePeriods, build_model
from caspian.optimize.assembly import (
    BlockKeyError,
    ConstraintKey,
    ModelBuilder,
    VariableKey,
)
from caspian.optimize.balance import KIRCHHOFF_VOLTAGE_LAW, NODAL_BALANCE
from caspian.optimize.context import BuildContext
from caspian.optimize.infeasibility import ELASTIC_BLOCKS
from caspian.optimize.inter_period import (
    INTER_PERIOD_ROWS,
    INTRA_EXTREMES,
    extreme_key,
    inter_level_key,
    inter_period_key,
    intra_extreme_key,
)
from caspian.optimize.limits import CO2, ramp_key
from caspian.optimize.operation import (
    GENERATOR_P,
    LINE_S,
    LINK_P_BWD,
    LINK_P_FWD,
    LINK_SHARED_CAPACITY,
    STORAGE_UNIT_P_DISPATCH,
    STORAGE_UNIT_P_STORE,
    capacity_key,
    level_key,
    limit_key,
)
from caspian.optimize.price_audit import SHARED_ROWS
from caspian.optimize.storage import ENERGY_BALANCE


def test_a_key_prints_as_the_old_string_and_parses_back() -> None:
    assert str(GENERATOR_P) == "Generator-p"
    assert str(limit_key(GENERATOR_P, "upper")) == "Generator-ext-p-upper"
    assert VariableKey.parse("Generator-p") == GENERATOR_P
    assert ConstraintKey.parse("Link-shared-capacity") == LINK_SHARED_CAPACITY
    # A variable key and a constraint key with the same text are different keys.
    assert VariableKey("Bus", "x") != ConstraintKey("Bus", "x")
    with pytest.raises(ValueError, match="not a block key"):
        VariableKey.parse("Generator")


def test_a_misspelled_key_fails_naming_it_and_the_keys_present() -> None:
    model = build_model(demo_network(hours=24))
    with pytest.raises(BlockKeyError) as error:
        model.lp.variables[VariableKey("Generator", "p_dispatch")]
    message = str(error.value)
    assert message.startswith("the model has no variable block Generator-p_dispatch; it has: ")
    assert "Generator-p, " in message and "StorageUnit-state_of_charge" in message
    assert isinstance(error.value, KeyError)


def test_a_string_key_fails_saying_how_to_look_it_up() -> None:
    model = build_model(demo_network(hours=24))
    with pytest.raises(KeyError) as error:
        model.lp.constraints["Bus-nodal_balance"]  # type: ignore[index]
    assert "keyed by ConstraintKey objects, not strings" in str(error.value)
    assert "ConstraintKey.parse('Bus-nodal_balance')" in str(error.value)


def test_the_build_context_separates_required_and_optional_blocks() -> None:
    n = demo_network(hours=24)
    ctx = BuildContext.create(n)
    ctx.builder.add_variables(GENERATOR_P, n.static["Generator"].index, 0.0, 1.0)
    assert GENERATOR_P in ctx and LINE_S not in ctx
    assert ctx.variable(GENERATOR_P).key == GENERATOR_P
    assert ctx.variable_or_none(LINE_S) is None
    with pytest.raises(BlockKeyError, match="no variable block Line-s; it has: Generator-p"):
        ctx.variable(LINE_S)


@pytest.mark.parametrize("kind", ["variables", "constraints"])
def test_a_key_is_taken_once(kind: str) -> None:
    builder = ModelBuilder(pd.Index([0, 1]))
    names = pd.Index(["a"])
    if kind == "variables":
        builder.add_variables(GENERATOR_P, names, 0.0, 1.0)
        with pytest.raises(ValueError, match="variable block Generator-p defined twice"):
            builder.add_variables(GENERATOR_P, names, 0.0, 2.0)
        assert builder.n_cols == 2
    else:
        builder.add_constraints(NODAL_BALANCE, names, 0.0, 0.0)
        with pytest.raises(ValueError, match="constraint block Bus-nodal_balance defined twice"):
            builder.add_constraints(NODAL_BALANCE, names, 0.0, 0.0)
        assert builder.n_rows == 2


def test_the_demo_model_has_exactly_the_keys_the_readers_use() -> None:
    model = build_model(demo_network())
    capacities = [capacity_key(c) for c in ("Generator", "Line", "StorageUnit")]
    variables = [
        *capacities,
        GENERATOR_P,
        LINE_S,
        LINK_P_FWD,
        LINK_P_BWD,
        STORAGE_UNIT_P_DISPATCH,
        STORAGE_UNIT_P_STORE,
        level_key("StorageUnit"),
    ]
    constraints = [
        limit_key(GENERATOR_P, "upper"),
        limit_key(LINE_S, "upper"),
        limit_key(LINE_S, "lower"),
        LINK_SHARED_CAPACITY,
        limit_key(STORAGE_UNIT_P_DISPATCH, "upper"),
        limit_key(STORAGE_UNIT_P_STORE, "upper"),
        limit_key(level_key("StorageUnit"), "upper"),
        NODAL_BALANCE,
        KIRCHHOFF_VOLTAGE_LAW,
        ENERGY_BALANCE["StorageUnit"],
        ramp_key("Generator", "up"),
        ramp_key("Generator", "down"),
        CO2,
    ]
    assert list(model.lp.variables) == variables
    assert list(model.lp.constraints) == constraints
    assert all(type(key) is VariableKey for key in model.lp.variables)
    assert all(type(key) is ConstraintKey for key in model.lp.constraints)
    # The readers' fixed sets name blocks this model has.
    assert set(SHARED_ROWS) <= set(model.lp.constraints)
    assert set(ELASTIC_BLOCKS) <= set(model.lp.constraints)
    # Every block's key agrees with the block itself.
    for key, block in model.lp.variables.items():
        assert block.key == key and block.component == key.component and block.attr == key.name
    for key, row_block in model.lp.constraints.items():
        assert row_block.key == key and row_block.name == key.name


def test_capacity_keys_follow_the_schema() -> None:
    assert [str(capacity_key(c)) for c in NOMINAL_ATTR] == [
        "Generator-p_nom",
        "Line-s_nom",
        "Link-p_nom",
        "StorageUnit-p_nom",
        "Store-e_nom",
    ]


def test_representative_periods_add_the_inter_period_blocks_the_readers_use() -> None:
    n = demo_network()  # 7 days of 24 hours, each its own typical period
    model = build_model(n, RepresentativePeriods(7, 24, np.arange(7)))
    variables = set(model.lp.variables)
    constraints = set(model.lp.constraints)
    assert level_key("StorageUnit", intra=True) in variables
    assert level_key("StorageUnit") not in variables
    assert inter_level_key("StorageUnit") in variables
    assert {extreme_key("StorageUnit", kind) for kind in INTRA_EXTREMES} <= variables
    assert {intra_extreme_key("StorageUnit", kind) for kind in INTRA_EXTREMES} <= constraints
    assert {inter_period_key("StorageUnit", name) for name in INTER_PERIOD_ROWS} <= constraints
    assert str(inter_level_key("StorageUnit")) == "StorageUnit-state_of_charge_inter"
    with pytest.raises(ValueError, match="none of the inter-period rows"):
        inter_period_key("Store", "inter_middle")
