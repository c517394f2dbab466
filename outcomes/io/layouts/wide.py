"""The wide layout: a row per subject, a column per measure and visit.

A score column's name joins a measure and a visit with a separator (``_``, ``.``, ``@``, ``-`` or
a space), in either order: ``MADRS01_WEEK 2``, ``madrs_total.baseline``, ``W2_GAD7_3``. The study
day and hours since dose of a visit may be given the same way (``study_day_WEEK 2``,
``hours_since_dose_WEEK 2``). Subject, arm and covariate columns are detected or mapped as in the
long layout.
"""

from __future__ import annotations

import re

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.io.layouts.base import (
    Extracted,
    assemble,
    file_covariates,
    listed_columns,
    score_block,
    written_total,
)
from outcomes.io.mapping import ROLES, ColumnMapping, normalise, resolve_roles
from outcomes.io.measures import Measure, MeasureIndex

__all__ = ["NAME", "detect", "extract", "to_table"]

#: The layout's name, as ``read(layout=...)`` takes it.
NAME = "wide"


def detect(columns: set[str]) -> str | None:
    """Any table is wide, the last resort: its visits are read from its column names."""
    return "no visit column; visits are read from column names"


_SEPARATOR = re.compile(r"[_.@\- ]")
_PER_VISIT_ROLES = ("study_day", "hours_since_dose", "visit_num")


def split_column(
    name: str, index: MeasureIndex, instrument: str | None
) -> tuple[Measure | str, str] | None:
    """``(measure or per-visit role, visit)`` a wide column stands for, or ``None``.

    Examples
    --------
    >>> idx = MeasureIndex()
    >>> split_column("MADRS01_WEEK 2", idx, None)
    (Measure(instrument='madrs', code='MADRS01', is_total=False), 'WEEK 2')
    >>> split_column("study_day_WEEK 2", idx, None)
    ('study_day', 'WEEK 2')
    """
    for m in _SEPARATOR.finditer(name):
        left, right = name[: m.start()], name[m.end() :]
        if not left or not right:
            continue
        for part, visit in ((left, right), (right, left)):
            role = next(
                (r for r in _PER_VISIT_ROLES if normalise(part) in (*ROLES[r], r.replace("_", ""))),
                None,
            )
            if role is not None:
                return role, visit
            measure = index.resolve(part, instrument)
            if measure is not None:
                return measure, visit
    return None


def extract(
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
) -> Extracted:
    """Assessments and score values of a wide table (see the module docstring)."""
    roles, notes = resolve_roles(
        raw.columns,
        mapping,
        ("subject", "arm", "period_treatment"),
        required=("subject",),
        file=log.file or "the file",
    )
    role_cols = set(roles.values())
    split = {c: split_column(str(c), index, instrument) for c in raw.columns if c not in role_cols}
    split = {c: s for c, s in split.items() if s is not None}
    visits = list(dict.fromkeys(v for _, v in split.values()))
    used = role_cols | set(split)
    covariates, renamed = file_covariates(
        raw.columns,
        (
            list(mapping.covariates)
            if mapping.covariates is not None
            else [c for c in raw.columns if c not in used]
        ),
        roles=roles,
        mapped=mapping.roles,
        log=log,
    )
    occasions = []
    blocks = []
    for k, visit in enumerate(visits):
        cols = {c: s[0] for c, s in split.items() if s[1] == visit}
        key = pd.Series(range(len(raw)), index=raw.index) * len(visits) + k
        measures = {c: (m.instrument, m.code) for c, m in cols.items() if isinstance(m, Measure)}
        blocks.append(score_block(raw, measures, key))
        columns = {role: raw[col] for role, col in roles.items()}
        columns["visit"] = visit
        columns.update({role: raw[c] for c, role in cols.items() if isinstance(role, str)})
        columns["source_row"] = raw.index + 1
        columns.update({n: raw[c] for n, c in covariates.items()})  # at once: O(n^2) one by one
        occ = pd.DataFrame(columns, index=raw.index)
        occasions.append(occ.set_index(key.to_numpy()))
    if not any(block.scored().any() for block in blocks):
        log.add(
            "error",
            "no-score-columns",
            f"no score columns of the form <measure>_<visit> among {listed_columns(raw.columns)}",
            hint="name columns like MADRS01_WEEK 2 or madrs_total_baseline, or read the file "
            "with layout='long' if it has a visit column",
        )
    occ_all = pd.concat(occasions) if occasions else pd.DataFrame(columns=["source_row"])
    records, values = assemble(occ_all, blocks)
    notes = notes + [f"wide layout: {len(visits)} visits {visits} in {len(split)} columns"]
    return Extracted(records, values, list(covariates), roles, list(split), notes + renamed)


def to_table(trial: TrialData) -> pd.DataFrame:
    """The trial as a wide table: subject, arm, covariates, then per visit day, hours, scores.

    Prorated totals are not written: they follow from the items and the reader's policy.
    """
    frame = trial.frame
    out = trial.subjects.copy()
    out["arm"] = out["arm"].astype("str")
    columns: dict[str, pd.Series] = {}
    for visit in trial.schedule.visit_names:
        at = frame[frame["visit"] == visit]
        if at.empty:
            continue
        per_subject = at.drop_duplicates("subject").set_index("subject")
        columns[f"study_day_{visit}"] = per_subject["study_day"]
        columns[f"hours_since_dose_{visit}"] = per_subject["hours_since_dose"]
        for name, inst in trial.instruments.items():
            rows = at[at["instrument"] == name].set_index("subject")
            if rows.empty:
                continue
            for code in inst.item_codes:
                columns[f"{code}_{visit}"] = rows[code]
            written = written_total(rows)
            columns[f"{inst.total_code}_{visit}"] = written
    wide = pd.DataFrame(columns).reindex(out["subject"])
    return pd.concat([out.set_index("subject"), wide], axis=1).reset_index()
