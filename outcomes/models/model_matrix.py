"""The fixed-effects design of a model formula: rows used, factors, and R-style columns.

Rows missing the response or any model variable are left out (and counted); the remaining rows
give the design matrix through patsy. Text and categorical variables are factors whose level
order follows the data (categorical order, else sorted) unless a reference level is given, which
then comes first (treatment coding, as R's ``contr.treatment`` and SAS's ``REF=``). Columns are
named and ordered as R's ``model.matrix`` (``armDMT:weeks``), and columns that are linear
combinations of earlier ones are dropped, as R's ``lm`` does. Every model of the package
(:func:`outcomes.mmrm`, :func:`outcomes.lmm`, :func:`outcomes.gee`) builds its design here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy

from outcomes.models.frames import factor_levels

__all__ = ["ModelMatrix", "formula_variables", "model_matrix"]

_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_.]*\b")
_PATSY_LEVEL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\[T\.(.*?)\]")


@dataclass(frozen=True)
class ModelMatrix:
    """A formula's design on the rows it can use.

    Attributes
    ----------
    x : ndarray (n, p)
        Design matrix (aliased columns removed).
    y : ndarray (n,)
        Response.
    columns : list of str
        Names of the columns of ``x`` in R's style (``ARMCDTRT:AVISITVIS2``).
    aliased : list of str
        Columns dropped as linear combinations of others.
    factors : dict
        Each factor of the formula and its levels, in order (reference first).
    covariate_means : dict
        Mean of each numeric variable of the formula over the rows used.
    design_info : patsy.DesignInfo
        To build design rows for new data (LS means).
    frame : pandas.DataFrame
        The rows used (formula variables and ``extra`` columns), factors as categoricals.
    n_dropped : int
        Rows left out for a missing value.
    keep : ndarray of bool
        Which rows of the data were used.
    kept_columns : ndarray of int
        Positions, among patsy's columns, of the columns of ``x``.
    """

    x: np.ndarray
    y: np.ndarray
    columns: list[str]
    aliased: list[str]
    factors: dict[str, list[Any]]
    covariate_means: dict[str, float]
    design_info: Any
    frame: pd.DataFrame
    n_dropped: int
    keep: np.ndarray = field(repr=False)
    kept_columns: np.ndarray = field(repr=False)


def model_matrix(
    formula: str,
    data: pd.DataFrame,
    *,
    extra: Sequence[str] = (),
    extra_factors: Sequence[str] = (),
    reference: Mapping[str, Any] | None = None,
) -> ModelMatrix:
    """The design of ``formula`` (``"response ~ terms"``) on the rows of ``data`` it can use.

    Parameters
    ----------
    formula : str
        A patsy / R formula of the mean model.
    data : DataFrame
    extra : sequence of str
        Further columns a row needs (subject, time, weights, ...) and that ``frame`` keeps.
    extra_factors : sequence of str
        Columns of ``extra`` to turn into factors too.
    reference : mapping, optional
        Reference levels of factors, e.g. ``{"arm": "PLACEBO"}``.

    Examples
    --------
    >>> data = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 5.0, None],
    ...                      "arm": ["B", "A", "B", "A", "A", "B"], "t": [0, 1, 2, 3, 4, 5]})
    >>> mm = model_matrix("y ~ arm * t", data, reference={"arm": "B"})
    >>> mm.columns, mm.n_dropped
    (['(Intercept)', 'armA', 't', 'armA:t'], 1)
    """
    variables = formula_variables(formula, data)
    needed = list(dict.fromkeys([*variables, *extra]))
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
    factor_vars = [c for c in variables if not _is_numeric(frame[c])]
    factor_vars = list(dict.fromkeys([*factor_vars, *extra_factors]))
    unknown_refs = sorted(set(reference) - set(factor_vars))
    if unknown_refs:
        raise ValueError(f"reference levels given for {unknown_refs}, which are not factors")
    factors = {c: factor_levels(frame[c], reference.get(c)) for c in factor_vars}
    for c, levels in factors.items():
        frame[c] = pd.Categorical(frame[c].astype(object), categories=levels)

    y_mat, x_mat = patsy.dmatrices(formula, frame, NA_action="raise", return_type="matrix")
    x = np.asarray(x_mat, dtype=float)
    all_names = [_r_name(n) for n in x_mat.design_info.column_names]
    all_names, order = _r_order(all_names, variables[1:], factors)
    x, names, aliased = _drop_aliased(x[:, order], all_names)
    numeric = [c for c in variables[1:] if c not in factors]
    return ModelMatrix(
        x=x,
        y=np.asarray(y_mat, dtype=float)[:, 0],
        columns=names,
        aliased=aliased,
        factors={c: list(v) for c, v in factors.items() if c in variables},
        covariate_means={c: float(frame[c].mean()) for c in numeric},
        design_info=x_mat.design_info,
        frame=frame,
        n_dropped=int((~keep).sum()),
        keep=keep,
        kept_columns=np.array([order[all_names.index(n)] for n in names], dtype=int),
    )


def formula_variables(formula: str, data: pd.DataFrame) -> list[str]:
    """Columns of ``data`` the formula uses, response first."""
    desc = patsy.ModelDesc.from_formula(formula)
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
