"""Kenward-Roger's information matrix: one choice for the MMRM and the mixed model (issue 12).

Reference: tests/reference/r/kr_information.R -> kr_information.csv (R 4.2.2, lme4 1.1.31,
pbkrtest 0.5.2): ``vcovAdj`` and ``get_Lb_ddf`` of a random-intercept lmer fit of fev_data, which
uses the expected information. The same model is the MMRM with compound symmetry (the fitted
intra-class correlation is positive), so both of our fitters must give pbkrtest's numbers with
``information="expected"``, and one another's with ``"observed"`` (SAS's choice, checked against
PROC MIXED in test_mmrm_sas_ddfm.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ModelSpecificationError

ROOT = Path(__file__).parents[1]
MEAN = "FEV1 ~ ARMCD * AVISIT + RACE + SEX"


@pytest.fixture(scope="module")
def fev() -> pd.DataFrame:
    return pd.read_csv(ROOT / "datasets" / "fev_data.csv").dropna(subset=["FEV1"])


@pytest.fixture(scope="module")
def pbkrtest() -> pd.DataFrame:
    return pd.read_csv(ROOT / "reference" / "r" / "kr_information.csv").set_index("term")


def _mmrm(fev: pd.DataFrame, **kw: str) -> outcomes.MMRMFit:
    return outcomes.mmrm(f"{MEAN} + cs(AVISIT | USUBJID)", fev, df="kenward-roger", **kw)


def _lmm(fev: pd.DataFrame, **kw: str):  # noqa: ANN202 - LMMFit
    return outcomes.lmm(MEAN, fev, subject="USUBJID", df="kenward-roger", **kw)


def _table(fit, index) -> pd.DataFrame:  # noqa: ANN001
    return fit.to_frame().set_index("term").loc[index]


def test_the_defaults_follow_each_reference(fev) -> None:
    assert _mmrm(fev).information == "observed"  # SAS PROC MIXED, R mmrm
    assert _lmm(fev).information == "expected"  # pbkrtest
    assert "(observed information)" in _mmrm(fev).summary()
    assert "(expected information)" in _lmm(fev).summary()


@pytest.mark.parametrize("fitter", ["mmrm", "lmm"])
def test_expected_information_gives_pbkrtest(fev, pbkrtest, fitter: str) -> None:
    fit = _mmrm(fev, information="expected") if fitter == "mmrm" else _lmm(fev)
    ours = _table(fit, pbkrtest.index)
    np.testing.assert_allclose(ours["estimate"], pbkrtest["estimate"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours["std_error"], pbkrtest["std_error_kr"], rtol=1e-6)
    np.testing.assert_allclose(ours["df"], pbkrtest["df_kr"], rtol=1e-6)


def test_observed_information_is_the_same_choice_in_both(fev, pbkrtest) -> None:
    mmrm = _table(_mmrm(fev), pbkrtest.index)
    lmm = _table(_lmm(fev, information="observed"), pbkrtest.index)
    np.testing.assert_allclose(lmm["std_error"], mmrm["std_error"], rtol=1e-6)
    np.testing.assert_allclose(lmm["df"], mmrm["df"], rtol=1e-6)
    # and the choice matters: the df differ from pbkrtest's by more than rounding
    assert np.abs(mmrm["df"] / pbkrtest["df_kr"] - 1).max() > 1e-3


@pytest.mark.parametrize("fitter", ["mmrm", "lmm"])
def test_an_unknown_information_is_refused(fev, fitter: str) -> None:
    with pytest.raises(ModelSpecificationError, match="information must be one of"):
        if fitter == "mmrm":
            _mmrm(fev, information="fisher")
        else:
            _lmm(fev, information="fisher")
