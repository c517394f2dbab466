"""What every figure checks in its input: the columns it needs, and one row per unit drawn."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from outcomes.models.frames import as_frame

__all__ = ["frame_of", "one_row_per", "require"]


def frame_of(data: Any) -> pd.DataFrame:
    """The DataFrame of ``data``: itself, or a TrialData's ``frame``."""
    return as_frame(data)


def require(frame: pd.DataFrame, columns: Iterable[str | None], what: str = "data") -> None:
    """Raise ValueError naming every column of ``columns`` (None skipped) that ``frame`` lacks.

    Examples
    --------
    >>> require(pd.DataFrame({"arm": []}), ["arm", "visit"])
    Traceback (most recent call last):
    ...
    ValueError: no column 'visit' in the data (columns: ['arm'])
    """
    absent = [c for c in dict.fromkeys(columns) if c is not None and c not in frame.columns]
    if absent:
        names = ", ".join(repr(c) for c in absent)
        raise ValueError(f"no column {names} in the {what} (columns: {list(frame.columns)})")


def one_row_per(frame: pd.DataFrame, keys: list[str], hint: str) -> None:
    """Raise ValueError when ``frame`` has more than one row for some combination of ``keys``."""
    dupes = frame.duplicated(keys, keep=False)
    if dupes.any():
        first = frame.loc[dupes, keys].iloc[0].tolist()
        raise ValueError(
            f"{int(dupes.sum())} rows share their {' x '.join(keys)} with another "
            f"(first: {first}); {hint}"
        )
