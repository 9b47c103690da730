"""The results folder of a run: its layout, writing and reading, and its typed headlines.

One package owns what a run leaves on disk, so that every writer (``caspian run``, ``caspian
solve``, ``caspian cba``, ``caspian trace``) and every reader (the report, the dashboard, the
CLI, sweeps) agree:

- :mod:`caspian.runs.layout`: every file and folder name, and :class:`RunLayout` (paths);
- :mod:`caspian.runs.headlines`: :class:`Headlines`, one name and unit per quantity, the
  tolerant reader of older spellings and the one "is it built" threshold;
- :mod:`caspian.runs.write`: :func:`write_run`, :func:`write_cba`, :func:`write_trace`;
- :mod:`caspian.runs.read`: :func:`open_run` and the lazily read :class:`Run`.

This package may import ``network``, ``optimize`` and ``analysis``; ``corridor``, ``sweep``,
``report``, ``web`` and ``cli`` import it. The low-level result writer
(``caspian.optimize.export``, used by ``caspian solve`` on any network) stays in ``optimize``,
which does not import this package; :mod:`caspian.runs.layout` re-exports its file names.
"""

from caspian.runs.headlines import (
    BUILT_THRESHOLD_MW,
    ROUND_OFF_MW,
    Headlines,
    Quantity,
    above_round_off,
    is_built,
)
from caspian.runs.layout import RunLayout
from caspian.runs.read import CbaFolder, Run, open_run
from caspian.runs.write import write_cba, write_run, write_trace

__all__ = [
    "BUILT_THRESHOLD_MW",
    "ROUND_OFF_MW",
    "CbaFolder",
    "Headlines",
    "Quantity",
    "Run",
    "RunLayout",
    "above_round_off",
    "is_built",
    "open_run",
    "write_cba",
    "write_run",
    "write_trace",
]
