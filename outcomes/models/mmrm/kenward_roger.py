"""The MMRM's Kenward-Roger matrices ``P_i``, ``Q_ij``, ``R_ij`` and ``W`` (their use, the
adjusted covariance and the df, is :mod:`outcomes.models.core.df.kenward_roger`), and the
covariance parameters in SAS's natural parameterisation.

``R_ij = X'V^-1 V_ij V^-1 X`` depends on how the covariance is parameterised, so the
adjustment does too. As SAS PROC MIXED, the parameters here are the structure's natural ones
(SAS's "Covariance Parameter Estimates": the covariances of UN and TOEP, variances and
correlations of the heterogeneous structures, ...), in which UN, CS and TOEP are linear, so
``R = 0`` for them. The linear variant (``kenward-roger-linear``, SAS ``DDFM=KR(LINEAR)``) drops
``R`` for every structure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from outcomes.models.core.df.kenward_roger import KRComponents
from outcomes.models.mmrm.covariance import _ante_corr, _lags, _tril, get_structure
from outcomes.models.mmrm.likelihood import Likelihood

__all__ = ["kr_components", "natural_parameters", "sas_parameter_names"]

Array = np.ndarray


@dataclass(frozen=True)
class _Natural:
    """A structure's natural parameters: from the fitted matrix, and back to a matrix."""

    from_matrix: Callable[[Array], Array]
    matrix: Callable[[Array, int], Array]


def _het(var: Array, corr: Array) -> Array:
    sd = np.sqrt(var)
    return sd[:, None] * corr * sd[None, :]


def _corr_of(sigma: Array) -> Array:
    sd = np.sqrt(np.diag(sigma))
    return sigma / np.outer(sd, sd)


def _toep_matrix(phi: Array, t: int) -> Array:
    return phi[_lags(t)]


#: Structures linear in their natural parameters: their second derivatives vanish (R = 0).
LINEAR = frozenset({"us", "cs", "toep"})

NATURAL: dict[str, _Natural] = {
    "us": _Natural(
        lambda s: s[_tril(len(s))],
        lambda phi, t: _symmetric_from_tril(phi, t),
    ),
    "cs": _Natural(
        lambda s: np.array([s[0, 1], s[0, 0] - s[0, 1]]),
        lambda phi, t: phi[0] * np.ones((t, t)) + phi[1] * np.eye(t),
    ),
    "csh": _Natural(
        lambda s: np.concatenate([np.diag(s), [_corr_of(s)[0, 1]]]),
        lambda phi, t: _het(phi[:t], phi[t] + (1 - phi[t]) * np.eye(t)),
    ),
    "ar1": _Natural(
        lambda s: np.array([s[0, 0], s[0, 1] / s[0, 0]]),
        lambda phi, t: phi[0] * phi[1] ** _lags(t),
    ),
    "ar1h": _Natural(
        lambda s: np.concatenate([np.diag(s), [_corr_of(s)[0, 1]]]),
        lambda phi, t: _het(phi[:t], phi[t] ** _lags(t)),
    ),
    "toep": _Natural(lambda s: s[0].copy(), _toep_matrix),
    "toeph": _Natural(
        lambda s: np.concatenate([np.diag(s), _corr_of(s)[0, 1:]]),
        lambda phi, t: _het(phi[:t], np.concatenate([np.ones(1, phi.dtype), phi[t:]])[_lags(t)]),
    ),
    "ad": _Natural(
        lambda s: np.concatenate([[s[0, 0]], np.diag(_corr_of(s), 1)]),
        lambda phi, t: phi[0] * _ante_corr(phi[1:], t),
    ),
    "adh": _Natural(
        lambda s: np.concatenate([np.diag(s), np.diag(_corr_of(s), 1)]),
        lambda phi, t: _het(phi[:t], _ante_corr(phi[t:], t)),
    ),
}


def _symmetric_from_tril(phi: Array, t: int) -> Array:
    out = np.zeros((t, t), dtype=phi.dtype)
    rows, cols = _tril(t)
    out[rows, cols] = phi
    out[cols, rows] = phi
    return out


def _spatial_natural(theta: Array) -> Array:
    """Variance and range of a spatial structure (its parameters are their logarithms)."""
    return np.array([np.exp(theta[0]), np.exp(theta[1])])


def _spatial_matrix(name: str, phi: Array, coords: object) -> Array:
    return get_structure(name).matrix(np.log(phi), coords)


def kr_components(
    lik: Likelihood, theta: Array, hessian: Array, information: str = "observed"
) -> KRComponents:
    """The Kenward-Roger matrices at the optimum ``theta`` (natural parameters, per group).

    For visit-based structures the derivatives of the full visits x visits matrix are taken
    once per group and cut down to each missingness pattern; the sums over patterns are matrix
    products on the patterns' sufficient statistics.

    ``W`` is twice the inverse of the observed information (``hessian``, of -2 log-likelihood
    over ``theta``, mapped to the natural parameters; SAS PROC MIXED, R mmrm) or, with
    ``information="expected"``, of the expected one, ``tr(Pi V_i Pi V_j) = sum_p n_p
    tr(A D_i A D_j) - 2 tr(Phi Q_ij) + tr(Phi P_i Phi P_j)`` under REML (the first term alone
    under ML; pbkrtest).
    """
    structure = lik.structure
    block, k = lik.block, lik.n_beta
    linear = structure.name in LINEAR
    phis, jac = [], np.zeros((lik.n_theta, lik.n_theta))
    for g in range(lik.n_groups):
        th = lik.group_theta(theta, g)
        phis.append(_to_natural(structure.name, th, lik.n_visits))
        jac[g * block : (g + 1) * block, g * block : (g + 1) * block] = _jacobian(
            lambda x: _to_natural(structure.name, x, lik.n_visits), th
        )
    w = jac @ (2 * np.linalg.inv(hessian)) @ jac.T
    full = None
    if not structure.spatial:
        full = [
            _matrix_derivatives(
                structure.name, phi, np.arange(lik.n_visits), lik.n_visits, False, second=not linear
            )
            for phi in phis
        ]
    p = np.zeros((lik.n_theta, k, k))
    traces = np.zeros((lik.n_theta, lik.n_theta))
    q = np.zeros((lik.n_theta, lik.n_theta, k, k))
    r = np.zeros((lik.n_theta, lik.n_theta, k, k))
    for pat in lik.patterns:
        if full is None:
            d1, d2 = _matrix_derivatives(
                structure.name, phis[pat.group], pat.where, lik.n_visits, True, second=True
            )
        else:
            d1_full, d2_full = full[pat.group]
            idx = pat.where
            d1 = d1_full[:, idx[:, None], idx[None, :]]
            d2 = None if d2_full is None else d2_full[:, :, idx[:, None], idx[None, :]]
        s_len = d1.shape[-1]
        xx = pat.xx.reshape(s_len * s_len, k * k)
        a = np.linalg.inv(d1[0])
        ada = np.einsum("ab,jbc,cd->jad", a, d1[1:], a)
        m = len(ada)
        sl = slice(pat.group * block, (pat.group + 1) * block)
        p[sl] -= (ada.reshape(m, -1) @ xx).reshape(m, k, k)
        traces[sl, sl] += pat.n * np.einsum("iab,jba->ij", ada, d1[1:])  # tr(A D_i A D_j)
        adada = np.einsum("iab,jbc,cd->ijad", ada, d1[1:], a)  # (A D_i A) D_j A
        q[sl, sl] += (adada.reshape(m * m, -1) @ xx).reshape(m, m, k, k)
        if d2 is not None:
            aga = np.einsum("ab,ijbc,cd->ijad", a, d2, a)
            r[sl, sl] += (aga.reshape(m * m, -1) @ xx).reshape(m, m, k, k)
    if information == "expected":
        expected = traces
        if lik.reml:
            phi = lik.evaluate(theta).xtvx_inv
            expected = (
                traces
                - 2 * np.einsum("kl,ijlk->ij", phi, q)
                + np.einsum("kl,ilm,mn,jnk->ij", phi, p, phi, p)
            )
        w = 2 * np.linalg.inv((expected + expected.T) / 2)
    return KRComponents(p, q, r, w)


def natural_parameters(name: str, theta: Array, t: int) -> Array:
    """A structure's natural (SAS) parameters from the optimiser's ``theta``."""
    return _to_natural(name, np.asarray(theta, dtype=float), t).real


def sas_parameter_names(name: str, t: int) -> list[str]:
    """SAS's "Cov Parm" labels of the natural parameters, in their order.

    Examples
    --------
    >>> sas_parameter_names("us", 2)
    ['UN(1,1)', 'UN(2,1)', 'UN(2,2)']
    >>> sas_parameter_names("ar1h", 2)
    ['Var(1)', 'Var(2)', 'ARH(1)']
    """
    var = [f"Var({k})" for k in range(1, t + 1)]
    names = {
        "us": [f"UN({i + 1},{j + 1})" for i, j in zip(*_tril(t), strict=True)],
        "cs": ["CS", "Residual"],
        "csh": [*var, "CSH"],
        "ar1": ["Residual", "AR(1)"],
        "ar1h": [*var, "ARH(1)"],
        "toep": ["Residual", *[f"TOEP({k})" for k in range(2, t + 1)]],
        "toeph": [*var, *[f"TOEPH({k})" for k in range(1, t)]],
        "ad": ["Residual", *[f"Rho({k})" for k in range(1, t)]],
        "adh": [*var, *[f"Rho({k})" for k in range(1, t)]],
        "sp_exp": ["Residual", "SP(EXP)"],
        "sp_gau": ["Residual", "SP(GAU)"],
    }
    return names[name]


# -- natural parameters and their derivatives ------------------------------------------------------


def _to_natural(name: str, theta: Array, t: int) -> Array:
    if get_structure(name).spatial:
        return _spatial_natural(theta)
    sigma = get_structure(name).matrix(theta, t)
    return NATURAL[name].from_matrix(sigma)


def _natural_matrix(name: str, phi: Array, where: object, t: int, spatial: bool) -> Array:
    if spatial:
        return _spatial_matrix(name, phi, where)
    full = NATURAL[name].matrix(phi, t)
    idx = np.asarray(where)
    return full[idx[:, None], idx[None, :]]


def _complex_step(fun: Callable[[Array], Array], x: Array, step: float = 1e-20) -> Array:
    """Derivatives of ``fun`` at ``x`` by the complex step: shape ``(len(x), *fun(x).shape)``."""
    out = []
    for j in range(len(x)):
        shifted = x.astype(complex)
        shifted[j] += 1j * step
        out.append(np.asarray(fun(shifted)).imag / step)
    return np.array(out)


def _jacobian(fun: Callable[[Array], Array], x: Array) -> Array:
    """``d fun_k / d x_i`` as a matrix ``(k, i)``."""
    return _complex_step(fun, np.asarray(x, dtype=float)).T


def _matrix_derivatives(
    name: str, phi: Array, where: object, t: int, spatial: bool, second: bool = True
) -> tuple[Array, Array | None]:
    """The pattern's matrix with first derivatives ``(1 + m, S, S)``, and second ``(m, m, S, S)``.

    First derivatives by the complex step; second by central differences of the first (``None``
    when ``second`` is false).
    """

    def fun(x: Array) -> Array:
        return _natural_matrix(name, x, where, t, spatial)

    base = fun(phi.astype(float)).real
    first = _complex_step(fun, phi)
    if not second:
        return np.concatenate([base[None], first]), None
    m = len(phi)
    hessian = np.zeros((m, m, *base.shape))
    for j in range(m):
        h = 1e-5 * max(1.0, abs(phi[j]))
        up, down = phi.astype(float).copy(), phi.astype(float).copy()
        up[j] += h
        down[j] -= h
        hessian[:, j] = (_complex_step(fun, up) - _complex_step(fun, down)) / (2 * h)
    hessian = (hessian + hessian.transpose(1, 0, 2, 3)) / 2
    return np.concatenate([base[None], first]), hessian
