"""The long layout: a row per subject x visit, item scores or totals as columns.

Score columns are recognised by name (``MADRS01``, ``madrs_1``, ``GAD-7 total``; see
:class:`~outcomes.io.measures.MeasureIndex`) or named in the mapping. Several instruments may share
a row. A file with an ``instrument`` column holds one instrument per row, its total in a ``total``
column. Every column that plays no role and holds no score is kept as a covariate (one named
like a column of the frame, such as ``phase``, as ``phase_file``: see
:func:`~outcomes.io.layouts.base.file_covariates`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError
from outcomes.io.layouts.base import (
    CONTEXT_ROLES,
    Extracted,
    ScoreBlock,
    assemble,
    file_covariates,
    listed_columns,
    score_block,
    written_total,
)
from outcomes.io.mapping import ColumnMapping, resolve_roles
from outcomes.io.measures import MeasureIndex, find_measures

__all__ = ["NAME", "ONE_VISIT", "detect", "extract", "extract_rows", "to_table"]

#: The layout's name, as ``read(layout=...)`` takes it.
NAME = "long"


def detect(columns: set[str]) -> str | None:
    """Why a table with these (normalised) column names is long, or ``None``."""
    return "a visit column is present" if columns & _VISIT_NAMES else None


#: Visit column names (normalised) that make a table long.
_VISIT_NAMES = frozenset({"visit", "avisit", "visitname", "visitlabel", "timepoint", "event"})


def extract(
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
) -> Extracted:
    """Assessments and score values of a long table (see the module docstring).

    A table with no visit column whose subjects are on one row each is one visit, labelled
    :data:`ONE_VISIT` (a questionnaire given once, e.g. at screening), said in the notes.
    """
    roles, notes = resolve_roles(
        raw.columns,
        mapping,
        (*CONTEXT_ROLES, "instrument", "total"),
        required=("subject",),
        file=log.file or "the file",
    )
    if "visit" not in roles:
        raw, roles = _one_visit(raw, roles, log)
        notes.append(
            f"no visit column, and each subject on one row: read as one visit, {ONE_VISIT!r}"
        )
    return extract_rows(
        raw, roles=roles, notes=notes, mapping=mapping, index=index, instrument=instrument, log=log
    )


#: The visit of a table with no visit column, one row per subject.
ONE_VISIT = "VISIT 1"
#: The column that stands for the missing visit column, as messages name it.
_NO_VISIT_COLUMN = "(no visit column)"


def _one_visit(
    raw: pd.DataFrame, roles: dict[str, str], log: ProblemLog
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table with one visit for all, or MappingError if a subject has several rows."""
    subjects = raw[roles["subject"]]
    repeated = subjects.duplicated() & subjects.notna()
    if repeated.any():
        row = int(np.flatnonzero(repeated.to_numpy())[0]) + 1
        raise MappingError(
            f"{log.file or 'the file'}: no column found for visit, and subjects have several "
            f"rows (the first repeated subject at row {row}), so the rows' visits are not "
            f"known; the file's columns are {listed_columns(raw.columns)}. Name the visit "
            "column with mapping={'visit': '<column>'}"
        )
    return raw.assign(**{_NO_VISIT_COLUMN: ONE_VISIT}), {**roles, "visit": _NO_VISIT_COLUMN}


def extract_rows(
    raw: pd.DataFrame,
    *,
    roles: dict[str, str],
    notes: list[str],
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
) -> Extracted:
    """Assessments of a table whose every row is one occasion, its roles already resolved.

    Shared by the long and REDCap layouts.
    """
    role_cols = set(roles.values())
    candidates = [c for c in raw.columns if c not in role_cols]
    measures = find_measures(
        candidates, index, items=mapping.items, totals=mapping.totals, instrument=instrument
    )
    blocks = [score_block(raw, {c: (m.instrument, m.code) for c, m in measures.items()})]
    if "instrument" in roles and "total" in roles:
        blocks += _row_totals(raw, roles, index, log)
    elif "total" in roles and instrument is not None:
        total = index.instruments[instrument].total_code
        blocks.append(score_block(raw, {roles["total"]: (instrument, total)}))
    has_score_columns = bool(measures) or "total" in roles
    if not has_score_columns:
        log.add(
            "error",
            "no-score-columns",
            f"no score columns recognised among {listed_columns(raw.columns)}",
            hint="name item and total columns by registry code (MADRS01, GAD0208), "
            "or map them: mapping={'items': {...}, 'totals': {...}}, or pass instrument=",
        )
    covariates, renamed = file_covariates(
        raw.columns,
        _covariates(raw, mapping, role_cols | set(measures)),
        roles=roles,
        mapped=mapping.roles,
        log=log,
    )
    columns = {role: raw[col] for role, col in roles.items() if role in CONTEXT_ROLES}
    columns["source_row"] = raw.index + 1
    columns.update({n: raw[c] for n, c in covariates.items()})  # at once: one insert each is O(n^2)
    occasions = pd.DataFrame(columns, index=raw.index, copy=False)  # the file's columns, shared
    if has_score_columns:
        _report_unscored(raw, roles, index, blocks, log)
    records, values = assemble(occasions, blocks)
    notes = notes + [f"{len(measures)} score column(s) recognised", *renamed]
    return Extracted(
        records,
        values,
        list(covariates),
        {k: v for k, v in roles.items()},
        [*measures, *([roles["total"]] if "total" in roles else [])],
        notes,
    )


def _report_unscored(
    raw: pd.DataFrame,
    roles: dict[str, str],
    index: MeasureIndex,
    blocks: list[ScoreBlock],
    log: ProblemLog,
) -> None:
    """Warn of each row that holds no score (rows of an unknown instrument are reported as such)."""
    scored = np.zeros(len(raw), dtype=bool)
    for block in blocks:  # a block's occasions are the rows' positions
        scored[block.occasion[block.scored()]] = True
    if "instrument" in roles:
        codes, labels = pd.factorize(raw[roles["instrument"]])
        unknown = np.array(
            [index.instrument_of(str(label)) is None for label in labels], dtype=bool
        )
        scored |= (codes >= 0) & np.append(unknown, False)[codes]
    rows = np.flatnonzero(~scored)
    subjects = raw[roles["subject"]].take(rows).tolist()
    visits = raw[roles["visit"]].take(rows).tolist() if "visit" in roles else [None] * len(rows)
    for row, subject, visit in zip((rows + 1).tolist(), subjects, visits, strict=True):
        log.add(
            "warning",
            "no-scores",
            f"row {row} holds no score; it gives no assessment",
            hint="check the row, or remove it if it is empty",
            row=row,
            subject=subject,
            visit=visit,
        )


def _row_totals(
    raw: pd.DataFrame, roles: dict[str, str], index: MeasureIndex, log: ProblemLog
) -> list[ScoreBlock]:
    """Totals of a table with an instrument column: each row's total is its instrument's."""
    labels = raw[roles["instrument"]]
    resolved = {lab: index.instrument_of(str(lab)) for lab in labels.dropna().unique()}
    for label, inst in resolved.items():
        if inst is None:
            first_index = labels.index[labels == label][0]
            first = int(first_index) + 1
            log.add(
                "error",
                "unknown-instrument",
                f"instrument {label!r} in column {roles['instrument']!r} is not registered "
                f"({int((labels == label).sum())} rows, first row {first})",
                hint="use a registered name (outcomes.instruments.available()) or register "
                "the scale with outcomes.instruments.register",
                row=first,
                subject=raw.at[first_index, roles["subject"]],
                visit=raw.at[first_index, roles["visit"]] if "visit" in roles else None,
                column=roles["instrument"],
                value=label,
            )
    unnamed = labels.isna() & raw[roles["total"]].notna()
    if unnamed.any():
        rows = raw.index[unnamed.to_numpy()]
        log.add(
            "error",
            "missing-instrument",
            f"{len(rows):,} row(s) have a total but no instrument in column "
            f"{roles['instrument']!r} (first row {int(rows[0]) + 1}), so whose total it is is "
            "not known",
            hint="name the instrument of every row with a total",
            row=int(rows[0]) + 1,
            subject=raw.at[rows[0], roles["subject"]],
            column=roles["instrument"],
        )
    blocks = []
    for label, inst in resolved.items():
        if inst is not None:
            rows = raw.loc[labels == label]
            blocks.append(
                score_block(rows, {roles["total"]: (inst.name, inst.total_code)}, rows.index)
            )
    return blocks


def _covariates(raw: pd.DataFrame, mapping: ColumnMapping, used: set[str]) -> list[str]:
    if mapping.covariates is not None:
        return list(mapping.covariates)
    return [c for c in raw.columns if c not in used]


def to_table(trial: TrialData) -> pd.DataFrame:
    """The trial as a long table: a row per subject x visit, every instrument's items and total.

    Totals are written under their registry codes (``MADRSTOT``) where reported or scored from
    complete items; prorated totals are not written, as they follow from the reader's policy.
    """
    frame = trial.frame
    context = ["subject", "arm", "visit", "visit_num", "study_day", "hours_since_dose"]
    context += [c for c in ("period_treatment", "period") if frame[c].notna().any()]
    keys = ["subject", "visit"]
    out = frame[[*context, *trial.covariates]].drop_duplicates(keys).set_index(keys)
    for name, inst in trial.instruments.items():
        rows = frame[frame["instrument"] == name].set_index(keys)
        scores = rows[inst.item_codes].copy()
        scores[inst.total_code] = written_total(rows)
        out = out.join(scores, how="left")
    out = out.reset_index()
    out["arm"] = out["arm"].astype("str")
    out["visit"] = out["visit"].astype("str")
    return out[
        [
            *context,
            *trial.covariates,
            *[c for c in out if c not in context and c not in trial.covariates],
        ]
    ]
