"""GEE against R's geepack 1.3.9 (R 4.2.2): ``tests/reference/trajectories/gee.R``.

The sample trial's MADRS change (gaussian, four working correlations) and response (binomial,
scale estimated as ``geeglm`` does, and fixed at 1 as ``geese(scale.fix = TRUE)``), and the FEV
data of R's mmrm package. geepack stops when its updates fall below 1e-4; ``gee_params.csv``
records, per model, how far a refit at 1e-10 moved the estimates and SEs (``tight_*``), and those
distances (times 3, at least 1e-7) are the tolerances. The ``gee`` package, which divides by
N - p, gives other estimates (``gee_*_coef_gee_pkg.csv``): we follow geepack.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ConvergenceError
from outcomes.models.core.inference import ESTIMATE_COLUMNS
from outcomes.models.gee import gee

TESTS = Path(__file__).parents[1]
REF = TESTS / "reference" / "trajectories"

CHANGE = "chg ~ base + arm * visitf"
RESPONSE = "response ~ base + arm * weeks"
MODELS = {
    "gauss_ind": (CHANGE, "gaussian", "independence", False),
    "gauss_exch": (CHANGE, "gaussian", "exchangeable", False),
    "gauss_ar1": (CHANGE, "gaussian", "ar1", False),
    "gauss_unstr": (CHANGE, "gaussian", "unstructured", False),
    "binom_exch": (RESPONSE, "binomial", "exchangeable", False),
    "binom_ar1": (RESPONSE, "binomial", "ar1", False),
    "binom_exch_scalefix": (RESPONSE, "binomial", "exchangeable", True),
    "binom_ar1_scalefix": (RESPONSE, "binomial", "ar1", True),
}


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    d = pd.read_csv(REF / "sample_madrs.csv", dtype={"site": str})
    order = d.drop_duplicates("visit").sort_values("visit_num")["visit"].tolist()
    return d.assign(visitf=pd.Categorical(d["visit"], categories=order))


@pytest.fixture(scope="module")
def params() -> pd.DataFrame:
    p = pd.read_csv(REF / "gee_params.csv")
    return p[p["implementation"] != "gee::gee"]


def _check(fit, name: str, params: pd.DataFrame) -> None:  # noqa: ANN001
    ref = pd.read_csv(REF / f"gee_{name}_coef.csv")
    info = params[params["model"] == name].iloc[0]
    ours = fit.to_frame()
    assert list(ours.columns) == ["term", *ESTIMATE_COLUMNS]
    assert ours["term"].tolist() == ref["term"].tolist()
    est_tol = max(1e-7, 3 * info["tight_max_abs_diff_estimate"])
    se_tol = max(1e-7, 3 * info["tight_max_rel_diff_std_error"])
    np.testing.assert_allclose(ours["estimate"], ref["estimate"], rtol=0, atol=est_tol)
    np.testing.assert_allclose(ours["std_error"], ref["std_error"], rtol=se_tol)
    np.testing.assert_allclose(ours["statistic"] ** 2, ref["wald"], rtol=1e-3)
    np.testing.assert_allclose(ours["p_value"], ref["p_value"], rtol=1e-3, atol=1e-9)
    scale = params[(params["model"] == name) & (params["kind"] == "scale")]["estimate"].iloc[0]
    assert fit.scale == pytest.approx(scale, rel=1e-4)


@pytest.mark.parametrize("name", list(MODELS))
def test_sample_trial_matches_geepack(name, sample, params) -> None:  # noqa: ANN001
    formula, family, correlation, fixed = MODELS[name]
    fit = gee(
        formula,
        sample,
        subject="subject",
        family=family,
        correlation=correlation,
        time="visit_num",
        levels={"arm": "PLACEBO"},
        scale_fixed=fixed,
    )
    _check(fit, name, params)


@pytest.mark.parametrize("name", ["gauss_exch", "gauss_ar1", "binom_exch", "binom_ar1"])
def test_correlation_parameter_matches_geepack(name, sample, params) -> None:  # noqa: ANN001
    formula, family, correlation, fixed = MODELS[name]
    fit = gee(
        formula,
        sample,
        subject="subject",
        family=family,
        correlation=correlation,
        time="visit_num",
        levels={"arm": "PLACEBO"},
    )
    alpha = params[(params["model"] == name) & (params["parameter"] == "alpha")]["estimate"]
    assert fit.working_correlation[0, 1] == pytest.approx(alpha.iloc[0], rel=1e-4)


def test_unstructured_correlations_match_geepack(sample, params) -> None:  # noqa: ANN001
    fit = gee(
        CHANGE,
        sample,
        subject="subject",
        correlation="unstructured",
        time="visit_num",
        levels={"arm": "PLACEBO"},
    )
    ref = params[(params["model"] == "gauss_unstr") & (params["kind"] == "correlation")]
    for name, value in zip(ref["parameter"], ref["estimate"], strict=True):
        j, k = (int(v) - 1 for v in name.removeprefix("alpha.").split(":"))
        assert fit.working_correlation[j, k] == pytest.approx(value, abs=1e-4), name
    assert any("not positive definite" in note for note in fit.notes)


def test_fev_matches_geepack(params) -> None:  # noqa: ANN001
    fev = pd.read_csv(TESTS / "datasets" / "fev_data.csv")
    fit = gee("FEV1 ~ FEV1_BL + ARMCD * AVISIT", fev, subject="USUBJID", levels={"ARMCD": "PBO"})
    _check(fit, "fev_exch", params)
    assert fit.notes[0].startswith(f"{int(fev['FEV1'].isna().sum())} rows left out")


def test_row_order_does_not_matter(sample) -> None:  # noqa: ANN001
    shuffled = sample.sample(frac=1, random_state=3)
    a = gee(CHANGE, sample, subject="subject", correlation="ar1", time="visit_num")
    b = gee(CHANGE, shuffled, subject="subject", correlation="ar1", time="visit_num")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-10)


def test_longitudinal_responder_model_on_trialdata() -> None:
    """A boolean response from ``derive`` is modelled as 0/1; the odds ratio is exp(beta)."""
    frame = outcomes.derive(outcomes.load_sample()).frame
    madrs = frame[
        (frame["instrument"] == "madrs") & frame["phase"].isin(["post-dose", "follow-up"])
    ]
    fit = gee(
        "response ~ base + arm + visit",
        madrs,
        subject="subject",
        family="binomial",
        levels={"arm": "PLACEBO"},
    )
    log_scale = fit.to_frame().set_index("term").loc["armDMT"]
    odds = fit.to_frame(exponentiate=True).set_index("term").loc["armDMT"]
    assert odds["estimate"] == pytest.approx(np.exp(log_scale["estimate"]))
    assert odds["conf_low"] == pytest.approx(np.exp(log_scale["conf_low"]))
    assert odds["p_value"] == log_scale["p_value"]


def test_bad_arguments_are_explained(sample) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="needs time="):
        gee(CHANGE, sample, subject="subject", correlation="ar1")
    with pytest.raises(ValueError, match="family must be one of"):
        gee(CHANGE, sample, subject="subject", family="poisson")
    with pytest.raises(ValueError, match="correlation must be one of"):
        gee(CHANGE, sample, subject="subject", correlation="toeplitz")
    with pytest.raises(ValueError, match="must be 0/1"):
        gee("chg ~ base", sample, subject="subject", family="binomial")
    with pytest.raises(ValueError, match="no subject column"):
        gee(CHANGE, sample, subject="patient")


def test_no_convergence_raises_with_advice(sample) -> None:  # noqa: ANN001
    with pytest.raises(ConvergenceError, match="max_iter"):
        gee(
            CHANGE,
            sample,
            subject="subject",
            correlation="unstructured",
            time="visit_num",
            max_iter=2,
        )
