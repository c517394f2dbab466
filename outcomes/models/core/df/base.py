"""What every df method is: an object made from a fit, giving the df of one contrast row and
the F test of several."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from outcomes.models.core.inference import f_test

__all__ = ["DFMethod"]


class DFMethod(ABC):
    """The denominator degrees of freedom of a fit's contrasts, by one method.

    Made once per fit (``METHOD(fit)``), so that what a method needs from the fit is computed
    once and only when asked for. ``fit`` is any :class:`~outcomes.models.core.protocol.ModelFit`
    with the members the method's module lists.

    Attributes
    ----------
    name : str
        The method's name in ``df=``.
    title : str
        Its name in a methods text or a footnote (``"Kenward-Roger"``).
    combine : str
        How :meth:`f_test` combines the df of the rotated rows: ``"satterthwaite"`` (Fai &
        Cornelius) or ``"min"``.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    combine: ClassVar[str] = "min"

    def __init__(self, fit: Any) -> None:
        self.fit = fit

    @abstractmethod
    def one_d(self, row: np.ndarray) -> float:
        """The df of the contrast ``row @ beta``."""

    def f_test(self, rows: np.ndarray) -> dict[str, float]:
        """F test that every row of ``rows`` is zero (:func:`~outcomes.models.core.inference.f_test`
        on the fit's covariance, with this method's df)."""
        beta = self.fit.coefficients.to_numpy()
        vcov = self.fit.vcov.to_numpy()
        return f_test(rows, beta, vcov, self.one_d, combine=self.combine)
