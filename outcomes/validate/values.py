"""Checks of the score values, and the totals scored from them.

Both work on the score cells as arrays (a cell's record, code and number), not row by row:
numbers are taken as they are, text is parsed once per distinct value, and only the cells
reported are looked up for their subject, visit and text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog, location
from outcomes.data.text import as_text
from outcomes.instruments import Instrument
from outcomes.instruments.scoring import TOTAL_SOURCES, score_items
from outcomes.io.layouts.base import text_labels
from outcomes.io.measures import MeasureIndex

__all__ = ["TOTAL_TOLERANCE", "check_values", "score_records", "total_codes"]

#: Reported and scored totals may differ by this much (rounding in mean-scored scales).
TOTAL_TOLERANCE = {"sum": 1e-6, "mean": 0.005}

#: The columns of the checked values :func:`check_values` returns.
CHECKED_COLUMNS = ("record", "code", "number", "source_row", "column")


@dataclass(frozen=True)
class _Numbers:
    """Score cells read as numbers.

    Attributes
    ----------
    number : numpy.ndarray
        Float per cell, NaN where the cell is not a number.
    given : numpy.ndarray
        Whether the cell holds a value (blank text and missing-value tokens do not).
    distinct : numpy.ndarray or None
        The distinct value of each cell (-1: missing), where the cells are not numbers.
    texts : pandas.Series or None
        The text of each distinct value.
    """

    number: np.ndarray
    given: np.ndarray
    distinct: np.ndarray | None
    texts: pd.Series | None

    @classmethod
    def read(cls, value: pd.Series) -> _Numbers:
        """Numbers as they are; anything else through the text of its distinct values."""
        if value.dtype.kind in "iuf":
            number = value.to_numpy(dtype=float, na_value=np.nan)
            return cls(number, ~np.isnan(number), None, None)
        if isinstance(value.dtype, pd.CategoricalDtype):
            distinct, uniques = value.cat.codes.to_numpy(), value.cat.categories
        else:
            distinct, uniques = pd.factorize(value)
        texts = as_text(pd.Series(uniques, dtype=object))
        numbers = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        given = np.append(texts.notna().to_numpy(), False)[distinct]  # code -1: the last
        return cls(np.append(numbers, np.nan)[distinct], given, distinct, texts)

    def text(self, value: pd.Series, cells: np.ndarray) -> pd.Series:
        """The text of some cells, as :func:`~outcomes.data.text.as_text` writes them."""
        if self.distinct is None:
            return as_text(value.iloc[cells])
        return self.texts.take(self.distinct[cells])


def check_values(
    values: pd.DataFrame, rec: pd.DataFrame, index: MeasureIndex, log: ProblemLog
) -> tuple[pd.DataFrame, set[int]]:
    """Numeric score values, checked, and the records that had an invalid one (each reported).

    Parameters
    ----------
    values : pandas.DataFrame
        A layout's values (:data:`~outcomes.io.layouts.base.VALUE_COLUMNS`).
    rec : pandas.DataFrame
        The checked records; values of records not among them are left out.
    index : MeasureIndex
        The instruments, for the codes' ranges.
    log : ProblemLog
        Where problems go: ``non-numeric-score``, ``item-out-of-range``,
        ``total-out-of-range``, ``item-not-whole``, ``duplicate-value``.

    Returns
    -------
    checked : pandas.DataFrame
        :data:`CHECKED_COLUMNS`, one row per record and code: blank cells, text that is not a
        number, values out of range and repeats left out.
    invalid : set of int
        The records with a value that is not a number or out of range.
    """
    at = _positions(rec["record"].to_numpy(), values["record"].to_numpy())
    cells = _Numbers.read(values["value"])
    located = _Located(values, rec, at, cells)
    number = cells.number
    ok = cells.given & (at >= 0)
    bad = ok & np.isnan(number)
    _report_non_numeric(located.rows(np.flatnonzero(bad)), log)
    ok &= ~bad
    code, codes = _codes(values["code"])
    lo, hi, whole = _ranges(index)
    # One float per cell, reused: its code's lowest value, its highest, then its whole part.
    low, high = (np.array([b.get(c, np.nan) for c in codes], dtype=float) for b in (lo, hi))
    scratch = low.take(code, mode="clip")
    out = number < scratch
    high.take(code, out=scratch, mode="clip")
    out |= number > scratch
    out &= ok
    totals = total_codes(index)
    _report_out_of_range(located.rows(np.flatnonzero(out)), lo, hi, totals, log)
    # A code that is no total and has no whole-number rule is whole, as a missing rule was.
    whole_items = np.array([c not in totals and whole.get(c, True) for c in codes], dtype=bool)
    frac = ok & ~out & whole_items[code] & (np.floor(number, out=scratch) != number)
    del scratch
    _report_not_whole(located.rows(np.flatnonzero(frac)), log)
    record = values["record"].to_numpy()
    repeats = _repeats(record, code, len(codes), ok)
    _report_repeats(repeats, located, values["source_row"].to_numpy(), log)
    kept = ok & ~out
    if repeats:
        kept &= _firsts(_cell_keys(record, code, len(codes)), kept)
    invalid = set(record[bad | out].tolist())
    return _checked(values, number, kept), invalid


def _report_non_numeric(cells: list[dict[str, object]], log: ProblemLog) -> None:
    """One error per cell whose text is not a number."""
    for r in cells:
        log.add(
            "error",
            "non-numeric-score",
            f"row {r['source_row']}, column {r['column']!r}: {r['text']!r} is not a score "
            f"({r['instrument']}, subject {r['subject']}, visit {r['visit']})",
            hint="correct the value, or leave the cell empty if it was not answered",
            **_cell(r),
        )


def _report_out_of_range(
    cells: list[dict[str, object]],
    lo: dict[str, float],
    hi: dict[str, float],
    totals: set[str],
    log: ProblemLog,
) -> None:
    """One error per item or total outside its scale's range."""
    for r in cells:
        code = str(r["code"])
        what = "total" if code in totals else f"item {code}"
        log.add(
            "error",
            "total-out-of-range" if what == "total" else "item-out-of-range",
            f"row {r['source_row']}, column {r['column']!r}: {r['instrument']} {what} "
            f"{r['text']} is outside {lo[code]:g}-{hi[code]:g} "
            f"(subject {r['subject']}, visit {r['visit']})",
            hint="correct the value; a code for 'not done' (e.g. -9, 99) should be an empty cell",
            **_cell(r),
        )


def _report_not_whole(cells: list[dict[str, object]], log: ProblemLog) -> None:
    """One warning per item that is not a whole number where the scale's items are."""
    for r in cells:
        log.add(
            "warning",
            "item-not-whole",
            f"row {r['source_row']}, column {r['column']!r}: item {r['code']} is {r['text']}, "
            "not a whole number",
            hint="check the value; this scale's items are whole numbers",
            **_cell(r),
        )


def _report_repeats(
    repeats: list[np.ndarray], located: _Located, source_row: np.ndarray, log: ProblemLog
) -> None:
    """One error per record and code given more than once, at its first repeat."""
    for group in repeats:
        r = located.rows(group[1:2])[0]  # the first repeat, as for duplicate assessments
        rows = ", ".join(str(x) for x in source_row[group].tolist())
        log.add(
            "error",
            "duplicate-value",
            f"{r['instrument']} {r['code']} for subject {r['subject']} at visit {r['visit']} is "
            f"given {len(group)} times (rows {rows})",
            hint="keep one value and remove the others",
            **_cell(r),
        )


def _positions(ids: np.ndarray, of: np.ndarray) -> np.ndarray:
    """The position in ``ids`` (distinct, non-negative) of each of ``of``; -1 where absent."""
    if not len(of):
        return np.zeros(0, dtype=np.intp)
    if _is_range(ids) and of.min() >= 0 and of.max() < len(ids):
        return of  # ids numbered from 0, as a layout numbers them: an id is its position
    lookup = np.full(max(ids.max(initial=0), of.max()) + 1, -1, dtype=np.intp)
    lookup[ids] = np.arange(len(ids))
    return lookup[of]


def _is_range(ids: np.ndarray) -> bool:
    """Whether ``ids`` are 0, 1, ..., n - 1 (a layout's record ids, all of them, in order)."""
    return bool(len(ids)) and ids[0] == 0 and ids[-1] == len(ids) - 1 and (ids[1:] > ids[:-1]).all()


def _codes(code: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each cell's code as an integer, and the codes (a categorical's in its own order)."""
    if isinstance(code.dtype, pd.CategoricalDtype):
        return code.cat.codes.to_numpy(), code.cat.categories.tolist()
    ids, codes = pd.factorize(code)
    return ids, list(codes)


def _repeats(
    record: np.ndarray, code: np.ndarray, n_codes: int, among: np.ndarray
) -> list[np.ndarray]:
    """The cells of each record and code given more than once among ``among``, in file order.

    A file with one column per code lists its cells in record and code order: where each cell
    comes after the one before in that order, there is no repeat to look for.
    """
    if not among.all():
        record, code = record[among], code[among]
    later = record[1:] > record[:-1]
    later |= (record[1:] == record[:-1]) & (code[1:] > code[:-1])
    if later.all():
        return []
    cells = np.flatnonzero(among)
    group, _ = pd.factorize(_cell_keys(record, code, n_codes))
    counts = np.bincount(group)
    repeated = counts[group] > 1
    if not repeated.any():
        return []
    cells, group = cells[repeated], group[repeated]
    order = np.argsort(group, kind="stable")
    ends = np.cumsum(np.bincount(group)[np.unique(group)])
    return np.split(cells[order], ends[:-1])


def _cell_keys(record: np.ndarray, code: np.ndarray, n_codes: int) -> np.ndarray:
    """One integer per record and code."""
    key = record.astype(np.int64) * max(n_codes, 1)
    key += code
    return key


def _firsts(key: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each cell is the first of its key among ``among`` (others are False)."""
    cells = np.flatnonzero(among)
    first = np.zeros(len(key), dtype=bool)
    first[cells[~pd.Series(key[cells]).duplicated().to_numpy()]] = True
    return first


def _checked(values: pd.DataFrame, number: np.ndarray, kept: np.ndarray) -> pd.DataFrame:
    """The kept cells as :data:`CHECKED_COLUMNS` (no copy where every cell is kept)."""
    columns = {c: number if c == "number" else values[c].array for c in CHECKED_COLUMNS}
    checked = pd.DataFrame(columns, copy=False)
    return checked if kept.all() else checked[kept].reset_index(drop=True)


@dataclass(frozen=True)
class _Located:
    """Score cells with their assessment and text, looked up for the cells reported only."""

    values: pd.DataFrame
    rec: pd.DataFrame
    at: np.ndarray
    cells: _Numbers

    def rows(self, cells: np.ndarray) -> list[dict[str, object]]:
        """``source_row, column, code, text, subject, visit, instrument`` of each cell."""
        if not len(cells):
            return []
        found = self.values.iloc[cells][["source_row", "column", "code"]].reset_index(drop=True)
        found["text"] = self.cells.text(self.values["value"], cells).to_numpy()
        context = self.rec[["subject", "visit", "instrument"]].iloc[self.at[cells]]
        return pd.concat([found, context.reset_index(drop=True)], axis=1).to_dict("records")


def _cell(value: dict[str, object]) -> dict[str, object]:
    """The location of one score value: its assessment, column and text."""
    return {**location(value), "column": value["column"], "value": value["text"]}


def total_codes(index: MeasureIndex) -> set[str]:
    """The total codes of every instrument in ``index``."""
    return {i.total_code for i in index.instruments.values()}


def _ranges(index: MeasureIndex) -> tuple[dict[str, float], dict[str, float], dict[str, bool]]:
    """Each code's lowest and highest value, and whether it is a whole number."""
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    whole: dict[str, bool] = {}
    for inst in index.instruments.values():
        for item in inst.items:
            lo[item.code], hi[item.code] = item.min, item.max
            whole[item.code] = (
                item.whole
                if item.whole is not None
                else float(item.min).is_integer() and item.max - item.min <= 10
            )
        lo[inst.total_code], hi[inst.total_code] = inst.total_min, inst.total_max
        whole[inst.total_code] = False
    return lo, hi, whole


def score_records(
    rec: pd.DataFrame,
    values: pd.DataFrame,
    index: MeasureIndex,
    max_missing: int,
    log: ProblemLog,
    invalid: set[int],
) -> pd.DataFrame:
    """Items and total of every record: reported totals checked against the items.

    Parameters
    ----------
    rec : pandas.DataFrame
        The checked records.
    values : pandas.DataFrame
        The checked values, as :func:`check_values` returns them.
    index : MeasureIndex
        The instruments.
    max_missing : int
        Missing-item policy (see :func:`outcomes.instruments.score`).
    log : ProblemLog
        Where ``total-mismatch`` errors and ``total-not-scored`` warnings go.
    invalid : set of int
        Records with an invalid value (already reported): they get no 'total not scored'
        warning.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``record``: ``total``, ``total_source`` (``items``, ``prorated``,
        ``reported`` or missing) and the item columns of each instrument with an item in the
        file (an instrument without is not scored), missing where not answered.
    """
    cells = _Cells.of(rec, values)
    total = np.full(len(rec), np.nan)
    source = np.full(len(rec), -1, dtype=np.int8)  # into _SOURCES, -1: none
    items: dict[str, np.ndarray] = {}
    instrument = rec["instrument"]
    skipped = rec["record"].isin(invalid).to_numpy() if invalid else np.zeros(len(rec), bool)
    for name in sorted(n for n in instrument.unique() if isinstance(n, str)):
        inst: Instrument = index.instruments[name]
        mine = (instrument == name).to_numpy()
        rows = slice(None) if mine.all() else np.flatnonzero(mine)  # a slice takes no copy
        block = cells.items(inst)
        group = _Group.score(inst, block, rows, cells.total(inst)[rows], max_missing)
        _report_mismatches(inst, rec, rows, cells, group, log)
        _report_unscored(inst, rec, rows, group, skipped[rows], max_missing, log)
        total[rows], source[rows] = group.total, group.source
        if block is not None:
            items.update(zip(inst.item_codes, block.T, strict=True))
    columns = {"total": total, "total_source": text_labels(source, _SOURCES), **items}
    return pd.DataFrame(
        columns, index=pd.Index(rec["record"].to_numpy(), name="record"), copy=False
    )


#: A total's source by its code: the scored ones', then "reported" (-1: missing).
_SOURCES = (*TOTAL_SOURCES, "reported")
_REPORTED = np.int8(len(TOTAL_SOURCES))


@dataclass(frozen=True)
class _Cells:
    """The checked values by the position of their record and by code, for scoring."""

    values: pd.DataFrame
    at: np.ndarray
    code: np.ndarray
    codes: list[str]
    number: np.ndarray
    n_records: int

    @classmethod
    def of(cls, rec: pd.DataFrame, values: pd.DataFrame) -> _Cells:
        code, codes = _codes(values["code"])
        at = _positions(rec["record"].to_numpy(), values["record"].to_numpy())
        return cls(values, at, code, codes, values["number"].to_numpy(), len(rec))

    def _of_codes(self, wanted: list[str]) -> tuple[np.ndarray | slice, np.ndarray]:
        """The cells of these codes (a slice where all are), and each one's place in ``wanted``."""
        position = [wanted.index(c) if c in wanted else -1 for c in self.codes]
        where = np.array(position, dtype=np.int16)[self.code]
        if (where >= 0).all():
            return slice(None), where
        cells = np.flatnonzero(where >= 0)
        return cells, where[cells]

    def items(self, inst: Instrument) -> np.ndarray | None:
        """Every record's items of the instrument (column-major), or None if the file has none."""
        cells, column = self._of_codes(inst.item_codes)
        if not len(column):
            return None
        block = np.full((self.n_records, len(inst.item_codes)), np.nan, order="F")
        block[self.at[cells], column] = self.number[cells]
        return block

    def total(self, inst: Instrument) -> np.ndarray:
        """Every record's reported total of the instrument (NaN where none)."""
        cells, _ = self._of_codes([inst.total_code])
        at = self.at[cells]
        if len(at) == self.n_records and _is_range(at):  # a total on every record, in order
            return self.number[cells]
        reported = np.full(self.n_records, np.nan)
        reported[at] = self.number[cells]
        return reported

    def total_cells(self, inst: Instrument, records: np.ndarray) -> pd.DataFrame:
        """The values of the instrument's total on these records (by id), in their order."""
        cells, _ = self._of_codes([inst.total_code])
        cells = np.arange(len(self.code))[cells]
        ids = self.values["record"].to_numpy()[cells]
        found = pd.Series(cells, index=ids)[pd.Index(ids).isin(records)]
        return self.values.iloc[found.loc[records].to_numpy()]


@dataclass(frozen=True)
class _Group:
    """One instrument's records, scored: a reported total is kept where the items are not
    complete, else the items' total."""

    items: np.ndarray | None
    scored: np.ndarray
    complete: np.ndarray
    reported: np.ndarray
    total: np.ndarray
    source: np.ndarray

    @classmethod
    def score(
        cls,
        inst: Instrument,
        block: np.ndarray | None,
        rows: np.ndarray | slice,
        reported: np.ndarray,
        max_missing: int,
    ) -> _Group:
        """Score the records at ``rows`` of ``block`` (None: no item in the file, no scoring)."""
        if block is None:  # the reported total where there is one
            nothing = np.full(len(reported), np.nan)
            source = np.where(np.isnan(reported), np.int8(-1), _REPORTED)
            none = np.zeros(len(reported), dtype=bool)
            return cls(None, nothing, none, reported, reported, source)
        items = block[rows]
        scored, scored_source = score_items(inst, items, max_missing=max_missing)
        complete = ~np.isnan(items).any(axis=1)
        use_reported = ~np.isnan(reported) & ~complete
        return cls(
            items=items,
            scored=scored,
            complete=complete,
            reported=reported,
            total=np.where(use_reported, reported, scored),
            source=np.where(use_reported, _REPORTED, scored_source),
        )


def _among(rows: np.ndarray | slice, picked: np.ndarray) -> np.ndarray:
    """The positions in the records of some of an instrument's records (``rows``)."""
    return picked if isinstance(rows, slice) else rows[picked]


def _report_mismatches(
    inst: Instrument,
    rec: pd.DataFrame,
    rows: np.ndarray | slice,
    cells: _Cells,
    group: _Group,
    log: ProblemLog,
) -> None:
    """One error per complete record whose reported total is not what its items score."""
    if not group.complete.any():
        return
    gap = np.abs(group.reported - group.scored)
    mismatch = np.flatnonzero(
        group.complete & ~np.isnan(group.reported) & (gap > TOTAL_TOLERANCE[inst.scoring])
    )
    if not len(mismatch):
        return
    context = rec.iloc[_among(rows, mismatch)]
    where = cells.total_cells(inst, context["record"].to_numpy())
    reversed_items = [i.code for i in inst.items if i.reverse] or "none"
    for row, column, reported, scored, subject, visit in zip(
        where["source_row"].tolist(),
        where["column"].tolist(),
        group.reported[mismatch].tolist(),
        group.scored[mismatch].tolist(),
        context["subject"].tolist(),
        context["visit"].tolist(),
        strict=True,
    ):
        log.add(
            "error",
            "total-mismatch",
            f"row {row}, column {column!r}: {inst.name} total {reported:g} does not equal "
            f"its items, which score {scored:g} (subject {subject}, visit {visit})",
            hint=f"correct the items or the total; reverse-keyed items are {reversed_items}",
            row=row,
            subject=subject,
            visit=visit,
            instrument=inst.name,
            column=column,
            value=f"{reported:g}",
        )


def _report_unscored(
    inst: Instrument,
    rec: pd.DataFrame,
    rows: np.ndarray | slice,
    group: _Group,
    skipped: np.ndarray,
    max_missing: int,
    log: ProblemLog,
) -> None:
    """One warning per record with items but no total (records already reported aside)."""
    if group.items is None:
        return
    absent = np.isnan(group.items)
    unscored = np.flatnonzero(np.isnan(group.total) & ~absent.all(axis=1) & ~skipped)
    if not len(unscored):
        return
    patterns, pattern = np.unique(absent[unscored], axis=0, return_inverse=True)
    codes = np.array(inst.item_codes, dtype=object)
    missing = [f"{p.sum()} item(s) missing ({', '.join(codes[p])})" for p in patterns]
    context = rec.iloc[_among(rows, unscored)]
    for row, subject, visit, k in zip(
        context["source_row"].tolist(),
        context["subject"].tolist(),
        context["visit"].tolist(),
        pattern.ravel().tolist(),
        strict=True,
    ):
        log.add(
            "warning",
            "total-not-scored",
            f"row {row}: no {inst.name} total for subject {subject} at visit {visit}: "
            f"{missing[k]} and the policy allows {max_missing}",
            hint="the row is kept with its items; allow prorating with max_missing_items=k",
            row=row,
            subject=subject,
            visit=visit,
            instrument=inst.name,
        )
