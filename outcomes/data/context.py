"""Checks of each assessment's context: subject, arm, visit, days, hours, sessions, periods."""

from __future__ import annotations

import pandas as pd

from outcomes.data.problems import ProblemLog, Severity, location
from outcomes.data.text import as_text

__all__ = [
    "check_arm_changes",
    "check_context",
    "check_duplicate_assessments",
    "report_rows",
]


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
    raw = rec[role]
    text = as_text(raw)
    number = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & number.isna()
    col = rc.get(role, role)
    report_rows(
        rec.assign(_raw=text),
        bad,
        log,
        "error",
        code,
        f"row {{row}}: {role.replace('_', ' ')} {{value!r}} in column {col!r} is not a number",
        f"write {role.replace('_', ' ')} as a number, or leave the cell empty",
        col,
        "_raw",
    )
    return number.astype(float)


def check_context(records: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> pd.DataFrame:
    rec = records.copy()
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
    rec["session"] = _numeric_role(rec, "session", rc, log, "non-numeric-session")
    rec["period"] = _numeric_role(rec, "period", rc, log, "non-numeric-period")
    return rec


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
    arms = rec.dropna(subset=["subject", "arm"]).groupby("subject")["arm"]
    for subject, grp in arms:
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
