"""The MMRM's answers as a user reads them: tables, weights, arbitrary contrasts, display."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.mmrm import ESTIMATE_COLUMNS
from outcomes.models.mmrm.grid import cell_rows

FEV = Path(__file__).parents[1] / "datasets" / "fev_data.csv"


@pytest.fixture(scope="module")
def fit() -> outcomes.MMRMFit:
    data = pd.read_csv(FEV)
    return outcomes.mmrm(
        "FEV1 ~ ARMCD * AVISIT + RACE + us(AVISIT | USUBJID)", data, levels={"ARMCD": "PBO"}
    )


def test_tables_have_stable_columns(fit) -> None:
    assert list(fit.to_frame().columns) == ["term", *ESTIMATE_COLUMNS]
    assert list(fit.lsmeans("ARMCD").columns) == ["ARMCD", *ESTIMATE_COLUMNS]
    assert list(fit.contrasts("ARMCD", by="AVISIT").columns) == [
        "contrast",
        "AVISIT",
        *ESTIMATE_COLUMNS,
    ]
    assert list(fit.anova().columns) == ["term", "num_df", "den_df", "f_value", "p_value"]
    assert list(fit.anova(slice="AVISIT").columns) == [
        "term",
        "AVISIT",
        "num_df",
        "den_df",
        "f_value",
        "p_value",
    ]


def test_proportional_weights_average_cells_by_their_frequency(fit) -> None:
    # An ARMCD LS mean with weights="proportional" is the average of the ARMCD x AVISIT x RACE
    # cell predictions weighted by how often each AVISIT x RACE combination occurs in the data
    # (SAS's OM); computed here by hand from the equal-weight cells.
    cells = fit.lsmeans(["ARMCD", "AVISIT", "RACE"])
    freq = fit.design.frame.groupby(["AVISIT", "RACE"], observed=False).size().rename("n")
    cells = cells.join(freq, on=["AVISIT", "RACE"])
    by_hand = cells.groupby("ARMCD", observed=True).apply(
        lambda g: np.average(g["estimate"], weights=g["n"]), include_groups=False
    )
    ours = fit.lsmeans("ARMCD", weights="proportional").set_index("ARMCD")["estimate"]
    np.testing.assert_allclose(ours.to_numpy(), by_hand.loc[ours.index].to_numpy(), rtol=1e-12)
    equal = fit.lsmeans("ARMCD").set_index("ARMCD")["estimate"]
    assert not np.allclose(ours, equal)  # the weighting matters for these unbalanced data


def test_arbitrary_contrasts_and_pairwise(fit) -> None:
    # The average treatment difference over the four visits, as one contrast row.
    _, rows = cell_rows(fit.design, ["AVISIT", "ARMCD"])
    diffs = rows[1::2] - rows[0::2]  # TRT - PBO at each visit (ARMCD varies fastest)
    avg = fit.estimate(diffs.mean(axis=0)).iloc[0]
    by_visit = fit.contrasts("ARMCD", by="AVISIT")
    assert avg["estimate"] == pytest.approx(by_visit["estimate"].mean(), rel=1e-12)
    joint = fit.test(diffs)
    assert joint["num_df"] == 4 and joint["f_value"] > 0
    pairwise = fit.contrasts("AVISIT", method="pairwise")
    assert len(pairwise) == 6 and pairwise["contrast"].iloc[0] == "VIS2 - VIS1"


def test_covariance_and_fit_statistics(fit) -> None:
    cov = fit.covariance()
    corr = fit.covariance(correlation=True)
    assert list(cov.index) == ["VIS1", "VIS2", "VIS3", "VIS4"]
    np.testing.assert_allclose(np.diag(corr), 1.0)
    np.testing.assert_allclose(cov.to_numpy(), cov.to_numpy().T)
    stats = fit.fit_statistics().set_index("statistic")["value"]
    k = 10  # UN over 4 visits (REML: covariance parameters only, as SAS)
    assert stats["AIC"] == pytest.approx(-2 * fit.loglik + 2 * k)
    assert stats["BIC"] == pytest.approx(-2 * fit.loglik + k * np.log(fit.n_subjects))


def test_grouped_covariance_is_asked_for_by_group() -> None:
    data = pd.read_csv(FEV)
    fit = outcomes.mmrm("FEV1 ~ ARMCD + ar1(AVISIT | ARMCD / USUBJID)", data)
    with pytest.raises(ValueError, match="name one of"):
        fit.covariance()
    assert fit.covariance("TRT").shape == (4, 4)
    assert set(fit.covariance_parameters()["group"]) == {"PBO", "TRT"}


def test_summary_and_notebook_display(fit) -> None:
    text = fit.summary()
    assert "unstructured (UN)" in text and "197 subjects, 537 observations" in text
    assert "ARMCDTRT" in text
    html = fit._repr_html_()
    assert html.startswith("<div>") and "<table" in html


def test_trialdata_is_accepted() -> None:
    trial = outcomes.derive(outcomes.load_sample())
    week = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    fit = outcomes.mmrm(
        "chg ~ base + arm * visit + us(visit | subject)",
        trial.with_frame(week.reset_index(drop=True)),
    )
    assert fit.n_subjects > 30
    assert fit.contrasts("arm", by="visit")["contrast"].iloc[0] == "DMT - PLACEBO"
