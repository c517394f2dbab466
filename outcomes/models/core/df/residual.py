"""Residual df (SAS ``DDFM=RESIDUAL``, R mmrm ``"Residual"``): observations minus fixed effects,
the same for every contrast. Needs ``fit.n_obs`` and ``fit.coefficients``."""

from __future__ import annotations

import numpy as np

from outcomes.models.core.df.base import DFMethod

__all__ = ["Residual"]


class Residual(DFMethod):
    """``n_obs - p`` for every contrast."""

    name = "residual"
    title = "residual"

    def one_d(self, row: np.ndarray) -> float:
        return float(self.fit.n_obs - len(self.fit.coefficients))
