"""Properties an MMRM fit must have whatever the data: invariances to row order, subject labels
and a shift of the outcome."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes

FEV = Path(__file__).parents[1] / "datasets" / "fev_data.csv"
FORMULA = "FEV1 ~ ARMCD * AVISIT + RACE + SEX + us(AVISIT | USUBJID)"
REFERENCE = {"ARMCD": "PBO", "AVISIT": "VIS1", "RACE": "Asian", "SEX": "Male"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(FEV)


@pytest.fixture(scope="module")
def fit(data: pd.DataFrame) -> outcomes.MMRMFit:
    return outcomes.mmrm(FORMULA, data, levels=REFERENCE)


def _same(a: outcomes.MMRMFit, b: outcomes.MMRMFit, shift: float = 0.0) -> None:
    assert b.loglik == pytest.approx(a.loglik, rel=1e-9)
    expected = a.coefficients.copy()
    expected["(Intercept)"] += shift
    pd.testing.assert_series_equal(b.coefficients, expected, rtol=1e-6)
    pd.testing.assert_frame_equal(b.vcov, a.vcov, rtol=1e-5)
    cols = ["estimate", "std_error", "df"]
    got = b.contrasts("ARMCD", by="AVISIT")[cols].to_numpy()
    want = a.contrasts("ARMCD", by="AVISIT")[cols].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_row_order_does_not_matter(data, fit) -> None:
    shuffled = data.sample(frac=1.0, random_state=7).reset_index(drop=True)
    _same(fit, outcomes.mmrm(FORMULA, shuffled, levels=REFERENCE))


def test_subject_labels_do_not_matter(data, fit) -> None:
    relabelled = data.assign(USUBJID="X" + data["USUBJID"].str[::-1])
    _same(fit, outcomes.mmrm(FORMULA, relabelled, levels=REFERENCE))


def test_shifting_the_outcome_shifts_only_the_intercept(data, fit) -> None:
    shifted = data.assign(FEV1=data["FEV1"] + 100.0)
    _same(fit, outcomes.mmrm(FORMULA, shifted, levels=REFERENCE), shift=100.0)


def test_rows_with_missing_response_are_counted_not_used(fit) -> None:
    # fev_data: 800 rows, 537 with FEV1 (tests/datasets/README.md); 197 subjects have any.
    assert (fit.n_obs, fit.design.n_dropped) == (537, 263)
    assert any("263 rows left out" in n for n in fit.notes)


def test_unknown_structure_and_bad_formula_are_clear(data) -> None:
    with pytest.raises(ValueError, match="covariance term"):
        outcomes.mmrm("FEV1 ~ ARMCD + foo(AVISIT | USUBJID)", data)
    with pytest.raises(ValueError, match="not a column of the data"):
        outcomes.mmrm("FEV1 ~ ARM + us(AVISIT | USUBJID)", data)
    with pytest.raises(ValueError, match="df must be one of"):
        outcomes.mmrm(FORMULA, data, df="guess")


def test_duplicate_subject_visit_is_refused(data) -> None:
    doubled = pd.concat([data, data.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match="repeat a subject x visit"):
        outcomes.mmrm(FORMULA, doubled)


def test_non_convergence_is_an_error_that_says_what_to_do(data) -> None:
    # The first 50 rows of fev_data with the full UN model: SAS PROC MIXED does not converge
    # either (tests/reference/mmrm-sas/SAS/sas_log_nonconvergence_reml.txt, "WARNING: Did not
    # converge").
    first = data.head(50)
    with pytest.raises(outcomes.ConvergenceError, match="fallback=True"):
        outcomes.mmrm("FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID)", first)


def test_fallback_chain_fits_a_simpler_structure_and_says_so(data) -> None:
    first = data.head(50)
    fit = outcomes.mmrm(
        "FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID)", first, fallback=True
    )
    assert fit.converged
    assert fit.formula.covariance.structure != "us"
    assert any("did not converge; the fallback chain gave" in n for n in fit.notes)


def test_nested_structures_order_their_likelihoods(data) -> None:
    # ar1 is ad with equal lag-1 correlations, ad is adh with equal variances: each richer
    # structure fits at least as well (ML, same mean model).
    def m2ll(structure: str) -> float:
        fit = outcomes.mmrm(f"FEV1 ~ ARMCD + {structure}(AVISIT | USUBJID)", data, reml=False)
        return -2 * fit.loglik

    ar1, ad, adh = m2ll("ar1"), m2ll("ad"), m2ll("adh")
    assert adh <= ad + 1e-6 <= ar1 + 2e-6
    assert ad < ar1  # fev_data's lag-1 correlations differ


def test_residual_df_is_observations_minus_coefficients(data) -> None:
    fit = outcomes.mmrm(FORMULA, data, levels=REFERENCE, df="residual")
    # 537 observations, 11 coefficients (tests/datasets/README.md; the formula's columns)
    assert set(fit.to_frame()["df"]) == {537 - 11}
    assert set(fit.anova()["den_df"]) == {537 - 11}
