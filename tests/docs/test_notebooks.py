"""Both example notebooks run offline from a fresh folder and print what they are stored with."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.docs.outputs import mismatch
from tests.docs.pages import DOCS

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


def _text(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(output["text"])
        elif kind in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif kind == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
    return "".join(parts)


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
