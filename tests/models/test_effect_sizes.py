"""Effect sizes against R's effectsize (tests/reference/effect_sizes/effect_sizes.R, R 4.2.2,
effectsize 0.8.3) on the antidepressant trial's change from baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.endpoints.effect_sizes import (
    cohens_d,
    pooled_sd,
    standardized_difference,
    within_d,
)

TESTS = Path(__file__).parents[1]
REF = TESTS / "reference" / "effect_sizes"


@pytest.fixture(scope="module")
def antidepressant() -> pd.DataFrame:
    return pd.read_csv(TESTS / "datasets" / "antidepressant_data.csv", dtype={"VISIT": str})


def test_cohens_d_and_hedges_g_by_visit(antidepressant) -> None:
    ref = pd.read_csv(REF / "antidepressant_cohens_d.csv", dtype={"VISIT": str})
    ours = cohens_d(
        antidepressant, outcome="CHANGE", arm="THERAPY", reference="PLACEBO", by="VISIT"
    )
    assert ours["contrast"].unique().tolist() == ["DRUG - PLACEBO"]
    merged = ours.merge(ref, on="VISIT", suffixes=("", "_r"))
    assert len(merged) == 4
    for col in ("n", "n_reference"):
        assert (merged[col] == merged[f"{col}_r"]).all()
    for col in ("cohens_d", "d_conf_low", "d_conf_high", "hedges_g", "g_conf_low", "g_conf_high"):
        # effectsize finds the noncentrality interval with a root finder of its own tolerance
        # (differences up to 3e-8 in the interval ends).
        np.testing.assert_allclose(merged[col], merged[f"{col}_r"], rtol=1e-6, atol=1e-7)


def test_within_arm_d_z(antidepressant) -> None:
    ref = pd.read_csv(REF / "antidepressant_d_z_visit7.csv").set_index("THERAPY")
    ours = within_d(
        antidepressant[antidepressant["VISIT"] == "7"], outcome="CHANGE", arm="THERAPY"
    ).set_index("THERAPY")
    for col in ("d_z", "conf_low", "conf_high"):
        np.testing.assert_allclose(ours.loc[ref.index, col], ref[col], rtol=1e-6)


def test_mmrm_difference_over_pooled_baseline_sd(antidepressant) -> None:
    fit = outcomes.mmrm(
        "CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)",
        antidepressant,
        levels={"THERAPY": "PLACEBO"},
    )
    baseline = antidepressant.drop_duplicates("PATIENT")
    sd = pooled_sd(baseline, outcome="BASVAL", arm="THERAPY")
    out = standardized_difference(fit.contrasts("THERAPY", by="VISIT"), sd)
    row = out[out["VISIT"] == "7"].iloc[0]
    # -2.80183 (R emmeans, tests/reference/r/antidepressant_un_contrasts.csv) / SD
    assert row["d"] == pytest.approx(-2.80183358394823 / sd, rel=1e-5)
    assert row["d_conf_low"] < row["d"] < row["d_conf_high"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"g": ["a", "b", "b"], "y": [1.0, 2.0, 3.0]}), "at least 2 values"),
        (pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 2.0, 3.0, 4.0]}), "reference"),
    ],
)
def test_bad_input_is_explained(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cohens_d(frame, outcome="y", arm="g", reference="c" if message == "reference" else None)
