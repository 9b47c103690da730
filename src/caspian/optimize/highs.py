"""The boundary to HiGHS: the one module of caspian-grid that imports ``highspy``.

It creates HiGHS instances with their options, hands them a program in memory, and names what
HiGHS reports (model statuses, basis validity, the irreducible infeasible subset, its version).
The rest of the package calls these functions and the methods of the instances they return
(``run``, ``getSolution``, ``getInfo``, ...), and imports the names it needs from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from caspian.exceptions import InputError, SolverError
from caspian.network.schema import HIGHS_INFINITY, LARGEST_VALUE
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.conditioning import ScaledProgram, scale_program
from caspian.optimize.options import SolverOptions

Highs = highspy.Highs
"""A HiGHS instance."""

HighsInfo = highspy.HighsInfo
"""What ``Highs.getInfo()`` returns (iteration counts, infeasibilities, objective)."""

ModelStatus = highspy.HighsModelStatus
"""HiGHS's model statuses: ``ModelStatus.kOptimal``, ``kInfeasible``, ``kTimeLimit``, ..."""

SHOWN_PROBLEMS = 3
"""How many entries of each kind a refusal of the program names before counting the rest."""


def highs_version() -> str:
    """The version of the HiGHS library highspy wraps."""
    return str(highspy.Highs().version())


def new_highs(options: Mapping[str, Any] | None = None) -> Highs:
    """A silent HiGHS instance with ``options`` set, in order (an option HiGHS refuses is left
    at its default; :func:`hand_over` checks each one instead)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    return h


def pass_program(
    h: Highs,
    matrix: sp.csc_array,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> bool:
    """Hand ``min cost^T x, row_lower <= matrix x <= row_upper, col bounds`` to ``h`` in memory
    (compressed columns, all variables continuous); whether HiGHS accepted it."""
    n_rows, n_cols = matrix.shape
    status = h.passModel(
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
    return bool(status != highspy.HighsStatus.kError)


def hand_over(lp: LinearProgram, options: SolverOptions) -> tuple[Highs, ScaledProgram | None]:
    """A HiGHS instance holding ``lp`` and the (resolved) ``options``, not yet run, and the
    scaling of the program it holds (``None`` when ``options.scaling`` is off).

    Raises InputError for an option HiGHS refuses or a value it would reject
    (:func:`refuse_bad_program`), SolverError if it rejects the program all the same.
    """
    h = new_highs()
    for key, value in options.highs_options().items():
        status = h.setOptionValue(key, value)
        if status != highspy.HighsStatus.kOk:
            raise InputError(
                f"HiGHS refused option {key}={value!r}.",
                component="SolverOptions",
                attribute=key,
                hint="Check the option name and value against the HiGHS documentation.",
            )
    refuse_bad_program(lp)
    for attempt in range(2):
        scaled = scale_program(lp) if options.scaling else None
        if _pass_model(h, lp if scaled is None else scaled.lp):
            return h, scaled
        if attempt == 0:
            # HiGHS refuses repeated entries in a column; sum them and pass the model again.
            lp.merge_duplicates()
    problems = program_problems(scaled.lp) if scaled is not None else []
    found = f"; after scaling: {'; '.join(problems)}" if problems else ""
    raise SolverError(
        f"HiGHS rejected the model (passModel returned an error){found}. Nothing was "
        "solved; every value of the network is within HiGHS's limits, so please report "
        "the network.",
        status="rejected",
    )


def _pass_model(h: Highs, lp: LinearProgram) -> bool:
    return pass_program(
        h, lp.matrix, lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper
    )


def program_problems(lp: LinearProgram, shown: int = SHOWN_PROBLEMS) -> list[str]:
    """What HiGHS would reject or misread in ``lp``, as lines naming the row or column.

    HiGHS refuses NaN anywhere, a matrix entry over ``LARGEST_VALUE`` (its
    ``large_matrix_value``), a lower bound of +inf or an upper bound of -inf; it takes a cost
    or bound of magnitude ``HIGHS_INFINITY`` or more as infinite. The first ``shown`` of each
    kind are named, then counted.
    """
    problems: list[str] = []

    def name(what: str, mask: np.ndarray, values: np.ndarray, label: Callable[[int], str]) -> None:
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


def is_basic(h: Highs) -> bool:
    """Whether HiGHS's solution is a vertex with a valid basis (simplex, or after crossover)."""
    return bool(h.getInfo().basis_validity == highspy.BasisValidity.kBasisValidityValid)


def crossover_from_primal(h: Highs) -> None:
    """Run HiGHS's crossover from the primal values of ``h``'s solution alone (no duals)."""
    start = highspy.HighsSolution()
    start.col_value = h.getSolution().col_value
    start.value_valid = True
    start.dual_valid = False
    h.crossover(start)


def irreducible_infeasible_subset(h: Highs) -> tuple[list[int], list[int]] | None:
    """The rows and columns of HiGHS's irreducible infeasible subset of the program ``h`` holds
    (after a run that found it infeasible), or None where HiGHS finds none."""
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not (iis.row_index_ or iis.col_index_):
        return None
    return [int(r) for r in iis.row_index_], [int(c) for c in iis.col_index_]
