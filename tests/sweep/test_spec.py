"""Sweep files: schema, sampling, expansion into scenarios, input hashes and error wording."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from caspian.corridor.scenario import load_scenario
from caspian.exceptions import InputError
from caspian.sweep.spec import (
    Sample,
    SweepSpec,
    draw_samples,
    expand,
    input_hash,
    load_sweep,
    parameter_paths,
    shipped_sweeps,
    sweep_folder,
)


def write(tmp_path: Path, content: dict[str, Any], name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def sampled(parameters: dict[str, Any], n: int, method: str = "lhs", seed: int = 7) -> SweepSpec:
    sample = {"n": n, "method": method, "seed": seed, "parameters": parameters}
    return SweepSpec.model_validate({"name": "test", "sample": sample})


def draws_of(spec: SweepSpec) -> list[dict[str, Any]]:
    assert spec.sample is not None
    return draw_samples(spec.sample)


def error_of(tmp_path: Path, content: dict[str, Any]) -> str:
    path = write(tmp_path, content)
    with pytest.raises(InputError) as error:
        expand(load_sweep(path))
    message = str(error.value)
    assert str(path) in message
    return message


# --- parameter paths ------------------------------------------------------------------------


def test_parameter_paths_come_from_the_scenario_model() -> None:
    paths = parameter_paths()
    for path in (
        "year",
        "weather_seed",
        "resolution.hours",
        "caspian.p_nom_mw",
        "caspian.capex_multiplier",
        "prices.gas_multiplier",
        "finance.discount_rate_offset",
        "demand.growth_multiplier",
    ):
        assert path in paths
    assert not {"name", "description", "extends", "caspian", "prices"} & set(paths)


# --- grid -----------------------------------------------------------------------------------


def test_grid_is_the_cartesian_product_last_key_fastest() -> None:
    spec = SweepSpec.model_validate(
        {
            "name": "g",
            "grid": {
                "caspian.extendable": [False],
                "caspian.p_nom_mw": [0, 1500, 3000],
                "prices.gas_multiplier": [1, 2.5],
            },
        }
    )
    cases = expand(spec)
    assert [c.case_id for c in cases] == [f"c{i:04d}" for i in range(6)]
    assert [(c.params["caspian.p_nom_mw"], c.params["prices.gas_multiplier"]) for c in cases] == [
        (0, 1),
        (0, 2.5),
        (1500, 1),
        (1500, 2.5),
        (3000, 1),
        (3000, 2.5),
    ]
    last = cases[-1].scenario
    assert last.name == "g-c0005"
    assert not last.caspian.extendable and last.caspian.p_nom_mw == 3000
    assert last.prices.gas_multiplier == 2.5
    base = load_scenario("base")
    assert last.demand == base.demand and last.resolution == base.resolution


def test_grid_times_sample_gives_every_grid_point_all_samples() -> None:
    spec = SweepSpec.model_validate(
        {
            "name": "gs",
            "grid": {"caspian.p_nom_mw": [0, 1500]},
            "sample": {
                "n": 4,
                "parameters": {"prices.gas_multiplier": {"dist": "uniform", "low": 1, "high": 2}},
            },
        }
    )
    cases = expand(spec)
    assert len(cases) == 8
    first, second = cases[:4], cases[4:]
    assert {c.params["caspian.p_nom_mw"] for c in first} == {0}
    assert {c.params["caspian.p_nom_mw"] for c in second} == {1500}
    gas = [c.params["prices.gas_multiplier"] for c in first]
    assert gas == [c.params["prices.gas_multiplier"] for c in second]
    assert all(c.scenario.prices.gas_multiplier == c.params["prices.gas_multiplier"] for c in cases)


def test_no_grid_and_no_sample_is_the_base_alone_with_resolution_and_name() -> None:
    spec = SweepSpec.model_validate({"name": "one", "resolution": {"hours": 24}})
    (case,) = expand(spec)
    assert case.case_id == "c0000" and case.params == {}
    assert case.scenario.name == "one-c0000" and case.scenario.resolution.hours == 24


def test_grid_can_set_resolution_and_weather_seed_over_the_override() -> None:
    spec = SweepSpec.model_validate(
        {
            "name": "r",
            "resolution": {"hours": 24},
            "grid": {"resolution.hours": [3, 12], "weather_seed": [2]},
        }
    )
    cases = expand(spec)
    assert [c.scenario.resolution.hours for c in cases] == [3, 12]
    assert {c.scenario.weather_seed for c in cases} == {2}


# --- sampling -------------------------------------------------------------------------------


def test_lhs_puts_exactly_one_sample_in_each_stratum_of_every_parameter() -> None:
    n = 40
    spec = sampled(
        {
            "prices.gas_multiplier": {"dist": "uniform", "low": 0.5, "high": 2.5},
            "demand.growth_multiplier": {"dist": "uniform", "low": 0.8, "high": 1.2},
        },
        n,
    )
    draws = draws_of(spec)
    for path, (low, high) in {
        "prices.gas_multiplier": (0.5, 2.5),
        "demand.growth_multiplier": (0.8, 1.2),
    }.items():
        values = np.array([d[path] for d in draws])
        strata = np.floor((values - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_lhs_stratifies_choice_by_its_weights() -> None:
    choice = {"dist": "choice", "values": [1.0, 0.75, 0.0], "weights": [0.9, 0.08, 0.02]}
    spec = sampled({"prices.gas_multiplier": choice}, 50)
    values = [d["prices.gas_multiplier"] for d in draws_of(spec)]
    assert [values.count(v) for v in (1.0, 0.75, 0.0)] == [45, 4, 1]


def test_same_seed_same_cases_other_seed_other_cases() -> None:
    parameters = {
        "prices.gas_multiplier": {"dist": "triangular", "low": 0.8, "mode": 1, "high": 2},
        "weather_seed": {"dist": "integers", "low": 1, "high": 5},
    }
    for method in ("lhs", "monte_carlo"):
        first = [c.params for c in expand(sampled(parameters, 20, method, seed=3))]
        again = [c.params for c in expand(sampled(parameters, 20, method, seed=3))]
        other = [c.params for c in expand(sampled(parameters, 20, method, seed=4))]
        assert first == again
        assert first != other


def test_monte_carlo_choice_follows_its_weights() -> None:
    n = 4000
    weights = [0.6, 0.3, 0.1]
    spec = sampled(
        {"weather_seed": {"dist": "choice", "values": [1, 2, 3], "weights": weights}},
        n,
        method="monte_carlo",
        seed=11,
    )
    draws = [d["weather_seed"] for d in draws_of(spec)]
    for value, weight in zip([1, 2, 3], weights, strict=True):
        # 5 standard deviations of a binomial share: never fails by chance at this seed or any.
        tolerance = 5 * np.sqrt(weight * (1 - weight) / n)
        assert abs(draws.count(value) / n - weight) < tolerance


def test_truncated_normal_and_integers_stay_in_bounds() -> None:
    spec = sampled(
        {
            "finance.discount_rate_offset": {
                "dist": "normal",
                "mean": 0.0,
                "sd": 0.05,
                "low": -0.01,
                "high": 0.02,
            },
            "weather_seed": {"dist": "integers", "low": 2, "high": 4},
        },
        500,
        method="monte_carlo",
    )
    draws = draws_of(spec)
    offsets = [d["finance.discount_rate_offset"] for d in draws]
    assert min(offsets) >= -0.01 and max(offsets) <= 0.02
    assert {d["weather_seed"] for d in draws} == {2, 3, 4}
    assert all(type(d["weather_seed"]) is int for d in draws)


def test_params_are_plain_json() -> None:
    for case in expand(load_sweep("caspian-uncertainty"))[:5]:
        assert json.loads(json.dumps(case.params)) == case.params


# --- shipped examples -----------------------------------------------------------------------


def test_shipped_examples_load_and_expand() -> None:
    assert {"caspian-uncertainty", "cable-size-grid"} <= set(shipped_sweeps())
    uncertainty = expand(load_sweep("caspian-uncertainty"))
    assert len(uncertainty) == 50
    assert len({input_hash(c.scenario) for c in uncertainty}) == 50
    grid = expand(load_sweep("cable-size-grid"))
    assert len(grid) == 8
    assert {c.scenario.caspian.p_nom_mw for c in grid} == {0, 1000, 1500, 3000}
    assert not any(c.scenario.caspian.extendable for c in grid)


def test_every_shipped_range_says_where_it_comes_from() -> None:
    for name in shipped_sweeps():
        lines = (sweep_folder() / f"{name}.yaml").read_text().splitlines()
        for number, line in enumerate(lines):
            key = line.strip().split(":")[0]
            if key in parameter_paths() and ("[" in line or "{" in line):
                assert lines[number - 1].strip().startswith("#"), f"{name}: {line}"


def test_a_relative_base_path_is_read_beside_the_sweep_file(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("extends: base\nyear: 2035\n")
    path = write(tmp_path, {"name": "b", "base": "mine.yaml"})
    (case,) = expand(load_sweep(path))
    assert case.scenario.year == 2035


# --- errors ---------------------------------------------------------------------------------


def test_unknown_top_level_key_gets_did_you_mean(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"name": "x", "grdi": {"weather_seed": [1]}})
    assert "unknown key 'grdi'. Did you mean 'grid'?" in message


def test_misspelt_parameter_path_gets_did_you_mean(tmp_path: Path) -> None:
    sample = {
        "n": 2,
        "parameters": {"prices.gas_multipler": {"dist": "uniform", "low": 1, "high": 2}},
    }
    message = error_of(tmp_path, {"name": "x", "sample": sample})
    assert (
        "sample.parameters: unknown scenario parameter 'prices.gas_multipler'. "
        "Did you mean 'prices.gas_multiplier'?" in message
    )
    message = error_of(tmp_path, {"name": "x", "grid": {"caspian.p_nom": [1]}})
    assert "grid: unknown scenario parameter 'caspian.p_nom'. Did you mean 'caspian.p_nom_mw'?" in (
        message
    )


@pytest.mark.parametrize(
    ("dist", "expected"),
    [
        (
            {"dist": "triangle", "low": 0, "high": 1},
            "sample.parameters.prices.gas_multiplier: unknown dist 'triangle'. "
            "Did you mean 'triangular'?",
        ),
        (
            {"dist": "uniform", "low": 2, "high": 1},
            "sample.parameters.prices.gas_multiplier = {'dist': 'uniform', 'low': 2, 'high': 1}: "
            "high (1.0) must be above low (2.0).",
        ),
        (
            {"dist": "uniform", "low": 1, "hihg": 2},
            "unknown key 'sample.parameters.prices.gas_multiplier.hihg'. Did you mean 'high'?",
        ),
        (
            {"dist": "normal", "mean": 1, "sd": -0.1},
            "sample.parameters.prices.gas_multiplier.sd = -0.1: must be above 0",
        ),
        (
            {"dist": "choice", "values": [1, 2], "weights": [1]},
            "has 2 values but 1 weights",
        ),
        (
            {"low": 1, "high": 2},
            "sample.parameters.prices.gas_multiplier = {'low': 1, 'high': 2}: needs 'dist', one "
            "of: choice, integers, normal, triangular, uniform.",
        ),
    ],
)
def test_bad_distribution_is_named(tmp_path: Path, dist: dict[str, Any], expected: str) -> None:
    sample = {"n": 2, "parameters": {"prices.gas_multiplier": dist}}
    assert expected in error_of(tmp_path, {"name": "x", "sample": sample})


def test_fractional_distribution_on_an_integer_field(tmp_path: Path) -> None:
    sample = {"n": 2, "parameters": {"weather_seed": {"dist": "uniform", "low": 1, "high": 5}}}
    message = error_of(tmp_path, {"name": "x", "sample": sample})
    assert "dist 'uniform' of parameters.weather_seed draws float values" in message
    assert "use dist: integers or dist: choice" in message


def test_parameter_in_grid_and_sample(tmp_path: Path) -> None:
    sample = {"n": 2, "parameters": {"weather_seed": {"dist": "choice", "values": [1, 2]}}}
    message = error_of(tmp_path, {"name": "x", "grid": {"weather_seed": [1]}, "sample": sample})
    assert "in both grid and sample.parameters: weather_seed." in message


def test_values_outside_the_scenario_ranges_are_all_listed_before_any_case(
    tmp_path: Path,
) -> None:
    content = {
        "name": "x",
        "grid": {"prices.gas_multiplier": [1.0, -0.5, 0.0], "weather_seed": [1, 2]},
        "sample": {
            "n": 2,
            "parameters": {"demand.growth_multiplier": {"dist": "uniform", "low": 0.5, "high": 20}},
        },
    }
    message = error_of(tmp_path, content)
    assert "3 values outside the scenario's ranges:" in message
    assert "grid.prices.gas_multiplier[1] = -0.5: must be between 0 (excluded) and 100" in message
    assert "grid.prices.gas_multiplier[2] = 0.0: must be between 0 (excluded) and 100" in message
    assert (
        "sample.parameters.demand.growth_multiplier: a uniform from 0.5 to 20.0 draws values "
        "outside the range of demand.growth_multiplier, which must be between 0 (excluded) and "
        "10; give low and high within that range." in message
    )


def test_cases_invalid_only_together_carry_their_error(tmp_path: Path) -> None:
    content = {
        "name": "x",
        "grid": {"caspian.extendable": [False], "caspian.p_nom_mw": [1000, 8000]},
    }
    valid, invalid = expand(load_sweep(write(tmp_path, content)))
    assert valid.scenario is not None and valid.error is None
    assert invalid.scenario is None and invalid.raw is not None
    assert invalid.error == (
        "caspian.p_nom_mw (8000) is above caspian.p_nom_max_mw (7000); lower the one or raise "
        "the other"
    )
    assert invalid.raw["caspian"]["p_nom_mw"] == 8000
    # No case at all valid: refused as a whole, each case named with its values.
    content["grid"]["caspian.p_nom_mw"] = [8000, 9000]
    message = error_of(tmp_path, content)
    assert "none of the 2 cases is a valid scenario" in message
    assert "c0001 (caspian.extendable=False, caspian.p_nom_mw=9000): caspian.p_nom_mw (9000)" in (
        message
    )


def test_bad_yaml_name_and_base_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ngrid: [unclosed\n")
    with pytest.raises(InputError, match=r"broken\.yaml: is not valid YAML"):
        load_sweep(path)
    message = error_of(tmp_path, {"name": "Not Valid", "base": "bsae"})
    assert "name = 'Not Valid'" in message
    message = error_of(tmp_path, {"name": "x", "base": "bsae"})
    assert "base: unknown scenario 'bsae'." in message and "Did you mean 'base'?" in message
    with pytest.raises(InputError, match="Did you mean 'cable-size-grid'"):
        load_sweep("cable-size-grd")


def test_sample_is_checked_when_built_in_python() -> None:
    with pytest.raises(ValueError, match="unknown scenario parameter 'weather'"):
        Sample.model_validate(
            {"n": 1, "parameters": {"weather": {"dist": "choice", "values": [1]}}}
        )


# --- input hash -----------------------------------------------------------------------------


def test_input_hash_ignores_labels_and_follows_values() -> None:
    base = load_scenario("base")
    renamed = base.model_copy(update={"name": "other", "description": "same inputs"})
    assert input_hash(renamed) == input_hash(base)
    assert len(input_hash(base)) == 64
    dearer = load_scenario("high-gas-price")
    assert input_hash(dearer) != input_hash(base)
    assert input_hash(base, {"solver": "ipm"}) != input_hash(base, {"solver": "simplex"})
    assert input_hash(base, {"solver": "ipm"}) != input_hash(base)


def test_input_hash_follows_the_shipped_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    import caspian.sweep.spec as spec_module

    base = load_scenario("base")
    before = input_hash(base)
    monkeypatch.setattr(spec_module, "dataset_digest", lambda: "another dataset")
    assert input_hash(base) != before


def test_input_hash_of_a_case_matches_the_same_scenario_from_a_file() -> None:
    grid = {c.case_id: c for c in expand(load_sweep("cable-size-grid"))}
    case = next(c for c in grid.values() if c.params["caspian.p_nom_mw"] == 1500)
    assert case.params["prices.gas_multiplier"] == 1
    assert input_hash(case.scenario) == input_hash(load_scenario("caspian-fixed-1.5gw"))


def test_input_hash_is_the_same_in_another_process() -> None:
    code = (
        "from caspian.corridor.scenario import load_scenario\n"
        "from caspian.sweep.spec import input_hash\n"
        "s = load_scenario('high-gas-price')\n"
        "print(input_hash(s, {'threads': 1, 'options': {'b': 0.1, 'a': [1, 2]}}))\n"
    )
    here = input_hash(
        load_scenario("high-gas-price"), {"options": {"a": [1, 2], "b": 0.1}, "threads": 1}
    )
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert out.stdout.strip() == here


# --- size, names and values checked before any case is made ---------------------------------


def load_error_of(tmp_path: Path, content: dict[str, Any]) -> str:
    """The InputError of loading (not expanding) ``content``: with an absurd size, expanding
    it would fill the memory of code that does not refuse it."""
    with pytest.raises(InputError) as error:
        load_sweep(write(tmp_path, content))
    return str(error.value)


def test_a_sample_of_a_billion_draws_is_refused_before_drawing(tmp_path: Path) -> None:
    sample = {"n": 10**9, "parameters": {"weather_seed": {"dist": "choice", "values": [1, 2]}}}
    message = load_error_of(tmp_path, {"name": "x", "sample": sample})
    assert "sample.n = 1000000000: must be between 1 and 1000000" in message


def test_a_grid_of_a_hundred_million_cases_is_refused_before_expanding(tmp_path: Path) -> None:
    values = [round(0.5 + i / 100, 2) for i in range(100)]
    grid = {
        "prices.gas_multiplier": values,
        "prices.coal_multiplier": values,
        "prices.eu_price_multiplier": values,
        "prices.market_price_multiplier": values,
    }
    message = load_error_of(tmp_path, {"name": "x", "grid": grid})
    assert (
        "the sweep has 100,000,000 cases (100 values of prices.gas_multiplier x 100 values of "
        "prices.coal_multiplier x 100 values of prices.eu_price_multiplier x 100 values of "
        "prices.market_price_multiplier), more than max_cases = 100,000. Use fewer grid values "
        "or draws, or raise max_cases in the sweep file (at most 1,000,000)." in message
    )


def test_max_cases_caps_grid_points_times_draws_and_may_be_raised(tmp_path: Path) -> None:
    sample = {"n": 3, "parameters": {"weather_seed": {"dist": "choice", "values": [1, 2]}}}
    content = {"name": "x", "grid": {"year": [2030, 2035]}, "sample": sample, "max_cases": 5}
    assert "the sweep has 6 cases" in load_error_of(tmp_path, content)
    content["max_cases"] = 6
    assert len(expand(load_sweep(write(tmp_path, content)))) == 6
    content["max_cases"] = 10**7
    assert "max_cases = 10000000: must be between 1 and 1000000" in load_error_of(tmp_path, content)


def test_infinite_and_out_of_range_values_are_refused_before_any_case() -> None:
    spec = SweepSpec.model_validate(
        {"name": "x", "grid": {"caspian.p_nom_mw": [1500, float("inf")]}}
    )
    with pytest.raises(InputError) as error:
        expand(spec)
    message = str(error.value)
    assert "1 value outside the scenario's ranges:" in message
    assert "grid.caspian.p_nom_mw[1] = inf: must be a finite number between 0 and 100000" in (
        message
    )


@pytest.mark.parametrize(
    ("name", "ok"),
    [("gas-price", True), ("Gas_Price.v2", True), ("../x", False), ("a/b", False),
     (".hidden", False), ("x" * 80, True), ("x" * 81, False)],
)  # fmt: skip
def test_a_sweep_name_must_be_a_safe_file_name(tmp_path: Path, name: str, ok: bool) -> None:
    content = {"name": name, "grid": {"weather_seed": [1]}}
    if ok:
        (case,) = expand(load_sweep(write(tmp_path, content)))
        assert case.scenario is not None and case.scenario.name == f"{name}-c0000"
    else:
        message = error_of(tmp_path, content)
        assert f"name = {name!r}: " in message
