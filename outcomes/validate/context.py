"""Checks of each assessment's context: subject, arm, visit, days, hours, sessions, periods."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog, Severity, location
from outcomes.data.text import as_text, distinct_texts
from outcomes.io.layouts.base import RECORD_COLUMNS

__all__ = [
    "MAX_COUNT",
    "check_arm_changes",
    "check_context",
    "check_covariates",
    "check_duplicate_assessments",
    "report_rows",
]

#: The roles read as numbers.
_NUMERIC_ROLES = ("study_day", "visit_num", "hours_since_dose", "session", "period")

#: The largest session or period number read; a larger one is a typing error or a code.
MAX_COUNT = 1000


def report_rows(
    rec: pd.DataFrame,
    mask: pd.Series,
    log: ProblemLog,
    severity: Severity,
    code: str,
    message: str,
    hint: str,
    column: str | None,
    value_col: str | None = None,
) -> None:
    """One problem per file row among the records in ``mask``."""
    if not mask.any():
        return
    for _, r in rec[mask].drop_duplicates("source_row").iterrows():
        value = r[value_col] if value_col else None
        log.add(
            severity,
            code,
            message.format(
                row=r["source_row"],
                value=value,  # type: ignore[arg-type]
                subject=r["subject"],
                visit=r["visit"],
            ),
            hint=hint,
            **location(r),
            column=column,
            value=value,
        )


def _report_values(
    rec: pd.DataFrame,
    bad: np.ndarray | pd.Series,
    values: pd.Series,
    show: Callable[[pd.Series], pd.Series],
    log: ProblemLog,
    code: str,
    message: str,
    hint: str,
    column: str,
) -> None:
    """An error per file row among the records in ``bad``, with ``show`` of its value.

    ``values`` is aligned with ``rec``; ``show`` is applied to the reported rows' values only,
    and only when there are some.
    """
    if not bad.any():
        return
    rows = rec[bad].assign(_value=show(values[bad]))
    mask = np.ones(len(rows), dtype=bool)
    report_rows(rows, mask, log, "error", code, message, hint, column, "_value")


def _reads_exactly(dtype: Any) -> bool:
    """Whether a dtype's values as float64 are the numbers their text (:func:`as_text`) reads as.

    True for integers and float64: text writes a float64 exactly, and its whole numbers
    without a decimal point. Not for narrower floats, whose text is the shortest that reads back
    as the same float32 (0.1, not 0.10000000149011612), nor for booleans, text "True"/"False".
    """
    return dtype.kind in "iu" or (dtype.kind == "f" and dtype.itemsize == 8)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column's values as numbers (float64) as its text reads, and where text is not a number.

    Numbers of an integer or float64 column are taken as they are; text is parsed once per
    distinct value. Missing values and text that is not a number are NaN.

    Examples
    --------
    >>> number, not_number = _numbers(pd.Series(["1", " 2.5 ", "x", None]))
    >>> number.tolist(), not_number.tolist()
    ([1.0, 2.5, nan, nan], [False, False, True, False])
    """
    if _reads_exactly(values.dtype):
        number = values.to_numpy(dtype=float, na_value=np.nan)  # a float64 column: not copied
        if np.signbit(number[number == 0]).any():
            number = number + 0.0  # -0.0 reads as "0"
        return number, np.zeros(len(values), dtype=bool)
    codes, texts = distinct_texts(values)
    parsed = pd.to_numeric(texts, errors="coerce").astype(float)
    not_number = (texts.notna() & parsed.isna()).to_numpy()
    return parsed.to_numpy()[codes], not_number[codes]


def _numeric_role(
    rec: pd.DataFrame, role: str, rc: dict[str, str], log: ProblemLog, code: str
) -> pd.Series:
    """The role's values as numbers; text and infinite values are reported and left missing."""
    number, not_number = _numbers(rec[role])
    col = rc.get(role, role)
    what = role.replace("_", " ")
    for bad, reason in (
        (not_number, "is not a number"),
        (np.isinf(number), "is not a finite number"),
    ):
        _report_values(
            rec,
            bad,
            rec[role],
            as_text,
            log,
            code,
            f"row {{row}}: {what} {{value!r}} in column {col!r} {reason}",
            f"write {what} as a number, or leave the cell empty",
            col,
        )
    infinite = np.isinf(number)
    if infinite.any():
        number = np.where(infinite, np.nan, number)
    return pd.Series(number, index=rec.index, copy=False)


def _count_role(
    rec: pd.DataFrame, role: str, rc: dict[str, str], log: ProblemLog, meaning: str
) -> pd.Series:
    """A session or period number: a whole number from 0 to :data:`MAX_COUNT`, else reported.

    Text and infinite values are ``non-numeric-<role>``, other numbers ``invalid-<role>``; all
    are left missing, so that nothing later has to cast them to whole numbers.
    """
    number = _numeric_role(rec, role, rc, log, f"non-numeric-{role}")
    known = number.notna()
    if not known.any():  # a column the file does not have, say
        return number
    bad = known & ((number % 1 != 0) | (number < 0) | (number > MAX_COUNT))
    col = rc.get(role, role)
    _report_values(
        rec,
        bad,
        number,
        _general_format,
        log,
        f"invalid-{role}",
        f"row {{row}}: {role} {{value}} in column {col!r} is not a {role} number: {meaning} "
        f"is a whole number from 0 to {MAX_COUNT}",
        f"correct the {role}, or leave the cell empty",
        col,
    )
    return number.mask(bad)


def _general_format(number: pd.Series) -> pd.Series:
    """Numbers as ``{:g}`` writes them (3, 1.5, 1e+06)."""
    return number.map("{:g}".format)


def check_covariates(rec: pd.DataFrame, log: ProblemLog) -> None:
    """Report covariate values that are infinite: numbers, but not ones a model can use.

    Covariates are the columns of ``rec`` after :data:`~outcomes.io.layouts.base.RECORD_COLUMNS`.
    A column is read as numbers when every value is one (else it is text, and ``inf`` in it is
    a word). Huge but finite values are kept: they are numbers, and a model takes them.

    Examples
    --------
    >>> rec = pd.DataFrame({"source_row": [1, 2], "subject": ["S1", "S2"], "visit": ["V1", "V1"],
    ...                     "instrument": ["gad7", "gad7"], "weight": [70.5, float("inf")]})
    >>> log = ProblemLog()
    >>> check_covariates(rec, log)
    >>> log.to_frame()[["code", "row", "column", "value"]].values.tolist()
    [['non-finite-covariate', 2, 'weight', 'inf']]
    """
    for column in [c for c in rec.columns if c not in RECORD_COLUMNS]:
        values = rec[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            infinite = np.isinf(values.astype(float).to_numpy())
        else:
            number, not_number = _numbers(values)
            if not_number.any():
                continue  # a text covariate
            infinite = np.isinf(number)
        _report_values(
            rec,
            infinite,
            values,
            as_text,
            log,
            "non-finite-covariate",
            f"row {{row}}: covariate {column!r} is {{value}}, not a finite number",
            "correct the value, or leave the cell empty if it is not known",
            column,
        )


def check_context(records: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> pd.DataFrame:
    """Check each record's context: the roles as text and numbers, invalid numbers left missing.

    Where the file orders its visit labels (an ordered categorical visit column, as a DataFrame
    given to :func:`outcomes.from_frame` may have), the order is kept in
    ``rec.attrs["visit_order"]``: the labels as text, in that order.

    Examples
    --------
    >>> records = pd.DataFrame({"record": [0], "subject": ["S1"], "arm": ["A"], "visit": ["V1"],
    ...     "visit_num": [1], "study_day": [1], "session": [1.5], "hours_since_dose": [None],
    ...     "period_treatment": [None], "period": [None], "instrument": ["gad7"],
    ...     "source_row": [1]})
    >>> log = ProblemLog()
    >>> rec = check_context(records, {"arm": "arm", "session": "SESS"}, log)
    >>> log.to_frame()[["code", "row", "column", "value"]].values.tolist()
    [['invalid-session', 1, 'SESS', '1.5']]
    >>> rec["session"].tolist()
    [nan]
    """
    rec = records.copy(deep=False)
    order = _visit_order(rec["visit"])
    if order is not None:
        rec.attrs["visit_order"] = order
    for role in ("subject", "arm", "visit", "period_treatment", "instrument"):
        rec[role] = as_text(rec[role])
    need = {"subject": "missing-subject", "visit": "missing-visit"}
    if "arm" in rc:
        need["arm"] = "missing-arm"
    else:
        log.add(
            "warning",
            "no-arm-column",
            "the file has no arm column: every subject is in one arm",
            hint="map the randomised arm with mapping={'arm': '<column>'} if there is one",
        )
        rec["arm"] = "ALL"
    for role, code in need.items():
        col = rc.get(role, role)
        report_rows(
            rec,
            rec[role].isna(),
            log,
            "error",
            code,
            f"row {{row}}: no {role} in column {col!r}",
            f"fill in the {role}; a row without it cannot be placed",
            col,
        )
    # A role the file does not have is all missing: one column of NaN serves them all.
    absent = [r for r in _NUMERIC_ROLES if rec[r].isna().all()]
    nothing = pd.Series(np.full(len(rec), np.nan), index=rec.index)
    for role in absent:
        rec[role] = nothing
    rec["study_day"] = _numeric_role(rec, "study_day", rc, log, "non-numeric-day")
    col = rc.get("study_day", "study_day")
    report_rows(
        rec,
        rec["study_day"] == 0,
        log,
        "error",
        "study-day-zero",
        f"row {{row}}: study day 0 in column {col!r}; study days run ..., -1, 1, 2, ... "
        "with no day 0",
        "recompute the study day: day 1 is the reference start",
        col,
        "study_day",
    )
    rec["visit_num"] = _numeric_role(rec, "visit_num", rc, log, "non-numeric-visit-number")
    rec["hours_since_dose"] = _numeric_role(rec, "hours_since_dose", rc, log, "non-numeric-hours")
    col = rc.get("hours_since_dose", "hours_since_dose")
    report_rows(
        rec,
        rec["hours_since_dose"] < 0,
        log,
        "error",
        "negative-hours",
        f"row {{row}}: negative hours since dose in column {col!r}",
        "hours since the last dose cannot be negative",
        col,
        "hours_since_dose",
    )
    rec["session"] = _count_role(
        rec, "session", rc, log, "the number of the last dose before the assessment"
    )
    rec["period"] = _count_role(rec, "period", rc, log, "the number of the period")
    check_covariates(rec, log)
    return rec


def _visit_order(visit: pd.Series) -> tuple[str, ...] | None:
    """The labels of an ordered categorical visit column as text, in order; else None."""
    if not (isinstance(visit.dtype, pd.CategoricalDtype) and visit.dtype.ordered):
        return None
    labels = as_text(pd.Series(visit.cat.categories, dtype=object)).dropna()
    return tuple(dict.fromkeys(labels))


def check_duplicate_assessments(rec: pd.DataFrame, log: ProblemLog) -> None:
    """One error per subject, visit and instrument with more than one record."""
    keys = ["subject", "visit", "instrument"]
    keyed = rec[[*keys, "source_row"]].dropna(subset=keys)
    if not _repeats(keyed[keys]):
        return
    dup = keyed.duplicated(keys, keep=False)
    for (subject, visit, inst), grp in keyed[dup].groupby(keys, sort=False):
        rows = ", ".join(str(x) for x in sorted(set(grp["source_row"])))
        log.add(
            "error",
            "duplicate-assessment",
            f"subject {subject} has {len(grp)} {inst} assessments at visit {visit} (rows {rows})",
            hint="keep one assessment per subject, visit and instrument; give a repeat or "
            "unscheduled assessment its own visit label",
            row=grp["source_row"].iloc[1],
            subject=subject,
            visit=visit,
            instrument=inst,
        )


def _repeats(keys: pd.DataFrame) -> bool:
    """Whether two rows of ``keys`` (no missing values) are equal.

    Each column is coded by its distinct values; where the combinations of codes are at most
    four a row, they are counted (no hashing of the rows), else the rows are hashed.

    Examples
    --------
    >>> _repeats(pd.DataFrame({"subject": ["S1", "S1", "S2"], "visit": ["V1", "V2", "V1"]}))
    False
    """
    combined, size = np.zeros(len(keys), dtype=np.int64), 1
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column])
        size *= len(uniques)
        if size > 4 * len(keys):
            return bool(keys.duplicated().any())
        combined = combined * len(uniques) + codes
    return bool((np.bincount(combined) > 1).any())


def check_arm_changes(rec: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> None:
    """One error per subject whose arm is not the same on every record.

    The subjects in more than one arm are found from the distinct (subject, arm) pairs, as
    codes; only they are looked at one by one.
    """
    known = rec[["subject", "arm"]].dropna()
    subject, subjects = pd.factorize(known["subject"])
    arm, arms = pd.factorize(known["arm"])
    pairs = pd.unique(subject * len(arms) + arm)
    changing = subjects[np.bincount(pairs // max(len(arms), 1), minlength=len(subjects)) > 1]
    if not len(changing):
        return
    changed_subjects = known[known["subject"].isin(changing)]
    for subject, grp in changed_subjects.groupby("subject", sort=True)["arm"]:
        found = list(dict.fromkeys(grp))
        if len(found) > 1:
            changed = rec.loc[grp.index[grp != found[0]]].sort_values("source_row").iloc[0]
            first_change = changed["source_row"]
            log.add(
                "error",
                "arm-changes",
                f"subject {subject} is in arms {found} (first change at row {first_change}); "
                "the randomised arm cannot change",
                hint="correct the arm; a treatment that changes by period belongs in a "
                "period-treatment column (TRTP), mapped as 'period_treatment'",
                row=first_change,
                subject=subject,
                visit=changed["visit"],
                column=rc.get("arm"),
                value=changed["arm"],
            )
