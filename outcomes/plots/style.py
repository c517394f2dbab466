"""The look every figure shares: the colour-blind-safe palette, the order of the arms, new axes.

Arms keep one order, and so one colour each, across figures: the order of the column's categories
when it is categorical (the long table of :func:`outcomes.derive` lists the reference arm first),
otherwise the order in which the arms first appear (the package's tables, such as
``MMRMFit.lsmeans`` and :func:`outcomes.responders`, list the reference arm first). To choose the
order, make the column an ordered categorical. The *k*-th arm gets the *k*-th colour of seaborn's
``"colorblind"`` palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

__all__ = [
    "FIGSIZE",
    "PALETTE",
    "arm_colors",
    "levels",
    "new_axes",
    "value_label",
    "visit_ticks",
]

#: The seaborn palette of every figure (distinguishable with the common colour-vision deficiencies).
PALETTE = "colorblind"

#: Size in inches of a figure made when no ``ax`` is given.
FIGSIZE = (7.0, 4.5)

_VALUE_NAMES = {
    "total": "total",
    "chg": "change from baseline",
    "pchg": "% change from baseline",
}


def levels(column: pd.Series) -> list[Any]:
    """The values present in ``column``, in category order, else in order of first appearance.

    Examples
    --------
    >>> levels(pd.Series(["DMT", "PLACEBO", "DMT"]))
    ['DMT', 'PLACEBO']
    >>> levels(pd.Series(pd.Categorical(["DMT", "PLACEBO"], categories=["PLACEBO", "DMT"])))
    ['PLACEBO', 'DMT']
    """
    present = column.dropna()
    if isinstance(column.dtype, pd.CategoricalDtype):
        seen = set(present.unique())
        return [c for c in column.cat.categories if c in seen]
    return list(pd.unique(present))


def arm_colors(arms: Sequence[Any]) -> dict[Any, tuple[float, float, float]]:
    """The colour of each arm, in the given order (the reference arm first).

    Examples
    --------
    >>> colors = arm_colors(["PLACEBO", "DMT"])
    >>> colors["PLACEBO"] == sns.color_palette("colorblind")[0]
    True
    """
    palette = sns.color_palette(PALETTE)
    return {arm: palette[i % len(palette)] for i, arm in enumerate(arms)}


def new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax`` itself, or the Axes of a new figure (constrained layout) when it is None."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def value_label(value: str, instrument: str | None = None) -> str:
    """An axis label for a value column: ``"MADRS change from baseline"``.

    Examples
    --------
    >>> value_label("chg", "madrs")
    'MADRS change from baseline'
    >>> value_label("meq30")
    'meq30'
    """
    name = _VALUE_NAMES.get(value, value)
    return f"{instrument.upper()} {name}" if instrument else name


def visit_ticks(ax: Axes, visits: Sequence[Any], label: str = "visit") -> None:
    """Label x positions 0, 1, ... with the visits (rotated) and the axis with ``label``."""
    ax.set_xticks(range(len(visits)), [str(v) for v in visits], rotation=45, ha="right")
    ax.set_xlabel(label)
