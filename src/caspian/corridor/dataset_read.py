"""Reading and checking the corridor dataset's CSV tables, cell by cell.

:func:`read_table` types one table by its :class:`~caspian.corridor.dataset_schema.TableSpec`
and appends one message per bad cell to ``problems``: each names the file, the row (its key and
line), the column and the value, and says how to fix it. Nothing here raises; the loader raises
once with every problem found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from caspian.corridor.dataset_schema import (
    ASSUMPTION,
    CONFIDENCE_LEVELS,
    PROVENANCE_SUFFIXES,
    Column,
    TableSpec,
)
from caspian.network.network import did_you_mean

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


Readable = Path | Traversable
"""A file or folder: a :class:`pathlib.Path` or an ``importlib.resources`` Traversable."""


class Cell:
    """Where a value sits, for messages: file, row key, line and column."""

    def __init__(self, where: str, key: str, line: int, column: str) -> None:
        self.where, self.key, self.line, self.column = where, key, line, column

    def problem(self, value: object, what: str, fix: str) -> str:
        """One problem line: file, row, column, value, what is wrong and how to fix it."""
        return (
            f"{self.where}: row '{self.key}' (line {self.line}), column '{self.column}': "
            f"{what} (value {value!r}). {fix}"
        )


def read_raw(folder: Readable, spec: TableSpec, where: str, problems: list[str]) -> pd.DataFrame:
    """The table as text, or an empty frame (and a problem) when the file cannot be read."""
    target = folder.joinpath(spec.file)
    if not target.is_file():
        problems.append(f"{where}: file not found. Every dataset folder needs {spec.file}.")
        return pd.DataFrame()
    try:
        with target.open("r", encoding="utf-8") as handle:
            raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as error:
        problems.append(f"{where}: cannot be read as UTF-8 CSV ({error}). Fix the file's syntax.")
        return pd.DataFrame()
    allowed = set(spec.column_names) | set(spec.override_columns())
    for column in raw.columns:
        if column not in allowed:
            problems.append(
                f"{where}: unknown column '{column}'.{did_you_mean(column, allowed)} "
                f"Columns are: {', '.join(spec.column_names)}, and per-quantity "
                f"<quantity>_{{{','.join(PROVENANCE_SUFFIXES)}}}."
            )
    missing = [c for c in spec.column_names if c not in raw.columns]
    for column in missing:
        problems.append(f"{where}: column '{column}' is missing. Add it (see dataset_schema.py).")
    if missing:
        return pd.DataFrame()
    return raw.apply(lambda col: col.str.strip())


def row_keys(raw: pd.DataFrame, spec: TableSpec, where: str, problems: list[str]) -> list[str]:
    """Each row's key as text (``"AZ/gas_ccgt"``); reports empty and duplicate keys."""
    keys = ["/".join(values) for values in raw[list(spec.key)].itertuples(index=False)]
    seen: dict[str, int] = {}
    for line, (key, values) in enumerate(
        zip(keys, raw[list(spec.key)].itertuples(index=False), strict=True), start=2
    ):
        if any(v == "" for v in values):
            problems.append(
                f"{where}: line {line} has an empty key ({', '.join(spec.key)}). Fill it in."
            )
        elif key in seen:
            problems.append(
                f"{where}: row '{key}' (line {line}) repeats line {seen[key]}. Keys "
                f"({', '.join(spec.key)}) must be unique: merge or rename the rows."
            )
        else:
            seen[key] = line
    return keys


def typed_column(
    raw: pd.Series,
    column: Column,
    keys: list[str],
    where: str,
    refs: Mapping[str, set[str]],
    problems: list[str],
) -> pd.Series:
    """Convert one column, reporting missing, malformed, out-of-range and unknown values."""
    out: list[object] = []
    for line, (key, text) in enumerate(zip(keys, raw, strict=True), start=2):
        cell = Cell(where, key, line, column.name)
        value = _convert(text, column, cell, refs, problems)
        out.append(value)
    if column.kind == "number" or (column.kind == "year" and not column.required):
        return pd.Series(out, index=raw.index, dtype="float64", name=column.name)
    if column.kind == "year":
        return pd.Series(out, index=raw.index, name=column.name).astype("int64", errors="ignore")
    if column.kind == "bool":
        return pd.Series(out, index=raw.index, dtype="bool", name=column.name)
    return pd.Series(out, index=raw.index, dtype="object", name=column.name)


def _convert(
    text: str, column: Column, cell: Cell, refs: Mapping[str, set[str]], problems: list[str]
) -> object:
    if text == "":
        if column.required:
            problems.append(cell.problem(text, "value missing", "Fill it in."))
        return (
            math.nan
            if column.kind in ("number", "year")
            else (False if column.kind == "bool" else "")
        )
    if column.kind == "bool":
        lowered = text.lower()
        if lowered not in _TRUE | _FALSE:
            problems.append(cell.problem(text, "not a boolean", "Write true or false."))
        return lowered in _TRUE
    if column.kind in ("number", "year"):
        return _number(text, column, cell, problems)
    if column.choices and text not in column.choices:
        problems.append(
            cell.problem(
                text,
                "not an allowed value",
                f"Use one of {', '.join(column.choices)}.{did_you_mean(text, column.choices)}",
            )
        )
    known_values = refs.get(column.references or "")
    if known_values is not None and text not in known_values:
        known = sorted(known_values)
        problems.append(
            cell.problem(
                text,
                f"unknown {str(column.references).replace('_', ' ')}",
                f"Use one of {', '.join(known)}.{did_you_mean(text, known)}",
            )
        )
    return text


def _number(text: str, column: Column, cell: Cell, problems: list[str]) -> float:
    try:
        value = float(text)
    except ValueError:
        problems.append(cell.problem(text, "not a number", "Write a plain number, e.g. 1250.5."))
        return math.nan
    if not np.isfinite(value):
        problems.append(cell.problem(text, "not finite", "Write a finite number or leave empty."))
        return math.nan
    if column.kind == "year" and not (1900 <= value <= 2100 and value.is_integer()):
        problems.append(cell.problem(text, "not a year", "Write a four-digit year, e.g. 2030."))
        return math.nan
    if column.minimum is not None and value < column.minimum:
        what = "negative" if column.minimum == 0 else f"below {column.minimum:g}"
        problems.append(
            cell.problem(text, f"{what} ({column.unit})", "Correct the value or remove the row.")
        )
    if column.maximum is not None and value > column.maximum:
        problems.append(
            cell.problem(text, f"above {column.maximum:g} ({column.unit})", "Correct the value.")
        )
    return value


def check_provenance(
    raw: pd.DataFrame,
    spec: TableSpec,
    keys: list[str],
    where: str,
    sources: set[str],
    problems: list[str],
) -> None:
    """Every row and per-quantity override names known sources and a confidence H/M/L.

    A value resting on ``assumption`` must say why in its note.
    """
    prefixes = [("", True)] + [(f"{q.name}_", False) for q in spec.quantities]
    for prefix, required in prefixes:
        for line, key in enumerate(keys, start=2):
            row = raw.iloc[line - 2]
            source = row.get(f"{prefix}source", "")
            confidence = row.get(f"{prefix}confidence", "")
            note = row.get(f"{prefix}note", "") or row.get("note", "")
            year = row.get(f"{prefix}year", "") if prefix else ""
            if year != "" and not (year.isdigit() and 1900 <= int(year) <= 2100):
                problems.append(
                    Cell(where, key, line, f"{prefix}year").problem(
                        year, "not a year", "Write a four-digit year, e.g. 2025."
                    )
                )
            if required or source != "":
                _check_source(
                    Cell(where, key, line, f"{prefix}source"), source, note, sources, problems
                )
            if (required or confidence != "") and confidence not in CONFIDENCE_LEVELS:
                problems.append(
                    Cell(where, key, line, f"{prefix}confidence").problem(
                        confidence, "confidence must be H, M or L", "Use H, M or L."
                    )
                )


def _check_source(
    cell: Cell, source: str, note: str, sources: set[str], problems: list[str]
) -> None:
    if source == "":
        problems.append(
            cell.problem(
                source,
                "source missing",
                "Name the source id(s) from sources.csv, or 'assumption' and say why in the note.",
            )
        )
    for token in filter(None, (t.strip() for t in source.split(","))):
        if token != ASSUMPTION and token not in sources:
            problems.append(
                cell.problem(
                    token,
                    "unknown source id",
                    "Add it to sources.csv with its citation, or fix the id."
                    + did_you_mean(token, sources),
                )
            )
    if ASSUMPTION in source and note == "":
        problems.append(cell.problem(source, "assumption without a note", "Say why in the note."))
