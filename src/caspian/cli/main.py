"""Entry point of the ``caspian`` command and the one place errors become exit codes.

Exit codes: 0 success; 2 bad input (file, component, attribute or value), printed without a
traceback; 3 the solver reached no optimum (infeasible, unbounded, time limit); 4 the solution
failed its audit.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import typer
from rich.console import Console

from caspian.cli import analysis_cmd, corridor_cmd, report_cmd, serve_cmd, solve_cmd, sweep_cmd
from caspian.exceptions import AuditError, CaspianError, InputError, SolverError

EXIT_INPUT = 2
EXIT_SOLVER = 3
EXIT_AUDIT = 4

app = typer.Typer(
    name="caspian",
    help="caspian-grid: plan and trade power across the Caspian.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
solve_cmd.register(app)
corridor_cmd.register(app)
analysis_cmd.register(app)
sweep_cmd.register(app)
report_cmd.register(app)
serve_cmd.register(app)


@app.command()
def version() -> None:
    """Print the versions of caspian-grid and HiGHS."""
    from caspian import __version__
    from caspian.optimize.highs import highs_version

    typer.echo(f"caspian-grid {__version__}, HiGHS {highs_version()}")


def exit_code(error: CaspianError) -> int:
    """The exit code for an error raised on purpose."""
    if isinstance(error, InputError):
        return EXIT_INPUT
    if isinstance(error, SolverError):
        return EXIT_SOLVER
    if isinstance(error, AuditError):
        return EXIT_AUDIT
    return 1


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a CaspianError is printed as a message with its exit code, no traceback.

    caspian-grid's own warnings (e.g. custom columns kept in a PyPSA file) are printed as one
    ``notice:`` line each, without Python's source location; other warnings are left as they are.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    default = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        if category.__module__.split(".")[0] == "caspian":
            err.print("[yellow]notice:[/] ", end="")
            err.print(str(message), markup=False)
        else:
            default(message, category, *args, **kw)

    warnings.showwarning = show
    try:
        app(args=argv)  # standalone: usage errors print and exit 2, success exits 0
    except CaspianError as error:
        err.print("[bold red]error:[/] ", end="")
        err.print(str(error), markup=False)
        sys.exit(exit_code(error))
    finally:
        warnings.showwarning = default
