"""Treatment effects: forest plots of differences or ratios, and responder rates by arm."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from outcomes.data.frames import as_frame, require
from outcomes.errors import PlotError
from outcomes.plots.style import arm_colors, levels, new_axes

__all__ = ["forest", "responder_bars", "split_contrast"]


def split_contrast(contrast: str) -> tuple[str, str]:
    """The arm and the reference arm of a contrast label ``"<arm> - <reference>"``.

    Examples
    --------
    >>> split_contrast("DMT - PLACEBO")
    ('DMT', 'PLACEBO')
    """
    arm, sep, reference = str(contrast).rpartition(" - ")
    if not sep or not arm or not reference:
        raise PlotError(f"contrast {contrast!r} is not of the form '<arm> - <reference>'")
    return arm, reference


def forest(
    table: pd.DataFrame,
    *,
    label: str = "visit",
    estimate: str = "estimate",
    low: str = "conf_low",
    high: str = "conf_high",
    ax: Axes | None = None,
    null: float = 0.0,
    log: bool = False,
) -> Axes:
    """Estimates with their confidence intervals, one row each, and a vertical line at no effect.

    Parameters
    ----------
    table : DataFrame
        One row per estimate, e.g. ``fit.contrasts("arm", by="visit")`` or a table of subgroups;
        drawn top to bottom in table order.
    label, estimate, low, high : str
        The row label, estimate and interval columns.
    ax : Axes, optional
    null : float
        The value of no effect; with ``log=True`` a ``null`` of 0 is taken as 1.
    log : bool
        For ratios (odds, hazard): a logarithmic x axis.

    Returns
    -------
    Axes
        Rows at y = n - 1, ..., 0 (the first row on top). Per contrast (column ``contrast``;
        else one group named after ``estimate``), the points as a marker-only line labelled with
        the contrast and the intervals as a LineCollection with the gid ``"ci:<contrast>"``, in
        the colour of the contrast's arm (the reference arm has the first colour); the null line
        has the gid ``"null"``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"contrast": "DMT - PLACEBO", "visit": ["WEEK 1", "WEEK 2"],
    ...                       "estimate": [-9.4, -6.1], "conf_low": [-14.9, -11.8],
    ...                       "conf_high": [-3.8, -0.4]})
    >>> ax = forest(table)
    >>> ax.get_lines()[0].get_xdata().tolist()
    [-9.4, -6.1]
    >>> plt.close("all")
    """
    table = as_frame(table)
    require(table, [label, estimate, low, high], what="table")
    if table.empty:
        raise PlotError("the table has no rows to draw")
    if log:
        null = 1.0 if null == 0 else null
        values = table[[estimate, low, high]].to_numpy(float)
        if (values[~np.isnan(values)] <= 0).any():
            raise PlotError(f"log=True needs positive {estimate}, {low} and {high}")
    y = np.arange(len(table))[::-1].astype(float)
    if "contrast" in table.columns:
        groups = table["contrast"].astype(object)
    else:
        groups = pd.Series(estimate, index=table.index, dtype=object)
    names = levels(groups)
    palette = list(arm_colors(range(len(names) + 1)).values())[1:]
    ax = new_axes(ax, figsize=(6.0, 1.5 + 0.35 * len(table)))
    for name, color in zip(names, palette, strict=True):
        mine = (groups == name).to_numpy()
        part = table[mine]
        lows, highs = part[low].to_numpy(float), part[high].to_numpy(float)
        ci = ax.hlines(y[mine], lows, highs, colors=[color], linewidth=1.5)
        ci.set_label(f"_{name} CI")
        ci.set_gid(f"ci:{name}")
        ax.plot(
            part[estimate].to_numpy(float),
            y[mine],
            linestyle="none",
            marker="o",
            color=color,
            label=str(name),
        )
    line = ax.axvline(null, color="0.4", linestyle="--", linewidth=1, label=f"no effect ({null:g})")
    line.set_gid("null")
    if log:
        ax.set_xscale("log")
    ax.set_yticks(y, table[label].astype(str).tolist())
    ax.set_ylim(-0.75, len(table) - 0.25)
    ax.set_ylabel(label)
    ax.set_xlabel(_effect_label(table, estimate, log))
    ax.legend(loc="best")
    return ax


def _effect_label(table: pd.DataFrame, estimate: str, log: bool) -> str:
    kind = "ratio" if log else "difference"
    if "contrast" in table.columns and table["contrast"].nunique() == 1:
        return f"{kind} {table['contrast'].iloc[0]} (CI)"
    return f"{estimate} (CI)" if estimate != "estimate" else f"{kind} (CI)"


def responder_bars(
    table: pd.DataFrame, *, by: str | None = "visit", ax: Axes | None = None
) -> Axes:
    """Percent responders per arm at each visit (or other ``by`` level), as grouped bars.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`outcomes.responders`: ``by``, ``contrast`` (``"<arm> -
        <reference>"``), ``percent`` (the arm) and ``percent_reference``.
    by : str or None
        The column of the bar groups; None for a table without one (one group).
    ax : Axes, optional

    Returns
    -------
    Axes
        One bar container per arm, the reference arm first, labelled with the arm; bars at
        x = group position + offset, heights the percentages (missing where an arm has no row).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"visit": ["WEEK 1", "WEEK 2"], "contrast": "DMT - PLACEBO",
    ...                       "percent": [45.0, 35.0], "percent_reference": [5.3, 5.3]})
    >>> ax = responder_bars(table)
    >>> [(c.get_label(), [float(b.get_height()) for b in c]) for c in ax.containers]
    [('PLACEBO', [5.3, 5.3]), ('DMT', [45.0, 35.0])]
    >>> plt.close("all")
    """
    table = as_frame(table)
    require(table, [by, "contrast", "percent", "percent_reference"], what="table")
    if table.empty:
        raise PlotError("the table has no rows to draw")
    groups = levels(table[by]) if by else [""]
    position = {g: float(i) for i, g in enumerate(groups)}
    pairs = [split_contrast(c) for c in table["contrast"]]
    references = list(dict.fromkeys(ref for _, ref in pairs))
    arms = references + [a for a in dict.fromkeys(a for a, _ in pairs) if a not in references]
    rates: dict[tuple[Any, Any], float] = {}
    levels_by = table[by].tolist() if by else [""] * len(table)
    rows = zip(levels_by, pairs, table["percent"], table["percent_reference"], strict=True)
    for level, (arm, reference), percent, percent_reference in rows:
        for name, rate in ((arm, percent), (reference, percent_reference)):
            if (level, name) in rates and not np.isclose(rates[level, name], rate, equal_nan=True):
                raise PlotError(f"the table gives two percentages of {name!r} at {level!r}")
            rates[level, name] = float(rate)
    colors = arm_colors(arms)
    width = 0.8 / len(arms)
    ax = new_axes(ax)
    for i, arm in enumerate(arms):
        x = np.array([position[g] for g in groups]) + (i - (len(arms) - 1) / 2) * width
        heights = [rates.get((g, arm), np.nan) for g in groups]
        bars = ax.bar(x, heights, width=width, color=colors[arm], label=str(arm))
        ax.bar_label(bars, fmt="%.0f", fontsize="x-small", padding=1)
    if by:
        ax.set_xticks(range(len(groups)), [str(g) for g in groups], rotation=45, ha="right")
        ax.set_xlabel(by)
    else:
        ax.set_xticks([])
    ax.set_ylabel("% responders")
    top = np.nanmax([*rates.values(), 0.0])
    ax.set_ylim(0, max(100.0, top) * 1.05)
    ax.legend(title="arm")
    return ax
