"""The pipeline every solve runs: build -> condition -> solve -> extract -> audit, whatever the
strategy, and the one place that chooses the strategy."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest

from caspian.decompose import BendersOptions, solve_network
from caspian.decompose.benders import BendersStrategy
from caspian.exceptions import AuditError, InputError
from caspian.network import Network
from caspian.network.examples import demo_network
from caspian.optimize import (
    STAGES,
    HighsStrategy,
    LinearModel,
    Request,
    Solution,
    SolverOptions,
    SolveStrategy,
    Stages,
    choose_strategy,
    optimize,
    solve_pipeline,
    strategy_named,
)
from caspian.optimize.balance import NODAL_BALANCE
from caspian.optimize.pipeline import run_pipeline
from caspian.optimize.strategy import Say

BENDERS = BendersOptions(block_hours=24.0)


@pytest.fixture(scope="module")
def demo() -> Network:
    """Two days of the demo network (CO2 cap, ramps, HVDC), two 24-hour blocks for Benders."""
    return demo_network(hours=48)


def strategies() -> list[SolveStrategy]:
    return [
        HighsStrategy(SolverOptions(algorithm="simplex")),
        HighsStrategy(SolverOptions(algorithm="hipo")),
        BendersStrategy(BENDERS),
    ]


STRATEGY_IDS = ["simplex", "hipo", "benders"]


@dataclass
class Recording:
    """A strategy that records its calls in ``log`` and hands the solve to ``inner``;
    ``change`` may alter the solution it returns."""

    inner: SolveStrategy
    log: list[str]
    change: Callable[[LinearModel, Solution], Solution] | None = None
    retries: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    def describe(self, model: LinearModel) -> str:
        return self.inner.describe(model)

    def solve(self, model: LinearModel, say: Say) -> Solution:
        self.log.append("solve")
        solution = self.inner.solve(model, say)
        return solution if self.change is None else self.change(model, solution)

    def after_failed_audit(
        self, model: LinearModel, solution: Solution, error: AuditError, say: Say
    ) -> Solution | None:
        self.retries.append(str(error))
        return None


def recording_stages(log: list[str]) -> Stages:
    def record(name: str, stage: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            log.append(name)
            return stage(*args)

        return run

    return Stages(
        build=record("build", STAGES.build),
        condition=record("condition", STAGES.condition),
        extract=record("extract", STAGES.extract),
        audit=record("audit", STAGES.audit),
    )


@pytest.mark.parametrize("index", range(3), ids=STRATEGY_IDS)
def test_each_stage_runs_once_in_order(demo: Network, index: int) -> None:
    log: list[str] = []
    strategy = Recording(strategies()[index], log)
    said: list[str] = []
    run = run_pipeline(demo, strategy, recording_stages(log), progress=said.append)
    assert log == ["build", "condition", "solve", "extract", "audit"]
    assert run.strategy is strategy
    assert run.result.economic_audit is not None and run.result.economic_audit.passed
    assert said[0].startswith("built ") and said[0].endswith(strategy.describe(run.model))


def test_direct_and_benders_give_the_same_objective_and_prices(demo: Network) -> None:
    simplex = solve_pipeline(demo, HighsStrategy(SolverOptions(algorithm="simplex"))).result
    benders = solve_pipeline(demo, BendersStrategy(BENDERS)).result
    assert benders.solver.algorithm == "benders"
    assert benders.objective == pytest.approx(simplex.objective, rel=1e-7)
    level = float(simplex.prices.abs().to_numpy().mean())
    np.testing.assert_allclose(
        benders.prices.to_numpy(), simplex.prices.to_numpy(), rtol=0, atol=1e-6 * level
    )
    assert benders.co2_price == pytest.approx(simplex.co2_price, abs=1e-6 * level)
    # optimize() is the same pipeline with the direct strategy: the same answer, bit for bit
    whole = optimize(demo, SolverOptions(algorithm="simplex"))
    assert whole.objective == simplex.objective
    assert whole.prices.equals(simplex.prices)


def _wrong_price(model: LinearModel, solution: Solution) -> Solution:
    """The solution with one bus price raised by 50 EUR/MWh in the first snapshot."""
    row_dual = solution.row_dual.copy()
    row_dual[model.lp.constraints[NODAL_BALANCE].start] += 50.0
    return replace(
        solution, row_dual=row_dual, col_dual=model.lp.cost - model.lp.matrix.T @ row_dual
    )


@pytest.mark.parametrize("index", range(3), ids=STRATEGY_IDS)
def test_the_audit_catches_a_wrong_dual_from_any_strategy(demo: Network, index: int) -> None:
    log: list[str] = []
    strategy = Recording(strategies()[index], log, change=_wrong_price)
    with pytest.raises(AuditError, match="economic audit"):
        run_pipeline(demo, strategy, recording_stages(log))
    assert log == ["build", "condition", "solve", "extract", "audit"]
    assert len(strategy.retries) == 1  # the strategy was asked, and let the failure stand


def test_an_unknown_strategy_is_named_with_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        strategy_named("gurobi")
    message = str(caught.value)
    assert "unknown solve strategy 'gurobi'" in message
    assert "hipo, ipm, simplex, pdlp, benders" in message
    assert isinstance(strategy_named("HiPO"), HighsStrategy)
    assert strategy_named("benders", settings=BENDERS) == BendersStrategy(BENDERS)


def test_the_choice_is_made_once_from_the_built_model(demo: Network) -> None:
    model = STAGES.build(demo, None)
    # optimize(): the whole model, whatever its size
    assert choose_strategy(Request(), model).strategy == HighsStrategy(
        SolverOptions(algorithm="simplex")
    )
    # Benders asked for by name, where it applies
    asked = choose_strategy(Request(SolverOptions(), BENDERS, asked=True), model)
    assert asked.strategy == BendersStrategy(BENDERS) and asked.note is None
    # an explicit algorithm needs no model
    hipo = SolverOptions(algorithm="hipo")
    assert choose_strategy(Request(hipo), None).strategy == HighsStrategy(hipo)


def test_solve_network_builds_the_model_once(
    demo: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``auto`` chooses from the built model; it used to build it once to measure, then again."""
    log: list[str] = []
    # caspian.optimize the attribute is the function; the package is in sys.modules
    monkeypatch.setattr(sys.modules["caspian.optimize"], "STAGES", recording_stages(log))
    said: list[str] = []
    assert solve_network(demo, progress=said.append).solver.algorithm == "simplex"
    assert log == ["build", "condition", "extract", "audit"]
    assert said[0].endswith("solving with HiGHS (simplex)")
