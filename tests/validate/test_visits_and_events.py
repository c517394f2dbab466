"""Visit order, visit numbers, intercurrent events and context values: each problem located.

Small long tables of GAD-7 scores through ``outcomes.from_frame``: every item of a visit has one
value, so the totals are 7 times it (visit T1: 3 -> 21, T2: 2 -> 14, T3: 1 -> 7).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes import Schedule

#: Item value of each visit, by position in the visits given.
ITEM = (3, 2, 1, 0)


def _raw(
    visits: tuple[str, ...] = ("T1", "T2", "T3"),
    subjects: tuple[str, ...] = ("S1", "S2"),
    **columns: Any,
) -> pd.DataFrame:
    """One row per subject x visit, subjects' rows together; ``columns`` added as given."""
    rows = [
        {
            "subject": s,
            "arm": "DRUG" if k % 2 == 0 else "PLACEBO",
            "visit": v,
            **{f"gad7_{i}": ITEM[j] for i in range(1, 8)},
        }
        for k, s in enumerate(subjects)
        for j, v in enumerate(visits)
    ]
    raw = pd.DataFrame(rows)
    for name, values in columns.items():
        raw[name] = values
    return raw


def _problems(raw: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """The problems of an invalid table (it must be refused)."""
    with pytest.raises(outcomes.ValidationError) as info:
        outcomes.from_frame(raw, **kwargs)
    return info.value.problems


def _one(problems: pd.DataFrame, code: str) -> pd.Series:
    found = problems[problems["code"] == code]
    assert len(found) == 1, problems[["code", "row", "message"]]
    return found.iloc[0]


def _phases(trial: outcomes.TrialData) -> dict[str, str]:
    return {v.name: v.phase for v in trial.schedule.visits}


def _s1(trial: outcomes.TrialData) -> pd.DataFrame:
    """Subject S1's derived rows, by visit label."""
    frame = outcomes.derive(trial).frame
    rows = frame[frame["subject"] == "S1"]
    return rows.set_index(rows["visit"].astype(str))


# -- 1. visits without study days ------------------------------------------------------------------


def test_visits_with_no_day_no_number_and_no_order_are_refused() -> None:
    # Before: read silently, every visit 'baseline', base the last visit's total, chg 0 or NA.
    problem = _one(_problems(_raw()), "visit-order-unknown")
    assert problem["severity"] == "error"
    assert (problem["row"], problem["column"], problem["visit"]) == (1, "visit", "T1")
    assert "['T1', 'T2', 'T3']" in problem["message"]
    assert 'baseline="T1"' in problem["hint"]
    assert "schedule" in problem["hint"]


def test_the_hint_names_the_first_visit_seen() -> None:
    raw = _raw(("T2", "T1", "T3"))
    assert 'baseline="T2"' in _one(_problems(raw), "visit-order-unknown")["hint"]


def test_a_visit_without_a_study_day_is_located_at_its_first_row() -> None:
    # T1 and T2 have days; T3 (rows 3 and 6) has none, so nothing orders it.
    raw = _raw(study_day=[1, 8, np.nan, 1, 8, np.nan])
    problem = _one(_problems(raw), "visit-order-unknown")
    assert (problem["row"], problem["column"], problem["visit"]) == (3, "study_day", "T3")
    assert "['T3']" in problem["message"]


def test_a_single_visit_needs_no_order() -> None:
    trial = outcomes.from_frame(_raw(("T1",)))
    assert _phases(trial) == {"T1": "baseline"}


def test_visit_numbers_order_the_visits_first_is_baseline() -> None:
    # Before: every visit 'baseline'; base 7 (T3), chg 0 at T3 and NA at T1, T2.
    trial = outcomes.from_frame(_raw(visit_num=[1, 2, 3] * 2))
    assert _phases(trial) == {"T1": "baseline", "T2": "post-dose", "T3": "post-dose"}
    s1 = _s1(trial)
    assert s1["base"].tolist() == [21.0, 21.0, 21.0]
    assert s1["chg"].tolist() == [0.0, -7.0, -14.0]
    notes = " | ".join(trial.notes)
    assert "visits ordered by their visit numbers" in notes
    assert "baseline visit taken to be 'T1' (the first visit; no visit has a study day)" in notes
    assert "after it, following the first dose: ['T2', 'T3']" in notes


def test_an_ordered_categorical_visit_column_orders_the_visits() -> None:
    # Before: ordered as first seen (T2 first), every visit 'baseline'.
    raw = _raw(("T2", "T3", "T1"))  # totals T2 21, T3 14, T1 7; the categories: T1 < T2 < T3
    raw["visit"] = pd.Categorical(raw["visit"], categories=["T1", "T2", "T3"], ordered=True)
    trial = outcomes.from_frame(raw)
    assert trial.schedule.visit_names == ["T1", "T2", "T3"]
    assert _phases(trial) == {"T1": "baseline", "T2": "post-dose", "T3": "post-dose"}
    assert _s1(trial).loc[["T1", "T2", "T3"], "chg"].tolist() == [0.0, 14.0, 7.0]
    assert any("visit column's ordered categories" in n for n in trial.notes)


def test_an_unordered_categorical_does_not_order_the_visits() -> None:
    raw = _raw()
    raw["visit"] = pd.Categorical(raw["visit"])
    assert len(_problems(raw).query("code == 'visit-order-unknown'")) == 1


def test_categories_against_study_days_are_inconsistent() -> None:
    raw = _raw(study_day=[1, 29, 8] * 2)
    raw["visit"] = pd.Categorical(raw["visit"], categories=["T1", "T2", "T3"], ordered=True)
    problem = _one(_problems(raw), "visit-number-inconsistent")
    assert (problem["row"], problem["visit"], problem["column"]) == (3, "T3", "visit")
    assert "(category 3) comes after visit 'T2' (category 2)" in problem["message"]


def test_baseline_given_puts_earlier_visits_in_screening() -> None:
    # Before: T3 was 'baseline' too (no day: session 0), so it had no change from baseline.
    trial = outcomes.from_frame(_raw(visit_num=[1, 2, 3] * 2), baseline="T2")
    assert _phases(trial) == {"T1": "screening", "T2": "baseline", "T3": "post-dose"}
    s1 = _s1(trial)
    assert s1["base"].tolist() == [14.0, 14.0, 14.0]
    assert s1.loc["T3", "chg"] == -7.0
    assert any("before it, screening: ['T1']" in n for n in trial.notes)


def test_baseline_given_accepts_the_order_first_seen() -> None:
    # Before: read, but every visit 'baseline'.
    trial = outcomes.from_frame(_raw(), baseline="T1")
    assert _phases(trial) == {"T1": "baseline", "T2": "post-dose", "T3": "post-dose"}
    assert _s1(trial)["chg"].tolist() == [0.0, -7.0, -14.0]
    assert any(
        "visits taken in the order first seen in the file, ['T1', 'T2', 'T3'], as "
        "baseline='T1' was given" in n
        for n in trial.notes
    )


@pytest.mark.parametrize(("baseline", "guess"), [("T9", None), ("t1", "T1")])
def test_a_baseline_that_is_no_visit_is_an_error_naming_the_visits(
    baseline: str, guess: str | None
) -> None:
    # Before: a ScheduleError from inside Schedule.infer, not a problem of the data.
    problem = _one(_problems(_raw(), baseline=baseline), "baseline-not-a-visit")
    assert problem["severity"] == "error"
    assert (problem["column"], problem["value"]) == ("visit", baseline)
    assert "['T1', 'T2', 'T3']" in problem["message"]
    assert (f"did you mean {guess!r}" in problem["message"]) == (guess is not None)


def test_baseline_must_agree_with_a_given_schedule() -> None:
    schedule = {
        "baseline": "T1",
        "visit": [{"name": "T1", "day": 1}, {"name": "T2", "day": 8}, {"name": "T3", "day": 15}],
    }
    raw = _raw(study_day=[1, 8, 15] * 2)
    assert outcomes.from_frame(raw, schedule=schedule, baseline="T1").schedule.baseline_visit
    # Before: baseline='T2' was ignored when a schedule was given.
    problem = _one(_problems(raw, schedule=schedule, baseline="T2"), "baseline-conflict")
    assert "the schedule says the baseline is 'T1'" in problem["message"]
    assert 'baseline = "T2"' in problem["hint"]
    problem = _one(_problems(raw, schedule=schedule, baseline="T7"), "baseline-not-a-visit")
    assert "the schedule" in problem["message"]


def test_infer_without_days_takes_the_first_visit_as_baseline() -> None:
    # Before: all three 'baseline' with session 0, and no baseline visit.
    s = Schedule.infer(["T1", "T2", "T3"])
    assert s.baseline_visit == "T1"
    assert [(v.phase, v.session) for v in s.visits] == [
        ("baseline", 0),
        ("post-dose", 1),
        ("post-dose", 1),
    ]
    s = Schedule.infer(["SCREENING", "V1", "V2"])
    assert [v.phase for v in s.visits] == ["screening", "baseline", "post-dose"]


def test_a_given_schedule_places_visits_without_a_day_by_their_order() -> None:
    # Before: V2, after the baseline, was 'baseline' (session 0).
    s = Schedule.from_mapping(
        {
            "baseline": "V1",
            "session": [{"number": 1, "day": 1}],
            "visit": [{"name": "V1"}, {"name": "V2"}],
        }
    )
    assert [(v.phase, v.session) for v in s.visits] == [("baseline", 0), ("post-dose", 1)]


# -- 2. visit numbers against visit labels and days ------------------------------------------------

BL_W4_W1 = ("BASELINE", "WEEK 4", "WEEK 1")


def test_a_visit_number_against_the_days_is_inconsistent() -> None:
    # WEEK 4 is visit 2 at day 29, WEEK 1 visit 3 at day 8 (rows 3 and 6). Before: no problem.
    raw = _raw(BL_W4_W1, visit_num=[1, 2, 3] * 2, study_day=[1, 29, 8] * 2)
    problem = _one(_problems(raw), "visit-number-inconsistent")
    assert (problem["row"], problem["column"], problem["visit"], problem["value"]) == (
        3,
        "visit_num",
        "WEEK 1",
        "3",
    )
    assert problem["message"] == (
        "visit 'WEEK 1' (visit number 3) comes after visit 'WEEK 4' (visit number 2), but its "
        "median study day 8 is before WEEK 4's 29 (first row of WEEK 1: 3)"
    )


def test_the_median_day_decides() -> None:
    # One early WEEK 4 (day 6, row 2) does not make WEEK 4 earlier than WEEK 1: medians 29, 8.
    raw = _raw(BL_W4_W1, ("S1", "S2", "S3"), visit_num=[1, 3, 2] * 3)
    raw["study_day"] = [1, 6, 8, 1, 29, 8, 1, 30, 9]
    trial = outcomes.from_frame(raw)
    assert "visit-number-inconsistent" not in set(trial.problems["code"])
    assert trial.schedule.visit_names == ["BASELINE", "WEEK 1", "WEEK 4"]


def test_two_labels_with_one_visit_number_are_inconsistent() -> None:
    # Before: no problem; the inferred schedule numbered both visits 2.
    raw = _raw(("BASELINE", "WEEK 1", "WEEK 2"), visit_num=[1, 2, 2] * 2)
    problem = _one(_problems(raw), "visit-number-inconsistent")
    assert (problem["row"], problem["column"], problem["visit"], problem["value"]) == (
        3,
        "visit_num",
        "WEEK 2",
        "2",
    )
    assert problem["message"] == (
        "visits 'WEEK 1', 'WEEK 2' all have visit number 2 (first rows 2, 3)"
    )


def test_visits_on_one_day_may_have_their_own_numbers() -> None:
    raw = _raw(("BASELINE", "DOSE 1", "WEEK 1"), visit_num=[1, 2, 3] * 2)
    raw["study_day"] = [1, 1, 8] * 2
    raw["hours_since_dose"] = [np.nan, 3, np.nan] * 2
    trial = outcomes.from_frame(raw)
    assert not (trial.problems["severity"] == "error").any()


def test_a_label_with_two_numbers_is_still_one_problem_per_row() -> None:
    raw = _raw(("BASELINE", "WEEK 1", "WEEK 2"), ("S1", "S2", "S3"))
    raw["visit_num"] = [1, 2, 3, 1, 3, 3, 1, 2, 3]
    raw["study_day"] = [1, 8, 15] * 3
    problems = _problems(raw)
    assert problems["code"].tolist() == ["visit-number-inconsistent"]
    assert problems["row"].tolist() == [5]


# -- 3. intercurrent events ------------------------------------------------------------------------

DAYS = {"study_day": [1, 8, 15] * 2}


def _events(**columns: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_a_case_variant_of_a_known_event_is_read_with_a_warning() -> None:
    # Before: kept as 'Discontinuation', which the estimand's 'discontinuation' never matches.
    events = _events(
        subject=["S1", "S2"], event=["Discontinuation", "rescue_medication"], day=[9, 10]
    )
    trial = outcomes.from_frame(_raw(**DAYS), events=events)
    assert trial.events["event"].tolist() == ["discontinuation", "rescue medication"]
    found = trial.problems[trial.problems["code"] == "event-name-variant"]
    assert found["severity"].tolist() == ["warning", "warning"]
    assert found["row"].tolist() == [1, 2]
    assert found["subject"].tolist() == ["S1", "S2"]
    assert found["column"].tolist() == ["event", "event"]
    assert found["value"].tolist() == ["Discontinuation", "rescue_medication"]
    assert found["message"].iloc[0] == (
        "events row 1: event 'Discontinuation' is read as 'discontinuation', the name the "
        "estimand uses"
    )


def test_the_read_name_is_the_one_the_estimand_matches() -> None:
    events = _events(subject=["S1"], event=["DISCONTINUATION"], day=[9])
    trial = outcomes.derive(outcomes.from_frame(_raw(**DAYS), events=events))
    estimand = outcomes.Estimand("chg", intercurrent_events={"discontinuation": "hypothetical"})
    prepared = estimand.prepare(trial, instrument="gad7")
    assert prepared.events[["subject", "visit"]].values.tolist() == [["S1", "T3"]]


@pytest.mark.parametrize(
    ("name", "guess"),
    [
        ("discontinued", "discontinuation"),
        ("dropout", "discontinuation"),
        ("rescue meds", "rescue medication"),
        ("xyzzy", None),
    ],
)
def test_an_unknown_event_is_an_error_with_the_closest_known_name(
    name: str, guess: str | None
) -> None:
    # Before: no problem; an estimand naming the known event silently found no event.
    events = _events(subject=["S1", "S2", "S2"], event=["unblinding", name, name], day=[3, 9, 12])
    if guess is None:  # a kind of event of the study's own: said, not refused
        trial = outcomes.from_frame(_raw(**DAYS), events=events)
        warned = trial.problems[trial.problems["code"] == "event-unknown-name"]
        assert warned["severity"].tolist() == ["warning"]
        assert "exactly so in the estimand" in warned["hint"].iloc[0]
        return
    problem = _one(_problems(_raw(**DAYS), events=events), "event-unknown-name")
    assert problem["severity"] == "error"
    assert (problem["file"], problem["row"], problem["subject"]) == ("events", 2, "S2")
    assert (problem["column"], problem["value"]) == ("event", name)
    assert problem["message"].startswith(f"events rows 2 and 3: {name!r} is not one of the")
    assert (f"did you mean {guess!r}?" in problem["message"]) == (guess is not None)
    assert "'discontinuation', 'rescue medication'" in problem["message"]
    assert "detail" in problem["hint"]


@pytest.mark.parametrize(
    ("day", "code", "value"),
    [
        (np.inf, "event-day-not-finite", "inf"),
        (-np.inf, "event-day-not-finite", "-inf"),
        ("inf", "event-day-not-finite", "inf"),
        ("1e999", "event-day-not-finite", "1e999"),
        (np.nan, "event-missing-day", None),
        ("NaN", "event-missing-day", None),
        ("", "event-missing-day", None),
        ("wk 3", "event-non-numeric-day", "wk 3"),
    ],
)
def test_an_event_day_that_is_not_a_finite_number_is_an_error(
    day: Any, code: str, value: str | None
) -> None:
    # Before: inf and -inf were kept as days, and a missing day dropped the event silently.
    events = _events(subject=["S1", "S2"], event=["discontinuation"] * 2, day=[9, day])
    events["day"] = events["day"].astype(object)
    problem = _one(_problems(_raw(**DAYS), events=events), code)
    assert (problem["row"], problem["subject"], problem["column"]) == (2, "S2", "day")
    assert problem["value"] == value
    assert problem["message"].startswith("events row 2: ")


def test_an_event_without_a_name_is_an_error() -> None:
    events = _events(subject=["S1", "S2"], event=["discontinuation", None], day=[9, 10])
    problem = _one(_problems(_raw(**DAYS), events=events), "event-missing-name")
    assert (problem["row"], problem["subject"], problem["column"]) == (2, "S2", "event")


def test_an_event_of_an_unknown_subject_is_still_a_warning() -> None:
    events = _events(subject=["S1", "S9"], event=["discontinuation"] * 2, day=[9, 10])
    trial = outcomes.from_frame(_raw(**DAYS), events=events)
    problem = _one(trial.problems, "event-unknown-subject")
    assert (problem["severity"], problem["row"], problem["subject"]) == ("warning", 2, "S9")


# -- 4. context values that used to crash ----------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "code", "shown"),
    [
        ("session", 1.5, "invalid-session", "1.5"),
        ("session", -1, "invalid-session", "-1"),
        ("session", 1e20, "invalid-session", "1e+20"),
        ("session", np.inf, "non-numeric-session", "inf"),
        ("session", "-inf", "non-numeric-session", "-inf"),
        ("period", 1.5, "invalid-period", "1.5"),
        ("period", -1, "invalid-period", "-1"),
        ("period", np.inf, "non-numeric-period", "inf"),
        ("visit_num", np.inf, "non-numeric-visit-number", "inf"),
        ("visit_num", -np.inf, "non-numeric-visit-number", "-inf"),
        ("study_day", np.inf, "non-numeric-day", "inf"),
        ("hours_since_dose", np.inf, "non-numeric-hours", "inf"),
        ("weight", np.inf, "non-finite-covariate", "inf"),
        ("weight", "-inf", "non-finite-covariate", "-inf"),
    ],
)
def test_a_context_value_that_is_no_count_or_not_finite_is_a_located_error(
    column: str, value: Any, code: str, shown: str
) -> None:
    # Before: session or period 1.5, inf or 1e20 raised TypeError or OverflowError from pandas'
    # cast to Int64; session -1, an infinite visit number, day or hours, or covariate, read.
    raw = _raw(visit_num=[1, 2, 3] * 2, study_day=[1, 8, 15] * 2, session=[0, 1, 1] * 2)
    raw["period"] = 1
    raw["hours_since_dose"] = np.nan
    raw["weight"] = 70.5
    raw[column] = raw[column].astype(object)
    raw.loc[4, column] = value  # row 5: S2 at T2
    problems = _problems(raw)
    problem = _one(problems, code)
    assert (problem["row"], problem["column"], problem["value"]) == (5, column, shown)
    assert (problem["subject"], problem["visit"]) == ("S2", "T2")
    assert problem["message"].startswith("row 5: ")
    assert problems["code"].tolist() == [code]  # one problem: the value is left missing after


def test_a_huge_but_finite_covariate_is_read_as_a_number() -> None:
    # Whole numbers above 2**53 are kept as floats: Int64 would overflow (a TypeError before).
    raw = _raw(study_day=[1, 8, 15] * 2, weight=[70.0, 70.0, 70.0, 1e20, 1e20, 1e20])
    trial = outcomes.derive(outcomes.from_frame(raw))
    assert trial.frame["weight"].tolist()[-1] == 1e20


def test_inf_in_a_text_covariate_is_a_word() -> None:
    trial = outcomes.from_frame(_raw(study_day=[1, 8, 15] * 2, site=["INF"] * 3 + ["LON"] * 3))
    assert trial.frame["site"].tolist() == ["INF"] * 3 + ["LON"] * 3


def test_a_visit_named_baseline_is_the_baseline() -> None:
    raw = pd.DataFrame(
        {
            "subject": ["S1", "S1", "S1"],
            "arm": ["A"] * 3,
            "visit": ["BASELINE", "WEEK 1", "WEEK 3"],
            "MADRSTOT": [30, 20, 15],
        }
    )
    trial = outcomes.from_frame(raw)
    assert [(v.name, v.phase) for v in trial.schedule.visits][0] == ("BASELINE", "baseline")
    assert any("by its name" in n for n in trial.notes)
    assert outcomes.derive(trial).frame["chg"].tolist() == [0.0, -10.0, -15.0]


def test_an_estimand_and_a_plan_name_known_events_only() -> None:
    estimand = outcomes.Estimand("x", intercurrent_events={"Discontinuation": "treatment policy"})
    assert list(estimand.intercurrent_events) == ["discontinuation"]
    with pytest.raises(ValueError, match="did you mean 'discontinuation'"):
        outcomes.Estimand("x", intercurrent_events={"discontinuaton": "treatment policy"})
    own = outcomes.Estimand("x", intercurrent_events={"site closed": "composite"})
    assert list(own.intercurrent_events) == ["site closed"]
