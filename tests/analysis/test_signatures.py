"""Every analysis function of a solved network takes its result alone: the result carries the
network it was solved on (``result.network``), so a network and a result that do not belong
together cannot be passed."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = ["cba", "certificates", "common", "market", "standard", "tracing", "welfare"]

NETWORK_FROM_RESULT = {"caspian.analysis.cba.fix_investments"}
"""Functions that apply a result to another network on purpose: ``fix_investments`` fixes the
capacities of ``result`` in any network, e.g. the one without the links under study."""


def _public_functions() -> list[tuple[str, inspect.Signature]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(f"caspian.analysis.{name}")
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ == module.__name__:
                found.append((f"{module.__name__}.{attr}", inspect.signature(value)))
    return found


FUNCTIONS = _public_functions()


def test_the_functions_of_results_are_found() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in FUNCTIONS}
    assert {"area_welfare", "branch_flows", "trace", "compare", "standard_tables"} <= names


@pytest.mark.parametrize(("name", "signature"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_a_function_of_a_result_takes_no_network(name: str, signature: inspect.Signature) -> None:
    annotations = [str(p.annotation) for p in signature.parameters.values()]
    if "OptimizationResult" in annotations and name not in NETWORK_FROM_RESULT:
        assert "Network" not in annotations, f"{name}{signature}: use result.network"
