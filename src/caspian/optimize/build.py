"""Build the linear program of a network: variables, then constraints by family, then hand-over.

The model is PyPSA's linear optimal power flow with capacity expansion, and its objective is
PyPSA's with ``include_objective_constant=False``: the snapshot-weighted operating cost plus
``(capital_cost + fom_cost) * capacity`` of every extendable asset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from caspian.exceptions import InputError, SolverError
from caspian.network.network import Network
from caspian.network.schema import HIGHS_INFINITY, LARGEST_VALUE, NOMINAL_ATTR
from caspian.network.validate import validate
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.balance import define_kirchhoff_voltage_law, define_nodal_balance
from caspian.optimize.conditioning import ScaledProgram, scale_program
from caspian.optimize.context import BuildContext
from caspian.optimize.inter_period import define_inter_period_storage
from caspian.optimize.limits import define_co2_constraints, define_ramp_limits
from caspian.optimize.operation import (
    define_capacity_variables,
    define_generator_dispatch,
    define_line_flows,
    define_link_flows,
    define_storage_unit_dispatch,
    define_store_dispatch,
)
from caspian.optimize.options import SolverOptions
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.storage import (
    define_storage_unit_energy_balance,
    define_store_energy_balance,
)

SHOWN_PROBLEMS = 3
"""How many entries of each kind a refusal of the program names before counting the rest."""


@dataclass
class LinearModel:
    """A network's linear program, ready to hand to HiGHS.

    Attributes
    ----------
    network
        the network it was built from.
    lp
        the assembled program with its variable and constraint blocks.
    build_seconds
        time spent building it.
    periods
        the representative periods its snapshots stand for, or None (chronological).
    """

    network: Network
    lp: LinearProgram
    build_seconds: float
    periods: RepresentativePeriods | None = None

    @property
    def n_variables(self) -> int:
        return self.lp.n_variables

    @property
    def n_constraints(self) -> int:
        return self.lp.n_constraints

    @property
    def nnz(self) -> int:
        return self.lp.nnz

    def to_highs(self, options: SolverOptions | None = None) -> highspy.Highs:
        """A HiGHS instance holding this model and the options (not yet run).

        With ``options.scaling`` (the default) HiGHS holds the rescaled program; use
        [`hand_over`][caspian.optimize.build.LinearModel.hand_over] to get the scaling that maps its
        solution back.
        """
        return self.hand_over(options)[0]

    def hand_over(
        self, options: SolverOptions | None = None
    ) -> tuple[highspy.Highs, ScaledProgram | None]:
        """A HiGHS instance holding this model and the options (not yet run), and the scaling
        of the program it holds (``None`` when ``options.scaling`` is off).

        ``self.lp`` itself stays in the original units; HiGHS's solution is in scaled units until
        mapped back with the returned
        [`ScaledProgram`][caspian.optimize.conditioning.ScaledProgram].
        """
        options = (options or SolverOptions()).resolved(self.n_variables)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for key, value in options.highs_options().items():
            status = h.setOptionValue(key, value)
            if status != highspy.HighsStatus.kOk:
                raise InputError(
                    f"HiGHS refused option {key}={value!r}.",
                    component="SolverOptions",
                    attribute=key,
                    hint="Check the option name and value against the HiGHS documentation.",
                )
        refuse_bad_program(self.lp)
        for attempt in range(2):
            scaled = scale_program(self.lp) if options.scaling else None
            status = _pass_model(h, self.lp if scaled is None else scaled.lp)
            if status != highspy.HighsStatus.kError:
                return h, scaled
            if attempt == 0:
                # HiGHS refuses repeated entries in a column; sum them and pass the model again.
                self.lp.merge_duplicates()
        problems = program_problems(scaled.lp) if scaled is not None else []
        found = f"; after scaling: {'; '.join(problems)}" if problems else ""
        raise SolverError(
            f"HiGHS rejected the model (passModel returned an error){found}. Nothing was "
            "solved; every value of the network is within HiGHS's limits, so please report "
            "the network.",
            status="rejected",
        )


def program_problems(lp: LinearProgram, shown: int = SHOWN_PROBLEMS) -> list[str]:
    """What HiGHS would reject or misread in ``lp``, as lines naming the row or column.

    HiGHS refuses NaN anywhere, a matrix entry over ``LARGEST_VALUE`` (its
    ``large_matrix_value``), a lower bound of +inf or an upper bound of -inf; it takes a cost
    or bound of magnitude ``HIGHS_INFINITY`` or more as infinite. The first ``shown`` of each
    kind are named, then counted.
    """
    problems: list[str] = []

    def name(what: str, mask: np.ndarray, values: np.ndarray, label: Any) -> None:
        where = np.flatnonzero(mask)
        if not len(where):
            return
        listed = ", ".join(f"{label(int(i))} = {float(values[i])!r}" for i in where[:shown])
        more = f" and {len(where) - shown} more" if len(where) > shown else ""
        problems.append(f"{what}: {listed}{more}")

    big, largest = f"{HIGHS_INFINITY:g}", f"{LARGEST_VALUE:g}"
    with np.errstate(invalid="ignore"):
        too_big = ~(np.abs(lp.cost) < HIGHS_INFINITY)
        name(f"costs not finite or beyond ±{big}", too_big, lp.cost, lp.col_label)
        for what, values, label, wrong in (
            (f"lower bounds of {big} or more", lp.col_lower, lp.col_label, lp.col_lower),
            (f"upper bounds of -{big} or less", lp.col_upper, lp.col_label, -lp.col_upper),
            (f"lower bounds of {big} or more", lp.row_lower, lp.row_label, lp.row_lower),
            (f"upper bounds of -{big} or less", lp.row_upper, lp.row_label, -lp.row_upper),
        ):
            name(f"{what} (or NaN)", np.isnan(values) | (wrong >= HIGHS_INFINITY), values, label)
        data = lp.matrix.data
        bad = ~(np.abs(data) <= LARGEST_VALUE)
        if bad.any():
            cols = np.repeat(np.arange(lp.matrix.shape[1]), np.diff(lp.matrix.indptr))

            def entry(k: int) -> str:
                return f"{lp.row_label(int(lp.matrix.indices[k]))} x {lp.col_label(int(cols[k]))}"

            name(f"coefficients not finite or beyond ±{largest}", bad, data, entry)
    return problems


def refuse_bad_program(lp: LinearProgram) -> None:
    """Raise an InputError naming what HiGHS would reject in ``lp`` (validation lets no such
    value through alone; this catches products, e.g. a cost times a snapshot weighting)."""
    problems = program_problems(lp)
    if problems:
        raise InputError(
            "the model cannot be handed to HiGHS: " + "; ".join(problems) + ".",
            hint="Each entry names a variable or constraint (component, name, snapshot); check "
            "the attributes behind it, such as costs times snapshot weightings, for values "
            f"beyond {HIGHS_INFINITY:g}, the magnitude HiGHS takes as infinite.",
        )


def _pass_model(h: highspy.Highs, lp: LinearProgram) -> highspy.HighsStatus:
    return pass_program(
        h, lp.matrix, lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper
    )


def pass_program(
    h: highspy.Highs,
    matrix: sp.csc_array,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> highspy.HighsStatus:
    """Hand ``min cost^T x, row_lower <= matrix x <= row_upper, col bounds`` to ``h`` in memory
    (compressed columns, all variables continuous)."""
    n_rows, n_cols = matrix.shape
    return h.passModel(
        n_cols,
        n_rows,
        matrix.nnz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.ascontiguousarray(cost, dtype=np.float64),
        np.ascontiguousarray(col_lower, dtype=np.float64),
        np.ascontiguousarray(col_upper, dtype=np.float64),
        np.ascontiguousarray(row_lower, dtype=np.float64),
        np.ascontiguousarray(row_upper, dtype=np.float64),
        np.asarray(matrix.indptr, dtype=np.int32),
        np.asarray(matrix.indices, dtype=np.int32),
        np.asarray(matrix.data, dtype=np.float64),
        np.zeros(n_cols, dtype=np.int32),
    )


def build_model(
    n: Network, periods: RepresentativePeriods | None = None, *, check: bool = True
) -> LinearModel:
    """Validate ``n`` (unless ``check=False``) and build its linear program.

    The build reads like a table of contents: capacity variables, operating variables with their
    capacity limits, then the nodal balance, Kirchhoff's voltage law, storage continuity, ramp
    limits and the CO2 caps. Each family's equation is in its docstring.

    With ``periods`` the snapshots of ``n`` are typical periods standing for a longer year, and
    storage levels are linked across them (``caspian.optimize.periods``).
    """
    if check:
        validate(n)
    if periods is not None:
        periods.validate(n)
    start = time.perf_counter()
    ctx = BuildContext.create(n, periods)

    for component in NOMINAL_ATTR:
        define_capacity_variables(ctx, component)
    define_generator_dispatch(ctx)
    define_line_flows(ctx)
    define_link_flows(ctx)
    define_storage_unit_dispatch(ctx)
    define_store_dispatch(ctx)

    define_nodal_balance(ctx)
    define_kirchhoff_voltage_law(ctx)
    define_storage_unit_energy_balance(ctx)
    define_store_energy_balance(ctx)
    if periods is not None:
        define_inter_period_storage(ctx, "StorageUnit")
        define_inter_period_storage(ctx, "Store")
    define_ramp_limits(ctx, "Generator")
    define_ramp_limits(ctx, "Link")
    define_co2_constraints(ctx)

    lp = ctx.builder.finish()
    if not lp.n_variables:
        raise InputError(_nothing_to_optimise(n), hint=_EMPTY_HINT)
    return LinearModel(network=n, lp=lp, build_seconds=time.perf_counter() - start, periods=periods)


_EMPTY_HINT = (
    "Add generators, lines, links, storage units or stores at the buses; the optimisation "
    "decides their dispatch and capacity."
)


def _nothing_to_optimise(n: Network) -> str:
    buses = len(n.static["Bus"])
    if not buses:
        return "the network is empty: it has no buses, so there is nothing to optimise; add buses."
    return (
        f"the network has {buses} bus{'es' if buses != 1 else ''} but no generator, line, "
        "link, storage unit or store, so there is nothing to optimise."
    )
