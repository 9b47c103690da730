"""PyPSA-made networks and files for the interoperability tests: PyPSA is the oracle."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pypsa
import pytest

from caspian.exceptions import ValidationError
from caspian.network import read_network

# PyPSA 1.4's CSV exporter and importer leave meta.json and crs.json open
# (``fn.open("w").write(...)`` in pypsa/network/io.py); that is theirs, not ours.
PYPSA_MARKS = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.usefixtures("quiet_pypsa"),
]
"""The marks of a module of PyPSA interoperability tests (``pytestmark = PYPSA_MARKS``)."""

FORMATS = [("pypsa-netcdf", "net.nc"), ("pypsa-csv", "net")]


def refusal(tmp_path: Path, n: pypsa.Network, name: str = "net.nc") -> str:
    """The ValidationError message of reading ``n`` written by PyPSA to ``tmp_path / name``."""
    with pytest.raises(ValidationError) as info:
        read_network(export(n, tmp_path / name))
    return str(info.value)


def export(n: pypsa.Network, path: Path) -> Path:
    """Write ``n`` with PyPSA's own exporter, as netCDF for ``*.nc`` else as a CSV folder."""
    if path.suffix == ".nc":
        n.export_to_netcdf(path)
    else:
        n.export_to_csv_folder(path)
    return path


def pypsa_network() -> pypsa.Network:
    """A PyPSA network using every component caspian-grid supports, built with PyPSA's API."""
    n = pypsa.Network(name="pypsa-made")
    sns = pd.date_range("2030-01-01", periods=4, freq="h")
    n.set_snapshots(sns)
    n.snapshot_weightings = pd.DataFrame(
        {"objective": [1.0, 2.0, 0.5, 3.0], "stores": [1.0, 2.0, 0.5, 3.0], "generators": 1.0},
        index=sns,
    )
    n.meta = {"source": "pypsa", "scale": 2}
    n.add("Carrier", ["gas", "wind", "AC", "DC"], co2_emissions=[0.2, 0, 0, 0], color="#123456")
    n.add("Bus", ["a", "b", "c"], v_nom=[380, 380, 220], x=[1, 2, 3], y=[4, 5, 6])
    n.add("Bus", ["d", "e"], carrier="DC", v_nom=500)
    n.buses["country"] = ["AZ", "AZ", "KZ", "sea", "sea"]
    n.add(
        "Generator",
        "gas",
        bus="a",
        carrier="gas",
        p_nom=100,
        marginal_cost=[50, 60, 70, 80],
        p_nom_extendable=True,
        p_nom_max=500,
        capital_cost=1000,
        efficiency=0.5,
        ramp_limit_up=0.5,
    )
    n.add("Generator", "wind", bus="b", carrier="wind", p_nom=50, p_max_pu=[0.1, 0.5, 0.9, 0.3])
    n.add("Generator", ["c-gen", "e-gen"], bus=["c", "e"], p_nom=10)
    n.add("Load", "l", bus="b", p_set=[10, 20, 30, 40])
    n.add("Load", "l2", bus="d", p_set=5)
    n.add(
        "Line",
        "ab",
        bus0="a",
        bus1="b",
        x=0.1,
        r=0.01,
        s_nom=100,
        s_max_pu=[1, 0.9, 0.8, 0.7],
        length=100,
        num_parallel=2,
    )
    n.add("Line", "de", bus0="d", bus1="e", r=0.1, s_nom=10)
    n.add("Link", "hvdc", bus0="b", bus1="d", p_nom=50, efficiency=[0.9, 0.95, 0.97, 0.99])
    n.links["p_min_pu"] = -1.0
    n.add(
        "StorageUnit",
        "bat",
        bus="a",
        p_nom=10,
        max_hours=4,
        inflow=[0, 1, 2, 3],
        cyclic_state_of_charge=True,
        standing_loss=0.01,
    )
    n.add("Store", "h2", bus="c", e_nom=100, e_cyclic=True, e_max_pu=[1, 0.9, 0.8, 0.7])
    n.add("GlobalConstraint", "co2", sense="<=", constant=1e6)
    n.add("GlobalConstraint", "co2-exact", constant=5e5)  # PyPSA's default sense is "=="
    return n
