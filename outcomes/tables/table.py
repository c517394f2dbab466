"""The formatted table: cells as strings, a title, column labels and footnotes.

A :class:`Table` is what every builder returns and every writer takes: the numbers are already
formatted (:mod:`outcomes.tables.format`), so a table prints the same in every format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from outcomes.errors import ArgumentTypeError, TableError
from outcomes.tables import writers

__all__ = ["Table"]


@dataclass(frozen=True, eq=False)
class Table:
    """A formatted table. Immutable; every cell is a string.

    Parameters
    ----------
    data : DataFrame
        The cells, all ``str``, one row per table row, under string column names. Its index is
        not part of the table (it is reset).
    title : str
        The caption.
    footnotes : tuple of str
        Printed below the table, in order: what was computed, how, and how missing data were
        handled.
    column_labels : mapping of str to str
        The printed header of a column, where it differs from the column's name.
    stub : tuple of str
        The leading columns that label the rows (e.g. ``("visit", "arm")``): printed
        left-aligned, and in all of them but the last a value equal to the one above it (in a
        row whose earlier stub cells are also the same) is printed once, at the top of its run,
        in every format but CSV and :meth:`to_frame`, which repeat it.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"visit": ["WEEK 1", "WEEK 1"], "arm": ["DMT", "PLACEBO"],
    ...                         "mean": ["-13.6", "-4.3"]}),
    ...           "MADRS change", column_labels={"mean": "Mean change"}, stub=("visit", "arm"))
    >>> t.headers
    ['visit', 'arm', 'Mean change']
    >>> t.display_rows()
    [['WEEK 1', 'DMT', '-13.6'], ['', 'PLACEBO', '-4.3']]
    """

    data: pd.DataFrame
    title: str
    footnotes: tuple[str, ...] = ()
    column_labels: Mapping[str, str] = field(default_factory=dict)
    stub: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        data = self.data.reset_index(drop=True).astype(object)
        bad_names = [c for c in data.columns if not isinstance(c, str)]
        if bad_names:
            raise ArgumentTypeError(f"column names must be strings, not {bad_names}")
        for column in data.columns:
            not_str = [v for v in data[column] if not isinstance(v, str)]
            if not_str:
                raise ArgumentTypeError(
                    f"every cell of a Table is a formatted string; column {column!r} holds "
                    f"{not_str[0]!r} ({type(not_str[0]).__name__}): format it first "
                    "(outcomes.tables.format)"
                )
        unknown = [c for c in self.column_labels if c not in data.columns]
        if unknown:
            raise TableError(f"column_labels name columns not in the table: {unknown}")
        stub = tuple(self.stub)
        if list(data.columns[: len(stub)]) != list(stub):
            raise TableError(
                f"the stub {list(stub)} must be the table's first columns, "
                f"not {list(data.columns[: len(stub)])}"
            )
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "footnotes", tuple(str(f) for f in self.footnotes))
        object.__setattr__(self, "column_labels", MappingProxyType(dict(self.column_labels)))
        object.__setattr__(self, "stub", stub)

    @property
    def columns(self) -> list[str]:
        """The columns' names."""
        return list(self.data.columns)

    @property
    def headers(self) -> list[str]:
        """The printed headers: each column's label, or its name."""
        return [self.column_labels.get(c, c) for c in self.data.columns]

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns of the body."""
        return self.data.shape

    def rows(self) -> list[list[str]]:
        """The cells, row by row, stub values repeated."""
        return [list(row) for row in self.data.itertuples(index=False, name=None)]

    def display_rows(self) -> list[list[str]]:
        """The cells as printed: a repeated stub value (all stub columns but the last) blank."""
        rows = self.rows()
        grouped = len(self.stub) - 1
        shown = []
        for i, row in enumerate(rows):
            out = list(row)
            for j in range(grouped):
                if i > 0 and rows[i - 1][: j + 1] == row[: j + 1]:
                    out[j] = ""
            shown.append(out)
        return shown

    def to_frame(self, *, labels: bool = True) -> pd.DataFrame:
        """A copy of the cells, under the printed headers (``labels=False``: the names).

        Examples
        --------
        >>> Table(pd.DataFrame({"p": ["0.023"]}), "t", column_labels={"p": "p-value"}).to_frame()
          p-value
        0   0.023
        """
        frame = self.data.copy()
        if labels:
            frame.columns = pd.Index(self.headers, dtype=object)
        return frame

    def to_html(self) -> str:
        """The table as an HTML ``<table>`` (see :func:`outcomes.tables.writers.to_html`)."""
        return writers.to_html(self)

    def to_markdown(self) -> str:
        """The table as a GitHub Markdown pipe table, title above, footnotes below."""
        return writers.to_markdown(self)

    def to_latex(self) -> str:
        """The table as a LaTeX booktabs ``table`` environment."""
        return writers.to_latex(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return f"<Table {self.title!r}: {self.shape[0]} rows x {self.shape[1]} columns>"
