"""The results catalogue: round trips, skip-if-done, id lookup, SQL, crash safety and locking."""

from __future__ import annotations

import hashlib
import json
import math
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

from caspian.exceptions import InputError
from caspian.sweep.catalogue import (
    CATALOGUE_FILENAME,
    HEADLINE_COLUMNS,
    Catalogue,
    RunRecord,
)

START = datetime(2030, 1, 1, 12, 0, 0)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_record(case_id: str = "c0001", **changes: Any) -> RunRecord:
    record = RunRecord(
        input_hash=digest(case_id),
        sweep="base",
        case_id=case_id,
        params={"wind_capex_eur_per_kw": 1200.0, "carbon": {"price": 80, "note": "ETS – 2030"}},
        scenario={"name": "central", "year": 2030, "links": ["Caspian-AZ", "Caspian-KZ"]},
        status="done",
        error=None,
        started_at=START,
        finished_at=START + timedelta(seconds=42.5),
        wall_seconds=42.5,
        build_seconds=3.25,
        solve_seconds=38.0,
        worker="tcp://127.0.0.1:40000",
        headlines={
            "objective_eur": 1.5e9,
            "caspian_mw": 2000.0,
            "npv_eur": -3.0e8,
            "bcr": 0.8,
            "eu_exports_twh": 12.5,
            "emissions_mt": 41.0,
            "welfare_change_eur": 5.0e7,
            "irr": 0.04,
            "appraised_mw": 2000.0,
        },
        results_path=f"/sweeps/base/runs/{digest(case_id)[:12]}",
        caspian_version="0.1.0",
    )
    return replace(record, **changes)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "sweep" / CATALOGUE_FILENAME


@pytest.fixture
def cat(path: Path) -> Catalogue:
    return Catalogue(path)


# --- round trip ---------------------------------------------------------------------------


def test_record_then_get_gives_the_same_values_back(cat: Catalogue) -> None:
    rec = make_record()
    assert cat.record(rec) is True

    got = cat.get(rec.run_id)

    assert got["run_id"] == rec.run_id == rec.input_hash[:12]
    assert isinstance(got.pop("recorded_at"), datetime)
    assert got.pop("run_id") == rec.run_id
    expected = {f: getattr(rec, f) for f in rec.__dataclass_fields__}
    assert got == expected
    assert got["params"]["carbon"]["note"] == "ETS – 2030"


def test_runs_has_a_row_per_run_with_json_parsed(cat: Catalogue) -> None:
    rec = make_record()
    cat.record(rec)

    frame = cat.runs()

    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["input_hash"] == rec.input_hash
    assert row["run_id"] == rec.run_id
    assert (row["sweep"], row["case_id"], row["status"]) == ("base", "c0001", "done")
    assert row["params"] == rec.params
    assert row["scenario"] == rec.scenario
    assert row["extra_headlines"] == {}
    for name in HEADLINE_COLUMNS:
        assert row[name] == rec.headlines[name]
    assert row["started_at"] == START
    assert row["wall_seconds"] == 42.5


def test_headlines_are_double_columns_queryable_with_sql(cat: Catalogue, path: Path) -> None:
    cat.record(make_record("c0001", headlines={"caspian_mw": 1000.0}))
    cat.record(make_record("c0002", headlines={"caspian_mw": 3000.0}))
    cat.record(make_record("c0003", status="failed", error="boom", headlines={}))

    types = cat.query(
        "select column_name, data_type from information_schema.columns where table_name = 'runs'"
    ).set_index("column_name")["data_type"]
    assert all(types[name] == "DOUBLE" for name in HEADLINE_COLUMNS)
    assert types["started_at"] == "TIMESTAMP"

    mean = cat.query("select avg(caspian_mw) as mean from runs where status = 'done'")
    assert mean["mean"].tolist() == [2000.0]
    # plain DuckDB, no caspian-grid involved; the JSON columns work with DuckDB's JSON functions
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select case_id, params->>'$.carbon.price' from runs where status = 'done' "
            "order by case_id"
        ).fetchall()
    assert rows == [("c0001", "80"), ("c0002", "80")]


def test_unknown_headlines_go_to_the_json_column_and_nan_is_null(cat: Catalogue) -> None:
    rec = make_record(headlines={"caspian_mw": 500.0, "bcr": math.nan, "lcot": 31.5, "x": None})
    cat.record(rec)

    got = cat.get(rec.run_id)["headlines"]
    assert got == {
        "objective_eur": None,
        "caspian_mw": 500.0,
        "npv_eur": None,
        "bcr": None,
        "eu_exports_twh": None,
        "emissions_mt": None,
        "welfare_change_eur": None,
        "irr": None,
        "appraised_mw": None,
        "lcot": 31.5,
        "x": None,
    }
    stored = cat.query("select bcr, extra_headlines from runs")
    assert stored["bcr"].isna().all()
    assert json.loads(stored["extra_headlines"][0]) == {"lcot": 31.5, "x": None}


def test_aware_datetimes_are_stored_in_utc(cat: Catalogue) -> None:
    baku = timezone(timedelta(hours=4))
    rec = make_record(started_at=datetime(2030, 1, 1, 16, 0, tzinfo=baku))
    cat.record(rec)
    assert cat.get(rec.run_id)["started_at"] == datetime(2030, 1, 1, 12, 0)
    cat.record(make_record("c0002", started_at=datetime(2030, 1, 1, 12, 0, tzinfo=UTC)))
    assert cat.get(digest("c0002"))["started_at"] == datetime(2030, 1, 1, 12, 0)


# --- skip if done, replace if failed --------------------------------------------------------


def test_a_second_done_record_is_skipped(cat: Catalogue) -> None:
    assert cat.record(make_record()) is True
    assert cat.record(make_record(wall_seconds=99.0)) is False
    assert cat.record(make_record(status="failed", error="late")) is False

    frame = cat.runs()
    assert len(frame) == 1
    assert frame["wall_seconds"].tolist() == [42.5]
    assert frame["status"].tolist() == ["done"]


def test_a_failed_record_is_replaced_by_a_new_one(cat: Catalogue) -> None:
    assert cat.record(make_record(status="failed", error="solver time limit", headlines={}))
    assert cat.status_by_hash() == {digest("c0001"): "failed"}
    assert cat.record(make_record(status="failed", error="again", headlines={})) is True
    assert cat.get(digest("c0001"))["error"] == "again"

    assert cat.record(make_record()) is True

    frame = cat.runs()
    assert len(frame) == 1
    assert frame["status"].tolist() == ["done"]
    assert frame["error"].isna().all()
    assert cat.status_by_hash() == {digest("c0001"): "done"}


def test_runs_filters_by_sweep_and_status(cat: Catalogue) -> None:
    cat.record(make_record("c0001"))
    cat.record(make_record("c0002", status="failed", error="x"))
    cat.record(make_record("c0003", sweep="other"))

    assert cat.runs(sweep="base")["case_id"].tolist() == ["c0001", "c0002"]
    assert cat.runs(status="failed")["case_id"].tolist() == ["c0002"]
    assert cat.runs(sweep="other", status="done")["case_id"].tolist() == ["c0003"]
    assert cat.runs(sweep="none").empty
    with pytest.raises(InputError, match=r"unknown status 'ok'\. Use one of done, failed\."):
        cat.runs(status="ok")


# --- looking up a run ----------------------------------------------------------------------


def test_get_accepts_a_unique_prefix_in_any_case(cat: Catalogue) -> None:
    rec = make_record()
    cat.record(rec)
    cat.record(make_record("c0002"))
    assert rec.input_hash[:5] != digest("c0002")[:5]

    assert cat.get(rec.input_hash[:5].upper())["case_id"] == "c0001"
    assert cat.get(f" {rec.input_hash} ")["case_id"] == "c0001"


def test_get_accepts_sweep_slash_case_id(cat: Catalogue) -> None:
    cat.record(make_record("c0001"))
    cat.record(make_record("c0002"))
    assert cat.get("base/c0002")["input_hash"] == digest("c0002")
    with pytest.raises(InputError, match="no run 'other/c0002' in the catalogue"):
        cat.get("other/c0002")


def test_get_unknown_id_suggests_close_ids(cat: Catalogue, path: Path) -> None:
    rec = make_record()
    cat.record(rec)
    typo = rec.run_id[:-1] + ("0" if rec.run_id[-1] != "0" else "1")

    with pytest.raises(InputError) as info:
        cat.get(typo)

    message = str(info.value)
    assert message.startswith(f"{path}: no run '{typo}' in the catalogue.")
    assert f"Did you mean {rec.run_id} (sweep 'base', case c0001)?" in message
    assert "select run_id, sweep, case_id, status from runs" in message


def test_get_with_a_case_id_names_its_runs(cat: Catalogue) -> None:
    rec = make_record("c0007")
    cat.record(rec)
    with pytest.raises(
        InputError,
        match=rf"'c0007' is a case id, not a run id; its runs: {rec.run_id} \(sweep 'base'",
    ):
        cat.get("c0007")


def test_get_ambiguous_prefix_lists_the_matches(cat: Catalogue) -> None:
    first = make_record("c0001", input_hash="ab1" + digest("1")[3:])
    second = make_record("c0002", input_hash="ab2" + digest("2")[3:])
    cat.record(first)
    cat.record(second)

    with pytest.raises(InputError) as info:
        cat.get("ab")

    message = str(info.value)
    assert "run id 'ab' is ambiguous: it matches 2 runs: " in message
    assert f"{first.run_id} (sweep 'base', case c0001), {second.run_id} (sweep" in message
    assert message.endswith("Give more characters of the run id.")
    assert cat.get("ab2")["case_id"] == "c0002"


def test_get_empty_id_is_an_error(cat: Catalogue) -> None:
    with pytest.raises(InputError, match="the run id is empty"):
        cat.get("  ")


# --- SQL ---------------------------------------------------------------------------------


def test_query_errors_carry_duckdbs_message(cat: Catalogue, path: Path) -> None:
    with pytest.raises(InputError, match=r"the query failed: .*Parser Error: syntax error") as e:
        cat.query("selec 1")
    assert str(e.value).startswith(f"{path}: ")
    with pytest.raises(InputError, match=r"the query failed: .*nope"):
        cat.query("select nope from runs")


def test_query_cannot_write_nor_touch_other_files(cat: Catalogue, tmp_path: Path) -> None:
    cat.record(make_record())
    with pytest.raises(InputError, match=r"the query failed: .*read-only mode"):
        cat.query("delete from runs")
    with pytest.raises(InputError, match="the query failed"):
        cat.query(f"copy runs to '{tmp_path / 'out.csv'}'")
    assert not (tmp_path / "out.csv").exists()
    assert len(cat.runs()) == 1


# --- validation of records -----------------------------------------------------------------


def test_bad_records_are_refused_and_nothing_is_stored(cat: Catalogue) -> None:
    with pytest.raises(InputError, match=r"run c0001\.input_hash: is not a sha256 hex digest"):
        cat.record(make_record(input_hash="ABC"))
    with pytest.raises(InputError, match=r"run c0001\.status: unknown status 'ok'"):
        cat.record(make_record(status="ok"))
    with pytest.raises(InputError, match=r"run c0001\.params: cannot be stored as JSON"):
        cat.record(make_record(params={"when": datetime(2030, 1, 1)}))
    with pytest.raises(InputError, match=r"run c0001\.headlines\['bcr'\]: must be a finite"):
        cat.record(make_record(headlines={"bcr": math.inf}))
    with pytest.raises(InputError, match=r"run c0001\.wall_seconds: must be a finite number"):
        cat.record(make_record(wall_seconds=math.nan))
    assert cat.runs().empty


# --- opening -------------------------------------------------------------------------------


def test_opening_is_idempotent_and_keeps_the_rows(cat: Catalogue, path: Path) -> None:
    cat.record(make_record())
    again = Catalogue(path)
    assert again.status_by_hash() == {digest("c0001"): "done"}
    assert Catalogue(path, create=False).runs()["case_id"].tolist() == ["c0001"]


def test_opening_a_missing_catalogue_without_create_writes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / CATALOGUE_FILENAME
    with pytest.raises(InputError, match=r"no catalogue here\. A sweep writes catalogue\.duckdb"):
        Catalogue(missing, create=False)
    assert not missing.parent.exists()


def test_opening_a_folder_or_a_foreign_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is a folder, not a catalogue file\. Pass the file"):
        Catalogue(tmp_path)
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 100)
    with pytest.raises(InputError, match="cannot open the catalogue"):
        Catalogue(text)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("create table runs (x int)")
    with pytest.raises(InputError, match="has a table `runs` but is not a caspian-grid catalogue"):
        Catalogue(other)


def test_another_schema_version_is_refused(cat: Catalogue, path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("update catalogue_meta set value = '99' where key = 'schema_version'")
    with pytest.raises(InputError, match="catalogue schema version 99; this caspian-grid reads"):
        Catalogue(path)


# --- crash safety and locking (separate processes) -------------------------------------------


def _child(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"child did not get ready: {line!r} {err}")


def test_a_writer_killed_mid_transaction_leaves_no_partial_rows(cat: Catalogue, path: Path) -> None:
    cat.record(make_record("c0001"))
    cat.record(make_record("c0002", status="failed", error="x"))
    # One committed row that lives only in the write-ahead log, then a transaction big enough
    # for DuckDB to write row groups into the file before it commits; then the kill.
    code = f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute(
            "insert into runs select * replace (sha256('committed') as input_hash, "
            "'committed' as sweep) from runs where case_id = 'c0001'"
        )
        con.execute("begin transaction")
        con.execute(
            "insert into runs select * exclude (i) replace (sha256('killed' || i) as input_hash, "
            "'killed' as sweep) from runs, range(200000) t(i) "
            "where sweep = 'base' and case_id = 'c0001'"
        )
        con.execute("update runs set status = 'done' where case_id = 'c0002'")
        print("ready", flush=True)
        time.sleep(600)
    """
    with _child(code) as proc:
        _wait_ready(proc)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    reopened = Catalogue(path)
    frame = reopened.runs()
    assert sorted(frame["sweep"]) == ["base", "base", "committed"]
    assert reopened.status_by_hash()[digest("c0002")] == "failed"
    assert reopened.get(digest("c0001"))["params"] == make_record().params
    assert reopened.record(make_record("c0003")) is True
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from runs").fetchall() == [(4,)]


def test_a_read_waits_for_a_writer_to_release_the_file(cat: Catalogue, path: Path) -> None:
    cat.record(make_record())
    code = f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(1.5)
        con.close()
    """
    with _child(code) as proc:
        _wait_ready(proc)
        # The child holds the file now: this open fails on the lock and is retried until the
        # child lets go.
        assert cat.status_by_hash() == {digest("c0001"): "done"}
        proc.communicate()
    assert proc.returncode == 0


def test_a_lock_held_too_long_is_a_clear_error(path: Path) -> None:
    cat = Catalogue(path, lock_timeout_s=0.1)
    code = f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(600)
    """
    with _child(code) as proc:
        try:
            _wait_ready(proc)
            with pytest.raises(InputError) as info:
                cat.runs()
        finally:
            proc.kill()
            proc.communicate()
    message = str(info.value)
    assert message.startswith(f"{path}: the catalogue stayed locked by another process for 0.1 s.")
    assert "close the program that keeps the file open" in message


def test_sweeps_lists_the_sweeps_with_runs(tmp_path: Path) -> None:
    cat = Catalogue(tmp_path / CATALOGUE_FILENAME)
    assert cat.sweeps() == []
    cat.record(make_record("c0001"))
    cat.record(replace(make_record("c0002"), sweep="gas-price"))
    cat.record(make_record("c0003"))
    assert cat.sweeps() == ["base", "gas-price"]
