"""Reading and writing the file formats trials produce, one table per file.

:func:`read_table` reads a table and :func:`write_table` writes one. The format comes from the
file's suffix (:data:`FORMATS`) unless ``format=`` names it.

Two families of format are read differently:

* **Text and spreadsheets** (``csv``, ``tsv``, ``text``, ``excel``) hold no reliable types, so every
  value comes back as text, as typed: ``"006"`` keeps its zeros and ``"12a"`` stays for
  validation to report. Excel cells come back as a CSV export shows them (``12.0`` as ``"12"``,
  a date as ``"2024-03-01"``), so a spreadsheet and its CSV export read the same.
* **Typed formats** (``parquet``, ``spss``, ``sas7bdat``, ``xpt``, ``stata``) keep the types
  stored in the file.

In both, surrounding whitespace is stripped from column names and text values, and blank text
is missing. Record ``i`` of the returned frame (a default ``RangeIndex``) is data record ``i + 1``
of the file.

>>> FORMATS[".sav"], FORMATS[".txt"]
('spss', 'text')
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from io import StringIO
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from outcomes.errors import ReadError, WriteError

__all__ = ["FORMATS", "read_table", "write_table"]

#: File suffix (lower case) -> format name.
FORMATS: Mapping[str, str] = MappingProxyType(
    {
        ".csv": "csv",
        ".tsv": "tsv",
        ".tab": "tsv",
        ".txt": "text",
        ".xlsx": "excel",
        ".xlsm": "excel",
        ".xls": "excel",
        ".parquet": "parquet",
        ".pq": "parquet",
        ".sav": "spss",
        ".zsav": "spss",
        ".sas7bdat": "sas7bdat",
        ".xpt": "xpt",
        ".dta": "stata",
    }
)

_TEXT_FORMATS = frozenset({"csv", "tsv", "text"})

#: Delimiters a ``.txt`` file may use; on a tie in the header the earlier one wins.
_DELIMITERS = ("\t", ",", ";", "|")

#: Longest column name each typed writer accepts.
_MAX_NAME_LENGTH = {"spss": 64, "xpt": 32, "stata": 32}

#: Stata files record when they were written; a fixed time keeps the bytes reproducible.
_STATA_TIME_STAMP = dt.datetime(1970, 1, 1)


def read_table(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read one table from a file.

    Parameters
    ----------
    path : str or path-like
        The file. Its suffix gives the format (see :data:`FORMATS`).
    format : str, optional
        A format name from :data:`FORMATS` (``"csv"``, ``"excel"``, ...), for a file whose
        suffix is missing or misleading.
    sheet : str or int, optional
        Excel only: the sheet's name or 0-based position. The first sheet by default.

    Returns
    -------
    pandas.DataFrame
        One row per data record, with a default ``RangeIndex``: row ``i`` is data record
        ``i + 1`` of the file. ``frame.attrs["source"]`` is ``{"file": str(path), "format": name}``.

    Raises
    ------
    outcomes.errors.ReadError
        The file does not exist, is a directory, is empty (0 bytes), has an unknown suffix, is
        damaged, or has two columns of the same name; or ``sheet`` names no sheet of the
        workbook, or is given for a format without sheets.

    Notes
    -----
    *Text files* (csv, tsv, text) are read with every column as text, without type guessing.
    Empty and whitespace-only cells are missing; any other text, ``"NA"`` or ``"."`` included,
    is kept as typed. The encoding is UTF-8 (with or without a byte-order mark) or UTF-16 with a
    byte-order mark; a line that is not valid UTF-8 is read as cp1252 (latin-1 where cp1252 has
    no character), so a file that mixes encodings still reads. ``.csv`` is comma-separated
    unless its header has no comma but has a semicolon (European CSV); ``.tsv`` and ``.tab``
    are tab-separated; for ``.txt`` the delimiter (tab, comma, semicolon or pipe) occurring
    most often in the header is used. Decimal commas are kept as typed (``"1,5"``).

    *Excel* sheets are read as text too: whole numbers without ``.0``, other numbers in their
    shortest exact form (``"12.5"``), dates as ``"YYYY-MM-DD"``, date-times with a time of day
    as ``"YYYY-MM-DD HH:MM:SS"``, booleans as ``"TRUE"``/``"FALSE"``, formula results as cached
    by Excel, and error cells (``#N/A``) as missing. ``.xls`` needs the optional package
    ``xlrd``.

    In text and Excel files a column without a header is named ``"Unnamed: i"`` (``i`` its
    0-based position) and dropped when it holds no value at all; blank records at the end are
    dropped, blank records between others are kept as all-missing rows so that numbering holds.

    *Typed formats* keep their types. SPSS and Stata columns with value labels come back as
    their codes, not their labels; SPSS user-defined missing values and Stata's ``.a``-``.z``
    are missing. SPSS and SAS store every number as a double, so whole numbers come back as
    ``float64``; Stata integers come back as ``int64``, or ``float64`` when some are missing.
    Dates and date-times come back as ``datetime64``. SPSS and SAS text that is not valid UTF-8
    is decoded as cp1252. A pandas index stored in a parquet file becomes columns.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "scores.csv"
    ...     _ = path.write_text("subject; score \\n006; 12a\\n007;\\n", encoding="utf-8")
    ...     frame = read_table(path)
    >>> frame.to_dict("list")
    {'subject': ['006', '007'], 'score': ['12a', nan]}
    >>> frame.attrs["source"]["format"]
    'csv'
    """
    path = Path(path)
    name = _format_name(path, format, ReadError)
    if sheet is not None and name != "excel":
        raise ReadError(f"{path}: sheet={sheet!r} was given, but a {name} file has no sheets")
    _check_file(path)
    if name in _TEXT_FORMATS:
        frame = _from_grid(_read_text(path, name), path)
    elif name == "excel":
        frame = _from_grid(_read_excel(path, sheet), path)
    else:
        frame = _read_typed(path, name)
    frame.attrs["source"] = {"file": str(path), "format": name}
    return frame


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
) -> Path:
    """Write one table to a file that :func:`read_table` reads back with the same values.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table. Its index is not written; call ``frame.reset_index()`` first to keep it.
    path : str or path-like
        The file to write (replaced if it exists). Its suffix gives the format.
    format : str, optional
        A format name from :data:`FORMATS`, to override the suffix.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    WriteError
        The format cannot be written (``.sas7bdat``, ``.xls``, ``.xlsm``, an unknown suffix),
        two columns share a name, a name is too long or invalid for the format, or the writing
        library refuses the data.

    Notes
    -----
    ``csv``, ``tsv``, ``text``
        UTF-8 without byte-order mark, ``\\n`` line endings, comma or tab. Values are rendered
        as :func:`read_table` renders Excel cells (a whole float ``20.0`` as ``"20"``, a
        midnight date-time as ``"2024-03-01"``, missing as an empty field), so a table written
        as CSV and as Excel reads back the same. The same frame always gives the same bytes.
    ``excel``
        ``.xlsx`` via openpyxl, with native cell types.
    ``parquet``
        Via pyarrow, with every pandas type kept; the same frame gives the same bytes.
    ``spss``
        ``.sav`` (``.zsav`` compressed) via pyreadstat; names up to 64 characters.
    ``xpt``
        SAS transport version 8 via pyreadstat; names up to 32 characters. SAS reads it with
        ``%XPT2LOC``; a regulatory submission needs version 5, whose names have at most 8.
    ``stata``
        ``.dta`` version 118 via pandas; names up to 32 letters, digits and ``_``, not a Stata
        reserved word. Categoricals are written as their values, not as labelled codes. The
        time stamp is fixed at 1970-01-01 so that the same frame gives the same bytes.

    ``.xlsx``, ``.sav`` and ``.xpt`` files record when they were written, so their bytes differ
    between runs while their contents do not.

    No installed library writes ``.sas7bdat``: write ``.xpt``, which SAS reads.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> table = pd.DataFrame({"subject": ["006", "007"], "score": [12.0, 12.5]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     as_csv = read_table(write_table(table, Path(tmp) / "scores.csv"))
    ...     as_stata = read_table(write_table(table, Path(tmp) / "scores.dta"))
    >>> as_csv["score"].tolist(), as_stata["score"].tolist()
    (['12', '12.5'], [12.0, 12.5])
    """
    path = Path(path)
    name = _format_name(path, format, WriteError)
    if name == "sas7bdat":
        raise WriteError(
            f"{path}: no installed library writes SAS .sas7bdat files; "
            "write SAS transport (.xpt) instead, which SAS reads"
        )
    if name == "excel" and path.suffix.lower() in (".xls", ".xlsm"):
        raise WriteError(f"{path}: cannot write {path.suffix} files; write .xlsx instead")
    _check_unique_names(frame.columns, path, WriteError)
    limit = _MAX_NAME_LENGTH.get(name)
    too_long = [str(c) for c in frame.columns if len(str(c)) > limit] if limit else []
    if too_long:
        raise WriteError(
            f"{path}: {name} allows column names of at most {limit} characters; "
            f"rename {', '.join(map(repr, too_long))}"
        )
    try:
        _WRITERS[name](frame, path)
    except OSError:  # a missing folder or a file in use says so itself
        raise
    except Exception as exc:  # the writing libraries raise many types for data they refuse
        raise WriteError(
            f"{path}: cannot be written as {name} ({type(exc).__name__}: {str(exc).strip()})"
        ) from exc
    return path


# -- reading --------------------------------------------------------------------------------------


def _format_name(path: Path, format: str | None, error: type[Exception]) -> str:
    """The format name given, or the one the suffix implies; ``error`` when there is none."""
    names = sorted(set(FORMATS.values()))
    if format is not None:
        if format not in names:
            raise error(f"{path}: unknown format={format!r}; use one of {', '.join(names)}")
        return format
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise error(
            f"{path}: unknown file type {suffix or '(no suffix)'!r}; known suffixes are "
            f"{', '.join(FORMATS)}. To use this file anyway, give format= as one of "
            f"{', '.join(names)}"
        )
    return FORMATS[suffix]


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a directory, not a file")
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: the file is empty (0 bytes)")


@contextmanager
def _library_errors(path: Path, name: str) -> Iterator[None]:
    """Re-raise whatever a reading library raises as a :class:`ReadError` naming the file."""
    try:
        yield
    except ReadError:
        raise
    except ImportError as exc:
        raise ReadError(
            f"{path}: reading {name} files needs a package that is not installed ({exc})"
        ) from exc
    except OSError as exc:
        raise ReadError(f"{path}: the file cannot be opened ({exc})") from exc
    except Exception as exc:  # the libraries raise many types for a damaged file
        raise ReadError(
            f"{path}: cannot be read as {name} ({type(exc).__name__}: {str(exc).strip()}); "
            f"the file may be damaged, or not a {name} file"
        ) from exc


def _read_text(path: Path, name: str) -> pd.DataFrame:
    """The cells of a delimited text file, header row included, all as text."""
    with _library_errors(path, name):
        text = _decode(path.read_bytes()).lstrip("\r\n")
    if not text.strip():
        raise ReadError(f"{path}: the file holds only blank lines; a header row is needed")
    with _library_errors(path, name):
        return pd.read_csv(
            StringIO(text),
            sep=_delimiter(text, name),
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
        )


def _decode(raw: bytes) -> str:
    """UTF-16 with a byte-order mark, else UTF-8; lines that are not UTF-8 as cp1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_decode_line(line) for line in raw.splitlines(keepends=True))


def _decode_line(line: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def _delimiter(text: str, name: str) -> str:
    """The delimiter of a text file, judged from its header outside quotes."""
    if name == "tsv":
        return "\t"
    header = re.sub(r'"[^"]*"', "", text.partition("\n")[0])
    if name == "csv":
        return ";" if "," not in header and ";" in header else ","
    return max(_DELIMITERS, key=header.count)


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The cells of one sheet, header row included, rendered as text (``None`` if empty)."""
    with _library_errors(path, "excel"), pd.ExcelFile(path) as book:
        chosen = _sheet_name(book.sheet_names, sheet, path)
        grid = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    return grid.map(_cell_text)


def _sheet_name(names: list[str], sheet: str | int | None, path: Path) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, int) and -len(names) <= sheet < len(names):
        return names[sheet]
    raise ReadError(f"{path}: no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}")


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
    header = [(_cell_text(v) or "").strip() for v in grid.iloc[0]]
    names = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    _check_unique_names(names, path, ReadError)
    records = grid.iloc[1:].reset_index(drop=True).astype("str")
    records.columns = names
    records = _tidy_text(records)
    keep = [n for h, n in zip(header, names, strict=True) if h or records[n].notna().any()]
    records = records[keep]
    with_values = np.flatnonzero(records.notna().any(axis=1).to_numpy())
    n_records = with_values[-1] + 1 if len(with_values) else 0  # drops blank records at the end
    return records.iloc[:n_records]


def _read_typed(path: Path, name: str) -> pd.DataFrame:
    with _library_errors(path, name):
        frame = _TYPED_READERS[name](path)
        # A stored pandas index is data: keep it as columns unless it is the default one.
        frame = frame.reset_index(drop=frame.index.equals(pd.RangeIndex(len(frame))))
    frame.columns = [c.strip() if isinstance(c, str) else c for c in frame.columns]
    _check_unique_names(frame.columns, path, ReadError)
    return _tidy_text(frame)


def _read_stat(reader: Callable[..., tuple[pd.DataFrame, Any]], path: Path) -> pd.DataFrame:
    """Read with pyreadstat, dates as ``datetime64``; text that is not UTF-8 as cp1252."""
    try:
        frame, _ = reader(path, dates_as_pandas_datetime=True)
    except UnicodeDecodeError:
        frame, _ = reader(path, dates_as_pandas_datetime=True, encoding="cp1252")
    return frame


# Value-label codes rather than labels, user-defined and extended missing values as missing.
# Stata goes through pandas: pyreadstat gives integer columns with missing values as objects.
_TYPED_READERS: Mapping[str, Callable[[Path], pd.DataFrame]] = {
    "parquet": pd.read_parquet,
    "spss": partial(
        _read_stat, partial(pyreadstat.read_sav, apply_value_formats=False, user_missing=False)
    ),
    "sas7bdat": partial(_read_stat, pyreadstat.read_sas7bdat),
    "xpt": partial(_read_stat, pyreadstat.read_xport),
    "stata": partial(
        pd.read_stata, convert_categoricals=False, convert_missing=False, preserve_dtypes=False
    ),
}


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
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        is_text = isinstance(values.dtype, pd.StringDtype) or (
            values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"
        )
        if is_text:
            stripped = values.astype("str").str.strip()
            frame[column] = stripped.mask(stripped == "")
    return frame


# -- writing --------------------------------------------------------------------------------------


def _write_delimited(frame: pd.DataFrame, path: Path, *, sep: str) -> None:
    frame.map(_cell_text).to_csv(path, sep=sep, index=False, lineterminator="\n", encoding="utf-8")


def _write_excel(frame: pd.DataFrame, path: Path) -> None:
    frame.to_excel(path, index=False, engine="openpyxl")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def _write_spss(frame: pd.DataFrame, path: Path) -> None:
    pyreadstat.write_sav(frame, path, compress=path.suffix.lower() == ".zsav")


def _write_xpt(frame: pd.DataFrame, path: Path) -> None:
    pyreadstat.write_xport(frame, path, file_format_version=8)


def _write_stata(frame: pd.DataFrame, path: Path) -> None:
    # pandas writes a categorical as value-labelled codes, which read back as codes: write values.
    frame = frame.copy()
    for column in frame.select_dtypes("category").columns:
        frame[column] = np.asarray(frame[column])
    with warnings.catch_warnings():
        # pandas would otherwise rename invalid names with only a warning, breaking round trips.
        warnings.simplefilter("error", pd.errors.InvalidColumnName)
        frame.to_stata(path, write_index=False, version=118, time_stamp=_STATA_TIME_STAMP)


_WRITERS: Mapping[str, Callable[[pd.DataFrame, Path], None]] = {
    "csv": partial(_write_delimited, sep=","),
    "tsv": partial(_write_delimited, sep="\t"),
    "text": partial(_write_delimited, sep="\t"),
    "excel": _write_excel,
    "parquet": _write_parquet,
    "spss": _write_spss,
    "xpt": _write_xpt,
    "stata": _write_stata,
}
