"""Explain an infeasible model: which buses cannot be balanced, which caps cannot be met.

First a diagnostic re-solve with slack: every nodal balance and CO2 cap gets a shortfall and a
surplus variable, and the total slack is minimised. The buses and caps whose slack stays above
zero are what cannot be satisfied. If that relaxed model is infeasible too, the conflict is in
bounds or storage continuity, and HiGHS's irreducible infeasible subset (IIS) names it (for
models small enough for the IIS search to be quick).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from caspian.optimize.balance import NODAL_BALANCE
from caspian.optimize.build import LinearModel
from caspian.optimize.highs import (
    ModelStatus,
    irreducible_infeasible_subset,
    new_highs,
    pass_program,
)
from caspian.optimize.limits import CO2
from caspian.optimize.options import HIGHS_SOLVER_NAME, Algorithm, SolverOptions

ELASTIC_BLOCKS = (NODAL_BALANCE, CO2)
"""The rows that get a shortfall and a surplus in the diagnostic re-solve."""
IIS_MAX_ROWS = 200_000
SLACK_TOL = 1e-6


def explain_infeasibility(model: LinearModel, options: SolverOptions) -> list[str] | None:
    """Lines naming what cannot be satisfied, or None if the cause could not be located."""
    lines = _elastic(model, options)
    if lines:
        return lines
    if lines is None and model.n_constraints <= IIS_MAX_ROWS:
        return _iis(model)
    return None


def _elastic(model: LinearModel, options: SolverOptions) -> list[str] | None:
    """Solve the slack relaxation; None if even that is infeasible."""
    lp = model.lp
    lp.merge_duplicates()
    blocks = [lp.constraints[k] for k in ELASTIC_BLOCKS if k in lp.constraints]
    if not blocks:
        return None
    rows = np.concatenate([b.rows().ravel() for b in blocks])
    k = len(rows)
    eye = sp.csc_array((np.ones(k), (rows, np.arange(k))), shape=(lp.n_constraints, k))
    matrix = sp.hstack([lp.matrix, eye, -eye], format="csc")
    cost = np.concatenate([np.zeros(lp.n_variables), np.ones(2 * k)])
    lower = np.concatenate([lp.col_lower, np.zeros(2 * k)])
    upper = np.concatenate([lp.col_upper, np.full(2 * k, np.inf)])
    algorithm = Algorithm(options.algorithm)
    if algorithm in (Algorithm.AUTO, Algorithm.PDLP):
        algorithm = Algorithm(SolverOptions().resolved(lp.n_variables).algorithm)
    settings: dict[str, str | int] = {"solver": HIGHS_SOLVER_NAME[algorithm]}
    if options.threads is not None:
        settings["threads"] = options.threads
    h = new_highs(settings)
    pass_program(h, sp.csc_array(matrix), cost, lower, upper, lp.row_lower, lp.row_upper)
    h.run()
    if h.getModelStatus() != ModelStatus.kOptimal:
        return None
    values = np.asarray(h.getSolution().col_value)
    shortfall = values[lp.n_variables : lp.n_variables + k]
    surplus = values[lp.n_variables + k :]
    lines: list[str] = []
    offset = 0
    snapshots = model.network.snapshots
    for block in blocks:
        short = shortfall[offset : offset + block.size].reshape(block.shape)
        extra = surplus[offset : offset + block.size].reshape(block.shape)
        offset += block.size
        if block.key == NODAL_BALANCE:
            lines += _bus_lines(
                block.names, snapshots, short, "cannot meet its load", "largest shortfall"
            )
            lines += _bus_lines(
                block.names,
                snapshots,
                extra,
                "cannot absorb the power forced into it",
                "largest surplus",
            )
        else:
            for i, name in enumerate(block.names):
                if extra[i] > SLACK_TOL:
                    lines.append(
                        f"CO2 cap '{name}' cannot be met: the lowest emissions the network can "
                        f"reach exceed the cap by {extra[i]:.6g} t."
                    )
                if short[i] > SLACK_TOL:
                    lines.append(
                        f"CO2 constraint '{name}' cannot be met: emissions fall short of its "
                        f"lower limit by {short[i]:.6g} t."
                    )
    return lines


def _bus_lines(
    names: object, snapshots: object, slack: np.ndarray, what: str, largest: str
) -> list[str]:
    lines = []
    bad = slack > SLACK_TOL
    for j in np.flatnonzero(bad.any(axis=0)):
        hours = np.flatnonzero(bad[:, j])
        first = snapshots[hours[0]]  # type: ignore[index]
        lines.append(
            f"bus '{names[j]}' {what} in {len(hours)} of {slack.shape[0]} snapshots "  # type: ignore[index]
            f"(first at {first}, {largest} {slack[:, j].max():.6g} MW). Add capacity or "
            "imports there, or a load-shedding generator with a high marginal cost."
        )
    return lines


def _iis(model: LinearModel) -> list[str] | None:
    """Rows and columns of HiGHS's irreducible infeasible subset, labelled."""
    h = model.to_highs(SolverOptions(algorithm="simplex", scaling=False))  # rows by index only
    h.run()
    found = irreducible_infeasible_subset(h)
    if found is None:
        return None
    lp = model.lp
    rows, cols = found
    lines = [f"constraint {lp.row_label(r)}" for r in rows]
    lines += [f"bounds of {lp.col_label(c)}" for c in cols]
    return [
        "these constraints and bounds conflict (HiGHS's irreducible infeasible subset):",
        *lines,
    ]
