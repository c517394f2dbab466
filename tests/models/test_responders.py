"""Responder analyses against base R (tests/reference/responders/responders.R, R 4.2.2):
HAM-D17 response (a fall of at least 50%) in the antidepressant trial, both missing-data rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.models.endpoints.responders import RESPONDER_COLUMNS, responders

TESTS = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.read_csv(TESTS / "datasets" / "antidepressant_data.csv", dtype={"VISIT": str})
    return d.assign(resp=d["CHANGE"] / d["BASVAL"] <= -0.5)


@pytest.mark.parametrize("rule", ["non-responder", "exclude"])
def test_rates_risk_difference_and_odds_ratio_match_r(data, rule: str) -> None:
    ref = pd.read_csv(
        TESTS / "reference" / "responders" / "antidepressant_responders.csv", dtype={"VISIT": str}
    )
    ref = ref[ref["missing_rule"] == rule]
    ours = responders(
        data,
        outcome="resp",
        arm="THERAPY",
        subject="PATIENT",
        reference="PLACEBO",
        by="VISIT",
        covariates=["BASVAL"],
        missing=rule,
    )
    assert list(ours.columns) == ["VISIT", *RESPONDER_COLUMNS]
    merged = ours.merge(ref, on=["VISIT", "missing_rule"], suffixes=("", "_r"))
    assert len(merged) == 4
    for col in ("n", "responders", "n_reference", "responders_reference"):
        assert (merged[col] == merged[f"{col}_r"]).all(), col
    for col in (
        "risk_difference",
        "rd_conf_low",
        "rd_conf_high",
        "odds_ratio",
        "or_conf_low",
        "or_conf_high",
        "or_p_value",
    ):
        np.testing.assert_allclose(merged[col], merged[f"{col}_r"], rtol=1e-6, err_msg=col)
    if rule == "non-responder":
        # every randomised patient counts: 84 on drug, 88 on placebo (tests/datasets/README.md)
        assert set(ours["n"]) == {84} and set(ours["n_reference"]) == {88}


def test_nnt_and_its_interval(data) -> None:
    out = responders(
        data, outcome="resp", arm="THERAPY", subject="PATIENT", reference="PLACEBO", by="VISIT"
    )
    row = out.iloc[-1]
    assert row["nnt"] == pytest.approx(1 / row["risk_difference"])
    if row["rd_conf_low"] > 0:
        assert row["nnt_conf_low"] == pytest.approx(1 / row["rd_conf_high"])
    else:  # the interval of the difference contains 0: the NNT's runs through infinity
        assert np.isnan(row["nnt_conf_low"]) and np.isnan(row["nnt_conf_high"])


def test_bad_rule_and_columns_are_explained(data) -> None:
    with pytest.raises(ValueError, match="missing must be"):
        responders(data, outcome="resp", arm="THERAPY", subject="PATIENT", missing="ignore")
    with pytest.raises(ValueError, match="no column"):
        responders(data, outcome="remission", arm="THERAPY", subject="PATIENT")


def test_odds_ratio_is_not_reported_under_separation() -> None:
    """No responder on placebo: the logistic odds ratio is infinite, so it is missing and the
    note says why (the risk difference is still given)."""
    df = pd.DataFrame(
        {
            "id": range(10),
            "arm": ["A"] * 5 + ["P"] * 5,
            "resp": [1, 1, 0, 1, 0] + [0] * 5,
            "base": [30, 31, 29, 35, 33, 30, 28, 31, 32, 34],
        }
    )
    out = responders(
        df, outcome="resp", arm="arm", subject="id", reference="P", covariates=["base"]
    ).iloc[0]
    assert np.isnan(out["odds_ratio"]) and np.isnan(out["or_p_value"])
    assert out["or_note"] == "not estimable: none of P respond (separation)"
    assert out["risk_difference"] == pytest.approx(0.6)


def test_levels_keep_subjects_seen_only_at_other_levels() -> None:
    """Subject 4 has a baseline row only: with by_levels=["week 2"] they are a non-responder at
    week 2 (or excluded), not missing from the denominator."""
    df = pd.DataFrame(
        {
            "id": [1, 1, 2, 2, 3, 3, 4],
            "arm": ["A", "A", "A", "A", "P", "P", "P"],
            "visit": ["base", "week 2", "base", "week 2", "base", "week 2", "base"],
            "resp": [None, True, None, False, None, False, None],
        }
    )
    out = responders(
        df, outcome="resp", arm="arm", subject="id", reference="P", by="visit", by_levels=["week 2"]
    ).iloc[0]
    assert out["visit"] == "week 2"
    assert (out["n"], out["responders"], out["n_reference"]) == (2, 1, 2)
    excluded = responders(
        df,
        outcome="resp",
        arm="arm",
        subject="id",
        reference="P",
        by="visit",
        by_levels=["week 2"],
        missing="exclude",
    ).iloc[0]
    assert excluded["n_reference"] == 1
    with pytest.raises(ValueError, match="levels= needs by="):
        responders(df, outcome="resp", arm="arm", subject="id", by_levels=["week 2"])


# -- marginal (g-computation) effects beside the conditional odds ratio ----------------------
# Reference: tests/reference/marginal (beeca 0.2.0 on its trial01; README there).

MARGINAL_REF = Path(__file__).parents[1] / "reference" / "marginal"


def _trial01() -> pd.DataFrame:
    data = pd.read_csv(MARGINAL_REF / "trial01.csv", dtype={"trtp": str, "region": str})
    return data.assign(bl_cov_c=data["bl_cov_c"].map({0: "0", 1: "1"}))


def _beeca(model: str, contrast: str) -> float:
    ref = pd.read_csv(MARGINAL_REF / "trial01_marginal.csv")
    row = ref[(ref["model"] == model) & (ref["method"] == "Ye") & (ref["contrast"] == contrast)]
    return float(row["estimate"].iloc[0]), float(row["std_error"].iloc[0])


def test_marginal_risk_difference_and_ratio_are_beecas_ye() -> None:
    out = responders(
        _trial01(),
        outcome="aval",
        arm="trtp",
        subject="usubjid",
        covariates=["bl_cov"],
        reference="0",
        missing="exclude",
    ).iloc[0]
    rd, rd_se = _beeca("m1", "diff")
    rr, log_rr_se = _beeca("m1", "rr")[0], _beeca("m1", "logrr")[1]
    z = 1.959963984540054
    np.testing.assert_allclose(out["marginal_rd"], rd, rtol=1e-9)
    np.testing.assert_allclose(
        [out["marginal_rd_conf_low"], out["marginal_rd_conf_high"]],
        [rd - z * rd_se, rd + z * rd_se],
        rtol=1e-9,
    )
    np.testing.assert_allclose(out["marginal_rr"], rr, rtol=1e-9)
    np.testing.assert_allclose(out["marginal_rr_conf_high"], rr * np.exp(z * log_rr_se), rtol=1e-9)
    assert out["marginal_note"] == "" and out["n"] + out["n_reference"] == 267


def test_a_factor_covariate_adjusts_both_the_odds_ratio_and_the_marginal_effects() -> None:
    """region (5 levels, as text) is treatment-coded, as R's glm: beeca's model m3."""
    out = responders(
        _trial01(),
        outcome="aval",
        arm="trtp",
        subject="usubjid",
        covariates=["bl_cov", "region"],
        reference="0",
        missing="exclude",
    ).iloc[0]
    np.testing.assert_allclose(out["marginal_rd"], _beeca("m3", "diff")[0], rtol=1e-9)
    np.testing.assert_allclose(out["marginal_rr"], _beeca("m3", "rr")[0], rtol=1e-9)
    assert out["or_note"] == ""
    glm = pd.read_csv(MARGINAL_REF / "conditional_or.csv").iloc[0]  # conditional_or.R, R's glm
    columns = ["odds_ratio", "or_conf_low", "or_conf_high", "or_p_value"]
    # the estimate to 1e-14; the SE to 4e-9 (R's glm takes it from the weights of its last IRLS
    # step, statsmodels at the optimum), so the interval and p value to 1e-7
    np.testing.assert_allclose(
        out[columns].to_numpy(float), glm[columns].to_numpy(float), rtol=1e-7
    )


def test_a_subject_without_a_covariate_is_left_out_of_the_adjusted_estimates_and_counted() -> None:
    """Subject 2 has no bl_cov_c: beeca's (glm's) complete cases, 266 subjects (model m2)."""
    out = responders(
        _trial01(),
        outcome="aval",
        arm="trtp",
        subject="usubjid",
        covariates=["bl_cov", "bl_cov_c"],
        reference="0",
        missing="exclude",
    ).iloc[0]
    np.testing.assert_allclose(out["marginal_rd"], _beeca("m2", "diff")[0], rtol=1e-9)
    for note in ("or_note", "marginal_note"):
        assert out[note].startswith("1 subject(s) without a value of bl_cov, bl_cov_c left out")
    assert out["n"] + out["n_reference"] == 267  # the rates keep every subject


def test_marginal_effects_not_estimable_say_why() -> None:
    df = pd.DataFrame(
        {
            "id": range(8),
            "arm": ["A"] * 4 + ["B"] * 4,
            "resp": [True] * 4 + [True, False, False, True],
        }
    )
    out = responders(df, outcome="resp", arm="arm", subject="id", reference="B").iloc[0]
    assert np.isnan(out["marginal_rd"]) and np.isnan(out["marginal_rr_conf_low"])
    assert "every subject of arm 'A' responds" in out["marginal_note"]
