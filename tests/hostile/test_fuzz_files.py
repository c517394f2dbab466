"""Fuzzed files of every format: located problems or a TrialData that accounts for every row.

Hypothesis writes plausible-but-odd trial tables (subjects, arms, visit labels in any script,
case and spacing, study days that are zero, negative, huge, infinite or text, MADRS items out of
range or typed as ``"1,5"``, ``"#REF!"``, ``" 3 "``, covariates named like the frame's own
columns, sessions of 1.5 or 1e20) in each format :func:`outcomes.io.formats.write_table` writes,
mutates the bytes of a valid CSV (cut, inserted bytes, quotes, delimiters, encodings, BOMs), and
builds SDTM QS, ADaM ADQS and wide tables with odd values. Whatever it builds, reading it must:

1. return a :class:`~outcomes.TrialData` or raise an :class:`~outcomes.OutcomesError`; any other
   exception (from pandas, numpy, pyarrow, pyreadstat, or the package's own ``KeyError``) fails;
2. when it returns, account for every row of the file that holds a score: its ``source_row`` is
   in the frame (or a ``row-set-aside`` problem or a note counts it), and the items and the
   total written in the file are the frame's;
3. when it raises :class:`~outcomes.ValidationError`, locate every problem with a row at a data
   record of the file (1 to the number of records), and quote no raw control character.

A table that a format cannot hold (a name too long for Stata, an empty name for SPSS, an infinite
number in a workbook) is a :class:`~outcomes.WriteError` from the writer: that example is skipped,
not failed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, example, given, seed, settings
from hypothesis import strategies as st

import outcomes
from outcomes.errors import OutcomesError, ValidationError, WriteError
from outcomes.io.formats import read_table, write_table

FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

ITEMS = [f"MADRS{i:02d}" for i in range(1, 11)]
TOTAL = "MADRSTOT"
#: Cell text the package reads as missing (SAS ".", R "NA", blank): such a cell holds no score.
MISSING_TEXT = frozenset({"", ".", "NA", "N/A", "n/a", "na", "NaN", "nan"})
#: A raw control character (C0, DEL, C1) in a message would reach whoever prints it.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

SUFFIXES = ("csv", "tsv", "xlsx", "parquet", "sav", "xpt", "dta")


# -- cells ----------------------------------------------------------------------------------------


@st.composite
def odd_or(
    draw: st.DrawFn, usual: st.SearchStrategy[Any], odd: Sequence[Any], rate: int = 10
) -> Any:
    """A usual value, or in ``rate`` percent of cells a blank or an odd one (shrinks to usual)."""
    k = draw(st.integers(0, 99))
    if k < 100 - rate:
        return draw(usual)
    if k % 3 == 0:
        return None
    return draw(st.sampled_from(list(odd)))


#: How odd a table's cells are, in percent: most tables are clean but for a few cells.
RATES = st.sampled_from([0, 2, 5, 30])


SUBJECT_IDS = ["S001", "S002", "S003", "P-0104", "ŝ05", "sub 7"]
ODD_SUBJECTS = ["", " ", " S001", "s001", "S001 ", "001", "1", "NA", "S\t001"]
ARMS = ["DMT", "PLACEBO", "psilocybin 25 mg", "Placebo"]
ODD_ARMS = ["", "DMT ", "dmt", "NA", "PLA\x1b[31mCEBO"]
VISITS = [
    "BASELINE",
    "WEEK 2",
    "Week 6",
    "SCREENING",
    "Woche 3",
    "semaine 1",
    "día 7",
    "基线",
    "Visite ñ",
    "FOLLOW-UP",
    "DOSE 1",
    "Day 1",
    "UNSCHEDULED",
]
ODD_VISITS = ["", " ", "week 2", "WEEK  2", " WEEK 2 ", "Baseline", "baseline", "W2\tX",
              "FU\x1b[2J", "1", "2.0", "NA", "\u202eKEEW"]  # fmt: skip
DAYS = st.integers(-30, 400).filter(lambda d: d != 0)
ODD_DAYS = [0, -1, 1.5, -0.5, 1e20, -1e300, math.inf, -math.inf, math.nan, "day 3", "1,5",
            " 15 ", "", "NA", "#VALUE!", "1e3", 2**63, -(2**63)]  # fmt: skip
SCORES = st.integers(0, 6)
ODD_SCORES = [7, -1, 99, 2.5, 1e20, -0.0, math.inf, math.nan, "NA", "1,5", " 3 ", "#REF!", "",
              " ", ".", "3.0", "inf", "nan", "６", "+2", "0x1", "1e0", "2 ", "٣"]  # fmt: skip
ODD_TOTALS = [61, -1, 30.5, 1e20, math.inf, "NA", "x", " 20 ", "20.0", 2**70]
COUNTS = st.integers(0, 3)
ODD_COUNTS = [1.5, -1, math.inf, 1e20, 1001, "one", "", 2**63, "1.0"]
COVARIATES = st.one_of(st.integers(-5, 90), st.sampled_from(["M", "F", "03", "site A", "Zürich"]))
ODD_COVARIATES = [1e300, -1e-300, math.inf, math.nan, "", "NA", "1e400", "inf", "#N/A", "\x00",
                  "a\nb", "\x1b]0;t\x07", "\ufeff", "=1+1", 2**64, -0.0]  # fmt: skip
HOURS = st.sampled_from([None, 0, 0.5, 6, 24])
ODD_HOURS = [-1, math.inf, "PT6H", "6h", 1e20, ""]
#: Covariate names that collide with the frame's columns or each other, or strain a format.
EXTRA_NAMES = ["phase", "record", "source_row", "visit", "VISIT ", "", " ", "Site", "site",
               "SITE", "phase_file", "Unnamed: 2", "a" * 33, "b" * 70, "age", "Alter_ü",
               "1st", "weight kg", "study_day_file", "TOTAL_SOURCE"]  # fmt: skip
#: The visit column's name (an extra ``visit`` column beside ``VISIT`` is ambiguous); REDCap's
#: event name makes the table a REDCap export.
VISIT_NAMES = ["visit", "VISIT", "Visit", "AVISIT", "visit_label", "redcap_event_name"]
ID_NAMES = ["subject", "Subject ID", "SUBJID", "record_id", "patient"]
INSTRUMENTS = st.sampled_from(["madrs", "MADRS", "Madrs"])
ODD_INSTRUMENTS = ["", " ", "foo", " madrs ", 3.0, "NA", "MADRS\x1b[2J"]


def _column(values: list[Any]) -> pd.Series:
    """A column a typed format can hold: numbers as float64, anything else as text."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        if all(abs(v) < 2**53 or not isinstance(v, int) for v in present):
            return pd.Series([np.nan if v is None else float(v) for v in values], dtype=float)
    return pd.Series([None if v is None else _text(v) for v in values], dtype=object)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_value(cell: Any) -> bool:
    """Whether a cell holds anything but a blank or a missing-value token."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return False
    return str(cell).strip() not in MISSING_TEXT


def _number(cell: Any) -> float | None:
    """The number a cell holds, as a person reading the file would take it, else None."""
    if not _has_value(cell):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    try:
        return float(str(cell).strip())
    except ValueError:
        return None


# -- long tables ----------------------------------------------------------------------------------


@st.composite
def long_tables(draw: st.DrawFn) -> pd.DataFrame:
    """A long table of MADRS scores: a row per subject x visit, with odd values and names.

    Its scores are items ``MADRS01``... with an optional ``MADRSTOT``, or (one table in four)
    an ``instrument`` column naming each row's questionnaire and its ``total``.
    """
    subjects = draw(st.lists(st.sampled_from(SUBJECT_IDS), min_size=1, max_size=3, unique=True))
    visits = draw(st.lists(st.sampled_from(VISITS), min_size=1, max_size=4, unique=True))
    arms = {s: draw(st.sampled_from(ARMS)) for s in subjects}
    pairs = [(s, v) for s in subjects for v in visits]
    pairs = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=8, unique=True))
    if draw(st.integers(0, 9)) == 9:  # a repeated assessment
        pairs.append(draw(st.sampled_from(pairs)))
    subject_name, visit_name = draw(st.sampled_from(ID_NAMES)), draw(st.sampled_from(VISIT_NAMES))
    rate, score_rate = draw(RATES), draw(RATES)
    cols: dict[str, list[Any]] = {subject_name: [], "arm": [], visit_name: [], "study_day": []}
    for subject, visit in pairs:
        cols[subject_name].append(draw(odd_or(st.just(subject), ODD_SUBJECTS, rate)))
        cols["arm"].append(draw(odd_or(st.just(arms[subject]), ODD_ARMS, rate)))
        cols[visit_name].append(draw(odd_or(st.just(visit), ODD_VISITS, rate)))
        cols["study_day"].append(draw(odd_or(DAYS, ODD_DAYS, rate)))
    n = len(pairs)
    by_instrument = draw(st.integers(0, 3)) == 3
    items = draw(st.sampled_from([ITEMS, ITEMS[:5], ITEMS[::-1], []]))
    for code in items if not by_instrument else []:
        cols[code] = [draw(odd_or(SCORES, ODD_SCORES, score_rate)) for _ in range(n)]
    if by_instrument:
        label_rate = draw(RATES)
        cols["instrument"] = [
            draw(odd_or(INSTRUMENTS, ODD_INSTRUMENTS, label_rate)) for _ in range(n)
        ]
        cols["total"] = [draw(odd_or(st.integers(0, 60), ODD_TOTALS, score_rate)) for _ in range(n)]
    elif draw(st.booleans()) or not items:
        totals = []
        for r in range(n):
            numbers = [_number(cols[c][r]) for c in ITEMS if c in cols]
            right = sum(numbers) if len(numbers) == 10 and None not in numbers else 30
            totals.append(draw(odd_or(st.just(right), ODD_TOTALS, score_rate)))
        cols[TOTAL] = totals
    roles = draw(st.sets(st.sampled_from(["session", "period", "visit_num", "hours_since_dose"])))
    for role in sorted(roles):
        if role == "visit_num":  # one number per visit, as a schedule has
            usual = [st.just(VISITS.index(v) + 1) for _, v in pairs]
        elif role == "hours_since_dose":
            usual = [HOURS] * n
        else:
            usual = [COUNTS] * n
        odd = ODD_HOURS if role == "hours_since_dose" else ODD_COUNTS
        cols[role] = [draw(odd_or(u, odd, rate)) for u in usual]
    taken = {c.casefold() for c in cols}
    extras = draw(st.lists(st.sampled_from(EXTRA_NAMES), unique=True, max_size=3))
    for name in extras:
        if name.casefold() in taken:
            continue
        taken.add(name.casefold())
        cols[name] = [draw(odd_or(COVARIATES, ODD_COVARIATES, rate)) for _ in range(n)]
    return pd.DataFrame({name: _column(values) for name, values in cols.items()})


def _write(frame: pd.DataFrame, path: Path) -> Path:
    """The frame written to ``path``, or the example skipped if the format cannot hold it."""
    try:
        return write_table(frame, path)
    except WriteError:
        assume(False)
        raise  # not reached


def _read_back(path: Path) -> pd.DataFrame | None:
    """The table as the package reads it, or None when it is not a table at all."""
    try:
        return read_table(path)
    except OutcomesError:
        return None


def outcome(call: Callable[[], outcomes.TrialData]) -> outcomes.TrialData | OutcomesError:
    """The TrialData a read returns, or the OutcomesError it raises (anything else propagates)."""
    try:
        return call()
    except OutcomesError as exc:
        return exc


def assert_located(error: OutcomesError, n_records: int) -> None:
    """Property 3: every problem's row is a record of the file; no message holds a control."""
    if not isinstance(error, ValidationError):
        return
    problems = error.problems
    assert len(problems), "a ValidationError without problems"
    for p in problems.to_dict("records"):
        assert not CONTROL.search(str(p["message"])), ("control character in message", p)
        assert not CONTROL.search(str(p["hint"])), ("control character in hint", p)
        if p["row"] is not None and not pd.isna(p["row"]):
            assert 1 <= p["row"] <= n_records, ("row outside the file", p, n_records)


def _set_aside_counts(trial: outcomes.TrialData) -> int:
    """How many rows the problems and notes say were set aside."""
    problems = trial.problems
    count = 0
    if len(problems):
        for message in problems.loc[problems["code"] == "row-set-aside", "message"]:
            m = re.match(r"([\d,]+) rows", message)
            count += int(m.group(1).replace(",", "")) if m else 1
    for note in trial.notes:
        m = re.match(r"([\d,]+) rows? .*set aside", note) or re.search(
            r"\(([\d,]+) records?\) not in it set aside", note
        )
        if m:
            count += int(m.group(1).replace(",", ""))
    return count


def assert_long_accounted(trial: outcomes.TrialData, written: pd.DataFrame) -> None:
    """Property 2 for a long table: each scored row is in the frame with its items and total.

    A total is ``MADRSTOT``, or ``total`` where an ``instrument`` column names the questionnaire.
    """
    frame = trial.frame
    madrs = frame[frame["instrument"] == "madrs"].set_index("source_row")
    assert madrs.index.is_unique, "two MADRS records from one row"
    assert set(frame["source_row"]) <= set(range(1, len(written) + 1)), "rows not in the file"
    totals = [c for c in (TOTAL, "total" if "instrument" in written else None) if c in written]
    scores = [c for c in ITEMS if c in written] + totals
    scored = [r for r in range(len(written)) if any(_has_value(written.at[r, c]) for c in scores)]
    missing = [
        (r + 1, {c: written.at[r, c] for c in scores if _has_value(written.at[r, c])})
        for r in scored
        if r + 1 not in madrs.index
    ]
    assert len(missing) <= _set_aside_counts(trial), ("scored rows not in the frame", missing)
    for r in scored:
        if r + 1 not in madrs.index:
            continue
        got = madrs.loc[r + 1]
        for code in scores:
            cell = written.at[r, code]
            want = _number(cell)
            assert _has_value(cell) == (want is not None), ("score accepted", r + 1, code, cell)
            # an item column with no value at all is left out of the frame
            have = got["total"] if code in totals else got.get(code, np.nan)
            if want is None:
                assert code in totals or pd.isna(have), ("item from nothing", r + 1, code, have)
            else:
                close = abs(have - want) <= 1e-6 * max(1.0, abs(want))
                assert close, ("score changed", r + 1, code, cell, have)


#: A visit label holding an escape sequence, on a row with an item out of range: the problem's
#: message quotes the label raw (``subject S001, visit FU\x1b[2J``).
ESCAPED_VISIT = pd.DataFrame(
    {"subject": ["S001"], "arm": ["DMT"], "visit": ["FU\x1b[2J"], "study_day": [15.0],
     **{code: [7.0 if code == "MADRS01" else 1.0] for code in ITEMS}}
)  # fmt: skip


@seed(20240611)
@settings(FUZZ, max_examples=40)
@example(table=ESCAPED_VISIT, suffix="csv")
@given(table=long_tables(), suffix=st.sampled_from(SUFFIXES))
def test_long_tables_in_every_format(table: pd.DataFrame, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(table, Path(tmp) / f"scores.{suffix}")
        back = _read_back(path)
        result = outcome(lambda: outcomes.read(path))
        if isinstance(result, OutcomesError):
            assert_located(result, len(table))
            return
        assert back is not None
        assert_long_accounted(result, table)


# -- the bytes of a CSV, mutated ------------------------------------------------------------------


def _mutations(draw: st.DrawFn, content: bytes) -> bytes:
    """``content`` with one to three mutations a hand, a program or a transfer could make."""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                ["cut", "insert", "delimiter", "quote", "unquote", "encoding", "bom",
                 "line-ends", "drop-line", "repeat-line", "nul"]
            )
        )  # fmt: skip
        at = draw(st.integers(0, max(len(content) - 1, 0)))
        if kind == "cut":
            content = content[:at]
        elif kind == "insert":
            content = content[:at] + bytes([draw(st.integers(0, 255))]) + content[at:]
        elif kind == "nul":
            content = content[:at] + b"\x00" + content[at:]
        elif kind == "delimiter":
            old = draw(st.sampled_from([b",", b"\n"]))
            new = draw(st.sampled_from([b";", b"\t", b"|", b"", b",,", b'","']))
            where = [m.start() for m in re.finditer(re.escape(old), content)]
            if where:
                k = draw(st.sampled_from(where))
                content = content[:k] + new + content[k + len(old) :]
        elif kind == "quote":
            content = content[:at] + b'"' + content[at:]
        elif kind == "unquote":
            content = content.replace(b'"', b"", draw(st.integers(1, 2)))
        elif kind == "encoding":
            text = content.decode("utf-8", errors="replace")
            codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                          "cp1252", "latin-1", "utf-8-sig"]))  # fmt: skip
            content = text.encode(codec, errors="replace")
        elif kind == "bom":
            content = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + content
        elif kind == "line-ends":
            content = content.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"])))
        else:
            lines = content.split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            if kind == "drop-line":
                del lines[k]
            else:
                lines.insert(k, lines[k])
            content = b"\n".join(lines)
    return content


@st.composite
def mutated_csvs(draw: st.DrawFn) -> tuple[bytes, str]:
    """The bytes of a clean long table's CSV, mutated, and the suffix to give the file."""
    table = draw(long_tables())
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(table, Path(tmp) / "scores.csv")
        content = path.read_bytes()
    return _mutations(draw, content), draw(st.sampled_from(["csv", "txt", "tsv"]))


def assert_rows_accounted(trial: outcomes.TrialData, back: pd.DataFrame) -> None:
    """Property 2 against the table as read: each row with a MADRS cell is in the frame."""
    frame = trial.frame
    madrs = frame[frame["instrument"] == "madrs"].set_index("source_row")
    assert set(frame["source_row"]) <= set(range(1, len(back) + 1)), "rows not in the file"
    columns = [c for c in back.columns if c in (*ITEMS, TOTAL)]
    for r in range(len(back)):
        cells = {c: back.at[r, c] for c in columns}
        if not any(_has_value(v) for v in cells.values()):
            continue
        assert r + 1 in madrs.index, ("scored row not in the frame", r + 1, cells)
        got = madrs.loc[[r + 1]].iloc[0]
        for code, cell in cells.items():
            want = _number(cell)
            assert _has_value(cell) == (want is not None), ("score accepted", r + 1, cell)
            have = got["total"] if code == TOTAL else got.get(code, np.nan)
            if want is not None:
                assert abs(have - want) <= 1e-6 * max(1.0, abs(want)), (r + 1, code, cell, have)


@seed(20240612)
@settings(FUZZ, max_examples=45)
@given(mutated=mutated_csvs())
def test_mutated_text_files(mutated: tuple[bytes, str]) -> None:
    content, suffix = mutated
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"scores.{suffix}"
        path.write_bytes(content)
        back = _read_back(path)
        result = outcome(lambda: outcomes.read(path))
        if isinstance(result, OutcomesError):
            # A record that is too long comes back without values, and is dropped at the end of
            # the table with the blank ones: the file's records are bounded by its line breaks.
            lines = len(re.findall(rb"\r\n|\r|\n", content))
            assert_located(result, max(lines, len(back) if back is not None else 0))
            return
        assert back is not None
        assert_rows_accounted(result, back)


# -- SDTM QS and ADaM ADQS ------------------------------------------------------------------------

ODD_CODES = ["madrs01", "MADRS1", "MADRS 01", "MADRS11", "XYZ", "", " MADRS02", "GAD0201"]
CATEGORIES = st.sampled_from(["MADRS", "madrs", "MADRS "])
ODD_CATEGORIES = ["", "GAD-7", "Montgomery-Asberg", "QS", "NA"]
ODD_RESULTS = [-1, 7, 2.5, 1e20, math.inf, -math.inf, math.nan, -0.0]
ODD_TEXT_RESULTS = ["", " ", "NA", "1,5", "#REF!", " 3 ", "three", "3.0", "６", "\x1b[2J"]
ODD_VISIT_NUMS = [math.nan, math.inf, -1, 1.5, 1e20, 0]
FLAGS = st.sampled_from(["Y", "Y", "Y", "N", ""])
ODD_FLAGS = [None, "y", " Y", "1", "YES", "\t"]
DTYPES = st.just("")
ODD_DTYPES = [None, "LOCF", "locf ", "AVERAGE", "WOCF", "NA", " "]
ELAPSED = st.sampled_from(["", "PT6H", "P1D", "PT90M"])
ODD_ELAPSED = ["PT", "P", "6H", "-PT1H", "PTxH", "P1.5.5D", "PT1e400H", "P99999999999999999999D"]


def _record_codes(draw: st.DrawFn, rate: int) -> list[str]:
    codes = draw(st.lists(st.sampled_from([*ITEMS, TOTAL]), min_size=1, max_size=11, unique=True))
    return [draw(odd_or(st.just(c), ODD_CODES, rate)) for c in codes]


@st.composite
def cdisc_tables(draw: st.DrawFn, kind: str) -> pd.DataFrame:
    """An SDTM QS (``kind="sdtm"``) or ADaM ADQS (``"adam"``) table of MADRS results."""
    rate = draw(RATES)
    subjects = draw(st.lists(st.sampled_from(SUBJECT_IDS), min_size=1, max_size=3, unique=True))
    visits = draw(st.lists(st.sampled_from(VISITS), min_size=1, max_size=3, unique=True))
    arms = {s: draw(st.sampled_from(ARMS)) for s in subjects}
    days = {v: draw(DAYS) for v in visits}
    rows: list[dict[str, Any]] = []
    for subject in subjects:
        for visit in visits:
            if draw(st.integers(0, 4)) == 0:
                continue
            for code in _record_codes(draw, rate):
                value = draw(odd_or(SCORES if code != TOTAL else st.integers(0, 60),
                                    ODD_RESULTS + ODD_TEXT_RESULTS, rate))  # fmt: skip
                row = {
                    "USUBJID": draw(odd_or(st.just(subject), ODD_SUBJECTS, rate)),
                    "VISIT": draw(odd_or(st.just(visit), ODD_VISITS, rate)),
                    "VISITNUM": draw(
                        odd_or(st.just(VISITS.index(visit) + 1.0), ODD_VISIT_NUMS, rate)
                    ),  # fmt: skip
                    "DY": draw(odd_or(st.just(days[visit]), ODD_DAYS, rate)),
                    "CODE": code,
                    "CAT": draw(odd_or(CATEGORIES, ODD_CATEGORIES, rate)),
                    "VALUE": value,
                    "ARM": draw(odd_or(st.just(arms[subject]), ODD_ARMS, rate)),
                    "FLAG": draw(odd_or(FLAGS, ODD_FLAGS, rate)),
                    "DTYPE": draw(odd_or(DTYPES, ODD_DTYPES, rate)),
                    "ELTM": draw(odd_or(ELAPSED, ODD_ELAPSED, rate)),
                }
                rows.append(row)
    assume(rows)
    raw = pd.DataFrame(rows)
    if kind == "sdtm":
        numeric = raw["VALUE"].map(lambda v: _number(v) if not isinstance(v, str) else None)
        table = {
            "STUDYID": "STUDY",
            "DOMAIN": "QS",
            "USUBJID": raw["USUBJID"],
            "QSTESTCD": raw["CODE"],
            "QSCAT": raw["CAT"],
            "QSORRES": raw["VALUE"].map(lambda v: None if v is None else _text(v)),
            "QSSTRESN": numeric,
            "VISITNUM": raw["VISITNUM"],
            "VISIT": raw["VISIT"],
            "QSDY": raw["DY"],
        }
        optional = {"QSELTM": raw["ELTM"], "ARM": raw["ARM"],
                    "QSSTAT": raw["DTYPE"].map({"NA": "NOT DONE"})}  # fmt: skip
    else:
        table = {
            "USUBJID": raw["USUBJID"],
            "PARAMCD": raw["CODE"],
            "AVAL": raw["VALUE"].map(lambda v: _number(v) if not isinstance(v, str) else None),
            "AVISIT": raw["VISIT"],
            "AVISITN": raw["VISITNUM"],
            "ADY": raw["DY"],
        }
        optional = {"TRT01P": raw["ARM"], "TRTP": raw["ARM"], "PARCAT1": raw["CAT"],
                    "DTYPE": raw["DTYPE"], "ANL01FL": raw["FLAG"]}  # fmt: skip
    for name in draw(st.sets(st.sampled_from(sorted(optional)))):
        table[name] = optional[name]
    return pd.DataFrame({k: _column(list(v)) if isinstance(v, pd.Series) else v
                         for k, v in table.items()})  # fmt: skip


def _key(value: Any) -> str | None:
    """A subject or visit as the frame holds it: text, stripped, a whole float without ``.0``."""
    if not _has_value(value):
        return None
    return _text(float(value)) if isinstance(value, float) else str(value).strip()


def assert_cdisc_accounted(trial: outcomes.TrialData, table: pd.DataFrame, kind: str) -> None:
    """Property 2 for a CDISC table: each result of a MADRS code is the frame's item or total."""
    frame = trial.frame
    madrs = frame[frame["instrument"] == "madrs"]
    by_key = {
        (str(s), str(v)): r
        for s, v, r in zip(madrs["subject"], madrs["visit"], madrs.to_dict("records"), strict=True)
    }
    assert len(by_key) == len(madrs), "two MADRS records of one subject and visit"
    code_col, value_cols = ("QSTESTCD", ["QSSTRESN", "QSORRES"]) if kind == "sdtm" else (
        "PARAMCD", ["AVAL"])  # fmt: skip
    visit_col = "VISIT" if kind == "sdtm" else "AVISIT"
    unaccounted = []
    for r, row in table.iterrows():
        if row[code_col] not in (*ITEMS, TOTAL):
            continue
        cell = next((row[c] for c in value_cols if _has_value(row[c])), None)
        if cell is None or (kind == "sdtm" and str(row.get("QSSTAT")) == "NOT DONE"):
            continue
        record = by_key.get((_key(row["USUBJID"]), _key(row[visit_col])))
        want = _number(cell)
        if record is None or want is None:
            unaccounted.append((r + 1, cell))
            continue
        have = record["total"] if row[code_col] == TOTAL else record.get(row[code_col], np.nan)
        if not abs(have - want) <= 1e-6 * max(1.0, abs(want)):
            unaccounted.append((r + 1, cell, have))
    assert len(unaccounted) <= _set_aside_counts(trial), ("results not in the frame", unaccounted)


CDISC = {"sdtm": "sdtm-qs", "adam": "adam-adqs"}
KIND_AND_TABLE = st.sampled_from(sorted(CDISC)).flatmap(
    lambda kind: st.tuples(st.just(kind), cdisc_tables(kind))
)

#: Known failures, kept as examples so that they are tried on every run.
#: SDTM QS whose QSSTRESN is missing and whose QSORRES is the result (the fallback's text into
#: a float64 column: TypeError in the sdtm layout).
QS_TEXT_RESULT = pd.DataFrame(
    {"USUBJID": ["S001"], "QSTESTCD": ["MADRS01"], "QSSTRESN": [np.nan], "QSORRES": ["3"],
     "VISIT": ["WEEK 2"], "QSDY": [15.0]}
)  # fmt: skip
#: An ISO 8601 elapsed time with two decimal points (ValueError from float() in the reader).
QS_ELAPSED = pd.DataFrame(
    {"USUBJID": ["S001"], "QSTESTCD": ["MADRS01"], "QSSTRESN": [3.0], "VISIT": ["WEEK 2"],
     "QSDY": [15.0], "QSELTM": ["P1.5.5D"]}
)  # fmt: skip


@seed(20240613)
@settings(FUZZ, max_examples=40)
@example(kind_and_table=("sdtm", QS_TEXT_RESULT), layout_given=True)
@example(kind_and_table=("sdtm", QS_ELAPSED), layout_given=False)
@given(kind_and_table=KIND_AND_TABLE, layout_given=st.booleans())
def test_cdisc_frames(kind_and_table: tuple[str, pd.DataFrame], layout_given: bool) -> None:
    kind, table = kind_and_table
    layout = CDISC[kind] if layout_given else None
    result = outcome(lambda: outcomes.from_frame(table, layout=layout))
    if isinstance(result, OutcomesError):
        assert_located(result, len(table))
        return
    assert_cdisc_accounted(result, table, kind)


@seed(20240614)
@settings(FUZZ, max_examples=30)
@example(kind_and_table=("sdtm", QS_TEXT_RESULT), suffix="xpt")
@given(kind_and_table=KIND_AND_TABLE, suffix=st.sampled_from(SUFFIXES))
def test_cdisc_files(kind_and_table: tuple[str, pd.DataFrame], suffix: str) -> None:
    kind, table = kind_and_table
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(table, Path(tmp) / f"qs.{suffix}")
        back = _read_back(path)
        result = outcome(lambda: outcomes.read(path))
        if isinstance(result, OutcomesError):
            assert_located(result, len(table))
            return
        assert back is not None
        assert_cdisc_accounted(result, back, kind)


# -- wide tables ----------------------------------------------------------------------------------

WIDE_MEASURES = [*ITEMS, "MADRSTOT", "madrs_total", "MADRS total"]
SEPARATORS = st.sampled_from(["_", ".", "@", "-", " "])


@st.composite
def wide_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """A wide table (a row per subject, ``madrs_total_WEEK 2`` columns) and what each names."""
    rate = draw(RATES)
    subjects = draw(st.lists(st.sampled_from(SUBJECT_IDS), min_size=1, max_size=4, unique=True))
    visits = draw(st.lists(st.sampled_from(VISITS), min_size=1, max_size=3, unique=True))
    cols: dict[str, list[Any]] = {
        "subject": [draw(odd_or(st.just(s), ODD_SUBJECTS, rate)) for s in subjects],
        "arm": [draw(odd_or(st.sampled_from(ARMS), ODD_ARMS, rate)) for _ in subjects],
    }
    named: dict[str, tuple[str, str]] = {}
    for visit in visits:
        label = draw(odd_or(st.just(visit), [v for v in ODD_VISITS if v.strip()], rate)) or visit
        measures = draw(st.lists(st.sampled_from(WIDE_MEASURES), min_size=1, max_size=4,
                                 unique=True))  # fmt: skip
        if draw(st.booleans()):
            day = f"study_day{draw(SEPARATORS)}{label}"
            cols[day] = [draw(odd_or(DAYS, ODD_DAYS, rate)) for _ in subjects]
        for measure in measures:
            sep = draw(SEPARATORS)
            name = f"{measure}{sep}{label}"
            if name in cols or any(name.casefold() == c.casefold() for c in cols):
                continue
            code = TOTAL if "tot" in measure.casefold() else measure
            named[name] = (code, label.strip())
            odd = ODD_SCORES if code != TOTAL else ODD_TOTALS
            usual = SCORES if code != TOTAL else st.integers(0, 60)
            cols[name] = [draw(odd_or(usual, odd, rate)) for _ in subjects]
    for name in draw(st.lists(st.sampled_from(EXTRA_NAMES), unique=True, max_size=2)):
        if all(name.casefold() != c.casefold() for c in cols):
            cols[name] = [draw(odd_or(COVARIATES, ODD_COVARIATES, rate)) for _ in subjects]
    return pd.DataFrame({k: _column(v) for k, v in cols.items()}), named


def assert_wide_accounted(
    trial: outcomes.TrialData, table: pd.DataFrame, named: dict[str, tuple[str, str]]
) -> None:
    """Property 2 for a wide table: each score cell is its subject's item or total at its visit."""
    frame = trial.frame
    madrs = frame[frame["instrument"] == "madrs"]
    assert set(frame["source_row"]) <= set(range(1, len(table) + 1)), "rows not in the file"
    by_key = {
        (int(r), str(v)): rec
        for r, v, rec in zip(
            madrs["source_row"], madrs["visit"], madrs.to_dict("records"), strict=True
        )  # fmt: skip
    }
    assert len(by_key) == len(madrs), "two MADRS records of one row and visit"
    for column, (code, visit) in named.items():
        if column not in table:
            continue
        for r, cell in enumerate(table[column]):
            if not _has_value(cell):
                continue
            record = by_key.get((r + 1, visit))
            assert record is not None, ("score not in the frame", r + 1, column, cell)
            want = _number(cell)
            assert want is not None, ("score accepted", r + 1, column, cell)
            have = record["total"] if code == TOTAL else record.get(code, np.nan)
            assert abs(have - want) <= 1e-6 * max(1.0, abs(want)), (r + 1, column, cell, have)


@seed(20240615)
@settings(FUZZ, max_examples=35)
@given(wide=wide_tables(), suffix=st.sampled_from(("frame", *SUFFIXES)))
def test_wide_tables(wide: tuple[pd.DataFrame, dict[str, tuple[str, str]]], suffix: str) -> None:
    table, named = wide
    if suffix == "frame":
        result = outcome(lambda: outcomes.from_frame(table))
        back: pd.DataFrame | None = table
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = _write(table, Path(tmp) / f"wide.{suffix}")
            back = _read_back(path)
            result = outcome(lambda: outcomes.read(path))
    if isinstance(result, OutcomesError):
        assert_located(result, len(table))
        return
    assert back is not None
    assert_wide_accounted(result, table, named)


# -- tables in memory, of every dtype -------------------------------------------------------------


def _as_dtype(column: pd.Series, dtype: str) -> pd.Series:
    """The column as a table built in memory could hold it (the values unchanged)."""
    if dtype == "category":
        return column.astype("category")
    if dtype == "string":
        return column.map(lambda v: v if pd.isna(v) else _text(v)).astype("string")
    if dtype == "nullable" and pd.api.types.is_float_dtype(column):
        finite = column.dropna()
        if finite.map(lambda v: math.isfinite(v) and v.is_integer() and abs(v) < 2**53).all():
            return column.astype("Int64")
        return column.astype("Float64")
    if dtype == "object":
        return column.astype(object)
    return column


#: Cells a table built in memory (or a parquet file) can hold that are not values.
NOT_VALUES = [[1, 2], {"dose": 1}, {1, 2}, b"\xff\xfe", b"S001", np.array([1.0]), (1, 2), 3j]


@st.composite
def long_frames(draw: st.DrawFn) -> pd.DataFrame:
    """A long table as a DataFrame of categoricals, nullable and Arrow strings, objects; in some,
    a column of lists, records or bytes, or two columns of one name."""
    table = draw(long_tables())
    dtypes = st.sampled_from(["keep", "category", "string", "nullable", "object"])
    frame = pd.DataFrame({c: _as_dtype(table[c], draw(dtypes)) for c in table.columns})
    odd = draw(st.integers(0, 9))
    if odd == 8:  # cells that are not values
        cells = [draw(odd_or(st.none(), NOT_VALUES, 60)) for _ in range(len(frame))]
        frame[draw(st.sampled_from(["doses", "notes", "MADRS01", "subject"]))] = pd.Series(
            cells, dtype=object
        )
    elif odd == 9:  # a column repeated under its name
        column = draw(st.sampled_from(list(frame.columns)))
        frame = pd.concat([frame, frame[[column]]], axis=1)
    return frame


#: Two columns of one name (a DataFrame allows it; a file's reader refuses it: ReadError).
TWO_SITES = pd.DataFrame(
    [["S001", "DMT", "WEEK 2", 15, 20, "x", "y"]],
    columns=["subject", "arm", "visit", "study_day", "MADRSTOT", "site", "site"],
)
#: A covariate of lists (as a parquet list column reads).
LISTS = pd.DataFrame(
    {"subject": ["S001"], "arm": ["DMT"], "visit": ["WEEK 2"], "study_day": [15],
     "MADRSTOT": [20], "doses": pd.Series([[1, 2]], dtype=object)}
)  # fmt: skip
#: A row with a total but no instrument, where an instrument column says whose total it is:
#: the row is reported as holding no score (a warning), and its total is lost.
NO_INSTRUMENT = pd.DataFrame(
    {"subject": ["S001", "S002"], "arm": ["DMT", "DMT"], "visit": ["WEEK 2", "WEEK 2"],
     "study_day": [15.0, 15.0], "instrument": ["madrs", None], "total": [20.0, 30.0]}
)  # fmt: skip


@seed(20240616)
@settings(FUZZ, max_examples=40)
@example(table=TWO_SITES)
@example(table=LISTS)
@example(table=NO_INSTRUMENT)
@given(table=long_frames())
def test_long_frames_of_every_dtype(table: pd.DataFrame) -> None:
    result = outcome(lambda: outcomes.from_frame(table))
    if isinstance(result, OutcomesError):
        assert_located(result, len(table))
        return
    if table.columns.is_unique:  # which of two columns of one name was read is not known
        assert_long_accounted(result, table.astype(object).where(table.notna(), None))


# -- parquet columns of every Arrow type ----------------------------------------------------------

ARROW_COLUMNS: dict[str, Callable[[int], pa.Array]] = {
    "list": lambda n: pa.array([[1, 2]] * n),
    "struct": lambda n: pa.array([{"dose": 1}] * n),
    "map": lambda n: pa.array([[("a", 1)]] * n, type=pa.map_(pa.string(), pa.int64())),
    "binary": lambda n: pa.array([b"\xff\xfe"] * n),
    "dictionary": lambda n: pa.array(["x"] * n).dictionary_encode(),
    "decimal": lambda n: pa.array([decimal.Decimal("1.5")] * n, type=pa.decimal128(5, 2)),
    "time": lambda n: pa.array([dt.time(1, 2)] * n),
    "duration": lambda n: pa.array([dt.timedelta(hours=1)] * n),
    "null": lambda n: pa.nulls(n),
    "large_string": lambda n: pa.array(["W"] * n, type=pa.large_string()),
    "uint64": lambda n: pa.array([2**64 - 1] * n, type=pa.uint64()),
}


@seed(20240617)
@settings(FUZZ, max_examples=25)
@example(table=TWO_SITES.iloc[:, :-1], kind="list", name="doses")
@example(table=TWO_SITES.iloc[:, :-1], kind="binary", name="site")
@given(
    table=long_tables(),
    kind=st.sampled_from(sorted(ARROW_COLUMNS)),
    name=st.sampled_from(["doses", "site", "MADRS01", "MADRSTOT", "visit", "study_day"]),
)
def test_parquet_columns_of_every_type(table: pd.DataFrame, kind: str, name: str) -> None:
    assume(name not in table or name in (*ITEMS, TOTAL, "study_day"))
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    column = ARROW_COLUMNS[kind](len(table))
    if name in arrow.column_names:
        arrow = arrow.set_column(arrow.column_names.index(name), name, column)
    else:
        arrow = arrow.append_column(name, column)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scores.parquet"
        pq.write_table(arrow, path)
        result = outcome(lambda: outcomes.read(path))
        if isinstance(result, OutcomesError):
            assert_located(result, len(table))
            return
        written = read_table(path)
        assert_long_accounted(result, written.astype(object).where(written.notna(), None))
