"""Downloads: a run's files as they are (CSV, JSON, PyPSA netCDF), CSV tables as Parquet, and
the whole folder as a zip."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from enum import StrEnum
from pathlib import Path

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from caspian.web.deps import DAMAGED, Run
from caspian.web.schemas import FileOut
from caspian.web.store import BadName, RunEntry, run_file, run_files
from caspian.web.summaries import file_list

router = APIRouter(tags=["downloads"])

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".nc": "application/x-netcdf",
    ".txt": "text/plain",
    ".html": "text/html",
}


class FileFormat(StrEnum):
    RAW = "raw"
    PARQUET = "parquet"


@router.get("/api/runs/{run_id}/files", summary="The files of a run, with download links")
def list_files(run: Run) -> list[FileOut]:
    return file_list(run)


@router.get(
    "/api/runs/{run_id}/files/{file_path:path}",
    response_class=FileResponse,
    summary="Download one file of a run; a CSV table also as Parquet (?format=parquet)",
    responses={
        400: {"description": "Not a file name a run has"},
        404: {"description": "No such file"},
        DAMAGED: {"description": "The file cannot be read, or (Parquet) is not a CSV table"},
    },
)
def download(run: Run, file_path: str, format: FileFormat = FileFormat.RAW) -> Response:
    path = _file(run, file_path)
    if format == FileFormat.PARQUET:
        if path.suffix != ".csv":
            raise HTTPException(400, f"only CSV tables convert to Parquet, not '{file_path}'.")
        return Response(
            _parquet(run, path, file_path),
            media_type="application/vnd.apache.parquet",
            headers=_attachment(f"{_download_name(run, path.with_suffix('.parquet'))}"),
        )
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix],
        filename=_download_name(run, path),
        content_disposition_type="inline" if path.suffix in (".txt", ".json") else "attachment",
    )


@router.get(
    "/api/runs/{run_id}/archive.zip",
    response_class=FileResponse,
    summary="The whole results folder of a run as a zip",
    responses={DAMAGED: {"description": "A file of the run cannot be read"}},
)
def archive(run: Run) -> FileResponse:
    descriptor, name_on_disk = tempfile.mkstemp(prefix="caspian-run-", suffix=".zip")
    os.close(descriptor)
    zip_path = Path(name_on_disk)
    name = run.id.replace("~", "_")
    relative, zipped_all = "", False
    try:
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zipped:
            for relative, _ in run_files(run):
                zipped.write(run_file(run, relative), f"{name}/{relative}")
        zipped_all = True
    except OSError as error:
        # A zip without one of the files would pass for the whole folder: none at all.
        raise HTTPException(
            DAMAGED,
            f"cannot zip run '{run.id}': {relative or 'its folder'} cannot be read "
            f"({error.strerror or type(error).__name__}).",
        ) from None
    finally:
        if not zipped_all:
            zip_path.unlink(missing_ok=True)
    return FileResponse(
        zip_path,
        media_type="application/zip",
        filename=f"{name}.zip",
        background=BackgroundTask(zip_path.unlink, missing_ok=True),
    )


def _file(run: RunEntry, relative: str) -> Path:
    """The file ``relative`` of ``run``, readable now: 400 for a name a run cannot have, 404
    for a missing file, 409 for one the server cannot read."""
    try:
        path = run_file(run, relative)
    except BadName as error:
        raise HTTPException(400, str(error)) from None
    except FileNotFoundError:
        raise HTTPException(404, f"run '{run.id}' has no file '{relative}'.") from None
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        # Found out here, not halfway through a response that has already said 200.
        raise HTTPException(
            DAMAGED, f"run '{run.id}': {relative} cannot be read ({error.strerror})."
        ) from None
    return path


def _parquet(run: RunEntry, csv: Path, relative: str) -> bytes:
    """A CSV table of a run as Parquet; a ``snapshot`` column becomes timestamps. HTTP 409 if
    the file is not a table that converts."""
    try:
        frame = pd.read_csv(csv)
        if len(frame.columns) and frame.columns[0] == "Unnamed: 0":  # an unnamed index
            frame = frame.rename(columns={"Unnamed: 0": "index"})
        if "snapshot" in frame.columns:
            frame["snapshot"] = pd.to_datetime(frame["snapshot"])
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
    except (ValueError, TypeError, OSError, NotImplementedError, pa.ArrowException) as error:
        # pandas' parser and date errors and Arrow's conversion errors are among these.
        text = " ".join(str(error).split())[:300] or type(error).__name__
        raise HTTPException(
            DAMAGED,
            f"run '{run.id}': {relative} cannot be converted to Parquet ({text}); download it "
            "as CSV instead.",
        ) from None
    return buffer.getvalue()


def _download_name(run: RunEntry, path: Path) -> str:
    relative = path.relative_to(run.path.resolve()) if path.is_absolute() else path
    return "_".join([run.id.replace("~", "_"), *relative.parts])


def _attachment(filename: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{filename}"'}
