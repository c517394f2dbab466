"""What every layout reader hands on: assessments and the score values behind them.

A layout reader turns a raw table into an :class:`Extracted`: ``records``, one row per assessment
(subject x visit x instrument) with its context as found in the file, and ``values``, one row per
score value (item or total) with the record it belongs to and where it stood in the file. Values
stay raw text or numbers here; :mod:`outcomes.validate.build` checks and converts them, so that
every problem can be reported at the cell it came from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
    "assemble",
    "file_covariates",
    "listed_columns",
    "melt_measures",
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

#: Columns of :attr:`Extracted.values`.
VALUE_COLUMNS: tuple[str, ...] = ("record", "code", "value", "source_row", "column")


@dataclass
class Extracted:
    """A layout reader's output.

    Attributes
    ----------
    records : pandas.DataFrame
        :data:`RECORD_COLUMNS` then covariates; ``record`` is a unique integer id.
    values : pandas.DataFrame
        :data:`VALUE_COLUMNS`: the record id, the item or total code, the raw value, and its
        location (``source_row``, ``column``). Missing cells are not listed.
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
    values: pd.DataFrame
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


def melt_measures(
    raw: pd.DataFrame, measures: dict[str, tuple[str, str]], row_key: pd.Series | None = None
) -> pd.DataFrame:
    """Score cells of a table with a row per assessment occasion, as tall values.

    The cells are listed row by row, in the order of ``measures`` within a row (sorted by
    occasion where ``row_key`` is not increasing). ``instrument``, ``code`` and ``column`` are
    categoricals; ``value`` is float where every score column holds numbers, a categorical of
    the texts where every one holds text, else the cells as objects.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file's table (RangeIndex; record ``i`` is ``source_row`` ``i + 1``).
    measures : dict
        Column -> ``(instrument, code)``.
    row_key : pandas.Series, optional
        Occasion id per row of ``raw``; defaults to the row position.

    Returns
    -------
    pandas.DataFrame
        Columns ``occasion, instrument, code, value, source_row, column``, non-missing cells only.

    Examples
    --------
    >>> raw = pd.DataFrame({"A1": ["1", None], "A2": ["2", "3"]})
    >>> melt_measures(raw, {"A1": ("a", "A1"), "A2": ("a", "A2")})[["occasion", "code", "value"]]
       occasion code value
    0         0   A1     1
    1         0   A2     2
    2         1   A2     3
    """
    if not measures:
        return pd.DataFrame(columns=list(_TALL_COLUMNS))
    columns = list(measures)
    present = np.column_stack([raw[c].notna().to_numpy() for c in columns])
    # A boolean mask takes the cells row by row: the order of the table's cells.
    rows = np.arange(len(raw), dtype=_index_dtype(len(raw)))
    rows = np.broadcast_to(rows[:, None], present.shape)[present]
    position = np.arange(len(columns), dtype=_small_int(len(columns)))
    position = np.broadcast_to(position, present.shape)[present]
    instruments, codes = zip(*measures.values(), strict=True)
    key = rows if row_key is None else np.asarray(row_key)[rows]
    tall = pd.DataFrame(
        {
            "occasion": key,
            "instrument": _cell_labels(position, instruments),
            "code": _cell_labels(position, codes),
            "value": _cell_values(raw[columns], present),
            "source_row": _source_rows(raw.index, rows),
            "column": pd.Categorical.from_codes(position, categories=pd.Index(columns)),
        },
        copy=False,
    )
    if row_key is None or (raw.index.is_monotonic_increasing and row_key.is_monotonic_increasing):
        return tall
    order = np.lexsort((tall["source_row"].to_numpy(), key))  # stable: a row's cells stay in order
    return tall.take(order).reset_index(drop=True)


#: Columns of :func:`melt_measures`' table.
_TALL_COLUMNS = ("occasion", "instrument", "code", "value", "source_row", "column")


def _source_rows(index: pd.Index, rows: np.ndarray) -> np.ndarray:
    """The 1-based file row of each of these positions of a table with this index."""
    source = index.to_numpy().astype(rows.dtype, copy=False)[rows]
    source += 1
    return source


def _small_int(n: int) -> type[np.signedinteger]:
    """The smallest integer type that numbers ``n`` things (as categorical codes)."""
    return np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32


def _index_dtype(n: int) -> type[np.signedinteger]:
    """Row numbers and record ids of a table of ``n`` rows (or cells): 32 bits where they fit."""
    return np.int32 if n < 2**31 - 1 else np.int64


def _cell_values(scores: pd.DataFrame, present: np.ndarray) -> np.ndarray | pd.Categorical:
    """The present cells of the score columns, row by row.

    Floats where every column holds numbers (not bool), a categorical where every one holds
    text, else the cells as objects; validation converts them.
    """
    dtypes = list(scores.dtypes)
    if all(getattr(d, "kind", "O") in "iuf" for d in dtypes):
        return scores.to_numpy(dtype=float, na_value=np.nan)[present]
    if all(isinstance(d, pd.StringDtype) for d in dtypes):
        stacked = pd.concat([scores[c] for c in scores], ignore_index=True)  # column by column
        codes, texts = pd.factorize(stacked)
        by_row = codes.reshape(scores.shape[1], -1).T
        return pd.Categorical.from_codes(by_row[present], categories=texts)
    return scores.to_numpy(dtype=object)[present]


def _cell_labels(position: np.ndarray, labels: Sequence[Any]) -> pd.Categorical:
    """Each cell's label (instrument or code), from the position of its column."""
    codes, categories = pd.factorize(pd.Index(labels, dtype=object))
    return pd.Categorical.from_codes(codes.astype(position.dtype)[position], categories=categories)


def assemble(occasions: pd.DataFrame, tall: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records (one per occasion x instrument) and values from tall score cells.

    Records are numbered in the order their first value comes in ``tall``.

    Parameters
    ----------
    occasions : pandas.DataFrame
        Indexed by occasion id: the context roles, ``source_row`` and covariates of each occasion
        (named by :func:`file_covariates`, so that none takes a name of :data:`RECORD_COLUMNS`).
    tall : pandas.DataFrame
        As returned by :func:`melt_measures`.

    Returns
    -------
    records, values : pandas.DataFrame
        As in :class:`Extracted`.

    Examples
    --------
    >>> occasions = pd.DataFrame({"subject": ["S1"], "source_row": [1], "occasion": ["x"]})
    >>> tall = melt_measures(pd.DataFrame({"A1": [2]}), {"A1": ("a", "A1")})
    >>> records, values = assemble(occasions, tall)
    >>> records[["record", "subject", "instrument", "source_row", "occasion"]]
       record subject instrument  source_row occasion
    0       0      S1          a           1        x
    """
    record, occasion, instrument = _number_records(tall["occasion"], tall["instrument"])
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
    records = records[[*RECORD_COLUMNS, *covariates]]
    columns = {"record": record, **{c: tall[c].array for c in VALUE_COLUMNS[1:]}}
    values = pd.DataFrame(columns, copy=False)
    return records, values


def _number_records(
    occasion: pd.Series, instrument: pd.Series
) -> tuple[np.ndarray, np.ndarray, pd.api.extensions.ExtensionArray]:
    """Each cell's record id, and each record's occasion and instrument (as text).

    A record is an occasion x instrument, numbered in order of first appearance: by a running
    count where the cells come record by record (a row's cells, one instrument after another),
    else by factorizing the pair's integer key.
    """
    if isinstance(instrument.dtype, pd.CategoricalDtype):
        inst_codes, instruments = instrument.cat.codes.to_numpy(), instrument.cat.categories
    else:
        inst_codes, instruments = pd.factorize(instrument)
    numbered = pd.api.types.is_integer_dtype(occasion.dtype)
    occ_codes, occ_ids = (occasion.to_numpy(), None) if numbered else pd.factorize(occasion)
    n = max(len(instruments), 1)
    key = occ_codes if n == 1 else occ_codes.astype(np.int64) * n + inst_codes
    if (key[1:] >= key[:-1]).all():
        first = np.ones(len(key), dtype=bool)
        np.not_equal(key[1:], key[:-1], out=first[1:])
        record = np.cumsum(first, dtype=_index_dtype(len(key)))
        record -= 1
        keys = key if first.all() else key[first]
    else:
        record, keys = pd.factorize(key)
    occ_of_record = keys if n == 1 else keys // n
    if occ_ids is not None:
        occ_of_record = np.asarray(occ_ids)[occ_of_record]
    inst_of_record = np.zeros(len(keys), dtype=np.int8) if n == 1 else keys % n
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
