"""Tests of outcomes.io.formats: every format trials produce, read and written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from outcomes.errors import ReadError, WriteError
from outcomes.io.formats import FORMATS, read_table, write_table

# What trips formats up: IDs with leading zeros, accents, integers, decimals, dates, and missing
# values in numeric, text and date columns.
TYPED = pd.DataFrame(
    {
        "subject": ["006", "010", "123"],
        "site": ["Montréal", "Århus", None],
        "visit": [1, 2, 3],
        "score": [12.5, np.nan, 20.0],
        "dosed_at": pd.to_datetime(["2024-03-01 09:30", "2024-03-15 00:00", None]),
    }
)

# The same values as text and spreadsheet formats give them back.
AS_TEXT = pd.DataFrame(
    {
        "subject": ["006", "010", "123"],
        "site": ["Montréal", "Århus", None],
        "visit": ["1", "2", "3"],
        "score": ["12.5", None, "20"],
        "dosed_at": ["2024-03-01 09:30:00", "2024-03-15", None],
    },
    dtype="str",
)

TEXT_SUFFIXES = [".csv", ".tsv", ".tab", ".txt", ".xlsx"]
TYPED_SUFFIXES = [".parquet", ".pq", ".sav", ".zsav", ".xpt", ".dta"]
UNWRITABLE = {  # suffix -> advice
    ".sas7bdat": ".xpt",
    ".xls": ".xlsx",
    ".xlsm": ".xlsx",
    # R data files are read (tests/io/test_rdata.py), not written: pyreadr writes dates as text
    ".rda": ".parquet",
    ".rdata": ".parquet",
    ".rds": ".parquet",
}


def write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_every_suffix_is_covered_below() -> None:
    assert set(FORMATS) == set(TEXT_SUFFIXES) | set(TYPED_SUFFIXES) | set(UNWRITABLE)


# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_round_trip_as_text(tmp_path: Path, suffix: str) -> None:
    path = write_table(TYPED, tmp_path / f"scores{suffix}")
    back = read_table(path)
    pd.testing.assert_frame_equal(back, AS_TEXT)
    assert back.attrs["source"] == {"file": str(path), "format": FORMATS[suffix]}


@pytest.mark.parametrize("suffix", TYPED_SUFFIXES)
def test_round_trip_typed(tmp_path: Path, suffix: str) -> None:
    path = write_table(TYPED, tmp_path / f"scores{suffix}")
    back = read_table(path)
    assert back["score"].dtype == "float64"
    assert back["dosed_at"].dtype.kind == "M"
    # SPSS and SAS store every number as a double, so "visit" may come back as float64; Stata
    # keeps milliseconds, and assert_frame_equal compares date-times of different units wrongly.
    back["dosed_at"] = back["dosed_at"].astype(TYPED["dosed_at"].dtype)
    pd.testing.assert_frame_equal(back, TYPED, check_dtype=False)
    assert back.attrs["source"] == {"file": str(path), "format": FORMATS[suffix]}


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        (
            ".csv",
            "subject,site,visit,score,dosed_at\n006,Montréal,1,12.5,2024-03-01 09:30:00\n"
            "010,Århus,2,,2024-03-15\n123,,3,20,\n",
        ),
        (
            ".tsv",
            "subject\tsite\tvisit\tscore\tdosed_at\n006\tMontréal\t1\t12.5\t2024-03-01 09:30:00\n"
            "010\tÅrhus\t2\t\t2024-03-15\n123\t\t3\t20\t\n",
        ),
    ],
)
def test_text_is_written_exactly(tmp_path: Path, suffix: str, expected: str) -> None:
    path = write_table(TYPED, tmp_path / f"scores{suffix}")
    assert path.read_bytes() == expected.encode("utf-8")


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".dta"])
def test_writing_twice_gives_the_same_bytes(tmp_path: Path, suffix: str) -> None:
    first = write_table(TYPED, tmp_path / f"a{suffix}").read_bytes()
    assert write_table(TYPED, tmp_path / f"b{suffix}").read_bytes() == first


def test_stata_time_stamp_is_fixed(tmp_path: Path) -> None:
    with pd.io.stata.StataReader(write_table(TYPED, tmp_path / "s.dta")) as reader:
        assert reader.time_stamp == "01 Jan 1970 00:00"


# -- text files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"subject,score\n006,12a\n", {"subject": ["006"], "score": ["12a"]}),
        (b"subject,score\n006,NA\n", {"subject": ["006"], "score": ["NA"]}),
        (
            b"  subject , score \n 006 ,  \n   , 7 \n",
            {"subject": ["006", None], "score": [None, "7"]},
        ),
        (b"\xef\xbb\xbfsubject,score\n006,1\n", {"subject": ["006"], "score": ["1"]}),
        (b"subject;score\n006;1,5\n", {"subject": ["006"], "score": ["1,5"]}),
        (b"subject,note\n006,a;b\n", {"subject": ["006"], "note": ["a;b"]}),
        (b'subject,note\n006,"a, b"\n', {"subject": ["006"], "note": ["a, b"]}),
        (b"subject,score\r\n006,1\r\n", {"subject": ["006"], "score": ["1"]}),
        (b"subject,score\n", {"subject": [], "score": []}),
        (b"subject,score,\n006,1,\n", {"subject": ["006"], "score": ["1"]}),
        (b"subject,,score\n006,x,1\n", {"subject": ["006"], "Unnamed: 1": ["x"], "score": ["1"]}),
        (b"subject,score\n006\n", {"subject": ["006"], "score": [None]}),
    ],
    ids=[
        "text-kept",
        "NA-kept",
        "whitespace",
        "bom",
        "semicolon",
        "semicolon-in-data",
        "quoted-comma",
        "crlf",
        "header-only",
        "trailing-delimiter",
        "unnamed-column",
        "short-row",
    ],
)
def test_csv_values(tmp_path: Path, content: bytes, expected: dict[str, list[str | None]]) -> None:
    frame = read_table(write_bytes(tmp_path / "scores.csv", content))
    pd.testing.assert_frame_equal(frame, pd.DataFrame(expected, dtype="str"))


def test_blank_records_keep_numbering_and_trailing_ones_go(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "scores.csv", b"subject,score\n006,1\n\n007,2\n,\n \n")
    frame = read_table(path)
    assert frame["subject"].tolist() == ["006", np.nan, "007"]
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(3))


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_txt_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    content = f'subject{delimiter}score{delimiter}note\n006{delimiter}1{delimiter}"a, b; c|d"\n'
    frame = read_table(write_bytes(tmp_path / "scores.txt", content.encode()))
    assert frame.columns.tolist() == ["subject", "score", "note"]
    assert frame.iloc[0].tolist() == ["006", "1", "a, b; c|d"]


@pytest.mark.parametrize(
    "content",
    [
        "site\nMontréal\n".encode("cp1252"),
        "site\nMontréal\n".encode("latin-1"),
        "site\nMontréal\n".encode("utf-8-sig"),
        "site\nMontréal\n".encode("utf-16"),
        b"site\n" + "Montréal\n".encode("cp1252") + "Montréal\n".encode(),
        b"site\n" + "Montréal\n".encode() + b"Montr\xe9al\x81\n",
    ],
    ids=["cp1252", "latin-1", "utf-8-bom", "utf-16", "mixed", "byte-undefined-in-cp1252"],
)
def test_encodings(tmp_path: Path, content: bytes) -> None:
    frame = read_table(write_bytes(tmp_path / "sites.txt", content))
    assert frame["site"].str.startswith("Montréal").all()


# -- Excel ----------------------------------------------------------------------------------------


def test_excel_cells_read_as_a_csv_export_shows_them(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "scores.xlsx",
        {
            "Scores": [
                ["subject", " score ", "visit_date", "dosed_at", "eligible", 1],
                ["006", 12.0, dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 9, 30), True, None],
                [7, 12.5, dt.datetime(2024, 3, 2), dt.datetime(2024, 3, 2), False, "  x "],
                [None, None, None, None, None, None],
                ["008", "12a", None, None, None, "   "],
                [None, None, None, None, None, None],
            ]
        },
    )
    expected = pd.DataFrame(
        {
            "subject": ["006", "7", None, "008"],
            "score": ["12", "12.5", None, "12a"],
            "visit_date": ["2024-03-01", "2024-03-02", None, None],
            "dosed_at": ["2024-03-01 09:30:00", "2024-03-02", None, None],
            "eligible": ["TRUE", "FALSE", None, None],
            "1": [None, "x", None, None],
        },
        dtype="str",
    )
    pd.testing.assert_frame_equal(read_table(path), expected)


@pytest.mark.parametrize(
    ("sheet", "subject"), [(None, "006"), ("Second", "007"), (1, "007"), (-1, "007")]
)
def test_excel_sheet(tmp_path: Path, sheet: str | int | None, subject: str) -> None:
    sheets = {"First": [["subject"], ["006"]], "Second": [["subject"], ["007"]]}
    path = write_workbook(tmp_path / "scores.xlsx", sheets)
    assert read_table(path, sheet=sheet)["subject"].tolist() == [subject]


@pytest.mark.parametrize("sheet", ["Third", 2])
def test_missing_sheet_lists_the_sheets(tmp_path: Path, sheet: str | int) -> None:
    path = write_workbook(tmp_path / "scores.xlsx", {"First": [["a"]], "Second": [["a"]]})
    with pytest.raises(ReadError, match=r"'First', 'Second'") as caught:
        read_table(path, sheet=sheet)
    assert str(path) in str(caught.value)


def test_sheet_for_a_csv_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no sheets"):
        read_table(write_bytes(tmp_path / "scores.csv", b"a\n1\n"), sheet="Scores")


# -- typed formats --------------------------------------------------------------------------------


def test_spss_value_labels_give_codes(tmp_path: Path) -> None:
    path = tmp_path / "arms.sav"
    frame = pd.DataFrame({"arm": [1.0, 2.0]})
    labels = {"arm": {1.0: "placebo", 2.0: "psilocybin"}}
    pyreadstat.write_sav(frame, path, variable_value_labels=labels)
    assert read_table(path)["arm"].tolist() == [1.0, 2.0]


def test_stata_value_labels_give_codes(tmp_path: Path) -> None:
    path = tmp_path / "arms.dta"
    frame = pd.DataFrame({"arm": [1, 2]})
    frame.to_stata(path, write_index=False, value_labels={"arm": {1: "placebo", 2: "psilocybin"}})
    assert read_table(path)["arm"].tolist() == [1, 2]


def test_stata_integers_with_missing_values_are_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"item": pd.array([3, None], dtype="Int64"), "visit": [1, 2]})
    back = read_table(write_table(frame, tmp_path / "items.dta"))
    assert back.dtypes.astype(str).tolist() == ["float64", "int64"]
    assert back["item"].tolist()[0] == 3.0
    assert back["item"].isna().tolist() == [False, True]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".xpt", ".dta"])
def test_categoricals_are_written_as_their_values(tmp_path: Path, suffix: str) -> None:
    visit = pd.Categorical(["WEEK 2", None, "BASELINE"], categories=["BASELINE", "WEEK 2"])
    back = read_table(write_table(pd.DataFrame({"visit": visit}), tmp_path / f"v{suffix}"))
    assert back["visit"].tolist() == ["WEEK 2", np.nan, "BASELINE"]


@pytest.mark.parametrize("suffix", [".xpt", ".sav", ".dta", ".parquet"])
def test_typed_text_is_stripped_and_blank_is_missing(tmp_path: Path, suffix: str) -> None:
    path = write_table(pd.DataFrame({"site": [" Århus ", "", "  "]}), tmp_path / f"sites{suffix}")
    assert read_table(path)["site"].tolist() == ["Århus", np.nan, np.nan]


def test_xpt_text_that_is_not_utf8_is_read_as_cp1252(tmp_path: Path) -> None:
    path = write_table(pd.DataFrame({"site": ["Montréal"]}), tmp_path / "sites.xpt")
    # Re-encode the value in place as SAS on Windows writes it; the padding keeps its width.
    raw = path.read_bytes().replace("Montréal".encode(), "Montréal ".encode("cp1252"))
    assert read_table(write_bytes(path, raw))["site"].tolist() == ["Montréal"]


def test_parquet_index_becomes_a_column(tmp_path: Path) -> None:
    path = tmp_path / "scores.parquet"
    TYPED.set_index("subject").to_parquet(path)
    frame = read_table(path)
    assert frame["subject"].tolist() == ["006", "010", "123"]
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(3))


# -- files that cannot be read --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scores.csv", b"id,score,id,score\n1,2,3,4\n"),
        ("scores.csv", b"id, score,id ,score \n1,2,3,4\n"),
        ("scores.txt", b"id\tscore\tid\tscore\n1\t2\t3\t4\n"),
    ],
)
def test_duplicate_column_names(tmp_path: Path, name: str, content: bytes) -> None:
    path = write_bytes(tmp_path / name, content)
    with pytest.raises(ReadError, match=r"'id', 'score'") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_duplicate_column_names_in_excel(tmp_path: Path) -> None:
    rows = [["id", "score", "id", "score"], [1, 2, 3, 4]]
    path = write_workbook(tmp_path / "scores.xlsx", {"Scores": rows})
    with pytest.raises(ReadError, match=r"'id', 'score'"):
        read_table(path)


GARBAGE = b"this is not what the suffix says\x00\x01\x02" * 20


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n \n\n", "only blank lines"),
        ("scores.foo", b"a\n1\n", r"'\.foo'.*\.csv.*format="),
        ("scores", b"a\n1\n", r"no suffix.*format="),
        ("corrupt.parquet", GARBAGE, "cannot be read as parquet"),
        ("corrupt.sav", GARBAGE, "cannot be read as spss"),
        ("corrupt.zsav", GARBAGE, "cannot be read as spss"),
        ("corrupt.xlsx", GARBAGE, "cannot be read as excel"),
        ("corrupt.xls", GARBAGE, "cannot be read as excel"),
        ("corrupt.dta", GARBAGE, "cannot be read as stata"),
        ("corrupt.xpt", GARBAGE, "cannot be read as xpt"),
        # No .sas7bdat file exists on the build machine, so sas7bdat reading is tested here only.
        ("corrupt.sas7bdat", GARBAGE, "cannot be read as sas7bdat"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes | None, reason: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ReadError, match=reason) as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_library_errors_are_chained(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read_table(write_bytes(tmp_path / "corrupt.parquet", GARBAGE))
    assert caught.value.__cause__ is not None


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="directory"):
        read_table(tmp_path, format="csv")


def test_format_overrides_the_suffix(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "scores.dat", b"subject;score\n006;1\n")
    assert read_table(path, format="csv")["subject"].tolist() == ["006"]
    with pytest.raises(ReadError, match="unknown format='spreadsheet'"):
        read_table(path, format="spreadsheet")


# -- files that cannot be written -----------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "advice"), UNWRITABLE.items())
def test_unwritable_formats_say_what_to_write(tmp_path: Path, suffix: str, advice: str) -> None:
    with pytest.raises(WriteError, match=advice):
        write_table(TYPED, tmp_path / f"scores{suffix}")


@pytest.mark.parametrize(
    ("suffix", "columns", "named"),
    [
        (".xpt", ["subject", "x" * 33], "x" * 33),
        (".dta", ["subject", "y" * 33], "y" * 33),
        (".sav", ["subject", "z" * 65], "z" * 65),
        (".dta", ["subject", "score total"], "score total"),
        (".sav", ["subject", "score total"], "score total"),
        (".csv", ["subject", "subject"], "'subject'"),
        (".foo", ["subject"], "format="),
    ],
)
def test_bad_names_are_refused(tmp_path: Path, suffix: str, columns: list[str], named: str) -> None:
    frame = pd.DataFrame([range(len(columns))], columns=columns)
    with pytest.raises(WriteError, match=named):
        write_table(frame, tmp_path / f"scores{suffix}")
