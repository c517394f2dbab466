"""The (restricted) log-likelihood of an MMRM and its gradient, from sufficient statistics.

Subjects who share a covariance group and a set of observed visits (a *missingness pattern*)
share one covariance matrix. One pass over the data stores, per pattern, the cross-products of
design and response by pair of visits; after that, an evaluation of the likelihood costs the same
for 200 or 1,000,000 subjects. With ``Sigma_p`` the pattern's covariance, ``A_p`` its inverse, and
``C_p[a, b] = sum_i x_ia x_ib'`` (likewise for ``x y'`` and ``y y'``)::

    X'V^-1 X = sum_p sum_ab A_p[a, b] C_p[a, b]
    -2 l_ML   = sum_p n_p log|Sigma_p| - sum log w + r'V^-1 r + N log(2 pi)
    -2 l_REML = -2 l_ML + log|X'V^-1 X| - p log(2 pi)

as SAS PROC MIXED reports them ("-2 Log Likelihood", "-2 Res Log Likelihood"). Weights enter by
scaling each row by the square root of its weight (``V_i = W_i^-1/2 Sigma W_i^-1/2``).

The gradient with respect to covariance parameter ``j`` is ``sum_p <dSigma_p/dtheta_j, Q_p>`` with
``Q_p = n_p A_p - A_p (R_p + G_p) A_p``, where ``R_p`` holds the residual cross-products and
``G_p = sum_jk (X'V^-1X)^-1_jk C_p[., ., j, k]`` (REML only).

The Hessian (the observed information, twice) differentiates the gradient once more, with
``D_j = dSigma_p/dtheta_j``, ``B_j = A_p D_j A_p`` and ``M = X'V^-1X``::

    H_jk = sum_p [ <d2 Sigma_p / dtheta_j dtheta_k, Q_p> - n_p <B_j, D_k>
                   + 2 tr(B_j D_k A_p (R_p + G_p)) ]
           - 2 u_j' M^-1 u_k  -  tr(M^-1 W_j M^-1 W_k)    (the last term REML only)

where ``u_j = sum_p sum_ab B_j[a, b] (X'r)_p[a, b]`` comes from the estimates of the fixed
effects moving with ``theta``, and ``W_j = sum_p sum_ab B_j[a, b] C_p[a, b] = -dM/dtheta_j``.
It costs about two evaluations of the gradient, where central differences cost two per
parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.blas

from outcomes.models.mmrm.covariance import Structure, curvature, derivatives, us_theta
from outcomes.models.mmrm.design import Design

__all__ = ["Evaluation", "Likelihood", "Pattern"]

LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Pattern:
    """Subjects of one covariance group observed at one set of visits (or time points).

    ``n`` subjects; ``xx``, ``xy``, ``yy`` the cross-products by pair of the pattern's visits;
    ``x_sum[a]``, ``y_sum[a]`` the sums of design and response at its visit ``a``; ``rows``
    (subjects x visits) the design's rows, when it is in memory (an engine's aggregates come
    without them).
    """

    group: int
    where: np.ndarray
    n: int
    xx: np.ndarray
    xy: np.ndarray
    yy: np.ndarray
    x_sum: np.ndarray
    y_sum: np.ndarray
    log_weights: float
    rows: np.ndarray | None = None


@dataclass(frozen=True)
class _Covariances:
    """Covariances at one ``theta``: per group the full visit matrix (with derivatives if asked),
    or ``full=None`` for spatial structures, whose matrices differ by pattern."""

    theta: np.ndarray
    with_derivatives: bool
    full: list[np.ndarray] | None


@dataclass(frozen=True)
class Evaluation:
    """The objective at one ``theta``: value, gradient, and the fixed-effects quantities."""

    value: float
    gradient: np.ndarray | None
    beta: np.ndarray
    xtvx: np.ndarray
    xtvx_inv: np.ndarray
    hessian: np.ndarray | None = None


class Likelihood:
    """-2 log-likelihood (REML or ML) of an MMRM as a function of the covariance parameters.

    Parameters
    ----------
    design : Design
        The model's data.
    structure : Structure
        The covariance structure; one parameter block per covariance group.
    reml : bool
        Restricted (default in :func:`outcomes.mmrm`) or full maximum likelihood.
    patterns : list of Pattern, optional
        The sufficient statistics, when an engine computed them
        (:mod:`outcomes.models.mmrm.engines`); from the design's rows otherwise.
    """

    def __init__(
        self,
        design: Design,
        structure: Structure,
        reml: bool,
        patterns: list[Pattern] | None = None,
    ) -> None:
        self.design = design
        self.structure = structure
        self.reml = reml
        self.n_visits = len(design.visit_levels)
        self.n_groups = len(design.group_levels)
        self.block = structure.n_params(self.n_visits)
        self.n_obs, self.n_beta = design.n_rows, design.x.shape[1]
        self.patterns = _patterns(design, structure.spatial) if patterns is None else patterns

    @property
    def n_theta(self) -> int:
        """Number of covariance parameters."""
        return self.block * self.n_groups

    def group_theta(self, theta: np.ndarray, group: int) -> np.ndarray:
        """The parameters of one covariance group."""
        return theta[group * self.block : (group + 1) * self.block]

    def covariance(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """The visits x visits covariance of a group (visit-based structures)."""
        return self.structure.matrix(self.group_theta(theta, group), self.n_visits).real

    def start(self) -> np.ndarray:
        """Starting values from the residuals of least squares, from the pattern statistics.

        The unstructured covariance starts at the visits' residual covariance (pairwise
        complete, made positive definite), which saves most of the optimiser's iterations;
        the other structures at their own starting values for the residual variance.
        """
        xtx = sum(np.einsum("aajk->jk", pat.xx) for pat in self.patterns)
        xty = sum(np.einsum("aaj->j", pat.xy) for pat in self.patterns)
        beta = np.linalg.solve(xtx, xty)
        cross = [_residual_products(pat, beta) for pat in self.patterns]
        var = max(float(sum(np.trace(c) for c in cross)) / self.n_obs, 1e-8)
        if self.structure.name == "us":
            starts = [
                us_theta(self._residual_covariance(beta, cross, g, var))
                for g in range(self.n_groups)
            ]
            return np.concatenate(starts)
        return np.tile(self.structure.start(var, self.n_visits), self.n_groups)

    def evaluate(
        self, theta: np.ndarray, gradient: bool = False, hessian: bool = False
    ) -> Evaluation:
        """The objective at ``theta`` and, if asked, its gradient and Hessian (see the module
        docstring); ``hessian`` implies ``gradient``."""
        gradient = gradient or hessian
        p = self.n_beta
        xtvx = np.zeros((p, p))
        xtvy = np.zeros(p)
        ytvy = 0.0
        logdet = 0.0
        mats = self._matrices(theta, gradient)
        inverses = []
        for pat in self.patterns:
            sigma = self._pattern_matrix(mats, pat)[0]
            chol = scipy.linalg.cho_factor(sigma, lower=True, check_finite=False)
            a = scipy.linalg.cho_solve(chol, np.eye(len(sigma)), check_finite=False)
            inverses.append(a)
            logdet += pat.n * 2 * np.log(np.diag(chol[0])).sum() - pat.log_weights
            xtvx += np.einsum("ab,abjk->jk", a, pat.xx)
            xtvy += np.einsum("ab,abj->j", a, pat.xy)
            ytvy += float(np.einsum("ab,ab->", a, pat.yy))
        xtvx = (xtvx + xtvx.T) / 2
        chol_x = scipy.linalg.cho_factor(xtvx, lower=True, check_finite=False)
        beta = scipy.linalg.cho_solve(chol_x, xtvy, check_finite=False)
        xtvx_inv = scipy.linalg.cho_solve(chol_x, np.eye(p), check_finite=False)
        quad = ytvy - float(beta @ xtvy)
        value = logdet + quad + self.n_obs * LOG_2PI
        if self.reml:
            value += 2 * np.log(np.diag(chol_x[0])).sum() - p * LOG_2PI
        grad = hess = None
        if gradient:
            grad, hess = self._derivatives(mats, inverses, beta, xtvx_inv, hessian)
        return Evaluation(float(value), grad, beta, xtvx, xtvx_inv, hess)

    def xtvx_derivatives(self, theta: np.ndarray) -> np.ndarray:
        """``d (X'V^-1 X) / d theta_j = -X'V^-1 (dV/dtheta_j) V^-1 X`` for every ``j``."""
        mats = self._matrices(theta, True)
        out = np.zeros((self.n_theta, self.n_beta, self.n_beta))
        for pat in self.patterns:
            d = self._pattern_matrix(mats, pat)
            a = np.linalg.inv(d[0])
            idx = self._theta_index(pat)
            ada = np.einsum("ab,jbc,cd->jad", a, d[1:], a)
            out[idx] -= np.einsum("jab,abkl->jkl", ada, pat.xx)
        return out

    def weighted_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Design and response with each row scaled by the square root of its weight."""
        return _weighted(self.design)

    def pattern_covariances(self, theta: np.ndarray) -> list[np.ndarray]:
        """The covariance of each pattern at ``theta``, in the order of :attr:`patterns`."""
        mats = self._matrices(theta, False)
        return [self._pattern_matrix(mats, pat)[0] for pat in self.patterns]

    # -- internals ------------------------------------------------------------------------------

    def _residual_covariance(
        self, beta: np.ndarray, cross: list[np.ndarray], group: int, var: float
    ) -> np.ndarray:
        """Pairwise-complete covariance of least-squares residuals by visit (as pandas'
        ``cov(min_periods=2)`` of the subjects x visits table), floored to stay PD."""
        t = self.n_visits
        n = np.zeros((t, t))
        s_ab = np.zeros((t, t))
        s_a = np.zeros((t, t))  # s_a[a, b]: sum of r_a over subjects seen at a and b
        for pat, c in zip(self.patterns, cross, strict=True):
            if pat.group != group:
                continue
            at = np.ix_(pat.where, pat.where)
            m = pat.y_sum - pat.x_sum @ beta
            n[at] += pat.n
            s_ab[at] += c
            s_a[at] += m[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (s_ab - s_a * s_a.T / n) / (n - 1)
        cov = np.where(n >= 2, cov, 0.0)
        return _floored(cov, var)

    def _theta_index(self, pat: Pattern) -> slice:
        return slice(pat.group * self.block, (pat.group + 1) * self.block)

    def _matrices(self, theta: np.ndarray, with_derivatives: bool) -> _Covariances:
        """The covariances at ``theta``, ready to be cut down to each pattern."""
        full = None
        if not self.structure.spatial:
            full = []
            for g in range(self.n_groups):
                th = self.group_theta(theta, g)
                if with_derivatives:
                    full.append(derivatives(self.structure, th, self.n_visits))
                else:
                    full.append(self.structure.matrix(th, self.n_visits).real[None])
        return _Covariances(theta, with_derivatives, full)

    def _pattern_matrix(self, mats: _Covariances, pat: Pattern) -> np.ndarray:
        """The pattern's covariance (and derivatives), shape ``(1 [+ m], S, S)``.

        Visit-based structures cut the group's full matrix down to the pattern's visits;
        spatial ones compute it from the pattern's time points.
        """
        if mats.full is None:
            th = self.group_theta(mats.theta, pat.group)
            if mats.with_derivatives:
                return derivatives(self.structure, th, pat.where)
            return self.structure.matrix(th, pat.where).real[None]
        full = mats.full[pat.group]
        return full[:, pat.where[:, None], pat.where[None, :]]

    def _derivatives(
        self,
        mats: _Covariances,
        inverses: list[np.ndarray],
        beta: np.ndarray,
        xtvx_inv: np.ndarray,
        hessian: bool,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The gradient, and the Hessian if asked (see the module docstring)."""
        m, p = self.n_theta, self.n_beta
        grad = np.zeros(m)
        hess = np.zeros((m, m))
        u = np.zeros((m, p))
        w = np.zeros((m, p, p))
        # <d2 Sigma, Q> is taken on each group's full matrix, with Q_p added into its visits.
        q_full = None if mats.full is None else np.zeros((self.n_groups, *mats.full[0].shape[1:]))
        for pat, a in zip(self.patterns, inverses, strict=True):
            xx_beta = pat.xx @ beta
            xr = pat.xy - xx_beta  # sum_i x_ia r_ib
            xb = pat.xy @ beta
            resid = pat.yy - xb - xb.T + xx_beta @ beta
            if self.reml:
                resid = resid + np.einsum("jk,abjk->ab", xtvx_inv, pat.xx)
            ar = a @ resid
            q = pat.n * a - ar @ a
            d = self._pattern_matrix(mats, pat)[1:]
            idx = self._theta_index(pat)
            grad[idx] += np.einsum("jab,ab->j", d, q)
            if not hessian:
                continue
            size = len(a)
            b = (a @ d @ a).reshape(len(d), -1)
            hess[idx, idx] += -pat.n * b @ d.reshape(len(d), -1).T
            hess[idx, idx] += 2 * b @ (d @ ar).transpose(0, 2, 1).reshape(len(d), -1).T
            u[idx] += b @ xr.reshape(size * size, p)
            if self.reml:
                w[idx] += (b @ pat.xx.reshape(size * size, p * p)).reshape(len(d), p, p)
            if q_full is None:
                hess[idx, idx] += curvature(
                    self.structure, self.group_theta(mats.theta, pat.group), pat.where, q
                )
            else:
                q_full[pat.group][np.ix_(pat.where, pat.where)] += q
        if not hessian:
            return grad, None
        if q_full is not None:
            for g in range(self.n_groups):
                block = slice(g * self.block, (g + 1) * self.block)
                hess[block, block] += curvature(
                    self.structure, self.group_theta(mats.theta, g), self.n_visits, q_full[g]
                )
        hess -= 2 * u @ xtvx_inv @ u.T
        if self.reml:
            z = xtvx_inv @ w
            hess -= z.reshape(m, -1) @ z.transpose(0, 2, 1).reshape(m, -1).T
        return grad, (hess + hess.T) / 2


def _residual_products(pat: Pattern, beta: np.ndarray) -> np.ndarray:
    """``sum_i r_ia r_ib`` over the pattern's subjects, for residuals ``r = y - X beta``."""
    xx_beta = pat.xx @ beta
    xb = pat.xy @ beta
    out: np.ndarray = pat.yy - xb - xb.T + xx_beta @ beta
    return out


def _floored(cov: np.ndarray, var: float) -> np.ndarray:
    """A covariance with missing variances set to ``var``, eigenvalues floored to stay PD."""
    diag = np.diag(cov).copy()
    diag[~(diag > 0)] = var
    np.fill_diagonal(cov, diag)
    vals, vecs = np.linalg.eigh(cov)
    vals = np.maximum(vals, 1e-3 * max(vals.max(), var))
    out: np.ndarray = (vecs * vals) @ vecs.T
    return out


def _weighted(design: Design) -> tuple[np.ndarray, np.ndarray]:
    if design.weights is None:
        return design.x, design.y
    root = np.sqrt(design.weights)
    return design.x * root[:, None], design.y * root


def _patterns(design: Design, spatial: bool) -> list[Pattern]:
    """Group subjects by covariance group and observed visits; sufficient statistics of each."""
    x, y = _weighted(design)
    logw = np.zeros(len(y)) if design.weights is None else np.log(design.weights)
    coords = _coords(design, spatial)
    order_key = coords[:, 0] if spatial else design.visit
    order = np.lexsort((order_key, design.subject))
    subj = design.subject[order]
    starts = np.flatnonzero(np.r_[True, subj[1:] != subj[:-1]])
    sizes = np.diff(np.r_[starts, len(subj)])
    keys = _pattern_keys(design, order, starts, sizes, spatial)
    key_codes, _ = _factorize(keys)
    patterns = []
    for code in range(key_codes.max() + 1):
        members = np.flatnonzero(key_codes == code)
        size = int(sizes[members[0]])
        rows = order[starts[members][:, None] + np.arange(size)[None, :]]
        first = rows[0]
        where = coords[first] if spatial else design.visit[first]
        xs = x[rows]
        ys = y[rows]
        n, s, k = xs.shape
        flat = xs.reshape(n, s * k)
        xx = _gram(flat).reshape(s, k, s, k).transpose(0, 2, 1, 3)
        xy = (flat.T @ ys).reshape(s, k, s).transpose(0, 2, 1)
        yy = ys.T @ ys
        patterns.append(
            Pattern(
                group=int(design.group[first[0]]),
                where=where,
                n=n,
                xx=xx,
                xy=xy,
                yy=yy,
                x_sum=xs.sum(axis=0),
                y_sum=ys.sum(axis=0),
                log_weights=float(logw[rows].sum()),
                rows=rows,
            )
        )
    return patterns


def _coords(design: Design, spatial: bool) -> np.ndarray:
    """The time coordinates of a spatial structure's rows (none for visit-based ones)."""
    if design.coords is None:
        assert not spatial  # noqa: S101 - build_design gives coordinates to spatial designs
        return np.empty((len(design.y), 0))
    return design.coords


def _gram(a: np.ndarray) -> np.ndarray:
    """``a' a`` for a tall matrix, by BLAS's symmetric rank-k update.

    ``a.T @ a`` takes a slow general path in some OpenBLAS builds for tall matrices of a few
    dozen columns (seen here: 11 s against 0.2 s for 1,000,000 x 65).
    """
    upper = scipy.linalg.blas.dsyrk(1.0, np.asarray(a, dtype=float).T, trans=0)
    return np.triu(upper) + np.triu(upper, 1).T


def _pattern_keys(
    design: Design, order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, spatial: bool
) -> list[object] | np.ndarray:
    group = design.group[order][starts]
    if not spatial and len(design.visit_levels) <= 62:
        bits = np.left_shift(np.int64(1), design.visit[order].astype(np.int64))
        mask = np.add.reduceat(bits, starts)
        group_bits = max(1, int(len(design.group_levels) - 1).bit_length())
        if len(design.visit_levels) + group_bits <= 62:
            return (mask << group_bits) | group
        return np.column_stack([mask, group])
    values = _coords(design, spatial)[order] if spatial else design.visit[order][:, None]
    return [
        (int(g), values[s : s + n].tobytes()) for g, s, n in zip(group, starts, sizes, strict=True)
    ]


def _factorize(keys: list[object] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(keys, np.ndarray):
        axis = 0 if keys.ndim == 2 else None
        uniques, codes = np.unique(keys, axis=axis, return_inverse=True)
        return codes.ravel(), uniques
    lookup: dict[object, int] = {}
    codes = np.array([lookup.setdefault(k, len(lookup)) for k in keys])
    return codes, np.array(list(lookup))
