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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

INDEX_DTYPE = np.int32


@dataclass(frozen=True)
class VariableBlock:
    """A family of variables: ``component``-``attr`` over (snapshots x names) or (names,)."""

    component: str
    attr: str
    names: pd.Index
    start: int
    shape: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.component}-{self.attr}"

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
    """A family of constraints: ``component``-``name`` over (snapshots x names) or (names,).

    ``scale`` is the factor each row was multiplied by for conditioning; duals of the original
    rows are ``scale * dual`` of the scaled ones.
    """

    component: str
    name: str
    names: pd.Index
    start: int
    shape: tuple[int, ...]
    scale: np.ndarray | None = None

    @property
    def key(self) -> str:
        return f"{self.component}-{self.name}"

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


@dataclass
class ModelBuilder:
    """Collects variable and constraint blocks and their coefficients."""

    snapshots: pd.Index
    variables: dict[str, VariableBlock] = field(default_factory=dict)
    constraints: dict[str, ConstraintBlock] = field(default_factory=dict)
    _col_lower: list[np.ndarray] = field(default_factory=list)
    _col_upper: list[np.ndarray] = field(default_factory=list)
    _cost: dict[str, np.ndarray] = field(default_factory=dict)
    _row_lower: list[np.ndarray] = field(default_factory=list)
    _row_upper: list[np.ndarray] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0

    def add_variables(
        self,
        component: str,
        attr: str,
        names: pd.Index,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        *,
        time_indexed: bool = True,
        cost: np.ndarray | float = 0.0,
    ) -> VariableBlock:
        """Add a block of variables with bounds and objective coefficients (broadcast)."""
        shape = (len(self.snapshots), len(names)) if time_indexed else (len(names),)
        block = VariableBlock(component, attr, names, self.n_cols, shape)
        self.variables[block.key] = block
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
        component: str,
        name: str,
        names: pd.Index,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        *,
        shape: tuple[int, ...] | None = None,
        scale: np.ndarray | None = None,
    ) -> ConstraintBlock:
        """Add a block of rows ``lower <= (coefficients added later) <= upper``."""
        if shape is None:
            shape = (len(self.snapshots), len(names))
        block = ConstraintBlock(component, name, names, self.n_rows, shape, scale)
        key = block.key
        if key in self.constraints:
            raise ValueError(f"constraint block {key} defined twice")
        self.constraints[key] = block
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
    variables: dict[str, VariableBlock]
    constraints: dict[str, ConstraintBlock]

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
