"""Scoring: totals from items, with reverse keying and an explicit missing-item policy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.instruments.definition import Band, Instrument

__all__ = ["TOTAL_SOURCES", "keyed_items", "score", "score_items", "severity_band"]


#: Where a scored total comes from, by the codes :func:`score_items` gives (-1: not scored).
TOTAL_SOURCES = ("items", "prorated")


def keyed_items(instrument: Instrument, items: pd.DataFrame) -> pd.DataFrame:
    """The item responses with reverse-keyed items turned round (``min + max - x``).

    Parameters
    ----------
    instrument : Instrument
        The instrument whose items these are.
    items : pandas.DataFrame
        One column per item code (all of ``instrument.item_codes``), raw responses as recorded.

    Returns
    -------
    pandas.DataFrame
        Float columns, same index, reverse-keyed items reversed, missing kept missing.

    Examples
    --------
    >>> from outcomes.instruments.definition import Instrument, Item
    >>> toy = Instrument("toy", "Toy", "test", (Item("T1", "a", 1, 5), Item("T2", "b", 1, 5, True)),
    ...                  "TTOT")
    >>> keyed_items(toy, pd.DataFrame({"T1": [1, 5], "T2": [1, 4]})).values.tolist()
    [[1.0, 5.0], [5.0, 2.0]]
    """
    codes = instrument.item_codes
    numbers = np.empty((len(items), len(codes)), order="F")  # column by column, as pandas sums
    for k, code in enumerate(codes):
        column = items[code]
        if not pd.api.types.is_numeric_dtype(column):
            column = pd.to_numeric(column, errors="coerce")
        numbers[:, k] = column.to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(_reverse(instrument, numbers), index=items.index, columns=codes)


def _reverse(instrument: Instrument, numbers: np.ndarray) -> np.ndarray:
    """Turn the reverse-keyed items' columns round, in place."""
    for k, item in enumerate(instrument.items):
        if item.reverse:
            numbers[:, k] = item.min + item.max - numbers[:, k]
    return numbers


def score(instrument: Instrument, items: pd.DataFrame, *, max_missing: int = 0) -> pd.DataFrame:
    """Total scores from item responses.

    The missing-item policy is explicit: with ``max_missing=0`` (the default) a total is scored
    only when every item is answered. With ``max_missing=k`` a total with at most ``k`` missing
    items is prorated by the instrument's published rule (:attr:`Instrument.proration`): for
    ``"count"``, the mean of the answered (keyed) items times the number of items for a summed
    scale, their mean for a mean-scored scale; for ``"maximum"``, what the answered items score
    above their minimum, times the scale's range over the answered items' range, plus the
    scale's minimum. More missing items give no total.

    Parameters
    ----------
    instrument : Instrument
        The instrument.
    items : pandas.DataFrame
        Raw responses, one column per item code.
    max_missing : int, default 0
        Most items that may be missing for a prorated total.

    Returns
    -------
    pandas.DataFrame
        Columns ``total`` (float, missing where not scored) and ``total_source``
        (``"items"``, ``"prorated"`` or missing), on the index of ``items``.

    Examples
    --------
    >>> from outcomes.instruments.definition import Instrument, Item
    >>> toy = Instrument("toy", "Toy", "test",
    ...                  tuple(Item(f"T{i}", str(i), 0, 3) for i in range(1, 5)), "TTOT")
    >>> items = pd.DataFrame({"T1": [1, 1, 1], "T2": [2, 2, None], "T3": [3, None, None],
    ...                       "T4": [0, 3, 3]})
    >>> score(toy, items, max_missing=1)["total"].tolist()
    [6.0, 8.0, nan]
    >>> score(toy, items, max_missing=1)["total_source"].tolist()
    ['items', 'prorated', nan]
    """
    _check_policy(max_missing)
    if instrument.totals_only:  # registered by its total: nothing to score from
        return pd.DataFrame(
            {"total": np.nan, "total_source": pd.Series(np.nan, index=items.index, dtype=object)},
            index=items.index,
        )
    keyed = keyed_items(instrument, items).to_numpy()
    total, source = _totals(instrument, keyed, max_missing)
    sources = np.array([*TOTAL_SOURCES, np.nan], dtype=object)  # code -1: the last, missing
    return pd.DataFrame(
        {
            "total": total,
            "total_source": pd.Series(sources[source], index=items.index, dtype=object),
        }
    )


def score_items(
    instrument: Instrument, items: np.ndarray, *, max_missing: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Totals from a matrix of numeric item responses, as :func:`score` scores them.

    Parameters
    ----------
    instrument : Instrument
        The instrument (not one registered by its total only).
    items : numpy.ndarray
        Float raw responses, a row per respondent and a column per item in
        ``instrument.item_codes`` order, NaN where missing; not modified.
    max_missing : int, default 0
        Most items that may be missing for a prorated total.

    Returns
    -------
    total : numpy.ndarray
        Float, NaN where not scored.
    source : numpy.ndarray
        Int8 codes into :data:`TOTAL_SOURCES`, -1 where not scored.

    Examples
    --------
    >>> from outcomes.instruments.definition import Instrument, Item
    >>> toy = Instrument("toy", "Toy", "test", (Item("T1", "a", 0, 3), Item("T2", "b", 0, 3)),
    ...                  "TTOT")
    >>> score_items(toy, np.array([[1.0, 2.0], [1.0, np.nan]]), max_missing=1)
    (array([3., 2.]), array([0, 1], dtype=int8))
    """
    _check_policy(max_missing)
    reversing = any(item.reverse for item in instrument.items)
    keyed = np.array(items, dtype=float, order="F", copy=reversing or None)
    return _totals(instrument, _reverse(instrument, keyed), max_missing)


def _check_policy(max_missing: int) -> None:
    if max_missing < 0:
        raise ValueError(f"max_missing must be 0 or more, not {max_missing}")


def _totals(
    instrument: Instrument, keyed: np.ndarray, max_missing: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's total and the code of its source (see :func:`score_items`).

    ``keyed`` is column-major, so that sums add the items in order, as pandas does.
    """
    # In place where it can be: at a million rows of ten items each array is 80 MB.
    answered = np.isnan(keyed)
    np.logical_not(answered, out=answered)
    n_missing = len(instrument.items) - answered.sum(axis=1, dtype=np.int32)
    complete = n_missing == 0
    if instrument.scoring == "mean":
        total = _prorated(instrument, keyed, answered)
    elif max_missing == 0:  # complete rows only: no proration to compute
        del answered
        total = keyed.sum(axis=1)
    else:  # sum exactly where complete, so that integer totals stay integers
        total = np.where(complete, keyed.sum(axis=1), _prorated(instrument, keyed, answered))
    unusable = (n_missing > max_missing) | (n_missing >= len(instrument.items))
    source = np.where(complete, np.int8(0), np.int8(1))
    source[unusable] = -1
    total[unusable] = np.nan
    return total, source


def _prorated(instrument: Instrument, keyed: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """The total each row would have by the instrument's proration rule (exact where complete)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # no item answered: no total
        if instrument.proration == "maximum":
            low = np.array([i.min for i in instrument.items], dtype=float)
            span = np.array([i.max - i.min for i in instrument.items], dtype=float)
            above = np.ascontiguousarray(np.where(answered, keyed - low, 0.0))  # row by row
            scale = span.sum() / (answered * span).sum(axis=1)
            return low.sum() + above.sum(axis=1) * scale
        mean = np.where(answered, keyed, 0.0).sum(axis=1) / answered.sum(axis=1)
    return mean if instrument.scoring == "mean" else mean * len(instrument.items)


def severity_band(instrument: Instrument, total: pd.Series) -> pd.Series:
    """The severity band of each total, as an ordered categorical (missing where no band applies).

    A band runs from its ``low`` up to the next band's ``low`` (so a prorated total of 19.5 on the
    MADRS is "mild", the band 7-19, rather than in no band), the last band up to its
    ``high`` inclusive.

    Examples
    --------
    >>> from outcomes.instruments.definition import Band, Instrument, Item
    >>> toy = Instrument("toy", "Toy", "test", (Item("T1", "a", 0, 10),), "TTOT",
    ...                  bands=(Band("low", 0, 4), Band("high", 5, 10)))
    >>> severity_band(toy, pd.Series([0, 4.5, 7, 11, None])).tolist()
    ['low', 'low', 'high', nan, nan]
    """
    labels = [b.label for b in instrument.bands]
    out = pd.Series(pd.NA, index=total.index, dtype=object)
    values = pd.to_numeric(total, errors="coerce")
    bands: list[Band] = sorted(instrument.bands, key=lambda b: b.low)
    uppers: list[float | None] = [b.low for b in bands[1:]]
    for band, upper in zip(bands, [*uppers, None][: len(bands)], strict=True):
        inside = (values >= band.low) & (
            values < upper if upper is not None else values <= band.high
        )
        out[inside] = band.label
    return pd.Series(pd.Categorical(out, categories=labels, ordered=True), index=total.index)
