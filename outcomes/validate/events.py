"""The intercurrent events table, checked like a score file.

One row per event: ``subject, event, day`` and optionally ``detail``. The event is one of
:data:`INTERCURRENT_EVENTS`, the names an estimand is written with (the analysis plan's
``[estimand.intercurrent_events]``, :class:`outcomes.Estimand`), which match the table's names
exactly; what happened in particular (``adverse event``, ``SSRI started``) goes in ``detail``.
A known name written in another case or with other punctuation (``Rescue_Medication``) is read as
the known name, with a warning; any other name is an error that suggests the closest known name.
The day is the study day of the event (as in the score file: day 1 is the first dose), a finite
number.

Problem codes: errors ``event-missing-column``, ``event-missing-name``, ``event-unknown-name``
(a warning when no standard event is close: a kind of the study's own),
``event-missing-day``, ``event-non-numeric-day``, ``event-day-not-finite`` (and the anonymisation
guard's ``identifier-*``); warnings ``event-name-variant``, ``event-unknown-subject``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from outcomes.data.columns import EVENT_COLUMNS
from outcomes.data.events import (
    INTERCURRENT_EVENTS,
    known_event,
    misspelt_event,
    suggested_event,
)
from outcomes.data.problems import ProblemLog, Severity
from outcomes.data.text import as_text
from outcomes.validate.anonymity import find_identifiers

__all__ = ["check_events"]


def check_events(events: pd.DataFrame | None, frame: pd.DataFrame, log: ProblemLog) -> pd.DataFrame:
    """The intercurrent events, checked like a score file: columns, names, days, subjects.

    Every problem is located by the events table's row (1-based), subject and column. Known
    names written another way are read as the known name.

    Examples
    --------
    >>> frame = pd.DataFrame({"subject": ["S1", "S2"]})
    >>> events = pd.DataFrame({"subject": ["S1", "S2"], "event": ["Discontinuation", "dropout"],
    ...                        "day": [15, float("inf")]})
    >>> log = ProblemLog()
    >>> check_events(events, frame, log)["event"].tolist()
    ['discontinuation', 'dropout']
    >>> log.to_frame()[["severity", "code", "row", "column"]].values.tolist()
    [['warning', 'event-name-variant', 1, 'event'], ['error', 'event-unknown-name', 2, 'event'], \
['error', 'event-day-not-finite', 2, 'day']]
    >>> log.problems[1].message
    "events row 2: 'dropout' is not one of the standard intercurrent events; did you mean \
'discontinuation'? The standard events are 'discontinuation', 'rescue medication', 'treatment \
switch', 'unblinding', 'death'"
    """
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
        log.merge(ev_log)
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    if "detail" not in ev:
        ev["detail"] = np.nan
    ev = ev[list(EVENT_COLUMNS)].reset_index(drop=True)
    for c in ("subject", "event", "detail"):
        ev[c] = as_text(ev[c])
    ev["row"] = ev.index + 1
    ev["event"] = _check_names(ev, by_lower["event"], ev_log)
    ev["day"] = _check_days(ev, by_lower["day"], ev_log)
    _report(
        ev,
        ~ev["subject"].isin(set(frame["subject"])),
        ev_log,
        "warning",
        "event-unknown-subject",
        "events row {row}: subject {subject} has no scores in the data",
        "check the subject ID",
        by_lower["subject"],
        ev["subject"],
    )
    log.merge(ev_log)
    out = ev[list(EVENT_COLUMNS)]
    return out.sort_values(["subject", "day"], kind="stable").reset_index(drop=True)


def _check_names(ev: pd.DataFrame, column: str, log: ProblemLog) -> pd.Series:
    """The event names, known names written another way read as the known name."""
    names = ev["event"]
    known = names.map(known_event, na_action="ignore")
    _report(
        ev,
        names.isna(),
        log,
        "error",
        "event-missing-name",
        "events row {row}: subject {subject}'s event has no name",
        f"name the event: one of {_listed(INTERCURRENT_EVENTS)}",
        column,
        names,
    )
    variant = known.notna() & (known != names)
    for spelt, grp in ev[variant].groupby(names[variant], sort=False):
        rows = _rows(grp["row"])
        log.add(
            "warning",
            "event-name-variant",
            f"events {rows}: event {spelt!r} is read as {known_event(spelt)!r}, the name the "
            "estimand uses",
            hint=f"write the event as {known_event(spelt)!r}",
            row=grp["row"].iloc[0],
            subject=grp["subject"].iloc[0],
            column=column,
            value=spelt,
        )
    for unknown, grp in ev[names.notna() & known.isna()].groupby("event", sort=False):
        # A misspelling of a standard event is an error. Otherwise a kind of the study's own,
        # which an estimand must then name exactly: said, not refused.
        typo = misspelt_event(unknown)
        guess = typo or suggested_event(unknown)
        log.add(
            "error" if typo else "warning",
            "event-unknown-name",
            f"events {_rows(grp['row'])}: {unknown!r} is not one of the standard intercurrent "
            "events; "
            + (f"did you mean {guess!r}? " if guess else "")
            + f"The standard events are {_listed(INTERCURRENT_EVENTS)}",
            hint="name the event by one of the standard events (what happened in particular "
            "goes in the detail column)"
            + ("" if typo else f", or name {unknown!r} exactly so in the estimand"),
            row=grp["row"].iloc[0],
            subject=grp["subject"].iloc[0],
            column=column,
            value=unknown,
        )
    return known.fillna(names)


def _check_days(ev: pd.DataFrame, column: str, log: ProblemLog) -> pd.Series:
    """The event days as numbers: missing, text and infinite days reported and left missing."""
    text = as_text(ev["day"])
    day = pd.to_numeric(text, errors="coerce").astype(float)
    for bad, severity, code, message, hint in (
        (
            text.isna() & ev["event"].notna(),
            "error",
            "event-missing-day",
            "events row {row}: {event!r} of subject {subject} has no day",
            "give the study day of the event",
        ),
        (
            text.notna() & day.isna(),
            "error",
            "event-non-numeric-day",
            "events row {row}: day {value!r} of {event!r} is not a number",
            "give the study day of the event",
        ),
        (
            np.isinf(day),
            "error",
            "event-day-not-finite",
            "events row {row}: day {value} of {event!r} is not a finite number",
            "give the study day of the event: a number such as 15",
        ),
    ):
        _report(ev, bad, log, severity, code, message, hint, column, text)  # type: ignore[arg-type]
    return day.where(np.isfinite(day))


def _report(
    ev: pd.DataFrame,
    mask: pd.Series,
    log: ProblemLog,
    severity: Severity,
    code: str,
    message: str,
    hint: str,
    column: str,
    value: pd.Series,
) -> None:
    """One problem per row of the events table in ``mask``."""
    for i in np.flatnonzero(mask.to_numpy(dtype=bool)):
        r = ev.iloc[i]
        log.add(
            severity,
            code,
            message.format(
                row=r["row"],
                subject=r["subject"],
                event=r["event"],
                value=value.iloc[i],
            ),
            hint=hint,
            row=r["row"],
            subject=r["subject"],
            column=column,
            value=value.iloc[i],
        )


def _rows(rows: pd.Series) -> str:
    """``row 3`` or ``rows 3, 5 and 9``, for a message."""
    listed = [str(r) for r in rows]
    if len(listed) == 1:
        return f"row {listed[0]}"
    shown = listed[:10] + ([f"{len(listed) - 10} more"] if len(listed) > 10 else [])
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(repr(n) for n in names)
