"""Fixtures of the table tests: the derived sample trial, its MADRS after dosing, the primary MMRM
and the responder rates, each made once, through the public API only."""

from __future__ import annotations

import pandas as pd
import pytest

import outcomes
from outcomes.tables import Table


@pytest.fixture(scope="session")
def derived() -> outcomes.TrialData:
    return outcomes.derive(outcomes.load_sample())


@pytest.fixture(scope="session")
def madrs(derived: outcomes.TrialData) -> pd.DataFrame:
    return derived.frame.query("instrument == 'madrs' and phase in ['post-dose', 'follow-up']")


@pytest.fixture(scope="session")
def fit(madrs: pd.DataFrame) -> outcomes.MMRMFit:
    return outcomes.mmrm(
        "chg ~ base * visit + arm * visit + us(visit | subject)",
        madrs,
        levels={"arm": "PLACEBO"},
    )


@pytest.fixture(scope="session")
def rates(madrs: pd.DataFrame) -> pd.DataFrame:
    return outcomes.responders(
        madrs,
        outcome="response",
        arm="arm",
        subject="subject",
        reference="PLACEBO",
        by="visit",
        covariates=["base"],
    )


@pytest.fixture
def tricky() -> Table:
    """A table whose text every format must escape: &, %, _, <, |, the em dash, a repeated stub."""
    return Table(
        pd.DataFrame(
            {
                "visit": ["WEEK 1", "WEEK 1", "WEEK 4"],
                "arm": ["DMT", "PLACEBO_2", "DMT"],
                "diff": ["-7.35 (-13.62 to -1.08)", "—", "0.50 (0.00 to 1.00)"],
                "p": ["<0.001", "0.023", "1.000"],
                "n": ["7 (35.0%)", "<5", "a | b & c"],
            }
        ),
        "MADRS & GAD-7: change_from_baseline, 100% <observed>",
        footnotes=("p: two-sided; <5: fewer than 5 subjects.", "Missing data: MAR & more."),
        column_labels={"visit": "Visit", "arm": "Arm", "diff": "Difference (95% CI)"},
        stub=("visit", "arm"),
    )
