"""What ``auto`` solves with: one rule, from the size of the linear program.

    choose_method(ProblemSize(columns=382_557, time_blocks=52))   # SolveChoice.BENDERS
    choose_method(ProblemSize(columns=30_000, time_blocks=52))    # SolveChoice.HIPO

A model that one HiGHS solve handles stays whole: dual simplex while it is small, HiPO above
that. Benders decomposition ([`caspian.decompose`][caspian.decompose]) is chosen only for
models too large for one solve, and only where it applies: a chronological model (no
representative periods) of at least two time blocks. The pipeline's one choice,
[`choose_strategy`][caspian.optimize.strategy.choose_strategy] (whether to decompose, for
[`caspian.decompose.solve_network`][caspian.decompose.solve_network]), and
[`SolverOptions.resolved`][caspian.optimize.options.SolverOptions.resolved] (which algorithm
HiGHS runs on a whole model) ask this module, so ``auto`` means the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

AUTO_SIMPLEX_MAX_COLUMNS = 20_000
"""Models with at most this many columns (variables) are solved by dual simplex: exact vertex
solutions and duals, and fast while the number of rows is small; past some tens of thousands of
columns its iteration count makes an interior-point solver faster (see
[`Algorithm`][caspian.optimize.options.Algorithm])."""

AUTO_BENDERS_MIN_COLUMNS = 250_000
"""Chronological models of at least two time blocks and at least this many columns are solved
by Benders decomposition; smaller ones by one HiPO solve.

Measured on the corridor's base scenario (``hours`` per snapshot) on the project's 2-core
machine (7 Dec 2026), wall seconds of the solve alone (Benders: its set-up, coarse start and
rounds included; HiPO without crossover, threads chosen by HiGHS). Benders ran with
``BendersOptions()`` (168 h blocks, so 52 blocks, one worker) twice: as committed then, to a
0.1 % gap (best of 3 to 5 runs, as HiPO), and as being made exact in its prices, to the default
gap of 1e-7 (one run each):

| hours | snapshots | columns | rows | non-zeros | HiPO s | Benders 0.1 % s | Benders exact s |
|---:|---:|---:|---:|---:|---:|---:|---:|
| 24 | 365 | 47,852 | 30,295 | 114,199 | 3.2 | 6.2 | 8.3 |
| 12 | 730 | 95,667 | 60,590 | 227,831 | 13.8 | 10.4 | 11.2 |
| 6 | 1,460 | 191,297 | 121,180 | 453,815 | 37.5 | 18.2 | 20.7 |
| 4 | 2,190 | 286,927 | 181,770 | 679,421 | 66.4 | 26.0 | 27.8 |
| 3 | 2,920 | 382,557 | 242,360 | 904,914 | 82.6 | 34.0 | 35.8 |

each from::

    from caspian.corridor.build import build_corridor_model
    from caspian.corridor.dataset import load_dataset
    from caspian.corridor.run import prepare
    from caspian.decompose import BendersOptions, solve_benders
    from caspian.optimize import SolverOptions, build_model, optimize

    n, periods = build_corridor_model(prepare("base", H), load_dataset())
    build_model(n).n_variables                      # columns (n_constraints, nnz: rows, non-zeros)
    optimize(n, SolverOptions(algorithm="hipo"))    # HiPO s
    solve_benders(n, BendersOptions())              # Benders s (BendersOptions(gap=1e-3): 0.1 %)

HiPO is faster at 24 h and within a quarter of Benders at 12 h; from 6 h on Benders is faster,
1.8-2.1 times at 6 h and 2.3-2.6 times at 4 and 3 h. The threshold sits where one HiPO solve
passes about a minute, between the 6-hourly year (191,297 columns, 38 s) and the 4-hourly one
(286,927 columns, 66 s): a model one solve handles in well under a minute stays one solve (one
HiGHS run, no rounds to converge, the default 6-hourly year among them), and Benders takes over
where it saves more than half the time. A 2-bus model of 2,920 snapshots (PyPSA's
``model-energy`` example, some 20,000-30,000 columns) is far below it. Re-tune by re-running the
lines above."""

AUTO_BENDERS_MIN_BLOCKS = 2
"""Benders needs at least this many time blocks: with one block its master problem holds the
whole model's investments and its one block is the whole operation problem, a monolithic solve
with extra steps."""


class SolveChoice(StrEnum):
    """What ``auto`` picks: a HiGHS algorithm on the whole model, or Benders decomposition."""

    SIMPLEX = "simplex"
    HIPO = "hipo"
    BENDERS = "benders"


@dataclass(frozen=True)
class ProblemSize:
    """The size of a model, as far as choosing its solve method goes.

    Attributes
    ----------
    columns
        variables of the linear program (``LinearModel.n_variables``).
    time_blocks
        time blocks a decomposition would cut the snapshots into (1: one block, or unknown).
    representative_periods
        the snapshots are typical periods standing for a longer year (Benders does not support
        them).
    """

    columns: int
    time_blocks: int = 1
    representative_periods: bool = False


def benders_applies(size: ProblemSize) -> bool:
    """Whether Benders decomposition can solve a model this shape: chronological snapshots in at
    least ``AUTO_BENDERS_MIN_BLOCKS`` time blocks."""
    return not size.representative_periods and size.time_blocks >= AUTO_BENDERS_MIN_BLOCKS


def choose_method(size: ProblemSize) -> SolveChoice:
    """The method ``auto`` solves a model of ``size`` with.

    Benders when it applies ([`benders_applies`][caspian.optimize.auto.benders_applies]) and the
    model has at least ``AUTO_BENDERS_MIN_COLUMNS`` columns; otherwise one HiGHS solve, by dual
    simplex up to ``AUTO_SIMPLEX_MAX_COLUMNS`` columns and by HiPO above.
    """
    if benders_applies(size) and size.columns >= AUTO_BENDERS_MIN_COLUMNS:
        return SolveChoice.BENDERS
    if size.columns <= AUTO_SIMPLEX_MAX_COLUMNS:
        return SolveChoice.SIMPLEX
    return SolveChoice.HIPO
