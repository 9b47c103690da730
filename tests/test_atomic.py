"""Atomic writes: the output location is checked first, and the leftovers of a killed writer are
cleaned on the next write beside them, never a concurrent writer's work in progress."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from caspian import atomic
from caspian.atomic import atomic_folder, check_writable, clean_stale, leftovers
from caspian.exceptions import InputError

OTHER_HOST = "0" * 8 if atomic._HOST_TAG != "0" * 8 else "1" * 8


def dead_pid() -> int:
    """The id of a process that has just ended (not reused this soon)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def age(path: Path, seconds: float) -> None:
    """Make ``path`` and everything in it look unchanged for ``seconds``."""
    then = time.time() - seconds
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.utime(os.path.join(root, name), (then, then))
    os.utime(path, (then, then))


def leftover(parent: Path, name: str, *, files: dict[str, str] | None = None) -> Path:
    folder = parent / name
    folder.mkdir()
    for file, text in (files or {}).items():
        (folder / file).write_text(text)
    return folder


def test_a_writer_killed_mid_write_leaves_a_folder_the_next_write_removes(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        from caspian.atomic import atomic_folder
        with atomic_folder({str(tmp_path / "base")!r}) as tmp:
            (tmp / "half.csv").write_text("1,2")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], check=False)
    assert killed.returncode == -signal.SIGKILL
    (left,) = [p for p in tmp_path.iterdir() if p.name.startswith(".base.tmp-")]
    assert not (tmp_path / "base").exists()

    (found,) = leftovers(tmp_path)
    assert found.target == "base" and found.kind == "tmp" and found.this_host
    assert not found.stale  # just made: kept for the grace period
    age(left, atomic.DEAD_WRITER_GRACE_S + 5)
    (found,) = leftovers(tmp_path)
    assert found.stale and "gone" in found.writer

    with atomic_folder(tmp_path / "other") as tmp:
        (tmp / "x.csv").write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other"]


def test_a_concurrent_writers_folders_are_never_removed(tmp_path: Path) -> None:
    old = 3 * 24 * 3600.0
    running = leftover(tmp_path, f".base.tmp-{os.getpid()}-{atomic._HOST_TAG}-0a1b2c3d")
    elsewhere = leftover(tmp_path, f".mine.tmp-{dead_pid()}-{OTHER_HOST}-0a1b2c3d")
    age(running, old)  # a long write by a live process on this host
    with atomic_folder(tmp_path / "new") as tmp:
        (tmp / "x.csv").write_text("x")
    assert running.is_dir() and elsewhere.is_dir()  # another host's young folder is kept too
    assert {item.path for item in leftovers(tmp_path) if not item.stale} == {running, elsewhere}


@pytest.mark.parametrize(
    "name",
    [f".base.tmp-123-{OTHER_HOST}-0a1b2c3d", ".base.tmp-k3j_x9q2", ".base.old-0123456789ab"],
    ids=["another host", "older version", "older network writer"],
)
def test_leftovers_whose_writer_cannot_be_checked_go_after_a_day(tmp_path: Path, name: str) -> None:
    folder = leftover(tmp_path, name, files={"a.csv": "1"})
    age(folder, atomic.UNKNOWN_WRITER_STALE_S - 60)
    assert clean_stale(tmp_path) == [] and folder.exists()
    age(folder, atomic.UNKNOWN_WRITER_STALE_S + 60)
    (tmp_path / "base").mkdir()  # the result is there, so an old copy is not put back
    assert clean_stale(tmp_path) == [folder] and not folder.exists()


def test_a_killed_swap_puts_the_earlier_result_back(tmp_path: Path) -> None:
    """Killed between moving the old folder aside and moving the new one in: the old one, the
    only complete copy, comes back instead of being removed; the half-swapped new one goes."""
    pid = dead_pid()
    old = leftover(
        tmp_path, f".base.old-{pid}-{atomic._HOST_TAG}-00000001", files={"summary.json": "old"}
    )
    new = leftover(
        tmp_path, f".base.tmp-{pid}-{atomic._HOST_TAG}-00000002", files={"summary.json": "new"}
    )
    for folder in (old, new):
        age(folder, 120)
    assert sorted(clean_stale(tmp_path)) == sorted([old, new])
    assert (tmp_path / "base" / "summary.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["base"]


def test_a_results_folder_gets_the_usual_permissions(tmp_path: Path) -> None:
    with atomic_folder(tmp_path / "out") as tmp:
        (tmp / "a.csv").write_text("1")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask


def test_the_output_location_is_checked_before_any_work(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_writable(afile, overwrite=True)
    with pytest.raises(InputError, match=r"cannot be created: .*notes\.txt is not a folder"):
        check_writable(afile / "out")
    if Path("/proc/self").exists():
        with pytest.raises(InputError, match="cannot be written: nothing can be created in /proc"):
            check_writable(Path("/proc/nope/out"))
    check_writable(tmp_path / "a" / "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # the check wrote nothing
