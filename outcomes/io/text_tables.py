"""Delimited text files (csv, tsv, text) as grids of text cells, each record's width checked.

The delimiter comes from the format or the header (:func:`_delimiter`); the text is decoded
by :mod:`outcomes.io.text_encodings`. Every record must have as many fields as the header: the
end of each record is marked before parsing, so that a short record, which a CSV reader would pad
unseen, is told from one with empty fields (:func:`_parse_delimited`), and records with fewer or
more fields, or a last record cut short, are problems at their record (:func:`_width_problems`).
A file that ends inside a quoted value is a :class:`~outcomes.errors.ReadError`.

:func:`_read_text` is what :func:`outcomes.io.formats.read_table` uses; nothing here is public.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Mapping
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ReadError
from outcomes.io.reading import _header, _library_errors, _problem
from outcomes.io.text_encodings import (
    _MARKED,
    _decode,
    _encoding_problem,
    _unmark,
    _unread_bytes_problem,
)

__all__: list[str] = []

#: Delimiters a ``.txt`` file may use; on a tie in the header the earlier one wins.
_DELIMITERS = ("\t", ",", ";", "|")

#: Characters one of which, absent from a text file, marks the end of each of its records while
#: it is parsed, so that the fields of every record are counted (control characters that no
#: parser treats as a line break or as white space).
_RECORD_ENDS = tuple(map(chr, (*range(1, 9), *range(14, 32))))
_LINE_BREAK = re.compile("\r\n|\r|\n")


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
