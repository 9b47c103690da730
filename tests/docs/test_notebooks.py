"""Both example notebooks run offline from a fresh folder and print what they are stored with."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

from tests.docs.outputs import mismatch
from tests.docs.pages import DOCS

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


# The docs build's hook renders a cell's outputs; the test compares exactly that text.
_spec = importlib.util.spec_from_file_location("caspian_docs", DOCS / "hooks" / "caspian_docs.py")
assert _spec is not None and _spec.loader is not None
hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hook)


def _text(outputs: list[dict]) -> str:
    return "".join(t for t in map(hook.output_text, outputs) if t)


def test_both_notebooks_are_shipped() -> None:
    assert {p.name for p in NOTEBOOKS} == {"corridor-scenarios.ipynb", "custom-network.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_prints_its_stored_outputs(path: Path, tmp_path: Path) -> None:
    stored = nbformat.read(path, as_version=4)
    fresh = copy.deepcopy(stored)
    client = nbclient.NotebookClient(
        fresh, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    code = [(a, b) for a, b in zip(stored.cells, fresh.cells, strict=True) if a.cell_type == "code"]
    assert code, f"{path.name} has no code"
    for index, (before, after) in enumerate(code, start=1):
        want, got = _text(before.outputs), _text(after.outputs)
        problem = mismatch(want, got)
        assert problem is None, (
            f"{path.name}, code cell {index}: {problem}\n--- stored:\n{want}\n--- now:\n{got}"
        )
