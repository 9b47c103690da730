"""``caspian serve``: a dashboard and JSON API over the study's results folders.

Build the app with [`create_app`][caspian.web.app.create_app] from
[`WebSettings`][caspian.web.settings.WebSettings]; nothing is read from globals.

Routes (the JSON ones are described at ``/openapi.json``):

| route | what it serves |
|---|---|
| ``GET /`` | runs with their headline numbers, jobs, compare |
| ``GET /runs/{id}`` | one run: headlines, downloads, its report embedded |
| ``GET /runs/{id}/report.html`` | the offline report (written on first request) |
| ``GET /compare?a=&b=`` | two runs side by side |
| ``GET /jobs/new``, ``POST /jobs`` | the new-run form |
| ``GET /jobs/{job}`` | a job's progress |
| ``GET /login``, ``POST /login``, ``POST /logout`` | the browser session, when a token is set |
| ``GET /api/runs``, ``GET /api/runs/{id}`` | the same as JSON |
| ``GET /api/compare?a=&b=`` | two runs compared |
| ``GET /api/runs/{id}/files``, ``.../files/{path}`` | files; ``?format=parquet`` for a CSV table |
| ``GET /api/runs/{id}/archive.zip`` | the run folder zipped |
| ``GET /api/scenarios`` | scenarios and the parameters a job may change |
| ``GET /api/jobs``, ``POST /api/jobs``, ``GET /api/jobs/{job}`` | jobs |

Security: see ``caspian.web.security`` (host, token, body size, headers) and
``caspian.web.store`` (run ids and file paths).
"""

from __future__ import annotations

from caspian.web.app import create_app
from caspian.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
