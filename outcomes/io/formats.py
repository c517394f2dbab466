"""Reading and writing the file formats trials produce, one table per file.

:func:`read_table` reads a table and :func:`write_table` writes one. The format comes from the
file's suffix (:data:`FORMATS`) unless ``format=`` names it.

Two families of format are read differently:

* **Text and spreadsheets** (``csv``, ``tsv``, ``text``, ``excel``) hold no reliable types, so every
  value comes back as text, as typed: ``"006"`` keeps its zeros and ``"12a"`` stays for
  validation to report. Excel cells come back as a CSV export shows them (``12.0`` as ``"12"``,
  a date as ``"2024-03-01"``, an error cell as ``"#REF!"``), so a spreadsheet and its CSV
  export read the same, and only empty cells are missing.
* **Typed formats** (``parquet``, ``spss``, ``sas7bdat``, ``xpt``, ``stata``) keep the types
  stored in the file.

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

>>> FORMATS[".sav"], FORMATS[".txt"]
('spss', 'text')
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import mmap
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
from typing import IO, Any
from xml.etree.ElementTree import iterparse

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple

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

#: Byte-order marks, UTF-32's first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: The names of text encodings in messages.
_ENCODING_NAMES = MappingProxyType(
    {
        "utf-32-le": "UTF-32 (little-endian)",
        "utf-32-be": "UTF-32 (big-endian)",
        "utf-16-le": "UTF-16 (little-endian)",
        "utf-16-be": "UTF-16 (big-endian)",
    }
)
#: The first bytes of a text file without byte-order mark in which UTF-16 and UTF-32 are sought.
_SNIFFED_BYTES = 4096
#: A valid UTF-8 sequence of two to four bytes.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
#: The bytes of a UTF-8 file that are not UTF-8 are marked while the file is parsed, byte ``b``
#: as the private-use character U+10FF00 + ``b``, so that the cells holding them can be found.
_MARK_BASE = 0x10FF00
_MARKED = re.compile(f"[{chr(_MARK_BASE + 0x80)}-{chr(_MARK_BASE + 0xFF)}]")
#: What ``surrogateescape`` makes of the bytes it cannot decode.
_ESCAPED = re.compile("[\udc80-\udcff]")


def _cp1252_character(byte: int) -> str:
    """The Windows-1252 character of a byte; latin-1's for the five bytes cp1252 leaves out."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_CP1252 = MappingProxyType({b: _cp1252_character(b) for b in range(0x80, 0x100)})
#: Tables for :meth:`str.translate`: marks to their cp1252 characters; latin-1 to cp1252.
_FROM_MARKS = {_MARK_BASE + b: c for b, c in _CP1252.items()}
_FROM_LATIN1 = {b: c for b, c in _CP1252.items() if c != chr(b)}
_UNDEFINED_IN_CP1252 = tuple(b for b, c in _CP1252.items() if c == chr(b) and b < 0xA0)

#: Characters one of which, absent from a text file, marks the end of each of its records while
#: it is parsed, so that the fields of every record are counted (control characters that no
#: parser treats as a line break or as white space).
_RECORD_ENDS = tuple(map(chr, (*range(1, 9), *range(14, 32))))
_LINE_BREAK = re.compile("\r\n|\r|\n")

#: A SAS transport file: 80-byte records, of which header records begin so.
_XPT_RECORD = 80
_XPT_HEADER = b"HEADER RECORD*******"
#: Where a variable's length and its position in an observation are in a NAMESTR record.
_XPT_LENGTH = slice(4, 6)
_XPT_POSITION = slice(84, 88)
#: How a Stata file of format 117 or later (Stata 13 on) begins and ends.
_STATA_XML = (b"<stata_dta>", b"</stata_dta>")

#: In a worksheet's XML: formula tags (``<f>``, ``<x:f t="shared" .../>``); cell tags; a
#: formula with the cached value after it; a cell's reference and type.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_FORMULA_AND_VALUE = re.compile(
    rb"<(?P<ns>(?:[A-Za-z_][\w.-]*:)?)f\b[^>]*?(?:/>|>[^<]*</(?P=ns)f>)\s*"
    rb"(?P<v><(?P=ns)v\b[^>]*?(?:/>|>(?P<value>[^<]*)</(?P=ns)v>))?\s*</(?P=ns)c>"
)
_REFERENCE = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{1,3}[0-9]{1,7})["\']')
_CELL_TYPE = re.compile(rb'\st\s*=\s*["\'](\w+)["\']')
#: How much of a worksheet's XML is read at once when it is scanned; how much of it is kept
#: before and after a formula tag, to read its cell (a formula has at most 8,192 characters and
#: a text value 32,767, each perhaps escaped); what :func:`_formula_cell` returns for a formula
#: tag that is not in a cell.
_SCANNED_BYTES = 1 << 20
_CELL_BEFORE = 4096
_CELL_AFTER = 1 << 19
_NOT_A_CELL = object()
#: How an OLE2 compound document (an ``.xls`` workbook) begins.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Cell types whose cached value may be empty: a formula whose result is the empty string.
_TEXT_CELL_TYPES = frozenset({"str", "inlineStr"})


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
        ``sheet`` names no sheet of the workbook, or is given for a format without sheets. The
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

    A typed file cut short is a ReadError, never a smaller table. Parquet, SPSS and SAS7BDAT
    files say so through their libraries. A SAS transport file (``.xpt``) is refused when its
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
    if sheet is not None and name != "excel":
        raise ReadError(f"{path}: sheet={sheet!r} was given, but a {name} file has no sheets")
    problems: list[dict[str, Any]] = []
    if name in _TEXT_FORMATS:
        grid, problems = _read_text(path, name)
        frame = _from_grid(grid, path)
    elif name == "excel":
        grid, problems = _read_excel(path, sheet)
        frame = _from_grid(grid, path)
    else:
        frame = _read_typed(path, name)
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


def _read_text(path: Path, name: str) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The cells of a delimited text file, header row included, all as text; and their problems.

    Record ``i`` of the file is row ``i`` of the grid (the header is row 0).
    """
    with _library_errors(path, name):
        raw = path.read_bytes()
    decoded, problems, marked = _decode(raw, path)
    text = decoded.lstrip("\r\n")
    if "\x00" in text:
        raise ReadError(
            f"{path}: holds binary data (a NUL character), so it is not a {name} text file; "
            "check the path, or give the format= of the file"
        )
    if not text.strip():
        raise ReadError(f"{path}: the file holds only blank lines; a header row is needed")
    sep = _delimiter(text, name)
    lines_before = len(_LINE_BREAK.findall(decoded, 0, len(decoded) - len(text)))
    with _library_errors(path, name):
        grid, fields = _parse_delimited(text, sep, path, lines_before)
    marks = _unmark(grid) if marked else []
    header, names = _header(grid)
    problems += [_encoding_problem(row, names[column], found) for row, column, found in marks]
    if marked and (unread := len(_MARKED.findall(text)) - sum(len(m) for *_, m in marks)):
        problems.append(_unread_bytes_problem(unread))
    problems += _width_problems(grid, fields, header, ends_with_break=text.endswith(("\n", "\r")))
    return grid, problems


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


def _decode(raw: bytes, path: Path) -> tuple[str, list[dict[str, Any]], bool]:
    """A text file's text, the problems of its encoding, and whether some bytes are marked.

    UTF-32 or UTF-16 by byte-order mark or by the pattern of NUL bytes, else UTF-8. A file with
    no UTF-8 character of two bytes or more is read as cp1252 (with a warning); in one with some,
    the bytes that are not UTF-8 are marked (see :data:`_MARK_BASE`) for :func:`_unmark`.
    """
    bom, encoding = next(((b, e) for b, e in _BOMS if raw.startswith(b)), (b"", None))
    if encoding is None and b"\x00" in raw[:_SNIFFED_BYTES]:
        encoding = _sniff_wide(raw[:_SNIFFED_BYTES])
    if encoding in _ENCODING_NAMES:
        return _decode_wide(raw, len(bom), encoding, path), [], False
    body = raw[len(bom) :]
    try:
        return body.decode("utf-8"), [], False
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(body) is None:
        return _decode_cp1252(body)
    text = body.decode("utf-8", errors="surrogateescape")
    if _MARKED.search(text):
        raise ReadError(
            f"{path}: mixes encodings (it is UTF-8 but for some bytes) and holds characters of "
            "Unicode's last private-use plane, so its bytes cannot be told apart; save it as UTF-8"
        )
    return _ESCAPED.sub(lambda m: chr(_MARK_BASE + ord(m.group()) - 0xDC00), text), [], True


def _sniff_wide(head: bytes) -> str | None:
    """UTF-32 or UTF-16 (LE or BE) told from where NUL bytes fall, or ``None``.

    In ASCII text each character has one non-NUL byte: UTF-16LE has its NUL bytes at odd
    positions, UTF-32BE at the first three of every four, and so on. The head must decode too.
    """
    nul = np.frombuffer(head[: len(head) // 4 * 4], dtype=np.uint8) == 0
    if len(nul) == 0:
        return None
    share = nul.reshape(-1, 4).mean(axis=0)  # of NUL bytes at each position of 4
    even, odd = (share[0] + share[2]) / 2, (share[1] + share[3]) / 2
    candidates = []
    if share[3] == 1 and share[2] > 0.9 and share[0] < 0.05:
        candidates.append("utf-32-le")
    if share[0] == 1 and share[1] > 0.9 and share[3] < 0.05:
        candidates.append("utf-32-be")
    if odd > 0.3 and even < 0.05:
        candidates.append("utf-16-le")
    if even > 0.3 and odd < 0.05:
        candidates.append("utf-16-be")
    for encoding in candidates:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _decode_wide(raw: bytes, start: int, encoding: str, path: Path) -> str:
    """UTF-16 or UTF-32 text from byte ``start`` on; a ReadError where it is not valid."""
    try:
        return raw[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        label = _ENCODING_NAMES[encoding]
        line = 1 + raw[start : start + exc.start].decode(encoding).count("\n")
        if exc.reason == "truncated data":
            raise ReadError(
                f"{path}: is {label} text that ends in the middle of a character (line {line}): "
                "it was cut short; get the complete file again"
            ) from None
        raise ReadError(
            f"{path}: is {label} text but byte {start + exc.start:,} (line {line}) is not valid "
            f"{label}, so the file is damaged; get it again, or save it as UTF-8"
        ) from None


def _decode_cp1252(raw: bytes) -> tuple[str, list[dict[str, Any]], bool]:
    """A whole file as Windows-1252 (its undefined bytes as latin-1), with a warning saying so."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = raw.decode("latin-1").translate(_FROM_LATIN1)
    undefined = sum(raw.count(bytes([b])) for b in _UNDEFINED_IN_CP1252)
    message = (
        "the file is not UTF-8 and was read as Windows-1252 (cp1252), the encoding of Excel's "
        "CSV on Windows"
    )
    if undefined:
        message += (
            f"; {undefined:,} of its bytes are not Windows-1252 either and were read as control "
            "characters"
        )
    hint = (
        "check that accented letters read as written; save the file as UTF-8 (in Excel: "
        "'CSV UTF-8') so that its characters are certain"
    )
    return text, [_problem("warning", "encoding", message, hint)], False


def _delimiter(text: str, name: str) -> str:
    """The delimiter of a text file, judged from its header outside quotes."""
    if name == "tsv":
        return "\t"
    header = re.sub(r'"[^"]*"', "", text.partition("\n")[0])
    if name == "csv":
        return ";" if "," not in header and ";" in header else ","
    return max(_DELIMITERS, key=header.count)


def _parse_delimited(
    text: str, sep: str, path: Path, lines_before: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells of delimited text, as many columns as the header, and each record's fields.

    A CSV reader pads a record shorter than the header with empty fields, which then cannot
    be told from empty fields of the file. So the end of every record is marked first with an
    extra field, a character absent from the text: the column in which it lands counts the
    record's fields. Marks inside quoted values (before their line breaks) are taken out again.
    ``lines_before`` is the number of blank lines stripped before the header, for messages.
    """
    end = next((c for c in _RECORD_ENDS if c not in text), None)
    if end is None:
        raise ReadError(
            f"{path}: holds control characters of every kind, so it is not a text file; check "
            "the path, or give the format= of the file"
        )
    mark = sep + end
    marked = _mark_record_ends(text, mark)
    try:
        grid, long = _csv_cells(marked, sep)
    except pd.errors.ParserError as exc:
        if "EOF inside string" not in str(exc):
            raise
        line = lines_before + _open_record_line(text, sep)
        raise ReadError(
            f"{path}: the file ends inside a quoted value that opens on line {line}: it was cut "
            "short, or a quote on that line is not closed; get the complete file again, or "
            'close the quote (a quote inside a quoted value is written "")'
        ) from exc
    fields = _count_fields(grid, end, long)
    width = int(fields[0])
    if marked.count(end) != len(grid):  # some quoted values hold line breaks, and marks
        _unmark_values(grid, mark, width)
    return grid.iloc[:, :width], fields


def _mark_record_ends(text: str, mark: str) -> str:
    """The text with ``mark`` before every line break, and at its end if it has none there."""
    if "\r" not in text:
        marked = text.replace("\n", mark + "\n")
    elif text.count("\r") == text.count("\r\n"):
        marked = text.replace("\n", mark + "\n").replace("\r" + mark + "\n", mark + "\r\n")
    else:  # old Mac line breaks (a lone CR), which the parser takes as line breaks too
        marked = _LINE_BREAK.sub(lambda m: mark + m.group(), text)
    return marked if marked.endswith(("\n", "\r")) else marked + mark


def _csv_cells(text: str, sep: str) -> tuple[pd.DataFrame, dict[int, int]]:
    """Parse delimited text whose records end with a mark field; and the fields of each record
    longer than the first, by row, the mark not counted.

    The first record sets the number of columns. The parser leaves longer records out, saying
    which they are and how many fields each has; they are put back as rows without values
    (their values cannot be matched to columns), so that row ``i`` is still record ``i``.
    Reading them instead would make the table as wide as the longest record.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        grid = pd.read_csv(
            StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            on_bad_lines="warn",
        )
    skipped = []
    for w in caught:
        if issubclass(w.category, pd.errors.ParserWarning):
            skipped.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    long = {  # the parser's "lines" are records, the header its first; its fields, the mark's
        int(line) - 1: int(saw) - 1
        for message in skipped
        for line, saw in re.findall(r"line (\d+): expected \d+ fields?, saw (\d+)", message)
    }
    if skipped and not long:
        raise ValueError("some records have more fields than the header")
    if not long:
        return grid, {}
    kept = np.ones(len(grid) + len(long), dtype=bool)
    kept[list(long)] = False
    return grid.set_axis(np.flatnonzero(kept)).reindex(np.arange(len(kept))), long


def _open_record_line(text: str, sep: str) -> int:
    """The line on which the record of a text that ends inside a quoted value begins."""
    reader = csv.reader(StringIO(text, newline=""), delimiter=sep)
    begins = last = 1
    try:
        for _ in reader:
            last, begins = begins, reader.line_num + 1
    except csv.Error:  # the open value is longer than a field may be: that record failed
        return begins
    return last


def _count_fields(grid: pd.DataFrame, end: str, long: Mapping[int, int]) -> np.ndarray:
    """Each record's number of fields, from where its end mark is; the marks are cleared.

    A record whose mark is not in the grid is longer than the first: its fields are in ``long``
    (by row), or at least one more than the first record's.
    """
    width = int(np.flatnonzero(grid.iloc[0].to_numpy(object) == end)[0])
    fields = np.full(len(grid), width)
    other = np.flatnonzero(~(grid.iloc[:, width] == end).to_numpy(bool))
    if len(other) == 0:
        return fields
    ends = grid.iloc[other].to_numpy(object) == end
    beyond = [long.get(int(row), width + 1) for row in other]
    fields[other] = np.where(ends.any(axis=1), ends.argmax(axis=1), beyond)
    for column in np.unique(fields[other]):
        if column < width:
            grid.iloc[other[fields[other] == column], column] = ""
    return fields


def _unmark_values(grid: pd.DataFrame, mark: str, width: int) -> None:
    """Take the record-end marks out of quoted values that hold line breaks, in place."""
    for column in range(width):
        values = grid.iloc[:, column]
        holding = values.str.contains(mark, regex=False).fillna(False).to_numpy(bool)
        if holding.any():
            grid.iloc[holding, column] = values[holding].str.replace(mark, "", regex=False)


def _unmark(grid: pd.DataFrame) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Decode marked bytes as cp1252, in place; where they were: (row, column, (char, byte)s)."""
    found = []
    for column in range(grid.shape[1]):
        values = grid.iloc[:, column]
        rows = np.flatnonzero(
            values.str.contains(_MARKED.pattern, regex=True).fillna(False).to_numpy(bool)
        )
        for row in rows:
            value = values.iat[row]
            marks = [(i, ord(c) - _MARK_BASE) for i, c in enumerate(value) if _MARKED.match(c)]
            found.append((int(row), column, marks))
        if len(rows):
            grid.iloc[rows, column] = [values.iat[row].translate(_FROM_MARKS) for row in rows]
    return sorted(found)


def _encoding_problem(row: int, column: str, marks: list[tuple[int, int]]) -> dict[str, Any]:
    """The error for a cell of a UTF-8 file holding bytes that are not UTF-8."""
    where = "the header" if row == 0 else f"record {row}"
    many = len(marks) > 1
    message = (
        f"{where}, column {column!r}: {'bytes' if many else 'byte'} "
        f"{', '.join(f'0x{b:02X}' for _, b in marks)} (character{'s' if many else ''} "
        f"{', '.join(str(i + 1) for i, _ in marks)} of the value) {'are' if many else 'is'} "
        "not UTF-8, though the rest of the file is; read as Windows-1252 (cp1252)"
    )
    hint = "the file mixes encodings: save it as UTF-8"
    return _problem("error", "encoding", message, hint, row=row or None, column=column)


def _unread_bytes_problem(n_bytes: int) -> dict[str, Any]:
    """The error for bytes that are not UTF-8 in records too long to be read."""
    message = (
        f"{n_bytes:,} byte{'s' if n_bytes > 1 else ''} that are not UTF-8, though the rest of the "
        "file is, are in records with more fields than the header, whose values are not read"
    )
    return _problem("error", "encoding", message, "the file mixes encodings: save it as UTF-8")


def _width_problems(
    grid: pd.DataFrame, fields: np.ndarray, header: list[str], *, ends_with_break: bool
) -> list[dict[str, Any]]:
    """Records with fewer or more fields than the header, and a last record cut short.

    A record is short when it lacks a field under a named column (``a,b,`` over ``1,2`` is not)
    and is not blank.
    """
    width = len(header)
    named = max((i + 1 for i, h in enumerate(header) if h), default=0)
    short = np.flatnonzero(fields[1:] < named) + 1
    short = short[~_blank_rows(grid, short)]
    long = np.flatnonzero(fields[1:] > width) + 1
    problems = []
    for rows, code in ((short, "short-row"), (long, "long-row")):
        if _all_alike(grid, rows, fields):
            problems.append(_width_problem(code, None, int(fields[rows[0]]), width, len(rows)))
            continue
        for row in rows:
            cut = code == "short-row" and row == len(grid) - 1 and not ends_with_break
            problems.append(
                _width_problem("truncated-file" if cut else code, int(row), int(fields[row]), width)
            )
    return sorted(problems, key=lambda p: p["row"] or 0)  # in the order of the file


def _blank_rows(grid: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Whether each of these rows of a grid is blank (every cell empty or white space)."""
    cells = grid.iloc[rows]
    blank = np.ones(len(rows), dtype=bool)
    for column in range(cells.shape[1]):
        blank &= cells.iloc[:, column].fillna("").str.strip().eq("").to_numpy(bool)
    return blank


def _all_alike(grid: pd.DataFrame, rows: np.ndarray, fields: np.ndarray) -> bool:
    """Whether these records, two or more, have the same fields and all other ones are blank."""
    if len(rows) < 2 or (fields[rows] != fields[rows[0]]).any():
        return False
    others = np.ones(len(grid), dtype=bool)
    others[[0, *rows]] = False
    others = np.flatnonzero(others)
    return bool(_blank_rows(grid, others[:100]).all() and _blank_rows(grid, others[100:]).all())


def _width_problem(
    code: str, row: int | None, fields: int, width: int, n_records: int = 1
) -> dict[str, Any]:
    """The error for records whose fields do not match the header's."""
    has = f"{fields} field{'' if fields == 1 else 's'}"
    if code == "truncated-file":
        message = (
            f"the file ends in the middle of record {row}: it has {has} of the header's {width} "
            "and no line break after it, so the file was cut short"
        )
        hint = "get the complete file again (copy, download or export it once more)"
        return _problem("error", code, message, hint, row=row)
    if row is None:
        message = f"every one of the {n_records:,} records has {has} but the header has {width}"
        hint = (
            "the header has a column name too many or too few: give it one name for each "
            "field of the records"
        )
        return _problem("error", code, message, hint)
    message = (
        f"record {row} has {has} but the header has {width}, so its values cannot be matched "
        "to the columns"
    )
    if code == "short-row":
        message += " (a reader would move them to the left)"
        hint = (
            "a field or a delimiter is missing, or a value holds a line break without quotes: "
            "give the record one field for each column (an empty field for a missing value)"
        )
    else:
        hint = (
            "a value holds the delimiter without quotes (a decimal comma, a comma in a comment), "
            'or the record has a delimiter too many: quote such values ("1,5") or remove the '
            "extra delimiter"
        )
    return _problem("error", code, message, hint, row=row)


def _read_excel(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The cells of one sheet, header row included, rendered as text (``None`` if empty); and
    the problems of its cells: formulas without a cached value.
    """
    with _library_errors(path, "excel"):
        if zipfile.is_zipfile(path):
            grid, uncomputed = _read_xlsx(path, sheet)
        elif _is_ole2(path):  # .xls, through xlrd
            grid, uncomputed = _read_xls(path, sheet), []
        else:
            raise ValueError("neither a zip archive (.xlsx) nor an OLE2 compound file (.xls)")
    grid = grid.map(_cell_text)
    _, names = _header(grid) if len(grid) else ([], [])
    return grid, [_formula_problem(row, column, names) for row, column in uncomputed]


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """The values of one sheet of a workbook (.xlsx, .xlsm), the cells without one ``None``; and
    the 0-based (row, column) of its formula cells without a cached value.

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
            part = book[chosen]._worksheet_path  # the sheet's XML in the workbook's zip archive
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
    return pd.DataFrame(grid), _uncomputed_formulas(path, part)


def _sheet_values(sheet: Any, max_cells: int, path: Path) -> dict[tuple[int, int], Any]:
    """The values of a read-only sheet by 0-based (row, column); error cells as their text.

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
            if cell.value is not None:
                values[r, c] = cell.value
    return values


def _uncomputed_formulas(path: Path, part: str) -> list[tuple[int, int]]:
    """The 0-based (row, column) of a sheet's formula cells that hold no cached value.

    The sheet's XML is scanned for a formula tag first, and for its formula cells only when it
    has one.
    """
    with zipfile.ZipFile(path) as archive:
        with archive.open(part) as xml:
            if not _has_formula(xml):
                return []
        with archive.open(part) as xml:
            found = _formulas_without_value(xml)
        if found is None:  # some formula cell has no reference: place cells as openpyxl does
            with archive.open(part) as xml:
                found = _parse_formulas_without_value(xml)
    return found


def _has_formula(xml: IO[bytes]) -> bool:
    """Whether a worksheet's XML has a formula tag, read in chunks."""
    tail = b""
    while chunk := xml.read(_SCANNED_BYTES):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


def _formulas_without_value(xml: IO[bytes]) -> list[tuple[int, int]] | None:
    """The 0-based (row, column) of the formula cells of a worksheet's XML without a value.

    Only the formula tags of the XML are looked at, with the cell around each: a cell's
    formula is its first child and its cached value ``<v>`` follows (``<`` never occurs in text
    or attribute values, so tags are found as bytes). The XML is read in chunks, and a window
    of :data:`_CELL_BEFORE` bytes before a formula tag and :data:`_CELL_AFTER` after it is kept.
    ``None`` when a formula cell does not fit the window, is laid out otherwise, or has no ``r``
    reference: :func:`_parse_formulas_without_value` then places cells by counting them.
    """
    found: list[tuple[int, int]] = []
    buffer = b""
    start = 0  # where in the buffer formula tags are looked for next
    while True:
        chunk = xml.read(_SCANNED_BYTES)
        buffer += chunk
        limit = len(buffer) - _CELL_AFTER if chunk else len(buffer)
        for tag in _FORMULA_TAG.finditer(buffer, start, max(limit, start)):
            cell = _formula_cell(buffer, tag.start())
            if cell is _NOT_A_CELL:
                continue
            if cell is None:
                return None
            if not cell[1]:
                row, column = coordinate_to_tuple(cell[0])
                found.append((row - 1, column - 1))
            start = tag.end()
        if not chunk:
            return found
        start = max(start, limit - 64)  # a tag across the limit is found next time
        kept = max(start - _CELL_BEFORE, 0)
        buffer, start = buffer[kept:], start - kept


def _formula_cell(buffer: bytes, at: int) -> tuple[str, bool] | object | None:
    """The reference of the cell whose formula tag is at ``at``, and whether it has a value.

    :data:`_NOT_A_CELL` when the tag is no cell's formula (``<xm:f>`` in a data validation);
    ``None`` when the cell cannot be read from the bytes (see :func:`_formulas_without_value`).
    """
    start = buffer.rfind(b"<", 0, at)
    if start < 0:
        return None
    if _CELL_TAG.match(buffer, start) is None:
        return _NOT_A_CELL
    formula = _FORMULA_AND_VALUE.match(buffer, at)
    reference = _REFERENCE.search(buffer, start, at)
    if formula is None or reference is None:
        return None
    kind = _CELL_TYPE.search(buffer, start, at)
    cell_type = kind.group(1).decode("ascii", errors="replace") if kind else "n"
    computed = formula.group("v") is not None and (
        bool(formula.group("value")) or cell_type in _TEXT_CELL_TYPES
    )
    return reference.group(1).decode("ascii"), computed


def _parse_formulas_without_value(xml: IO[bytes]) -> list[tuple[int, int]]:
    """As :func:`_formulas_without_value`, by parsing the XML whole (slower, but exact).

    Cells are placed as openpyxl places them: by their ``r`` reference, or after the previous
    cell (and row) when they have none.
    """
    found = []
    row = column = 0
    rows = None
    for event, element in iterparse(xml, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":
                row = int(element.get("r") or row + 1)
                column = 0
            elif tag == "sheetData":
                rows = element
            continue
        if tag == "c":
            reference = element.get("r")
            if reference:
                row, column = coordinate_to_tuple(reference)
            else:
                column += 1
            children = {child.tag.rpartition("}")[2]: child for child in element}
            value = children.get("v")
            computed = value is not None and (
                bool(value.text) or element.get("t", "n") in _TEXT_CELL_TYPES
            )
            if "f" in children and not computed:
                found.append((row - 1, column - 1))
            element.clear()
        elif tag == "row" and rows is not None:
            rows.clear()  # keeps memory flat: the rows read are dropped
    return found


def _formula_problem(row: int, column: int, names: list[str]) -> dict[str, Any]:
    """The error for a formula cell without a cached value."""
    name = names[column] if column < len(names) else f"Unnamed: {column}"
    cell = f"{get_column_letter(column + 1)}{row + 1}"
    where = "the header" if row == 0 else f"record {row}"
    message = (
        f"{where}, column {name!r}: cell {cell} holds a formula whose value was never computed "
        "(the workbook was written by a program and not opened in a spreadsheet program since), "
        "so the cell has no value to read"
    )
    hint = (
        "open the workbook in Excel or LibreOffice and save it, so that the values of its "
        "formulas are stored; or export the sheet as CSV"
    )
    return _problem("error", "formula-not-computed", message, hint, row=row or None, column=name)


def _is_ole2(path: Path) -> bool:
    """Whether a file is an OLE2 compound document, as ``.xls`` workbooks are."""
    with path.open("rb") as handle:
        return handle.read(len(_OLE2_SIGNATURE)) == _OLE2_SIGNATURE


def _read_xls(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The values of one sheet of an ``.xls`` workbook, through xlrd: error cells as their text.

    pandas would read ``#N/A`` and the other error cells as missing, so xlrd is used directly.
    """
    import xlrd  # optional: only .xls files need it

    book = xlrd.open_workbook(path, on_demand=True)
    try:
        chosen = _sheet_name(book.sheet_names(), sheet, path)
        cells = book.sheet_by_name(chosen)
        max_cells = _max_sheet_cells()
        if cells.nrows * cells.ncols > max_cells:
            raise ReadError(
                f"{path}: sheet {chosen!r} has {cells.nrows:,} rows by {cells.ncols:,} columns, "
                f"more cells than can be read (at most {max_cells:,}); delete the values "
                "outside the table"
            )
        rows = [
            [
                _xls_value(value, kind, book.datemode)
                for value, kind in zip(cells.row_values(r), cells.row_types(r), strict=True)
            ]
            for r in range(cells.nrows)
        ]
    finally:
        book.release_resources()
    return pd.DataFrame(rows, columns=range(cells.ncols), dtype=object)


def _xls_value(value: Any, kind: int, datemode: int) -> Any:
    """A cell of an ``.xls`` sheet as openpyxl would give it from an ``.xlsx`` one."""
    import xlrd

    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#N/A")
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (OverflowError, ValueError):
            return value
        if value < 1:  # Excel has no time type: a date-time on the epoch day is a time
            return moment.time()
        return moment
    return value


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


def _read_typed(path: Path, name: str) -> pd.DataFrame:
    with _library_errors(path, name):
        if name in _COMPLETENESS_CHECKS:
            _COMPLETENESS_CHECKS[name](path)
        frame = _TYPED_READERS[name](path)
        # A stored pandas index is data: keep it as columns unless it is the default one.
        frame = frame.reset_index(drop=frame.index.equals(pd.RangeIndex(len(frame))))
    frame.columns = [c.strip() if isinstance(c, str) else c for c in frame.columns]
    _check_width(frame.columns, path)
    _check_unique_names(frame.columns, path, ReadError)
    return _tidy_text(frame)


def _check_xpt_complete(path: Path) -> None:
    """Refuse a SAS transport file that was cut short.

    Its records are 80 bytes, the first a ``LIBRARY`` header record; the observations of its
    last member run from that member's ``OBS`` header record to the end, padded with blanks to a
    whole record; a version 8 file states how many observations it holds. What cannot be found
    (a file that is no transport file) is left to pyreadstat.
    """
    with path.open("rb") as handle:
        if not handle.read(len(_XPT_HEADER) + 3).startswith(_XPT_HEADER + b"LIB"):
            return  # not a transport file: pyreadstat says so
    size = path.stat().st_size
    if size % _XPT_RECORD:
        raise ReadError(
            f"{path}: was cut short: a SAS transport file is made of {_XPT_RECORD}-byte records, "
            f"but this one has {size:,} bytes, not a multiple of {_XPT_RECORD}; get the complete "
            "file again"
        )
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        layout = _xpt_layout(data, size)
        if layout is None:
            return
        start, length, declared = layout
        n_full, rest = divmod(size - start, length)
        partial = rest >= _XPT_RECORD or bool(data[size - rest : size].strip(b" "))
    if rest and partial:
        raise ReadError(
            f"{path}: was cut short: its last observation is incomplete ({rest} of its {length} "
            "bytes); get the complete file again"
        )
    if declared is not None and n_full < declared:
        raise ReadError(
            f"{path}: was cut short: it holds {n_full:,} of the {declared:,} observations its "
            "header declares; get the complete file again"
        )


def _xpt_layout(data: mmap.mmap, size: int) -> tuple[int, int, int | None] | None:
    """Where the last member's observations start, their length, and their declared number."""
    observations = _xpt_header_at(data, (b"OBS",), 0, size)
    member = _xpt_header_at(data, (b"MEMB",), 0, observations or 0)
    names = _xpt_header_at(data, (b"NAMESTR", b"NAMSTV"), member or 0, observations or 0)
    if observations is None or member is None or names is None:
        return None
    try:
        namestr_length = int(data[member + 74 : member + 78])
    except ValueError:
        return None
    first = names + _XPT_RECORD
    following = _xpt_header_at(data, (b"",), first, observations + len(_XPT_HEADER), last=False)
    n_variables = ((following or observations) - first) // max(namestr_length, 1)
    length = 0
    for i in range(n_variables):
        namestr = data[first + i * namestr_length : first + (i + 1) * namestr_length]
        position, size = namestr[_XPT_POSITION], namestr[_XPT_LENGTH]
        ends = int.from_bytes(position, "big") + int.from_bytes(size, "big")
        length = max(length, ends)
    if length == 0:
        return None
    record = data[observations : observations + _XPT_RECORD]
    count = record[48:].strip()
    declared = int(count) if record[20:25] == b"OBSV8" and count.isdigit() else None
    return observations + _XPT_RECORD, length, declared


def _xpt_header_at(
    data: mmap.mmap, kinds: tuple[bytes, ...], start: int, end: int, *, last: bool = True
) -> int | None:
    """The offset of the last (or first) header record of one of these kinds in ``[start, end)``.

    Only offsets at a record boundary count: the same bytes within a value do not.
    """
    found = []
    for kind in kinds:
        pattern = _XPT_HEADER + kind
        stop = end
        position = start
        while True:
            at = data.rfind(pattern, start, stop) if last else data.find(pattern, position, end)
            if at < 0 or at % _XPT_RECORD == 0:
                break
            stop, position = at + len(pattern) - 1, at + 1
        if at >= 0:
            found.append(at)
    if not found:
        return None
    return max(found) if last else min(found)


def _check_stata_complete(path: Path) -> None:
    """Refuse a Stata file of format 117 or later (Stata 13 on) that was cut short.

    Such a file ends with ``</stata_dta>``. Older formats have no end tag: pandas refuses one cut
    within its data, and one cut within its value labels has all of its data.
    """
    opening, closing = _STATA_XML
    with path.open("rb") as handle:
        if handle.read(len(opening)) != opening:
            return
        handle.seek(max(path.stat().st_size - len(closing), 0))
        if handle.read() != closing:
            raise ReadError(
                f"{path}: was cut short: a Stata file of format 117 or later ends with "
                f"{closing.decode()}, and this one does not; get the complete file again"
            )


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


#: Checks, before reading, that a file of these formats is whole.
_COMPLETENESS_CHECKS: Mapping[str, Callable[[Path], None]] = MappingProxyType(
    {"xpt": _check_xpt_complete, "stata": _check_stata_complete}
)


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
