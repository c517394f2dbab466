"""Held-out cross-check of the MMRM on designs the other tests do not cover, against R mmrm.

Reference: tests/reference/r/heldout (README there): two simulated trials (simulate.R) fitted by
R mmrm 0.3.18 with emmeans 1.8.4-1 on R 4.2.2 (run.R, sessionInfo.txt), each R fit polished to a
gradient below 1e-9. Dataset A: three arms, eight visits, monotone dropout and intermittent
gaps, a weight column; dataset D: a visit seen in 15 subjects and a three-level factor.
Cases: unstructured, grouped by arm, toeph, adh, weights, ML, CR0/CR2/CR3, Kenward-Roger (linear)
and between-within df.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.models.mmrm import mmrm

REF = Path(__file__).parents[1] / "reference" / "r" / "heldout"
OUT = REF / "out"


def _dataset(name: str) -> pd.DataFrame:
    data = pd.read_csv(REF / f"heldout_{name}.csv", keep_default_na=False, na_values=[""])
    if name == "A":
        data["ARM"] = pd.Categorical(data["ARM"], ["PLACEBO", "LOW", "HIGH"])
        data["VISIT"] = pd.Categorical(data["VISIT"], [f"V{i}" for i in range(1, 9)])
    else:
        data["ARM"] = pd.Categorical(data["ARM"], ["PLACEBO", "ACTIVE"])
        data["REGION"] = pd.Categorical(data["REGION"], ["EU", "AMER", "ASIA"])
        data["VISIT"] = pd.Categorical(data["VISIT"], ["W1", "W2", "W4", "W6", "W8", "W12"])
    return data


def _a(structure: str, group: str = "") -> str:
    return f"CHG ~ BASE + ARM * VISIT + {structure}(VISIT | {group}USUBJID)"


def _d(structure: str) -> str:
    return f"CHG ~ BASE + REGION + ARM * VISIT + {structure}(VISIT | USUBJID)"


SAT = {"df": "satterthwaite"}
KR_LINEAR = {"df": "kenward-roger-linear", "vcov": "kenward-roger"}
CASES = {
    "a_us_sat": (_a("us"), "A", SAT),
    "a_us_krlin": (_a("us"), "A", KR_LINEAR),
    "a_us_cr0": (_a("us"), "A", {**SAT, "vcov": "empirical"}),
    "a_us_cr2": (_a("us"), "A", {**SAT, "vcov": "empirical-bias-reduced"}),
    "a_us_cr3": (_a("us"), "A", {**SAT, "vcov": "empirical-jackknife"}),
    "b_us_grp": (_a("us", "ARM / "), "A", SAT),
    "b_toeph": (_a("toeph"), "A", SAT),
    "b_adh": (_a("adh"), "A", SAT),
    "b_toeph_grp": (_a("toeph", "ARM / "), "A", SAT),
    "b_adh_grp": (_a("adh", "ARM / "), "A", SAT),
    "b_toeph_krlin": (_a("toeph"), "A", KR_LINEAR),
    "c_us_wt": (_a("us"), "A", {**SAT, "weights": "WT"}),
    "c_us_ml": (_a("us"), "A", {**SAT, "reml": False}),
    "c_us_wt_ml": (_a("us"), "A", {**SAT, "reml": False, "weights": "WT"}),
    "d_csh_bw": (_d("csh"), "D", {"df": "between-within"}),
    "d_csh_sat": (_d("csh"), "D", SAT),
    "d_us_sat": (_d("us"), "D", SAT),
    "d_csh_krlin": (_d("csh"), "D", KR_LINEAR),
}


@pytest.fixture(scope="module")
def datasets() -> dict[str, pd.DataFrame]:
    return {name: _dataset(name) for name in ("A", "D")}


def _fit(case: str, datasets: dict[str, pd.DataFrame], **change: object):  # noqa: ANN202
    formula, data, options = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rows left out for a missing CHG: R drops them too
        return mmrm(formula, datasets[data], arm="ARM", **{**options, **change})


def _close(ours: object, r: object, rtol: float) -> None:
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(r, float), rtol=rtol, atol=0)


@pytest.mark.parametrize("case", CASES)
def test_agrees_with_r_mmrm(case: str, datasets) -> None:  # noqa: ANN001
    fit = _fit(case, datasets)
    # estimates to 1e-9; SEs to 1e-8; df to 1e-6 (R's finite-difference Jacobians)
    coef = pd.read_csv(OUT / f"{case}_coef.csv").merge(fit.to_frame(), on="term")
    assert len(coef) == len(fit.coefficients)
    _close(coef["estimate_y"], coef["estimate_x"], 1e-9)
    _close(coef["std_error_y"], coef["std_error_x"], 1e-8)
    _close(coef["df_y"], coef["df_x"], 1e-6)
    r_fit = pd.read_csv(OUT / f"{case}_fit.csv").iloc[0]
    _close(fit.loglik, r_fit["loglik"], 1e-10)
    cov = pd.read_csv(OUT / f"{case}_cov.csv")
    for group, rows in cov.groupby("group", sort=False):
        ours = fit.covariance(None if group == "all" else group)
        values = [ours.loc[r["row"], r["col"]] for _, r in rows.iterrows()]
        _close(values, rows["value"], 1e-8)
    lsm = fit.lsmeans(["ARM", "VISIT"]).astype({"ARM": str, "VISIT": str})
    lsm = pd.read_csv(OUT / f"{case}_emmeans.csv").merge(lsm, on=["ARM", "VISIT"])
    _close(lsm["estimate"], lsm["emmean"], 1e-9)
    _close(lsm["std_error"], lsm["SE"], 1e-8)
    _close(lsm["df_y"], lsm["df_x"], 1e-6)
    diffs = fit.contrasts("ARM", by="VISIT", method="pairwise").astype({"VISIT": str})
    r_diffs = pd.read_csv(OUT / f"{case}_contrasts.csv")
    diffs = r_diffs.merge(diffs, on=["contrast", "VISIT"])
    assert len(diffs) == len(r_diffs)
    _close(diffs["estimate_y"], diffs["estimate_x"], 1e-9)
    _close(diffs["std_error"], diffs["SE"], 1e-8)
    _close(diffs["df_y"], diffs["df_x"], 1e-6)
    type3 = pd.read_csv(OUT / f"{case}_type3.csv").merge(fit.anova(), on="term")
    _close(type3["f_value_y"], type3["f_value_x"], 1e-8)
    _close(type3["den_df_y"], type3["den_df_x"], 1e-6)


@pytest.mark.parametrize("case", ["c_us_ml", "c_us_wt_ml"])
def test_ml_information_criteria_count_the_fixed_effects_as_sas(case: str, datasets) -> None:  # noqa: ANN001
    """R mmrm counts only the covariance parameters; SAS (and outcomes) add the fixed effects
    under ML: AIC differs by 2 p, BIC by p log(subjects)."""
    fit = _fit(case, datasets)
    r_fit = pd.read_csv(OUT / f"{case}_fit.csv").iloc[0]
    p = len(fit.coefficients)
    _close(fit.aic, r_fit["aic"] + 2 * p, 1e-10)
    _close(fit.bic, r_fit["bic"] + p * np.log(fit.n_subjects), 1e-10)


def test_kenward_roger_for_us_is_r_mmrms_linear_variant(datasets) -> None:  # noqa: ANN001
    """UN is linear in SAS's natural parameters, so SAS's DDFM=KR (outcomes) has no second-
    derivative term there: R mmrm's "Kenward-Roger-Linear". R's "Kenward-Roger" differs (its
    parameterisation is not SAS's); outcomes' KR is checked against SAS in test_mmrm_sas_ddfm."""
    fit = _fit("a_us_krlin", datasets, df="kenward-roger")
    r_linear = pd.read_csv(OUT / "a_us_krlin_coef.csv").merge(fit.to_frame(), on="term")
    _close(r_linear["std_error_y"], r_linear["std_error_x"], 1e-8)
    r_kr = pd.read_csv(OUT / "a_us_kr_coef.csv").merge(fit.to_frame(), on="term")
    assert np.abs(r_kr["std_error_y"] / r_kr["std_error_x"] - 1).max() > 1e-3
