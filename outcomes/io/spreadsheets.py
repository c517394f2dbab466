"""Excel workbooks (``.xlsx``, ``.xlsm`` through openpyxl, ``.xls`` through xlrd) as grids of cells.

One sheet is read, chosen by name or position (the first by default). Only the cells it holds
are read, whatever size it states for itself, and a sheet whose values span more cells than the
caller allows is refused. The cells are rendered as a CSV export shows them (error cells as their
text, ``"#N/A"``), and the formula cells of an ``.xlsx`` or ``.xlsm`` sheet without a cached value
are reported (:mod:`outcomes.io.sheet_formulas`).

:func:`_read_excel` is what :func:`outcomes.io.formats.read_table` uses; nothing here is public.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from outcomes.errors import ReadError
from outcomes.io.reading import _cell_text, _header, _library_errors
from outcomes.io.sheet_formulas import _formula_problem, _uncomputed_formulas

__all__: list[str] = []

#: How an OLE2 compound document (an ``.xls`` workbook) begins.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_excel(
    path: Path, sheet: str | int | None, max_cells: int
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The cells of one sheet, header row included, rendered as text (``None`` if empty); and
    the problems of its cells: formulas without a cached value.

    A sheet whose values span more than ``max_cells`` cells is refused.
    """
    with _library_errors(path, "excel"):
        if zipfile.is_zipfile(path):
            grid, uncomputed = _read_xlsx(path, sheet, max_cells)
        elif _is_ole2(path):  # .xls, through xlrd
            grid, uncomputed = _read_xls(path, sheet, max_cells), []
        else:
            raise ValueError("neither a zip archive (.xlsx) nor an OLE2 compound file (.xls)")
    grid = grid.map(_cell_text)
    _, names = _header(grid) if len(grid) else ([], [])
    return grid, [_formula_problem(row, column, names) for row, column in uncomputed]


def _read_xlsx(
    path: Path, sheet: str | int | None, max_cells: int
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """The values of one sheet of a workbook (.xlsx, .xlsm), the cells without one ``None``; and
    the 0-based (row, column) of its formula cells without a cached value.

    The sheet's own statement of its size (``<dimension ref="A1:XFD1048576">``) is not trusted:
    only the cells present are read, and a sheet whose values span more than ``max_cells`` cells
    (what memory and :data:`outcomes.io.formats.MAX_SHEET_CELLS` allow) is refused.
    """
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


def _is_ole2(path: Path) -> bool:
    """Whether a file is an OLE2 compound document, as ``.xls`` workbooks are."""
    with path.open("rb") as handle:
        return handle.read(len(_OLE2_SIGNATURE)) == _OLE2_SIGNATURE


def _read_xls(path: Path, sheet: str | int | None, max_cells: int) -> pd.DataFrame:
    """The values of one sheet of an ``.xls`` workbook, through xlrd: error cells as their text.

    pandas would read ``#N/A`` and the other error cells as missing, so xlrd is used directly.
    """
    import xlrd  # optional: only .xls files need it

    book = xlrd.open_workbook(path, on_demand=True)
    try:
        chosen = _sheet_name(book.sheet_names(), sheet, path)
        cells = book.sheet_by_name(chosen)
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


def _sheet_name(names: list[str], sheet: str | int | None, path: Path) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, int) and -len(names) <= sheet < len(names):
        return names[sheet]
    raise ReadError(f"{path}: no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}")
