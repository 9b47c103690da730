"""Results across a sweep: distributions, probabilities and the sensitivity ranking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caspian.sweep.summary import summarise


def runs_table(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    gas = rng.uniform(0.75, 2.5, n)
    capex = rng.uniform(0.7, 1.3, n)
    noise = rng.uniform(0, 1, n)
    npv = 1e9 * (gas - 1.5) - 1e9 * (capex - 1.0)  # gas matters most, then capex
    return pd.DataFrame(
        {
            "sweep": "s",
            "status": ["done"] * (n - 1) + ["failed"],
            "params": [
                {"prices.gas_multiplier": g, "caspian.capex_multiplier": c, "label": "x", "z": z}
                for g, c, z in zip(gas, capex, noise, strict=True)
            ],
            "caspian_mw": np.where(npv > 0, 1500.0, 0.0),
            "npv_eur": npv,
            "bcr": 1.0 + npv / 3e9,
        }
    )


def test_distribution_and_probability() -> None:
    # Eleven appraised runs with NPV -3..7 (x 1e8 EUR), one run not appraised, one failed.
    npv = [(i - 3) * 1e8 for i in range(11)] + [np.nan, 1e12]
    built = [1.0] * 4 + [1500.0] * 7 + [0.0, 1500.0]  # 1 MW is not "built"
    runs = pd.DataFrame(
        {
            "sweep": "s",
            "status": ["done"] * 12 + ["failed"],
            "params": [{"z": float(i)} for i in range(13)],
            "caspian_mw": built,
            "npv_eur": npv,
        }
    )
    summary = summarise(runs, "s")
    assert summary.runs == 12 and summary.failed == 1
    row = summary.distribution.loc["npv_eur"]
    # By hand: mean 22 / 11 = 2 (x 1e8); squared deviations 25+16+9+4+1+0+1+4+9+16+25 = 110
    # over 10 degrees of freedom.
    assert row["count"] == 11
    assert row["mean"] == pytest.approx(2e8)
    assert row["std"] == pytest.approx(math.sqrt(110 / 10) * 1e8)
    assert row["min"] == pytest.approx(-3e8) and row["max"] == pytest.approx(7e8)
    # Linear interpolation between order statistics: position q x 10 of 0..10.
    assert (row["p10"], row["p50"], row["p90"]) == pytest.approx((-2e8, 2e8, 6e8))
    assert row["unit"] == "EUR"
    p = summary.probability.set_index("event")
    assert p.loc["NPV > 0", "probability"] == pytest.approx(7 / 11)  # among the appraised
    assert p.loc["NPV > 0", "runs"] == 11
    assert p.loc["optimum builds the cable", "probability"] == pytest.approx(7 / 12)
    assert p.loc["optimum builds the cable", "runs"] == 12


def test_sensitivity_ranks_the_input_that_matters_first() -> None:
    table = summarise(runs_table(), "s").sensitivity
    npv = table[table["output"] == "npv_eur"].set_index("parameter")
    assert npv.loc["prices.gas_multiplier", "rank"] == 1
    assert npv.loc["caspian.capex_multiplier", "rank"] == 2
    assert npv.loc["prices.gas_multiplier", "spearman_rho"] > 0.9
    assert npv.loc["prices.gas_multiplier", "swing"] > 0
    assert npv.loc["caspian.capex_multiplier", "swing"] < 0
    assert "label" not in npv.index  # non-numeric inputs are left out


def test_a_sweep_without_appraisal_still_summarises() -> None:
    runs = runs_table().drop(columns=["npv_eur", "bcr"])
    summary = summarise(runs, "s")
    assert list(summary.probability["event"]) == ["optimum builds the cable"]
    assert set(summary.sensitivity["output"]) == {"caspian_mw"}
