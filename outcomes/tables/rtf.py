"""A :class:`~outcomes.tables.table.Table` as RTF, as trial statisticians deliver tables and
listings, with rtflite (the Python port of R's r2rtf).

What the file holds: a page header on every page ("Page x of y", right-aligned), the numbered
title ("Table 14.2.1" on its own line when a number is given), the column headers repeated on
every page, the body, the footnotes and the source line. A table whose stub has two or more
columns (``visit``, ``arm``) is paged by its first: each of its values opens a block with a
row of its own, as r2rtf's ``page_by`` does. Tables of more than six columns are landscape.

Every string is first made :func:`~outcomes.terminal.printable`, then written as RTF text:
``\\``, ``{`` and ``}`` escaped (a cell holding ``{\\field{\\*\\fldinst ...}}`` is printed,
never a field the word processor runs), every character outside ASCII as ``\\uN?`` (characters
beyond U+FFFF as their UTF-16 surrogates, which rtflite does not do). The same table gives the
same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from outcomes.terminal import printable

if TYPE_CHECKING:  # a type only: table.py imports the writers
    from outcomes.tables.table import Table

__all__ = ["rtf_text", "to_rtf"]

#: Columns from which a table is laid out landscape.
_LANDSCAPE_FROM = 7


def rtf_text(text: str) -> str:
    """``text`` as RTF text: printable, ``\\ { }`` escaped, non-ASCII as ``\\uN?``.

    Examples
    --------
    >>> rtf_text("{\\\\field x}"), rtf_text("≥ 5"), rtf_text("😀")
    ('\\\\{\\\\\\\\field x\\\\}', '\\\\u8805? 5', '\\\\u-10179?\\\\u-8704?')
    """
    out = []
    for char in printable(text):
        if char in "\\{}":
            out.append("\\" + char)
        elif char.isascii():
            out.append(char)
        else:
            data = char.encode("utf-16-le")
            for i in range(0, len(data), 2):
                unit = int.from_bytes(data[i : i + 2], "little")
                out.append(f"\\u{unit - 65536 if unit > 32767 else unit}?")
    return "".join(out)


def to_rtf(table: Table, *, number: str | None = None, source: str | None = None) -> bytes:
    """The table as an RTF document (see the module's docstring).

    Parameters
    ----------
    table : Table
    number : str, optional
        The table's number, printed ``Table <number>`` above its title.
    source : str, optional
        The source line below the footnotes (the data and program it came from).

    Returns
    -------
    bytes
        The document, ASCII.

    Examples
    --------
    >>> import pandas as pd
    >>> from outcomes.tables import Table
    >>> t = Table(pd.DataFrame({"visit": ["WEEK 1", "WEEK 1"], "arm": ["DMT", "PLACEBO"],
    ...                         "mean": ["-13.6", "-4.3"]}), "MADRS change",
    ...           footnotes=("Observed cases.",), stub=("visit", "arm"))
    >>> rtf = to_rtf(t, number="14.2.1", source="Source: adqs.xpt").decode()
    >>> rtf.startswith("{\\\\rtf1"), "Table 14.2.1" in rtf, "Source: adqs.xpt" in rtf
    (True, True, True)
    """
    import polars as pl
    import rtflite

    paged = table.stub[0] if len(table.stub) >= 2 else None
    shown = table.display_rows()
    cells = {}
    for j, name in enumerate(table.columns):
        values = [row[j] for row in (table.rows() if name == paged else shown)]
        cells[f"c{j}"] = [rtf_text(v) for v in values]
    labels = [rtf_text(h) for h in table.headers]
    widths = [max(3, len(h), *map(len, v)) for h, v in zip(labels, cells.values(), strict=True)]
    under = [name != paged for name in table.columns]  # the columns under a header
    title = [rtf_text(f"Table {number}")] if number else []
    page = rtflite.RTFPage(
        orientation="landscape" if len(table.columns) >= _LANDSCAPE_FROM else "portrait"
    )
    document = rtflite.RTFDocument(
        df=pl.DataFrame(cells, schema={c: pl.String for c in cells}),
        rtf_page=page,
        rtf_page_header=rtflite.RTFPageHeader(),
        rtf_title=rtflite.RTFTitle(text=[*title, rtf_text(table.title)], text_convert=False),
        rtf_column_header=[
            rtflite.RTFColumnHeader(
                text=[h for h, u in zip(labels, under, strict=True) if u],
                col_rel_width=[w for w, u in zip(widths, under, strict=True) if u],
                text_convert=False,
            )
        ],
        rtf_body=rtflite.RTFBody(
            col_rel_width=widths,
            text_justification=["l" if name in table.stub else "c" for name in table.columns],
            page_by=None if paged is None else ["c0"],
            text_convert=False,
        ),
        rtf_footnote=(
            rtflite.RTFFootnote(text=[rtf_text(f) for f in table.footnotes], text_convert=False)
            if table.footnotes
            else None
        ),
        rtf_source=(
            rtflite.RTFSource(text=[rtf_text(source)], text_convert=False) if source else None
        ),
    )
    return document.rtf_encode().encode("ascii")
