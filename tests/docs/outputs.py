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


def _piece(want: str, at_end: bool) -> tuple[re.Pattern[str], list[str]]:
    """A regex for one piece of ``want`` between ellipses, with a group per number, and the
    numbers as written; ``at_end`` anchors it at the end of the text searched."""
    parts: list[str] = []
    numbers: list[str] = []
    position = 0
    for match in _WANT_NUMBER.finditer(want):
        parts.append(re.escape(want[position : match.start()]))
        parts.append(_GOT_NUMBER)
        numbers.append(match.group(0))
        position = match.end()
    parts.append(re.escape(want[position:]))
    return re.compile("".join(parts) + (r"\Z" if at_end else "")), numbers


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


def _numbers_problem(written: list[str], match: re.Match[str]) -> str | None:
    for want, printed in zip(written, match.groups(), strict=True):
        if not number_matches(want, printed):
            return f"the docs say {want}, the example printed {printed}"
    return None


def mismatch(want: str, got: str) -> str | None:
    """None if ``got`` matches ``want``; otherwise a short explanation.

    Like doctest's ellipsis matching: the first piece of ``want`` must start the text and the
    last must end it; the pieces between are found left to right, each at the first place where
    its text and its numbers both match. So a failing comparison costs linear time, not the
    exponential backtracking of one regex with many ``.*?``.
    """
    want_n, got_n = normalise(want), normalise(got)
    if want_n == got_n:
        return None
    texts = want_n.split(ELLIPSIS)
    if len(texts) == 1:
        pattern, numbers = _piece(texts[0], at_end=True)
        match = pattern.match(got_n)
        return "the text differs" if match is None else _numbers_problem(numbers, match)
    start, end = 0, len(got_n)
    pattern, numbers = _piece(texts[0], at_end=False)
    match = pattern.match(got_n)
    if match is None:
        return "the text differs"
    if problem := _numbers_problem(numbers, match):
        return problem
    start = match.end()
    last, last_numbers = _piece(texts[-1], at_end=True)
    found = _first_good(last, last_numbers, got_n, start, end)
    if isinstance(found, str):
        return found
    end = found.start()
    for text in texts[1:-1]:
        pattern, numbers = _piece(text, at_end=False)
        found = _first_good(pattern, numbers, got_n, start, end)
        if isinstance(found, str):
            return found
        start = found.end()
    return None


def _first_good(
    pattern: re.Pattern[str], numbers: list[str], text: str, start: int, end: int
) -> re.Match[str] | str:
    """The leftmost match in ``text[start:end]`` whose numbers match, or why there is none."""
    problem = "the text differs"
    position = start
    while (match := pattern.search(text, position, end)) is not None:
        if (problem_here := _numbers_problem(numbers, match)) is None:
            return match
        problem = problem_here
        position = match.start() + 1
    return problem
