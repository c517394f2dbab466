"""Tests of outcomes.data.derive: every expected value is worked by hand in a comment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from outcomes import instruments
from outcomes.data.derive import DERIVED_COLUMNS, derive_frame
from outcomes.data.schedule import Schedule
from outcomes.errors import InstrumentError, ScheduleError, ValidationError
from outcomes.instruments.definition import Band, Instrument, Item

NA = pd.NA

SCHEDULE = Schedule.from_mapping(
    {
        "session": [{"number": 1, "day": 1}],
        "visit": [
            {"name": "SCREENING", "day": -14},  # 1, screening, session 0
            {"name": "BASELINE", "day": 1},  # 2, baseline, session 0
            {"name": "WEEK 1", "day": 8},  # 3, post-dose, session 1
            {"name": "WEEK 2", "day": 15},  # 4, post-dose
            {"name": "WEEK 6", "day": 43},  # 5, follow-up
        ],
    }
)

#: A MADRS-like scale: total 0-60, Snaith's bands, response >= 50% fall, remission <= 10.
DEP = Instrument(
    "dep",
    "Toy depression scale",
    "depression",
    tuple(Item(f"D{i:02}", f"item {i}", 0, 6) for i in range(1, 11)),
    "DTOT",
    bands=(
        Band("normal", 0, 6),
        Band("mild", 7, 19),
        Band("moderate", 20, 34),
        Band("severe", 35, 60),
    ),
    response_fall=0.5,
    remission_max=10,
    clinical_cutoff=10,
    reliability=0.93,
)
#: A well-being scale, higher is better: response is a rise of >= 50%; healthy at 40 or above.
WELL = Instrument(
    "well",
    "Toy well-being scale",
    "well-being",
    tuple(Item(f"W{i}", f"item {i}", 0, 10) for i in range(1, 7)),
    "WTOT",
    higher_is_worse=False,
    response_fall=0.5,
    clinical_cutoff=40,
    reliability=0.93,
)
#: No bands and no rules: only base, chg and pchg can be derived.
BARE = Instrument("bare", "Toy bare scale", "test", (Item("B1", "b", 0, 60),), "BTOT")

INSTRUMENTS = {"dep": DEP, "well": WELL, "bare": BARE}


def long_frame(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    """The canonical long table from (subject, instrument, visit, total) rows."""
    visits = [SCHEDULE.visit(v) for _, _, v, _ in rows]
    return pd.DataFrame(
        {
            "subject": [r[0] for r in rows],
            "arm": "A",
            "visit": pd.Categorical(
                [v.name for v in visits], categories=SCHEDULE.visit_names, ordered=True
            ),
            "visit_num": [v.number for v in visits],
            "study_day": [v.day for v in visits],
            "session": [v.session for v in visits],
            "phase": [v.phase for v in visits],
            "instrument": [r[1] for r in rows],
            "total": [np.nan if r[3] is None else float(r[3]) for r in rows],
        }
    )


def rows_of(frame: pd.DataFrame, subject: str, instrument: str = "dep") -> pd.DataFrame:
    return frame[(frame["subject"] == subject) & (frame["instrument"] == instrument)]


def as_list(series: pd.Series) -> list[object]:
    """Values with every kind of missing as pd.NA and floats rounded to 1 decimal."""
    return [NA if pd.isna(v) else round(v, 1) if isinstance(v, float) else v for v in series]


# -- baseline, change, bands, response, remission ------------------------------------------------

S1 = [
    ("S1", "dep", "SCREENING", 32),
    ("S1", "dep", "BASELINE", 30),
    ("S1", "dep", "WEEK 1", 20),
    ("S1", "dep", "WEEK 2", 14),
    ("S1", "dep", "WEEK 6", 9),
]

# visit: (base, baseline_flag, chg, pchg, severity, response, remission)
S1_EXPECTED = {
    # before baseline: no change; 32 is 20-34 "moderate"; 32 > 10 not remitted
    "SCREENING": (30.0, False, NA, NA, "moderate", NA, False),
    # the baseline row: chg 0 (ADaM), no response at baseline
    "BASELINE": (30.0, True, 0.0, 0.0, "moderate", NA, False),
    # 20 - 30 = -10, -10/30 = -33.3% > -50% -> not a responder; 20 > 10
    "WEEK 1": (30.0, False, -10.0, -33.3, "moderate", False, False),
    # 14 - 30 = -16, -16/30 = -53.3% <= -50% -> responder; 14 > 10 -> not remitted; 7-19 "mild"
    "WEEK 2": (30.0, False, -16.0, -53.3, "mild", True, False),
    # 9 - 30 = -21, -70% -> responder; 9 <= 10 -> remitted
    "WEEK 6": (30.0, False, -21.0, -70.0, "mild", True, True),
}


@pytest.mark.parametrize("visit", list(S1_EXPECTED))
def test_hand_worked_subject(visit: str) -> None:
    out = derive_frame(long_frame(S1), SCHEDULE, INSTRUMENTS)
    row = out[out["visit"] == visit]
    columns = ["base", "baseline_flag", "chg", "pchg", "severity", "response", "remission"]
    assert [as_list(row[c])[0] for c in columns] == list(S1_EXPECTED[visit])


# (baseline total, later total, response, remission)
BOUNDARIES = [
    (30, 15, True, False),  # -15/30 = exactly -50%: "at least 50%" -> responder; 15 > 10
    (30, 16, False, False),  # -14/30 = -46.7%
    (20, 10, True, True),  # -50% exactly; 10 <= 10 -> remitted
    (12, 11, False, False),  # -8.3%; 11 > 10
    (0, 0, NA, True),  # base 0: pchg undefined -> response NA; 0 <= 10 remitted
]


@pytest.mark.parametrize(("base", "later", "response", "remission"), BOUNDARIES)
def test_response_and_remission_thresholds(
    base: float, later: float, response: object, remission: object
) -> None:
    frame = long_frame([("S", "dep", "BASELINE", base), ("S", "dep", "WEEK 2", later)])
    out = derive_frame(frame, SCHEDULE, INSTRUMENTS).iloc[1]
    assert as_list(pd.Series([out["response"], out["remission"]])) == [response, remission]


# S3's baseline-visit total is missing; screening was 28; week 2 is 14.
S3 = [("S3", "dep", "SCREENING", 28), ("S3", "dep", "BASELINE", None), ("S3", "dep", "WEEK 2", 14)]

# baseline option: (base, baseline_flag, chg, response) on SCREENING, BASELINE, WEEK 2
BASELINE_CASES = {
    # falls back to screening: 14 - 28 = -14, -50% -> responder; the missing BASELINE row is
    # after the baseline row, so it is post-baseline, but has no total -> no change
    "last-before-dose": [(28.0, True, 0.0, NA), (28.0, False, NA, NA), (28.0, False, -14.0, True)],
    # the total at BASELINE, which is missing: nothing can be derived
    "BASELINE": [(NA, False, NA, NA), (NA, False, NA, NA), (NA, False, NA, NA)],
    # screening named as baseline: same as the fall-back here
    "SCREENING": [(28.0, True, 0.0, NA), (28.0, False, NA, NA), (28.0, False, -14.0, True)],
}


@pytest.mark.parametrize("baseline", list(BASELINE_CASES))
def test_baseline_options_with_missing_baseline_visit(baseline: str) -> None:
    out = derive_frame(long_frame(S3), SCHEDULE, INSTRUMENTS, baseline=baseline)
    got = list(
        zip(*(as_list(out[c]) for c in ["base", "baseline_flag", "chg", "response"]), strict=True)
    )
    assert got == BASELINE_CASES[baseline]


def test_named_baseline_makes_later_pre_dose_visits_post_baseline() -> None:
    # baseline = SCREENING (32): the BASELINE visit (30) is then a change of -2
    out = derive_frame(long_frame(S1), SCHEDULE, INSTRUMENTS, baseline="SCREENING")
    assert as_list(out["chg"]) == [0.0, -2.0, -12.0, -18.0, -23.0]
    assert out["baseline_flag"].tolist() == [True, False, False, False, False]


def test_last_before_dose_ignores_post_dose_rows_and_absent_baselines() -> None:
    # S4 has no pre-dose total at all: no baseline, no change, but remission is still a
    # property of the score (8 <= 10)
    frame = long_frame([("S4", "dep", "WEEK 1", 8), *S1])
    out = derive_frame(frame, SCHEDULE, INSTRUMENTS)
    s4 = out.iloc[0]
    assert pd.isna(s4["base"]) and pd.isna(s4["chg"]) and not s4["baseline_flag"]
    assert s4["remission"]
    assert out["baseline_flag"].sum() == 1  # S1's BASELINE only


def test_no_pre_dose_rows_and_empty_frame() -> None:
    post_only = long_frame([("S", "dep", "WEEK 1", 20), ("S", "dep", "WEEK 2", 14)])
    out = derive_frame(post_only, SCHEDULE, INSTRUMENTS)
    assert out["base"].isna().all() and not out["baseline_flag"].any()
    empty = derive_frame(long_frame(S1).iloc[:0], SCHEDULE, INSTRUMENTS)
    assert len(empty) == 0 and list(empty.columns[-len(DERIVED_COLUMNS) :]) == list(DERIVED_COLUMNS)


def test_unknown_baseline_visit_raises_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="WEEK 99"):
        derive_frame(long_frame(S1), SCHEDULE, INSTRUMENTS, baseline="WEEK 99")
    assert issubclass(ScheduleError, ValueError)


def test_missing_totals_give_missing_derivations() -> None:
    frame = long_frame([("S", "dep", "BASELINE", 30), ("S", "dep", "WEEK 1", None)])
    out = derive_frame(frame, SCHEDULE, INSTRUMENTS).iloc[1]
    assert out["base"] == 30.0
    for column in [
        "chg",
        "pchg",
        "severity",
        "response",
        "remission",
        "rci",
        "reliable_change",
        "clinically_significant",
    ]:
        assert pd.isna(out[column]), column


# -- reliable and clinically significant change ----------------------------------------------------

# Jacobson & Truax 1991 with SD0 = 5, r = 0.93:
#   SE = 5 * sqrt(1 - 0.93) = 5 * sqrt(0.07) = 5 * 0.264575 = 1.322876
#   S_diff = sqrt(2) * SE = 1.870829
# subject: (baseline, later, rci, reliable_change, clinically_significant with cut-off 10)
RELIABLE_CASES = {
    # -4 / 1.870829 = -2.138090 <= -1.96 -> improved; ends at 16 > 10 -> not significant
    "R1": (20, 16, -2.138090, "improved", False),
    # -3 / 1.870829 = -1.603567 -> no reliable change
    "R2": (25, 22, -1.603567, "no reliable change", False),
    # +4 / 1.870829 = +2.138090 -> deteriorated
    "R3": (30, 34, 2.138090, "deteriorated", False),
    # -4 -> improved and ends at 10 <= 10 -> clinically significant
    "R4": (14, 10, -2.138090, "improved", True),
}


def reliable_frame(subjects: list[str]) -> pd.DataFrame:
    return long_frame(
        [
            row
            for s in subjects
            for row in (
                (s, "dep", "BASELINE", RELIABLE_CASES[s][0]),
                (s, "dep", "WEEK 1", RELIABLE_CASES[s][1]),
            )
        ]
    )


@pytest.mark.parametrize("subject", list(RELIABLE_CASES))
def test_reliable_change_with_reference_sd(subject: str) -> None:
    out = derive_frame(
        reliable_frame(list(RELIABLE_CASES)), SCHEDULE, INSTRUMENTS, reference_sd={"dep": 5.0}
    )
    later = rows_of(out, subject).iloc[1]
    _, _, rci, label, significant = RELIABLE_CASES[subject]
    assert later["rci"] == pytest.approx(rci, abs=1e-6)
    assert later["reliable_change"] == label
    assert later["clinically_significant"] == significant


def test_sd0_is_the_sd_of_the_baselines_in_the_frame() -> None:
    # baselines 20, 25, 30: mean 25, SD (ddof=1) = sqrt((25 + 0 + 25) / 2) = 5 -> same RCIs
    out = derive_frame(reliable_frame(["R1", "R2", "R3"]), SCHEDULE, INSTRUMENTS)
    later = out[out["visit"] == "WEEK 1"]
    assert later["rci"].tolist() == pytest.approx([-2.138090, -1.603567, 2.138090], abs=1e-6)
    # at baseline chg = 0, so rci = 0, but change is not classified there
    at_base = out[out["baseline_flag"]]
    assert at_base["rci"].tolist() == [0.0, 0.0, 0.0]
    assert at_base["reliable_change"].isna().all()


def test_reliable_change_needs_reliability_and_two_baselines() -> None:
    # "bare" has no reliability; one subject of "dep" gives no SD of baselines
    frame = long_frame(
        [
            ("S", "bare", "BASELINE", 30),
            ("S", "bare", "WEEK 1", 10),
            ("S", "dep", "BASELINE", 30),
            ("S", "dep", "WEEK 1", 10),
        ]
    )
    out = derive_frame(frame, SCHEDULE, INSTRUMENTS)
    assert out[["rci", "reliable_change", "clinically_significant"]].isna().all().all()


# -- higher is better ------------------------------------------------------------------------------

# "well": response is a rise of >= 50%; improvement is a rise; healthy at 40 or above.
# (baseline, later, pchg, response, reliable_change, clinically_significant), reference SD0 = 5
WELL_CASES = [
    # +10/20 = +50% -> responder; +10 / 1.870829 = 5.345 -> improved; 30 < 40 -> not significant
    (20, 30, 50.0, True, "improved", False),
    # +8/20 = +40% -> not a responder; 28 < 40
    (20, 28, 40.0, False, "improved", False),
    # +4/40 = +10%; rci +2.138 -> improved; 44 >= 40 -> clinically significant
    (40, 44, 10.0, False, "improved", True),
    # -4/40 = -10%; rci -2.138 -> deteriorated (a fall is worse here)
    (40, 36, -10.0, False, "deteriorated", False),
]


@pytest.mark.parametrize(
    ("base", "later", "pchg", "response", "reliable", "significant"), WELL_CASES
)
def test_higher_is_better_instrument(
    base: float, later: float, pchg: float, response: bool, reliable: str, significant: bool
) -> None:
    frame = long_frame([("S", "well", "BASELINE", base), ("S", "well", "WEEK 1", later)])
    out = derive_frame(frame, SCHEDULE, INSTRUMENTS, reference_sd={"well": 5.0}).iloc[1]
    assert out["pchg"] == pytest.approx(pchg)
    assert out["response"] == response
    assert out["reliable_change"] == reliable
    assert out["clinically_significant"] == significant
    assert pd.isna(out["remission"]) and pd.isna(out["severity"])  # no rule, no bands


# -- sustained response ----------------------------------------------------------------------------

# Baseline 30 for everyone, so a responder is at 15 or below.
# subject: (week 1, week 2, week 6) totals, None = missing total, "absent" = no row
# -> sustained_response at (week 1, week 2, week 6)
SUSTAINED_CASES = {
    # responds at every visit -> True throughout
    "A": ((14, 12, 10), (True, True, True)),
    # 20 at week 2 is not a response -> False up to week 2; week 6 alone responds
    "B": ((14, 20, 12), (False, False, True)),
    # week 2 missing, no failure seen -> cannot tell at weeks 1 and 2
    "C": ((14, None, 12), (NA, NA, True)),
    # week 2 missing but week 6 (20) fails -> False everywhere, the failure is observed
    "D": ((14, None, 20), (False, False, False)),
    # dropped out after week 1: the absent rows are missing responses
    "E": ((14, "absent", "absent"), (NA,)),
}


def sustained_frame() -> pd.DataFrame:
    rows: list[tuple[str, str, str, float | None]] = []
    for subject, (totals, _) in SUSTAINED_CASES.items():
        rows += [(subject, "dep", "SCREENING", 31), (subject, "dep", "BASELINE", 30)]
        rows += [
            (subject, "dep", visit, total)
            for visit, total in zip(["WEEK 1", "WEEK 2", "WEEK 6"], totals, strict=True)
            if total != "absent"
        ]
    return long_frame(rows)


@pytest.mark.parametrize("subject", list(SUSTAINED_CASES))
def test_sustained_response(subject: str) -> None:
    out = rows_of(derive_frame(sustained_frame(), SCHEDULE, INSTRUMENTS), subject)
    # screening and baseline rows are never sustained responders
    assert as_list(out["sustained_response"]) == [NA, NA, *SUSTAINED_CASES[subject][1]]


def test_sustained_from_a_later_visit() -> None:
    out = derive_frame(sustained_frame(), SCHEDULE, INSTRUMENTS, sustained_from="WEEK 2")
    b = rows_of(out, "B")
    assert as_list(b["sustained_response"]) == [NA, NA, NA, False, True]
    with pytest.raises(ScheduleError):
        derive_frame(sustained_frame(), SCHEDULE, INSTRUMENTS, sustained_from="DAY 99")


# -- the frame as a whole --------------------------------------------------------------------------


def mixed_frame() -> pd.DataFrame:
    return pd.concat(
        [
            long_frame(S1 + S3),
            sustained_frame(),
            reliable_frame(["R1", "R2", "R3"]),
            long_frame([("S", "well", "BASELINE", 20), ("S", "well", "WEEK 1", 30)]),
        ],
        ignore_index=True,
    )


def test_input_unchanged_and_new_columns_appended() -> None:
    frame = mixed_frame()
    before = frame.copy(deep=True)
    out = derive_frame(frame, SCHEDULE, INSTRUMENTS)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == list(frame.columns) + list(DERIVED_COLUMNS)
    assert out is not frame


def test_row_order_and_index_preserved() -> None:
    frame = mixed_frame()
    expected = derive_frame(frame, SCHEDULE, INSTRUMENTS)
    shuffled = frame.sample(frac=1, random_state=1)
    shuffled.index = [i % 7 for i in shuffled.index]  # a repeated index is kept as it is
    out = derive_frame(shuffled, SCHEDULE, INSTRUMENTS)
    assert list(out.index) == list(shuffled.index)
    order = frame.sample(frac=1, random_state=1).index
    pd.testing.assert_frame_equal(
        out.reset_index(drop=True), expected.loc[order].reset_index(drop=True)
    )


def test_dtypes() -> None:
    out = derive_frame(mixed_frame(), SCHEDULE, INSTRUMENTS)
    assert out["baseline_flag"].dtype == bool
    for column in ["response", "remission", "sustained_response", "clinically_significant"]:
        assert out[column].dtype == "boolean", column
    assert list(out["reliable_change"].cat.categories) == [
        "improved",
        "no reliable change",
        "deteriorated",
    ]
    for column in ["base", "chg", "pchg", "rci"]:
        assert out[column].dtype == float, column


def test_deriving_twice_replaces_the_columns() -> None:
    once = derive_frame(mixed_frame(), SCHEDULE, INSTRUMENTS)
    pd.testing.assert_frame_equal(derive_frame(once, SCHEDULE, INSTRUMENTS), once)


def test_input_errors_are_located() -> None:
    with pytest.raises(InstrumentError, match="'nope'"):
        derive_frame(long_frame(S1), SCHEDULE, {"dep": DEP}, reference_sd={"nope": 1.0})
    with pytest.raises(InstrumentError, match="'dep'"):
        derive_frame(long_frame(S1), SCHEDULE, {"well": WELL})
    with pytest.raises(ValidationError) as missing:
        derive_frame(long_frame(S1).drop(columns=["phase", "session"]), SCHEDULE, INSTRUMENTS)
    assert missing.value.problems["column"].tolist() == ["session", "phase"]
    doubled = long_frame(S1 + [("S1", "dep", "WEEK 2", 15)])
    with pytest.raises(ValidationError) as duplicate:
        derive_frame(doubled, SCHEDULE, INSTRUMENTS)
    assert duplicate.value.problems[["code", "subject", "visit"]].values.tolist() == [
        ["duplicate-assessment", "S1", "WEEK 2"]
    ]


def test_registry_madrs() -> None:
    madrs = instruments.get("madrs")
    frame = long_frame([(s, "madrs", v, t) for s, _, v, t in S1])
    out = derive_frame(frame, SCHEDULE, {"madrs": madrs})
    # week 6: 9 vs 30 -> -70%: a responder (>= 50% fall) and remitted (<= 10)
    assert out["response"].iloc[-1] and out["remission"].iloc[-1]
