"""Responder analyses: counts and rates by arm, risk difference, odds ratio and NNT.

For a binary outcome per subject (response, remission, sustained response, reliable
improvement; see :func:`outcomes.derive`), at each visit:

* counts and percentages by arm, with the rule for a subject without a value stated and applied:
  ``missing="non-responder"`` (the composite strategy: no value counts as no response) or
  ``"exclude"`` (observed cases);
* the risk difference with Newcombe's hybrid score interval (Newcombe 1998, method 10; through
  statsmodels);
* the odds ratio from a logistic regression on arm and the given covariates (e.g. baseline), with
  a Wald interval (statsmodels). When an arm has no responders, or only responders, or the
  regression does not converge (the covariates separate responders), the maximum-likelihood odds
  ratio is infinite or zero: it is left missing and ``or_note`` says why;
* the number needed to treat, ``1 / risk difference``, with the interval ``1 / (interval of the
  difference)`` when that excludes 0; when it includes 0 the NNT interval runs through infinity
  (Altman 1998) and is left missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import Logit
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
from statsmodels.tools.tools import add_constant

from outcomes.data.frames import require
from outcomes.deprecation import renamed
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.frames import factor_levels

__all__ = ["RESPONDER_COLUMNS", "responders"]

_NO_ODDS = (np.nan, np.nan, np.nan, np.nan)

#: Columns of :func:`responders` after the ``by`` columns.
RESPONDER_COLUMNS = (
    "contrast",
    "n",
    "responders",
    "percent",
    "n_reference",
    "responders_reference",
    "percent_reference",
    "risk_difference",
    "rd_conf_low",
    "rd_conf_high",
    "odds_ratio",
    "or_conf_low",
    "or_conf_high",
    "or_p_value",
    "nnt",
    "nnt_conf_low",
    "nnt_conf_high",
    "or_note",
    "missing_rule",
)


@renamed(group="arm", levels="by_levels")
def responders(
    data: pd.DataFrame,
    *,
    outcome: str,
    arm: str,
    subject: str,
    reference: Any = None,
    by: str | None = None,
    covariates: Sequence[str] = (),
    missing: str = "non-responder",
    conf_level: float = 0.95,
    by_levels: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Responder rates by arm and their comparison with the reference arm.

    Parameters
    ----------
    data : DataFrame
        One row per subject (and ``by`` level) with the binary ``outcome`` (True/False, or 1/0;
        missing where unknown). Every subject in ``data`` counts as randomised: a subject with
        no row at a ``by`` level is missing there.
    outcome, arm, subject : str
        The binary outcome, arm and subject columns.
    reference : optional
        Reference arm (first level by default).
    by : str, optional
        Usually the visit.
    covariates : sequence of str
        Subject-level covariates of the logistic regression (e.g. ``["base"]``): each
        subject's first non-missing value, so that subjects missing at a visit keep theirs.
    missing : {"non-responder", "exclude"}
        The rule for a subject without a value.
    conf_level : float
    by_levels : sequence, optional
        The ``by`` levels to report (default: all in the data). Rows at other levels then only
        carry their subjects and covariates: with the baseline rows in ``data`` and the
        post-dose visits as ``by_levels``, a participant who left before any post-dose visit
        still counts (as a non-responder, or excluded).

    Returns
    -------
    DataFrame
        ``by`` column, then :data:`RESPONDER_COLUMNS`.

    Examples
    --------
    >>> df = pd.DataFrame({"id": range(8), "arm": ["A"] * 4 + ["B"] * 4,
    ...                    "resp": [True, True, True, False, True, False, False, None]})
    >>> out = responders(df, outcome="resp", arm="arm", subject="id", reference="B")
    >>> out[["contrast", "responders", "responders_reference", "risk_difference"]].values.tolist()
    [['A - B', 3, 1, 0.5]]
    """
    if missing not in ("non-responder", "exclude"):
        raise ModelSpecificationError(
            f"missing must be 'non-responder' or 'exclude', not {missing!r}"
        )
    needed = [outcome, arm, subject, *covariates, *([by] if by else [])]
    require(data, needed)
    arms = data.drop_duplicates(subject)[[subject, arm]]
    if covariates:
        first = data.groupby(subject, sort=False)[list(covariates)].first()
        arms = arms.join(first, on=subject)
    arm_levels = factor_levels(data[arm])
    reference = arm_levels[0] if reference is None else reference
    if reference not in arm_levels:
        raise ModelSpecificationError(
            f"reference {reference!r} is not a level of {arm}: {arm_levels}"
        )
    if by_levels is not None and by is None:
        raise ModelSpecificationError("by_levels= needs by=, the column they are levels of")
    parts: list[tuple[Any, pd.DataFrame]]
    if by is None:
        parts = [(None, data)]
    elif by_levels is None:
        parts = list(data.groupby(by, observed=True, sort=True))
    else:
        parts = [(level, data[data[by] == level]) for level in by_levels]
    rows = []
    for level_by, part in parts:
        full = arms.merge(part[[subject, outcome]], on=subject, how="left")
        y = full[outcome].map(lambda v: np.nan if pd.isna(v) else float(bool(v)))
        full = full.assign(_y=y)
        if missing == "non-responder":
            full["_y"] = full["_y"].fillna(0.0)
        else:
            full = full[full["_y"].notna()]
        for level in (lev for lev in arm_levels if lev != reference):
            row = _compare(full, arm, level, reference, covariates, conf_level)
            rows.append({**({by: level_by} if by else {}), **row, "missing_rule": missing})
    return pd.DataFrame(rows)


def _compare(
    full: pd.DataFrame,
    arm: str,
    level: Any,
    reference: Any,
    covariates: Sequence[str],
    conf_level: float,
) -> dict[str, Any]:
    a = full.loc[full[arm] == level, "_y"]
    b = full.loc[full[arm] == reference, "_y"]
    ka, kb, na, nb = int(a.sum()), int(b.sum()), len(a), len(b)
    rd = ka / na - kb / nb
    low, high = confint_proportions_2indep(
        ka, na, kb, nb, method="newcomb", compare="diff", alpha=1 - conf_level
    )
    odds, or_low, or_high, or_p, or_note = _odds_ratio(
        full, arm, level, reference, covariates, conf_level
    )
    excludes_zero = low > 0 or high < 0
    return {
        "contrast": f"{level} - {reference}",
        "n": na,
        "responders": ka,
        "percent": 100 * ka / na,
        "n_reference": nb,
        "responders_reference": kb,
        "percent_reference": 100 * kb / nb,
        "risk_difference": rd,
        "rd_conf_low": float(low),
        "rd_conf_high": float(high),
        "odds_ratio": odds,
        "or_conf_low": or_low,
        "or_conf_high": or_high,
        "or_p_value": or_p,
        "nnt": 1 / rd if rd != 0 else np.inf,
        "nnt_conf_low": 1 / high if excludes_zero else np.nan,
        "nnt_conf_high": 1 / low if excludes_zero else np.nan,
        "or_note": or_note,
    }


def _odds_ratio(
    full: pd.DataFrame,
    arm: str,
    level: Any,
    reference: Any,
    covariates: Sequence[str],
    conf_level: float,
) -> tuple[Any, ...]:
    """Odds ratio of ``level`` vs ``reference`` by logistic regression with the covariates."""
    sub = full[full[arm].isin([level, reference])].dropna(subset=list(covariates))
    x = pd.DataFrame({"arm": (sub[arm] == level).astype(float)})
    for c in covariates:
        x[c] = sub[c].astype(float)
    x = add_constant(x, has_constant="add")
    y = sub["_y"].to_numpy(float)
    treated = x["arm"].to_numpy()
    for value, name in ((1.0, level), (0.0, reference)):
        seen = y[treated == value]
        if seen.size and seen.min() == seen.max():
            which = "all" if seen[0] else "none"
            return (*_NO_ODDS, f"not estimable: {which} of {name} respond (separation)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = Logit(y, x).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    if not fit.mle_retvals.get("converged", True) or any(
        issubclass(w.category, (ConvergenceWarning, PerfectSeparationWarning)) for w in caught
    ):
        return (
            *_NO_ODDS,
            "not estimable: the logistic regression did not converge "
            "(responders separated by the covariates)",
        )
    low, high = fit.conf_int(alpha=1 - conf_level).loc["arm"]
    return (
        float(np.exp(fit.params["arm"])),
        float(np.exp(low)),
        float(np.exp(high)),
        float(fit.pvalues["arm"]),
        "",
    )
