"""Linear mixed models against R's lme4 1.1.31 + lmerTest 3.1.3 + pbkrtest 0.5.2 (R 4.2.2).

References: ``tests/reference/trajectories/lmm.R`` (README there) on the sample trial's MADRS
change (``sample_madrs.csv``, written by ``make_data.py``) and on the FEV data of R's mmrm
package. lme4's default optimiser stops a little short of the optimum for the random-slope models:
``lmm_fit.csv`` records, per model, how far a much tighter refit moved the estimates, SEs and
variances (``tight_*``), and those distances (times 3, at least 1e-6) are the tolerances here.
Our log-likelihood is at least R's: we stop nearer the optimum.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

import outcomes
from outcomes.errors import ConvergenceError
from outcomes.models.core.inference import ESTIMATE_COLUMNS
from outcomes.models.lmm import fit as lmm_module
from outcomes.models.lmm import lmm

TESTS = Path(__file__).parents[1]
REF = TESTS / "reference" / "trajectories"

MODELS = {
    "sample_ri": ("chg ~ base + arm * weeks", "1", True, "sample", "subject"),
    "sample_rs": ("chg ~ base + arm * weeks", "1 + weeks", True, "sample", "subject"),
    "sample_rs_ml": ("chg ~ base + arm * weeks", "1 + weeks", False, "sample", "subject"),
    "sample_piecewise": (
        "chg ~ base + arm * (weeks + weeks_after_dose_2)",
        "1",
        True,
        "sample",
        "subject",
    ),
    "fev_rs": ("FEV1 ~ FEV1_BL + ARMCD * VISITN", "1 + VISITN", True, "fev", "USUBJID"),
}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {
        "sample": pd.read_csv(REF / "sample_madrs.csv", dtype={"site": str}),
        "fev": pd.read_csv(TESTS / "datasets" / "fev_data.csv"),
    }


@pytest.fixture(scope="module")
def r_fit() -> pd.DataFrame:
    return pd.read_csv(REF / "lmm_fit.csv").set_index("name")


@pytest.fixture(scope="module")
def fits(data) -> dict[str, lmm_module.LMMFit]:  # noqa: ANN001
    reference = {"arm": "PLACEBO", "ARMCD": "PBO"}
    out = {}
    for name, (formula, random, reml, source, subject) in MODELS.items():
        frame = data[source]
        refs = {k: v for k, v in reference.items() if k in frame.columns}
        out[name] = lmm(formula, frame, subject=subject, random=random, reml=reml, levels=refs)
    return out


def _tolerance(value: float) -> float:
    return max(1e-6, 3 * float(value))


@pytest.mark.parametrize("name", list(MODELS))
def test_fixed_effects_match_lme4_and_lmertest(name, fits, r_fit) -> None:  # noqa: ANN001
    ours = fits[name].to_frame()
    assert list(ours.columns) == ["term", *ESTIMATE_COLUMNS]
    ref = pd.read_csv(REF / f"lmm_{name}_fixed.csv")
    info = r_fit.loc[name]
    assert ours["term"].tolist() == ref["term"].tolist()
    est_tol = _tolerance(info["tight_max_abs_diff_estimate_over_se"])
    se_tol = _tolerance(info["tight_max_rel_diff_std_error"])
    df_tol = _tolerance(info["tight_max_rel_diff_vcov"])
    np.testing.assert_array_less(
        np.abs(ours["estimate"] - ref["estimate"]) / ref["std_error"], est_tol
    )
    np.testing.assert_allclose(ours["std_error"], ref["std_error"], rtol=se_tol)
    np.testing.assert_allclose(ours["df"], ref["df_satterthwaite"], rtol=df_tol)
    np.testing.assert_allclose(ours["statistic"], ref["t"], rtol=max(se_tol, est_tol) * 10)
    np.testing.assert_allclose(ours["p_value"], ref["p_satterthwaite"], rtol=1e-3, atol=1e-9)


@pytest.mark.parametrize("name", list(MODELS))
def test_variance_components_and_likelihood_match_lme4(name, fits, r_fit) -> None:  # noqa: ANN001
    fit = fits[name]
    info = r_fit.loc[name]
    ref = pd.read_csv(REF / f"lmm_{name}_random.csv")
    ours = fit.variance_components()
    assert ours["var1"].fillna("").tolist() == ref["var1"].fillna("").tolist()
    tol = _tolerance(info["tight_max_rel_diff_vcov"])
    np.testing.assert_allclose(ours["variance"], ref["vcov"], rtol=tol)
    np.testing.assert_allclose(ours["sd_cor"], ref["sdcor"], rtol=tol)
    assert fit.loglik == pytest.approx(info["logLik"], abs=1e-6)
    assert fit.loglik >= info["logLik"] - 1e-9
    assert fit.n_obs == info["n_obs"] and fit.n_subjects == info["n_groups"]
    assert not fit.singular


def test_optimum_is_stationary(fits) -> None:  # noqa: ANN001
    """The polished optimum: the analytic REML/ML gradient over the variance parameters is ~0."""
    for fit in fits.values():
        blocks = fit._blocks
        scale = np.sqrt(np.diag(np.linalg.pinv(blocks.hessian)))
        assert np.all(np.abs(blocks.gradient) * scale < 1e-5)


def test_estimate_combines_coefficients(fits) -> None:  # noqa: ANN001
    """The arm difference at week 2 of ``arm * weeks``: armDMT + 2 armDMT:weeks, with the SE
    of that combination from the covariance matrix."""
    fit = fits["sample_rs"]
    row = np.zeros(len(fit.design.columns))
    row[fit.design.columns.index("armDMT")] = 1
    row[fit.design.columns.index("armDMT:weeks")] = 2
    out = fit.estimate(row).iloc[0]
    coef, vcov = fit.coefficients, fit.vcov.to_numpy()
    assert out["estimate"] == pytest.approx(coef["armDMT"] + 2 * coef["armDMT:weeks"])
    assert out["std_error"] == pytest.approx(np.sqrt(row @ vcov @ row))
    assert 1 < out["df"] < fit.n_obs


def test_normal_df_gives_z_tests(data) -> None:  # noqa: ANN001
    fit = lmm("chg ~ base + arm * weeks", data["sample"], subject="subject", df="normal")
    table = fit.to_frame()
    assert np.isinf(table["df"]).all()
    z = table["estimate"] / table["std_error"]
    assert table["p_value"].iloc[2] == pytest.approx(2 * scipy.stats.norm.sf(abs(z[2])))


def test_singular_fit_is_reported() -> None:
    """No subject-to-subject variation in slope: the random slope variance goes to 0."""
    rng = np.random.default_rng(1)
    subjects = np.repeat(np.arange(30), 5)
    time = np.tile(np.arange(5.0), 30)
    y = rng.normal(size=30)[subjects] * 2 + 0.5 * time + rng.normal(size=150)
    frame = pd.DataFrame({"y": y, "time": time, "id": subjects})
    fit = lmm("y ~ time", frame, subject="id", random="1 + time")
    assert fit.singular
    assert any("singular fit" in note for note in fit.notes)


def test_rows_with_missing_values_are_counted(data) -> None:  # noqa: ANN001
    frame = data["sample"].copy()
    frame.loc[:4, "chg"] = np.nan
    fit = lmm("chg ~ base + arm * weeks", frame, subject="subject")
    assert fit.n_obs == len(frame) - 5
    assert fit.notes[0].startswith("5 rows left out")


def test_trialdata_and_time_axes_work_together() -> None:
    frame = outcomes.add_time_axes(outcomes.derive(outcomes.load_sample()))
    madrs = frame[
        (frame["instrument"] == "madrs") & frame["phase"].isin(["post-dose", "follow-up"])
    ]
    fit = lmm(
        "chg ~ base + arm * (study_day + days_after_dose_2)",
        madrs,
        subject="subject",
        levels={"arm": "PLACEBO"},
    )
    assert "armDMT:days_after_dose_2" in fit.to_frame()["term"].tolist()


@pytest.mark.parametrize(
    ("random", "message"),
    [("1 + (weeks | subject)", "covariance term"), ("", "expected a name"), ("1 + arm", "numeric")],
)
def test_bad_random_part_is_explained(data, random, message) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        lmm("chg ~ base + weeks", data["sample"], subject="subject", random=random)


def test_unknown_subject_and_df_are_explained(data) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="no subject column"):
        lmm("chg ~ weeks", data["sample"], subject="patient")
    with pytest.raises(ValueError, match="df must be one of"):
        lmm("chg ~ weeks", data["sample"], subject="subject", df="kr")


def test_no_convergence_raises_with_advice(data, monkeypatch) -> None:  # noqa: ANN001
    class NotConverged:
        converged = False
        fe_params = np.zeros(2)

    monkeypatch.setattr(lmm_module.MixedLM, "fit", lambda self, **kw: NotConverged())
    with pytest.raises(ConvergenceError, match="simpler random part"):
        lmm("chg ~ weeks", data["sample"], subject="subject")


@pytest.mark.parametrize("name", [n for n, spec in MODELS.items() if spec[2]])
def test_kenward_roger_matches_lmertest_and_pbkrtest(name, data, r_fit) -> None:  # noqa: ANN001
    """lmerTest's summary(ddf = "Kenward-Roger"): pbkrtest's adjusted SEs and KR df."""
    formula, random, _, source, subject = MODELS[name]
    frame = data[source]
    refs = {k: v for k, v in {"arm": "PLACEBO", "ARMCD": "PBO"}.items() if k in frame.columns}
    fit = lmm(formula, frame, subject=subject, random=random, levels=refs, df="kenward-roger")
    ours = fit.to_frame()
    ref = pd.read_csv(REF / f"lmm_{name}_fixed.csv")
    tol = _tolerance(r_fit.loc[name, "tight_max_rel_diff_vcov"])
    np.testing.assert_allclose(ours["std_error"], ref["std_error_kr"], rtol=tol)
    np.testing.assert_allclose(ours["df"], ref["df_kr"], rtol=tol)
    np.testing.assert_allclose(ours["p_value"], ref["p_kr"], rtol=1e-3, atol=1e-9)
    # the adjustment only inflates the model-based SEs
    assert np.all(ours["std_error"].to_numpy() >= ref["std_error"].to_numpy() * (1 - tol))


def test_kenward_roger_needs_reml(data) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="Kenward-Roger needs REML"):
        lmm("chg ~ weeks", data["sample"], subject="subject", reml=False, df="kenward-roger")
