"""What caspian-grid needs to know about PyPSA 1.4's attributes beyond the component schema.

PyPSA itself is never imported at run time (it costs seconds and hundreds of MB); these tables
are copied from ``pypsa/data/component_attrs/*.csv`` (PyPSA 1.4) and checked against it by
``tests/network/test_pypsa_attrs.py``.

* :data:`RESULT_ATTRIBUTES` — PyPSA output attributes (optimal capacities, dispatch, duals,
  per-unit impedances, ...). They are dropped on import: they describe a solved network, not an
  input, and caspian-grid computes its own.
* :data:`EXTRA_SERIES` — attributes outside the schema's ``varying`` ones that PyPSA lets vary
  per snapshot (refused or passthrough attributes such as ``p_set`` or ``q_set``).
* :data:`FEATURES` — the PyPSA feature a refused attribute asks for, for error messages.
"""

from __future__ import annotations

import re

PYPSA_FORMAT_VERSION = "1.4.0"
"""The PyPSA version whose file layout caspian-grid writes (``network_pypsa_version``)."""

_ONE_PORT_RESULTS = frozenset({"p", "q", "p_nom_opt", "mu_upper", "mu_lower"})
_COMMON_RESULTS = frozenset({"capital_cost_piecewise_opt", "marginal_cost_piecewise_opt"})
_COMMITMENT_RESULTS = frozenset(
    {"status", "start_up", "shut_down", "maintenance", "maintenance_start", "mu_p_set"}
)
_RAMP_RESULTS = frozenset({"mu_ramp_limit_up", "mu_ramp_limit_down"})

RESULT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "Bus": frozenset(
        {"control", "generator", "sub_network", "p", "q", "v_mag_pu", "v_ang", "marginal_price"}
    ),
    "Carrier": frozenset(),
    "Generator": _ONE_PORT_RESULTS | _COMMON_RESULTS | _COMMITMENT_RESULTS | _RAMP_RESULTS,
    "Load": frozenset({"p", "q"}),
    "Line": frozenset(
        {"sub_network", "p0", "q0", "p1", "q1", "x_pu", "r_pu", "g_pu", "b_pu", "x_pu_eff"}
        | {"r_pu_eff", "s_nom_opt", "mu_lower", "mu_upper", "capital_cost_piecewise_opt"}
    ),
    "Link": (_ONE_PORT_RESULTS - {"q"})
    | _COMMON_RESULTS
    | _COMMITMENT_RESULTS
    | _RAMP_RESULTS
    | {"p0", "p1"},
    "StorageUnit": _ONE_PORT_RESULTS
    | _COMMON_RESULTS
    | {"p_dispatch", "p_store", "state_of_charge", "spill"}
    | {"mu_state_of_charge_set", "mu_energy_balance"},
    "Store": _ONE_PORT_RESULTS | _COMMON_RESULTS | {"e", "e_nom_opt", "mu_energy_balance"},
    "GlobalConstraint": frozenset({"mu"}),
}
"""PyPSA output attributes by component (static and per snapshot). A schema ``passthrough``
attribute listed here (e.g. ``Bus.sub_network``) is kept all the same."""

_COMMITMENT_COSTS = frozenset(
    {"marginal_cost_quadratic", "p_set", "start_up_cost", "shut_down_cost", "stand_by_cost"}
)
_STORAGE_SETS = frozenset({"marginal_cost_quadratic", "marginal_cost_storage", "p_set", "q_set"})

EXTRA_SERIES: dict[str, frozenset[str]] = {
    "Bus": frozenset({"v_mag_pu_set"}),
    "Carrier": frozenset(),
    "Generator": _COMMITMENT_COSTS | {"q_set"},
    "Load": frozenset({"q_set"}),
    "Line": frozenset(),
    "Link": _COMMITMENT_COSTS,
    "StorageUnit": _STORAGE_SETS | {"p_dispatch_set", "p_store_set", "state_of_charge_set"},
    "Store": _STORAGE_SETS | {"e_set"},
    "GlobalConstraint": frozenset(),
}
"""Refused or passthrough attributes PyPSA accepts per snapshot (``<list>-<attr>.csv``)."""

CASPIAN_ONLY: dict[str, frozenset[str]] = {
    "Bus": frozenset({"country"}),
    "Link": frozenset({"bidirectional"}),
}
"""Schema attributes PyPSA does not have; written to PyPSA files as custom columns, and only
when some component sets them, so that PyPSA networks round-trip without extra columns."""

STRING_ATTRIBUTES = frozenset(
    {"type", "unit", "location", "control", "generator", "sub_network", "color", "nice_name"}
)
"""Passthrough attributes PyPSA types as strings (read as text, never as numbers)."""

_EXPANSION = "multi-period investment (build years, lifetimes, activity)"
_COMMITMENT = "unit commitment"
FEATURES: dict[str, str] = {
    "committable": _COMMITMENT,
    "start_up_cost": f"{_COMMITMENT} (start-up costs)",
    "shut_down_cost": f"{_COMMITMENT} (shut-down costs)",
    "stand_by_cost": f"{_COMMITMENT} (stand-by costs)",
    "ramp_limit_start_up": f"{_COMMITMENT} (start-up ramp limits)",
    "ramp_limit_shut_down": f"{_COMMITMENT} (shut-down ramp limits)",
    "p_nom_mod": "modular (integer) capacity expansion",
    "s_nom_mod": "modular (integer) capacity expansion",
    "e_nom_mod": "modular (integer) capacity expansion",
    "p_nom_set": "a fixed optimal capacity",
    "s_nom_set": "a fixed optimal capacity",
    "e_nom_set": "a fixed optimal capacity",
    "p_set": "a fixed dispatch set point",
    "p_dispatch_set": "a fixed dispatch set point",
    "p_store_set": "a fixed charging set point",
    "state_of_charge_set": "a fixed state of charge",
    "e_set": "a fixed energy level",
    "e_sum_min": "limits on the energy produced over the horizon",
    "e_sum_max": "limits on the energy produced over the horizon",
    "marginal_cost_quadratic": "quadratic marginal costs",
    "marginal_cost_storage": "costs on stored energy",
    "maintainable": "maintenance scheduling",
    "overnight_cost": "annuitised overnight costs",
    "active": "inactive components",
    "build_year": _EXPANSION,
    "lifetime": _EXPANSION,
    "investment_period": _EXPANSION,
    "state_of_charge_initial_per_period": _EXPANSION,
    "cyclic_state_of_charge_per_period": _EXPANSION,
    "e_initial_per_period": _EXPANSION,
    "e_cyclic_per_period": _EXPANSION,
    "delay": "time-delayed links",
    "bus2": "multi-port links (bus2, bus3, ...)",
    "type": "standard line types",
    "sign": "a sign other than PyPSA's default",
    "bus": "bus-level global constraints",
}
"""The PyPSA feature each refused attribute asks for, as the error message names it."""

EXTRA_PORT = re.compile(r"^(bus|efficiency|delay|cyclic_delay)([2-9]|[1-9]\d+)$")
"""Multi-port link attributes (``bus2``, ``efficiency3``, ...); ``bus<k>`` is refused when set."""

RESULT_PORT = re.compile(r"^p([2-9]|[1-9]\d+)$")
"""Multi-port link results (``p2``, ``p3``, ...), dropped on import."""


def is_result(component: str, attr: str) -> bool:
    """True if ``attr`` is a PyPSA output of ``component`` (dropped on import)."""
    if attr in RESULT_ATTRIBUTES.get(component, frozenset()) or attr.startswith("mu_"):
        return True
    return component == "Link" and RESULT_PORT.match(attr) is not None


def feature(attr: str) -> str:
    """The PyPSA feature a refused attribute asks for."""
    if EXTRA_PORT.match(attr):
        return FEATURES["bus2"]
    return FEATURES.get(attr, f"PyPSA's '{attr}'")
