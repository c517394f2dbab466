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

Protected values
----------------
A value that is, or may be, a direct identifier (found by the anonymisation guard,
:mod:`outcomes.validate.anonymity`) is given to :meth:`ProblemLog.protect`. From then on no problem
of the log, whether added before or after, repeats it: a location that is the value, and every
occurrence of it in a message, a hint or a location, is replaced by its :func:`mask`. An
occurrence is text between word boundaries, in any case (in its own case for values of one or two
letters and digits, such as initials); numbers of fewer than six digits are masked only where a
location is the value whole, since in a message they cannot be told from a row number or a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd

from outcomes.terminal import UNPRINTABLE, printable

__all__ = ["PROBLEM_COLUMNS", "Problem", "ProblemLog", "Severity", "location", "mask"]

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
#: The fields of a problem that may repeat a value of the data.
_TEXT_FIELDS = ("message", "hint", "subject", "visit", "instrument", "column", "value")
_MASK_LENGTH = 40
_WORD = re.compile(r"[^\W_]+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def mask(value: str) -> str:
    """A value with its first character and its punctuation kept, letters and digits hidden.

    Examples
    --------
    >>> mask("jane.doe@example.org"), mask("07700 900123")
    ('j***.***@*******.***', '0**** ******')
    """
    masked = value[:1] + re.sub(r"[^\W_]", "*", value[1:_MASK_LENGTH])
    return masked + "..." if len(value) > _MASK_LENGTH else masked


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
        self._whole: set[str] = set()
        self._cores: set[str] = set()
        self._short: set[str] = set()
        self._lengths: set[int] = set()

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
        self.add_many(
            severity,
            code,
            [message],
            hint=hint,
            row=[row],
            subject=[subject],
            visit=[visit],
            instrument=[instrument],
            column=[column],
            value=[value],
            file=file,
        )

    def add_many(
        self,
        severity: Severity,
        code: str,
        messages: Sequence[str],
        *,
        hint: str = "",
        row: Sequence[Any] | None = None,
        subject: Sequence[Any] | None = None,
        visit: Sequence[Any] | None = None,
        instrument: Sequence[Any] | None = None,
        column: Sequence[Any] | None = None,
        value: Sequence[Any] | None = None,
        file: str | None = None,
    ) -> None:
        """Record one problem per message, as :meth:`add` records each, in order.

        Each location is a sequence of one value per message, or ``None`` where it does not
        apply to any.

        Examples
        --------
        >>> log = ProblemLog()
        >>> log.add_many("warning", "total-not-scored", ["row 1: no total", "row 2: no total"],
        ...              row=[1, 2], subject=["S1", "S2"])
        >>> [(p.row, p.subject, p.visit) for p in log.problems]
        [(1, 'S1', None), (2, 'S2', None)]
        """
        n = len(messages)
        none = [None] * n
        problems = map(
            Problem,
            [severity] * n,
            [code] * n,
            messages,
            [hint] * n,
            [file if file is not None else self.file] * n,
            none if row is None else map(_row, row),
            *(
                none if v is None else map(_text, v)
                for v in (subject, visit, instrument, column, value)
            ),
        )
        readable = _printable(messages) and _printable([hint])
        self._problems.extend(self._redacted(p if readable else _readable(p)) for p in problems)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Append problems found elsewhere (for instance by the anonymisation guard)."""
        for problem in problems:
            self._append(problem)

    def merge(self, other: ProblemLog) -> None:
        """Append another log's problems and protect the values it protects."""
        self.protect(other.protected)
        self.extend(other.problems)

    def protect(self, values: Iterable[Any]) -> None:
        """Never repeat these values in a problem, whether added before or after.

        Examples
        --------
        >>> log = ProblemLog()
        >>> log.add("error", "visit-not-in-schedule", "visit '1985-03-05' is not in the schedule",
        ...         visit="1985-03-05", value="1985-03-05")
        >>> log.protect(["1985-03-05"])
        >>> problem = log.problems[0]
        >>> problem.message, problem.visit, problem.value
        ("visit '1***-**-**' is not in the schedule", '1***-**-**', '1***-**-**')
        """
        for value in values:
            text = str(value).strip()
            if not text:
                continue
            self._whole.add(text.lower())
            core = _EDGES.sub("", text)
            if not core or (core.isdigit() and len(core) < 6):
                continue
            if sum(len(w) for w in _WORD.findall(core)) >= 3:
                self._cores.add(core.lower())
            else:
                self._short.add(core)
            self._lengths.add(len(core))
        self._problems = [self._redacted(p) for p in self._problems]

    @property
    def protected(self) -> frozenset[str]:
        """The protected values (in lower case)."""
        return frozenset(self._whole)

    def _append(self, problem: Problem) -> None:
        self._problems.append(self._redacted(_readable(problem)))

    def _redacted(self, problem: Problem) -> Problem:
        if not self._whole:
            return problem
        changed = {}
        for name in _TEXT_FIELDS:
            text = getattr(problem, name)
            if text:
                redacted = self._redact(text)
                if redacted != text:
                    changed[name] = redacted
        return replace(problem, **changed) if changed else problem

    def _redact(self, text: str) -> str:
        """``text`` with every protected value in it masked."""
        if text.strip().lower() in self._whole:
            return mask(text.strip())
        lower = text.lower() if len(text.lower()) == len(text) else text
        words = list(_WORD.finditer(text))
        ends = [w.end() for w in words]
        pieces, done = [], 0
        for i, word in enumerate(words):
            start = word.start()
            if start < done:
                continue
            end = next(
                (e for e in reversed(ends[i:]) if e - start in self._lengths
                 and (lower[start:e] in self._cores or text[start:e] in self._short)),
                None,
            )  # fmt: skip
            if end is not None:
                pieces += [text[done:start], mask(text[start:end])]
                done = end
        return "".join(pieces) + text[done:] if pieces else text

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
        if not self._problems:  # nothing to infer the dtypes from: every column but row is object
            return pd.DataFrame([], columns=list(PROBLEM_COLUMNS)).astype({"row": "Int64"})
        columns = {name: [getattr(p, name) for p in self._problems] for name in PROBLEM_COLUMNS}
        columns["row"] = pd.array(columns["row"], dtype="Int64")
        return pd.DataFrame(columns)


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


def _printable(texts: Sequence[Any]) -> bool:
    """Whether every one of these is text with no control character or escape sequence."""
    return all(type(t) is str for t in texts) and not UNPRINTABLE.search("".join(texts))


def _readable(problem: Problem) -> Problem:
    """The problem with its message and hint :func:`~outcomes.terminal.printable`.

    Messages quote the file's labels: none carries a control character or escape sequence.
    Most are printable already, and come back as they are.
    """
    if _printable((problem.message, problem.hint)):
        return problem
    return replace(problem, message=printable(problem.message), hint=printable(problem.hint))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _row(value: Any) -> int | None:
    if type(value) is int:  # the usual case, without asking pandas whether it is missing
        return value
    return None if _missing(value) else int(value)


def _text(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
