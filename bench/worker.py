"""One measurement in a fresh process: ``python -m bench.worker SIDE TASK SIZE --out FILE``.

SIDE is ``pypsa`` or ``caspian``; TASK is ``build`` (LP build and hand-over to HiGHS, not
solved) or ``solve`` (build and solve to optimality). The stages, each timed with the process's
peak RSS at its end, are

* ``import``: ``import pypsa`` (with linopy and highspy), or ``import caspian.optimize``;
* ``network``: :func:`caspian.network.synthetic.synthetic_network` (same seed on both sides);
* ``to pypsa`` (PyPSA only): the same network as a ``pypsa.Network``;
* ``build`` and ``hand-over`` (task ``build``), or ``solve`` (task ``solve``).

The record is written as JSON to FILE after every stage. Nothing else is imported before the
``import`` stage, so that it measures a cold import.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.highs_options import COMPARED, highs_options, model_size, read_back
from bench.measure import Record, run_measurement
from bench.sizes import Size

SIDES = ("pypsa", "caspian")
TASKS = ("build", "solve")
PYPSA_INPUTS = ("auto", "netcdf", "direct")
"""How the PyPSA side gets the network (see :func:`bench.pypsa_side.to_pypsa`)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("side", choices=SIDES)
    parser.add_argument("task", choices=TASKS)
    parser.add_argument("size", type=Size.parse, help="BUSESxHOURS, e.g. 10x168")
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the record")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=300.0, help="HiGHS time limit, s")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pypsa-input", choices=PYPSA_INPUTS, default="auto")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one measurement; the exit code is 0 unless it failed."""
    args = parse_args(argv)
    size: Size = args.size
    record = Record(args.side, args.task, size.label, args.seed, args.out)
    run = _run_pypsa if args.side == "pypsa" else _run_caspian
    return run_measurement(record, lambda: run(args, size, record))


def _run_pypsa(args: argparse.Namespace, size: Size, record: Record) -> None:
    with record.stage("import"):
        import highspy  # noqa: F401
        import linopy  # noqa: F401
        import pypsa  # noqa: F401

    from bench import pypsa_side
    from caspian.network.synthetic import network_from_tables, synthetic_tables

    options = highs_options(args.time_limit, args.threads)
    with record.stage("network"):
        tables = synthetic_tables(size.n_buses, size.n_hours, args.seed)
        n = network_from_tables(tables)
    with record.stage("to pypsa"):
        pn, how = pypsa_side.to_pypsa(n, tables, args.pypsa_input)
    record.info["pypsa_input"] = how
    del n
    if args.task == "build":
        with record.stage("build"):
            model = pypsa_side.create_model(pn)
        with record.stage("hand-over"):
            highs = pypsa_side.hand_over(model, options)
        record.info["lp"] = model_size(highs)
        record.info["highs_options"] = read_back(highs, [*options, *COMPARED])
    else:
        with record.stage("solve"):
            record.info["solve"] = pypsa_side.solve(pn, options)


def _run_caspian(args: argparse.Namespace, size: Size, record: Record) -> None:
    with record.stage("import"):
        from bench import caspian_side
        from caspian.optimize import build_model

    from caspian.network.synthetic import synthetic_network

    options = caspian_side.solver_options(args.time_limit, args.threads)
    with record.stage("network"):
        n = synthetic_network(size.n_buses, size.n_hours, args.seed)
    if args.task == "build":
        with record.stage("build"):
            model = build_model(n)
        with record.stage("hand-over"):
            highs = model.to_highs(options)
        record.info["lp"] = model_size(highs)
        record.info["model"] = {
            "n_variables": int(model.n_variables),
            "n_constraints": int(model.n_constraints),
            "nnz": int(model.nnz),
        }
        names = [*highs_options(args.time_limit, args.threads), *COMPARED]
        record.info["highs_options"] = read_back(highs, names)
    else:
        with record.stage("solve"):
            record.info["solve"] = caspian_side.solve(n, options)


if __name__ == "__main__":
    raise SystemExit(main())
