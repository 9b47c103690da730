"""Does what an example printed match what the docs say it prints?

The rules (docs/contributing.md): whitespace runs count as one space; ``...`` stands for any text;
a number written with a decimal point or an exponent matches within 0.5 % (or half a unit of its
last printed digit, whichever is larger); a whole number must match exactly.
"""

from __future__ import annotations

import re

ELLIPSIS = "..."
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# A number not glued to a word or to another number: "3.239", "-484.5", "1,170.8", "2.4e-11", "0".
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
_WANT_NUMBER = re.compile(rf"(?<![\w.]){_NUMBER}(?![\w])")
_GOT_NUMBER = r"([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)"
RELATIVE = 0.005


def normalise(text: str) -> str:
    """Colour codes removed, every run of whitespace one space, ends stripped."""
    return " ".join(_ANSI.sub("", text).split())


def _pattern(want: str) -> tuple[re.Pattern[str], list[str]]:
    """A regex for ``want`` with a group per number, and the numbers as written."""
    parts: list[str] = []
    numbers: list[str] = []
    for piece_index, piece in enumerate(want.split(ELLIPSIS)):
        if piece_index:
            parts.append(".*?")
        position = 0
        for match in _WANT_NUMBER.finditer(piece):
            parts.append(re.escape(piece[position : match.start()]))
            parts.append(_GOT_NUMBER)
            numbers.append(match.group(0))
            position = match.end()
        parts.append(re.escape(piece[position:]))
    return re.compile("".join(parts), re.DOTALL), numbers


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def number_matches(want: str, got: str) -> bool:
    """``got`` (as printed) equals ``want`` (as written in the docs) within the rules."""
    w, g = _value(want), _value(got)
    mantissa = want.replace(",", "").lower().split("e")[0]
    if "." not in mantissa and "e" not in want.lower():
        return w == g
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(want.lower().split("e")[1]) if "e" in want.lower() else 0
    half_unit = 0.5 * 10.0 ** (exponent - decimals)
    return abs(g - w) <= max(RELATIVE * abs(w), half_unit) * (1 + 1e-12)


def mismatch(want: str, got: str) -> str | None:
    """None if ``got`` matches ``want``; otherwise a short explanation."""
    want_n, got_n = normalise(want), normalise(got)
    if want_n == got_n:
        return None
    pattern, numbers = _pattern(want_n)
    match = pattern.fullmatch(got_n)
    if match is None:
        return "the text differs"
    for written, printed in zip(numbers, match.groups(), strict=True):
        if not number_matches(written, printed):
            return f"the docs say {written}, the example printed {printed}"
    return None
