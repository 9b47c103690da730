"""One declarative schema per component: names, types, units, defaults and limits.

The schema follows PyPSA's component attributes (names, units and defaults), so that a
PyPSA user recognises every column. It drives defaults, validation, I/O and the docs.

Three kinds of attribute are listed per component:

* ``attributes`` — what the optimiser reads. Each has a dtype, a unit, a default, whether it
  may vary per snapshot, and the range of values it accepts.
* ``refused`` — PyPSA attributes that would change the optimisation but that caspian-grid does
  not model (unit commitment, modular expansion, fixed set points, ...). A network that sets
  one of them to anything but its default is refused with a message naming it.
* ``passthrough`` — PyPSA attributes with no effect on a linear optimal power flow (power-flow
  set points, plotting metadata). They are kept on import and written back on export so that a
  round trip loses nothing, and ignored by the optimiser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

DType = Literal["float", "bool", "str", "int"]

HIGHS_INFINITY = 1e20
"""HiGHS takes a bound or cost of this magnitude or more as infinite (its ``infinite_bound``
and ``infinite_cost``)."""

LARGEST_VALUE = 1e15
"""Largest magnitude of a finite attribute value (MW, MWh, EUR, per unit, hours...): HiGHS's
``large_matrix_value`` (a model with a larger coefficient is refused), far beyond any power
system, and small enough that a value times a snapshot weighting stays below
[`HIGHS_INFINITY`][caspian.network.schema.HIGHS_INFINITY]. Validation refuses larger ones, and
infinite ones except where infinity means no limit (``p_nom_max``, ``s_nom_max``,
``e_nom_max``)."""


@dataclass(frozen=True)
class Attribute:
    """One attribute of a component.

    Parameters
    ----------
    name
        PyPSA's attribute name.
    dtype
        value type of the column.
    unit
        physical unit (``"MW"``, ``"per unit"``, ``"EUR/MWh"``...); ``""`` if none.
    default
        value used where the attribute is not given.
    varying
        True if the attribute may be given per snapshot (a time-series table).
    description
        one line for docs and error messages.
    required
        True if the attribute has no default and must be given (e.g. ``bus``).
    bus_ref
        True if the value names a bus.
    minimum
        smallest accepted value, inclusive (floats only); NaN is never accepted unless
        ``nan_ok``.
    minimum_excluded
        True if ``minimum`` itself is refused too (an attribute the LP divides by, such as
        ``efficiency_dispatch``, must be above 0).
    maximum
        largest accepted value, inclusive (floats only).
    nan_ok
        True if NaN is a meaningful value (e.g. ``ramp_limit_up``: NaN means no limit).
    inf_ok
        True if ``inf`` is a meaningful value (``p_nom_max``: no upper limit); otherwise every
        value must be finite.
    largest
        largest magnitude of a finite value, inclusive (floats only); default
        [`LARGEST_VALUE`][caspian.network.schema.LARGEST_VALUE].
    """

    name: str
    dtype: DType
    unit: str
    default: float | bool | str
    varying: bool = False
    description: str = ""
    required: bool = False
    bus_ref: bool = False
    minimum: float = -math.inf
    minimum_excluded: bool = False
    maximum: float = math.inf
    nan_ok: bool = False
    inf_ok: bool = False
    largest: float = LARGEST_VALUE


@dataclass(frozen=True)
class ComponentSchema:
    """The schema of one component type."""

    name: str
    list_name: str
    description: str
    attributes: tuple[Attribute, ...]
    refused: dict[str, float | bool | str] = field(default_factory=dict)
    passthrough: tuple[str, ...] = ()
    nominal: str | None = None
    """The capacity attribute (``p_nom``, ``s_nom`` or ``e_nom``) of an expandable component,
    whose ``<nominal>_extendable`` flag makes it a decision variable; None for the others."""

    def attribute(self, name: str) -> Attribute:
        """Return the attribute called ``name`` (KeyError if unknown)."""
        for attr in self.attributes:
            if attr.name == name:
                return attr
        raise KeyError(name)

    @property
    def attribute_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attributes)

    @property
    def varying_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attributes if a.varying)

    @property
    def defaults(self) -> dict[str, float | bool | str]:
        return {a.name: a.default for a in self.attributes if not a.required}


INF = math.inf
NAN = math.nan

# PyPSA attributes that only matter for (non-linear) power flow, plotting, clustering or
# results; they never change the linear optimisation.
_ONE_PORT_PASSTHROUGH = ("control", "type", "q_set", "weight", "p_init")
_RESULT_COLUMNS = ("sub_network",)

_EXPANSION_REFUSED: dict[str, float | bool | str] = {
    "overnight_cost": NAN,
    "active": True,
    "build_year": 0,
    "lifetime": INF,
}


def _capacity(prefix: str, unit: str, what: str) -> tuple[Attribute, ...]:
    """The five attributes of an expandable capacity (``p_nom``, ``s_nom`` or ``e_nom``)."""
    return (
        Attribute(prefix, "float", unit, 0.0, description=f"Nominal {what}.", minimum=0.0),
        Attribute(
            f"{prefix}_extendable",
            "bool",
            "",
            False,
            description=f"Whether {prefix} is a decision variable of the optimisation.",
        ),
        Attribute(
            f"{prefix}_min",
            "float",
            unit,
            0.0,
            description=f"Lower limit on {prefix} when extendable.",
            minimum=0.0,
        ),
        Attribute(
            f"{prefix}_max",
            "float",
            unit,
            INF,
            description=f"Upper limit on {prefix} when extendable (inf: no limit).",
            minimum=0.0,
            inf_ok=True,
        ),
    )


def _costs(unit: str) -> tuple[Attribute, ...]:
    return (
        Attribute(
            "capital_cost",
            "float",
            f"EUR/{unit}",
            0.0,
            description=f"Annualised (periodic) cost of one {unit} of extendable capacity.",
        ),
        Attribute(
            "fom_cost",
            "float",
            f"EUR/{unit}",
            0.0,
            description=f"Fixed operation and maintenance cost per {unit}, added to capital_cost.",
        ),
    )


BUS = ComponentSchema(
    name="Bus",
    list_name="buses",
    description="A node where power is balanced in every snapshot.",
    attributes=(
        Attribute(
            "v_nom",
            "float",
            "kV",
            1.0,
            description="Nominal voltage (> 0 at the ends of lines).",
            minimum=0.0,
        ),
        Attribute("carrier", "str", "", "AC", description="Energy carrier (AC or DC)."),
        Attribute("x", "float", "", 0.0, description="Position, e.g. longitude."),
        Attribute("y", "float", "", 0.0, description="Position, e.g. latitude."),
        Attribute(
            "country",
            "str",
            "",
            "",
            description="Country or market area the bus belongs to, for results by country "
            "(as PyPSA-Eur's custom column); empty means the bus is its own area.",
        ),
    ),
    passthrough=(
        "type",
        "unit",
        "location",
        "v_mag_pu_set",
        "v_mag_pu_min",
        "v_mag_pu_max",
        "control",
        "generator",
        *_RESULT_COLUMNS,
    ),
)

CARRIER = ComponentSchema(
    name="Carrier",
    list_name="carriers",
    description="An energy carrier or technology, with its emissions.",
    attributes=(
        Attribute(
            "co2_emissions",
            "float",
            "t/MWh",
            0.0,
            description="CO2 emitted per MWh of primary energy.",
        ),
    ),
    passthrough=("color", "nice_name", "max_growth", "max_relative_growth"),
)

GENERATOR = ComponentSchema(
    name="Generator",
    list_name="generators",
    description="A generator at a bus, dispatchable between p_min_pu and p_max_pu of p_nom.",
    nominal="p_nom",
    attributes=(
        Attribute("bus", "str", "", "", required=True, bus_ref=True, description="Bus."),
        Attribute("carrier", "str", "", "", description="Technology / primary carrier."),
        *_capacity("p_nom", "MW", "power"),
        Attribute(
            "p_min_pu",
            "float",
            "per unit",
            0.0,
            varying=True,
            description="Minimum output per unit of p_nom.",
        ),
        Attribute(
            "p_max_pu",
            "float",
            "per unit",
            1.0,
            varying=True,
            description="Maximum output (availability) per unit of p_nom.",
        ),
        Attribute(
            "marginal_cost",
            "float",
            "EUR/MWh",
            0.0,
            varying=True,
            description="Cost of producing one MWh.",
        ),
        *_costs("MW"),
        Attribute(
            "efficiency",
            "float",
            "per unit",
            1.0,
            description="Output per unit of primary energy (for emissions).",
            minimum=0.0,
        ),
        Attribute(
            "ramp_limit_up",
            "float",
            "per unit",
            NAN,
            varying=True,
            nan_ok=True,
            minimum=0.0,
            description="Largest increase of output between snapshots, per unit of p_nom.",
        ),
        Attribute(
            "ramp_limit_down",
            "float",
            "per unit",
            NAN,
            varying=True,
            nan_ok=True,
            minimum=0.0,
            description="Largest decrease of output between snapshots, per unit of p_nom.",
        ),
        Attribute(
            "sign",
            "float",
            "",
            1.0,
            description="Orientation of the dispatch at the bus (PyPSA's sign).",
        ),
    ),
    refused={
        "committable": False,
        "p_nom_mod": 0.0,
        "p_nom_set": NAN,
        "p_set": NAN,
        "e_sum_min": -INF,
        "e_sum_max": INF,
        "marginal_cost_quadratic": 0.0,
        "stand_by_cost": 0.0,
        "start_up_cost": 0.0,
        "shut_down_cost": 0.0,
        "ramp_limit_start_up": NAN,
        "ramp_limit_shut_down": NAN,
        "maintainable": False,
        **_EXPANSION_REFUSED,
    },
    passthrough=(
        *_ONE_PORT_PASSTHROUGH,
        "discount_rate",
        "min_up_time",
        "min_down_time",
        "up_time_before",
        "down_time_before",
        "maintenance_duration",
        "maintenance_pu",
        "maintenance_events",
    ),
)

LOAD = ComponentSchema(
    name="Load",
    list_name="loads",
    description="A fixed demand at a bus.",
    attributes=(
        Attribute("bus", "str", "", "", required=True, bus_ref=True, description="Bus."),
        Attribute("carrier", "str", "", "", description="Carrier, for reporting."),
        Attribute(
            "p_set",
            "float",
            "MW",
            0.0,
            varying=True,
            description="Demand (negative values are injections).",
        ),
    ),
    refused={"sign": -1.0, "active": True},
    passthrough=("type", "q_set"),
)

LINE = ComponentSchema(
    name="Line",
    list_name="lines",
    description="A passive AC or DC line; flows follow Kirchhoff's laws.",
    nominal="s_nom",
    attributes=(
        Attribute("bus0", "str", "", "", required=True, bus_ref=True, description="From bus."),
        Attribute("bus1", "str", "", "", required=True, bus_ref=True, description="To bus."),
        Attribute("x", "float", "Ohm", 0.0, description="Series reactance.", minimum=0.0),
        Attribute("r", "float", "Ohm", 0.0, description="Series resistance.", minimum=0.0),
        *_capacity("s_nom", "MW", "thermal rating"),
        Attribute(
            "s_max_pu",
            "float",
            "per unit",
            1.0,
            varying=True,
            minimum=0.0,
            description="Usable share of s_nom.",
        ),
        *_costs("MW"),
        Attribute("length", "float", "km", 0.0, minimum=0.0, description="Length."),
        Attribute("carrier", "str", "", "", description="AC or DC (follows the buses)."),
    ),
    refused={
        "type": "",
        "s_nom_mod": 0.0,
        "s_nom_set": NAN,
        **_EXPANSION_REFUSED,
    },
    passthrough=(
        "g",
        "b",
        "terrain_factor",
        "num_parallel",
        "v_ang_min",
        "v_ang_max",
        "discount_rate",
        *_RESULT_COLUMNS,
    ),
)

LINK = ComponentSchema(
    name="Link",
    list_name="links",
    description="A controllable branch: p leaves bus0, efficiency * p arrives at bus1.",
    nominal="p_nom",
    attributes=(
        Attribute("bus0", "str", "", "", required=True, bus_ref=True, description="From bus."),
        Attribute("bus1", "str", "", "", required=True, bus_ref=True, description="To bus."),
        Attribute("carrier", "str", "", "", description="Technology."),
        Attribute(
            "efficiency",
            "float",
            "per unit",
            1.0,
            varying=True,
            minimum=0.0,
            description="Share of p withdrawn at bus0 that arrives at bus1.",
        ),
        *_capacity("p_nom", "MW", "power"),
        Attribute(
            "p_min_pu",
            "float",
            "per unit",
            0.0,
            varying=True,
            description="Minimum flow per unit of p_nom (negative for reverse flow).",
        ),
        Attribute(
            "p_max_pu",
            "float",
            "per unit",
            1.0,
            varying=True,
            description="Maximum flow per unit of p_nom.",
        ),
        Attribute(
            "marginal_cost",
            "float",
            "EUR/MWh",
            0.0,
            varying=True,
            description="Cost per MWh withdrawn at bus0.",
        ),
        *_costs("MW"),
        Attribute("length", "float", "km", 0.0, minimum=0.0, description="Length."),
        Attribute(
            "ramp_limit_up",
            "float",
            "per unit",
            NAN,
            varying=True,
            nan_ok=True,
            minimum=0.0,
            description="Largest increase of flow between snapshots, per unit of p_nom.",
        ),
        Attribute(
            "ramp_limit_down",
            "float",
            "per unit",
            NAN,
            varying=True,
            nan_ok=True,
            minimum=0.0,
            description="Largest decrease of flow between snapshots, per unit of p_nom.",
        ),
        Attribute(
            "bidirectional",
            "bool",
            "",
            False,
            description=(
                "caspian-grid only: a lossy two-way HVDC link. Forward flow up to "
                "p_max_pu*p_nom, backward flow up to -p_min_pu*p_nom, their sum at most "
                "p_nom, and 1 - efficiency is lost in both directions."
            ),
        ),
    ),
    refused={
        "committable": False,
        "p_nom_mod": 0.0,
        "p_nom_set": NAN,
        "p_set": NAN,
        "marginal_cost_quadratic": 0.0,
        "stand_by_cost": 0.0,
        "start_up_cost": 0.0,
        "shut_down_cost": 0.0,
        "ramp_limit_start_up": NAN,
        "ramp_limit_shut_down": NAN,
        "delay": 0,
        "maintainable": False,
        "bus2": "",
        **_EXPANSION_REFUSED,
    },
    passthrough=(
        "type",
        "p_init",
        "terrain_factor",
        "discount_rate",
        "cyclic_delay",
        "min_up_time",
        "min_down_time",
        "up_time_before",
        "down_time_before",
        "maintenance_duration",
        "maintenance_pu",
        "maintenance_events",
    ),
)

STORAGE_UNIT = ComponentSchema(
    name="StorageUnit",
    list_name="storage_units",
    description="Storage with a fixed energy-to-power ratio (max_hours).",
    nominal="p_nom",
    attributes=(
        Attribute("bus", "str", "", "", required=True, bus_ref=True, description="Bus."),
        Attribute("carrier", "str", "", "", description="Technology."),
        *_capacity("p_nom", "MW", "power"),
        Attribute(
            "p_min_pu",
            "float",
            "per unit",
            -1.0,
            varying=True,
            maximum=0.0,
            description="Minus the largest charging power per unit of p_nom.",
        ),
        Attribute(
            "p_max_pu",
            "float",
            "per unit",
            1.0,
            varying=True,
            minimum=0.0,
            description="Largest discharging power per unit of p_nom.",
        ),
        Attribute(
            "max_hours",
            "float",
            "h",
            1.0,
            minimum=0.0,
            description="Energy capacity in hours at full power.",
        ),
        Attribute(
            "efficiency_store",
            "float",
            "per unit",
            1.0,
            varying=True,
            minimum=0.0,
            description="Charging efficiency.",
        ),
        Attribute(
            "efficiency_dispatch",
            "float",
            "per unit",
            1.0,
            varying=True,
            minimum=0.0,
            minimum_excluded=True,
            description="Discharging efficiency (the storage balance divides by it, so above 0).",
        ),
        Attribute(
            "standing_loss",
            "float",
            "per unit",
            0.0,
            varying=True,
            minimum=0.0,
            maximum=1.0,
            description="Share of the state of charge lost per hour.",
        ),
        Attribute(
            "cyclic_state_of_charge",
            "bool",
            "",
            False,
            description="If True the state of charge before the first snapshot equals the last.",
        ),
        Attribute(
            "state_of_charge_initial",
            "float",
            "MWh",
            0.0,
            minimum=0.0,
            description="State of charge before the first snapshot (non-cyclic only).",
        ),
        Attribute(
            "inflow",
            "float",
            "MW",
            0.0,
            varying=True,
            minimum=0.0,
            description="Natural inflow into the store (e.g. a hydro reservoir).",
        ),
        Attribute(
            "marginal_cost",
            "float",
            "EUR/MWh",
            0.0,
            varying=True,
            description="Cost per MWh dispatched.",
        ),
        Attribute(
            "spill_cost",
            "float",
            "EUR/MWh",
            0.0,
            varying=True,
            description="Cost per MWh of inflow spilled.",
        ),
        *_costs("MW"),
    ),
    refused={
        "p_nom_mod": 0.0,
        "p_nom_set": NAN,
        "p_set": NAN,
        "p_dispatch_set": NAN,
        "p_store_set": NAN,
        "state_of_charge_set": NAN,
        "marginal_cost_quadratic": 0.0,
        "marginal_cost_storage": 0.0,
        "state_of_charge_initial_per_period": False,
        "cyclic_state_of_charge_per_period": False,
        "sign": 1.0,
        **_EXPANSION_REFUSED,
    },
    passthrough=(*_ONE_PORT_PASSTHROUGH, "discount_rate"),
)

STORE = ComponentSchema(
    name="Store",
    list_name="stores",
    description="An energy store with unconstrained power; its size is e_nom.",
    nominal="e_nom",
    attributes=(
        Attribute("bus", "str", "", "", required=True, bus_ref=True, description="Bus."),
        Attribute("carrier", "str", "", "", description="Technology."),
        *_capacity("e_nom", "MWh", "energy"),
        Attribute(
            "e_min_pu",
            "float",
            "per unit",
            0.0,
            varying=True,
            description="Lowest energy level per unit of e_nom.",
        ),
        Attribute(
            "e_max_pu",
            "float",
            "per unit",
            1.0,
            varying=True,
            description="Highest energy level per unit of e_nom.",
        ),
        Attribute(
            "e_cyclic",
            "bool",
            "",
            False,
            description="If True the level before the first snapshot equals the last.",
        ),
        Attribute(
            "e_initial",
            "float",
            "MWh",
            0.0,
            minimum=0.0,
            description="Energy level before the first snapshot (non-cyclic only).",
        ),
        Attribute(
            "standing_loss",
            "float",
            "per unit",
            0.0,
            varying=True,
            minimum=0.0,
            maximum=1.0,
            description="Share of the energy level lost per hour.",
        ),
        Attribute(
            "marginal_cost",
            "float",
            "EUR/MWh",
            0.0,
            varying=True,
            description="Cost per MWh of net output p (negative while charging).",
        ),
        *_costs("MWh"),
    ),
    refused={
        "e_nom_mod": 0.0,
        "e_nom_set": NAN,
        "p_set": NAN,
        "e_set": NAN,
        "marginal_cost_quadratic": 0.0,
        "marginal_cost_storage": 0.0,
        "e_initial_per_period": False,
        "e_cyclic_per_period": False,
        "sign": 1.0,
        **_EXPANSION_REFUSED,
    },
    passthrough=("type", "q_set", "discount_rate"),
)

GLOBAL_CONSTRAINT = ComponentSchema(
    name="GlobalConstraint",
    list_name="global_constraints",
    description="A constraint over the whole horizon; caspian-grid supports a CO2 cap.",
    attributes=(
        Attribute(
            "type",
            "str",
            "",
            "primary_energy",
            description="Only 'primary_energy' is supported.",
        ),
        Attribute(
            "carrier_attribute",
            "str",
            "",
            "co2_emissions",
            description="Carrier attribute summed; only 'co2_emissions' is supported.",
        ),
        Attribute(
            "sense", "str", "", "==", description="'<=', '>=' or '==' (PyPSA's default is '==')."
        ),
        Attribute("constant", "float", "t", 0.0, description="Right-hand side (the cap)."),
    ),
    refused={"investment_period": NAN, "bus": ""},
)

COMPONENTS: dict[str, ComponentSchema] = {
    c.name: c
    for c in (BUS, CARRIER, GENERATOR, LOAD, LINE, LINK, STORAGE_UNIT, STORE, GLOBAL_CONSTRAINT)
}
"""Supported components by PyPSA class name, in the order they are read and written."""

NOMINAL_ATTR: dict[str, str] = {
    c.name: c.nominal for c in COMPONENTS.values() if c.nominal is not None
}
"""The capacity attribute of each expandable component (``"Generator"``: ``"p_nom"``), in the
order of ``COMPONENTS``."""

LIST_NAMES: dict[str, str] = {c.list_name: c.name for c in COMPONENTS.values()}
"""PyPSA list name (``"generators"``) to class name (``"Generator"``)."""

UNSUPPORTED_COMPONENTS: dict[str, str] = {
    "Transformer": "transformers",
    "ShuntImpedance": "shunt_impedances",
    "Process": "processes",
    "Shape": "shapes",
}
"""PyPSA components caspian-grid refuses when a network has any (shapes only carry geometry
but are refused rather than silently dropped)."""

SNAPSHOT_WEIGHTINGS = ("objective", "stores", "generators")
"""Columns of the snapshot weightings table, in hours."""

LARGEST_WEIGHTING = 1e6
"""Largest snapshot weighting, h (a snapshot standing for over a century); weightings must be
finite and positive."""

SUPPORTED_GLOBAL_TYPES = ("primary_energy",)
SUPPORTED_CARRIER_ATTRIBUTES = ("co2_emissions",)
SENSES = ("<=", ">=", "==")
