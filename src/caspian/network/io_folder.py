"""caspian-grid's own folder format: a TOML header and one table per component and series.

Layout of a network folder (``table_format`` ``csv`` or ``parquet``; ``csv`` shown)::

    network.toml               format, version, name, table_format, snapshot_type,
                               components, [custom_attributes], [meta]
    snapshots.csv              columns snapshot, objective, stores, generators (hours)
    generators.csv             one row per generator: name, then one column per attribute
    generators-p_max_pu.csv    one row per snapshot (column snapshot), one column per generator

Tables are named by PyPSA list name. Datetime snapshots are written as ISO 8601 text in CSV
(with their UTC offset when time-zone aware) and as timestamps in parquet; ``snapshot_type``
(``datetime``, ``int``, ``float`` or ``str``) in ``network.toml`` says how to read them back,
and ``snapshot_timezone`` names the time zone, if any.

The format is strict: a column that is neither a schema attribute, a refused or passthrough
PyPSA attribute, nor declared under ``[custom_attributes]`` (list name to column names) is an
error with a "did you mean", so that a misspelt attribute never silently falls back to its
default. Writing declares every custom column, so files written by caspian-grid read back.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from caspian.exceptions import InputError, shown
from caspian.network.network import Network, did_you_mean
from caspian.network.periods import file_meta
from caspian.network.pypsa_attrs import EXTRA_SERIES
from caspian.network.schema import (
    COMPONENTS,
    LIST_NAMES,
    SNAPSHOT_WEIGHTINGS,
    UNSUPPORTED_COMPONENTS,
    ComponentSchema,
)
from caspian.network.tables import (
    ReadResult,
    guarded,
    label_text,
    parse_labels,
    read_csv,
    snapshot_kind,
    typed_column,
    typed_series,
    typed_static,
)
from caspian.network.unsupported import TRANSFORMER_AS_LINE

FORMAT_NAME = "caspian-grid"
FORMAT_VERSION = 1
HEADER = "network.toml"
TABLE_FORMATS = ("csv", "parquet")
SNAPSHOT_KINDS = ("datetime", "int", "float", "str")
HEADER_KEYS = (
    "format",
    "version",
    "name",
    "table_format",
    "snapshot_type",
    "snapshot_timezone",
    "components",
    "custom_attributes",
    "meta",
    "meta_json",
)
"""The keys ``network.toml`` may hold."""


def known_attributes(schema: ComponentSchema) -> set[str]:
    """Columns a static table of ``schema`` may have without being declared custom."""
    return {*schema.attribute_names, *schema.refused, *schema.passthrough}


# ---------------------------------------------------------------------------------- writing
def write_folder(n: Network, folder: Path, table_format: str) -> None:
    """Write ``n`` into the new folder ``folder`` (which must not exist)."""
    if table_format not in TABLE_FORMATS:
        raise InputError(
            f"unknown table_format {shown(table_format)}.",
            hint="Use 'csv' or 'parquet'." + did_you_mean(table_format, TABLE_FORMATS),
        )
    kind = snapshot_kind(n.snapshots)
    folder.mkdir()
    labels = label_text(n.snapshots) if table_format == "csv" else n.snapshots
    weightings = n.snapshot_weightings.reindex(columns=list(SNAPSHOT_WEIGHTINGS))
    snapshots = pd.DataFrame(
        {"snapshot": labels, **{c: weightings[c].to_numpy() for c in weightings}}
    )
    _write_table(snapshots, folder / f"snapshots.{table_format}")
    components: list[str] = []
    custom: dict[str, list[str]] = {}
    for cname, frame in n.static.items():
        schema = COMPONENTS[cname]
        series = {a: t for a, t in n.dynamic[cname].items() if t.shape[1]}
        if not len(frame) and not series:
            continue
        components.append(schema.list_name)
        known = known_attributes(schema)
        extra = [str(c) for c in frame.columns if c not in known]
        extra += [a for a in series if a not in known | EXTRA_SERIES[cname] and a not in extra]
        if extra:
            custom[schema.list_name] = extra
        _write_table(
            frame.rename_axis("name").reset_index(), folder / _name(schema, None, table_format)
        )
        for attr, table in series.items():
            out = table.set_axis(labels, axis=0) if len(table) == len(labels) else table
            out = out.rename_axis("snapshot").reset_index()
            _write_table(out, folder / _name(schema, attr, table_format))
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": str(n.name),
        "table_format": table_format,
        "snapshot_type": kind,
    }
    if isinstance(n.snapshots, pd.DatetimeIndex) and n.snapshots.tz is not None:
        header["snapshot_timezone"] = str(n.snapshots.tz)
    header["components"] = components
    header["custom_attributes"] = custom
    (folder / HEADER).write_text(_toml(header, file_meta(n)), encoding="utf-8")


def _name(schema: ComponentSchema, attr: str | None, table_format: str) -> str:
    stem = schema.list_name if attr is None else f"{schema.list_name}-{attr}"
    return f"{stem}.{table_format}"


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    frame.columns = [str(c) for c in frame.columns]
    if path.suffix == ".csv":
        guarded(path.name, lambda: frame.to_csv(path, index=False), what="written")
    else:
        guarded(path.name, lambda: frame.to_parquet(path, index=False), what="written")


def _toml(header: dict[str, Any], meta: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps({**header, "meta": meta})
    except (TypeError, ValueError):
        pass
    try:
        return tomli_w.dumps({**header, "meta_json": json.dumps(meta)})
    except (TypeError, ValueError) as err:
        raise InputError(
            f"n.meta cannot be written: {err}.",
            hint="Keep n.meta to strings, numbers, booleans, lists and dicts.",
        ) from err


# ---------------------------------------------------------------------------------- reading
@dataclass
class _Reader:
    """State of one folder read: the header, the tables found and the problems so far."""

    folder: Path
    ext: str = "csv"
    problems: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    raw_labels: pd.Index | None = None
    snapshot_type: str = "str"
    timezone: str | None = None

    def table(self, name: str, text: bool) -> pd.DataFrame:
        """The table in file ``name``, indexed by its first column; ``text`` as in read_csv."""
        path = self.folder / name
        if self.ext == "csv":
            return read_csv(path, name, text=text)

        def read() -> pd.DataFrame:
            frame = pd.read_parquet(path)
            if not len(frame.columns):
                raise ValueError("no columns")
            frame = frame.set_index(frame.columns[0])
            frame.columns = pd.Index([str(c) for c in frame.columns], dtype=object)
            return frame

        frame: pd.DataFrame = guarded(name, read)
        return frame


def read_folder(folder: Path) -> ReadResult:
    """Read a caspian-grid network folder.

    Returns
    -------
    The network, the file each table came from (for messages) and the problems found while
    reading (unknown columns and files, unparsable labels); validation adds the rest.
    """
    header = _header(folder)
    reader = _Reader(folder, ext=header["table_format"])
    reader.snapshot_type, reader.timezone = header["snapshot_type"], header["snapshot_timezone"]
    problems = reader.problems
    problems.extend(header["problems"])
    snapshots, weightings = _snapshots(reader, header)
    n = Network(header["name"], snapshots)
    n.meta = header["meta"]
    if weightings is not None:
        n.snapshot_weightings = weightings.set_axis(n.snapshots)
    listed: list[str] = header["components"]
    custom: dict[str, list[str]] = header["custom_attributes"]
    for list_name in listed:
        schema = COMPONENTS[LIST_NAMES[list_name]]
        name = _name(schema, None, reader.ext)
        if not (folder / name).is_file():
            problems.append(
                f"{name}: missing; network.toml lists '{list_name}' under components. "
                "Add the file or remove the entry."
            )
            continue
        reader.files[schema.name] = name
        frame = reader.table(name, text=True)
        if frame.index.name != "name":
            problems.append(
                f"{name}: the first column is {shown(str(frame.index.name))}; it must be 'name' "
                "(the component names)."
            )
        allowed = known_attributes(schema) | set(custom.get(list_name, []))
        unknown = [c for c in frame.columns if c not in allowed]
        for column in unknown:
            problems.append(
                f"{name}: unknown column {shown(str(column))} in {schema.name}."
                + did_you_mean(column, known_attributes(schema))
                + " Rename it, remove it, or declare it as a custom column under "
                f"[custom_attributes] {list_name} in network.toml."
            )
        n.static[schema.name] = typed_static(frame.drop(columns=unknown), schema)
    _series(reader, n, listed, custom, snapshots_read=weightings is not None)
    return ReadResult(n, reader.files, problems)


def _header(folder: Path) -> dict[str, Any]:
    """The parsed and checked ``network.toml``; fatal problems raise InputError."""
    path = folder / HEADER
    doc = guarded(HEADER, lambda: tomllib.loads(path.read_text(encoding="utf-8")))
    if doc.get("format") != FORMAT_NAME:
        raise InputError(
            f"format = {shown(doc.get('format'))} is not a caspian-grid network.",
            file=HEADER,
            hint=f'The first line of network.toml must be: format = "{FORMAT_NAME}".',
        )
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise InputError(
            f"version = {shown(version)} is not a format version this caspian-grid reads "
            f"(1 to {FORMAT_VERSION}).",
            file=HEADER,
            hint="Upgrade caspian-grid, or write the network again with this version.",
        )
    table_format = doc.get("table_format", "csv")
    if table_format not in TABLE_FORMATS:
        raise InputError(
            f"table_format = {shown(table_format)} is not supported.",
            file=HEADER,
            hint="Use 'csv' or 'parquet'." + did_you_mean(str(table_format), TABLE_FORMATS),
        )
    problems = [
        f"{HEADER}: unknown key '{key}'." + did_you_mean(key, HEADER_KEYS) + " Remove it."
        for key in doc
        if key not in HEADER_KEYS
    ]
    out: dict[str, Any] = {"table_format": table_format, "problems": problems}
    out["name"] = str(doc.get("name", ""))
    kind = doc.get("snapshot_type", "str")
    if kind not in SNAPSHOT_KINDS:
        problems.append(
            f"{HEADER}: snapshot_type = {shown(kind)} is not one of {', '.join(SNAPSHOT_KINDS)}."
            + did_you_mean(str(kind), SNAPSHOT_KINDS)
        )
        kind = "str"
    out["snapshot_type"] = kind
    timezone = doc.get("snapshot_timezone")
    out["snapshot_timezone"] = timezone if isinstance(timezone, str) else None
    out["components"] = _component_list(doc.get("components", []), problems)
    out["custom_attributes"] = _custom(doc.get("custom_attributes", {}), problems)
    out["meta"] = _meta(doc, problems)
    return out


def _component_list(value: Any, problems: list[str]) -> list[str]:
    if not isinstance(value, list):
        problems.append(f"{HEADER}: components must be a list of table names, got {shown(value)}.")
        return []
    names: list[str] = []
    unsupported = {v: k for k, v in UNSUPPORTED_COMPONENTS.items()}
    for item in value:
        if item in LIST_NAMES and item not in names:
            names.append(item)
        elif item in unsupported:
            fix = TRANSFORMER_AS_LINE if item == "transformers" else "remove them"
            problems.append(
                f"{HEADER}: components lists '{item}', but caspian-grid does not model "
                f"{unsupported[item]} components; {fix}."
            )
        elif item not in names:
            problems.append(
                f"{HEADER}: components lists {shown(item)}, which is not a component."
                + did_you_mean(str(item), LIST_NAMES)
            )
    return names


def _custom(value: Any, problems: list[str]) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
    ):
        problems.append(
            f"{HEADER}: custom_attributes must map table names to lists of column names, "
            f"got {shown(value)}."
        )
        return {}
    return {str(k): list(v) for k, v in value.items()}


def _meta(doc: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    if "meta_json" in doc:
        try:
            meta = json.loads(doc["meta_json"])
        except (TypeError, ValueError) as err:
            problems.append(f"{HEADER}: meta_json is not valid JSON ({err}).")
            return {}
    else:
        meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        problems.append(f"{HEADER}: meta must be a table, got {shown(meta)}.")
        return {}
    return meta


def _snapshots(
    reader: _Reader, header: dict[str, Any]
) -> tuple[pd.Index | None, pd.DataFrame | None]:
    """Snapshot labels and weightings; (None, None) if the table is missing."""
    name = f"snapshots.{reader.ext}"
    if not (reader.folder / name).is_file():
        reader.problems.append(f"{name}: missing; every network folder needs its snapshots.")
        return None, None
    reader.files["snapshots"] = name
    frame = reader.table(name, text=True)
    if frame.index.name != "snapshot":
        reader.problems.append(
            f"{name}: the first column is {shown(str(frame.index.name))}; it must be 'snapshot'."
        )
    for column in frame.columns:
        if column not in SNAPSHOT_WEIGHTINGS:
            reader.problems.append(
                f"{name}: unknown column {shown(str(column))}."
                + did_you_mean(column, SNAPSHOT_WEIGHTINGS)
                + f" The columns are snapshot, {', '.join(SNAPSHOT_WEIGHTINGS)}."
            )
    weightings = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column in SNAPSHOT_WEIGHTINGS:
        if column in frame:
            weightings[column] = typed_column(pd.Series(frame[column].to_numpy()), "float")
        else:
            reader.problems.append(
                f"{name}: missing column '{column}' (hours each snapshot counts for); add it."
            )
            weightings[column] = 1.0
    reader.raw_labels = pd.Index(frame.index).astype(str)
    kind, timezone = header["snapshot_type"], header["snapshot_timezone"]
    try:
        labels = parse_labels(frame.index, kind, timezone)
    except (ValueError, TypeError, KeyError, OverflowError) as err:
        reader.problems.append(
            f"{name}: the snapshot labels are not of snapshot_type = '{kind}' as network.toml "
            f"says ({err}); fix the labels or the snapshot_type."
        )
        labels = parse_labels(frame.index, "str", None)
    return labels, weightings


def _series(
    reader: _Reader,
    n: Network,
    listed: list[str],
    custom: dict[str, list[str]],
    snapshots_read: bool,
) -> None:
    """Read every ``<list>-<attr>`` table, reporting unexpected files."""
    expected = [f"snapshots.{reader.ext}"]
    expected += [_name(COMPONENTS[LIST_NAMES[x]], None, reader.ext) for x in listed]
    for path in sorted(reader.folder.glob(f"*.{reader.ext}")):
        if path.name in expected:
            continue
        stem = path.name[: -len(reader.ext) - 1]
        list_name, _, attr = stem.partition("-")
        if list_name not in LIST_NAMES:
            reader.problems.append(
                f"{path.name}: unexpected file."
                + did_you_mean(path.name, expected)
                + " Remove it, or list its component under components in network.toml."
            )
            continue
        schema = COMPONENTS[LIST_NAMES[list_name]]
        if list_name not in listed:
            reader.problems.append(
                f"{path.name}: network.toml does not list '{list_name}' under components; "
                "add it or remove the file."
            )
            continue
        allowed = known_attributes(schema) | EXTRA_SERIES[schema.name]
        if attr not in allowed | set(custom.get(list_name, [])):
            reader.problems.append(
                f"{path.name}: unknown time-varying attribute {shown(attr)} of {schema.name}."
                + did_you_mean(attr, [*schema.varying_names, *EXTRA_SERIES[schema.name]])
                + " Rename the file, or declare the attribute under [custom_attributes] "
                f"{list_name} in network.toml."
            )
            continue
        if not snapshots_read:
            continue
        reader.files[f"{schema.name}.{attr}"] = path.name
        table = typed_series(reader.table(path.name, text=False))
        table.columns = pd.Index([str(c) for c in table.columns], dtype=object, name="name")
        if reader.raw_labels is not None and table.index.astype(str).equals(reader.raw_labels):
            table = table.set_axis(n.snapshots, axis=0)
        else:  # typed like the snapshots where possible, for validation to compare them
            try:
                labels = parse_labels(table.index, reader.snapshot_type, reader.timezone)
                table = table.set_axis(labels, axis=0)
            except (ValueError, TypeError, KeyError, OverflowError):
                pass
        n.dynamic[schema.name][attr] = table
