"""The schedule of assessments: visits, their nominal days and windows, and the dosing sessions.

A :class:`Schedule` is given (a TOML file, a dict, or built in Python) or inferred from the data by
:meth:`Schedule.infer`. It orders the visits, says which phase each belongs to, and places each
assessment relative to the dosing sessions (``session``, ``hours_since_dose``).

The TOML form::

    baseline = "BASELINE"          # the visit that is baseline (optional)

    [[session]]
    number = 1
    day = 1                        # study day of the dose; day 1 is the first dose

    [[visit]]
    name = "SCREENING"
    day = -14                      # nominal study day
    window = [-28, -1]             # allowed study days, inclusive (optional)
    phase = "screening"            # optional; inferred from day and dosing otherwise
    hours_after_dose = 3           # for assessments hours after a dose (optional)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from outcomes.data.columns import PHASES
from outcomes.errors import ScheduleError
from outcomes.textfiles import parse_toml, read_text

__all__ = ["DosingSession", "Schedule", "ScheduledVisit"]

_SCREENING = re.compile(r"screen", re.IGNORECASE)
_BASELINE = re.compile(r"baseline|^bl$|^base$|pre-?dose|^day ?0*1$", re.IGNORECASE)

#: Visits more than this many days after the last dose are follow-up rather than post-dose.
FOLLOW_UP_AFTER_DAYS = 14


@dataclass(frozen=True)
class DosingSession:
    """One dosing session: its number (1, 2, ...) and nominal study day."""

    number: int
    day: float


@dataclass(frozen=True)
class ScheduledVisit:
    """One planned visit.

    Parameters
    ----------
    name : str
        The visit label as it appears in the data.
    number : float
        Its order in the schedule (CDISC ``VISITNUM``).
    day : float or None
        Nominal study day.
    window : tuple of (float, float) or None
        Allowed study days, inclusive; ``None`` means no window check.
    phase : str
        One of :data:`outcomes.data.columns.PHASES`.
    session : int
        The last dosing session on or before the visit (0 before any dose).
    hours_after_dose : float or None
        Nominal hours after that session's dose, for visits within the dosing day.
    """

    name: str
    number: float
    day: float | None = None
    window: tuple[float, float] | None = None
    phase: str = "follow-up"
    session: int = 0
    hours_after_dose: float | None = None


@dataclass(frozen=True)
class Schedule:
    """Visits in order and dosing sessions.

    Examples
    --------
    >>> s = Schedule.from_mapping({
    ...     "session": [{"number": 1, "day": 1}],
    ...     "visit": [{"name": "BASELINE", "day": 1}, {"name": "WEEK 1", "day": 8},
    ...               {"name": "WEEK 6", "day": 43}]})
    >>> [(v.name, v.phase, v.session) for v in s.visits]
    [('BASELINE', 'baseline', 0), ('WEEK 1', 'post-dose', 1), ('WEEK 6', 'follow-up', 1)]
    >>> s.baseline_visit
    'BASELINE'
    """

    visits: tuple[ScheduledVisit, ...]
    sessions: tuple[DosingSession, ...] = ()
    baseline_visit: str | None = None
    inferred: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        names = [v.name for v in self.visits]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ScheduleError(f"the schedule names visit(s) {dupes} more than once")
        for v in self.visits:
            if v.phase not in PHASES:
                raise ScheduleError(f"visit {v.name!r}: phase {v.phase!r} is not one of {PHASES}")
        if self.baseline_visit is not None and self.baseline_visit not in names:
            raise ScheduleError(f"baseline visit {self.baseline_visit!r} is not in the schedule")

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Schedule:
        """Read a schedule from a TOML file (see the module docstring for its form)."""
        try:
            data = parse_toml(read_text(path))
        except (OSError, ValueError) as exc:  # ReadError is an OSError
            raise ScheduleError(f"cannot read schedule {path}: {exc}") from exc
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Schedule:
        """A schedule from a dict in the TOML form; missing phases and sessions are inferred."""
        try:
            sessions = tuple(
                DosingSession(int(s["number"]), float(s["day"])) for s in data.get("session", ())
            )
            raw_visits = list(data.get("visit", ()))
            visits = []
            for i, v in enumerate(raw_visits, start=1):
                window = v.get("window")
                visits.append(
                    ScheduledVisit(
                        name=str(v["name"]),
                        number=float(v.get("number", i)),
                        day=None if v.get("day") is None else float(v["day"]),
                        window=None if window is None else (float(window[0]), float(window[1])),
                        phase=v.get("phase", ""),
                        session=int(v.get("session", -1)),
                        hours_after_dose=v.get("hours_after_dose"),
                    )
                )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ScheduleError(f"malformed schedule entry: {exc!r}") from exc
        return _complete(visits, sessions, data.get("baseline"), inferred=False, notes=())

    @classmethod
    def infer(
        cls,
        visits: Sequence[str],
        *,
        numbers: Sequence[float] | None = None,
        days: Sequence[float] | None = None,
        sessions: Sequence[DosingSession] = (),
        baseline_visit: str | None = None,
    ) -> Schedule:
        """Infer a schedule from the visits seen in the data.

        Visits are ordered by ``numbers`` when given, else by ``days``, else by first appearance.
        The nominal day is the median observed study day. With no dosing sessions known, one dose
        on day 1 is assumed (day 1 is the reference start in CDISC). No windows are inferred, so
        no window is checked. Without days, the baseline is ``baseline_visit``, else a visit
        named like one, else the first visit (not a screening); the visits before it are
        screening and those after it follow the first dose. The decisions are listed in
        :attr:`notes`.

        Examples
        --------
        >>> s = Schedule.infer(["T1", "T2", "T3"], numbers=[1, 2, 3])
        >>> s.baseline_visit, [v.phase for v in s.visits]
        ('T1', ['baseline', 'post-dose', 'post-dose'])
        >>> [v.phase for v in Schedule.infer(["T1", "T2", "T3"], baseline_visit="T2").visits]
        ['screening', 'baseline', 'post-dose']
        """
        notes: list[str] = []
        names = [str(v) for v in visits]
        if not sessions:
            sessions = (DosingSession(1, 1.0),)
            notes.append("no dosing sessions given: assumed one dose on study day 1")
        built = [
            ScheduledVisit(
                name=n,
                number=float(numbers[i]) if numbers is not None else float(i + 1),
                day=None if days is None or pd.isna(days[i]) else float(days[i]),
                phase="",
                session=-1,
            )
            for i, n in enumerate(names)
        ]
        if numbers is None and days is not None and all(v.day is not None for v in built):
            built = [
                replace(v, number=float(k + 1))
                for k, v in enumerate(sorted(built, key=lambda v: v.day))
            ]  # type: ignore[arg-type, return-value]
            notes.append("visits ordered by their median study day")
        elif numbers is None:
            notes.append("visits ordered as first seen in the file (no visit number or study day)")
        return _complete(built, tuple(sessions), baseline_visit, inferred=True, notes=tuple(notes))

    # -- queries --------------------------------------------------------------------------------

    @property
    def visit_names(self) -> list[str]:
        """Visit names in schedule order."""
        return [v.name for v in self.visits]

    def visit(self, name: str) -> ScheduledVisit:
        """The scheduled visit called ``name``."""
        for v in self.visits:
            if v.name == name:
                return v
        raise ScheduleError(f"visit {name!r} is not in the schedule {self.visit_names}")

    def to_mapping(self) -> dict[str, Any]:
        """The schedule in its TOML form (a dict that :meth:`from_mapping` reads back)."""
        out: dict[str, Any] = {}
        if self.baseline_visit is not None:
            out["baseline"] = self.baseline_visit
        out["session"] = [{"number": s.number, "day": s.day} for s in self.sessions]
        visits = []
        for v in self.visits:
            entry: dict[str, Any] = {
                "name": v.name,
                "number": v.number,
                "phase": v.phase,
                "session": v.session,
            }
            if v.day is not None:
                entry["day"] = v.day
            if v.window is not None:
                entry["window"] = list(v.window)
            if v.hours_after_dose is not None:
                entry["hours_after_dose"] = v.hours_after_dose
            visits.append(entry)
        out["visit"] = visits
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per visit: name, number, day, window, phase, session, hours after dose."""
        return pd.DataFrame(
            {
                "visit": [v.name for v in self.visits],
                "visit_num": [v.number for v in self.visits],
                "day": [v.day for v in self.visits],
                "window_low": [v.window[0] if v.window else np.nan for v in self.visits],
                "window_high": [v.window[1] if v.window else np.nan for v in self.visits],
                "phase": [v.phase for v in self.visits],
                "session": [v.session for v in self.visits],
                "hours_after_dose": [v.hours_after_dose for v in self.visits],
            }
        )


def _complete(
    visits: list[ScheduledVisit],
    sessions: tuple[DosingSession, ...],
    baseline: str | None,
    *,
    inferred: bool,
    notes: tuple[str, ...],
) -> Schedule:
    """Fill in each visit's phase and session where not given, and find the baseline visit.

    The baseline is the visit given, else one named like a baseline, else the last visit on or
    before the first dose by nominal day, else (no visit has a day) the first visit that is not
    a screening. Visits without a day are placed by their number: before the baseline they are
    screening, after it they follow the first dose.
    """
    visits = sorted(visits, key=lambda v: v.number)
    sessions = tuple(sorted(sessions, key=lambda s: s.number))
    note_list = list(notes)
    if baseline is None:
        baseline, why = _find_baseline(visits, sessions)
        if baseline is not None and inferred:
            note_list.append(f"baseline visit taken to be {baseline!r}{why}")
    base_number = next((v.number for v in visits if v.name == baseline), None)
    done = []
    for v in visits:
        session = v.session if v.session >= 0 else _session_of(v, sessions, baseline, base_number)
        phase = v.phase or _phase_of(v, session, sessions, base_number)
        done.append(replace(v, session=session, phase=phase))
    undated = [v.name for v in visits if v.day is None and v.session < 0]
    if inferred and undated and base_number is not None:
        note_list.append(_undated_note(done, undated, baseline))
    return Schedule(tuple(done), sessions, baseline, inferred=inferred, notes=tuple(note_list))


def _find_baseline(
    visits: list[ScheduledVisit], sessions: tuple[DosingSession, ...]
) -> tuple[str | None, str]:
    """The baseline visit of visits in order when none is given, and why (for the notes)."""
    named = next((v.name for v in visits if _BASELINE.search(v.name)), None)
    if named is not None:
        return named, ""
    first_dose = sessions[0].day if sessions else 1.0
    before = [
        v
        for v in visits
        if v.day is not None and v.day <= first_dose and not _SCREENING.search(v.name)
    ]
    if before:
        return before[-1].name, ""
    if any(v.day is not None for v in visits):
        return None, ""
    first = next((v.name for v in visits if not _SCREENING.search(v.name)), None)
    return first, " (the first visit; no visit has a study day)"


def _undated_note(done: list[ScheduledVisit], undated: list[str], baseline: str | None) -> str:
    """What was assumed of the visits without a study day."""
    phases = {v.name: v.phase for v in done}
    before = [n for n in undated if phases[n] == "screening"]
    after = [n for n in undated if n != baseline and phases[n] not in ("screening", "baseline")]
    parts = [f"before it, screening: {before}"] if before else []
    if after:
        parts.append(f"after it, following the first dose: {after}")
    return (
        f"visits without a study day placed by their order around the baseline visit "
        f"{baseline!r}: " + ("; ".join(parts) or "none before or after it")
    )


def _session_of(
    v: ScheduledVisit,
    sessions: tuple[DosingSession, ...],
    baseline: str | None,
    base_number: float | None,
) -> int:
    if v.name == baseline or _SCREENING.search(v.name):
        return 0
    if v.day is None:  # placed by its order: after the baseline, it follows the first dose
        return int(base_number is not None and v.number > base_number and bool(sessions))
    # A visit on a dosing day follows that dose only when it is timed in hours after it.
    return sum(
        1 for s in sessions if s.day < v.day or (s.day == v.day and v.hours_after_dose is not None)
    )


def _phase_of(
    v: ScheduledVisit, session: int, sessions: tuple[DosingSession, ...], base_number: float | None
) -> str:
    if _SCREENING.search(v.name) or (base_number is not None and v.number < base_number):
        return "screening"
    if session == 0:
        return "baseline"
    if v.hours_after_dose is not None and v.hours_after_dose < 24:
        return "dosing"
    last_dose = max(s.day for s in sessions)
    if v.day is not None and v.day - last_dose > FOLLOW_UP_AFTER_DAYS:
        return "follow-up"
    return "post-dose"
