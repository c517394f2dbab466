"""The data of an MMRM: model frame, design matrix, subjects, visits, groups and weights.

Rows missing the response or any model variable are left out (and counted); the remaining rows
give the design matrix through patsy. Text and categorical variables are factors whose level
order follows the data (categorical order, else sorted) unless a reference level is given, which
then comes first (treatment coding, as R's ``contr.treatment`` and SAS's ``REF=``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy

from outcomes.models.frames import factor_levels
from outcomes.models.mmrm.covariance import get_structure
from outcomes.models.mmrm.formula import MMRMFormula

__all__ = ["Design", "build_design"]

_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_.]*\b")
_PATSY_LEVEL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\[T\.(.*?)\]")


@dataclass(frozen=True)
class Design:
    """Everything the likelihood needs, in arrays, and what inference needs to build contrasts.

    Attributes
    ----------
    x : ndarray (n, p)
        Design matrix (aliased columns removed).
    y : ndarray (n,)
        Response.
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
    columns : list of str
        Names of the columns of ``x`` in R's style (``ARMCDTRT:AVISITVIS2``).
    aliased : list of str
        Columns dropped as linear combinations of others.
    factors : dict
        Each factor of the mean model and its levels, in order (reference first).
    covariate_means : dict
        Mean of each numeric variable of the mean model over the rows used.
    design_info : patsy.DesignInfo
        To build design rows for new data (LS means).
    frame : pandas.DataFrame
        The rows used, with factors as categoricals.
    n_dropped : int
        Rows left out for a missing value.
    """

    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    subject: np.ndarray
    subject_labels: list[Any]
    visit: np.ndarray
    visit_levels: list[Any]
    coords: np.ndarray | None
    group: np.ndarray
    group_levels: list[Any]
    columns: list[str]
    aliased: list[str]
    factors: dict[str, list[Any]]
    covariate_means: dict[str, float]
    design_info: Any
    frame: pd.DataFrame
    n_dropped: int
    keep: np.ndarray = field(repr=False)
    kept_columns: np.ndarray = field(repr=False, default_factory=lambda: np.array([], int))


def build_design(
    formula: MMRMFormula,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    reference: Mapping[str, Any] | None = None,
) -> Design:
    """The design of an MMRM from its formula and a data frame (see the module docstring)."""
    cov = formula.covariance
    structure = get_structure(cov.structure)
    mean_vars = _mean_variables(formula.mean, data)
    needed = list(
        dict.fromkeys(
            [
                *mean_vars,
                cov.subject,
                *cov.time,
                *([cov.group] if cov.group else []),
                *([weights] if weights else []),
            ]
        )
    )
    missing_cols = [c for c in needed if c not in data.columns]
    if missing_cols:
        raise ValueError(
            f"the data have no column(s) {missing_cols}; they have {list(data.columns)}"
        )
    keep = data[needed].notna().all(axis=1).to_numpy()
    frame = data.loc[keep, needed].reset_index(drop=True)
    if frame.empty:
        raise ValueError("no row has the response and every model variable: nothing to fit")
    reference = dict(reference or {})
    factor_vars = [c for c in mean_vars if not _is_numeric(frame[c])]
    if not structure.spatial:
        factor_vars = list(dict.fromkeys([*factor_vars, cov.time[0]]))
    if cov.group:
        factor_vars = list(dict.fromkeys([*factor_vars, cov.group]))
    unknown_refs = sorted(set(reference) - set(factor_vars))
    if unknown_refs:
        raise ValueError(f"reference levels given for {unknown_refs}, which are not factors")
    factors = {c: factor_levels(frame[c], reference.get(c)) for c in factor_vars}
    for c, levels in factors.items():
        frame[c] = pd.Categorical(frame[c].astype(object), categories=levels)
    if weights is not None and (frame[weights] <= 0).any():
        raise ValueError(f"weights in {weights!r} must be positive")

    y_mat, x_mat = patsy.dmatrices(formula.mean, frame, NA_action="raise", return_type="matrix")
    x = np.asarray(x_mat, dtype=float)
    all_names = [_r_name(n) for n in x_mat.design_info.column_names]
    all_names, order = _r_order(all_names, mean_vars[1:], factors)
    x, names, aliased = _drop_aliased(x[:, order], all_names)

    subject_codes, subject_labels = pd.factorize(frame[cov.subject], sort=True)
    if structure.spatial:
        visit = np.zeros(len(frame), dtype=int)
        visit_levels: list[Any] = []
        coords = frame[list(cov.time)].to_numpy(dtype=float)
    else:
        # Visits in their natural order (categorical order, else sorted), whatever the
        # reference level of the mean model: AR(1), Toeplitz and antedependence depend on it.
        visit_levels = factor_levels(data.loc[keep, cov.time[0]], None)
        visit = pd.Categorical(
            frame[cov.time[0]].astype(object), categories=visit_levels
        ).codes.astype(int)
        coords = None
        _check_duplicates(frame, cov.subject, cov.time[0])
    if cov.group:
        group = frame[cov.group].cat.codes.to_numpy()
        group_levels = list(factors[cov.group])
        _check_one_group(frame, cov.subject, cov.group)
    else:
        group, group_levels = np.zeros(len(frame), dtype=int), ["all"]
    numeric = [c for c in mean_vars if c not in factors and c != formula.response]
    return Design(
        x=x,
        y=np.asarray(y_mat, dtype=float)[:, 0],
        weights=frame[weights].to_numpy(dtype=float) if weights else None,
        subject=subject_codes,
        subject_labels=list(subject_labels),
        visit=visit,
        visit_levels=visit_levels,
        coords=coords,
        group=group,
        group_levels=group_levels,
        columns=names,
        aliased=aliased,
        factors={c: list(v) for c, v in factors.items() if c in mean_vars},
        covariate_means={c: float(frame[c].mean()) for c in numeric},
        design_info=x_mat.design_info,
        frame=frame,
        n_dropped=int((~keep).sum()),
        keep=keep,
        kept_columns=np.array([order[all_names.index(n)] for n in names]),
    )


def _mean_variables(mean: str, data: pd.DataFrame) -> list[str]:
    """Columns of ``data`` the mean model uses, response first."""
    desc = patsy.ModelDesc.from_formula(mean)
    codes = [f.code for term in (*desc.lhs_termlist, *desc.rhs_termlist) for f in term.factors]
    found = [name for code in codes for name in _IDENTIFIER.findall(code) if name in data.columns]
    absent = [
        name
        for code in codes
        for name in _IDENTIFIER.findall(code)
        if name not in data.columns and name not in {"np", "C", "I", "log", "exp"}
    ]
    if absent:
        raise ValueError(f"the formula names {sorted(set(absent))}, which are not data columns")
    return list(dict.fromkeys(found))


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _r_name(patsy_name: str) -> str:
    """``ARMCD[T.TRT]:AVISIT[T.VIS2]`` -> ``ARMCDTRT:AVISITVIS2``; ``Intercept`` too as R."""
    if patsy_name == "Intercept":
        return "(Intercept)"
    return _PATSY_LEVEL.sub(lambda m: f"{m.group(1)}{m.group(2)}", patsy_name)


def _r_order(
    names: list[str], variables: list[str], factors: Mapping[str, list[Any]]
) -> tuple[list[str], list[int]]:
    """Coefficient names and order as R's model.matrix gives them.

    Within an interaction, variables are in the order they first appear in the formula
    (``VISIT5:THERAPYDRUG`` for ``BASVAL*VISIT + THERAPY*VISIT``); terms come by degree, then in
    formula order; within a term, the first variable's levels vary fastest. Returns the names in
    that order and the positions they came from.
    """
    rank = {v: i for i, v in enumerate(variables)}

    def split(part: str) -> tuple[int, int]:
        found = [v for v in variables if part.startswith(v)]
        if not found:
            return len(variables), 0
        var = max(found, key=len)
        levels = [str(lev) for lev in factors.get(var, [])]
        level = part[len(var) :]
        return rank[var], levels.index(level) if level in levels else 0

    keyed = []
    for pos, name in enumerate(names):
        if name == "(Intercept)":
            keyed.append(((0, (), ()), name, pos))
            continue
        parts = sorted(name.split(":"), key=lambda p: split(p)[0])
        where = [split(p) for p in parts]
        key = (len(parts), tuple(w[0] for w in where), tuple(w[1] for w in reversed(where)))
        keyed.append((key, ":".join(parts), pos))
    keyed.sort(key=lambda k: k[0])
    return [k[1] for k in keyed], [k[2] for k in keyed]


def _drop_aliased(x: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Columns that are linear combinations of earlier ones are dropped (as R's lm does).

    Works on the cross-product matrix (columns x columns), so its cost does not grow with rows:
    a column is aliased when its squared residual on the columns kept before it is negligible.
    """
    gram = x.T @ x
    keep: list[int] = []
    for j in range(x.shape[1]):
        if gram[j, j] <= 0:
            continue
        if keep:
            g = gram[np.ix_(keep, keep)]
            c = gram[keep, j]
            resid = gram[j, j] - c @ np.linalg.solve(g, c)
        else:
            resid = gram[j, j]
        if resid > 1e-9 * gram[j, j]:
            keep.append(j)
    if len(keep) == x.shape[1]:
        return x, names, []
    aliased = [names[j] for j in range(x.shape[1]) if j not in keep]
    return x[:, keep], [names[j] for j in keep], aliased


def _check_duplicates(frame: pd.DataFrame, subject: str, visit: str) -> None:
    dup = frame.duplicated([subject, visit], keep=False)
    if dup.any():
        pairs = frame.loc[dup, [subject, visit]].drop_duplicates().head(5)
        listed = ", ".join(f"{s} at {v}" for s, v in pairs.itertuples(index=False))
        raise ValueError(
            f"{int(dup.sum())} rows repeat a subject x visit ({listed}); an MMRM takes one "
            "observation per subject and visit"
        )


def _check_one_group(frame: pd.DataFrame, subject: str, group: str) -> None:
    groups = frame.groupby(subject, observed=True)[group].nunique()
    if (groups > 1).any():
        raise ValueError(
            f"subjects {list(groups.index[groups > 1][:5])} are in more than one level of "
            f"the covariance group {group!r}"
        )
