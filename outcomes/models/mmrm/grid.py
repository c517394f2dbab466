"""The reference grid of a fitted model, and the contrast rows built on it.

Least-squares means follow SAS LSMEANS and R's emmeans: every combination of the factors in the
model, numeric covariates at their means over the rows used, the model's prediction in each cell,
then an average over the factors not asked for with equal weights (or, with
``weights="proportional"``, with the frequencies of their combinations in the data: SAS's ``OM``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import patsy

from outcomes.errors import ModelSpecificationError
from outcomes.models.mmrm.design import Design

__all__ = ["cell_rows", "reference_grid", "term_hypothesis"]


def reference_grid(design: Design, covariate_shift: dict[str, float] | None = None) -> pd.DataFrame:
    """Every combination of factor levels, covariates at their means (optionally shifted)."""
    factors = design.factors
    combos = list(itertools.product(*factors.values())) if factors else [()]
    grid = pd.DataFrame(combos, columns=list(factors))
    for name, levels in factors.items():
        grid[name] = pd.Categorical(grid[name], categories=levels)
    shift = covariate_shift or {}
    for name, mean in design.covariate_means.items():
        grid[name] = mean + shift.get(name, 0.0)
    return grid


def grid_matrix(design: Design, grid: pd.DataFrame) -> np.ndarray:
    """Design rows of the grid, on the model's (non-aliased) columns.

    The grid holds each term factor by its key (a reference grid: ``log(base)`` at its mean),
    or the data's columns, from which the factors missing from it are computed.
    """
    model = design.formula
    computed = [f for f in model.factors if f.key not in grid.columns]
    values = grid.assign(**model.evaluate(grid, computed)) if computed else grid
    (full,) = patsy.build_design_matrices([design.design_info], values, NA_action="raise")
    return np.asarray(full, dtype=float)[:, design.kept_columns]


def cell_rows(
    design: Design,
    specs: Sequence[str],
    weights: str = "equal",
    shift: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """One contrast row per combination of ``specs`` levels: the LS mean there.

    Returns the combinations (a frame with one column per factor of ``specs``) and the rows of
    the contrast matrix ``L`` (one per combination), so that ``L @ beta`` are the LS means.
    ``shift`` moves covariates away from their means (for slopes).
    """
    unknown = [s for s in specs if s not in design.factors]
    if unknown:
        raise ModelSpecificationError(
            f"LS means are over factors of the model; {unknown} is not one of "
            f"{list(design.factors)}"
        )
    if weights not in ("equal", "proportional"):
        raise ModelSpecificationError(f"weights must be 'equal' or 'proportional', not {weights!r}")
    grid = reference_grid(design, shift)
    rows = grid_matrix(design, grid)
    others = [f for f in design.factors if f not in specs]
    w = _frequencies(design, grid, others) if weights == "proportional" else np.ones(len(grid))
    # the combinations from the product itself: pandas 3.0.0's itertuples yields nothing for a
    # frame without columns (the one combination of no factors)
    product = list(itertools.product(*(design.factors[s] for s in specs)))
    combos = pd.DataFrame(product, columns=list(specs))
    out = np.zeros((len(product), rows.shape[1]))
    for i, combo in enumerate(product):
        mask = np.ones(len(grid), dtype=bool)
        for name, level in zip(specs, combo, strict=True):
            mask &= (grid[name] == level).to_numpy()
        out[i] = np.average(rows[mask], axis=0, weights=w[mask])
    return combos, out


def _frequencies(design: Design, grid: pd.DataFrame, others: list[str]) -> np.ndarray:
    """How often each grid row's combination of ``others`` occurs in the rows used."""
    if not others:
        return np.ones(len(grid))
    design.needs_rows("proportional weights")
    counts = design.frame.groupby(others, observed=True).size()
    lookup = {(k if isinstance(k, tuple) else (k,)): n for k, n in counts.items()}
    keys = grid[others].astype(object).itertuples(index=False, name=None)
    return np.array([lookup.get(key, 0) for key in keys], dtype=float)


def term_hypothesis(
    design: Design, term_factors: Sequence[str], term_covariates: Sequence[str]
) -> np.ndarray:
    """The Type III hypothesis of a model term, as contrast rows on the coefficients.

    The term's factors' marginal means (equal weights over the other factors) are contrasted by
    the Kronecker product of each factor's contrasts, each level minus the reference level: the
    rows of SAS's Type III hypothesis under its ``REF=`` coding. (The F statistic does not depend
    on the basis of the hypothesis, but Satterthwaite's denominator df does, so the basis is
    SAS's.) A covariate in the term enters by its slope (the change of the means for a unit
    change of the covariate).
    """
    _, rows = cell_rows(design, list(term_factors))
    for cov in term_covariates:
        rows = cell_rows(design, list(term_factors), shift={cov: 1.0})[1] - rows
    contrast: np.ndarray = np.ones((1, 1))
    for f in term_factors:
        k = len(design.factors[f])
        contrast = np.kron(contrast, np.hstack([-np.ones((k - 1, 1)), np.eye(k - 1)]))
    return contrast @ rows
