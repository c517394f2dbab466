"""The intercurrent events table, checked like a score file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from outcomes.data.anonymity import find_identifiers
from outcomes.data.columns import EVENT_COLUMNS
from outcomes.data.problems import ProblemLog
from outcomes.data.text import as_text

__all__ = ["check_events"]


def check_events(events: pd.DataFrame | None, frame: pd.DataFrame, log: ProblemLog) -> pd.DataFrame:
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
        log.merge(ev_log)
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    if "detail" not in ev:
        ev["detail"] = np.nan
    ev = ev[list(EVENT_COLUMNS)].reset_index(drop=True)
    for c in ("subject", "event", "detail"):
        ev[c] = as_text(ev[c])
    day_text = as_text(ev["day"])
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
    log.merge(ev_log)
    return ev.sort_values(["subject", "day"], kind="stable").reset_index(drop=True)
