"""Every subject drawn: individual trajectories over the visits, and the waterfall of change."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.plots.inputs import one_row_per
from outcomes.plots.style import arm_colors, levels, new_axes, value_label, visit_ticks

__all__ = ["individual_trajectories", "waterfall"]


@renamed(value="outcome", group="arm")
def individual_trajectories(
    data: FrameLike,
    *,
    outcome: str = "total",
    subject: str = "subject",
    arm: str = "arm",
    visit: str = "visit",
    ax: Axes | None = None,
    highlight_mean: bool = True,
) -> Axes:
    """One thin line per subject over the visits, coloured by arm, and each arm's mean in bold.

    Parameters
    ----------
    data : DataFrame or TrialData
        One row per subject x visit: filter the long table to one instrument first.
    outcome, subject, arm, visit : str
        The outcome, subject, arm and visit columns.
    ax : Axes, optional
    highlight_mean : bool
        Draw each arm's mean of the observed values at each visit as a bold line.

    Returns
    -------
    Axes
        Per arm, a LineCollection (gid ``"subjects:<arm>"``) with one segment per subject, in
        sorted subject order, through the subject's observed values; and, with
        ``highlight_mean``, a line labelled ``"<arm> mean"``.

    Notes
    -----
    A subject's line joins the visits with a value; missing visits are skipped.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import outcomes
    >>> frame = outcomes.derive(outcomes.load_sample()).frame
    >>> ax = individual_trajectories(frame[frame["instrument"] == "madrs"])
    >>> [line.get_label() for line in ax.get_lines()]
    ['PLACEBO mean', 'DMT mean']
    >>> plt.close("all")
    """
    frame = as_frame(data)
    require(frame, [outcome, subject, arm, visit])
    rows = frame[frame[outcome].notna() & frame[visit].notna() & frame[arm].notna()]
    one_row_per(rows, [subject, visit], "filter the data to one instrument")
    visits = levels(rows[visit])
    positions = {v: float(i) for i, v in enumerate(visits)}
    rows = rows.assign(_x=rows[visit].map(positions).astype(float), _y=rows[outcome].astype(float))
    arms = levels(rows[arm])
    colors = arm_colors(arms)
    ax = new_axes(ax)
    handles = []
    for arm_level in arms:
        part = rows[rows[arm] == arm_level]
        segments = [
            s.sort_values("_x")[["_x", "_y"]].to_numpy()
            for _, s in part.groupby(subject, observed=True, sort=True)
        ]
        lines = LineCollection(
            segments,
            colors=[colors[arm_level]],
            linewidths=0.8,
            alpha=0.35,
            label=f"_{arm_level} subjects",
        )
        lines.set_gid(f"subjects:{arm_level}")
        ax.add_collection(lines)
        if highlight_mean:
            means = part.groupby("_x")["_y"].mean()
            (handle,) = ax.plot(
                means.index,
                means.to_numpy(),
                color=colors[arm_level],
                linewidth=2.5,
                marker="o",
                markersize=4,
                label=f"{arm_level} mean",
            )
        else:
            handle = Line2D([], [], color=colors[arm_level], linewidth=0.8, label=str(arm_level))
        handles.append(handle)
    ax.autoscale_view()
    visit_ticks(ax, visits, visit)
    ax.set_ylabel(value_label(outcome))
    ax.legend(handles=handles, title=arm)
    return ax


@renamed(value="outcome", group="arm")
def waterfall(
    data: FrameLike,
    *,
    outcome: str = "pchg",
    subject: str = "subject",
    arm: str = "arm",
    ax: Axes | None = None,
    threshold: float | None = -50,
) -> Axes:
    """Each subject's change at one visit as a bar, sorted, coloured by arm.

    Parameters
    ----------
    data : DataFrame or TrialData
        One row per subject: filter the long table to one instrument and one visit first.
    outcome, subject, arm : str
        The outcome (default the percent change from baseline), subject and arm columns.
    ax : Axes, optional
    threshold : float or None
        The response threshold, drawn as a dashed horizontal line (None for no line).

    Returns
    -------
    Axes
        Bars at x = 0, 1, ... from the largest value to the smallest (ties by subject), one
        container per arm labelled with the arm; the threshold line has the gid ``"threshold"``.

    Notes
    -----
    Subjects without a value are left out.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import outcomes
    >>> frame = outcomes.derive(outcomes.load_sample()).frame
    >>> week2 = frame.query("instrument == 'madrs' and visit == 'WEEK 2'")
    >>> ax = waterfall(week2)
    >>> heights = [bar.get_height() for bar in sorted(ax.patches, key=lambda b: b.get_x())]
    >>> heights == sorted(heights, reverse=True)
    True
    >>> plt.close("all")
    """
    frame = as_frame(data)
    require(frame, [outcome, subject, arm])
    rows = frame[frame[outcome].notna() & frame[arm].notna()]
    one_row_per(rows, [subject], "filter the data to one visit and one instrument")
    rows = rows.assign(_y=rows[outcome].astype(float))
    rows = rows.sort_values(["_y", subject], ascending=[False, True], kind="stable")
    x = np.arange(len(rows), dtype=float)
    arms = levels(rows[arm])
    colors = arm_colors(arms)
    ax = new_axes(ax)
    handles: list[Any] = []
    for arm_level in arms:
        mine = (rows[arm] == arm_level).to_numpy()
        y = rows["_y"].to_numpy()[mine]
        handles.append(
            ax.bar(x[mine], y, width=0.85, color=colors[arm_level], label=str(arm_level))
        )
    ax.axhline(0.0, color="0.5", linewidth=0.8, label="_zero")
    if threshold is not None:
        unit = "%" if outcome == "pchg" else ""
        line = ax.axhline(
            threshold,
            linestyle="--",
            color="0.2",
            linewidth=1,
            label=f"response threshold ({threshold:g}{unit})",
        )
        line.set_gid("threshold")
        handles.append(line)
    ax.set_xticks([])
    ax.set_xlim(-0.75, len(rows) - 0.25)
    ax.set_xlabel(f"{subject} (sorted by {outcome}, n = {len(rows)})")
    ax.set_ylabel(value_label(outcome))
    ax.legend(handles=handles, title=arm)
    return ax
