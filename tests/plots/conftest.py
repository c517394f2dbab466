"""Fixtures of the figure tests: the derived sample trial and its MADRS rows, drawn off-screen."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import outcomes  # noqa: E402

MODEL = "chg ~ base * visit + arm * visit + us(visit | subject)"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def trial() -> outcomes.TrialData:
    """The sample trial with baseline, change and responder flags."""
    return outcomes.derive(outcomes.load_sample())


@pytest.fixture(scope="session")
def madrs_all(trial: outcomes.TrialData) -> pd.DataFrame:
    """MADRS rows at every visit (one row per subject x visit)."""
    rows = trial.frame[trial.frame["instrument"] == "madrs"].copy()
    rows["visit"] = rows["visit"].cat.remove_unused_categories()
    return rows


@pytest.fixture(scope="session")
def madrs(madrs_all: pd.DataFrame) -> pd.DataFrame:
    """MADRS rows after the first dose (post-dose and follow-up phases), as the models use."""
    rows = madrs_all[madrs_all["phase"].isin(["post-dose", "follow-up"])].copy()
    rows["visit"] = rows["visit"].cat.remove_unused_categories()
    return rows


@pytest.fixture(scope="session")
def fit(madrs: pd.DataFrame) -> outcomes.MMRMFit:
    return outcomes.mmrm(MODEL, madrs, levels={"arm": "PLACEBO"})


@pytest.fixture(scope="session")
def mi(madrs: pd.DataFrame) -> outcomes.MIResult:
    return outcomes.multiple_imputation(
        MODEL, madrs, arm="arm", reference="PLACEBO", strategy="J2R", n_imputations=20, seed=1
    )
