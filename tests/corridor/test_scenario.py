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
    with pytest.raises(InputError, match=r"caspian\.routes\.1 = 'C': Input should be 'A' or 'B'"):
        load_scenario(path)


def test_unknown_scenario_name() -> None:
    with pytest.raises(InputError, match=r"unknown scenario 'bsae'.*Did you mean 'base'"):
        load_scenario("bsae")


def test_extends_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(f"extends: {tmp_path / 'b.yaml'}\n")
    (tmp_path / "b.yaml").write_text(f"extends: {tmp_path / 'a.yaml'}\n")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
