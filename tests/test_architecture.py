"""The package graph the architecture page describes, checked on the source: imports flow one
way down the stack, and each outside library stays behind the module that owns it.

Every import counts, at module level, inside functions and under ``TYPE_CHECKING`` alike: a
function-local import up the stack is still a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import caspian

SOURCE = Path(caspian.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("exceptions", "atomic", "names"),
    ("network",),
    ("optimize",),
    ("decompose",),
    ("analysis",),
    ("runs",),
    ("corridor",),
    ("sweep",),
    ("report",),
    ("web",),
    ("cli",),
)
"""Bottom to top: a package may import from its own layer's modules and from the layers below.
``caspian/__init__.py`` (the public API at the top) is exempt."""

RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}

OWNERS: dict[str, tuple[str, ...]] = {
    "highspy": ("optimize/highs.py",),
    "distributed": ("decompose/dask_pool.py", "sweep/runner.py"),
    "dask": ("decompose/dask_pool.py", "sweep/runner.py"),
    "typer": ("cli/",),
    "rich": ("cli/",),
    "uvicorn": ("cli/",),
    "fastapi": ("web/",),
    "starlette": ("web/",),
    "plotly": ("report/",),
    "duckdb": ("sweep/", "web/"),
}
"""Outside libraries and the only modules (or packages, ending in ``/``) that may import them."""


def _modules() -> Iterator[tuple[str, str, list[str]]]:
    """(path relative to the package, its top-level package, every module it imports)."""
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        package = relative.split("/")[0].removesuffix(".py")
        imported: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.append(node.module)
            elif isinstance(node, ast.Import):
                imported.extend(alias.name for alias in node.names)
        yield relative, package, imported


def test_every_package_has_a_layer() -> None:
    packages = {package for _, package, _ in _modules()} - {"__init__"}
    assert packages <= set(RANK), f"add {sorted(packages - set(RANK))} to LAYERS"


def test_imports_flow_one_way_down_the_stack() -> None:
    upward = []
    for relative, package, imported in _modules():
        if package == "__init__":
            continue
        for module in imported:
            parts = module.split(".")
            if parts[0] != "caspian" or len(parts) < 2 or parts[1] == package:
                continue
            if RANK.get(parts[1], -1) > RANK[package]:
                upward.append(f"{relative} imports {module}")
    assert not upward, "imports up the stack:\n" + "\n".join(upward)


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_outside_libraries_stay_behind_their_owners(library: str) -> None:
    owners = OWNERS[library]
    strays = [
        relative
        for relative, _, imported in _modules()
        if any(m.split(".")[0] == library for m in imported)
        and not any(relative == o or (o.endswith("/") and relative.startswith(o)) for o in owners)
    ]
    assert not strays, f"{library} is imported outside {', '.join(owners)}: {strays}"
