"""Catalogues: the sweep catalogues the server lists runs from, and whether each could be read."""

from __future__ import annotations

from fastapi import APIRouter

from caspian.web.deps import State
from caspian.web.schemas import CatalogueOut

router = APIRouter(tags=["catalogues"])


@router.get("/api/catalogues", summary="The sweep catalogues, their runs, and any problem")
def list_catalogues(state: State) -> list[CatalogueOut]:
    return [
        CatalogueOut(path=str(status.path), runs=status.runs, problem=status.problem)
        for status in state.index().catalogues
    ]
