"""Labels written several ways, and file columns named like the frame's own columns.

A visit or arm label spelt two ways (case, a non-breaking or zero-width space, a leading zero) is
one ``label-variants`` error per group, with the fix; with a schedule, visit spellings that it
matches still read. A file column that plays no role and has the name of a frame column is kept
as ``<name>_file``; two columns that both read as one role are ``ambiguous-column``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import outcomes
from outcomes.data.problems import ProblemLog
from outcomes.errors import ValidationError
from outcomes.validate.labels import check_labels, describe_label, label_key

ITEMS = {f"gad7_{k}": 1 for k in range(1, 8)}
SCHEDULE = {
    "session": [{"number": 1, "day": 1}],
    "visit": [{"name": "BASELINE", "day": 1}, {"name": "WEEK 1", "day": 8}],
}
TWO_SESSIONS = {
    "session": [{"number": 1, "day": 1}, {"number": 2, "day": 15}],
    "visit": [
        {"name": "BASELINE", "day": 1},
        {"name": "WEEK 1", "day": 8},
        {"name": "WEEK 3", "day": 22},
    ],
}


def _table(visits: list[str], arms: list[str] | None = None, **extra: Any) -> pd.DataFrame:
    """A long table: subjects S1, S2, ... two rows each (BASELINE, then the visit given)."""
    n = 2 * len(visits)
    days = {"BASELINE": 1, "WEEK 3": 22}
    columns: dict[str, Any] = {
        "subject": [f"S{i // 2 + 1}" for i in range(n)],
        "arm": [a for arm in (arms or ["DRUG"] * len(visits)) for a in (arm, arm)],
        "visit": [v for visit in visits for v in ("BASELINE", visit)],
    }
    columns["study_day"] = [days.get(v, 8) for v in columns["visit"]]
    columns.update({c: [v] * n for c, v in ITEMS.items()})
    columns.update(extra)
    return pd.DataFrame(columns)


def _problems(raw: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    with pytest.raises(ValidationError) as info:
        outcomes.from_frame(raw, **kwargs)
    return info.value.problems


def _one(problems: pd.DataFrame, code: str) -> pd.Series:
    found = problems[problems["code"] == code]
    assert len(found) == 1, problems[["code", "message"]].to_string()
    return found.iloc[0]


# -- label variants -----------------------------------------------------------------------------


def test_label_key_and_description() -> None:
    assert len({label_key(v) for v in ["Week 1", "WEEK 1", "Week\u00a01", "Week\u200b1"]}) == 1
    assert label_key("WEEK 01") == label_key("WEEK 1") != label_key("WEEK 10")
    assert label_key("Day 1.05") != label_key("Day 1.5")
    assert (
        describe_label("\ufeffWeek 1")
        == "'Week 1' with a byte-order mark (zero-width no-break space)"
    )
    assert describe_label("Week\u2002\u20021") == "'Week  1' with 2 en spaces (U+2002)"


def test_visit_in_two_cases_is_one_problem_with_the_fix() -> None:
    raw = _table(["Week 1", "Week 1", "Week 1", "WEEK 1"])
    problems = _problems(raw)
    p = _one(problems, "label-variants")
    assert p["severity"] == "error" and p["row"] == 8 and p["column"] == "visit"
    assert p["message"] == (
        "visit is written 2 ways that read as one: 'Week 1' (3 rows, first row 2), "
        "'WEEK 1' (1 row, row 8)"
    )
    assert "'Week 1', the spelling of the most rows" in p["hint"] and "'WEEK 1'" in p["hint"]
    assert (p["subject"], p["visit"], p["value"]) == ("S4", "WEEK 1", "WEEK 1")
    assert set(problems["code"]) == {"label-variants"}


@pytest.mark.parametrize(
    ("odd", "named"),
    [
        ("Week\u00a01", "'Week 1' with a non-breaking space"),
        ("Week\u200b1", "'Week1' with a zero-width space"),
    ],
)
def test_invisible_characters_are_named_never_shown(odd: str, named: str) -> None:
    raw = _table(["Week 1", "Week 1", odd])
    p = _one(_problems(raw), "label-variants")
    assert p["message"].endswith(f"{named} (1 row, row 6)")
    assert p["row"] == 6
    for field in ("message", "hint", "visit", "value"):
        assert not any(ch in p[field] for ch in "\u00a0\u200b"), field
    assert p["value"] == odd.encode("unicode_escape").decode()


def test_leading_zero_is_a_variant_and_distinct_numbers_are_not() -> None:
    p = _one(_problems(_table(["WEEK 1", "WEEK 01", "WEEK 1"])), "label-variants")
    assert "'WEEK 01' (1 row, row 4)" in p["message"] and p["row"] == 4
    trial = outcomes.from_frame(_table(["WEEK 1", "WEEK 10"]))
    assert list(trial.frame["visit"].cat.categories) == ["BASELINE", "WEEK 1", "WEEK 10"]


def test_three_spellings_of_one_visit_are_one_problem() -> None:
    raw = _table(["Week 1", "WEEK 1", "Week 1", "Week\u00a01"])
    p = _one(_problems(raw), "label-variants")
    assert p["message"].startswith("visit is written 3 ways that read as one: 'Week 1' (2 rows")
    assert p["row"] == 4  # the first row to change
    assert "change the 2 rows written 'WEEK 1' or 'Week 1' with a non-breaking space" in p["hint"]


def test_arm_variants_are_one_problem_and_not_an_arm_change() -> None:
    raw = _table(["WEEK 1"] * 4, arms=["Placebo", "DRUG", "Placebo", "DRUG"])
    raw.loc[5, "arm"] = "PLACEBO"  # subject S3's week 1 row
    problems = _problems(raw)
    p = _one(problems, "label-variants")
    assert p["message"] == (
        "arm is written 2 ways that read as one: 'Placebo' (3 rows, first row 1), "
        "'PLACEBO' (1 row, row 6)"
    )
    assert (p["row"], p["subject"], p["column"]) == (6, "S3", "arm")
    assert "arm-changes" not in set(problems["code"])  # the same rows, reported once


def test_arm_variants_are_an_error_with_a_schedule_too() -> None:
    raw = _table(["WEEK 1", "WEEK 1"], arms=["Placebo", "PLACEBO"])
    _one(_problems(raw, schedule=SCHEDULE), "label-variants")


def test_visit_spellings_the_schedule_matches_still_read() -> None:
    raw = _table(["Week 1", "WEEK 1", "Week\u00a01", "week 1"])
    trial = outcomes.from_frame(raw, schedule=SCHEDULE)
    assert trial.frame["visit"].astype(str).tolist() == ["BASELINE", "WEEK 1"] * 4
    assert "label-variants" not in set(trial.problems["code"])


def test_a_variant_the_schedule_does_not_match_is_written_as_the_schedule_does() -> None:
    problems = _problems(_table(["Week 1", "WEEK 01"]), schedule=SCHEDULE)
    p = _one(problems, "label-variants")
    assert p["row"] == 4 and "'WEEK 01' (1 row, row 4)" in p["message"]
    assert "'WEEK 1', as the schedule writes it; change the 1 row written 'WEEK 01'" in p["hint"]
    assert "visit-not-in-schedule" not in set(problems["code"])  # reported once, as a variant


def test_check_labels_works_on_distinct_labels_of_many_rows() -> None:
    n = 200_000
    rec = pd.DataFrame(
        {
            "subject": [f"S{i % 5000}" for i in range(n)],
            "source_row": range(1, n + 1),
            "visit": ["WEEK 1"] * (n - 1) + ["week 1"],
            "arm": "DRUG",
        }
    )
    log = ProblemLog()
    out = check_labels(rec, {}, log)
    assert [p.code for p in log.problems] == ["label-variants"]
    assert "'WEEK 1' (199,999 rows, first row 1)" in log.problems[0].message
    assert out["visit"].nunique() == 1


# -- sessions against the schedule ---------------------------------------------------------------


def test_a_session_column_that_contradicts_the_schedule_is_a_located_warning() -> None:
    raw = _table(["WEEK 1", "WEEK 3"], session=[1, 1, 1, 1])
    trial = outcomes.from_frame(raw, schedule=TWO_SESSIONS)
    warned = trial.problems[trial.problems["code"] == "session-not-as-scheduled"]
    assert warned["visit"].tolist() == ["BASELINE", "WEEK 3"]
    assert warned["row"].tolist() == [1, 4]
    assert warned["severity"].eq("warning").all() and warned["column"].eq("session").all()
    assert (
        "gives session 1 (2 rows, first row 1), where the schedule has session 0 (before the "
        "first dose)" in warned["message"].iloc[0]
    )
    # The schedule's session 0 stands before the first dose: baselines and change scores exist.
    derived = outcomes.derive(trial).frame
    assert derived["session"].tolist()[:2] == [0, 1]
    assert derived["chg"].notna().all()


def test_a_session_column_that_agrees_with_the_schedule_is_no_problem() -> None:
    raw = _table(["WEEK 1", "WEEK 3"], session=[0, 1, 0, 2])
    trial = outcomes.from_frame(raw, schedule=TWO_SESSIONS)
    assert "session-not-as-scheduled" not in set(trial.problems["code"])


# -- columns named like ours --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["phase", "record", "source_row", "total_source", "Phase", "TOTAL_SOURCE"]
)
def test_a_covariate_named_like_a_frame_column_is_kept_renamed(name: str) -> None:
    raw = _table(["WEEK 1", "WEEK 1"], **{name: [7, 7, 8, 8]})
    trial = outcomes.from_frame(raw, schedule=SCHEDULE)
    frame = trial.frame
    assert frame.columns.is_unique
    assert f"{name}_file" in trial.covariates and name not in trial.covariates
    assert frame[f"{name}_file"].tolist() == [7, 7, 8, 8]
    assert frame["source_row"].tolist() == [1, 2, 3, 4]
    assert frame["phase"].tolist() == ["baseline", "post-dose"] * 2
    assert frame["total_source"].eq("items").all()
    assert any(f"{name!r} -> {name + '_file'!r}" in note for note in trial.notes)


def test_a_renamed_covariate_that_collides_again_is_an_error_naming_both() -> None:
    raw = _table(["WEEK 1"], phase=["x", "x"], phase_file=["y", "y"])
    problems = _problems(raw)
    p = _one(problems, "column-name-taken")
    assert p["message"] == (
        "column 'phase' has the name of a column of the frame, so it would be kept as "
        "'phase_file', but the file has a column 'phase_file' too"
    )
    assert p["column"] == "phase" and set(problems["code"]) == {"column-name-taken"}


def test_two_columns_that_read_as_the_visit_are_ambiguous() -> None:
    raw = _table(["WEEK 1", "WEEK 1"], VISIT=["V0", "V1", "V0", "V1"])
    problems = _problems(raw)
    p = _one(problems, "ambiguous-column")
    assert p["message"] == (
        "columns 'VISIT' and 'visit' both read as the visit (as 'visit'), so which one is the "
        "visit is not clear"
    )
    assert p["hint"].startswith("name the visit column with mapping={'visit': '<column>'}")
    assert (p["severity"], p["column"]) == ("error", "VISIT")
    assert set(problems["code"]) == {"ambiguous-column"}


def test_a_mapping_that_names_the_visit_column_resolves_the_ambiguity() -> None:
    raw = _table(["WEEK 1", "WEEK 1"], VISIT=["V0", "V1", "V0", "V1"])
    trial = outcomes.from_frame(raw, mapping={"visit": "visit"})
    assert list(trial.frame["visit"].cat.categories) == ["BASELINE", "WEEK 1"]
    assert trial.frame["VISIT_file"].tolist() == ["V0", "V1", "V0", "V1"]
    trial = outcomes.from_frame(raw, mapping={"visit": "VISIT"})
    assert list(trial.frame["visit"].cat.categories) == ["V0", "V1"]
    assert trial.frame["visit_file"].tolist() == ["BASELINE", "WEEK 1"] * 2


def test_mapped_covariates_are_renamed_too() -> None:
    raw = _table(["WEEK 1"], phase=["x", "x"], sex=["F", "F"])
    trial = outcomes.from_frame(raw, mapping={"covariates": ["phase"]})
    assert trial.covariates == ("phase_file",)


def test_wide_file_with_instrument_and_visit_columns() -> None:
    raw = pd.DataFrame(
        {
            "subject": ["S1", "S2"],
            "arm": ["DRUG", "PLACEBO"],
            "instrument": ["gad7", "gad7"],
            "visit": ["x", "y"],
            **{f"gad7_{k}_BASELINE": [1, 2] for k in range(1, 8)},
            **{f"gad7_{k}_WEEK 1": [0, 1] for k in range(1, 8)},
        }
    )
    trial = outcomes.from_frame(raw, layout="wide", schedule=SCHEDULE)
    assert trial.covariates == ("instrument_file", "visit_file")
    assert list(trial.frame["visit"].cat.categories) == ["BASELINE", "WEEK 1"]
    assert trial.frame["instrument"].eq("gad7").all()


def test_redcap_covariate_named_like_a_frame_column() -> None:
    export = pd.DataFrame(
        {
            "record_id": ["7", "7"],
            "redcap_event_name": ["baseline_arm_1", "week_1_arm_1"],
            "arm": ["PLACEBO", None],
            "phase": ["open", None],
            **{f"gad7_{k}": [2, 1] for k in range(1, 8)},
        }
    )
    schedule = {
        "session": [{"number": 1, "day": 1}],
        "visit": [{"name": "baseline", "day": 1}, {"name": "week_1", "day": 8}],
    }
    trial = outcomes.from_frame(export, schedule=schedule)
    assert trial.covariates == ("phase_file",)
    assert trial.frame["phase_file"].tolist() == ["open", "open"]
    assert trial.frame["phase"].tolist() == ["baseline", "post-dose"]


def test_a_covariate_named_occasion_is_kept() -> None:
    trial = outcomes.from_frame(_table(["WEEK 1"], occasion=["a", "b"]))
    assert trial.frame["occasion"].tolist() == ["a", "b"]
