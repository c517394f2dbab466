"""The data of an MMRM: model frame, design matrix, subjects, visits, groups and weights.

Rows missing the response or any model variable are left out (and counted); the remaining rows
give the design matrix through patsy. Text and categorical variables are factors whose level
order follows the data (categorical order, else sorted) unless a reference level is given, which
then comes first (treatment coding, as R's ``contr.treatment`` and SAS's ``REF=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.frames import factor_levels
from outcomes.models.core.model_matrix import ModelMatrix, model_matrix
from outcomes.models.mmrm.covariance import get_structure
from outcomes.models.mmrm.formula import MMRMFormula

__all__ = ["Design", "build_design"]


@dataclass(frozen=True)
class Design(ModelMatrix):
    """Everything the likelihood needs, in arrays, and what inference needs to build contrasts.

    The mean model's :class:`~outcomes.models.core.model_matrix.ModelMatrix` (``x``, ``y``,
    ``columns``, ``factors``, ``frame``, ...), and the MMRM's own arrays:

    Attributes
    ----------
    weights : ndarray (n,) or None
        Observation weights (SAS ``WEIGHT``): the residual covariance of a subject is
        ``W^-1/2 Sigma W^-1/2``.
    subject : ndarray (n,) of int
        Subject codes, ``subject_labels[subject]`` the original labels.
    visit : ndarray (n,) of int
        Visit codes (position in ``visit_levels``), for visit-based structures.
    coords : ndarray (n, d) or None
        Time coordinates, for spatial structures.
    group : ndarray (n,) of int
        Covariance group codes (all 0 without a group).
    aggregated : int or None
        The number of rows used, when an engine holds them and only their aggregates came back
        (:mod:`outcomes.models.mmrm.engines`): then ``x``, ``y``, ``frame`` and the per-row
        arrays have no rows, and what needs them is refused. None for a design in memory.
    """

    weights: np.ndarray | None
    subject: np.ndarray
    subject_labels: list[Any]
    visit: np.ndarray
    visit_levels: list[Any]
    coords: np.ndarray | None
    group: np.ndarray
    group_levels: list[Any]
    aggregated: int | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows used (in memory or in the engine)."""
        return int(self.x.shape[0]) if self.aggregated is None else self.aggregated

    def needs_rows(self, what: str) -> None:
        """Refuse ``what`` on a design whose rows stayed in an engine."""
        if self.aggregated is not None:
            raise ModelSpecificationError(
                f"{what} needs the data's rows, and this model was fitted on an engine's "
                "aggregates; fit it on a pandas DataFrame (for instance the engine's rows "
                "collected) for that"
            )


def build_design(
    formula: MMRMFormula,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    levels: Mapping[str, Any] | None = None,
) -> Design:
    """The design of an MMRM from its formula and a data frame (see the module docstring)."""
    cov = formula.covariance
    structure = get_structure(cov.structure)
    group = [cov.group] if cov.group else []
    extra = [cov.subject, *cov.time, *group, *([weights] if weights else [])]
    extra_factors = [*([] if structure.spatial else [cov.time[0]]), *group]
    mm = model_matrix(formula.model, data, extra=extra, extra_factors=extra_factors, levels=levels)
    frame = mm.frame
    if weights is not None and (frame[weights] <= 0).any():
        raise ModelSpecificationError(f"weights in {weights!r} must be positive")

    subject_codes, subject_labels = pd.factorize(frame[cov.subject], sort=True)
    if structure.spatial:
        visit = np.zeros(len(frame), dtype=int)
        visit_levels: list[Any] = []
        coords = frame[list(cov.time)].to_numpy(dtype=float)
    else:
        # Visits in their natural order (categorical order, else sorted), whatever the
        # reference level of the mean model: AR(1), Toeplitz and antedependence depend on it.
        visit_levels = factor_levels(data.loc[mm.keep, cov.time[0]], None)
        visit = pd.Categorical(
            frame[cov.time[0]].astype(object), categories=visit_levels
        ).codes.astype(int)
        coords = None
        _check_duplicates(frame, cov.subject, cov.time[0])
    if cov.group:
        group_codes = frame[cov.group].cat.codes.to_numpy()
        group_levels = list(frame[cov.group].cat.categories)
        _check_one_group(frame, cov.subject, cov.group)
    else:
        group_codes, group_levels = np.zeros(len(frame), dtype=int), ["all"]
    shared = {f.name: getattr(mm, f.name) for f in fields(ModelMatrix)}
    return Design(
        **shared,
        weights=frame[weights].to_numpy(dtype=float) if weights else None,
        subject=subject_codes,
        subject_labels=list(subject_labels),
        visit=visit,
        visit_levels=visit_levels,
        coords=coords,
        group=group_codes,
        group_levels=group_levels,
    )


def _check_duplicates(frame: pd.DataFrame, subject: str, visit: str) -> None:
    dup = frame.duplicated([subject, visit], keep=False)
    if dup.any():
        pairs = frame.loc[dup, [subject, visit]].drop_duplicates().head(5)
        listed = ", ".join(f"{s} at {v}" for s, v in pairs.itertuples(index=False, name=None))
        raise ModelSpecificationError(
            f"{int(dup.sum())} rows repeat a subject x visit ({listed}); an MMRM takes one "
            "observation per subject and visit"
        )


def _check_one_group(frame: pd.DataFrame, subject: str, group: str) -> None:
    groups = frame.groupby(subject, observed=True)[group].nunique()
    if (groups > 1).any():
        raise ModelSpecificationError(
            f"subjects {list(groups.index[groups > 1][:5])} are in more than one level of "
            f"the covariance group {group!r}"
        )
