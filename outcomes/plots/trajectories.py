"""Outcomes over the visits by arm: observed means, change from baseline, and model LS means.

:func:`observed_means` and :func:`change_by_visit` summarise the observed values (observed cases:
a subject without a value at a visit does not count there) as the mean with a t-based confidence
interval, ``mean +/- t(1 - (1 - conf_level) / 2, n - 1) * sd / sqrt(n)``;
:func:`lsmeans_trajectory` draws a model's LS means (e.g. ``MMRMFit.lsmeans(["arm", "visit"])``)
with their intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats
from matplotlib.axes import Axes

from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.errors import PlotError
from outcomes.plots.dosing import VisitAxis, mark_dosing
from outcomes.plots.inputs import one_row_per
from outcomes.plots.style import arm_colors, levels, new_axes, value_label, visit_ticks

__all__ = ["change_by_visit", "lsmeans_trajectory", "mean_ci", "observed_means"]

#: Horizontal offset between arms on a visit axis, so that their error bars do not overlap.
DODGE = 0.08

Dosing = Sequence[Any] | Mapping[str, Any] | None


def mean_ci(
    rows: pd.DataFrame, outcome: str, by: list[str], conf_level: float = 0.95
) -> pd.DataFrame:
    """Mean of ``outcome`` by ``by`` with its t-based confidence interval (missing values dropped).

    Returns
    -------
    DataFrame
        ``by`` columns, then ``n, mean, sd, conf_low, conf_high`` (the interval is missing where
        ``n < 2``), in order of first appearance.

    Examples
    --------
    >>> df = pd.DataFrame({"arm": ["A"] * 3, "y": [1.0, 2.0, 3.0]})
    >>> mean_ci(df, "y", ["arm"]).round(3).values.tolist()
    [['A', 3, 2.0, 1.0, -0.484, 4.484]]
    """
    if not 0 < conf_level < 1:
        raise PlotError(f"conf_level must be between 0 and 1, not {conf_level!r}")
    try:
        y = pd.to_numeric(rows[outcome]).astype(float)
    except (TypeError, ValueError) as exc:
        raise PlotError(f"column {outcome!r} is not numeric") from exc
    stats = (
        rows.assign(_y=y)
        .groupby(by, observed=True, sort=False)["_y"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    stats = stats[stats["n"] > 0].reset_index(drop=True)
    n = stats["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = scipy.stats.t.ppf((1 + conf_level) / 2, n - 1) * stats["sd"].to_numpy() / np.sqrt(n)
    stats["conf_low"] = stats["mean"] - half
    stats["conf_high"] = stats["mean"] + half
    return stats


@renamed(value="outcome", group="arm", ci="conf_level")
def observed_means(
    data: FrameLike,
    *,
    outcome: str = "total",
    visit: str = "visit",
    arm: str = "arm",
    instrument: str | None = None,
    conf_level: float = 0.95,
    ax: Axes | None = None,
    dosing: Dosing = None,
    x: str | None = None,
) -> Axes:
    """Mean of ``outcome`` by arm and visit, with t-based confidence intervals as error bars.

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table: one row per subject x visit (x instrument).
    outcome, visit, arm : str
        The outcome, visit and arm columns.
    instrument : str, optional
        Keep the rows of this instrument only (column ``instrument``).
    conf_level : float
        Confidence level of the intervals.
    ax : Axes, optional
        Where to draw; a new figure when None.
    dosing : sequence or mapping, optional
        Study days or visit labels of the dosing sessions (see :mod:`outcomes.plots.dosing`).
    x : str, optional
        None for the visits in order on a categorical axis (arms dodged slightly); a numeric
        column, e.g. ``"study_day"``, to place each visit at its mean value of that column
        (over all arms).

    Returns
    -------
    Axes
        One error-bar container per arm, labelled with the arm.

    Notes
    -----
    Observed cases: rows with a missing value are left out; a visit with one value has no
    interval.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import outcomes
    >>> from outcomes.plots import dosing_days
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> ax = observed_means(trial.frame, instrument="madrs", dosing=dosing_days(trial.schedule))
    >>> ax.get_ylabel()
    'MADRS total: mean (95% CI)'
    >>> [c.get_label() for c in ax.containers]
    ['PLACEBO', 'DMT']
    >>> plt.close("all")
    """
    frame = as_frame(data)
    require(frame, [outcome, visit, arm, "instrument" if instrument else None, x])
    rows = frame if instrument is None else frame[frame["instrument"] == instrument]
    rows = rows[rows[outcome].notna() & rows[arm].notna() & rows[visit].notna()]
    if rows.empty:
        which = f" of instrument {instrument!r}" if instrument else ""
        raise PlotError(f"no rows{which} with a value of {outcome!r} to draw")
    summary = mean_ci(rows, outcome, [arm, visit], conf_level)
    visits = levels(rows[visit])
    axis = _visit_axis(frame, rows, visit, visits, x)
    arms = levels(rows[arm])
    colors = arm_colors(arms)
    ax = new_axes(ax)
    for i, arm_level in enumerate(arms):
        part = summary[summary[arm] == arm_level]
        part = part.assign(_x=part[visit].map(axis.positions).astype(float))
        part = part.sort_values("_x")
        offset = 0.0 if axis.numeric else (i - (len(arms) - 1) / 2) * DODGE
        mean = part["mean"].to_numpy(float)
        low, high = part["conf_low"].to_numpy(float), part["conf_high"].to_numpy(float)
        yerr = np.vstack([mean - low, high - mean])
        ax.errorbar(
            part["_x"].to_numpy(float) + offset,
            mean,
            yerr=yerr,
            color=colors[arm_level],
            marker="o",
            markersize=4,
            capsize=3,
            linewidth=1.5,
            label=str(arm_level),
        )
    if axis.numeric:
        ax.set_xlabel(x.replace("_", " "))
    else:
        visit_ticks(ax, visits, visit)
    ax.set_ylabel(f"{value_label(outcome, instrument)}: mean ({100 * conf_level:g}% CI)")
    mark_dosing(ax, dosing, axis)
    ax.legend(title=arm)
    return ax


@renamed(value="outcome", group="arm", ci="conf_level")
def change_by_visit(
    data: FrameLike,
    *,
    outcome: str = "chg",
    visit: str = "visit",
    arm: str = "arm",
    instrument: str | None = None,
    conf_level: float = 0.95,
    ax: Axes | None = None,
    dosing: Dosing = None,
    x: str | None = None,
) -> Axes:
    """Mean change from baseline by arm and visit, with confidence intervals and a line at 0.

    :func:`observed_means` of ``outcome`` (default ``chg``; ``pchg`` for the percent change), with
    a horizontal line at no change. Parameters and return as there.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> ax = change_by_visit(trial, instrument="madrs", dosing=["DOSE 1", "DOSE 2"])
    >>> ax.get_ylabel()
    'MADRS change from baseline: mean (95% CI)'
    >>> plt.close("all")
    """
    ax = observed_means(
        data,
        outcome=outcome,
        visit=visit,
        arm=arm,
        instrument=instrument,
        conf_level=conf_level,
        ax=ax,
        dosing=dosing,
        x=x,
    )
    zero = ax.axhline(0.0, color="0.5", linewidth=0.8, zorder=1, label="_no change")
    zero.set_gid("null")
    return ax


@renamed(group="arm")
def lsmeans_trajectory(
    lsmeans: pd.DataFrame,
    *,
    visit: str = "visit",
    arm: str = "arm",
    ax: Axes | None = None,
    dosing: Dosing = None,
) -> Axes:
    """LS means by arm and visit as lines, with their confidence intervals as bands.

    Parameters
    ----------
    lsmeans : DataFrame
        One row per arm x visit with ``estimate``, ``conf_low`` and ``conf_high``, e.g.
        ``fit.lsmeans(["arm", "visit"])`` of an :func:`outcomes.mmrm` fit. Visits are drawn in
        their order in the table (or their category order).
    visit, arm : str
        The visit and arm columns.
    ax : Axes, optional
    dosing : sequence or mapping, optional
        Visit labels of the table, or (as the table has no study days) a mapping from label to
        visit, e.g. ``{"dose 2": "WEEK 2"}``.

    Returns
    -------
    Axes
        Per arm, a line labelled with the arm and a band with the gid ``"ci:<arm>"``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"arm": ["PLACEBO"] * 2 + ["DMT"] * 2,
    ...                       "visit": ["WEEK 1", "WEEK 2"] * 2,
    ...                       "estimate": [-4.0, -6.0, -13.0, -12.0],
    ...                       "conf_low": [-8.0, -10.0, -17.0, -16.0],
    ...                       "conf_high": [0.0, -2.0, -9.0, -8.0]})
    >>> ax = lsmeans_trajectory(table)
    >>> ax.get_lines()[1].get_ydata().tolist()
    [-13.0, -12.0]
    >>> plt.close("all")
    """
    table = as_frame(lsmeans)
    require(table, [visit, arm, "estimate", "conf_low", "conf_high"], what="LS means")
    one_row_per(table, [arm, visit], "give the LS means by arm and visit only")
    visits = levels(table[visit])
    axis = VisitAxis({v: float(i) for i, v in enumerate(visits)})
    arms = levels(table[arm])
    colors = arm_colors(arms)
    ax = new_axes(ax)
    for arm_level in arms:
        part = table[table[arm] == arm_level]
        part = part.assign(_x=part[visit].map(axis.positions).astype(float)).sort_values("_x")
        band = ax.fill_between(
            part["_x"].to_numpy(float),
            part["conf_low"].to_numpy(float),
            part["conf_high"].to_numpy(float),
            color=colors[arm_level],
            alpha=0.2,
            linewidth=0,
            label=f"_{arm_level} CI",
        )
        band.set_gid(f"ci:{arm_level}")
        x, y = part["_x"].to_numpy(float), part["estimate"].to_numpy(float)
        ax.plot(x, y, color=colors[arm_level], marker="o", label=str(arm_level))
    visit_ticks(ax, visits, visit)
    ax.set_ylabel("LS mean (CI band)")
    mark_dosing(ax, dosing, axis)
    ax.legend(title=arm)
    return ax


def _visit_axis(
    frame: pd.DataFrame, rows: pd.DataFrame, visit: str, visits: list[Any], x: str | None
) -> VisitAxis:
    """Visit positions (ticks 0, 1, ..., or the mean of ``x``) and each visit's mean day."""
    time = x or "study_day"
    days: dict[Any, float] = {}
    if time in frame.columns:
        for source in (frame, rows):  # the rows drawn have the last word for their visits
            means = source.groupby(visit, observed=True)[time].mean().dropna()
            days.update({v: float(d) for v, d in means.items()})
    if x is None:
        return VisitAxis({v: float(i) for i, v in enumerate(visits)}, days, numeric=False)
    placed = rows.groupby(visit, observed=True)[x].mean()
    unplaced = [v for v in visits if pd.isna(placed.get(v))]
    if unplaced:
        raise PlotError(f"visits {unplaced} have no value of {x!r} to place them on the axis")
    return VisitAxis({v: float(placed[v]) for v in visits}, days, numeric=True)
