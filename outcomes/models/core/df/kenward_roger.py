"""Kenward-Roger: the small-sample adjusted covariance of the estimates, and its df.

Kenward & Roger (1997): with ``Phi = (X'V^-1X)^-1``, ``W`` the asymptotic covariance of the
covariance parameters and, for parameters ``i, j``,
``P_i = -X'V^-1 V_i V^-1 X``, ``Q_ij = X'V^-1 V_i V^-1 V_j V^-1 X``, ``R_ij = X'V^-1 V_ij V^-1 X``::

    Phi_A = Phi + 2 Phi [sum_ij W_ij (Q_ij - P_i Phi P_j - R_ij / 4)] Phi

and the F statistic of a contrast is scaled and referred to an F distribution with ``m`` df, both
from ``A1 = sum W_ij tr(Theta Phi P_i Phi) tr(Theta Phi P_j Phi)`` and
``A2 = sum W_ij tr(Theta Phi P_i Phi Theta Phi P_j Phi)``, ``Theta = L'(L Phi L')^-1 L``.

The fitter computes ``P``, ``Q``, ``R`` and ``W`` (:class:`KRComponents`) in its own
parameterisation (:func:`outcomes.models.mmrm.kenward_roger.kr_components` for the MMRM, in SAS's
natural parameters; the LMM's in its variance components, where ``R = 0``); the rest is here.
The linear variant (``kenward-roger-linear``, SAS ``DDFM=KR(LINEAR)``) drops ``R``.

:class:`KenwardRoger` and :class:`KenwardRogerLinear` are the df methods: they need
``fit.model_vcov`` (``Phi``), ``fit.kr_components`` and, for the F test, ``fit.coefficients``
and ``fit.vcov`` (the adjusted ``Phi_A``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.df.base import DFMethod
from outcomes.models.core.inference import f_result

__all__ = [
    "INFORMATION",
    "KRComponents",
    "KenwardRoger",
    "KenwardRogerLinear",
    "adjusted_vcov",
    "check_information",
    "kr_df",
    "kr_f_test",
]

Array = np.ndarray

#: The information matrices Kenward-Roger's ``W`` can come from.
INFORMATION = ("observed", "expected")


def check_information(information: str) -> None:
    """Refuse an ``information=`` that is not one of :data:`INFORMATION`."""
    if information not in INFORMATION:
        raise ModelSpecificationError(
            f"information must be one of {INFORMATION}, not {information!r}"
        )


@dataclass(frozen=True)
class KRComponents:
    """``P_i``, ``Q_ij``, ``R_ij`` and ``W`` in the natural parameterisation."""

    p: Array
    q: Array
    r: Array
    w: Array


def adjusted_vcov(phi: Array, comp: KRComponents, linear: bool) -> Array:
    """``Phi_A`` (see the module docstring); ``linear`` drops the ``R`` terms."""
    m = len(comp.w)
    total = np.zeros_like(phi)
    for i in range(m):
        for j in range(m):
            if comp.w[i, j] == 0:
                continue
            inner = comp.q[i, j] - comp.p[i] @ phi @ comp.p[j]
            if not linear:
                inner = inner - comp.r[i, j] / 4
            total += comp.w[i, j] * inner
    return phi + 2 * phi @ total @ phi


def kr_df(phi: Array, contrast: Array, comp: KRComponents) -> tuple[float, float]:
    """Kenward-Roger denominator df ``m`` and F scale ``lambda`` of a contrast (rows of ``L``)."""
    lmat = np.atleast_2d(contrast)
    q = lmat.shape[0]
    theta = lmat.T @ np.linalg.solve(lmat @ phi @ lmat.T, lmat)
    tp = (theta @ phi) @ comp.p @ phi  # Theta Phi P_j Phi, for every j at once
    tr = np.einsum("jaa->j", tp)
    a1 = float(tr @ comp.w @ tr)
    a2 = float(np.einsum("ij,iab,jba->", comp.w, tp, tp))
    b = (a1 + 6 * a2) / (2 * q)
    g = ((q + 1) * a1 - (q + 4) * a2) / ((q + 2) * a2)
    denom = 3 * q + 2 - 2 * g
    c1, c2, c3 = g / denom, (q - g) / denom, (q + 2 - g) / denom
    e_star = 1 / (1 - a2 / q)
    v_star = 2 / q * (1 + c1 * b) / ((1 - c2 * b) ** 2 * (1 - c3 * b))
    rho = v_star / (2 * e_star**2)
    m = 4 + (q + 2) / (q * rho - 1)
    return float(m), float(m / (e_star * (m - 2)))


def kr_f_test(
    contrast: Array, beta: Array, adjusted: Array, phi: Array, comp: KRComponents
) -> dict[str, float]:
    """Kenward-Roger F test that every row of ``contrast`` is zero: the Wald statistic on the
    adjusted covariance, scaled by ``lambda``, on ``(q, m)`` df (``phi``: the unadjusted one)."""
    rows = np.atleast_2d(contrast)
    est = rows @ beta
    q = rows.shape[0]
    wald = float(est @ np.linalg.solve(rows @ adjusted @ rows.T, est)) / q
    m, scale = kr_df(phi, rows, comp)
    return f_result(scale * wald, q, m)


class KenwardRoger(DFMethod):
    """Kenward-Roger df of a contrast, and its scaled F test (module docstring)."""

    name = "kenward-roger"
    title = "Kenward-Roger"
    linear = False

    def one_d(self, row: np.ndarray) -> float:
        return kr_df(self.fit.model_vcov, row, self.fit.kr_components)[0]

    def f_test(self, rows: np.ndarray) -> dict[str, float]:
        fit = self.fit
        beta, adjusted = fit.coefficients.to_numpy(), fit.vcov.to_numpy()
        return kr_f_test(rows, beta, adjusted, fit.model_vcov, fit.kr_components)


class KenwardRogerLinear(KenwardRoger):
    """SAS ``DDFM=KR(LINEAR)``: the same df; the fit's adjusted covariance drops ``R``."""

    name = "kenward-roger-linear"
    title = "Kenward-Roger (linear)"
    linear = True
