"""The declared shape of the corridor dataset's tables: columns, types, units and references.

Each CSV in ``caspian/corridor/data`` has one :class:`TableSpec`. A column is a *quantity* when
it holds a number the dataset ships; every quantity becomes one provenance row (value, unit,
year, source, confidence, note). A row's ``source``, ``confidence`` and ``note`` cover all its
quantities, and a quantity ``q`` may carry its own ``q_source``, ``q_confidence``, ``q_note`` and
``q_year`` columns where it comes from elsewhere (e.g. a demand row whose energy and peak come
from different reports).

``source`` is a comma-separated list of ids from ``sources.csv`` (``S23``, ``GK``, ``IPCC2006``)
or the word ``assumption``; ``confidence`` is H, M or L as in ``caspian_data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["number", "year", "text", "bool"]
Reference = Literal["node", "system_node", "market_node", "technology", "asset_class", "fuel"]

CONFIDENCE_LEVELS = ("H", "M", "L")
ASSUMPTION = "assumption"
"""The ``source`` token of a value that rests on a stated assumption, not on a source."""
PROVENANCE_SUFFIXES = ("source", "confidence", "note", "year")
"""Suffixes of the optional per-quantity provenance columns (``peak_mw_source`` ...)."""
TARGET_YEARS = (2030, 2035)
"""Model years every system node must have demand for."""
FUELS = ("gas", "coal", "uranium", "waste")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``unit`` is the unit of a quantity (``"@unit"``: read it from the row's ``unit`` column);
    ``minimum``/``maximum`` bound numbers; ``choices`` restricts text; ``references`` names the
    table a value must be a key of.
    """

    name: str
    kind: ColumnKind = "text"
    unit: str = ""
    required: bool = True
    quantity: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    references: Reference | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One table: its file, key columns, columns, and the column giving a row's data year."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    year_column: str | None = None
    provenance: bool = True

    @property
    def file(self) -> str:
        """The CSV file name."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Declared columns, the common ``source``/``confidence``/``note`` included."""
        common = ("source", "confidence", "note") if self.provenance else ()
        return (*(c.name for c in self.columns), *common)

    @property
    def quantities(self) -> tuple[Column, ...]:
        """The columns whose numbers go to the provenance table."""
        return tuple(c for c in self.columns if c.quantity)

    def override_columns(self) -> tuple[str, ...]:
        """Optional per-quantity provenance columns this table accepts."""
        return tuple(f"{q.name}_{s}" for q in self.quantities for s in PROVENANCE_SUFFIXES)


def _q(name: str, unit: str, **kw: object) -> Column:
    """A non-negative quantity column."""
    kw.setdefault("minimum", 0.0)
    return Column(name, "number", unit=unit, quantity=True, **kw)  # type: ignore[arg-type]


_SHARE = {"minimum": 0.0, "maximum": 1.0}

SOURCES = TableSpec(
    "sources",
    ("source",),
    (Column("source"), Column("citation")),
    provenance=False,
)

NODES = TableSpec(
    "nodes",
    ("node",),
    (
        Column("node"),
        Column("name"),
        Column("country"),
        Column("kind", choices=("system", "market")),
        _q("lat", "degree", minimum=-90.0, maximum=90.0),
        _q("lon", "degree", minimum=-180.0, maximum=180.0),
        _q("utc_offset_h", "h", minimum=-12.0, maximum=14.0),
    ),
)

DISCOUNT_RATES = TableSpec(
    "discount_rates",
    ("asset_class",),
    (Column("asset_class"), _q("rate", "per year", **_SHARE)),
)

TECHNOLOGIES = TableSpec(
    "technologies",
    ("technology",),
    (
        Column("technology"),
        Column("description"),
        _q("capex_eur_per_kw", "EUR/kW", required=False),
        _q("capex_eur_per_kwh", "EUR/kWh", required=False),
        _q("capex_eur_per_mw_km", "EUR/(MW km)", required=False),
        _q("fom_pct", "% of capex per year", required=False),
        _q("vom_eur_per_mwh", "EUR/MWh", required=False),
        _q("lifetime_years", "years", required=False, minimum=1.0),
        _q("efficiency", "per unit", required=False, **_SHARE),
        _q("efficiency_existing", "per unit", required=False, **_SHARE),
        Column("asset_class", references="asset_class"),
        Column("fuel", required=False, references="fuel"),
        _q("co2_t_per_mwh_th", "t/MWh_th", required=False),
        Column("extendable", "bool"),
    ),
)

FLEET = TableSpec(
    "fleet",
    ("node", "technology"),
    (
        Column("node", references="system_node"),
        Column("technology", references="technology"),
        _q("p_nom_mw", "MW"),
        Column("year", "year"),
    ),
    year_column="year",
)

PROJECTS = TableSpec(
    "projects",
    ("name",),
    (
        Column("name"),
        Column("node", references="system_node"),
        Column("technology", references="technology"),
        _q("p_nom_mw", "MW"),
        _q("max_hours", "h", required=False),
        Column("in_service_year", "year", required=False, quantity=True, unit="year"),
        Column(
            "status",
            choices=(
                "operating",
                "under_construction",
                "planned",
                "development",
                "agreement",
                "feasibility",
                "mou",
            ),
        ),
        Column("status_text"),
        Column("action", choices=("add", "retire")),
        Column("in_fleet", "bool"),
        Column("developer", required=False),
        _q("lat", "degree", required=False, minimum=-90.0, maximum=90.0),
        _q("lon", "degree", required=False, minimum=-180.0, maximum=180.0),
    ),
)

DEMAND = TableSpec(
    "demand",
    ("node", "year"),
    (
        Column("node", references="system_node"),
        Column("year", "year"),
        _q("annual_twh", "TWh/yr", minimum=1e-9),
        _q("peak_mw", "MW", minimum=1e-9),
        Column("peak_season", choices=("summer", "winter")),
        _q("reported_consumption_twh", "TWh/yr", required=False),
    ),
    year_column="year",
)

RESOURCES = TableSpec(
    "resources",
    ("node", "technology"),
    (
        Column("node", references="system_node"),
        Column("technology", references="technology"),
        _q("capacity_factor", "per unit", **_SHARE),
        _q("p_nom_max_mw", "MW", required=False),
    ),
)

LINKS = TableSpec(
    "links",
    ("name",),
    (
        Column("name"),
        Column("bus0", references="node"),
        Column("bus1", references="node"),
        Column("kind", choices=("ac", "hvdc")),
        Column("line_type", references="technology"),
        _q("p_nom_mw", "MW"),
        _q("length_km", "km", required=False),
        Column("status", choices=("existing", "planned", "candidate")),
        Column("in_service_year", "year", required=False, quantity=True, unit="year"),
        Column("extendable_default", "bool"),
        _q("p_nom_max_mw", "MW", required=False),
        Column("route", required=False, choices=("A", "B")),
        Column(
            "role",
            choices=(
                "interconnector",
                "zone_link",
                "caspian_crossing",
                "feeder",
                "black_sea",
                "reinforcement",
            ),
        ),
    ),
)

FUEL_PRICES = TableSpec(
    "fuel_prices",
    ("node", "fuel"),
    (
        Column("node", references="system_node"),
        Column("fuel", references="fuel"),
        _q("eur_per_mwh_th", "EUR/MWh_th"),
        Column("year", "year"),
    ),
    year_column="year",
)

MARKETS = TableSpec(
    "markets",
    ("node",),
    (
        Column("node", references="market_node"),
        _q("annual_mean_eur_per_mwh", "EUR/MWh"),
        Column("price_year", "year"),
        _q("co2_price_eur_per_t", "EUR/t", required=False),
        _q("may_mean_eur_per_mwh", "EUR/MWh", required=False),
        _q("jun_mean_eur_per_mwh", "EUR/MWh", required=False),
        _q("jul_mean_eur_per_mwh", "EUR/MWh", required=False),
    ),
    year_column="price_year",
)

PARAMETERS = TableSpec(
    "parameters",
    ("name",),
    (
        Column("name"),
        Column("value", "number", unit="@unit", quantity=True, minimum=0.0),
        Column("unit"),
        Column("year", "year", required=False),
    ),
    year_column="year",
)

TABLES: tuple[TableSpec, ...] = (
    NODES,
    DISCOUNT_RATES,
    TECHNOLOGIES,
    FLEET,
    PROJECTS,
    DEMAND,
    RESOURCES,
    LINKS,
    FUEL_PRICES,
    MARKETS,
    PARAMETERS,
)
"""The value tables, in the order they are read (references point to earlier tables)."""
