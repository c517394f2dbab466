"""Writing a figure to PNG, SVG or PDF, the same bytes for the same figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure, SubFigure

from outcomes.errors import ArgumentTypeError, PlotError

__all__ = ["PNG_DPI", "save"]

#: Resolution of PNG files.
PNG_DPI = 150

# No creation date nor software version in the files, and a fixed salt for the SVG element ids
# (matplotlib draws a random one otherwise), so that the same figure gives the same bytes.
_METADATA: dict[str, dict[str, None]] = {
    ".png": {"Software": None},
    ".svg": {"Date": None},
    ".pdf": {"CreationDate": None},
}


def save(fig_or_ax: Any, path: str | Path) -> Path:
    """Write a figure to ``path``; the format follows the suffix (``.png``, ``.svg``, ``.pdf``).

    Parameters
    ----------
    fig_or_ax : Figure, Axes, array of Axes, or a seaborn grid
        The figure, or anything drawn on it.
    path : str or Path
        PNG files are written at 150 dpi. No file holds a creation date, so the same inputs give
        the same bytes (PNG, SVG; PDF with the same matplotlib).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], [3, 4])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(ax, f"{folder}/line.svg").stat().st_size > 0
    True
    >>> plt.close("all")
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _METADATA:
        raise PlotError(f"cannot tell the format of {path.name!r}: use one of {list(_METADATA)}")
    fig = _figure_of(fig_or_ax)
    with mpl.rc_context({"svg.hashsalt": "outcomes"}):
        fig.savefig(path, format=suffix[1:], dpi=PNG_DPI, metadata=_METADATA[suffix])
    return path


def _figure_of(obj: Any) -> Figure:
    """The top-level Figure of a Figure, SubFigure, Axes, array of Axes or seaborn grid."""
    if hasattr(obj, "flat") and not isinstance(obj, Figure | SubFigure):
        obj = next(iter(obj.flat))
    fig = obj if isinstance(obj, Figure | SubFigure) else getattr(obj, "figure", None)
    if isinstance(fig, SubFigure):
        fig = fig.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise ArgumentTypeError(f"expected a matplotlib Figure or Axes, not {type(obj).__name__}")
    return fig
