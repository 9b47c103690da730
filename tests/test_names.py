"""One safe pattern for names that become paths, and paths that stay in their folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.exceptions import InputError
from caspian.names import check_name, inside


@pytest.mark.parametrize("name", ["base", "caspian-fixed-1.5gw", "run_2", "A1"])
def test_safe_names_pass(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name", ["../victim", "/etc", "a/b", ".hidden", "", "x" * 101, "end.", "a b", None, 5]
)
def test_unsafe_names_are_refused(name: object) -> None:
    with pytest.raises(InputError, match="cannot be used as a file or folder name"):
        check_name(name, what="scenario name")


def test_inside_takes_names_below_the_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "run") == (tmp_path / "run").resolve()
    assert inside(tmp_path, tmp_path / "run" / "x.csv") == (tmp_path / "run" / "x.csv").resolve()
    for escape in ("../other", "/etc/passwd", tmp_path.parent):
        with pytest.raises(InputError, match="outside"):
            inside(tmp_path, escape)


def test_inside_follows_links(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="outside"):
        inside(tmp_path / "root", "link")
