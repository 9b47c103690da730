r"""Green claims on exported electricity: guarantee-of-origin matching and CBAM exposure.

Exports
-------
The electricity an importer (e.g. ``"EU"``) buys from exporting areas is what *arrives* at the
importer's buses over branches whose sending bus lies in an exporting area, in MW per snapshot
([`imported_mw`][caspian.analysis.tracing.FlowTrace.imported_mw]), times the snapshot weights (h):
$E_t$ (MWh). By default the exporting areas are every area other than the importer that
has no market generator (carrier ``"market"``): price-taking markets such as Türkiye or Russia
sell at their market price and are not the exporters whose green claims are in question.

Guarantee-of-origin matching
----------------------------
With $R_t$ the renewable generation of the exporting areas (MWh; generators and storage
units whose carrier is renewable, e.g. reservoir hydro, counted where they feed the grid), the
renewable share of the exports under a matching rule is

$$
s_\text{hourly} = \frac{\sum_t \min(E_t, R_t)}{\sum_t E_t}, \quad
s_\text{monthly} = \frac{\sum_m \min(\sum_{t \in m} E_t, \sum_{t \in m} R_t)}{\sum_t E_t},
\quad s_\text{annual} = \frac{\min(\sum_t E_t, \sum_t R_t)}{\sum_t E_t},
$$

so $s_\text{hourly} \le s_\text{monthly} \le s_\text{annual}$. The hourly rule matches
snapshot by snapshot, which is hourly only for 1-hourly snapshots (with 24-hourly snapshots it is
daily matching). Every rule lets the exports claim *all* renewable output of the exporters, as
if domestic consumers claimed none: it is an upper bound on what certificates can back. The
*traced* share ([`caspian.analysis.tracing`][caspian.analysis.tracing], proportional sharing) is
given beside them: the renewable part of the physical mix of what arrives.

CBAM
----
The EU's Carbon Border Adjustment Mechanism (Regulation (EU) 2023/956) covers imported
electricity (CN 2716); certificates are paid from the definitive period (2026). Its embedded
emissions are, by **default**, the MWh imported times the *exporting country's grid emission
factor* (an IEA-based five-year average; the EU's factor where there is none). The importer may
instead declare the **actual emissions** of the producing plant only if all four conditions
hold: (1) a power purchase agreement with the producer; (2) the plant is directly connected to
the EU grid, or there is no congestion on the path; (3) the plant emits at most
550 gCO2/kWh; (4) the power is firmly nominated, hour by hour, on every border it crosses.
Which route applies swings the netback of exports by about 30-70 EUR/MWh (Caspian dataset,
section 5.6).

[`cbam_exposure`][caspian.analysis.certificates.cbam_exposure] attributes the exports to the area
where the arriving power was generated, by tracing (``origin_area``), not to the area of the last
border crossing: power from Kazakhstan wheeled through Azerbaijan and Georgia counts as Kazakh. It
evaluates three rules, each giving tonnes and money at the given CO2 price:

- ``default``: $\sum_a f_a E_a$ with the given grid factor $f_a$ (t/MWh) of each
  origin area $a$ and $E_a$ the traced MWh from it;
- ``actual``: $\sum_t w_t \sum_k m_{tk} e_{tk}$, the traced MW $m_{tk}$ of every
  origin (bus, carrier) times its emission intensity in that snapshot,
  $e_{tk} = \sum_{g \in k} \varepsilon_g p_{gt} / g_{tk}$ with the generators' factors
  $\varepsilon_g$ of [`emission_factors`][caspian.analysis.common.emission_factors] (t/MWh_el);
  storage counts as zero emission, and power that a market area sells (carrier ``market``, no
  plant to declare) carries that area's given grid factor $f_a$; whether the four conditions
  hold is not checked;
- ``model_grid_factor``: like ``default`` with each area's modelled average intensity, annual
  emissions over annual generation of its generators (market generators left out); an area
  without such generation (a market) keeps its given factor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.analysis.common import (
    RENEWABLE_CARRIERS,
    bus_areas,
    emission_factors,
    generator_carriers,
    with_units,
)
from caspian.analysis.tracing import FLOW_TOLERANCE_MW, FlowTrace, trace
from caspian.exceptions import InputError
from caspian.network.network import Network
from caspian.optimize.periods import RepresentativePeriods
from caspian.optimize.results import OptimizationResult

MARKET_CARRIER = "market"
"""Carrier of the price-taking market generators (excluded from the default exporters)."""

CBAM_RULES = ("default", "actual", "model_grid_factor")


def rule_label(rule: str) -> str:
    """How to show a matching rule: ``hourly`` matches per snapshot, hourly only at 1 h."""
    return "hourly (per snapshot)" if rule == "hourly" else rule


def default_exporters(n: Network, importer_area: str) -> list[str]:
    """Every area except ``importer_area`` without a generator of carrier ``"market"``."""
    areas = bus_areas(n)
    gens = n.static["Generator"]
    markets = set(areas.reindex(gens["bus"][generator_carriers(n) == MARKET_CARRIER]).dropna())
    return sorted(set(areas) - markets - {importer_area})


# ------------------------------------------------------------------ guarantee-of-origin matching
def export_matching(
    result: OptimizationResult,
    importer_area: str,
    exporter_areas: Iterable[str] | None = None,
    renewable_carriers: Iterable[str] = RENEWABLE_CARRIERS,
    flow_trace: FlowTrace | None = None,
) -> pd.DataFrame:
    """Renewable share of the exports to ``importer_area`` under each matching rule.

    Parameters
    ----------
    result
        the optimum of the solved network (``result.network``).
    importer_area
        area receiving the exports.
    exporter_areas
        areas whose exports and renewable output count (default
        [`default_exporters`][caspian.analysis.certificates.default_exporters]).
    renewable_carriers
        carriers counted as renewable.
    flow_trace
        ``trace(result)`` if already computed.

    Returns
    -------
    pd.DataFrame
        One row per ``rule`` (``hourly``, ``monthly`` where the snapshots are dates, ``annual``,
        ``traced``) with ``exported_mwh``, ``renewable_generation_mwh`` (of the exporters),
        ``matched_mwh`` (renewable MWh credited to the exports) and ``renewable_share`` (1; NaN
        if nothing is exported).
    """
    n = result.network
    ft, exporters = _setup(n, result, importer_area, exporter_areas, flow_trace)
    green = frozenset(renewable_carriers)
    exported, renewable = _hourly_energy(n, result, ft, importer_area, exporters, green)
    total_e, total_r = float(exported.sum()), float(renewable.sum())
    rows = [("hourly", float(np.minimum(exported, renewable).sum()))]
    if isinstance(n.snapshots, pd.DatetimeIndex):
        monthly = _by_month(exported, renewable, result.periods)
        rows.append(("monthly", float(monthly["matched_mwh"].sum())))
    rows.append(("annual", min(total_e, total_r)))
    imports = ft.imports_mw(importer_area, exporters)
    is_green = imports.columns.get_level_values("origin_carrier").isin(green)
    rows.append(("traced", float(ft.weights_h @ imports.loc[:, is_green].to_numpy().sum(axis=1))))
    frame = pd.DataFrame(rows, columns=["rule", "matched_mwh"])
    frame.insert(1, "exported_mwh", total_e)
    frame.insert(2, "renewable_generation_mwh", total_r)
    frame["renewable_share"] = frame["matched_mwh"] / total_e if total_e > 0 else np.nan
    units = {
        "exported_mwh": "MWh",
        "renewable_generation_mwh": "MWh",
        "matched_mwh": "MWh",
        "renewable_share": "1",
    }
    return with_units(frame, units)


def monthly_matching(
    result: OptimizationResult,
    importer_area: str,
    exporter_areas: Iterable[str] | None = None,
    renewable_carriers: Iterable[str] = RENEWABLE_CARRIERS,
    flow_trace: FlowTrace | None = None,
) -> pd.DataFrame:
    """Exports and renewable output per calendar month, matched monthly and hourly.

    Snapshots belong to the month they start in; with typical periods (``result.periods``),
    each real period of the year counts in its own month with the energy of the typical period
    that stands for it. Parameters as
    [`export_matching`][caspian.analysis.certificates.export_matching].

    Returns
    -------
    pd.DataFrame
        One row per ``month`` (a ``pandas.Period``) with ``exported_mwh``,
        ``renewable_generation_mwh``, ``matched_mwh`` (``min`` of the monthly sums),
        ``hourly_matched_mwh`` (sum of the per-snapshot minima), ``renewable_share`` and
        ``hourly_renewable_share`` (1; NaN in a month without exports).
    """
    n = result.network
    if not isinstance(n.snapshots, pd.DatetimeIndex):
        raise InputError(
            "monthly matching needs snapshots that are dates.",
            component="snapshots",
            value=n.snapshots[0] if len(n.snapshots) else None,
            hint="Set date-time snapshots with n.set_snapshots(pd.date_range(...)).",
        )
    ft, exporters = _setup(n, result, importer_area, exporter_areas, flow_trace)
    exported, renewable = _hourly_energy(
        n, result, ft, importer_area, exporters, frozenset(renewable_carriers)
    )
    frame = _by_month(exported, renewable, result.periods)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["renewable_share"] = frame["matched_mwh"] / frame["exported_mwh"]
        frame["hourly_renewable_share"] = frame["hourly_matched_mwh"] / frame["exported_mwh"]
    units = {str(c): "MWh" for c in frame if str(c).endswith("_mwh")}
    units |= {"renewable_share": "1", "hourly_renewable_share": "1"}
    return with_units(frame.reset_index(), units)


# ------------------------------------------------------------------------------------- CBAM
@dataclass(frozen=True)
class CbamExposure:
    """Embedded emissions and CBAM cost of the exports under each rule (module docstring).

    Attributes
    ----------
    by_origin
        one row per ``rule`` and ``origin_area``: ``exported_mwh`` (MWh), ``factor_t_per_mwh``
        (t/MWh), ``emissions_t`` (t), ``cost_eur`` (EUR) and ``cost_eur_per_mwh`` (EUR per MWh
        exported from that area).
    total
        one row per ``rule`` with the same columns summed over the origin areas
        (``factor_t_per_mwh`` is then the average, emissions over MWh).
    """

    by_origin: pd.DataFrame
    total: pd.DataFrame


def cbam_exposure(
    result: OptimizationResult,
    importer_area: str,
    grid_factors: Mapping[str, float],
    co2_price_eur_per_t: float,
    exporter_areas: Iterable[str] | None = None,
    flow_trace: FlowTrace | None = None,
) -> CbamExposure:
    """Embedded emissions and CBAM cost of the electricity exported to ``importer_area``.

    Parameters
    ----------
    result
        the optimum of the solved network (``result.network``).
    importer_area
        area receiving the exports (the EU).
    grid_factors
        t CO2/MWh of every area the exported power comes from (CBAM default
        values); areas with no traced exports may be left out.
    co2_price_eur_per_t
        price of a CBAM certificate, EUR/t (the EU ETS price).
    exporter_areas
        areas whose branches into the importer count (default
        [`default_exporters`][caspian.analysis.certificates.default_exporters]).
    flow_trace
        ``trace(result)`` if already computed.

    Returns
    -------
    CbamExposure
        with the rules ``default``, ``actual`` and ``model_grid_factor``.
    """
    n = result.network
    price = _non_negative(co2_price_eur_per_t)
    if price is None:
        raise InputError(
            "must be a finite number >= 0.",
            attribute="co2_price_eur_per_t",
            value=co2_price_eur_per_t,
            hint="Give the CO2 price in EUR per tonne, e.g. 70.0.",
        )
    ft, exporters = _setup(n, result, importer_area, exporter_areas, flow_trace)
    imports = ft.imports_mw(importer_area, exporters)
    areas = imports.columns.get_level_values("origin_area")
    mwh_by_origin = ft.weights_h @ imports.to_numpy()
    exported = pd.Series(mwh_by_origin, index=areas).groupby(level=0).sum()
    exported = exported[exported > FLOW_TOLERANCE_MW]  # no factor needed for solver noise
    given = _grid_factors(grid_factors, exported.index)

    intensity = _origin_intensity(n, result, ft)  # (T, K), t/MWh
    # Power bought from a market has no plant to declare: it keeps its area's grid factor.
    market = np.asarray(imports.columns.get_level_values("origin_carrier") == MARKET_CARRIER)
    market &= np.isin(areas, exported.index)
    if market.any():
        intensity = intensity.copy()
        intensity[:, market] = given.reindex(areas[market]).to_numpy(float)
    actual_t = ft.weights_h @ (imports.to_numpy() * intensity)
    actual = pd.Series(actual_t, index=areas).groupby(level=0).sum().reindex(exported.index)
    model = _model_grid_factors(n, result).reindex(exported.index).fillna(given)

    parts = []
    for rule, emissions in (
        ("default", given * exported),
        ("actual", actual),
        ("model_grid_factor", model * exported),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "rule": rule,
                    "origin_area": exported.index,
                    "exported_mwh": exported.to_numpy(),
                    "emissions_t": emissions.to_numpy(float),
                }
            )
        )
    by_origin = pd.concat(parts, ignore_index=True)
    total = by_origin.groupby("rule", sort=False)[["exported_mwh", "emissions_t"]].sum()
    total = total.reindex(list(CBAM_RULES)).fillna(0.0).reset_index()
    return CbamExposure(
        by_origin=_money(by_origin, price),
        total=_money(total, price),
    )


# ------------------------------------------------------------------------------------ helpers
def _setup(
    n: Network,
    result: OptimizationResult,
    importer_area: str,
    exporter_areas: Iterable[str] | None,
    flow_trace: FlowTrace | None,
) -> tuple[FlowTrace, list[str]]:
    """The trace and the validated exporting areas."""
    ft = flow_trace if flow_trace is not None else trace(result)
    ft.area_buses(importer_area)  # raises for an unknown area
    exporters = (
        default_exporters(n, importer_area) if exporter_areas is None else list(exporter_areas)
    )
    for area in exporters:
        ft.area_buses(area)
    if importer_area in exporters:
        raise InputError(
            f"the importer {importer_area!r} is also an exporter.",
            attribute="exporter_areas",
            value=exporters,
            hint="Leave the importing area out of exporter_areas.",
        )
    return ft, exporters


def _hourly_energy(
    n: Network,
    result: OptimizationResult,
    ft: FlowTrace,
    importer_area: str,
    exporters: list[str],
    renewable_carriers: frozenset[str],
) -> tuple[pd.Series, pd.Series]:
    """Exports ``E_t`` and the exporters' renewable generation ``R_t`` per snapshot, MWh."""
    w = pd.Series(ft.weights_h, index=n.snapshots)
    exported = ft.imported_mw(importer_area, exporters) * w
    areas = bus_areas(n)
    renewable = pd.Series(0.0, index=n.snapshots)
    for component, attr in (("Generator", "p"), ("StorageUnit", "p_dispatch")):
        static = n.static[component]
        if not len(static):
            continue
        green = static["carrier"].fillna("").astype(str).isin(renewable_carriers).to_numpy()
        exporting = areas.reindex(static["bus"]).isin(exporters).to_numpy()
        p = result.series(component, attr).to_numpy(float)
        if component == "Generator":
            p = p * static["sign"].to_numpy(float)
        renewable += np.clip(p[:, green & exporting], 0.0, None).sum(axis=1)
    return exported.rename("exported_mwh"), (renewable * w).rename("renewable_mwh")


def _by_month(
    exported: pd.Series, renewable: pd.Series, periods: RepresentativePeriods | None = None
) -> pd.DataFrame:
    """Monthly sums of ``E`` and ``R``, their minimum and the sum of per-snapshot minima.

    Chronological snapshots count in the month they start in. Typical periods are laid out
    over the real sequence of periods (``periods.sequence``): real period ``d`` starts
    ``d * period_hours`` after the year's start (the first snapshot, less the first occurrence
    of typical period 0) and brings one occurrence of its typical period's energy. This needs
    typical period ``k`` dated from its first occurrence, in equal steps (InputError if not).
    """
    e, r = exported.to_numpy(), renewable.to_numpy()
    index = pd.DatetimeIndex(exported.index)
    if periods is None:
        month = index.to_period("M")
        parts = {"exported_mwh": e, "renewable_generation_mwh": r}
        parts["hourly_matched_mwh"] = np.minimum(e, r)
    else:
        shape = (periods.n_typical, periods.period_length)
        once = periods.occurrences()[:, None].astype(float)
        e_typ, r_typ = e.reshape(shape) / once, r.reshape(shape) / once
        try:
            starts = periods.calendar(index)[:: periods.period_length]
        except InputError as error:
            error.hint = f"{error.hint} Or leave out the monthly rule."
            error.args = (f"monthly matching: {error.args[0]} Or leave out the monthly rule.",)
            raise
        seq = periods.sequence
        month = starts.to_period("M")
        parts = {
            "exported_mwh": e_typ.sum(axis=1)[seq],
            "renewable_generation_mwh": r_typ.sum(axis=1)[seq],
            "hourly_matched_mwh": np.minimum(e_typ, r_typ).sum(axis=1)[seq],
        }
    frame = pd.DataFrame(parts, index=pd.PeriodIndex(month, name="month"))
    frame = frame.groupby(level=0).sum()
    frame.insert(
        2, "matched_mwh", np.minimum(frame["exported_mwh"], frame["renewable_generation_mwh"])
    )
    return frame


def _grid_factors(grid_factors: Mapping[str, float], needed: pd.Index) -> pd.Series:
    """The given factors of the areas in ``needed``, validated (t/MWh)."""
    missing = [a for a in needed if a not in grid_factors]
    if missing:
        raise InputError(
            "no grid emission factor for " + ", ".join(map(repr, missing)) + ".",
            attribute="grid_factors",
            value=dict(grid_factors),
            hint="Exports are traced to these areas; give a t/MWh factor for each.",
        )
    factors = {}
    for area in needed:
        value = grid_factors[area]
        factor = _non_negative(value)
        if factor is None:
            raise InputError(
                f"factor {value!r} of area {area!r} is not a finite number >= 0.",
                attribute="grid_factors",
                value=dict(grid_factors),
                hint="Give t CO2 per MWh, e.g. 0.5.",
            )
        factors[area] = factor
    return pd.Series(factors, index=needed, dtype=float)


def _non_negative(value: object) -> float | None:
    """``value`` as a float if it is a finite number >= 0, else None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number >= 0 else None


def _origin_intensity(n: Network, result: OptimizationResult, ft: FlowTrace) -> np.ndarray:
    """t/MWh of every traced origin per snapshot: its generators' emissions over its output."""
    T, K = ft.source_mw.shape
    emissions = np.zeros((T, K))
    gens = n.static["Generator"]
    if len(gens) and K:
        p = result.series("Generator", "p").to_numpy(float) * gens["sign"].to_numpy(float)
        keys = pd.MultiIndex.from_arrays([gens["bus"], generator_carriers(n)])
        origin = pd.MultiIndex.from_frame(ft.origins[["origin_bus", "origin_carrier"]])
        pos = origin.get_indexer(keys)
        rate = emission_factors(n).reindex(gens.index).to_numpy(float)
        hit = pos >= 0
        np.add.at(emissions.T, pos[hit], (np.clip(p, 0.0, None) * rate)[:, hit].T)
    return np.divide(emissions, ft.source_mw, out=np.zeros((T, K)), where=ft.source_mw > 0)


def _model_grid_factors(n: Network, result: OptimizationResult) -> pd.Series:
    """Annual emissions over annual generation of every area's non-market generators, t/MWh."""
    gens = n.static["Generator"]
    own = (generator_carriers(n) != MARKET_CARRIER).to_numpy()
    if not own.any():
        return pd.Series(dtype=float)
    w = n.snapshot_weightings["generators"].to_numpy(float)
    p = result.series("Generator", "p").to_numpy(float)[:, own] * gens["sign"].to_numpy(float)[own]
    mwh = w @ np.clip(p, 0.0, None)
    area = bus_areas(n).reindex(gens["bus"][own]).to_numpy()
    table = pd.DataFrame(
        {"area": area, "mwh": mwh, "t": mwh * emission_factors(n).to_numpy(float)[own]}
    )
    sums = table.groupby("area")[["mwh", "t"]].sum()
    sums = sums[sums["mwh"] > 0]
    return (sums["t"] / sums["mwh"]).rename("t_per_mwh")


def _money(frame: pd.DataFrame, price: float) -> pd.DataFrame:
    """Add factor, cost and cost per MWh to a table of ``exported_mwh`` and ``emissions_t``."""
    mwh = frame["exported_mwh"].to_numpy(float)
    tonnes = frame["emissions_t"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(mwh > 0, tonnes / mwh, np.nan)
    frame.insert(list(frame.columns).index("emissions_t"), "factor_t_per_mwh", factor)
    frame["cost_eur"] = tonnes * price
    frame["cost_eur_per_mwh"] = factor * price
    units = {
        "exported_mwh": "MWh",
        "factor_t_per_mwh": "t/MWh",
        "emissions_t": "t",
        "cost_eur": "EUR",
        "cost_eur_per_mwh": "EUR/MWh",
    }
    return with_units(frame, units)
