"""Between-within df (SAS ``DDFM=BW``, R mmrm ``"Between-Within"``).

A contrast that involves a column varying within subjects (the intercept counts as within) gets
the within-subject df, ``n_obs - n_subjects - (within columns but the intercept)``; any other
the between-subject df, ``n_subjects - (between columns) - (intercept)``. Needs
``fit.design`` (its ``x``, ``subject`` codes and ``columns``), ``fit.n_obs`` and
``fit.n_subjects``.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from outcomes.models.core.df.base import DFMethod

__all__ = ["BetweenWithin"]


class BetweenWithin(DFMethod):
    """Within-subject df for a contrast with a within-subject column, between-subject df else."""

    name = "between-within"

    @cached_property
    def within(self) -> np.ndarray:
        """Whether each column varies within a subject (the intercept counts as within)."""
        design = self.fit.design
        x, columns = design.x, list(design.columns)
        varies = pd.DataFrame(x).groupby(np.asarray(design.subject)).nunique().gt(1).any()
        return varies.to_numpy() | (np.array(columns) == "(Intercept)")

    @cached_property
    def _df(self) -> tuple[float, float]:
        intercept = int("(Intercept)" in list(self.fit.design.columns))
        n_within = int(self.within.sum()) - intercept
        n_between = len(self.within) - n_within - intercept
        between = self.fit.n_subjects - n_between - intercept
        within = self.fit.n_obs - self.fit.n_subjects - n_within
        return float(between), float(within)

    def one_d(self, row: np.ndarray) -> float:
        between, within = self._df
        return within if (self.within & (np.abs(row) > 1e-12)).any() else between
