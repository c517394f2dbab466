"""The schedule of assessments: given, read from TOML, inferred; phases and sessions."""

from __future__ import annotations

import pytest
import tomli_w

from outcomes import DosingSession, Schedule, ScheduleError

TWO_DOSES = {
    "session": [{"number": 1, "day": 1}, {"number": 2, "day": 15}],
    "visit": [
        {"name": "SCREENING", "day": -14},
        {"name": "BASELINE", "day": 1},
        {"name": "DOSE 1", "day": 1, "hours_after_dose": 2},
        {"name": "WEEK 1", "day": 8},
        {"name": "WEEK 2", "day": 15},
        {"name": "DOSE 2", "day": 15, "hours_after_dose": 2},
        {"name": "WEEK 3", "day": 22},
        {"name": "WEEK 12", "day": 85},
    ],
}

# name -> (phase, session): pre-dose visits are session 0; a visit on a dosing day follows that
# dose only when timed in hours after it (WEEK 2 is before dose 2); more than 14 days after the
# last dose is follow-up.
EXPECTED = {
    "SCREENING": ("screening", 0),
    "BASELINE": ("baseline", 0),
    "DOSE 1": ("dosing", 1),
    "WEEK 1": ("post-dose", 1),
    "WEEK 2": ("post-dose", 1),
    "DOSE 2": ("dosing", 2),
    "WEEK 3": ("post-dose", 2),
    "WEEK 12": ("follow-up", 2),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_phase_and_session_are_inferred_from_days_and_doses(name: str) -> None:
    visit = Schedule.from_mapping(TWO_DOSES).visit(name)
    assert (visit.phase, visit.session) == EXPECTED[name]


def test_given_phase_and_session_win_over_inference() -> None:
    data = {"visit": [{"name": "V1", "day": 1, "phase": "follow-up", "session": 3}]}
    v = Schedule.from_mapping(data).visit("V1")
    assert (v.phase, v.session) == ("follow-up", 3)


def test_toml_round_trip(tmp_path) -> None:
    s = Schedule.from_mapping(TWO_DOSES)
    path = tmp_path / "schedule.toml"
    path.write_text(tomli_w.dumps(s.to_mapping()))
    assert Schedule.from_toml(path) == s


def test_infer_orders_by_day_and_assumes_a_dose_on_day_1() -> None:
    s = Schedule.infer(["W4", "W1", "BL"], days=[29, 8, 1])
    assert s.visit_names == ["BL", "W1", "W4"]
    assert s.sessions == (DosingSession(1, 1.0),)
    assert s.baseline_visit == "BL"
    assert any("assumed one dose" in n for n in s.notes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visit": [{"name": "A"}, {"name": "A"}]}, "more than once"),
        ({"visit": [{"name": "A", "phase": "later"}]}, "phase 'later'"),
        ({"baseline": "B", "visit": [{"name": "A"}]}, "baseline visit 'B'"),
        ({"visit": [{"day": 3}]}, "malformed"),
        ({"visit": [{"name": "A", "window": [1]}]}, "malformed"),
    ],
)
def test_malformed_schedules_are_refused(data, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        Schedule.from_mapping(data)


def test_unreadable_toml_is_a_schedule_error(tmp_path) -> None:
    bad = tmp_path / "s.toml"
    bad.write_text("[[visit]\nname=")
    with pytest.raises(ScheduleError, match="cannot read schedule"):
        Schedule.from_toml(bad)
