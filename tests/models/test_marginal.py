"""Marginal (g-computation) risk difference, ratio and odds ratio against beeca and SAS.

References: tests/reference/marginal (README there): beeca 0.2.0's get_marginal_effect() on its
trial01 (two arms, four covariate sets) and trial02_cdisc (three arms), R 4.2.2; and the SAS
%Margins macro's output that beeca ships (data/margins_trial01.rda).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ConvergenceError, ModelSpecificationError

REF = Path(__file__).parents[1] / "reference" / "marginal"
MODELS = {
    "m1": (["bl_cov"], "in_m1"),
    "m2": (["bl_cov", "bl_cov_c"], "in_m2"),
    "m3": (["bl_cov", "region"], "in_m1"),
    "m4": (["bl_cov", "bl_cov_c2"], "in_m1"),
}
METHODS = {"Ye": "ye", "Ge_HC0": "ge", "Ge_model_based": "ge-model-based"}
MEASURES = {"diff": "risk difference", "rr": "risk ratio", "or": "odds ratio"}


@pytest.fixture(scope="module")
def trial01() -> pd.DataFrame:
    data = pd.read_csv(REF / "trial01.csv", dtype={"trtp": str, "region": str})
    return data.assign(bl_cov_c=data["bl_cov_c"].map({0: "0", 1: "1"}))


def _ours(trial01: pd.DataFrame, model: str, variance: str) -> pd.DataFrame:
    covariates, rows = MODELS[model]
    return outcomes.marginal_risks(
        trial01[trial01[rows] == 1],
        outcome="aval",
        arm="trtp",
        covariates=covariates,
        reference="0",
        variance=variance,
    ).set_index("measure")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("method", METHODS)
def test_estimates_and_standard_errors_match_beeca(trial01, model, method) -> None:  # noqa: ANN001
    ours = _ours(trial01, model, METHODS[method])
    ref = pd.read_csv(REF / "trial01_marginal.csv")
    ref = ref[(ref["model"] == model) & (ref["method"] == method)].set_index("contrast")
    for contrast, measure in MEASURES.items():
        np.testing.assert_allclose(
            ours.loc[measure, "estimate"], ref.loc[contrast, "estimate"], rtol=1e-9
        )
        # R's glm stops at a relative deviance change of 1e-8, so the coefficient-based (Ge)
        # standard errors agree to about 1e-7; Ye's use only the predictions.
        np.testing.assert_allclose(
            ours.loc[measure, "std_error"],
            ref.loc[contrast, "std_error"],
            rtol=1e-9 if method == "Ye" else 2e-7,
        )
    # the ratios' intervals are on the log scale, with beeca's log-scale standard errors
    log_se = ref.loc["logrr", "std_error"]
    rr = ours.loc["risk ratio"]
    half = np.log(rr["conf_high"] / rr["conf_low"]) / 2
    np.testing.assert_allclose(half, 1.959963984540054 * log_se, rtol=2e-7)


def test_the_marginal_risks_are_beecas(trial01) -> None:  # noqa: ANN001
    ours = _ours(trial01, "m3", "ye").iloc[0]
    risks = pd.read_csv(REF / "trial01_risks.csv")
    risks = risks[(risks["model"] == "m3") & (risks["method"] == "Ye")].set_index("arm")
    np.testing.assert_allclose(
        [ours["risk"], ours["risk_reference"]], risks.loc[[1, 0], "risk"], rtol=1e-9
    )
    assert (ours["n"], ours["n_reference"]) == (134, 133)


def test_sas_margins_macro_difference_and_interval(trial01) -> None:  # noqa: ANN001
    """The SAS %Margins macro (model-based, 95% Wald), as shipped by beeca."""
    sas = pd.read_csv(REF / "agreement_with_stored.csv")
    sas = sas[sas["source"].str.contains("%Margins")].set_index("quantity")["stored"]
    ours = _ours(trial01, "m1", "ge-model-based").loc["risk difference"]
    np.testing.assert_allclose(
        ours["estimate"], sas["m1 Ge model-based: risk diff (1-0)"], rtol=1e-7
    )
    np.testing.assert_allclose(ours["std_error"], sas["m1 Ge model-based: SE risk diff"], rtol=1e-7)
    np.testing.assert_allclose(
        [ours["conf_low"], ours["conf_high"]],
        [sas["m1 Ge model-based: 95% CI lower"], sas["m1 Ge model-based: 95% CI upper"]],
        rtol=1e-6,
    )


def test_three_arms_against_the_first() -> None:
    data = pd.read_csv(REF / "trial02.csv")
    out = outcomes.marginal_risks(data, outcome="AVAL", arm="TRTPN", covariates=["SEX"])
    ref = pd.read_csv(REF / "trial02_marginal.csv").drop_duplicates(["TRTVAL", "STAT"])
    ref = ref.set_index(["TRTVAL", "STAT"])["STATVAL"]
    for arm in (2, 3):
        rows = out[out["contrast"] == f"{arm} - 1"].set_index("measure")
        for stat, measure in (
            ("diff", "risk difference"),
            ("rr", "risk ratio"),
            ("or", "odds ratio"),
        ):
            key = {
                "diff": f"diff: {arm}-1",
                "rr": f"rr: {arm}/1",
                "or": f"or: odds({arm}) / odds(1)",
            }[stat]
            np.testing.assert_allclose(rows.loc[measure, "estimate"], ref[(key, stat)], rtol=1e-9)
            np.testing.assert_allclose(
                rows.loc[measure, "std_error"], ref[(key, f"{stat}_se")], rtol=1e-9
            )
        np.testing.assert_allclose(rows["risk"].iloc[0], ref[(str(arm), "risk")], rtol=1e-9)


def test_missing_values_are_refused_with_their_rows(trial01) -> None:  # noqa: ANN001
    with pytest.raises(
        ModelSpecificationError,
        match=r"aval: 1 missing value\(s\), at row\(s\) 1;"
        r" bl_cov_c: 1 missing value\(s\), at row\(s\) 2",
    ):
        outcomes.marginal_risks(
            trial01, outcome="aval", arm="trtp", covariates=["bl_cov", "bl_cov_c"]
        )


def test_an_arm_where_nobody_responds_is_refused_before_computing() -> None:
    data = pd.DataFrame(
        {"arm": ["A"] * 5 + ["B"] * 5, "y": [0] * 5 + [1, 0, 1, 1, 0], "x": np.arange(10.0)}
    )
    with pytest.raises(ConvergenceError, match="no subject of arm 'A' responds"):
        outcomes.marginal_risks(data, outcome="y", arm="arm", covariates=["x"])
    with pytest.raises(ModelSpecificationError, match="variance must be one of"):
        outcomes.marginal_risks(data, outcome="y", arm="arm", variance="sandwich")
