"""One result protocol (issue 12): every fit answers the same members, and F tests of several
contrasts at once agree with lmerTest.

Reference: tests/reference/r/lmm_f_test.R -> lmm_f_test.csv (R 4.2.2, lme4 1.1.31, lmerTest
3.1.3, pbkrtest 0.5.2): ``contest(fit, L, ddf = "Satterthwaite" | "Kenward-Roger")`` on
fev_data for a random intercept and a random slope model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

import outcomes
from outcomes.models.core.inference import F_TEST_KEYS
from outcomes.models.core.protocol import ModelFit

REF = Path(__file__).parents[1] / "reference" / "r"
DATA = Path(__file__).parents[1] / "datasets" / "fev_data.csv"
MODELS = {
    "intercept": ("FEV1 ~ ARMCD * AVISIT + RACE + SEX", "1"),
    "slope": ("FEV1 ~ ARMCD * VISITN + RACE", "1 + VISITN"),
}
TESTS = {"interaction": "ARMCDTRT:", "arm and interaction": "ARMCDTRT", "race": "RACE"}
DDF = {"Satterthwaite": "satterthwaite", "Kenward-Roger": "kenward-roger"}


@pytest.fixture(scope="module")
def fev() -> pd.DataFrame:
    d = pd.read_csv(DATA).dropna(subset=["FEV1"])
    d["AVISIT"] = pd.Categorical(d["AVISIT"], ["VIS1", "VIS2", "VIS3", "VIS4"])
    return d.assign(VISITN=d["AVISIT"].cat.codes + 1.0)


def _rows(columns: list[str], prefix: str) -> np.ndarray:
    picked = [i for i, c in enumerate(columns) if c.startswith(prefix)]
    return np.eye(len(columns))[picked]


@pytest.mark.filterwarnings("ignore::Warning")
@pytest.mark.parametrize("case", list(MODELS))
@pytest.mark.parametrize("ddf", list(DDF))
def test_lmm_f_tests_agree_with_lmertest(fev, case, ddf) -> None:  # noqa: ANN001
    formula, random = MODELS[case]
    fit = outcomes.lmm(formula, fev, subject="USUBJID", random=random, df=DDF[ddf])
    ref = pd.read_csv(REF / "lmm_f_test.csv")
    for test, prefix in TESTS.items():
        want = ref[(ref["case"] == case) & (ref["test"] == test) & (ref["ddf"] == ddf)].iloc[0]
        got = fit.test(_rows(fit.design.columns, prefix))
        assert set(got) == set(F_TEST_KEYS)
        for key in F_TEST_KEYS:
            assert got[key] == pytest.approx(want[key], rel=1e-5), (test, key)


@pytest.fixture(scope="module")
def fits() -> dict[str, ModelFit]:
    trial = outcomes.derive(outcomes.load_sample())
    madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    return {
        "mmrm": outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", madrs),
        "ancova": outcomes.ancova("chg ~ base + arm", madrs, visit="visit", at="WEEK 2"),
        "lmm": outcomes.lmm("chg ~ base + arm", madrs, subject="subject"),
        "gee": outcomes.gee("chg ~ base + arm", madrs, subject="subject"),
    }


@pytest.mark.parametrize("kind", ["mmrm", "ancova", "lmm", "gee"])
def test_every_fit_answers_the_protocol(fits, kind) -> None:  # noqa: ANN001
    fit = fits[kind]
    assert isinstance(fit, ModelFit)
    terms = list(fit.coefficients.index)
    assert list(fit.vcov.index) == list(fit.vcov.columns) == terms
    table = fit.to_frame()
    assert table["term"].tolist() == terms
    assert np.allclose(table["std_error"], np.sqrt(np.diag(fit.vcov)))
    # one row: the F test is the square of the t test, with its df and p-value
    arm = terms.index("armDMT")
    one = fit.test(np.eye(len(terms))[arm])
    row = table.iloc[arm]
    assert one["num_df"] == 1 and one["den_df"] == pytest.approx(row["df"])
    assert one["f_value"] == pytest.approx(row["statistic"] ** 2)
    assert one["p_value"] == pytest.approx(row["p_value"])
    # a repeated row adds no information: still one numerator df
    assert fit.test(np.eye(len(terms))[[arm, arm]])["num_df"] == 1
    assert isinstance(fit.notes, tuple)
    assert 0 < fit.n_subjects <= fit.n_obs
    html = fit._repr_html_()
    assert html.startswith("<div>") and "armDMT" in html and "<script" not in html
    assert fit.summary().count("\n") > 3


def test_gee_tests_are_wald_chi_square(fits) -> None:  # noqa: ANN001
    fit = fits["gee"]
    rows = np.eye(len(fit.coefficients))[1:]
    est = rows @ fit.coefficients.to_numpy()
    chi2 = float(est @ np.linalg.solve(rows @ fit.vcov.to_numpy() @ rows.T, est))
    got = fit.test(rows)
    assert got["den_df"] == np.inf and got["num_df"] == len(rows)
    assert got["f_value"] == pytest.approx(chi2 / len(rows))
    assert got["p_value"] == pytest.approx(scipy.stats.chi2.sf(chi2, len(rows)))
