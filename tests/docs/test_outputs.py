"""The rules by which an example's output is compared with the docs (docs/contributing.md)."""

from __future__ import annotations

import pytest

from tests.docs.outputs import mismatch, number_matches
from tests.docs.pages import Block, commands


@pytest.mark.parametrize(
    ("want", "got"),
    [
        ("total 3.239 bn EUR", "total 3.2388 bn EUR"),
        ("total 3.239 bn EUR", "total   3.24\n bn EUR"),
        ("a ... z", "a b c d z"),
        ("cost: ...", "cost: 12 EUR\nmore lines"),
        ("-1,170.8", "-1,171.0"),
        ("2.4e-11", "2.41e-11"),
        ("Caspian 0 MW", "Caspian 0 MW"),
        ("[...]", "['AZ', 'GE']"),
        ("...42 MW", "1242 MW"),
        ("cost ... 3.2 bn ... done", "cost 3.9 bn then 3.2 bn and done"),
    ],
)
def test_matches(want: str, got: str) -> None:
    assert mismatch(want, got) is None


@pytest.mark.parametrize(
    ("want", "got", "why"),
    [
        ("total 3.239 bn EUR", "total 3.300 bn EUR", "the docs say 3.239"),
        ("Caspian 0 MW", "Caspian 1 MW", "the docs say 0"),
        ("year 2030", "year 2035", "the docs say 2030"),
        ("exports to EU", "exports to TR", "the text differs"),
        ("a ... z", "a b c", "the text differs"),
        ("3.2", "3.2 extra", "the text differs"),
    ],
)
def test_mismatches(want: str, got: str, why: str) -> None:
    assert why in (mismatch(want, got) or "")


def test_a_failing_comparison_of_a_long_output_returns() -> None:
    """Many ellipses against a long output that does not match: pieces are found left to
    right (a single regex with three ``.*?`` took minutes on this)."""
    got = "\n".join(f"line {i} value {i * 1.5}" for i in range(3000))
    assert mismatch("line 0 ... line 7 ... value 9.0 ... nothing like this", got) is not None


def test_tolerance_is_the_larger_of_half_a_digit_and_half_a_percent() -> None:
    assert number_matches("0.1", "0.14")  # half a unit of the last digit
    assert not number_matches("0.1", "0.16")
    assert number_matches("1000.0", "1004.9")  # 0.5 %
    assert not number_matches("1000.0", "1006")
    assert not number_matches("12", "12.4")  # whole numbers are exact


def test_console_blocks_split_into_commands_with_output_and_exit_code() -> None:
    block = Block(
        page="x.md",
        line=10,
        lang="console",
        body=(
            "$ caspian run \\\n  base\nline one\nline two\n"
            "$ caspian nothing\nerror: ...\n[exit 2]\n"
        ),
    )
    first, second = commands(block)
    assert first.text == "caspian run \\\n  base"
    assert first.expected == "line one\nline two"
    assert first.exit_code == 0
    assert second.exit_code == 2
    assert second.expected == "error: ..."
