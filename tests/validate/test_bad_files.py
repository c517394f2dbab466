"""A corpus of bad trial files (tests/bad_files/): each gives its expected, located problem.

Every expectation below was written from the file's contents (see tests/bad_files/README.md), not
copied from what the package prints. The tests check, for each file:

* the problem is found, with its severity, code and location (file, row, subject, visit,
  instrument, column, value), and a message that names the row and the column or value;
* the file gives exactly the problem codes expected (no spurious problems on good rows);
* no good row is lost: a warning-only file keeps every assessment that had scores, and a file with
  errors reads cleanly, keeping every remaining assessment, once the rows named are removed.

"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import outcomes

BAD = Path(__file__).parents[1] / "bad_files"
SCHEDULE = BAD / "schedule.toml"


class _Any:
    """A location field that a case does not check."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()
LOCATION = ("row", "subject", "visit", "instrument", "column", "value")


@dataclass(frozen=True)
class BadFile:
    """A file of the corpus: how to read it and every problem code it must give."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    codes: frozenset[str] = frozenset()
    layout: str = "long"
    #: Whether removing the rows its error cases name leaves a file that reads cleanly.
    drop_rows: bool = True


@dataclass(frozen=True)
class Case:
    """One expected problem: its file, code, severity and location."""

    file: str
    code: str
    severity: str
    row: Any = None
    subject: Any = None
    visit: Any = None
    instrument: Any = None
    column: Any = None
    value: Any = None
    #: Text the message must contain (the row, and the column or the value).
    message: tuple[str, ...] = ()
    #: Which file the problem belongs to, when not the score file (an events file).
    problem_file: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.code}" + (f":{self.row}" if isinstance(self.row, int) else "")


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


# -- the files -------------------------------------------------------------------------------------

FILES: dict[str, BadFile] = {
    # scores
    "non_numeric_score.csv": BadFile(codes=_codes("non-numeric-score")),
    "item_out_of_range.csv": BadFile(codes=_codes("item-out-of-range")),
    "total_out_of_range.csv": BadFile(codes=_codes("total-out-of-range")),
    "item_not_whole.csv": BadFile(codes=_codes("item-not-whole")),
    "total_mismatch.csv": BadFile(codes=_codes("total-mismatch")),
    "total_not_scored.csv": BadFile(codes=_codes("total-not-scored")),
    "duplicate_assessment.csv": BadFile(codes=_codes("duplicate-assessment")),
    "no_scores_row.csv": BadFile(codes=_codes("no-scores")),
    # context of each row
    "missing_subject.csv": BadFile(codes=_codes("missing-subject")),
    "missing_visit.csv": BadFile(codes=_codes("missing-visit")),
    "missing_arm.csv": BadFile(codes=_codes("missing-arm")),
    "no_arm_column.csv": BadFile(codes=_codes("no-arm-column")),
    "arm_changes.csv": BadFile(codes=_codes("arm-changes")),
    "non_numeric_day.csv": BadFile(codes=_codes("non-numeric-day")),
    "study_day_zero.csv": BadFile(codes=_codes("study-day-zero")),
    "non_numeric_visit_number.csv": BadFile(codes=_codes("non-numeric-visit-number")),
    "negative_hours.csv": BadFile(codes=_codes("negative-hours")),
    "non_numeric_hours.csv": BadFile(codes=_codes("non-numeric-hours")),
    "missing_baseline.csv": BadFile(codes=_codes("missing-baseline")),
    # schedule
    "visit_not_in_schedule.csv": BadFile({"schedule": SCHEDULE}, _codes("visit-not-in-schedule")),
    "visit_outside_window.csv": BadFile({"schedule": SCHEDULE}, _codes("visit-outside-window")),
    "visit_number_inconsistent.csv": BadFile(codes=_codes("visit-number-inconsistent")),
    # instruments and layouts
    "unknown_instrument.csv": BadFile(
        codes=_codes("unknown-instrument"),
    ),
    "no_score_columns.csv": BadFile(codes=_codes("no-score-columns"), drop_rows=False),
    "sdtm/qs.csv": BadFile(codes=_codes("unknown-item", "duplicate-value"), layout="sdtm"),
    "adam_adqs_locf.csv": BadFile(codes=_codes("row-set-aside"), layout="adam"),
    "redcap.csv": BadFile(codes=_codes("item-out-of-range"), layout="redcap"),
    "wide.csv": BadFile(codes=_codes("item-out-of-range"), layout="wide"),
    # events (read with the good score file)
    "events_bad.csv": BadFile(
        {"events": BAD / "events_bad.csv"},
        _codes("event-unknown-subject", "event-non-numeric-day"),
        drop_rows=False,
    ),
    "events_no_day.csv": BadFile(
        {"events": BAD / "events_no_day.csv"}, _codes("event-missing-column"), drop_rows=False
    ),
    "events_identifier.csv": BadFile(
        {"events": BAD / "events_identifier.csv"},
        _codes("identifier-email"),
        drop_rows=False,
    ),
    # anonymisation
    "identifier_column.csv": BadFile(codes=_codes("identifier-column"), drop_rows=False),
    "identifier_email.csv": BadFile(codes=_codes("identifier-email")),
    "identifier_phone.csv": BadFile(codes=_codes("identifier-phone")),
    "identifier_date.csv": BadFile(codes=_codes("identifier-date")),
    "identifier_postcode.csv": BadFile(codes=_codes("identifier-postcode")),
    "identifier_free_text.csv": BadFile(codes=_codes("identifier-free-text"), drop_rows=False),
    "identifier_age_over_89.csv": BadFile(codes=_codes("identifier-age-over-89"), drop_rows=False),
    "identifier_person_name.csv": BadFile(codes=_codes("identifier-person-name"), drop_rows=False),
    "identifiers_url_ip_ssn.csv": BadFile(
        codes=_codes("identifier-url", "identifier-ip", "identifier-ssn")
    ),
    "identifier_forms.csv": BadFile(
        codes=_codes(
            "identifier-person-name",
            "identifier-initials",
            "identifier-email",
            "identifier-phone",
            "identifier-ssn",
            "identifier-date",
            "identifier-address",
            "identifier-age-over-89",
        ),
        drop_rows=False,
    ),
    "identifier_column_names.csv": BadFile(codes=_codes("identifier-column"), drop_rows=False),
    "identifier_role_columns.csv": BadFile(
        {"schedule": SCHEDULE},
        _codes(
            "identifier-email",
            "identifier-date",
            "identifier-phone",
            "non-numeric-score",
            "arm-changes",
            "visit-not-in-schedule",
        ),
    ),
    "subject_id_email.csv": BadFile(codes=_codes("subject-id-personal"), drop_rows=False),
    "subject_id_name.csv": BadFile(codes=_codes("subject-id-personal"), drop_rows=False),
    # several problems in one file
    "many_problems.csv": BadFile(
        codes=_codes(
            "item-out-of-range",
            "study-day-zero",
            "non-numeric-score",
            "arm-changes",
            "total-mismatch",
            "missing-visit",
            "identifier-email",
        )
    ),
}

# -- the expected problems -------------------------------------------------------------------------

# fmt: off
CASES: list[Case] = [
    # -- scores ------------------------------------------------------------------------------------
    # row 5 (S002, WEEK 1): GAD0203 typed "1a"
    Case("non_numeric_score.csv", "non-numeric-score", "error", 5, "S002", "WEEK 1", "gad7",
         "GAD0203", "1a", ("row 5", "GAD0203", "1a")),
    # row 3 (S002, BASELINE): MADRS03 = 7 > 6
    Case("item_out_of_range.csv", "item-out-of-range", "error", 3, "S002", "BASELINE", "madrs",
         "MADRS03", "7", ("row 3", "MADRS03", "7", "0-6")),
    # row 4 (S002, WEEK 2): MADRSTOT = 61 > 60 (row 5 holds 60, the maximum, and is fine)
    Case("total_out_of_range.csv", "total-out-of-range", "error", 4, "S002", "WEEK 2", "madrs",
         "MADRSTOT", "61", ("row 4", "MADRSTOT", "61", "0-60")),
    # row 2 (S001, WEEK 1): GAD0204 = 1.5 (GAD-7 items are whole numbers): a warning
    Case("item_not_whole.csv", "item-not-whole", "warning", 2, "S001", "WEEK 1", "gad7", "GAD0204",
         "1.5", ("row 2", "GAD0204", "1.5")),
    # row 6 (S002, WEEK 2): items 1+0+1+1+0+1+0 = 4, GAD0208 says 6
    Case("total_mismatch.csv", "total-mismatch", "error", 6, "S002", "WEEK 2", "gad7", "GAD0208",
         "6", ("row 6", "6", "4")),
    # row 8 (S003, WEEK 1): GAD0206 empty, no total column: the total cannot be scored (warning)
    Case("total_not_scored.csv", "total-not-scored", "warning", 8, "S003", "WEEK 1", "gad7", None,
         None, ("row 8", "GAD0206")),
    # rows 5 and 6 are both S002 WEEK 1: the repeat is row 6
    Case("duplicate_assessment.csv", "duplicate-assessment", "error", 6, "S002", "WEEK 1", "gad7",
         None, None, ("rows 5, 6", "S002", "WEEK 1")),
    # row 9 (S003, WEEK 2): a missed visit, every score cell empty (warning)
    Case("no_scores_row.csv", "no-scores", "warning", 9, "S003", "WEEK 2", None, None, None,
         ("row 9",)),
    # -- context -----------------------------------------------------------------------------------
    Case("missing_subject.csv", "missing-subject", "error", 9, None, "WEEK 2", "gad7", "subject",
         None, ("row 9", "subject")),
    Case("missing_visit.csv", "missing-visit", "error", 5, "S002", None, "gad7", "visit", None,
         ("row 5", "visit")),
    Case("missing_arm.csv", "missing-arm", "error", 4, "S002", "BASELINE", "gad7", "arm", None,
         ("row 4", "arm")),
    Case("no_arm_column.csv", "no-arm-column", "warning", None, None, None, None, None, None,
         ("arm",)),
    # S001 is PLACEBO in rows 1-2, DMT in row 3
    Case("arm_changes.csv", "arm-changes", "error", 3, "S001", "WEEK 2", None, "arm", "DMT",
         ("row 3", "DMT", "PLACEBO")),
    Case("non_numeric_day.csv", "non-numeric-day", "error", 6, "S002", "WEEK 2", "gad7",
         "study_day", "d15", ("row 6", "study_day", "d15")),
    Case("study_day_zero.csv", "study-day-zero", "error", 4, "S002", "BASELINE", "gad7",
         "study_day", "0", ("row 4", "study_day")),
    Case("non_numeric_visit_number.csv", "non-numeric-visit-number", "error", 8, "S003", "WEEK 1",
         "gad7", "visit_num", "2a", ("row 8", "visit_num", "2a")),
    Case("negative_hours.csv", "negative-hours", "error", 5, "S002", "DAY 2", "gad7",
         "hours_since_dose", "-24", ("row 5", "hours_since_dose")),
    Case("non_numeric_hours.csv", "non-numeric-hours", "error", 6, "S002", "WEEK 1", "gad7",
         "hours_since_dose", "24h", ("row 6", "hours_since_dose", "24h")),
    # S002 has WEEK 1 and WEEK 2 but no BASELINE; the subject's first row is row 4 (warning)
    Case("missing_baseline.csv", "missing-baseline", "warning", 4, "S002", None, "gad7", None, None,
         ("S002", "gad7")),
    # -- schedule ----------------------------------------------------------------------------------
    # row 6: WEEK 3 is not among BASELINE, WEEK 1, WEEK 2 of schedule.toml
    Case("visit_not_in_schedule.csv", "visit-not-in-schedule", "error", 6, "S002", "WEEK 3", None,
         "visit", "WEEK 3", ("row 6", "WEEK 3")),
    # row 5: WEEK 1 on day 12, window 6-10 (warning)
    Case("visit_outside_window.csv", "visit-outside-window", "warning", 5, "S002", "WEEK 1", "gad7",
         "study_day", "12", ("row 5", "12")),
    # WEEK 1 is visit number 2 in rows 2 and 8, but 3 in row 5
    Case("visit_number_inconsistent.csv", "visit-number-inconsistent", "error", 5, "S002", "WEEK 1",
         None, "visit_num", "3", ("WEEK 1",)),
    # -- instruments and other layouts -------------------------------------------------------------
    # row 7: QIDS-SR16 is not a registered instrument
    Case("unknown_instrument.csv", "unknown-instrument", "error", 7, "S002", "BASELINE", None,
         "instrument", "QIDS-SR16", ("row 7", "QIDS-SR16")),
    Case("no_score_columns.csv", "no-score-columns", "error", None, None, None, None, None, None,
         ("rating",)),
    # SDTM QS: row 4 has QSTESTCD GAD0299 (GAD-7 has GAD0201-GAD0208); rows 5 and 6 both give
    # S002's GAD0208 at WEEK 2 (4, then 5)
    Case("sdtm/qs.csv", "unknown-item", "error", 4, "S002", "BASELINE", "gad7", "QSTESTCD",
         "GAD0299", ("row 4", "GAD0299")),
    Case("sdtm/qs.csv", "duplicate-value", "error", 6, "S002", "WEEK 2", "gad7", "QSSTRESN", "5",
         ("rows 5, 6", "GAD0208")),
    # ADaM: row 3 is a LOCF row (DTYPE = LOCF): set aside with a warning
    Case("adam_adqs_locf.csv", "row-set-aside", "warning", 3, "S001", "WEEK 2", "gad7", "DTYPE",
         "LOCF", ("row 3", "LOCF")),
    # REDCap: row 4 (S002, week_2_arm_1): gad7_2 = 4 > 3
    Case("redcap.csv", "item-out-of-range", "error", 4, "S002", "week_2", "gad7", "gad7_2", "4",
         ("row 4", "gad7_2", "4")),
    # wide: row 2 (S002): GAD0202_WEEK 2 = -1 < 0
    Case("wide.csv", "item-out-of-range", "error", 2, "S002", "WEEK 2", "gad7", "GAD0202_WEEK 2",
         "-1", ("row 2", "GAD0202_WEEK 2", "-1")),
    # -- events ------------------------------------------------------------------------------------
    Case("events_bad.csv", "event-unknown-subject", "warning", 2, "S009", None, None, "subject",
         "S009",
         ("row 2", "S009"), problem_file="events_bad.csv"),
    Case("events_bad.csv", "event-non-numeric-day", "error", 3, "S002", None, None, "day", "wk 3",
         ("row 3", "wk 3"), problem_file="events_bad.csv"),
    Case("events_no_day.csv", "event-missing-column", "error", None, None, None, None, None, None,
         ("day",), problem_file="events_no_day.csv"),
    Case("events_identifier.csv", "identifier-email", "error", 2, "S002", None, None, "detail",
         "c**** ****.***@*******.*** ********", ("row 2", "detail"),
         problem_file="events_identifier.csv"),
    # -- anonymisation -----------------------------------------------------------------------------
    Case("identifier_column.csv", "identifier-column", "error", None, None, None, None,
         "patient_name", None, ("patient_name",)),
    Case("identifier_email.csv", "identifier-email", "error", 4, "S002", None, None,
         "remarks", "j***.***@*******.***", ("row 4", "remarks")),
    Case("identifier_phone.csv", "identifier-phone", "error", 6, "S002", None, None,
         "remarks", "0**** ******", ("row 6", "remarks")),
    Case("identifier_date.csv", "identifier-date", "error", 5, "S002", None, None, "visit_date",
         "2***-**-**", ("row 5", "visit_date")),
    Case("identifier_postcode.csv", "identifier-postcode", "error", 3, "S001", None, None,
         "referral", "S*** ***", ("row 3", "referral")),
    # six distinct comments, each held by one subject; the first with words is row 2
    Case("identifier_free_text.csv", "identifier-free-text", "error", 2, "S001", None, None,
         "comment", "s**** ***** ***** *** *******, **** ****", ("row 2", "comment")),
    # S003's age is 91 in rows 7-9
    Case("identifier_age_over_89.csv", "identifier-age-over-89", "error", 7, "S003", None, None,
         "age", "9*", ("row 7", "age")),
    # six referrers' names, one per subject
    Case("identifier_person_name.csv", "identifier-person-name", "error", 1, "S001", None, None,
         "referred_by", "A*** ****", ("row 1", "referred_by")),
    Case("identifiers_url_ip_ssn.csv", "identifier-url", "error", 2, "S001", None, None, "source",
         "h****://*******.***/*/**", ("row 2", "source")),
    Case("identifiers_url_ip_ssn.csv", "identifier-ip", "error", 5, "S002", None, None, "device",
         "1**.***.*.**", ("row 5", "device")),
    Case("identifiers_url_ip_ssn.csv", "identifier-ssn", "error", 8, "S003", None, None, "ref",
         "1**-**-****", ("row 8", "ref")),
    # one identifier of each family per row in `notes`; the month/year of row 9 is a second date
    Case("identifier_forms.csv", "identifier-person-name", "error", 1, "S001", None, None,
         "notes", "j*** *****", ("row 1", "notes")),
    Case("identifier_forms.csv", "identifier-initials", "error", 2, "S001", None, None, "notes",
         "J.*.", ("row 2", "notes")),
    Case("identifier_forms.csv", "identifier-email", "error", 3, "S001", None, None, "notes",
         "j***@*******.***", ("row 3", "notes")),
    Case("identifier_forms.csv", "identifier-phone", "error", 4, "S002", None, None, "notes",
         "m** ***** ******", ("row 4", "notes")),
    Case("identifier_forms.csv", "identifier-ssn", "error", 5, "S002", None, None, "notes",
         "N**: *** *** ****", ("row 5", "notes")),
    Case("identifier_forms.csv", "identifier-date", "error", 6, "S002", None, None, "notes",
         "5** ** ***** ****", ("row 6", "notes", "2 rows")),
    Case("identifier_forms.csv", "identifier-address", "error", 7, "S003", None, None, "notes",
         "1* ****** ******", ("row 7", "notes")),
    Case("identifier_forms.csv", "identifier-age-over-89", "error", 8, "S003", None, None,
         "notes", "9* *****", ("row 8", "notes")),
    *(
        Case("identifier_column_names.csv", "identifier-column", "error", None, None, None, None,
             name, None, (name,))
        for name in ("name_of_patient", "gp_name", "carer_name", "nok_phone", "emergency_contact",
                     "geburtsdatum", "inits")
    ),
    # role columns are scanned too: a date as S002's visit label (row 5), a telephone number as a
    # score (row 2), an e-mail address as S003's arm (row 9); the checks that follow (a score that
    # is not a number, an arm that changes, a visit not in the schedule) mask them as well
    Case("identifier_role_columns.csv", "identifier-date", "error", 5, "S002", None, None,
         "visit", "1***-**-**", ("row 5", "visit")),
    Case("identifier_role_columns.csv", "identifier-phone", "error", 2, "S001", None, None,
         "GAD0203", "0**** ******", ("row 2", "GAD0203")),
    Case("identifier_role_columns.csv", "identifier-email", "error", 9, "S003", None, None, "arm",
         "j***.***@*******.***", ("row 9", "arm")),
    Case("identifier_role_columns.csv", "non-numeric-score", "error", 2, "S001", "WEEK 1", "gad7",
         "GAD0203", "0**** ******", ("row 2", "GAD0203", "0**** ******")),
    Case("identifier_role_columns.csv", "arm-changes", "error", 9, "S003", "WEEK 2", None, "arm",
         "j***.***@*******.***", ("row 9", "j***.***@*******.***")),
    Case("identifier_role_columns.csv", "visit-not-in-schedule", "error", 5, "S002", "1***-**-**",
         None, "visit", "1***-**-**", ("row 5", "1***-**-**")),
    # subject IDs are e-mail addresses or names: reported at row 1, masked everywhere
    Case("subject_id_email.csv", "subject-id-personal", "error", 1, "a***.****@*******.***", None,
         None, "subject", "a***.****@*******.***", ("row 1", "subject")),
    Case("subject_id_name.csv", "subject-id-personal", "error", 1, "A*** ****", None, None,
         "subject", "A*** ****", ("row 1", "subject")),
    # -- many problems, one per row (their locations are checked in the single-problem files) -----
    Case("many_problems.csv", "item-out-of-range", "error", 2, "S001", "WEEK 1", "gad7", "GAD0203",
         "5", ("row 2", "GAD0203")),
    Case("many_problems.csv", "study-day-zero", "error", 3, "S001", "WEEK 2", "gad7", "study_day",
         ANY, ("row 3", "study_day")),
    Case("many_problems.csv", "non-numeric-score", "error", 5, "S002", "WEEK 1", "gad7", "GAD0201",
         "x", ("row 5", "GAD0201")),
    Case("many_problems.csv", "arm-changes", "error", 6, "S002", ANY, None, "arm", "PLACEBO",
         ("row 6", "PLACEBO")),
    Case("many_problems.csv", "total-mismatch", "error", 7, "S003", "BASELINE", "gad7", ANY, "14",
         ("row 7", "14", "13")),
    Case("many_problems.csv", "missing-visit", "error", 8, "S003", None, "gad7", "visit", None,
         ("row 8", "visit")),
    Case("many_problems.csv", "identifier-email", "error", 9, "S003", None, None, "notes",
         "c*** ***.****@*******.***", ("row 9", "notes")),
]
# fmt: on


# -- helpers ---------------------------------------------------------------------------------------


def _read(file: str, **extra: Any) -> tuple[outcomes.TrialData | None, pd.DataFrame]:
    """Read a corpus file: the trial (None if refused) and its problems."""
    spec = FILES[file]
    path = BAD / ("good.csv" if "events" in spec.kwargs else file)
    try:
        trial = outcomes.read(path, **(spec.kwargs | extra))
    except outcomes.ValidationError as exc:
        return None, exc.problems
    return trial, trial.problems


def _has_errors(file: str) -> bool:
    return any(c.severity == "error" for c in CASES if c.file == file)


def _find(problems: pd.DataFrame, case: Case) -> pd.Series:
    """The problem the case describes: same code, and the same row (or column) when several."""
    found = problems[problems["code"] == case.code]
    assert len(found), f"{case.code} not found in {problems[['code', 'row', 'message']]}"
    if len(found) > 1 and isinstance(case.row, int):
        found = found[found["row"] == case.row]
        assert len(found) == 1, problems
    if len(found) > 1 and isinstance(case.column, str):  # one problem per column
        found = found[found["column"] == case.column]
        assert len(found) == 1, problems
    return found.iloc[0]


def _field(problem: pd.Series, name: str) -> Any:
    value = problem[name]
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value) if name == "row" else value


def _check(problem: pd.Series, case: Case, name: str) -> None:
    message = problem["message"]
    if name == "message":
        for text in case.message:
            assert text in message, (text, message)
        # readable: no numpy or pandas reprs, no missing-value markers
        assert not re.search(r"np\.|float64|\bnan\b|\bNone\b|<NA>", message), message
    elif name == "message-row":
        if isinstance(case.row, int):
            assert re.search(rf"\brows? (?:\d+, )*{case.row}\b", message), (case.row, message)
    elif name == "hint":
        assert problem["hint"], f"{case.code} says nothing about what to do"
    elif name == "file":
        assert problem["file"] == Path(case.problem_file or case.file).name, problem["file"]
    else:
        expected = getattr(case, name)
        if expected is not ANY:
            assert _field(problem, name) == expected, (name, problem.to_dict())


CHECKS = ("file", *LOCATION, "message", "message-row", "hint")


def _param(case: Case) -> Any:
    return pytest.param(case, id=case.id)


# -- independent counts of assessments (plain csv, not the package) --------------------------------

_INSTRUMENT_LABELS = {"MADRS": "madrs", "GAD-7": "gad7"}


def _instrument_of_column(column: str) -> str | None:
    """Which instrument a score column of the corpus belongs to (by its registry code or field)."""
    if re.fullmatch(r"MADRS(0[1-9]|10|TOT)", column):
        return "madrs"
    if re.fullmatch(r"GAD020[1-8]", column) or re.fullmatch(r"gad7_([1-7]|total)", column):
        return "gad7"
    return None


def assessments(path: Path, layout: str, skip_rows: frozenset[int] = frozenset()) -> set[tuple]:
    """(subject, visit, instrument) of every assessment with a score, counted from the file."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for i, r in enumerate(csv.DictReader(fh), start=1) if i not in skip_rows]
    found: set[tuple] = set()
    for r in rows:
        if layout == "adam":
            if not r["DTYPE"] and r["AVAL"]:
                found.add((r["USUBJID"], r["AVISIT"], _INSTRUMENT_LABELS[r["PARCAT1"]]))
        elif layout == "sdtm":
            if re.fullmatch(r"GAD020[1-8]", r["QSTESTCD"]) and r["QSSTRESN"]:
                found.add((r["USUBJID"], r["VISIT"], _INSTRUMENT_LABELS[r["QSCAT"]]))
        elif layout == "wide":
            for col, value in r.items():
                code, _, visit = col.partition("_")
                if value and _instrument_of_column(code):
                    found.add((r["subject"], visit, _instrument_of_column(code)))
        else:
            subject = r.get("subject") or r.get("record_id")
            visit = r.get("visit") or re.sub(r"_arm_\d+$", "", r.get("redcap_event_name") or "")
            if not subject or not visit:
                continue
            if "instrument" in r:
                if r["total"] and r["instrument"] in _INSTRUMENT_LABELS:
                    found.add((subject, visit, _INSTRUMENT_LABELS[r["instrument"]]))
                continue
            for col, value in r.items():
                if value and _instrument_of_column(col):
                    found.add((subject, visit, _instrument_of_column(col)))
    return found


def frame_keys(trial: outcomes.TrialData) -> set[tuple]:
    f = trial.frame
    return set(
        zip(
            f["subject"].astype(str),
            f["visit"].astype(str),
            f["instrument"].astype(str),
            strict=True,
        )
    )


# -- the corpus is documented ----------------------------------------------------------------------


def test_corpus_covers_at_least_25_distinct_codes() -> None:
    codes = {c.code for c in CASES}
    assert len(codes) >= 25, sorted(codes)
    required = {
        "non-numeric-score",
        "item-out-of-range",
        "total-out-of-range",
        "item-not-whole",
        "total-mismatch",
        "total-not-scored",
        "duplicate-assessment",
        "duplicate-value",
        "missing-subject",
        "missing-visit",
        "missing-arm",
        "no-arm-column",
        "arm-changes",
        "non-numeric-day",
        "study-day-zero",
        "non-numeric-visit-number",
        "negative-hours",
        "visit-not-in-schedule",
        "visit-outside-window",
        "visit-number-inconsistent",
        "missing-baseline",
        "unknown-instrument",
        "unknown-item",
        "no-score-columns",
        "row-set-aside",
        "event-unknown-subject",
        "event-non-numeric-day",
        "identifier-column",
        "identifier-email",
        "identifier-phone",
        "identifier-date",
        "identifier-postcode",
        "identifier-free-text",
        "identifier-age-over-89",
        "subject-id-personal",
    }
    assert required <= codes, sorted(required - codes)


def test_readme_documents_every_file_and_case() -> None:
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    on_disk = {p.relative_to(BAD).as_posix() for p in BAD.rglob("*") if p.is_file()}
    for name in on_disk - {"README.md"}:
        assert f"`{name}`" in readme, f"{name} is not in tests/bad_files/README.md"
    for case in CASES:
        assert f"`{case.code}`" in readme, case.code
    assert set(FILES) <= on_disk
    assert {c.file for c in CASES} == set(FILES)


def test_files_are_small() -> None:
    for name in FILES:
        with open(BAD / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert 3 <= len(rows) <= 12, name


# -- each problem found and located ----------------------------------------------------------------


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_problem_is_found_and_located(case: Case) -> None:
    trial, problems = _read(case.file)
    if _has_errors(case.file):
        assert trial is None, f"{case.file} has errors but was read"
    else:
        assert trial is not None
    problem = _find(problems, case)
    assert problem["severity"] == case.severity
    for name in CHECKS:
        _check(problem, case, name)


@pytest.mark.parametrize("file", list(FILES))
def test_file_gives_exactly_its_problems(file: str) -> None:
    """No spurious problem: the codes are those expected, and errors name only the bad rows."""
    trial, problems = _read(file)
    assert set(problems["code"]) == FILES[file].codes, problems[["code", "row", "message"]]
    # one problem per expected case, errors on exactly the rows expected
    expected = sorted(
        (c.code, c.row if isinstance(c.row, int) else None)
        for c in CASES
        if c.file == file and c.severity == "error"
    )
    errors = problems[problems["severity"] == "error"]
    got = sorted(
        (code, None if pd.isna(row) else int(row))
        for code, row in zip(errors["code"], errors["row"], strict=True)
    )
    assert got == expected, problems[["code", "row", "message"]]


# -- no good row is lost ---------------------------------------------------------------------------


WARNING_ONLY = [f for f in FILES if not _has_errors(f)]


@pytest.mark.parametrize("file", WARNING_ONLY)
def test_warning_only_file_keeps_every_assessment(file: str) -> None:
    trial, problems = _read(file)
    assert trial is not None
    assert (problems["severity"] == "warning").all()
    spec = FILES[file]
    path = BAD / ("good.csv" if "events" in spec.kwargs else file)
    expected = assessments(path, spec.layout)
    assert expected, "the count found assessments"
    assert frame_keys(trial) == expected


def _drop_rows(src: Path, dst: Path, rows: set[int]) -> None:
    with open(src, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        kept = [r for i, r in enumerate(reader, start=1) if i not in rows]
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(kept)


DROPPABLE = [f for f, s in FILES.items() if _has_errors(f) and s.drop_rows]


@pytest.mark.parametrize("file", DROPPABLE)
def test_without_the_rows_named_the_file_reads_and_keeps_every_other_row(
    file: str, tmp_path: Path
) -> None:
    """Every error is on the row the table names: remove those rows and the rest reads cleanly."""
    spec = FILES[file]
    bad_rows = {c.row for c in CASES if c.file == file and c.severity == "error"}
    assert all(isinstance(r, int) for r in bad_rows)
    copy = tmp_path / Path(file).name
    _drop_rows(BAD / file, copy, bad_rows)
    if spec.layout == "sdtm":
        shutil.copy(BAD / "sdtm" / "dm.csv", tmp_path / "dm.csv")
    trial = outcomes.read(copy, **spec.kwargs)
    assert not (trial.problems["severity"] == "error").any()
    expected = assessments(BAD / file, spec.layout, frozenset(bad_rows))
    assert expected == assessments(copy, spec.layout)
    assert frame_keys(trial) == expected


def test_adam_locf_row_is_set_aside_and_the_rest_kept() -> None:
    trial, problems = _read("adam_adqs_locf.csv")
    assert trial is not None
    # rows 1, 2, 4, 5, 6 are observed; row 3 (S001 WEEK 2, LOCF) is not an observation
    assert ("S001", "WEEK 2", "gad7") not in frame_keys(trial)
    assert len(trial.frame) == 5
    assert trial.frame.set_index(["subject", "visit"])["total"].to_dict() == {
        ("S001", "BASELINE"): 13.0,
        ("S001", "WEEK 1"): 10.0,
        ("S002", "BASELINE"): 15.0,
        ("S002", "WEEK 1"): 7.0,
        ("S002", "WEEK 2"): 4.0,
    }


def test_warning_rows_keep_their_scores() -> None:
    # item_not_whole.csv row 2: 2+1+2+1.5+1+1+1 = 9.5, scored from the items
    trial, _ = _read("item_not_whole.csv")
    row = trial.frame.set_index(["subject", "visit"]).loc[("S001", "WEEK 1")]
    assert (row["GAD0204"], row["total"]) == (1.5, 9.5)
    # total_not_scored.csv row 8: kept with its six items and no total
    trial, _ = _read("total_not_scored.csv")
    row = trial.frame.set_index(["subject", "visit"]).loc[("S003", "WEEK 1")]
    assert pd.isna(row["total"]) and pd.isna(row["GAD0206"]) and row["GAD0207"] == 1
    # visit_outside_window.csv row 5: kept at WEEK 1 with its day
    trial, _ = _read("visit_outside_window.csv")
    row = trial.frame.set_index(["subject", "visit"]).loc[("S002", "WEEK 1")]
    assert (row["study_day"], row["total"]) == (12.0, 7.0)


# -- many problems in one pass ---------------------------------------------------------------------


def test_many_problems_are_all_reported_in_one_validation_error() -> None:
    with pytest.raises(outcomes.ValidationError) as info:
        outcomes.read(BAD / "many_problems.csv")
    problems = info.value.problems
    found = set(zip(problems["code"], problems["row"].astype(int), strict=True))
    assert found == {
        ("item-out-of-range", 2),
        ("study-day-zero", 3),
        ("non-numeric-score", 5),
        ("arm-changes", 6),
        ("total-mismatch", 7),
        ("missing-visit", 8),
        ("identifier-email", 9),
    }
    text = str(info.value)
    assert text.startswith("7 error(s) and 0 warning(s)")
    for row in (2, 3, 5, 6, 7, 8, 9):
        assert f"row {row}" in text
    # rows 1 and 4 are good: nothing is said about them
    assert not problems["row"].isin([1, 4]).any()


# -- anonymisation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "raw"),
    [
        ("subject_id_email.csv", ["anna.berg@example.org", "tom.hale@example.org"]),
        ("subject_id_name.csv", ["Anna Berg", "Tom Hale"]),
        ("identifier_email.csv", ["jane.doe@example.org"]),
        ("identifier_phone.csv", ["07700 900123"]),
        ("many_problems.csv", ["tom.hale@example.org"]),
        (
            "identifier_forms.csv",
            ["john smith", "jöhn", "exämple", "07700", "900123", "943", "5919", "1985", "Acacia"],
        ),
        ("identifier_role_columns.csv", ["1985-03-05", "07700 900123", "jane.doe@example.org"]),
    ],
)
def test_no_problem_report_repeats_an_identifier(file: str, raw: list[str]) -> None:
    with pytest.raises(outcomes.ValidationError) as info:
        outcomes.read(BAD / file, **FILES[file].kwargs)
    text = info.value.problems.astype(str).to_csv() + str(info.value)
    for value in raw:
        assert value not in text


def test_allow_identifiers_lets_the_column_through() -> None:
    with pytest.raises(outcomes.ValidationError):
        outcomes.read(BAD / "identifier_column.csv")
    trial = outcomes.read(BAD / "identifier_column.csv", allow_identifiers=["patient_name"])
    assert trial.problems.empty
    assert frame_keys(trial) == assessments(BAD / "identifier_column.csv", "long")
    assert "patient_name" in trial.covariates


def test_allow_identifiers_is_per_column() -> None:
    # allowing one column does not let the others through
    with pytest.raises(outcomes.ValidationError) as info:
        outcomes.read(BAD / "identifiers_url_ip_ssn.csv", allow_identifiers=["source"])
    assert set(info.value.problems["code"]) == {"identifier-ip", "identifier-ssn"}


# -- bad usage: clear exceptions, not tracebacks from pandas ---------------------------------------


def _not_raw(exc: BaseException) -> None:
    assert isinstance(exc, outcomes.OutcomesError)
    assert not isinstance(exc, KeyError | pd.errors.ParserError | pd.errors.EmptyDataError)


def test_missing_file_is_a_read_error() -> None:
    with pytest.raises(outcomes.ReadError) as info:
        outcomes.read(BAD / "no_such_file.csv")
    _not_raw(info.value)
    assert "no_such_file.csv" in str(info.value)


def test_empty_file_is_a_read_error() -> None:
    with pytest.raises(outcomes.ReadError) as info:
        outcomes.read(BAD / "empty.csv")
    _not_raw(info.value)
    assert "empty.csv" in str(info.value)


def test_unknown_layout_is_a_mapping_error() -> None:
    with pytest.raises(outcomes.MappingError) as info:
        outcomes.read(BAD / "good.csv", layout="spss-long")
    _not_raw(info.value)
    assert "spss-long" in str(info.value) and "long" in str(info.value)


def test_mapping_naming_an_absent_column_is_a_mapping_error() -> None:
    with pytest.raises(outcomes.MappingError) as info:
        outcomes.read(BAD / "good.csv", mapping={"arm": "treatment_group"})
    _not_raw(info.value)
    assert "treatment_group" in str(info.value) and "good.csv" in str(info.value)


def test_mapping_with_an_unknown_role_is_a_mapping_error() -> None:
    with pytest.raises(outcomes.MappingError) as info:
        outcomes.read(BAD / "good.csv", mapping={"patient": "subject"})
    _not_raw(info.value)
    assert "patient" in str(info.value)


def test_no_subject_column_is_a_mapping_error_listing_the_columns() -> None:
    with pytest.raises(outcomes.MappingError) as info:
        outcomes.read(BAD / "no_subject_column.csv")
    _not_raw(info.value)
    message = str(info.value)
    assert "subject" in message and "participant_code" in message and "GAD0201" in message
    assert "no_subject_column.csv" in message
    # the fix the message suggests works
    trial = outcomes.read(BAD / "no_subject_column.csv", mapping={"subject": "participant_code"})
    assert frame_keys(trial) == {
        (s, v, "gad7") for s in ("S001", "S002") for v in ("BASELINE", "WEEK 1", "WEEK 2")
    }


def test_cdisc_layout_forced_on_a_long_file_is_a_mapping_error() -> None:
    with pytest.raises(outcomes.MappingError) as info:
        outcomes.read(BAD / "good.csv", layout="sdtm-qs")
    _not_raw(info.value)
    assert "USUBJID" in str(info.value) and "good.csv" in str(info.value)


def test_unknown_instrument_argument_is_an_instrument_error() -> None:
    with pytest.raises(outcomes.InstrumentError) as info:
        outcomes.read(BAD / "good.csv", instrument="QIDS-SR16")
    _not_raw(info.value)
    assert "QIDS-SR16" in str(info.value)


def test_missing_schedule_file_is_a_schedule_error() -> None:
    with pytest.raises(outcomes.ScheduleError) as info:
        outcomes.read(BAD / "good.csv", schedule=BAD / "no_such_schedule.toml")
    _not_raw(info.value)
    assert "no_such_schedule.toml" in str(info.value)


def test_missing_events_file_is_a_read_error() -> None:
    with pytest.raises(outcomes.ReadError) as info:
        outcomes.read(BAD / "good.csv", events=BAD / "no_such_events.csv")
    _not_raw(info.value)
    assert "no_such_events.csv" in str(info.value)
