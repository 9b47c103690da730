"""Conditioning of the linear program: its coefficient ranges, and an exact rescaling of it.

HiGHS works in double precision with absolute tolerances (``1e-7`` on primal and dual
feasibility), so a program whose numbers span many decades is solved less reliably and often
more slowly than the same program written in units where its numbers are near one.

Ranges
------
[`problem_ranges`][caspian.optimize.conditioning.problem_ranges] gives what HiGHS logs as
"Coefficient ranges": the smallest and largest absolute finite non-zero value of the matrix ``A``,
the costs ``c``, the column bounds and the row bounds (RHS), and, for each extreme, the block and
the entry that holds it, so that a user sees which component or attribute to fix.

Scaling
-------
[`scale_program`][caspian.optimize.conditioning.scale_program] writes the same program in other
units:

    A' = R A S        c' = sigma S c        [l', u'] = beta S^-1 [l, u]
    [row_lower', row_upper'] = beta R [row_lower, row_upper]

with ``R = diag(row_scale)``, ``S = diag(col_scale)`` and scalars ``sigma`` (cost scale) and
``beta`` (bound scale), all powers of two. The scaled variables are ``x' = beta S^-1 x``. A
solution of the scaled program maps back by:

    x = S x' / beta            A x = R^-1 (A' x') / beta
    y = R y' / sigma           z = S^-1 z' / sigma          c^T x = c'^T x' / (sigma beta)

(``y`` row duals, ``z`` column duals, i.e. reduced costs). Since every factor is a power of
two, scaling and unscaling change exponents only and are exact in floating point (barring
underflow to subnormal numbers, far from any program built here): the scaled program is the
original one in other units, and the optimum is unchanged. Nothing else is changed: no row is
dropped or turned into a bound and no small coefficient is rounded away, so row and column
indices, and with them the block maps, are the original's.

Why the whole program, not only the matrix: HiGHS's simplex, IPX and HiPO each equilibrate the
matrix themselves (HiPO by Curtis-Reid scaling), but none rescales costs or bounds, and presolve
and the absolute tolerances act on the numbers as handed over. Equilibrating the matrix alone
left the 3-hourly corridor's costs and bounds each spanning more than seven decades; scaling
the costs on top of that made HiPO stop without an optimum on a synthetic network. Balancing all
four together puts every number of the hourly corridor's program within ``[9e-4, 1.3e3]``
instead of ``[1e-3, 3.4e6]`` (``python -m bench.conditioning``); the matrix's own range widens
(``2e3`` to ``1.6e4``), which the solvers' internal matrix scaling takes back. The program HiGHS
sees then no longer depends on the units of costs and energies (to a power of two, bit for bit),
and HiGHS's warnings about excessively large bounds go away. Solve times with HiPO moved within
the usual variation of an interior-point method: 87 s to 93 s (54 to 65 iterations) for the
3-hourly corridor, 47 s to 40 s (47 to 39) for the synthetic 30 x 730, on two cores.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import scipy.sparse as sp

from caspian.optimize.assembly import ConstraintBlock, LinearProgram, VariableBlock

INFINITE_VALUE = 1e20
"""HiGHS's ``infinite_bound`` and ``infinite_cost``: values at least this large are infinite."""

EQUILIBRATION_PASSES = 20
"""Most row-and-column passes of geometric-mean scaling (CLP and HiGHS use a similar cap)."""

EXPONENT_LIMIT = 64
"""Largest power of two, up or down, applied to any row, column, cost or bound."""


class Coefficient(StrEnum):
    """The four kinds of numbers HiGHS reports ranges of, named as in its log."""

    MATRIX = "Matrix"
    COST = "Cost"
    BOUND = "Bound"
    RHS = "RHS"


@dataclass(frozen=True)
class Extreme:
    """One extreme value and where it is.

    Attributes
    ----------
    value
        the absolute value.
    block
        the block key, e.g. ``StorageUnit-state_of_charge``; for a matrix entry the row
        block and the column block, ``"row block x column block"``.
    entry
        the single entry, with component name and snapshot.
    """

    value: float
    block: str
    entry: str


@dataclass(frozen=True)
class ValueRange:
    """Smallest and largest absolute finite non-zero value of one kind of coefficient.

    ``smallest`` and ``largest`` are ``None`` when there is no such value.
    """

    kind: Coefficient
    count: int
    smallest: Extreme | None
    largest: Extreme | None

    @property
    def ratio(self) -> float:
        """``largest / smallest`` (1.0 when there are no values): the spread HiGHS must bear."""
        if self.smallest is None or self.largest is None:
            return 1.0
        return self.largest.value / self.smallest.value

    def bracket(self) -> str:
        """``[1e-03, 3e+00]``: HiGHS's rendering (``%5.0e``; 0 when there is no value)."""
        low = 0.0 if self.smallest is None else self.smallest.value
        high = 0.0 if self.largest is None else self.largest.value
        return f"[{low:5.0e}, {high:5.0e}]"


@dataclass(frozen=True)
class ProblemRanges:
    """Coefficient ranges of a linear program, as HiGHS logs them, with where the extremes are."""

    matrix: ValueRange
    cost: ValueRange
    bound: ValueRange
    rhs: ValueRange

    def __iter__(self) -> Iterator[ValueRange]:
        return iter((self.matrix, self.cost, self.bound, self.rhs))

    @property
    def overall(self) -> tuple[float, float]:
        """Smallest and largest of all four kinds together, ``(0.0, 0.0)`` if there is none."""
        low = [r.smallest.value for r in self if r.smallest is not None]
        high = [r.largest.value for r in self if r.largest is not None]
        return (min(low), max(high)) if low else (0.0, 0.0)

    def lines(self, *, where: bool = True) -> list[str]:
        """HiGHS's "Coefficient ranges" lines, then all four together; with ``where``, the
        location of each extreme too."""
        out = ["Coefficient ranges:"]
        for r in self:
            out.append(f"  {r.kind.value:<7} {r.bracket()}  ratio {r.ratio:.1e}")
            if not where:
                continue
            for side, ext in (("min", r.smallest), ("max", r.largest)):
                if ext is not None:
                    out.append(f"      {side} {ext.value:.3g} in {ext.block}: {ext.entry}")
        low, high = self.overall
        ratio = high / low if low else 1.0
        out.append(f"  {'All':<7} [{low:5.0e}, {high:5.0e}]  ratio {ratio:.1e}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def problem_ranges(lp: LinearProgram) -> ProblemRanges:
    """Ranges of the absolute finite non-zero values of ``lp``'s matrix, costs, bounds and RHS.

    These are the numbers HiGHS prints as "Coefficient ranges" when it is handed ``lp``
    (values of magnitude ``INFINITE_VALUE`` or more count as infinite, as in HiGHS). Each
    extreme is located: a bound at ``StorageUnit-state_of_charge 'hydro' at snapshot ...``, a
    matrix entry by its row and its column.
    """
    n_cols = lp.n_variables
    matrix = lp.matrix
    k_min, k_max, count = _extremes(matrix.data)

    def at_entry(k: int | None) -> Extreme | None:
        if k is None:
            return None
        row = int(matrix.indices[k])
        col = int(np.searchsorted(matrix.indptr, k, side="right")) - 1
        return Extreme(
            abs(float(matrix.data[k])),
            f"{_block_key(lp.constraints.values(), row)} x "
            f"{_block_key(lp.variables.values(), col)}",
            f"row {lp.row_label(row)}, column {lp.col_label(col)}",
        )

    ranges = [ValueRange(Coefficient.MATRIX, count, at_entry(k_min), at_entry(k_max))]
    per_column = (
        (Coefficient.COST, lp.cost, n_cols, lp.variables.values(), lp.col_label),
        (
            Coefficient.BOUND,
            np.concatenate([lp.col_lower, lp.col_upper]),
            n_cols,
            lp.variables.values(),
            lp.col_label,
        ),
        (
            Coefficient.RHS,
            np.concatenate([lp.row_lower, lp.row_upper]),
            lp.n_constraints,
            lp.constraints.values(),
            lp.row_label,
        ),
    )
    for kind, values, size, blocks, label in per_column:
        k_min, k_max, count = _extremes(values)
        found = [
            None
            if k is None
            else Extreme(abs(float(values[k])), _block_key(blocks, k % size), label(k % size))
            for k in (k_min, k_max)
        ]
        ranges.append(ValueRange(kind, count, found[0], found[1]))
    return ProblemRanges(*ranges)


def _extremes(values: np.ndarray) -> tuple[int | None, int | None, int]:
    """Positions of the smallest and largest finite non-zero ``|values|``, and their count."""
    magnitude = np.abs(values)
    usable = (magnitude > 0) & (magnitude < INFINITE_VALUE)
    count = int(usable.sum())
    if not count:
        return None, None, 0
    k_min = int(np.argmin(np.where(usable, magnitude, np.inf)))
    k_max = int(np.argmax(np.where(usable, magnitude, -np.inf)))
    return k_min, k_max, count


def _block_key(blocks: Iterable[VariableBlock | ConstraintBlock], index: int) -> str:
    for block in blocks:
        if block.start <= index < block.start + block.size:
            return str(block.key)
    return "(no block)"


@dataclass(frozen=True)
class ScaledProgram:
    """A linear program rescaled by ``scale_program``, and the factors to map back.

    Attributes
    ----------
    lp
        the scaled program. Its block maps are the original's (same rows and columns), but
        its values are in scaled units: unscale solution vectors before ``take``-ing blocks.
    row_scale
        ``r``, one power of two per row.
    col_scale
        ``s``, one power of two per column.
    cost_scale
        ``sigma``, a power of two.
    bound_scale
        ``beta``, a power of two.
    """

    lp: LinearProgram
    row_scale: np.ndarray
    col_scale: np.ndarray
    cost_scale: float
    bound_scale: float

    def unscale_col_value(self, col_value: np.ndarray) -> np.ndarray:
        """Primal values ``x = s x' / beta`` in the original units (MW, MWh, ...)."""
        return np.asarray(col_value) * self.col_scale / self.bound_scale

    def unscale_row_value(self, row_value: np.ndarray) -> np.ndarray:
        """Row activities ``A x = (A' x') / (beta r)`` in the original units."""
        return np.asarray(row_value) / self.row_scale / self.bound_scale

    def unscale_row_dual(self, row_dual: np.ndarray) -> np.ndarray:
        """Row duals ``y = r y' / sigma`` (EUR per unit of the row, e.g. EUR/MW for a balance)."""
        return np.asarray(row_dual) * self.row_scale / self.cost_scale

    def unscale_col_dual(self, col_dual: np.ndarray) -> np.ndarray:
        """Reduced costs ``z = z' / (s sigma)`` (EUR per unit of the variable)."""
        return np.asarray(col_dual) / self.col_scale / self.cost_scale

    def unscale_objective(self, objective: float) -> float:
        """The objective ``c^T x = c'^T x' / (sigma beta)``, EUR."""
        return float(objective) / self.cost_scale / self.bound_scale

    def restore(self) -> LinearProgram:
        """The original program, recomputed from the scaled one (exactly, bit for bit).

        Bounds of magnitude ``INFINITE_VALUE`` or more come back as ``inf``, as HiGHS reads them.
        """
        lp, r, s = self.lp, self.row_scale, self.col_scale
        return _rescaled(lp, 1.0 / r, 1.0 / s, 1.0 / self.cost_scale, 1.0 / self.bound_scale)


def scale_program(lp: LinearProgram) -> ScaledProgram:
    """``lp`` in units where its matrix, costs, bounds and RHS are all near one.

    The factors come from geometric-mean equilibration, the scaling CLP and HiGHS's simplex
    apply to the matrix alone, here applied to the whole program:

        [ A     rhs ]      rows i scaled by r_i, columns j by s_j,
        [ c^T       ]      the cost row by sigma, the bound column by beta,
        column bounds as entries 1 / bound_j of column j,

    Each pass sets every row's factor so that the largest and smallest scaled magnitude in the
    row straddle one symmetrically (``r_i = 1 / sqrt(min_j |a_ij s_j| max_j |a_ij s_j|)`` with
    its RHS among the entries), then every column's likewise (with its cost and its bounds),
    then ``sigma`` and ``beta``; passes stop when the summed log-spans of the four ranges stop
    shrinking, or after ``EQUILIBRATION_PASSES``. Every factor is then rounded to a power of two,
    so the scaled program holds the original's numbers with shifted exponents and its solution
    maps back exactly (see the module docstring for the maps).

    Factors are per row and per column, not per block: a block's spread lies within it (a
    capacity factor of 0.001 in one snapshot and 1 in the next, in the same generator's limit
    rows), and per-row factors remove it where a per-block one cannot. The scaling needs no block
    maps, so it applies to any ``LinearProgram``, a decomposition's subproblems included.
    """
    rho, gamma, sigma, beta = _equilibrate(lp)
    r = np.exp2(np.clip(np.round(rho), -EXPONENT_LIMIT, EXPONENT_LIMIT))
    s = np.exp2(np.clip(np.round(gamma), -EXPONENT_LIMIT, EXPONENT_LIMIT))
    cost_scale = float(np.exp2(np.clip(np.round(sigma), -EXPONENT_LIMIT, EXPONENT_LIMIT)))
    bound_scale = float(np.exp2(np.clip(np.round(beta), -EXPONENT_LIMIT, EXPONENT_LIMIT)))
    return ScaledProgram(
        lp=_rescaled(lp, r, s, cost_scale, bound_scale),
        row_scale=r,
        col_scale=s,
        cost_scale=cost_scale,
        bound_scale=bound_scale,
    )


def _rescaled(
    lp: LinearProgram, r: np.ndarray, s: np.ndarray, sigma: float, beta: float
) -> LinearProgram:
    """``lp`` with ``A -> R A S``, ``c -> sigma S c``, column bounds ``-> beta S^-1 (.)`` and
    row bounds ``-> beta R (.)``."""
    m = lp.matrix
    cols = np.repeat(np.arange(lp.n_variables), np.diff(m.indptr))
    data = m.data * r[m.indices] * s[cols]
    matrix = sp.csc_array((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
    return LinearProgram(
        matrix=matrix,
        cost=lp.cost * s * sigma,
        col_lower=_infinite(lp.col_lower) / s * beta,
        col_upper=_infinite(lp.col_upper) / s * beta,
        row_lower=_infinite(lp.row_lower) * r * beta,
        row_upper=_infinite(lp.row_upper) * r * beta,
        variables=lp.variables,
        constraints=lp.constraints,
        snapshots_hint=lp.snapshots_hint,
    )


def _infinite(values: np.ndarray) -> np.ndarray:
    """``values`` with those HiGHS reads as infinite (``|v| >= INFINITE_VALUE``) set to +-inf."""
    return np.where(np.abs(values) >= INFINITE_VALUE, np.copysign(np.inf, values), values)


def _log_magnitude(values: np.ndarray) -> np.ndarray:
    """``log2 |values|``; NaN where a value is zero or infinite (it takes no part in scaling)."""
    magnitude = np.abs(values)
    usable = (magnitude > 0) & (magnitude < INFINITE_VALUE)
    out = np.full(magnitude.shape, np.nan)
    out[usable] = np.log2(magnitude[usable])
    return out


def _segment_extremes(values: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest of each segment ``values[indptr[k]:indptr[k+1]]``, NaN ignored."""
    n = len(indptr) - 1
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    filled = indptr[1:] > indptr[:-1]
    if filled.any():
        starts = indptr[:-1][filled]
        low[filled] = np.fmin.reduceat(values, starts)
        high[filled] = np.fmax.reduceat(values, starts)
    return low, high


def _centring(values: np.ndarray, indptr: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Per segment, the exponent ``-(min + max) / 2`` that centres its values (and the rows of
    ``extra``, one value per segment each) on zero; 0 for a segment with no values."""
    low, high = _segment_extremes(values, indptr)
    for values_k in extra:
        low = np.fmin(low, values_k)
        high = np.fmax(high, values_k)
    return np.nan_to_num(-(low + high) / 2, nan=0.0)


def _centre(*parts: np.ndarray) -> float:
    """The exponent ``-(min + max) / 2`` that centres all non-NaN values of ``parts`` on zero."""
    values = np.concatenate([p.ravel() for p in parts])
    values = values[~np.isnan(values)]
    return -float(values.min() + values.max()) / 2 if len(values) else 0.0


def _span(*parts: np.ndarray) -> float:
    """``max - min`` of all non-NaN values of ``parts`` (0 when there are none)."""
    values = np.concatenate([p.ravel() for p in parts])
    values = values[~np.isnan(values)]
    return float(values.max() - values.min()) if len(values) else 0.0


def _equilibrate(lp: LinearProgram) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Geometric-mean scaling exponents (log2, not yet rounded): rows, columns, cost, bounds."""
    m, n = lp.n_constraints, lp.n_variables
    matrix = lp.matrix
    log_a = _log_magnitude(matrix.data)
    rows = matrix.indices.astype(np.int64)
    cols = np.repeat(np.arange(n), np.diff(matrix.indptr))
    by_row = np.argsort(rows, kind="stable")
    row_ptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=m), out=row_ptr[1:])
    col_ptr = np.asarray(matrix.indptr, dtype=np.int64)
    log_c = _log_magnitude(lp.cost)
    log_bounds = np.stack([_log_magnitude(lp.col_lower), _log_magnitude(lp.col_upper)])
    log_rhs = np.stack([_log_magnitude(lp.row_lower), _log_magnitude(lp.row_upper)])

    def spread(rho: np.ndarray, gamma: np.ndarray) -> float:
        """Summed log2-spans of the scaled matrix, costs, and bounds with RHS."""
        return (
            _span(log_a + rho[rows] + gamma[cols])
            + _span(log_c + gamma)
            + _span(log_bounds - gamma, log_rhs + rho)
        )

    rho, gamma = np.zeros(m), np.zeros(n)
    sigma, beta = _centre(log_c), _centre(log_bounds, log_rhs)
    best = (spread(rho, gamma), rho, gamma, 0.0, 0.0)
    previous = np.inf
    for _ in range(EQUILIBRATION_PASSES):
        rho = _centring((log_a + gamma[cols])[by_row], row_ptr, log_rhs + beta)
        extra = np.vstack([(log_c + sigma)[None, :], -(log_bounds + beta)])
        gamma = _centring(log_a + rho[rows], col_ptr, extra)
        sigma = _centre(log_c + gamma)
        beta = _centre(log_bounds - gamma, log_rhs + rho)
        current = spread(rho, gamma)
        if current < best[0]:
            best = (current, rho, gamma, sigma, beta)
        if current > previous * (1 - 1e-3):
            break
        previous = current
    return best[1], best[2], best[3], best[4]
