"""What every layout reader hands on: assessments and the score values behind them.

A layout reader turns a raw table into an :class:`Extracted`: ``records``, one row per assessment
(subject x visit x instrument) with its context as found in the file, and ``values``, the score
cells (items and totals) as blocks of the file's columns (:class:`ScoreBlock`), with the record
each belongs to and where it stood in the file. Values stay raw text or numbers here;
:mod:`outcomes.validate.build` checks and converts them, so that every problem can be reported
at the cell it came from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from outcomes.data.columns import CORE_COLUMNS
from outcomes.data.problems import ProblemLog
from outcomes.io.mapping import normalise

__all__ = [
    "CONTEXT_ROLES",
    "RECORD_COLUMNS",
    "VALUE_COLUMNS",
    "WRITTEN_TOTALS",
    "Extracted",
    "RENAMED_SUFFIX",
    "SHOWN_COLUMNS",
    "ScoreBlock",
    "assemble",
    "file_covariates",
    "listed_columns",
    "score_block",
    "text_labels",
    "written_total",
]

#: Totals a writer puts in a file: reported ones and those scored from complete items. Prorated
#: totals are left out, as they follow from the items and the reader's missing-item policy.
WRITTEN_TOTALS = ("items", "reported")

#: Context roles a record may carry from the file (any may be missing).
CONTEXT_ROLES: tuple[str, ...] = (
    "subject",
    "arm",
    "visit",
    "visit_num",
    "study_day",
    "session",
    "hours_since_dose",
    "period_treatment",
    "period",
)

#: Columns of :attr:`Extracted.records` (covariates follow).
RECORD_COLUMNS: tuple[str, ...] = ("record", *CONTEXT_ROLES, "instrument", "source_row")

#: Columns of a tall table of values, one per row (:meth:`ScoreBlock.from_tall`).
VALUE_COLUMNS: tuple[str, ...] = ("occasion", "instrument", "code", "value", "source_row", "column")


@dataclass
class Extracted:
    """A layout reader's output.

    Attributes
    ----------
    records : pandas.DataFrame
        :data:`RECORD_COLUMNS` then covariates; ``record`` is a unique integer id.
    values : tuple of ScoreBlock
        The score cells, with their record ids, codes, raw values and locations
        (``source_row``, ``column``); see :class:`ScoreBlock`. Cells of records not in
        ``records`` are not read.
    covariates : list of str
        Covariate columns of ``records``.
    role_columns : dict
        Role -> the file's column it came from, for messages.
    score_columns : list of str
        The file's columns that hold scores (not scanned for identifiers).
    notes : list of str
        What the reader decided (detected roles, rows set aside and why).
    set_aside : pandas.DataFrame
        Rows not read as assessments, with a ``reason`` column, for the problem report.
    """

    records: pd.DataFrame
    values: tuple[ScoreBlock, ...]
    covariates: list[str] = field(default_factory=list)
    role_columns: dict[str, str] = field(default_factory=dict)
    score_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    set_aside: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"source_row": [], "reason": []})
    )


#: Columns a message names, at most; the others are counted.
SHOWN_COLUMNS = 20


def listed_columns(columns: Iterable[Any]) -> str:
    """The first :data:`SHOWN_COLUMNS` columns of a table, and how many more, for a message.

    Examples
    --------
    >>> listed_columns([f"c{i}" for i in range(25)])  # doctest: +ELLIPSIS
    "['c0', 'c1', ..., 'c19'] and 5 more"
    """
    columns = list(columns)
    shown = columns[:SHOWN_COLUMNS]
    more = len(columns) - len(shown)
    return f"{shown}" + (f" and {more:,} more" if more else "")


@dataclass(frozen=True)
class ScoreBlock:
    """Score cells as a grid: a row per occasion and a column per score column of the file.

    A table with one column per code (long, wide, REDCap) hands over its score columns as they
    are; a tall table of one value per row (SDTM QS, ADaM) is one column whose instrument, code
    and file column vary by row (``per_row``, see :meth:`from_tall`). The cells are listed
    block by block, row by row, then by column: the order problems are reported in.

    Attributes
    ----------
    occasion : numpy.ndarray
        The occasion id of each row (an integer; see :func:`assemble`).
    source_row : numpy.ndarray
        The 1-based row in the file of each row.
    cells : tuple
        The raw values of each column (arrays or Series of one length), missing where the file
        has no value; validation converts them.
    instrument, code, column : pandas.Categorical
        The instrument, item or total code, and file column of each column (of each row, where
        ``per_row``).
    per_row : bool
        Whether the labels are given per row (a tall table, one column) rather than per column.
    record : numpy.ndarray
        Filled in by :func:`assemble`: the record id of each row (n x the number of
        instruments of the columns, by their ``instrument`` code; n x 1 where ``per_row``),
        -1 where the row holds no value of that instrument.
    """

    occasion: np.ndarray
    source_row: np.ndarray
    cells: tuple[Any, ...]
    instrument: pd.Categorical
    code: pd.Categorical
    column: pd.Categorical
    per_row: bool = False
    record: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int32))

    @classmethod
    def from_tall(cls, tall: pd.DataFrame) -> ScoreBlock:
        """The block of a tall table: columns :data:`VALUE_COLUMNS`, one row per value.

        Examples
        --------
        >>> tall = pd.DataFrame({"occasion": [0, 0], "instrument": "a", "code": ["A1", "A2"],
        ...                      "value": [1, 2], "source_row": [1, 2], "column": "AVAL"})
        >>> block = ScoreBlock.from_tall(tall)
        >>> block.code.tolist(), block.present().tolist()
        (['A1', 'A2'], [[True], [True]])
        """
        occasion, instrument, code, value, source_row, column = (tall[c] for c in VALUE_COLUMNS)
        return cls(
            occasion.to_numpy(dtype=np.int64),
            source_row.to_numpy(),
            (value.to_numpy(),),
            *(pd.Categorical(c) for c in (instrument, code, column)),
            per_row=True,
        )

    @property
    def slot(self) -> np.ndarray:
        """Each column's column in :attr:`record`."""
        return np.zeros(1, dtype=np.intp) if self.per_row else self.instrument.codes

    def codes_of(self, name: str, j: int) -> np.ndarray:
        """The codes of a label (``instrument``, ``code``, ``column``) of column ``j``: one for
        the column, or one per row where :attr:`per_row`."""
        codes = getattr(self, name).codes
        return codes if self.per_row else codes[j : j + 1]

    def texts_of(self, name: str, j: int, rows: np.ndarray) -> np.ndarray:
        """A label (``instrument``, ``code``, ``column``) of these rows' cells of column ``j``."""
        labels = getattr(self, name)
        codes = self.codes_of(name, j)
        codes = codes[rows] if self.per_row else np.repeat(codes, len(rows))
        return np.asarray(labels.categories, dtype=object)[codes]

    def present(self) -> np.ndarray:
        """Whether each cell holds a value (n x columns)."""
        present = np.zeros((len(self.occasion), len(self.cells)), dtype=bool, order="F")
        for j, cells in enumerate(self.cells):
            present[:, j] = pd.notna(cells)
        return present

    def scored(self) -> np.ndarray:
        """Whether each row holds a value."""
        return self.present().any(axis=1)


def score_block(
    raw: pd.DataFrame, measures: dict[str, tuple[str, str]], row_key: pd.Series | None = None
) -> ScoreBlock:
    """The score columns of a table with a row per assessment occasion, as a block.

    The columns are taken as they are (no copy): the cells are listed row by row, in the order
    of ``measures`` within a row.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file's table (record ``i`` is ``source_row`` ``raw.index[i] + 1``).
    measures : dict
        Column -> ``(instrument, code)``.
    row_key : pandas.Series, optional
        Occasion id (an integer) per row of ``raw``; defaults to the row position.

    Returns
    -------
    ScoreBlock
        Not yet numbered into records (see :func:`assemble`).

    Examples
    --------
    >>> raw = pd.DataFrame({"A1": ["1", None], "A2": ["2", "3"]})
    >>> block = score_block(raw, {"A1": ("a", "A1"), "A2": ("a", "A2")})
    >>> block.code.tolist(), block.present().tolist()
    (['A1', 'A2'], [[True, True], [False, True]])
    """
    columns = list(measures)
    rows = np.arange(len(raw), dtype=_index_dtype(len(raw)))
    occasion = rows if row_key is None else np.asarray(row_key, dtype=np.int64)
    instruments, codes = zip(*measures.values(), strict=True) if measures else ((), ())
    return ScoreBlock(
        occasion,
        _source_rows(raw.index, rows),
        tuple(raw[c] for c in columns),
        _labels(instruments),
        _labels(codes),
        _labels(columns),
    )


def _source_rows(index: pd.Index, rows: np.ndarray) -> np.ndarray:
    """The 1-based file row of each of these positions of a table with this index."""
    source = index.to_numpy().astype(rows.dtype, copy=False)[rows]
    source += 1
    return source


def _index_dtype(n: int) -> type[np.signedinteger]:
    """Row numbers and record ids of a table of ``n`` rows (or cells): 32 bits where they fit."""
    return np.int32 if n < 2**31 - 1 else np.int64


def _labels(labels: Sequence[Any]) -> pd.Categorical:
    """Labels as a categorical of their distinct values in order of first appearance."""
    codes, categories = pd.factorize(pd.Index(labels, dtype=object))
    return pd.Categorical.from_codes(codes, categories=categories)


def assemble(
    occasions: pd.DataFrame, blocks: Sequence[ScoreBlock]
) -> tuple[pd.DataFrame, tuple[ScoreBlock, ...]]:
    """Records (one per occasion x instrument) and the blocks with their record ids.

    Records are numbered in the order their first value comes in the blocks.

    Parameters
    ----------
    occasions : pandas.DataFrame
        Indexed by occasion id: the context roles, ``source_row`` and covariates of each occasion
        (named by :func:`file_covariates`, so that none takes a name of :data:`RECORD_COLUMNS`).
    blocks : sequence of ScoreBlock
        As :func:`score_block` or :meth:`ScoreBlock.from_tall` return them.

    Returns
    -------
    records : pandas.DataFrame
        As in :class:`Extracted`.
    values : tuple of ScoreBlock
        The blocks, each with its :attr:`~ScoreBlock.record`.

    Examples
    --------
    >>> occasions = pd.DataFrame({"subject": ["S1"], "source_row": [1], "occasion": ["x"]})
    >>> block = score_block(pd.DataFrame({"A1": [2]}), {"A1": ("a", "A1")})
    >>> records, values = assemble(occasions, [block])
    >>> records[["record", "subject", "instrument", "source_row", "occasion"]]
       record subject instrument  source_row occasion
    0       0      S1          a           1        x
    >>> values[0].record.tolist()
    [[0]]
    """
    instruments = list(dict.fromkeys(i for b in blocks for i in b.instrument.categories))
    firsts = [_first_cells(b, instruments) for b in blocks]
    keys = np.concatenate([k for k, _ in firsts]) if firsts else np.zeros(0, dtype=np.int64)
    record, occasion, instrument = _number_records(keys, instruments)
    numbered, start = [], 0
    for block, (key, where) in zip(blocks, firsts, strict=True):
        shape = (len(block.occasion), 1 if block.per_row else len(block.instrument.categories))
        ids = np.full(shape, -1, dtype=record.dtype)
        ids[where] = record[start : start + len(key)]
        start += len(key)
        numbered.append(replace(block, record=ids))
    if len(occasion) == len(occasions) and occasions.index.equals(pd.Index(occasion)):
        context = occasions.reset_index(drop=True)  # a record per occasion, in order: no copy
    else:
        context = occasions.reindex(occasion).reset_index(drop=True)
    records = pd.concat(
        [pd.DataFrame({"record": np.arange(len(occasion)), "instrument": instrument}), context],
        axis=1,
    )
    absent = pd.Series(pd.NA, index=records.index, dtype=object)  # shared, copied on write
    for role in CONTEXT_ROLES:
        if role not in records:
            records[role] = absent
    covariates = [c for c in records if c not in RECORD_COLUMNS]
    return records[[*RECORD_COLUMNS, *covariates]], tuple(numbered)


def _first_cells(
    block: ScoreBlock, instruments: list[str]
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The key (occasion x instrument) of each record's first cell in the block, in cell order,
    and where each goes in :attr:`ScoreBlock.record` (rows, columns)."""
    n_inst = max(len(instruments), 1)
    inst_of = np.array([instruments.index(i) for i in block.instrument.categories], dtype=np.int64)
    present = block.present()
    if block.per_row:
        rows = np.flatnonzero(present[:, 0])
        slots = np.zeros(len(rows), dtype=np.intp)
        inst = inst_of[block.instrument.codes[rows]]
    else:
        slots_of = block.instrument.codes
        n_slots = len(block.instrument.categories)
        first = np.full((len(present), n_slots), len(block.cells), dtype=np.int32)
        for j in range(len(block.cells) - 1, -1, -1):  # the first column of each instrument
            np.copyto(first[:, slots_of[j]], j, where=present[:, j])
        order = np.argsort(first, axis=1, kind="stable") if n_slots > 1 else None
        if order is not None:
            first = np.take_along_axis(first, order, axis=1)
        found = first < len(block.cells)
        rows, k = np.nonzero(found)
        slots = k if order is None else order[rows, k]
        inst = inst_of[slots]
    key = block.occasion[rows].astype(np.int64) * n_inst + inst
    return key, (rows, slots)


def _number_records(
    key: np.ndarray, instruments: list[str]
) -> tuple[np.ndarray, np.ndarray, pd.api.extensions.ExtensionArray]:
    """The record id of each first cell's key, and each record's occasion and instrument (text).

    A record is an occasion x instrument, numbered in order of first appearance: by a running
    count where the keys come in order (a row's records, one instrument after another), else by
    factorizing them.
    """
    n = max(len(instruments), 1)
    if (key[1:] >= key[:-1]).all():
        first = np.ones(len(key), dtype=bool)
        np.not_equal(key[1:], key[:-1], out=first[1:])
        record = np.cumsum(first, dtype=_index_dtype(len(key)))
        record -= 1
        keys = key if first.all() else key[first]
    else:
        record, keys = pd.factorize(key)
    occ_of_record = keys // n
    inst_of_record = keys % n
    return record, occ_of_record, text_labels(inst_of_record, [str(i) for i in instruments])


def text_labels(codes: np.ndarray, labels: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """``labels[code]`` for each code (-1: missing) as text, with no Python string per element.

    Examples
    --------
    >>> text_labels(np.array([1, -1, 0]), ["items", "prorated"]).tolist()
    ['prorated', nan, 'items']
    """
    indices = pa.array(codes, mask=codes < 0)
    dictionary = pa.array(list(labels), type=pa.large_string())
    text = pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string())
    return pd.array(text, dtype="str")


# -- covariates --------------------------------------------------------------------------------

#: What a covariate named like a column of ours is renamed with: ``phase`` -> ``phase_file``.
RENAMED_SUFFIX = "_file"

#: The names a covariate cannot keep, case folded: the frame's and the records' own columns.
_OURS = frozenset(str(c).casefold() for c in (*CORE_COLUMNS, *RECORD_COLUMNS))


def file_covariates(
    columns: Sequence[Any],
    covariates: Sequence[Any],
    *,
    roles: Mapping[str, Any],
    mapped: Collection[str],
    log: ProblemLog,
) -> tuple[dict[str, Any], list[str]]:
    """The name in the frame of each covariate, and notes; collisions with our names resolved.

    One rule for every layout that keeps a file's other columns as covariates:

    * a covariate whose name is, in any case, one of the frame's columns (``phase``,
      ``source_row``, ``VISIT``, ...: :data:`~outcomes.data.columns.CORE_COLUMNS`, and
      ``record``) is kept as ``<name>_file``, with a note; where the file has a covariate of
      that name too, it is an error, ``column-name-taken``, naming both, and the column is left
      out;
    * two columns whose names both read as one role that was detected, not mapped (``visit``
      beside ``VISIT``), are an error, ``ambiguous-column``: which one is the role is not known.

    Parameters
    ----------
    columns : sequence
        The file's columns.
    covariates : sequence
        The columns kept as covariates, in order.
    roles : mapping
        Role -> the column that plays it.
    mapped : collection of str
        The roles the mapping names (never ambiguous).
    log : ProblemLog
        Where problems go.

    Returns
    -------
    names : dict
        Name in the frame -> the file's column, in the order of ``covariates``.
    notes : list of str
        What was renamed and why.

    Examples
    --------
    >>> log = ProblemLog()
    >>> names, notes = file_covariates(["subject", "visit", "phase", "sex"], ["phase", "sex"],
    ...                                roles={"subject": "subject", "visit": "visit"},
    ...                                mapped=(), log=log)
    >>> names
    {'phase_file': 'phase', 'sex': 'sex'}
    >>> notes
    ["covariate(s) renamed, as the frame has columns of their names: 'phase' -> 'phase_file'"]
    """
    _check_ambiguous_roles(columns, roles, mapped, log)
    kept = {str(c) for c in covariates if str(c).casefold() not in _OURS}
    names: dict[str, Any] = {}
    renamed: dict[str, str] = {}
    for column in covariates:
        name = str(column)
        if name.casefold() in _OURS:
            name = f"{name}{RENAMED_SUFFIX}"
            if name in kept:
                _report_taken(log, column, name)
                continue
            renamed[str(column)] = name
        names[name] = column
    listed = ", ".join(f"{old!r} -> {new!r}" for old, new in renamed.items())
    notes = [f"covariate(s) renamed, as the frame has columns of their names: {listed}"]
    return names, notes if renamed else []


def _check_ambiguous_roles(
    columns: Sequence[Any], roles: Mapping[str, Any], mapped: Collection[str], log: ProblemLog
) -> None:
    """Report each detected role whose name another column of the file reads as, too."""
    taken = set(roles.values())
    by_name: dict[str, list[Any]] = {}
    for column in columns:
        by_name.setdefault(normalise(column), []).append(column)
    for role, column in roles.items():
        if role in mapped:
            continue
        others = [c for c in by_name.get(normalise(column), []) if c not in taken]
        if others:
            what = role.replace("_", " ")
            both = " and ".join(repr(c) for c in [column, *others])
            log.add(
                "error",
                "ambiguous-column",
                f"columns {both} {'both' if len(others) == 1 else 'all'} read as the {what} "
                f"(as {normalise(column)!r}), so which one is the {what} is not clear",
                hint=f"name the {what} column with mapping={{{role!r}: '<column>'}}, e.g. "
                f"mapping={{{role!r}: {column!r}}}; the other is then kept as a covariate",
                column=column,
            )


def _report_taken(log: ProblemLog, column: Any, name: str) -> None:
    log.add(
        "error",
        "column-name-taken",
        f"column {str(column)!r} has the name of a column of the frame, so it would be kept as "
        f"{name!r}, but the file has a column {name!r} too",
        hint=f"rename column {str(column)!r} or {name!r} in the file, or keep only the covariates "
        "wanted with mapping={'covariates': [...]}",
        column=column,
    )


def written_total(rows: pd.DataFrame) -> pd.Series:
    """The ``total`` of canonical rows where a writer puts it in a file (:data:`WRITTEN_TOTALS`)."""
    return rows["total"].where(rows["total_source"].isin(WRITTEN_TOTALS))
