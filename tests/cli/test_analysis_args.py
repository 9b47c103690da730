"""``caspian cba`` and ``caspian trace``: every argument is checked, against the run's network where
it names a link or an area, before anything is traced or solved, and all problems come at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from caspian.cli.main import EXIT_INPUT, main
from caspian.corridor.run import prepare, run_scenario
from caspian.network import write_network
from caspian.network.examples import demo_network


@pytest.fixture(scope="module")
def corridor_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corridor results folder (weekly snapshots: solves in about a second)."""
    folder = tmp_path_factory.mktemp("runs") / "base"
    run_scenario(prepare("base", 168), out_dir=folder)
    return folder


@pytest.fixture(scope="module")
def solved_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder of ``caspian solve`` (not a corridor run)."""
    root = tmp_path_factory.mktemp("demo")
    write_network(demo_network(hours=24), root / "demo")
    with pytest.raises(SystemExit) as done:
        main(["solve", str(root / "demo"), "--out", str(root / "solved")])
    assert not done.value.code
    return root / "solved"


@pytest.fixture
def no_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything is traced or solved."""
    import caspian.cli.analysis_cmd as analysis_cmd

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("traced or solved before the arguments were checked")

    for name in ("appraise_corridor_link", "appraise_link_at_costs", "compare", "trace"):
        monkeypatch.setattr(analysis_cmd, name, refuse)


def caspian(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0), " ".join(capsys.readouterr().err.split())


@pytest.mark.usefixtures("no_solving")
def test_an_unknown_link_is_named_with_the_candidates(
    corridor_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = caspian(["cba", str(corridor_run), "--link", "Caspian route B"], capsys)
    assert code == EXIT_INPUT and "Traceback" not in err
    assert "--link: no link 'Caspian route B' in the network of" in err
    assert "Caspian route A Aktau-Sumgait" in err and "Did you mean" in err
    assert "The dataset has 'Caspian route B Turkmenbashi-Baku', not built in this scenario" in err
    code, err = caspian(["cba", "--link", "UZ-TMM", "--resolution", "168"], capsys)
    assert code == EXIT_INPUT and "no link 'UZ-TMM' in the network of scenario 'base'" in err
    assert "Did you mean 'UZ-TM'" in err


@pytest.mark.usefixtures("no_solving")
def test_cba_reports_a_bad_argument_with_the_output_problem(
    corridor_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corridor_run / "cba").mkdir(exist_ok=True)
    argv = ["cba", str(corridor_run), "--hold", "maybe", "--capacity", "0", "--time-limit", "nan"]
    code, err = caspian(argv, capsys)
    assert code == EXIT_INPUT
    assert "4 problems with the command's arguments" in err
    assert "--hold: unknown hold rule 'maybe'. Choose one of: fixed, reoptimise" in err
    assert "--capacity: 0.0 is out of range (MW)" in err and "--time-limit: nan" in err
    assert "cba already exists" in err


@pytest.mark.usefixtures("no_solving")
def test_cba_never_writes_over_the_runs_it_reads(
    corridor_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in corridor_run.iterdir())
    for out in (corridor_run, corridor_run.parent, corridor_run / "analysis"):
        argv = ["cba", str(corridor_run), "--out", str(out), "--overwrite"]
        code, err = caspian(argv, capsys)
        assert code == EXIT_INPUT and "input" in err, err
        argv = ["cba", str(corridor_run), "--against", str(corridor_run), "--out", str(out)]
        code, err = caspian([*argv, "--overwrite"], capsys)
        assert code == EXIT_INPUT and "input" in err, err
    assert sorted(p.name for p in corridor_run.iterdir()) == before


@pytest.mark.usefixtures("no_solving")
def test_cba_refuses_options_it_would_not_use(
    corridor_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "cba")
    argv = ["cba", str(corridor_run), "--against", str(corridor_run), "--out", out]
    code, err = caspian([*argv, "--link", "AZ-IR", "--capacity", "900"], capsys)
    assert code == EXIT_INPUT
    assert "--link, --capacity: options of a link appraisal" in err and "--against" in err
    code, err = caspian(
        ["cba", str(corridor_run), "--capex-eur-per-mw", "1e6", "--out", out], capsys
    )
    assert code == EXIT_INPUT and "a corridor link's costs come from the dataset" in err


@pytest.mark.usefixtures("no_solving")
def test_cba_of_a_solve_folder_names_what_is_missing(
    solved_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["cba", str(solved_demo), "--link", "nort-south", "--fom-share", "inf"]
    code, err = caspian([*argv, "--discount-rate", "6", "--out", str(tmp_path / "c")], capsys)
    assert code == EXIT_INPUT
    assert "--discount-rate: 6.0 is out of range" in err
    assert "--fom-share: inf is out of range" in err
    assert "(--capex-eur-per-mw, --lifetime)" in err and "no link 'nort-south'" in err


@pytest.mark.usefixtures("no_solving")
def test_trace_reports_a_bad_argument_with_the_output_problem(
    corridor_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corridor_run / "trace").mkdir(exist_ok=True)
    argv = ["trace", str(corridor_run), "--importer", "XX", "--co2-price", "-5"]
    code, err = caspian([*argv, "--grid-factor", "KZ=-1", "--grid-factor", "ZZ=0.5"], capsys)
    assert code == EXIT_INPUT
    assert "5 problems with the command's arguments" in err
    assert "trace already exists" in err
    assert "--importer: no area 'XX' in the network of" in err and "AZ, EU, GE" in err
    assert "--co2-price: -5.0 is out of range" in err
    assert "'KZ=-1' is not AREA=number" in err and "no area 'ZZ'" in err
