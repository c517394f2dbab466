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
``visit-not-in-schedule``, ``visit-number-inconsistent``, ``event-non-numeric-day``,
``event-missing-column``, and the anonymisation guard's ``identifier-*`` and
``subject-id-personal`` (:mod:`outcomes.data.anonymity`); layouts add ``unknown-instrument``,
``unknown-item`` and ``no-score-columns``.

Errors when nothing can be read: ``no-assessments`` (layouts report ``no-score-columns``).

Warnings: ``no-arm-column``, ``item-not-whole``, ``total-not-scored``, ``visit-outside-window``,
``missing-baseline``, ``event-unknown-subject``, ``no-scores``, ``row-set-aside``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from outcomes.data.anonymity import find_identifiers
from outcomes.data.columns import CORE_COLUMNS, EVENT_COLUMNS
from outcomes.data.problems import ProblemLog
from outcomes.data.schedule import Schedule
from outcomes.data.trialdata import TrialData
from outcomes.errors import ValidationError
from outcomes.instruments import Instrument, score
from outcomes.io.layouts.base import Extracted
from outcomes.io.mapping import normalise
from outcomes.io.measures import MeasureIndex

__all__ = ["MISSING_TOKENS", "build_trial", "order_arms"]

#: Text read as a missing value in a score or day column (SAS ".", R "NA", empty).
MISSING_TOKENS: frozenset[str] = frozenset({"", ".", "NA", "N/A", "n/a", "na", "NaN", "nan"})

_CONTROL = re.compile(r"placebo|control|sham|wait-?list|usual care|niacin|pbo|^pla", re.I)

#: Reported and scored totals may differ by this much (rounding in mean-scored scales).
TOTAL_TOLERANCE = {"sum": 1e-6, "mean": 0.005}


def build_trial(
    ex: Extracted,
    raw: pd.DataFrame,
    *,
    index: MeasureIndex,
    log: ProblemLog,
    schedule: Schedule | None = None,
    events: pd.DataFrame | None = None,
    allow_identifiers: Collection[str] = (),
    max_missing_items: int = 0,
    source: dict[str, str] | None = None,
) -> TrialData:
    """Check everything, then build the TrialData or raise one ValidationError with all problems.

    Parameters
    ----------
    ex : Extracted
        A layout reader's assessments and values.
    raw : pandas.DataFrame
        The file's table as read (scanned for identifiers).
    index : MeasureIndex
        The instruments known.
    log : ProblemLog
        Where problems go (the layout reader may have added some already).
    schedule : Schedule, optional
        The schedule of assessments; inferred from the data when not given.
    events : pandas.DataFrame, optional
        Intercurrent events (``subject, event, day`` and optionally ``detail``).
    allow_identifiers : collection of str
        Columns the user allows although they look like identifiers.
    max_missing_items : int
        Missing-item policy for scoring totals (see :func:`outcomes.instruments.score`).
    source : dict, optional
        ``file``, ``format``, ``layout``, kept in :attr:`TrialData.source`.

    Raises
    ------
    ValidationError
        When any error was found; its ``problems`` hold errors and warnings alike.
    """
    rc = ex.role_columns
    scanned_skip = [c for c in (*ex.score_columns, *rc.values()) if c != rc.get("subject")]
    find_identifiers(
        raw, log, subject_column=rc.get("subject"), allow=allow_identifiers, skip=scanned_skip
    )
    for aside in ex.set_aside.to_dict("records"):
        log.add(
            "warning",
            "row-set-aside",
            f"row {aside['source_row']} not read: {aside['reason']}",
            hint="nothing to do if the row is derived; outcomes derives its own",
            row=aside["source_row"],
            **{k: aside.get(k) for k in ("subject", "visit", "instrument", "column", "value")},
        )

    if ex.records.empty:
        if not log.has_errors:
            log.add(
                "error",
                "no-assessments",
                "the file holds no assessment: no row has a score",
                hint="check that it is the right file, with data rows and score columns",
            )
        raise ValidationError(log.to_frame(), notes=ex.notes)
    rec = _context(ex.records, rc, log)
    values, invalid = _values(ex.values, rec, index, log)
    _duplicate_assessments(rec, log)
    scores = _score(rec, values, index, max_missing_items, log, invalid)
    _arm_changes(rec, rc, log)
    schedule, notes = _schedule(rec, rc, schedule, log)
    _windows(rec, rc, schedule, log)
    frame = _canonical(rec, scores, schedule, ex.covariates, index)
    _missing_baseline(frame, log)
    events = _events(events, frame, log)
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


# -- context of each assessment -----------------------------------------------------------------


def _as_text(series: pd.Series) -> pd.Series:
    """Text, with whole numbers written without a decimal point (1503.0 -> "1503").

    Blank cells and :data:`MISSING_TOKENS` become missing. Works on the distinct values only.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([_one_text(v) for v in uniques] + [np.nan], dtype=object)
    return pd.Series(texts[codes], index=series.index, dtype="str")


def _one_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return np.nan if text in MISSING_TOKENS else text


def _located(
    rec: pd.DataFrame,
    mask: pd.Series,
    log: ProblemLog,
    severity: str,
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
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            instrument=r["instrument"],
            column=column,
            value=value,
        )


def _numeric_role(
    rec: pd.DataFrame, role: str, rc: dict[str, str], log: ProblemLog, code: str
) -> pd.Series:
    raw = rec[role]
    text = _as_text(raw)
    number = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & number.isna()
    col = rc.get(role, role)
    _located(
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


def _context(records: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> pd.DataFrame:
    rec = records.copy()
    for role in ("subject", "arm", "visit", "period_treatment", "instrument"):
        rec[role] = _as_text(rec[role])
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
        _located(
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
    _located(
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
    _located(
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


# -- score values -------------------------------------------------------------------------------


def _values(
    values: pd.DataFrame, rec: pd.DataFrame, index: MeasureIndex, log: ProblemLog
) -> tuple[pd.DataFrame, set[int]]:
    """Numeric score values, checked, and the records that had an invalid one (each reported)."""
    v = values.merge(rec[["record", "subject", "visit", "instrument"]], on="record")
    text = _as_text(v["value"])
    v["number"] = pd.to_numeric(text, errors="coerce")
    v["text"] = text
    v = v[text.notna()]
    bad = v["number"].isna()
    for _, r in v[bad].iterrows():
        log.add(
            "error",
            "non-numeric-score",
            f"row {r['source_row']}, column {r['column']!r}: {r['text']!r} is not a score "
            f"({r['instrument']}, subject {r['subject']}, visit {r['visit']})",
            hint="correct the value, or leave the cell empty if it was not answered",
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            instrument=r["instrument"],
            column=r["column"],
            value=r["text"],
        )
    invalid = set(v.loc[bad, "record"])
    v = v[~bad]
    lo, hi, whole = _ranges(index)
    code = v["code"].astype("category")  # look-ups per code, not per value
    low = code.map(lo).astype(float)
    high = code.map(hi).astype(float)
    totals = index_total_codes(index)
    is_total = v["code"].isin(totals)
    out = (v["number"] < low) | (v["number"] > high)
    for _, r in v[out].iterrows():
        what = "total" if r["code"] in totals else f"item {r['code']}"
        log.add(
            "error",
            "total-out-of-range" if what == "total" else "item-out-of-range",
            f"row {r['source_row']}, column {r['column']!r}: {r['instrument']} {what} "
            f"{r['text']} is outside {lo[r['code']]:g}-{hi[r['code']]:g} "
            f"(subject {r['subject']}, visit {r['visit']})",
            hint="correct the value; a code for 'not done' (e.g. -9, 99) should be an empty cell",
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            instrument=r["instrument"],
            column=r["column"],
            value=r["text"],
        )
    frac = ~is_total & code.map(whole).astype(bool) & (v["number"] % 1 != 0) & ~out
    for _, r in v[frac].iterrows():
        log.add(
            "warning",
            "item-not-whole",
            f"row {r['source_row']}, column {r['column']!r}: item {r['code']} is {r['text']}, "
            "not a whole number",
            hint="check the value; this scale's items are whole numbers",
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            instrument=r["instrument"],
            column=r["column"],
            value=r["text"],
        )
    dup = v.duplicated(["record", "code"], keep=False)
    for (_, code), grp in v[dup].groupby(["record", "code"], sort=False):
        r = grp.iloc[1]  # the first repeat, as for duplicate assessments
        rows = ", ".join(str(x) for x in grp["source_row"])
        log.add(
            "error",
            "duplicate-value",
            f"{r['instrument']} {code} for subject {r['subject']} at visit {r['visit']} is given "
            f"{len(grp)} times (rows {rows})",
            hint="keep one value and remove the others",
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            instrument=r["instrument"],
            column=r["column"],
            value=r["text"],
        )
    invalid |= set(v.loc[out, "record"])
    return v[~out].drop_duplicates(["record", "code"]), invalid


def index_total_codes(index: MeasureIndex) -> set[str]:
    """The total codes of every instrument in ``index``."""
    return {i.total_code for i in index.instruments.values()}


def _ranges(index: MeasureIndex) -> tuple[dict[str, float], dict[str, float], dict[str, bool]]:
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    whole: dict[str, bool] = {}
    for inst in index.instruments.values():
        for item in inst.items:
            lo[item.code], hi[item.code] = item.min, item.max
            whole[item.code] = float(item.min).is_integer() and item.max - item.min <= 10
        lo[inst.total_code], hi[inst.total_code] = inst.total_min, inst.total_max
        whole[inst.total_code] = False
    return lo, hi, whole


def _duplicate_assessments(rec: pd.DataFrame, log: ProblemLog) -> None:
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


# -- totals ---------------------------------------------------------------------------------------


def _score(
    rec: pd.DataFrame,
    values: pd.DataFrame,
    index: MeasureIndex,
    max_missing: int,
    log: ProblemLog,
    invalid: set[int],
) -> pd.DataFrame:
    """Items and total of every record: reported totals checked against the items.

    Records with an invalid value (already reported) get no 'total not scored' warning.
    """
    wide = values.pivot(index="record", columns="code", values="number")
    wide = wide.reindex(rec["record"])
    out = pd.DataFrame(index=rec["record"])
    out["total"] = np.nan
    out["total_source"] = pd.Series(np.nan, index=out.index, dtype="str")
    located = rec.set_index("record")
    for name, grp in rec.groupby("instrument", sort=True):
        inst: Instrument = index.instruments[str(name)]
        ids = grp["record"]
        items = wide.reindex(index=ids, columns=inst.item_codes)
        scored = score(inst, items, max_missing=max_missing)
        reported = wide.reindex(index=ids, columns=[inst.total_code]).iloc[:, 0]
        complete = items.notna().all(axis=1)
        gap = (reported - scored["total"]).abs()
        mismatch = complete & reported.notna() & (gap > TOTAL_TOLERANCE[inst.scoring])
        where = values[values["code"] == inst.total_code].set_index("record")
        for rid in ids[mismatch.to_numpy()]:
            r = located.loc[rid]
            log.add(
                "error",
                "total-mismatch",
                f"row {where.at[rid, 'source_row']}, column {where.at[rid, 'column']!r}: "
                f"{inst.name} total {reported[rid]:g} does not equal "
                f"its items, which score {scored.at[rid, 'total']:g} "
                f"(subject {r['subject']}, visit {r['visit']})",
                hint="correct the items or the total; reverse-keyed items are "
                f"{[i.code for i in inst.items if i.reverse] or 'none'}",
                row=where.at[rid, "source_row"],
                subject=r["subject"],
                visit=r["visit"],
                instrument=inst.name,
                column=where.at[rid, "column"],
                value=f"{reported[rid]:g}",
            )
        use_reported = reported.notna() & ~complete
        total = scored["total"].where(~use_reported, reported)
        source = scored["total_source"].where(~use_reported, "reported")
        unscored = total.isna() & items.notna().any(axis=1) & ~ids.isin(invalid).to_numpy()
        item_codes = np.array(inst.item_codes)
        absent = items.isna().to_numpy()
        for k in np.flatnonzero(unscored.to_numpy()):
            rid = ids.iloc[k]
            r = located.loc[rid]
            missing = list(item_codes[absent[k]])
            log.add(
                "warning",
                "total-not-scored",
                f"row {r['source_row']}: no {inst.name} total for subject {r['subject']} at "
                f"visit {r['visit']}: {len(missing)} item(s) missing ({', '.join(missing)}) "
                f"and the policy allows {max_missing}",
                hint="the row is kept with its items; allow prorating with max_missing_items=k",
                row=r["source_row"],
                subject=r["subject"],
                visit=r["visit"],
                instrument=inst.name,
            )
        out.loc[ids, "total"] = total.to_numpy()
        out.loc[ids, "total_source"] = source.astype("str").to_numpy()
        for code in inst.item_codes:
            out.loc[ids, code] = items[code].to_numpy()
    return out


# -- subjects, visits and schedule -------------------------------------------------------------


def _arm_changes(rec: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> None:
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


def _schedule(
    rec: pd.DataFrame, rc: dict[str, str], schedule: Schedule | None, log: ProblemLog
) -> tuple[Schedule, list[str]]:
    seen = rec.dropna(subset=["visit"])
    numbers = seen.dropna(subset=["visit_num"]).groupby("visit", sort=False)["visit_num"]
    for visit, nums in numbers:
        if nums.nunique() > 1:
            usual = nums.mode().iloc[0]
            for _, r in rec.loc[nums.index[nums != usual]].drop_duplicates("source_row").iterrows():
                log.add(
                    "error",
                    "visit-number-inconsistent",
                    f"row {r['source_row']}: visit {visit!r} has visit number "
                    f"{r['visit_num']:g}, elsewhere {usual:g}",
                    hint="give each visit label one visit number",
                    row=r["source_row"],
                    subject=r["subject"],
                    visit=visit,
                    column=rc.get("visit_num"),
                    value=r["visit_num"],
                )
    if schedule is not None:
        notes = _align_visits(rec, schedule)
        seen = rec.dropna(subset=["visit"])
        known = set(schedule.visit_names)
        unknown = seen[~seen["visit"].isin(known)]
        for visit, grp in unknown.groupby("visit", sort=False):
            log.add(
                "error",
                "visit-not-in-schedule",
                f"visit {visit!r} is not in the schedule ({len(grp)} rows, first row "
                f"{grp['source_row'].min()}); the schedule has {schedule.visit_names}",
                hint="correct the visit label, or add the visit to the schedule",
                row=grp["source_row"].min(),
                subject=grp["subject"].iloc[0],
                visit=visit,
                column=rc.get("visit"),
                value=visit,
            )
        return schedule, notes
    order = list(dict.fromkeys(seen["visit"]))
    numbers_known = "visit_num" in rc and seen["visit_num"].notna().all()
    nums = seen.groupby("visit", sort=False)["visit_num"].min() if numbers_known else None
    days = seen.groupby("visit", sort=False)["study_day"].median()
    inferred = Schedule.infer(
        order,
        numbers=[float(nums[v]) for v in order] if nums is not None else None,
        days=[float(days[v]) for v in order] if days.notna().all() else None,
    )
    return inferred, [f"schedule inferred: {n}" for n in inferred.notes]


def _align_visits(rec: pd.DataFrame, schedule: Schedule) -> list[str]:
    """Write visit labels as the schedule does where they differ only in case and punctuation."""
    by_key = {normalise(v): v for v in schedule.visit_names}
    labels = rec["visit"].dropna().unique()
    renames = {
        lab: by_key[normalise(lab)]
        for lab in labels
        if lab not in by_key.values() and normalise(lab) in by_key
    }
    if not renames:
        return []
    rec["visit"] = rec["visit"].replace(renames)
    return [f"visit labels matched to the schedule: {renames}"]


def _windows(rec: pd.DataFrame, rc: dict[str, str], schedule: Schedule, log: ProblemLog) -> None:
    windows = {v.name: v.window for v in schedule.visits if v.window is not None}
    planned = schedule.to_frame().set_index("visit")
    low = rec["visit"].map(planned["window_low"]).astype(float)
    high = rec["visit"].map(planned["window_high"]).astype(float)
    outside = (rec["study_day"] < low) | (rec["study_day"] > high)
    for _, r in rec[outside].drop_duplicates("source_row").iterrows():
        w = windows[r["visit"]]
        log.add(
            "warning",
            "visit-outside-window",
            f"row {r['source_row']}: subject {r['subject']}'s visit {r['visit']} on study day "
            f"{r['study_day']:g} is outside its window (days {w[0]:g} to {w[1]:g})",
            hint="check the visit label and the day; out-of-window visits are kept",
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            instrument=r["instrument"],
            column=rc.get("study_day"),
            value=f"{r['study_day']:g}",
        )


# -- the canonical table --------------------------------------------------------------------------


def _canonical(
    rec: pd.DataFrame,
    scores: pd.DataFrame,
    schedule: Schedule,
    covariates: list[str],
    index: MeasureIndex,
) -> pd.DataFrame:
    frame = rec.drop(columns=[c for c in scores.columns if c in rec]).join(scores, on="record")
    frame = frame.dropna(subset=["subject", "visit"])
    frame = frame[frame["visit"].isin(schedule.visit_names)].copy()
    planned = schedule.to_frame().set_index("visit")
    visit = frame["visit"]
    frame["visit_num"] = frame["visit_num"].fillna(visit.map(planned["visit_num"]))
    frame["session"] = frame["session"].fillna(visit.map(planned["session"]))
    frame["phase"] = visit.map(planned["phase"]).astype("str")
    frame["hours_since_dose"] = frame["hours_since_dose"].fillna(
        _nominal_hours(frame, schedule, planned)
    )
    frame["visit"] = pd.Categorical(visit, categories=schedule.visit_names, ordered=True)
    frame["arm"] = pd.Categorical(
        frame["arm"], categories=order_arms(frame["arm"].dropna().unique())
    )
    frame["session"] = frame["session"].astype("Int64")
    frame["period"] = frame["period"].astype("Int64")
    items = [
        c
        for inst in index.instruments.values()
        for c in inst.item_codes
        if c in frame and frame[c].notna().any()
    ]
    cov = {c: _covariate(frame[c]) for c in covariates}
    frame = frame.assign(**cov)
    frame = frame.sort_values(["subject", "visit", "instrument"], kind="stable")
    return frame[[*CORE_COLUMNS, *items, *covariates]].reset_index(drop=True)


def _nominal_hours(frame: pd.DataFrame, schedule: Schedule, planned: pd.DataFrame) -> pd.Series:
    """Hours since the last dose from the schedule: nominal hours, else days since the dose."""
    dose_day = pd.Series({float(s.number): s.day for s in schedule.sessions}, dtype=float)
    nominal = frame["visit"].map(planned["hours_after_dose"]).astype(float)
    last = frame["session"].astype(float).map(dose_day)
    from_days = (frame["study_day"] - last) * 24.0
    return nominal.fillna(from_days)


def _covariate(column: pd.Series) -> pd.Series:
    """Numbers where every value is one (and no code has a leading zero), else text."""
    if pd.api.types.is_numeric_dtype(column):
        values = column.astype(float)
    else:
        text = _as_text(column)
        values = pd.to_numeric(text, errors="coerce")
        leading_zero = text.str.match(r"^0\d").fillna(False).any()
        if (values.isna() & text.notna()).any() or leading_zero:
            return text
    whole = values.dropna()
    return values.astype("Int64") if (whole % 1 == 0).all() else values


def _missing_baseline(frame: pd.DataFrame, log: ProblemLog) -> None:
    """Warn for each subject x instrument assessed after the first dose with no pre-dose total."""
    pre = frame["phase"].isin(["screening", "baseline"])
    keys = ["instrument", "subject"]
    measured = frame.loc[pre, "instrument"].unique()
    with_base = frame.loc[pre & frame["total"].notna(), keys].drop_duplicates()
    post = frame.loc[~pre & frame["instrument"].isin(measured), [*keys, "source_row"]]
    first = post.groupby(keys, sort=True, observed=True)["source_row"].min().reset_index()
    lacking = first.merge(with_base, on=keys, how="left", indicator=True)
    for _, r in lacking[lacking["_merge"] == "left_only"].iterrows():
        log.add(
            "warning",
            "missing-baseline",
            f"subject {r['subject']} has no {r['instrument']} total before the first dose, so "
            f"no change from baseline (first later assessment: row {r['source_row']})",
            hint="check the baseline assessment; the subject is kept",
            subject=r["subject"],
            instrument=r["instrument"],
            row=r["source_row"],
        )


def _events(events: pd.DataFrame | None, frame: pd.DataFrame, log: ProblemLog) -> pd.DataFrame:
    """The intercurrent events, checked like a score file: columns, days, subjects, identifiers."""
    if events is None:
        return pd.DataFrame(
            {c: pd.Series(dtype="float" if c == "day" else "str") for c in EVENT_COLUMNS}
        )
    name = Path(events.attrs.get("source", {}).get("file", "events")).name
    ev_log = ProblemLog(file=name)
    by_lower = {str(c).lower(): c for c in events.columns}
    find_identifiers(events, ev_log, subject_column=by_lower.get("subject"))
    ev = events.rename(columns=lambda c: str(c).lower())
    missing = [c for c in ("subject", "event", "day") if c not in ev]
    if missing:
        ev_log.add(
            "error",
            "event-missing-column",
            f"the events table has no column(s) {missing}; it has {list(events.columns)}",
            hint="give events as columns subject, event, day (and optionally detail)",
        )
        log.extend(ev_log.problems)
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    if "detail" not in ev:
        ev["detail"] = np.nan
    ev = ev[list(EVENT_COLUMNS)].reset_index(drop=True)
    for c in ("subject", "event", "detail"):
        ev[c] = _as_text(ev[c])
    day_text = _as_text(ev["day"])
    ev["day"] = pd.to_numeric(day_text, errors="coerce").astype(float)
    known = set(frame["subject"])
    for i, r in ev.iterrows():
        if pd.isna(r["day"]) and pd.notna(day_text[i]):
            ev_log.add(
                "error",
                "event-non-numeric-day",
                f"events row {i + 1}: day {day_text[i]!r} of {r['event']!r} is not a number",
                hint="give the study day of the event",
                row=i + 1,
                subject=r["subject"],
                column=by_lower["day"],
                value=day_text[i],
            )
        if r["subject"] not in known:
            ev_log.add(
                "warning",
                "event-unknown-subject",
                f"events row {i + 1}: subject {r['subject']} has no scores in the data",
                hint="check the subject ID",
                row=i + 1,
                subject=r["subject"],
                column=by_lower["subject"],
                value=r["subject"],
            )
    log.extend(ev_log.problems)
    return ev.sort_values(["subject", "day"], kind="stable").reset_index(drop=True)
