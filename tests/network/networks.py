"""Networks and comparisons shared by the I/O and validation tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from caspian.network import Network
from caspian.network.schema import COMPONENTS

HOURS = 6


def _wave(low: float, high: float, phase: float = 0.0) -> np.ndarray:
    """A smooth series between ``low`` and ``high`` over the snapshots."""
    t = np.arange(HOURS)
    return low + (high - low) * (0.5 + 0.5 * np.sin(t + phase))


def full_network() -> Network:
    """A small valid network that sets every supported attribute of every component.

    Snapshots are datetimes with non-uniform weightings; every time-varying attribute is a
    series somewhere; there are custom columns of every type, passthrough columns and a
    refused column at its default.
    """
    sns = pd.date_range("2030-01-01", periods=HOURS, freq="h")
    n = Network("full", sns)
    n.snapshot_weightings["objective"] = [1.0, 2.0, 3.0, 1.0, 2.0, 3.5]
    n.snapshot_weightings["stores"] = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]
    n.snapshot_weightings["generators"] = [2.0, 2.0, 2.0, 2.0, 2.0, 0.25]
    n.meta = {"study": "round trip", "year": 2030, "nested": {"values": [1, 2.5, "x"]}}
    n.add(
        "Carrier",
        ["gas", "wind", "AC", "DC", "battery"],
        co2_emissions=[0.2, 0.0, 0.0, 0.0, 0.0],
        color=["#aa0000", "#00aa00", "#000000", "#333333", "#0000aa"],
        nice_name=["Gas", "Wind", "AC", "DC", "Battery"],
    )
    n.add(
        "Bus",
        ["north", "south", "east", "dc0", "dc1"],
        v_nom=[380.0, 380.0, 220.0, 500.0, 500.0],
        carrier=["AC", "AC", "AC", "DC", "DC"],
        x=[49.8, 50.1, 51.2, 52.0, 53.5],
        y=[40.4, 40.1, 43.6, 44.0, 45.2],
        location=["Baku", "Baku", "Aktau", "sea", "sea"],
    )
    n.static["Bus"]["region"] = ["AZ", "AZ", "KZ", "sea", "sea"]
    n.add(
        "Generator",
        ["gas", "wind"],
        bus=["north", "east"],
        carrier=["gas", "wind"],
        p_nom=[100.0, 50.0],
        p_nom_extendable=[True, False],
        p_nom_min=[10.0, 0.0],
        p_nom_max=[500.0, math.inf],
        p_min_pu=[0.1, 0.0],
        capital_cost=[1000.0, 0.0],
        fom_cost=[20.0, 5.0],
        efficiency=[0.5, 1.0],
        ramp_limit_up=[0.5, math.nan],
        ramp_limit_down=[0.25, math.nan],
        sign=[1.0, 1.0],
        marginal_cost=[50.0, 0.5],
    )
    n.add("Generator", "dc-gen", bus="dc1", p_nom=10.0, sign=-1.0)
    n.add(
        "Generator",
        "solar",
        bus="south",
        carrier="wind",
        p_nom=30.0,
        p_max_pu=_wave(0.0, 0.9),
        p_min_pu=_wave(0.0, 0.05),
        marginal_cost=_wave(0.0, 1.0),
        ramp_limit_up=_wave(0.5, 1.0),
        ramp_limit_down=_wave(0.5, 1.0, 1.0),
    )
    n.static["Generator"]["control"] = ["PQ", "PQ", "PV", "PQ"]  # passthrough, text
    n.static["Generator"]["weight"] = [1.0, 1.0, 2.0, 1.0]  # passthrough, float
    n.static["Generator"]["country"] = ["AZ", "KZ", "sea", "AZ"]
    n.static["Generator"]["units"] = np.array([3, 1, 1, 40], dtype=np.int64)
    n.static["Generator"]["active"] = True  # refused, at its default
    n.add("Load", "baku", bus="south", p_set=_wave(20.0, 80.0), carrier="AC", type="")
    n.add("Load", ["aktau", "offshore"], bus=["east", "dc0"], p_set=[15.0, 5.0], type="city")
    n.add(
        "Line",
        ["north-south", "south-east"],
        bus0=["north", "south"],
        bus1=["south", "east"],
        x=[0.1, 0.2],
        r=[0.01, 0.02],
        s_nom=[200.0, 100.0],
        s_nom_extendable=[False, True],
        s_nom_min=[0.0, 50.0],
        s_nom_max=[math.inf, 400.0],
        s_max_pu=[1.0, 0.7],
        capital_cost=[0.0, 300.0],
        fom_cost=[0.0, 3.0],
        length=[30.0, 350.0],
        carrier="AC",
    )
    n.add("Line", "dc-line", bus0="dc0", bus1="dc1", r=0.05, s_nom=60.0, carrier="DC")
    n.add("Line", "rated", bus0="north", bus1="east", x=0.3, s_max_pu=_wave(0.5, 1.0))
    n.static["Line"]["num_parallel"] = [2.0, 1.0, 1.0, 3.0]  # passthrough
    n.static["Line"]["score"] = [0.5, 1.5, math.nan, 2.0]  # custom, with a NaN
    n.add(
        "Link",
        "hvdc",
        bus0="east",
        bus1="dc0",
        carrier="DC",
        efficiency=_wave(0.9, 0.99),
        p_nom=50.0,
        p_nom_extendable=True,
        p_nom_min=20.0,
        p_nom_max=300.0,
        p_min_pu=_wave(-1.0, -0.5),
        p_max_pu=_wave(0.5, 1.0),
        marginal_cost=_wave(0.1, 0.2),
        capital_cost=500.0,
        fom_cost=10.0,
        length=300.0,
        ramp_limit_up=_wave(0.2, 0.4),
        ramp_limit_down=_wave(0.2, 0.4),
        bidirectional=True,
    )
    n.add(
        "Link",
        "converter",
        bus0="north",
        bus1="dc1",
        efficiency=0.97,
        p_nom=40.0,
        p_min_pu=-0.5,
        p_max_pu=0.8,
        marginal_cost=0.3,
        ramp_limit_up=0.3,
        ramp_limit_down=0.6,
    )
    n.add(
        "StorageUnit",
        "battery",
        bus="north",
        carrier="battery",
        p_nom=20.0,
        p_nom_extendable=True,
        p_nom_min=5.0,
        p_nom_max=80.0,
        p_min_pu=_wave(-1.0, -0.5),
        p_max_pu=_wave(0.5, 1.0),
        max_hours=4.0,
        efficiency_store=_wave(0.9, 0.95),
        efficiency_dispatch=_wave(0.9, 0.95, 1.0),
        standing_loss=_wave(0.0, 0.01),
        cyclic_state_of_charge=True,
        state_of_charge_initial=0.0,
        inflow=_wave(0.0, 2.0),
        marginal_cost=_wave(0.0, 0.1),
        spill_cost=_wave(0.0, 0.5),
        capital_cost=900.0,
        fom_cost=9.0,
    )
    n.add(
        "StorageUnit",
        "hydro",
        bus="east",
        p_nom=60.0,
        p_min_pu=-0.2,
        p_max_pu=0.9,
        max_hours=100.0,
        efficiency_store=0.8,
        efficiency_dispatch=0.9,
        standing_loss=0.001,
        state_of_charge_initial=1000.0,
        inflow=5.0,
        marginal_cost=1.0,
        spill_cost=2.0,
    )
    n.add(
        "Store",
        ["h2", "heat"],
        bus=["east", "south"],
        carrier="gas",
        e_nom=[1000.0, 50.0],
        e_nom_extendable=[True, False],
        e_nom_min=[100.0, 0.0],
        e_nom_max=[5000.0, math.inf],
        e_min_pu=[0.1, 0.0],
        e_max_pu=[0.9, 1.0],
        e_cyclic=[True, False],
        e_initial=[0.0, 25.0],
        standing_loss=[0.0, 0.02],
        marginal_cost=[0.01, 0.0],
        capital_cost=[2.0, 0.0],
        fom_cost=[0.1, 0.0],
    )
    n.add(
        "Store",
        "cavern",
        bus="north",
        e_nom=500.0,
        e_min_pu=_wave(0.0, 0.2),
        e_max_pu=_wave(0.8, 1.0),
        standing_loss=_wave(0.0, 0.001),
        marginal_cost=_wave(0.0, 0.05),
    )
    n.static["Store"]["flag"] = [True, False, True]
    n.add(
        "GlobalConstraint",
        ["co2", "co2-floor"],
        type="primary_energy",
        carrier_attribute="co2_emissions",
        sense=["<=", ">="],
        constant=[1e6, 10.0],
    )
    return n


def tiny_network() -> Network:
    """Three buses, a generator, a load and lines: the base of the error-message tests."""
    n = Network("tiny", snapshots=pd.date_range("2030-01-01", periods=4, freq="h"))
    n.add("Bus", ["north", "south", "east"])
    n.add("Generator", "gas", bus="north", p_nom=100.0, marginal_cost=50.0)
    n.add("Load", "city", bus="south", p_set=[10.0, 20.0, 30.0, 40.0])
    n.add("Line", ["north-south", "south-east"], bus0=["north", "south"], bus1=["south", "east"])
    n.static["Line"]["x"] = 0.1
    n.static["Line"]["s_nom"] = 100.0
    return n


def without_default_refused(frame: pd.DataFrame, component: str) -> pd.DataFrame:
    """``frame`` without refused columns that sit at their default (PyPSA files omit them)."""
    schema = COMPONENTS[component]
    drop = []
    for column, default in schema.refused.items():
        if column not in frame:
            continue
        values = frame[column]
        if isinstance(default, float) and math.isnan(default):
            at_default = values.isna().all()
        else:
            at_default = (values == default).all()
        if at_default:
            drop.append(column)
    return frame.drop(columns=drop)


def _text_as_object(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas 3 infers a ``str`` dtype for new text columns; compare text as object."""
    text = [c for c, dtype in frame.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    frame = frame.astype(dict.fromkeys(text, object)) if text else frame
    return frame.set_axis(frame.index.astype(object), axis=0)


def assert_same_network(a: Network, b: Network, ignore_default_refused: bool = False) -> None:
    """Static tables, time series, snapshots, weightings, name and meta are identical."""
    assert a.name == b.name
    assert a.meta == b.meta
    pd.testing.assert_index_equal(a.snapshots, b.snapshots, exact=False)
    assert type(a.snapshots) is type(b.snapshots)
    pd.testing.assert_frame_equal(
        a.snapshot_weightings, b.snapshot_weightings, check_index_type=False, check_freq=False
    )
    for component in COMPONENTS:
        left, right = a.static[component], b.static[component]
        if ignore_default_refused:
            left = without_default_refused(left, component)
            right = without_default_refused(right, component)
        if not len(left) and not len(right):
            continue
        pd.testing.assert_frame_equal(
            _text_as_object(left), _text_as_object(right), obj=f"{component} static"
        )
        left_t = {k: v for k, v in a.dynamic[component].items() if v.shape[1]}
        right_t = {k: v for k, v in b.dynamic[component].items() if v.shape[1]}
        assert sorted(left_t) == sorted(right_t), component
        for attr, table in left_t.items():
            pd.testing.assert_frame_equal(
                table,
                right_t[attr],
                check_names=False,
                check_index_type=False,
                check_column_type=False,
                check_freq=False,
                obj=f"{component}.{attr} series",
            )
