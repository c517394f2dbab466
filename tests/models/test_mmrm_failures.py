"""Data a model cannot take, said before or instead of a wrong answer (issue 12).

Infinite numbers are refused naming the column; a fit the data do not identify names the cause;
a response on a scale far from 1 fits as its rescaled self does. The scale tests compare with the
polished nlme::gls fit of tests/reference/r/sim_two_arm_6v_un.R (R 4.2.2, nlme 3.1.162,
emmeans 1.8.4.1): our fit of the response times 1e8 or 1e-8 must be R's fit of the response
times that factor.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ConvergenceError, ModelSpecificationError

R = Path(__file__).parents[1] / "reference" / "r"
VISITS = ["WEEK1", "WEEK2", "WEEK4", "WEEK6", "WEEK8", "WEEK12"]
UN = "CHG ~ BASE + ARM * VISIT + us(VISIT | USUBJID)"


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    data = pd.read_csv(R / "sim_two_arm_6v.csv").dropna(subset=["CHG"]).reset_index(drop=True)
    data["VISIT"] = pd.Categorical(data["VISIT"], categories=VISITS)
    data["ARM"] = pd.Categorical(data["ARM"], categories=["PLACEBO", "ACTIVE"])
    return data


def _with_inf(trial: pd.DataFrame) -> pd.DataFrame:
    data = trial.astype({"VISITN": float})
    data.loc[3, "BASE"] = np.inf
    data.loc[[7, 9], "VISITN"] = -np.inf
    return data


def test_an_infinite_covariate_is_refused_naming_the_column(trial) -> None:
    with pytest.raises(ModelSpecificationError) as info:
        outcomes.mmrm(UN, _with_inf(trial))
    message = str(info.value)
    assert "'BASE' in 1 row(s), the first the data's row 4" in message
    assert "aliased" not in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("model", ["mmrm", "lmm", "gee"])
def test_every_model_refuses_every_infinite_column_at_once(trial, model: str) -> None:
    data = _with_inf(trial)
    with pytest.raises(ModelSpecificationError) as info:
        if model == "mmrm":
            outcomes.mmrm("CHG ~ BASE + VISITN + ar1(VISIT | USUBJID)", data)
        elif model == "lmm":
            outcomes.lmm("CHG ~ BASE + VISITN", data, subject="USUBJID")
        else:
            outcomes.gee("CHG ~ BASE + VISITN", data, subject="USUBJID")
    assert "'BASE' in 1 row(s)" in str(info.value)
    assert "'VISITN' in 2 row(s), the first the data's row 8" in str(info.value)


def test_a_visit_seen_in_one_subject_is_named_as_the_cause(trial) -> None:
    one = pd.concat([trial[trial["VISIT"] != "WEEK12"], trial[trial["VISIT"] == "WEEK12"].head(1)])
    with pytest.raises(ConvergenceError) as info:
        outcomes.mmrm("CHG ~ BASE + ARM * VISIT + csh(VISIT | USUBJID)", one)
    message = str(info.value)
    assert "is not identified by these data" in message
    assert "singular Hessian" in message
    assert "visit WEEK12 has 1 observation(s) for 1 mean parameter(s) of its own" in message
    assert "Pool or leave out sparse visits" in message


def test_a_visit_seen_in_two_subjects_under_un_is_named_as_the_cause(trial) -> None:
    two = pd.concat([trial[trial["VISIT"] != "WEEK12"], trial[trial["VISIT"] == "WEEK12"].head(2)])
    with pytest.raises(ConvergenceError) as info:
        outcomes.mmrm(UN, two)
    assert "visit WEEK12 has 2 observation(s)" in str(info.value)
    assert "its covariances with the 5 other visits its subjects attend" in str(info.value)


def test_an_unstructured_covariance_with_too_few_subjects_says_so() -> None:
    rng = np.random.default_rng(1)
    data = pd.DataFrame(
        [{"s": s, "v": f"V{v}", "y": rng.normal() + v} for s in range(4) for v in range(4)]
    )
    with pytest.raises(ConvergenceError, match="needs more than 4 subjects; there are 4"):
        outcomes.mmrm("y ~ 1 + us(v | s)", data)


@pytest.mark.parametrize("factor", [1e8, 1e-8])
def test_a_response_far_from_unit_scale_fits_as_r_fits_it(trial, factor: float) -> None:
    data = trial.assign(CHG=trial["CHG"] * factor)
    fit = outcomes.mmrm(UN, data)
    assert any("divided by" in note for note in fit.notes)
    coef = pd.read_csv(R / "sim_two_arm_6v_un_coef.csv").set_index("term")
    ours = fit.to_frame().set_index("term").loc[coef.index]
    np.testing.assert_allclose(ours["estimate"], coef["estimate"] * factor, rtol=1e-5)
    np.testing.assert_allclose(ours["std_error"], coef["std_error"] * factor, rtol=1e-5)
    con = pd.read_csv(R / "sim_two_arm_6v_un_contrasts.csv")
    diff = (
        fit.contrasts("ARM", by="VISIT")
        .astype({"VISIT": str})
        .merge(con, on=["contrast", "VISIT"], suffixes=("", "_r"))
    )
    assert len(diff) == 6
    np.testing.assert_allclose(diff["estimate"], diff["estimate_r"] * factor, rtol=1e-5)
    np.testing.assert_allclose(diff["df"], diff["df_r"], rtol=1e-4)
    fit_r = pd.read_csv(R / "sim_two_arm_6v_un_fit.csv").iloc[0]
    # -2 log L of y * f: 2 (N - p) log f more under REML (log|V| grows by 2 N log f, log|X'V^-1X|
    # shrinks by 2 p log f)
    shift = 2 * (fit.n_obs - len(coef)) * np.log(factor)
    assert -2 * fit.loglik == pytest.approx(fit_r["minus2loglik"] + shift, rel=1e-8)
