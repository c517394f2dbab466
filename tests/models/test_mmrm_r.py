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
        reference={"THERAPY": "PLACEBO"},
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
