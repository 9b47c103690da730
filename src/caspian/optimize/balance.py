"""Kirchhoff's current law (nodal balance) and voltage law (cycle constraints)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from caspian.optimize.assembly import ConstraintBlock, ConstraintKey, VariableBlock
from caspian.optimize.context import BuildContext
from caspian.optimize.operation import (
    GENERATOR_P,
    LINE_S,
    LINK_FLOWS,
    LINK_P_BWD,
    STORAGE_UNIT_P_DISPATCH,
    STORAGE_UNIT_P_STORE,
    STORE_P,
)
from caspian.optimize.topology import cycle_basis

NODAL_BALANCE = ConstraintKey("Bus", "nodal_balance")
"""Energy balance of every bus and snapshot; its duals are the nodal prices."""
KIRCHHOFF_VOLTAGE_LAW = ConstraintKey("Line", "kirchhoff_voltage_law")
"""Kirchhoff's voltage law around every cycle of the lines and snapshot."""


def bus_load(ctx: BuildContext) -> np.ndarray:
    """Total load ``p_set`` per snapshot and bus (MW), snapshots x buses."""
    loads = ctx.static("Load")
    T, B = ctx.n_snapshots, len(ctx.buses)
    if not len(loads):
        return np.zeros((T, B))
    pos = ctx.bus_position("Load", "bus")
    incidence = sp.csr_array(
        (np.ones(len(loads)), (np.arange(len(loads)), pos)), shape=(len(loads), B)
    )
    return np.asarray((incidence.T @ ctx.series("Load", "p_set").T).T)


def define_nodal_balance(ctx: BuildContext) -> ConstraintBlock:
    """Energy balance at every bus and snapshot (MW)::

        sum_g sign_g p_g + sum_s (p_dispatch_s - p_store_s) + sum_e p_e
          + sum_{lines into bus} s - sum_{lines out of bus} s
          + sum_{links} (efficiency * p at bus1, -p at bus0)          = sum_loads p_set

    The dual of each row, divided by the objective weighting, is the nodal price (EUR/MWh).
    Applies to Generator, StorageUnit, Store, Line, Link and Load.
    """
    b = ctx.builder
    load = bus_load(ctx)
    block = b.add_constraints(NODAL_BALANCE, ctx.buses, load, load)
    rows = block.rows()
    T = ctx.n_snapshots
    t = np.arange(T)[:, None]

    def inject(
        var: VariableBlock | None, component: str, column: str, coef: np.ndarray | float
    ) -> None:
        if var is None:
            return
        pos = ctx.bus_position(component, column, var.names)
        b.add_terms(rows[t, pos[None, :]], var.columns(), coef)

    gens = ctx.variable_or_none(GENERATOR_P)
    if gens is not None:
        inject(gens, "Generator", "bus", ctx.static("Generator")["sign"].to_numpy(float)[None, :])
    inject(ctx.variable_or_none(STORAGE_UNIT_P_DISPATCH), "StorageUnit", "bus", 1.0)
    inject(ctx.variable_or_none(STORAGE_UNIT_P_STORE), "StorageUnit", "bus", -1.0)
    inject(ctx.variable_or_none(STORE_P), "Store", "bus", 1.0)
    inject(ctx.variable_or_none(LINE_S), "Line", "bus0", -1.0)
    inject(ctx.variable_or_none(LINE_S), "Line", "bus1", 1.0)

    for key in LINK_FLOWS:
        var = ctx.variable_or_none(key)
        if var is None:
            continue
        efficiency = ctx.series("Link", "efficiency", var.names)
        sending, receiving = ("bus1", "bus0") if key == LINK_P_BWD else ("bus0", "bus1")
        inject(var, "Link", sending, -1.0)
        inject(var, "Link", receiving, efficiency)
    return block


def define_kirchhoff_voltage_law(ctx: BuildContext) -> ConstraintBlock | None:
    """Kirchhoff's voltage law around each cycle ``c`` of the line graph, every snapshot::

        sum_{l in c} C_lc * z_l * s_l = 0

    ``C_lc`` is +1 or -1 by the direction the cycle runs along line ``l``; ``z_l`` is the
    per-unit reactance ``x / v_nom^2`` for AC lines or resistance ``r / v_nom^2`` for DC lines
    (DC when the buses' carrier is DC), with ``v_nom`` of bus0, as PyPSA does. Each row is scaled
    so that its largest coefficient is 1. Applies to Line.
    """
    lines = ctx.static("Line")
    flows = ctx.variable_or_none(LINE_S)
    if flows is None or len(lines) < 2:
        return None
    bus0 = ctx.bus_position("Line", "bus0")
    bus1 = ctx.bus_position("Line", "bus1")
    basis = cycle_basis(len(ctx.buses), bus0, bus1)
    if basis.n_cycles == 0:
        return None
    buses = ctx.static("Bus")
    v_nom = buses["v_nom"].to_numpy(float)[bus0]
    is_dc = buses["carrier"].to_numpy(object)[bus0] == "DC"
    impedance = np.where(is_dc, lines["r"].to_numpy(float), lines["x"].to_numpy(float))
    z_pu = impedance / v_nom**2
    coef = basis.sign * z_pu[basis.line]
    row_max = np.zeros(basis.n_cycles)
    np.maximum.at(row_max, basis.cycle, np.abs(coef))
    coef = coef / row_max[basis.cycle]
    names = pd.Index([f"cycle {k}" for k in range(basis.n_cycles)], name="cycle")
    block = ctx.builder.add_constraints(KIRCHHOFF_VOLTAGE_LAW, names, 0.0, 0.0)
    rows = block.rows()
    ctx.builder.add_terms(rows[:, basis.cycle], flows.columns()[:, basis.line], coef[None, :])
    return block
