"""The MMRM against R as a second witness: nlme::gls (corSymm + varIdent) with emmeans.

References in tests/reference/r/: each case's R script, its CSV outputs and versions.txt (R 4.2.2,
nlme, emmeans from Debian bookworm). The optimum of gls was polished by Newton steps in R (see the
scripts) so that its estimates are those of the exact REML optimum.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes

R = Path(__file__).parents[1] / "reference" / "r"
DATASETS = Path(__file__).parents[1] / "datasets"


@pytest.fixture(scope="module")
def antidepressant() -> outcomes.MMRMFit:
    # tests/reference/r/antidepressant_un.R: gls(CHANGE ~ BASVAL*VISIT + THERAPY*VISIT,
    # corSymm(~ visit | PATIENT), varIdent(~ 1 | VISIT), REML)
    data = pd.read_csv(DATASETS / "antidepressant_data.csv", dtype={"VISIT": str})
    return outcomes.mmrm(
        "CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)",
        data,
        levels={"THERAPY": "PLACEBO"},
    )


def test_antidepressant_likelihood_and_coefficients(antidepressant) -> None:
    fit_r = pd.read_csv(R / "antidepressant_un_fit.csv").iloc[0]
    assert -2 * antidepressant.loglik == pytest.approx(fit_r["minus2loglik"], rel=1e-8)
    assert (antidepressant.n_obs, antidepressant.n_subjects) == (
        fit_r["n_obs"],
        fit_r["n_subjects"],
    )
    coef = pd.read_csv(R / "antidepressant_un_coef.csv").set_index("term")
    ours = antidepressant.to_frame().set_index("term")
    assert list(ours.index) == list(coef.index)  # R's names and order
    np.testing.assert_allclose(ours["estimate"], coef["estimate"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours["std_error"], coef["std_error"], rtol=1e-5)


def test_antidepressant_covariance(antidepressant) -> None:
    cov_r = pd.read_csv(R / "antidepressant_un_cov.csv", index_col=0)
    np.testing.assert_allclose(antidepressant.covariance().to_numpy(), cov_r.to_numpy(), rtol=1e-5)


def test_antidepressant_lsmeans_and_differences(antidepressant) -> None:
    emm = pd.read_csv(R / "antidepressant_un_emmeans.csv", dtype={"VISIT": str})
    ours = antidepressant.lsmeans(["THERAPY", "VISIT"])
    merged = ours.merge(emm, on=["THERAPY", "VISIT"], suffixes=("", "_r"))
    assert len(merged) == 8
    np.testing.assert_allclose(merged["estimate"], merged["emmean"], rtol=1e-6)
    np.testing.assert_allclose(merged["std_error"], merged["SE"], rtol=1e-5)
    np.testing.assert_allclose(merged["df"], merged["df_r"], rtol=1e-4)
    con = pd.read_csv(R / "antidepressant_un_contrasts.csv", dtype={"VISIT": str})
    diff = antidepressant.contrasts("THERAPY", by="VISIT").merge(
        con, on=["contrast", "VISIT"], suffixes=("", "_r")
    )
    assert len(diff) == 4
    np.testing.assert_allclose(diff["estimate"], diff["estimate_r"], rtol=1e-6)
    np.testing.assert_allclose(diff["std_error"], diff["SE"], rtol=1e-5)
    np.testing.assert_allclose(diff["df"], diff["df_r"], rtol=1e-4)  # emmeans satterthwaite
    np.testing.assert_allclose(diff["p_value"], diff["p.value"], rtol=1e-4)


def test_antidepressant_type3_fai_cornelius(antidepressant) -> None:
    # R column df2_fai_cornelius: the Fai-Cornelius df computed in R from emmeans' Satterthwaite
    # one-row df on SAS's Type III hypothesis basis (antidepressant_un.R).
    type3 = pd.read_csv(R / "antidepressant_un_type3.csv")
    ours = antidepressant.anova()
    ours["term"] = ours["term"].replace({"THERAPY:VISIT": "VISIT:THERAPY"})
    merged = ours.merge(type3, on="term")
    assert len(merged) == 5
    np.testing.assert_allclose(merged["f_value"], merged["F_unrounded"], rtol=1e-5)
    np.testing.assert_allclose(merged["den_df"], merged["df2_fai_cornelius"], rtol=1e-4)


# -- the other cases, table-driven -----------------------------------------------------------------

SIM_VISITS_6 = ["WEEK1", "WEEK2", "WEEK4", "WEEK6", "WEEK8", "WEEK12"]
# case -> (data file, formula, factor levels in R's order (reference first), arm, visit, reml)
CASES = {
    "bcva_un": (
        DATASETS / "bcva_data.csv",
        "BCVA_CHG ~ BCVA_BL + ARMCD * AVISIT + RACE + us(AVISIT | USUBJID)",
        {"ARMCD": ["CTL", "TRT"], "AVISIT": [f"VIS{k:02d}" for k in range(1, 11)]},
        "ARMCD",
        "AVISIT",
        True,
    ),
    "fev_cs": (
        DATASETS / "fev_data.csv",
        "FEV1 ~ ARMCD * AVISIT + RACE + SEX + cs(AVISIT | USUBJID)",
        {"ARMCD": ["PBO", "TRT"], "AVISIT": ["VIS1", "VIS2", "VIS3", "VIS4"]},
        "ARMCD",
        "AVISIT",
        True,
    ),
    "fev_ar1": (
        DATASETS / "fev_data.csv",
        "FEV1 ~ ARMCD * AVISIT + RACE + SEX + ar1(AVISIT | USUBJID)",
        {"ARMCD": ["PBO", "TRT"], "AVISIT": ["VIS1", "VIS2", "VIS3", "VIS4"]},
        "ARMCD",
        "AVISIT",
        True,
    ),
    "fev_un_ml": (
        DATASETS / "fev_data.csv",
        "FEV1 ~ ARMCD * AVISIT + RACE + SEX + us(AVISIT | USUBJID)",
        {"ARMCD": ["PBO", "TRT"], "AVISIT": ["VIS1", "VIS2", "VIS3", "VIS4"]},
        "ARMCD",
        "AVISIT",
        False,
    ),
    "sim_three_arm_un": (
        R / "sim_three_arm.csv",
        "CHG ~ BASE * VISIT + ARM * VISIT + us(VISIT | USUBJID)",
        {"ARM": ["PLACEBO", "LOW", "HIGH"], "VISIT": [f"V{k}" for k in range(1, 9)]},
        "ARM",
        "VISIT",
        True,
    ),
    "sim_two_arm_6v_un": (
        R / "sim_two_arm_6v.csv",
        "CHG ~ BASE + ARM * VISIT + us(VISIT | USUBJID)",
        {"ARM": ["PLACEBO", "ACTIVE"], "VISIT": SIM_VISITS_6},
        "ARM",
        "VISIT",
        True,
    ),
    "sim_two_arm_6v_csh": (
        R / "sim_two_arm_6v.csv",
        "CHG ~ BASE + ARM * VISIT + csh(VISIT | USUBJID)",
        {"ARM": ["PLACEBO", "ACTIVE"], "VISIT": SIM_VISITS_6},
        "ARM",
        "VISIT",
        True,
    ),
    "sim_two_arm_6v_ar1h": (
        R / "sim_two_arm_6v.csv",
        "CHG ~ BASE + ARM * VISIT + ar1h(VISIT | USUBJID)",
        {"ARM": ["PLACEBO", "ACTIVE"], "VISIT": SIM_VISITS_6},
        "ARM",
        "VISIT",
        True,
    ),
}


@pytest.fixture(scope="module")
def case_fits() -> dict[str, outcomes.MMRMFit]:
    fits = {}
    for name, (path, formula, levels, _, _, reml) in CASES.items():
        data = pd.read_csv(path)
        for column, order in levels.items():
            data[column] = pd.Categorical(data[column], categories=order)
        fits[name] = outcomes.mmrm(formula, data, reml=reml)
    return fits


@pytest.mark.parametrize("case", CASES)
def test_case_likelihood_coefficients_and_covariance(case: str, case_fits) -> None:
    fit = case_fits[case]
    fit_r = pd.read_csv(R / f"{case}_fit.csv").iloc[0]
    assert -2 * fit.loglik == pytest.approx(fit_r["minus2loglik"], rel=1e-8)
    coef = pd.read_csv(R / f"{case}_coef.csv").set_index("term")
    ours = fit.to_frame().set_index("term")
    assert list(ours.index) == list(coef.index)
    scale = coef["std_error"].to_numpy()
    np.testing.assert_allclose(
        ours["estimate"], coef["estimate"], atol=1e-5 * scale.max(), rtol=1e-5
    )
    se_r = coef["std_error"]
    if not CASES[case][5]:
        # Under ML, summary.gls's tTable scales standard errors by sqrt(N / (N - p)) (as lm
        # does); SAS PROC MIXED (tests/models/test_mmrm_sas.py, sas_log.txt) and emmeans's
        # vcov do not, and neither do we.
        n, p = fit.n_obs, len(coef)
        se_r = se_r * np.sqrt((n - p) / n)
    np.testing.assert_allclose(ours["std_error"], se_r, rtol=1e-4)
    cov_r = pd.read_csv(R / f"{case}_cov.csv", index_col=0)
    np.testing.assert_allclose(
        fit.covariance().to_numpy(),
        cov_r.to_numpy(),
        rtol=1e-4,
        atol=1e-6 * np.abs(cov_r.to_numpy()).max(),
    )


@pytest.mark.parametrize("case", CASES)
def test_case_lsmeans_and_differences(case: str, case_fits) -> None:
    fit = case_fits[case]
    _, _, _, arm, visit, reml = CASES[case]
    emm = pd.read_csv(R / f"{case}_emmeans.csv")
    ours = fit.lsmeans([arm, visit]).astype({arm: str, visit: str})
    merged = ours.merge(emm, on=[arm, visit], suffixes=("", "_r"))
    assert len(merged) == len(emm)
    np.testing.assert_allclose(merged["estimate"], merged["emmean"], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(merged["std_error"], merged["SE"], rtol=1e-4)
    con = pd.read_csv(R / f"{case}_contrasts.csv")
    diff = fit.contrasts(arm, by=visit, method="pairwise").astype({visit: str})
    diff = diff.merge(con, on=["contrast", visit], suffixes=("", "_r"))
    assert len(diff) == len(con)
    np.testing.assert_allclose(
        diff["estimate"], diff["estimate_r"], rtol=1e-5, atol=1e-5 * diff["SE"].max()
    )
    np.testing.assert_allclose(diff["std_error"], diff["SE"], rtol=1e-4)
    if reml:  # emmeans' Satterthwaite for gls (ML fits: emmeans' df are not Satterthwaite's)
        np.testing.assert_allclose(diff["df"], diff["df_r"], rtol=1e-3)
        np.testing.assert_allclose(merged["df"], merged["df_r"], rtol=1e-3)


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][5]])
def test_case_type3(case: str, case_fits) -> None:
    # df2_fai_cornelius: Fai-Cornelius df on SAS's Type III basis, from emmeans' one-row
    # Satterthwaite df, computed in the case's R script.
    type3 = pd.read_csv(R / f"{case}_type3.csv")
    ours = case_fits[case].anova()
    ours["key"] = ours["term"].str.split(":").map(frozenset)
    type3["key"] = type3["term"].str.split(":").map(frozenset)
    merged = ours.merge(type3, on="key")
    assert len(merged) == len(type3)
    np.testing.assert_allclose(merged["f_value"], merged["F_unrounded"], rtol=1e-4)
    np.testing.assert_allclose(merged["den_df"], merged["df2_fai_cornelius"], rtol=1e-3)


def test_antidepressant_third_opinion_glmmtmb(antidepressant) -> None:
    # antidepressant_un_glmmtmb.R: glmmTMB(... + us(VISIT + 0 | PATIENT), dispformula = ~0,
    # REML = TRUE). dispformula = ~0 fixes a residual SD of 1e-4 on top of the us() covariance,
    # and nlminb reports "false convergence": estimates agree to 1e-3 of their standard error,
    # standard errors to 2e-3 relative.
    coef = pd.read_csv(R / "antidepressant_un_glmmtmb_coef.csv").set_index("term")
    ours = antidepressant.to_frame().set_index("term").loc[coef.index]
    gap = (ours["estimate"] - coef["estimate"]).abs() / ours["std_error"]
    assert gap.max() < 1e-3
    np.testing.assert_allclose(ours["std_error"], coef["std_error"], rtol=2e-3)


# -- proportional weights --------------------------------------------------------------------------

PROPORTIONAL = {
    # tests/reference/r/lsmeans_proportional.R -> lsmeans_proportional.csv (emmeans 1.8.4.1,
    # weights = "proportional", on the polished gls fits of these cases)
    "~ARMCD": ("fev_cs", ["ARMCD"]),
    "~ARMCD | AVISIT": ("fev_cs", ["ARMCD", "AVISIT"]),
    "~RACE": ("fev_cs", ["RACE"]),
    "~ARMCD * AVISIT * SEX": ("fev_cs", ["ARMCD", "AVISIT", "SEX"]),
}


@pytest.mark.parametrize("spec", PROPORTIONAL)
def test_lsmeans_with_proportional_weights_match_emmeans(spec: str, case_fits) -> None:
    case, factors = PROPORTIONAL[spec]
    ref = pd.read_csv(R / "lsmeans_proportional.csv")
    ref = ref[(ref["case"] == case) & (ref["spec"] == spec)]
    fit = case_fits[case]
    ours = fit.lsmeans(factors, weights="proportional")
    merged = ours.astype({f: str for f in factors}).merge(ref, on=factors, suffixes=("", "_r"))
    assert len(merged) == len(ref) == len(ours) >= 2
    np.testing.assert_allclose(merged["estimate"], merged["emmean"], rtol=1e-6)
    np.testing.assert_allclose(merged["std_error"], merged["SE"], rtol=1e-5)
    np.testing.assert_allclose(merged["df"], merged["df_r"], rtol=1e-4)
    # and they are not the equal-weight means (the data are unbalanced)
    equal = fit.lsmeans(factors)
    assert not np.allclose(equal["estimate"], ours["estimate"], rtol=1e-4)


def test_spatial_gaussian_matches_nlme_corgaus() -> None:
    # tests/reference/r/fev_sp_gau.R: gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX,
    # corGaus(~ VISITN | USUBJID), REML), polished; correlation exp(-(d / range)^2)
    data = pd.read_csv(DATASETS / "fev_data.csv")
    fit = outcomes.mmrm(
        "FEV1 ~ ARMCD * AVISIT + RACE + SEX + sp_gau(VISITN | USUBJID)",
        data,
        levels={"ARMCD": "PBO"},
    )
    ref = pd.read_csv(R / "fev_sp_gau_fit.csv").iloc[0]
    assert -2 * fit.loglik == pytest.approx(ref["minus2loglik"], rel=1e-9)
    params = fit.covariance_parameters().set_index("cov_parm")["estimate"]
    assert params["Residual"] == pytest.approx(ref["variance"], rel=1e-6)
    assert params["SP(GAU)"] == pytest.approx(ref["range"], rel=1e-6)
    coef = pd.read_csv(R / "fev_sp_gau_coef.csv").set_index("term")
    ours = fit.to_frame().set_index("term").loc[coef.index]
    np.testing.assert_allclose(ours["estimate"], coef["estimate"], rtol=1e-6)
    np.testing.assert_allclose(ours["std_error"], coef["std_error"], rtol=1e-6)
