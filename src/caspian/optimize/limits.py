"""Ramp limits and global (CO2) constraints."""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.network.network import extendable_mask
from caspian.optimize.assembly import ConstraintBlock, ConstraintKey, VariableBlock, VariableKey
from caspian.optimize.context import STORAGE_START, BuildContext
from caspian.optimize.operation import GENERATOR_P, LINK_P, LINK_P_BWD, LINK_P_FWD, capacity_key
from caspian.optimize.storage import final_level_columns

CO2 = ConstraintKey("GlobalConstraint", "co2")
"""The CO2 caps, one row per GlobalConstraint."""

RAMP_DIRECTIONS = ("up", "down")


def ramp_key(component: str, direction: str, *, bidirectional: bool = False) -> ConstraintKey:
    """The ramp rows of ``component`` (Generator or Link) in ``direction`` ``"up"`` or
    ``"down"``: ``Generator-ramp_limit_up``, or for the net flow of bidirectional links
    ``Link-bidirectional-ramp_limit_up``."""
    prefix = "bidirectional-" if bidirectional else ""
    return ConstraintKey(component, f"{prefix}ramp_limit_{direction}")


def define_ramp_limits(ctx: BuildContext, component: str) -> None:
    """Ramp limits of Generator or Link output between consecutive snapshots (MW)::

        p[t] - p[t-1] <=  ramp_limit_up[t]   * P
        p[t] - p[t-1] >= -ramp_limit_down[t] * P

    for ``t >= 1`` wherever the limit is not NaN; ``P`` is ``p_nom`` or, for extendables, the
    capacity variable. As in PyPSA the first snapshot has no previous output and no limit; with
    representative periods neither has the first snapshot of any typical period.
    Applies to Generator and Link; for a bidirectional link ``p`` is its net flow
    ``p_fwd - p_bwd`` (rows ``Link-bidirectional-ramp_limit_up/down``).
    """
    output = {"Generator": GENERATOR_P, "Link": LINK_P}[component]
    outputs: list[tuple[bool, list[tuple[VariableKey, float]]]] = [(False, [(output, 1.0)])]
    if component == "Link":
        outputs.append((True, [(LINK_P_FWD, 1.0), (LINK_P_BWD, -1.0)]))
    for bidirectional, terms in outputs:
        variables = [
            (var, sign) for key, sign in terms if (var := ctx.variable_or_none(key)) is not None
        ]
        if ctx.n_snapshots >= 2 and len(variables) == len(terms):
            _ramp_rows(ctx, component, bidirectional, variables)


def _ramp_rows(
    ctx: BuildContext, component: str, bidirectional: bool, terms: list[tuple[VariableBlock, float]]
) -> None:
    """The ramp rows of one output, ``sum(sign * var)``, for the names that have a limit."""
    all_names = terms[0][0].names
    frame = ctx.static(component).loc[all_names]
    for direction in RAMP_DIRECTIONS:
        limit = ctx.series(component, f"ramp_limit_{direction}", all_names)[1:]
        if ctx.periods is not None:  # consecutive typical periods are not consecutive in time
            limit[ctx.periods.period_starts()[1:]] = np.nan
        has_limit = ~np.isnan(limit).all(axis=0)
        if not has_limit.any():
            continue
        names = all_names[has_limit]
        limit = limit[:, has_limit]
        free = np.isnan(limit)
        ext = extendable_mask(frame, component)[has_limit]
        p_nom = np.where(ext, 0.0, frame["p_nom"].to_numpy(float)[has_limit])
        bound = np.where(free, np.inf, np.nan_to_num(limit) * p_nom)
        lower, upper = (-np.inf, bound) if direction == "up" else (-bound, np.inf)
        block = ctx.builder.add_constraints(
            ramp_key(component, direction, bidirectional=bidirectional),
            names,
            lower,
            upper,
            shape=(ctx.n_snapshots - 1, len(names)),
        )
        rows = block.rows()
        for var, sign in terms:
            cols = var.columns()[:, var.names.get_indexer(names)]
            ctx.builder.add_terms(rows, cols[1:], sign)
            ctx.builder.add_terms(rows, cols[:-1], -sign)
        if ext.any():
            capacity = ctx.variable(capacity_key(component))
            cap_cols = capacity.columns()[capacity.names.get_indexer(names[ext])]
            factor = -1.0 if direction == "up" else 1.0
            ctx.builder.add_terms(
                rows[:, ext],
                np.broadcast_to(cap_cols, rows[:, ext].shape),
                factor * np.nan_to_num(limit[:, ext]),
            )


def define_co2_constraints(ctx: BuildContext) -> ConstraintBlock | None:
    """CO2 caps: GlobalConstraints of type ``primary_energy`` on ``co2_emissions`` (t)::

        sum_{g,t} w_gen[t] * co2(carrier_g) / efficiency_g * p_g[t]
          + sum_{s non-cyclic} co2(carrier_s) * (soc_initial_s - soc_s[T-1])
          + sum_{e non-cyclic} co2(carrier_e) * (e_initial_e - e_e[T-1])     (sense) constant

    (with representative periods the final level is the inter-period ``E[D]``).

    The dual ``mu`` follows PyPSA's sign; the CO2 price in EUR/t is ``-mu`` for a ``<=`` cap.
    """
    glc = ctx.static("GlobalConstraint")
    if not len(glc):
        return None
    carriers = ctx.static("Carrier")["co2_emissions"]
    emissions = carriers[carriers != 0]
    constant = glc["constant"].to_numpy(float).copy()
    sense = glc["sense"].to_numpy(object)
    b = ctx.builder
    rows_of = {name: i for i, name in enumerate(glc.index)}

    shift = 0.0
    for component, (cyclic_attr, initial_attr) in STORAGE_START.items():
        frame = ctx.static(component)
        if len(frame):
            rate = frame["carrier"].map(emissions).fillna(0.0).to_numpy(float)
            counted = (rate != 0) & ~frame[cyclic_attr].to_numpy(bool)
            shift += float((rate * frame[initial_attr].to_numpy(float))[counted].sum())
    lower = np.where(sense == "<=", -np.inf, constant - shift)
    upper = np.where(sense == ">=", np.inf, constant - shift)
    block = b.add_constraints(CO2, pd.Index(glc.index), lower, upper, shape=(len(glc),))
    rows = block.rows()

    gens = ctx.variable_or_none(GENERATOR_P)
    if gens is not None:
        frame = ctx.static("Generator")
        rate = frame["carrier"].map(emissions).fillna(0.0).to_numpy(float)
        rate = rate / frame["efficiency"].to_numpy(float)
        emitting = rate != 0
        if emitting.any():
            coef = ctx.w_generators[:, None] * rate[None, emitting]
            for name in glc.index:
                b.add_terms(rows[rows_of[name]], gens.columns()[:, emitting], coef)
    for component, (cyclic_attr, _) in STORAGE_START.items():
        final = final_level_columns(ctx, component)
        if final is None:
            continue
        frame = ctx.static(component)
        rate = frame["carrier"].map(emissions).fillna(0.0).to_numpy(float)
        counted = (rate != 0) & ~frame[cyclic_attr].to_numpy(bool)
        if counted.any():
            for name in glc.index:
                b.add_terms(rows[rows_of[name]], final[counted], -rate[counted])
    return block
