"""Between-within df (SAS ``DDFM=BW``, R mmrm ``"Between-Within"``).

Each column of the design is within-subject (it varies within some subject; the intercept counts
as within) or between-subject; the within df are ``n_obs - n_subjects - (within columns but the
intercept)``, the between df ``n_subjects - (between columns) - (intercept)``. A contrast gets
the smallest df of the columns it involves, as R mmrm: a test of a between-subject effect (the
arm in ``arm * visit``, whose Type III contrast also involves ``arm:visit``) gets the between
df, as SAS assigns them to the effect. SAS assigns LS means and estimates the df of their
effect instead: those that mix between- and within-subject columns (an ``arm:visit`` LS mean)
can have SAS's within df where these are the between df. Needs
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
    """The smallest of the df of the columns a contrast involves (module docstring)."""

    name = "between-within"
    title = "between-within"

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
        involved = np.abs(row) > 1e-12
        return between if (involved & ~self.within).any() else within
