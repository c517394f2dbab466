"""What an imputation needs: every subject x visit, their design rows, and each subject's strategy.

The imputation model is an MMRM fitted to the observed data. Each subject of the data gets a row
at every visit of the model, including a subject whose rows are all at other visits (say, a
baseline row only: every analysed visit is then imputed); covariates other than the visit must be
constant within a subject (baseline values, arm, site, ...), and are taken from the subject's
rows. A subject's design rows
under their own arm and under the reference arm give the two mean vectors the strategies combine.

The intercurrent event of a subject (``ice``: the index of the first visit it affects) is, by
default, the first visit after the subject's last observed one: data missing after it are
imputed under the subject's strategy, and missing values before it (intermittent) under MAR, as
rbmi does. A per-subject table can give the visit instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ArgumentTypeError, ModelSpecificationError
from outcomes.models.core.model_matrix import formula_variables
from outcomes.models.imputation.strategies import STRATEGIES
from outcomes.models.mmrm import MMRMFit
from outcomes.models.mmrm.grid import grid_matrix

__all__ = ["Problem", "build_problem"]


@dataclass(frozen=True)
class Problem:
    """The data of an imputation, subject-major.

    Attributes
    ----------
    subjects : list
        Subject labels, ``n``.
    visits : list
        Visit levels, ``T``.
    arm : ndarray (n,)
        Each subject's arm.
    y : ndarray (n, T)
        The response, missing where not observed.
    x_own, x_ref : ndarray (n, T, p)
        Design rows under the subject's own arm and under the reference arm.
    covariates : DataFrame
        The subject-level numeric covariates of the mean model, one row per subject.
    strategy : ndarray (n,) of str
    ice : ndarray (n,) of int
        First visit index the intercurrent event affects (``T``: none).
    """

    subjects: list[Any]
    visits: list[Any]
    arm: np.ndarray
    y: np.ndarray
    x_own: np.ndarray
    x_ref: np.ndarray
    covariates: pd.DataFrame
    strategy: np.ndarray
    ice: np.ndarray

    @property
    def missing(self) -> np.ndarray:
        """Where ``y`` is missing, ``(n, T)``."""
        return np.isnan(self.y)

    @property
    def after_ice(self) -> np.ndarray:
        """Visits on or after each subject's intercurrent event, ``(n, T)``."""
        return np.arange(len(self.visits))[None, :] >= self.ice[:, None]


def build_problem(
    fit: MMRMFit, data: pd.DataFrame, *, arm: str, reference: Any, strategy: Any
) -> Problem:
    """The imputation problem of ``data`` under the fitted imputation model ``fit``.

    Parameters
    ----------
    fit : MMRMFit
        The imputation model (visit-based covariance, one covariance group).
    data : DataFrame
        The long table the model was fitted to, all rows (missing responses included).
    arm : str
        The arm column (a factor of the model).
    reference : object
        The reference arm.
    strategy : str, Series or DataFrame
        One strategy for everyone; a Series of strategies indexed by subject (subjects not in it:
        MAR); or a DataFrame with columns ``subject``, ``strategy`` and ``visit`` (the first
        visit the event affects).
    """
    cov = fit.formula.covariance
    subject, visit = cov.subject, cov.time[0]
    if cov.group is not None:
        raise ModelSpecificationError(
            "imputation needs one covariance for all subjects (no group term)"
        )
    if arm not in fit.design.factors:
        raise ModelSpecificationError(
            f"{arm!r} is not a factor of the imputation model {fit.formula.mean!r}"
        )
    levels = list(fit.design.factors[arm])
    if reference not in levels:
        raise ModelSpecificationError(f"reference arm {reference!r} is not among {levels}")
    visits = list(fit.design.visit_levels)
    variables = [
        v
        for v in formula_variables(fit.formula.mean, data)
        if v not in (visit, fit.formula.response)
    ]
    frame = data[data[visit].isin(visits) & data[subject].notna()]
    # Every subject of the data, with their covariates from all their rows: a subject whose rows
    # are all at other visits (e.g. baseline only) is imputed at every analysed visit.
    per_subject = _subject_values(data[data[subject].notna()], subject, variables)
    subjects = list(per_subject.index)
    n, t = len(subjects), len(visits)
    grid = per_subject.loc[np.repeat(subjects, t)].reset_index()
    grid[visit] = np.tile(np.asarray(visits, dtype=object), n)
    for name, factor_levels in fit.design.factors.items():
        grid[name] = pd.Categorical(grid[name].astype(object), categories=factor_levels)
    x_own = grid_matrix(fit.design, grid)
    grid[arm] = pd.Categorical(np.full(len(grid), reference, dtype=object), categories=levels)
    x_ref = grid_matrix(fit.design, grid)
    y = (
        frame.pivot_table(
            index=subject,
            columns=visit,
            values=fit.formula.response,
            aggfunc="first",
            observed=False,
        )
        .reindex(index=subjects, columns=visits)
        .to_numpy(dtype=float)
    )
    arms = per_subject[arm].to_numpy(dtype=object)
    column = data[visit]
    order = list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype) else visits
    strategies, ice = _strategies(strategy, subjects, visits, order, y, arms, reference)
    numeric = [v for v in variables if v != arm and v not in fit.design.factors]
    p = x_own.shape[1]
    return Problem(
        subjects=subjects,
        visits=visits,
        arm=arms,
        y=y,
        x_own=x_own.reshape(n, t, p),
        x_ref=x_ref.reshape(n, t, p),
        covariates=per_subject[numeric].reset_index(drop=True).astype(float),
        strategy=strategies,
        ice=ice,
    )


def _subject_values(frame: pd.DataFrame, subject: str, variables: list[str]) -> pd.DataFrame:
    """Each subject's covariates; an error naming the subjects whose values vary or are missing."""
    grouped = frame.groupby(subject, sort=True, observed=True)[variables]
    varying = grouped.nunique(dropna=True) > 1
    if varying.to_numpy().any():
        bad = {c: list(varying.index[varying[c]][:5]) for c in variables if varying[c].any()}
        raise ModelSpecificationError(
            "imputation needs covariates that are constant within a subject (baseline values, "
            f"arm, ...); these vary: {bad}"
        )
    values = grouped.first()
    missing = values.isna().any(axis=1)
    if missing.any():
        raise ModelSpecificationError(
            f"subjects {list(values.index[missing][:10])} have no value of "
            f"{[c for c in variables if values[c].isna().any()]}: they cannot be imputed"
        )
    return values


def _strategies(
    strategy: Any,
    subjects: list[Any],
    visits: list[Any],
    order: list[Any],
    y: np.ndarray,
    arms: np.ndarray,
    reference: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Strategies and event visit indexes; an event visit that the model does not analyse
    affects the first analysed visit after it (``order``: all visits, in order)."""
    n, t = y.shape
    observed = ~np.isnan(y)
    last = np.where(observed.any(axis=1), t - 1 - np.argmax(observed[:, ::-1], axis=1), -1)
    ice = np.where(observed[np.arange(n), t - 1], t, last + 1)
    if isinstance(strategy, str):
        names = np.full(n, strategy, dtype=object)
    elif isinstance(strategy, pd.Series):
        _check_subjects(strategy.index, subjects)
        names = strategy.reindex(subjects).fillna("MAR").to_numpy(dtype=object)
    elif isinstance(strategy, pd.DataFrame):
        needed = {"subject", "strategy", "visit"}
        if not needed <= set(strategy.columns):
            raise ModelSpecificationError(f"a strategy table needs the columns {sorted(needed)}")
        _check_subjects(strategy["subject"], subjects)
        table = strategy.set_index("subject")
        names = table["strategy"].reindex(subjects).fillna("MAR").to_numpy(dtype=object)
        unknown_visits = set(table["visit"].dropna()) - set(order)
        if unknown_visits:
            raise ModelSpecificationError(
                f"strategy visits {sorted(map(str, unknown_visits))} are not visits of the data; "
                "keep the visit column's full (categorical) order so that an event between "
                "analysed visits can be placed"
            )
        rank = [order.index(v) for v in visits]
        position = {v: int(np.searchsorted(rank, order.index(v))) for v in order}
        given = table["visit"].reindex(subjects).map(position)
        ice = np.where(given.notna(), given.fillna(t).to_numpy(dtype=float), t).astype(int)
    else:
        raise ArgumentTypeError("strategy must be a name, a Series by subject, or a DataFrame")
    unknown = sorted(set(names.tolist()) - set(STRATEGIES))
    if unknown:
        raise ModelSpecificationError(
            f"unknown imputation strategies {unknown}; use {list(STRATEGIES)}"
        )
    names = np.where(arms == reference, "MAR", names)
    return names.astype(str), ice.astype(int)


def _check_subjects(given: Any, subjects: list[Any]) -> None:
    """A strategy for a subject the data do not have is a mistake (a typo, another trial)."""
    unknown = [s for s in pd.unique(pd.Series(list(given))) if s not in set(subjects)]
    if unknown:
        raise ModelSpecificationError(
            f"strategies are given for {len(unknown)} subjects the data do not have: {unknown[:10]}"
        )
    repeated = pd.Series(list(given)).duplicated()
    if repeated.any():
        raise ModelSpecificationError(
            f"subjects {list(pd.Series(list(given))[repeated].unique()[:10])} have more than "
            "one strategy"
        )
