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
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from io import StringIO
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
from openpyxl.utils import get_column_letter

from outcomes.errors import ReadError, WriteError
from outcomes.textfiles import check_readable

try:
    import resource
except ImportError:  # Windows: no address-space limits to respect
    resource = None

__all__ = [
    "FORMATS",
    "MAX_COLUMNS",
    "MAX_SHEET_CELLS",
    "check_file",
    "check_readable",
    "read_table",
    "write_table",
]

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

#: Memory a table takes once read, per byte of its file (text) or of what the file declares it
#: unpacks to (a workbook's parts, the cells of parquet, SPSS and SAS files). A lower bound, so
#: that only a file that cannot fit is refused: reading 20 MB of CSV takes 220 MB.
_EXPANSION: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(_TEXT_FORMATS, 10),
        **dict.fromkeys(("excel", "parquet", "spss", "sas7bdat", "xpt", "stata"), 2),
    }
)

#: Memory a cell of a sheet takes on its way to a table (the value, its text, the copies), at least.
_BYTES_PER_CELL = 100

#: The most cells of a sheet that are read, counting the empty cells of its used range: more would
#: take minutes. 20 million is a thousand times a large trial's workbook.
MAX_SHEET_CELLS = 20_000_000
#: The most columns a table read may have (a wide or REDCap file has hundreds to a few thousand).
MAX_COLUMNS = 10_000

#: How much of a library's message a read error quotes, and what it leaves out: the text the
#: message quotes, which may come from the file.
_QUOTED_MESSAGE_LENGTH = 200
_QUOTED = re.compile("'[^']*'|\"[^\"]*\"")


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
        The file does not exist, is a directory (or a device, a pipe), is empty (0 bytes), has an
        unknown suffix, is damaged, is text with binary data in it, or has two columns of the
        same name; or its table would not fit in the memory available (see :func:`check_file`),
        or a sheet's values span more cells than can be read; or ``sheet`` names no sheet of
        the workbook, or is given for a format without sheets. The message names the file and
        the problem, and quotes nothing of the file's content but the names of duplicated
        columns.

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
    by Excel, and error cells (``#N/A``) as missing; any other text (``"NA"`` included) is
    kept as typed, as in a CSV export. Only the cells a sheet holds are read: the size it states
    for itself is not trusted, and a sheet whose values span more than :data:`MAX_SHEET_CELLS`
    cells (or than memory allows) is refused. ``.xls`` needs the optional package ``xlrd``.

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
    name = check_file(path, format=format)
    if sheet is not None and name != "excel":
        raise ReadError(f"{path}: sheet={sheet!r} was given, but a {name} file has no sheets")
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


def check_file(path: str | os.PathLike[str], *, format: str | None = None) -> str:
    """Check, without reading it, that :func:`read_table` can take on a file; return its format.

    Parameters
    ----------
    path : str or path-like
        The file.
    format : str, optional
        A format name from :data:`FORMATS`, as for :func:`read_table`.

    Returns
    -------
    str
        The format name.

    Raises
    ------
    outcomes.errors.ReadError
        As :func:`check_readable`; or the format is unknown; or the table would not fit in the
        memory available: its file, or what the file declares it unpacks to (the parts of a
        workbook, the cells of a parquet, SPSS or SAS file), times what reading takes per byte,
        is more than the memory free (and left under an address-space limit, ``ulimit -v``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "scores.csv"
    ...     _ = path.write_text("subject,score\\n006,12\\n", encoding="utf-8")
    ...     check_file(path)
    'csv'
    """
    path = Path(path)
    check_readable(path)
    name = _format_name(path, format, ReadError)
    _check_memory(path, name)
    return name


def _check_memory(path: Path, name: str) -> None:
    """Refuse a file whose table would not fit in the memory available."""
    with _library_errors(path, name):
        needed = _unpacked_size(path, name) * _EXPANSION[name]
    available = _available_memory()
    if available is not None and needed > available:
        raise ReadError(
            f"{path}: reading it would take about {_size(needed)} of memory, more than the "
            f"{_size(available)} available; split the file, or read it on a larger machine"
        )


def _unpacked_size(path: Path, name: str) -> int:
    """The bytes of a file's content as the file declares them, without reading the content.

    A workbook's parts unpacked; for parquet, SPSS and SAS files, whose content may be
    compressed, their cells at 8 bytes each (or their pages, or the file, when larger).
    """
    size = path.stat().st_size
    if name == "excel" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(part.file_size for part in archive.infolist())
    if name == "parquet":
        meta = pq.read_metadata(path)
        pages = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return max(size, pages, meta.num_rows * meta.num_columns * 8)
    if name in _STAT_METADATA:
        _, meta = _STAT_METADATA[name](path, metadataonly=True)
        return max(size, (meta.number_rows or 0) * (meta.number_columns or 0) * 8)
    return size


def _available_memory() -> int | None:
    """Bytes this process can still take, or ``None`` where the system does not say.

    The memory free (``MemAvailable`` on Linux, the free pages on other Unix systems), and no more
    than the room left under an address-space limit (``ulimit -v``).
    """
    known = [room for room in (_free_memory(), _address_space_left()) if room is not None]
    return min(known, default=None)


def _free_memory() -> int | None:
    """The memory free: ``MemAvailable`` on Linux, the free pages on other Unix systems."""
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # no sysconf (Windows), or no such name
        return None


def _address_space_left() -> int | None:
    """The room left under this process's address-space limit (``ulimit -v``), if it has one."""
    if resource is None:
        return None
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm", "rb") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        used = 0
    return max(limit - used, 0)


def _size(n_bytes: int) -> str:
    """A number of bytes for people: ``"4.6 GB"``."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.1f} TB"


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


def _read_text(path: Path, name: str) -> pd.DataFrame:
    """The cells of a delimited text file, header row included, all as text."""
    with _library_errors(path, name):
        text = _decode(path.read_bytes()).lstrip("\r\n")
    if "\x00" in text:
        raise ReadError(
            f"{path}: holds binary data (a NUL character), so it is not a {name} text file; "
            "check the path, or give the format= of the file"
        )
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
    with _library_errors(path, "excel"):
        if zipfile.is_zipfile(path):
            grid = _read_xlsx(path, sheet)
        else:  # .xls, through xlrd
            with pd.ExcelFile(path) as book:
                chosen = _sheet_name(book.sheet_names, sheet, path)
                grid = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    return grid.map(_cell_text)


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The values of one sheet of a workbook (.xlsx, .xlsm), the cells without one ``None``.

    The sheet's own statement of its size (``<dimension ref="A1:XFD1048576">``) is not trusted:
    only the cells present are read, and a sheet whose values span more cells than memory or
    :data:`MAX_SHEET_CELLS` allow is refused.
    """
    max_cells = _max_sheet_cells()
    with path.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        try:
            chosen = _sheet_name(book.sheetnames, sheet, path)
            values = _sheet_values(book[chosen], max_cells, path)
        finally:
            book.close()
    n_rows = 1 + max((r for r, _ in values), default=-1)
    n_columns = 1 + max((c for _, c in values), default=-1)
    if n_rows * n_columns > max_cells:
        raise ReadError(
            f"{path}: sheet {chosen!r} has values from A1 to "
            f"{get_column_letter(n_columns)}{n_rows} ({n_rows:,} rows by "
            f"{n_columns:,} columns) but only {len(values):,} values, more cells than can be read "
            f"(at most {max_cells:,}); delete the values outside the table"
        )
    grid = np.full((n_rows, n_columns), None, dtype=object)
    for (r, c), value in values.items():
        grid[r, c] = value
    return pd.DataFrame(grid)


def _sheet_values(sheet: Any, max_cells: int, path: Path) -> dict[tuple[int, int], Any]:
    """The values of a read-only sheet by 0-based (row, column); error cells (``#N/A``) left out.

    Rows come as the file has them, each as wide as its last cell; after ``max_cells`` cells
    (an empty row counting one) the sheet is refused.
    """
    sheet.reset_dimensions()
    values = {}
    seen = 0
    for r, row in enumerate(sheet.iter_rows()):
        seen += len(row) + 1
        if seen > max_cells:
            raise ReadError(
                f"{path}: sheet {sheet.title!r} spans more than {max_cells:,} cells (rows "
                f"and columns of its used range, empty ones included), more than can be read; "
                "delete the rows and columns outside the table"
            )
        for c, cell in enumerate(row):
            if cell.value is not None and cell.data_type != "e":
                values[r, c] = cell.value
    return values


def _max_sheet_cells() -> int:
    """The most cells of a sheet that are read: :data:`MAX_SHEET_CELLS`, or what memory allows."""
    available = _available_memory()
    if available is None:
        return MAX_SHEET_CELLS
    return min(MAX_SHEET_CELLS, available // _BYTES_PER_CELL)


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


def _read_typed(path: Path, name: str) -> pd.DataFrame:
    with _library_errors(path, name):
        frame = _TYPED_READERS[name](path)
        # A stored pandas index is data: keep it as columns unless it is the default one.
        frame = frame.reset_index(drop=frame.index.equals(pd.RangeIndex(len(frame))))
    frame.columns = [c.strip() if isinstance(c, str) else c for c in frame.columns]
    _check_width(frame.columns, path)
    _check_unique_names(frame.columns, path, ReadError)
    return _tidy_text(frame)


def _read_stat(reader: Callable[..., tuple[pd.DataFrame, Any]], path: Path) -> pd.DataFrame:
    """Read with pyreadstat, dates as ``datetime64``; text that is not UTF-8 as cp1252."""
    try:
        frame, _ = reader(path, dates_as_pandas_datetime=True)
    except UnicodeDecodeError:
        frame, _ = reader(path, dates_as_pandas_datetime=True, encoding="cp1252")
    return frame


#: Readers of the metadata of compressed formats, which declares their number of cells.
_STAT_METADATA: Mapping[str, Callable[..., tuple[pd.DataFrame, Any]]] = MappingProxyType(
    {"spss": pyreadstat.read_sav, "sas7bdat": pyreadstat.read_sas7bdat}
)

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
        return values.copy()
    stripped = values.astype("str").str.strip()
    return stripped.mask(stripped == "")


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
