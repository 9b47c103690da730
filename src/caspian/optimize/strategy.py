"""Solve strategies: what the solve stage of the pipeline runs, and the one place that picks it.

    choose_strategy(Request(SolverOptions()), model)   # HiGHS: simplex while small, HiPO above
    strategy_named("hipo")                              # HiGHS's HiPO on the whole model
    strategy_named("benders", settings=BendersOptions())  # once caspian.decompose is imported

A strategy turns a built and conditioned model into a
``Solution`` (``caspian.optimize.solve``) of the whole linear program: primal values, row
duals and reduced costs in its original units, whatever it did to get them. The pipeline's
extract and audit stages ([`caspian.optimize.pipeline`][caspian.optimize.pipeline]) then treat
every strategy alike, so a strategy whose prices are not the LP's own fails the same economic
audit as a wrong monolithic solve.

[`HighsStrategy`][caspian.optimize.strategy.HighsStrategy] is one HiGHS solve of the whole
model (dual simplex, IPX, HiPO or PDLP). Decompositions are registered by the package that
implements them ([`register_decomposition`][caspian.optimize.strategy.register_decomposition];
``caspian.decompose`` registers ``"benders"`` when imported), so the optimiser never imports
them and the packages keep their one-way order.
[`choose_strategy`][caspian.optimize.strategy.choose_strategy] applies the rule of
[`caspian.optimize.auto`][caspian.optimize.auto] to the built model: no other module decides
how a model is solved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from caspian.exceptions import AuditError, InputError
from caspian.network.network import Network
from caspian.optimize import auto
from caspian.optimize.auto import ProblemSize, SolveChoice, benders_applies, choose_method
from caspian.optimize.build import LinearModel
from caspian.optimize.options import Algorithm, SolverOptions
from caspian.optimize.solve import INTERIOR_ALGORITHMS, Solution, solve_model

Say = Callable[[str], None]
"""Where a strategy reports its progress, one line of text at a time."""


class SolveStrategy(Protocol):
    """The solve stage of the pipeline: a built, conditioned model in, its solution out.

    ``solve`` returns the primal values, row duals and reduced costs of the whole program (the
    LP's own answer, whatever the method), or raises a ``SolverError``;
    ``after_failed_audit`` may answer an audit failure of that solution with another one (the
    vertex of the same optimum, say), or return ``None`` to let the failure stand.
    """

    @property
    def name(self) -> str:
        """The name the strategy is chosen by (``"simplex"``, ``"benders"``, ...)."""
        ...

    def describe(self, model: LinearModel) -> str:
        """What solves ``model``, for the progress line (``"HiGHS (simplex)"``)."""
        ...

    def solve(self, model: LinearModel, say: Say) -> Solution: ...

    def after_failed_audit(
        self, model: LinearModel, solution: Solution, error: AuditError, say: Say
    ) -> Solution | None: ...


@dataclass(frozen=True)
class HighsStrategy:
    """One HiGHS solve of the whole model (``caspian.optimize.solve.solve_model``).

    ``options.algorithm`` may be ``"auto"``: the size of the model then picks simplex or HiPO
    ([`SolverOptions.resolved`][caspian.optimize.options.SolverOptions.resolved]). An
    interior-point answer that fails the audit is solved again for the vertex of the same
    optimum, once; a vertex that fails it is an error.
    """

    options: SolverOptions = field(default_factory=SolverOptions)

    @property
    def name(self) -> str:
        return str(self.options.algorithm)

    def describe(self, model: LinearModel) -> str:
        return f"HiGHS ({self.options.resolved(model.n_variables).algorithm})"

    def solve(self, model: LinearModel, say: Say) -> Solution:
        return solve_model(model, self.options)

    def after_failed_audit(
        self, model: LinearModel, solution: Solution, error: AuditError, say: Say
    ) -> Solution | None:
        algorithm = self.options.resolved(model.n_variables).algorithm
        if Algorithm(algorithm) not in INTERIOR_ALGORITHMS or solution.stats.cleanup:
            return None
        # An interior point inside HiGHS's tolerances can still miss the audit's (in the
        # original units, per asset): the vertex of the same optimum is exact.
        first = str(error).splitlines()[1].strip(" -") if "\n" in str(error) else str(error)
        say(f"the {algorithm} answer failed the audit ({first}); solving for a vertex")
        return solve_model(model, self.options, vertex_because=f"it failed the audit: {first}")


class BlockSettings(Protocol):
    """What the choice needs to know of a decomposition's settings."""

    @property
    def block_hours(self) -> float:
        """Hours of one time block."""
        ...


@dataclass(frozen=True)
class Decomposition:
    """A strategy that cuts the model into time blocks, registered by the package that
    implements it.

    Attributes
    ----------
    name
        the name it is chosen by; ``"benders"`` is the one ``auto`` may pick
        ([`SolveChoice.BENDERS`][caspian.optimize.auto.SolveChoice]).
    make
        its strategy, from its settings.
    count_blocks
        how many time blocks of a given length (hours) a network's snapshots form.
    """

    name: str
    make: Callable[[Any], SolveStrategy]
    count_blocks: Callable[[Network, float], int]


_DECOMPOSITIONS: dict[str, Decomposition] = {}


def register_decomposition(entry: Decomposition) -> None:
    """Make ``entry`` available to [`choose_strategy`][caspian.optimize.strategy.choose_strategy]
    and [`strategy_named`][caspian.optimize.strategy.strategy_named] (again: replaced)."""
    _DECOMPOSITIONS[entry.name] = entry


def strategy_names() -> tuple[str, ...]:
    """The names of every strategy: HiGHS's algorithms, then the registered decompositions."""
    return (*(a.value for a in Algorithm if a != Algorithm.AUTO), *_DECOMPOSITIONS)


def decomposition(name: str) -> Decomposition:
    """The registered decomposition called ``name``; an InputError naming the known ones if
    there is none."""
    try:
        return _DECOMPOSITIONS[name]
    except KeyError:
        raise _unknown(name) from None


def strategy_named(
    name: str, options: SolverOptions | None = None, settings: Any = None
) -> SolveStrategy:
    """The strategy called ``name``: a HiGHS algorithm on the whole model (with ``options``,
    its algorithm replaced by ``name``) or a registered decomposition (with ``settings``).

    Raises InputError for a name that is neither, naming the known ones.
    """
    key = name.lower()
    if key in _DECOMPOSITIONS:
        return _DECOMPOSITIONS[key].make(settings)
    if key in (a.value for a in Algorithm if a != Algorithm.AUTO):
        return HighsStrategy(replace(options or SolverOptions(), algorithm=key))
    raise _unknown(name)


def _unknown(name: str) -> InputError:
    hint = f"Choose one of: {', '.join(strategy_names())}."
    if name.lower() == SolveChoice.BENDERS:
        hint += " Benders is registered when caspian.decompose is imported."
    return InputError(
        f"unknown solve strategy {name!r}.", attribute="strategy", value=name, hint=hint
    )


@dataclass(frozen=True)
class Request:
    """How a caller asks for a model to be solved, before its size is known.

    Attributes
    ----------
    highs
        HiGHS settings of a solve of the whole model; with algorithm ``"auto"`` the size picks
        it.
    decomposition
        settings of the ``"benders"`` decomposition, which ``auto`` may then pick for a model
        too large for one solve; ``None`` (as in ``caspian.optimize.optimize``): always the
        whole model.
    asked
        the decomposition was asked for by name: used wherever it applies.
    """

    highs: SolverOptions = field(default_factory=SolverOptions)
    decomposition: BlockSettings | None = None
    asked: bool = False

    @property
    def needs_model(self) -> bool:
        """Whether the choice depends on the built model (else ``highs`` is used as given)."""
        return self.asked or self.highs.algorithm == Algorithm.AUTO


@dataclass(frozen=True)
class Choice:
    """The strategy chosen for a model, its settings, and why, where that needs saying.

    Attributes
    ----------
    strategy
        what the solve stage runs.
    settings
        ``SolverOptions`` with an explicit algorithm, or the decomposition's settings.
    note
        a line for the user when ``auto`` chose a decomposition or one was asked for but does
        not apply (``None`` otherwise).
    """

    strategy: SolveStrategy
    settings: Any
    note: str | None = None


def choose_strategy(request: Request, model: LinearModel | None) -> Choice:
    """The strategy that solves ``model`` as ``request`` asks: the one place that decides.

    An explicit HiGHS algorithm is used as given (``model`` may then be ``None``). Otherwise
    [`choose_method`][caspian.optimize.auto.choose_method] decides from the size of ``model``,
    its number of time blocks and whether it has representative periods; a decomposition asked
    for by name is used wherever it applies (chronological snapshots in at least two time
    blocks) and one HiGHS solve, with a note saying why, where it does not.
    """
    highs = request.highs
    if not request.needs_model:
        return Choice(HighsStrategy(highs), highs)
    if model is None:
        raise ValueError("choosing by size needs the built model")
    periodic = model.periods is not None
    split = request.decomposition
    if split is None:  # the whole model, whatever its size
        choice = choose_method(ProblemSize(model.n_variables, representative_periods=periodic))
        chosen = replace(highs, algorithm=Algorithm(choice.value))
        return Choice(HighsStrategy(chosen), chosen)
    entry = decomposition(SolveChoice.BENDERS.value)
    blocks = entry.count_blocks(model.network, split.block_hours)
    size = ProblemSize(model.n_variables, blocks, representative_periods=periodic)
    choice = choose_method(size)
    note = None
    if request.asked and benders_applies(size):
        choice = SolveChoice.BENDERS
    elif request.asked:
        why = (
            "the snapshots are representative periods, which Benders does not support"
            if periodic
            else f"the snapshots form one time block of {split.block_hours:g} h, so there is "
            "nothing to decompose"
        )
        note = f"benders: {why}; solving the whole model with HiGHS ({choice})"
    elif choice == SolveChoice.BENDERS:
        note = (
            f"auto: {size.columns:,} columns in {blocks} time blocks of "
            f"{split.block_hours:g} h (Benders from {auto.AUTO_BENDERS_MIN_COLUMNS:,} columns): "
            "Benders decomposition"
        )
    if choice == SolveChoice.BENDERS:
        return Choice(entry.make(split), split, note)
    chosen = replace(highs, algorithm=Algorithm(choice.value))
    return Choice(HighsStrategy(chosen), chosen, note)
