"""The docs harness fails a page whose example does not print what the page says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.pages import run_page

FENCE = "```"


def page(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text.replace("'''", FENCE))
    (tmp_path / "work").mkdir()
    return path


def test_a_good_page_runs_and_shares_files_and_names(tmp_path: Path) -> None:
    path = page(
        tmp_path,
        "'''text title=\"note.txt\"\nhello\n'''\n\n"
        "'''console\n$ cat note.txt\nhello\n$ echo a \\\n  b\na b\n$ exit 3\n[exit 3]\n'''\n\n"
        "'''python\nfrom pathlib import Path\nx = 2.0\n'''\n\n"
        "'''pycon\n>>> print(Path('note.txt').read_text().strip(), x * 1.001)\nhello 2.0\n'''\n\n"
        "<!-- docs-test: skip needs the internet -->\n'''console\n$ curl https://x.y\n'''\n",
    )
    run = run_page(path, tmp_path / "work")
    (skipped,) = run.skipped
    assert skipped.startswith("docs/page.md:") and skipped.endswith(": needs the internet")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("'''console\n$ echo 41\n42\n'''\n", "the docs say 42, the example printed 41"),
        ("'''console\n$ exit 1\n'''\n", "exited with 1, the docs say 0"),
        ("'''pycon\n>>> 1 + 1\n3\n'''\n", "a pycon example failed"),
        ("'''python\nraise ValueError('boom')\n'''\n", "boom"),
        ("<!-- docs-test: skip -->\n'''console\n$ true\n'''\n", "needs a reason"),
        ("<!-- docs-test: later -->\n'''console\n$ true\n'''\n", "unknown directive"),
        ("'''console\noutput first\n'''\n", r"output before any '\$ ' command"),
        ("'''console\n$ true\n", "never closed"),
    ],
)
def test_a_wrong_page_fails(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises((AssertionError, ValueError), match=why):
        run_page(page(tmp_path, text), tmp_path / "work")
