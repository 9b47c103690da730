"""Write a result to a folder without ever losing or half-writing earlier results.

Tables go to a temporary sibling folder first; only when everything is written is it renamed into
place. An existing results folder is replaced only with ``overwrite=True``, and then the old one
is moved aside before the new one moves in, so a failure at any point leaves one complete folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from caspian.exceptions import InputError
from caspian.optimize.results import OptimizationResult

TableFormat = Literal["csv", "parquet"]


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
    (optimal capacity per component) and ``global_constraints`` (``mu``, ``value``).
    ``extra`` writes further files into the folder before it moves into place.
    """
    out = Path(out_dir)
    if table_format not in ("csv", "parquet"):
        raise InputError(f"unknown table format {table_format!r}.", hint="Use 'csv' or 'parquet'.")
    if out.exists() and not overwrite:
        raise InputError(
            f"{out} already exists; caspian-grid does not overwrite results silently.",
            hint="Choose another --out folder, or pass --overwrite to replace it.",
        )
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder.", hint="Choose another --out path.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for stem, table in result.tables().items():
            if table_format == "csv":
                table.to_csv(tmp / f"{stem}.csv")
            else:
                frame = table.copy()
                frame.columns = frame.columns.astype(str)
                frame.to_parquet(tmp / f"{stem}.parquet")
        summary = result.summary()
        summary["network"] = result.network.name
        if extra is not None:
            extra(tmp)
        summary["tables"] = sorted(p.name for p in tmp.iterdir())
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_into_place(new: Path, out: Path) -> None:
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
