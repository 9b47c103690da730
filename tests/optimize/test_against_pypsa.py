"""Cross-check caspian-grid against PyPSA on networks built with PyPSA's own API.

Every case of :mod:`.pypsa_cases` is exported by PyPSA to netCDF and to a CSV folder, read back
with :func:`caspian.network.read_network`, solved with caspian-grid, and compared with PyPSA's
own solution of the same network (:mod:`.pypsa_reference`):

* the objective, to ``OBJECTIVE_RTOL``;
* optimal capacities, which must lie in the range of capacities over PyPSA's optimal face (one
  point where the capacity is unique);
* nodal prices: where the price is unique (its one-sided derivatives agree) it must equal
  PyPSA's; everywhere it must lie between the one-sided derivatives, i.e. be *an* optimal dual;
* the dual of every global constraint in the same way, and ``co2_price == -mu``;
* caspian-grid's reported solution is checked against PyPSA's constraints (nodal balance, KVL
  with per-unit x or r, capacity bounds, ramp limits, storage continuity, CO2 cap), and its cost
  recomputed from the reported series must equal the objective. With the objective equal to
  PyPSA's optimum this proves the dispatch is an optimal solution of PyPSA's LP, which is how
  dispatch is compared where the optimum is not unique.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pypsa
import pytest

from caspian.network import read_network
from caspian.optimize import SolverOptions, optimize

from .pypsa_cases import CASES, Case
from .pypsa_reference import FORMATS, NOMINAL_ATTRS, Reference, solve_reference

OBJECTIVE_RTOL = 1e-6
PRICE_RTOL, PRICE_ATOL = 1e-6, 1e-5
"""EUR/MWh: agreement required where a price is unique."""
UNIQUE_WIDTH = 1e-6
"""A price counts as unique where its range is narrower than this times (1 + |price|)."""
RANGE_RTOL = 1e-5
"""Slack on range checks (prices, duals, capacities), relative to (1 + |value|)."""
FEASIBILITY_RTOL = 1e-6
"""Slack on constraints of the reported solution, relative to the largest load (MW)."""

CASE_IDS = [case.name for case in CASES]

Solved = Callable[[Case, str], Any]


# --------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Reference]:
    """PyPSA's solution of a case, solved once per module."""
    cache: dict[str, Reference] = {}

    def get(case: Case) -> Reference:
        if case.name not in cache:
            cache[case.name] = solve_reference(case, tmp_path_factory.mktemp(case.name))
        return cache[case.name]

    return get


@pytest.fixture(scope="module")
def solved(reference: Callable[[Case], Reference]) -> Solved:
    """caspian-grid's result for a case read from one file format, solved once per module."""
    cache: dict[tuple[str, str], Any] = {}

    def get(case: Case, fmt: str) -> Any:
        key = (case.name, fmt)
        if key not in cache:
            n = read_network(reference(case).files[fmt])
            cache[key] = optimize(n, SolverOptions(algorithm="simplex"))
        return cache[key]

    return get


# ------------------------------------------------------------------------------ PyPSA side
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_pypsa_reference_is_sound(case: Case, reference: Callable[[Case], Reference]) -> None:
    """The PyPSA side alone: optimal, its own answers inside the measured ranges, and each
    case as unique (most prices) or as degenerate (some price and capacity) as it is built."""
    ref = reference(case)
    assert np.isfinite(ref.objective)
    assert np.isfinite(ref.price.to_numpy()).all()
    inside = (ref.price >= ref.price_low - _slack(ref.price)) & (
        ref.price <= ref.price_high + _slack(ref.price)
    )
    assert inside.to_numpy().all(), _worst(~inside, ref.price, ref.price_low, "PyPSA price")
    widest = 0.0
    for component, opt in ref.capacity.items():
        low, high = ref.capacity_low[component], ref.capacity_high[component]
        assert ((opt >= low - _slack(opt)) & (opt <= high + _slack(opt))).all(), component
        widest = max(widest, float((high - low).to_numpy().max(initial=0.0)))
    unique_share = _unique(ref).to_numpy().mean()
    if case.degenerate:
        assert unique_share < 1.0
        assert widest > 1.0
    else:
        assert unique_share >= 0.5
    if case.co2_cap is not None:
        mu = ref.mu[case.co2_cap]
        assert mu < -1e-3, f"the CO2 cap of {case.name} does not bind (mu={mu})"
        assert ref.mu_high[case.co2_cap] - ref.mu_low[case.co2_cap] <= UNIQUE_WIDTH * (1 + abs(mu))


# ---------------------------------------------------------------------------- comparisons
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_objective(
    case: Case, fmt: str, reference: Callable[[Case], Reference], solved: Solved
) -> None:
    ref, res = reference(case), solved(case, fmt)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(ref.objective, rel=OBJECTIVE_RTOL)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_capacities(
    case: Case, fmt: str, reference: Callable[[Case], Reference], solved: Solved
) -> None:
    ref, res = reference(case), solved(case, fmt)
    problems = _capacities_outside_range(res, ref, RANGE_RTOL)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_prices(
    case: Case, fmt: str, reference: Callable[[Case], Reference], solved: Solved
) -> None:
    ref, res = reference(case), solved(case, fmt)
    assert pd.DatetimeIndex(pd.to_datetime(res.prices.index)).equals(ref.price.index)
    got = _prices(res, ref)
    close = (got - ref.price).abs() <= PRICE_ATOL + PRICE_RTOL * ref.price.abs()
    mismatch = _unique(ref) & ~close
    assert not mismatch.to_numpy().any(), _worst(mismatch, got, ref.price, "unique price")
    _assert_prices_in_range(got, ref, RANGE_RTOL)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_global_constraints(
    case: Case, fmt: str, reference: Callable[[Case], Reference], solved: Solved
) -> None:
    ref, res = reference(case), solved(case, fmt)
    if ref.mu.empty:
        assert res.co2_price == 0.0
        assert res.global_constraints.empty
        return
    mu = res.global_constraints["mu"].astype(float)
    assert set(mu.index) == set(ref.mu.index)
    for name in ref.mu.index:
        low, high, expected = ref.mu_low[name], ref.mu_high[name], ref.mu[name]
        slack = RANGE_RTOL * (1 + abs(expected))
        assert low - slack <= mu[name] <= high + slack, (name, mu[name], low, high)
        if high - low <= UNIQUE_WIDTH * (1 + abs(expected)):
            assert mu[name] == pytest.approx(expected, rel=PRICE_RTOL, abs=PRICE_ATOL)
    if case.co2_cap is not None:
        assert res.co2_price == pytest.approx(-ref.mu[case.co2_cap], rel=PRICE_RTOL)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_reported_solution_is_optimal_for_pypsa(
    case: Case, fmt: str, reference: Callable[[Case], Reference], solved: Solved
) -> None:
    """Every reported series satisfies PyPSA's constraints and costs the optimum."""
    ref, res = reference(case), solved(case, fmt)
    problems = _audit(res, ref.network)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_prices_pass_the_economic_audit(
    case: Case, reference: Callable[[Case], Reference], solved: Solved
) -> None:
    """The economic audit passes on every case (a vertex: no duality gap, every interior asset
    breaking even exactly), and its revenue formula agrees with the oracle: at *PyPSA's* prices
    and CO2 price, every generator and link the audit found at interior capacity earns exactly
    its running, CO2 and capital cost too (any optimal dual is complementary to any optimal
    primal, so this holds whether or not the prices are unique)."""
    ref, res = reference(case), solved(case, "netcdf")
    audit = res.economic_audit
    assert audit is not None and audit.passed, audit
    assert audit.duality_gap <= 1e-9 and audit.max_profit_error <= 1e-9
    n = res.network
    w = n.snapshot_weightings["objective"].to_numpy(float)[:, None]
    w_gen = n.snapshot_weightings["generators"].to_numpy(float)[:, None]
    theirs = _prices(res, ref)
    co2_price = float(-ref.mu.sum()) if not ref.mu.empty else 0.0
    interior = audit.assets[audit.assets["interior"]]
    checked = 0
    for (component, name), row in interior.iterrows():
        static = n.static[component].loc[name]
        if component == "Generator":
            p = res.series("Generator", "p")[name].to_numpy()
            rate = n.static["Carrier"]["co2_emissions"].get(static["carrier"], 0.0)
            revenue = float((w[:, 0] * theirs[static["bus"]].to_numpy() * p).sum())
            co2 = co2_price * float((w_gen[:, 0] * rate / static["efficiency"] * p).sum())
        elif component == "Link" and not static["bidirectional"]:
            p0 = res.series("Link", "p0")[name].to_numpy()
            p1 = res.series("Link", "p1")[name].to_numpy()
            at0, at1 = theirs[static["bus0"]].to_numpy(), theirs[static["bus1"]].to_numpy()
            revenue = float(-(w[:, 0] * (at0 * p0 + at1 * p1)).sum())
            co2 = 0.0
        else:
            continue
        cost = row["running"] + co2 + row["capital"]
        assert revenue == pytest.approx(cost, rel=1e-6, abs=1e-6), (component, name)
        checked += 1
    if case.name in ("expansion", "mixed_a", "mixed_b"):
        assert checked >= 1


ALGORITHMS = [
    # algorithm, objective rtol, slack on ranges (relative to 1 + |value|)
    ("simplex", OBJECTIVE_RTOL, RANGE_RTOL),
    ("ipm", OBJECTIVE_RTOL, 1e-4),
    ("hipo", OBJECTIVE_RTOL, 1e-4),
    ("pdlp", 1e-4, 1e-3),
]


@pytest.mark.parametrize(
    ("algorithm", "objective_rtol", "range_rtol"), ALGORITHMS, ids=[a[0] for a in ALGORITHMS]
)
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name in ("expansion", "degenerate")], ids=lambda c: c.name
)
def test_every_algorithm_finds_an_optimum(
    case: Case,
    algorithm: str,
    objective_rtol: float,
    range_rtol: float,
    reference: Callable[[Case], Reference],
) -> None:
    """Interior-point answers without crossover lie inside the optimal face (on 'degenerate'
    an extendable capacity anywhere in its range), so capacities and prices are checked
    against the ranges, not PyPSA's vertex. PDLP is a first-order method: HiGHS stops it at
    a relative duality gap of 1e-4 by default."""
    ref = reference(case)
    res = optimize(read_network(ref.files["netcdf"]), SolverOptions(algorithm=algorithm))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(ref.objective, rel=objective_rtol)
    problems = _capacities_outside_range(res, ref, range_rtol)
    assert not problems, "\n".join(problems)
    _assert_prices_in_range(_prices(res, ref), ref, range_rtol)


# --------------------------------------------------------------------------------- helpers
def _slack(values: pd.DataFrame | pd.Series, rtol: float = RANGE_RTOL) -> Any:
    return rtol * (1 + values.abs())


def _prices(res: Any, ref: Reference) -> pd.DataFrame:
    """caspian-grid's prices in the reference's order of buses and snapshots."""
    assert set(res.prices.columns) == set(ref.price.columns)
    assert len(res.prices) == len(ref.price)
    values = res.prices[ref.price.columns].to_numpy(float)
    return pd.DataFrame(values, ref.price.index, ref.price.columns)


def _assert_prices_in_range(got: pd.DataFrame, ref: Reference, rtol: float) -> None:
    """Every price must be an optimal dual: between the one-sided derivatives."""
    slack = _slack(ref.price, rtol)
    below, above = got < ref.price_low - slack, got > ref.price_high + slack
    assert not below.to_numpy().any(), _worst(below, got, ref.price_low, "below price range")
    assert not above.to_numpy().any(), _worst(above, got, ref.price_high, "above price range")


def _capacities_outside_range(res: Any, ref: Reference, rtol: float) -> list[str]:
    problems = []
    for component, expected in ref.capacity.items():
        if expected.empty:
            continue
        got = res.capacity(component)
        if set(got.index) != set(expected.index):
            problems.append(f"{component}: names {sorted(got.index)} != {sorted(expected.index)}")
            continue
        got = got.reindex(expected.index).astype(float)
        low, high = ref.capacity_low[component], ref.capacity_high[component]
        bad = (got < low - _slack(got, rtol)) | (got > high + _slack(got, rtol))
        problems += [
            f"{component} {name!r}: {got[name]:.6f} outside optimal range "
            f"[{low[name]:.6f}, {high[name]:.6f}] (PyPSA {expected[name]:.6f})"
            for name in bad[bad].index
        ]
    return problems


def _unique(ref: Reference) -> pd.DataFrame:
    """True where the price range is a single point (the price is unique)."""
    return (ref.price_high - ref.price_low) <= UNIQUE_WIDTH * (1 + ref.price.abs())


def _worst(mask: pd.DataFrame, got: pd.DataFrame, expected: pd.DataFrame, what: str) -> str:
    """A message listing the largest disagreements among the masked (snapshot, bus) cells."""
    diff = (got - expected).abs().where(mask)
    cells = diff.stack().sort_values(ascending=False)
    lines = [f"{int(mask.to_numpy().sum())} of {mask.size} cells disagree ({what}):"]
    lines += [
        f"  {sn} {bus}: got {got.at[sn, bus]:.6f}, expected {expected.at[sn, bus]:.6f}"
        for sn, bus in cells.index[:8]
    ]
    return "\n".join(lines)


class _Auditor:
    """Checks a caspian-grid result against the constraints of the PyPSA network ``n``."""

    def __init__(self, res: Any, n: pypsa.Network) -> None:
        self.res = res
        self.n = n
        self.sns = n.snapshots
        self.buses = n.buses.index
        self.problems: list[str] = []
        loads = n.get_switchable_as_dense("Load", "p_set")
        scale = max(1.0, float(loads.abs().to_numpy().max(initial=0.0)))
        self.atol = FEASIBILITY_RTOL * scale
        self.balance = np.zeros((len(self.sns), len(self.buses)))
        self._inject(n.loads.bus, -loads.to_numpy())

    def series(self, component: str, attr: str, names: pd.Index, fill: bool = False) -> np.ndarray:
        frame = self.res.series(component, attr)
        missing = names.difference(frame.columns)
        if len(missing) and not fill:
            raise AssertionError(f"series({component!r}, {attr!r}) lacks {list(missing)}")
        assert len(frame) == len(self.sns), f"series({component!r}, {attr!r}): snapshots"
        return frame.reindex(columns=names, fill_value=0.0).to_numpy(float)

    def capacity(self, component: str, names: pd.Index) -> np.ndarray:
        return self.res.capacity(component).reindex(names).to_numpy(float)

    def dense(self, component: str, attr: str) -> np.ndarray:
        return self.n.get_switchable_as_dense(component, attr).to_numpy(float)

    def weight(self, column: str) -> np.ndarray:
        return self.n.snapshot_weightings[column].to_numpy(float)[:, None]

    def _inject(self, buses: pd.Series, values: np.ndarray) -> None:
        np.add.at(self.balance, (slice(None), self.buses.get_indexer(buses)), values)

    def check(self, what: str, violation: np.ndarray, names: pd.Index | None = None) -> None:
        """Record a problem where ``violation`` (positive = violated) exceeds the tolerance."""
        violation = np.atleast_2d(violation)
        if violation.size and np.nanmax(violation) > self.atol:
            t, k = np.unravel_index(np.nanargmax(violation), violation.shape)
            where = f" at {self.sns[t]}" + (f", {names[k]!r}" if names is not None else "")
            self.problems.append(f"{what}: violated by {violation[t, k]:.3g}{where}")

    def close(self, what: str, got: np.ndarray, expected: np.ndarray, names: pd.Index) -> None:
        self.check(what, np.abs(got - expected), names)


def _audit(res: Any, n: pypsa.Network) -> list[str]:
    a = _Auditor(res, n)
    cost = np.zeros(len(a.sns))
    capex = 0.0
    emissions = _Emissions(n)

    g = n.generators
    if len(g):
        p, cap = a.series("Generator", "p", g.index), a.capacity("Generator", g.index)
        a._inject(g.bus, p * g.sign.to_numpy(float))
        a.check(
            "Generator p <= p_max_pu p_nom", p - a.dense("Generator", "p_max_pu") * cap, g.index
        )
        a.check(
            "Generator p >= p_min_pu p_nom", a.dense("Generator", "p_min_pu") * cap - p, g.index
        )
        _check_ramps(a, "Generator", p, cap, g.index)
        cost += (a.dense("Generator", "marginal_cost") * p).sum(axis=1)
        emissions.generators(p, a.weight("generators"))

    lines = n.lines
    if len(lines):
        p0, cap = a.series("Line", "p0", lines.index), a.capacity("Line", lines.index)
        a._inject(lines.bus0, -p0)
        a._inject(lines.bus1, p0)
        a.check("Line |p0| <= s_max_pu s_nom", np.abs(p0) - a.dense("Line", "s_max_pu") * cap)
        _check_kvl(a, p0)

    links = n.links
    if len(links):
        p0, p1 = a.series("Link", "p0", links.index), a.series("Link", "p1", links.index)
        cap = a.capacity("Link", links.index)
        a._inject(links.bus0, -p0)
        a._inject(links.bus1, -p1)
        a.close("Link p1 == -efficiency p0", p1, -a.dense("Link", "efficiency") * p0, links.index)
        a.check("Link p0 <= p_max_pu p_nom", p0 - a.dense("Link", "p_max_pu") * cap, links.index)
        a.check("Link p0 >= p_min_pu p_nom", a.dense("Link", "p_min_pu") * cap - p0, links.index)
        _check_ramps(a, "Link", p0, cap, links.index)
        cost += (a.dense("Link", "marginal_cost") * p0).sum(axis=1)

    su = n.storage_units
    if len(su):
        cost += _check_storage_units(a, su, emissions)

    stores = n.stores
    if len(stores):
        cost += _check_stores(a, stores, emissions)

    a.check("nodal balance", np.abs(a.balance), a.buses)
    emissions.check(a)

    for component, (list_name, attr) in NOMINAL_ATTRS.items():
        static = getattr(n, list_name)
        ext = static.index[static[f"{attr}_extendable"].astype(bool)]
        if len(ext):
            unit_cost = static.loc[ext, "capital_cost"] + static.loc[ext].get("fom_cost", 0.0)
            capex += float((unit_cost.to_numpy(float) * a.capacity(component, ext)).sum())
    total = float((cost * a.weight("objective")[:, 0]).sum()) + capex
    if abs(total - res.objective) > OBJECTIVE_RTOL * max(1.0, abs(res.objective)):
        a.problems.append(
            f"cost of the reported solution {total:.6f} != objective {res.objective:.6f}"
        )
    return a.problems


def _check_ramps(
    a: _Auditor, component: str, p: np.ndarray, cap: np.ndarray, names: pd.Index
) -> None:
    """PyPSA: p(t) - p(t-1) within [-ramp_limit_down(t), ramp_limit_up(t)] * p_nom, t >= 1."""
    step = np.diff(p, axis=0)
    up = a.dense(component, "ramp_limit_up")[1:] * cap
    down = a.dense(component, "ramp_limit_down")[1:] * cap
    a.check(f"{component} ramp up", np.where(np.isnan(up), -np.inf, step - up), names)
    a.check(f"{component} ramp down", np.where(np.isnan(down), -np.inf, -step - down), names)


def _check_kvl(a: _Auditor, p0: np.ndarray) -> None:
    """Flows must derive from voltage angles: p0 * x_pu_eff = theta(bus0) - theta(bus1), with
    x_pu_eff = x / v_nom^2 on AC lines and r / v_nom^2 on DC lines (v_nom of bus0)."""
    lines, buses = a.n.lines, a.n.buses
    v_nom = buses.v_nom.reindex(lines.bus0).to_numpy(float)
    dc = (buses.carrier.reindex(lines.bus0) == "DC").to_numpy()
    impedance = np.where(dc, lines.r.to_numpy(float), lines.x.to_numpy(float)) / v_nom**2
    incidence = np.zeros((len(lines), len(buses)))
    incidence[np.arange(len(lines)), buses.index.get_indexer(lines.bus0)] = 1.0
    incidence[np.arange(len(lines)), buses.index.get_indexer(lines.bus1)] = -1.0
    drop = p0 * impedance  # snapshots x lines
    angles, *_ = np.linalg.lstsq(incidence, drop.T, rcond=None)
    residual = np.abs(incidence @ angles - drop.T).T
    scale = np.abs(drop).max(initial=0.0)
    if residual.size and residual.max() > 1e-6 * scale + 1e-12:
        t, k = np.unravel_index(residual.argmax(), residual.shape)
        a.problems.append(
            f"KVL: line flows are not derived from angles at {a.sns[t]} (line {lines.index[k]!r},"
            f" residual {residual[t, k] / scale:.3g} of the largest angle difference)"
        )


def _check_storage_units(a: _Auditor, su: pd.DataFrame, emissions: _Emissions) -> np.ndarray:
    names = su.index
    cap = a.capacity("StorageUnit", names)
    dispatch = a.series("StorageUnit", "p_dispatch", names)
    store = a.series("StorageUnit", "p_store", names)
    soc = a.series("StorageUnit", "state_of_charge", names)
    spill = a.series("StorageUnit", "spill", names, fill=True)
    inflow = a.dense("StorageUnit", "inflow")
    a.close("StorageUnit p == p_dispatch - p_store", a.series("StorageUnit", "p", names),
            dispatch - store, names)  # fmt: skip
    a._inject(su.bus, dispatch - store)
    a.check("StorageUnit p_dispatch >= 0", -dispatch, names)
    a.check("StorageUnit p_store >= 0", -store, names)
    a.check("StorageUnit spill >= 0", -spill, names)
    a.check("StorageUnit spill <= inflow", spill - inflow, names)
    a.check("StorageUnit p_dispatch <= p_max_pu p_nom",
            dispatch - a.dense("StorageUnit", "p_max_pu") * cap, names)  # fmt: skip
    a.check("StorageUnit p_store <= -p_min_pu p_nom",
            store + a.dense("StorageUnit", "p_min_pu") * cap, names)  # fmt: skip
    a.check("StorageUnit state_of_charge >= 0", -soc, names)
    a.check("StorageUnit state_of_charge <= max_hours p_nom",
            soc - su.max_hours.to_numpy(float) * cap, names)  # fmt: skip
    hours = a.weight("stores")
    keep = _standing(a, "StorageUnit", su.cyclic_state_of_charge.to_numpy(bool))
    cyclic = su.cyclic_state_of_charge.to_numpy(bool)
    before = np.vstack([np.where(cyclic, soc[-1], su.state_of_charge_initial), soc[:-1]])
    expected = keep * before + hours * (
        a.dense("StorageUnit", "efficiency_store") * store
        - dispatch / a.dense("StorageUnit", "efficiency_dispatch")
        + inflow
        - spill
    )
    a.close("StorageUnit state of charge continuity", soc, expected, names)
    emissions.stored(su.carrier, cyclic, su.state_of_charge_initial.to_numpy(float), soc[-1])
    return (
        a.dense("StorageUnit", "marginal_cost") * dispatch
        + a.dense("StorageUnit", "spill_cost") * spill
    ).sum(axis=1)


def _standing(a: _Auditor, component: str, cyclic: np.ndarray) -> np.ndarray:
    """Share of the stored energy kept from one snapshot to the next, (1 - standing_loss)^hours.

    PyPSA applies no standing loss to the initial state of a non-cyclic store in the first
    snapshot (``e(0) = e_initial + ...``), so neither does this check.
    """
    keep = (1 - a.dense(component, "standing_loss")) ** a.weight("stores")
    keep[0, ~cyclic] = 1.0
    return keep


def _check_stores(a: _Auditor, stores: pd.DataFrame, emissions: _Emissions) -> np.ndarray:
    names = stores.index
    cap = a.capacity("Store", names)
    p, e = a.series("Store", "p", names), a.series("Store", "e", names)
    a._inject(stores.bus, p)
    a.check("Store e <= e_max_pu e_nom", e - a.dense("Store", "e_max_pu") * cap, names)
    a.check("Store e >= e_min_pu e_nom", a.dense("Store", "e_min_pu") * cap - e, names)
    hours = a.weight("stores")
    cyclic = stores.e_cyclic.to_numpy(bool)
    keep = _standing(a, "Store", cyclic)
    before = np.vstack([np.where(cyclic, e[-1], stores.e_initial), e[:-1]])
    a.close("Store energy continuity", e, keep * before - hours * p, names)
    emissions.stored(stores.carrier, cyclic, stores.e_initial.to_numpy(float), e[-1])
    return (a.dense("Store", "marginal_cost") * p).sum(axis=1)


class _Emissions:
    """PyPSA's primary-energy CO2 account: generator output / efficiency weighted by the
    generators weighting, plus the drawdown of non-cyclic emitting storage."""

    def __init__(self, n: pypsa.Network) -> None:
        self.n = n
        self.rate = n.carriers.co2_emissions.astype(float)
        self.total = 0.0

    def generators(self, p: np.ndarray, hours: np.ndarray) -> None:
        g = self.n.generators
        rate = g.carrier.map(self.rate).fillna(0.0).to_numpy(float)
        self.total += float((hours * p / g.efficiency.to_numpy(float) * rate).sum())

    def stored(
        self, carrier: pd.Series, cyclic: np.ndarray, first: np.ndarray, last: np.ndarray
    ) -> None:
        rate = carrier.map(self.rate).fillna(0.0).to_numpy(float)
        self.total += float((np.where(cyclic, 0.0, rate * (first - last))).sum())

    def check(self, a: _Auditor) -> None:
        for name, gc in self.n.global_constraints.iterrows():
            slack = FEASIBILITY_RTOL * max(1.0, abs(gc.constant))
            excess = {"<=": self.total - gc.constant, ">=": gc.constant - self.total}.get(
                gc.sense, abs(self.total - gc.constant)
            )
            if excess > slack:
                a.problems.append(
                    f"GlobalConstraint {name!r}: emissions {self.total:.6f} {gc.sense} "
                    f"{gc.constant} violated"
                )
