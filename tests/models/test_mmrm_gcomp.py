"""Marginal (g-computation) means and treatment effects, against R mmrm 0.3.18.

Reference: tests/reference/r/mmrm_predict.R -> mmrm_gcomp.csv (R 4.2.2, mmrm 0.3.18 built from
source; see mmrm_predict.md): ``emmeans(fit, ~ ARMCD | AVISIT)`` and its ``revpairwise``
contrasts for ``FEV1 ~ ARMCD * AVISIT + RACE + SEX + FEV1_BL * ARMCD + us(AVISIT | USUBJID)``
by REML on fev_data, fitted with ``mmrm_control(emmeans_gcomp_vars = c("ARMCD", "AVISIT"))``:
``gcomp`` with all 800 rows given to mmrm (200 subjects, 3 without any FEV1), and
``gcomp_complete_cases`` with the 537 rows that have FEV1 (197 subjects). ``plain`` is the
same without the correction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import ModelSpecificationError

REF = Path(__file__).parents[1] / "reference" / "r" / "mmrm_gcomp.csv"
FORMULA = "FEV1 ~ ARMCD * AVISIT + RACE + SEX + FEV1_BL * ARMCD + us(AVISIT | USUBJID)"


@pytest.fixture(scope="module")
def fev(fev_all_rows) -> pd.DataFrame:  # noqa: ANN001
    return fev_all_rows


@pytest.fixture(scope="module")
def fit(fev) -> outcomes.MMRMFit:  # noqa: ANN001
    return outcomes.mmrm(FORMULA, fev)


@pytest.mark.parametrize("case", ["gcomp", "gcomp_complete_cases"])
def test_marginal_means_and_effects_are_r_mmrms(fit, fev, case) -> None:  # noqa: ANN001
    ref = pd.read_csv(REF)
    ref = ref[ref["method"] == case]
    data = fev if case == "gcomp" else None  # the rows used: the 197 subjects with an FEV1
    means = fit.marginal_means("ARMCD", data=data)
    effects = fit.marginal_contrasts("ARMCD", data=data)
    for ours, want, on in [
        (means, ref[ref["type"] == "emmean"], ["ARMCD", "AVISIT"]),
        (effects, ref[ref["type"] == "contrast"], ["contrast", "AVISIT"]),
    ]:
        both = ours.astype({c: str for c in on}).merge(want, on=on, validate="one_to_one")
        assert len(both) == len(want) == len(ours)
        np.testing.assert_allclose(both["estimate_x"], both["estimate_y"], atol=1e-8)
        np.testing.assert_allclose(both["std_error"], both["SE"], rtol=1e-7)
        np.testing.assert_allclose(both["df_x"], both["df_y"], rtol=1e-6)
        np.testing.assert_allclose(both["conf_low"], both["lower_CL"], atol=1e-7)


def test_the_correction_widens_the_conditional_intervals(fit) -> None:  # noqa: ANN001
    plain = fit.contrasts("ARMCD", by="AVISIT")
    marginal = fit.marginal_contrasts("ARMCD")
    assert (marginal["std_error"].to_numpy() > plain["std_error"].to_numpy()).all()
    assert marginal["contrast"].tolist() == ["TRT - PBO"] * 4


def test_an_ancova_has_marginal_effects_too() -> None:
    trial = outcomes.derive(outcomes.load_sample())
    week2 = trial.frame.query("instrument == 'madrs' and visit == 'WEEK 2'")
    fit = outcomes.ancova("chg ~ base * arm", week2, reference="PLACEBO")
    effect = fit.marginal_contrasts()
    assert effect["contrast"].tolist() == ["DMT - PLACEBO"]
    used = week2.dropna(subset=["chg", "base"])
    # the average of each subject's predicted difference
    b = fit.coefficients
    diff = b["armDMT"] + b["base:armDMT"] * used["base"]
    assert effect["estimate"].iloc[0] == pytest.approx(diff.mean())


def test_what_gcomputation_cannot_take_is_refused(fev) -> None:  # noqa: ANN001
    kr = outcomes.mmrm(FORMULA, fev, df="kenward-roger")
    with pytest.raises(ModelSpecificationError, match="refit with df='satterthwaite'"):
        kr.marginal_means("ARMCD")
    fit = outcomes.mmrm(FORMULA, fev)
    with pytest.raises(ModelSpecificationError, match="'ARM' is not a factor"):
        fit.marginal_means("ARM")
    with pytest.raises(ModelSpecificationError, match="no column"):
        fit.marginal_means("ARMCD", data=fev.drop(columns="FEV1_BL"))
    gap = fev.assign(FEV1_BL=fev["FEV1_BL"].mask(fev.index == 0))
    with pytest.raises(ModelSpecificationError, match="1 subject.* missing covariate"):
        fit.marginal_means("ARMCD", data=gap)
