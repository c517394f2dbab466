"""Tipping-point analyses: where the conclusion changes as imputed values are made worse.

For the table of :meth:`outcomes.MIResult.tipping_point`: with one grid of shifts (column
``delta``), the estimate and its interval against the shift, the shifts without significance
shaded and the tipping point marked; with a grid per arm (columns ``delta_<arm>``, two arms), a
map of the p value over the grid with the contour where it crosses ``alpha``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from outcomes.data.frames import as_frame, require
from outcomes.errors import PlotError
from outcomes.plots.inputs import one_row_per
from outcomes.plots.style import arm_colors, new_axes

__all__ = ["tipping_map", "tipping_point"]

#: Largest map whose cells get their p value written in them.
ANNOTATE_CELLS = 120


def tipping_point(
    table: pd.DataFrame, *, x: str = "delta", p: str = "p_value", alpha: float = 0.05
) -> float | None:
    """The first ``x`` (in increasing order) at which ``p < alpha`` differs from the first row's.

    Returns None when the conclusion does not change over the grid.

    Examples
    --------
    >>> tipping_point(pd.DataFrame({"delta": [0, 4, 8], "p_value": [0.01, 0.03, 0.2]}))
    8.0
    """
    ordered = table.sort_values(x, kind="stable")
    significant = (ordered[p] < alpha).to_numpy()
    flips = np.flatnonzero(significant != significant[0])
    return float(ordered[x].iloc[flips[0]]) if flips.size else None


def tipping_map(
    table: pd.DataFrame,
    *,
    x: str = "delta",
    estimate: str = "estimate",
    p: str = "p_value",
    alpha: float = 0.05,
    ax: Axes | None = None,
) -> Axes:
    """A tipping-point analysis: the estimate over the shifts, or a map of p over two arms' shifts.

    Parameters
    ----------
    table : DataFrame
        ``TippingPoint.table``: one row per grid point, with ``x`` (one grid: also
        ``estimate``, ``conf_low``, ``conf_high`` and ``p``), or ``<x>_<arm>`` for exactly two
        arms (a map: also ``p``).
    x : str
        The shift column, or the prefix of the two shift columns of a map.
    estimate, p : str
        The estimate and p-value columns.
    alpha : float
        The significance level.
    ax : Axes, optional

    Returns
    -------
    Axes
        One grid: the estimate (a line labelled ``"estimate"``), its interval (a band with the
        gid ``"ci"``), spans with the gid ``"not significant"`` over the shifts where
        ``p >= alpha`` (from half-way to the neighbouring shifts), and the tipping point (a
        dotted line with the gid ``"tipping point"``), with a horizontal line at 0.
        A map: a QuadMesh whose array is p with the first arm's shift on x and the second's on
        y (both increasing), the contour ``p = alpha`` where p crosses it (gid ``"alpha"``),
        a colour bar (viridis, its middle at ``alpha``), and each cell's p written in it (``*``
        where ``p < alpha``) when the map has at most 120 cells.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> grid = pd.DataFrame({"delta": [0.0, 4.0, 8.0], "estimate": [-8.0, -6.0, -3.0],
    ...                      "conf_low": [-13.0, -11.0, -8.5], "conf_high": [-3.0, -1.0, 2.5],
    ...                      "p_value": [0.006, 0.02, 0.25]})
    >>> ax = tipping_map(grid)
    >>> [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "tipping point"]
    [8.0]
    >>> plt.close("all")
    """
    table = as_frame(table)
    if x in table.columns:
        return _tipping_line(table, x, estimate, p, alpha, ax)
    shifts = [c for c in table.columns if str(c).startswith(f"{x}_")]
    if len(shifts) != 2:
        raise PlotError(
            f"the table has no column {x!r} (one grid) nor two columns '{x}_<arm>' (a map); "
            f"columns: {list(table.columns)}"
        )
    return _tipping_grid(table, shifts, p, alpha, ax)


def _tipping_line(
    table: pd.DataFrame, x: str, estimate: str, p: str, alpha: float, ax: Axes | None
) -> Axes:
    require(table, [x, estimate, "conf_low", "conf_high", p], what="table")
    one_row_per(table, [x], f"give one row per {x}")
    data = table.sort_values(x, kind="stable")
    xs = data[x].to_numpy(float)
    color = arm_colors(range(2))[1]
    ax = new_axes(ax)
    band = ax.fill_between(
        xs, data["conf_low"], data["conf_high"], color=color, alpha=0.2, linewidth=0, label="CI"
    )
    band.set_gid("ci")
    ax.plot(xs, data[estimate].to_numpy(float), color=color, marker="o", label=estimate)
    ax.axhline(0.0, color="0.4", linewidth=0.8, label="_null")
    edges = _cell_edges(xs)
    insignificant = (data[p] >= alpha).to_numpy()
    label = f"not significant (p \u2265 {alpha:g})"
    for start, stop in _runs(insignificant):
        span = ax.axvspan(edges[start], edges[stop], color="0.6", alpha=0.25, linewidth=0)
        span.set_gid("not significant")
        span.set_label(label)
        label = "_" + label
    point = tipping_point(data, x=x, p=p, alpha=alpha)
    if point is not None:
        line = ax.axvline(
            point, color="0.1", linestyle=":", linewidth=1.5, label=f"tipping point ({point:g})"
        )
        line.set_gid("tipping point")
    ax.set_xlabel(f"{x} (shift of the imputed values)" if x == "delta" else x)
    ax.set_ylabel(_estimate_label(data, estimate))
    ax.legend()
    return ax


def _tipping_grid(
    table: pd.DataFrame, shifts: list[str], p: str, alpha: float, ax: Axes | None
) -> Axes:
    require(table, [*shifts, p], what="table")
    one_row_per(table, shifts, "give one row per pair of shifts")
    grid = table.pivot(index=shifts[1], columns=shifts[0], values=p).sort_index().sort_index(axis=1)
    xs, ys = grid.columns.to_numpy(float), grid.index.to_numpy(float)
    values = grid.to_numpy(float)
    ax = new_axes(ax)
    norm = TwoSlopeNorm(vmin=0.0, vcenter=alpha, vmax=1.0)
    mesh = ax.pcolormesh(xs, ys, values, shading="nearest", cmap="viridis", norm=norm)
    bar = ax.figure.colorbar(mesh, ax=ax, label=p.replace("_", " "))
    bar.set_ticks(sorted({0.0, alpha, 0.25, 0.5, 0.75, 1.0}))
    handles: list[Line2D | Patch] = []
    finite = values[np.isfinite(values)]
    if min(values.shape) > 1 and finite.size and finite.min() < alpha < finite.max():
        contour = ax.contour(xs, ys, values, levels=[alpha], colors="white", linewidths=2)
        contour.set_gid("alpha")
        handles.append(Line2D([], [], color="white", linewidth=2, label=f"p = {alpha:g}"))
    if values.size <= ANNOTATE_CELLS:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                mark = "*" if value < alpha else ""
                ax.text(
                    xs[j],
                    ys[i],
                    f"{value:.3f}{mark}",
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="white" if norm(value) < 0.6 else "black",
                )
    handles.append(Patch(facecolor="none", edgecolor="none", label=f"* p < {alpha:g}"))
    ax.set_xlabel(f"{shifts[0]} (shift of the imputed values)")
    ax.set_ylabel(f"{shifts[1]} (shift of the imputed values)")
    ax.set_xticks(xs)
    ax.set_yticks(ys)
    legend = ax.legend(handles=handles, loc="upper right", framealpha=0.6)
    legend.get_frame().set_facecolor("0.5")
    return ax


def _estimate_label(table: pd.DataFrame, estimate: str) -> str:
    parts = [
        str(table[c].iloc[0])
        for c in ("contrast", "visit")
        if c in table.columns and table[c].nunique() == 1
    ]
    return f"{estimate} {' at '.join(parts)} (CI)" if parts else f"{estimate} (CI)"


def _cell_edges(xs: np.ndarray) -> np.ndarray:
    """Edges half-way between neighbouring shifts, the outer ones half a step out."""
    if xs.size == 1:
        return np.array([xs[0] - 0.5, xs[0] + 0.5])
    mids = (xs[1:] + xs[:-1]) / 2
    return np.concatenate([[xs[0] - (mids[0] - xs[0])], mids, [xs[-1] + (xs[-1] - mids[-1])]])


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True: the rows start, ..., stop - 1."""
    padded = np.concatenate([[False], flags, [False]]).astype(int)
    changes = np.flatnonzero(np.diff(padded))
    return list(zip(changes[::2].tolist(), changes[1::2].tolist(), strict=True))
