"""Reading and writing the file formats trials produce, one table per file.

:func:`read_table` reads a table and :func:`write_table` writes one. The format comes from the
file's suffix (:data:`FORMATS`) unless ``format=`` names it.

Two families of format are read differently:

* **Text and spreadsheets** (``csv``, ``tsv``, ``text``, ``excel``) hold no reliable types, so every
  value comes back as text, as typed: ``"006"`` keeps its zeros and ``"12a"`` stays for
  validation to report. Excel cells come back as a CSV export shows them (``12.0`` as ``"12"``,
  a date as ``"2024-03-01"``, an error cell as ``"#REF!"``), so a spreadsheet and its CSV
  export read the same, and only empty cells are missing.
* **Typed formats** (``parquet``, ``spss``, ``sas7bdat``, ``xpt``, ``stata``, ``rdata``) keep
  the types stored in the file.

In both, surrounding whitespace is stripped from column names and text values, and blank text
is missing. Record ``i`` of the returned frame (a default ``RangeIndex``) is data record ``i + 1``
of the file.

Nothing wrong in a file's cells is mended unseen. What can be read past (a text record with
fewer or more fields than the header, a last record cut short, bytes of another encoding in a
UTF-8 file, a formula whose value was never computed) is read, and listed as a problem located
by record and column in ``frame.attrs["problems"]``, which :func:`outcomes.read` reports with
every other problem of the file; what cannot (a text file that ends inside a quoted value, a
typed file cut short, a damaged file) is a :class:`~outcomes.errors.ReadError`. Neither repeats
the content of a cell. The checks cost a few column-wide operations when a file is sound: only
the records and cells found wrong are looked at one by one. See :func:`read_table`.

The readers are in modules of their own: :mod:`outcomes.io.text_tables` (with
:mod:`outcomes.io.text_encodings`), :mod:`outcomes.io.spreadsheets` (with
:mod:`outcomes.io.sheet_formulas`), :mod:`outcomes.io.typed_tables` (with
:mod:`outcomes.io.rdata`), and what they share in :mod:`outcomes.io.reading`. This module holds
the public API, the format names, the memory check, the dispatch and the writers.

>>> FORMATS[".sav"], FORMATS[".txt"], FORMATS[".rdata"]
('spss', 'text', 'rdata')
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
import zipfile
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat

from outcomes.errors import ReadError, WriteError
from outcomes.io.reading import (
    MAX_COLUMNS,
    _cell_text,
    _check_unique_names,
    _from_grid,
    _library_errors,
)
from outcomes.io.spreadsheets import _read_excel
from outcomes.io.text_tables import _read_text
from outcomes.io.typed_tables import _STAT_METADATA, _read_typed
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
        ".rda": "rdata",
        ".rdata": "rdata",
        ".rds": "rdata",
    }
)

_TEXT_FORMATS = frozenset({"csv", "tsv", "text"})
#: Formats whose files may hold several tables, of which ``sheet=`` names the one to read: a
#: workbook's sheets, an R data file's data frames.
_SHEETED_FORMATS = frozenset({"excel", "rdata"})

#: Longest column name each typed writer accepts.
_MAX_NAME_LENGTH = {"spss": 64, "xpt": 32, "stata": 32}

#: Stata files record when they were written; a fixed time keeps the bytes reproducible.
_STATA_TIME_STAMP = dt.datetime(1970, 1, 1)

#: Memory a table takes once read, per byte of its file (text) or of what the file declares it
#: unpacks to (a workbook's parts, the cells of parquet, SPSS and SAS files). A lower bound, so
#: that only a file that cannot fit is refused: reading 20 MB of CSV takes 220 MB.
#:
#: An R data file is compressed (gzip, bzip2 or xz) and declares no size, so it is judged by its
#: own size, times an estimate: pyreadr takes about 4.5 bytes per byte of the unpacked file, and
#: trial data pack 10 to 13 times (the antidepressant trial's ``.rda``, a simulated trial's
#: ``.rds``), which reading takes 55 to 70 times the file. 20 is a lower bound for such files;
#: one that packs less (random doubles, a file saved uncompressed) takes as little as 5 times
#: its size, so a large one of those may be refused though it would fit.
_EXPANSION: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(_TEXT_FORMATS, 10),
        **dict.fromkeys(("excel", "parquet", "spss", "sas7bdat", "xpt", "stata"), 2),
        "rdata": 20,
    }
)

#: Memory a cell of a sheet takes on its way to a table (the value, its text, the copies), at least.
_BYTES_PER_CELL = 100

#: The most cells of a sheet that are read, counting the empty cells of its used range: more would
#: take minutes. 20 million is a thousand times a large trial's workbook.
MAX_SHEET_CELLS = 20_000_000


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
        Excel: the sheet's name or 0-based position; the first sheet by default. R data
        (``.rda``, ``.RData``): the name or 0-based position of the data frame to read, needed
        when the file holds several. No other format takes it.

    Returns
    -------
    pandas.DataFrame
        One row per data record, with a default ``RangeIndex``: row ``i`` is data record
        ``i + 1`` of the file. ``frame.attrs["source"]`` is ``{"file": str(path), "format": name}``.
        ``frame.attrs["problems"]`` lists the problems found in the file's cells (see Notes), each
        a dict of keyword arguments for :meth:`outcomes.data.problems.ProblemLog.add`
        (``severity``, ``code``, ``message``, ``hint``, ``row``, ``column``), ``row`` being the
        data record's number (``None`` for the header or the whole file); it is empty for typed
        formats. :func:`outcomes.read` reports them before any other check, and an error among
        them stops the read. No message repeats a cell's content.

    Raises
    ------
    outcomes.errors.ReadError
        The file does not exist, is a directory (or a device, a pipe), is empty (0 bytes), has an
        unknown suffix, is damaged or was cut short (see Notes), is text with binary data in it,
        or has two columns of the same name; or its table would not fit in the memory available
        (see :func:`check_file`), or a sheet's values span more cells than can be read; or
        ``sheet`` names no sheet of the workbook or no data frame of the R data file, or is
        given for a format without sheets; or an R data file holds no data frame, or several
        and ``sheet`` is not given. The
        message names the file and the problem, and quotes nothing of the file's content but the
        names of duplicated columns.

    Notes
    -----
    *Text files* (csv, tsv, text) are read with every column as text, without type guessing.
    Empty and whitespace-only cells are missing; any other text, ``"NA"`` or ``"."`` included,
    is kept as typed. ``.csv`` is comma-separated unless its header has no comma but has a
    semicolon (European CSV); ``.tsv`` and ``.tab`` are tab-separated; for ``.txt`` the
    delimiter (tab, comma, semicolon or pipe) occurring most often in the header is used.
    Decimal commas are kept as typed (``"1,5"``).

    The encoding is UTF-8, UTF-16 or UTF-32, with or without a byte-order mark (UTF-16 and
    UTF-32 without one are told from where the NUL bytes fall in the first 4 KB); bytes that
    are not valid UTF-16 or UTF-32, or a file that ends in the middle of a character, are a
    ReadError. A file that is not UTF-8 and holds no UTF-8 character of two or more bytes is
    read as Windows-1252 (cp1252, the encoding of Excel's CSV on Windows; the five bytes it
    leaves undefined as latin-1), with a warning ``encoding`` (no row). In a file that is UTF-8
    but for some bytes (two encodings mixed), each cell holding such bytes is an error
    ``encoding`` at its record and column, naming the bytes and where they are in the value
    (such bytes in a record too long to be read are one error ``encoding`` with no row); they
    are read as cp1252, so that the rest of the file is read and checked.

    Every record must have as many fields as the header: a record with fewer (which a CSV
    reader would pad at the end, moving its values out of their columns unseen) is an error
    ``short-row``, read padded; one with more is an error ``long-row``, and its row comes back
    without values, which cannot be matched to columns. Each is located at its record, or is a
    single problem with no row when every record has the same wrong number of fields. Blank
    records, and records that lack only fields under trailing unnamed header fields (``a,b,``),
    are not short. A file cut short is an error too: when its last record is short and has no
    line break after it, ``truncated-file`` at that record; when it ends inside a quoted value,
    a ReadError naming the line where the value opens. A file cut at a line break, or within
    its last field, looks complete and cannot be told from one.

    *Excel* sheets are read as text too: whole numbers without ``.0``, other numbers in their
    shortest exact form (``"12.5"``), dates as ``"YYYY-MM-DD"``, date-times with a time of day
    as ``"YYYY-MM-DD HH:MM:SS"``, booleans as ``"TRUE"``/``"FALSE"``, formula results as cached
    by the program that last saved the workbook, and error cells as their text (``"#N/A"``,
    ``"#REF!"``); any other text (``"NA"``, ``"NULL"`` included) is kept as typed, so that a
    workbook and its CSV export read the same and only empty cells are missing. In an ``.xlsx``
    or ``.xlsm`` workbook a formula cell without a cached value (one written by a program and
    never opened in a spreadsheet program) is an error ``formula-not-computed`` at its record
    and column; its formulas are looked for in the sheet's XML only when the sheet has some.
    Only the cells a sheet holds are read: the size it states for itself is not trusted, and a
    sheet whose values span more than :data:`MAX_SHEET_CELLS` cells (or than memory allows) is
    refused. ``.xls`` needs the optional package ``xlrd``.

    In text and Excel files a column without a header is named ``"Unnamed: i"`` (``i`` its
    0-based position) and dropped when it holds no value at all; blank records at the end are
    dropped, blank records between others are kept as all-missing rows so that numbering holds.

    *Typed formats* keep their types. SPSS and Stata columns with value labels come back as
    their codes, not their labels; SPSS user-defined missing values and Stata's ``.a``-``.z``
    are missing. SPSS and SAS store every number as a double, so whole numbers come back as
    ``float64``; Stata integers come back as ``int64``, or ``float64`` when some are missing.
    Dates and date-times come back as ``datetime64``. SPSS and SAS text that is not valid UTF-8
    is decoded as cp1252. A pandas index stored in a parquet file becomes columns.

    *R data files* (``.rda``, ``.rdata`` or ``.RData``, holding one or more named objects;
    ``.rds``, holding one) are read through pyreadr (see :mod:`outcomes.io.rdata`): a data frame
    (or a vector or matrix) is a table, its factors pandas categoricals with their levels in
    order, dates and date-times ``datetime64`` (date-times in UTC), ``NA`` missing; row names are
    dropped. pyreadr does not keep whether a factor is ordered: an ordered factor comes back as a
    categorical that is not ordered, its levels in order.

    A typed file cut short is a ReadError, never a smaller table. Parquet, SPSS, SAS7BDAT and R
    data files say so through their libraries. A SAS transport file (``.xpt``) is refused when its
    size is not a multiple of its 80-byte records, when its last observation is incomplete, or
    (version 8) when it holds fewer observations than its header declares; one of version 5 cut
    at a record boundary between observations cannot be told from a complete one. A Stata file
    of format 117 or later must end with ``</stata_dta>``; one of an older format cut within its
    value labels (after all of its data) reads whole.

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

    A record with a field too few is read as a reader pads it, and reported at its record:

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "scores.csv"
    ...     _ = path.write_text("subject,visit,score\\n006,1,12\\n007,13\\n", encoding="utf-8")
    ...     frame = read_table(path)
    >>> [(p["severity"], p["code"], p["row"]) for p in frame.attrs["problems"]]
    [('error', 'short-row', 2)]
    """
    path = Path(path)
    name = check_file(path, format=format)
    if sheet is not None and name not in _SHEETED_FORMATS:
        raise ReadError(
            f"{path}: sheet={sheet!r} was given, but a {name} file has no sheets; sheet= names "
            "an Excel workbook's sheet or an R data file's data frame"
        )
    problems: list[dict[str, Any]] = []
    if name in _TEXT_FORMATS:
        grid, problems = _read_text(path, name)
        frame = _from_grid(grid, path)
    elif name == "excel":
        grid, problems = _read_excel(path, sheet, _max_sheet_cells())
        frame = _from_grid(grid, path)
    else:
        frame = _read_typed(path, name, sheet)
    frame.attrs["source"] = {"file": str(path), "format": name}
    frame.attrs["problems"] = problems
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
        The format cannot be written (``.sas7bdat``, ``.xls``, ``.xlsm``, R data files, an
        unknown suffix), two columns share a name, a name is too long or invalid for the
        format, or the writing library refuses the data.

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

    R data files (``.rda``, ``.rdata``, ``.rds``) are not written: pyreadr, which writes them,
    writes dates and date-times as text, so they would not read back the same. Write
    ``.parquet`` (``arrow::read_parquet`` in R keeps every type) or ``.dta``
    (``haven::read_dta``).

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
    if name == "rdata":
        raise WriteError(
            f"{path}: outcomes does not write R data files: pyreadr, which writes them, writes "
            "dates as text, so they would not read back the same; write .parquet (R reads it "
            "with arrow::read_parquet, every type kept) or .dta (haven::read_dta) instead"
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
        workbook, the cells of a parquet, SPSS or SAS file), times what reading takes per byte
        (for a compressed R data file, which declares no size, an estimate: 20), is more than
        the memory free (and left under an address-space limit, ``ulimit -v``).

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


def _max_sheet_cells() -> int:
    """The most cells of a sheet that are read: :data:`MAX_SHEET_CELLS`, or what memory allows."""
    available = _available_memory()
    if available is None:
        return MAX_SHEET_CELLS
    return min(MAX_SHEET_CELLS, available // _BYTES_PER_CELL)


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
