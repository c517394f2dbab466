"""Checks of each assessment's context: subject, arm, visit, days, hours, sessions, periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog, Severity, location
from outcomes.data.text import as_text
from outcomes.io.layouts.base import RECORD_COLUMNS

__all__ = [
    "MAX_COUNT",
    "check_arm_changes",
    "check_context",
    "check_covariates",
    "check_duplicate_assessments",
    "report_rows",
]

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


def _numeric_role(
    rec: pd.DataFrame, role: str, rc: dict[str, str], log: ProblemLog, code: str
) -> pd.Series:
    """The role's values as numbers; text and infinite values are reported and left missing."""
    text = as_text(rec[role])
    number = pd.to_numeric(text, errors="coerce").astype(float)
    col = rc.get(role, role)
    what = role.replace("_", " ")
    for bad, reason in (
        (text.notna() & number.isna(), "is not a number"),
        (np.isinf(number), "is not a finite number"),
    ):
        report_rows(
            rec.assign(_raw=text),
            bad,
            log,
            "error",
            code,
            f"row {{row}}: {what} {{value!r}} in column {col!r} {reason}",
            f"write {what} as a number, or leave the cell empty",
            col,
            "_raw",
        )
    return number.where(np.isfinite(number))


def _count_role(
    rec: pd.DataFrame, role: str, rc: dict[str, str], log: ProblemLog, meaning: str
) -> pd.Series:
    """A session or period number: a whole number from 0 to :data:`MAX_COUNT`, else reported.

    Text and infinite values are ``non-numeric-<role>``, other numbers ``invalid-<role>``; all
    are left missing, so that nothing later has to cast them to whole numbers.
    """
    number = _numeric_role(rec, role, rc, log, f"non-numeric-{role}")
    bad = number.notna() & ((number % 1 != 0) | (number < 0) | (number > MAX_COUNT))
    col = rc.get(role, role)
    report_rows(
        rec.assign(_number=number.map("{:g}".format, na_action="ignore")),
        bad,
        log,
        "error",
        f"invalid-{role}",
        f"row {{row}}: {role} {{value}} in column {col!r} is not a {role} number: {meaning} "
        f"is a whole number from 0 to {MAX_COUNT}",
        f"correct the {role}, or leave the cell empty",
        col,
        "_number",
    )
    return number.mask(bad)


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
        text = as_text(values)
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        number = values if numeric else pd.to_numeric(text, errors="coerce")
        if (number.isna() & text.notna()).any():
            continue  # a text covariate
        report_rows(
            rec.assign(_raw=text),
            pd.Series(np.isinf(number.astype(float)), index=rec.index),
            log,
            "error",
            "non-finite-covariate",
            f"row {{row}}: covariate {column!r} is {{value}}, not a finite number",
            "correct the value, or leave the cell empty if it is not known",
            column,
            "_raw",
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
    rec = records.copy()
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
    keys = ["subject", "visit", "instrument"]
    dup = rec.dropna(subset=keys).duplicated(keys, keep=False)
    for (subject, visit, inst), grp in rec.dropna(subset=keys)[dup].groupby(keys, sort=False):
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


def check_arm_changes(rec: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> None:
    """One error per subject whose arm is not the same on every record (found by group-by)."""
    known = rec.dropna(subset=["subject", "arm"])
    changing = known.groupby("subject", sort=True)["arm"].nunique() > 1
    if not changing.any():
        return
    changed_subjects = known[known["subject"].isin(changing.index[changing.to_numpy()])]
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
