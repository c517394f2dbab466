"""Estimands: intercurrent events to visits, strategies to data and imputation strategies.

Checked on the sample trial against its own event table and study days (no reference software
does this step; the rules are those of the module docstring)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.imputation.estimand import Estimand


@pytest.fixture(scope="module")
def trial() -> outcomes.TrialData:
    return outcomes.derive(outcomes.load_sample())


def _frame_rows(trial, subject: str) -> pd.DataFrame:  # noqa: ANN001
    f = trial.frame
    return f[(f["subject"] == subject) & (f["instrument"] == "madrs")].set_index("visit")


def test_first_event_decides_and_maps_to_the_next_visit(trial) -> None:  # noqa: ANN001
    estimand = Estimand(
        "MADRS change",
        intercurrent_events={
            "rescue medication": "hypothetical",
            "discontinuation": "treatment policy",
        },
    )
    prepared = estimand.prepare(trial, instrument="madrs")
    events = trial.events[trial.events["event"].isin(["rescue medication", "discontinuation"])]
    first = events.sort_values(["subject", "day"]).drop_duplicates("subject").set_index("subject")
    got = prepared.events.set_index("subject")
    assert sorted(got.index) == sorted(first.index)
    assert (got["event"] == first.loc[got.index, "event"]).all()
    for subject, row in got.iterrows():
        rows = _frame_rows(trial, subject)
        visits = [v for v in trial.schedule.visit_names if v in rows.index or v in set(rows.index)]
        days = rows["study_day"].dropna()
        later = days[days > row["day"]]
        if row["visit"] is not None and len(later):
            # the first visit after the event among those the subject attended, or an earlier
            # missed one by its nominal day
            order = trial.schedule.visit_names
            assert order.index(row["visit"]) <= order.index(later.index[0]), subject
        assert visits


def test_hypothetical_removes_values_after_the_event(trial) -> None:  # noqa: ANN001
    estimand = Estimand("MADRS change", intercurrent_events={"rescue medication": "hypothetical"})
    prepared = estimand.prepare(trial, instrument="madrs")
    order = trial.schedule.visit_names
    removed = 0
    for subject, visit in zip(prepared.events["subject"], prepared.events["visit"], strict=True):
        before = _frame_rows(trial, subject)["chg"]
        after = prepared.data[prepared.data["subject"] == subject].set_index("visit")["chg"]
        for v in before.index:
            if visit is not None and order.index(v) >= order.index(visit):
                assert np.isnan(after[v])
                removed += int(not np.isnan(before[v]))
            else:
                assert after[v] == before[v] or (np.isnan(after[v]) and np.isnan(before[v]))
    assert f"{removed} values after a hypothetical" in prepared.notes[1]
    assert set(prepared.strategy["strategy"]) == {"MAR"}


def test_composite_makes_responders_non_responders(trial) -> None:  # noqa: ANN001
    estimand = Estimand("MADRS response", intercurrent_events={"rescue medication": "composite"})
    prepared = estimand.prepare(trial, instrument="madrs", value="response", outcome_type="binary")
    order = trial.schedule.visit_names
    data = prepared.data
    for subject, visit in zip(prepared.events["subject"], prepared.events["visit"], strict=True):
        if visit is None:
            continue
        rows = data[data["subject"] == subject]
        late = rows["visit"].map(order.index) >= order.index(visit)
        assert (rows.loc[late, "response"] == False).all()  # noqa: E712 - nullable booleans
    assert prepared.strategy.empty
    with pytest.raises(ValueError, match="needs outcome_type='binary'"):
        estimand.prepare(trial, instrument="madrs")


def test_prepared_estimand_feeds_multiple_imputation(trial) -> None:  # noqa: ANN001
    estimand = Estimand(
        "MADRS change at week 2",
        intercurrent_events={
            "discontinuation": "treatment policy",
            "rescue medication": "hypothetical",
        },
    )
    prepared = estimand.prepare(trial, instrument="madrs")
    # the visit column keeps all its categories: events before WEEK 3 affect WEEK 4 from on;
    # the baseline rows carry S001 (no post-dose visit) into the imputation
    data = prepared.data[prepared.data["visit"].isin(["BASELINE", "WEEK 1", "WEEK 2", "WEEK 4"])]
    mi = outcomes.multiple_imputation(
        "chg ~ base + arm * visit + us(visit | subject)",
        data,
        arm="arm",
        reference="PLACEBO",
        strategy=prepared.strategy,
        n_imputations=10,
        seed=1,
        visits=["WEEK 1", "WEEK 2", "WEEK 4"],
    )
    assert mi.contrasts()["visit"].tolist() == ["WEEK 1", "WEEK 2", "WEEK 4"]
    events = prepared.events.set_index("subject")
    problem = mi.problem
    for subject, ice in zip(problem.subjects, problem.ice, strict=True):
        visit = events["visit"].get(subject)
        if visit in ("WEEK 3",):  # between analysed visits: affects WEEK 4 on
            assert ice == 2, subject
        elif visit in ("WEEK 1", "WEEK 2", "WEEK 4"):
            assert problem.visits[ice] == visit, subject
    assert "Intercurrent events: discontinuation: treatment policy" in estimand.describe()


def test_bad_estimands_are_explained() -> None:
    with pytest.raises(ValueError, match="unknown strategies"):
        Estimand("x", intercurrent_events={"discontinuation": "ignore"})
    with pytest.raises(ValueError, match="unknown imputation strategies"):
        Estimand(
            "x",
            intercurrent_events={"discontinuation": "hypothetical"},
            imputation={"discontinuation": "BOCF"},
        )
    with pytest.raises(ValueError, match="without a strategy"):
        Estimand("x", imputation={"discontinuation": "J2R"})
