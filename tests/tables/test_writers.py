"""Every writer's output read back: the cells, headers, title and footnotes of the Table; the same
table gives the same bytes."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest

from outcomes import WriteError
from outcomes.tables import FORMATS, Table, write_table
from outcomes.tables.writers import latex_escape


class _HTMLTable(HTMLParser):
    """The caption, and the text of each cell by section (thead, tbody, tfoot), row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.caption = ""
        self.sections: dict[str, list[list[str]]] = {"thead": [], "tbody": [], "tfoot": []}
        self._section = ""
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.sections:
            self._section = tag
        elif tag == "tr":
            self.sections[self._section].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.sections[self._section][-1].append("".join(self._cell or []))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def test_html_reads_back(tricky: Table, tmp_path: Path) -> None:
    page = write_table(tricky, tmp_path / "t.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert tricky.to_html() in page
    parsed = _HTMLTable()
    parsed.feed(tricky.to_html())
    assert parsed.caption == tricky.title
    assert parsed.sections["thead"] == [tricky.headers]
    assert parsed.sections["tbody"] == tricky.display_rows()
    assert parsed.sections["tfoot"] == [[note] for note in tricky.footnotes]
    # escaped: no raw "<5" or "& c" in the markup; no stylesheet needed
    assert "&lt;5" in page and "a | b &amp; c" in page and "<0.001" not in page
    assert "<link" not in page and "<style" not in page


def _md_text(text: str) -> str:
    """Markdown text as it reads: backslash escapes and HTML entities undone."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def _md_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [_md_text(c.strip()) for c in cells]


def test_markdown_reads_back(tricky: Table, tmp_path: Path) -> None:
    text = write_table(tricky, tmp_path / "t.md").read_text(encoding="utf-8")
    blocks = text.rstrip("\n").split("\n\n")
    assert _md_text(blocks[0]) == f"**{tricky.title}**"
    lines = blocks[1].split("\n")
    assert _md_cells(lines[0]) == tricky.headers
    assert _md_cells(lines[1]) == [":--", ":--", "--:", "--:", "--:"]
    assert [_md_cells(line) for line in lines[2:]] == tricky.display_rows()
    assert [_md_text(b) for b in blocks[2:]] == list(tricky.footnotes)
    assert "<" not in text and "a \\| b &amp; c" in text  # no raw HTML; pipes escaped


def test_latex_is_escaped_booktabs(tricky: Table, tmp_path: Path) -> None:
    text = write_table(tricky, tmp_path / "t.tex").read_text(encoding="utf-8")
    for command in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{llrrr}"):
        assert command in text
    assert r"\caption{MADRS \& GAD-7: change\_from\_baseline, 100\% $<$observed$>$}" in text
    body = text.split("\\midrule\n")[1].split("\n\\bottomrule")[0].split("\n")
    assert body == [
        " & ".join(latex_escape(c) for c in row) + r" \\" for row in tricky.display_rows()
    ]
    assert r"WEEK 1 & DMT & -7.35 (-13.62 to -1.08) & $<$0.001 & 7 (35.0\%) \\" in body
    assert r" & PLACEBO\_2 & --- & 0.023 & $<$5 \\" in body
    assert r"a \textbar{} b \& c" in text
    for note in tricky.footnotes:
        assert latex_escape(note) + r"\par" in text


def test_csv_holds_the_cells_and_header_only(tricky: Table, tmp_path: Path) -> None:
    raw = write_table(tricky, tmp_path / "t.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0] == tricky.headers
    assert rows[1:] == tricky.rows()  # the stub repeated: a machine-readable file
    assert tricky.title not in raw.decode() and b"\r\n" not in raw


def test_xlsx_reads_back(tricky: Table, tmp_path: Path) -> None:
    path = write_table(tricky, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path).active
    values = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    ncol = len(tricky.columns)
    assert values[0][0] == tricky.title
    assert values[1] == tricky.headers
    assert values[2 : 2 + tricky.shape[0]] == tricky.display_rows()
    assert values[2 + tricky.shape[0]] == [""] * ncol
    assert [row[0] for row in values[3 + tricky.shape[0] :]] == list(tricky.footnotes)


def test_docx_reads_back(tricky: Table, tmp_path: Path) -> None:
    document = docx.Document(str(write_table(tricky, tmp_path / "t.docx")))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs == [tricky.title, *tricky.footnotes]
    (grid,) = document.tables
    cells = [[cell.text for cell in row.cells] for row in grid.rows]
    assert cells == [tricky.headers, *tricky.display_rows()]
    assert document.core_properties.title == tricky.title


@pytest.mark.parametrize("suffix", FORMATS)
def test_same_table_same_bytes(tricky: Table, tmp_path: Path, suffix: str) -> None:
    first = write_table(tricky, tmp_path / f"a{suffix}").read_bytes()
    second = write_table(tricky, tmp_path / f"b{suffix}").read_bytes()
    assert first == second


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_zip_formats_hold_no_time_of_writing(tricky: Table, tmp_path: Path, suffix: str) -> None:
    """What would change from one second to the next is fixed: each member's time in the archive
    and the document's created and modified times."""
    path = write_table(tricky, tmp_path / f"t{suffix}")
    with zipfile.ZipFile(path) as archive:
        assert {m.date_time for m in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
    assert stamps == ["2000-01-01T00:00:00Z"] * 2


def test_suffix_picks_the_writer(tricky: Table, tmp_path: Path) -> None:
    assert (
        write_table(tricky, tmp_path / "T.HTML")
        .read_text(encoding="utf-8")
        .startswith("<!DOCTYPE html>")
    )
    with pytest.raises(WriteError, match=r"\.pdf"):
        write_table(tricky, tmp_path / "t.pdf")
    assert set(FORMATS) == {".html", ".md", ".tex", ".docx", ".xlsx", ".csv", ".rtf"}


def test_a_formula_looking_cell_stays_text(tmp_path: Path) -> None:
    """A text cell, never a formula, and neutralised with a leading quote; a number is kept."""
    import pandas as pd

    table = Table(pd.DataFrame({"a": ["=1+1", "-2"]}), "t")
    sheet = openpyxl.load_workbook(write_table(table, tmp_path / "t.xlsx")).active
    assert [sheet["A3"].value, sheet["A3"].data_type] == ["'=1+1", "s"]
    assert [sheet["A4"].value, sheet["A4"].data_type] == ["-2", "s"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_empty_table_writes(tmp_path: Path, suffix: str) -> None:
    import pandas as pd

    empty = Table(pd.DataFrame({"a": pd.Series([], dtype=object)}), "Nothing yet")
    assert write_table(empty, tmp_path / f"e{suffix}").stat().st_size > 0
