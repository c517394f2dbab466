"""Tests of R data files (``.rda``/``.RData``, ``.rds``): read as tables, refused when damaged.

Files are written with pyreadr, and, where pyreadr cannot write what R does (a date, a list, an
empty workspace, text in latin-1), serialized here as R does (:func:`_serialized`, R's XDR
format, version 2).
"""

from __future__ import annotations

import gzip
import struct
import warnings
from pathlib import Path

import pandas as pd
import pyreadr
import pytest

import outcomes
from outcomes.errors import ReadError, WriteError
from outcomes.io import formats
from outcomes.io.formats import FORMATS, read_table, write_table

DATASETS = Path(__file__).parents[1] / "datasets"
ANTIDEPRESSANT_MAPPING = {
    "subject": "PATIENT",
    "arm": "THERAPY",
    "visit": "VISIT",
    "study_day": "RELDAYS",
    "totals": {"HAMDTL17": "hamd17", "HAMATOTL": "hama"},
}
SCORES = pd.DataFrame(
    {
        "subject": ["S1", "S2", "S3"],
        "visit": pd.Categorical(
            ["WEEK 2", "BASELINE", "WEEK 2"], categories=["BASELINE", "WEEK 2"]
        ),
        "gad7_total": [12.0, None, 20.5],
    }
)
VISITS = pd.DataFrame({"visit": ["BASELINE", "WEEK 2"], "day": [1.0, 15.0]})


# -- R's serialization, for what pyreadr does not write -------------------------------------------


def _int(n: int) -> bytes:
    return struct.pack(">i", n)


def _flags(kind: int, *, is_object: bool = False, attributes: bool = False, tag: bool = False,
           levels: int = 0) -> bytes:  # fmt: skip
    return _int(kind | is_object << 8 | attributes << 9 | tag << 10 | levels << 12)


def _text(value: str | None, encoding: str = "utf-8") -> bytes:
    """A CHARSXP: UTF-8 marked as such; any other encoding unmarked, as R writes native text."""
    if value is None:
        return _flags(9) + _int(-1)
    raw = value.encode(encoding)
    return _flags(9, levels=1 << 3 if encoding == "utf-8" else 0) + _int(len(raw)) + raw


def _pairlist(items: list[tuple[str, bytes]]) -> bytes:
    tagged = [_flags(2, tag=True) + _flags(1) + _text(tag) + value for tag, value in items]
    return b"".join(tagged) + _int(254)  # NILVALUE_SXP ends it


def _vector(kind: int, body: bytes, n: int, attributes: list[tuple[str, bytes]] = ()) -> bytes:
    has = bool(attributes)
    head = _flags(kind, is_object=has, attributes=has) + _int(n)
    return head + body + (_pairlist(list(attributes)) if has else b"")


def _strings(values: list[str | None], encoding: str = "utf-8") -> bytes:
    return _vector(16, b"".join(_text(v, encoding) for v in values), len(values))


def _doubles(values: list[float], attributes: list[tuple[str, bytes]] = ()) -> bytes:
    return _vector(14, b"".join(struct.pack(">d", v) for v in values), len(values), attributes)


def _factor(codes: list[int], levels: list[str], *, ordered: bool) -> bytes:
    kind = ["ordered", "factor"] if ordered else ["factor"]
    attributes = [("levels", _strings(levels)), ("class", _strings(kind))]
    return _vector(13, b"".join(map(_int, codes)), len(codes), attributes)


def _data_frame(columns: dict[str, bytes], n_rows: int) -> bytes:
    attributes = [
        ("names", _strings(list(columns))),
        ("class", _strings(["data.frame"])),
        ("row.names", _vector(13, _int(-(2**31)) + _int(-n_rows), 2)),  # c(NA, -n): 1..n
    ]
    return _vector(19, b"".join(columns.values()), len(columns), attributes)


def _serialized(objects: dict[str, bytes] | bytes) -> bytes:
    """An ``.rda`` file of named objects (a dict), or an ``.rds`` file of one, gzipped."""
    head = b"X\n" + _int(2) + _int(0x040300) + _int(0x020300)  # version 2, by R 4.3.0
    if isinstance(objects, bytes):
        return gzip.compress(head + objects, mtime=0)
    return gzip.compress(b"RDX2\n" + head + _pairlist(list(objects.items())), mtime=0)


# -- the antidepressant trial, as R distributes it -----------------------------------------------


def test_r_suffixes_are_rdata_whatever_their_case(tmp_path: Path) -> None:
    assert {s: FORMATS[s] for s in (".rda", ".rdata", ".rds")} == dict.fromkeys(
        (".rda", ".rdata", ".rds"), "rdata"
    )
    original = (DATASETS / "antidepressant_data.rda").read_bytes()
    for name in ("trial.RData", "trial.RDA", "trial.Rdata"):
        path = tmp_path / name
        path.write_bytes(original)
        assert read_table(path).attrs["source"] == {"file": str(path), "format": "rdata"}
    no_suffix = tmp_path / "trial"
    no_suffix.write_bytes(original)
    assert read_table(no_suffix, format="rdata").shape == (608, 11)


def test_the_rda_reads_as_its_csv_export_does() -> None:
    from_r = outcomes.read(DATASETS / "antidepressant_data.rda", mapping=ANTIDEPRESSANT_MAPPING)
    from_csv = outcomes.read(DATASETS / "antidepressant_data.csv", mapping=ANTIDEPRESSANT_MAPPING)
    columns = ["subject", "arm", "visit", "study_day", "instrument", "total"]
    r, csv = (t.frame[columns].astype({"arm": str, "visit": str}) for t in (from_r, from_csv))
    assert len(r) == 2 * 608  # two totals for each of the 608 records
    pd.testing.assert_frame_equal(r, csv)
    assert r["subject"].nunique() == 172
    assert from_r.schedule.visit_names == from_csv.schedule.visit_names


def test_factors_come_as_categoricals_in_level_order() -> None:
    frame = read_table(DATASETS / "antidepressant_data.rda")
    assert frame.attrs["problems"] == []
    assert frame["VISIT"].cat.categories.tolist() == ["4", "5", "6", "7"]
    assert frame["THERAPY"].cat.categories.tolist() == ["DRUG", "PLACEBO"]
    assert frame["PATIENT"].dtype == "category" and frame["HAMDTL17"].dtype == "float64"
    assert isinstance(frame.index, pd.RangeIndex)


# -- what pyreadr writes: one data frame, or several ----------------------------------------------


def test_an_rds_file_reads_its_data_frame(tmp_path: Path) -> None:
    path = tmp_path / "scores.rds"
    pyreadr.write_rds(path, SCORES.assign(note=[" late ", "", None]))
    frame = read_table(path)
    pd.testing.assert_frame_equal(
        frame, SCORES.assign(note=["late", None, None]), check_dtype=False, check_index_type=False
    )
    assert frame["visit"].cat.categories.tolist() == ["BASELINE", "WEEK 2"]  # not sorted again
    pd.testing.assert_frame_equal(read_table(path, sheet=0), frame)
    with pytest.raises(ReadError, match=r"sheet='scores' names no data frame.*has no name"):
        read_table(path, sheet="scores")


@pytest.fixture
def two_frames(tmp_path: Path) -> Path:
    path = tmp_path / "trial.RData"
    pyreadr.write_rdata(path, {"scores": SCORES, "visits": VISITS})
    return path


def test_sheet_names_the_data_frame_of_an_rda_file(two_frames: Path) -> None:
    pd.testing.assert_frame_equal(read_table(two_frames, sheet="visits"), VISITS)
    pd.testing.assert_frame_equal(read_table(two_frames, sheet=1), VISITS)
    pd.testing.assert_frame_equal(read_table(two_frames, sheet=-2), read_table(two_frames, sheet=0))
    assert read_table(two_frames, sheet="scores")["subject"].tolist() == ["S1", "S2", "S3"]


def test_outcomes_read_passes_sheet_on(two_frames: Path) -> None:
    trial = outcomes.read(two_frames, sheet="scores", mapping={"totals": {"gad7_total": "gad7"}})
    assert trial.frame[["subject", "visit", "total"]].astype({"visit": str}).values.tolist() == [
        ["S1", "WEEK 2", 12.0],
        ["S3", "WEEK 2", 20.5],
    ]


def test_several_data_frames_and_no_sheet_are_refused_naming_them(two_frames: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read_table(two_frames)
    assert str(caught.value) == (
        f"{two_frames}: the R data file holds 2 data frames ('scores', 'visits'); name the one "
        "to read with sheet="
    )
    with pytest.raises(ReadError, match=r"sheet='events' names none of the data frames.*'visits'"):
        read_table(two_frames, sheet="events")
    with pytest.raises(ReadError, match=r"sheet=2 names none"):
        read_table(two_frames, sheet=2)


def test_sheet_is_still_refused_for_formats_without_sheets(tmp_path: Path) -> None:
    path = write_table(SCORES, tmp_path / "scores.parquet")
    with pytest.raises(ReadError, match=r"a parquet file has no sheets; sheet= names .* R data"):
        read_table(path, sheet="scores")


# -- what R writes and pyreadr does not -----------------------------------------------------------


def test_dates_come_as_datetimes_and_latin1_text_is_read(tmp_path: Path) -> None:
    columns = {
        "site": _strings(["Montréal", " Århus ", None], encoding="latin-1"),
        "visit_date": _doubles([19_000.0, float("nan"), 19_014.0], [("class", _strings(["Date"]))]),
        "visit": _factor([2, 1, 2], ["BASELINE", "WEEK 2"], ordered=True),
    }
    path = tmp_path / "visits.rds"
    path.write_bytes(_serialized(_data_frame(columns, 3)))
    frame = read_table(path)
    assert frame["site"].tolist()[:2] == ["Montréal", "Århus"] and pd.isna(frame["site"][2])
    assert frame["visit_date"].dtype.kind == "M"
    assert frame["visit_date"].dt.strftime("%Y-%m-%d").tolist()[::2] == ["2022-01-08", "2022-01-22"]
    assert pd.isna(frame["visit_date"][1])
    # pyreadr does not keep whether a factor is ordered (read_table's Notes say so): the levels
    # keep their order, the categorical is not ordered.
    assert frame["visit"].tolist() == ["WEEK 2", "BASELINE", "WEEK 2"]
    assert frame["visit"].cat.categories.tolist() == ["BASELINE", "WEEK 2"]
    assert not frame["visit"].cat.ordered


@pytest.mark.parametrize(
    "objects",
    [
        {},  # save(list = character(0), file = ...)
        {"settings": _vector(19, _doubles([1.0]) + _strings(["a", "b"]), 2)},  # a list
    ],
    ids=["empty", "only-a-list"],
)
def test_an_rda_file_without_a_data_frame_is_refused(tmp_path: Path, objects: dict) -> None:
    path = tmp_path / "workspace.rda"
    path.write_bytes(_serialized(objects))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyreadr's warning is not passed on
        with pytest.raises(ReadError, match=r"the R data file holds no data frame"):
            read_table(path)


# -- damaged files --------------------------------------------------------------------------------


def _damaged_versions(original: bytes) -> list[bytes]:
    """The file cut at many lengths, and with bytes overwritten at many places."""
    cuts = [original[:n] for n in range(1, len(original), max(len(original) // 40, 1))]
    flipped = []
    for at in range(0, len(original), max(len(original) // 40, 1)):
        content = bytearray(original)
        content[at] ^= 0xFF
        flipped.append(bytes(content))
    return cuts + flipped


@pytest.mark.parametrize("source", ["antidepressant.rda", "pyreadr.rds", "inner.rds"])
def test_a_damaged_or_cut_file_is_a_read_error(tmp_path: Path, source: str) -> None:
    if source == "antidepressant.rda":  # bzip2, as R CMD build saves a package's data
        original = (DATASETS / "antidepressant_data.rda").read_bytes()
    else:
        pyreadr.write_rds(tmp_path / "scores.rds", SCORES, compress="gzip")
        original = (tmp_path / "scores.rds").read_bytes()
    if source == "inner.rds":  # damaged inside the compression, so that it reaches the parser
        versions = [gzip.compress(c, mtime=0) for c in _damaged_versions(gzip.decompress(original))]
    else:
        versions = _damaged_versions(original)
    read = refused = 0
    for i, content in enumerate(versions):
        path = tmp_path / f"damaged{i}{Path(source).suffix}"
        path.write_bytes(content)
        try:
            read_table(path)
            read += 1
        except ReadError as exc:
            assert str(exc).startswith(f"{path}: "), exc
            refused += 1
    assert refused > read


def test_a_truncated_rda_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "antidepressant_data.rda"
    original = (DATASETS / "antidepressant_data.rda").read_bytes()
    path.write_bytes(original[: len(original) // 2])
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert str(caught.value) == (
        f"{path}: cannot be read as an R data file (LibrdataError): it is damaged, cut short, or "
        "not an R data file; save it again with saveRDS() or save()"
    )


@pytest.mark.parametrize("content", [b"PATIENT,VISIT\n1503,4\n", b"\x1f\x8b" + b"\x00" * 40])
def test_a_file_that_is_no_r_data_file_is_a_read_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "trial.rds"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=r"trial\.rds: cannot be read as an R data file"):
        read_table(path)


# -- memory ---------------------------------------------------------------------------------------


def test_an_r_file_is_judged_at_twenty_times_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = DATASETS / "antidepressant_data.rda"
    needed = path.stat().st_size * 20
    monkeypatch.setattr(formats, "_available_memory", lambda: needed - 1)
    with pytest.raises(ReadError, match=r"of memory, more than the .* available"):
        read_table(path)
    monkeypatch.setattr(formats, "_available_memory", lambda: needed)
    assert len(read_table(path)) == 608


# -- writing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["scores.rda", "scores.RData", "scores.rds"])
def test_r_data_files_are_not_written(tmp_path: Path, name: str) -> None:
    """pyreadr writes dates as text: such a file would not read back the same."""
    with pytest.raises(WriteError, match=r"does not write R data files.*dates as text.*\.parquet"):
        write_table(SCORES, tmp_path / name)
    assert not (tmp_path / name).exists()
