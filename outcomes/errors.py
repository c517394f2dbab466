"""The package's one exception tree.

Every error that ``outcomes`` raises on purpose is an :class:`OutcomesError`. Each subclass also
derives from the built-in exception a caller would expect (``ValueError`` for bad data,
``LookupError`` for an unknown name, ``OSError`` for a file that cannot be read), so
``except ValueError`` keeps working for code that does not know this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from outcomes.terminal import printable

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OutcomesError",
    "ReadError",
    "MappingError",
    "InstrumentError",
    "ScheduleError",
    "ConvergenceError",
    "ModelSpecificationError",
    "PlotError",
    "TableError",
    "ArgumentTypeError",
    "OutcomesWarning",
    "OutcomesDeprecationWarning",
    "ValidationError",
    "WriteError",
]


class OutcomesError(Exception):
    """Base class of every error raised by ``outcomes``."""


class OutcomesWarning(UserWarning):
    """Base class of every warning issued by ``outcomes``."""


class OutcomesDeprecationWarning(OutcomesWarning, DeprecationWarning):
    """A name kept for one release after a rename; the message gives the new one."""


class ReadError(OutcomesError, OSError):
    """A file cannot be read at all: missing, empty, of an unknown format, or corrupt."""


class WriteError(OutcomesError, ValueError):
    """A table cannot be written in the format asked for (names too long, no writer, ...)."""


class MappingError(OutcomesError, ValueError):
    """The columns of a file cannot be matched to the roles a layout needs."""


class InstrumentError(OutcomesError, LookupError):
    """An instrument or item code is unknown, or an instrument definition is malformed."""


class ConvergenceError(OutcomesError, RuntimeError):
    """A model fit did not converge; the message says what was tried and what to do."""


class ModelSpecificationError(OutcomesError, ValueError):
    """A model cannot be fitted as asked: an unknown or mismatched option, or a column that
    cannot enter the model (the message names it)."""


class PlotError(OutcomesError, ValueError):
    """A figure cannot be drawn as asked: an unknown option, or data it cannot show."""


class TableError(OutcomesError, ValueError):
    """A table cannot be built or formatted as asked."""


class ArgumentTypeError(OutcomesError, TypeError):
    """An argument of the wrong kind (a number where a frame is needed, ...)."""


class ScheduleError(OutcomesError, ValueError):
    """A schedule of assessments is malformed."""


class ValidationError(OutcomesError, ValueError):
    """The data have at least one error; every problem found is in :attr:`problems`.

    Parameters
    ----------
    problems : pandas.DataFrame
        One row per problem, errors and warnings alike, with the columns of
        :data:`outcomes.data.problems.PROBLEM_COLUMNS`.
    notes : sequence of str
        What reading decided before the problems were found (detected layout and columns).

    Examples
    --------
    >>> import pandas as pd
    >>> err = ValidationError(pd.DataFrame({"severity": ["error"], "code": ["x"],
    ...                                      "message": ["row 3: bad"]}))
    >>> err.problems.shape[0]
    1
    """

    def __init__(self, problems: pd.DataFrame, notes: Sequence[str] = ()) -> None:
        self.problems = problems
        self.notes = tuple(notes)
        n_err = int((problems["severity"] == "error").sum()) if len(problems) else 0
        n_warn = len(problems) - n_err
        lines = [f"{n_err} error(s) and {n_warn} warning(s) in the data:"]
        errors_first = problems.sort_values("severity", kind="stable") if n_err else problems
        shown = errors_first.head(20)
        for sev, msg in zip(shown["severity"], shown["message"], strict=True):
            lines.append(f"  [{sev}] {printable(msg)}")  # one line each, whatever the data hold
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more (see .problems)")
        super().__init__("\n".join(lines))
