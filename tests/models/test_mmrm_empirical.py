"""The MMRM's empirical covariances (CR0, CR2, CR3) and their Satterthwaite df, against R.

Reference: tests/reference/r/empirical_df.R -> empirical_df.csv (R 4.2.2, nlme 3.1.162,
clubSandwich 0.5.8, polished gls fits; see tests/reference/r/README.md). Per case and type it
holds clubSandwich's ``vcovCR`` + ``coef_test``/``linear_contrast`` (Satterthwaite) and, under
``<type>-mmrm-formula``, the same quantities computed densely from R mmrm's documented formulas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ModelSpecificationError, OutcomesError

R = Path(__file__).parents[1] / "reference" / "r"
KINDS = {"CR0": "empirical", "CR2": "empirical-bias-reduced", "CR3": "empirical-jackknife"}
ARM_TERMS = {
    "LOW - PLACEBO": "ARMLOW",
    "HIGH - PLACEBO": "ARMHIGH",
    "ACTIVE - PLACEBO": "ARMACTIVE",
}


def _data(name: str, visits: list[str], arms: list[str]) -> pd.DataFrame:
    data = pd.read_csv(R / name).dropna(subset=["CHG"])
    data["VISIT"] = pd.Categorical(data["VISIT"], categories=visits)
    data["ARM"] = pd.Categorical(data["ARM"], categories=arms)
    return data


CASES = {
    "sim_three_arm_un": (
        "sim_three_arm.csv",
        [f"V{i}" for i in range(1, 9)],
        ["PLACEBO", "LOW", "HIGH"],
        "CHG ~ BASE * VISIT + ARM * VISIT + us(VISIT | USUBJID)",
    ),
    "sim_two_arm_6v_csh": (
        "sim_two_arm_6v.csv",
        ["WEEK1", "WEEK2", "WEEK4", "WEEK6", "WEEK8", "WEEK12"],
        ["PLACEBO", "ACTIVE"],
        "CHG ~ BASE + ARM * VISIT + csh(VISIT | USUBJID)",
    ),
}


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(R / "empirical_df.csv")


def _ours(case: str, vcov: str) -> tuple[outcomes.MMRMFit, pd.DataFrame]:
    file, visits, arms, formula = CASES[case]
    fit = outcomes.mmrm(formula, _data(file, visits, arms), vcov=vcov)
    coefs = fit.to_frame().set_index("term")
    diffs = fit.contrasts("ARM", by="VISIT")
    pairs = zip(diffs["contrast"], diffs["VISIT"], strict=True)
    diffs.index = [f"{ARM_TERMS[c]}@{v}" for c, v in pairs]
    cols = ["estimate", "std_error", "df"]
    return fit, pd.concat([coefs[cols], diffs[cols]])


def _rows(reference: pd.DataFrame, case: str, kind: str) -> pd.DataFrame:
    rows = reference[(reference["case"] == case) & (reference["type"] == kind)]
    return rows.set_index("quantity")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_sandwich_and_its_df_follow_r_mmrm_formulas(reference, case: str, kind: str) -> None:
    fit, ours = _ours(case, KINDS[kind])
    ref = _rows(reference, case, f"{kind}-mmrm-formula")
    assert len(ref) >= 19
    got = ours.loc[ref.index]
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["std_error"], ref["std_error"], rtol=1e-6)
    np.testing.assert_allclose(got["df"], ref["df"], rtol=1e-6)
    # the df of a sandwich cannot exceed the number of subjects that estimate it
    assert (got["df"] < fit.n_subjects).all()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["CR0", "CR3"])
def test_cr0_and_cr3_agree_with_clubsandwich(reference, case: str, kind: str) -> None:
    _, ours = _ours(case, KINDS[kind])
    ref = _rows(reference, case, kind)
    got = ours.loc[ref.index]
    np.testing.assert_allclose(got["std_error"], ref["std_error"], rtol=1e-6)
    np.testing.assert_allclose(got["df"], ref["df"], rtol=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_cr2_df_agree_with_clubsandwich_whose_square_root_differs(reference, case: str) -> None:
    # clubSandwich's CR2 takes another (also unbiased) square root: its SEs differ from R
    # mmrm's by up to 0.16% here (R mmrm's own tests allow 1e-3), its df by 2e-5.
    _, ours = _ours(case, "empirical-bias-reduced")
    ref = _rows(reference, case, "CR2")
    got = ours.loc[ref.index]
    np.testing.assert_allclose(got["df"], ref["df"], rtol=1e-4)
    np.testing.assert_allclose(got["std_error"], ref["std_error"], rtol=3e-3)


def test_an_f_test_under_a_sandwich_uses_the_sandwich_df() -> None:
    # Fai-Cornelius over the eigen-directions: with one row it is that row's own df.
    fit, ours = _ours("sim_two_arm_6v_csh", "empirical")
    row = np.zeros(len(fit.coefficients))
    row[list(fit.coefficients.index).index("ARMACTIVE")] = 1.0
    assert fit.test(row)["den_df"] == pytest.approx(ours.loc["ARMACTIVE", "df"], rel=1e-10)


@pytest.mark.parametrize(
    ("df", "vcov"),
    [
        ("kenward-roger", "empirical"),
        ("kenward-roger", "model"),
        ("kenward-roger-linear", "empirical-jackknife"),
        ("satterthwaite", "kenward-roger"),
        ("residual", "kenward-roger"),
        ("between-within", "kenward-roger"),
    ],
)
def test_a_df_and_vcov_that_do_not_go_together_are_refused(df: str, vcov: str) -> None:
    file, visits, arms, formula = CASES["sim_two_arm_6v_csh"]
    with pytest.raises(ModelSpecificationError, match="the valid pairs are") as info:
        outcomes.mmrm(formula, _data(file, visits, arms), df=df, vcov=vcov)
    assert isinstance(info.value, OutcomesError) and isinstance(info.value, ValueError)
    assert "df='satterthwaite' with vcov in ('model', 'empirical'" in str(info.value)


def test_a_subject_fitted_exactly_is_said_under_cr2_and_cr3() -> None:
    file, visits, arms, _ = CASES["sim_two_arm_6v_csh"]
    data = _data(file, visits, arms)
    alone = data["USUBJID"].iloc[0]
    data["SITE"] = np.where(data["USUBJID"] == alone, "S2", "S1")  # one subject at site S2
    formula = "CHG ~ BASE + SITE + ARM * VISIT + csh(VISIT | USUBJID)"
    for vcov in ("empirical-bias-reduced", "empirical-jackknife"):
        fit = outcomes.mmrm(formula, data, vcov=vcov)
        assert any("1 subject(s) fitted exactly" in note for note in fit.notes)
        assert np.isfinite(fit.to_frame()["std_error"]).all()
    assert not outcomes.mmrm(formula, data, vcov="empirical").notes
