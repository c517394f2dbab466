"""Formula cells of a worksheet that hold no cached value, found in the sheet's XML.

openpyxl reads a formula cell written by a program and never opened in a spreadsheet program as
empty, which it is not: such cells are errors ``formula-not-computed`` (:func:`_formula_problem`).
The sheet's XML is scanned for a formula tag first and its formula cells read only when it has
one, in chunks, as bytes (:func:`_formulas_without_value`), or by parsing the XML whole where a
cell cannot be placed so (:func:`_parse_formulas_without_value`).

:func:`_uncomputed_formulas` and :func:`_formula_problem` are what
:mod:`outcomes.io.spreadsheets` uses; nothing here is public.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple

from outcomes.io.reading import _problem

__all__: list[str] = []

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
#: Cell types whose cached value may be empty: a formula whose result is the empty string.
_TEXT_CELL_TYPES = frozenset({"str", "inlineStr"})


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
