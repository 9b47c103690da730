"""Write a folder of results, or one file, so that nothing earlier is ever lost or half-written.

Files go to a temporary sibling folder first; only when everything is written is it renamed
into place. An existing folder is replaced only with ``overwrite=True``, and then the old one is
moved aside before the new one moves in, so a failure at any point leaves one complete folder.
A single file (:func:`write_text_atomic`) goes to a temporary sibling file renamed over it.

Leftovers of killed writers
---------------------------
A writer killed outright (SIGKILL, power loss) cannot tidy up, and leaves its hidden temporary
sibling (``.<name>.tmp-<pid>-<host>-<token>``) or the earlier folder it had moved aside
(``.<name>.old-<pid>-<host>-<token>``). The writer's process id and a tag of its host name are in
the name, so the next write to the same folder (:func:`clean_stale`) can tell a leftover from a
concurrent writer's work in progress: a leftover is *stale*, and removed, when its writer ran on
this host and is no longer running (and nothing in it changed for
:data:`DEAD_WRITER_GRACE_S`), or, for a writer on another host or a name without a process id
(older versions), when nothing in it changed for :data:`UNKNOWN_WRITER_STALE_S`. A stale
``.old-`` folder whose result is missing (the writer died between moving the old folder aside
and moving the new one in) is put back in place instead of removed. :func:`leftovers` lists them
(``caspian runs --status stale``).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from caspian.exceptions import InputError

DEAD_WRITER_GRACE_S = 60.0
"""Seconds a leftover of a writer on this host that is no longer running is kept, in case the
process id is being reused or the leftover was only just made."""
UNKNOWN_WRITER_STALE_S = 24 * 3600.0
"""Seconds without a change after which a leftover whose writer cannot be checked (another host,
or no process id in its name) counts as stale."""

_HOST_TAG = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_LEFTOVER = re.compile(
    r"^\.(?P<target>.+)\.(?P<kind>tmp|old)-"
    r"(?:(?P<pid>[0-9]+)-(?P<host>[0-9a-f]{8})-)?(?P<token>[A-Za-z0-9_]{8,12})$"
)


@contextmanager
def atomic_folder(out: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces ``out`` in one step.

    Raises :class:`InputError` before anything is written if ``out`` exists and ``overwrite``
    is false, or if ``out`` is a file. Stale leftovers of killed writers beside ``out`` are
    cleaned first (:func:`clean_stale`).
    """
    out = Path(out)
    check_writable(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out.parent)
    tmp = temp_folder_beside(out, "tmp")
    try:
        yield tmp
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_writable(out: str | Path, *, overwrite: bool = False, option: str = "--out") -> None:
    """Raise :class:`InputError` unless ``out`` may be written: it does not exist, or it is a
    folder and ``overwrite`` is true, and it can be created where it is. Commands call it before
    long work, not only at the end; it leaves nothing behind. ``option`` names it in the hints."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(
            f"{out} exists and is a file, not a folder.",
            hint=f"Choose another {option} folder (results are a folder of tables).",
        )
    if out.exists() and not overwrite:
        raise InputError(
            f"{out} already exists; caspian-grid does not overwrite results silently.",
            hint=f"Choose another {option} folder, or pass --overwrite to replace it.",
        )
    _check_creatable(out, option)


def check_file_writable(out: str | Path, *, overwrite: bool = False, option: str = "--out") -> None:
    """Raise :class:`InputError` unless the file ``out`` may be written: it does not exist, or
    it is a file and ``overwrite`` is true, and it can be created where it is. Call it before
    long work, not only at the end; it leaves nothing behind. ``option`` names it in the hints."""
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out} is a folder.", hint="Give a file name, e.g. report.html.")
    if out.exists() and not overwrite:
        raise InputError(
            f"{out} already exists; caspian-grid does not overwrite files silently.",
            hint=f"Choose another {option} file, or pass --overwrite to replace it.",
        )
    _check_creatable(out, option)


def _check_creatable(out: Path, option: str) -> None:
    """Raise :class:`InputError` unless ``out`` (and the folders above it) can be made: the
    nearest existing folder above it takes a new entry. A probe folder is made and removed at
    once, since permission bits alone do not tell (root, read-only mounts, /proc)."""
    if out.is_symlink() and not out.exists():
        raise InputError(
            f"{out} is a broken link to {os.readlink(out)}.",
            hint=f"Remove the link or choose another {option} path.",
        )
    above = out.absolute().parent
    while not above.exists() and not above.is_symlink() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise InputError(
            f"{out} cannot be created: {above} is not a folder.",
            hint=f"Choose an {option} path under an existing folder.",
        )
    try:
        probe = temp_folder_beside(above / "probe", "tmp")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(
            f"{out} cannot be written: nothing can be created in {above} ({reason}).",
            hint=f"Choose an {option} path in a folder you can write to.",
        ) from None
    probe.rmdir()


def temp_folder_beside(out: Path, kind: Literal["tmp", "old"] = "tmp") -> Path:
    """A new empty folder beside ``out`` named after it, this process and this host, made with
    the usual permissions (not mkdtemp's owner-only ones, which the result would keep)."""
    while True:
        path = out.parent / leftover_name(out, kind)
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def leftover_name(out: Path, kind: Literal["tmp", "old"]) -> str:
    """The name of a temporary (``tmp``) or moved-aside (``old``) sibling of ``out``: tagged
    with this process and host, so that :func:`clean_stale` can tell a killed writer's."""
    return f".{out.name}.{kind}-{os.getpid()}-{_HOST_TAG}-{secrets.token_hex(4)}"


def _swap_into_place(new: Path, out: Path) -> None:
    if not out.exists() and not out.is_symlink():
        new.rename(out)
        return
    old = out.parent / leftover_name(out, "old")
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    _remove(old)


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
    clean_stale(out.parent)
    while True:
        tmp = out.parent / leftover_name(out, "tmp")
        try:
            handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        break
    try:
        with open(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


@dataclass(frozen=True)
class Leftover:
    """A hidden temporary file or folder beside a result, left by a writer or still in use.

    Attributes
    ----------
    path
        the leftover itself.
    target
        the name of the result it was written for (``base``, ``report.html``).
    kind
        ``"tmp"`` (a result being written) or ``"old"`` (an earlier result moved aside).
    pid
        the writer's process id, None if the name holds none.
    this_host
        whether the writer ran on this host (only then can it be checked).
    age_s
        seconds since anything in it last changed.
    stale
        whether its writer is gone, so it may be removed (see the module docstring).
    """

    path: Path
    target: str
    kind: Literal["tmp", "old"]
    pid: int | None
    this_host: bool
    age_s: float
    stale: bool

    @property
    def writer(self) -> str:
        """Who wrote it, in words."""
        if self.pid is None:
            return "unknown writer"
        if not self.this_host:
            return f"process {self.pid} on another host"
        return f"process {self.pid} ({'running' if _running(self.pid) else 'gone'})"


def leftovers(folder: str | Path, *, now: float | None = None) -> list[Leftover]:
    """The leftovers of writers directly inside ``folder``, stale or in use, by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    found = []
    for path in sorted(folder.iterdir()):
        match = _LEFTOVER.match(path.name)
        if match is None or path.is_symlink():
            continue
        pid = int(match["pid"]) if match["pid"] else None
        this_host = match["host"] == _HOST_TAG
        try:
            age = max(0.0, now - _last_change(path))
        except OSError:  # removed meanwhile
            continue
        if pid is not None and this_host:
            stale = not _running(pid) and age >= DEAD_WRITER_GRACE_S
        else:
            stale = age >= UNKNOWN_WRITER_STALE_S
        kind: Literal["tmp", "old"] = "old" if match["kind"] == "old" else "tmp"
        found.append(Leftover(path, match["target"], kind, pid, this_host, age, stale))
    return found


def clean_stale(folder: str | Path) -> list[Path]:
    """Remove the stale leftovers of killed writers in ``folder``; never one still in use.

    A stale ``.old-`` folder whose result is missing is renamed back into place instead (it is
    the last complete copy). Returns the paths removed or restored. Failures to remove are
    ignored: cleaning never stops a write.
    """
    done = []
    stale = [item for item in leftovers(folder) if item.stale]
    # newest first, so the most recent earlier result is the one put back
    for item in sorted(stale, key=lambda item: item.age_s):
        target = item.path.parent / item.target
        try:
            if item.kind == "old" and item.path.is_dir() and not target.exists():
                item.path.rename(target)
            else:
                _remove(item.path)
        except OSError:
            continue
        done.append(item.path)
    return done


def _last_change(path: Path) -> float:
    """The latest modification time of ``path`` and everything in it (links not followed)."""
    latest = path.lstat().st_mtime
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                try:
                    latest = max(latest, os.lstat(os.path.join(root, name)).st_mtime)
                except OSError:
                    continue
    return latest


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists on this host; True when that cannot be told."""
    if os.name == "nt" or pid <= 0:  # os.kill would terminate a process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
