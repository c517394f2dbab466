"""Typed formats (parquet, SPSS, SAS, Stata, R), read with their types, refused when cut short.

Parquet goes through pandas and pyarrow, SPSS and SAS through pyreadstat, Stata through pandas,
R data files through pyreadr (:mod:`outcomes.io.rdata`). A file cut short is a
:class:`~outcomes.errors.ReadError`, never a smaller table: parquet, SPSS, SAS7BDAT and R files
say so through their libraries; SAS transport and Stata files are checked before they are read
(:data:`_COMPLETENESS_CHECKS`). Column names are stripped and checked, and text tidied, as for
every table (:mod:`outcomes.io.reading`).

:func:`_read_typed` is what :func:`outcomes.io.formats.read_table` uses, and
:data:`_STAT_METADATA` what its memory check uses; nothing here is public.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from outcomes.errors import ReadError
from outcomes.io.rdata import read_rdata
from outcomes.io.reading import _check_unique_names, _check_width, _library_errors, _tidy_text

__all__: list[str] = []

#: A SAS transport file: 80-byte records, of which header records begin so.
_XPT_RECORD = 80
_XPT_HEADER = b"HEADER RECORD*******"
#: Where a variable's length and its position in an observation are in a NAMESTR record.
_XPT_LENGTH = slice(4, 6)
_XPT_POSITION = slice(84, 88)
#: How a Stata file of format 117 or later (Stata 13 on) begins and ends.
_STATA_XML = (b"<stata_dta>", b"</stata_dta>")


def _read_typed(path: Path, name: str, sheet: str | int | None = None) -> pd.DataFrame:
    """The table of a typed file, its names stripped and checked, its text tidied.

    ``sheet`` names the data frame of an R data file that holds several (``None`` otherwise).
    """
    with _library_errors(path, name):
        if name in _COMPLETENESS_CHECKS:
            _COMPLETENESS_CHECKS[name](path)
        if name == "rdata":  # an .rda file may hold several data frames: sheet= names one
            frame = read_rdata(path, sheet)
        else:
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


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read a parquet file; integer columns stay integers, nullable where values are missing.

    pandas' own reader makes an integer column with a missing value float64: eight bytes a cell
    where the file has one, gigabytes for the item columns of a registry.
    """
    table = pq.read_table(path, use_pandas_metadata=True)
    frame = table.to_pandas(types_mapper=_NULLABLE_INTEGERS.get)
    del table
    pa.default_memory_pool().release_unused()  # the file's buffers, no longer used
    return frame


#: pandas' nullable integer types of Arrow's integer types.
_NULLABLE_INTEGERS: Mapping[pa.DataType, Any] = MappingProxyType(
    {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
    }
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
    "parquet": _read_parquet,
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
