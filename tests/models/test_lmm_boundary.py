"""Mixed models at the boundary (a variance of 0, a correlation of 1), against lme4 (issue 12).

Reference: tests/reference/r/lmm_boundary.R -> lmm_boundary.csv and lmm_boundary_fit.csv
(R 4.2.2, lme4 1.1.31 with bobyqa to rhoend 1e-12, lmerTest 3.1.3 for Satterthwaite, pbkrtest
0.5.2 for Kenward-Roger), on the data it simulates (boundary_intercept.csv, boundary_slope.csv).
Both fits are singular in lme4 (``isSingular`` TRUE).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes

R = Path(__file__).parents[1] / "reference" / "r"
CASES = {"boundary_intercept": "1", "boundary_slope": "1 + time"}


def _fit(case: str, df: str):  # noqa: ANN202 - LMMFit
    data = pd.read_csv(R / f"{case}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own singular-covariance warnings
        return outcomes.lmm(
            "y ~ arm * time",
            data,
            subject="id",
            random=CASES[case],
            levels={"arm": "CONTROL"},
            df=df,
        )


@pytest.mark.parametrize("case", CASES)
def test_a_singular_fit_reaches_lme4s_optimum(case: str) -> None:
    fit = _fit(case, "satterthwaite")
    ref = pd.read_csv(R / "lmm_boundary_fit.csv")
    ref = ref[ref["case"] == case]
    assert bool(ref["isSingular"].iloc[0]) and fit.singular
    assert any("singular fit" in note for note in fit.notes)
    assert fit.loglik == pytest.approx(ref["logLik"].iloc[0], abs=1e-6)
    coef = pd.read_csv(R / "lmm_boundary.csv")
    coef = coef[coef["case"] == case].set_index("term")
    ours = fit.to_frame().set_index("term").loc[coef.index]
    np.testing.assert_allclose(ours["estimate"], coef["estimate"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours["std_error"], coef["std_error"], rtol=1e-5)
    residual = ref.loc[ref["component"] == "Residual:NA:NA", "vcov"].iloc[0]
    assert fit.sigma2 == pytest.approx(residual, rel=1e-5)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("df", "column"), [("satterthwaite", "df_satterthwaite"), ("kenward-roger", "df_kenward_roger")]
)
def test_the_df_at_the_boundary_are_finite_and_lmertests(case: str, df: str, column: str) -> None:
    fit = _fit(case, df)
    coef = pd.read_csv(R / "lmm_boundary.csv")
    coef = coef[coef["case"] == case].set_index("term")
    ours = fit.to_frame().set_index("term").loc[coef.index]
    assert np.isfinite(ours["df"]).all()
    np.testing.assert_allclose(ours["df"], coef[column], rtol=1e-5)
