"""The PyPSA side: the synthetic network as a ``pypsa.Network``, build, hand-over and solve.

PyPSA and linopy are imported inside the functions, after the worker has timed ``import pypsa``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from caspian.network import Network
from caspian.network.synthetic import SyntheticTables


def to_pypsa(n: Network, tables: SyntheticTables, how: str = "auto") -> tuple[Any, str]:
    """The synthetic network as a ``pypsa.Network``, and how it was made.

    Parameters
    ----------
    n : the caspian network from :func:`caspian.network.synthetic.synthetic_network`.
    tables : the tables ``n`` was built from (the same seed and size).
    how : ``"netcdf"``: write ``n`` with ``write_network(format="pypsa-netcdf")`` and read it
        with PyPSA; ``"direct"``: add the tables with PyPSA's own API; ``"auto"``: netCDF if the
        export exists and gives back exactly the tables, else direct.

    Returns
    -------
    (pypsa.Network, str)
        The network, and ``"netcdf"`` or ``"direct: <why>"``.
    """
    import pypsa

    pypsa.options.api.legacy_string_dtype = True  # PyPSA 1.4's behaviour, without its warning
    if how == "direct":
        return from_tables(tables), "direct"
    try:
        pn = _via_netcdf(n)
    except (NotImplementedError, ImportError, TypeError, ValueError) as err:
        if how == "netcdf":
            raise
        return from_tables(tables), f"direct: netCDF export unavailable ({type(err).__name__})"
    problems = mismatches(pn, tables)
    if problems and how == "netcdf":
        raise ValueError("PyPSA netCDF export differs from the tables: " + "; ".join(problems))
    if problems:
        return from_tables(tables), "direct: netCDF export differs (" + "; ".join(problems) + ")"
    return pn, "netcdf"


def _via_netcdf(n: Network) -> Any:
    import pypsa

    from caspian.network import write_network

    with tempfile.TemporaryDirectory(prefix="caspian-bench-") as tmp:
        path = Path(tmp) / "network.nc"
        write_network(n, path, format="pypsa-netcdf")
        return pypsa.Network(path)


def from_tables(tables: SyntheticTables) -> Any:
    """Build the ``pypsa.Network`` from the tables with PyPSA's API, as the caspian one is."""
    import pypsa

    pn: Any = pypsa.Network(name=tables.name)  # PyPSA's annotations are narrower than its API
    pn.set_snapshots(tables.snapshots)
    # PyPSA starts from integer weightings; 8760 / n_hours is not an integer in general.
    weightings = pn.snapshot_weightings.astype(float)
    weightings["objective"] = tables.objective_weighting_h
    pn.snapshot_weightings = weightings
    for component, table in tables.static.items():
        pn.add(component, table.index, **{c: table[c] for c in table.columns})
        # PyPSA's add wants a column for every new name; only some generators vary in time.
        for attr, series in tables.varying.get(component, {}).items():
            pn.c[component].dynamic[attr] = series.rename_axis(index="snapshot", columns="name")
    return pn


def mismatches(pn: Any, tables: SyntheticTables) -> list[str]:
    """Differences between a ``pypsa.Network`` and the tables (empty if they agree)."""
    problems = []
    if len(pn.snapshots) != len(tables.snapshots):
        problems.append(f"{len(pn.snapshots)} snapshots, expected {len(tables.snapshots)}")
        return problems
    weights = pn.snapshot_weightings["objective"].to_numpy()
    if not np.allclose(weights, tables.objective_weighting_h):
        problems.append("snapshot_weightings.objective")
    for component, table in tables.static.items():
        static = pn.c[component].static
        if not static.index.equals(table.index):
            problems.append(f"{component} names")
            continue
        for column in table.columns:
            ours, theirs = table[column].to_numpy(), static[column].to_numpy()
            same = (
                np.allclose(ours.astype(float), theirs.astype(float), equal_nan=True)
                if ours.dtype.kind in "fbi"
                else (ours == theirs).all()
            )
            if not same:
                problems.append(f"{component}.{column}")
        for attr, series in tables.varying.get(component, {}).items():
            theirs = pn.c[component].dynamic[attr].reindex(columns=series.columns)
            if not np.allclose(theirs.to_numpy(float), series.to_numpy(), equal_nan=False):
                problems.append(f"{component}.{attr}(t)")
    return problems


def create_model(pn: Any) -> Any:
    """PyPSA's LP build: ``create_model(include_objective_constant=False)``."""
    return pn.optimize.create_model(include_objective_constant=False)


def hand_over(model: Any, options: dict[str, Any]) -> Any:
    """Pass the linopy model to HiGHS as ``solve_model(io_api="direct")`` does, without solving.

    Mirrors ``linopy.Model.solve`` up to the solve: sanitize zeros and infinities, then build the
    ``highspy.Highs`` instance through linopy's HiGHS solver class with the same options.
    """
    from linopy import solvers

    model.constraints.sanitize_zeros()
    model.constraints.sanitize_infinities()
    solver = solvers.Solver.from_name(
        "highs",
        model=model,
        io_api="direct",
        options=dict(options),
        explicit_coordinate_names=False,
        set_names=None,
        log_fn=None,
    )
    return solver.solver_model


def solve(pn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Build and solve as a PyPSA user would; return status, objective and HiGHS's statistics.

    ``solve_model(solver_name="highs", io_api="direct", **options)`` after
    ``create_model(include_objective_constant=False)``.
    """
    create_model(pn)
    status, condition = pn.optimize.solve_model(solver_name="highs", io_api="direct", **options)
    highs = pn.model.solver_model
    info = highs.getInfo()
    objective = pn.model.objective.value
    return {
        "status": str(status),
        "termination": str(condition),
        "objective": float("nan" if objective is None else objective),
        "solver_seconds": float(highs.getRunTime()),
        "iterations": int(info.ipm_iteration_count),
        "simplex_iterations": int(info.simplex_iteration_count),
        "crossover_iterations": int(info.crossover_iteration_count),
        "highs_model_status": str(highs.getModelStatus()),
    }
