"""A damaged file breaks only the view that needs it: the other runs are listed as usual, the
damaged run is marked (list, API, its own page) with the file and what is wrong, and a damaged
catalogue leaves out its own runs with a notice."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import TestClient
from tests.web.test_runs_api import _sweep

SOUND = {"no-caspian-link", "run-20260101-000000~base"}
HTML = {"Accept": "text/html"}


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"scenario": "base", "total_cost', "is not valid JSON (Unterminated string"),
        (b"[1, 2]", "holds a JSON array, not an object"),
        (b'{"scenario": "base"}', "does not hold a run's headlines: caspian_capacity_mw: Field"),
        (b'{"scenario": 3, "caspian_capacity_mw": []}', "does not hold a run's headlines"),
        (b"\xff\xfe{}", "is not UTF-8 text (byte 0)"),
        (_deep(100_000), "nests too deep"),
    ],
    ids=["truncated", "array", "fields-missing", "wrong-types", "not-utf8", "deep"],
)
def test_damaged_headlines(client: TestClient, results: Path, content: bytes, problem: str) -> None:
    (results / "base" / "headlines.json").write_bytes(content)
    listing = client.get("/api/runs")
    assert listing.status_code == 200
    runs = {run["id"]: run for run in listing.json()}
    assert set(runs) == SOUND | {"base"}
    assert all(runs[r]["problems"] == [] and runs[r]["total_cost_eur_per_year"] for r in SOUND)
    broken = runs["base"]
    assert broken["total_cost_eur_per_year"] is None and broken["caspian_capacity_mw"] is None
    (found,) = broken["problems"]
    assert found["file"] == "headlines.json"
    assert found["message"].startswith(f"headlines.json {problem}"), found["message"]

    detail = client.get("/api/runs/base")
    assert detail.status_code == 200
    assert detail.json()["headlines"] is None
    assert detail.json()["problems"] == [found]
    assert "network.nc" in [f["path"] for f in detail.json()["files"]]

    page = client.get("/")
    assert page.status_code == 200
    assert 'data-broken="base"' in page.text and "damaged: headlines.json" in page.text
    assert '<option value="base"' not in page.text  # not offered for comparison
    own = client.get("/runs/base")
    assert own.status_code == 200
    assert 'data-problem="headlines.json"' in own.text
    assert "Damaged file <code>headlines.json</code> in run base" in own.text

    compared = client.get("/api/compare", params={"a": "base", "b": "no-caspian-link"})
    assert compared.status_code == 409
    assert compared.json()["detail"].startswith(
        f"cannot compare: run 'base': headlines.json {problem}"
    )
    compare_page = client.get("/compare?a=no-caspian-link&b=base", headers=HTML)
    assert compare_page.status_code == 409 and "headlines.json" in compare_page.text
    assert client.get("/runs/no-caspian-link").status_code == 200
    assert client.get("/api/runs/base/files/headlines.json").content == content


def test_headlines_too_large_are_not_read(client: TestClient, results: Path) -> None:
    with (results / "base" / "headlines.json").open("r+b") as stream:
        stream.truncate(5 * 1024 * 1024)
    (found,) = client.get("/api/runs/base").json()["problems"]
    assert found["message"] == "headlines.json has 5,242,880 bytes, more than the 4,194,304 read."


def test_headlines_that_lead_out_of_the_run_are_not_read(
    client: TestClient, results: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "private.json"
    elsewhere.write_text((results / "base" / "headlines.json").read_text())
    (results / "base" / "headlines.json").unlink()
    (results / "base" / "headlines.json").symlink_to(elsewhere)
    run = {r["id"]: r for r in client.get("/api/runs").json()}["base"]
    assert run["total_cost_eur_per_year"] is None
    assert run["problems"][0]["message"] == (
        "headlines.json is a link to a file outside the run folder; it is not read."
    )


def test_damaged_scenario_json(client: TestClient, results: Path) -> None:
    (results / "base" / "scenario.json").write_text('{"name": ')
    assert all(not r["problems"] for r in client.get("/api/runs").json())
    detail = client.get("/api/runs/base").json()
    assert detail["headlines"]["scenario"] == "base" and detail["scenario"] is None
    (found,) = detail["problems"]
    assert found["file"] == "scenario.json" and "is not valid JSON" in found["message"]
    assert client.get("/runs/base").status_code == 200
    compared = client.get("/api/compare", params={"a": "no-caspian-link", "b": "base"})
    assert compared.status_code == 409
    assert "run 'base': scenario.json is not valid JSON" in compared.json()["detail"]


def test_a_far_off_file_time_does_not_break_the_list(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caspian.web import store

    written = store._written

    def far_off(folder: Path) -> float | None:
        found = written(folder)
        return 1e20 if found is not None and folder.name == "base" else found

    monkeypatch.setattr("caspian.web.store._written", far_off)
    runs = client.get("/api/runs")
    assert runs.status_code == 200
    assert {r["id"]: r["modified_at"] for r in runs.json()}["base"] is None
    assert client.get("/").status_code == 200


def test_damaged_summary_fails_only_the_report(client: TestClient, results: Path) -> None:
    (results / "base" / "report.html").unlink(missing_ok=True)
    (results / "base" / "summary.json").write_text("{oops")
    report = client.get("/runs/base/report.html", headers=HTML)
    assert report.status_code == 409
    assert "cannot draw the report of run &#39;base&#39;" in report.text
    assert "summary.json" in report.text and "is not valid JSON" in report.text
    api = client.get("/runs/base/report.html")
    assert api.json()["detail"].startswith("cannot draw the report of run 'base': ")
    assert client.get("/runs/base").status_code == 200
    assert client.get("/api/runs").status_code == 200


def test_damaged_table_fails_only_its_parquet(client: TestClient, results: Path) -> None:
    table = results / "base" / "analysis" / "prices.csv"
    table.write_bytes(b'a,b\n1,"2\n\xff\xfe')
    response = client.get("/api/runs/base/files/analysis/prices.csv", params={"format": "parquet"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("run 'base': analysis/prices.csv cannot be converted to Parquet (")
    assert detail.endswith("download it as CSV instead.")
    assert client.get("/api/runs/base/files/analysis/prices.csv").content == table.read_bytes()
    (results / "base" / "links-p.csv").write_text("snapshot,x\nnot a time,1\n")
    dates = client.get("/api/runs/base/files/links-p.csv", params={"format": "parquet"})
    assert dates.status_code == 409 and "links-p.csv cannot be converted" in dates.text


def test_report_link_out_of_the_run_is_not_served(
    client: TestClient, results: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("<p>SECRET</p>")
    report = results / "base" / "report.html"
    report.unlink(missing_ok=True)
    report.symlink_to(secret)
    response = client.get("/runs/base/report.html")
    assert response.status_code == 200
    assert "SECRET" not in response.text and "plotly" in response.text.lower()
    assert secret.read_text() == "<p>SECRET</p>"


def test_unreadable_file(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused before the response starts (root reads any file, so the refusal is simulated)."""
    opened = Path.open

    def refusing(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "capacities.csv":
            raise PermissionError(13, "Permission denied")
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing)
    response = client.get("/api/runs/base/files/capacities.csv")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "run 'base': capacities.csv cannot be read (Permission denied)."
    )
    assert client.get("/api/runs/base/files/links-p.csv").status_code == 200


def test_a_zip_that_cannot_be_whole_is_refused_and_removed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    write = zipfile.ZipFile.write

    def failing(self: zipfile.ZipFile, filename: Any, *args: Any, **kwargs: Any) -> None:
        if str(filename).endswith("capacities.csv"):
            raise PermissionError(13, "Permission denied")
        write(self, filename, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "write", failing)
    response = client.get("/api/runs/base/archive.zip")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "cannot zip run 'base': capacities.csv cannot be read (Permission denied)."
    )
    assert not list(tmp_path.glob("caspian-run-*"))
    monkeypatch.setattr(zipfile.ZipFile, "write", write)
    whole = client.get("/api/runs/base/archive.zip")
    assert "base/capacities.csv" in zipfile.ZipFile(io.BytesIO(whole.content)).namelist()


@pytest.mark.parametrize("content", [b"not a database" * 100, b""], ids=["garbage", "empty"])
def test_damaged_catalogue_leaves_out_only_its_runs(
    make_client: Callable[..., TestClient], results: Path, tmp_path: Path, content: bytes
) -> None:
    good = _sweep(tmp_path / "sweep-good", results / "base")
    bad = tmp_path / "sweep-bad" / "catalogue.duckdb"
    bad.parent.mkdir()
    bad.write_bytes(content)
    client = make_client(catalogues=(bad, good))
    runs = client.get("/api/runs")
    assert runs.status_code == 200
    ids = {run["id"] for run in runs.json()}
    assert ids == SOUND | {"base", "sweep-good~runs~abababababab"}
    statuses = {c["path"]: c for c in client.get("/api/catalogues").json()}
    assert statuses[str(good)] == {"path": str(good), "runs": 1, "problem": None}
    assert statuses[str(bad)]["runs"] == 0
    assert statuses[str(bad)]["problem"].startswith("cannot be read, so its runs are not listed: ")
    page = client.get("/")
    assert page.status_code == 200
    assert f'data-catalogue="{bad}"' in page.text and "its runs are not listed" in page.text
    assert f'data-catalogue="{good}"' not in page.text
