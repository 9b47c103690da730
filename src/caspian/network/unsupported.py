"""PyPSA components caspian-grid refuses: the message for each, and the buses they attach.

A two-winding transformer without a phase shift converts to a line. PyPSA gives a
transformer's ``x`` and ``r`` in per unit on its own ``s_nom`` (MVA) and the nominal voltages
of its buses, so on PyPSA's 1 MVA system base its reactance is ``x_pu = x / s_nom`` (times
``tap_ratio`` for the linear power flow, PyPSA's ``x_pu_eff``). A line's per-unit reactance is
``x / v_nom(bus0)^2`` with ``x`` in Ohm, in caspian-grid as in PyPSA. The line with the same
flows therefore has

    x = x_pu * tap_ratio * v_nom(bus0)^2 / s_nom  [Ohm],

with ``v_nom`` in kV of the bus that is the line's bus0 (referring the impedance to the other
side, ``v_nom(bus1)``, would be wrong by the square of the voltage ratio), ``r`` the same way,
and the transformer's ``s_nom``. A phase-shifting transformer (``phase_shift`` not zero, or
an optimised shift) has no line equivalent.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from caspian.exceptions import shown
from caspian.network.tables import numeric

TRANSFORMER_AS_LINE = (
    "replace each two-winding transformer by a Line with the same bus0, bus1 and s_nom and "
    "x = x_pu * v_nom^2 / s_nom Ohm, with x_pu the transformer's x (per unit on its s_nom in "
    "MVA) and v_nom the nominal voltage (kV) of bus0, since a line's per-unit reactance is "
    "x / v_nom(bus0)^2 (keep the transformer's bus0, usually its higher-voltage side); "
    "convert r the same way, and multiply both by tap_ratio where it is not 1"
)
"""How to model a transformer as a line, for messages."""

PHASE_SHIFTERS = (
    "A phase-shifting transformer (non-zero phase_shift) cannot be converted to a line and is "
    "not supported"
)

_PORT = re.compile(r"^bus\d*$")
_CARRIES_POWER = ("Transformer", "Process")
"""Refused components that connect buses: a bus attached only to one is not stranded."""


def unsupported_problem(
    display: str, cname: str, frame: pd.DataFrame, buses: pd.DataFrame | None
) -> str:
    """The message for the rows of ``frame``, a component caspian-grid does not model.

    ``frame`` is the component's table as read (names as index, text or numbers) and
    ``buses`` the bus table as read, for a worked example of a transformer's conversion.
    """
    head = (
        f"{display}: the network has {len(frame)} {cname} component(s) ({_names(frame.index)}),"
        " which caspian-grid does not model"
    )
    if cname != "Transformer":
        return f"{head}; remove them."
    typed = _text(frame, "type") != ""
    shift = _column(frame, "phase_shift", 0.0)
    optimised = _column(frame, "phase_shift_min", 0.0) < _column(frame, "phase_shift_max", 0.0)
    shifters = (shift != 0) | optimised
    text = f"{head}; {TRANSFORMER_AS_LINE}{_example(frame[~typed & ~shifters], buses)}"
    if typed.any():
        text += (
            f"; for those with a standard type ({_names(frame.index[typed])}), PyPSA's "
            "n.calculate_dependent_values() first fills x, r, s_nom and tap_ratio from the type"
        )
    text += f". {PHASE_SHIFTERS}"
    if shifters.any():
        return f"{text}; remove {_names(frame.index[shifters])}."
    return f"{text}."


def attached_buses(cname: str, frame: pd.DataFrame) -> set[str]:
    """The buses the rows of a refused component connect, if it carries power between buses."""
    if cname not in _CARRIES_POWER:
        return set()
    ports = [c for c in frame.columns if _PORT.match(str(c))]
    return {v for c in ports for v in frame[c] if isinstance(v, str) and v}


def _names(names: pd.Index) -> str:
    """``'a', 'b', 'c' ...``: the first three names, quoted."""
    return ", ".join(shown(str(x)) for x in names[:3]) + (" ..." if len(names) > 3 else "")


def _column(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """A numeric column of ``frame``, ``default`` where it is missing or not a number."""
    if name not in frame:
        return np.full(len(frame), default)
    values, bad = numeric(frame[name])
    return np.where(bad | np.isnan(values), default, values)


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A text column of ``frame``, stripped, ``""`` where it is missing."""
    if name not in frame:
        return np.full(len(frame), "", dtype=object)
    return np.array([v.strip() if isinstance(v, str) else "" for v in frame[name]], dtype=object)


def _example(frame: pd.DataFrame, buses: pd.DataFrame | None) -> str:
    """`` (e.g. 't1' with bus0 'a' at 380 kV: x = 0.1 * 380^2 / 100 = 144.4 Ohm)``."""
    if buses is None or not len(frame):
        return ""
    v_nom = dict(zip(buses.index.astype(str), _column(buses, "v_nom", 1.0), strict=True))
    x, s_nom = _column(frame, "x", 0.0), _column(frame, "s_nom", 0.0)
    tap, bus0 = _column(frame, "tap_ratio", 1.0), _text(frame, "bus0")
    for i, name in enumerate(frame.index):
        if s_nom[i] <= 0 or bus0[i] not in v_nom:
            continue
        v = float(v_nom[bus0[i]])
        factor = f" * {tap[i]:g}" if tap[i] != 1 else ""
        ohm = x[i] * tap[i] * v**2 / s_nom[i]
        return (
            f" (e.g. {shown(str(name))} with bus0 {shown(bus0[i])} at {v:g} kV: "
            f"x = {x[i]:g}{factor} * {v:g}^2 / {s_nom[i]:g} = {ohm:.6g} Ohm)"
        )
    return ""
