"""One case of the corridor benchmark in a fresh process:
``python -m bench.corridor_worker CASE --out FILE [options]``.

CASE is one of

* ``pypsa``: the base corridor network at ``--hours`` resolution, exported to PyPSA (bidirectional
  links split into PyPSA's equivalent, see :func:`bench.pypsa_side.split_bidirectional`) and
  solved with PyPSA + linopy + HiGHS (``io_api="direct"``, :func:`bench.highs_options`);
  stages ``import``, ``network``, ``to pypsa``, ``solve``;
* ``caspian-exact``: the same network solved by caspian-grid, ``--method benders``
  (:func:`caspian.decompose.solve_benders`) or ``monolithic`` (:func:`caspian.optimize.optimize`
  with the same HiGHS options as PyPSA); stages ``import``, ``network``, ``solve``;
* ``caspian-default``: ``caspian run`` end to end at the scenario's own resolution (the CLI in a
  child process; its peak RSS is the child's); stage ``run``;
* ``caspian-typical-days``: ``caspian run --typical-days N`` likewise (skipped if the CLI has no
  such option);
* ``synthetic-BxH``: :func:`caspian.network.synthetic.synthetic_network` with B buses and H
  hours, solved by ``--method``; stages ``import``, ``network``, ``solve``.

The record (see :mod:`bench.measure`) holds the answer under ``info["solve"]``: ``status``,
``termination`` (``optimal`` for an exact answer), ``objective`` (EUR), ``caspian_mw`` (MW, the
extendable links named ``Caspian...``), and the gap where the method proves one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.highs_options import COMPARED, highs_options, read_back
from bench.measure import Record, log, run_measurement
from bench.sizes import Size
from caspian.decompose.benders import EXACT_GAP

CORRIDOR_CASES = ("pypsa", "caspian-exact", "caspian-default", "caspian-typical-days")
SYNTHETIC_PREFIX = "synthetic-"
METHODS = ("benders", "monolithic")
SCENARIO = "base"
CASPIAN_PREFIX = "Caspian"
"""The extendable links whose name starts with this are the Caspian link."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corridor_worker",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "case", type=parse_case, help=f"{', '.join(CORRIDOR_CASES)} or synthetic-BxH"
    )
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the record")
    parser.add_argument("--hours", type=int, default=1, help="hours per snapshot (exact cases)")
    parser.add_argument("--method", choices=METHODS, default="benders")
    parser.add_argument("--time-limit", type=float, default=3600.0, help="solver limit, s")
    parser.add_argument("--threads", type=int, default=2, help="HiGHS threads / Benders workers")
    parser.add_argument("--block-hours", type=float, default=168.0, help="Benders block, h")
    parser.add_argument("--gap", type=float, default=EXACT_GAP, help="Benders relative gap")
    parser.add_argument("--typical-days", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic network")
    parser.add_argument(
        "--prices", type=Path, default=None, help="Parquet file for the prices (caspian cases)"
    )
    return parser.parse_args(argv)


def parse_case(text: str) -> str:
    if text in CORRIDOR_CASES:
        return text
    if text.startswith(SYNTHETIC_PREFIX):
        try:
            Size.parse(text.removeprefix(SYNTHETIC_PREFIX))
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
        return text
    raise argparse.ArgumentTypeError(
        f"unknown case {text!r}; choose {', '.join(CORRIDOR_CASES)} or synthetic-BxH"
    )


def main(argv: list[str] | None = None) -> int:
    """Run one case; the exit code is 0 unless it failed."""
    args = parse_args(argv)
    case: str = args.case
    if case == "pypsa":
        task, size = "pypsa", f"{args.hours}h"
    elif case.startswith("caspian-") and case != "caspian-exact":
        task, size = "cli", "default" if case == "caspian-default" else f"{args.typical_days}d"
    else:
        task = args.method
        size = case.removeprefix(SYNTHETIC_PREFIX) if case != "caspian-exact" else f"{args.hours}h"
    record = Record(case, task, size, args.seed, args.out)
    return run_measurement(record, lambda: _run(args, record))


def _run(args: argparse.Namespace, record: Record) -> None:
    if args.case == "pypsa":
        _pypsa(args, record)
    elif args.case == "caspian-default":
        _cli(record, [])
    elif args.case == "caspian-typical-days":
        _cli(record, ["--typical-days", str(args.typical_days)])
    else:
        _caspian(args, record)


def corridor_network(hours: int) -> Any:
    """The base corridor network at ``hours`` per snapshot."""
    from caspian.corridor.build import build_corridor_network
    from caspian.corridor.run import prepare

    return build_corridor_network(prepare(SCENARIO, resolution_hours=hours))


def caspian_links(n: Any) -> list[str]:
    """Names of the extendable links named ``Caspian...`` in the caspian network ``n``."""
    links = n.static["Link"]
    chosen = links.index.str.startswith(CASPIAN_PREFIX) & links["p_nom_extendable"].to_numpy(bool)
    return [str(name) for name in links.index[chosen]]


def _with_caspian_mw(solve: dict[str, Any]) -> dict[str, Any]:
    capacities = solve.get("link_capacity_mw")
    if capacities:
        solve["caspian_mw"] = float(sum(capacities.values()))
    return solve


# ------------------------------------------------------------------------------- cases
def _pypsa(args: argparse.Namespace, record: Record) -> None:
    with record.stage("import"):
        import highspy  # noqa: F401
        import linopy  # noqa: F401
        import pypsa  # noqa: F401

    from bench import pypsa_side

    options = highs_options(args.time_limit, args.threads)
    with record.stage("network"):
        n = corridor_network(args.hours)
    links = caspian_links(n)
    with record.stage("to pypsa"):
        pn, pairs, note = pypsa_side.network_to_pypsa(n)
    record.info["pypsa_input"] = note
    del n
    with record.stage("solve"):
        solve = pypsa_side.solve(pn, options, pairs)
    optimal = pn.c["Link"].static["p_nom_opt"]
    solve["link_capacity_mw"] = {name: float(optimal[name]) for name in links}
    record.info["solve"] = _with_caspian_mw(solve)
    record.info["highs_options"] = read_back(pn.model.solver_model, [*options, *COMPARED])


def _caspian(args: argparse.Namespace, record: Record) -> None:
    with record.stage("import"):
        from bench import caspian_side
        from caspian.network.synthetic import synthetic_network

    with record.stage("network"):
        if args.case == "caspian-exact":
            n = corridor_network(args.hours)
        else:
            size = Size.parse(args.case.removeprefix(SYNTHETIC_PREFIX))
            n = synthetic_network(size.n_buses, size.n_hours, args.seed)
    links = caspian_links(n)
    if args.method == "benders":
        options = caspian_side.benders_options(
            args.time_limit, args.threads, args.block_hours, args.gap
        )
        with record.stage("solve"):
            solve = caspian_side.solve_benders(
                n,
                options,
                links,
                progress=lambda line: log(f"{args.case}: {line}"),
                prices=args.prices,
            )
    else:
        with record.stage("solve"):
            solve = caspian_side.solve(
                n,
                caspian_side.solver_options(args.time_limit, args.threads),
                links,
                prices=args.prices,
            )
    record.info["solve"] = _with_caspian_mw(solve)


def caspian_command() -> list[str]:
    """The ``caspian`` command of this environment (next to its Python, else on the PATH)."""
    beside = Path(sys.executable).with_name("caspian")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("caspian")
    if found is None:
        raise FileNotFoundError("no `caspian` command next to this Python or on the PATH")
    return [found]


def _cli(record: Record, options: list[str]) -> None:
    """``caspian run [options] --out TMP``, timed as one stage; headlines from its folder."""
    with tempfile.TemporaryDirectory(prefix="caspian-bench-") as tmp:
        command = [*caspian_command(), "run", SCENARIO, *options, "--out", tmp]
        record.info["command"] = " ".join(command)
        sys.stdout.flush()
        with record.stage("run"):
            done = subprocess.run(command, check=False)  # output goes to the worker's log
        if done.returncode != 0:
            raise RuntimeError(f"`{' '.join(command)}` exited with code {done.returncode}")
        folder = Path(tmp) / SCENARIO
        heads = json.loads((folder / "headlines.json").read_text())
        scenario = json.loads((folder / "scenario.json").read_text())
    capacities = {str(k): float(v) for k, v in heads["caspian_capacity_mw"].items()}
    record.info["resolution"] = scenario.get("resolution", {})
    record.info["solve"] = _with_caspian_mw(
        {
            "status": "ok",
            "termination": "optimal",  # caspian run fails unless its solve is optimal
            "objective": float(heads["total_cost_eur_per_year"]),
            "link_capacity_mw": capacities,
        }
    )


if __name__ == "__main__":
    raise SystemExit(main())
