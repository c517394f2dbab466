"""Dosing sessions on a time axis: the study days of the doses, and where they fall on the axis.

A figure over time takes ``dosing=``: a list of study days (``[1, 15]``, e.g. from
:func:`dosing_days`) or of visit labels (``["DOSE 1", "DOSE 2"]``), drawn as vertical dashed lines
labelled "dose 1", "dose 2", ...; or a mapping from label to day or visit (``{"dose 2": 15}``).

A visit's day is its mean study day over the rows drawn (over all the rows given for a visit not
drawn, such as a dosing visit at which the outcome is not measured). On an axis of study days a
day is drawn where it is, and a visit at its day. On an axis of visit labels a visit on the axis
is drawn at its tick; a study day, or a visit not on the axis, is placed by linear interpolation
between the days of the visits on the axis: on the first visit with that day when one has it,
half a step beyond the first or last visit when the day lies outside. A table without study days
(LS means) takes visit labels only.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from outcomes.errors import ArgumentTypeError, PlotError

__all__ = ["DOSING_COLOR", "VisitAxis", "dosing_days", "mark_dosing"]

#: Colour of the dosing marks (grey, apart from the arm colours).
DOSING_COLOR = "0.35"


def dosing_days(schedule: Any) -> list[float]:
    """The nominal study days of the dosing visits (phase ``"dosing"``), in schedule order.

    Parameters
    ----------
    schedule : Schedule or TrialData
        A :class:`outcomes.Schedule`, or anything with a ``schedule``. When it has no dosing
        visit, the days of its dosing sessions.

    Returns
    -------
    list of float
        One day per dosing visit with a nominal day, for ``dosing=``.

    Examples
    --------
    >>> import outcomes
    >>> dosing_days(outcomes.load_sample().schedule)
    [1.0, 15.0]
    """
    schedule = getattr(schedule, "schedule", schedule)
    if not hasattr(schedule, "visits"):
        raise ArgumentTypeError(f"expected a Schedule or TrialData, not {type(schedule).__name__}")
    days = [float(v.day) for v in schedule.visits if v.phase == "dosing" and v.day is not None]
    if not days:
        days = [float(s.day) for s in getattr(schedule, "sessions", ())]
    return days


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class VisitAxis:
    """How visits and study days map to x on one figure.

    Parameters
    ----------
    positions : dict
        Visit label -> x of the visits drawn.
    days : dict
        Visit label -> mean study day, for every visit whose day is known (drawn or not).
    numeric : bool
        True when x is itself a study day (or another number of days), False for visit ticks.
    """

    positions: dict[Any, float]
    days: dict[Any, float] = field(default_factory=dict)
    numeric: bool = False

    def x_of(self, where: Any) -> float:
        """The x of a visit label or a study day on this axis.

        Examples
        --------
        >>> axis = VisitAxis({"BASELINE": 0, "WEEK 1": 1, "WEEK 2": 2},
        ...                  {"BASELINE": 1, "WEEK 1": 8, "WEEK 2": 15, "DOSE 2": 15})
        >>> axis.x_of("WEEK 1"), axis.x_of(4.5), axis.x_of("DOSE 2"), axis.x_of(30)
        (1.0, 0.5, 2.0, 2.5)
        """
        if not _is_number(where) and where in self.positions:
            return float(self.positions[where])
        if _is_number(where):
            day = float(where)
        elif where in self.days:
            day = float(self.days[where])
        else:
            raise PlotError(
                f"dosing visit {where!r} is neither on the axis {list(self.positions)} nor a "
                "visit with a known study day; give study days or visits on the axis"
            )
        return day if self.numeric else self._interpolate(day)

    def _interpolate(self, day: float) -> float:
        known = sorted(
            (float(self.days[v]), float(x)) for v, x in self.positions.items() if v in self.days
        )
        if not known:
            raise PlotError(
                "the visits on this axis have no study days: give dosing as visit labels "
                f"among {list(self.positions)}"
            )
        at_day = [x for d, x in known if d == day]
        if at_day:
            return min(at_day)
        days = np.array([d for d, _ in known])
        xs = np.array([x for _, x in known])
        if day < days[0]:
            return float(xs[0] - 0.5)
        if day > days[-1]:
            return float(xs[-1] + 0.5)
        return float(np.interp(day, days, xs))


def mark_dosing(
    ax: Axes, dosing: Sequence[Any] | Mapping[str, Any] | None, axis: VisitAxis
) -> list[float]:
    """Draw each dosing session as a vertical dashed line with its label; return their x.

    Each line has the gid ``"dosing"``, and its label is written just above the axes.
    """
    if dosing is None:
        return []
    if isinstance(dosing, Mapping):
        marks = list(dosing.items())
    elif isinstance(dosing, str) or _is_number(dosing):
        marks = [("dose 1", dosing)]
    else:
        marks = [(f"dose {i}", where) for i, where in enumerate(dosing, start=1)]
    xs = []
    for label, where in marks:
        x = axis.x_of(where)
        line = ax.axvline(x, linestyle="--", color=DOSING_COLOR, linewidth=1, zorder=1.5)
        line.set_gid("dosing")
        line.set_label("_" + str(label))
        ax.text(
            x,
            1.0,
            str(label),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize="small",
            color=DOSING_COLOR,
            gid="dosing",
        )
        xs.append(x)
    return xs
