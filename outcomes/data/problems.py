"""Problems found in a trial's data: one record each, located and explained.

Validation never stops at the first problem. Every check appends :class:`Problem` records to a
:class:`ProblemLog`; at the end the log becomes one DataFrame (:data:`PROBLEM_COLUMNS`) that is
either attached to the :class:`~outcomes.data.trialdata.TrialData` (warnings only) or raised in a
:class:`~outcomes.errors.ValidationError` (at least one error).

Locations
---------
``file``
    The file's name as given to :func:`outcomes.read`.
``row``
    The 1-based number of the data record in that file (the first record after the header is 1;
    in a spreadsheet it is on line ``row + 1``).
``subject``, ``visit``, ``instrument``, ``column``, ``value``
    Whatever applies; ``None`` where it does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd

__all__ = ["PROBLEM_COLUMNS", "Problem", "ProblemLog", "Severity", "location"]

Severity = Literal["error", "warning"]

PROBLEM_COLUMNS: tuple[str, ...] = (
    "severity",
    "code",
    "message",
    "hint",
    "file",
    "row",
    "subject",
    "visit",
    "instrument",
    "column",
    "value",
)


@dataclass(frozen=True)
class Problem:
    """One problem in the data.

    Parameters
    ----------
    severity : {"error", "warning"}
        An error stops :func:`outcomes.read`; a warning is reported and the data are kept.
    code : str
        A stable, kebab-case identifier such as ``"item-out-of-range"``, for tests and users.
    message : str
        A sentence a statistician understands without the code, naming the location.
    hint : str
        What to do about it.
    file, row, subject, visit, instrument, column, value
        The location, each ``None`` where it does not apply.
    """

    severity: Severity
    code: str
    message: str
    hint: str = ""
    file: str | None = None
    row: int | None = None
    subject: str | None = None
    visit: str | None = None
    instrument: str | None = None
    column: str | None = None
    value: str | None = None


class ProblemLog:
    """Collects problems from every check, in the order they are found.

    Examples
    --------
    >>> log = ProblemLog(file="scores.csv")
    >>> log.add("error", "total-out-of-range", "MADRS total 72 is above 60", row=4, value=72)
    >>> log.has_errors
    True
    >>> print(log.to_frame()[["code", "file", "row", "value"]].to_string(index=False))
                  code       file  row value
    total-out-of-range scores.csv    4    72
    """

    def __init__(self, file: str | None = None) -> None:
        self.file = file
        self._problems: list[Problem] = []

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        hint: str = "",
        row: Any = None,
        subject: Any = None,
        visit: Any = None,
        instrument: Any = None,
        column: Any = None,
        value: Any = None,
        file: str | None = None,
    ) -> None:
        """Record one problem; locations are stored as text (``row`` as int) or ``None``."""
        self._problems.append(
            Problem(
                severity=severity,
                code=code,
                message=message,
                hint=hint,
                file=file if file is not None else self.file,
                row=None if _missing(row) else int(row),
                subject=_text(subject),
                visit=_text(visit),
                instrument=_text(instrument),
                column=_text(column),
                value=_text(value),
            )
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        """Append problems found elsewhere (for instance by the anonymisation guard)."""
        self._problems.extend(problems)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems so far, in order."""
        return tuple(self._problems)

    @property
    def has_errors(self) -> bool:
        """Whether any problem so far is an error."""
        return any(p.severity == "error" for p in self._problems)

    def to_frame(self) -> pd.DataFrame:
        """All problems as a DataFrame with the columns of :data:`PROBLEM_COLUMNS`."""
        frame = pd.DataFrame([asdict(p) for p in self._problems], columns=list(PROBLEM_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame


def location(record: Mapping[str, Any]) -> dict[str, Any]:
    """The location of an assessment as :meth:`ProblemLog.add` takes it.

    ``record`` is a row of an assessments table (a Series or a dict) with ``source_row``,
    ``subject``, ``visit`` and ``instrument``.

    Examples
    --------
    >>> location({"source_row": 3, "subject": "S1", "visit": "WEEK 1", "instrument": "gad7"})
    {'row': 3, 'subject': 'S1', 'visit': 'WEEK 1', 'instrument': 'gad7'}
    """
    return {
        "row": record.get("source_row"),
        "subject": record.get("subject"),
        "visit": record.get("visit"),
        "instrument": record.get("instrument"),
    }


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
