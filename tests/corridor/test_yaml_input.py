"""Scenario and sweep files are read within bounds: aliases, nesting, size, odd values."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.corridor.scenario import load_scenario
from caspian.exceptions import InputError
from caspian.sweep.spec import load_sweep


def laughs(levels: int, key: str = "description") -> str:
    """A "billion laughs": each line is nine aliases of the one before, 9**levels values."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\n{key}: *a{levels - 1}\n"


def refusal(path: Path, text: str | bytes) -> str:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(InputError) as error:
        load_scenario(path)
    return str(error.value)


def test_nested_aliases_are_refused_not_expanded(tmp_path: Path) -> None:
    # 9**6 = 531,441 values: today's code showed all of them in a 4 MB message.
    message = refusal(tmp_path / "laughs.yaml", laughs(6))
    assert message.startswith(f"{tmp_path / 'laughs.yaml'}: holds more than 100,000 values once")
    assert "aliases are expanded (nested aliases, a 'billion laughs') (line 6, column" in message
    assert len(message) < 500


def test_nested_aliases_are_refused_in_a_sweep_too(tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text("name: x\n" + laughs(6, key="grid"))
    with pytest.raises(InputError, match="billion laughs"):
        load_sweep(path)


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text("prices: &p {gas_multiplier: 2.0}\ncaspian: {routes: [A]}\n")
    assert load_scenario(path).prices.gas_multiplier == 2.0


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_is_refused_before_recursion_runs_out(tmp_path: Path, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    message = refusal(tmp_path / "deep.yaml", f"description: {opener * 5000}1{closer * 5000}\n")
    assert "nests deeper than 50 levels (line 1, column" in message


def test_a_value_containing_itself_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path / "loop.yaml", "description: &a [1, *a]\n")
    assert "has an alias inside the value it refers to" in message


def test_a_file_over_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    message = refusal(tmp_path / "big.yaml", "description: " + "x" * 1_000_001 + "\n")
    assert "is larger than 1,000,000 bytes" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year: 2021-02-30\n", "has a value YAML cannot read: day is out of range for month"),
        ("weather_seed: " + "1" * 5000 + "\n", "has a value YAML cannot read: Exceeds the limit"),
        (b"description: \xff\xfe\n", "is not UTF-8 text (byte 14 cannot be decoded)"),
        ("extends: [base]\n", "extends = ['base']: must name a shipped scenario or a YAML file"),
        ("extends: 5\n", "extends = 5: must name a shipped scenario or a YAML file"),
    ],
)
def test_odd_values_are_input_errors_not_crashes(
    tmp_path: Path, text: str | bytes, expected: str
) -> None:
    assert expected in refusal(tmp_path / "odd.yaml", text)


def test_a_huge_integer_is_shown_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text("weather_seed: !!int " + "9" * 4000 + "\n")
    with pytest.raises(
        InputError,
        match=r"weather_seed = <an integer of about 400\d digits>: must be between 0 and 42949",
    ):
        load_scenario(path)


def test_shown_values_are_short_whatever_their_size() -> None:
    from caspian.exceptions import shown

    nested: list[object] = ["lol"] * 9
    for _ in range(12):  # 9**13 values, all shared
        nested = [nested] * 9
    assert len(shown(nested)) <= 200
    assert len(shown("x" * 10_000)) == 200
    assert shown({"b": 1, "a": [1, 2]}) == "{'b': 1, 'a': [1, 2]}"
    assert shown(10**5000) == "<an integer of about 5001 digits>"
    assert shown(float("inf")) == "inf"


def test_a_name_is_shipped_whatever_the_working_folder_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a file or folder called ``base`` in the working folder was read for ``base``
    (and for ``extends: base`` in every shipped scenario) instead of the shipped scenario."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base").mkdir()
    (tmp_path / "high-gas-price").write_text("name: not-shipped\n")
    assert load_scenario("base").name == "base"
    assert load_scenario("high-gas-price").name == "high-gas-price"


def test_extends_finds_a_relative_file_beside_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "parent.yaml").write_text("name: parent\nweather_seed: 7\n")
    (folder / "child.yaml").write_text("name: child\nextends: parent.yaml\n")
    monkeypatch.chdir(tmp_path)  # not where the files are
    assert load_scenario(folder / "child.yaml").weather_seed == 7
