"""Covariance structures of the within-subject residuals, as functions of unconstrained parameters.

Each structure maps a vector ``theta`` of unconstrained reals to a covariance matrix over the
visits (or, for spatial structures, over a subject's time points). Every function is written with
operations that also work on complex numbers, so that derivatives are taken exactly by the complex
step (:func:`derivatives`), with no symbolic algebra and no finite-difference error.

================  ===============================================  =====================
structure         covariance                                       parameters (T visits)
================  ===============================================  =====================
``us``            unstructured                                     T (T + 1) / 2
``cs``            compound symmetry: s2 (rho + (1 - rho) I)        2
``csh``           heterogeneous compound symmetry                  T + 1
``ar1``           first-order autoregressive: s2 rho^|i-j|         2
``ar1h``          heterogeneous AR(1)                              T + 1
``toep``          Toeplitz (one covariance per lag)                T
``toeph``         heterogeneous Toeplitz (one correlation per lag) 2 T - 1
``ad``            first-order antedependence, one variance         T
``adh``           first-order antedependence (SAS ``ANTE(1)``)     2 T - 1
``sp_exp``        spatial exponential: s2 exp(-d_ij / range)       2
``sp_gau``        spatial Gaussian: s2 exp(-(d_ij / range)^2)      2
================  ===============================================  =====================

Parameterisations (the inference does not depend on them): variances and standard deviations on
the log scale; the unstructured matrix by its log-Cholesky factor; correlations through ``tanh``;
Toeplitz correlations through partial autocorrelations (Durbin-Levinson), so that every ``theta``
gives a positive definite matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from outcomes.errors import ModelSpecificationError

__all__ = [
    "STRUCTURES",
    "Structure",
    "curvature",
    "derivatives",
    "get_structure",
    "theta_scaling",
    "us_theta",
]

Array = np.ndarray


@dataclass(frozen=True)
class Structure:
    """A covariance structure.

    Attributes
    ----------
    name : str
        The name used in formulas (``us``, ``ar1``, ...).
    title : str
        A readable name, with SAS's ``TYPE=`` in brackets.
    n_params : callable
        ``n_params(T)``: the number of parameters for ``T`` visits.
    matrix : callable
        ``matrix(theta, T)``: the ``T x T`` covariance; for spatial structures
        ``matrix(theta, coords)`` with ``coords`` an ``(m, d)`` array of a subject's times.
    start : callable
        ``start(var, T)``: starting values from a rough common variance.
    spatial : bool
        Whether the structure works on coordinates instead of visits.
    """

    name: str
    title: str
    n_params: Callable[[int], int]
    matrix: Callable[[Array, Any], Array]
    start: Callable[[float, int], Array]
    spatial: bool = False

    def __reduce__(self) -> tuple[Callable[[str], Structure], tuple[str]]:
        """Pickled by name (its functions are lambdas), e.g. for worker processes."""
        return (get_structure, (self.name,))


@cache
def _lags(t: int) -> Array:
    idx = np.arange(t)
    return np.abs(idx[:, None] - idx[None, :])


def _cs_rho(x: Array, t: int) -> Array:
    # Maps the real line onto (-1 / (T - 1), 1), the correlations that keep CS positive definite.
    e = np.exp(x)
    return (e - 1) / (e + max(t - 1, 1))


def _cs_start(t: int) -> float:
    # The parameter that gives correlation 0.5 under _cs_rho.
    return float(np.log((1 + 0.5 * max(t - 1, 1)) / 0.5))


def _pacf_to_acf(pacf: Array) -> Array:
    """Autocorrelations at lags 1..p from partial autocorrelations (Durbin-Levinson)."""
    p = len(pacf)
    acf = np.zeros(p, dtype=pacf.dtype)
    phi = np.zeros((p, p), dtype=pacf.dtype)
    for k in range(p):
        phi[k, k] = pacf[k]
        for j in range(k):
            phi[k, j] = phi[k - 1, j] - pacf[k] * phi[k - 1, k - 1 - j]
        acf[k] = sum(phi[k, j] * (acf[k - 1 - j] if k - 1 - j >= 0 else 1.0) for j in range(k + 1))
    return acf


def _toeplitz(first: Array) -> Array:
    lags = _lags(len(first))
    return first[lags]


def _heterogeneous(sd: Array, corr: Array) -> Array:
    return sd[:, None] * corr * sd[None, :]


def _us(theta: Array, t: int) -> Array:
    chol = np.zeros((t, t), dtype=theta.dtype)
    rows, cols = _tril(t)
    chol[rows, cols] = theta
    diag = np.arange(t)
    chol[diag, diag] = np.exp(theta[_diag_positions(t)])
    return chol @ chol.T


@cache
def _tril(t: int) -> tuple[Array, Array]:
    return np.tril_indices(t)


@cache
def _diag_positions(t: int) -> Array:
    rows, cols = _tril(t)
    return np.flatnonzero(rows == cols)


def us_theta(sigma: Array) -> Array:
    """The unstructured parameters (log-Cholesky) of a positive definite matrix.

    Examples
    --------
    >>> s = np.array([[4.0, 2.0], [2.0, 3.0]])
    >>> bool(np.allclose(_us(us_theta(s), 2), s))
    True
    """
    chol = np.linalg.cholesky(sigma)
    t = len(sigma)
    theta = chol[_tril(t)].copy()
    theta[_diag_positions(t)] = np.log(np.diag(chol))
    return theta


def _us_start(var: float, t: int) -> Array:
    theta = np.zeros(t * (t + 1) // 2)
    theta[_diag_positions(t)] = 0.5 * np.log(var)
    return theta


def _cs(theta: Array, t: int) -> Array:
    rho = _cs_rho(theta[1], t)
    corr = rho + (1 - rho) * np.eye(t)
    return np.exp(theta[0]) * corr


def _csh(theta: Array, t: int) -> Array:
    rho = _cs_rho(theta[t], t)
    return _heterogeneous(np.exp(theta[:t]), rho + (1 - rho) * np.eye(t))


def _ar1(theta: Array, t: int) -> Array:
    return np.exp(theta[0]) * np.tanh(theta[1]) ** _lags(t)


def _ar1h(theta: Array, t: int) -> Array:
    return _heterogeneous(np.exp(theta[:t]), np.tanh(theta[t]) ** _lags(t))


def _toep(theta: Array, t: int) -> Array:
    acf = _pacf_to_acf(np.tanh(theta[1:]))
    ones = np.ones(1, dtype=theta.dtype)
    return np.exp(theta[0]) * _toeplitz(np.concatenate([ones, acf]))


def _toeph(theta: Array, t: int) -> Array:
    acf = _pacf_to_acf(np.tanh(theta[t:]))
    ones = np.ones(1, dtype=theta.dtype)
    return _heterogeneous(np.exp(theta[:t]), _toeplitz(np.concatenate([ones, acf])))


def _ante_corr(rho: Array, t: int) -> Array:
    """Correlation of first-order antedependence: the product of the lag-1 correlations between."""
    corr = np.ones((t, t), dtype=rho.dtype)
    for i in range(t):
        for j in range(i + 1, t):
            corr[i, j] = corr[j, i] = np.prod(rho[i:j])
    return corr


def _ad(theta: Array, t: int) -> Array:
    return np.exp(theta[0]) * _ante_corr(np.tanh(theta[1:]), t)


def _adh(theta: Array, t: int) -> Array:
    return _heterogeneous(np.exp(theta[:t]), _ante_corr(np.tanh(theta[t:]), t))


def _distances(coords: object) -> Array:
    xy = np.asarray(coords, dtype=float)
    if xy.ndim == 1:
        xy = xy[:, None]
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))


def _sp_exp(theta: Array, coords: object) -> Array:
    return np.exp(theta[0]) * np.exp(-_distances(coords) / np.exp(theta[1]))


def _sp_gau(theta: Array, coords: object) -> Array:
    return np.exp(theta[0]) * np.exp(-((_distances(coords) / np.exp(theta[1])) ** 2))


def _log_sd_start(var: float, t: int, extra: int, value: float) -> Array:
    return np.concatenate([np.full(t, 0.5 * np.log(var)), np.full(extra, value)])


STRUCTURES: dict[str, Structure] = {
    s.name: s
    for s in (
        Structure("us", "unstructured (UN)", lambda t: t * (t + 1) // 2, _us, _us_start),
        Structure(
            "cs",
            "compound symmetry (CS)",
            lambda t: 2,
            _cs,
            lambda v, t: np.array([np.log(v), _cs_start(t)]),
        ),
        Structure(
            "csh",
            "heterogeneous compound symmetry (CSH)",
            lambda t: t + 1,
            _csh,
            lambda v, t: _log_sd_start(v, t, 1, _cs_start(t)),
        ),
        Structure(
            "ar1",
            "first-order autoregressive (AR(1))",
            lambda t: 2,
            _ar1,
            lambda v, t: np.array([np.log(v), np.arctanh(0.5)]),
        ),
        Structure(
            "ar1h",
            "heterogeneous AR(1) (ARH(1))",
            lambda t: t + 1,
            _ar1h,
            lambda v, t: _log_sd_start(v, t, 1, np.arctanh(0.5)),
        ),
        Structure(
            "toep",
            "Toeplitz (TOEP)",
            lambda t: t,
            _toep,
            lambda v, t: np.concatenate([[np.log(v)], np.full(t - 1, 0.0)]),
        ),
        Structure(
            "toeph",
            "heterogeneous Toeplitz (TOEPH)",
            lambda t: 2 * t - 1,
            _toeph,
            lambda v, t: _log_sd_start(v, t, t - 1, 0.0),
        ),
        Structure(
            "ad",
            "first-order antedependence",
            lambda t: t,
            _ad,
            lambda v, t: np.concatenate([[np.log(v)], np.full(t - 1, np.arctanh(0.5))]),
        ),
        Structure(
            "adh",
            "heterogeneous first-order antedependence (ANTE(1))",
            lambda t: 2 * t - 1,
            _adh,
            lambda v, t: _log_sd_start(v, t, t - 1, np.arctanh(0.5)),
        ),
        Structure(
            "sp_exp",
            "spatial exponential (SP(EXP))",
            lambda t: 2,
            _sp_exp,
            lambda v, t: np.array([np.log(v), 0.0]),
            spatial=True,
        ),
        Structure(
            "sp_gau",
            "spatial Gaussian (SP(GAU))",
            lambda t: 2,
            _sp_gau,
            lambda v, t: np.array([np.log(v), 0.0]),
            spatial=True,
        ),
    )
}


def theta_scaling(structure: Structure, t: int, factor: float) -> tuple[Array, Array]:
    """``(shift, stretch)`` with ``theta = shift + stretch * theta_1`` the parameters of
    ``factor**2 * Sigma(theta_1)``: the covariance of a response multiplied by ``factor``.

    Log standard deviations move by ``log factor``, log variances by twice it, the off-diagonal
    Cholesky entries of ``us`` are multiplied by it; correlations and ranges do not change.

    Examples
    --------
    >>> us = get_structure("us")
    >>> shift, stretch = theta_scaling(us, 2, 10.0)
    >>> theta = np.array([0.1, 0.3, -0.2])
    >>> bool(np.allclose(us.matrix(shift + stretch * theta, 2), 100 * us.matrix(theta, 2)))
    True
    """
    m = structure.n_params(t)
    shift, stretch = np.zeros(m), np.ones(m)
    log = float(np.log(factor))
    if structure.name == "us":
        diag = _diag_positions(t)
        stretch[:] = factor
        stretch[diag] = 1.0
        shift[diag] = log
    elif structure.name in ("csh", "ar1h", "toeph", "adh"):
        shift[:t] = log
    else:  # cs, ar1, toep, ad, sp_exp, sp_gau: theta[0] is the log variance
        shift[0] = 2 * log
    return shift, stretch


def get_structure(name: str) -> Structure:
    """The structure called ``name``; a ValueError lists the known ones otherwise."""
    try:
        return STRUCTURES[name]
    except KeyError:
        raise ModelSpecificationError(
            f"unknown covariance structure {name!r}; the structures are {sorted(STRUCTURES)}"
        ) from None


def derivatives(structure: Structure, theta: Array, where: object, step: float = 1e-20) -> Array:
    """The covariance and its derivative with respect to each parameter, by the complex step.

    Returns an array ``(1 + len(theta), m, m)``: the matrix, then ``d matrix / d theta_j``.
    The complex step gives derivatives exact to rounding (Squire & Trapp 1998).

    Examples
    --------
    >>> ar1 = get_structure("ar1")
    >>> d = derivatives(ar1, np.array([np.log(2.0), np.arctanh(0.5)]), 3)
    >>> d[0].round(3).tolist()
    [[2.0, 1.0, 0.5], [1.0, 2.0, 1.0], [0.5, 1.0, 2.0]]
    >>> bool(np.allclose(d[1], d[0]))   # d/d log(s2) of s2 R is s2 R
    True
    """
    theta = np.asarray(theta, dtype=float)
    base = structure.matrix(theta, where).real
    out = np.empty((1 + len(theta), *base.shape))
    out[0] = base
    for j in range(len(theta)):
        shifted = theta.astype(complex)
        shifted[j] += 1j * step
        out[1 + j] = structure.matrix(shifted, where).imag / step
    return out


def curvature(structure: Structure, theta: Array, where: object, q: Array) -> Array:
    """``sum_ab q_ab d2 matrix_ab / d theta_j d theta_k``: the second derivatives against ``q``.

    Exact for ``us`` (its log-Cholesky factor is linear in the off-diagonal parameters and
    exponential in the diagonal ones); for the other structures, central differences of the
    exact first derivatives (:func:`derivatives`), accurate to about 1e-10 relative. ``q`` is a
    symmetric matrix of the matrix's shape.

    Examples
    --------
    The two ways agree for the unstructured matrix:

    >>> us, theta = get_structure("us"), np.array([0.1, 0.4, -0.3])
    >>> q = np.array([[1.0, 0.5], [0.5, 2.0]])
    >>> bool(np.allclose(curvature(us, theta, 2, q), _differenced_curvature(us, theta, 2, q)))
    True
    """
    theta = np.asarray(theta, dtype=float)
    if structure.name == "us":
        return _us_curvature(theta, int(where), q)  # type: ignore[call-overload]
    return _differenced_curvature(structure, theta, where, q)


def _us_curvature(theta: Array, t: int, q: Array) -> Array:
    # Sigma = L L' with L_j = dL/dtheta_j = c_j e_r e_c' (c_j = 1, or exp(theta_j) on the
    # diagonal): <d2 Sigma_jk, q> = 2 <L_j L_k', q> + [j = k on the diagonal] 2 <L_j L', q>,
    # and <L_j L_k', q> = c_j c_k q[r_j, r_k] when c_j = c_k (the same column of L).
    rows, cols = _tril(t)
    scale = np.ones(len(theta))
    diag = _diag_positions(t)
    scale[diag] = np.exp(theta[diag])
    chol = np.zeros((t, t))
    chol[rows, cols] = theta
    chol[np.arange(t), np.arange(t)] = scale[diag]
    same_column = cols[:, None] == cols[None, :]
    out = 2 * np.outer(scale, scale) * q[rows[:, None], rows[None, :]] * same_column
    out[diag, diag] += 2 * scale[diag] * (q @ chol)[rows[diag], cols[diag]]
    return out


def _differenced_curvature(structure: Structure, theta: Array, where: object, q: Array) -> Array:
    m = len(theta)
    out = np.empty((m, m))
    for k in range(m):
        h = 1e-5 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        d_up = derivatives(structure, up, where)[1:]
        d_down = derivatives(structure, down, where)[1:]
        out[:, k] = np.einsum("jab,ab->j", d_up - d_down, q) / (2 * h)
    return (out + out.T) / 2
