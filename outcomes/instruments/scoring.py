"""Scoring: totals from items, with reverse keying and an explicit missing-item policy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.instruments.definition import Band, Instrument

__all__ = ["keyed_items", "score", "severity_band"]


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
    out = items[instrument.item_codes].apply(pd.to_numeric, errors="coerce").astype(float)
    for item in instrument.items:
        if item.reverse:
            out[item.code] = item.min + item.max - out[item.code]
    return out


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
    if max_missing < 0:
        raise ValueError(f"max_missing must be 0 or more, not {max_missing}")
    if instrument.totals_only:  # registered by its total: nothing to score from
        return pd.DataFrame(
            {"total": np.nan, "total_source": pd.Series(np.nan, index=items.index, dtype=object)},
            index=items.index,
        )
    keyed = keyed_items(instrument, items)
    n_items = len(instrument.items)
    n_missing = keyed.isna().sum(axis=1)
    total = _prorated(instrument, keyed)
    complete = n_missing == 0
    if instrument.scoring == "sum":
        # Sum exactly where complete, so that integer totals stay integers.
        total = total.where(~complete, keyed.sum(axis=1))
    usable = n_missing <= max_missing
    usable &= n_missing < n_items
    total = total.where(usable)
    source = pd.Series(np.where(complete, "items", "prorated"), index=items.index, dtype=object)
    source = source.where(usable)
    return pd.DataFrame({"total": total.astype(float), "total_source": source})


def _prorated(instrument: Instrument, keyed: pd.DataFrame) -> pd.Series:
    """The total each row would have by the instrument's proration rule (exact where complete)."""
    if instrument.proration == "maximum":
        low = np.array([i.min for i in instrument.items], dtype=float)
        span = np.array([i.max - i.min for i in instrument.items], dtype=float)
        answered = keyed.notna().to_numpy()
        above = (keyed.to_numpy() - low).copy()
        above[~answered] = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):  # no item answered: no total
            scale = span.sum() / (answered * span).sum(axis=1)
            total = low.sum() + above.sum(axis=1) * scale
        return pd.Series(total, index=keyed.index)
    mean = keyed.mean(axis=1, skipna=True)
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
