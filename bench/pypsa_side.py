"""The PyPSA side: a caspian network as a ``pypsa.Network``, build, hand-over and solve.

The synthetic networks reach PyPSA as they are; the corridor network's lossy two-way HVDC links
(caspian-grid's ``bidirectional``) are rewritten as the equivalent PyPSA model first, see
:func:`split_bidirectional`. PyPSA and linopy are imported inside the functions, after the
worker has timed ``import pypsa``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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
    weights = np.full(len(tables.snapshots), tables.objective_weighting_h)
    return _table_mismatches(pn, weights, tables.static, tables.varying)


def network_mismatches(pn: Any, n: Network) -> list[str]:
    """Differences between a ``pypsa.Network`` and the caspian network ``n``: snapshots,
    objective weightings, component names, and every static and per-snapshot attribute of
    ``n`` that PyPSA has too (empty if they agree)."""
    weights = n.snapshot_weightings["objective"].to_numpy(float)
    static = {cname: frame for cname, frame in n.components()}
    varying = {cname: dict(n.dynamic[cname]) for cname in static}
    return _table_mismatches(pn, weights, static, varying)


def _table_mismatches(
    pn: Any,
    objective_weights: np.ndarray,
    static_tables: Mapping[str, pd.DataFrame],
    varying: Mapping[str, Mapping[str, pd.DataFrame]],
) -> list[str]:
    problems = []
    if len(pn.snapshots) != len(objective_weights):
        problems.append(f"{len(pn.snapshots)} snapshots, expected {len(objective_weights)}")
        return problems
    weights = pn.snapshot_weightings["objective"].to_numpy()
    if not np.allclose(weights, objective_weights):
        problems.append("snapshot_weightings.objective")
    for component, table in static_tables.items():
        static = pn.c[component].static
        if not static.index.equals(table.index):
            problems.append(f"{component} names")
            continue
        for column in table.columns.intersection(static.columns):
            ours, theirs = table[column].to_numpy(), static[column].to_numpy()
            same = (
                np.allclose(ours.astype(float), theirs.astype(float), equal_nan=True)
                if ours.dtype.kind in "fbi"
                else (ours == theirs).all()
            )
            if not same:
                problems.append(f"{component}.{column}")
        for attr, series in varying.get(component, {}).items():
            if not series.shape[1]:
                continue
            theirs = pn.c[component].dynamic[attr].reindex(columns=series.columns)
            if not np.allclose(theirs.to_numpy(float), series.to_numpy(float), equal_nan=False):
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


REVERSE_SUFFIX = " (reverse)"
"""Appended to a bidirectional link's name for its backward half in PyPSA."""

LinkPairs = list[tuple[str, str]]
"""(forward, reverse) names of the links :func:`split_bidirectional` made."""


def network_to_pypsa(n: Network) -> tuple[Any, LinkPairs, str]:
    """Any caspian network as an equivalent ``pypsa.Network``, through the PyPSA netCDF export.

    The export is read back with ``pypsa.Network(path)`` and checked against ``n`` (snapshots,
    weightings, names, every attribute PyPSA shares, see :func:`network_mismatches`); a
    difference raises ``ValueError``. Bidirectional links are then split
    (:func:`split_bidirectional`); pass the pairs to :func:`solve` as ``pairs``.

    Returns
    -------
    (pypsa.Network, pairs, note)
        The network, the (forward, reverse) link pairs and a note for the report.
    """
    import pypsa

    pypsa.options.api.legacy_string_dtype = True
    pn = _via_netcdf(n)
    problems = network_mismatches(pn, n)
    if problems:
        raise ValueError("PyPSA netCDF export differs from the network: " + "; ".join(problems))
    pairs = split_bidirectional(pn)
    note = "netcdf"
    if pairs:
        note += f"; {len(pairs)} bidirectional links split into forward + reverse"
    return pn, pairs, note


def split_bidirectional(pn: Any) -> LinkPairs:
    """Rewrite caspian-grid's lossy two-way links as the same model in PyPSA's terms.

    PyPSA reads caspian-grid's ``bidirectional`` column but models such a link as an ordinary
    one, whose backward flow creates energy (``p1 = -efficiency * p0`` for either sign). Each
    link ``L`` with ``bidirectional`` set becomes

    * ``L``, forward only: ``0 <= p <= max(p_max_pu, 0) * p_nom``;
    * ``L (reverse)`` from bus1 to bus0, with L's efficiency, marginal cost, capacity bounds and
      other inputs, ``0 <= p <= max(-p_min_pu, 0) * p_nom``, and no capital cost;

    and :func:`add_shared_capacity` ties them together once the model exists. This is
    caspian-grid's formulation (``p_fwd``, ``p_bwd``, ``p_fwd + p_bwd <= p_nom``, both lossy),
    so both sides solve the same LP. Returns the (forward, reverse) name pairs.
    """
    link = pn.c["Link"]
    static = link.static
    if "bidirectional" not in static or not len(static):
        return []
    two_way = static.index[static["bidirectional"].astype(bool).to_numpy()]
    if not len(two_way):
        return []
    reverse = pd.Index([r for _, r in _link_pairs(two_way)], name=static.index.name)
    inputs = [
        attr
        for attr, row in link.defaults.iterrows()
        if str(row["status"]).startswith("Input") and attr in static.columns and attr != "name"
    ]
    attrs: dict[str, Any] = {a: static.loc[two_way, a].set_axis(reverse) for a in inputs}
    attrs["bus0"], attrs["bus1"] = attrs["bus1"], attrs["bus0"]
    attrs["capital_cost"] = pd.Series(0.0, index=reverse)  # the cable is paid for once
    attrs["fom_cost"] = pd.Series(0.0, index=reverse)
    attrs["p_min_pu"] = pd.Series(0.0, index=reverse)
    attrs["p_max_pu"] = (-static.loc[two_way, "p_min_pu"]).clip(lower=0).set_axis(reverse)
    varying = {}
    for attr, table in link.dynamic.items():
        table = table[table.columns.intersection(two_way)]
        if not table.shape[1] or attr not in attrs or attr == "p_max_pu":
            continue  # the reverse half's limit comes from the forward half's p_min_pu
        if attr == "p_min_pu":
            attr, table = "p_max_pu", (-table).clip(lower=0)
        varying[attr] = table.rename(columns=dict(_link_pairs(two_way)))
    pn.add("Link", reverse, **attrs)
    dynamic = link.dynamic
    for attr, table in varying.items():
        dynamic[attr] = pd.concat([dynamic[attr], table], axis=1)

    # The forward half carries no backward flow.
    static = link.static
    static.loc[two_way, "p_min_pu"] = 0.0
    static.loc[two_way, "p_max_pu"] = static.loc[two_way, "p_max_pu"].clip(lower=0)
    static["bidirectional"] = False
    dynamic["p_min_pu"] = dynamic["p_min_pu"].drop(columns=two_way, errors="ignore")
    varying_max = dynamic["p_max_pu"].columns.intersection(two_way)
    dynamic["p_max_pu"][varying_max] = dynamic["p_max_pu"][varying_max].clip(lower=0)
    return list(_link_pairs(two_way))


def _link_pairs(two_way: pd.Index) -> zip[tuple[str, str]]:
    """(forward, reverse) names of the bidirectional links ``two_way``."""
    return zip(two_way, (f"{name}{REVERSE_SUFFIX}" for name in two_way), strict=True)


def add_shared_capacity(pn: Any, pairs: LinkPairs) -> None:
    """Add the constraints that make each (forward, reverse) pair one cable.

    After :func:`create_model`: ``p_nom[reverse] = p_nom[forward]`` for extendable pairs, and
    ``p[forward, t] + p[reverse, t] <= p_nom[forward]`` (MW) at every snapshot, with ``p_nom``
    the variable for extendable pairs and the fixed rating otherwise.
    """
    if not pairs:
        return
    model = pn.model
    static = pn.c["Link"].static
    forward = pd.Index([f for f, _ in pairs], name="name")
    reverse = pd.Index([r for _, r in pairs], name="name")
    extendable = static.loc[forward, "p_nom_extendable"].to_numpy(bool)
    flow = model.variables["Link-p"]
    both = flow.sel(name=forward) + flow.sel(name=reverse).assign_coords(name=forward.to_numpy())
    if extendable.any():
        ext, ext_rev = forward[extendable], reverse[extendable]
        p_nom = model.variables["Link-p_nom"]
        same = p_nom.sel(name=ext_rev).assign_coords(name=ext.to_numpy()) - p_nom.sel(name=ext)
        model.add_constraints(same == 0, name="Link-bidirectional-p_nom")
        model.add_constraints(
            both.sel(name=ext) - p_nom.sel(name=ext) <= 0, name="Link-bidirectional-ext-p"
        )
    if not extendable.all():
        fixed = forward[~extendable]
        rating = static.loc[fixed, "p_nom"].rename_axis("name").to_xarray()
        model.add_constraints(both.sel(name=fixed) <= rating, name="Link-bidirectional-fix-p")


def solve(pn: Any, options: dict[str, Any], pairs: LinkPairs | None = None) -> dict[str, Any]:
    """Build and solve as a PyPSA user would; return status, objective and HiGHS's statistics.

    ``solve_model(solver_name="highs", io_api="direct", **options)`` after
    ``create_model(include_objective_constant=False)`` and, for a network whose bidirectional
    links were split, :func:`add_shared_capacity` with their ``pairs``.
    """
    create_model(pn)
    add_shared_capacity(pn, pairs or [])
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
        "primal_dual_objective_error": float(info.primal_dual_objective_error),
        "highs_model_status": str(highs.getModelStatus()),
    }
