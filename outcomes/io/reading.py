"""What reading a table involves whatever its format: the rules every table read keeps.

A table read has at most :data:`MAX_COLUMNS` columns, each with its own name; surrounding
whitespace is stripped from its text values and blank text is missing (:func:`_tidy_text`).
Text files and spreadsheets are grids of text cells whose first row is the header
(:func:`_from_grid`), a cell rendered as a CSV export shows it (:func:`_cell_text`). A problem
found in a file's cells is a dict for ``ProblemLog.add`` (:func:`_problem`); whatever a reading
library raises becomes a :class:`~outcomes.errors.ReadError` that names the file and quotes none
of its content (:func:`_library_errors`).

The readers of :mod:`outcomes.io.formats` share these; only :data:`MAX_COLUMNS` is public (as
``outcomes.io.formats.MAX_COLUMNS``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ReadError

__all__ = ["MAX_COLUMNS"]

#: The most columns a table read may have (a wide or REDCap file has hundreds to a few thousand).
MAX_COLUMNS = 10_000

#: How much of a library's message a read error quotes, and what it leaves out: the text the
#: message quotes, which may come from the file.
_QUOTED_MESSAGE_LENGTH = 200
_QUOTED = re.compile("'[^']*'|\"[^\"]*\"")


def _problem(
    severity: str, code: str, message: str, hint: str, *, row: int | None = None, column: Any = None
) -> dict[str, Any]:
    """A problem found in a file's cells, as keyword arguments for ``ProblemLog.add``."""
    row = None if row is None else int(row)
    return {
        "severity": severity,
        "code": code,
        "message": message,
        "hint": hint,
        "row": row,
        "column": column,
    }


@contextmanager
def _library_errors(path: Path, name: str) -> Iterator[None]:
    """Re-raise whatever a reading library raises as a :class:`ReadError` naming the file.

    The library's message is quoted in part only, and without what it quotes: a message such as
    ``could not convert string to float: '...'`` would otherwise show the file's content.
    """
    try:
        yield
    except ReadError:
        raise
    except ImportError as exc:
        raise ReadError(
            f"{path}: reading {name} files needs a package that is not installed ({exc})"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or _gist(exc)
        raise ReadError(f"{path}: the file cannot be opened ({reason})") from exc
    except Exception as exc:  # the libraries raise many types for a damaged file
        raise ReadError(
            f"{path}: cannot be read as {name} ({type(exc).__name__}: {_gist(exc)}); "
            f"the file may be damaged, or not a {name} file"
        ) from exc


def _gist(exc: Exception) -> str:
    """The first line of an exception's message, short, without quoted text or unprintables."""
    lines = str(exc).strip().splitlines() or [""]
    line = _QUOTED.sub("'...'", lines[0])
    line = "".join(c if c.isprintable() else "?" for c in line)
    return line[:_QUOTED_MESSAGE_LENGTH]


def _check_width(names: Iterable[Any], path: Path) -> None:
    """A table read has at most :data:`MAX_COLUMNS` columns."""
    n_columns = len(list(names))
    if n_columns > MAX_COLUMNS:
        raise ReadError(
            f"{path}: the table has {n_columns:,} columns; a trial's file has at most a few "
            f"thousand, and outcomes reads at most {MAX_COLUMNS:,}"
        )


def _check_unique_names(names: Iterable[Any], path: Path, error: type[Exception]) -> None:
    index = pd.Index(list(names))
    duplicated = index[index.duplicated()].unique()
    if len(duplicated):
        raise error(
            f"{path}: more than one column is named {', '.join(map(repr, duplicated))}; "
            "give every column its own name"
        )


def _tidy_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip surrounding whitespace from text values; blank text becomes missing."""
    if frame.shape[1] == 0:
        return frame.copy()
    # one frame from all the columns: assigning them one by one is quadratic in their number
    return pd.concat([_tidy_column(frame.iloc[:, i]) for i in range(frame.shape[1])], axis=1)


def _tidy_column(values: pd.Series) -> pd.Series:
    is_text = isinstance(values.dtype, pd.StringDtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"
    )
    if not is_text:
        return values  # shared, not copied: at 8,000,000 rows the copies were 0.7 GB
    stripped = values.astype("str").str.strip()
    return stripped.mask(stripped == "")


def _cell_text(value: Any) -> str | None:
    """A cell as a CSV export shows it; ``None`` for an empty cell."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _from_grid(grid: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A table from a grid of text cells whose first row is the header."""
    if len(grid) == 0:
        raise ReadError(f"{path}: the sheet is empty; a header row is needed")
    header, names = _header(grid)
    _check_width(names, path)
    _check_unique_names(names, path, ReadError)
    records = grid.iloc[1:].reset_index(drop=True).astype("str")
    records.columns = names
    records = _tidy_text(records)
    keep = [n for h, n in zip(header, names, strict=True) if h or records[n].notna().any()]
    records = records[keep]
    with_values = np.flatnonzero(records.notna().any(axis=1).to_numpy())
    n_records = with_values[-1] + 1 if len(with_values) else 0  # drops blank records at the end
    return records.iloc[:n_records]


def _header(grid: pd.DataFrame) -> tuple[list[str], list[str]]:
    """A grid's header: the text of its first row's cells (``""`` if blank), and column names."""
    header = [(_cell_text(v) or "").strip() for v in grid.iloc[0]]
    return header, [h or f"Unnamed: {i}" for i, h in enumerate(header)]
