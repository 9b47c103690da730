"""Clean-up of interior-point answers that miss the audit's tolerances in the original units.

Why an answer HiGHS calls optimal can fail the audit
----------------------------------------------------
HiGHS's tolerances are absolute (``1e-7``) and act on the program it was handed, which with
``SolverOptions.scaling`` is the rescaled one
([`caspian.optimize.conditioning`][caspian.optimize.conditioning]): a violation of ``d`` in the
scaled units of column ``j`` is one of ``d * s_j / beta`` MW in the original units (a factor of
up to 1024 on PyPSA's ``storage-hvdc`` example). The audit (``caspian.optimize.audit``)
measures in the original units, relative to ``1e-5 * (1 + magnitude)``: next to a bound of zero
that is ``1e-5`` MW. A simplex vertex meets it, since its non-basic variables sit exactly on
their bounds. An interior point without crossover meets the bounds and rows only as closely as
the interior-point method converged, and HiGHS calls it optimal even when the method stalled: on
``storage-hvdc`` HiPO stops "imprecise", IPX restarts from its iterate and stops "imprecise"
too, and HiGHS accepts the postsolved point because its *relative* primal infeasibility
(``1.5e-6``) is within a small multiple of the tolerance; its absolute one is ``1.5e-4`` in
scaled units, and a generator's output is ``-7e-5`` MW against a lower bound of 0.

The clean-up
------------
[`worst_violation`][caspian.optimize.cleanup.worst_violation] checks a solution's bounds and rows
in the original units, as the audit does; only when it finds a violation does
[`clean_up`][caspian.optimize.cleanup.clean_up] ask HiGHS for a vertex: for ``ipm`` and ``hipo``
the same solve again with crossover on (HiGHS's own path: interior point on the presolved
program, crossover, postsolve, simplex to finish if needed), for ``pdlp`` a crossover from its
primal point followed by simplex from the basis that crossover leaves. Either way the answer is a
basic optimal solution whose prices are the exact duals of its basis, so they stay an optimal dual
solution (complementary to the primal).

Costs, on the project's 2-core machine: the check is two products with the matrix, 0.04 s on the
synthetic 50 x 2190 (821k columns). The clean-up costs about one more interior-point solve: on
``storage-hvdc`` 0.08 s after a HiPO solve of 0.05 to 0.09 s; forced on the synthetic 20 x 336
(50k columns, whose HiPO answer needs none), 21 s after a HiPO solve of 19 s. A crossover from
the interior point alone would be cheaper, but HiGHS's ``Highs.crossover`` needs a point whose
duals are exactly complementary to its row slacks, which an interior point is not; started from
the primal values only it leaves a basis far from dual feasible, and the simplex that follows
took 73 s on that network (simplex from a basis HiGHS builds around the interior point: 46 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from caspian.optimize.assembly import LinearProgram
from caspian.optimize.highs import Highs, ModelStatus, crossover_from_primal
from caspian.optimize.options import Algorithm
from caspian.optimize.tolerances import RELATIVE_TOLERANCE

CLEANUP_MARGIN = 0.1
"""A clean-up runs when a bound or row is violated by more than this fraction of the audit's
tolerance. The margin covers the audit's other checks: it measures energy balance and storage
continuity against the magnitude of their own terms, which can be smaller than the sum of
``|a_ij x_j|`` over the row checked here (a store charging and discharging at once). Converged
interior points sit far inside it: their worst violation was ``5e-8`` to ``2e-6`` of the
tolerance (HiPO on the synthetic 10 x 168 and 20 x 336, IPX on ``storage-hvdc``)."""


class CleanUp(StrEnum):
    """What was done to turn a solver's answer into one that passes the audit."""

    NONE = ""
    CROSSOVER = "crossover"
    """The interior-point solve run again with crossover (``ipm``, ``hipo``)."""
    CROSSOVER_SIMPLEX = "crossover+simplex"
    """Crossover from the primal point, then simplex from its basis (``pdlp``)."""


@dataclass(frozen=True)
class Violation:
    """The worst bound or row violation of a solution, in the original units.

    Attributes
    ----------
    what
        ``"bound"`` or ``"row"``.
    label
        the column or row, with component name and snapshot.
    amount
        how far the value lies outside its bound or the row's limits (MW, MWh, ... of the
        column or row).
    tolerance
        the audit's tolerance there, ``RELATIVE_TOLERANCE * (1 + magnitude)``.
    """

    what: str
    label: str
    amount: float
    tolerance: float

    def __str__(self) -> str:
        return (
            f"{self.what} {self.label} was violated by {self.amount:.3g} in the original units "
            f"(audit tolerance {self.tolerance:.3g})"
        )


def worst_violation(
    lp: LinearProgram, col_value: np.ndarray, margin: float = CLEANUP_MARGIN
) -> Violation | None:
    """The bound or row of ``lp`` that ``col_value`` violates most, relative to ``margin``
    times the audit's tolerance; ``None`` when every one is within it.

    Measured as the audit measures bounds and rows: a column ``x_j`` against
    ``[l_j, u_j]`` with tolerance ``RELATIVE_TOLERANCE * (1 + |bound|)``, a row ``a_i x`` against
    its limits with tolerance ``RELATIVE_TOLERANCE * (1 + sum_j |a_ij x_j|)``, all in the
    original units of ``lp``.
    """
    x = np.asarray(col_value, dtype=float)
    below = lp.col_lower - x
    above = x - lp.col_upper
    col_tol = RELATIVE_TOLERANCE * (
        1.0 + np.where(below > above, abs(lp.col_lower), abs(lp.col_upper))
    )
    activity = lp.matrix @ x
    low = lp.row_lower - activity
    high = activity - lp.row_upper
    row_tol = RELATIVE_TOLERANCE * (1.0 + abs(lp.matrix) @ np.abs(x))
    candidates = []
    for what, excess, tol in (
        ("bound", np.fmax(below, above), col_tol),
        ("row", np.fmax(low, high), row_tol),
    ):
        with np.errstate(invalid="ignore"):
            ratio = np.nan_to_num(excess / (margin * tol), nan=0.0, posinf=0.0, neginf=0.0)
        if len(ratio) and ratio.max() > 1.0:
            k = int(np.argmax(ratio))
            candidates.append((float(ratio[k]), what, k, float(excess[k]), float(tol[k])))
    if not candidates:
        return None
    _, what, k, amount, tol = max(candidates)
    label = lp.col_label(k) if what == "bound" else lp.row_label(k)
    return Violation(what, label, amount, tol)


def clean_up(h: Highs, algorithm: Algorithm) -> tuple[CleanUp, int]:
    """Turn the non-basic optimal answer held by ``h`` into a basic one; return what ran and
    the iterations it took (interior point, crossover and simplex together).

    The HiGHS options stay as handed over (tolerances, threads, and the time limit, which HiGHS
    counts over all runs of one instance, so the clean-up gets what the first solve left).
    ``h.getModelStatus()`` then says whether it succeeded.
    """
    if algorithm == Algorithm.PDLP:
        crossover_from_primal(h)
        iterations = max(int(h.getInfo().crossover_iteration_count), 0)
        if h.getModelStatus() != ModelStatus.kOptimal:
            # Crossover from primal values alone leaves dual infeasibilities: simplex from
            # its basis (or from scratch, if it failed) finishes the job.
            h.setOptionValue("solver", "simplex")
            h.run()
            iterations += max(int(h.getInfo().simplex_iteration_count), 0)
        return CleanUp.CROSSOVER_SIMPLEX, iterations
    h.setOptionValue("run_crossover", "on")
    # Without clearing, HiGHS would build a basis from the interior point and run simplex from
    # it, which grows with the model far faster than a crossover does.
    h.clearSolver()
    h.run()
    info = h.getInfo()
    iterations = max(int(info.ipm_iteration_count), 0) + max(int(info.crossover_iteration_count), 0)
    return CleanUp.CROSSOVER, iterations + max(int(info.simplex_iteration_count), 0)
