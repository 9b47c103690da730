"""The corridor's default dataset: sourced tables shipped in the package, with provenance.

The tables live in ``caspian/corridor/data/*.csv`` (one per concept, see
``caspian.corridor.dataset_schema``). [`load_dataset`][caspian.corridor.dataset.load_dataset] reads
and validates them once and returns a [`Dataset`][caspian.corridor.dataset.Dataset]; the network
builder codes against it. Every number carries a source id (``sources.csv``, mostly from
``caspian_data.md`` §8) or the word ``assumption``, a confidence H/M/L and a note that gives the
formula of a derived value; ``Dataset.provenance`` lists them one row per number.

Conventions the tables follow
-----------------------------
- Capacities in MW, energy in TWh/yr, prices in EUR (2024 money, converted at the data file's
  rates), fuel in MWh_th (LHV).
- ``demand.annual_twh`` is the energy a node must be supplied with, network losses included
  (generation + imports - exports); ``reported_consumption_twh`` keeps the reported figure.
  The earliest row of a node is its observed base year.
- ``fleet`` is the installed capacity at the data year of each row; ``projects`` lists announced
  projects, those already in ``fleet`` flagged ``in_fleet``. Optional years are floats (NaN
  when unknown) so that ``projects.in_service_year <= 2030`` is a plain boolean mask.
- ``resources.p_nom_max_mw`` limits the *total* capacity of a technology at a node (existing,
  announced and new); NaN means no limit.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd

from caspian.corridor.dataset_read import (
    Readable,
    check_provenance,
    read_raw,
    row_keys,
    typed_column,
)
from caspian.corridor.dataset_schema import (
    ASSUMPTION,
    FUELS,
    SOURCES,
    TABLES,
    TARGET_YEARS,
    TableSpec,
)
from caspian.exceptions import ValidationError

PROVENANCE_COLUMNS = (
    "table",
    "key",
    "quantity",
    "value",
    "unit",
    "year",
    "source",
    "confidence",
    "note",
)


@dataclass(frozen=True)
class Dataset:
    """The corridor's default data, validated; see the module docstring for conventions.

    Each table is its CSV file (``<name>.csv``) with typed columns.

    Attributes
    ----------
    nodes
        Buses of the model (system nodes and markets) with country, kind, coordinates and UTC
        offset, indexed by ``node``.
    fleet
        Installed capacity (MW) by node and technology at each row's data year.
    projects
        Announced projects: node, technology, MW, in-service year, status, add or retire.
    demand
        Annual energy (TWh/yr) and peak (MW) by (``node``, ``year``).
    resources
        Capacity factor and capacity limit (MW) by (``node``, ``technology``).
    links
        Interconnections and cable candidates, indexed by ``name``: ends, kind (AC or HVDC),
        capacity, length, status, route and role.
    technologies
        Costs, lifetime, efficiency, fuel and emissions by ``technology``.
    fuel_prices
        Fuel prices (EUR/MWh_th) by (``node``, ``fuel``).
    discount_rates
        Discount rate (per year) by ``asset_class``.
    markets
        Price level (EUR/MWh) of each market node, indexed by ``node``.
    parameters
        Single values (``value``, in each row's unit), indexed by ``name``.
    provenance
        One row per number: table, key, quantity, value, unit, year, source, confidence, note.
    sources
        Citation of every source id, indexed by ``source``.
    """

    nodes: pd.DataFrame
    fleet: pd.DataFrame
    projects: pd.DataFrame
    demand: pd.DataFrame
    resources: pd.DataFrame
    links: pd.DataFrame
    technologies: pd.DataFrame
    fuel_prices: pd.DataFrame
    discount_rates: pd.Series
    markets: pd.DataFrame
    parameters: pd.Series
    provenance: pd.DataFrame
    sources: pd.DataFrame


def default_data_folder() -> Readable:
    """The data folder shipped in the package."""
    return files("caspian.corridor").joinpath("data")


@functools.cache
def dataset_digest() -> str:
    """SHA-256 hex digest of the shipped data tables (every ``*.csv`` of the data folder, by
    name and content): it changes whenever a number, source or note of the dataset does."""
    digest = hashlib.sha256()
    tables = sorted(
        (t for t in default_data_folder().iterdir() if t.name.endswith(".csv")),
        key=lambda t: t.name,
    )
    for table in tables:
        text = table.read_bytes().replace(b"\r\n", b"\n")  # the same on every checkout
        digest.update(table.name.encode() + b"\0" + text + b"\0")
    return digest.hexdigest()


def load_dataset(path: Path | None = None) -> Dataset:
    """Read and validate the corridor tables from ``path`` (default: the package's data folder).

    Raises
    ------
    caspian.exceptions.ValidationError
        (an [`InputError`][caspian.exceptions.InputError]) listing every problem found, each naming
        the file, row, column and value and saying how to fix it.
    """
    folder: Readable = default_data_folder() if path is None else Path(path)
    problems: list[str] = []
    raw_sources = read_raw(folder, SOURCES, _where(folder, SOURCES), problems)
    sources = (
        raw_sources.set_index("source")
        if not raw_sources.empty
        else pd.DataFrame(columns=["citation"], index=pd.Index([], name="source"))
    )
    if not raw_sources.empty:
        row_keys(raw_sources, SOURCES, _where(folder, SOURCES), problems)
    refs: dict[str, set[str]] = {"fuel": set(FUELS)}
    typed: dict[str, pd.DataFrame] = {}
    provenance: list[pd.DataFrame] = []
    for spec in TABLES:
        where = _where(folder, spec)
        raw = read_raw(folder, spec, where, problems)
        if raw.empty and len(raw.columns) == 0:
            typed[spec.name] = pd.DataFrame(columns=list(spec.column_names))
            continue
        keys = row_keys(raw, spec, where, problems)
        check_provenance(raw, spec, keys, where, set(sources.index), problems)
        frame = pd.DataFrame(
            {
                c.name: typed_column(raw[c.name], c, keys, where, refs, problems)
                for c in spec.columns
            }
        )
        for column in ("source", "confidence", "note"):
            frame[column] = raw[column]
        typed[spec.name] = frame
        provenance.append(_provenance(spec, raw, frame, keys))
        _register_references(spec, frame, refs)
    _check_tables(typed, folder, problems)
    if problems:
        raise ValidationError(problems, source=str(folder))
    return _assemble(typed, provenance, sources)


def _where(folder: Readable, spec: TableSpec) -> str:
    return f"{folder}/{spec.file}"


def _register_references(spec: TableSpec, frame: pd.DataFrame, refs: dict[str, set[str]]) -> None:
    if spec.name == "nodes":
        refs["node"] = set(frame["node"])
        refs["system_node"] = set(frame.loc[frame["kind"] == "system", "node"])
        refs["market_node"] = set(frame.loc[frame["kind"] == "market", "node"])
    elif spec.name == "technologies":
        refs["technology"] = set(frame["technology"])
    elif spec.name == "discount_rates":
        refs["asset_class"] = set(frame["asset_class"])


def _provenance(
    spec: TableSpec, raw: pd.DataFrame, frame: pd.DataFrame, keys: list[str]
) -> pd.DataFrame:
    """One row per number shipped in ``frame``, with the row's or the quantity's own source."""
    records = []
    for i, key in enumerate(keys):
        row = raw.iloc[i]
        for q in spec.quantities:
            value = frame[q.name].iloc[i]
            if isinstance(value, float) and math.isnan(value):
                continue

            def own(suffix: str, row: pd.Series = row, q: str = q.name) -> str:
                return str(row.get(f"{q}_{suffix}", "") or row.get(suffix, ""))

            year_text = row.get(f"{q.name}_year", "") or (
                row[spec.year_column] if spec.year_column else ""
            )
            records.append(
                {
                    "table": spec.name,
                    "key": key,
                    "quantity": q.name,
                    "value": float(value),
                    "unit": row["unit"] if q.unit == "@unit" else q.unit,
                    "year": int(float(year_text)) if year_text not in ("", None) else pd.NA,
                    "source": own("source"),
                    "confidence": own("confidence"),
                    "note": own("note"),
                }
            )
    return pd.DataFrame.from_records(records, columns=list(PROVENANCE_COLUMNS))


def _check_tables(typed: dict[str, pd.DataFrame], folder: Readable, problems: list[str]) -> None:
    """Checks across rows and tables: completeness and consistency the cells cannot show."""
    nodes, demand, links = typed["nodes"], typed["demand"], typed["links"]
    system = nodes.loc[nodes.get("kind", pd.Series(dtype=str)) == "system", "node"]
    for node in system:
        years = set(demand.loc[demand["node"] == node, "year"])
        for year in TARGET_YEARS:
            if year not in years:
                problems.append(
                    f"{folder}/demand.csv: system node '{node}' has no row for {year}. Add its "
                    f"demand in {year} (annual_twh, peak_mw)."
                )
    for line, (_, row) in enumerate(demand.iterrows(), start=2):
        load_factor = row["annual_twh"] * 1e6 / (8760 * row["peak_mw"])
        if not 0.2 <= load_factor <= 1.0:
            problems.append(
                f"{folder}/demand.csv: row '{row['node']}/{row['year']}' (line {line}), columns "
                f"'annual_twh', 'peak_mw': load factor {load_factor:.2f} is outside 0.2-1 "
                f"(value {row['annual_twh']!r} TWh, {row['peak_mw']!r} MW). Check the units."
            )
    markets = set(typed["markets"]["node"])
    for node in nodes.loc[nodes.get("kind", pd.Series(dtype=str)) == "market", "node"]:
        if node not in markets:
            problems.append(
                f"{folder}/markets.csv: market node '{node}' has no price row. Add one."
            )
    for line, (_, row) in enumerate(links.iterrows(), start=2):
        where = f"{folder}/links.csv: row '{row['name']}' (line {line})"
        if row["bus0"] == row["bus1"]:
            problems.append(f"{where}, column 'bus1': same as bus0 (value {row['bus1']!r}).")
        needs_length = row["kind"] == "hvdc" or row["extendable_default"]
        if needs_length and math.isnan(row["length_km"]):
            problems.append(
                f"{where}, column 'length_km': missing (value ''). HVDC and extendable links "
                "need a length for losses and cost."
            )
        if row["p_nom_max_mw"] < row["p_nom_mw"]:
            problems.append(
                f"{where}, column 'p_nom_max_mw': below p_nom_mw (value {row['p_nom_max_mw']!r})."
                " Raise it or leave it empty (no limit)."
            )
    fleet_keys = set(zip(typed["fleet"]["node"], typed["fleet"]["technology"], strict=True))
    for line, (_, row) in enumerate(typed["projects"].iterrows(), start=2):
        if row["action"] == "retire" and (row["node"], row["technology"]) not in fleet_keys:
            problems.append(
                f"{folder}/projects.csv: row '{row['name']}' (line {line}), column 'action': "
                f"retires {row['technology']} at {row['node']}, which fleet.csv does not have "
                "(value 'retire'). Fix the node or technology."
            )


def _assemble(
    typed: dict[str, pd.DataFrame], provenance: list[pd.DataFrame], sources: pd.DataFrame
) -> Dataset:
    def indexed(name: str, key: list[str] | str) -> pd.DataFrame:
        return typed[name].set_index(key)

    return Dataset(
        nodes=indexed("nodes", "node"),
        fleet=typed["fleet"].reset_index(drop=True),
        projects=typed["projects"].reset_index(drop=True),
        demand=indexed("demand", ["node", "year"]).sort_index(),
        resources=indexed("resources", ["node", "technology"]).sort_index(),
        links=indexed("links", "name"),
        technologies=indexed("technologies", "technology"),
        fuel_prices=indexed("fuel_prices", ["node", "fuel"]).sort_index(),
        discount_rates=indexed("discount_rates", "asset_class")["rate"],
        markets=indexed("markets", "node"),
        parameters=indexed("parameters", "name")["value"],
        provenance=pd.concat(provenance, ignore_index=True).astype({"year": "Int64"}),
        sources=sources,
    )


# ------------------------------------------------------------------------ helpers
def hvdc_efficiency(ds: Dataset, length_km: float) -> float:
    """One-way efficiency of an HVDC link: ``eta_static * eta_per_1000km ** (length_km / 1000)``.

    The PyPSA-Eur DC rule (S131): 0.98 for the converter pair and 0.977 per 1000 km, e.g.
    0.972 (2.8% loss) for 370 km and 0.954 (4.6%) for 1,155 km. Applies in both directions.
    """
    static = float(ds.parameters["hvdc_efficiency_static"])
    per_1000km = float(ds.parameters["hvdc_efficiency_per_1000km"])
    return static * per_1000km ** (length_km / 1000.0)


def projects_in_service(ds: Dataset, year: int) -> pd.DataFrame:
    """Projects that change the fleet by ``year``: in service by then and not already counted."""
    p = ds.projects
    return p[(p["in_service_year"] <= year) & ~p["in_fleet"]]


def capacity_in_year(ds: Dataset, year: int) -> pd.Series:
    """Installed capacity (MW) by (node, technology) in ``year``: fleet + additions - retirements.

    Retirements larger than the remaining capacity stop at zero.
    """
    changes = projects_in_service(ds, year)
    sign = changes["action"].map({"add": 1.0, "retire": -1.0})
    delta = (changes["p_nom_mw"] * sign).groupby([changes["node"], changes["technology"]]).sum()
    base = ds.fleet.groupby(["node", "technology"])["p_nom_mw"].sum()
    total = base.add(delta, fill_value=0.0).clip(lower=0.0)
    return total[total > 0].rename("p_nom_mw")


def sources_table(ds: Dataset, used_only: bool = True) -> pd.DataFrame:
    """The sources behind the data: citation, how many values cite it, and in which tables.

    This is what ``caspian data sources`` prints; ``assumption`` appears as its own row.
    """
    tokens = ds.provenance.assign(source=ds.provenance["source"].str.split(",")).explode("source")
    tokens["source"] = tokens["source"].str.strip()
    counts = tokens.groupby("source").agg(
        values=("value", "size"), tables=("table", lambda t: ", ".join(sorted(set(t))))
    )
    citations = ds.sources["citation"]
    if ASSUMPTION in counts.index:
        citations = pd.concat(
            [citations, pd.Series({ASSUMPTION: "stated assumption: see each value's note"})]
        )
    table = pd.DataFrame({"citation": citations}).join(counts)
    table["values"] = table["values"].fillna(0).astype(int)
    table["tables"] = table["tables"].fillna("")
    table.index.name = "source"
    return table[table["values"] > 0] if used_only else table
