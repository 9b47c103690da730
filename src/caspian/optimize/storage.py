"""Energy balance of storage units and stores over time.

With ``h[t]`` the stores weighting of snapshot ``t`` (hours) and
``eta[t] = (1 - standing_loss)^h[t]``:

StorageUnit (MWh)::

    soc[t] = eta[t] soc[t-1]
             + h[t] (efficiency_store p_store[t] - p_dispatch[t] / efficiency_dispatch
                     + inflow[t] - spill[t])

Store (MWh)::

    e[t] = eta[t] e[t-1] - h[t] p[t]

``soc[-1]`` is ``soc[T-1]`` when cyclic; otherwise the first row uses
``state_of_charge_initial`` (``e_initial``) *without* the standing loss, exactly as PyPSA does.

With representative periods (:mod:`caspian.optimize.periods`, rows in
:mod:`caspian.optimize.inter_period`) the same rows hold the
intra-period level, which starts from zero in every typical period (``soc[t-1]`` is dropped at
each period's first snapshot, and there is no initial level), and ``h[t]`` is the duration of a
snapshot within one occurrence of its period.
"""

from __future__ import annotations

import numpy as np

from caspian.optimize.assembly import ConstraintBlock, ConstraintKey, VariableBlock
from caspian.optimize.context import BuildContext
from caspian.optimize.inter_period import inter_level_columns
from caspian.optimize.operation import (
    STORAGE_UNIT_P_DISPATCH,
    STORAGE_UNIT_P_STORE,
    STORAGE_UNIT_SPILL,
    STORE_P,
    model_level_key,
)

ENERGY_BALANCE = {
    component: ConstraintKey(component, "energy_balance") for component in ("StorageUnit", "Store")
}
"""Storage continuity of the storage units and of the stores, by component."""


def _energy_rows(
    ctx: BuildContext,
    component: str,
    level: VariableBlock,
    cyclic: np.ndarray,
    initial: np.ndarray,
    standing_loss: np.ndarray,
    rhs: np.ndarray,
) -> ConstraintBlock:
    """Rows ``level[t] - eta[t] level[t-1] + (flow terms added by the caller) = rhs[t]``."""
    h = ctx.w_stores[:, None]
    eta = (1.0 - standing_loss) ** h
    rhs = rhs.copy()
    coef = -eta.copy()
    if ctx.periods is None:
        rhs[0] += np.where(cyclic, 0.0, initial)
        coef[0] = np.where(cyclic, coef[0], 0.0)
    else:
        coef[ctx.periods.period_starts()] = 0.0
    block = ctx.builder.add_constraints(ENERGY_BALANCE[component], level.names, rhs, rhs)
    rows = block.rows()
    cols = level.columns()
    ctx.builder.add_terms(rows, cols, 1.0)
    previous = np.roll(cols, 1, axis=0)
    ctx.builder.add_terms(rows, previous, coef)
    return block


def define_storage_unit_energy_balance(ctx: BuildContext) -> ConstraintBlock | None:
    """State-of-charge continuity of every StorageUnit (see the module docstring)."""
    soc = ctx.variable_or_none(model_level_key(ctx, "StorageUnit"))
    if soc is None:
        return None
    frame = ctx.static("StorageUnit")
    h = ctx.w_stores[:, None]
    inflow = ctx.series("StorageUnit", "inflow")
    block = _energy_rows(
        ctx,
        "StorageUnit",
        soc,
        frame["cyclic_state_of_charge"].to_numpy(bool),
        frame["state_of_charge_initial"].to_numpy(float),
        ctx.series("StorageUnit", "standing_loss"),
        h * inflow,
    )
    rows = block.rows()
    b = ctx.builder
    dispatch = ctx.variable(STORAGE_UNIT_P_DISPATCH)
    store = ctx.variable(STORAGE_UNIT_P_STORE)
    b.add_terms(rows, dispatch.columns(), h / ctx.series("StorageUnit", "efficiency_dispatch"))
    b.add_terms(rows, store.columns(), -h * ctx.series("StorageUnit", "efficiency_store"))
    spill = ctx.variable_or_none(STORAGE_UNIT_SPILL)
    if spill is not None:
        pos = frame.index.get_indexer(spill.names)
        b.add_terms(rows[:, pos], spill.columns(), np.broadcast_to(h, spill.shape))
    return block


def define_store_energy_balance(ctx: BuildContext) -> ConstraintBlock | None:
    """Energy continuity of every Store (see the module docstring)."""
    energy = ctx.variable_or_none(model_level_key(ctx, "Store"))
    if energy is None:
        return None
    power = ctx.variable(STORE_P)
    frame = ctx.static("Store")
    zero = np.zeros(energy.shape)
    block = _energy_rows(
        ctx,
        "Store",
        energy,
        frame["e_cyclic"].to_numpy(bool),
        frame["e_initial"].to_numpy(float),
        ctx.series("Store", "standing_loss"),
        zero,
    )
    ctx.builder.add_terms(
        block.rows(), power.columns(), np.broadcast_to(ctx.w_stores[:, None], power.shape)
    )
    return block


def final_level_columns(ctx: BuildContext, component: str) -> np.ndarray | None:
    """Columns of each storage component's level at the end of the horizon (MWh): the last
    snapshot's level, or with representative periods the inter-period level ``E[D]``."""
    if ctx.periods is not None:
        inter = inter_level_columns(ctx, component)
        return None if inter is None else inter[-1]
    level = ctx.variable_or_none(model_level_key(ctx, component))
    return None if level is None else level.columns()[-1]
