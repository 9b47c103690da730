"""PyPSA features caspian-grid refuses: one clear problem each, and no false refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from caspian.network import read_network
from tests.network.pypsa_files import (
    PYPSA_MARKS,
    export,
    pypsa,
    pypsa_network,
    refusal,
)

pytestmark = PYPSA_MARKS

NAMES = ["net.nc", "net"]


def only_problem(tmp_path: Path, n: pypsa.Network, name: str) -> str:
    """The one problem PyPSA's file of ``n`` has for caspian-grid."""
    message = refusal(tmp_path, n, name)
    lines = message.splitlines()
    assert lines[0] == f"1 problem in {tmp_path / name}:", message
    return lines[1].removeprefix("  - ")


@pytest.mark.parametrize("name", NAMES)
def test_refuses_unit_commitment(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.generators.loc["gas", "committable"] = True
    assert (
        "Generator.committable = True on 'gas' asks for unit commitment, which caspian-grid "
        "does not model; remove it or set it to False"
    ) in only_problem(tmp_path, n, name)


@pytest.mark.parametrize("name", NAMES)
def test_refused_series_names_the_snapshot(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.generators_t.p_set = pd.DataFrame({"wind": [np.nan, 5.0, np.nan, np.nan]}, index=n.snapshots)
    assert (
        "Generator.p_set = 5.0 on 'wind' at snapshot '2030-01-01 01:00:00' asks for a fixed"
        in only_problem(tmp_path, n, name)
    )


# ---------------------------------------------------------------------- investment periods
@pytest.mark.parametrize("name", NAMES)
def test_refuses_investment_periods_in_one_problem(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.set_investment_periods([2030, 2040])
    assert "investment periods (a multi-period network)" in only_problem(tmp_path, n, name)


def with_empty_investment_periods(path: Path) -> Path:
    """``path`` as PyPSA 0.35 writes it: with an ``investment_periods`` dimension of length 0
    (netCDF) or an ``investment_periods.csv`` with only its header (CSV folder)."""
    if path.is_dir():
        (path / "investment_periods.csv").write_text("period,objective,years\n")
        return path
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    empty = np.array([], dtype=float)
    ds = ds.assign_coords(investment_periods=empty)
    ds["investment_periods_objective"] = ("investment_periods", empty)
    ds["investment_periods_years"] = ("investment_periods", empty)
    ds.attrs["network_pypsa_version"] = "0.35.0"
    out = path.with_name(f"0.35-{path.name}")
    ds.to_netcdf(out)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_empty_investment_periods_are_one_period(tmp_path: Path, name: str) -> None:
    path = with_empty_investment_periods(export(pypsa_network(), tmp_path / name))
    assert len(pypsa.Network(path).investment_periods) == 0  # PyPSA reads one period too
    n = read_network(path)
    assert len(n.snapshots) == 4
    assert list(n.generators.index) == ["gas", "wind", "c-gen", "e-gen"]


# ---------------------------------------------------------------------- scenarios
def test_refuses_scenarios_in_one_line(tmp_path: Path) -> None:
    n = pypsa_network()
    n.set_scenarios({"low": 0.5, "high": 0.5})
    assert only_problem(tmp_path, n, "net.nc") == (
        "net.nc: the network has stochastic scenarios ('low', 'high'), which caspian-grid does "
        "not model; solve one scenario at a time (PyPSA's n.get_scenario(name) extracts one)."
    )


# ---------------------------------------------------------------------- no follow-up noise
@pytest.mark.parametrize("name", NAMES)
def test_multi_port_link_is_refused_once(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.add("Bus", "heat")
    n.add("Load", "district", bus="heat", p_set=5.0)  # only the refused link reaches it
    n.add("Link", "chp", bus0="a", bus1="b", bus2="heat", efficiency2=0.4, p_nom=10)
    assert only_problem(tmp_path, n, name).endswith(
        "Link.bus2 = 'heat' on 'chp' asks for multi-port links (bus2, bus3, ...), which "
        "caspian-grid does not model; remove it or set it to ''."
    )


@pytest.mark.parametrize("name", NAMES)
def test_bus_behind_a_transformer_is_not_stranded(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.add("Bus", "lv", v_nom=110.0)
    n.add("Load", "town", bus="lv", p_set=5.0)  # only the refused transformer reaches it
    n.add("Transformer", "t", bus0="a", bus1="lv", x=0.1, s_nom=100)
    assert "1 Transformer component(s) ('t')" in only_problem(tmp_path, n, name)


# ---------------------------------------------------------------------- set points
@pytest.mark.parametrize("name", NAMES)
def test_state_of_charge_set_names_the_units_that_have_it(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.add("StorageUnit", ["first", "second"], bus="b", p_nom=10)
    n.storage_units_t.state_of_charge_set = pd.DataFrame(
        {"second": [np.nan, 7.0, np.nan, np.nan]}, index=n.snapshots
    )
    problem = only_problem(tmp_path, n, name)
    assert "StorageUnit.state_of_charge_set = 7.0 on 'second' at snapshot" in problem
    assert "'first'" not in problem
    # Both set, the second earlier in time: each is named once, in table order.
    n.storage_units_t.state_of_charge_set = pd.DataFrame(
        {"first": [np.nan, np.nan, 3.0, np.nan], "second": [np.nan, 7.0, np.nan, np.nan]},
        index=n.snapshots,
    )
    (tmp_path / "both").mkdir()
    problem = only_problem(tmp_path / "both", n, name)
    assert (
        "StorageUnit.state_of_charge_set = 3.0 on 'first' at snapshot '2030-01-01 02:00:00' "
        "asks for a fixed state of charge, which caspian-grid does not model; remove it or "
        "set it to NaN (also on 'second')."
    ) in problem


# ---------------------------------------------------------------------- transformers
TRANSFORMER_AS_LINE = (
    "which caspian-grid does not model; replace each two-winding transformer by a Line with "
    "the same bus0, bus1 and s_nom and x = x_pu * v_nom^2 / s_nom Ohm, with x_pu the "
    "transformer's x (per unit on its s_nom in MVA) and v_nom the nominal voltage (kV) of "
    "bus0, since a line's per-unit reactance is x / v_nom(bus0)^2 (keep the transformer's "
    "bus0, usually its higher-voltage side); convert r the same way, and multiply both by "
    "tap_ratio where it is not 1"
)


@pytest.mark.parametrize("name", NAMES)
def test_transformer_refusal_says_how_to_convert_it(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.add("Transformer", ["t1", "t2"], bus0="a", bus1="c", x=0.1, s_nom=100)  # 380 -> 220 kV
    display = "net.nc" if name == "net.nc" else "transformers.csv"
    assert only_problem(tmp_path, n, name) == (
        f"{display}: the network has 2 Transformer component(s) ('t1', 't2'), "
        f"{TRANSFORMER_AS_LINE} (e.g. 't1' with bus0 'a' at 380 kV: x = 0.1 * 380^2 / 100 = "
        "144.4 Ohm). A phase-shifting transformer (non-zero phase_shift) cannot be converted to "
        "a line and is not supported."
    )


@pytest.mark.parametrize("name", NAMES)
def test_phase_shifters_and_typed_transformers_are_named(tmp_path: Path, name: str) -> None:
    n = pypsa_network()
    n.add("Transformer", "shifter", bus0="a", bus1="c", x=0.1, s_nom=100, phase_shift=30.0)
    n.add("Transformer", "typed", bus0="a", bus1="c", type="160 MVA 380/110 kV")
    n.add("Transformer", "tapped", bus0="c", bus1="a", x=0.2, s_nom=50, tap_ratio=1.05)
    problem = only_problem(tmp_path, n, name)
    assert (
        "(e.g. 'tapped' with bus0 'c' at 220 kV: x = 0.2 * 1.05 * 220^2 / 50 = 203.28 Ohm); "
        "for those with a standard type ('typed'), PyPSA's n.calculate_dependent_values() "
        "first fills x, r, s_nom and tap_ratio from the type. "
    ) in problem
    assert problem.endswith(
        "A phase-shifting transformer (non-zero phase_shift) cannot be converted to a line and "
        "is not supported; remove 'shifter'."
    )


def lpf_flows(as_lines: bool, v_nom_of: str = "bus0") -> float:
    """PyPSA's linear power flow on a meshed 380/110 kV network with two transformers, or
    with each replaced by a line as the refusal says (``v_nom`` of the side ``v_nom_of``)."""
    n = pypsa.Network()
    n.add("Bus", ["hv1", "hv2"], v_nom=380.0)
    n.add("Bus", "lv", v_nom=110.0)
    n.add("Generator", "g", bus="hv1", p_set=300.0, control="Slack")
    n.add("Load", ["l2", "l3"], bus=["hv2", "lv"], p_set=[100.0, 200.0])
    n.add("Line", "hv", bus0="hv1", bus1="hv2", x=30.0, s_nom=1000)
    for name, bus0, x, s_nom, tap in (
        ("t1", "hv1", 0.1, 200.0, 1.0),
        ("t2", "hv2", 0.12, 300, 1.05),
    ):
        if as_lines:
            v_nom = n.buses.at[bus0 if v_nom_of == "bus0" else "lv", "v_nom"]
            ohm = x * tap * v_nom**2 / s_nom
            n.add("Line", name, bus0=bus0, bus1="lv", x=ohm, s_nom=s_nom)
        else:
            n.add("Transformer", name, bus0=bus0, bus1="lv", x=x, s_nom=s_nom, tap_ratio=tap)
    n.lpf()
    return float(n.lines_t.p0.loc["now", "hv"])


def test_transformer_as_line_carries_the_same_flows() -> None:
    """The conversion in the message, checked against PyPSA's linear power flow."""
    flow = lpf_flows(as_lines=False)
    assert lpf_flows(as_lines=True) == pytest.approx(flow, rel=1e-9)
    assert lpf_flows(as_lines=True, v_nom_of="bus1") != pytest.approx(flow, rel=1e-3)
