"""PyPSA's file formats, shared conversion and the CSV folder layout (netCDF: io_netcdf).

PyPSA 1.4 is reproduced without importing it (see ``pypsa/network/io.py``):

* Static tables are one row per component (index ``name``); PyPSA writes only the columns
  that differ from its defaults, and fills missing columns and NaN cells with its defaults on
  import. caspian-grid fills missing columns, and blank cells of a CSV file (which is how
  PyPSA writes a NaN); a NaN number in a netCDF file, which PyPSA writes only where NaN is the
  value, is kept for validation to name unless the attribute gives NaN a meaning (a ramp
  limit). A NaN in a time series is always named (PyPSA keeps it there too).
* Time series are stored by *position*: rows are numbered 0..N-1 (CSV: an unnamed first
  column; netCDF: the ``snapshots`` coordinate), and the labels live in the snapshot table
  (``snapshots.csv`` column ``snapshot``; netCDF variable ``snapshots_snapshot``) together with
  the weightings ``objective``, ``stores`` and ``generators``.
* Network attributes are ``network.csv`` (``name``, ``pypsa_version``) and ``meta.json``.

On import, PyPSA result columns (``p_nom_opt``, ``mu_*``, ``p``, ``marginal_price`` ...) are
dropped, refused attributes are kept for validation to refuse when set, and passthrough and
custom columns are kept (custom ones with a notice, see :mod:`caspian.network.custom`).
Investment periods and scenarios are refused with that one problem, and nothing else is read;
an empty ``investment_periods`` table (PyPSA 0.35 writes one for every network) is a single
period. Piecewise costs and components caspian-grid does not model (transformers, ...) are
reported as problems (see :mod:`caspian.network.unsupported`).

On export every caspian-grid attribute is written (so nothing depends on PyPSA's defaults),
except refused attributes at their default (PyPSA would read ``bus2 = ""`` as a third port)
and caspian-only attributes no component sets. caspian-grid's Link column ``bidirectional``
is written as a custom column when a link sets it: PyPSA keeps the column, but **PyPSA itself
treats such a link as an ordinary PyPSA link**: flow between ``p_min_pu`` and ``p_max_pu``
of ``p_nom`` with ``p1 = -efficiency * p0`` in both directions (so reverse flow is not lossy
the caspian-grid way), and no shared capacity between the two directions.

PyPSA's CRS and ``srid`` network attributes are not kept (PyPSA defaults to EPSG:4326 on
import), and time-zone-aware snapshots cannot be written (PyPSA refuses them).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from caspian.exceptions import InputError, ValidationError
from caspian.network.network import Network
from caspian.network.periods import file_meta
from caspian.network.pypsa_attrs import (
    CASPIAN_ONLY,
    PYPSA_FORMAT_VERSION,
    is_result,
)
from caspian.network.schema import (
    COMPONENTS,
    LIST_NAMES,
    SNAPSHOT_WEIGHTINGS,
    UNSUPPORTED_COMPONENTS,
    ComponentSchema,
)
from caspian.network.tables import (
    ReadResult,
    fill_missing,
    guarded,
    guess_labels,
    read_csv,
    snapshot_kind,
    typed_column,
    typed_series,
    typed_static,
)
from caspian.network.unsupported import attached_buses, unsupported_problem

MULTI_PERIOD = (
    "investment periods (a multi-period network), which caspian-grid does not model; "
    "optimise one period at a time"
)
"""Investment periods and stochastic scenarios change the meaning of every table, so a
network with either is refused with that one problem and not read further."""


@dataclass
class PyPSATables:
    """A PyPSA network as a PyPSA file holds it, before typing by the schema."""

    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    labels: pd.Index | None = None
    weightings: pd.DataFrame | None = None
    static: dict[str, pd.DataFrame] = field(default_factory=dict)
    series: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    attached: set[str] = field(default_factory=set)
    fill_numbers: bool = True
    """Fill missing numbers of static tables with defaults (CSV blanks); False for netCDF."""

    def result(self) -> ReadResult:
        """The network typed by the schema, with the files, problems and attached buses."""
        return ReadResult(to_network(self), self.files, self.problems, self.attached)


def to_network(tables: PyPSATables) -> Network:
    """Type PyPSA tables by the schema, dropping results, filling defaults as PyPSA does."""
    n = Network(tables.name, tables.labels)
    n.meta = tables.meta
    if tables.weightings is not None:
        weightings = tables.weightings
        if "weightings" in weightings and not set(SNAPSHOT_WEIGHTINGS) & set(weightings):
            weightings = pd.DataFrame({c: weightings["weightings"] for c in SNAPSHOT_WEIGHTINGS})
        n.snapshot_weightings = pd.DataFrame(
            {
                c: typed_column(pd.Series(weightings[c].to_numpy()), "float").to_numpy()
                if c in weightings
                else 1.0
                for c in SNAPSHOT_WEIGHTINGS
            },
            index=n.snapshots,
        )
    for list_name, frame in tables.static.items():
        schema = COMPONENTS[LIST_NAMES[list_name]]
        keep = [c for c in frame.columns if not _dropped(schema, str(c))]
        filled = fill_missing(frame[keep], schema, numbers=tables.fill_numbers)
        n.static[schema.name] = typed_static(filled, schema)
    for list_name, tables_t in tables.series.items():
        schema = COMPONENTS[LIST_NAMES[list_name]]
        for attr, table in tables_t.items():
            if _dropped(schema, attr):
                continue
            typed = typed_series(table)
            typed.columns = pd.Index([str(c) for c in typed.columns], dtype=object, name="name")
            if len(typed) == len(n.snapshots):
                typed = typed.set_axis(n.snapshots, axis=0)
            n.dynamic[schema.name][attr] = typed
    return n


def _dropped(schema: ComponentSchema, attr: str) -> bool:
    known = attr in schema.attribute_names or attr in schema.passthrough
    return is_result(schema.name, attr) and not known


@dataclass
class ExportTables:
    """What a PyPSA file of ``n`` holds: snapshot table, static and series tables."""

    snapshots: pd.DataFrame
    static: dict[str, pd.DataFrame]
    series: dict[str, dict[str, pd.DataFrame]]


def export_tables(n: Network) -> ExportTables:
    """The tables PyPSA expects, from ``n`` (refused attributes at their default left out)."""
    snapshot_kind(n.snapshots)
    if isinstance(n.snapshots, pd.DatetimeIndex) and n.snapshots.tz is not None:
        raise InputError(
            f"time-zone-aware snapshots ({n.snapshots.tz}) cannot be written in a PyPSA "
            "format; PyPSA only accepts time-zone-naive snapshots.",
            component="snapshots",
            hint="Convert them first, e.g. n.set_snapshots(n.snapshots.tz_convert(None)).",
        )
    weightings = n.snapshot_weightings.reindex(columns=list(SNAPSHOT_WEIGHTINGS), fill_value=1.0)
    snapshots = pd.DataFrame(
        {"snapshot": n.snapshots, **{c: weightings[c].to_numpy(dtype=float) for c in weightings}}
    )
    static: dict[str, pd.DataFrame] = {}
    series: dict[str, dict[str, pd.DataFrame]] = {}
    for cname, frame in n.components():
        schema = COMPONENTS[cname]
        columns = [c for c in frame.columns if not _left_out(schema, str(c), frame[c])]
        out = frame[columns].copy()
        for column in out.columns:
            if out[column].dtype.kind == "O":
                out[column] = out[column].map(_text_cell).astype(object)
        static[schema.list_name] = out.rename_axis("name")
        series[schema.list_name] = {
            attr: table.rename_axis(columns="name")
            for attr, table in n.dynamic[cname].items()
            if table.shape[1]
        }
    return ExportTables(snapshots, static, series)


def _text_cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, (str, bool, int, float)) else str(value)


def _left_out(schema: ComponentSchema, column: str, values: pd.Series) -> bool:
    """True for refused and caspian-only attributes at their default everywhere."""
    if column in schema.refused:
        default = schema.refused[column]
    elif column in CASPIAN_ONLY.get(schema.name, ()):
        default = schema.attribute(column).default
    else:
        return False
    if isinstance(default, float) and math.isnan(default):
        return bool(values.isna().all())
    return bool((values == default).all())


# ---------------------------------------------------------------------------------- CSV
def write_csv_folder(n: Network, folder: Path) -> None:
    """Write ``n`` as a PyPSA CSV folder (``n.export_to_csv_folder`` layout)."""
    tables = export_tables(n)
    folder.mkdir()
    network = pd.DataFrame(
        {"pypsa_version": [PYPSA_FORMAT_VERSION]}, index=pd.Index([n.name], name="name")
    )
    _to_csv(network, folder / "network.csv")
    meta = guarded("meta.json", lambda: json.dumps(file_meta(n)), what="written as JSON")
    (folder / "meta.json").write_text(meta, encoding="utf-8")
    _to_csv(tables.snapshots, folder / "snapshots.csv")
    for list_name, frame in tables.static.items():
        _to_csv(frame, folder / f"{list_name}.csv")
        for attr, table in tables.series[list_name].items():
            _to_csv(table.reset_index(drop=True), folder / f"{list_name}-{attr}.csv")


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    guarded(path.name, lambda: frame.to_csv(path), what="written")


def read_csv_folder(folder: Path) -> ReadResult:
    """Read a folder written by PyPSA's ``n.export_to_csv_folder``.

    Raises
    ------
    ValidationError
        for a multi-period network (non-empty ``investment_periods.csv``, or snapshots with
        periods), with that one problem: nothing else in it can be read as single-period.
    """
    _refuse_periods(folder)
    tables = PyPSATables()
    if (folder / "network.csv").is_file():
        network = read_csv(folder / "network.csv", "network.csv", text=True)
        tables.name = str(network.index[0]) if len(network) else ""
    if (folder / "meta.json").is_file():
        meta = guarded("meta.json", lambda: json.loads((folder / "meta.json").read_bytes()))
        if isinstance(meta, dict):
            tables.meta = meta
        else:
            tables.problems.append("meta.json: must hold a JSON object (n.meta).")
    if (folder / "snapshots.csv").is_file():
        frame = read_csv(folder / "snapshots.csv", "snapshots.csv", text=True)
        tables.files["snapshots"] = "snapshots.csv"
        raw = frame["snapshot"] if "snapshot" in frame else pd.Series(frame.index)
        tables.labels = guess_labels(raw)
        tables.weightings = frame.reset_index(drop=True)
    for list_name, cname in LIST_NAMES.items():
        if (folder / f"{list_name}.csv").is_file():
            tables.files[cname] = f"{list_name}.csv"
            tables.static[list_name] = read_csv(
                folder / f"{list_name}.csv", f"{list_name}.csv", True
            )
        pattern = re.compile(rf"^{list_name}-(.+)\.csv$")
        for path in sorted(folder.glob(f"{list_name}-*.csv")):
            if not (match := pattern.match(path.name)):
                continue
            attr = match.group(1)
            if attr.endswith("-pw"):
                tables.problems.append(
                    f"{path.name}: piecewise-linear costs ({attr[:-3]}), which caspian-grid "
                    "does not model; use a single marginal or capital cost."
                )
                continue
            tables.files[f"{cname}.{attr}"] = path.name
            table = read_csv(path, path.name, text=False)
            tables.series.setdefault(list_name, {})[attr] = table.reset_index(drop=True)
    for cname, list_name in UNSUPPORTED_COMPONENTS.items():
        path = folder / f"{list_name}.csv"
        if path.is_file() and len(frame := read_csv(path, path.name, text=True)):
            buses = tables.static.get("buses")
            tables.problems.append(unsupported_problem(path.name, cname, frame, buses))
            tables.attached |= attached_buses(cname, frame)
    return tables.result()


def _refuse_periods(folder: Path) -> None:
    """Raise the one problem of a multi-period CSV folder; PyPSA 0.35 writes an empty
    ``investment_periods.csv`` (header only) for single-period networks."""
    source: str | None = None
    if (folder / "snapshots.csv").is_file():
        header = read_csv(folder / "snapshots.csv", "snapshots.csv", text=True)
        if {"period", "timestep"} & {header.index.name, *header.columns}:
            source = "snapshots.csv"
    path = folder / "investment_periods.csv"
    if path.is_file() and len(read_csv(path, path.name, text=True)):
        source = path.name
    if source is not None:
        raise ValidationError([f"{source}: the network has {MULTI_PERIOD}."], source=str(folder))
