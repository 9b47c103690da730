"""Validation of a network at each boundary: every problem found, each with its fix.

[`validate`][caspian.network.validate.validate] runs once when a network is read (and again where
the optimiser or the CLI receive one). It collects every problem and raises one
[`ValidationError`][caspian.exceptions.ValidationError] whose message is a summary line followed by
one problem per line; each problem names the file (if known), the component, the attribute, the
offending value and the component that has it, and says how to fix it. Checks on time series are
vectorised over snapshots, so a valid 100-bus x 8760-snapshot network passes in a fraction of a
second.

The checks, in order: snapshots and weightings; per component table (names, required and
misspelt columns, types, NaN, ranges, refused attributes, bus references, global constraint
types); per time series (shape, row labels, columns, whether the attribute may vary, values);
then across tables (min <= max pairs, line impedances and carriers, buses whose load nothing
can supply). See ``caspian.network.validate_network`` for the cross-table checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from caspian.exceptions import InputError, ValidationError
from caspian.network.custom import misspelt_attribute, refusable
from caspian.network.network import Network, did_you_mean
from caspian.network.pypsa_attrs import EXTRA_PORT, EXTRA_SERIES, feature
from caspian.network.schema import (
    COMPONENTS,
    LARGEST_WEIGHTING,
    SENSES,
    SNAPSHOT_WEIGHTINGS,
    SUPPORTED_CARRIER_ATTRIBUTES,
    SUPPORTED_GLOBAL_TYPES,
    Attribute,
    ComponentSchema,
)
from caspian.network.tables import as_bool, numeric
from caspian.network.validate_network import (
    Context,
    check_network,
    fmt,
    label,
    others,
    refused_message,
)


def validate(n: Network, source: str | None = None, files: Mapping[str, str] | None = None) -> None:
    """Check ``n`` and raise one ValidationError listing every problem; None if it is valid.

    Parameters
    ----------
    n
        the network.
    source
        where the network came from (a path), for the summary line.
    files
        component class name to the file its table came from, for messages. Keys
        ``"<Component>.<attr>"`` name the file of a time series and ``"snapshots"`` the
        snapshot table; without them the component's file is named.
    """
    problems = check(n, files)
    if problems:
        raise ValidationError(problems, source=source)


def check(
    n: Network, files: Mapping[str, str] | None = None, attached: Iterable[str] = ()
) -> list[str]:
    """Every problem of ``n``, as messages (empty if it is valid).

    ``attached`` names buses attached to components the reader refused (see ``ReadResult``).
    """
    ctx = Context(n, dict(files or {}), attached=set(attached))
    _snapshots(ctx)
    snapshots_ok = not ctx.problems
    for cname, frame in n.static.items():
        _static(ctx, COMPONENTS[cname], frame)
    for cname, tables in n.dynamic.items():
        for attr, table in tables.items():
            _series(ctx, COMPONENTS[cname], attr, table)
    check_network(ctx)
    if n.periods is not None and snapshots_ok:
        try:
            n.periods.validate(n)
        except InputError as err:
            ctx.add(f"{ctx.where('snapshots')}the representative periods (n.periods): {err}")
    return ctx.problems


# ---------------------------------------------------------------------------------- snapshots
def _snapshots(ctx: Context) -> None:
    n, where = ctx.n, ctx.where("snapshots")
    if not len(n.snapshots):
        ctx.add(f"{where}the network has no snapshots; give at least one.")
    duplicated = n.snapshots[n.snapshots.duplicated()].unique()
    for snapshot in duplicated[:3]:
        count = int((n.snapshots == snapshot).sum())
        ctx.add(f"{where}snapshot {label(snapshot)} appears {count} times; make them unique.")
    weightings = n.snapshot_weightings
    if len(weightings) != len(n.snapshots):
        ctx.add(
            f"{where}there are {len(weightings)} snapshot weightings for {len(n.snapshots)} "
            "snapshots; give one row per snapshot."
        )
        return
    for column in SNAPSHOT_WEIGHTINGS:
        if column not in weightings:
            ctx.add(f"{where}the snapshot weighting '{column}' is missing; add it (hours).")
            continue
        values, bad = numeric(weightings[column])
        with np.errstate(invalid="ignore"):
            problem = bad | ~np.isfinite(values) | (values <= 0) | (values > LARGEST_WEIGHTING)
        if problem.any():
            i = int(np.argmax(problem))
            shown = weightings[column].iloc[i] if bad[i] else values[i]
            ctx.add(
                f"{where}snapshot weighting '{column}' = {fmt(shown)} at snapshot "
                f"{label(n.snapshots[i])} is not a positive number of hours up to "
                f"{_number(LARGEST_WEIGHTING)} ({int(problem.sum())} snapshot(s) in total); "
                "weightings are the hours a snapshot stands for and must be > 0 and finite."
            )


# ---------------------------------------------------------------------------------- static
def _static(ctx: Context, schema: ComponentSchema, frame: pd.DataFrame) -> None:
    cname, where = schema.name, ctx.where(schema.name)
    missing = [x is None or (isinstance(x, float) and np.isnan(x)) for x in frame.index]
    names = pd.Index(["" if m else str(x) for x, m in zip(frame.index, missing, strict=True)])
    empty = np.flatnonzero(names.str.strip() == "")
    if len(empty):
        ctx.add(
            f"{where}{cname} has {len(empty)} component(s) with an empty name (first in row "
            f"{empty[0] + 1}); give every component a unique name."
        )
    for name in frame.index[frame.index.duplicated()].unique()[:5]:
        count = int((frame.index == name).sum())
        ctx.add(
            f"{where}{cname} name {fmt(name)} appears {count} times; names must be unique "
            f"within {schema.list_name}."
        )
        ctx.bad_components.add(cname)
    known = {*schema.attribute_names, *schema.refused, *schema.passthrough}
    unknown = [str(c) for c in frame.columns if c not in known]
    for attr in schema.attributes:
        if attr.name not in frame:
            if attr.required:
                ctx.bad.add((cname, attr.name))
                ctx.add(
                    f"{where}{cname} is missing the required column '{attr.name}' "
                    f"({attr.description.rstrip('.')}); add it." + did_you_mean(attr.name, unknown)
                )
            continue
        _attribute(ctx, schema, attr, frame[attr.name])
    for column in unknown:
        _misspelt(ctx, schema, column, where, per_snapshot=False)
    for attr_name, default in schema.refused.items():
        if attr_name in frame:
            _refused(ctx, schema, attr_name, default, frame[attr_name], None)
    if cname == "Link":
        for column in frame.columns:
            match = EXTRA_PORT.match(str(column))
            if match and match.group(1) == "bus" and column not in schema.refused:
                _refused(ctx, schema, str(column), "", frame[column], None)
    if cname == "GlobalConstraint":
        _global_constraints(ctx, frame)


def _attribute(ctx: Context, schema: ComponentSchema, attr: Attribute, values: pd.Series) -> None:
    """Type, NaN and range of one static column."""
    if attr.dtype == "str":
        if attr.bus_ref:
            _bus_reference(ctx, schema, attr, values)
        return
    prefix = f"{ctx.where(schema.name)}{schema.name}.{attr.name}"

    def report(mask: np.ndarray, shown: pd.Series | np.ndarray, what: str, fix: str) -> None:
        """One problem for the cells in ``mask``, naming the first and its component."""
        ctx.bad.add((schema.name, attr.name))
        i = int(np.argmax(mask))
        value = shown.iloc[i] if isinstance(shown, pd.Series) else shown[i]
        ctx.add(
            f"{prefix} = {fmt(value)} on {fmt(values.index[i])} {what}"
            f"{others(values.index[mask])}; {fix}."
        )

    if attr.dtype == "bool":
        bad = values.map(as_bool).isna().to_numpy()
        if bad.any():
            report(bad, values, "is not a boolean", "use True or False")
        return
    numbers, bad = numeric(values)
    unit = f" ({attr.unit})" if attr.unit else ""
    if bad.any():
        report(bad, values, "is not a number", f"give a number{unit}")
    for mask, what, fix in value_problems(attr, numbers, bad):
        report(mask, numbers, what, fix)


def value_problems(
    attr: Attribute, numbers: np.ndarray, bad: np.ndarray, *, per_snapshot: bool = False
) -> list[tuple[np.ndarray, str, str]]:
    """The cells of ``numbers`` (values of ``attr``; ``bad`` marks text that is no number)
    that ``attr`` does not accept, as (mask, what is wrong, how to fix it), one per rule:
    missing (NaN) unless ``nan_ok``, infinite unless ``inf_ok``, beyond ``attr.largest`` in
    magnitude, below ``attr.minimum`` or above ``attr.maximum``."""
    unit = f" ({attr.unit})" if attr.unit else ""
    low, high = max(attr.minimum, -attr.largest), min(attr.maximum, attr.largest)
    allowed = f"between {_number(low)} and {_number(high)}{unit}"
    out: list[tuple[np.ndarray, str, str]] = []
    nan = np.isnan(numbers) & ~bad
    if nan.any() and not attr.nan_ok:
        where = " for every snapshot" if per_snapshot else ""
        default = "" if per_snapshot else f" (the default is {fmt(attr.default)})"
        out.append((nan, "is missing", f"give a number {allowed}{where}{default}"))
    infinite = np.isinf(numbers)
    if infinite.any() and not attr.inf_ok:
        fix = f"give a finite number {allowed}"
        if attr.nan_ok:
            fix += "; leave it empty (NaN) for no limit"
        out.append((infinite, "is infinite", fix))
    finite = np.isfinite(numbers)
    with np.errstate(invalid="ignore"):
        huge = finite & (np.abs(numbers) > attr.largest)
    if huge.any():
        fix = f"use a value {allowed}" + (", or inf for no limit" if attr.inf_ok else "")
        what = f"is beyond ±{_number(attr.largest)}, the largest magnitude passed to HiGHS"
        out.append((huge, what, fix))
    checked = finite & ~huge if not attr.inf_ok else ~np.isnan(numbers) & ~huge
    with np.errstate(invalid="ignore"):
        below = checked & (numbers < attr.minimum)
        if attr.minimum_excluded:
            below |= checked & (numbers == attr.minimum)
        above = checked & (numbers > attr.maximum)
    if below.any():
        if attr.minimum_excluded:
            fix = f"use a value > {fmt(attr.minimum)}{unit}"
            what = f"is not above {fmt(attr.minimum)}"
        else:
            fix = f"use a value >= {fmt(attr.minimum)}{unit}"
            what = f"is below the minimum {fmt(attr.minimum)}"
        out.append((below, what, fix))
    if above.any():
        fix = f"use a value <= {fmt(attr.maximum)}{unit}"
        out.append((above, f"is above the maximum {fmt(attr.maximum)}", fix))
    return out


def _number(value: float) -> str:
    """A bound as messages show it: ``0``, ``1``, ``1e+15``."""
    return f"{value:g}"


def _bus_reference(
    ctx: Context, schema: ComponentSchema, attr: Attribute, values: pd.Series
) -> None:
    cname, where = schema.name, ctx.where(schema.name)
    buses = ctx.n.static["Bus"].index
    text = values.map(lambda v: v if isinstance(v, str) else "")
    empty = (text.str.strip() == "").to_numpy()
    if empty.any():
        ctx.bad.add((cname, attr.name))
        i = int(np.argmax(empty))
        ctx.add(
            f"{where}{cname}.{attr.name} is empty on {fmt(values.index[i])}"
            f"{others(values.index[empty])}; name the bus it connects to."
        )
    unknown = ~text.isin(buses).to_numpy() & ~empty
    if not unknown.any():
        return
    ctx.bad.add((cname, attr.name))
    bus_file = ctx.files.get("Bus")
    add = f"add it to {bus_file}" if bus_file else "add the bus"
    for value in pd.unique(text[unknown])[:10]:
        holders = values.index[(text == value).to_numpy()]
        ctx.add(
            f"{where}{cname}.{attr.name} = {fmt(value)} on {fmt(holders[0])}{others(holders)} "
            f"is not a bus.{did_you_mean(str(value), [str(b) for b in buses])} Fix the name "
            f"or {add}."
        )


def _misspelt(
    ctx: Context, schema: ComponentSchema, name: str, where: str, per_snapshot: bool
) -> None:
    """Report ``name`` if it looks like a misspelt attribute (``caspian.network.custom``)."""
    if schema.name == "Link" and EXTRA_PORT.match(name):
        return
    attr = misspelt_attribute(name, refusable(schema, per_snapshot))
    if attr is not None:
        what, kind = ("time series", "series") if per_snapshot else ("column", "column")
        ctx.add(
            f"{where}unknown {what} '{name}' in {schema.name}. Did you mean '{attr}'? Rename "
            f"it: as written it is kept as a custom {kind} and the attribute keeps its default."
        )


def _refused(
    ctx: Context,
    schema: ComponentSchema,
    attr: str,
    default: float | bool | str,
    values: pd.Series | pd.DataFrame,
    where: str | None,
) -> None:
    """Report a refused attribute set to anything but its default (NaN equals NaN)."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    if isinstance(default, bool):
        differs = frame.map(lambda v: as_bool(v) is not default).to_numpy(dtype=bool)
    elif isinstance(default, str):
        differs = frame.map(lambda v: isinstance(v, str) and v.strip() != default).to_numpy(bool)
    else:
        numbers, bad = numeric(frame)
        with np.errstate(invalid="ignore"):
            same = (numbers == default) | (np.isnan(numbers) & np.isnan(default))
        differs = bad | ~same
    if differs.any():
        ctx.add(refused_message(ctx, schema, attr, default, frame, differs, where))


def _global_constraints(ctx: Context, frame: pd.DataFrame) -> None:
    where = ctx.where("GlobalConstraint")
    for attr, supported in (
        ("type", SUPPORTED_GLOBAL_TYPES),
        ("carrier_attribute", SUPPORTED_CARRIER_ATTRIBUTES),
        ("sense", SENSES),
    ):
        if attr not in frame:
            continue
        bad = ~frame[attr].isin(supported).to_numpy()
        for value in pd.unique(frame[attr][bad])[:5]:
            holders = frame.index[(frame[attr] == value).to_numpy()]
            options = ", ".join(repr(s) for s in supported)
            ctx.add(
                f"{where}GlobalConstraint.{attr} = {fmt(value)} on {fmt(holders[0])}"
                f"{others(holders)} is not supported; caspian-grid supports {options}."
                + did_you_mean(str(value), supported)
            )


# ---------------------------------------------------------------------------------- series
def _series(ctx: Context, schema: ComponentSchema, attr: str, table: pd.DataFrame) -> None:
    n, cname = ctx.n, schema.name
    where = ctx.where(schema.name, attr)
    if not table.shape[1]:
        return
    if attr in schema.attribute_names and attr not in schema.varying_names:
        ctx.bad.add((cname, attr))
        ctx.add(
            f"{where}{cname}.{attr} is given per snapshot, but caspian-grid does not let it "
            f"vary in time; give one value per component in the {schema.list_name} table "
            "instead."
        )
        return
    if attr in schema.refused and attr not in EXTRA_SERIES[cname]:
        ctx.add(
            f"{where}{cname}.{attr} is given per snapshot, but PyPSA does not let it vary in "
            f"time and caspian-grid refuses it (it asks for {feature(attr)}); remove the series."
        )
        return
    known = {*schema.attribute_names, *schema.refused, *schema.passthrough, *EXTRA_SERIES[cname]}
    if attr not in known:
        _misspelt(ctx, schema, attr, where, per_snapshot=True)
        return
    if len(table) != len(n.snapshots):
        ctx.bad.add((cname, attr))
        ctx.add(
            f"{where}{cname}.{attr} has {len(table)} rows, but the network has "
            f"{len(n.snapshots)} snapshots; give one row per snapshot."
        )
        return
    if not table.index.equals(n.snapshots):
        ctx.bad.add((cname, attr))
        try:
            differs = np.asarray(table.index != n.snapshots, dtype=bool)
        except (TypeError, ValueError):
            differs = np.asarray(table.index.astype(str) != n.snapshots.astype(str), dtype=bool)
        i = int(np.argmax(differs))
        ctx.add(
            f"{where}{cname}.{attr}: row {i + 1} is labelled {label(table.index[i])} where "
            f"the snapshots have {label(n.snapshots[i])}; the rows must be the snapshots, "
            "in order."
        )
        return
    _series_columns(ctx, schema, attr, table, where)
    if attr in schema.refused:
        _refused(ctx, schema, attr, schema.refused[attr], table, where)
    elif attr in schema.varying_names:
        _series_values(ctx, schema, schema.attribute(attr), table, where)


def _series_columns(
    ctx: Context, schema: ComponentSchema, attr: str, table: pd.DataFrame, where: str
) -> None:
    names = ctx.n.static[schema.name].index
    for column in table.columns[table.columns.duplicated()].unique()[:5]:
        ctx.bad.add((schema.name, attr))
        ctx.add(f"{where}column {fmt(column)} appears more than once; keep one.")
    missing = [c for c in table.columns if c not in names]
    for column in missing[:10]:
        ctx.bad.add((schema.name, attr))
        ctx.add(
            f"{where}column {fmt(column)} of {schema.name}.{attr} is not a {schema.name}."
            + did_you_mean(str(column), [str(x) for x in names])
            + f" Rename the column or add the {schema.name}."
        )
    if len(missing) > 10:
        ctx.add(f"{where}{len(missing) - 10} more columns name no {schema.name}.")


def _series_values(
    ctx: Context, schema: ComponentSchema, attr: Attribute, table: pd.DataFrame, where: str
) -> None:
    """Type, NaN and range of every cell of one time series, vectorised."""
    cname = schema.name
    prefix = f"{where}{cname}.{attr.name}"
    numbers, bad = numeric(table)
    unit = f" ({attr.unit})" if attr.unit else ""

    def report(mask: np.ndarray, what: str, fix: str, raw: bool = False) -> None:
        ctx.bad.add((cname, attr.name))
        cells = np.argwhere(mask)
        row, col = (int(x) for x in cells[0])
        value = table.iat[row, col] if raw else numbers[row, col]
        also = [f"{fmt(table.columns[c])} at {label(table.index[r])}" for r, c in cells[1:4]]
        more = f" and {len(cells) - 4} more" if len(cells) > 4 else ""
        others_text = f"; also {', '.join(also)}{more}" if also else ""
        ctx.add(
            f"{prefix} = {fmt(value)} for {fmt(table.columns[col])} at snapshot "
            f"{label(table.index[row])} {what} ({len(cells)} value(s) in total{others_text}); "
            f"{fix}."
        )

    if bad.any():
        report(bad, "is not a number", f"give numbers{unit}", raw=True)
    for mask, what, fix in value_problems(attr, numbers, bad, per_snapshot=True):
        report(mask, what, fix)
