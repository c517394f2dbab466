"""LS means by arm and visit and the differences between arms, from an MMRM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from outcomes.deprecation import renamed
from outcomes.models.core.df import df_title
from outcomes.models.mmrm.covariance import get_structure
from outcomes.tables.builders.common import ci_label, decimals_for
from outcomes.tables.format import format_estimate_ci, format_number, format_p
from outcomes.tables.table import Table

__all__ = ["lsmeans_table"]


@renamed(group="arm")
def lsmeans_table(
    fit: Any,
    *,
    arm: str = "arm",
    visit: str | None = "visit",
    at: str | None = None,
    reference: Any = None,
    decimals: Mapping[str, int] | None = None,
    title: str | None = None,
) -> Table:
    """LS means by arm and visit, and the differences from the reference arm, from an MMRM.

    One row per visit: each arm's LS mean (SE), then for each other arm the difference from the
    reference with its confidence interval and p-value (``fit.lsmeans([arm, visit])`` and
    ``fit.contrasts(arm, by=visit, reference=reference)``).

    Parameters
    ----------
    fit : MMRMFit
        From :func:`outcomes.mmrm`, with ``arm`` and ``visit`` as factors; or from
        :func:`outcomes.ancova` at one visit, with ``visit=None``.
    arm, visit : str
        The arm and visit factors of the model (``visit=None``: an ANCOVA at one visit).
    at : str, optional
        With ``visit=None``, the visit of the ANCOVA, the label of its one row.
    reference : optional
        The reference arm (the model's first level by default).
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS` (``estimate``, ``std_error``).
    title : str, optional

    Returns
    -------
    Table
        Columns ``visit``, ``lsmean_<arm>`` per arm, ``diff_<contrast>`` and ``p_<contrast>``
        per contrast (``contrast`` as ``"DMT - PLACEBO"``).

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    >>> fit = outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", madrs,
    ...                     reference="PLACEBO")
    >>> lsmeans_table(fit).headers
    ['Visit', 'PLACEBO LS mean (SE)', 'DMT LS mean (SE)', 'DMT - PLACEBO (95% CI)', 'p-value']
    """
    dec = decimals_for(decimals)
    if visit is None:  # an ANCOVA: one row, at its visit
        means = fit.lsmeans([arm]).assign(visit=at or "")
        diffs = fit.contrasts(arm, reference=reference).assign(visit=at or "")
        visit = "visit"
        model = f"Analysis of covariance at {at}: " if at else "Analysis of covariance: "
        cov, missing = "", "observed cases at the visit (and any records the data carry forward)"
        fitting = "least squares; degrees of freedom: residual"
        heading = f"LS means of {fit.formula.response} by {arm}" + (f" at {at}" if at else "")
    else:
        means = fit.lsmeans([arm, visit])
        diffs = fit.contrasts(arm, by=visit, reference=reference)
        model = "Mixed model for repeated measures: "
        cov = f"; covariance: {_covariance(fit.formula.covariance)}"
        missing = (
            "all observed data used, nothing imputed; valid if the data are missing at random (MAR)"
        )
        fitting = f"{'REML' if fit.reml else 'ML'}; degrees of freedom: {df_title(fit.df_method)}"
        heading = f"LS means of {fit.formula.response} by {visit} and {arm}"
    arms = list(dict.fromkeys(means[arm]))
    visits = list(dict.fromkeys(means[visit]))
    contrasts = list(dict.fromkeys(diffs["contrast"]))
    rows = []
    for level in visits:
        row = {"visit": str(level)}
        for arm_level in arms:
            m = means[(means[arm] == arm_level) & (means[visit] == level)].iloc[0]
            row[f"lsmean_{arm_level}"] = (
                f"{format_number(m['estimate'], dec['estimate'])} "
                f"({format_number(m['std_error'], dec['std_error'])})"
            )
        for name in contrasts:
            d = diffs[(diffs["contrast"] == name) & (diffs[visit] == level)].iloc[0]
            row[f"diff_{name}"] = format_estimate_ci(
                d["estimate"], d["conf_low"], d["conf_high"], dec["estimate"]
            )
            row[f"p_{name}"] = format_p(d["p_value"])
        rows.append(row)
    ci = ci_label(fit.conf_level)
    column_labels = {"visit": "Visit", **{f"lsmean_{a}": f"{a} LS mean (SE)" for a in arms}}
    for name in contrasts:
        column_labels[f"diff_{name}"] = f"{name} ({ci})"
        column_labels[f"p_{name}"] = "p-value" if len(contrasts) == 1 else f"p ({name})"
    vcov = "" if fit.vcov_method == "model" else f"; covariance of the estimates: {fit.vcov_method}"
    return Table(
        pd.DataFrame(rows, columns=list(column_labels)),
        title or heading,
        footnotes=(
            f"{model}{fit.formula.mean}{cov}; {fitting}{vcov}. "
            f"{fit.n_subjects} subjects, {fit.n_obs} observations.",
            "LS mean: least-squares mean, covariates at their means; SE: standard error; "
            "CI: confidence interval; p: two-sided t test of the difference.",
            f"Missing data: {missing}.",
        ),
        column_labels=column_labels,
        stub=("visit",),
    )


def _covariance(cov: Any) -> str:
    """``us(visit | subject), unstructured (UN)``: the term as written, and its name."""
    group = f"{cov.group} / " if cov.group else ""
    term = f"{cov.structure}({', '.join(cov.time)} | {group}{cov.subject})"
    try:
        return f"{term}, {get_structure(cov.structure).title}"
    except (KeyError, ValueError, LookupError):
        return term
