"""What every constraint family reads: the network's arrays, weightings and blocks so far."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.network.network import Network
from caspian.optimize.assembly import ModelBuilder, VariableBlock

NOMINAL_ATTR = {
    "Generator": "p_nom",
    "Line": "s_nom",
    "Link": "p_nom",
    "StorageUnit": "p_nom",
    "Store": "e_nom",
}
"""The capacity attribute of each expandable component."""


@dataclass
class BuildContext:
    """The network and derived arrays shared by the constraint families.

    Weightings are in hours per snapshot: ``w_objective`` weights costs, ``w_stores`` the
    storage dynamics and ``w_generators`` the energy counted by global constraints.
    """

    n: Network
    builder: ModelBuilder
    w_objective: np.ndarray
    w_stores: np.ndarray
    w_generators: np.ndarray
    buses: pd.Index

    @classmethod
    def create(cls, n: Network) -> BuildContext:
        sw = n.snapshot_weightings
        return cls(
            n=n,
            builder=ModelBuilder(n.snapshots),
            w_objective=sw["objective"].to_numpy(float),
            w_stores=sw["stores"].to_numpy(float),
            w_generators=sw["generators"].to_numpy(float),
            buses=n.static["Bus"].index,
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
        attr = NOMINAL_ATTR[component]
        return self.static(component)[f"{attr}_extendable"].to_numpy(bool)

    def variable(self, key: str) -> VariableBlock | None:
        return self.builder.variables.get(key)
