"""Missing data at a glance: which subject has a value at which visit."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch, Rectangle

from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.plots.inputs import one_row_per
from outcomes.plots.style import arm_colors, levels, new_axes, visit_ticks

__all__ = ["MISSING_COLOR", "OBSERVED_COLOR", "missingness"]

#: Colours of the cells: observed dark, missing light (told apart by lightness, not hue).
OBSERVED_COLOR = "0.25"
MISSING_COLOR = "0.9"

#: Most subjects whose identifiers are written on the y axis.
LABELLED_SUBJECTS = 80


@renamed(value="outcome", group="arm")
def missingness(
    data: FrameLike,
    *,
    subject: str = "subject",
    visit: str = "visit",
    outcome: str = "total",
    arm: str = "arm",
    ax: Axes | None = None,
) -> Axes:
    """A subject x visit map of observed and missing values, subjects by arm, then by dropout.

    Parameters
    ----------
    data : DataFrame or TrialData
        One row (at most) per subject x visit: filter the long table to one instrument first.
        Every subject in ``data`` is a row of the map; every visit with a row, a column.
    subject, visit, outcome, arm : str
        The subject, visit, outcome and arm columns.
    ax : Axes, optional

    Returns
    -------
    Axes
        An image whose array is 1 where the subject has a value of ``outcome`` at the visit and
        0 where not (no row, or a missing value). Rows: by arm (in arm order), then from the
        latest last observed visit to the earliest (completers first, subjects never observed
        last), then by subject; the y tick labels are the subjects when there are at most 80.
        A strip left of the first visit shows each subject's arm.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import outcomes
    >>> frame = outcomes.derive(outcomes.load_sample()).frame
    >>> ax = missingness(frame[frame["instrument"] == "madrs"])
    >>> ax.images[0].get_array().shape
    (40, 10)
    >>> plt.close("all")
    """
    frame = as_frame(data)
    require(frame, [subject, visit, outcome, arm])
    rows = frame[frame[visit].notna()]
    one_row_per(rows, [subject, visit], "filter the data to one instrument")
    visits = levels(rows[visit])
    column = {v: j for j, v in enumerate(visits)}
    subjects = frame.drop_duplicates(subject)[[subject, arm]].dropna(subset=[subject])
    observed = rows[rows[outcome].notna()]
    last = observed.assign(_j=observed[visit].map(column).astype(int)).groupby(subject)["_j"].max()
    arms = levels(frame[arm])
    rank = {arm_level: i for i, arm_level in enumerate(arms)}
    subjects = subjects.assign(
        _arm=subjects[arm].map(rank).fillna(len(arms)),
        _last=-subjects[subject].map(last).fillna(-1),
    ).sort_values(["_arm", "_last", subject], kind="stable")
    order = subjects[subject].tolist()
    index = {s: i for i, s in enumerate(order)}
    mask = np.zeros((len(order), len(visits)), dtype=int)
    mask[observed[subject].map(index).to_numpy(int), observed[visit].map(column).to_numpy(int)] = 1
    ax = new_axes(ax, figsize=(7.0, max(3.0, 1.8 + 0.12 * len(order))))
    ax.imshow(
        mask,
        aspect="auto",
        interpolation="nearest",
        cmap=ListedColormap([MISSING_COLOR, OBSERVED_COLOR]),
        vmin=0,
        vmax=1,
    )
    colors = arm_colors(arms)
    for i, arm_level in enumerate(subjects[arm]):
        strip = Rectangle(
            (-1.0, i - 0.5), 0.4, 1.0, color=colors.get(arm_level, "white"), linewidth=0
        )
        strip.set_gid("arm strip")
        ax.add_patch(strip)
    boundaries = np.flatnonzero(np.diff(subjects["_arm"].to_numpy()))
    for b in boundaries:
        ax.axhline(b + 0.5, color="white", linewidth=2)
    ax.set_xlim(-1.0, len(visits) - 0.5)
    visit_ticks(ax, visits, visit)
    if len(order) <= LABELLED_SUBJECTS:
        ax.set_yticks(range(len(order)), [str(s) for s in order], fontsize="x-small")
    else:
        ax.set_yticks([])
    ax.set_ylabel(f"{subject} (by {arm}, then by last visit with a {outcome})")
    handles = [
        Patch(color=OBSERVED_COLOR, label="observed"),
        Patch(color=MISSING_COLOR, label="missing"),
        *[Patch(color=colors[arm_level], label=str(arm_level)) for arm_level in arms],
    ]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=len(handles),
        frameon=False,
        fontsize="small",
    )
    return ax
