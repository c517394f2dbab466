"""Small-cell suppression of a table of counts, with complementary (secondary) suppression.

A count of fewer than ``threshold`` subjects can identify them. :func:`suppress` hides such
counts and then hides enough other counts that a hidden one cannot be worked out by subtraction
from a total printed beside it.

The algorithm
-------------
The table is cells in rows and columns; a row total (``total_column``) and a column total
(``total_row``) are cells too. Each row that has a total, and each column that has one (the
total row and total column included, through the grand total), is a *line*: its cells add up.

1. **Primary**: every cell, totals included, with ``0 < n < threshold`` (``0 <= n`` with
   ``suppress_zeros=True``) is hidden.
2. **Secondary**: a line with exactly one hidden cell gives it away (total minus the others),
   so another cell of that line is hidden: the smallest count that is not 0 among its cells
   that are not the total (ties: the first in the table's order); a 0 only if no other is left,
   and the line's total only if no other cell is left. Rows are visited first, then columns,
   and the sweep is repeated until no line has exactly one hidden cell.

The result is deterministic (the same counts give the same cells hidden) and each sweep hides at
least one more cell, so it stops.

Limits
------
This guards against recomputation from one margin only. It does not guarantee that a hidden count
cannot be bounded or found by combining several lines (a linear-programming attack: in a 2 x 2
block of hidden cells with known margins one unknown remains, and the printed ``<5`` bounds it);
nor against differencing with other tables built on the same subjects (e.g. the same counts by
another grouping). It does not minimise what is hidden. Where disclosure matters, have the plan
reviewed by a disclosure-control specialist (e.g. with sdcTable or tau-argus).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

import numpy as np
import pandas as pd

from outcomes.errors import TableError

__all__ = ["Suppression", "suppress"]


class Suppression(NamedTuple):
    """What :func:`suppress` returns.

    Attributes
    ----------
    masked : DataFrame
        The counts (``int``), with the marker (``str``) in place of each hidden cell.
    suppressed : DataFrame of bool
        Which cells are hidden.
    primary : DataFrame of bool
        Which of them were hidden for being small (the others protect them).
    """

    masked: pd.DataFrame
    suppressed: pd.DataFrame
    primary: pd.DataFrame


def suppress(
    counts: pd.DataFrame,
    threshold: int = 5,
    *,
    marker: str | None = None,
    secondary_marker: str = "*",
    suppress_zeros: bool = False,
    total_row: Hashable | None = None,
    total_column: Hashable | None = None,
) -> Suppression:
    """Hide the counts below ``threshold``, and the counts that would give them away.

    Parameters
    ----------
    counts : DataFrame
        Whole numbers of at least 0, e.g. category x arm, with unique row and column labels.
    threshold : int, default 5
        Counts below it are hidden (primary suppression).
    marker : str, optional
        Shown for a small count; ``"<threshold"`` by default (``"<5"``).
    secondary_marker : str, default "*"
        Shown for a count hidden only to protect another: it need not be small, so it does not
        get ``marker``.
    suppress_zeros : bool, default False
        Whether a count of 0 is small. By default zeros are shown: that nobody is in a cell
        identifies no one.
    total_row, total_column : label, optional
        The row of column totals and the column of row totals, if the table has them (or prints
        them elsewhere): the lines the secondary suppression protects.

    Returns
    -------
    Suppression
        ``masked``, ``suppressed`` and ``primary`` frames, with the index and columns of
        ``counts``.

    Raises
    ------
    ValueError
        For counts that are not whole numbers of at least 0, a threshold below 1, or a total
        label not in the table.

    Notes
    -----
    See the module's docstring for the algorithm and its limits.

    Examples
    --------
    Site by arm with totals: the 3 is small, so another count of its row (the 10) and of its
    column (the 7) are hidden, and then one more in the 10's column (the 8):

    >>> counts = pd.DataFrame({"DMT": [3, 7, 9, 19], "PLACEBO": [10, 8, 11, 29],
    ...                        "Total": [13, 15, 20, 48]},
    ...                       index=["01", "02", "03", "Total"])
    >>> out = suppress(counts, total_row="Total", total_column="Total")
    >>> out.masked
           DMT PLACEBO Total
    01      <5       *    13
    02       *       *    15
    03       9      11    20
    Total   19      29    48
    >>> int(out.suppressed.to_numpy().sum()), int(out.primary.to_numpy().sum())
    (4, 1)
    """
    values = _checked(counts, threshold)
    for label, axis, name in (
        (total_row, counts.index, "total_row"),
        (total_column, counts.columns, "total_column"),
    ):
        if label is not None and label not in axis:
            raise TableError(f"{name} {label!r} is not in the table: {list(axis)}")
    low = 0 if suppress_zeros else 1
    primary = (values >= low) & (values < threshold)
    hidden = primary.copy()
    lines = _lines(counts, total_row, total_column)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            chosen = [c for c in cells if hidden[c]]
            if len(chosen) != 1:
                continue
            pick = _complement(values, hidden, cells, total)
            if pick is not None:
                hidden[pick] = True
                changed = True
    marker = f"<{threshold}" if marker is None else marker
    masked = counts.astype(object).copy()
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            cell: object = int(values[i, j])
            if hidden[i, j]:
                cell = marker if primary[i, j] else secondary_marker
            masked.iat[i, j] = cell
    frame = {"index": counts.index, "columns": counts.columns}
    return Suppression(
        masked=masked,
        suppressed=pd.DataFrame(hidden, **frame),
        primary=pd.DataFrame(primary, **frame),
    )


def _checked(counts: pd.DataFrame, threshold: int) -> np.ndarray:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise TableError(f"threshold must be a whole number of at least 1, not {threshold!r}")
    if not counts.index.is_unique or not counts.columns.is_unique:
        raise TableError("the rows and the columns of the counts must have unique labels")
    try:
        values = counts.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise TableError(f"counts must be numbers: {err}") from None
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise TableError(
            f"counts must be whole numbers of at least 0; row {counts.index[i]!r}, column "
            f"{counts.columns[j]!r} holds {counts.iat[i, j]!r}"
        )
    return values.astype(np.int64)


Cell = tuple[int, int]


def _lines(
    counts: pd.DataFrame, total_row: Hashable | None, total_column: Hashable | None
) -> list[tuple[list[Cell], Cell]]:
    """Each line that adds up: its cells (the total last) and its total cell; rows first."""
    n_rows, n_cols = counts.shape
    lines = []
    if total_column is not None:
        tc = counts.columns.get_loc(total_column)
        for i in range(n_rows):
            cells = [(i, j) for j in range(n_cols) if j != tc] + [(i, tc)]
            lines.append((cells, (i, tc)))
    if total_row is not None:
        tr = counts.index.get_loc(total_row)
        for j in range(n_cols):
            cells = [(i, j) for i in range(n_rows) if i != tr] + [(tr, j)]
            lines.append((cells, (tr, j)))
    return lines


def _complement(
    values: np.ndarray, hidden: np.ndarray, cells: list[Cell], total: Cell
) -> Cell | None:
    """The cell to hide beside a line's only hidden cell: the smallest non-zero count that is
    not the total, else a zero, else the total; None if every cell is hidden."""
    open_cells = [c for c in cells if not hidden[c]]
    for keep in (
        lambda c: c != total and values[c] > 0,
        lambda c: c != total,
        lambda c: True,
    ):
        candidates = [c for c in open_cells if keep(c)]
        if candidates:
            return min(candidates, key=lambda c: values[c])  # min keeps the first of ties
    return None
