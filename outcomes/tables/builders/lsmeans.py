"""LS means by arm and visit and the differences between arms, from an MMRM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from outcomes.deprecation import renamed
from outcomes.models.mmrm.covariance import get_structure
from outcomes.tables.builders.common import ci_label, decimals_for
from outcomes.tables.format import format_estimate_ci, format_number, format_p
from outcomes.tables.table import Table

__all__ = ["lsmeans_table"]

_DF_NAMES = {
    "satterthwaite": "Satterthwaite",
    "kenward-roger": "Kenward-Roger",
    "kenward-roger-linear": "Kenward-Roger (linear)",
    "between-within": "between-within",
    "residual": "residual",
}


@renamed(group="arm")
def lsmeans_table(
    fit: Any,
    *,
    arm: str = "arm",
    visit: str = "visit",
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
        From :func:`outcomes.mmrm`, with ``arm`` and ``visit`` as factors.
    arm, visit : str
        The arm and visit factors of the model.
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
    means = fit.lsmeans([arm, visit])
    diffs = fit.contrasts(arm, by=visit, reference=reference)
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
        title or f"LS means of {fit.formula.response} by {visit} and {arm}",
        footnotes=(
            f"Mixed model for repeated measures: {fit.formula.mean}; covariance: "
            f"{_covariance(fit.formula.covariance)}; {'REML' if fit.reml else 'ML'}; degrees of "
            f"freedom: {_DF_NAMES.get(fit.df_method, fit.df_method)}{vcov}. "
            f"{fit.n_subjects} subjects, {fit.n_obs} observations.",
            "LS mean: least-squares mean, covariates at their means; SE: standard error; "
            "CI: confidence interval; p: two-sided t test of the difference.",
            "Missing data: all observed data used, nothing imputed; valid if the data are "
            "missing at random (MAR).",
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
