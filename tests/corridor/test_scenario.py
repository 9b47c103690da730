"""Scenario files: loading, inheritance and the wording of validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.corridor.scenario import available_scenarios, load_scenario
from caspian.exceptions import InputError

SHIPPED = {
    "base",
    "no-caspian-link",
    "caspian-fixed-1.5gw",
    "caspian-route-turkmenistan",
    "high-gas-price",
    "eu-export-push",
    "2035",
}


def test_shipped_scenarios_load() -> None:
    assert set(available_scenarios()) >= SHIPPED
    for name in available_scenarios():
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.description


def test_extends_inherits_and_overrides() -> None:
    base = load_scenario("base")
    fixed = load_scenario("caspian-fixed-1.5gw")
    assert not fixed.caspian.extendable and fixed.caspian.p_nom_mw == 1500
    assert fixed.resolution == base.resolution and fixed.year == base.year
    assert load_scenario("2035").year == 2035
    assert load_scenario("no-caspian-link").caspian.routes == ()
    assert set(load_scenario("caspian-route-turkmenistan").caspian.routes) == {"A", "B"}


def test_unknown_key_gets_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("extends: base\ncaspian:\n  extendible: false\nyaer: 2035\n")
    with pytest.raises(InputError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    assert "unknown key 'caspian.extendible'. Did you mean 'extendable'?" in message
    assert "unknown key 'yaer'. Did you mean 'year'?" in message


def test_bad_value_names_key_and_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("year: 2040\nresolution:\n  hours: 0\n")
    with pytest.raises(InputError) as error:
        load_scenario(path)
    message = str(error.value)
    assert "year = 2040" in message and "resolution.hours = 0" in message


def test_bad_value_inside_a_list_is_shown(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("extends: base\ncaspian: {routes: [A, C]}\n")
    with pytest.raises(InputError, match=r"caspian\.routes\[1\] = 'C': Input should be 'A' or 'B'"):
        load_scenario(path)


def test_unknown_scenario_name() -> None:
    with pytest.raises(InputError, match=r"unknown scenario 'bsae'.*Did you mean 'base'"):
        load_scenario("bsae")


def test_extends_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(f"extends: {tmp_path / 'b.yaml'}\n")
    (tmp_path / "b.yaml").write_text(f"extends: {tmp_path / 'a.yaml'}\n")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")


# --- every value finite and in range ---------------------------------------------------------


def numeric_paths() -> list[str]:
    from caspian.sweep.spec import parameter_paths

    scenario = load_scenario("base").model_dump()
    paths = []
    for path in parameter_paths():
        node: object = scenario
        for part in path.split("."):
            node = node[part]  # type: ignore[index]
        field_kind = type(node)
        if field_kind in (int, float) or path == "black_sea.p_nom_mw":
            paths.append(path)
    return paths


def nested(path: str, value: object) -> dict[str, object]:
    *parents, leaf = path.split(".")
    doc: dict[str, object] = {leaf: value}
    for part in reversed(parents):
        doc = {part: doc}
    return doc


@pytest.mark.parametrize("path", numeric_paths())
@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", "Infinity", "1.0e+300"])
def test_no_number_of_a_scenario_may_be_infinite_or_absurd(
    tmp_path: Path, path: str, text: str
) -> None:
    import yaml

    doc = nested(path, "VALUE")
    body = yaml.safe_dump({"extends": "base", **doc}).replace("VALUE", text)
    file = tmp_path / "bad.yaml"
    file.write_text(body)
    with pytest.raises(InputError) as error:
        load_scenario(file)
    message = str(error.value)
    assert f"  - {path} = " in message
    assert "must be" in message or "Input should be" in message


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "caspian: {capex_multiplier: -0.5}",
            "caspian.capex_multiplier = -0.5: must be between 0 (excluded) and 100",
        ),
        ("caspian: {availability: 1.5}", "caspian.availability = 1.5: must be between 0 and 1"),
        (
            "caspian: {p_nom_mw: .inf}",
            "caspian.p_nom_mw = inf: must be a finite number between 0 and 100000",
        ),
        (
            "prices: {gas_multiplier: .nan}",
            "prices.gas_multiplier = nan: must be a finite number between 0 (excluded) and 100",
        ),
        (
            "demand: {growth_multiplier: 60}",
            "demand.growth_multiplier = 60: must be between 0 (excluded) and 10",
        ),
        ("weather_seed: -1", "weather_seed = -1: must be between 0 and 4294967295"),
        (
            "finance: {discount_rate_offset: 1}",
            "finance.discount_rate_offset = 1: must be between -0.05 and 0.2",
        ),
        ("caspian: {routes: [A, A]}", "caspian.routes = ['A', 'A']: lists route 'A' twice"),
    ],
)
def test_out_of_range_values_name_key_value_and_range(
    tmp_path: Path, setting: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: base\n{setting}\n")
    with pytest.raises(InputError) as error:
        load_scenario(path)
    assert expected in str(error.value)


@pytest.mark.parametrize("name", ["../victim", "/etc/cron.d/x", ".hidden", "a b", "x" * 101, ""])
def test_a_scenario_name_must_be_a_safe_file_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / "named.yaml"
    path.write_text(f"extends: base\nname: {name!r}\n")
    with pytest.raises(InputError) as error:
        load_scenario(path)
    assert "cannot be used as a file or folder name (it names the results folder)" in str(
        error.value
    )


def test_every_valid_scenario_reads_back_from_its_json() -> None:
    from caspian.corridor.scenario import Scenario

    for name in available_scenarios():
        scenario = load_scenario(name)
        assert Scenario.model_validate_json(scenario.model_dump_json()) == scenario
