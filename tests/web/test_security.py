"""The security rules: token, loopback, hosts and origins, paths, body size, headers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from caspian.cli.main import EXIT_INPUT, main
from caspian.exceptions import InputError
from caspian.web import WebSettings, create_app
from tests.web.conftest import TOKEN, TestClient

SECRET = "top secret, outside every run"


# --- access token -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/runs",
        "/runs/base",
        "/api/runs/base/files/network.nc",
        "/openapi.json",
        "/static/app.js",
        "/jobs/new",
    ],
)
def test_token_required_everywhere(make_client: Callable[..., TestClient], path: str) -> None:
    client = make_client(token=TOKEN)
    missing = client.get(path)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.get(path, headers={"Authorization": f"Bearer {TOKEN}x"})
    assert wrong.status_code == 401
    right = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200


def test_token_required_for_posts(make_client: Callable[..., TestClient]) -> None:
    client = make_client(token=TOKEN)
    response = client.post("/api/jobs", json={"scenario": "base"})
    assert response.status_code == 401


def test_login_sets_a_session_cookie(make_client: Callable[..., TestClient]) -> None:
    client = make_client(token=TOKEN)
    assert client.get("/login").status_code == 200  # the form is open
    refused = client.get("/login", params={"token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 401
    assert "caspian_session" not in client.cookies
    login = client.get("/login", params={"token": TOKEN}, follow_redirects=False)
    assert login.status_code == 303
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert TOKEN not in cookie  # the cookie is a keyed hash, not the token
    assert client.get("/api/runs").status_code == 200
    client.post("/logout")
    assert client.get("/api/runs").status_code == 401


def test_login_form_post(make_client: Callable[..., TestClient]) -> None:
    client = make_client(token=TOKEN)
    assert client.post("/login", data={"token": "nope"}).status_code == 401
    response = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/").status_code == 200


def test_forged_cookie_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client(token=TOKEN)
    client.cookies.set("caspian_session", TOKEN)
    assert client.get("/api/runs").status_code == 401


def test_non_loopback_needs_a_token(settings: WebSettings) -> None:
    with pytest.raises(InputError, match=r"refusing to serve on 0\.0\.0\.0") as error:
        create_app(WebSettings(results=settings.results, host="0.0.0.0"))
    assert "--token" in str(error.value)
    create_app(WebSettings(results=settings.results, host="0.0.0.0", token=TOKEN))
    create_app(WebSettings(results=settings.results, host="::1"))
    with pytest.raises(InputError, match="at least 16"):
        create_app(WebSettings(results=settings.results, token="short"))


def test_cli_refuses_non_loopback_without_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, results: Path
) -> None:
    monkeypatch.delenv("CASPIAN_TOKEN", raising=False)
    with pytest.raises(SystemExit) as done:
        main(["serve", "--host", "0.0.0.0", "--results", str(results)])
    assert done.value.code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0" in err and "CASPIAN_TOKEN" in err


def test_cli_serves_with_a_token_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, results: Path
) -> None:
    served: dict[str, Any] = {}

    def run(server: Any, sockets: list[Any]) -> None:
        served.update(config=server.config, port=sockets[0].getsockname()[1])

    monkeypatch.setattr("uvicorn.Server.run", run)
    monkeypatch.setenv("CASPIAN_TOKEN", TOKEN)
    with pytest.raises(SystemExit) as done:
        main(["serve", "--host", "0.0.0.0", "--port", "0", "--results", str(results)])
    assert done.value.code in (0, None)
    config = served["config"]
    assert (config.host, config.port, config.access_log) == ("0.0.0.0", served["port"], False)
    client = TestClient(config.app, base_url="http://0.0.0.0:8123")
    assert client.get("/api/runs").status_code == 401
    assert TOKEN not in capsys.readouterr().out


def test_cli_rejects_a_missing_catalogue(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["serve", "--catalogue", str(tmp_path / "nope.duckdb")])
    assert done.value.code == EXIT_INPUT
    assert "no sweep catalogue here" in capsys.readouterr().err


# --- hosts and origins ----------------------------------------------------------------------


def test_foreign_host_header_refused(client: TestClient) -> None:
    # A page on another site that resolves its name to 127.0.0.1 (DNS rebinding) is refused.
    response = client.get("/api/runs", headers={"Host": "evil.example:8000"})
    assert response.status_code == 400
    assert client.get("/api/runs", headers={"Host": "localhost:8000"}).status_code == 200


def test_cross_site_post_refused(client: TestClient) -> None:
    response = client.post(
        "/api/jobs", json={"scenario": "base"}, headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403
    assert client.get("/api/jobs").json() == []


# --- paths ----------------------------------------------------------------------------------


@pytest.fixture
def outside(results: Path) -> Iterator[Path]:
    secret = results.parent / "secret.csv"
    secret.write_text(SECRET)
    yield secret


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/base/files/../../secret.csv",
        "/api/runs/base/files/%2e%2e/%2e%2e/secret.csv",
        "/api/runs/base/files/%2E%2E%2F%2E%2E%2Fsecret.csv",
        "/api/runs/base/files/..%2f..%2fsecret.csv",
        "/api/runs/base/files/analysis/..%2f..%2f..%2fsecret.csv",
        "/api/runs/base/files//etc/passwd",
        "/api/runs/base/files/%2Fetc%2Fpasswd",
        "/api/runs/base/files/..%5c..%5csecret.csv",
        "/api/runs/base/files/.%2e/secret.csv",
        "/api/runs/..%2fbase/files/network.nc",
        "/api/runs/%2e%2e/files/secret.csv",
        "/runs/%2e%2e/report.html",
    ],
)
def test_path_traversal_refused(client: TestClient, outside: Path, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert SECRET not in response.text


def test_symlink_out_of_the_run_is_missing(
    client: TestClient, results: Path, outside: Path
) -> None:
    (results / "base" / "escape.csv").symlink_to(outside)
    (results / "base" / "analysis" / "up").symlink_to(results.parent, target_is_directory=True)
    response = client.get("/api/runs/base/files/escape.csv")
    assert response.status_code == 404
    assert SECRET not in response.text
    assert client.get("/api/runs/base/files/analysis/up/secret.csv").status_code == 404
    listed = [f["path"] for f in client.get("/api/runs/base/files").json()]
    assert "escape.csv" not in listed and not any("secret" in p for p in listed)
    archive = client.get("/api/runs/base/archive.zip")
    assert SECRET.encode() not in archive.content


def test_symlinked_run_folder_is_not_a_run(client: TestClient, results: Path) -> None:
    os.symlink(results / "base", results / "linked")
    ids = {run["id"] for run in client.get("/api/runs").json()}
    assert "linked" not in ids
    assert client.get("/api/runs/linked").status_code == 404


def test_only_result_files_are_served(client: TestClient, results: Path) -> None:
    (results / "base" / "private.key").write_text(SECRET)
    response = client.get("/api/runs/base/files/private.key")
    assert response.status_code == 400
    assert SECRET not in response.text
    assert client.get("/api/runs/base/files/nope.csv").status_code == 404


# --- body size ------------------------------------------------------------------------------


def test_oversized_body_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=4096)
    big = {"scenario": "base", "overrides": {"x": "y" * 5000}}
    response = client.post("/api/jobs", json=big)
    assert response.status_code == 413
    form = client.post("/jobs", data={"scenario": "base", "name": "n" * 5000})
    assert form.status_code == 413


def test_oversized_chunked_body_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=4096)

    def chunks() -> Iterator[bytes]:
        yield b'{"scenario": "base", "name": "'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    response = client.post(
        "/api/jobs", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert client.get("/api/jobs").json() == []


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/runs", "/api/runs/nope", "/static/app.css"])
def test_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_headers_on_refusals_too(make_client: Callable[..., TestClient]) -> None:
    response = make_client(token=TOKEN).get("/api/runs")
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"
