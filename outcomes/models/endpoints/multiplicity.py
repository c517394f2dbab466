"""Multiplicity adjustment over a family of endpoints.

:func:`adjust` gives Bonferroni, Holm and Hochberg adjusted p-values (computed by
:func:`statsmodels.stats.multitest.multipletests`) and the fixed-sequence (hierarchical)
procedure. :func:`graphical` is the graphical approach of Bretz, Maurer, Brannath & Posch (2009,
Stat Med 28:586-604) with weighted Bonferroni tests: each endpoint starts with a share ``w_i`` of
alpha; when one is rejected its share is passed on along the edges of a transition matrix ``G``
and the graph is updated (Algorithm 1 of the paper). Holm and the fixed sequence are special
graphs. Adjusted p-values follow Bretz et al. (2009; 2011, Biom J 53:894-913).

In every result an endpoint is rejected at the familywise level ``alpha``; for the step-wise
procedures this is the same as ``adjusted_p <= alpha``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from outcomes.errors import ModelSpecificationError

__all__ = ["METHODS", "adjust", "graphical"]

METHODS: tuple[str, ...] = ("bonferroni", "holm", "hochberg", "fixed-sequence")
"""Methods of :func:`adjust`."""

_STATSMODELS = {"bonferroni": "bonferroni", "holm": "holm", "hochberg": "simes-hochberg"}
_TOL = 1e-10  # slack on sums of weights (1/3 + 1/3 + 1/3 need not be exactly 1 in floats)

PValues = Mapping[str, float] | pd.Series


def adjust(
    p_values: PValues,
    method: str = "holm",
    *,
    alpha: float = 0.05,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Adjust the p-values of a family of endpoints for multiplicity.

    Parameters
    ----------
    p_values : mapping or Series
        Endpoint -> unadjusted p-value, each in [0, 1].
    method : {"bonferroni", "holm", "hochberg", "fixed-sequence"}
        ``bonferroni``, ``holm`` (step-down) and ``hochberg`` (step-up, valid under independence
        or positive dependence) are computed by statsmodels' ``multipletests``, and agree with
        R's ``p.adjust``. ``fixed-sequence`` tests the endpoints one after the other in
        ``order``, each at the full ``alpha``, and stops at the first one not rejected; its
        adjusted p-value is the running maximum of the p-values along the order.
    alpha : float
        Familywise error rate, in (0, 1).
    order : sequence of str, optional
        Test order of ``fixed-sequence`` (a permutation of the endpoints); by default the order
        of ``p_values``. Not used by the other methods (giving it is an error).

    Returns
    -------
    pandas.DataFrame
        One row per endpoint, in the order of ``p_values`` (``fixed-sequence``: in test order):

        ``endpoint``
            The endpoint's name.
        ``p_value``
            The unadjusted p-value.
        ``adjusted_p``
            The adjusted p-value, in [0, 1].
        ``rejected``
            Whether the endpoint's null hypothesis is rejected: ``adjusted_p <= alpha``.

    Raises
    ------
    ValueError
        For an unknown method, an empty family, repeated endpoints, a p-value that is missing
        or outside [0, 1], ``alpha`` outside (0, 1), or an ``order`` that is not a permutation
        of the endpoints.

    Examples
    --------
    >>> adjust({"MADRS": 0.01, "HAM-A": 0.04, "CGI-S": 0.03}, "holm")
      endpoint  p_value  adjusted_p  rejected
    0    MADRS     0.01        0.03      True
    1    HAM-A     0.04        0.06     False
    2    CGI-S     0.03        0.06     False

    The secondary endpoint is tested only after the primary succeeded:

    >>> adjust({"secondary": 0.02, "primary": 0.001}, "fixed-sequence",
    ...        order=["primary", "secondary"])
        endpoint  p_value  adjusted_p  rejected
    0    primary    0.001       0.001      True
    1  secondary    0.020       0.020      True
    """
    if method not in METHODS:
        raise ModelSpecificationError(f"method must be one of {METHODS}, not {method!r}")
    p = _as_p_series(p_values)
    _check_alpha(alpha)
    if method == "fixed-sequence":
        p = p[_test_order(list(p.index), order)]
        adjusted = np.maximum.accumulate(p.to_numpy())
    else:
        if order is not None:
            raise ModelSpecificationError(
                f"order is used only by 'fixed-sequence', not by {method!r}"
            )
        adjusted = multipletests(p.to_numpy(), alpha=alpha, method=_STATSMODELS[method])[1]
    return _result(p, adjusted, alpha)


def graphical(
    p_values: PValues,
    weights: Mapping[str, float] | pd.Series | Sequence[float] | np.ndarray,
    transitions: pd.DataFrame | Sequence[Sequence[float]] | np.ndarray,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Graphical multiple testing procedure with weighted Bonferroni tests (Bretz et al. 2009).

    Each endpoint ``i`` starts with local level ``w_i * alpha``. Whenever some endpoint ``j`` has
    ``p_j <= w_j * alpha`` it is rejected and removed, and the graph is updated (Algorithm 1 of
    Bretz et al. 2009), for the remaining ``l`` and ``k``::

        w_l  <- w_l + w_j g_jl
        g_lk <- (g_lk + g_lj g_jk) / (1 - g_lj g_jl)   (0 when l = k or g_lj g_jl = 1)

    until no remaining endpoint can be rejected; the result does not depend on which rejectable
    endpoint is taken first. The adjusted p-values (Bretz et al. 2011) come from the same
    updates: repeatedly take the remaining endpoint with the smallest ``p_j / w_j``, give it
    ``max(previous adjusted p, min(1, p_j / w_j))`` and remove it; endpoints whose weights are
    all zero when reached get 1. An endpoint is rejected exactly when its adjusted p-value is at
    most ``alpha``.

    Parameters
    ----------
    p_values : mapping or Series
        Endpoint -> unadjusted p-value, each in [0, 1].
    weights : mapping, Series or sequence of float
        Initial weights, non-negative with sum at most 1: keyed by endpoint (every endpoint
        once), or a sequence in the order of ``p_values``.
    transitions : DataFrame or 2-D array
        ``G[i, j]``, the share of endpoint ``i``'s weight passed to ``j`` when ``i`` is rejected:
        non-negative, zero diagonal, rows summing to at most 1. A DataFrame must have the
        endpoints as both index (from) and columns (to), in any order; an array is in the order
        of ``p_values``.
    alpha : float
        Familywise error rate, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per endpoint, in the order of ``p_values``:

        ``endpoint``
            The endpoint's name.
        ``p_value``
            The unadjusted p-value.
        ``weight``
            The initial weight ``w_i``.
        ``adjusted_p``
            The adjusted p-value, in [0, 1].
        ``rejected``
            Whether the endpoint is rejected by the sequentially rejective procedure at
            ``alpha``.

    Raises
    ------
    ValueError
        For the errors of :func:`adjust`; weights of the wrong length or endpoints, negative or
        missing, or summing to more than 1; a transition matrix that is not square of the
        number of endpoints, has negative or missing entries, a nonzero diagonal, or a row
        summing to more than 1.

    Examples
    --------
    Holm's procedure as a graph: equal weights, each rejection shared equally among the others.

    >>> g = [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
    >>> graphical({"A": 0.01, "B": 0.04, "C": 0.03}, [1/3, 1/3, 1/3], g)
      endpoint  p_value    weight  adjusted_p  rejected
    0        A     0.01  0.333333        0.03      True
    1        B     0.04  0.333333        0.06     False
    2        C     0.03  0.333333        0.06     False
    """
    p = _as_p_series(p_values)
    _check_alpha(alpha)
    endpoints = list(p.index)
    w = _as_weights(weights, endpoints)
    g = _as_transitions(transitions, endpoints)
    pv = p.to_numpy()
    out = _result(p, _graphical_adjusted_p(pv, w, g), alpha)
    out.insert(2, "weight", w)
    out["rejected"] = _graphical_rejections(pv, w, g, alpha)
    return out


def _as_p_series(p_values: PValues) -> pd.Series:
    """The p-values as a float Series indexed by endpoint, checked.

    Examples
    --------
    >>> _as_p_series({"a": 0.5, "b": 1}).tolist()
    [0.5, 1.0]
    """
    if isinstance(p_values, pd.Series):
        p = p_values.copy()
    elif isinstance(p_values, Mapping):
        p = pd.Series(dict(p_values), dtype=object)
    else:
        raise ModelSpecificationError(
            "p_values must be a mapping endpoint -> p-value or a Series indexed by endpoint, "
            f"not {type(p_values).__name__}"
        )
    if len(p) == 0:
        raise ModelSpecificationError("p_values is empty: there is no endpoint to test")
    if p.index.has_duplicates:
        dup = sorted({str(e) for e in p.index[p.index.duplicated()]})
        raise ModelSpecificationError(f"endpoints must be unique; repeated: {dup}")
    try:
        values = p.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise ModelSpecificationError(f"p-values must be numbers; got {p.to_dict()}") from None
    bad = [str(e) for e, v in zip(p.index, values, strict=True) if np.isnan(v)]
    if bad:
        raise ModelSpecificationError(f"p-values are missing (NaN) for {bad}")
    bad = [f"{e}={v}" for e, v in zip(p.index, values, strict=True) if not 0 <= v <= 1]
    if bad:
        raise ModelSpecificationError(f"p-values must lie in [0, 1]; got {bad}")
    return pd.Series(values, index=p.index, dtype=float)


def _check_alpha(alpha: float) -> None:
    """Raise unless ``0 < alpha < 1``.

    Examples
    --------
    >>> _check_alpha(0.025)
    """
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise ModelSpecificationError(f"alpha must be a number in (0, 1), not {alpha!r}")


def _test_order(endpoints: list, order: Sequence[str] | None) -> list:
    """The fixed-sequence test order, checked to be a permutation of ``endpoints``.

    Examples
    --------
    >>> _test_order(["a", "b"], None), _test_order(["a", "b"], ["b", "a"])
    (['a', 'b'], ['b', 'a'])
    """
    if order is None:
        return endpoints
    if isinstance(order, str):
        raise ModelSpecificationError(
            f"order must be a sequence of endpoints, not the string {order!r}"
        )
    order = list(order)
    missing = [e for e in endpoints if e not in order]
    unknown = [e for e in order if e not in endpoints]
    repeated = sorted({str(e) for e in order if order.count(e) > 1})
    if missing or unknown or repeated:
        raise ModelSpecificationError(
            "order must list every endpoint exactly once; "
            f"missing: {missing}, unknown: {unknown}, repeated: {repeated}"
        )
    return order


def _result(p: pd.Series, adjusted: np.ndarray, alpha: float) -> pd.DataFrame:
    """The tidy result frame ``endpoint, p_value, adjusted_p, rejected``."""
    adjusted = np.clip(np.asarray(adjusted, dtype=float), 0.0, 1.0)
    return pd.DataFrame(
        {
            "endpoint": list(p.index),
            "p_value": p.to_numpy(),
            "adjusted_p": adjusted,
            "rejected": adjusted <= alpha,
        }
    )


def _as_weights(weights, endpoints: list) -> np.ndarray:
    """Initial weights in the order of ``endpoints``, checked.

    Examples
    --------
    >>> _as_weights({"b": 0.25, "a": 0.75}, ["a", "b"])
    array([0.75, 0.25])
    """
    if isinstance(weights, Mapping | pd.Series):
        keys = list(weights.keys())
        if len(keys) != len(endpoints) or set(keys) != set(endpoints):
            raise ModelSpecificationError(
                f"weights must name each endpoint once; endpoints: {endpoints}, weights: {keys}"
            )
        w = np.array([weights[e] for e in endpoints], dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(endpoints),):
            raise ModelSpecificationError(
                f"weights must have one value per endpoint ({len(endpoints)}), got shape {w.shape}"
            )
    if np.isnan(w).any():
        raise ModelSpecificationError(f"weights must not be missing (NaN); got {w.tolist()}")
    if (w < 0).any():
        raise ModelSpecificationError(f"weights must be non-negative; got {w.tolist()}")
    if w.sum() > 1 + _TOL:
        raise ModelSpecificationError(f"weights must sum to at most 1; they sum to {w.sum():.6g}")
    return w


def _as_transitions(transitions, endpoints: list) -> np.ndarray:
    """The transition matrix in the order of ``endpoints``, checked.

    Examples
    --------
    >>> _as_transitions([[0, 1], [1, 0]], ["a", "b"])
    array([[0., 1.],
           [1., 0.]])
    """
    m = len(endpoints)
    if isinstance(transitions, pd.DataFrame):
        for axis, labels in (("index", transitions.index), ("columns", transitions.columns)):
            if len(labels) != m or set(labels) != set(endpoints):
                raise ModelSpecificationError(
                    f"the transition DataFrame's {axis} must be the endpoints {endpoints}, "
                    f"got {list(labels)}"
                )
        transitions = transitions.loc[endpoints, endpoints]
    g = np.asarray(transitions, dtype=float)
    if g.shape != (m, m):
        raise ModelSpecificationError(
            f"transitions must be a {m} x {m} matrix, got shape {g.shape}"
        )
    if np.isnan(g).any():
        raise ModelSpecificationError("transitions must not have missing (NaN) entries")
    if (g < 0).any():
        raise ModelSpecificationError("transitions must be non-negative")
    if np.any(np.diag(g) != 0):
        bad = [endpoints[i] for i in np.flatnonzero(np.diag(g))]
        raise ModelSpecificationError(f"transitions must have a zero diagonal; nonzero for {bad}")
    sums = g.sum(axis=1)
    if np.any(sums > 1 + _TOL):
        over = {endpoints[i]: round(float(sums[i]), 6) for i in np.flatnonzero(sums > 1 + _TOL)}
        raise ModelSpecificationError(
            f"each row of transitions must sum to at most 1; row sums {over}"
        )
    return g


def _remove(
    w: np.ndarray, g: np.ndarray, j: int, active: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and transitions after rejecting ``j`` (Algorithm 1, step 2, of Bretz et al. 2009).

    ``active`` marks the endpoints still in the graph, ``j`` already excluded.

    Examples
    --------
    Holm with three endpoints: after one rejection, 1/2 each and a full exchange.

    >>> g3 = np.full((3, 3), 0.5) - 0.5 * np.eye(3)
    >>> w, g = _remove(np.full(3, 1 / 3), g3, 0, np.array([False, True, True]))
    >>> w.round(12).tolist(), g.tolist()
    ([0.0, 0.5, 0.5], [[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    """
    new_w = np.where(active, w + w[j] * g[j], 0.0)
    denom = 1.0 - g[:, j] * g[j, :]
    num = g + np.outer(g[:, j], g[j, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        new_g = np.where(denom[:, None] > _TOL, num / denom[:, None], 0.0)
    keep = np.outer(active, active)
    np.fill_diagonal(keep, False)
    return new_w, np.where(keep, new_g, 0.0)


def _ratios(p: np.ndarray, w: np.ndarray, active: np.ndarray) -> np.ndarray:
    """``p_i / w_i`` for the active endpoints with positive weight; ``inf`` otherwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(active & (w > 0), p / np.where(w > 0, w, 1.0), np.inf)


def _graphical_adjusted_p(p: np.ndarray, w: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Adjusted p-values of the Bonferroni-based graphical procedure (Bretz et al. 2011).

    Examples
    --------
    The fixed sequence 1 -> 2 is a running maximum:

    >>> _graphical_adjusted_p(np.array([0.02, 0.01]), np.array([1.0, 0.0]),
    ...                       np.array([[0.0, 1.0], [0.0, 0.0]])).tolist()
    [0.02, 0.02]
    """
    active = np.ones(p.size, dtype=bool)
    adjusted = np.ones(p.size)
    running = 0.0
    while active.any():
        ratio = _ratios(p, w, active)
        j = int(np.argmin(ratio))
        if not np.isfinite(ratio[j]):
            break  # every remaining endpoint has weight 0: adjusted p is 1
        running = max(running, min(1.0, float(ratio[j])))
        adjusted[j] = running
        active[j] = False
        w, g = _remove(w, g, j, active)
    return adjusted


def _graphical_rejections(p: np.ndarray, w: np.ndarray, g: np.ndarray, alpha: float) -> np.ndarray:
    """Rejections of the sequentially rejective procedure (Algorithm 1 of Bretz et al. 2009).

    An endpoint is rejectable when its weight is positive and ``p_j <= w_j * alpha`` (compared
    as ``p_j / w_j <= alpha``, the arithmetic of the adjusted p-values).

    Examples
    --------
    >>> _graphical_rejections(np.array([0.01, 0.04]), np.array([0.5, 0.5]),
    ...                       np.array([[0.0, 1.0], [1.0, 0.0]]), 0.05).tolist()
    [True, True]
    """
    active = np.ones(p.size, dtype=bool)
    while active.any():
        ratio = _ratios(p, w, active)
        j = int(np.argmin(ratio))
        if not ratio[j] <= alpha:
            break
        active[j] = False
        w, g = _remove(w, g, j, active)
    return ~active
