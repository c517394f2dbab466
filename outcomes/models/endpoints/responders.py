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
* the marginal risk difference and risk ratio adjusted for the same covariates, by
  g-computation after a logistic regression on arm and the covariates over every arm's subjects,
  with Ye et al.'s (2023) variance, which accounts for the covariates' variability (the FDA's
  2023 guidance on covariate adjustment; :func:`outcomes.marginal_risks`, checked against beeca
  and SAS's %Margins): unconditional effects beside the conditional odds ratio. Wald intervals,
  the ratio's on the log scale; missing with ``marginal_note`` saying why when not estimable;
* the number needed to treat, ``1 / risk difference``, with the interval ``1 / (interval of the
  difference)`` when that excludes 0; when it includes 0 the NNT interval runs through infinity
  (Altman 1998) and is left missing.

A subject without a value of a covariate is left out of the covariate-adjusted estimates (odds
ratio, marginal effects) and counted in ``or_note`` and ``marginal_note``; the rates and the
unadjusted difference keep every subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from outcomes.data.frames import require
from outcomes.deprecation import renamed
from outcomes.errors import ConvergenceError, ModelSpecificationError
from outcomes.models.core.frames import factor_levels
from outcomes.models.endpoints.marginal import covariate_matrix, logistic_fit, marginal_risks

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
    "marginal_rd",
    "marginal_rd_conf_low",
    "marginal_rd_conf_high",
    "marginal_rd_p_value",
    "marginal_rr",
    "marginal_rr_conf_low",
    "marginal_rr_conf_high",
    "marginal_note",
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
        complete = full.dropna(subset=list(covariates))
        left_out = _left_out(len(full) - len(complete), covariates)
        marginal = _marginal(complete, arm, reference, covariates, conf_level)
        for level in (lev for lev in arm_levels if lev != reference):
            row = _compare(full, complete, arm, level, reference, covariates, conf_level)
            row["or_note"] = _joined(row["or_note"], left_out)
            extra = marginal.get(level) or marginal.get(None) or _NOT_IN_MODEL
            extra = {**extra, "marginal_note": _joined(extra["marginal_note"], left_out)}
            rows.append({**({by: level_by} if by else {}), **row, **extra, "missing_rule": missing})
    return pd.DataFrame(rows)


def _joined(*notes: Any) -> str:
    return "; ".join(str(n) for n in notes if n)


def _left_out(count: int, covariates: Sequence[str]) -> str:
    if not count:
        return ""
    return (
        f"{count} subject(s) without a value of {', '.join(covariates)} left out of the "
        "covariate-adjusted estimates"
    )


_NO_MARGINAL = dict.fromkeys(RESPONDER_COLUMNS[RESPONDER_COLUMNS.index("marginal_rd") : -2], np.nan)
_NOT_IN_MODEL = {
    **_NO_MARGINAL,
    "marginal_note": "not estimable: no subject of the arm has every covariate",
}


def _marginal(
    complete: pd.DataFrame,
    arm: str,
    reference: Any,
    covariates: Sequence[str],
    conf_level: float,
) -> dict[Any, dict[str, Any]]:
    """Marginal risk difference and ratio of each arm against the reference, by arm level (the
    key None holds the row for every arm when they are not estimable)."""
    try:
        table = marginal_risks(
            complete,
            outcome="_y",
            arm=arm,
            covariates=covariates,
            reference=reference,
            conf_level=conf_level,
        )
    except (ConvergenceError, ModelSpecificationError) as error:
        return {None: {**_NO_MARGINAL, "marginal_note": f"not estimable: {error}"}}
    out: dict[Any, dict[str, Any]] = {}
    levels = complete.drop_duplicates(arm)[arm]
    for level in levels:
        rows = table[table["contrast"] == f"{level} - {reference}"].set_index("measure")
        if rows.empty:
            continue
        rd, rr = rows.loc["risk difference"], rows.loc["risk ratio"]
        out[level] = {
            "marginal_rd": rd["estimate"],
            "marginal_rd_conf_low": rd["conf_low"],
            "marginal_rd_conf_high": rd["conf_high"],
            "marginal_rd_p_value": rd["p_value"],
            "marginal_rr": rr["estimate"],
            "marginal_rr_conf_low": rr["conf_low"],
            "marginal_rr_conf_high": rr["conf_high"],
            "marginal_note": "",
        }
    return out


def _compare(
    full: pd.DataFrame,
    complete: pd.DataFrame,
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
        complete, arm, level, reference, covariates, conf_level
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
    complete: pd.DataFrame,
    arm: str,
    level: Any,
    reference: Any,
    covariates: Sequence[str],
    conf_level: float,
) -> tuple[Any, ...]:
    """Odds ratio of ``level`` vs ``reference`` by logistic regression with the covariates."""
    sub = complete[complete[arm].isin([level, reference])]
    treated = (sub[arm] == level).to_numpy(float)
    x = np.column_stack([np.ones(len(sub)), treated, covariate_matrix(sub, covariates)])
    y = sub["_y"].to_numpy(float)
    for value, name in ((1.0, level), (0.0, reference)):
        seen = y[treated == value]
        if seen.size and seen.min() == seen.max():
            which = "all" if seen[0] else "none"
            return (*_NO_ODDS, f"not estimable: {which} of {name} respond (separation)")
    try:
        fit = logistic_fit(y, x)
    except (ConvergenceError, ModelSpecificationError) as error:
        return (*_NO_ODDS, f"not estimable: {error}")
    low, high = fit.conf_int(alpha=1 - conf_level)[1]
    return (
        float(np.exp(fit.params[1])),
        float(np.exp(low)),
        float(np.exp(high)),
        float(fit.pvalues[1]),
        "",
    )
