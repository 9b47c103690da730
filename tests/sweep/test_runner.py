"""Sweeps on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from caspian.sweep.catalogue import Catalogue, RunRecord
from caspian.sweep.runner import CATALOGUE_FILE, CaseSettings, run_sweep
from caspian.sweep.spec import SweepCase, SweepSpec, expand

FAST = CaseSettings(appraise=False)


def small_sweep(name: str, growth: list[float] | None = None) -> SweepSpec:
    """Eight weekly-resolution cases (about a second each)."""
    grid: dict[str, list[object]] = {
        "prices.gas_multiplier": [1.0, 1.5, 2.0, 2.5],
        "weather_seed": [1, 2],
    }
    if growth is not None:
        grid = {"demand.growth_multiplier": growth}
    return SweepSpec.model_validate(
        {"name": name, "base": "base", "resolution": {"hours": 168}, "grid": grid}
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DaskCluster:
    """A `dask scheduler` and named `dask worker` processes, each its own OS process."""

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.tmp = tmp
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[IO[bytes]] = []
        self.scheduler = self._spawn(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"],
        )

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed in close()
        self.logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args], stdout=log, stderr=subprocess.STDOUT
        )

    def add_worker(self, name: str) -> None:
        args = ["worker", self.address, "--nthreads", "1", "--name", name, "--no-dashboard"]
        self.workers[name] = self._spawn(name, args)

    def wait_for(self, n_workers: int, timeout: float = 60.0) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout) as client:
            client.wait_for_workers(n_workers, timeout=timeout)

    def kill(self, name: str) -> None:
        self.workers[name].send_signal(signal.SIGKILL)
        self.workers[name].wait()

    def kill_mid_case(self, name: str, timeout: float = 60.0) -> str:
        """Kill worker ``name`` just after it starts a sweep case (a case takes about a second,
        so the case cannot end first); the key of that case's task."""
        from distributed import Client

        with Client(self.address, timeout=timeout, set_as_default=False) as client:
            workers = client.scheduler_info()["workers"]
            (address,) = [a for a, info in workers.items() if info["name"] == name]
            seen: set[str] | None = None  # running at the first look: started who knows when
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                running = {str(key) for key in client.call_stack().get(address, {})}
                started = running - (seen or set())
                if seen is not None and started:
                    self.kill(name)
                    return started.pop()
                seen = (seen or set()) | running
                time.sleep(0.01)
        raise AssertionError(f"worker {name} ran no case within {timeout} s")

    def close(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for log in self.logs:
            log.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    c = DaskCluster(tmp_path)
    try:
        c.add_worker("w1")
        c.add_worker("w2")
        c.wait_for(2)
        yield c
    finally:
        c.close()


def test_worker_killed_mid_sweep_loses_nothing(cluster: DaskCluster, tmp_path: Path) -> None:
    spec = small_sweep("kill-test")
    out = tmp_path / "out"
    lost: list[str] = []  # the case w1 was running when it was killed

    def kill_w1_mid_case(record: RunRecord) -> None:
        if not lost:
            lost.append(cluster.kill_mid_case("w1"))

    outcome = run_sweep(
        spec, out, scheduler=cluster.address, settings=FAST, on_record=kill_w1_mid_case
    )
    runs = Catalogue(out / CATALOGUE_FILE).runs(sweep="kill-test")
    assert len(runs) == len(expand(spec)) == 8
    assert runs["input_hash"].is_unique
    assert set(runs["status"]) == {"done"}, runs[["case_id", "status", "error"]]
    # The case lost with w1 was run again, to the end, on the worker left.
    (key,) = lost
    rerun = runs[runs["input_hash"].str[:24] == key.removeprefix("caspian-case-")]
    assert list(rerun["worker"]) == ["w2"], runs[["case_id", "input_hash", "worker"]]
    assert len(outcome.recorded) == 8
    # The same sweep again: everything is skipped, nothing is recorded twice.
    again = run_sweep(spec, out, scheduler=cluster.address, settings=FAST)
    assert again.recorded == [] and len(again.skipped) == 8
    assert len(Catalogue(out / CATALOGUE_FILE).runs()) == 8


def test_failing_case_is_recorded_and_the_sweep_goes_on(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    spec = small_sweep("fail-test", growth=[1.0, 10.0])  # 10x the growth: an impossible load
    outcome = run_sweep(spec, tmp_path / "out", scheduler=cluster.address, settings=FAST)
    status = {r.params["demand.growth_multiplier"]: r for r in outcome.recorded}
    assert status[1.0].status == "done"
    assert status[10.0].status == "failed"
    assert "InputError: nodes.annual_twh: load factor" in (status[10.0].error or "")
    # A retry runs only the failed case again.
    again = run_sweep(
        spec, tmp_path / "out", scheduler=cluster.address, settings=FAST, retry_failed=True
    )
    assert [r.case_id for r in again.recorded] == [status[10.0].case_id]


def test_a_case_invalid_only_with_its_values_together_is_recorded_and_the_rest_run(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    spec = SweepSpec.model_validate(
        {
            "name": "combo-test",
            "resolution": {"hours": 168},
            "grid": {"caspian.extendable": [False], "caspian.p_nom_mw": [1000, 8000]},
        }
    )
    outcome = run_sweep(spec, tmp_path / "out", scheduler=cluster.address, settings=FAST)
    runs = Catalogue(tmp_path / "out" / CATALOGUE_FILE).runs(sweep="combo-test")
    status = dict(zip(runs["case_id"], runs["status"], strict=True))
    assert status == {"c0000": "done", "c0001": "failed"}
    (failed,) = [r for r in outcome.recorded if r.status == "failed"]
    assert failed.error == (
        "InputError: the case is not a valid scenario: caspian.p_nom_mw (8000) is above "
        "caspian.p_nom_max_mw (7000); lower the one or raise the other"
    )
    assert failed.scenario["caspian"]["p_nom_mw"] == 8000
    # Known as failed: skipped on the next run, not run again.
    again = run_sweep(spec, tmp_path / "out", scheduler=cluster.address, settings=FAST)
    assert again.recorded == [] and sorted(again.skipped) == ["c0000", "c0001"]


def test_a_sweep_with_an_infinite_value_stops_before_any_case_or_catalogue(
    tmp_path: Path,
) -> None:
    from caspian.exceptions import InputError

    spec = SweepSpec.model_validate(
        {"name": "inf-test", "grid": {"caspian.p_nom_mw": [1500, float("inf")]}}
    )
    with pytest.raises(InputError, match=r"grid\.caspian\.p_nom_mw\[1\] = inf: must be a finite"):
        run_sweep(spec, tmp_path / "out", settings=FAST)
    assert not (tmp_path / "out").exists()


# --- records the catalogue can store -------------------------------------------------------


def test_records_with_values_that_are_not_finite_are_stored(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from caspian.sweep.runner import _record_fields

    fields = _record_fields(
        "a" * 64,
        "s",
        "c0000",
        {"caspian.p_nom_mw": float("inf"), "x": [float("nan"), (1, 2)]},
        {"caspian": {"p_nom_mw": float("-inf")}},
        status="done",
        error=None,
        started_at=datetime.now(UTC),
        headlines={"objective_eur": float("nan"), "bcr": float("inf"), "npv_eur": 5.0},
    )
    catalogue = Catalogue(tmp_path / CATALOGUE_FILE)
    assert catalogue.record(RunRecord(**fields))
    stored = catalogue.get("s/c0000")
    assert stored["params"] == {"caspian.p_nom_mw": "inf", "x": ["nan", [1, 2]]}
    assert stored["scenario"] == {"caspian": {"p_nom_mw": "-inf"}}
    assert stored["headlines"]["bcr"] is None and stored["headlines"]["npv_eur"] == 5.0


def test_a_record_the_catalogue_refuses_becomes_a_failed_record(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from caspian.exceptions import InputError
    from caspian.sweep.runner import _record_fields, _store

    class Refusing(Catalogue):
        calls = 0

        def record(self, rec: RunRecord) -> bool:
            self.calls += 1
            if self.calls == 1:
                raise InputError("cannot be stored as JSON: some reason.", attribute="params")
            return super().record(rec)

    catalogue = Refusing(tmp_path / CATALOGUE_FILE)
    fields = _record_fields(
        "b" * 64, "s", "c0001", {"k": 1}, {}, status="done", error=None,
        started_at=datetime.now(UTC), headlines={"npv_eur": 1.0},
    )  # fmt: skip
    record = _store(catalogue, fields)
    assert record.status == "failed"
    assert (record.error or "").startswith(
        "InputError: the result could not be stored: params: cannot be stored as JSON"
    )
    assert catalogue.runs()["status"].tolist() == ["failed"]


def test_interrupted_driver_resumes(cluster: DaskCluster, tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_runner import FAST, small_sweep
        from caspian.sweep.runner import run_sweep
        run_sweep(small_sweep("resume-test"), {str(out)!r}, scheduler={cluster.address!r},
                  settings=FAST, on_record=lambda r: print("recorded", flush=True))
        """
    )
    driver = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env=os.environ.copy()
    )
    assert driver.stdout is not None
    for _ in range(2):  # let two cases finish, then kill the driver
        assert driver.stdout.readline().strip() == b"recorded"
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    driver.stdout.close()
    before = Catalogue(out / CATALOGUE_FILE).runs(sweep="resume-test")
    assert 2 <= len(before) < 8
    time.sleep(0.5)
    outcome = run_sweep(small_sweep("resume-test"), out, scheduler=cluster.address, settings=FAST)
    after = Catalogue(out / CATALOGUE_FILE).runs(sweep="resume-test")
    assert len(after) == 8 and after["input_hash"].is_unique
    assert len(outcome.skipped) == len(before)


def test_the_same_case_in_two_sweeps_is_two_runs() -> None:
    from caspian.sweep.runner import case_hash

    def only_case(name: str, seed: int = 1) -> SweepCase:
        grid = {"weather_seed": [seed]}
        (case,) = expand(SweepSpec.model_validate({"name": name, "base": "base", "grid": grid}))
        return case

    one, again, two = only_case("one"), only_case("one"), only_case("two")
    assert one is not again
    # Built apart, the same inputs in the same sweep are one run: the hash is of the values,
    # not of the labels (the scenario's name names its sweep).
    assert case_hash(one, CaseSettings(), "one") == case_hash(again, CaseSettings(), "one")
    assert case_hash(two, CaseSettings(), "one") == case_hash(one, CaseSettings(), "one")
    # In another sweep they are another run, and other inputs another run again.
    hashes = {
        case_hash(one, CaseSettings(), "one"),
        case_hash(two, CaseSettings(), "two"),
        case_hash(only_case("one", seed=2), CaseSettings(), "one"),
    }
    assert len(hashes) == 3


def test_a_case_solves_and_appraises_with_the_method_of_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run and the appraisal of a case both get the sweep's method and its settings."""
    import json
    from types import SimpleNamespace

    from caspian.decompose import BendersOptions
    from caspian.sweep.runner import run_case

    appraised: list[object] = []

    def appraisal(*_: object, options: object, **__: object) -> SimpleNamespace:
        appraised.append(options)
        finance = SimpleNamespace(npv=1.0, bcr=1.0, irr=0.1)
        cba = SimpleNamespace(welfare_change=1.0, capacity_mw={"cable": 1500.0})
        return SimpleNamespace(finance=finance, cba=cba)

    monkeypatch.setattr("caspian.corridor.appraisal.appraise_corridor_link", appraisal)
    settings = CaseSettings(solver="benders", block_hours=13 * 168.0, gap=1e-3)
    (case,) = expand(small_sweep("method", growth=[1.0]))
    fields = run_case(
        "method", case.case_id, case.params, case.scenario.model_dump_json(), "0" * 64,
        str(tmp_path), settings.as_dict(),
    )  # fmt: skip
    assert fields["status"] == "done", fields["error"]
    summary = json.loads((Path(fields["results_path"]) / "summary.json").read_text())
    assert summary["algorithm"] == "benders"
    assert appraised == [BendersOptions(block_hours=13 * 168.0, gap=1e-3)]
    # the settings at their defaults hash as before the Benders settings existed
    assert CaseSettings().as_dict() == {"appraise": True, "solver": "auto", "time_limit": None}
