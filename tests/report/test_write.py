"""``caspian report`` and ``caspian run``: files written atomically, never over a named file
without --overwrite, bad input as exit code 2, PNG and SVG drawn by the local Chromium."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from caspian.atomic import write_text_atomic
from caspian.cli.main import EXIT_INPUT
from caspian.exceptions import InputError
from caspian.report import REPORT_FILE, write_report
from caspian.report import build as report_build
from caspian.report import images as report_images
from tests.cli.test_cli import run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_report_command_writes_and_refreshes_the_default_file(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["report", str(run_dir)], capsys)
    assert code == 0 and "report:" in out
    page = run_dir / REPORT_FILE
    assert page.read_text().startswith("<!DOCTYPE html>")
    page.write_text("stale")
    code, _, _ = run(["report", str(run_dir)], capsys)  # RUN_DIR/report.html is derived
    assert code == 0 and page.read_text().startswith("<!DOCTYPE html>")
    assert not list(run_dir.glob(f".{REPORT_FILE}.tmp-*"))


def test_a_named_file_is_replaced_only_with_overwrite(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "mine.html"
    named.write_text("my notes")
    code, _, err = run(["report", str(run_dir), "--out", str(named)], capsys)
    assert code == EXIT_INPUT
    assert "already exists" in err and "--overwrite" in err
    assert named.read_text() == "my notes"
    code, _, _ = run(["report", str(run_dir), "--out", str(named), "--overwrite"], capsys)
    assert code == 0 and "Plotly.newPlot" in named.read_text()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "no such folder"),
        (lambda tmp: tmp, "not a results folder: summary.json and network.nc missing"),
        (lambda tmp: (tmp / "file.txt", (tmp / "file.txt").write_text("x"))[0], "is a file"),
    ],
)
def test_bad_folders_exit_2(
    make: object, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    code, _, err = run(["report", str(folder)], capsys)
    assert code == EXIT_INPUT
    assert message in err and "caspian run" in err
    assert not (tmp_path / REPORT_FILE).exists()


def test_the_folder_of_a_whole_run_names_its_scenarios(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["report", str(run_dir.parent)], capsys)
    assert code == EXIT_INPUT
    assert f"It holds the results of base: give one, e.g. {run_dir}." in err


def test_unknown_image_format_exits_2_before_drawing(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["report", str(run_dir), "--images", "png,gif"], capsys)
    assert code == EXIT_INPUT
    assert "unknown image format 'gif'" in err and "png or svg" in err
    assert not (run_dir / REPORT_FILE).exists()


def test_missing_chromium_says_how_to_install_it(
    run_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(report_images, "CHROMIUM_FALLBACK", tmp_path / "no-chromium")
    code, _, err = run(["report", str(run_dir), "--images", "png"], capsys)
    assert code == EXIT_INPUT
    assert "no Chromium found" in err and "make chromium" in err and "apt install chromium" in err
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="BROWSER_PATH="):
        write_report(run_dir, images=["svg"])


def test_a_failed_write_leaves_the_old_file_and_no_debris(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = tmp_path / "report.html"
    named.write_text("the old report")

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_report(run_dir, named, overwrite=True)
    assert named.read_text() == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "report.html"]


def test_a_failed_drawing_writes_nothing(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> str:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(report_build, "render_page", broken)
    with pytest.raises(RuntimeError):
        write_report(run_dir)
    assert not (run_dir / REPORT_FILE).exists()


def test_write_text_atomic_refuses_folders_and_existing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        write_text_atomic(tmp_path, "x")
    target = write_text_atomic(tmp_path / "a" / "b.html", "one")
    with pytest.raises(InputError, match="already exists"):
        write_text_atomic(target, "two")
    write_text_atomic(target, "two", overwrite=True)
    assert target.read_text() == "two" and len(list(target.parent.iterdir())) == 1


def test_benders_runs_show_the_proved_gap(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary_path = run_dir / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary.update(algorithm="benders", relative_gap=0.00093)
    summary_path.write_text(json.dumps(summary))
    assert run(["report", str(run_dir)], capsys)[0] == 0
    assert "benders, optimal" in (run_dir / REPORT_FILE).read_text()
    assert "proved gap 0.093%" in (run_dir / REPORT_FILE).read_text()


def test_caspian_run_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "runs"
    code, printed, _ = run(["run", "base", "--resolution", "73", "--out", str(out)], capsys)
    assert code == 0
    page = out / "base" / REPORT_FILE
    assert f"report: {page}" in printed
    assert "Plotly.newPlot" in page.read_text()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(),
    reason="needs Chromium (make chromium)",
)
def test_png_and_svg_export(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["report", str(run_dir), "--images", "png,svg"], capsys)
    assert code == 0 and "figures:" in out
    folder = run_dir / "figures"
    names = {"map", "energy_balance", "dispatch_winter", "link_utilisation", "export_origin"}
    for name in names:
        png = (folder / f"{name}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000, name
        root = ET.parse(folder / f"{name}.svg").getroot()
        assert root.tag.endswith("svg"), name
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".figures.tmp-")]
