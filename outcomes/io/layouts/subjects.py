"""A subject-level table (CDISC DM or ADSL, or any table of subjects) joined to the assessments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError
from outcomes.io.layouts.base import Extracted
from outcomes.io.layouts.cdisc import covariate_columns, upper_columns
from outcomes.io.mapping import ColumnMapping, detect_role
from outcomes.validate.anonymity import find_identifiers

__all__ = ["merge_subjects"]

_ARM_VARIABLES = ("ARM", "TRT01P", "ACTARM", "ARMCD", "TRT01A")


def merge_subjects(
    ex: Extracted, subjects: pd.DataFrame, log: ProblemLog, mapping: ColumnMapping | None = None
) -> Extracted:
    """Fill in each assessment's arm and covariates from a table with one row per subject.

    A CDISC table (``USUBJID``) gives its arm (``ARM``, else ``TRT01P``, ``ACTARM``, ``ARMCD``,
    ``TRT01A``; the mapping's ``arm`` when the table has that column) and the covariates of
    :func:`~outcomes.io.layouts.cdisc.covariate_columns` (standard ones, population flags,
    ``SITEGR1``; or those ``covariates=`` names); any other table gives the arm and subject
    columns it is detected to have, and every other column (or those named) as a covariate. The
    score file's own arm and covariates win where it has them. The table is scanned for
    identifiers like the score file; a subject on two rows of it is an error
    (``duplicate-subject``), located at the later row.
    """
    mapping = mapping or ColumnMapping()
    upper = upper_columns(subjects)
    mapped_arm = mapping.roles.get("arm")
    if "USUBJID" in upper:
        subject_col = upper["USUBJID"]
        arm_col = next((upper[v] for v in _ARM_VARIABLES if v in upper), None)
        keep = covariate_columns(subjects, upper, mapping)
    else:
        subject_col = detect_role("subject", subjects.columns)
        arm_col = detect_role("arm", subjects.columns, [subject_col or ""])
        wanted = None if mapping.covariates is None else set(mapping.covariates)
        keep = {
            c: str(c)
            for c in subjects.columns
            if c not in (subject_col, arm_col) and (wanted is None or c in wanted)
        }
    if mapped_arm is not None and mapped_arm in subjects.columns:
        arm_col = mapped_arm
        keep.pop(mapped_arm, None)
    if subject_col is None:
        raise MappingError(
            f"the subjects table has no subject column; its columns are {list(subjects.columns)}"
        )
    source = subjects.attrs.get("source", {}).get("file", "subjects")
    sub_log = ProblemLog(file=source)
    find_identifiers(
        subjects[[subject_col, *([arm_col] if arm_col else []), *keep]],
        sub_log,
        subject_column=subject_col,
    )
    key_in_table = subjects[subject_col].astype("str")
    _check_once(key_in_table, subject_col, sub_log)
    log.merge(sub_log)
    table = pd.DataFrame({"subject": key_in_table})
    if arm_col is not None:
        table["arm"] = subjects[arm_col]
    for col, name in keep.items():
        table[name] = subjects[col]
    table = table.drop_duplicates("subject").set_index("subject")
    records = ex.records.copy()
    key = records["subject"].astype("str")
    role_columns = dict(ex.role_columns)
    if arm_col is not None:
        records["arm"] = records["arm"].where(records["arm"].notna(), key.map(table["arm"]))
        role_columns.setdefault("arm", f"{source}:{arm_col}")
    new = [name for name in keep.values() if name not in records]
    for name in new:
        records[name] = key.map(table[name])
    added = ["the arm"] if arm_col is not None and ex.role_columns.get("arm") is None else []
    added += [f"covariates {new}"] if new else []
    named = Path(source).name  # the notes go into reports: the file's name, not where it is
    notes = [
        *ex.notes,
        f"{' and '.join(added)} from the subjects table {named}"
        if added
        else f"nothing added from the subjects table {named}: the score file has the arm and "
        "the covariates asked for",
    ]
    absent = sorted(set(key.unique()) - set(table.index))
    if absent:
        first = records.loc[~key.isin(table.index), "source_row"].min()
        log.add(
            "warning",
            "subject-not-in-subjects-table",
            f"{len(absent)} subject(s) of the score file are not in the subjects table {source} "
            f"(first at row {first}): their arm and covariates come from the score file only",
            hint="check that the subjects table is the same study's and complete",
            row=first,
            subject=absent[0],
        )
    return Extracted(
        records,
        ex.values,
        [*ex.covariates, *new],
        role_columns,
        ex.score_columns,
        notes,
        ex.set_aside,
    )


def _check_once(subject: pd.Series, column: str, log: ProblemLog) -> None:
    """Each subject on one row of a subject-level table; one error per subject found twice."""
    repeated = subject.duplicated(keep="first") & subject.notna()
    once = subject[~subject.duplicated(keep="first")]
    first_row = pd.Series(once.index, index=once.to_numpy())
    for row in subject.index[repeated.to_numpy()]:
        first = int(first_row[subject[row]]) + 1
        log.add(
            "error",
            "duplicate-subject",
            f"row {row + 1}: subject {subject[row]} is also on row {first} of the subjects table; "
            "a subject-level table has one row per subject",
            hint="keep one row per subject (a DM or ADSL data set has one)",
            row=row + 1,
            subject=subject[row],
            column=column,
        )
