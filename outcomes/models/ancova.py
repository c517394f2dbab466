"""Per-visit ANCOVA: change ~ baseline + arm (+ covariates) at one visit, with LS means.

An ANCOVA is the MMRM of a single visit: one observation per subject, one variance. It is fitted
by the MMRM engine (:func:`outcomes.mmrm`), whose answers then are those of ordinary least
squares (REML variance = residual mean square, Satterthwaite df = n - p) and whose LS means and
contrasts are the same tables as for the MMRM.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outcomes.data.frames import FrameLike, as_frame
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.formula import parse_model
from outcomes.models.core.frames import reference_levels
from outcomes.models.mmrm import MMRMFit, mmrm

__all__ = ["ancova"]


def ancova(
    formula: str,
    data: FrameLike,
    *,
    visit: str | None = None,
    at: Any = None,
    arm: str = "arm",
    reference: Any = None,
    levels: Mapping[str, Any] | None = None,
    conf_level: float = 0.95,
) -> MMRMFit:
    """Fit an ANCOVA at one visit; the result answers as an MMRM fit.

    Parameters
    ----------
    formula : str
        The model without a covariance term, e.g. ``"chg ~ base + arm"``.
    data : DataFrame or TrialData
        One row per subject, or several visits with ``visit`` and ``at`` choosing one.
    visit, at : optional
        The visit column and the visit to analyse.
    arm, reference, levels : optional
        The arm factor, the reference arm, and reference levels of any factors, as for
        :func:`outcomes.mmrm`.

    Returns
    -------
    MMRMFit
        Use ``lsmeans``, ``contrasts``, ``to_frame`` and ``anova`` as for an MMRM. Rows missing
        the response or a covariate are left out (observed cases), counted in ``notes``.

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> madrs = trial.frame[trial.frame["instrument"] == "madrs"]
    >>> fit = ancova("chg ~ base + arm", madrs, visit="visit", at="WEEK 2")
    >>> fit.contrasts("arm")["contrast"].tolist()
    ['DMT - PLACEBO']
    """
    parse_model(formula)  # refused here, located in the caller's own text
    frame = as_frame(data)
    if (visit is None) != (at is None):
        raise ModelSpecificationError("give both visit= and at= to choose a visit, or neither")
    if visit is not None:
        frame = frame[frame[visit] == at]
    if frame.empty:
        raise ModelSpecificationError(f"no rows at {visit} = {at!r}")
    one = frame.assign(_visit="all", _row=range(len(frame)))
    refs = reference_levels(levels, reference, arm, "ancova")
    return mmrm(f"{formula} + us(_visit | _row)", one, levels=refs, conf_level=conf_level)
