"""Typing of tables read from files, shared by the readers and by validation.

Files hold text (CSV) or loosely typed arrays (netCDF, parquet). The readers type each column
by the schema where every value converts, and otherwise keep the raw values, so that
:mod:`caspian.network.validate` can name the exact cell that is wrong instead of the reader
failing on the first one.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.network.pypsa_attrs import STRING_ATTRIBUTES
from caspian.network.schema import ComponentSchema, DType

FILE_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OSError,
    RuntimeError,
    pa.ArrowException,
)
"""What pandas, pyarrow, xarray and netCDF4 raise on a malformed file."""


@dataclass
class ReadResult:
    """What a reader hands to validation.

    ``files`` maps a component (``"Generator"``), a series (``"Generator.p_max_pu"``) or
    ``"snapshots"`` to the file it came from; ``problems`` are those found while reading;
    ``attached`` are the buses of components the reader refused (transformers), which are
    therefore not stranded.
    """

    network: Network
    files: dict[str, str]
    problems: list[str]
    attached: set[str] = field(default_factory=set)


_TRUE = frozenset({"true", "1", "1.0"})
_FALSE = frozenset({"false", "0", "0.0"})
_MISSING = frozenset({"", "nan", "na", "n/a", "null", "none"})


def numeric(values: pd.Series | pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats, and a mask of the values that are not numbers (NaN there).

    Blank cells and the usual spellings of a missing value (``"nan"``, ``"NA"``...) are NaN,
    not bad values; booleans are bad.
    """
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    if all(dtype.kind in "fiu" for dtype in frame.dtypes):
        array = frame.to_numpy(dtype=float)
        mask = np.zeros(array.shape, dtype=bool)
    else:
        columns, bad = zip(*(_numeric_column(column) for _, column in frame.items()), strict=True)
        array = np.column_stack(columns) if columns else np.empty((len(frame), 0))
        mask = np.column_stack(bad) if bad else np.empty((len(frame), 0), dtype=bool)
    if isinstance(values, pd.Series):
        return array[:, 0], mask[:, 0]
    return array, mask


def _numeric_column(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if column.dtype.kind in "fiu":
        array = column.to_numpy(dtype=float)
        return array, np.zeros(len(array), dtype=bool)
    raw = column.astype(object)
    is_bool = raw.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    blank = raw.map(lambda v: isinstance(v, str) and v.strip().lower() in _MISSING)
    blank_array = blank.to_numpy(dtype=bool)
    number = pd.to_numeric(raw.where(~(blank_array | is_bool), np.nan), errors="coerce")
    array = number.to_numpy(dtype=float)
    missing = pd.isna(raw).to_numpy(dtype=bool) | blank_array
    return np.where(is_bool, np.nan, array), is_bool | (np.isnan(array) & ~missing)


def typed_series(table: pd.DataFrame) -> pd.DataFrame:
    """A time-series table as floats if every cell is a number, else unchanged."""
    if all(dtype.kind in "fiu" for dtype in table.dtypes):
        return table.astype(float)
    array, bad = numeric(table)
    if bad.any():
        return table
    return pd.DataFrame(array, index=table.index, columns=table.columns)


def as_bool(value: Any) -> bool | None:
    """``value`` as a bool if it is one (``True``, ``"false"``, ``1``...), else None."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _as_text(values: pd.Series) -> pd.Series:
    """Values as Python strings; missing values become ``""`` (PyPSA's convention)."""

    def text(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return value if isinstance(value, str) else str(value)

    return values.map(text).astype(object)


def typed_column(values: pd.Series, dtype: DType | None) -> pd.Series:
    """``values`` converted to ``dtype`` if every value converts, else unchanged.

    ``dtype=None`` infers: numbers, then booleans, else text.
    """
    if dtype == "str":
        return _as_text(values)
    if dtype == "bool":
        if values.dtype == bool:
            return values
        flags = values.map(as_bool)
        return values.astype(object) if flags.isna().any() else flags.astype(bool)
    if dtype in ("float", "int"):
        array, bad = numeric(values)
        if bad.any():
            return values.astype(object)
        if dtype == "int" and not np.isnan(array).any() and (array == np.round(array)).all():
            return pd.Series(array.astype(np.int64), index=values.index, name=values.name)
        return pd.Series(array, index=values.index, name=values.name)
    if values.dtype.kind in "fiub":
        return values
    text = _as_text(values)
    if len(text) and (text != "").all():
        flags = text.map(lambda v: as_bool(v) if v.lower() in ("true", "false") else None)
        if flags.notna().all():
            return flags.astype(bool)
    array, bad = numeric(text)
    if len(text) and not bad.any() and not np.isnan(array).all():
        ints = not np.isnan(array).any() and (array == np.round(array)).all()
        if ints and text.str.fullmatch(r"\s*[-+]?\d+\s*").all():
            return pd.Series(array.astype(np.int64), index=values.index, name=values.name)
        return pd.Series(array, index=values.index, name=values.name)
    return text


def attribute_dtype(schema: ComponentSchema, column: str) -> DType | None:
    """The dtype a column of ``schema`` should have, or None if unknown (a custom column)."""
    if column in schema.attribute_names:
        return schema.attribute(column).dtype
    if column in schema.refused:
        default = schema.refused[column]
        if isinstance(default, bool):
            return "bool"
        if isinstance(default, str):
            return "str"
        return "int" if isinstance(default, int) else "float"
    if column in STRING_ATTRIBUTES:
        return "str"
    return None


def typed_static(frame: pd.DataFrame, schema: ComponentSchema) -> pd.DataFrame:
    """A static table with schema columns first, typed, and missing optional columns filled.

    Parameters
    ----------
    frame : the table as read, indexed by component name.
    schema : the component's schema. Columns the file leaves out get the schema's defaults;
        required columns that are missing stay missing (validation reports them).
    """
    defaults = schema.defaults
    index = pd.Index(_as_text(pd.Series(frame.index, dtype=object)), dtype=object, name="name")
    columns: dict[str, pd.Series] = {}
    for attr in schema.attributes:
        if attr.name in frame:
            raw = pd.Series(frame[attr.name].to_numpy())
        elif attr.required:
            continue
        else:
            raw = pd.Series([defaults[attr.name]] * len(index), dtype=object)
        columns[attr.name] = typed_column(raw, attr.dtype)
    for column in frame.columns:
        if column not in schema.attribute_names:
            raw = pd.Series(frame[column].to_numpy())
            columns[str(column)] = typed_column(raw, attribute_dtype(schema, str(column)))
    # From Series (not arrays), so that text stays object dtype as in Network tables.
    out = pd.DataFrame(columns, index=pd.RangeIndex(len(index)))
    return out.set_axis(index, axis=0)


def fill_missing(
    frame: pd.DataFrame, schema: ComponentSchema, *, numbers: bool = True
) -> pd.DataFrame:
    """Replace missing (NaN or blank) values by defaults, as PyPSA does on import.

    Only schema and refused attributes are filled; with ``numbers=False`` the numeric schema
    attributes are left as they are, so that validation names a NaN where a number is
    required (a PyPSA netCDF file holds every value, and NaN only where it means something).
    """
    frame = frame.copy()
    defaults = {**schema.defaults, **schema.refused}
    if not numbers:
        for attr in schema.attributes:
            if attr.dtype in ("float", "int"):
                defaults.pop(attr.name, None)
    for column in frame.columns:
        if column not in defaults or frame[column].dtype.kind in "biu":
            continue
        values = frame[column].astype(object)
        missing = values.map(
            lambda v: (
                v is None
                or (isinstance(v, float) and math.isnan(v))
                or (isinstance(v, str) and not v.strip())
            )
        ).to_numpy(dtype=bool)
        if missing.any():
            frame[column] = values.where(~missing, defaults[column])
    return frame


def snapshot_kind(index: pd.Index) -> str:
    """How snapshot labels are typed: ``"datetime"``, ``"int"``, ``"float"`` or ``"str"``."""
    if isinstance(index, pd.MultiIndex):
        raise InputError(
            "snapshots with several levels (investment periods) cannot be written.",
            component="snapshots",
            hint="caspian-grid models a single period; use one level of snapshots.",
        )
    if isinstance(index, pd.DatetimeIndex):
        return "datetime"
    if index.dtype.kind in "iu":
        return "int"
    if index.dtype.kind == "f":
        return "float"
    return "str"


def label_text(index: pd.Index) -> pd.Index:
    """Snapshot labels as text, ISO 8601 for datetimes (with offset when time-zone aware)."""
    if isinstance(index, pd.DatetimeIndex):
        return pd.Index([t.isoformat() for t in index], dtype=object, name=index.name)
    return pd.Index([str(x) for x in index], dtype=object, name=index.name)


def parse_labels(values: pd.Series | pd.Index, kind: str, timezone: str | None) -> pd.Index:
    """Snapshot labels of the given kind from text or typed values (ValueError if they fail)."""
    values = pd.Index(values)
    if kind == "datetime":
        if isinstance(values, pd.DatetimeIndex):
            index = values
        else:
            text = values.astype(object)
            index = pd.DatetimeIndex(
                pd.to_datetime(text, format="ISO8601", utc=timezone is not None)
            )
        if timezone is not None:
            index = index.tz_convert(timezone) if index.tz else index.tz_localize(timezone)
        return index.rename("snapshot")
    if kind in ("int", "float"):
        array, bad = numeric(pd.Series(values, dtype=object))
        if bad.any() or not np.isfinite(array).all():
            raise ValueError(f"{kind} snapshot labels expected")
        if kind == "int" and (np.abs(array) >= 2.0**63).any():
            raise ValueError("int snapshot labels expected (beyond the 64-bit integers)")
        typed = array.astype(np.int64) if kind == "int" else array
        if kind == "int" and not (typed == array).all():
            raise ValueError("int snapshot labels expected")
        return pd.Index(typed, name="snapshot")
    return pd.Index(_as_text(pd.Series(values, dtype=object)), dtype=object, name="snapshot")


def guess_labels(values: pd.Series | pd.Index) -> pd.Index:
    """Snapshot labels from text as PyPSA reads them: integers, else datetimes, else text."""
    text = pd.Index(_as_text(pd.Series(values, dtype=object)), dtype=object)
    if len(text) and text.str.fullmatch(r"\s*[-+]?\d+\s*").all():
        return parse_labels(text, "int", None)
    if len(text) and text[0] != "now":
        for parse in (_iso_datetimes, _any_datetimes):
            try:
                return pd.Index(parse(text), name="snapshot")
            except (ValueError, TypeError, OverflowError):
                continue
    return parse_labels(text, "str", None)


def _iso_datetimes(text: pd.Index) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601"))


def _any_datetimes(text: pd.Index) -> pd.DatetimeIndex:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.DatetimeIndex(pd.to_datetime(text))


def guarded(display: str, action: Callable[[], Any], what: str = "read") -> Any:
    """Run ``action``; a malformed-file error becomes an InputError naming ``display``."""
    try:
        return action()
    except InputError:
        raise
    except FILE_ERRORS as err:
        raise InputError(
            f"could not be {what}: {type(err).__name__}: {err}".rstrip(": "),
            file=display,
            hint="Check that the file is complete and in the expected format.",
        ) from err


def read_csv(path: Path, display: str, text: bool) -> pd.DataFrame:
    """A CSV table indexed by its first column (read as text).

    ``text=True`` reads every cell as text (empty cells as ``""``) for typing by the schema;
    otherwise values are parsed by pandas (time series: numbers, empty cells as NaN).
    """

    def read() -> pd.DataFrame:
        header = pd.read_csv(path, nrows=0)
        if len(header.columns) == 0:
            raise ValueError("no columns")
        first = header.columns[0]
        if text:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_csv(path, dtype={first: str}, keep_default_na=False, na_values=[""])
        frame = frame.set_index(first)
        frame.index = pd.Index(_as_text(pd.Series(frame.index, dtype=object)), dtype=object)
        frame.columns = pd.Index([str(c) for c in frame.columns], dtype=object)
        return frame.astype(object) if text else frame

    frame: pd.DataFrame = guarded(display, read)
    return frame
