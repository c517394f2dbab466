"""Writers of a :class:`~outcomes.tables.table.Table`: HTML, Markdown, LaTeX, DOCX, XLSX, CSV.

:func:`write_table` picks the format by the file's suffix. Every writer prints the same cells;
the stub's repeated values are blank in all but CSV (see :class:`Table`). What each holds:

``.html``
    A UTF-8 page holding the ``<table>`` of :func:`to_html`: the title as ``<caption>``, the
    header in ``<thead>``, the footnotes in ``<tfoot>``; inline styles only (no stylesheet), text
    escaped.
``.md``
    The title in bold, a GitHub pipe table, each footnote as a paragraph below.
``.tex``
    A ``table`` environment with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``), the
    caption above, the footnotes below in ``\\footnotesize``; ``& % $ # _ { } ~ ^ \\`` escaped,
    ``<`` and ``>`` as ``$<$`` and ``$>$``, the em dash as ``---``.
``.docx``
    A bold title paragraph, a table (style "Table Grid") whose header row repeats on every page,
    and the footnotes below in 8 pt (python-docx).
``.xlsx``
    One sheet: the title in A1, the header in row 2, the cells (as text) from row 3, then a blank
    row and the footnotes, one a row (openpyxl).
``.csv``
    Only the header and the cells, every stub value repeated, UTF-8, ``\\n`` line ends: a file
    any CSV reader takes as it is. Title and footnotes are not in it (comment lines would break
    most readers); write another format beside it for them.

The same table always gives the same bytes. DOCX and XLSX files are zip archives holding
creation and modification times: both are set to :data:`FIXED_TIME`, and so is every member's
time in the archive.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from outcomes.errors import WriteError
from outcomes.tables.table import Table

__all__ = [
    "FIXED_TIME",
    "FORMATS",
    "latex_escape",
    "to_html",
    "to_latex",
    "to_markdown",
    "write_table",
]

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
"""Creation and modification time written into DOCX and XLSX files, so that they reproduce."""

_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_table(table: Table, path: str | Path) -> Path:
    """Write ``table`` to ``path`` in the format of its suffix (:data:`FORMATS`).

    Parameters
    ----------
    table : Table
    path : str or Path
        ``.html``, ``.md``, ``.tex``, ``.docx``, ``.xlsx`` or ``.csv`` (any case); the folder must
        exist.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    WriteError
        For a suffix with no writer.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> t = Table(pd.DataFrame({"arm": ["DMT"], "n": ["20"]}), "Subjects", stub=("arm",))
    >>> folder = Path(tempfile.mkdtemp())
    >>> print(write_table(t, folder / "subjects.md").read_text(), end="")
    **Subjects**
    <BLANKLINE>
    | arm | n |
    | :-- | --: |
    | DMT | 20 |
    """
    target = Path(path)
    render = _RENDERERS.get(target.suffix.lower())
    if render is None:
        raise WriteError(
            f"cannot write a table to {target.name!r}: the suffix must be one of {list(FORMATS)}"
        )
    target.write_bytes(render(table))
    return target


# -- HTML ---------------------------------------------------------------------------------------

_CELL = "padding: 2px 8px; text-align: {align}; vertical-align: top;"


def to_html(table: Table) -> str:
    """The table as one HTML ``<table>`` element, text escaped, styled inline.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Table(pd.DataFrame({"p": ["<0.001"]}), "A & B", footnotes=("p: two-sided",))
    >>> out = to_html(t)
    >>> "<caption" in out and "A &amp; B</caption>" in out and "&lt;0.001" in out
    True
    """
    n_stub = len(table.stub)
    ncol = len(table.columns)

    def cells(values: list[str], tag: str) -> str:
        parts = []
        for j, value in enumerate(values):
            style = _CELL.format(align="left" if j < n_stub or ncol == 1 else "right")
            scope = ' scope="col"' if tag == "th" else ""
            parts.append(f'<{tag}{scope} style="{style}">{html.escape(value)}</{tag}>')
        return "<tr>" + "".join(parts) + "</tr>"

    lines = [
        '<table class="outcomes-table" style="border-collapse: collapse; '
        'border-top: 2px solid black; border-bottom: 2px solid black;">',
        '<caption style="caption-side: top; text-align: left; font-weight: bold; '
        f'padding-bottom: 4px;">{html.escape(table.title)}</caption>',
        '<thead style="border-bottom: 1px solid black;">',
        cells(table.headers, "th"),
        "</thead>",
        "<tbody>",
        *(cells(row, "td") for row in table.display_rows()),
        "</tbody>",
    ]
    if table.footnotes:
        lines.append('<tfoot style="border-top: 1px solid black; font-size: smaller;">')
        for note in table.footnotes:
            lines.append(
                f'<tr><td colspan="{ncol}" style="{_CELL.format(align="left")}">'
                f"{html.escape(note)}</td></tr>"
            )
        lines.append("</tfoot>")
    lines.append("</table>")
    return "\n".join(lines) + "\n"


def _html_page(table: Table) -> bytes:
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(table.title)}</title>\n</head>\n<body>\n"
        f"{to_html(table)}</body>\n</html>\n"
    )
    return page.encode("utf-8")


# -- Markdown -----------------------------------------------------------------------------------


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    """The table as Markdown: bold title, GitHub pipe table, footnotes as paragraphs.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Table(pd.DataFrame({"a": ["x|y"]}), "T", footnotes=("Note.",))
    >>> print(to_markdown(t), end="")
    **T**
    <BLANKLINE>
    | a |
    | --: |
    | x\\|y |
    <BLANKLINE>
    Note.
    """
    n_stub = len(table.stub)

    def line(values: list[str]) -> str:
        return "| " + " | ".join(_md_cell(v) for v in values) + " |"

    rule = [":--" if j < n_stub else "--:" for j in range(len(table.columns))]
    lines = [f"**{_md_cell(table.title)}**", "", line(table.headers), line(rule)]
    lines += [line(row) for row in table.display_rows()]
    for note in table.footnotes:
        lines += ["", note.replace("\n", " ")]
    return "\n".join(lines) + "\n"


# -- LaTeX --------------------------------------------------------------------------------------

_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": "$<$",
    ">": "$>$",
    "|": r"\textbar{}",
    "\u2014": "---",
    "\u2013": "--",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u00d7": r"$\times$",
    "\n": " ",
}


def latex_escape(text: str) -> str:
    r"""``text`` with LaTeX's special characters escaped.

    Examples
    --------
    >>> print(latex_escape("<0.001 & 35.0% of arm_1"))
    $<$0.001 \& 35.0\% of arm\_1
    """
    return "".join(_LATEX.get(ch, ch) for ch in text)


def to_latex(table: Table) -> str:
    r"""The table as a LaTeX ``table`` environment with a booktabs ``tabular``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Table(pd.DataFrame({"visit": ["WEEK 1"], "p": ["<0.001"]}), "P", stub=("visit",))
    >>> print(to_latex(t), end="")
    % needs \usepackage{booktabs}
    \begin{table}[htbp]
    \centering
    \caption{P}
    \begin{tabular}{lr}
    \toprule
    visit & p \\
    \midrule
    WEEK 1 & $<$0.001 \\
    \bottomrule
    \end{tabular}
    \end{table}
    """
    n_stub = len(table.stub)
    spec = "".join("l" if j < n_stub else "r" for j in range(len(table.columns)))

    def line(values: list[str]) -> str:
        return " & ".join(latex_escape(v) for v in values) + r" \\"

    lines = [
        r"% needs \usepackage{booktabs}",
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(table.title)}}}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        line(table.headers),
        r"\midrule",
        *(line(row) for row in table.display_rows()),
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if table.footnotes:
        lines += [r"\par\smallskip", r"\footnotesize"]
        lines += [latex_escape(note) + r"\par" for note in table.footnotes]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


# -- CSV ----------------------------------------------------------------------------------------


def _csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows())
    return buffer.getvalue().encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------


def _xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Table"
    ws.cell(row=1, column=1, value=table.title).font = Font(bold=True)
    rule = Border(bottom=Side(style="thin"))
    n_stub = len(table.stub)
    for j, header in enumerate(table.headers, start=1):
        cell = _text_cell(ws, 2, j, header)
        cell.font = Font(bold=True)
        cell.border = rule
    for i, row in enumerate(table.display_rows(), start=3):
        for j, value in enumerate(row, start=1):
            cell = _text_cell(ws, i, j, value)
            if j > n_stub:
                cell.alignment = Alignment(horizontal="right")
    first_note = 3 + table.shape[0] + 1
    for k, note in enumerate(table.footnotes):
        _text_cell(ws, first_note + k, 1, note)
    for j, column in enumerate(table.columns, start=1):
        longest = max([len(table.headers[j - 1]), *(len(v) for v in table.data[column])])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, longest + 2))
    props = wb.properties
    props.title = table.title
    props.creator = "outcomes"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps the time of saving: _reproducible() sets it back
    return _reproducible(buffer.getvalue())


def _text_cell(ws: object, row: int, column: int, value: str) -> object:
    cell = ws.cell(row=row, column=column, value=value)  # type: ignore[attr-defined]
    cell.data_type = "s"  # text, even "=..." (never a formula)
    return cell


# -- DOCX ---------------------------------------------------------------------------------------


def _docx(table: Table) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.title = table.title
    props.author = "outcomes"
    props.last_modified_by = "outcomes"
    props.comments = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    document.add_paragraph().add_run(table.title).bold = True
    n_rows, n_cols = table.shape
    grid = document.add_table(rows=n_rows + 1, cols=n_cols)
    grid.style = "Table Grid"
    n_stub = len(table.stub)
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on every page
    for j, (cell, text) in enumerate(zip(header.cells, table.headers, strict=True)):
        cell.paragraphs[0].add_run(text).bold = True
        if j >= n_stub:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row, values in zip(grid.rows[1:], table.display_rows(), strict=True):
        for j, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.paragraphs[0].add_run(text)
            if j >= n_stub:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in table.footnotes:
        document.add_paragraph().add_run(note).font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible(buffer.getvalue())


# -- zip archives that reproduce ----------------------------------------------------------------

_W3CDTF = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _reproducible(archive: bytes) -> bytes:
    """The zip ``archive`` rewritten with :data:`FIXED_TIME` as every member's time and as the
    document's created and modified times (``docProps/core.xml``), members in the same order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + _W3CDTF + m.group(3), data)
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return out.getvalue()


_RENDERERS: dict[str, Callable[[Table], bytes]] = {
    ".html": _html_page,
    ".md": lambda table: to_markdown(table).encode("utf-8"),
    ".tex": lambda table: to_latex(table).encode("utf-8"),
    ".docx": _docx,
    ".xlsx": _xlsx,
    ".csv": _csv,
}

FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The suffixes :func:`write_table` writes."""
