"""Checks of the score values, and the totals scored from them.

Both work on a layout's score blocks (:class:`~outcomes.io.layouts.base.ScoreBlock`) a column at a
time, not cell by cell: numbers are taken as they are, text is parsed once per distinct value of
its column, and only the cells reported are looked up for their subject, visit and text. Problems
are reported in the order of the cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog, location
from outcomes.data.text import as_text
from outcomes.instruments import Instrument
from outcomes.instruments.scoring import TOTAL_SOURCES, score_items
from outcomes.io.layouts.base import ScoreBlock, text_labels
from outcomes.io.measures import MeasureIndex

__all__ = ["TOTAL_TOLERANCE", "Checked", "check_values", "score_records", "total_codes"]

#: Reported and scored totals may differ by this much (rounding in mean-scored scales).
TOTAL_TOLERANCE = {"sum": 1e-6, "mean": 0.005}


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
        if getattr(value.dtype, "kind", "O") in "iuf":
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

    def text(self, cells: np.ndarray) -> np.ndarray:
        """The text of some cells, as :func:`~outcomes.data.text.as_text` writes them."""
        if self.distinct is None:
            return as_text(pd.Series(self.number[cells])).to_numpy()
        return self.texts.take(self.distinct[cells]).to_numpy()


def check_values(
    values: Sequence[ScoreBlock], rec: pd.DataFrame, index: MeasureIndex, log: ProblemLog
) -> tuple[list[Checked], set[int]]:
    """Numeric score values, checked, and the records that had an invalid one (each reported).

    Parameters
    ----------
    values : sequence of ScoreBlock
        A layout's values (:attr:`~outcomes.io.layouts.base.Extracted.values`).
    rec : pandas.DataFrame
        The checked records; values of records not among them are left out.
    index : MeasureIndex
        The instruments, for the codes' ranges.
    log : ProblemLog
        Where problems go, each kind in the order of the cells: ``non-numeric-score``,
        ``item-out-of-range``, ``total-out-of-range``, ``item-not-whole``, ``duplicate-value``.

    Returns
    -------
    checked : list of Checked
        One per block: blank cells, text that is not a number, values out of range and repeats
        left out.
    invalid : set of int
        The records with a value that is not a number or out of range.

    Examples
    --------
    >>> from outcomes.io.layouts.base import assemble, score_block
    >>> raw = pd.DataFrame({"subject": ["S1", "S2"], "visit": "W1",
    ...                     "GAD0201": ["1", "x"], "GAD0202": [2, 9]})
    >>> blocks = [score_block(raw, {c: ("gad7", c) for c in ["GAD0201", "GAD0202"]})]
    >>> rec, values = assemble(raw.assign(source_row=[1, 2]), blocks)
    >>> log = ProblemLog()
    >>> checked, invalid = check_values(values, rec, MeasureIndex(), log)
    >>> log.to_frame()["code"].tolist(), invalid
    (['non-numeric-score', 'item-out-of-range'], {1})
    >>> checked[0].number.tolist()
    [[1.0, 2.0], [nan, nan]]
    """
    rules = _Rules.of(index)
    ids = rec["record"].to_numpy()
    checked, found = [], _Found()
    for b, block in enumerate(values):
        at = _positions(ids, block.record)
        limits = rules.arrays(block.code.categories)
        number = np.empty((len(block.occasion), len(block.cells)), order="F")
        for j in range(len(block.cells)):
            number[:, j] = _check_column(block, at, j, limits, found.keeper(b, j))
        checked.append(Checked(block, at, number))
    located = _Located(checked, rec, found.parsed)
    _report_non_numeric(located.rows(found.cells("bad")), log)
    _report_out_of_range(located.rows(found.cells("out")), rules, log)
    _report_not_whole(located.rows(found.cells("frac")), log)
    repeats = _Repeats.of(checked) if _may_repeat(values) else None
    if repeats is not None:
        _report_repeats(repeats, located, log)
    _forget(checked, found.cells("out"))  # reported, not kept
    if repeats is not None:
        repeats.keep_firsts(checked)
    # The numbers are all that is used of the cells from here: the file's columns may go.
    return [replace(c, block=replace(c.block, cells=())) for c in checked], found.invalid(values)


@dataclass(frozen=True)
class Checked:
    """One block's checked values.

    Attributes
    ----------
    block : ScoreBlock
        The layout's block.
    at : numpy.ndarray
        The position among the checked records of each row's records (-1: not among them).
    number : numpy.ndarray
        The number of each cell kept (column-major), NaN where none is.
    """

    block: ScoreBlock
    at: np.ndarray
    number: np.ndarray

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of column ``j``'s kept cells, and the positions of their records."""
        rows = np.flatnonzero(~np.isnan(self.number[:, j]))
        return rows, self.at[rows, self.block.slot[j]]


def _check_column(
    block: ScoreBlock,
    at: np.ndarray,
    j: int,
    limits: tuple[np.ndarray, np.ndarray, np.ndarray],
    keep: Callable[[_Numbers, dict[str, np.ndarray]], None],
) -> np.ndarray:
    """Column ``j``'s numbers where they are read (NaN elsewhere); its cells that are not a
    number (``bad``), out of range (``out``) or not whole (``frac``) go to ``keep``."""
    cells = _Numbers.read(block.cells[j])
    number = cells.number
    ok = cells.given & (at[:, block.slot[j]] >= 0)
    bad = ok & np.isnan(number)
    ok &= ~bad
    code = block.codes_of("code", j)
    low, high, whole = limits
    out = number < low.take(code, mode="clip")
    out |= number > high.take(code, mode="clip")
    out &= ok
    frac = ok & ~out & whole[code] & (np.floor(number) != number)
    keep(cells, {"bad": bad, "out": out, "frac": frac})
    return np.where(ok, number, np.nan)


@dataclass(frozen=True)
class _Rules:
    """Each code's lowest and highest value and whether it is a whole number; the totals."""

    lo: dict[str, float]
    hi: dict[str, float]
    whole: dict[str, bool]
    totals: set[str]

    @classmethod
    def of(cls, index: MeasureIndex) -> _Rules:
        return cls(*_ranges(index), total_codes(index))

    def arrays(self, codes: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The lowest and highest value of each of these codes, and whether it is a whole item.

        A code that is no total and has no whole-number rule is whole, as a missing rule was.
        """
        low, high = (
            np.array([b.get(c, np.nan) for c in codes], dtype=float) for b in (self.lo, self.hi)
        )
        whole = [c not in self.totals and self.whole.get(c, True) for c in codes]
        return low, high, np.array(whole, dtype=bool)


#: The kinds of cells reported by :func:`check_values` before repeats.
_KINDS = ("bad", "out", "frac")


class _Found:
    """The cells to report, by kind, and the columns they are in, parsed."""

    def __init__(self) -> None:
        self._parts: dict[str, list[tuple[int, np.ndarray, int]]] = {k: [] for k in _KINDS}
        self.parsed: dict[tuple[int, int], _Numbers] = {}

    def keeper(self, b: int, j: int) -> Callable[[_Numbers, dict[str, np.ndarray]], None]:
        """What keeps the cells found in column ``j`` of block ``b``."""

        def keep(cells: _Numbers, masks: dict[str, np.ndarray]) -> None:
            for kind, mask in masks.items():
                rows = np.flatnonzero(mask)
                if len(rows):
                    self._parts[kind].append((b, rows, j))
                    self.parsed[b, j] = cells

        return keep

    def cells(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The block, row and column of each cell of a kind, in the order of the cells."""
        parts = self._parts[kind]
        if not parts:
            return tuple(np.zeros(0, dtype=np.intp) for _ in range(3))
        b = np.concatenate([np.full(len(rows), x) for x, rows, _ in parts])
        i = np.concatenate([rows for _, rows, _ in parts])
        j = np.concatenate([np.full(len(rows), y) for _, rows, y in parts])
        order = np.lexsort((j, i, b))
        return b[order], i[order], j[order]

    def invalid(self, values: Sequence[ScoreBlock]) -> set[int]:
        """The records of the cells that are not a number or out of range."""
        records = [
            values[b].record[rows, values[b].slot[j]]
            for kind in ("bad", "out")
            for b, rows, j in self._parts[kind]
        ]
        return set(np.concatenate(records).tolist()) if records else set()


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


def _report_out_of_range(cells: list[dict[str, object]], rules: _Rules, log: ProblemLog) -> None:
    """One error per item or total outside its scale's range."""
    for r in cells:
        code = str(r["code"])
        what = "total" if code in rules.totals else f"item {code}"
        log.add(
            "error",
            "total-out-of-range" if what == "total" else "item-out-of-range",
            f"row {r['source_row']}, column {r['column']!r}: {r['instrument']} {what} "
            f"{r['text']} is outside {rules.lo[code]:g}-{rules.hi[code]:g} "
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


def _report_repeats(repeats: _Repeats, located: _Located, log: ProblemLog) -> None:
    """One error per record and code given more than once, at its first repeat."""
    for group in repeats.groups:
        b, i, j = (x[group] for x in repeats.cells)
        r = located.rows((b[1:2], i[1:2], j[1:2]))[0]  # the first repeat, as for assessments
        source = [located.checked[x].block.source_row[y] for x, y in zip(b, i, strict=True)]
        rows = ", ".join(str(x) for x in np.array(source).tolist())
        log.add(
            "error",
            "duplicate-value",
            f"{r['instrument']} {r['code']} for subject {r['subject']} at visit {r['visit']} is "
            f"given {len(group)} times (rows {rows})",
            hint="keep one value and remove the others",
            **_cell(r),
        )


def _positions(ids: np.ndarray, of: np.ndarray) -> np.ndarray:
    """The position in ``ids`` (distinct, non-negative) of each of ``of``; -1 where absent
    (``of`` is -1 where there is nothing)."""
    if not of.size:
        return np.full(of.shape, -1, dtype=np.intp)
    if _is_range(ids) and of.max() < len(ids):
        return of  # ids numbered from 0, as a layout numbers them: an id is its position
    lookup = np.full(max(ids.max(initial=0), of.max()) + 2, -1, dtype=np.intp)
    lookup[ids] = np.arange(len(ids))
    return lookup[of]  # -1: the last, never an id


def _is_range(ids: np.ndarray) -> bool:
    """Whether ``ids`` are 0, 1, ..., n - 1 (a layout's record ids, all of them, in order)."""
    return bool(len(ids)) and ids[0] == 0 and ids[-1] == len(ids) - 1 and (ids[1:] > ids[:-1]).all()


def _may_repeat(values: Sequence[ScoreBlock]) -> bool:
    """Whether a record may have a code in more than one cell.

    Not in a block of columns whose codes differ by instrument (its rows are distinct
    occasions), nor across blocks that share no code, or whose records of it differ.
    """
    holders: dict[object, set[tuple[int, int]]] = {}
    for b, block in enumerate(values):
        if block.per_row:
            return True
        pairs = list(zip(block.slot.tolist(), block.code.codes.tolist(), strict=True))
        if len(set(pairs)) < len(pairs):
            return True
        for slot, code in pairs:
            holders.setdefault(block.code.categories[code], set()).add((b, slot))
    for shared in {frozenset(h) for h in holders.values() if len(h) > 1}:
        ids = np.concatenate([values[b].record[:, slot] for b, slot in shared])
        ids = ids[ids >= 0]
        if len(ids) and np.bincount(ids).max() > 1:
            return True
    return False


@dataclass(frozen=True)
class _Repeats:
    """The cells read (block, row, column), in cell order, and the groups of those of one record
    and code (more than one each, in order of their first cell)."""

    cells: tuple[np.ndarray, np.ndarray, np.ndarray]
    key: np.ndarray
    groups: list[np.ndarray]

    @classmethod
    def of(cls, checked: Sequence[Checked]) -> _Repeats | None:
        codes = pd.Index(pd.unique(np.concatenate([c.block.code.categories for c in checked])))
        parts = []
        for b, c in enumerate(checked):
            i, j = np.nonzero(~np.isnan(c.number))  # row by row
            code = codes.get_indexer(c.block.code.categories)[c.block.code.codes]
            record = c.block.record[i, c.block.slot[j]]
            parts.append((np.full(len(i), b), i, j, record, code[i if c.block.per_row else j]))
        b, i, j, record, code = (np.concatenate(x) for x in zip(*parts, strict=True))
        groups = _repeats(record, code, len(codes))
        return cls((b, i, j), _cell_keys(record, code, len(codes)), groups) if groups else None

    def keep_firsts(self, checked: Sequence[Checked]) -> None:
        """Of each record and code, keep the first cell kept (not out of range) only."""
        b, i, j = self.cells
        kept = np.zeros(len(b), dtype=bool)
        for x, c in enumerate(checked):
            mine = b == x
            kept[mine] = ~np.isnan(c.number[i[mine], j[mine]])
        _forget(checked, tuple(x[kept & ~_firsts(self.key, kept)] for x in self.cells))


def _forget(checked: Sequence[Checked], cells: tuple[np.ndarray, ...]) -> None:
    """Keep none of these cells (block, row, column)."""
    b, i, j = cells
    for x in np.unique(b).tolist():
        checked[x].number[i[b == x], j[b == x]] = np.nan


def _repeats(record: np.ndarray, code: np.ndarray, n_codes: int) -> list[np.ndarray]:
    """The cells of each record and code given more than once, in file order.

    A file with one column per code lists its cells in record and code order: where each cell
    comes after the one before in that order, there is no repeat to look for.
    """
    later = record[1:] > record[:-1]
    later |= (record[1:] == record[:-1]) & (code[1:] > code[:-1])
    if later.all():
        return []
    group, _ = pd.factorize(_cell_keys(record, code, n_codes))
    counts = np.bincount(group)
    repeated = counts[group] > 1
    if not repeated.any():
        return []
    cells, group = np.flatnonzero(repeated), group[repeated]
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


@dataclass(frozen=True)
class _Located:
    """Score cells with their assessment and text, looked up for the cells reported only."""

    checked: Sequence[Checked]
    rec: pd.DataFrame
    parsed: dict[tuple[int, int], _Numbers]

    def rows(self, cells: tuple[np.ndarray, ...]) -> list[dict[str, object]]:
        """``source_row, column, code, text, subject, visit, instrument`` of each cell."""
        b, i, j = cells
        if not len(b):
            return []
        found = {
            k: np.empty(len(b), dtype=object) for k in ("source_row", "column", "code", "text")
        }
        at = np.empty(len(b), dtype=np.intp)
        for x, y in set(zip(b.tolist(), j.tolist(), strict=True)):
            sel = np.flatnonzero((b == x) & (j == y))
            rows, block = i[sel], self.checked[x].block
            cells = self.parsed.get((x, y)) or _Numbers.read(block.cells[y])
            found["source_row"][sel] = block.source_row[rows].tolist()
            found["column"][sel] = block.texts_of("column", y, rows)
            found["code"][sel] = block.texts_of("code", y, rows)
            found["text"][sel] = cells.text(rows)
            at[sel] = self.checked[x].at[rows, block.slot[y]]
        context = self.rec[["subject", "visit", "instrument"]].iloc[at].reset_index(drop=True)
        return pd.concat([pd.DataFrame(found), context], axis=1).to_dict("records")


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
    values: Sequence[Checked],
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
    values : sequence of Checked
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

    Examples
    --------
    >>> from outcomes.io.layouts.base import assemble, score_block
    >>> raw = pd.DataFrame({"subject": ["S1", "S2"], "visit": "W1",
    ...                     "GAD0201": [1, 3], "GAD0202": [2, None]})
    >>> blocks = [score_block(raw, {c: ("gad7", c) for c in ["GAD0201", "GAD0202"]})]
    >>> rec, values = assemble(raw.assign(source_row=[1, 2]), blocks)
    >>> log = ProblemLog()
    >>> checked, invalid = check_values(values, rec, MeasureIndex(), log)
    >>> score_records(rec, checked, MeasureIndex(), 5, log, invalid)["total"].tolist()
    [10.5, nan]
    >>> log.to_frame()["code"].tolist()
    ['total-not-scored']
    """
    cells = _Cells(values, len(rec))
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

    checked: Sequence[Checked]
    n_records: int

    def _of_codes(self, wanted: list[str]) -> Iterator[tuple[Checked, int, np.ndarray, np.ndarray]]:
        """The kept cells of these codes, column by column: the column's block and number,
        and the rows of the cells, each one's record position and its code's place in ``wanted``."""
        for c in self.checked:
            codes = c.block.code.categories
            place = np.array([wanted.index(x) if x in wanted else -1 for x in codes], dtype=np.intp)
            for j in range(c.number.shape[1]):
                where = place[c.block.codes_of("code", j)]
                if not (where >= 0).any():
                    continue
                rows, at = c.column(j)
                where = where[rows] if c.block.per_row else np.broadcast_to(where, rows.shape)
                mine = where >= 0
                yield c, j, rows[mine], np.stack([at[mine], where[mine]])

    def items(self, inst: Instrument) -> np.ndarray | None:
        """Every record's items of the instrument (column-major), or None if the file has none.

        Where one block's columns hold the items in order, a row per record in the records'
        order (a file with a row per assessment and nothing dropped), they are its numbers as
        they are: at a million records a copy is most of a gigabyte.
        """
        whole = self._as_block(inst.item_codes)
        if whole is not None:
            return whole
        block = None
        for c, j, rows, (at, column) in self._of_codes(inst.item_codes):
            if len(rows) and block is None:
                block = np.full((self.n_records, len(inst.item_codes)), np.nan, order="F")
            if len(rows):
                block[at, column] = c.number[rows, j]
        return block

    def _as_block(self, wanted: list[str]) -> np.ndarray | None:
        """The numbers of these codes as a view of one block (see :meth:`items`), or None."""
        found = [
            (c, j)
            for c in self.checked
            for j in range(c.number.shape[1])
            if np.isin(c.block.code.categories[c.block.codes_of("code", j)], wanted).any()
        ]
        if len(found) != len(wanted) or len({id(c) for c, _ in found}) != 1:
            return None
        c, first = found[0][0], found[0][1]
        columns = [j for _, j in found]
        codes = [c.block.code.categories[c.block.code.codes[j]] for j in columns]
        slots = {int(c.block.slot[j]) for j in columns}
        if c.block.per_row or codes != wanted or columns != list(range(first, first + len(wanted))):
            return None
        at = c.at[:, slots.pop()] if len(slots) == 1 else None
        if at is None or len(at) != self.n_records or not _is_range(at):
            return None
        return c.number[:, first : first + len(wanted)]

    def total(self, inst: Instrument) -> np.ndarray:
        """Every record's reported total of the instrument (NaN where none)."""
        reported = np.full(self.n_records, np.nan)
        for c, j, rows, (at, _) in self._of_codes([inst.total_code]):
            reported[at] = c.number[rows, j]
        return reported

    def total_cells(self, inst: Instrument, records: np.ndarray) -> pd.DataFrame:
        """The ``source_row`` and ``column`` of the instrument's total on these records (by id),
        in their order."""
        ids, source_row, column = [], [], []
        for c, j, rows, _ in self._of_codes([inst.total_code]):
            ids.append(c.block.record[rows, c.block.slot[j]])
            source_row.append(c.block.source_row[rows])
            column.append(c.block.texts_of("column", j, rows))
        found = pd.DataFrame(
            {"source_row": np.concatenate(source_row), "column": np.concatenate(column)},
            index=np.concatenate(ids),
        )
        return found.loc[records]


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
        complete = scored_source == 0  # scored from every item (TOTAL_SOURCES[0], "items")
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
    candidates = np.flatnonzero(np.isnan(group.total) & ~skipped)
    absent = np.isnan(group.items[candidates])  # of those rows only: the block is large
    some = ~absent.all(axis=1)
    unscored, absent = candidates[some], absent[some]
    if not len(unscored):
        return
    patterns, pattern = np.unique(absent, axis=0, return_inverse=True)
    codes = np.array(inst.item_codes, dtype=object)
    missing = [f"{p.sum()} item(s) missing ({', '.join(codes[p])})" for p in patterns]
    context = rec.iloc[_among(rows, unscored)]
    source_row, subject, visit = (context[c].tolist() for c in ("source_row", "subject", "visit"))
    log.add_many(
        "warning",
        "total-not-scored",
        [
            f"row {r}: no {inst.name} total for subject {s} at visit {v}: "
            f"{missing[k]} and the policy allows {max_missing}"
            for r, s, v, k in zip(source_row, subject, visit, pattern.ravel().tolist(), strict=True)
        ],
        hint="the row is kept with its items; allow prorating with max_missing_items=k",
        row=source_row,
        subject=subject,
        visit=visit,
        instrument=[inst.name] * len(unscored),
    )
