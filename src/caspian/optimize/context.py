"""What every constraint family reads: the network's arrays, weightings and blocks so far."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.exceptions import InputError
from caspian.network.network import Network, extendable_mask
from caspian.optimize.assembly import ModelBuilder, VariableBlock, VariableKey
from caspian.optimize.periods import RepresentativePeriods

STORAGE_LEVEL = {"StorageUnit": "state_of_charge", "Store": "e"}
"""The energy level attribute of each storage component (MWh)."""

STORAGE_START = {
    "StorageUnit": ("cyclic_state_of_charge", "state_of_charge_initial"),
    "Store": ("e_cyclic", "e_initial"),
}
"""The cyclic flag and initial level attributes of each storage component."""


@dataclass
class BuildContext:
    """The network and derived arrays shared by the constraint families.

    Weightings are in hours per snapshot: ``w_objective`` weights costs, ``w_stores`` the
    storage dynamics and ``w_generators`` the energy counted by global constraints. With
    representative ``periods``, ``w_stores`` is the duration of a snapshot within one occurrence
    of its typical period (the stores weighting divided by the occurrences).
    """

    n: Network
    builder: ModelBuilder
    w_objective: np.ndarray
    w_stores: np.ndarray
    w_generators: np.ndarray
    buses: pd.Index
    periods: RepresentativePeriods | None = None

    @classmethod
    def create(cls, n: Network, periods: RepresentativePeriods | None = None) -> BuildContext:
        """The context of a build of ``n`` with ``periods`` as ``build_model`` resolved them
        ([`resolve_periods`][caspian.optimize.context.resolve_periods])."""
        sw = n.snapshot_weightings
        w_stores = sw["stores"].to_numpy(float)
        return cls(
            n=n,
            builder=ModelBuilder(n.snapshots),
            w_objective=sw["objective"].to_numpy(float),
            w_stores=w_stores if periods is None else periods.per_occurrence(w_stores),
            w_generators=sw["generators"].to_numpy(float),
            buses=n.static["Bus"].index,
            periods=periods,
        )

    @property
    def n_snapshots(self) -> int:
        return len(self.n.snapshots)

    def static(self, component: str) -> pd.DataFrame:
        return self.n.static[component]

    def series(self, component: str, attr: str, names: pd.Index | None = None) -> np.ndarray:
        """Dense snapshots x names values of ``attr`` (static values broadcast)."""
        return self.n.get_series(component, attr, names)

    def bus_position(
        self, component: str, column: str, names: pd.Index | None = None
    ) -> np.ndarray:
        """Integer position of the bus named in ``column`` for each component."""
        frame = self.static(component)
        values = frame[column] if names is None else frame.loc[names, column]
        return np.asarray(self.buses.get_indexer(pd.Index(values.to_numpy())), dtype=np.int64)

    def extendable(self, component: str) -> np.ndarray:
        """Boolean mask of the components whose capacity is a decision variable."""
        return extendable_mask(self.static(component), component)

    def variable(self, key: VariableKey) -> VariableBlock:
        """The variable block ``key``, which must exist (BlockKeyError naming it and the blocks
        present otherwise)."""
        return self.builder.variables[key]

    def variable_or_none(self, key: VariableKey) -> VariableBlock | None:
        """The variable block ``key``, or None where the model has none (e.g. no component of
        its kind)."""
        return self.builder.variables.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.builder.variables


def resolve_periods(
    n: Network, periods: RepresentativePeriods | None
) -> RepresentativePeriods | None:
    """The representative periods of a build: the network's own (``n.periods``), or those
    passed beside it by callers written before the network carried them; both must agree."""
    if periods is None or n.periods is None:
        return periods if periods is not None else n.periods
    if periods is not n.periods and periods.as_dict() != n.periods.as_dict():
        raise InputError(
            "the representative periods passed to the optimisation differ from the network's "
            "own (n.periods).",
            component="RepresentativePeriods",
            hint="Set n.periods and pass no periods, or pass the network's own.",
        )
    return n.periods
