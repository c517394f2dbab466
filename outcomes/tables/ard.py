"""Analysis Results Data (ARD): every result as rows of one long table, one row per statistic.

The layout is that of the pharmaverse ``cards`` package's ARD, so R's tooling (cards,
gtsummary) reads it: the grouping variables and their levels (``group1``, ``group1_level``,
``group2``, ...), the ``variable`` the statistic describes, ``stat_name`` and ``stat_label``,
the raw value ``stat`` and the value as the tables print it, ``stat_fmt``, plus ``analysis``
(the analysis that produced it) and ``method`` (how). Formatted values follow the rules of
:func:`~outcomes.tables.from_frame`, with the same code: a table made from a results frame prints
exactly the ``stat_fmt`` of its rows.

A results frame becomes rows so: its label columns (text, categories: arm, visit, contrast,
...) are the groups, in their order; every other column is a statistic, one row per frame row.
Text that annotates rather than labels (a column named ``*note``, ``interpretation``,
``missing``, ``missing_rule``) is a statistic whose ``stat`` is missing and whose ``stat_fmt`` is
the text; a yes/no column has ``stat`` 1 or 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ArgumentTypeError
from outcomes.tables.builders.common import decimals_for
from outcomes.tables.builders.generic import format_value, label_of, quantity_of
from outcomes.tables.format import is_missing

__all__ = ["ARD_COLUMNS", "combine_ard", "to_ard"]

#: The columns of an ARD, the groups (as many as the widest result needs) after ``analysis``.
ARD_COLUMNS: tuple[str, ...] = (
    "analysis",
    "variable",
    "group1",
    "group1_level",
    "stat_name",
    "stat_label",
    "stat",
    "stat_fmt",
    "method",
)

_NOTES = ("interpretation", "missing", "missing_rule")


def _is_note(name: str) -> bool:
    return name in _NOTES or name.endswith("note")


def to_ard(
    frame: pd.DataFrame,
    *,
    variable: str,
    analysis: str = "",
    method: str = "",
    decimals: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """A results frame as ARD rows (see the module's docstring).

    Parameters
    ----------
    frame : DataFrame
        Tidy results at full precision, string column names.
    variable : str
        What its statistics describe: the result's name (``"primary_contrasts"``).
    analysis, method : str
        The analysis that produced it, and how (a short phrase).
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS` for ``stat_fmt``.

    Returns
    -------
    DataFrame
        The columns of :data:`ARD_COLUMNS`, with ``groupK``/``groupK_level`` for each label
        column; in the frame's row order, each row's statistics in column order.

    Examples
    --------
    >>> frame = pd.DataFrame({"contrast": ["DMT - PLACEBO"], "estimate": [-7.3456],
    ...                       "p_value": [0.00042]})
    >>> ard = to_ard(frame, variable="primary_contrasts", analysis="primary", method="MMRM")
    >>> ard[["group1", "group1_level", "stat_name", "stat", "stat_fmt"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'group1': 'contrast', 'group1_level': 'DMT - PLACEBO', 'stat_name': 'estimate',
      'stat': -7.3456, 'stat_fmt': '-7.35'},
     {'group1': 'contrast', 'group1_level': 'DMT - PLACEBO', 'stat_name': 'p_value',
      'stat': 0.00042, 'stat_fmt': '<0.001'}]
    """
    bad = [c for c in frame.columns if not isinstance(c, str)]
    if bad:
        raise ArgumentTypeError(f"column names must be strings, not {bad}")
    data = frame.reset_index(drop=True)
    dec = decimals_for(decimals)
    quantities = {c: quantity_of(c, data[c]) for c in data.columns}
    groups = [c for c in data.columns if quantities[c] == "text" and not _is_note(c)]
    stats = [c for c in data.columns if c not in groups]
    records = []
    for _, row in data.iterrows():
        levels = {}
        for k, name in enumerate(groups, start=1):
            levels[f"group{k}"] = name
            levels[f"group{k}_level"] = None if is_missing(row[name]) else str(row[name])
        for name in stats:
            value = row[name]
            records.append(
                {
                    "analysis": analysis,
                    "variable": variable,
                    **levels,
                    "stat_name": name,
                    "stat_label": label_of(name),
                    "stat": _raw(value, quantities[name]),
                    "stat_fmt": format_value(value, quantities[name], dec),
                    "method": method,
                }
            )
    return _ordered(pd.DataFrame.from_records(records), len(groups))


def combine_ard(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """ARDs one below the other, with the groups of the widest.

    Examples
    --------
    >>> a = to_ard(pd.DataFrame({"x": [1.5]}), variable="a")
    >>> b = to_ard(pd.DataFrame({"arm": ["DMT"], "x": [2.5]}), variable="b")
    >>> combine_ard([a, b])[["variable", "group1_level", "stat_fmt"]].to_dict("list")
    {'variable': ['a', 'b'], 'group1_level': [None, 'DMT'], 'stat_fmt': ['1.50', '2.50']}
    """
    parts = [p for p in parts if len(p)]
    if not parts:
        return _ordered(pd.DataFrame(columns=list(ARD_COLUMNS)), 1)
    width = max(_groups(p) for p in parts)
    combined = pd.concat([p.astype({"stat": float}) for p in parts], ignore_index=True)
    return _ordered(combined, width)


def _raw(value: Any, quantity: str) -> float:
    if quantity == "text" or is_missing(value):
        return np.nan
    return float(bool(value)) if quantity == "bool" else float(value)


def _groups(ard: pd.DataFrame) -> int:
    return sum(1 for c in ard.columns if c.startswith("group") and not c.endswith("_level"))


def _ordered(ard: pd.DataFrame, width: int) -> pd.DataFrame:
    """The ARD's columns in :data:`ARD_COLUMNS` order, ``width`` groups (missing ones empty)."""
    groups = [f"group{k}{s}" for k in range(1, max(width, 1) + 1) for s in ("", "_level")]
    columns = [*ARD_COLUMNS[:2], *groups, *ARD_COLUMNS[4:]]
    out = ard.reindex(columns=columns)
    out[groups] = out[groups].astype(object).where(out[groups].notna(), None)
    out["stat"] = out["stat"].astype(float)
    return out.reset_index(drop=True)
