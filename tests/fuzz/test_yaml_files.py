"""Fuzz the scenario and sweep parsers: YAML files built from the real keys with random values,
YAML tricks (aliases, anchors, tags, deep nesting, huge numbers) and raw garbage must load or be
refused with an input error, quickly and in bounded memory."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from caspian.corridor.scenario import load_scenario
from caspian.sweep.spec import expand, load_sweep, parameter_paths
from tests.fuzz.harness import FUZZ, check

SCENARIO_KEYS = sorted({path.split(".")[0] for path in parameter_paths()} | {"name", "extends"})
SWEEP_KEYS = ["name", "base", "grid", "sample", "description", "appraise", "max_cases"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1.5, 1e30, math.inf, -math.inf, math.nan, 7000, 24, 168]),
    st.text(max_size=20),
    st.sampled_from(["base", "../base", "/etc/passwd", "A", "B", "C", "lhs", "uniform", "hipo"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(["hours", "n", "dist", "low", "high"]), st.text(max_size=8)),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _from_paths(draw: st.DrawFn, paths: list[str], top: list[str]) -> dict[str, Any]:
    """A mapping that sets some real dotted paths (and some made-up top keys) to random values."""
    doc: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(paths), max_size=6)):
        node = doc
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[parts[-1]] = draw(values)
    for key in draw(st.lists(st.sampled_from(top), max_size=3)):
        doc[key] = draw(values)
    return doc


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    doc = _from_paths(draw, parameter_paths(), SCENARIO_KEYS)
    return _render(draw, doc)


@st.composite
def sweep_texts(draw: st.DrawFn) -> str:
    doc: dict[str, Any] = {
        "name": draw(st.sampled_from(["s", "fuzz-sweep", "../x", "A B"])),
        "base": draw(st.sampled_from(["base", "nowhere", "../base"])),
    }
    paths = parameter_paths()
    if draw(st.booleans()):
        doc["grid"] = {
            p: draw(st.one_of(st.lists(scalars, max_size=4), scalars))
            for p in draw(st.lists(st.sampled_from([*paths, "nope.x"]), max_size=3))
        }
    if draw(st.booleans()):
        doc["sample"] = {
            "n": draw(st.one_of(st.integers(0, 6), st.sampled_from([10**9, -1, 1e9, "many"]))),
            "method": draw(st.sampled_from(["lhs", "monte-carlo", "grid", 3])),
            "seed": draw(st.one_of(st.integers(0, 5), scalars)),
            "parameters": {
                p: draw(
                    st.one_of(
                        st.fixed_dictionaries(
                            {
                                "dist": st.sampled_from(["uniform", "normal", "choice", "beta"]),
                                "low": scalars,
                                "high": scalars,
                            }
                        ),
                        st.fixed_dictionaries(
                            {"dist": st.just("choice"), "values": st.lists(scalars, max_size=3)}
                        ),
                        values,
                    )
                )
                for p in draw(st.lists(st.sampled_from(paths), max_size=2))
            },
        }
    for key in draw(st.lists(st.sampled_from(SWEEP_KEYS), max_size=2)):
        doc[key] = draw(values)
    return _render(draw, doc)


def _render(draw: st.DrawFn, doc: dict[str, Any]) -> str:
    """``doc`` as YAML, or with a trick applied, or garbage."""
    kind = draw(
        st.sampled_from(
            ["plain", "plain", "plain", "aliases", "nesting", "tag", "garbage", "truncated"]
        )
    )
    text = yaml.safe_dump(doc, allow_unicode=True) if kind != "garbage" else ""
    if kind == "aliases":
        depth = draw(st.integers(1, 12))
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, depth)]
        key = draw(st.sampled_from(["description", "name", "caspian", "grid", "base"]))
        text = "\n".join(lines) + f"\n{key}: *a{depth - 1}\n" + text
    elif kind == "nesting":
        depth = draw(st.sampled_from([10, 100, 1_000, 5_000, 20_000]))
        opener = draw(st.sampled_from(["[", "{a: "]))
        closer = "]" if opener == "[" else "}"
        text = f"description: {opener * depth}1{closer * depth}\n" + text
    elif kind == "tag":
        tag = draw(
            st.sampled_from(
                [
                    "!!python/object/apply:os.system ['true']",
                    "!!binary aGVsbG8=",
                    "!custom 1",
                    "!!set {a, b}",
                    "!!timestamp 2001-12-14",
                ]
            )
        )
        text = f"description: {tag}\n" + text
    elif kind == "garbage":
        text = draw(st.text(max_size=300))
    elif kind == "truncated" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    return text


def _write(text: str, folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@FUZZ
@given(text=scenario_texts())
def test_scenario_files_load_or_are_refused(text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="caspian-fuzz-") as folder:
        try:
            path = _write(text, Path(folder), "fuzz.yaml")
        except UnicodeEncodeError:
            return
        check("scenario files", lambda: load_scenario(path))


@FUZZ
@given(text=sweep_texts())
def test_sweep_files_load_and_expand_or_are_refused(text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="caspian-fuzz-") as folder:
        try:
            path = _write(text, Path(folder), "fuzz-sweep.yaml")
        except UnicodeEncodeError:
            return
        check("sweep files", lambda: expand(load_sweep(path)))


@pytest.mark.parametrize("depth", [9, 12])
def test_billion_laughs_is_refused_quickly(depth: int) -> None:
    """The issue's 9-line document (and a deeper one): refused, not expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, depth)]
    text = "\n".join(lines) + f"\ndescription: *a{depth - 1}\n"
    with tempfile.TemporaryDirectory() as folder:
        path = _write(text, Path(folder), "laughs.yaml")
        assert check("billion laughs", lambda: load_scenario(path)) == "refused"
