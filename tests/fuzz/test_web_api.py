"""Fuzz the dashboard's JSON API: random job requests (valid fields with random values, made-up
fields, non-finite numbers, raw bytes) and random run ids and file paths must be answered with a
success or a 4xx naming the problem, never a 500, a hang or a file outside the results folder.
Accepted jobs run a stand-in worker that fails at once, so nothing is solved."""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caspian.network.examples import demo_network
from caspian.optimize import optimize
from caspian.optimize.export import write_result
from caspian.web import WebSettings, create_app
from tests.fuzz.harness import FUZZ, record, time_limit

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

FAKE_WORKER = Path(__file__).parents[1] / "web" / "fake_worker.py"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    results = tmp_path_factory.mktemp("fuzz-results")
    write_result(optimize(demo_network(hours=24)), results / "demo")
    (results / "outside.txt").write_text("not a run's file")
    app = create_app(WebSettings(results=results, job_min_resolution_hours=24))
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        app.state.web.jobs.command = (sys.executable, str(FAKE_WORKER), "fail", "fuzz")
        yield test_client


def _record(target: str, status: int) -> None:
    assert status < 500, f"{target}: HTTP {status}"
    record(target, f"HTTP {status}")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 24, 168, 1e400, "inf", "NaN", "base", "../x", "/etc", "A" * 200]),
    st.text(max_size=30),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=20), inner, max_size=4)
    ),
    max_leaves=10,
)
OVERRIDE_PATHS = [
    "prices.gas_multiplier",
    "caspian.extendable",
    "caspian.capex_multiplier",
    "caspian.availability",
    "demand.growth_multiplier",
    "weather_seed",
    "nope.nothing",
]
job_bodies = st.fixed_dictionaries(
    {},
    optional={
        "scenario": st.one_of(st.sampled_from(["base", "no-caspian-link", "missing"]), scalars),
        "name": st.one_of(st.sampled_from(["fuzz-run", "../escape", "a/b", ".hidden"]), scalars),
        "resolution_hours": st.one_of(st.sampled_from([24, 48, 0, 169]), scalars),
        "overrides": st.one_of(
            st.dictionaries(st.sampled_from(OVERRIDE_PATHS), scalars, max_size=3), json_values
        ),
        "extra": json_values,
    },
)


sane_overrides = st.dictionaries(
    st.sampled_from(OVERRIDE_PATHS[:5]),
    st.one_of(st.floats(0, 2), st.booleans(), st.integers(1, 3)),
    max_size=2,
)
likely_jobs = st.fixed_dictionaries(
    {"scenario": st.sampled_from(["base", "no-caspian-link"])},
    optional={
        "name": st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
        "resolution_hours": st.sampled_from([24, 48, 168]),
        "overrides": sane_overrides,
    },
)
"""Requests that are mostly valid, so that jobs are accepted too."""


def _body(value: Any) -> bytes:
    """JSON as Python writes it, non-finite numbers included (``NaN``, ``Infinity``)."""
    return json.dumps(value, allow_nan=True).encode()


@FUZZ
@given(
    body=st.one_of(
        likely_jobs.map(_body),
        job_bodies.map(_body),
        json_values.map(_body),
        st.binary(max_size=200),
    ),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_job_requests_are_accepted_or_refused(
    client: TestClient, body: bytes, content_type: str
) -> None:
    with time_limit():
        response = client.post("/api/jobs", content=body, headers={"content-type": content_type})
    _record("job requests", response.status_code)


segments = st.one_of(
    st.sampled_from(["demo", "..", ".", "%2e%2e", "outside.txt", "demo~x", "~", "a" * 300, ""]),
    st.text(max_size=40),
)


@FUZZ
@given(run=segments, file=segments, other=segments)
def test_run_and_file_requests_stay_in_the_results(
    client: TestClient, run: str, file: str, other: str
) -> None:
    from urllib.parse import quote

    urls = [
        f"/api/runs/{quote(run, safe='')}",
        f"/api/runs/{quote(run, safe='')}/files",
        f"/api/runs/{quote(run, safe='')}/files/{quote(file, safe='/')}",
        f"/api/compare?a={quote(run, safe='')}&b={quote(other, safe='')}",
        f"/api/jobs/{quote(run, safe='')}",
        f"/runs/{quote(run, safe='')}",
    ]
    for url in urls:
        with time_limit():
            response = client.get(url)
        _record("run and file requests", response.status_code)
        if response.status_code == 200:
            assert b"not a run's file" not in response.content


def test_non_finite_job_values_are_422(client: TestClient) -> None:
    for value in (math.inf, -math.inf, math.nan):
        body = _body({"scenario": "base", "overrides": {"prices.gas_multiplier": value}})
        response = client.post(
            "/api/jobs", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, response.text
