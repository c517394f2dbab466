"""What every fitted model answers: the protocol of MMRMFit, LMMFit, GEEFit and the ANCOVA.

A script or a table builder that needs only these members works with any of the fits::

    fit.coefficients     # Series of estimates by term
    fit.vcov             # DataFrame, the covariance of the estimates used for inference
    fit.estimate(L)      # Wald table of the rows of L (ESTIMATE_COLUMNS)
    fit.test(L)          # F test that every row of L is zero (F_TEST_KEYS)
    fit.to_frame()       # the coefficients' table
    fit.summary()        # printable text;  fit._repr_html_() for notebooks
    fit.notes            # what was left out, changed or fell back, in words
    fit.n_subjects, fit.n_obs, fit.conf_level

The MMRM adds ``lsmeans``, ``contrasts``, ``anova``, ``fitted``, ``residuals``, ``predict`` and
``simulate``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["ModelFit"]


@runtime_checkable
class ModelFit(Protocol):
    """The members every fit has (see the module docstring).

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> week2 = trial.frame.query("instrument == 'madrs' and visit == 'WEEK 2'")
    >>> isinstance(outcomes.ancova("chg ~ base + arm", week2), ModelFit)
    True
    """

    conf_level: float
    notes: tuple[str, ...]

    @property
    def coefficients(self) -> pd.Series: ...

    @property
    def vcov(self) -> pd.DataFrame: ...

    @property
    def n_subjects(self) -> int: ...

    @property
    def n_obs(self) -> int: ...

    def estimate(
        self, contrast: np.ndarray, labels: pd.DataFrame | None = None
    ) -> pd.DataFrame: ...

    def test(self, contrast: np.ndarray) -> dict[str, float]: ...

    def to_frame(self) -> pd.DataFrame: ...

    def summary(self) -> str: ...

    def _repr_html_(self) -> str: ...
