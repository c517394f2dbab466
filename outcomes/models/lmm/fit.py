"""Linear mixed models of trajectories: random intercepts and slopes over continuous time.

``outcomes.lmm("chg ~ base + arm * weeks", data, subject="subject", random="1 + weeks")`` is
lme4's ``lmer(chg ~ base + arm * weeks + (1 + weeks | subject))`` and SAS PROC MIXED's ``RANDOM
INTERCEPT weeks / SUBJECT=subject TYPE=UN``. statsmodels' MixedLM finds the estimates (REML or
ML); the inference on the fixed effects is then computed here, as lme4, lmerTest and SAS do it:

* **Standard errors** are those of ``(X' V^-1 X)^-1`` at the estimated variance components
  (lme4's ``vcov``, SAS's model-based SEs). statsmodels instead inverts the Hessian of the
  likelihood over fixed effects and variance components together, whose cross terms make its SEs
  differ slightly from lme4's and SAS's.
* **Degrees of freedom** are Satterthwaite's (lmerTest's default, SAS ``DDFM=SATTERTHWAITE``):
  ``df = 2 (l'Cl)^2 / (g' W g)``, with ``g`` the gradient of ``l'Cl`` over the variance
  parameters and ``W`` twice the inverse (observed) Hessian of -2 log-likelihood, both computed
  analytically. ``df="kenward-roger"`` adjusts the covariance of the estimates and takes
  Kenward-Roger df (lmerTest's ``ddf="Kenward-Roger"``, pbkrtest, SAS ``DDFM=KR``), with
  ``W`` from the expected information as pbkrtest (``information="observed"``: the Hessian, as
  SAS and :func:`outcomes.mmrm`); ``V`` is linear in the variance parameters,
  so the adjustment has no second-derivative term. ``df="normal"`` gives z tests
  (statsmodels' choice).

The variance parameters are the random-effects covariances and the residual variance, in which
``V_i = Z_i G Z_i' + sigma^2 I`` is linear; Satterthwaite's df do not depend on that choice.
Rows missing the response, a covariate, a random-effect variable or the subject are left out
(counted in ``notes``): the fit uses every observed row, valid when data are missing at random.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from outcomes.data.frames import FrameLike, as_frame
from outcomes.errors import ConvergenceError, ModelSpecificationError
from outcomes.models.core.df import DFMethod, check_df, df_method
from outcomes.models.core.df.kenward_roger import KRComponents, adjusted_vcov, check_information
from outcomes.models.core.formula import FormulaError, ModelFormula, Name, parse_terms
from outcomes.models.core.frames import is_number_column, reference_levels
from outcomes.models.core.inference import fit_html, wald_table
from outcomes.models.core.model_matrix import ModelMatrix, model_matrix
from outcomes.models.lmm.boundary import boundary_inputs, polish_at_boundary, subject_rows

__all__ = ["DF_METHODS", "LMMFit", "lmm"]

#: Denominator degrees of freedom of :func:`lmm`.
DF_METHODS: tuple[str, ...] = ("satterthwaite", "kenward-roger", "normal")
#: statsmodels optimisers tried in turn until one converges.
_OPTIMIZERS: tuple[str, ...] = ("lbfgs", "bfgs", "cg", "nm", "powell")
#: lme4's ``isSingular`` tolerance on the relative Cholesky factor of the random effects.
_SINGULAR_TOL = 1e-4


def lmm(
    formula: str,
    data: FrameLike,
    *,
    subject: str,
    random: str = "1",
    reml: bool = True,
    arm: str = "arm",
    reference: Any = None,
    levels: Mapping[str, Any] | None = None,
    df: str = "satterthwaite",
    conf_level: float = 0.95,
    information: str = "expected",
) -> LMMFit:
    """Fit a linear mixed model with random effects per subject.

    Parameters
    ----------
    formula : str
        The fixed effects, e.g. ``"chg ~ base + arm * weeks"``; factors as in :func:`outcomes.mmrm`.
        Piecewise time is two time columns, e.g. ``"chg ~ base + arm * (weeks +
        weeks_after_dose_2)"`` (see :func:`outcomes.add_time_axes`).
    data : DataFrame or TrialData
        One row per observation.
    subject : str
        The column of subjects (the grouping of the random effects).
    random : str
        The random effects of a subject: ``"1"`` (random intercept), ``"1 + weeks"`` (intercept
        and slope, with an unstructured covariance as lme4's ``(1 + weeks | subject)``), or
        ``"0 + weeks"`` (slope only). Its variables must be numeric columns.
    reml : bool
        Restricted maximum likelihood (default, as lme4 and SAS) or maximum likelihood.
    arm, reference, levels : optional
        The arm factor, the reference arm, and reference levels of any factors, as for
        :func:`outcomes.mmrm`.
    df : {"satterthwaite", "kenward-roger", "normal"}
        Denominator degrees of freedom of the t tests and intervals (Kenward-Roger also adjusts
        the standard errors; it needs REML).
    conf_level : float
    information : {"expected", "observed"}, default "expected"
        The information matrix whose inverse is the covariance of the variance parameters in
        Kenward-Roger's adjustment and df: expected (as pbkrtest) or observed (the Hessian, as
        SAS PROC MIXED and :func:`outcomes.mmrm`'s default). The fit's ``information`` says
        which.

    Returns
    -------
    LMMFit

    Raises
    ------
    ConvergenceError
        When no optimiser converges; the message says what to try.

    Examples
    --------
    >>> import outcomes
    >>> frame = outcomes.add_time_axes(outcomes.derive(outcomes.load_sample()))
    >>> madrs = frame[(frame["instrument"] == "madrs") & (frame["study_day"] > 1)]
    >>> madrs = madrs.assign(weeks=madrs["study_day"] / 7)
    >>> fit = lmm("chg ~ base + arm * weeks", madrs, subject="subject", random="1 + weeks",
    ...           reference="PLACEBO")
    >>> fit.to_frame()["term"].tolist()
    ['(Intercept)', 'base', 'armDMT', 'weeks', 'armDMT:weeks']
    """
    check_df(df, DF_METHODS)
    check_information(information)
    if df == "kenward-roger" and not reml:
        raise ModelSpecificationError(
            "Kenward-Roger needs REML: use reml=True, or df='satterthwaite'"
        )
    frame = as_frame(data)
    effects = _random_effects(random, frame)
    if subject not in frame.columns:
        raise ModelSpecificationError(f"the data have no subject column {subject!r}")
    refs = reference_levels(levels, reference, arm, "lmm")
    mm = model_matrix(formula, frame, extra=[subject, *effects.variables], levels=refs)
    z, z_names = _random_design(effects, mm.frame)
    groups, labels = pd.factorize(mm.frame[subject], sort=True)
    notes: list[str] = []
    if mm.n_dropped:
        notes.append(f"{mm.n_dropped} rows left out for a missing response or model variable")
    if mm.aliased:
        notes.append(f"aliased columns dropped (linear combinations of others): {mm.aliased}")
    model = MixedLM(mm.y, mm.x, groups=groups, exog_re=z)
    model.reml = reml
    result, tried = _fit(model, reml)
    fit = LMMFit(
        formula=formula,
        random=random,
        subject=subject,
        reml=reml,
        df_method=df,
        conf_level=conf_level,
        design=mm,
        z=z,
        z_names=z_names,
        groups=groups,
        subject_labels=list(labels),
        g=np.atleast_2d(np.asarray(result.cov_re, dtype=float)),
        sigma2=float(result.scale),
        optimizer=tried[-1],
        notes=tuple(notes),
        information=information,
    )
    fit = _polish(fit)
    if fit.singular:
        fit = replace(
            fit,
            notes=(
                *fit.notes,
                "singular fit: the random-effects covariance is at the boundary (a variance "
                "near 0 or a correlation near +-1, lme4's 'boundary (singular) fit'); consider "
                "a simpler random part",
            ),
        )
    return fit


def _random_effects(random: str, frame: pd.DataFrame) -> ModelFormula:
    """The random-effects terms (``"1 + weeks"``), read by the formula grammar.

    Each term is one numeric column or a function of numeric columns (``log(weeks)``).
    """
    effects = parse_terms(random).resolve(frame.columns)
    for term in effects.terms:
        if len(term) > 1 or term[0].categorical:
            raise FormulaError(
                "random effects are an intercept and numeric variables joined by '+' "
                "('1', '1 + weeks', '0 + weeks')",
                effects.text,
            )
    if not effects.terms and not effects.intercept:
        raise FormulaError("no random effect", effects.text)
    return effects


def _random_design(effects: ModelFormula, frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The random-effects design on the model's rows, and its column names."""
    factors = [term[0] for term in effects.terms]
    text = [
        f.key for f in factors if isinstance(f.node, Name) and not is_number_column(frame[f.key])
    ]
    if text:
        raise FormulaError(f"random-effect variables must be numeric; {text} are not", effects.text)
    values = effects.evaluate(frame, factors)
    columns = [np.ones(len(frame))] if effects.intercept else []
    columns += [np.asarray(values[f.key], dtype=float) for f in factors]
    names = ["(Intercept)"] * effects.intercept + [f.key for f in factors]
    return np.column_stack(columns), names


def _polish(fit: LMMFit, max_steps: int = 20) -> LMMFit:
    """Newton steps on the variance parameters from statsmodels' optimum, to lme4's precision.

    statsmodels stops when its optimiser's gradient is small on its own (Cholesky) scale, which
    can leave the variances a few parts in 10^5 from the optimum; the analytic gradient and
    Hessian (see :func:`_blocks`) take them the rest of the way. A step that would leave the
    random-effects covariance not positive semi-definite, or lower the likelihood, is halved.
    A singular fit is polished in lme4's parametrisation instead
    (:func:`~outcomes.models.lmm.boundary.polish_at_boundary`).
    """
    pairs = list(zip(*np.tril_indices(len(fit.g)), strict=True))

    def with_theta(theta: np.ndarray) -> LMMFit:
        g = np.zeros_like(fit.g)
        for (a, b), value in zip(pairs, theta[:-1], strict=True):
            g[a, b] = g[b, a] = value
        return replace(fit, g=g, sigma2=float(theta[-1]))

    current = fit
    for _ in range(0 if fit.singular else max_steps):
        blocks = current._blocks
        try:
            step = np.linalg.solve(blocks.hessian, blocks.gradient)
        except np.linalg.LinAlgError:
            break
        if abs(blocks.gradient @ step) < 1e-12:
            break
        theta = np.array([current.g[a, b] for a, b in pairs] + [current.sigma2])
        for _halving in range(30):
            trial = with_theta(theta - step)
            if (
                trial.sigma2 > 0
                and np.linalg.eigvalsh(trial.g).min() >= 0
                and trial.loglik >= blocks.loglik
            ):
                break
            step = step / 2
        else:
            break
        current = trial
    if current.singular:
        g, sigma2 = polish_at_boundary(current)
        current = replace(current, g=g, sigma2=sigma2)
    return current


def _fit(model: MixedLM, reml: bool) -> tuple[Any, list[str]]:
    """Fit with statsmodels' optimisers in turn; raise when none converges."""
    tried: list[str] = []
    for method in _OPTIMIZERS:
        tried.append(method)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                result = model.fit(reml=reml, method=[method])
            except (np.linalg.LinAlgError, ValueError):
                continue
        if result.converged and np.all(np.isfinite(result.fe_params)):
            return result, tried
    raise ConvergenceError(
        f"the mixed model did not converge (optimisers tried: {', '.join(tried)}). Try a "
        "simpler random part (random='1'), time in larger units (weeks rather than days) so "
        "that the variances are of similar size, or check that subjects have several "
        "observations each."
    )


@dataclass(frozen=True)
class LMMFit:
    """A fitted linear mixed model: fixed effects with lme4/SAS standard errors, variance
    components, and fit statistics. Made by :func:`lmm`.

    Attributes
    ----------
    g : ndarray (q, q)
        Covariance of the random effects (lme4's ``VarCorr``).
    sigma2 : float
        Residual variance.
    notes : tuple of str
        Rows left out, aliased columns, a singular fit.
    information : str
        ``expected`` or ``observed``: the information matrix behind Kenward-Roger's covariance
        of the variance parameters.
    """

    formula: str
    random: str
    subject: str
    reml: bool
    df_method: str
    conf_level: float
    design: ModelMatrix
    z: np.ndarray
    z_names: list[str]
    groups: np.ndarray
    subject_labels: list[Any]
    g: np.ndarray
    sigma2: float
    optimizer: str
    notes: tuple[str, ...] = ()
    information: str = "expected"

    @property
    def n_obs(self) -> int:
        """Rows used."""
        return len(self.design.y)

    @property
    def n_subjects(self) -> int:
        """Subjects with at least one row used."""
        return len(self.subject_labels)

    @property
    def singular(self) -> bool:
        """Whether the random-effects covariance is at the boundary (lme4's ``isSingular``)."""
        relative = self.g / self.sigma2
        try:
            factor = np.linalg.cholesky(relative + 1e-300 * np.eye(len(relative)))
        except np.linalg.LinAlgError:
            return True
        return bool(np.min(np.abs(np.diag(factor))) < _SINGULAR_TOL)

    @cached_property
    def _blocks(self) -> _Blocks:
        return _blocks(self)

    @property
    def loglik(self) -> float:
        """The maximised log-likelihood (REML or ML), as lme4's ``logLik`` and SAS's."""
        return self._blocks.loglik

    @property
    def coefficients(self) -> pd.Series:
        """Fixed-effect estimates (generalised least squares at the variance estimates)."""
        return pd.Series(self._blocks.beta, index=self.design.columns, name="estimate")

    @cached_property
    def _vcov(self) -> np.ndarray:
        if self.df_method == "kenward-roger":
            return adjusted_vcov(self.model_vcov, self.kr_components, linear=True)
        return self.model_vcov

    @property
    def model_vcov(self) -> np.ndarray:
        """``(X' V^-1 X)^-1`` at the variance estimates (lme4's ``vcov``)."""
        return self._blocks.vcov

    @property
    def kr_components(self) -> KRComponents:
        """Kenward-Roger's matrices (``R = 0``: ``V`` is linear in the variance parameters)."""
        return self._blocks.kr

    #: No sandwich covariance: the Satterthwaite df are the model-based ones.
    sandwich: ClassVar[None] = None

    @cached_property
    def satterthwaite_inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """``dC/dtheta`` and ``W = 2 H^-1`` over the variance parameters; at a singular fit,
        over lme4's ``(theta, sigma)`` as lmerTest (:mod:`outcomes.models.lmm.boundary`)."""
        if self.singular:
            return boundary_inputs(self)
        return self._blocks.jacobian, self.theta_vcov

    @cached_property
    def _df(self) -> DFMethod:
        return df_method(self.df_method, self)

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance of the fixed effects: ``(X' V^-1 X)^-1`` (lme4's ``vcov``), or with
        ``df="kenward-roger"`` its Kenward-Roger adjustment (pbkrtest's ``vcovAdj``)."""
        cols = self.design.columns
        return pd.DataFrame(self._vcov, index=cols, columns=cols)

    @cached_property
    def theta_vcov(self) -> np.ndarray:
        """Asymptotic covariance of the variance parameters: 2 H^-1 (H: Hessian of -2 log L)."""
        return 2 * np.linalg.pinv(self._blocks.hessian)

    @property
    def variance_parameters(self) -> list[str]:
        """Names of the variance parameters: ``var(x)``, ``cov(x,y)``, ``residual``."""
        names = []
        for a, b in zip(*np.tril_indices(len(self.z_names)), strict=True):
            za, zb = self.z_names[b], self.z_names[a]
            names.append(f"var({za})" if a == b else f"cov({za},{zb})")
        return [*names, "residual"]

    def variance_components(self) -> pd.DataFrame:
        """The random effects and residual as lme4's ``as.data.frame(VarCorr(fit))``.

        Columns ``group, var1, var2, variance, sd_cor``: variances and covariances, with the
        standard deviations (rows with ``var2`` empty) or correlations.
        """
        sd = np.sqrt(np.diag(self.g))
        rows: list[tuple[Any, ...]] = []
        for i, name in enumerate(self.z_names):
            rows.append((self.subject, name, None, self.g[i, i], sd[i]))
        for a, b in zip(*np.tril_indices(len(self.z_names), -1), strict=True):
            corr = self.g[a, b] / (sd[a] * sd[b]) if sd[a] * sd[b] > 0 else np.nan
            rows.append((self.subject, self.z_names[b], self.z_names[a], self.g[a, b], corr))
        rows.append(("Residual", None, None, self.sigma2, np.sqrt(self.sigma2)))
        return pd.DataFrame(rows, columns=["group", "var1", "var2", "variance", "sd_cor"])

    def estimate(self, contrast: np.ndarray, labels: pd.DataFrame | None = None) -> pd.DataFrame:
        """Estimates of linear combinations of the fixed effects (rows of ``contrast``).

        Returns ``estimate, std_error, df, statistic, p_value, conf_low, conf_high`` after the
        ``labels`` columns; e.g. the arm difference at week 2 of ``arm * weeks`` is the row
        with 1 for ``armDMT`` and 2 for ``armDMT:weeks``.
        """
        rows = self._rows(contrast)
        se = np.sqrt(np.einsum("ij,jk,ik->i", rows, self._vcov, rows))
        df = np.array([self._df.one_d(r) for r in rows])
        return wald_table(
            rows @ self._blocks.beta, se, df, conf_level=self.conf_level, labels=labels
        )

    def test(self, contrast: np.ndarray) -> dict[str, float]:
        """F test that every row of ``contrast`` is zero: ``num_df, den_df, f_value, p_value``.

        As lmerTest's ``contest(fit, L, ddf = ...)``: Satterthwaite df combined over the rows as
        Fai & Cornelius (``df="satterthwaite"``), Kenward-Roger's scaled F (``"kenward-roger"``),
        or the Wald chi-square over ``num_df`` (``"normal"``).
        """
        return self._df.f_test(self._rows(contrast))

    def _rows(self, contrast: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(contrast, dtype=float))
        if rows.shape[1] != len(self.design.columns):
            raise ModelSpecificationError(
                f"a contrast has {len(self.design.columns)} coefficients "
                f"({self.design.columns}), not {rows.shape[1]}"
            )
        return rows

    def to_frame(self) -> pd.DataFrame:
        """The fixed effects: ``term, estimate, std_error, df, statistic, p_value, conf_low,
        conf_high``."""
        labels = pd.DataFrame({"term": self.design.columns})
        return self.estimate(np.eye(len(self.design.columns)), labels)

    def fit_statistics(self) -> pd.DataFrame:
        """``-2 log L``, AIC and BIC (BIC with the number of subjects, as SAS; lme4 uses rows).

        The parameters counted are the variance parameters under REML, and the fixed effects as
        well under ML, as lme4 and SAS do.
        """
        k = len(self.variance_parameters) + (0 if self.reml else len(self.design.columns))
        m2ll = -2 * self.loglik
        return pd.DataFrame(
            {
                "statistic": ["-2 log-likelihood", "AIC", "BIC"],
                "value": [m2ll, m2ll + 2 * k, m2ll + k * np.log(self.n_subjects)],
            }
        )

    def summary(self) -> str:
        """A plain-text summary: model, rows, fixed effects and variance components."""
        method = "REML" if self.reml else "ML"
        lines = [
            f"Linear mixed model ({method}): {self.formula}, random {self.random} | {self.subject}",
            f"{self.n_obs} observations of {self.n_subjects} subjects; log-likelihood "
            f"{self.loglik:.4f}; df {self.df_method}"
            + (f" ({self.information} information)" if self.df_method == "kenward-roger" else ""),
            *self.notes,
            "",
            self.to_frame().to_string(index=False),
            "",
            self.variance_components().to_string(index=False),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<LMMFit {self.formula} | random {self.random}: {self.n_obs} rows>"

    def _repr_html_(self) -> str:
        heading = self.summary().split("\n\n")[0]
        return fit_html(heading, self.to_frame(), self.variance_components())


@dataclass(frozen=True)
class _Blocks:
    """Sums over subjects that the inference needs, at the fitted variance parameters."""

    beta: np.ndarray
    vcov: np.ndarray
    jacobian: np.ndarray  # (m, p, p): dC / dtheta_k
    hessian: np.ndarray  # (m, m): of -2 log-likelihood over theta
    gradient: np.ndarray  # (m,): of -2 log-likelihood over theta (0 at an interior optimum)
    loglik: float
    kr: KRComponents  # Kenward-Roger's P_i = -M_i, Q_ij, R_ij = 0 (V is linear in theta)
    expected: np.ndarray  # (m, m): expected Hessian of -2 log L, tr(Pi V_k Pi V_l)


def _blocks(fit: LMMFit) -> _Blocks:
    """Generalised least squares, and the derivatives of ``C`` and of -2 log L over theta.

    With ``P y = V^-1 (y - X beta)``, ``A_i = V_i^-1 X_i``, ``M_k = sum A_i' V_ik A_i`` and
    ``C = (X'V^-1X)^-1``: ``dC/dtheta_k = C M_k C``; the gradient of -2 log L is
    ``tr(Pi V_k) - y'P V_k P y`` and its Hessian ``-tr(Pi V_k Pi V_l) + 2 y'P V_k P V_l P y``, with
    ``Pi = P`` (the REML projection) under REML and ``V^-1`` under ML.
    """
    x, y, z = fit.design.x, fit.design.y, fit.z
    q, p = z.shape[1], x.shape[1]
    pairs = list(zip(*np.tril_indices(q), strict=True))
    m = len(pairs) + 1
    subjects = subject_rows(fit)

    def derivative(zi: np.ndarray, k: int) -> np.ndarray:
        if k == m - 1:
            return np.eye(len(zi))
        a, b = pairs[k]
        return np.outer(zi[:, a], zi[:, b]) + (np.outer(zi[:, b], zi[:, a]) if a != b else 0)

    xvx = np.zeros((p, p))
    xvy = np.zeros(p)
    logdet = 0.0
    per_subject = []
    for rows in subjects:
        xi, yi, zi = x[rows], y[rows], z[rows]
        v = zi @ fit.g @ zi.T + fit.sigma2 * np.eye(len(rows))
        logdet += np.linalg.slogdet(v)[1]
        v_inv = np.linalg.inv(v)
        a = v_inv @ xi
        xvx += xi.T @ a
        xvy += a.T @ yi
        per_subject.append((rows, v_inv, a, [derivative(zi, k) for k in range(m)]))
    vcov = np.linalg.inv(xvx)
    beta = vcov @ xvy

    ypy = 0.0  # y'P y = sum of the subjects' (y - X beta)' V^-1 (y - X beta)
    mk = np.zeros((m, p, p))
    trace_v = np.zeros(m)  # sum tr(V_i^-1 V_ik)
    trace_vv = np.zeros((m, m))  # sum tr(V^-1 V_k V^-1 V_l)
    nkl = np.zeros((m, m, p, p))  # sum A' V_k V^-1 V_l A
    auk = np.zeros((m, p))  # sum A' u_k, u_k = V_k P y
    uvu = np.zeros((m, m))  # sum u_k' V^-1 u_l
    ypvpy = np.zeros(m)  # y'P V_k P y
    for rows, v_inv, a, dv in per_subject:
        resid = y[rows] - x[rows] @ beta
        py = v_inv @ resid
        ypy += float(resid @ py)
        vk_vinv = [d @ v_inv for d in dv]
        u = [d @ py for d in dv]
        for k in range(m):
            mk[k] += a.T @ dv[k] @ a
            trace_v[k] += np.trace(vk_vinv[k])
            auk[k] += a.T @ u[k]
            ypvpy[k] += py @ u[k]
            for ell in range(k, m):
                trace_vv[k, ell] += np.sum(vk_vinv[k] * vk_vinv[ell].T)
                nkl[k, ell] += a.T @ vk_vinv[k] @ dv[ell] @ a
                uvu[k, ell] += u[k] @ v_inv @ u[ell]
    jacobian = np.einsum("ij,kjl,lm->kim", vcov, mk, vcov)
    quad = uvu - auk @ vcov @ auk.T  # y'P V_k P V_l P y (upper triangle)
    grad = trace_v - ypvpy
    hessian = np.zeros((m, m))
    expected = np.zeros((m, m))
    for k in range(m):
        for ell in range(k, m):
            if fit.reml:
                trace = (
                    trace_vv[k, ell]
                    - 2 * np.trace(vcov @ nkl[k, ell])
                    + np.trace(vcov @ mk[k] @ vcov @ mk[ell])
                )
            else:
                trace = trace_vv[k, ell]
            hessian[k, ell] = hessian[ell, k] = -trace + 2 * quad[k, ell]
            expected[k, ell] = expected[ell, k] = trace
            nkl[ell, k] = nkl[k, ell].T
        if fit.reml:
            grad[k] -= np.trace(vcov @ mk[k])
    n_used = len(y) - p if fit.reml else len(y)
    m2ll = logdet + ypy + n_used * np.log(2 * np.pi)
    if fit.reml:
        m2ll += np.linalg.slogdet(xvx)[1]
    information = expected if fit.information == "expected" else hessian
    kr = KRComponents(p=-mk, q=nkl, r=np.zeros_like(nkl), w=2 * np.linalg.pinv(information))
    return _Blocks(
        beta=beta,
        vcov=vcov,
        jacobian=jacobian,
        hessian=hessian,
        gradient=grad,
        loglik=-m2ll / 2,
        kr=kr,
        expected=expected,
    )
