"""Normal reference (infinite df): z tests, and F tests as Wald chi-squares over their df."""

from __future__ import annotations

import numpy as np

from outcomes.models.core.df.base import DFMethod

__all__ = ["Normal"]


class Normal(DFMethod):
    """Infinite df for every contrast."""

    name = "normal"
    title = "normal (z)"

    def one_d(self, row: np.ndarray) -> float:
        return np.inf
