"""What every analysis takes from its input: the long table, and the columns it needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["as_frame", "require"]


def as_frame(data: Any) -> pd.DataFrame:
    """The DataFrame of ``data``: itself, or a TrialData's ``frame``.

    Examples
    --------
    >>> as_frame(pd.DataFrame({"a": [1]})).shape
    (1, 1)
    """
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "frame"):
        return data.frame
    raise TypeError(f"data must be a DataFrame or a TrialData, not {type(data).__name__}")


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
