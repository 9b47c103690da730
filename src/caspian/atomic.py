"""Write a folder of results, or one file, so that nothing earlier is ever lost or half-written.

Files go to a temporary sibling folder first; only when everything is written is it renamed
into place. An existing folder is replaced only with ``overwrite=True``, and then the old one is
moved aside before the new one moves in, so a failure at any point leaves one complete folder.
A single file (:func:`write_text_atomic`) goes to a temporary sibling file renamed over it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from caspian.exceptions import InputError


@contextmanager
def atomic_folder(out: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces ``out`` in one step.

    Raises :class:`InputError` before anything is written if ``out`` exists and ``overwrite``
    is false, or if ``out`` is a file.
    """
    out = Path(out)
    check_writable(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_writable(out: str | Path, *, overwrite: bool = False) -> None:
    """Raise :class:`InputError` unless ``out`` may be written: it does not exist, or it is a
    folder and ``overwrite`` is true. Commands call it before long work, not only at the end."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise InputError(
            f"{out} already exists; caspian-grid does not overwrite results silently.",
            hint="Choose another --out folder, or pass --overwrite to replace it.",
        )
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder.", hint="Choose another --out path.")


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


def check_file_writable(out: str | Path, *, overwrite: bool = False) -> None:
    """Raise :class:`InputError` unless the file ``out`` may be written: it does not exist, or
    it is a file and ``overwrite`` is true. Call it before long work, not only at the end."""
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out} is a folder.", hint="Give a file name, e.g. report.html.")
    if out.exists() and not overwrite:
        raise InputError(
            f"{out} already exists; caspian-grid does not overwrite files silently.",
            hint="Choose another --out file, or pass --overwrite to replace it.",
        )


def write_text_atomic(out: str | Path, text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) to the file ``out`` in one step: a temporary sibling file is
    written and flushed, then renamed over ``out``, so readers see the old file or the new one,
    never half of it.

    Raises :class:`InputError` before writing if ``out`` exists and ``overwrite`` is false, or
    if ``out`` is a folder.
    """
    out = Path(out)
    check_file_writable(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.tmp-", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with open(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        tmp.chmod(0o644)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
