"""Sparse assembly of the linear program, in one place.

Every variable family is a :class:`VariableBlock` of consecutive columns and every constraint
family a :class:`ConstraintBlock` of consecutive rows, each with the component names (and the
snapshots, for time-indexed blocks) its entries stand for. Families hand their coefficients to
the :class:`ModelBuilder` as (rows, columns, values) triplets; :meth:`ModelBuilder.finish` turns
them into one compressed-column matrix. The blocks map solver output back to labelled tables,
so duals come back as prices per bus and snapshot.

The problem is::

    minimise    c^T x
    subject to  row_lower <= A x <= row_upper
                col_lower <=   x <= col_upper
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from caspian.exceptions import CaspianError

INDEX_DTYPE = np.int32

_Key = TypeVar("_Key", bound="BlockKey")


@dataclass(frozen=True)
class BlockKey:
    """The identity of a block: its component and, within it, its attribute (variables) or
    family (constraints).

    ``str(key)`` is ``"<component>-<name>"`` (``"Generator-p"``, ``"Bus-nodal_balance"``), the
    form labels and messages show. Each family defines the keys of the blocks it creates next to
    it (``caspian.optimize.operation.GENERATOR_P``, ``caspian.optimize.balance.NODAL_BALANCE``,
    ...), and every reader uses those.
    """

    component: str
    name: str

    def __str__(self) -> str:
        return f"{self.component}-{self.name}"

    @classmethod
    def parse(cls: type[_Key], text: str) -> _Key:
        """The key whose ``str`` is ``text`` (component names hold no ``-``)."""
        component, sep, name = text.partition("-")
        if not sep or not component or not name:
            raise ValueError(f"{text!r} is not a block key of the form 'Component-name'.")
        return cls(component, name)


@dataclass(frozen=True)
class VariableKey(BlockKey):
    """The key of a variable block: ``VariableKey("Generator", "p")`` is ``Generator-p``."""


@dataclass(frozen=True)
class ConstraintKey(BlockKey):
    """The key of a constraint block: ``ConstraintKey("Bus", "nodal_balance")``."""


_Block = TypeVar("_Block")


class BlockKeyError(CaspianError, KeyError):
    """A block that must exist is not in the model: the message names the key and the keys
    present. (A programming error in a constraint family or a reader, not bad input: the
    command line ends with exit code 1.)"""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Blocks(Mapping[_Key, _Block], Generic[_Key, _Block]):
    """The blocks of one kind (variables or constraints) by key, in the order they were added.

    Looking up a missing key raises :class:`BlockKeyError` naming it and the keys present; use
    ``key in blocks`` or ``blocks.get(key)`` where a block may be absent. Adding a key twice
    raises ValueError.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._blocks: dict[_Key, _Block] = {}

    def __getitem__(self, key: _Key) -> _Block:
        try:
            return self._blocks[key]
        except KeyError:
            raise BlockKeyError(self._missing(key)) from None

    def __contains__(self, key: object) -> bool:
        return key in self._blocks

    def __iter__(self) -> Iterator[_Key]:
        return iter(self._blocks)

    def __len__(self) -> int:
        return len(self._blocks)

    def get(self, key: _Key, default: _Block | None = None) -> _Block | None:  # type: ignore[override]
        return self._blocks.get(key, default)

    def add(self, key: _Key, block: _Block) -> None:
        """Add ``block`` under ``key``; ValueError if the key is taken."""
        if key in self._blocks:
            raise ValueError(f"{self.kind} block {key} defined twice")
        self._blocks[key] = block

    def _missing(self, key: object) -> str:
        present = ", ".join(str(k) for k in self._blocks) or "none"
        what = f"'{key}'" if isinstance(key, str) else str(key)
        key_type = type(next(iter(self._blocks), None)).__name__
        hint = (
            f" (blocks are keyed by {key_type} objects, not strings: use the family's constant "
            f"or {key_type}.parse({key!r}))"
            if isinstance(key, str) and self._blocks
            else ""
        )
        return f"the model has no {self.kind} block {what}{hint}; it has: {present}."

    def __repr__(self) -> str:
        return f"Blocks({self.kind}: {', '.join(str(k) for k in self._blocks)})"


@dataclass(frozen=True)
class VariableBlock:
    """A family of variables ``key`` over (snapshots x names) or (names,)."""

    key: VariableKey
    names: pd.Index
    start: int
    shape: tuple[int, ...]

    @property
    def component(self) -> str:
        return self.key.component

    @property
    def attr(self) -> str:
        return self.key.name

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def time_indexed(self) -> bool:
        return len(self.shape) == 2

    def columns(self) -> np.ndarray:
        """Column index of every variable, shaped like the block."""
        return np.arange(self.start, self.start + self.size, dtype=np.int64).reshape(self.shape)

    def take(self, values: np.ndarray) -> np.ndarray:
        """This block's slice of a full solution vector, shaped like the block."""
        return values[self.start : self.start + self.size].reshape(self.shape)


@dataclass(frozen=True)
class ConstraintBlock:
    """A family of constraints ``key`` over (snapshots x names) or (names,).

    ``scale`` is the factor each row was multiplied by for conditioning; duals of the original
    rows are ``scale * dual`` of the scaled ones.
    """

    key: ConstraintKey
    names: pd.Index
    start: int
    shape: tuple[int, ...]
    scale: np.ndarray | None = None

    @property
    def component(self) -> str:
        return self.key.component

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def rows(self) -> np.ndarray:
        """Row index of every constraint, shaped like the block."""
        return np.arange(self.start, self.start + self.size, dtype=np.int64).reshape(self.shape)

    def take(self, values: np.ndarray) -> np.ndarray:
        """This block's slice of a full row vector (e.g. duals), unscaled, shaped like the block."""
        out = values[self.start : self.start + self.size].reshape(self.shape)
        return out if self.scale is None else out * self.scale


VariableBlocks = Blocks[VariableKey, VariableBlock]
ConstraintBlocks = Blocks[ConstraintKey, ConstraintBlock]


@dataclass
class ModelBuilder:
    """Collects variable and constraint blocks and their coefficients."""

    snapshots: pd.Index
    variables: VariableBlocks = field(default_factory=lambda: Blocks("variable"))
    constraints: ConstraintBlocks = field(default_factory=lambda: Blocks("constraint"))
    _col_lower: list[np.ndarray] = field(default_factory=list)
    _col_upper: list[np.ndarray] = field(default_factory=list)
    _cost: dict[VariableKey, np.ndarray] = field(default_factory=dict)
    _row_lower: list[np.ndarray] = field(default_factory=list)
    _row_upper: list[np.ndarray] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0

    def add_variables(
        self,
        key: VariableKey,
        names: pd.Index,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        *,
        time_indexed: bool = True,
        cost: np.ndarray | float = 0.0,
    ) -> VariableBlock:
        """Add the block ``key`` of variables with bounds and objective coefficients
        (broadcast); ValueError if the model has a block ``key`` already."""
        shape = (len(self.snapshots), len(names)) if time_indexed else (len(names),)
        block = VariableBlock(key, names, self.n_cols, shape)
        self.variables.add(key, block)
        self._col_lower.append(np.broadcast_to(np.asarray(lower, float), shape).ravel())
        self._col_upper.append(np.broadcast_to(np.asarray(upper, float), shape).ravel())
        self._cost[block.key] = np.broadcast_to(np.asarray(cost, float), shape).ravel()
        self.n_cols += block.size
        return block

    def add_cost(self, block: VariableBlock, cost: np.ndarray | float) -> None:
        """Add ``cost`` (broadcast to the block's shape) to the objective coefficients."""
        extra = np.broadcast_to(np.asarray(cost, float), block.shape).ravel()
        self._cost[block.key] = self._cost[block.key] + extra

    def add_constraints(
        self,
        key: ConstraintKey,
        names: pd.Index,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        *,
        shape: tuple[int, ...] | None = None,
        scale: np.ndarray | None = None,
    ) -> ConstraintBlock:
        """Add the block ``key`` of rows ``lower <= (coefficients added later) <= upper``;
        ValueError if the model has a block ``key`` already."""
        if shape is None:
            shape = (len(self.snapshots), len(names))
        block = ConstraintBlock(key, names, self.n_rows, shape, scale)
        self.constraints.add(key, block)
        self._row_lower.append(np.broadcast_to(np.asarray(lower, float), shape).ravel().copy())
        self._row_upper.append(np.broadcast_to(np.asarray(upper, float), shape).ravel().copy())
        self.n_rows += block.size
        return block

    def add_terms(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        """Add coefficients ``A[rows, cols] += vals`` (arrays broadcast together)."""
        rows, cols, vals = np.broadcast_arrays(rows, cols, np.asarray(vals, float))
        keep = vals != 0
        if not keep.all():
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
        self._rows.append(np.asarray(rows, INDEX_DTYPE).ravel())
        self._cols.append(np.asarray(cols, INDEX_DTYPE).ravel())
        self._vals.append(np.asarray(vals, float).ravel())

    def finish(self) -> LinearProgram:
        """Assemble the compressed-column matrix and the bound vectors."""
        rows = _concat(self._rows, INDEX_DTYPE)
        cols = _concat(self._cols, INDEX_DTYPE)
        vals = _concat(self._vals, float)
        self._rows.clear()
        self._cols.clear()
        self._vals.clear()
        matrix = _coo_to_csc(rows, cols, vals, self.n_rows, self.n_cols)
        del rows, cols, vals
        return LinearProgram(
            matrix=matrix,
            cost=_concat([self._cost[k] for k in self.variables], float),
            col_lower=_concat(self._col_lower, float),
            col_upper=_concat(self._col_upper, float),
            row_lower=_concat(self._row_lower, float),
            row_upper=_concat(self._row_upper, float),
            variables=self.variables,
            constraints=self.constraints,
            snapshots_hint=self.snapshots,
        )


def _coo_to_csc(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int, n_cols: int
) -> sp.csc_array:
    """Compressed-column matrix from triplets by one counting sort over the columns.

    Row indices within a column stay in the order they were added and duplicates are not
    summed (HiGHS accepts unsorted columns; see :meth:`LinearProgram.merge_duplicates`).
    This is scipy's ``coo_tocsr`` applied to the transpose, without its checks and copies.
    """
    from scipy.sparse import _sparsetools

    indptr = np.empty(n_cols + 1, dtype=INDEX_DTYPE)
    indices = np.empty(len(vals), dtype=INDEX_DTYPE)
    data = np.empty(len(vals), dtype=float)
    _sparsetools.coo_tocsr(n_cols, n_rows, len(vals), cols, rows, vals, indptr, indices, data)
    return sp.csc_array((data, indices, indptr), shape=(n_rows, n_cols), copy=False)


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts).astype(dtype, copy=False)


@dataclass
class LinearProgram:
    """The assembled LP with its block maps (see the module docstring for its form)."""

    matrix: sp.csc_array
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    variables: VariableBlocks
    constraints: ConstraintBlocks

    @property
    def n_variables(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def n_constraints(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def nnz(self) -> int:
        return int(self.matrix.nnz)

    def merge_duplicates(self) -> None:
        """Sum repeated (row, column) entries; needed only if a family adds one twice."""
        self.matrix.sum_duplicates()

    def row_label(self, row: int) -> str:
        """Human-readable name of a row: block, component name and snapshot."""
        return _label(self.constraints.values(), row, self.snapshots_hint)

    def col_label(self, col: int) -> str:
        """Human-readable name of a column: block, component name and snapshot."""
        return _label(self.variables.values(), col, self.snapshots_hint)

    snapshots_hint: pd.Index | None = None


def _label(blocks: object, index: int, snapshots: pd.Index | None) -> str:
    for block in blocks:  # type: ignore[attr-defined]
        if block.start <= index < block.start + block.size:
            pos = np.unravel_index(index - block.start, block.shape)
            if len(block.shape) == 2:
                sn = snapshots[pos[0]] if snapshots is not None else pos[0]
                return f"{block.key} '{block.names[pos[1]]}' at snapshot {sn}"
            return f"{block.key} '{block.names[pos[0]]}'"
    return f"#{index}"
