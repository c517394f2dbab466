"""A subject-level table (CDISC DM or ADSL, or any table of subjects) joined to the assessments."""

from __future__ import annotations

import pandas as pd

from outcomes.data.anonymity import find_identifiers
from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError
from outcomes.io.layouts.base import Extracted
from outcomes.io.layouts.cdisc import COVARIATES, upper_columns
from outcomes.io.mapping import detect_role

__all__ = ["merge_subjects"]

_ARM_VARIABLES = ("ARM", "TRT01P", "ACTARM", "ARMCD", "TRT01A")


def merge_subjects(ex: Extracted, subjects: pd.DataFrame, log: ProblemLog) -> Extracted:
    """Fill in each assessment's arm and covariates from a table with one row per subject.

    A CDISC table (``USUBJID``) gives its arm (``ARM``, else ``TRT01P``, ``ACTARM``, ``ARMCD``)
    and the standard covariates of :data:`~outcomes.io.layouts.cdisc.COVARIATES`; any other table
    gives the arm and subject columns it is detected to have, and every other column as a covariate.
    The table is scanned for identifiers like the score file.
    """
    upper = upper_columns(subjects)
    if "USUBJID" in upper:
        subject_col = upper["USUBJID"]
        arm_col = next((upper[v] for v in _ARM_VARIABLES if v in upper), None)
        keep = {upper[v]: name for v, name in COVARIATES.items() if v in upper}
    else:
        subject_col = detect_role("subject", subjects.columns)
        arm_col = detect_role("arm", subjects.columns, [subject_col or ""])
        keep = {c: c for c in subjects.columns if c not in (subject_col, arm_col)}
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
    log.merge(sub_log)
    table = pd.DataFrame({"subject": subjects[subject_col].astype("str")})
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
    notes = [*ex.notes, f"arm and covariates {new} from the subjects table {source}"]
    return Extracted(
        records,
        ex.values,
        [*ex.covariates, *new],
        role_columns,
        ex.score_columns,
        notes,
        ex.set_aside,
    )
