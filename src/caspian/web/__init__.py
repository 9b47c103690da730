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
| ``GET /jobs/{job}``, ``POST /jobs/{job}/restart`` | a job's progress; start it again |
| ``GET /login``, ``POST /login``, ``POST /logout`` | the browser session, when a token is set |
| ``GET /api/runs``, ``GET /api/runs/{id}`` | the same as JSON |
| ``GET /api/compare?a=&b=`` | two runs compared |
| ``GET /api/runs/{id}/files``, ``.../files/{path}`` | files; ``?format=parquet`` for a CSV table |
| ``GET /api/runs/{id}/archive.zip`` | the run folder zipped |
| ``GET /api/catalogues`` | the sweep catalogues and whether each could be read |
| ``GET /api/scenarios`` | scenarios and the parameters a job may change |
| ``GET /api/jobs``, ``POST /api/jobs``, ``GET /api/jobs/{job}`` | jobs |
| ``POST /api/jobs/{job}/restart`` | an interrupted or failed job started again |

Security: see ``caspian.web.security`` (host, token, body size, headers),
``caspian.web.finite_json`` (no NaN or infinity in a JSON body) and ``caspian.web.store`` (run
ids and file paths). Robustness: a damaged file of a run breaks only the views that need it
(``caspian.web.store``, ``caspian.web.summaries``); jobs run in worker processes that stopping
the server ends (``caspian.web.job_manager``).
"""

from __future__ import annotations

from caspian.web.app import create_app
from caspian.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
