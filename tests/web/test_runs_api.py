"""The runs and downloads API: list, one run, compare, files in every format."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import netCDF4
import pandas as pd
import pytest

from caspian.sweep.catalogue import Catalogue, RunRecord
from tests.web.conftest import TestClient


def test_list_runs_with_headlines(client: TestClient, results: Path) -> None:
    response = client.get("/api/runs")
    assert response.status_code == 200
    runs = {run["id"]: run for run in response.json()}
    assert set(runs) == {"base", "no-caspian-link", "run-20260101-000000~base"}
    heads = json.loads((results / "base" / "headlines.json").read_text())
    base = runs["base"]
    assert base["total_cost_eur_per_year"] == pytest.approx(heads["total_cost_eur_per_year"])
    assert base["eu_exports_twh"] == pytest.approx(heads["eu_exports_twh"])
    assert base["caspian_capacity_mw"] == pytest.approx(sum(heads["caspian_capacity_mw"].values()))
    assert runs["no-caspian-link"]["caspian_capacity_mw"] == 0
    assert base["url"] == "/runs/base"


def test_folders_that_are_not_runs_are_skipped(client: TestClient, results: Path) -> None:
    (results / "notes").mkdir()
    (results / ".base.tmp-123").mkdir()  # a run being written
    (results / ".base.tmp-123" / "headlines.json").write_text("{}")
    (results / "bad name").mkdir()
    (results / "bad name" / "headlines.json").write_text("{}")
    ids = {run["id"] for run in client.get("/api/runs").json()}
    assert ids == {"base", "no-caspian-link", "run-20260101-000000~base"}


def test_one_run(client: TestClient) -> None:
    response = client.get("/api/runs/run-20260101-000000~base")
    assert response.status_code == 200
    detail = response.json()
    assert detail["headlines"]["scenario"] == "base"
    assert detail["scenario"]["resolution"]["hours"] == 73
    files = {f["path"]: f for f in detail["files"]}
    assert {"network.nc", "headlines.json", "links-p.csv", "analysis/prices.csv"} <= set(files)
    assert files["links-p.csv"]["parquet_url"].endswith("links-p.csv?format=parquet")
    assert files["network.nc"]["parquet_url"] is None


def test_unknown_run_is_404_with_a_suggestion(client: TestClient) -> None:
    response = client.get("/api/runs/bsae")
    assert response.status_code == 404
    assert response.json()["detail"] == "no run 'bsae'. Did you mean 'base'?"


@pytest.mark.parametrize("run_id", [".hidden", "a~~b", "a~b~c~d", "x" * 200, "ba se"])
def test_malformed_run_id_is_400(client: TestClient, run_id: str) -> None:
    response = client.get(f"/api/runs/{run_id}")
    assert response.status_code == 400
    assert "is not a run id" in response.json()["detail"]


def test_compare_two_runs(client: TestClient) -> None:
    response = client.get("/api/compare", params={"a": "base", "b": "no-caspian-link"})
    assert response.status_code == 200
    comparison = response.json()
    rows = {row["quantity"]: row for row in comparison["headlines"]}
    cost = rows["total system cost"]
    assert cost["unit"] == "EUR/yr"
    assert cost["difference"] == pytest.approx(cost["b"] - cost["a"])
    assert cost["relative"] == pytest.approx((cost["b"] - cost["a"]) / cost["a"])
    assert rows["Caspian link capacity"]["b"] == 0
    assert "mean price: EU" in rows
    parameters = {p["parameter"]: p for p in comparison["parameters"]}
    assert parameters["caspian.routes"] == {
        "parameter": "caspian.routes",
        "a": ["A"],
        "b": [],
    }
    assert "name" in parameters and "resolution.hours" not in parameters


def test_compare_unknown_run(client: TestClient) -> None:
    response = client.get("/api/compare", params={"a": "base", "b": "nope"})
    assert response.status_code == 404
    assert client.get("/api/compare", params={"a": "base"}).status_code == 422


def test_pages_render(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/runs/no-caspian-link"' in page.text
    run = client.get("/runs/base")
    assert run.status_code == 200
    assert '<iframe id="report" src="/runs/base/report.html"' in run.text
    compare = client.get("/compare?a=base&b=no-caspian-link")
    assert compare.status_code == 200
    assert "caspian.routes" in compare.text
    missing = client.get("/runs/nope", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert "no run &#39;nope&#39;" in missing.text


def test_report_is_written_on_first_request(client: TestClient, results: Path) -> None:
    (results / "base" / "report.html").unlink(missing_ok=True)
    response = client.get("/runs/base/report.html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert (results / "base" / "report.html").is_file()
    assert "plotly" in response.text.lower()
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp
    assert "sandbox allow-scripts" in csp and "unsafe-eval" not in csp


def test_csv_download(client: TestClient, results: Path) -> None:
    response = client.get("/api/runs/base/files/analysis/prices.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content == (results / "base" / "analysis" / "prices.csv").read_bytes()
    assert "attachment" in response.headers["content-disposition"]


@pytest.mark.parametrize("name", ["links-p.csv", "capacities.csv", "analysis/cbam.csv"])
def test_parquet_download_reads_in_pandas(client: TestClient, results: Path, name: str) -> None:
    response = client.get(f"/api/runs/base/files/{name}", params={"format": "parquet"})
    assert response.status_code == 200
    assert response.content[:4] == b"PAR1"
    table = pd.read_parquet(io.BytesIO(response.content))
    original = pd.read_csv(results / "base" / name)
    assert table.shape == original.shape
    assert list(table.columns[1:]) == list(original.columns[1:])
    numbers = [c for c in original.columns[1:] if pd.api.types.is_numeric_dtype(original[c])]
    assert numbers
    pd.testing.assert_frame_equal(table[numbers], original[numbers])
    if name == "links-p.csv":
        assert pd.api.types.is_datetime64_any_dtype(table["snapshot"])


def test_parquet_only_from_csv(client: TestClient) -> None:
    response = client.get("/api/runs/base/files/network.nc", params={"format": "parquet"})
    assert response.status_code == 400
    bad = client.get("/api/runs/base/files/links-p.csv", params={"format": "xlsx"})
    assert bad.status_code == 422


def test_netcdf_download(client: TestClient, results: Path, tmp_path: Path) -> None:
    response = client.get("/api/runs/base/files/network.nc")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-netcdf"
    assert response.content == (results / "base" / "network.nc").read_bytes()
    (tmp_path / "got.nc").write_bytes(response.content)
    with netCDF4.Dataset(tmp_path / "got.nc") as data:
        assert len(data.variables) > 0


def test_zip_of_the_folder(client: TestClient) -> None:
    response = client.get("/api/runs/run-20260101-000000~base/archive.zip")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    prefix = "run-20260101-000000_base/"
    assert f"{prefix}network.nc" in names and f"{prefix}analysis/prices.csv" in names
    assert all(name.startswith(prefix) for name in names)


def test_openapi_separates_input_and_output_schemas(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/runs", "/api/runs/{run_id}", "/api/compare", "/api/jobs"} <= set(schema["paths"])
    assert {"JobIn", "JobOut", "RunOut", "RunDetailOut", "ComparisonOut"} <= set(
        schema["components"]["schemas"]
    )
    post = schema["paths"]["/api/jobs"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("JobIn")
    assert "/" not in schema["paths"]  # pages are not part of the API
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN


def _sweep(folder: Path, base: Path) -> Path:
    """A sweep folder with one finished run (a copy of ``base``) in its catalogue."""
    digest = "ab" * 32
    shutil.copytree(base, folder / "runs" / digest[:12])
    catalogue = Catalogue(folder / "catalogue.duckdb")
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    catalogue.record(
        RunRecord(
            input_hash=digest,
            sweep="gas",
            case_id="c0001",
            params={"prices.gas_multiplier": 2.0},
            scenario={"name": "gas-c0001"},
            status="done",
            error=None,
            started_at=moment,
            finished_at=moment,
            wall_seconds=1.0,
            build_seconds=None,
            solve_seconds=None,
            worker=None,
            headlines={"npv_eur": -3.0e8, "bcr": 0.8},
            results_path=str(folder / "runs" / digest[:12]),
            caspian_version="test",
        )
    )
    return folder / "catalogue.duckdb"


@pytest.mark.parametrize("inside", [False, True], ids=["elsewhere", "under-results"])
def test_catalogue_runs_are_listed(
    make_client: Callable[..., TestClient], results: Path, tmp_path: Path, inside: bool
) -> None:
    folder = (results if inside else tmp_path) / "sweep-gas"
    catalogue = _sweep(folder, results / "base")
    client = make_client(catalogues=(catalogue,))
    runs = [run for run in client.get("/api/runs").json() if run["source"] == "catalogue"]
    assert len(runs) == 1
    run = runs[0]
    assert run["id"] == "sweep-gas~runs~abababababab"
    assert (run["sweep"], run["case_id"], run["npv_eur"], run["bcr"]) == ("gas", "c0001", -3e8, 0.8)
    ids = [r["id"] for r in client.get("/api/runs").json()]
    assert ids.count(run["id"]) == 1
    files = client.get(f"/api/runs/{run['id']}/files").json()
    assert "network.nc" in [f["path"] for f in files]


def test_no_relative_change_from_solver_round_off() -> None:
    from caspian.web.summaries import _row

    row = _row("new capacity: KZ-W solar", "MW", 8.9e-4, 1500.0)
    assert row.difference == pytest.approx(1500.0) and row.relative is None
    assert _row("cost", "EUR", 2.0, 3.0).relative == pytest.approx(0.5)
