"""Tests of what read_table finds in a file's cells: records with too few or too many fields,
files cut short, spreadsheet cells that hold no value, and encodings.

Each problem is in ``frame.attrs["problems"]``, located by record and column, and repeats
nothing of the cells.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

import outcomes
from outcomes.errors import ReadError
from outcomes.io import sheet_formulas
from outcomes.io.formats import read_table, write_table

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parents[2] / "data_samples"


def write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def problems(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return list(frame.attrs.get("problems", []))


def located(frame: pd.DataFrame) -> list[tuple[str, str, int | None, str | None]]:
    """(severity, code, row, column) of each problem the reader found."""
    return [(p["severity"], p["code"], p["row"], p["column"]) for p in problems(frame)]


def assert_nothing_repeated(frame: pd.DataFrame, *values: str) -> None:
    """No problem's message, hint or value repeats one of these cell values."""
    for problem in problems(frame):
        said = f"{problem['message']} {problem['hint']} {problem.get('value')}"
        for value in values:
            assert value not in said, (value, said)


# -- records with too few or too many fields -----------------------------------------------------


def test_short_record_is_an_error_at_its_record(tmp_path: Path) -> None:
    content = b"subject,site,score\n006,Zebulon,1\n007,2\n008,Quixote,3\n"
    frame = read_table(write_bytes(tmp_path / "scores.csv", content))
    assert located(frame) == [("error", "short-row", 2, None)]
    message = problems(frame)[0]["message"]
    assert "2 fields" in message and "header has 3" in message
    # The other records are read as they are; the short one as a reader pads it.
    assert frame["site"].tolist() == ["Zebulon", "2", "Quixote"]
    assert frame["score"].tolist() == ["1", np.nan, "3"]
    assert_nothing_repeated(frame, "Zebulon", "Quixote", "007")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a,b\n1,2\n\n \n3,4\n,\n", {"a": ["1", None, None, "3"], "b": ["2", None, None, "4"]}),
        (b"a,b,\n1,2\n3,4,\n", {"a": ["1", "3"], "b": ["2", "4"]}),
        (b"a\n1\n\n2\n", {"a": ["1", None, "2"]}),
        (b'a,b\n1,"x\ny"\n2,"p\r\nq"\n', {"a": ["1", "2"], "b": ["x\ny", "p\r\nq"]}),
        (b"a,b\r\n1,2\r\n3,4", {"a": ["1", "3"], "b": ["2", "4"]}),
        (b"a,b\r1,2\r3,4\r", {"a": ["1", "3"], "b": ["2", "4"]}),
        (b"a;b\n1;2\n", {"a": ["1"], "b": ["2"]}),
    ],
    ids=[
        "blank-records",
        "trailing-unnamed",
        "one-column",
        "quoted-breaks",
        "crlf",
        "cr",
        "semicolon",
    ],
)
def test_records_that_are_not_short(
    tmp_path: Path, content: bytes, expected: dict[str, list[str | None]]
) -> None:
    frame = read_table(write_bytes(tmp_path / "scores.csv", content))
    assert located(frame) == []
    pd.testing.assert_frame_equal(frame, pd.DataFrame(expected, dtype="str"))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_short_record_is_found_among_quoted_line_breaks(tmp_path: Path, newline: str) -> None:
    rows = ["subject,note,score", '006,"two', 'lines",1', "007,x", '008,"a, b",3', ""]
    path = write_bytes(tmp_path / "notes.csv", newline.join(rows).encode())
    frame = read_table(path)
    assert located(frame) == [("error", "short-row", 2, None)]
    assert frame["note"].tolist() == [f"two{newline}lines", "x", "a, b"]
    assert frame["score"].tolist() == ["1", np.nan, "3"]


def test_long_record_is_an_error_at_its_record(tmp_path: Path) -> None:
    # Before: pandas refused the whole file ("Expected 2 fields in line 3, saw 3").
    content = b"subject,score\n006,1\n007,2,5\n008,4\n009,5,6,Zebulon\n"
    frame = read_table(write_bytes(tmp_path / "scores.csv", content))
    assert located(frame) == [("error", "long-row", 2, None), ("error", "long-row", 4, None)]
    assert ["3 fields" in p["message"] for p in problems(frame)] == [True, False]
    assert "4 fields" in problems(frame)[1]["message"]
    # A long record's values cannot be matched to columns: its row is kept without them (and
    # dropped with the blank records at the end), so that every other record keeps its number.
    assert frame["subject"].tolist() == ["006", np.nan, "008"]
    assert frame["score"].tolist() == ["1", np.nan, "4"]
    assert_nothing_repeated(frame, "Zebulon")


def test_a_very_long_record_costs_no_more_columns(tmp_path: Path) -> None:
    rows = ["subject,score", *(f"S{i},{i}" for i in range(1000))]
    rows[5] = "S4," + ",".join(["x"] * 100_000)
    frame = read_table(write_bytes(tmp_path / "scores.csv", "\n".join(rows).encode()))
    assert frame.shape == (1000, 2)
    assert located(frame) == [("error", "long-row", 5, None)]
    assert "100001 fields" in problems(frame)[0]["message"]


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        (b"subject,score\n006,1,x\n007,2,y\n\n", "long-row", "every one of the 2 records has 3"),
        (b"subject,score,visit\n006,1\n007,2\n", "short-row", "every one of the 2 records has 2"),
    ],
)
def test_every_record_of_the_same_wrong_width_is_one_problem(
    tmp_path: Path, content: bytes, code: str, says: str
) -> None:
    frame = read_table(write_bytes(tmp_path / "scores.csv", content))
    assert located(frame) == [("error", code, None, None)]
    assert says in problems(frame)[0]["message"]


# -- files cut short ------------------------------------------------------------------------------

FULL_CSV = b"subject,site,score\n006,A,1\n007,B,2\n"


@pytest.mark.parametrize("cut", [3, 5, 6])
def test_csv_cut_within_its_last_record(tmp_path: Path, cut: int) -> None:
    frame = read_table(write_bytes(tmp_path / "scores.csv", FULL_CSV[:-cut]))
    assert located(frame) == [("error", "truncated-file", 2, None)]
    assert "cut short" in problems(frame)[0]["message"]


def test_csv_cut_at_a_line_break_cannot_be_told(tmp_path: Path) -> None:
    # Documented limit: such a file is a complete file with fewer records.
    frame = read_table(write_bytes(tmp_path / "scores.csv", FULL_CSV[:-8]))
    assert located(frame) == [] and len(frame) == 1


def test_csv_cut_inside_a_quoted_value(tmp_path: Path) -> None:
    content = b'subject,note\n006,"a, b"\n007,"Zebulon\nwas here"\n'
    path = write_bytes(tmp_path / "notes.csv", content[:-5])
    with pytest.raises(
        ReadError, match=r"ends inside a quoted value that opens on line 3.*cut"
    ) as e:
        read_table(path)
    assert str(path) in str(e.value) and "Zebulon" not in str(e.value)


def test_line_numbers_count_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "notes.csv", b'\n\nsubject,note\n006,"open\n')
    with pytest.raises(ReadError, match="opens on line 4"):
        read_table(path)


XPT_TABLE = pd.DataFrame(
    {
        "subject": [f"S{i:04d}" for i in range(400)],  # 5 bytes, and two 8-byte numbers: 21
        "score": np.arange(400) * 1.5,
        "visit": np.arange(400) % 5,
    }
)


@pytest.mark.parametrize(
    ("version", "cut", "says"),
    [
        (8, 1, "not a multiple of 80"),
        (8, 79, "not a multiple of 80"),
        (8, 80, "last observation is incomplete"),
        (8, 160, "last observation is incomplete"),
        (8, 1680, "holds 320 of the 400 observations"),  # 80 whole observations, 21 records
        (5, 1, "not a multiple of 80"),
        (5, 80, "last observation is incomplete"),
        (5, 2000, "last observation is incomplete"),
    ],
)
def test_xpt_cut_short(tmp_path: Path, version: int, cut: int, says: str) -> None:
    path = tmp_path / "scores.xpt"
    pyreadstat.write_xport(XPT_TABLE, path, file_format_version=version)
    assert len(read_table(path)) == 400
    write_bytes(path, path.read_bytes()[:-cut])
    with pytest.raises(ReadError, match=f"was cut short: .*{says}"):
        read_table(path)


@pytest.mark.parametrize("version", [5, 8])
@pytest.mark.parametrize("n_rows", [1, 3, 7, 400])
def test_whole_xpt_files_read_whole(tmp_path: Path, version: int, n_rows: int) -> None:
    # Observations shorter than a record leave blank padding at the end: not a cut.
    for table in (XPT_TABLE.head(n_rows), XPT_TABLE.head(n_rows)[["score"]]):
        path = tmp_path / "scores.xpt"
        pyreadstat.write_xport(table, path, file_format_version=version)
        assert len(read_table(path)) == n_rows


def test_xpt_written_by_write_table_with_labels_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "scores.xpt"
    table = XPT_TABLE.rename(columns={"subject": "subject_identifier_longer_than_8"})
    pyreadstat.write_xport(table, path, file_format_version=8, column_labels=["a label"] * 3)
    assert len(read_table(path)) == 400
    write_bytes(path, path.read_bytes()[:-80])
    with pytest.raises(ReadError, match="was cut short"):
        read_table(path)
    write_table(XPT_TABLE, path)
    write_bytes(path, path.read_bytes()[:-7])
    with pytest.raises(ReadError, match="was cut short"):
        read_table(path)


def _typed_file(tmp_path: Path, suffix: str) -> Path:
    if suffix == ".sas7bdat":  # no library writes SAS7BDAT: the fixture made with R
        return Path(shutil.copy(FIXTURES / "long.sas7bdat", tmp_path / "long.sas7bdat"))
    return write_table(XPT_TABLE, tmp_path / f"scores{suffix}")


@pytest.mark.parametrize("suffix", [".sav", ".zsav", ".dta", ".parquet", ".sas7bdat"])
@pytest.mark.parametrize("cut", [1, 12, 100, "half"])
def test_typed_files_cut_short_are_read_errors(tmp_path: Path, suffix: str, cut: int | str) -> None:
    path = _typed_file(tmp_path, suffix)
    raw = path.read_bytes()
    write_bytes(path, raw[: len(raw) // 2 if cut == "half" else -cut])
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("version", [117, 118, 119])
def test_stata_cut_within_its_end_tag(tmp_path: Path, version: int) -> None:
    path = tmp_path / "scores.dta"
    XPT_TABLE.to_stata(path, write_index=False, version=version)
    write_bytes(path, path.read_bytes()[:-1])
    with pytest.raises(ReadError, match="was cut short"):
        read_table(path)


def test_utf16_cut_within_a_character(tmp_path: Path) -> None:
    content = "subject,site\n006,Montréal\n".encode("utf-16")[:-1]
    with pytest.raises(ReadError, match="ends in the middle of a character.*cut short"):
        read_table(write_bytes(tmp_path / "sites.csv", content))


# -- spreadsheet cells: only empty cells are missing ----------------------------------------------

ERROR_ROWS = [
    ["subject", "score", "note"],
    ["006", "#REF!", "NA"],
    ["007", "#N/A", "NULL"],
    ["008", "#DIV/0!", "None"],
    ["009", "#VALUE!", "N/A"],
    ["010", 12, None],
]


def write_workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Scores"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def replace_sheet_xml(path: Path, sheet_data: str, prefix: str = "") -> Path:
    """The workbook with its first sheet's cells replaced by this ``<sheetData>`` content.

    With a ``prefix`` (``"x:"``) every tag of the sheet is written with it.
    """
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    declaration = f'xmlns:{prefix[:-1]}="{namespace}"' if prefix else f'xmlns="{namespace}"'
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<{prefix}worksheet {declaration}><{prefix}sheetData>"
        + sheet_data.replace("<", f"<{prefix}").replace(f"<{prefix}/", f"</{prefix}")
        + f"</{prefix}sheetData></{prefix}worksheet>"
    ).encode()
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


def test_error_cells_read_as_their_text_as_in_a_csv_export(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "scores.xlsx", ERROR_ROWS)
    book = openpyxl.load_workbook(path)
    assert book.active["B2"].data_type == "e"  # openpyxl writes "#REF!" as an error cell
    export = "\n".join(",".join("" if v is None else str(v) for v in row) for row in ERROR_ROWS)
    from_csv = read_table(write_bytes(tmp_path / "scores.csv", export.encode()))
    from_excel = read_table(path)
    pd.testing.assert_frame_equal(from_excel, from_csv)
    assert from_excel["score"].tolist() == ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "12"]
    assert located(from_excel) == []


def test_formula_without_a_cached_value_is_an_error(tmp_path: Path) -> None:
    rows = [["subject", "score", "total"], ["006", 3, "=B2*2"], ["007", 4, "=SUM(B3:B3)"]]
    frame = read_table(write_workbook(tmp_path / "scores.xlsx", rows))
    assert located(frame) == [
        ("error", "formula-not-computed", 1, "total"),
        ("error", "formula-not-computed", 2, "total"),
    ]
    assert "C2" in problems(frame)[0]["message"]
    assert "Excel or LibreOffice" in problems(frame)[0]["hint"]
    assert_nothing_repeated(frame, "B2*2", "SUM")


CACHED_FORMULAS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>subject</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>total</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>flag</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>006</t></is></c>'
    '<c r="B2"><f t="shared" ref="B2:B3" si="0">1+1</f><v>2</v></c>'
    '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c></row>'  # the empty string, computed
    '<row r="3"><c r="A3" t="inlineStr"><is><t>007</t></is></c>'
    '<c r="B3" t="e"><f t="shared" si="0"/><v>#DIV/0!</v></c>'
    '<c{reference} t="str"><f>"x"</f></c></row>'  # C3: never computed
)


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["default-namespace", "prefixed"])
@pytest.mark.parametrize("reference", [' r="C3"', ""], ids=["referenced", "unreferenced"])
def test_cached_formula_values_are_values(tmp_path: Path, prefix: str, reference: str) -> None:
    path = write_workbook(tmp_path / "scores.xlsx", [["x"]])
    replace_sheet_xml(path, CACHED_FORMULAS.format(reference=reference), prefix)
    frame = read_table(path)
    assert frame["total"].tolist() == ["2", "#DIV/0!"]
    assert frame["flag"].isna().all()
    assert located(frame) == [("error", "formula-not-computed", 2, "flag")]
    assert "C3" in problems(frame)[0]["message"]


@pytest.mark.parametrize(
    ("chunk", "before", "after"),
    [(5, 100, 200), (17, 100, 200), (64, 60, 120), (64, 100, 10)],
    ids=["tiny-chunks", "odd-chunks", "small-window", "cells-larger-than-the-window"],
)
def test_formula_cells_are_found_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, before: int, after: int
) -> None:
    rows = [["subject", "score", "total"]]
    rows += [[f"S{i:03d}", i, f"=B{i + 2}*2"] for i in range(50)]
    path = write_workbook(tmp_path / "scores.xlsx", rows)
    whole = located(read_table(path))
    assert len(whole) == 50
    monkeypatch.setattr(sheet_formulas, "_SCANNED_BYTES", chunk)
    monkeypatch.setattr(sheet_formulas, "_CELL_BEFORE", before)
    monkeypatch.setattr(sheet_formulas, "_CELL_AFTER", after)
    assert located(read_table(path)) == whole


def test_sheet_without_formulas_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: Any) -> None:
        raise AssertionError("the sheet's XML was parsed for formulas")

    monkeypatch.setattr(sheet_formulas, "_formulas_without_value", refuse)
    frame = read_table(write_workbook(tmp_path / "scores.xlsx", ERROR_ROWS))
    assert len(frame) == 5


def test_xls_error_cells_and_na_texts_are_kept() -> None:
    pytest.importorskip("xlrd")
    frame = read_table(FIXTURES / "cells" / "errors.xls")
    expected = pd.DataFrame(
        {
            "subject": ["006", "007", "008", "009"],
            "score": ["#REF!", "12", "#N/A", "12.5"],
            "note": ["NA", "NULL", "None", "N/A"],
            "visit_date": [None, "2024-03-01", None, None],
            "eligible": [None, "TRUE", None, None],
        },
        dtype="str",
    )
    pd.testing.assert_frame_equal(frame, expected)
    assert located(frame) == []


# -- encodings ------------------------------------------------------------------------------------

TEXT = "subject,site\n006,Montréal\n007,Zürich\n"
SITES = ["Montréal", "Zürich"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    frame = read_table(write_bytes(tmp_path / "sites.csv", TEXT.encode(encoding)))
    assert frame["site"].tolist() == SITES
    assert located(frame) == []


@pytest.mark.parametrize(
    "content",
    [
        TEXT.encode("utf-16"),
        TEXT.encode("utf-32"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
        b"\x00\x00\xfe\xff" + TEXT.encode("utf-32-be"),
    ],
    ids=["utf-16", "utf-32", "utf-16-be", "utf-32-be"],
)
def test_utf16_and_utf32_with_byte_order_mark(tmp_path: Path, content: bytes) -> None:
    frame = read_table(write_bytes(tmp_path / "sites.csv", content))
    assert frame["site"].tolist() == SITES


def test_binary_data_is_still_refused(tmp_path: Path) -> None:
    content = b"subject,site\n" + bytes(range(256)) * 8
    with pytest.raises(ReadError, match="binary data"):
        read_table(write_bytes(tmp_path / "sites.csv", content))


def test_a_cp1252_byte_in_a_utf8_file_is_an_error_at_its_record(tmp_path: Path) -> None:
    content = (
        "subject,site,note\n006,Montréal,ok\n".encode()
        + b"007,Montr\xe9al,a \x96 b\n"  # typed in a program that saved cp1252
        + b"008,Zebulon,x\n"
    )
    frame = read_table(write_bytes(tmp_path / "sites.csv", content))
    assert located(frame) == [("error", "encoding", 2, "site"), ("error", "encoding", 2, "note")]
    site, note = problems(frame)
    assert "0xE9" in site["message"] and "character 6" in site["message"]
    assert "0x96" in note["message"]
    assert site["hint"] == "the file mixes encodings: save it as UTF-8"
    # The rest is read, the bad bytes as cp1252, so that every problem is found in one pass.
    assert frame["site"].tolist() == ["Montréal", "Montréal", "Zebulon"]
    assert frame["note"].tolist() == ["ok", "a – b", "x"]
    assert_nothing_repeated(frame, "Montr", "a – b", "Zebulon")


def test_a_cp1252_file_reads_with_one_warning(tmp_path: Path) -> None:
    content = "subject,site,note\n006,Montréal,a – b\n007,Zürich,€5\n".encode("cp1252")
    frame = read_table(write_bytes(tmp_path / "sites.csv", content))
    assert frame["site"].tolist() == SITES
    assert frame["note"].tolist() == ["a – b", "€5"]
    assert located(frame) == [("warning", "encoding", None, None)]
    assert "Windows-1252" in problems(frame)[0]["message"]


def test_no_problem_repeats_a_cell(tmp_path: Path) -> None:
    content = (
        b"subject,site,note\nAlpha1,Bravo2,Charlie3\nDelta4,Echo5\n"
        b"Foxtrot6,Golf\xe97,Hotel8\n"
        b"India9,Juliet10,Kilo\xe911,Lima12\n" + "Mike13,Noé14".encode()
    )
    frame = read_table(write_bytes(tmp_path / "secret.csv", content))
    assert located(frame) == [
        ("error", "encoding", 3, "site"),
        ("error", "encoding", None, None),  # the byte in record 4, whose values are not read
        ("error", "short-row", 2, None),
        ("error", "long-row", 4, None),
        ("error", "truncated-file", 5, None),
    ]
    words = ["Alpha1", "Bravo2", "Charlie3", "Delta4", "Echo5", "Foxtrot6", "Golf", "Hotel8"]
    assert_nothing_repeated(frame, *words, "India9", "Juliet10", "Kilo", "Lima12", "Mike13", "Noé")


# -- end to end -----------------------------------------------------------------------------------


def test_read_reports_a_short_record_first_in_the_validation_error(tmp_path: Path) -> None:
    lines = (SAMPLES / "long.csv").read_bytes().split(b"\n")
    fields = lines[5].split(b",")
    del fields[1]  # record 5 loses its arm: every later value moves one column to the left
    lines[5] = b",".join(fields)
    path = write_bytes(tmp_path / "long.csv", b"\n".join(lines))
    with pytest.raises(outcomes.ValidationError) as caught:
        outcomes.read(path, schedule=SAMPLES / "schedule.toml")
    found = caught.value.problems
    first = found.iloc[0]
    assert (first["severity"], first["code"], first["row"]) == ("error", "short-row", 5)
    assert first["file"] == "long.csv"
    assert (found["code"] == "short-row").sum() == 1
