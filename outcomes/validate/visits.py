"""The schedule behind the data: given or inferred, visit labels, windows, baselines."""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from outcomes.data.frames import factorize_sorted
from outcomes.data.problems import ProblemLog, location
from outcomes.data.schedule import Schedule
from outcomes.io.layouts.base import listed_columns
from outcomes.io.mapping import normalise

__all__ = [
    "check_missing_baseline",
    "check_visit_numbers",
    "check_windows",
    "resolve_schedule",
    "schedule_codes",
]

_BY_CATEGORIES = "the visit column's ordered categories"


def resolve_schedule(
    rec: pd.DataFrame,
    rc: dict[str, str],
    schedule: Schedule | None,
    log: ProblemLog,
    *,
    baseline: str | None = None,
) -> tuple[Schedule, list[str]]:
    """The schedule given, checked against the data, or one inferred from them; and notes.

    Visit numbers are checked first (:func:`check_visit_numbers`). Without a schedule, the visits
    are ordered by their visit numbers, else by the order of an ordered categorical visit column
    (``rec.attrs["visit_order"]``, see :func:`~outcomes.validate.context.check_context`), else by
    their median study days. When none of these gives the order, the order first seen in the
    file is taken only with ``baseline`` given; otherwise it is the error
    ``visit-order-unknown``. A ``baseline`` that is not a visit is ``baseline-not-a-visit``; one
    that differs from the given schedule's baseline is ``baseline-conflict``. Whatever is found,
    a schedule is returned, so that the later checks still run.

    Examples
    --------
    >>> rec = pd.DataFrame({"visit": ["T1", "T2"], "visit_num": [None, None],
    ...                     "study_day": [None, None], "source_row": [1, 2],
    ...                     "subject": ["S1", "S1"]})
    >>> log = ProblemLog()
    >>> schedule, notes = resolve_schedule(rec, {"visit": "VISIT"}, None, log)
    >>> print(log.problems[0].code, log.problems[0].hint, sep="\\n")
    visit-order-unknown
    give the baseline visit, e.g. baseline="T1" (the visits are then taken in the order first \
seen: those before it screening, those after it following the first dose), or a schedule \
(schedule=) with each visit's study day, or a visit number column
    >>> schedule, notes = resolve_schedule(rec, {"visit": "VISIT"}, None, ProblemLog(),
    ...                                    baseline="T1")
    >>> [(v.name, v.phase) for v in schedule.visits]
    [('T1', 'baseline'), ('T2', 'post-dose')]
    """
    if schedule is not None:
        notes = _align_visits(rec, schedule)
        seen = rec.dropna(subset=["visit"])
        known = seen["visit"].isin(set(schedule.visit_names))
        check_visit_numbers(seen[known], rc, log)  # the other labels are reported as such
        unknown = seen[~known]
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
        _check_baseline_of_schedule(schedule, baseline, rc, log)
        return schedule, notes
    seen = rec.dropna(subset=["visit"])
    check_visit_numbers(seen, rc, log)
    order = seen["visit"].unique().tolist()  # in order of first appearance
    numbers, numbered_by = _visit_numbers(seen, order)
    days = seen.groupby("visit", sort=False)["study_day"].median().reindex(order)
    if baseline is not None and baseline not in order:
        _no_such_baseline(baseline, order, "the data", rc, log)
        baseline = None
    notes = [] if numbered_by is None else [f"visits ordered by {numbered_by}"]
    if numbered_by == _BY_CATEGORIES:
        first = seen.groupby("visit", sort=False)[["source_row", "subject"]].first()
        ordered = first.assign(number=numbers, day=days)
        _check_number_order(ordered, rc.get("visit"), log, by="category")
    if numbers is None and days.isna().any() and len(order) > 1:
        named = [v for v in order if normalise(v) == "baseline"]
        if baseline is None and len(named) == 1:
            baseline = named[0]
            notes.append(f"baseline visit taken to be {baseline!r}, by its name")
        if baseline is None:
            _order_unknown(seen, order, days, rc, log)
        else:
            notes.append(
                f"visits taken in the order first seen in the file, {order}, as baseline="
                f"{baseline!r} was given and no visit number or study day orders them"
            )
    inferred = Schedule.infer(
        order,
        numbers=None if numbers is None else [float(numbers[v]) for v in order],
        days=None if days.isna().any() else [float(days[v]) for v in order],
        baseline_visit=baseline,
    )
    return inferred, [f"schedule inferred: {n}" for n in [*notes, *inferred.notes]]


def check_visit_numbers(seen: pd.DataFrame, rc: dict[str, str], log: ProblemLog) -> None:
    """Each visit label has one visit number, no two labels share one, and numbers follow days.

    ``seen`` holds the records with a visit label. A label's number is its most common one; the
    rows that differ are ``visit-number-inconsistent``, as are two labels with one number and a
    visit numbered after another but seen earlier (by median study day).

    Examples
    --------
    >>> seen = pd.DataFrame({"visit": ["BL", "W4", "W1"], "visit_num": [1.0, 2.0, 3.0],
    ...                      "study_day": [1.0, 29.0, 8.0], "source_row": [1, 2, 3],
    ...                      "subject": ["S1", "S1", "S1"]})
    >>> log = ProblemLog()
    >>> check_visit_numbers(seen, {"visit_num": "VISITNUM"}, log)
    >>> print(log.problems[0].message)
    visit 'W1' (visit number 3) comes after visit 'W4' (visit number 2), but its median study \
day 8 is before W4's 29 (first row of W1: 3)
    """
    numbered = seen.dropna(subset=["visit_num"])
    if numbered.empty:
        return
    col = rc.get("visit_num")
    usual = numbered.groupby("visit", sort=False)["visit_num"].agg(lambda x: x.mode().iloc[0])
    differs = numbered["visit_num"] != numbered["visit"].map(usual)
    for _, r in numbered[differs].drop_duplicates("source_row").iterrows():
        log.add(
            "error",
            "visit-number-inconsistent",
            f"row {r['source_row']}: visit {r['visit']!r} has visit number "
            f"{r['visit_num']:g}, elsewhere {usual[r['visit']]:g}",
            hint="give each visit label one visit number",
            row=r["source_row"],
            subject=r["subject"],
            visit=r["visit"],
            column=col,
            value=f"{r['visit_num']:g}",
        )
    first = seen.groupby("visit", sort=False)[["source_row", "subject"]].first()
    visits = first.join(usual.rename("number"), how="inner")
    _check_shared_numbers(visits, col, log)
    days = seen.groupby("visit", sort=False)["study_day"].median()
    _check_number_order(visits.join(days.rename("day")), col, log)


def _check_shared_numbers(visits: pd.DataFrame, col: str | None, log: ProblemLog) -> None:
    """Two visit labels with one visit number: reported at the later label's first row."""
    by_number = visits.sort_values("source_row").groupby("number", sort=True)
    for number, grp in by_number:
        if len(grp) < 2:
            continue
        labels = list(grp.index)
        rows = ", ".join(str(r) for r in grp["source_row"])
        log.add(
            "error",
            "visit-number-inconsistent",
            f"visits {', '.join(repr(v) for v in labels)} all have visit number {number:g} "
            f"(first rows {rows})",
            hint="give each visit its own number, or one label to one visit",
            row=grp["source_row"].iloc[1],
            subject=grp["subject"].iloc[1],
            visit=labels[1],
            column=col,
            value=f"{number:g}",
        )


def _check_number_order(
    visits: pd.DataFrame, col: str | None, log: ProblemLog, *, by: str = "visit number"
) -> None:
    """A visit numbered after another but with an earlier median study day.

    ``visits`` is indexed by visit label, with its ``number``, median ``day`` and first
    ``source_row`` and ``subject``; ``by`` says what the number is.
    """
    dated = visits.dropna(subset=["number", "day"]).sort_values(["number", "day"])
    latest_before = dated.groupby("number")["day"].max().cummax().shift()
    bad = dated[dated["day"] < dated["number"].map(latest_before)]
    for visit, r in bad.iterrows():
        earlier = dated[dated["number"] < r["number"]]
        other = earlier["day"].idxmax()
        o = earlier.loc[other]
        log.add(
            "error",
            "visit-number-inconsistent",
            f"visit {visit!r} ({by} {r['number']:g}) comes after visit {other!r} ({by} "
            f"{o['number']:g}), but its median study day {r['day']:g} is before {other}'s "
            f"{o['day']:g} (first row of {visit}: {r['source_row']})",
            hint=f"order the visits in time ({by}s), or correct the visit labels or study days",
            row=r["source_row"],
            subject=r["subject"],
            visit=visit,
            column=col,
            value=f"{r['number']:g}",
        )


def _visit_numbers(seen: pd.DataFrame, order: list[str]) -> tuple[pd.Series | None, str | None]:
    """Each visit's number, and what it came from: its visit numbers, or the visit column's order.

    None when some visit has no number and the visit column does not order the visits.
    """
    numbers = seen.dropna(subset=["visit_num"]).groupby("visit", sort=False)["visit_num"]
    usual = numbers.agg(lambda x: x.mode().iloc[0]).reindex(order)
    if len(order) and usual.notna().all():
        return usual, "their visit numbers"
    categories = seen.attrs.get("visit_order")
    if categories is not None and set(order) <= set(categories):
        position = {v: float(i + 1) for i, v in enumerate(categories)}
        return pd.Series({v: position[v] for v in order}), _BY_CATEGORIES
    return None, None


def _order_unknown(
    seen: pd.DataFrame, order: list[str], days: pd.Series, rc: dict[str, str], log: ProblemLog
) -> None:
    """The error for visits that nothing orders."""
    undated = [v for v in order if pd.isna(days[v])]
    if "study_day" in rc:
        column = rc["study_day"]
        first = seen[seen["visit"] == undated[0]].iloc[0]
        why = f"visit(s) {listed_columns(undated)} have no study day in column {column!r}"
    else:
        column = rc.get("visit")
        first = seen.iloc[0]
        why = "there is no study day column"
    log.add(
        "error",
        "visit-order-unknown",
        f"the order of the visits {listed_columns(order)} is not known: {why}, there is no "
        "visit number, and the visit column does not order them (it is not an ordered "
        "categorical), so the order first seen in the file is not taken as the visits' order",
        hint=f'give the baseline visit, e.g. baseline="{order[0]}" (the visits are then taken '
        "in the order first seen: those before it screening, those after it following the "
        "first dose), or a schedule (schedule=) with each visit's study day, or a visit number "
        "column",
        row=first["source_row"],
        subject=first["subject"],
        visit=first["visit"],
        column=column,
    )


def _no_such_baseline(
    baseline: str, visits: list[str], where: str, rc: dict[str, str], log: ProblemLog
) -> None:
    close = difflib.get_close_matches(baseline, visits, n=1, cutoff=0.6)
    by_key = [v for v in visits if normalise(v) == normalise(baseline)]
    guess = (by_key or close or [None])[0]
    log.add(
        "error",
        "baseline-not-a-visit",
        f"baseline={baseline!r} is not a visit of {where}; "
        + (f"did you mean {guess!r}? " if guess is not None else "")
        + f"the visits are {listed_columns(visits)}",
        hint="give the baseline visit's label as the data write it",
        column=rc.get("visit"),
        value=baseline,
    )


def _check_baseline_of_schedule(
    schedule: Schedule, baseline: str | None, rc: dict[str, str], log: ProblemLog
) -> None:
    """``baseline=`` with a schedule: a visit of it, and the schedule's own baseline."""
    if baseline is None or baseline == schedule.baseline_visit:
        return
    if baseline not in schedule.visit_names:
        _no_such_baseline(baseline, schedule.visit_names, "the schedule", rc, log)
        return
    says = (
        f"says the baseline is {schedule.baseline_visit!r}"
        if schedule.baseline_visit is not None
        else "names no baseline visit, and its phases were found without one"
    )
    log.add(
        "error",
        "baseline-conflict",
        f"baseline={baseline!r} was given, but the schedule {says}",
        hint=f'name the baseline in the schedule (baseline = "{baseline}") and leave out baseline=',
        column=rc.get("visit"),
        value=baseline,
    )


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


def schedule_codes(visit: pd.Series, schedule: Schedule) -> np.ndarray:
    """Each row's visit as its position in ``schedule.visits``; -1 for a label not in it.

    The labels are looked up once each, not once per row.

    Examples
    --------
    >>> s = Schedule.from_mapping({"visit": [{"name": "BL", "day": 1}, {"name": "W4", "day": 29}]})
    >>> schedule_codes(pd.Series(["W4", "BL", None, "W9", "W4"]), s).tolist()
    [1, 0, -1, -1, 1]
    """
    codes, labels = pd.factorize(visit, use_na_sentinel=True)
    position = pd.Index(schedule.visit_names).get_indexer(labels)
    return np.append(position, -1)[codes]  # a missing label (code -1) is the appended -1


def check_windows(
    rec: pd.DataFrame, rc: dict[str, str], schedule: Schedule, log: ProblemLog
) -> None:
    """Warn for each row whose study day is outside its visit's window (visits without one pass).

    Examples
    --------
    >>> s = Schedule.from_mapping({"visit": [{"name": "BL", "day": 1},
    ...                                      {"name": "W4", "day": 29, "window": [26, 32]}]})
    >>> rec = pd.DataFrame({"visit": ["BL", "W4", "W4"], "study_day": [1.0, 29.0, 40.0],
    ...                     "source_row": [1, 2, 3], "subject": "S1", "instrument": "gad7"})
    >>> log = ProblemLog()
    >>> check_windows(rec, {"study_day": "ADY"}, s, log)
    >>> [(p.code, p.row, p.value) for p in log.problems]
    [('visit-outside-window', 3, '40')]
    """
    windows = {v.name: v.window for v in schedule.visits if v.window is not None}
    if not windows:
        return
    planned = schedule.to_frame()
    code = schedule_codes(rec["visit"], schedule)
    bounds = planned[["window_low", "window_high"]].to_numpy(dtype=float)
    low, high = np.vstack([bounds, [np.nan, np.nan]])[code].T  # an unknown visit has no window
    day = rec["study_day"].to_numpy(dtype=float, na_value=np.nan)
    outside = (day < low) | (day > high)
    for _, r in rec[outside].drop_duplicates("source_row").iterrows():
        w = windows[r["visit"]]
        log.add(
            "warning",
            "visit-outside-window",
            f"row {r['source_row']}: subject {r['subject']}'s visit {r['visit']} on study day "
            f"{r['study_day']:g} is outside its window (days {w[0]:g} to {w[1]:g})",
            hint="check the visit label and the day; out-of-window visits are kept",
            **location(r),
            column=rc.get("study_day"),
            value=f"{r['study_day']:g}",
        )


def check_missing_baseline(frame: pd.DataFrame, log: ProblemLog) -> None:
    """Warn for each subject x instrument assessed after the first dose with no pre-dose total.

    The warnings come by instrument, then subject (in sorted order), each at the pair's first
    later row.

    Examples
    --------
    >>> frame = pd.DataFrame({"subject": ["S2", "S2", "S1", "S1"], "instrument": "gad7",
    ...                       "phase": ["baseline", "post-dose"] * 2,
    ...                       "total": [None, 5.0, 7.0, 6.0], "source_row": [1, 2, 3, 4]})
    >>> log = ProblemLog()
    >>> check_missing_baseline(frame, log)
    >>> [(p.subject, p.row) for p in log.problems]
    [('S2', 2)]
    """
    instrument, instruments = pd.factorize(frame["instrument"])
    subject, subjects = factorize_sorted(frame["subject"])
    placed = (instrument >= 0) & frame["subject"].notna().to_numpy()
    pair = instrument * len(subjects) + subject
    pre = frame["phase"].isin(["screening", "baseline"]).to_numpy()
    measured = np.zeros(len(instruments), dtype=bool)
    measured[instrument[pre & (instrument >= 0)]] = True
    with_base = np.zeros(len(instruments) * len(subjects), dtype=bool)
    with_base[pair[pre & placed & frame["total"].notna().to_numpy()]] = True
    post = np.flatnonzero(~pre & placed & np.append(measured, False)[instrument])
    lacking = post[~with_base[pair[post]]]  # the later rows of the pairs to report
    first = pd.Series(frame["source_row"].to_numpy()[lacking]).groupby(pair[lacking]).min()
    found = [
        (instruments[key // len(subjects)], subjects[key % len(subjects)], row)
        for key, row in zip(first.index.tolist(), first.tolist(), strict=True)
    ]
    for inst, who, row in sorted(found, key=lambda f: f[:2]):
        log.add(
            "warning",
            "missing-baseline",
            f"subject {who} has no {inst} total before the first dose, so no change from "
            f"baseline (first later assessment: row {row})",
            hint="check the baseline assessment; the subject is kept",
            subject=who,
            instrument=inst,
            row=row,
        )
