"""The rows of representative periods: inter-period storage levels, peaks and troughs.

With representative periods (:mod:`caspian.optimize.periods`, whose docstring has the equations)
each storage component's level is an intra-period part (a variable of
:mod:`caspian.optimize.operation`) plus the inter-period level ``E[d]`` added here, with one peak
and one trough per typical period that keep the level within its limits in every original
period. Applies to StorageUnit and Store.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caspian.network.network import extendable_mask
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize.assembly import ConstraintKey, VariableBlock, VariableKey
from caspian.optimize.context import STORAGE_LEVEL, STORAGE_START, BuildContext
from caspian.optimize.operation import capacity_key, capacity_product, model_level_key
from caspian.optimize.periods import within_period_decay

INTRA_EXTREMES = ("peak", "trough")
INTER_PERIOD_ROWS = ("inter_balance", "inter_upper", "inter_lower", "inter_start")


def inter_level_key(component: str) -> VariableKey:
    """``E[d]`` of ``component`` (``StorageUnit-state_of_charge_inter``), (D+1) x names."""
    return VariableKey(component, f"{STORAGE_LEVEL[component]}_inter")


def extreme_key(component: str, kind: str) -> VariableKey:
    """The ``kind`` (``"peak"`` or ``"trough"``) of the intra-period level per typical period
    (``Store-e_intra_peak``)."""
    return VariableKey(component, f"{STORAGE_LEVEL[component]}_intra_{kind}")


def intra_extreme_key(component: str, kind: str) -> ConstraintKey:
    """The rows bounding the ``kind`` (``"peak"`` or ``"trough"``) of ``component``
    (``StorageUnit-intra_peak``)."""
    return ConstraintKey(component, f"intra_{kind}")


def inter_period_key(component: str, name: str) -> ConstraintKey:
    """The rows ``name`` (one of ``INTER_PERIOD_ROWS``) of ``component``
    (``Store-inter_balance``)."""
    if name not in INTER_PERIOD_ROWS:
        raise ValueError(f"{name!r} is none of the inter-period rows {INTER_PERIOD_ROWS}.")
    return ConstraintKey(component, name)


def _labels(names: pd.Index, what: str, count: int) -> pd.Index:
    """``"<name> <what> <i>"`` for i-major order, the order of the flattened (count, N) blocks."""
    return pd.Index([f"{name} {what} {i}" for i in range(count) for name in names])


def _level_limits(ctx: BuildContext, component: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper level limits per unit of capacity (``p_nom`` or ``e_nom``), T x N."""
    if component == "StorageUnit":
        max_hours = ctx.static(component)["max_hours"].to_numpy(float)
        upper = np.broadcast_to(max_hours, (ctx.n_snapshots, len(max_hours)))
        return np.zeros(upper.shape), upper
    return ctx.series(component, "e_min_pu"), ctx.series(component, "e_max_pu")


def inter_level_columns(ctx: BuildContext, component: str) -> np.ndarray | None:
    """Columns of ``E[d]``, (D+1) x components, or None if there are none."""
    block = ctx.variable_or_none(inter_level_key(component))
    return None if block is None else block.columns().reshape(-1, len(ctx.static(component)))


def define_inter_period_storage(ctx: BuildContext, component: str) -> None:
    """Inter-period levels, peaks and troughs of ``component`` (StorageUnit or Store), with
    the rows that bound, link and start them (MWh; the equations are in the module docstring).
    """
    periods = ctx.periods
    intra = ctx.variable_or_none(model_level_key(ctx, component))
    if periods is None or intra is None:
        return
    lower, upper = _level_limits(ctx, component)
    E, peak, trough = _inter_period_variables(ctx, component, intra.names, lower)
    _intra_extreme_rows(ctx, component, intra, peak, trough, lower, upper)
    decay = within_period_decay(ctx.n, periods, component, intra.names)
    _inter_period_rows(ctx, component, intra, E, peak, trough, decay)


def _inter_period_variables(
    ctx: BuildContext, component: str, names: pd.Index, lower: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns of ``E`` ((D+1) x N; >= 0 where no lower limit is negative) and of the free
    ``peak`` and ``trough`` (K x N)."""
    assert ctx.periods is not None
    K, D, N = ctx.periods.n_typical, ctx.periods.n_periods, len(names)
    floor = np.where((lower >= 0).all(axis=0), 0.0, -np.inf)
    inter = ctx.builder.add_variables(
        inter_level_key(component),
        _labels(names, "period boundary", D + 1),
        np.tile(floor, D + 1),
        np.inf,
        time_indexed=False,
    )
    extremes = [
        ctx.builder.add_variables(
            extreme_key(component, kind),
            _labels(names, "typical period", K),
            -np.inf,
            np.inf,
            time_indexed=False,
        )
        for kind in INTRA_EXTREMES
    ]
    peak, trough = (block.columns().reshape(K, N) for block in extremes)
    return inter.columns().reshape(D + 1, N), peak, trough


def _intra_extreme_rows(
    ctx: BuildContext,
    component: str,
    intra: VariableBlock,
    peak: np.ndarray,
    trough: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> None:
    """``peak[k] - x[t] + upper[t] >= 0`` and ``trough[k] - x[t] + lower[t] <= 0`` for every
    snapshot ``t`` of period ``k`` (MWh); ``lower``/``upper`` per unit of capacity, the fixed
    capacity's part on the right-hand side, the capacity variable's on the left."""
    assert ctx.periods is not None
    b = ctx.builder
    frame = ctx.static(component).loc[intra.names]
    nom_attr = NOMINAL_ATTR[component]
    ext = extendable_mask(frame, component)
    nominal = np.where(ext, 0.0, frame[nom_attr].to_numpy(float))
    k_of_t = ctx.periods.typical_period()
    for kind, extreme, pu in (("peak", peak, upper), ("trough", trough, lower)):
        fixed = -capacity_product(pu, nominal)
        row_lower, row_upper = (fixed, np.inf) if kind == "peak" else (-np.inf, fixed)
        block = b.add_constraints(
            intra_extreme_key(component, kind), intra.names, row_lower, row_upper
        )
        rows = block.rows()
        b.add_terms(rows, extreme[k_of_t], 1.0)
        b.add_terms(rows, intra.columns(), -1.0)
        if ext.any():
            capacity = ctx.variable(capacity_key(component))
            cap_cols = capacity.columns()[capacity.names.get_indexer(intra.names[ext])]
            b.add_terms(rows[:, ext], np.broadcast_to(cap_cols, rows[:, ext].shape), pu[:, ext])


def _inter_period_rows(
    ctx: BuildContext,
    component: str,
    intra: VariableBlock,
    E: np.ndarray,
    peak: np.ndarray,
    trough: np.ndarray,
    decay: np.ndarray,
) -> None:
    """For every original period ``d`` with ``k = sequence[d]`` (MWh)::

        E[d+1] - eta_L[k] E[d] - x[k*L + L-1] = 0
        E[d] + peak[k] <= 0
        eta_L[k] E[d] + trough[k] >= 0

    and per component ``E[D] - E[0] = 0`` (cyclic) or ``eta[k0*L] E[0] = initial``.
    """
    assert ctx.periods is not None
    b = ctx.builder
    names = intra.names
    K, L, D, N = ctx.periods.n_typical, ctx.periods.period_length, ctx.periods.n_periods, len(names)
    seq = ctx.periods.sequence
    eta_period = decay.reshape(K, L, N)[:, -1]

    def rows_per_period(name: str, lower: float, upper: float) -> np.ndarray:
        block = b.add_constraints(
            inter_period_key(component, name),
            _labels(names, "original period", D),
            lower,
            upper,
            shape=(D * N,),
        )
        return block.rows().reshape(D, N)

    rows = rows_per_period("inter_balance", 0.0, 0.0)
    b.add_terms(rows, E[1:], 1.0)
    b.add_terms(rows, E[:-1], -eta_period[seq])
    b.add_terms(rows, intra.columns().reshape(K, L, N)[seq, -1], -1.0)
    rows = rows_per_period("inter_upper", -np.inf, 0.0)
    b.add_terms(rows, E[:-1], 1.0)
    b.add_terms(rows, peak[seq], 1.0)
    rows = rows_per_period("inter_lower", 0.0, np.inf)
    b.add_terms(rows, E[:-1], eta_period[seq])
    b.add_terms(rows, trough[seq], 1.0)

    cyclic_attr, initial_attr = STORAGE_START[component]
    frame = ctx.static(component).loc[names]
    cyclic = frame[cyclic_attr].to_numpy(bool)
    initial = np.where(cyclic, 0.0, frame[initial_attr].to_numpy(float))
    start_key = inter_period_key(component, "inter_start")
    rows = b.add_constraints(start_key, names, initial, initial, shape=(N,)).rows()
    b.add_terms(rows, E[-1], cyclic.astype(float))
    b.add_terms(rows, E[0], np.where(cyclic, -1.0, decay[seq[0] * L]))
