"""Build the linear program of a network: variables, then constraints by family.

The model is PyPSA's linear optimal power flow with capacity expansion, and its objective is
PyPSA's with ``include_objective_constant=False``: the snapshot-weighted operating cost plus
``(capital_cost + fom_cost) * capacity`` of every extendable asset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.network.schema import NOMINAL_ATTR
from caspian.network.validate import validate
from caspian.optimize.assembly import LinearProgram
from caspian.optimize.balance import define_kirchhoff_voltage_law, define_nodal_balance
from caspian.optimize.conditioning import ScaledProgram
from caspian.optimize.context import BuildContext, resolve_periods
from caspian.optimize.highs import Highs, hand_over
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

    def to_highs(self, options: SolverOptions | None = None) -> Highs:
        """A HiGHS instance holding this model and the options (not yet run).

        With ``options.scaling`` (the default) HiGHS holds the rescaled program; use
        [`hand_over`][caspian.optimize.build.LinearModel.hand_over] to get the scaling that maps its
        solution back.
        """
        return self.hand_over(options)[0]

    def hand_over(self, options: SolverOptions | None = None) -> tuple[Highs, ScaledProgram | None]:
        """A HiGHS instance holding this model and the options (not yet run), and the scaling
        of the program it holds (``None`` when ``options.scaling`` is off).

        ``self.lp`` itself stays in the original units; HiGHS's solution is in scaled units until
        mapped back with the returned
        [`ScaledProgram`][caspian.optimize.conditioning.ScaledProgram]. The hand-over itself is
        ``caspian.optimize.highs.hand_over``.
        """
        return hand_over(self.lp, (options or SolverOptions()).resolved(self.n_variables))


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
    periods = resolve_periods(n, periods)
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
