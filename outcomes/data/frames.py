"""What every analysis takes from its input: the long table, and the columns it needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Union

import numpy as np
import pandas as pd

from outcomes.errors import ArgumentTypeError

if TYPE_CHECKING:
    from outcomes.data.trialdata import TrialData

__all__ = ["FrameLike", "as_frame", "factorize_sorted", "require"]

#: What the analyses take as data: a long DataFrame, or a TrialData (its ``frame`` is used).
FrameLike = Union[pd.DataFrame, "TrialData"]  # noqa: UP007 - a forward reference at runtime


def as_frame(data: FrameLike) -> pd.DataFrame:
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
    raise ArgumentTypeError(f"data must be a DataFrame or a TrialData, not {type(data).__name__}")


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


def factorize_sorted(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pandas.factorize(values, use_na_sentinel=False)``, without hashing sorted text.

    The canonical table is sorted by subject: then the codes count the changes of subject down
    the column and the labels are each run's first, without hashing a million identifiers.

    Examples
    --------
    >>> codes, labels = factorize_sorted(pd.Series(["S1", "S1", "S2"], dtype="str"))
    >>> codes.tolist(), labels.tolist()
    ([0, 0, 1], ['S1', 'S2'])
    >>> factorize_sorted(pd.Series(["S2", "S1", "S2"], dtype="str"))[0].tolist()
    [0, 1, 0]
    """
    names = values.array
    if isinstance(values.dtype, pd.StringDtype) and len(names) > 1 and not values.hasnans:
        if np.asarray(names[:-1] <= names[1:], dtype=bool).all():
            changes = np.asarray(names[:-1] != names[1:], dtype=bool)
            codes = np.concatenate([[0], np.cumsum(changes)])
            starts = np.flatnonzero(np.concatenate([[True], changes]))
            return codes, pd.Index(names.take(starts))
    codes, labels = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Index(labels)
