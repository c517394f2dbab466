"""The acute experience and the outcome: does a stronger experience go with a larger change?"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.errors import PlotError
from outcomes.plots.style import arm_colors, levels, new_axes, value_label

__all__ = ["acute_vs_outcome"]


@renamed(group="arm")
def acute_vs_outcome(
    data: FrameLike, *, x: str, y: str, arm: str = "arm", ax: Axes | None = None
) -> Axes:
    """Scatter of an acute-experience score against an outcome, with a least-squares line per arm.

    Parameters
    ----------
    data : DataFrame
        One row per subject, e.g. ``outcomes.trait_change(...).data`` (``subject, arm, pre,
        post, change`` and the acute scores).
    x, y : str
        The acute score (e.g. ``"meq30"``) and the outcome (e.g. ``"change"``).
    arm : str
        The arm column.
    ax : Axes, optional

    Returns
    -------
    Axes
        Per arm, the points (a PathCollection labelled ``"<arm> (n = k)"``) and, when the arm has
        two distinct ``x`` or more, the least-squares line over its range of ``x`` (labelled
        ``"<arm>: slope s"``, gid ``"fit:<arm>"``).

    Notes
    -----
    Subjects without ``x`` or ``y`` are left out. The lines are ordinary least squares of ``y``
    on ``x`` within each arm (:func:`numpy.polyfit`), unadjusted; for inference use the
    predictor and moderator models of :func:`outcomes.trait_change`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import outcomes
    >>> result = outcomes.trait_change(outcomes.load_sample(), instrument="neo-ffi-n",
    ...                                acute={"meq30": ("meq30", "DOSE 1")})
    >>> ax = acute_vs_outcome(result.data, x="meq30", y="change")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('meq30', 'change')
    >>> plt.close("all")
    """
    frame = as_frame(data)
    require(frame, [x, y, arm])
    rows = frame.dropna(subset=[x, y, arm])
    if rows.empty:
        raise PlotError(f"no row has both {x!r} and {y!r}")
    arms = levels(rows[arm])
    colors = arm_colors(arms)
    ax = new_axes(ax)
    for arm_level in arms:
        part = rows[rows[arm] == arm_level]
        xs, ys = part[x].to_numpy(float), part[y].to_numpy(float)
        ax.scatter(
            xs,
            ys,
            color=colors[arm_level],
            s=28,
            alpha=0.85,
            edgecolors="white",
            label=f"{arm_level} (n = {len(part)})",
        )
        if np.unique(xs).size >= 2:
            slope, intercept = np.polyfit(xs, ys, 1)
            ends = np.array([xs.min(), xs.max()])
            (line,) = ax.plot(
                ends,
                intercept + slope * ends,
                color=colors[arm_level],
                linewidth=2,
                label=f"{arm_level}: slope {slope:.2f}",
            )
            line.set_gid(f"fit:{arm_level}")
    ax.set_xlabel(value_label(x))
    ax.set_ylabel(value_label(y))
    ax.legend(title=arm, fontsize="small")
    return ax
