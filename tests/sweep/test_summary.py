"""Results across a sweep: distributions, probabilities and the sensitivity ranking."""

from __future__ import annotations

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
    runs = runs_table()
    summary = summarise(runs, "s")
    done = runs[runs["status"] == "done"]
    assert summary.runs == 29 and summary.failed == 1
    row = summary.distribution.loc["npv_eur"]
    assert row["mean"] == pytest.approx(done["npv_eur"].mean())
    assert row["p50"] == pytest.approx(done["npv_eur"].median())
    assert row["min"] <= row["p10"] <= row["p50"] <= row["p90"] <= row["max"]
    assert row["unit"] == "EUR"
    p = summary.probability.set_index("event")["probability"]
    assert p["NPV > 0"] == pytest.approx((done["npv_eur"] > 0).mean())
    assert p["optimum builds the cable"] == pytest.approx((done["caspian_mw"] > 1).mean())


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
