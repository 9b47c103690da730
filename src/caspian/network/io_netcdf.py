"""PyPSA's netCDF layout (``n.export_to_netcdf``), read and written with xarray alone.

Variables, as PyPSA 1.4 writes them:

* coordinate ``snapshots`` = 0..N-1 and ``snapshots_snapshot`` (the labels: datetime64,
  text or integers), ``snapshots_objective``, ``snapshots_stores``, ``snapshots_generators``;
* per component a coordinate ``<list>_i`` (names) and one variable ``<list>_<attr>`` over it;
* per time series a variable ``<list>_t_<attr>`` over (``snapshots``, ``<list>_t_<attr>_i``);
* global attributes ``network_name``, ``network_pypsa_version`` and ``meta`` (JSON).

Booleans are stored by netCDF4 as int8 flagged ``dtype: bool`` (xarray decodes them), text
as variable-length strings, NaN as NaN, datetimes as integers with CF ``units``. Multi-period
networks add ``investment_periods`` and ``snapshots_period``/``snapshots_timestep``;
stochastic ones add a ``scenario`` dimension; both are refused on import with one problem.
PyPSA 0.35 writes an ``investment_periods`` dimension of length 0 for every network: that is
a single-period network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from caspian.exceptions import ValidationError, shown
from caspian.network.io_pypsa import MULTI_PERIOD, PyPSATables, export_tables
from caspian.network.network import Network
from caspian.network.periods import file_meta
from caspian.network.pypsa_attrs import PYPSA_FORMAT_VERSION
from caspian.network.schema import LIST_NAMES, UNSUPPORTED_COMPONENTS
from caspian.network.tables import ReadResult, guarded
from caspian.network.unsupported import attached_buses, unsupported_problem

_COMPRESSION = {"zlib": True, "complevel": 4}


def write_netcdf(n: Network, path: Path) -> None:
    """Write ``n`` as a PyPSA netCDF file."""
    tables = export_tables(n)
    variables: dict[str, Any] = {}
    coords: dict[str, Any] = {"snapshots": np.arange(len(tables.snapshots), dtype=np.int64)}
    for column, values in tables.snapshots.items():
        variables[f"snapshots_{column}"] = ("snapshots", _array(values))
    for list_name, frame in tables.static.items():
        dim = f"{list_name}_i"
        coords[dim] = _array(pd.Series(frame.index, dtype=object))
        for column, values in frame.items():
            variables[f"{list_name}_{column}"] = (dim, _array(values))
        for attr, table in tables.series[list_name].items():
            name = f"{list_name}_t_{attr}"
            coords[f"{name}_i"] = _array(pd.Series(table.columns, dtype=object))
            variables[name] = (("snapshots", f"{name}_i"), table.to_numpy(dtype=float))
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs["network_name"] = n.name
    ds.attrs["network_pypsa_version"] = PYPSA_FORMAT_VERSION
    ds.attrs["meta"] = guarded("n.meta", lambda: json.dumps(file_meta(n)), what="written as JSON")
    encoding = {v: dict(_COMPRESSION) for v in ds.data_vars if ds[v].dtype.kind not in "OU"}
    guarded(path.name, lambda: ds.to_netcdf(path, engine="netcdf4", encoding=encoding), "written")


def _array(values: pd.Series) -> np.ndarray:
    """A column as netCDF can store it: numbers and bools as they are, anything else as text."""
    if values.dtype.kind in "fiubM":
        return values.to_numpy()
    return np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)


def read_netcdf(path: Path) -> ReadResult:
    """Read a netCDF file written by PyPSA's ``n.export_to_netcdf`` (or by caspian-grid).

    Raises
    ------
    ValidationError
        for a stochastic or multi-period network, with that one problem: every table of
        such a file has an extra dimension, so nothing else in it can be read.
    """
    display = path.name

    def load() -> xr.Dataset:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()

    ds: xr.Dataset = guarded(display, load)
    whole = _whole_network_problems(ds, display)
    if whole:
        raise ValidationError(whole, source=str(path))
    tables = PyPSATables(fill_numbers=False)  # a NaN number is named, not read as a default
    tables.name = str(ds.attrs.get("network_name", ""))
    _meta(ds, display, tables)
    _snapshots(ds, display, tables)
    for list_name, cname in LIST_NAMES.items():
        tables.files[cname] = display
        if f"{list_name}_i" in ds.coords:
            tables.static[list_name] = _static(ds, list_name, display, tables.problems)
        for var in ds.data_vars:
            name = str(var)
            if name.startswith(f"{list_name}_pw_"):
                tables.problems.append(
                    f"{display}: {name} gives piecewise-linear costs, which caspian-grid "
                    "does not model; use a single marginal or capital cost."
                )
            elif name.startswith(f"{list_name}_t_"):
                attr = name[len(list_name) + 3 :]
                tables.files[f"{cname}.{attr}"] = f"{display} ({name})"
                table = _series(ds[name], f"{name}_i")
                if table is None:
                    tables.problems.append(
                        f"{display}: {name} has dimensions {ds[name].dims}; PyPSA writes "
                        f"('snapshots', '{name}_i')."
                    )
                else:
                    tables.series.setdefault(list_name, {})[attr] = table
    for cname, list_name in UNSUPPORTED_COMPONENTS.items():
        if ds.sizes.get(f"{list_name}_i", 0):
            frame = _static(ds, list_name, display, [])
            buses = tables.static.get("buses")
            tables.problems.append(unsupported_problem(display, cname, frame, buses))
            tables.attached |= attached_buses(cname, frame)
    return tables.result()


def _whole_network_problems(ds: xr.Dataset, display: str) -> list[str]:
    """Stochastic scenarios and investment periods; an empty ``investment_periods``
    dimension (PyPSA 0.35 writes one for every network) is a single period."""
    problems = []
    if "scenario" in ds.dims or "scenario_weight" in ds:
        scenarios = [str(_text(v)) for v in ds["scenario"].to_numpy()] if "scenario" in ds else []
        listed = ", ".join(shown(x) for x in scenarios[:5]) + (" ..." if len(scenarios) > 5 else "")
        names = f" ({listed})" if scenarios else ""
        problems.append(
            f"{display}: the network has stochastic scenarios{names}, which caspian-grid does "
            "not model; solve one scenario at a time (PyPSA's n.get_scenario(name) extracts "
            "one)."
        )
    if ds.sizes.get("investment_periods", 0) or "snapshots_period" in ds:
        problems.append(f"{display}: the network has {MULTI_PERIOD}.")
    return problems


def _meta(ds: xr.Dataset, display: str, tables: PyPSATables) -> None:
    try:
        meta = json.loads(ds.attrs.get("meta", "{}"))
    except (TypeError, ValueError):
        meta = None
    if isinstance(meta, dict):
        tables.meta = meta
    else:
        tables.problems.append(f"{display}: the 'meta' attribute must be a JSON object.")


def _snapshots(ds: xr.Dataset, display: str, tables: PyPSATables) -> None:
    if "snapshots" not in ds.dims:
        return
    tables.files["snapshots"] = display
    if "snapshots_snapshot" in ds and ds["snapshots_snapshot"].dims == ("snapshots",):
        values = ds["snapshots_snapshot"].to_numpy()
    else:
        values = ds["snapshots"].to_numpy()
    if values.dtype.kind in "OSU":
        values = np.array([_text(v) for v in values], dtype=object)
    tables.labels = pd.Index(values, name="snapshot")
    weightings = {
        str(v)[len("snapshots_") :]: ds[v].to_numpy()
        for v in ds.data_vars
        if str(v).startswith("snapshots_") and ds[v].dims == ("snapshots",)
    }
    tables.weightings = pd.DataFrame(weightings)


def _static(ds: xr.Dataset, list_name: str, display: str, problems: list[str]) -> pd.DataFrame:
    dim = f"{list_name}_i"
    names = [_text(v) for v in ds[dim].to_numpy()]
    columns: dict[str, np.ndarray] = {}
    prefix = f"{list_name}_"
    for var in ds.data_vars:
        name = str(var)
        if not name.startswith(prefix) or name.startswith((f"{prefix}t_", f"{prefix}pw_")):
            continue
        if ds[name].dims != (dim,):
            problems.append(
                f"{display}: {name} has dimensions {ds[name].dims}; PyPSA writes ('{dim}',)."
            )
            continue
        values = ds[name].to_numpy()
        if values.dtype.kind in "SU":
            values = np.array([_text(v) for v in values], dtype=object)
        columns[name[len(prefix) :]] = values
    return pd.DataFrame(columns, index=pd.Index(names, dtype=object, name="name"))


def _series(data: xr.DataArray, column_dim: str) -> pd.DataFrame | None:
    if data.ndim != 2 or set(data.dims) != {"snapshots", column_dim}:
        return None
    data = data.transpose("snapshots", column_dim)
    columns = [_text(v) for v in data[column_dim].to_numpy()]
    values = data.to_numpy()
    if values.dtype.kind in "SU":
        values = values.astype(object)
    return pd.DataFrame(values, columns=pd.Index(columns, dtype=object))


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)
