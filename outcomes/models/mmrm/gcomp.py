"""Marginal (g-computation) means and treatment effects of an MMRM or ANCOVA.

With covariate-by-treatment interactions, an LS mean is the prediction at the covariates'
means: conditional on them, not the average treatment effect the FDA's 2023 guidance on
covariate adjustment asks for. G-computation averages each subject's own prediction instead:
at visit ``t`` under arm ``j``, ``mu_tj = mean_i x_tji' b``, with ``x_tji`` subject ``i``'s design
row with its own covariates and the visit and arm set to ``t`` and ``j``. Its variance adds the
variability of the covariates in the sample to that of ``b``::

    Var(mu_t.) = L_t V L_t' + S_t,    S_t = cov_i(x_t.i' b) / n

(``L_t`` the mean design rows, ``S_t`` the sample covariance over subjects of their predictions
under each arm, divided by ``n``). Contrasts of arms at a visit take the same covariance. This is
R mmrm 0.3.18's ``emmeans`` with ``mmrm_control(emmeans_gcomp_vars = c(arm, visit))``, whose
Satterthwaite df are those of the contrast scaled by ``(l' V_c l / l' V l)^2``, as here.

The subjects are the first row of each subject in ``data``: by default the rows the model used;
give the data with every randomised subject (rows without a response too) to average over all
of them, as R mmrm does with the data it was given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.inference import wald_table
from outcomes.models.mmrm.grid import grid_matrix

if TYPE_CHECKING:  # a type only: result.py imports this module
    from outcomes.models.mmrm.result import MMRMFit

__all__ = ["marginal_contrasts", "marginal_means"]

#: df methods whose df the g-computation variance can carry (R mmrm's check covers
#: Satterthwaite; residual and between-within df do not depend on the variance).
_DF_METHODS = ("satterthwaite", "residual", "between-within")


def _potential(fit: MMRMFit, arm: str, data: pd.DataFrame | None) -> dict[Any, dict[str, Any]]:
    """Per visit: the arms, mean design rows ``L`` (arms x p) and ``S`` (arms x arms)."""
    design, cov = fit.design, fit.formula.covariance
    if arm not in design.factors:
        raise ModelSpecificationError(
            f"{arm!r} is not a factor of the model; its factors are {list(design.factors)}"
        )
    if fit.df_method not in _DF_METHODS or fit.vcov_method != "model":
        raise ModelSpecificationError(
            "g-computation takes the model-based covariance with Satterthwaite, residual or "
            f"between-within df, as R mmrm; this fit has df={fit.df_method!r} and "
            f"vcov={fit.vcov_method!r}: refit with df='satterthwaite'"
        )
    if data is None:
        design.needs_rows("g-computation over the rows used")
    frame = design.frame if data is None else data
    subjects = frame.drop_duplicates(cov.subject) if cov.subject in frame else frame
    response = design.formula.response
    set_here = {arm, cov.time[0], *([response.key] if response is not None else [])}
    covariates = [v for v in design.formula.variables if v not in set_here]
    missing = [v for v in covariates if v not in subjects]
    if missing:
        raise ModelSpecificationError(f"the data have no column(s) {missing} of the model")
    incomplete = subjects[covariates].isna().any(axis=1)
    if incomplete.any():
        raise ModelSpecificationError(
            f"{int(incomplete.sum())} subject(s) have a missing covariate "
            f"({', '.join(covariates)}) in their first row: g-computation needs each subject's "
            "covariates"
        )
    subjects = subjects.reset_index(drop=True)
    visit_levels = design.factors.get(cov.time[0], design.visit_levels)
    arms = design.factors[arm]
    beta = fit.state.evaluation.beta
    out = {}
    for visit in visit_levels:
        rows, preds = [], []
        for level in arms:
            cf = subjects.assign(**{arm: level, cov.time[0]: visit})
            for name, levels in design.factors.items():
                cf[name] = pd.Categorical(cf[name].astype(object), categories=levels)
            if response is not None and response.key not in cf:
                cf[response.key] = 0.0
            x = grid_matrix(design, cf)
            rows.append(x.mean(axis=0))
            preds.append(x @ beta)
        s = np.atleast_2d(np.cov(np.vstack(preds))) / len(subjects)
        out[visit] = {"arms": arms, "L": np.vstack(rows), "S": s}
    return out


def _table(fit: MMRMFit, rows: np.ndarray, extra: np.ndarray, labels: pd.DataFrame) -> pd.DataFrame:
    model = np.einsum("ij,jk,ik->i", rows, fit.vcov.to_numpy(), rows)
    total = model + extra
    df = np.array([fit._df.one_d(r) for r in rows])
    if fit.df_method == "satterthwaite":
        df = df * (total / model) ** 2
    return wald_table(
        rows @ fit.state.evaluation.beta,
        np.sqrt(total),
        df,
        conf_level=fit.conf_level,
        labels=labels,
    )


def marginal_means(fit: MMRMFit, arm: str, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """G-computation means of each arm at each visit (see the module docstring)."""
    parts = _potential(fit, arm, data)
    visit = fit.formula.covariance.time[0]
    labels, rows, extra = [], [], []
    for t, part in parts.items():
        for j, level in enumerate(part["arms"]):
            labels.append({arm: level, visit: t})
            rows.append(part["L"][j])
            extra.append(part["S"][j, j])
    return _table(fit, np.array(rows), np.array(extra), pd.DataFrame(labels))


def marginal_contrasts(
    fit: MMRMFit, arm: str, reference: Any = None, data: pd.DataFrame | None = None
) -> pd.DataFrame:
    """G-computation differences of each arm from ``reference`` at each visit."""
    parts = _potential(fit, arm, data)
    visit = fit.formula.covariance.time[0]
    arms = fit.design.factors[arm]
    reference = arms[0] if reference is None else reference
    if reference not in arms:
        raise ModelSpecificationError(f"reference {reference!r} is not a level of {arm}: {arms}")
    r = arms.index(reference)
    labels, rows, extra = [], [], []
    for t, part in parts.items():
        s = part["S"]
        for j, level in enumerate(arms):
            if j == r:
                continue
            labels.append({"contrast": f"{level} - {reference}", visit: t})
            rows.append(part["L"][j] - part["L"][r])
            extra.append(s[j, j] + s[r, r] - 2 * s[j, r])
    return _table(fit, np.array(rows), np.array(extra), pd.DataFrame(labels))
