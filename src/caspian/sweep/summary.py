"""Results across a sweep: distributions, the probability the cable is worth building, and which
inputs matter most.

From the catalogue's finished runs of one sweep:

* ``distribution``: count, mean, standard deviation, minimum, 10th/50th/90th percentile and maximum
  of the optimal Caspian capacity (MW), the cable's NPV (EUR) and BCR, its welfare gain (EUR/yr),
  the system cost (EUR/yr) and the exports to the EU (TWh/yr);
* ``probability``: the share of runs whose optimum builds the cable (more than 1 MW), and the
  share whose appraisal gives NPV > 0 (among the appraised runs);
* ``sensitivity``: for every varied numeric input, Spearman's rank correlation with the optimal
  capacity and with the NPV, and the *swing*: the mean output in the top third of the input's
  values minus the mean in the bottom third (a tornado from sampled runs). Rows are ranked by
  the absolute swing of the NPV (of the capacity where no NPV was computed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from caspian.analysis.common import with_units
from caspian.runs.headlines import CASPIAN_CAPACITY, EU_EXPORTS, TOTAL_COST, is_built

OUTPUTS: dict[str, str] = {
    CASPIAN_CAPACITY.column: CASPIAN_CAPACITY.unit,
    "npv_eur": "EUR",
    "bcr": "1",
    "welfare_change_eur": "EUR/yr",
    TOTAL_COST.column: TOTAL_COST.unit,
    EU_EXPORTS.column: EU_EXPORTS.unit,
}
"""Headline outputs summarised across a sweep (catalogue columns), with their units."""


@dataclass(frozen=True)
class SweepSummary:
    """Tables of [`summarise`][caspian.sweep.summary.summarise] (see the module docstring)."""

    sweep: str
    runs: int
    failed: int
    distribution: pd.DataFrame
    probability: pd.DataFrame
    sensitivity: pd.DataFrame


def summarise(runs: pd.DataFrame, sweep: str) -> SweepSummary:
    """Summarise the runs of ``sweep`` in a catalogue table (``Catalogue.runs()``)."""
    rows = runs[runs["sweep"] == sweep] if "sweep" in runs else runs
    done = rows[rows["status"] == "done"]
    outputs = [c for c in OUTPUTS if c in done and done[c].notna().any()]
    quantiles = {}
    for column in outputs:
        values = done[column].dropna().astype(float)
        quantiles[column] = {
            "count": float(len(values)),
            "mean": values.mean(),
            "std": values.std(ddof=1) if len(values) > 1 else np.nan,
            "min": values.min(),
            "p10": values.quantile(0.1),
            "p50": values.quantile(0.5),
            "p90": values.quantile(0.9),
            "max": values.max(),
        }
    distribution = pd.DataFrame.from_dict(quantiles, orient="index")
    distribution.index.name = "output"
    distribution["unit"] = [OUTPUTS[c] for c in distribution.index]

    probability_rows = []
    if "caspian_mw" in done and len(done):
        # The one "is it built" test of caspian.runs.headlines (more than 1 MW).
        built = float(is_built(done["caspian_mw"].astype(float)).mean())
        probability_rows.append(("optimum builds the cable", built, len(done)))
    if "npv_eur" in done and done["npv_eur"].notna().any():
        npv = done["npv_eur"].dropna().astype(float)
        probability_rows.append(("NPV > 0", float((npv > 0).mean()), len(npv)))
    probability = pd.DataFrame(probability_rows, columns=["event", "probability", "runs"])
    probability = with_units(probability, {"probability": "1"})

    params = _parameters(done)
    sensitivity = _sensitivity(params, done)
    return SweepSummary(
        sweep=sweep,
        runs=len(done),
        failed=int((rows["status"] == "failed").sum()),
        distribution=distribution,
        probability=probability,
        sensitivity=sensitivity,
    )


def _parameters(done: pd.DataFrame) -> pd.DataFrame:
    """The varied inputs of each run as numeric columns (non-numeric inputs dropped)."""
    if "params" not in done or not len(done):
        return pd.DataFrame(index=done.index)
    records = [
        p if isinstance(p, dict) else json.loads(p) if isinstance(p, str) else {}
        for p in done["params"]
    ]
    frame = pd.DataFrame.from_records(records, index=done.index)
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    varied = [c for c in numeric if numeric[c].notna().all() and numeric[c].nunique() > 1]
    return numeric[varied]


def _sensitivity(params: pd.DataFrame, done: pd.DataFrame) -> pd.DataFrame:
    columns = ["parameter", "output", "spearman_rho", "swing", "low_mean", "high_mean"]
    rows = []
    for output in ("npv_eur", "caspian_mw"):
        if output not in done or done[output].isna().all():
            continue
        y = done[output].astype(float)
        for name in params:
            x = params[name]
            ok = y.notna()
            if ok.sum() < 3 or x[ok].nunique() < 2:
                continue
            rho = stats.spearmanr(x[ok], y[ok]).statistic if y[ok].nunique() > 1 else 0.0
            low_cut, high_cut = x[ok].quantile([1 / 3, 2 / 3])
            low = y[ok][x[ok] <= low_cut].mean()
            high = y[ok][x[ok] >= high_cut].mean()
            rows.append((name, output, float(rho), float(high - low), float(low), float(high)))
    table = pd.DataFrame(rows, columns=columns)
    if len(table):
        primary = "npv_eur" if (table["output"] == "npv_eur").any() else "caspian_mw"
        order = (
            table[table["output"] == primary]
            .assign(size=lambda t: t["swing"].abs())
            .sort_values("size", ascending=False)["parameter"]
            .tolist()
        )
        table["rank"] = table["parameter"].map({p: i + 1 for i, p in enumerate(order)})
        table = table.sort_values(["output", "rank"]).reset_index(drop=True)
    return with_units(table, {"spearman_rho": "1", "swing": "unit of the output"})
