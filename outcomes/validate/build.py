"""Validation: from a layout's raw assessments to a :class:`TrialData`, or every problem at once.

:func:`build_trial` runs every check over the whole file before it decides, so one
:class:`~outcomes.errors.ValidationError` reports all problems, each located (file, row, subject,
visit, instrument, column, value) with what to do. Warnings do not stop the read; they are kept in
:attr:`TrialData.problems`. No row is dropped without a problem or a note saying so.

Problem codes
-------------
Errors: ``missing-subject``, ``missing-visit``, ``missing-arm``, ``non-numeric-day``,
``study-day-zero``, ``non-numeric-visit-number``, ``non-numeric-hours``, ``negative-hours``,
``non-numeric-session``, ``non-numeric-period``, ``non-numeric-score``, ``item-out-of-range``,
``total-out-of-range``,
``duplicate-value``, ``duplicate-assessment``, ``total-mismatch``, ``arm-changes``,
``visit-not-in-schedule``, ``visit-number-inconsistent``, ``visit-order-unknown``,
``baseline-not-a-visit``, ``baseline-conflict``, ``invalid-session``, ``invalid-period``,
``non-finite-covariate``, ``label-variants``, ``ambiguous-column``, ``column-name-taken``,
``duplicate-subject``, ``population-flag``, the reader's ``short-row``, ``long-row``,
``encoding``, ``formula-not-computed``, the events' ``event-non-numeric-day``,
``event-missing-column``, ``event-missing-name``, ``event-unknown-name``, ``event-missing-day``,
``event-day-not-finite``, and the anonymisation guard's ``identifier-*`` and
``subject-id-personal`` (:mod:`outcomes.validate.anonymity`), which scans every column of the file,
the subject, arm, visit and score columns included, and protects what it finds so that no later
problem repeats it; layouts add ``unknown-instrument``,
``unknown-item`` and ``no-score-columns``.

Errors when nothing can be read: ``no-assessments`` (layouts report ``no-score-columns``).

Warnings: ``no-arm-column``, ``item-not-whole``, ``total-not-scored``, ``visit-outside-window``,
``missing-baseline``, ``event-unknown-subject``, ``event-name-variant``, ``no-scores``,
``row-set-aside``, ``session-not-as-scheduled``, ``subject-not-in-subjects-table``.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np
import pandas as pd

from outcomes.data.columns import CORE_COLUMNS, LABEL_COLUMNS, PHASE
from outcomes.data.problems import ProblemLog
from outcomes.data.schedule import Schedule
from outcomes.data.text import as_text, distinct_texts
from outcomes.data.trialdata import TrialData
from outcomes.errors import ValidationError
from outcomes.io.layouts.base import Extracted
from outcomes.io.measures import MeasureIndex
from outcomes.validate.context import check_arm_changes, check_context, check_duplicate_assessments
from outcomes.validate.events import check_events
from outcomes.validate.labels import check_labels
from outcomes.validate.values import check_values, score_records
from outcomes.validate.visits import (
    check_missing_baseline,
    check_windows,
    resolve_schedule,
    schedule_codes,
)

__all__ = ["build_trial", "order_arms"]

_CONTROL = re.compile(r"placebo|control|sham|wait-?list|usual care|niacin|pbo|^pla", re.I)


def build_trial(
    ex: Extracted,
    *,
    index: MeasureIndex,
    log: ProblemLog,
    schedule: Schedule | None = None,
    events: pd.DataFrame | None = None,
    max_missing_items: int = 0,
    baseline: str | None = None,
    source: dict[str, str] | None = None,
) -> TrialData:
    """Check everything, then build the TrialData or raise one ValidationError with all problems.

    Parameters
    ----------
    ex : Extracted
        A layout reader's assessments and values (its identifiers looked for already). It is
        used up: its records and values are let go as soon as they are checked, so that at a
        million rows the file's columns need not outlive their checks.
    index : MeasureIndex
        The instruments known.
    log : ProblemLog
        Where problems go (the layout reader may have added some already).
    schedule : Schedule, optional
        The schedule of assessments; inferred from the data when not given.
    events : pandas.DataFrame, optional
        Intercurrent events (``subject, event, day`` and optionally ``detail``).
    max_missing_items : int
        Missing-item policy for scoring totals (see :func:`outcomes.instruments.score`).
    baseline : str, optional
        The baseline visit's label, where no schedule says it.
    source : dict, optional
        ``file``, ``format``, ``layout``, kept in :attr:`TrialData.source`.

    Raises
    ------
    ValidationError
        When any error was found; its ``problems`` hold errors and warnings alike.
    """
    rc = ex.role_columns
    _report_set_aside(ex.set_aside, log)

    if ex.records.empty:
        if not log.has_errors:
            log.add(
                "error",
                "no-assessments",
                "the file holds no assessment: no row has a score",
                hint="check that it is the right file, with data rows and score columns",
            )
        raise ValidationError(log.to_frame(), notes=ex.notes)
    rec = check_context(ex.records, rc, log)
    ex.records = ex.records.iloc[:0].copy()  # used up (see ex above); a copy holds no rows
    rec = check_labels(rec, rc, log, schedule=schedule)
    values, invalid = check_values(ex.values, rec, index, log)
    ex.values = ()
    check_duplicate_assessments(rec, log)
    scores = score_records(rec, values, index, max_missing_items, log, invalid)
    check_arm_changes(rec, rc, log)
    schedule, notes = resolve_schedule(rec, rc, schedule, log, baseline=baseline)
    check_windows(rec, rc, schedule, log)
    frame = _with_scores(rec, scores)
    del rec, scores, values  # done with, so the columns _canonical replaces are let go there
    frame = _canonical(frame, schedule, ex.covariates, index)
    check_missing_baseline(frame, log)
    notes += _baseline_column_notes(frame, schedule, ex.covariates)
    events = check_events(events, frame, log)
    if log.has_errors:
        raise ValidationError(log.to_frame(), notes=ex.notes + notes)
    instruments = {n: index.instruments[n] for n in sorted(frame["instrument"].unique())}
    return TrialData(
        frame=frame,
        schedule=schedule,
        events=events,
        instruments=instruments,
        covariates=tuple(ex.covariates),
        problems=log.to_frame(),
        notes=tuple(ex.notes + notes),
        source=dict(source or {}),
    )


#: Covariate names that say "the baseline total" (``BASE``, ``BASVAL``, ``FEV1_BL``, ...).
_BASELINE_NAME = re.compile(r"^(base|basval|baseline|bl)$|(^|_)(bl|base|basval|baseline)$", re.I)


def _baseline_column_notes(
    frame: pd.DataFrame, schedule: Schedule, covariates: list[str]
) -> list[str]:
    """Say so when no visit precedes the first dose but a column looks like the baseline."""
    if any(v.session == 0 for v in schedule.visits):
        return []
    named = [c for c in covariates if _BASELINE_NAME.search(str(c))]
    numeric = [c for c in named if pd.api.types.is_numeric_dtype(frame[c])]
    if not numeric:
        return []
    instruments = sorted(frame["instrument"].unique())
    return [
        f"no visit before the first dose, so no baseline visit; column(s) {numeric} look like "
        f"baseline totals: outcomes.derive(trial, baseline_columns={{<instrument>: "
        f"{numeric[0]!r}}}) uses one for its instrument (one of {instruments})"
    ]


def _report_set_aside(set_aside: pd.DataFrame, log: ProblemLog) -> None:
    """One warning per reason a layout set rows aside: how many, and the first of them."""
    if set_aside.empty:
        return
    first = set_aside.sort_values("source_row", kind="stable").drop_duplicates("reason")
    counts = set_aside["reason"].value_counts(sort=False)
    for aside in first.to_dict("records"):
        n = int(counts[aside["reason"]])
        rows = (
            f"row {aside['source_row']}"
            if n == 1
            else f"{n:,} rows (first row {aside['source_row']})"
        )
        log.add(
            "warning",
            "row-set-aside",
            f"{rows} not read: {aside['reason']}",
            hint="nothing to do if these rows are not wanted",
            row=aside["source_row"],
            **{k: aside.get(k) for k in ("subject", "visit", "instrument", "column", "value")},
        )


def order_arms(arms: Collection[str]) -> list[str]:
    """Arms in reference order: control arms (placebo, sham, waiting list, ...) first, then sorted.

    Examples
    --------
    >>> order_arms(["DMT", "PLACEBO"])
    ['PLACEBO', 'DMT']
    >>> order_arms(["psilocybin 25 mg", "psilocybin 1 mg", "psilocybin 10 mg"])
    ['psilocybin 1 mg', 'psilocybin 10 mg', 'psilocybin 25 mg']
    """
    return sorted(arms, key=lambda a: (not _CONTROL.search(str(a)), str(a)))


# -- the canonical table ---------------------------------------------------------------------------


def _canonical(
    frame: pd.DataFrame,
    schedule: Schedule,
    covariates: list[str],
    index: MeasureIndex,
) -> pd.DataFrame:
    """The long table: the records (joined to their scores) at a visit of the schedule, sorted.

    Where the file says nothing, the schedule's visit number, session, phase and hours are
    filled in; the rows are sorted by subject, visit and instrument. Each row's visit is looked
    up in the schedule once (``code``, its position there) and the planned values are taken by
    that position.
    """
    for column in (c for c in LABEL_COLUMNS if c != PHASE):  # the phase is the schedule's
        frame[column] = frame[column].astype("category")
    code = schedule_codes(frame["visit"], schedule)
    placed = (code >= 0) & frame["subject"].notna().to_numpy()
    if not placed.all():
        frame, code = frame[placed], code[placed]
    planned = schedule.to_frame()
    frame["visit_num"] = _known_else(frame["visit_num"], _by_visit(planned, "visit_num", code))
    # A session from the file wins after dosing (a missed dose is plausible), but not before the
    # first dose of a schedule the user gave (a file's "session" may count something else).
    planned_session = _by_visit(planned, "session", code)
    given = frame["session"]
    if not schedule.inferred:
        given = given.mask((planned_session == 0) & given.gt(0).to_numpy())
    frame["session"] = _known_else(given, planned_session)
    phase_code, phases = pd.factorize(planned["phase"].astype("str"), sort=True)
    frame["phase"] = pd.Categorical.from_codes(phase_code[code], categories=phases)
    if frame["hours_since_dose"].isna().any():
        nominal = _nominal_hours(frame, schedule, _by_visit(planned, "hours_after_dose", code))
        frame["hours_since_dose"] = _known_else(frame["hours_since_dose"], nominal)
    frame["visit"] = pd.Categorical.from_codes(code, categories=schedule.visit_names, ordered=True)
    frame["arm"] = _arms(frame["arm"])
    frame["session"] = frame["session"].astype("Int64")
    frame["period"] = frame["period"].astype("Int64")
    items = [
        c
        for inst in index.instruments.values()
        for c in inst.item_codes
        if c in frame and frame[c].notna().any()
    ]
    frame = frame.assign(**{c: _covariate(frame[c]) for c in covariates})
    order = _sort_order(frame["subject"], code, frame["instrument"])
    if order is not None:
        frame = frame.take(order)
    return frame[[*CORE_COLUMNS, *items, *covariates]].reset_index(drop=True)


def _with_scores(rec: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The records joined to their scores (``scores`` is indexed by record id).

    When the scores are in the records' order, one row each, they are put beside the records
    without a join.
    """
    records = rec.drop(columns=[c for c in scores.columns if c in rec])
    ids = scores.index
    if ids.is_monotonic_increasing and ids.is_unique and ids.equals(pd.Index(records["record"])):
        return pd.concat([records, scores.set_axis(records.index)], axis=1)
    return records.join(scores, on="record")


def _by_visit(planned: pd.DataFrame, column: str, code: np.ndarray) -> np.ndarray:
    """A column of the schedule's table, as numbers, for each row's visit (by its position)."""
    return planned[column].to_numpy(dtype=float)[code]


def _known_else(given: pd.Series, other: np.ndarray) -> np.ndarray:
    """``given`` (numbers) where it is known, else ``other``."""
    values = given.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(values), other, values)


def _nominal_hours(frame: pd.DataFrame, schedule: Schedule, nominal: np.ndarray) -> np.ndarray:
    """Hours since the last dose from the schedule: nominal hours, else days since the dose."""
    numbers = np.array([float(s.number) for s in schedule.sessions] + [np.nan])
    days = np.array([s.day for s in schedule.sessions] + [np.nan], dtype=float)
    session = frame["session"].to_numpy(dtype=float, na_value=np.nan)
    at = pd.Index(numbers).get_indexer(session)  # a session the schedule lacks: -1, no day
    hours = frame["study_day"].to_numpy(dtype=float, na_value=np.nan, copy=True)
    hours -= days[at]  # in place: each temporary is a column's worth
    hours *= 24.0
    np.copyto(hours, nominal, where=~np.isnan(nominal))
    return hours


def _arms(arm: pd.Series) -> pd.Categorical:
    """The arms as a categorical in :func:`order_arms` order, built from their distinct values."""
    codes, arms = pd.factorize(arm, use_na_sentinel=True)
    ordered = order_arms(arms)
    position = np.append(pd.Index(ordered).get_indexer(arms), -1)  # a missing arm stays -1
    return pd.Categorical.from_codes(position[codes], categories=ordered)


def _sort_order(
    subject: pd.Series, visit_code: np.ndarray, instrument: pd.Series
) -> np.ndarray | None:
    """The stable order of the rows by subject, visit (by code) and instrument (missing last).

    None when the rows are in that order already, which is found by comparing neighbouring
    subjects as text, without ranking them.
    """
    instrument_code, instruments = pd.factorize(instrument, use_na_sentinel=True)
    rank = np.append(np.argsort(np.argsort(instruments.to_numpy())), len(instruments))
    instrument_code = rank[instrument_code]  # alphabetical, missing (-1) last
    within = visit_code * (len(instruments) + 1) + instrument_code  # order within a subject
    names = subject.array
    same = np.asarray(names[:-1] == names[1:], dtype=bool)
    before = np.asarray(names[:-1] < names[1:], dtype=bool)
    if (before | (same & (within[:-1] <= within[1:]))).all():
        return None
    subject_code, _ = pd.factorize(subject, sort=True, use_na_sentinel=True)
    n_within = (visit_code.max(initial=0) + 1) * (len(instruments) + 1)
    return np.argsort(subject_code * n_within + within, kind="stable")


def _covariate(column: pd.Series) -> pd.Series:
    """Numbers where every value is one (and no code has a leading zero), else text.

    Text is parsed once per distinct value.
    """
    if pd.api.types.is_numeric_dtype(column):
        values = column.astype(float)
    else:
        codes, texts = distinct_texts(column)
        parsed = pd.to_numeric(texts, errors="coerce")
        leading_zero = texts.str.match(r"^0\d").fillna(False).any()
        if (parsed.isna() & texts.notna()).any() or leading_zero:
            return as_text(column)  # a text covariate
        values = pd.Series(parsed.to_numpy()[codes], index=column.index)
    whole = values.dropna()
    exact = (whole % 1 == 0).all() and (whole.abs() <= 2**53).all()  # Int64 holds them exactly
    return values.astype("Int64") if exact else values
