"""The fixed-effects design of a model formula: rows used, factors, and R-style columns.

The formula is read by :mod:`outcomes.models.core.formula` (our own grammar: nothing in it is run as
code) and its terms' values are computed there. Rows missing the response or any model variable
are left out (and counted). Text and categorical variables, and ``C(x)``, are factors whose level
order follows the data (categorical order, else sorted) unless a reference level is given, which
then comes first (treatment coding, as R's ``contr.treatment`` and SAS's ``REF=``). patsy lays
out the columns of the terms from those computed values (a look-up, no evaluation). Columns are
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

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.formula import FormulaError, ModelFormula, Name, parse_model
from outcomes.models.core.frames import factor_levels, is_number_column

__all__ = ["ModelMatrix", "drop_aliased", "formula_variables", "model_matrix", "term_matrix"]

_PATSY_LEVEL = re.compile(r"\[T\.(.*?)\](?=:|$)")


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
        Mean of each numeric term factor (``base``, ``log(base)``) over the rows used: LS means
        are taken there, as SAS does.
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
    formula : ModelFormula
        The formula, its names bound to the data's columns.
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
    formula: ModelFormula = field(repr=False)

    @property
    def n_rows(self) -> int:
        """Number of rows used."""
        return int(self.x.shape[0])


def model_matrix(
    formula: str | ModelFormula,
    data: pd.DataFrame,
    *,
    extra: Sequence[str] = (),
    extra_factors: Sequence[str] = (),
    levels: Mapping[str, Any] | None = None,
) -> ModelMatrix:
    """The design of ``formula`` (``"response ~ terms"``) on the rows of ``data`` it can use.

    Parameters
    ----------
    formula : str or ModelFormula
        A model formula (see :mod:`outcomes.models.core.formula` for the grammar).
    data : DataFrame
    extra : sequence of str
        Further columns a row needs (subject, time, weights, ...) and that ``frame`` keeps.
    extra_factors : sequence of str
        Columns of ``extra`` to turn into factors too.
    levels : mapping, optional
        Reference levels of factors, e.g. ``{"arm": "PLACEBO"}``.

    Raises
    ------
    FormulaError
        A formula the grammar refuses, a name that is not a column, a computed value that is not
        finite (``log`` of 0).
    ModelSpecificationError
        An infinite number in a numeric column the model uses (each such column named).

    Examples
    --------
    >>> data = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 5.0, None],
    ...                      "arm": ["B", "A", "B", "A", "A", "B"], "t": [0, 1, 2, 3, 4, 5]})
    >>> mm = model_matrix("y ~ arm * t", data, levels={"arm": "B"})
    >>> mm.columns, mm.n_dropped
    (['(Intercept)', 'armA', 't', 'armA:t'], 1)
    """
    model = _resolved(formula, data)
    if model.response is None:
        raise FormulaError("a model formula needs a response: 'response ~ terms'", model.text)
    variables = model.variables
    needed = list(dict.fromkeys([*variables, *extra]))
    missing_cols = [c for c in needed if c not in data.columns]
    if missing_cols:
        raise ModelSpecificationError(
            f"the data have no column(s) {missing_cols}; they have {list(data.columns)}"
        )
    keep = data[needed].notna().all(axis=1).to_numpy()
    frame = data.loc[keep, needed].reset_index(drop=True)
    if frame.empty:
        raise ModelSpecificationError(
            "no row has the response and every model variable: nothing to fit"
        )
    levels = dict(levels or {})
    factor_vars = [
        f.key
        for f in model.factors
        if f.categorical or (isinstance(f.node, Name) and not is_number_column(frame[f.key]))
    ]
    factor_vars = list(dict.fromkeys([*factor_vars, *extra_factors]))
    _check_finite(frame, [c for c in needed if c not in factor_vars], np.flatnonzero(keep))
    unknown_refs = sorted(set(levels) - set(factor_vars))
    if unknown_refs:
        raise ModelSpecificationError(
            f"reference levels given for {unknown_refs}, which are not factors"
        )
    factors = {c: factor_levels(frame[c], levels.get(c)) for c in factor_vars}
    for c, ordered in factors.items():
        frame[c] = pd.Categorical(frame[c].astype(object), categories=ordered)

    y = _response(model, frame)
    values = model.evaluate(frame, model.factors)
    x_mat = term_matrix(model, pd.DataFrame(values, index=frame.index))
    x = np.asarray(x_mat, dtype=float)
    keys = [f.key for f in model.factors]
    all_names = [_r_name(n) for n in x_mat.design_info.column_names]
    all_names, order = _r_order(all_names, keys, factors)
    x, names, aliased = _drop_aliased(x[:, order], all_names)
    return ModelMatrix(
        x=x,
        y=y,
        columns=names,
        aliased=aliased,
        factors={c: list(v) for c, v in factors.items() if c in keys},
        covariate_means={k: float(np.mean(values[k])) for k in keys if k not in factors},
        design_info=x_mat.design_info,
        frame=frame,
        n_dropped=int((~keep).sum()),
        keep=keep,
        kept_columns=np.array([order[all_names.index(n)] for n in names], dtype=int),
        formula=model,
    )


def _check_finite(frame: pd.DataFrame, columns: Sequence[str], positions: np.ndarray) -> None:
    """Refuse infinite numbers in the numeric columns a model uses, naming every such column.

    ``positions`` are the frame's rows' positions in the data, to locate the first of each.
    """
    found = []
    for c in columns:
        if not is_number_column(frame[c]):
            continue
        bad = ~np.isfinite(frame[c].to_numpy(dtype=float))
        if bad.any():
            first = int(positions[np.flatnonzero(bad)[0]]) + 1
            found.append(f"{c!r} in {int(bad.sum())} row(s), the first the data's row {first}")
    if found:
        raise ModelSpecificationError(
            "a model takes finite numbers only; infinite values in "
            + "; ".join(found)
            + ". Set them to missing (the rows are then left out and counted) or correct them"
        )


def term_matrix(model: ModelFormula, values: pd.DataFrame) -> patsy.DesignMatrix:
    """The columns of the formula's terms (intercept first) from each factor's computed values.

    ``values`` has one column per factor key (:meth:`ModelFormula.evaluate`); patsy looks them
    up (:class:`patsy.LookupFactor`) and evaluates nothing.
    """
    terms = [patsy.Term([])] if model.intercept else []
    terms += [patsy.Term([patsy.LookupFactor(f.key) for f in term]) for term in model.terms]
    return patsy.dmatrix(
        patsy.ModelDesc([], terms), values, NA_action="raise", return_type="matrix"
    )


def formula_variables(formula: str | ModelFormula, data: pd.DataFrame) -> list[str]:
    """Columns of ``data`` the formula's mean model uses, response first.

    Examples
    --------
    >>> formula_variables("y ~ arm * log(t)", pd.DataFrame(columns=["t", "arm", "y"]))
    ['y', 'arm', 't']
    """
    return _resolved(formula, data).variables


def _resolved(formula: str | ModelFormula, data: pd.DataFrame) -> ModelFormula:
    model = formula if isinstance(formula, ModelFormula) else parse_model(formula)
    return model.resolve(data.columns)


def _response(model: ModelFormula, frame: pd.DataFrame) -> np.ndarray:
    response = model.response
    assert response is not None  # noqa: S101 - checked by the caller
    if isinstance(response.node, Name) and not is_number_column(frame[response.key]):
        raise FormulaError(f"the response {response.key!r} is not numeric", model.text)
    value = model.evaluate(frame, [response])[response.key]
    return np.asarray(value, dtype=float)


def _r_name(patsy_name: str) -> str:
    """``ARMCD[T.TRT]:AVISIT[T.VIS2]`` -> ``ARMCDTRT:AVISITVIS2``; ``Intercept`` too as R."""
    if patsy_name == "Intercept":
        return "(Intercept)"
    return _PATSY_LEVEL.sub(lambda m: m.group(1), patsy_name)


def _r_order(
    names: list[str], variables: list[str], factors: Mapping[str, list[Any]]
) -> tuple[list[str], list[int]]:
    """Coefficient names and order as R's model.matrix gives them.

    ``variables`` are the term factors' keys in order of first appearance. Within an
    interaction, variables are in the order they first appear in the formula
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

    keyed: list[tuple[tuple[int, tuple[int, ...], tuple[int, ...]], str, int]] = []
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
    """Columns that are linear combinations of earlier ones are dropped (as R's lm does)."""
    keep, kept, aliased = drop_aliased(x.T @ x, names)
    if not aliased:
        return x, names, []
    return x[:, keep], kept, aliased


def drop_aliased(gram: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Which columns are not linear combinations of earlier ones, from their cross-products.

    Its cost does not grow with rows (an engine's aggregates give ``gram``): a column is
    aliased when its squared residual on the columns kept before it is negligible. Returns the
    positions kept, their names, and the names of the aliased columns.

    Examples
    --------
    >>> x = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 2.0], [1.0, 2.0, 3.0]])
    >>> drop_aliased(x.T @ x, ["a", "b", "c"])
    (array([0, 1]), ['a', 'b'], ['c'])
    """
    keep: list[int] = []
    for j in range(gram.shape[1]):
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
    aliased = [names[j] for j in range(gram.shape[1]) if j not in keep]
    return np.array(keep, dtype=int), [names[j] for j in keep], aliased
