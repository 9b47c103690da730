"""The HTML report of a results folder: one self-contained file that opens with no internet.

``caspian run`` writes ``report.html`` into each scenario's results folder; ``caspian report
RUN_DIR`` writes it again (after ``caspian cba RUN_DIR``, say) and can export every figure as
PNG or SVG. The report reads the folder only (it never solves): a map of the grid and its
flows, the energy balance by area, dispatch in a windy winter and a sunny summer week, prices,
link utilisation, the cost-benefit of the Caspian link, and where the power exported to the EU
comes from.

This package may import ``network``, ``optimize``, ``analysis``, ``runs`` (which reads the
folder) and ``corridor``; only the CLI and the web app import it.
"""

from caspian.report.build import render_report, report_figures, write_report
from caspian.runs.layout import REPORT_FILE

__all__ = ["REPORT_FILE", "render_report", "report_figures", "write_report"]
