"""RTF tables read back with a small RTF reader of its own (control words, groups, escapes,
``\\uN?``): the title, headers, cells, footnotes and source; data never become RTF code."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from outcomes.tables import Table, write_table

_TOKEN = re.compile(r"\\u(-?\d+)\??|\\([a-z]+)(-?\d+)? ?|\\([\\{}*])|([{}])|([^\\{}]+)", re.S)


_NOT_TEXT = {"fonttbl", "header", "footer", "colortbl", "stylesheet", "info"}


def _read(rtf: str) -> tuple[list[str], list[list[str]], int]:
    """The paragraphs (title, source) and table rows (headers, body, footnotes) of ``rtf``, as
    text (a line break as ``\\n``), and how many fields it holds (``\\field``: what a word
    processor would run)."""
    paragraphs, rows, text, row, units, fields = [], [], [], [], [], 0
    skipping = [False]  # per group: inside a destination that is not text (fonts, header, \*)

    def flush_units() -> None:
        if units:
            text.append(b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le"))
            units.clear()

    for m in _TOKEN.finditer(rtf):
        uni, word, _, escaped, brace, plain = m.groups()
        fields += word == "field"
        if brace == "{":
            skipping.append(skipping[-1])
        elif brace == "}":
            skipping.pop()
        elif word in _NOT_TEXT or escaped == "*":
            skipping[-1] = True
        if skipping[-1]:
            continue
        if uni is not None:
            units.append(int(uni) % 65536)
            continue
        flush_units()
        if word == "line":
            text.append("\n")
        elif word in ("par", "cell", "row"):
            if word == "par" and "".join(text).strip():
                paragraphs.append("".join(text).strip())
            elif word == "cell":
                row.append("".join(text).strip())
            elif word == "row" and row:
                rows.append(row)
                row = []
            text = []
        elif escaped is not None:
            text.append(escaped)
        elif plain is not None:
            text.append(plain.replace("\n", ""))
    return paragraphs, rows, fields


def test_rtf_reads_back_with_its_number_footnotes_and_source(tricky: Table, tmp_path: Path) -> None:
    path = write_table(tricky, tmp_path / "t.rtf", number="14.2.1", source="Source: adqs.xpt")
    paragraphs, rows, fields = _read(path.read_text(encoding="ascii"))
    assert paragraphs == [f"Table 14.2.1\n{tricky.title}", "Source: adqs.xpt"]
    header, *body, footnotes = rows
    assert footnotes == ["\n".join(tricky.footnotes)]
    assert header == tricky.headers[1:]  # paged by the visit: a row of its own opens each
    expected = []
    for visit in dict.fromkeys(tricky.data["visit"]):
        expected.append([visit])
        expected += [r[1:] for r in tricky.rows() if r[0] == visit]
    assert body == expected
    assert fields == 1  # the page header's page count, and nothing from the data


def test_rtf_code_in_the_data_is_printed_not_run(tmp_path: Path) -> None:
    """A cell holding an RTF field (which a word processor would run) and text beyond ASCII."""
    injected = '{\\field{\\*\\fldinst INCLUDETEXT "c:/x"}}'
    table = Table(pd.DataFrame({"a": [injected, "≥ 5 😀 é"]}), "t")
    paragraphs, rows, fields = _read(write_table(table, tmp_path / "t.rtf").read_text("ascii"))
    assert rows == [["a"], [injected], ["≥ 5 😀 é"]]
    assert fields == 1


def test_a_wide_table_is_landscape(tmp_path: Path) -> None:
    wide = Table(pd.DataFrame({f"c{i}": ["1"] for i in range(8)}), "wide")
    narrow = Table(pd.DataFrame({"c": ["1"]}), "narrow")
    assert "\\landscape" in write_table(wide, tmp_path / "w.rtf").read_text("ascii")
    assert "\\landscape" not in write_table(narrow, tmp_path / "n.rtf").read_text("ascii")
