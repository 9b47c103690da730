"""Write a result to a folder without ever losing or half-writing earlier results, and read it back.

Writing goes through ``caspian.atomic.atomic_folder``: a failure at any point leaves the
earlier folder, or none, never a half-written one.

A results folder holds the solved network as ``network.nc`` (PyPSA netCDF, which PyPSA opens),
``summary.json`` and one table per result series, so
[`read_result`][caspian.optimize.export.read_result] can rebuild the
[`OptimizationResult`][caspian.optimize.results.OptimizationResult] for analysis without solving
again.

``caspian.runs`` owns the whole results folder (what ``caspian run`` adds, ``cba/``,
``trace/``) and wraps this writer; its layout re-exports :data:`NETWORK_FILE` and
:data:`SUMMARY_FILE` from here, because ``optimize`` does not import ``runs``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pandas as pd

from caspian.atomic import atomic_folder
from caspian.exceptions import InputError
from caspian.names import check_name, inside
from caspian.network import read_network, write_network
from caspian.network.network import component_schema
from caspian.network.schema import NOMINAL_ATTR
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.results import SERIES_ATTRS, OptimizationResult
from caspian.optimize.solve import SolverStats, SolveStatus

NETWORK_FILE = "network.nc"
SUMMARY_FILE = "summary.json"

TableFormat = Literal["csv", "parquet"]
TABLE_FORMATS: tuple[TableFormat, ...] = ("csv", "parquet")


def write_result(
    result: OptimizationResult,
    out_dir: str | Path,
    *,
    overwrite: bool = False,
    table_format: TableFormat = "csv",
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write every result table and ``summary.json`` to ``out_dir``; return its path.

    Tables: ``buses-marginal_price`` (EUR/MWh), ``generators-p``, ``lines-p0``, ``links-p0``,
    ``storage_units-state_of_charge``, ... (MW, MWh; snapshots x components), ``capacities``
    (optimal capacity per component) and ``global_constraints`` (``mu``, ``value``), plus the
    solved network's inputs as ``network.nc``.
    ``extra`` writes further files into the folder before it moves into place.

    Every table is named by :func:`caspian.names.check_name` and written inside ``out_dir``;
    an existing ``out_dir`` is replaced only with ``overwrite``.
    """
    out = Path(out_dir)
    if table_format not in TABLE_FORMATS:
        raise InputError(f"unknown table format {table_format!r}.", hint="Use 'csv' or 'parquet'.")
    with atomic_folder(out, overwrite=overwrite) as tmp:
        for stem, table in result.tables().items():
            path = inside(tmp, f"{check_name(stem, what='table')}.{table_format}", what="table")
            if table_format == "csv":
                table.to_csv(path)
            else:
                frame = table.copy()
                frame.columns = frame.columns.astype(str)
                frame.to_parquet(path)
        write_network(result.network, tmp / NETWORK_FILE, format="pypsa-netcdf")
        summary = result.summary()
        summary["network"] = result.network.name
        summary["table_format"] = table_format
        if extra is not None:
            extra(tmp)
        summary["tables"] = sorted(p.name for p in tmp.iterdir())
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return out


def check_results_folder(folder: str | Path) -> Path:
    """``folder`` if it is a results folder (with ``summary.json`` and ``network.nc``), else an
    :class:`InputError` saying what is missing; reads nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "a file" if folder.exists() else "no such folder"
        raise InputError(
            f"{folder} is not a results folder ({what}).",
            hint="Give the folder written by 'caspian run' or 'caspian solve'.",
        )
    for needed in (folder / SUMMARY_FILE, folder / NETWORK_FILE):
        if not needed.is_file():
            raise InputError(
                f"{folder} is not a complete results folder: {needed.name} is missing.",
                hint="Give the folder written by 'caspian run' or 'caspian solve' "
                "(results written before network.nc was added must be solved again).",
            )
    return folder


def result_entries(folder: str | Path) -> frozenset[str] | None:
    """The names in the results folder ``folder`` that ``write_result`` wrote (the tables,
    ``network.nc``, ``summary.json`` and what ``extra`` added), as its ``summary.json`` lists
    them; None if that cannot be told. Other entries (``cba/``, ``trace/``, a report) were
    added after."""
    try:
        listed = json.loads((Path(folder) / SUMMARY_FILE).read_text())["tables"]
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    if not isinstance(listed, list):
        return None
    return frozenset([SUMMARY_FILE, *map(str, listed)])


def read_result(folder: str | Path) -> OptimizationResult:
    """Rebuild the result written by ``write_result`` (or ``caspian run``) in ``folder``.

    Everything analysis needs comes back: the network, objective, prices, every series, the
    optimal capacities and, for a model of typical periods, which period stands for which
    (``result.periods``). Line and link shadow prices and the inter-period storage levels are
    not written, so they are absent.
    """
    folder = check_results_folder(folder)
    summary_path = folder / SUMMARY_FILE
    try:
        summary = json.loads(summary_path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(
            f"is not valid JSON ({error}).",
            file=str(summary_path),
            hint="The folder is damaged; solve the network again.",
        ) from None
    n = read_network(folder / NETWORK_FILE)
    if n.periods is None and "periods" in summary:
        # written before networks carried their representative periods: they were kept beside
        n.periods = RepresentativePeriods.from_dict(summary["periods"])
        n.periods.validate(n)
    suffix = ".parquet" if summary.get("table_format") == "parquet" else ".csv"

    def table(stem: str, columns: pd.Index) -> pd.DataFrame:
        path = folder / f"{stem}{suffix}"
        if not path.exists():
            if len(columns):
                raise InputError(
                    f"{path} is missing from the results folder.",
                    hint="The folder is incomplete; solve the network again.",
                )
            return pd.DataFrame(index=n.snapshots, columns=columns, dtype=float)
        frame = pd.read_csv(path, index_col=0) if suffix == ".csv" else pd.read_parquet(path)
        frame.index = n.snapshots
        frame.columns = frame.columns.astype(str)
        return frame.reindex(columns=columns.astype(str)).set_axis(columns, axis=1).astype(float)

    series: dict[tuple[str, str], pd.DataFrame] = {}
    for cname, attrs in SERIES_ATTRS.items():
        names = pd.Index(n.static[cname].index, name="name")
        for attr in attrs:
            series[(cname, attr)] = table(f"{component_schema(cname).list_name}-{attr}", names)
    buses = pd.Index(n.static["Bus"].index, name="name")
    prices = table("buses-marginal_price", buses)

    capacity: dict[str, pd.Series] = {}
    caps_path = folder / f"capacities{suffix}"
    caps = (
        (pd.read_csv(caps_path) if suffix == ".csv" else pd.read_parquet(caps_path).reset_index())
        if caps_path.exists()
        else pd.DataFrame(columns=["component", "name", "optimal_capacity"])
    )
    for cname, attr in NOMINAL_ATTR.items():
        static = n.static[cname]
        cap = static[attr].astype(float).copy()
        rows = caps[caps["component"] == cname]
        cap.loc[list(rows["name"].astype(str))] = rows["optimal_capacity"].to_numpy(float)
        cap.name = f"{attr}_opt"
        capacity[cname] = cap

    glc = n.static["GlobalConstraint"]
    gc_path = folder / f"global_constraints{suffix}"
    if gc_path.exists():
        gc = pd.read_csv(gc_path, index_col=0) if suffix == ".csv" else pd.read_parquet(gc_path)
        gc.index = gc.index.astype(str)
    else:
        gc = pd.DataFrame({"mu": 0.0, "value": 0.0}, index=glc.index)

    stats = SolverStats(
        algorithm=str(summary.get("algorithm", "")),
        crossover=False,
        solve_seconds=float(summary.get("solve_seconds", 0.0)),
        iterations=int(summary.get("iterations", 0)),
        objective=float(summary["objective"]),
        primal_infeasibility=float("nan"),
        dual_infeasibility=float("nan"),
        highs_version=str(summary.get("versions", {}).get("highs", "")),
        relative_gap=float(summary.get("relative_gap", 0.0)),
    )
    return OptimizationResult(
        network=n,
        status=SolveStatus.OPTIMAL,
        objective=float(summary["objective"]),
        prices=prices,
        global_constraints=gc,
        solver=stats,
        build_seconds=float(summary.get("build_seconds", 0.0)),
        n_variables=int(summary.get("n_variables", 0)),
        n_constraints=int(summary.get("n_constraints", 0)),
        _series=series,
        _capacity=capacity,
        _shadow={},
        periods=n.periods,
    )
