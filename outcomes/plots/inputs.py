"""What a figure checks in its input besides its columns: one row per unit drawn."""

from __future__ import annotations

import pandas as pd

from outcomes.errors import PlotError

__all__ = ["one_row_per"]


def one_row_per(frame: pd.DataFrame, keys: list[str], hint: str) -> None:
    """Raise ValueError when ``frame`` has more than one row for some combination of ``keys``."""
    dupes = frame.duplicated(keys, keep=False)
    if dupes.any():
        first = frame.loc[dupes, keys].iloc[0].tolist()
        raise PlotError(
            f"{int(dupes.sum())} rows share their {' x '.join(keys)} with another "
            f"(first: {first}); {hint}"
        )
