"""Durability of response against R's survival (tests/reference/durability/durability.R, R 4.2.2,
survival 3.5-3): time from HAM-D17 response to its loss in the antidepressant trial."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.endpoints.durability import (
    hazard_ratio,
    kaplan_meier,
    relapse_times,
    still_responding,
)

TESTS = Path(__file__).parents[1]
REF = TESTS / "reference" / "durability"


@pytest.fixture(scope="module")
def times() -> pd.DataFrame:
    d = pd.read_csv(TESTS / "datasets" / "antidepressant_data.csv", dtype={"VISIT": str})
    d = d.assign(resp=d["CHANGE"] / d["BASVAL"] <= -0.5)
    return relapse_times(d, outcome="resp", subject="PATIENT", time="RELDAYS", arm="THERAPY")


def test_relapse_times_match_r(times) -> None:
    ref = pd.read_csv(REF / "antidepressant_relapse_times.csv")
    ours = times.sort_values("PATIENT").reset_index(drop=True)
    ref = ref.sort_values("PATIENT").reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, ref, check_dtype=False)


def test_kaplan_meier_matches_survfit(times) -> None:
    ref = pd.read_csv(REF / "antidepressant_km.csv")
    ours = kaplan_meier(times, arm="THERAPY")
    # survfit's summary lists event times only; so does SurvfuncRight.
    merged = ours.merge(ref, on=["THERAPY", "time"], suffixes=("", "_r"))
    assert len(merged) == len(ref)
    assert (merged["at_risk"] == merged["at_risk_r"]).all()
    assert (merged["events"] == merged["events_r"]).all()
    for col in ("survival", "conf_low", "conf_high"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_r"], rtol=1e-8)
    # survfit's std.err is the SE of S (Greenwood), as SurvfuncRight's
    np.testing.assert_allclose(merged["std_error"], merged["std_error_r"], rtol=1e-8)


def test_hazard_ratio_matches_coxph(times) -> None:
    ref = pd.read_csv(REF / "antidepressant_cox.csv").iloc[0]
    ours = hazard_ratio(times, arm="THERAPY", reference="PLACEBO").iloc[0]
    assert ours["contrast"] == ref["contrast"]
    for col in ("hazard_ratio", "conf_low", "conf_high", "p_value"):
        assert ours[col] == pytest.approx(ref[col], rel=1e-6), col
    assert (ours["events"], ours["n"]) == (ref["events"], ref["n"])


@pytest.mark.parametrize("anchor", ["WEEK 1", "WEEK 2"])
@pytest.mark.parametrize("missing", ["non-responder", "exclude"])
def test_still_responding_matches_base_r(anchor, missing) -> None:  # noqa: ANN001
    """The sample trial's MADRS responders followed from an anchor visit, against base R
    (tests/reference/durability/still_responding.R, R 4.2.2: counts from the rows of
    sample_madrs.csv, Wilson intervals from prop.test(correct = FALSE))."""
    ref = pd.read_csv(REF / "sample_still_responding.csv")
    ref = ref[(ref["anchor"] == anchor) & (ref["missing"] == missing)].reset_index(drop=True)
    frame = outcomes.derive(outcomes.load_sample()).frame
    madrs = frame[
        (frame["instrument"] == "madrs") & frame["phase"].isin(["post-dose", "follow-up"])
    ]
    ours = still_responding(
        madrs,
        outcome="response",
        subject="subject",
        visit="visit",
        anchor=anchor,
        arm="arm",
        missing=missing,
    )
    assert ours["arm"].tolist() == ref["arm"].tolist()
    assert ours["visit"].tolist() == ref["visit"].tolist()
    for column in ("n_anchor", "n_missing", "n", "n_still"):
        assert ours[column].tolist() == ref[column].tolist(), column
    for column in ("proportion", "conf_low", "conf_high"):
        np.testing.assert_allclose(ours[column], ref[column], rtol=1e-9, atol=1e-12)


def test_still_responding_explains_bad_arguments() -> None:
    df = pd.DataFrame({"id": [1, 1], "week": [2, 4], "resp": [True, True]})
    with pytest.raises(ValueError, match="missing must be one of"):
        still_responding(df, outcome="resp", subject="id", visit="week", anchor=2, missing="locf")
    with pytest.raises(ValueError, match="anchor 3 is not a visit"):
        still_responding(df, outcome="resp", subject="id", visit="week", anchor=3)
    with pytest.raises(ValueError, match="no visit follows"):
        still_responding(df, outcome="resp", subject="id", visit="week", anchor=4)
