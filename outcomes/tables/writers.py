"""Writers of a :class:`~outcomes.tables.table.Table`: HTML, Markdown, LaTeX, DOCX, XLSX, CSV,
RTF.

:func:`write_table` picks the format by the file's suffix. Every writer prints the same cells;
the stub's repeated values are blank in all but CSV (see :class:`Table`). What each holds:

``.html``
    A UTF-8 page holding the ``<table>`` of :func:`to_html`: the title as ``<caption>``, the
    header in ``<thead>``, the footnotes in ``<tfoot>``; inline styles only (no stylesheet), text
    escaped (``& < > " '``).
``.md``
    The title in bold, a GitHub pipe table, each footnote as a paragraph below. In all three
    ``& < >`` are HTML entities (no raw HTML, no autolink ``<http://...>``), and ``\\ | [ ] ` ``
    are escaped with a backslash (no column break, no link or image ``[a](...)``,
    ``![x](...)``, no code span).
``.tex``
    A ``table`` environment with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``), the
    caption above, the footnotes below in ``\\footnotesize``; ``& % $ # _ { } ~ ^ \\`` escaped
    (so ``\\input{...}`` or ``\\write18`` in the data is printed, never run), ``<``, ``>`` and
    ``|`` as ``$<$``, ``$>$`` and ``\\textbar{}``, ``[ ] *`` braced (a row starting ``[-9pt]``
    is not read as the optional argument of ``\\\\``), the em dash as ``---``.
``.docx``
    A bold title paragraph, a table (style "Table Grid") whose header row repeats on every page,
    and the footnotes below in 8 pt (python-docx).
``.xlsx``
    One sheet: the title in A1, the header in row 2, the cells from row 3, then a blank row and
    the footnotes, one a row (openpyxl). Every cell is a text cell, never a formula, and is
    neutralised as in CSV.
``.rtf``
    Page header "Page x of y", numbered title, headers repeated on every page, paged by the
    first stub column, footnotes, source line (rtflite; :mod:`outcomes.tables.rtf`).
``.csv``
    Only the header and the cells, every stub value repeated, UTF-8, ``\\n`` line ends, every
    cell quoted (a spreadsheet that splits on ``;`` or tab keeps a cell whole): a file any CSV
    reader takes as it is. Title and footnotes are not in it (comment lines would break most
    readers); write another format beside it for them.

Every string (cells, headers, title, footnotes) is first made :func:`~outcomes.terminal.printable`
(no escape sequence, control or bidirectional character, one line), and in CSV and XLSX a cell
that a spreadsheet would take for a formula is prefixed with ``'`` (:func:`neutralise_formula`).

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
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from outcomes.errors import WriteError
from outcomes.tables.rtf import to_rtf
from outcomes.terminal import printable

if TYPE_CHECKING:  # a type only: table.py imports this module
    from outcomes.tables.table import Table

__all__ = [
    "FIXED_TIME",
    "FORMATS",
    "latex_escape",
    "neutralise_formula",
    "to_html",
    "to_latex",
    "to_markdown",
    "write_table",
]

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
"""Creation and modification time written into DOCX and XLSX files, so that they reproduce."""

_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_table(
    table: Table, path: str | Path, *, number: str | None = None, source: str | None = None
) -> Path:
    """Write ``table`` to ``path`` in the format of its suffix (:data:`FORMATS`).

    Parameters
    ----------
    table : Table
    path : str or Path
        ``.html``, ``.md``, ``.tex``, ``.docx``, ``.xlsx``, ``.csv`` or ``.rtf`` (any case); the
        folder must exist.
    number, source : str, optional
        RTF only: the table's number (``Table <number>`` above the title) and the source line
        below the footnotes.

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
    >>> from outcomes.tables import Table
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
    rtf = target.suffix.lower() == ".rtf"
    target.write_bytes(to_rtf(table, number=number, source=source) if rtf else render(table))
    return target


# -- HTML ---------------------------------------------------------------------------------------

_CELL = "padding: 2px 8px; text-align: {align}; vertical-align: top;"


def to_html(table: Table) -> str:
    """The table as one HTML ``<table>`` element, text escaped, styled inline.

    Examples
    --------
    >>> import pandas as pd
    >>> from outcomes.tables import Table
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
            parts.append(f'<{tag}{scope} style="{style}">{_html_text(value)}</{tag}>')
        return "<tr>" + "".join(parts) + "</tr>"

    lines = [
        '<table class="outcomes-table" style="border-collapse: collapse; '
        'border-top: 2px solid black; border-bottom: 2px solid black;">',
        '<caption style="caption-side: top; text-align: left; font-weight: bold; '
        f'padding-bottom: 4px;">{_html_text(table.title)}</caption>',
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
                f"{_html_text(note)}</td></tr>"
            )
        lines.append("</tfoot>")
    lines.append("</table>")
    return "\n".join(lines) + "\n"


def _html_text(value: str) -> str:
    return html.escape(printable(value))


def _html_page(table: Table) -> bytes:
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_html_text(table.title)}</title>\n</head>\n<body>\n"
        f"{to_html(table)}</body>\n</html>\n"
    )
    return page.encode("utf-8")


# -- Markdown -----------------------------------------------------------------------------------


_MD_SPECIAL = re.compile(r"([\\|\[\]`])")


def _md_text(value: str) -> str:
    r"""``value`` as Markdown text that is read as it is written, in a table cell or not.

    Examples
    --------
    >>> print(_md_text("<b>x|y</b> & [a](javascript:alert(1))"))
    &lt;b&gt;x\|y&lt;/b&gt; &amp; \[a\](javascript:alert(1))
    """
    return html.escape(_MD_SPECIAL.sub(r"\\\1", printable(value)), quote=False)


def to_markdown(table: Table) -> str:
    """The table as Markdown: bold title, GitHub pipe table, footnotes as paragraphs.

    Examples
    --------
    >>> import pandas as pd
    >>> from outcomes.tables import Table
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
        return "| " + " | ".join(_md_text(v) for v in values) + " |"

    rule = [":--" if j < n_stub else "--:" for j in range(len(table.columns))]
    lines = [f"**{_md_text(table.title)}**", "", line(table.headers), line(rule)]
    lines += [line(row) for row in table.display_rows()]
    for note in table.footnotes:
        lines += ["", _md_text(note)]
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
    "[": "{[}",
    "]": "{]}",
    "*": "{*}",
    "\u2014": "---",
    "\u2013": "--",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u00d7": r"$\times$",
}


def latex_escape(text: str) -> str:
    r"""``text``, made :func:`~outcomes.terminal.printable`, with LaTeX's special characters
    escaped: in a document it prints as it reads and runs nothing.

    Examples
    --------
    >>> print(latex_escape("<0.001 & 35.0% of arm_1"))
    $<$0.001 \& 35.0\% of arm\_1
    >>> print(latex_escape("[-9pt]\\input{/etc/passwd}"))
    {[}-9pt{]}\textbackslash{}input\{/etc/passwd\}
    """
    return "".join(_LATEX.get(ch, ch) for ch in printable(text))


def to_latex(table: Table) -> str:
    r"""The table as a LaTeX ``table`` environment with a booktabs ``tabular``.

    Examples
    --------
    >>> import pandas as pd
    >>> from outcomes.tables import Table
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


_FORMULA_START = frozenset("=+-@")
_NUMBER = r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Inf)%?"
_SHOWN = rf"(?:{_NUMBER}|\u2014)"  # a number, or the dash of one not estimable
_NUMERIC = re.compile(
    rf"{_NUMBER}(?: to {_NUMBER})?"  # a number, an interval ("-13.62 to -1.08")
    rf"(?: [(\[]{_SHOWN}(?:(?: to |, ?){_SHOWN})?[)\]])?"  # "(SE)", "(low to high)", "(0, —)"
)


def neutralise_formula(text: str) -> str:
    r"""``text`` as a spreadsheet cell that no spreadsheet takes for a formula (OWASP's advice on
    CSV injection): prefixed with ``'`` if it starts with a tab or a carriage return, or if its
    first visible character (past spaces and invisible format characters such as a byte-order
    mark, compared in NFKC form, so full-width ``＝`` is ``=``) is ``= + - @``; unless the whole
    cell is a number as the tables print them: a sign, digits, a decimal point, an exponent, a
    ``%``, ``Inf``, optionally an interval (``-13.62 to -1.08``) or a bracketed second part
    (``-7.35 (-13.62 to -1.08)``, ``-1.2 (0.5)``, ``-1.2 (-3.4, 0.5)``, ``-3.19 (—)``). Such a
    cell holds no letter but ``e``, ``to`` and ``Inf``: it can call no function.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")'), neutralise_formula("@SUM(1+1)")
    ('\'=HYPERLINK("http://x")', "'@SUM(1+1)")
    >>> neutralise_formula("-2+3+cmd|' /C calc'!A0"), neutralise_formula(" \uff1d1+1")
    ("'-2+3+cmd|' /C calc'!A0", "' ＝1+1")
    >>> neutralise_formula("-1.23"), neutralise_formula("-7.35 (-13.62 to -1.08)")
    ('-1.23', '-7.35 (-13.62 to -1.08)')
    >>> neutralise_formula("WEEK 1"), neutralise_formula("\u22120.63")  # a Unicode minus
    ('WEEK 1', '−0.63')
    """
    risky = text[:1] in ("\t", "\r") or _first_shown(text) in _FORMULA_START
    return "'" + text if risky and not _NUMERIC.fullmatch(text) else text


def _first_shown(text: str) -> str:
    """The first character of ``text`` that is neither a space nor invisible, in NFKC form."""
    for ch in text:
        if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"):
            return unicodedata.normalize("NFKC", ch)[:1]
    return ""


def _spreadsheet_text(value: str) -> str:
    return neutralise_formula(printable(value))


def _csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in [table.headers, *table.rows()]:
        writer.writerow([_spreadsheet_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------


def _xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Table"
    _text_cell(ws, 1, 1, table.title).font = Font(bold=True)
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
    props.title = printable(table.title)
    props.creator = "outcomes"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps the time of saving: _reproducible() sets it back
    return _reproducible(buffer.getvalue())


def _text_cell(ws: object, row: int, column: int, value: str) -> object:
    text = _spreadsheet_text(value)
    cell = ws.cell(row=row, column=column, value=text)  # type: ignore[attr-defined]
    cell.data_type = "s"  # text, never a formula (openpyxl takes "=..." for one)
    return cell


# -- DOCX ---------------------------------------------------------------------------------------


def _docx(table: Table) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.title = printable(table.title)
    props.author = "outcomes"
    props.last_modified_by = "outcomes"
    props.comments = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    document.add_paragraph().add_run(printable(table.title)).bold = True
    n_rows, n_cols = table.shape
    grid = document.add_table(rows=n_rows + 1, cols=n_cols)
    grid.style = "Table Grid"
    n_stub = len(table.stub)
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on every page
    for j, (cell, text) in enumerate(zip(header.cells, table.headers, strict=True)):
        cell.paragraphs[0].add_run(printable(text)).bold = True
        if j >= n_stub:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row, values in zip(grid.rows[1:], table.display_rows(), strict=True):
        for j, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.paragraphs[0].add_run(printable(text))
            if j >= n_stub:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in table.footnotes:
        document.add_paragraph().add_run(printable(note)).font.size = Pt(8)
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
    ".rtf": to_rtf,
}

FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The suffixes :func:`write_table` writes."""
