"""Reading and writing networks: caspian-grid's folder format and PyPSA's netCDF and CSV.

:func:`read_network` recognises the layout from the path and validates what it read, so a
network that leaves the reader is one the optimiser accepts. :func:`write_network` writes to
a temporary sibling and renames it into place, so a failed write never leaves half a network
and an existing path is only replaced when asked.

Layouts (see :mod:`caspian.network.io_folder`, :mod:`caspian.network.io_pypsa` and
:mod:`caspian.network.io_netcdf`):

==============  ==============================================================
``caspian``     a folder with ``network.toml`` and CSV or parquet tables
``pypsa-netcdf``  a ``.nc`` file as written by PyPSA's ``n.export_to_netcdf``
``pypsa-csv``   a folder with ``buses.csv`` as written by ``n.export_to_csv_folder``
==============  ==============================================================
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from caspian.atomic import clean_stale, leftover_name
from caspian.exceptions import InputError, ValidationError
from caspian.network.custom import CustomColumnWarning, custom_notice
from caspian.network.io_folder import HEADER, read_folder, write_folder
from caspian.network.io_netcdf import read_netcdf, write_netcdf
from caspian.network.io_pypsa import read_csv_folder, write_csv_folder
from caspian.network.network import Network, did_you_mean
from caspian.network.periods import periods_from_meta
from caspian.network.tables import FILE_ERRORS, ReadResult
from caspian.network.validate import check

Format = Literal["caspian", "pypsa-netcdf", "pypsa-csv"]
TableFormat = Literal["csv", "parquet"]
FORMATS: tuple[str, ...] = ("caspian", "pypsa-netcdf", "pypsa-csv")

_LAYOUTS = (
    "a caspian-grid folder containing network.toml, a PyPSA netCDF file ending in .nc, "
    "or a PyPSA CSV folder containing buses.csv"
)


def read_network(path: str | Path) -> Network:
    """Read a network and validate it.

    Parameters
    ----------
    path
        a caspian-grid folder (with ``network.toml``, or that file itself), a PyPSA netCDF
        file (``.nc``) or a PyPSA CSV folder (with ``buses.csv``).

    Raises
    ------
    InputError
        If the path is none of these layouts or a file cannot be parsed.
    ValidationError
        Listing every problem found in the network (an InputError).

    Warns
    -----
    CustomColumnWarning
        Once, listing the custom columns of a PyPSA file: kept (and written back to PyPSA
        formats) but not used (see :mod:`caspian.network.custom`). caspian-grid folders
        declare theirs in ``network.toml`` and give no notice.
    """
    path = Path(path)
    if path.is_file() and path.name == HEADER:
        path = path.parent
    if path.is_dir() and (path / HEADER).is_file():
        reader: Callable[[Path], ReadResult] = read_folder
    elif path.is_file() and path.suffix.lower() == ".nc":
        reader = read_netcdf
    elif path.is_dir() and (path / "buses.csv").is_file():
        reader = read_csv_folder
    else:
        what = "does not exist" if not path.exists() else "is not a network"
        raise InputError(
            f"{what}.",
            file=str(path),
            hint=f"caspian-grid reads {_LAYOUTS}.",
        )
    try:
        read = reader(path)
        where = str(path / HEADER) if reader is read_folder else str(path)
        where = str(path / "meta.json") if reader is read_csv_folder else where
        problems = [
            *read.problems,
            *periods_from_meta(read.network, where),
            *check(read.network, read.files, read.attached),
        ]
    except InputError:
        raise
    except FILE_ERRORS as err:
        # Last line of defence: a malformed file must surface as bad input, never a crash.
        raise InputError(
            f"could not be read as a network: {type(err).__name__}: {err}",
            file=str(path),
            hint=f"caspian-grid reads {_LAYOUTS}.",
        ) from err
    if problems:
        raise ValidationError(problems, source=str(path))
    # caspian-grid folders declare their custom columns in network.toml: no notice for them.
    notice = None if reader is read_folder else custom_notice(read.network, str(path))
    if notice is not None:
        warnings.warn(notice, CustomColumnWarning, stacklevel=2)
    return read.network


def write_network(
    n: Network,
    path: str | Path,
    format: Format = "caspian",
    table_format: TableFormat = "csv",
    *,
    overwrite: bool = False,
) -> None:
    """Write a network to ``path``.

    The network is written to a temporary sibling of ``path`` and renamed into place.

    Parameters
    ----------
    n
        the network.
    path
        the folder (``caspian``, ``pypsa-csv``) or file (``pypsa-netcdf``) to create.
    format
        ``"caspian"`` (our folder format), ``"pypsa-netcdf"`` or ``"pypsa-csv"``.
    table_format
        ``"csv"`` or ``"parquet"``, for the ``caspian`` format only.
    overwrite
        replace ``path`` if it exists; otherwise an existing path is an InputError.
    """
    path = Path(path)
    if format not in FORMATS:
        raise InputError(
            f"unknown format {format!r}.",
            hint="Use one of " + ", ".join(FORMATS) + "." + did_you_mean(str(format), FORMATS),
        )
    if format != "caspian" and table_format != "csv":
        raise InputError(
            f"table_format={table_format!r} applies to the caspian format only; "
            f"{format} has a fixed layout.",
            hint="Leave table_format out, or write format='caspian'.",
        )
    if path.exists() and not overwrite:
        raise InputError(
            "already exists; caspian-grid never overwrites silently.",
            file=str(path),
            hint="Pass overwrite=True to replace it, or choose another path.",
        )
    if not path.parent.is_dir():
        raise InputError(
            f"the folder {path.parent} does not exist.",
            file=str(path),
            hint="Create it first.",
        )
    if format == "caspian":
        _atomic(path, lambda tmp: write_folder(n, tmp, table_format))
    elif format == "pypsa-netcdf":
        _atomic(path, lambda tmp: write_netcdf(n, tmp))
    else:
        _atomic(path, lambda tmp: write_csv_folder(n, tmp))


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a temporary sibling of ``path``, then move it into place. The siblings
    are named after this process (:func:`caspian.atomic.leftover_name`), so the leftovers of a
    killed writer are cleaned by the next write to the same folder."""
    clean_stale(path.parent)
    tmp = path.with_name(leftover_name(path, "tmp"))
    try:
        write(tmp)
        if path.exists():
            old = path.with_name(leftover_name(path, "old"))
            os.replace(path, old)
            try:
                os.replace(tmp, path)
            except OSError:
                os.replace(old, path)
                raise
            _remove(old)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            _remove(tmp)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
