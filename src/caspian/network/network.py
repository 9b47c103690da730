"""The Network container: components as tables, time series as tables, snapshots with weightings.

The layout mirrors PyPSA so that its users feel at home: ``n.generators`` is the static table of
generators (one row per generator, one column per attribute) and ``n.generators_t.p_max_pu`` is
a snapshots x generators table of the values that vary in time. A time-varying value overrides
the static one for the generators that have a column in the time-series table.

The container only stores; :func:`caspian.network.validate.validate` checks a network once at each
boundary (file read, optimisation, CLI).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from caspian.exceptions import InputError
from caspian.network.schema import (
    COMPONENTS,
    LIST_NAMES,
    NOMINAL_ATTR,
    SNAPSHOT_WEIGHTINGS,
    ComponentSchema,
)

if TYPE_CHECKING:
    from caspian.network.periods import RepresentativePeriods

_PANDAS_DTYPE = {"float": "float64", "bool": "bool", "str": "object", "int": "int64"}


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or ``""`` if none is close."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""


def component_schema(component: str) -> ComponentSchema:
    """Return the schema of ``component`` given by class name (``"Generator"``) or list name."""
    name = LIST_NAMES.get(component, component)
    if name not in COMPONENTS:
        raise InputError(
            f"unknown component '{component}'.",
            hint="Known components: "
            + ", ".join(COMPONENTS)
            + "."
            + did_you_mean(component, [*COMPONENTS, *LIST_NAMES]),
        )
    return COMPONENTS[name]


def extendable_mask(static: pd.DataFrame, component: str) -> np.ndarray:
    """Boolean mask of the rows of ``static`` (the static table of ``component``, or some of its
    rows) whose capacity is a decision variable: its ``<nominal>_extendable`` column, with the
    nominal attribute from the schema (``NOMINAL_ATTR``).

    Raises KeyError for a component without an expandable capacity.
    """
    return static[f"{NOMINAL_ATTR[component]}_extendable"].to_numpy(bool)


def empty_static(schema: ComponentSchema) -> pd.DataFrame:
    """An empty static table with the schema's columns and dtypes."""
    frame = pd.DataFrame(
        {a.name: pd.Series(dtype=_PANDAS_DTYPE[a.dtype]) for a in schema.attributes},
        index=pd.Index([], dtype=object, name="name"),
    )
    return frame


class TimeSeries(Mapping[str, pd.DataFrame]):
    """Read access to one component's time-series tables, as ``n.generators_t.p_max_pu``."""

    def __init__(self, network: Network, component: str) -> None:
        self._network = network
        self._component = component

    def _tables(self) -> dict[str, pd.DataFrame]:
        return self._network.dynamic[self._component]

    def __getitem__(self, attr: str) -> pd.DataFrame:
        tables = self._tables()
        if attr in tables:
            return tables[attr]
        return pd.DataFrame(index=self._network.snapshots, columns=pd.Index([], name="name"))

    def __getattr__(self, attr: str) -> pd.DataFrame:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self[attr]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables())

    def __len__(self) -> int:
        return len(self._tables())


class Network:
    """A power-system network: buses, generators, loads, lines, links, storage and constraints.

    Parameters
    ----------
    name
        a label for the network.
    snapshots
        the time steps; defaults to a single snapshot ``"now"`` like PyPSA.

    Examples
    --------
    >>> n = Network("two buses", snapshots=range(3))
    >>> n.add("Bus", ["north", "south"])
    >>> n.add("Generator", "gas", bus="north", p_nom=100, marginal_cost=50)
    >>> n.add("Load", "city", bus="south", p_set=[40, 60, 80])
    >>> n.add("Line", "north-south", bus0="north", bus1="south", x=0.1, s_nom=100)
    >>> list(n.generators.index)
    ['gas']
    """

    def __init__(self, name: str = "", snapshots: Sequence[Any] | pd.Index | None = None) -> None:
        self.name = name
        self.meta: dict[str, Any] = {}
        self.static: dict[str, pd.DataFrame] = {
            c: empty_static(schema) for c, schema in COMPONENTS.items()
        }
        self.dynamic: dict[str, dict[str, pd.DataFrame]] = {c: {} for c in COMPONENTS}
        index = pd.Index(["now"] if snapshots is None else list(snapshots), name="snapshot")
        self._snapshots = index
        self.snapshot_weightings = pd.DataFrame(
            1.0, index=index, columns=pd.Index(SNAPSHOT_WEIGHTINGS)
        )
        self.periods: RepresentativePeriods | None = None
        """The typical periods the snapshots stand for (representative periods, such as
        typical days), or None for chronological snapshots; part of the time structure like
        the weightings, and written and read with the network."""

    # ------------------------------------------------------------------ snapshots
    @property
    def snapshots(self) -> pd.Index:
        """The time steps of the network."""
        return self._snapshots

    def set_snapshots(self, snapshots: Sequence[Any] | pd.Index) -> None:
        """Replace the snapshots; weightings of new snapshots are 1 h, time series are reindexed,
        and representative periods (``periods``), which described the old ones, are dropped."""
        index = pd.Index(snapshots, name="snapshot")
        if index.has_duplicates:
            dup = index[index.duplicated()][0]
            raise InputError(
                f"snapshot {dup!r} appears more than once.",
                component="snapshots",
                hint="Each snapshot must be unique.",
            )
        self.snapshot_weightings = self.snapshot_weightings.reindex(index, fill_value=1.0)
        for tables in self.dynamic.values():
            for attr, table in tables.items():
                tables[attr] = table.reindex(index)
        self._snapshots = index
        self.periods = None

    # ------------------------------------------------------------------ components
    def add(self, component: str, names: str | Sequence[str], **attrs: Any) -> None:
        """Add one or several components.

        Parameters
        ----------
        component
            class name (``"Generator"``) or list name (``"generators"``).
        names
            one name or a list of names.
        **attrs
            attribute values. A scalar applies to every new component; a list or Series
            with one value per name sets each; a value per snapshot (list as long as the
            snapshots, Series indexed by snapshot, or a DataFrame snapshots x names) makes the
            attribute vary in time, for attributes that may.
        """
        schema = component_schema(component)
        cname = schema.name
        name_list = [names] if isinstance(names, str) else [str(x) for x in names]
        known = self.static[cname].index
        clash = [x for x in name_list if x in known]
        if clash or len(set(name_list)) != len(name_list):
            raise InputError(
                f"name {clash[0] if clash else name_list!r} already exists.",
                component=cname,
                hint="Component names must be unique within a component type.",
            )
        allowed = {*schema.attribute_names, *schema.refused, *schema.passthrough}
        new = pd.DataFrame(index=pd.Index(name_list, dtype=object, name="name"))
        series: dict[str, pd.DataFrame] = {}
        for attr, value in attrs.items():
            if attr not in allowed:
                raise InputError(
                    f"unknown attribute '{attr}'.",
                    component=cname,
                    attribute=attr,
                    hint="Check the spelling." + did_you_mean(attr, allowed),
                )
            varying = attr in schema.varying_names
            table = self._as_time_series(value, name_list) if varying else None
            if table is not None:
                series[attr] = table
            else:
                new[attr] = self._as_static(value, name_list, cname, attr)
        for a in schema.attributes:
            if a.name not in new:
                if a.required:
                    raise InputError(
                        "is required but was not given.",
                        component=cname,
                        attribute=a.name,
                        hint=f"Pass {a.name}=... for {name_list[0]!r}.",
                    )
                new[a.name] = a.default
            if a.name in series:
                new[a.name] = a.default
        frame = self.static[cname]
        typed = self._typed(new, schema)
        self.static[cname] = pd.concat([frame, typed]) if len(frame) else typed
        self.static[cname].index.name = "name"
        for attr, table in series.items():
            old = self.dynamic[cname].get(attr)
            self.dynamic[cname][attr] = table if old is None else pd.concat([old, table], axis=1)

    def _typed(self, frame: pd.DataFrame, schema: ComponentSchema) -> pd.DataFrame:
        columns = [*schema.attribute_names, *[c for c in frame if c not in schema.attribute_names]]
        frame = frame[columns]
        for a in schema.attributes:
            if a.dtype == "float":
                frame[a.name] = frame[a.name].astype(float)
            elif a.dtype == "bool":
                frame[a.name] = frame[a.name].astype(bool)
            elif a.dtype == "str":
                frame[a.name] = frame[a.name].astype(object)
        return frame

    def _as_time_series(self, value: Any, names: list[str]) -> pd.DataFrame | None:
        """Return a snapshots x names table if ``value`` is given per snapshot, else None."""
        sns = self.snapshots
        if isinstance(value, pd.DataFrame):
            table = value.reindex(index=sns)
            table.columns = pd.Index([str(c) for c in table.columns], name="name")
            return table.astype(float)
        if (
            isinstance(value, pd.Series)
            and value.index.equals(sns)
            and (len(names) == 1 or not value.index.isin(names).all())
        ):
            return pd.DataFrame({x: value.to_numpy(float) for x in names}, index=sns)
        if isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, str):
            arr = np.asarray(value, dtype=float)
            if arr.ndim == 2 and arr.shape == (len(sns), len(names)):
                return pd.DataFrame(arr, index=sns, columns=pd.Index(names, name="name"))
            if (
                arr.ndim == 1
                and len(arr) == len(sns)
                and (len(names) == 1 or len(sns) != len(names))
            ):
                return pd.DataFrame({x: arr for x in names}, index=sns)
        return None

    @staticmethod
    def _as_static(value: Any, names: list[str], cname: str, attr: str) -> Any:
        if isinstance(value, pd.Series):
            return value.reindex(names).to_numpy()
        if isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, str):
            if len(value) != len(names):
                raise InputError(
                    f"got {len(value)} values for {len(names)} components.",
                    component=cname,
                    attribute=attr,
                    hint="Give one value, one per component, or one per snapshot "
                    "for attributes that vary in time.",
                )
            return list(value)
        return value

    def remove(self, component: str, names: str | Sequence[str]) -> None:
        """Remove components by name, with their time series."""
        cname = component_schema(component).name
        name_list = [names] if isinstance(names, str) else list(names)
        self.static[cname] = self.static[cname].drop(index=name_list)
        for attr, table in self.dynamic[cname].items():
            self.dynamic[cname][attr] = table.drop(columns=[x for x in name_list if x in table])

    # ------------------------------------------------------------------ access
    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        if key in LIST_NAMES:
            return self.static[LIST_NAMES[key]]
        if key.endswith("_t") and key[:-2] in LIST_NAMES:
            return TimeSeries(self, LIST_NAMES[key[:-2]])
        raise AttributeError(f"'Network' object has no attribute '{key}'")

    def get_series(self, component: str, attr: str, names: pd.Index | None = None) -> np.ndarray:
        """Values of ``attr`` as a dense snapshots x components float array.

        The static value applies wherever the time-series table has no column for a component.
        """
        cname = component_schema(component).name
        static = self.static[cname]
        names = static.index if names is None else names
        base = static[attr].reindex(names).to_numpy(dtype=float)
        out = np.empty((len(self.snapshots), len(names)), dtype=float)
        out[:] = base
        table = self.dynamic[cname].get(attr)
        if table is not None and table.shape[1]:
            cols = table.columns.intersection(names)
            if len(cols):
                pos = names.get_indexer(cols)
                out[:, pos] = table[cols].to_numpy(dtype=float)
        return out

    def is_varying(self, component: str, attr: str) -> bool:
        """True if any component has a time series for ``attr``."""
        table = self.dynamic[component_schema(component).name].get(attr)
        return table is not None and table.shape[1] > 0

    def components(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """Iterate over (class name, static table) of the non-empty components."""
        for cname, frame in self.static.items():
            if len(frame):
                yield cname, frame

    def copy(self) -> Network:
        """A deep copy."""
        other = Network(self.name, self.snapshots)
        other.meta = dict(self.meta)
        other.snapshot_weightings = self.snapshot_weightings.copy()
        other.periods = self.periods  # immutable
        other.static = {c: f.copy() for c, f in self.static.items()}
        other.dynamic = {c: {a: t.copy() for a, t in d.items()} for c, d in self.dynamic.items()}
        return other

    def __repr__(self) -> str:
        parts = [f"{len(f)} {COMPONENTS[c].list_name}" for c, f in self.components()]
        label = f" {self.name!r}" if self.name else ""
        return f"<Network{label}: {len(self.snapshots)} snapshots, {', '.join(parts) or 'empty'}>"
