"""Combining the analyses of completed data sets: Rubin's rules, and the jackknife.

**Rubin's rules** (Rubin 1987) for ``M`` imputations with estimates ``q_m`` and variances ``u_m``:
``Q = mean(q)``, ``U = mean(u)``, ``B = var(q)`` (``M - 1`` divisor), total variance
``T = U + (1 + 1/M) B``. Degrees of freedom by Barnard & Rubin (1999), with ``nu_com`` the
complete-data df: ``gamma = (1 + 1/M) B / T``, ``nu_old = (M - 1) / gamma^2``,
``nu_obs = (nu_com + 1) / (nu_com + 3) nu_com (1 - gamma)``, ``nu = 1 / (1/nu_old + 1/nu_obs)``
(``nu_obs`` when nothing was imputed, ``B = 0``, as rbmi).
The Monte Carlo standard error of ``Q`` is ``sqrt(B / M)``.

**Jackknife** for conditional mean imputation (Wolbers et al. 2022): the estimate is that of the
full data; with ``q_(i)`` the estimate leaving subject ``i`` out (refitted imputation model, new
conditional means), ``se = sqrt((n - 1) / n sum (q_(i) - mean q_(.))^2)``, and the interval and
test use the normal distribution.
"""

from __future__ import annotations

import numpy as np

__all__ = ["jackknife", "rubin"]


def rubin(estimates: np.ndarray, variances: np.ndarray, df_complete: float) -> dict[str, float]:
    """Pool one quantity over imputations.

    Examples
    --------
    >>> out = rubin(np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5, 0.5]), 100)
    >>> out["estimate"], round(out["std_error"] ** 2, 4)
    (2.0, 1.8333)
    """
    m = len(estimates)
    q = float(np.mean(estimates))
    u = float(np.mean(variances))
    b = float(np.var(estimates, ddof=1)) if m > 1 else 0.0
    total = u + (1 + 1 / m) * b
    gamma = (1 + 1 / m) * b / total if total > 0 else 0.0
    nu_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - gamma)
    if m < 2:
        df = float(df_complete)
    elif gamma == 0:  # no between-imputation variance: nu_old is infinite
        df = nu_obs
    else:
        df = 1 / ((m - 1) ** -1 * gamma**2 + 1 / nu_obs)
    return {
        "estimate": q,
        "std_error": float(np.sqrt(total)),
        "df": float(df),
        "mc_error": float(np.sqrt(b / m)) if m > 1 else 0.0,
        "fraction_missing": float(gamma),
    }


def jackknife(full: float, leave_one_out: np.ndarray) -> dict[str, float]:
    """The jackknife standard error of ``full`` from its leave-one-out estimates.

    Examples
    --------
    >>> jackknife(2.0, np.array([1.0, 2.0, 3.0]))["std_error"]
    1.1547005383792515
    """
    n = len(leave_one_out)
    spread = leave_one_out - leave_one_out.mean()
    return {
        "estimate": float(full),
        "std_error": float(np.sqrt((n - 1) / n * np.sum(spread**2))),
        "df": float("inf"),
    }
