"""Capacity and dispatch variables, and the limits that tie dispatch to capacity.

For a component with nominal capacity ``P`` (MW, or MWh for stores) and per-unit limits
``min_pu[t]``, ``max_pu[t]`` its operating variable ``x[t]`` obeys::

    min_pu[t] * P  <=  x[t]  <=  max_pu[t] * P

When ``P`` is fixed these are column bounds. When ``P`` is extendable it is a variable with
bounds ``[P_min, P_max]`` and cost ``capital_cost + fom_cost`` (EUR per unit of capacity and
period), and the limits become rows ``x[t] - max_pu[t] * P <= 0`` and ``x[t] - min_pu[t] * P >= 0``
(the lower row is left out where ``min_pu`` is zero: the column bound ``x >= 0`` says the same).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.network.network import extendable_mask
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize.assembly import ConstraintKey, VariableBlock, VariableKey
from caspian.optimize.context import STORAGE_LEVEL, BuildContext

GENERATOR_P = VariableKey("Generator", "p")
"""Generator output (MW), snapshots x generators."""
LINE_S = VariableKey("Line", "s")
"""Line flow bus0 -> bus1 (MW), snapshots x lines."""
LINK_P = VariableKey("Link", "p")
"""Flow of the (PyPSA) one-way links (MW at bus0), snapshots x those links."""
LINK_P_FWD = VariableKey("Link", "p_fwd")
"""Forward flow of the bidirectional links (MW withdrawn at bus0)."""
LINK_P_BWD = VariableKey("Link", "p_bwd")
"""Backward flow of the bidirectional links (MW withdrawn at bus1)."""
LINK_FLOWS = (LINK_P, LINK_P_FWD, LINK_P_BWD)
"""Every link flow block; which exist depends on the links' ``bidirectional`` flags."""
STORAGE_UNIT_P_DISPATCH = VariableKey("StorageUnit", "p_dispatch")
"""Storage unit discharge (MW)."""
STORAGE_UNIT_P_STORE = VariableKey("StorageUnit", "p_store")
"""Storage unit charge (MW)."""
STORAGE_UNIT_SPILL = VariableKey("StorageUnit", "spill")
"""Spillage (MW) of the storage units with inflow."""
STORE_P = VariableKey("Store", "p")
"""Store power (MW, positive when feeding the bus)."""
LINK_SHARED_CAPACITY = ConstraintKey("Link", "shared-capacity")
"""``p_fwd + p_bwd <= p_nom`` of the bidirectional links."""


def capacity_key(component: str) -> VariableKey:
    """The capacity variable of the extendables of ``component`` (``Generator-p_nom``, ...)."""
    return VariableKey(component, NOMINAL_ATTR[component])


def level_key(component: str, *, intra: bool = False) -> VariableKey:
    """The storage level of ``"StorageUnit"`` or ``"Store"`` (MWh): ``state_of_charge`` or
    ``e``, or with representative periods (``intra``) their intra-period part
    ``state_of_charge_intra`` or ``e_intra``."""
    attr = STORAGE_LEVEL[component]
    return VariableKey(component, f"{attr}_intra" if intra else attr)


def model_level_key(ctx: BuildContext, component: str) -> VariableKey:
    """The level variable of ``component`` in the model being built (intra-period with
    representative periods)."""
    return level_key(component, intra=ctx.periods is not None)


def limit_key(variable: VariableKey, side: str) -> ConstraintKey:
    """The rows limiting an extendable's ``variable`` by its capacity variable, ``side``
    ``"upper"`` or ``"lower"`` (``Generator-ext-p-upper``)."""
    return ConstraintKey(variable.component, f"ext-{variable.name}-{side}")


def define_capacity_variables(ctx: BuildContext, component: str) -> VariableBlock | None:
    """Add the capacity variable of every extendable ``component`` (MW or MWh).

    Bounds ``[{nom}_min, {nom}_max]``; objective coefficient ``capital_cost + fom_cost``.
    """
    frame = ctx.static(component)
    ext = ctx.extendable(component)
    if not ext.any():
        return None
    attr = NOMINAL_ATTR[component]
    sub = frame.loc[ext]
    cost = sub["capital_cost"].to_numpy(float) + sub["fom_cost"].to_numpy(float)
    return ctx.builder.add_variables(
        capacity_key(component),
        sub.index,
        sub[f"{attr}_min"].to_numpy(float),
        sub[f"{attr}_max"].to_numpy(float),
        time_indexed=False,
        cost=cost,
    )


def capacity_product(pu: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """``pu * nominal`` with ``0 * inf = 0`` (PyPSA's rule for unlimited capacities)."""
    with np.errstate(invalid="ignore"):
        out = pu * nominal
    return np.where(pu == 0, 0.0, out)


def define_dispatch(
    ctx: BuildContext,
    key: VariableKey,
    min_pu: np.ndarray,
    max_pu: np.ndarray,
    names: pd.Index | None = None,
    *,
    scale_nominal: np.ndarray | None = None,
    cost: np.ndarray | float = 0.0,
) -> VariableBlock:
    """Add the block ``key`` (snapshots x names) limited by its component's capacity.

    Equation: ``min_pu[t] * c * P <= x[t] <= max_pu[t] * c * P`` where ``c`` is
    ``scale_nominal`` (e.g. ``max_hours`` for a state of charge) or 1. Units follow ``P``.
    """
    component = key.component
    frame = ctx.static(component)
    names = frame.index if names is None else names
    nom_attr = NOMINAL_ATTR[component]
    sub = frame.loc[names]
    factor = np.ones(len(names)) if scale_nominal is None else scale_nominal
    ext = extendable_mask(sub, component)
    nominal = sub[nom_attr].to_numpy(float)
    nom_min = sub[f"{nom_attr}_min"].to_numpy(float)
    nom_max = sub[f"{nom_attr}_max"].to_numpy(float)

    lower = capacity_product(min_pu, nominal * factor)
    upper = capacity_product(max_pu, nominal * factor)
    if ext.any():
        # Implied bounds from the capacity's own bounds help presolve; they cut nothing off.
        ext_lower = np.where(
            min_pu >= 0,
            capacity_product(min_pu, nom_min * factor),
            capacity_product(min_pu, nom_max * factor),
        )
        ext_upper = np.where(
            max_pu >= 0,
            capacity_product(max_pu, nom_max * factor),
            capacity_product(max_pu, nom_min * factor),
        )
        lower = np.where(ext, ext_lower, lower)
        upper = np.where(ext, ext_upper, upper)
    block = ctx.builder.add_variables(key, names, lower, upper, cost=cost)

    if ext.any():
        capacity = ctx.variable(capacity_key(component))
        ext_names = names[ext]
        cap_cols = capacity.columns()[capacity.names.get_indexer(ext_names)]
        cols = block.columns()[:, ext]
        _limit_rows(
            ctx,
            limit_key(key, "upper"),
            ext_names,
            cols,
            cap_cols,
            max_pu[:, ext] * factor[ext],
            upper_side=True,
        )
        needs_lower = (min_pu[:, ext] != 0).any(axis=0)
        if needs_lower.any():
            _limit_rows(
                ctx,
                limit_key(key, "lower"),
                ext_names[needs_lower],
                cols[:, needs_lower],
                cap_cols[needs_lower],
                (min_pu[:, ext] * factor[ext])[:, needs_lower],
                upper_side=False,
            )
    return block


def _limit_rows(
    ctx: BuildContext,
    key: ConstraintKey,
    names: pd.Index,
    cols: np.ndarray,
    cap_cols: np.ndarray,
    pu: np.ndarray,
    *,
    upper_side: bool,
) -> None:
    """Rows ``x[t] - pu[t] * P <= 0`` (upper side) or ``>= 0`` (lower side)."""
    lower, upper = (-np.inf, 0.0) if upper_side else (0.0, np.inf)
    block = ctx.builder.add_constraints(key, names, lower, upper)
    rows = block.rows()
    ctx.builder.add_terms(rows, cols, 1.0)
    ctx.builder.add_terms(rows, np.broadcast_to(cap_cols, rows.shape), -pu)


def define_generator_dispatch(ctx: BuildContext) -> VariableBlock | None:
    """Generator output ``p`` (MW) in ``[p_min_pu, p_max_pu] * p_nom``; cost w * marginal_cost."""
    if not len(ctx.static("Generator")):
        return None
    cost = ctx.w_objective[:, None] * ctx.series("Generator", "marginal_cost")
    return define_dispatch(
        ctx,
        GENERATOR_P,
        ctx.series("Generator", "p_min_pu"),
        ctx.series("Generator", "p_max_pu"),
        cost=cost,
    )


def define_line_flows(ctx: BuildContext) -> VariableBlock | None:
    """Line flow ``s`` (MW, bus0 -> bus1) within ``[-s_max_pu, s_max_pu] * s_nom``."""
    if not len(ctx.static("Line")):
        return None
    s_max_pu = ctx.series("Line", "s_max_pu")
    return define_dispatch(ctx, LINE_S, -s_max_pu, s_max_pu)


def define_link_flows(ctx: BuildContext) -> None:
    """Link flows (MW at bus0).

    PyPSA links: ``p`` within ``[p_min_pu, p_max_pu] * p_nom``; ``p`` leaves bus0 and
    ``efficiency * p`` arrives at bus1 for either sign of ``p`` (PyPSA's semantics).

    Bidirectional (lossy two-way HVDC) links: forward ``p_fwd`` within ``[0, p_max_pu * p_nom]``,
    backward ``p_bwd`` within ``[0, -p_min_pu * p_nom]``, and ``p_fwd + p_bwd <= p_nom``; each
    direction delivers ``efficiency`` times what it withdraws, so losses occur both ways.
    Cost ``w_obj * marginal_cost`` per MWh withdrawn, in either direction.
    """
    frame = ctx.static("Link")
    if not len(frame):
        return
    bidirectional = frame["bidirectional"].to_numpy(bool)
    min_pu = ctx.series("Link", "p_min_pu")
    max_pu = ctx.series("Link", "p_max_pu")
    cost = ctx.w_objective[:, None] * ctx.series("Link", "marginal_cost")
    plain = ~bidirectional
    if plain.any():
        define_dispatch(
            ctx,
            LINK_P,
            min_pu[:, plain],
            max_pu[:, plain],
            frame.index[plain],
            cost=cost[:, plain],
        )
    if bidirectional.any():
        names = frame.index[bidirectional]
        zero = np.zeros((ctx.n_snapshots, len(names)))
        fwd = define_dispatch(
            ctx,
            LINK_P_FWD,
            zero,
            np.maximum(max_pu[:, bidirectional], 0),
            names,
            cost=cost[:, bidirectional],
        )
        bwd = define_dispatch(
            ctx,
            LINK_P_BWD,
            zero,
            np.maximum(-min_pu[:, bidirectional], 0),
            names,
            cost=cost[:, bidirectional],
        )
        _shared_capacity_rows(ctx, names, fwd, bwd)


def _shared_capacity_rows(
    ctx: BuildContext, names: pd.Index, fwd: VariableBlock, bwd: VariableBlock
) -> None:
    """``p_fwd[t] + p_bwd[t] <= p_nom`` for bidirectional links (one cable, one rating)."""
    sub = ctx.static("Link").loc[names]
    ext = extendable_mask(sub, "Link")
    upper = np.where(ext, 0.0, sub["p_nom"].to_numpy(float))
    block = ctx.builder.add_constraints(LINK_SHARED_CAPACITY, names, -np.inf, upper)
    rows = block.rows()
    ctx.builder.add_terms(rows, fwd.columns(), 1.0)
    ctx.builder.add_terms(rows, bwd.columns(), 1.0)
    if ext.any():
        capacity = ctx.variable(capacity_key("Link"))
        cap_cols = capacity.columns()[capacity.names.get_indexer(names[ext])]
        ctx.builder.add_terms(rows[:, ext], np.broadcast_to(cap_cols, rows[:, ext].shape), -1.0)


def define_storage_unit_dispatch(ctx: BuildContext) -> None:
    """Storage unit variables (MW, MWh).

    ``p_dispatch`` in ``[0, p_max_pu * p_nom]`` with cost w_obj * marginal_cost; ``p_store`` in
    ``[0, -p_min_pu * p_nom]``; ``state_of_charge`` in ``[0, max_hours * p_nom]`` (with
    representative periods the free intra-period level instead); ``spill`` in ``[0, inflow]``
    for units with inflow, cost w_obj * spill_cost.
    """
    frame = ctx.static("StorageUnit")
    if not len(frame):
        return
    T, N = ctx.n_snapshots, len(frame)
    zero = np.zeros((T, N))
    cost = ctx.w_objective[:, None] * ctx.series("StorageUnit", "marginal_cost")
    define_dispatch(
        ctx, STORAGE_UNIT_P_DISPATCH, zero, ctx.series("StorageUnit", "p_max_pu"), cost=cost
    )
    define_dispatch(ctx, STORAGE_UNIT_P_STORE, zero, -ctx.series("StorageUnit", "p_min_pu"))
    if ctx.periods is None:
        max_hours = frame["max_hours"].to_numpy(float)
        define_dispatch(
            ctx, level_key("StorageUnit"), zero, np.ones((T, N)), scale_nominal=max_hours
        )
    else:
        _free_intra_level(ctx, "StorageUnit")
    inflow = ctx.series("StorageUnit", "inflow")
    has_inflow = np.asarray((inflow > 0).any(axis=0), dtype=bool)
    if has_inflow.any():
        spill_cost = ctx.w_objective[:, None] * ctx.series("StorageUnit", "spill_cost")
        ctx.builder.add_variables(
            STORAGE_UNIT_SPILL,
            frame.index[has_inflow],
            0.0,
            inflow[:, has_inflow],
            cost=spill_cost[:, has_inflow],
        )


def define_store_dispatch(ctx: BuildContext) -> None:
    """Store variables: energy ``e`` (MWh) in ``[e_min_pu, e_max_pu] * e_nom`` (with
    representative periods the free intra-period level instead) and free power ``p`` (MW,
    positive when the store feeds the bus) with cost w_obj * marginal_cost."""
    frame = ctx.static("Store")
    if not len(frame):
        return
    if ctx.periods is None:
        define_dispatch(
            ctx,
            level_key("Store"),
            ctx.series("Store", "e_min_pu"),
            ctx.series("Store", "e_max_pu"),
        )
    else:
        _free_intra_level(ctx, "Store")
    cost = ctx.w_objective[:, None] * ctx.series("Store", "marginal_cost")
    ctx.builder.add_variables(STORE_P, frame.index, -np.inf, np.inf, cost=cost)


def _free_intra_level(ctx: BuildContext, component: str) -> None:
    """The intra-period level (MWh, free sign) of representative periods; its bounds are rows
    with the inter-period level (:mod:`caspian.optimize.inter_period`)."""
    names = ctx.static(component).index
    ctx.builder.add_variables(model_level_key(ctx, component), names, -np.inf, np.inf)
