"""Checks across tables (min <= max pairs, lines, supply) and message helpers for validation.

Each check here runs only on attributes that passed the per-table checks of
:mod:`caspian.network.validate`, so one bad cell is reported once, not again by every check
that reads it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from caspian.exceptions import shown
from caspian.network.network import Network
from caspian.network.pypsa_attrs import EXTRA_PORT, feature
from caspian.network.schema import COMPONENTS, ComponentSchema


@dataclass
class Context:
    """One validation run: the network, file names, problems, and what is already known bad.

    ``attached`` are buses attached to components the reader refused (transformers): checks
    that follow from the refusal, such as a bus with nothing attached, leave them alone.
    """

    n: Network
    files: dict[str, str]
    problems: list[str] = field(default_factory=list)
    bad: set[tuple[str, str]] = field(default_factory=set)
    bad_components: set[str] = field(default_factory=set)
    attached: set[str] = field(default_factory=set)

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def where(self, component: str, attr: str | None = None) -> str:
        """``"<file>: "`` for a component's table (or its series ``attr``), or ``""``."""
        file = self.files.get(f"{component}.{attr}") if attr else None
        file = file or self.files.get(component)
        if file and attr and file.endswith((".csv", ".parquet")) and component in COMPONENTS:
            stem, _, ext = file.rpartition(".")
            if stem == COMPONENTS[component].list_name:
                file = f"{stem}-{attr}.{ext}"
        return f"{file}: " if file else ""

    def usable(self, component: str, *attrs: str) -> bool:
        """True if the component's names are unique and ``attrs`` are present and valid."""
        frame = self.n.static[component]
        return component not in self.bad_components and all(
            a in frame and (component, a) not in self.bad for a in attrs
        )


def fmt(value: Any) -> str:
    """A value as a message shows it: text quoted, numbers as Python writes floats; at most
    [`SHOWN_CHARS`][caspian.exceptions.SHOWN_CHARS] characters."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return shown(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        return shown(value)
    return shown(str(value))


def label(snapshot: Any) -> str:
    """A snapshot label, quoted (at most ``SHOWN_CHARS`` characters)."""
    return shown(str(snapshot))


def others(names: Sequence[Any] | pd.Index) -> str:
    """``" (also on 'b', 'c' and 3 more)"`` for the holders after the first, or ``""``."""
    rest = [str(x) for x in list(names)[1:]]
    if not rest:
        return ""
    listed = ", ".join(shown(x) for x in rest[:3])
    more = f" and {len(rest) - 3} more" if len(rest) > 3 else ""
    return f" (also on {listed}{more})"


def refused_message(
    ctx: Context,
    schema: ComponentSchema,
    attr: str,
    default: float | bool | str,
    frame: pd.DataFrame,
    differs: np.ndarray,
    where: str | None,
) -> str:
    """``<Component>.<attr> = <value> on '<name>' asks for <feature>, ...``.

    The component named first is the first holder in table order, at its first differing
    snapshot, so that "(also on ...)" lists exactly the other holders.
    """
    if frame.shape[1] == 1 and where is None:
        row, col = int(np.argmax(differs[:, 0])), 0
        holder, at = frame.index[row], ""
        holders = frame.index[np.flatnonzero(differs[:, 0])]
    else:
        columns = np.flatnonzero(differs.any(axis=0))
        col = int(columns[0])
        row = int(np.argmax(differs[:, col]))
        holder, at = frame.columns[col], f" at snapshot {label(frame.index[row])}"
        holders = frame.columns[columns]
    shown = "NaN" if isinstance(default, float) and math.isnan(default) else fmt(default)
    prefix = ctx.where(schema.name) if where is None else where
    return (
        f"{prefix}{schema.name}.{attr} = {fmt(frame.iat[row, col])} on {fmt(holder)}{at} asks "
        f"for {feature(attr)}, which caspian-grid does not model; remove it or set it to "
        f"{shown}{others(holders)}."
    )


def check_network(ctx: Context) -> None:
    """The checks across attributes and tables."""
    _capacity_ranges(ctx)
    _per_unit_ranges(ctx)
    _lines(ctx)
    _emission_efficiency(ctx)
    _supply(ctx)


def _capacity_ranges(ctx: Context) -> None:
    """``<x>_min <= <x>_max`` for extendable capacities."""
    for cname, frame in ctx.n.components():
        for prefix in ("p_nom", "s_nom", "e_nom"):
            lo, hi, ext = f"{prefix}_min", f"{prefix}_max", f"{prefix}_extendable"
            if not ctx.usable(cname, lo, hi, ext):
                continue
            low, high = frame[lo].to_numpy(float), frame[hi].to_numpy(float)
            wrong = (low > high) & frame[ext].to_numpy(dtype=bool)
            if wrong.any():
                i = int(np.argmax(wrong))
                ctx.add(
                    f"{ctx.where(cname)}{cname} {fmt(frame.index[i])} is extendable with "
                    f"{lo} = {fmt(low[i])} > {hi} = {fmt(high[i])}{others(frame.index[wrong])}"
                    f", so {prefix} has no feasible value; lower {lo} or raise {hi}."
                )


def _per_unit_ranges(ctx: Context) -> None:
    """``p_min_pu <= p_max_pu`` and ``e_min_pu <= e_max_pu`` in every snapshot."""
    n = ctx.n
    for cname, frame in n.components():
        for lo, hi in (("p_min_pu", "p_max_pu"), ("e_min_pu", "e_max_pu")):
            if not ctx.usable(cname, lo, hi):
                continue
            low, high = n.get_series(cname, lo), n.get_series(cname, hi)
            wrong = low > high
            if not wrong.any():
                continue
            columns = np.flatnonzero(wrong.any(axis=0))
            holders, col = frame.index[columns], int(columns[0])
            row = int(np.argmax(wrong[:, col]))
            count = int(wrong[:, col].sum())
            ctx.add(
                f"{ctx.where(cname)}{cname} {fmt(holders[0])} has {lo} = {fmt(low[row, col])} > "
                f"{hi} = {fmt(high[row, col])} at snapshot {label(n.snapshots[row])} (first of "
                f"{count} snapshot(s)){others(holders)}; lower {lo} or raise {hi} there."
            )


def _lines(ctx: Context) -> None:
    """Lines join buses of one carrier; AC lines need x > 0, DC lines r > 0.

    Lines with a standard ``type`` (refused) are left out of the impedance check: PyPSA
    takes their x and r from the type, so x = 0 there follows from the refusal.
    """
    n = ctx.n
    lines, buses = n.static["Line"], n.static["Bus"]
    if not len(lines) or not ctx.usable("Line", "bus0", "bus1", "x", "r"):
        return
    if not ctx.usable("Bus", "carrier"):
        return
    if ctx.usable("Bus", "v_nom") and len(lines) >= 2:
        v_nom = lines["bus0"].map(buses["v_nom"]).to_numpy(float)
        zero = ~(v_nom > 0)
        if zero.any():
            i = int(np.argmax(zero))
            bus = lines["bus0"].iloc[i]
            ctx.add(
                f"{ctx.where('Bus')}Bus.v_nom = {fmt(v_nom[i])} on {fmt(bus)}, bus0 of line "
                f"{fmt(lines.index[i])}{others(lines.index[zero])}: Kirchhoff's voltage law "
                "divides the line's impedance by v_nom squared; give v_nom > 0 (kV)."
            )
    carrier = buses["carrier"]
    c0, c1 = lines["bus0"].map(carrier), lines["bus1"].map(carrier)
    mixed = (c0 != c1).to_numpy()
    for i in np.flatnonzero(mixed)[:10]:
        ctx.add(
            f"{ctx.where('Line')}Line {fmt(lines.index[i])} joins bus {fmt(lines['bus0'].iloc[i])}"
            f" (carrier {fmt(c0.iloc[i])}) and bus {fmt(lines['bus1'].iloc[i])} (carrier "
            f"{fmt(c1.iloc[i])}); a line must join buses of one carrier. Connect different "
            "carriers with a Link."
        )
    dc = (c0 == "DC").to_numpy() & ~mixed
    types = lines["type"] if "type" in lines else pd.Series("", index=lines.index)
    typed = types.map(lambda t: isinstance(t, str) and t.strip() != "").to_numpy(dtype=bool)
    checked = ~mixed & ~typed
    for kind, attr, mask, what in (
        ("AC", "x", ~dc & checked, "reactance"),
        ("DC", "r", dc & checked, "resistance"),
    ):
        values = lines[attr].to_numpy(float)
        wrong = mask & ~(values > 0)
        if wrong.any():
            i = int(np.argmax(wrong))
            ctx.add(
                f"{ctx.where('Line')}Line.{attr} = {fmt(values[i])} on {fmt(lines.index[i])}"
                f"{others(lines.index[wrong])}: a line between {kind} buses needs a positive "
                f"{what} {attr} (Ohm) to share flows by Kirchhoff's laws; give {attr} > 0, "
                "or model the connection as a Link."
            )


def _emission_efficiency(ctx: Context) -> None:
    """With a CO2 cap, a generator's emissions are ``co2_emissions / efficiency`` per MWh, so
    every generator needs ``efficiency > 0`` (PyPSA divides the same way)."""
    n = ctx.n
    gens = n.static["Generator"]
    if not len(n.static["GlobalConstraint"]) or not len(gens):
        return
    if not ctx.usable("Generator", "efficiency"):
        return
    efficiency = gens["efficiency"].to_numpy(float)
    zero = ~(efficiency > 0)
    if zero.any():
        i = int(np.argmax(zero))
        ctx.add(
            f"{ctx.where('Generator')}Generator.efficiency = {fmt(efficiency[i])} on "
            f"{fmt(gens.index[i])}{others(gens.index[zero])}: with a CO2 constraint, emissions "
            "are co2_emissions / efficiency per MWh; give efficiency > 0 (per unit)."
        )


def _supply(ctx: Context) -> None:
    """A bus with positive load in some snapshot needs something attached that can supply it.

    A bus attached only to a refused component (a multi-port link's ``bus2``, a transformer)
    is not reported: the refusal is the problem, and the bus is not stranded.
    """
    n = ctx.n
    loads = n.static["Load"]
    if not len(loads) or not ctx.usable("Load", "bus", "p_set") or "Bus" in ctx.bad_components:
        return
    if ("Load", "p_set") in ctx.bad:
        return
    demand = pd.DataFrame(n.get_series("Load", "p_set"), columns=loads.index)
    per_bus = demand.T.groupby(loads["bus"].to_numpy()).sum().T
    attached = set(ctx.attached)
    for cname in ("Generator", "StorageUnit", "Store", "Line", "Link"):
        frame = n.static[cname]
        for column in frame.columns:
            port = EXTRA_PORT.match(str(column)) if cname == "Link" else None
            if column in ("bus", "bus0", "bus1") or (port and port.group(1) == "bus"):
                attached.update(b for b in frame[column] if isinstance(b, str))
    stranded = [b for b in per_bus.columns if b not in attached and (per_bus[b] > 0).any()]
    for bus in stranded[:10]:
        series = per_bus[bus].to_numpy()
        row = int(np.argmax(series > 0))
        names = loads.index[(loads["bus"] == bus).to_numpy()]
        ctx.add(
            f"{ctx.where('Load')}Bus {fmt(bus)} has load {fmt(names[0])}{others(names)} of up to "
            f"{fmt(float(series.max()))} MW (first at snapshot {label(n.snapshots[row])}) but "
            "no generator, storage unit, store, line or link attached: a bus with no way to "
            "meet its load. Attach a generator or connect the bus to the network."
        )
    if len(stranded) > 10:
        ctx.add(f"{len(stranded) - 10} more buses have load and no way to meet it.")
