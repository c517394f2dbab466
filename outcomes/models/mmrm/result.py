"""The fitted MMRM: estimates, LS means, contrasts, tests and covariance, as tidy frames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from outcomes.data.frames import as_frame
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.df import DFMethod, df_method
from outcomes.models.core.df.kenward_roger import KRComponents, adjusted_vcov
from outcomes.models.core.inference import ESTIMATE_COLUMNS, fit_html, wald_table
from outcomes.models.mmrm import gcomp as _gcomp
from outcomes.models.mmrm import predict as _predict
from outcomes.models.mmrm.design import Design
from outcomes.models.mmrm.empirical import EMPIRICAL_METHODS, Sandwich, sandwich
from outcomes.models.mmrm.formula import MMRMFormula
from outcomes.models.mmrm.grid import cell_rows, term_hypothesis
from outcomes.models.mmrm.kenward_roger import (
    kr_components,
    natural_parameters,
    sas_parameter_names,
)
from outcomes.models.mmrm.likelihood import Likelihood
from outcomes.models.mmrm.optimize import FitState

__all__ = ["ESTIMATE_COLUMNS", "MMRMFit"]

#: Columns of every table of F tests, after the term (and slice) columns.
TEST_COLUMNS = ("num_df", "den_df", "f_value", "p_value")


@dataclass(frozen=True, eq=False)
class MMRMFit:
    """A fitted mixed model for repeated measures. Made by :func:`outcomes.mmrm`; immutable.

    Attributes
    ----------
    formula : MMRMFormula
        The parsed formula.
    reml : bool
        REML (True) or ML.
    df_method : str
        ``satterthwaite``, ``kenward-roger``, ``kenward-roger-linear``, ``between-within`` or
        ``residual``.
    vcov_method : str
        ``model`` (``(X'V^-1X)^-1``), ``kenward-roger`` (adjusted, SAS ``DDFM=KR``),
        ``empirical`` (the sandwich CR0, SAS ``EMPIRICAL``), ``empirical-bias-reduced`` (CR2) or
        ``empirical-jackknife`` (CR3).
    conf_level : float
        Confidence level of the intervals.
    converged : bool
        Whether the optimiser reached a maximum (gradient zero, Hessian positive definite).
    notes : tuple of str
        What happened in fitting: rows left out, aliased columns, optimiser fallbacks.
    information : str
        ``observed`` or ``expected``: the information matrix behind Kenward-Roger's covariance
        of the covariance parameters.
    """

    formula: MMRMFormula
    reml: bool
    df_method: str
    vcov_method: str
    conf_level: float
    design: Design
    likelihood: Likelihood
    state: FitState
    notes: tuple[str, ...]
    information: str = "observed"

    # -- basic quantities ---------------------------------------------------------------------

    @property
    def converged(self) -> bool:
        """Whether the fit converged."""
        return self.state.converged

    @property
    def coefficients(self) -> pd.Series:
        """Fixed-effect estimates, named as in R."""
        return pd.Series(self.state.evaluation.beta, index=self.design.columns)

    @cached_property
    def vcov(self) -> pd.DataFrame:
        """Covariance of the fixed-effect estimates: model-based ``(X'V^-1X)^-1``, Kenward-Roger
        adjusted, or a sandwich (CR0, CR2, CR3: :mod:`outcomes.models.mmrm.empirical`)."""
        c = self.model_vcov
        if self.sandwich is not None:
            c = self.sandwich.vcov
        elif self.vcov_method == "kenward-roger":
            linear = self.df_method == "kenward-roger-linear"
            c = adjusted_vcov(c, self.kr_components, linear=linear)
        return pd.DataFrame(c, index=self.design.columns, columns=self.design.columns)

    @property
    def model_vcov(self) -> np.ndarray:
        """The model-based ``(X'V^-1X)^-1`` (R mmrm's ``component(fit, "beta_vcov")``)."""
        return self.state.evaluation.xtvx_inv

    @cached_property
    def sandwich(self) -> Sandwich | None:
        """The empirical covariance behind ``vcov="empirical..."`` and its df; None otherwise."""
        if self.vcov_method not in EMPIRICAL_METHODS:
            return None
        kind = EMPIRICAL_METHODS[self.vcov_method]
        ev = self.state.evaluation
        return sandwich(self.likelihood, self.theta, ev.beta, ev.xtvx_inv, kind)

    @cached_property
    def kr_components(self) -> KRComponents:
        """Kenward-Roger's matrices (:mod:`outcomes.models.mmrm.kenward_roger`)."""
        return kr_components(self.likelihood, self.theta, self.state.hessian, self.information)

    @property
    def theta(self) -> np.ndarray:
        """Covariance parameters on the optimiser's scale."""
        return self.state.theta

    @property
    def n_obs(self) -> int:
        """Observations used."""
        return self.design.n_rows

    @property
    def n_subjects(self) -> int:
        """Subjects with at least one observation used."""
        return len(self.design.subject_labels)

    @property
    def loglik(self) -> float:
        """Maximised REML or ML log-likelihood; -2 x it is SAS's "-2 (Res) Log Likelihood"."""
        return -self.state.evaluation.value / 2

    @property
    def _k(self) -> int:
        return self.likelihood.n_theta + (0 if self.reml else self.design.x.shape[1])

    @property
    def aic(self) -> float:
        """Akaike's criterion as SAS: -2 log L + 2 k (k covariance parameters; + fixed under ML)."""
        return -2 * self.loglik + 2 * self._k

    @property
    def aicc(self) -> float:
        """Corrected AIC as SAS, with ``n* = n_obs - p`` under REML, ``n_obs`` under ML."""
        n = self.n_obs - (self.design.x.shape[1] if self.reml else 0)
        return -2 * self.loglik + 2 * self._k * n / (n - self._k - 1)

    @property
    def bic(self) -> float:
        """Schwarz's criterion as SAS: -2 log L + k log(number of subjects)."""
        return -2 * self.loglik + self._k * np.log(self.n_subjects)

    # -- degrees of freedom (one module per method: outcomes.models.core.df) ---------------

    @cached_property
    def satterthwaite_inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """``dC/dtheta_j = -C (dX'V^-1X/dtheta_j) C`` and ``W = 2 H^-1``, the asymptotic
        covariance of ``theta`` (R mmrm's ``jac_list`` and ``theta_vcov``)."""
        c = self.model_vcov
        d = self.likelihood.xtvx_derivatives(self.theta)
        return -(c @ d @ c), 2 * np.linalg.inv(self.state.hessian)

    @cached_property
    def _df(self) -> DFMethod:
        return df_method(self.df_method, self)

    # -- tables ---------------------------------------------------------------------------------

    def estimate(self, contrast: np.ndarray, labels: pd.DataFrame | None = None) -> pd.DataFrame:
        """Estimates of the linear combinations in the rows of ``contrast`` (t tests, CIs).

        Parameters
        ----------
        contrast : ndarray (q, p) or (p,)
            Rows of coefficients over :attr:`coefficients`.
        labels : DataFrame, optional
            ``q`` rows of columns to put before the estimates.
        """
        rows = np.atleast_2d(np.asarray(contrast, dtype=float))
        if rows.shape[1] != len(self.design.columns):
            raise ModelSpecificationError(
                f"a contrast has {len(self.design.columns)} coefficients "
                f"({self.design.columns}), not {rows.shape[1]}"
            )
        beta = self.state.evaluation.beta
        c = self.vcov.to_numpy()
        se = np.sqrt(np.einsum("ij,jk,ik->i", rows, c, rows))
        df = np.array([self._df.one_d(r) for r in rows])
        return wald_table(rows @ beta, se, df, conf_level=self.conf_level, labels=labels)

    def test(self, contrast: np.ndarray) -> dict[str, float]:
        """F test that all rows of ``contrast`` are zero: ``num_df, den_df, f_value, p_value``."""
        return self._df.f_test(np.atleast_2d(np.asarray(contrast, dtype=float)))

    def to_frame(self) -> pd.DataFrame:
        """The fixed effects: ``term, estimate, std_error, df, statistic, p_value, conf_low,
        conf_high``.

        Examples
        --------
        >>> import outcomes
        >>> madrs = outcomes.derive(outcomes.load_sample()).frame.query(
        ...     "instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
        >>> fit = outcomes.mmrm("chg ~ base + arm + visit + us(visit | subject)", madrs)
        >>> fit.to_frame()["term"].tolist()
        ['(Intercept)', 'base', 'armDMT', 'visitWEEK 2']
        """
        labels = pd.DataFrame({"term": self.design.columns})
        return self.estimate(np.eye(len(self.design.columns)), labels)

    def lsmeans(self, specs: str | Sequence[str], *, weights: str = "equal") -> pd.DataFrame:
        """Least-squares means over the factors ``specs``.

        One row per combination of their levels: the factors' columns, then ``estimate,
        std_error, df, statistic, p_value, conf_low, conf_high``. ``weights="equal"`` averages
        over the other factors' levels equally, as SAS LSMEANS and emmeans; ``"proportional"``
        by their frequencies in the data (SAS ``OM``). Covariates are at their means.
        """
        specs = [specs] if isinstance(specs, str) else list(specs)
        combos, rows = cell_rows(self.design, specs, weights)
        return self.estimate(rows, combos)

    def contrasts(
        self,
        factor: str,
        *,
        by: str | Sequence[str] | None = None,
        reference: Any = None,
        method: str = "reference",
        weights: str = "equal",
    ) -> pd.DataFrame:
        """Differences of LS means of ``factor``, within each level of ``by``.

        ``method="reference"``: each level minus ``reference`` (the factor's first level by
        default); ``"pairwise"``: every later level minus every earlier one. Columns:
        ``contrast`` (e.g. ``"DRUG - PLACEBO"``), the ``by`` factors, then the estimate columns.
        """
        by = [] if by is None else ([by] if isinstance(by, str) else list(by))
        levels = self.design.factors.get(factor)
        if levels is None:
            raise ModelSpecificationError(
                f"{factor!r} is not a factor of the model {list(self.design.factors)}"
            )
        reference = levels[0] if reference is None else reference
        if reference not in levels:
            raise ModelSpecificationError(
                f"reference {reference!r} is not a level of {factor}: {levels}"
            )
        if method == "reference":
            pairs = [(lev, reference) for lev in levels if lev != reference]
        elif method == "pairwise":
            pairs = [(b, a) for i, a in enumerate(levels) for b in levels[i + 1 :]]
        else:
            raise ModelSpecificationError(
                f"method must be 'reference' or 'pairwise', not {method!r}"
            )
        combos, rows = cell_rows(self.design, [*by, factor], weights)
        labels, out_rows = [], []
        by_combos = combos[by].drop_duplicates() if by else pd.DataFrame(index=[0])
        for _, at in by_combos.iterrows():
            mask = np.ones(len(combos), dtype=bool)
            for name in by:
                mask &= (combos[name] == at[name]).to_numpy()
            index = {lev: rows[mask & (combos[factor] == lev).to_numpy()][0] for lev in levels}
            for a, b in pairs:
                labels.append({"contrast": f"{a} - {b}", **{n: at[n] for n in by}})
                out_rows.append(index[a] - index[b])
        return self.estimate(np.array(out_rows), pd.DataFrame(labels))

    def anova(self, *, slice: str | None = None) -> pd.DataFrame:  # noqa: A002 - SAS's word
        """Type III F tests of each term: ``term, num_df, den_df, f_value, p_value``.

        With ``slice="VISIT"``: tests of effect slices (SAS ``SLICE=``), for each interaction of
        ``VISIT`` with one other factor, the test that the other factor's LS means are equal at
        each level of ``VISIT``: ``term, VISIT, num_df, den_df, f_value, p_value``.
        """
        if slice is not None:
            return self._slices(slice)
        out = []
        for name, factors, covariates in self._terms():
            hyp = term_hypothesis(self.design, factors, covariates)
            out.append({"term": name, **self.test(hyp)})
        return pd.DataFrame(out, columns=["term", *TEST_COLUMNS])

    def _terms(self) -> list[tuple[str, list[str], list[str]]]:
        terms = []
        for term in self.design.formula.terms:
            names = [f.key for f in term]
            factors = [n for n in names if n in self.design.factors]
            covariates = [n for n in names if n not in self.design.factors]
            terms.append((":".join(names), factors, covariates))
        return terms

    def _slices(self, by: str) -> pd.DataFrame:
        out = []
        for name, factors, covariates in self._terms():
            if by not in factors or len(factors) != 2 or covariates:
                continue
            (other,) = [f for f in factors if f != by]
            combos, rows = cell_rows(self.design, [by, other])
            for level in self.design.factors[by]:
                at = rows[(combos[by] == level).to_numpy()]
                hyp = at[1:] - at[0]  # each level minus the reference, as SAS
                out.append({"term": name, by: level, **self.test(hyp)})
        return (
            pd.DataFrame(out, columns=["term", by, *TEST_COLUMNS])
            if out
            else pd.DataFrame(columns=["term", by, *TEST_COLUMNS])
        )

    def marginal_means(self, arm: str = "arm", *, data: Any = None) -> pd.DataFrame:
        """G-computation means of each arm at each visit: each subject's own prediction under
        the arm, averaged, with a variance that counts the covariates' variability (R mmrm's
        ``emmeans_gcomp_vars``; see :mod:`outcomes.models.mmrm.gcomp`).

        Parameters
        ----------
        arm : str
            The arm factor.
        data : DataFrame or TrialData, optional
            Whose subjects to average over (first row of each); by default those of the rows
            used. Give the data with every randomised subject to average over all of them.

        Returns
        -------
        DataFrame
            ``arm, visit, estimate, std_error, df, statistic, p_value, conf_low, conf_high``.

        Examples
        --------
        >>> import outcomes
        >>> trial = outcomes.derive(outcomes.load_sample())
        >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
        >>> fit = outcomes.mmrm("chg ~ base * arm + arm * visit + us(visit | subject)", madrs)
        >>> fit.marginal_means()[["arm", "visit"]].values.tolist()
        [['PLACEBO', 'WEEK 1'], ['DMT', 'WEEK 1'], ['PLACEBO', 'WEEK 2'], ['DMT', 'WEEK 2']]
        """
        return _gcomp.marginal_means(self, arm, None if data is None else as_frame(data))

    def marginal_contrasts(
        self, arm: str = "arm", *, reference: Any = None, data: Any = None
    ) -> pd.DataFrame:
        """G-computation treatment effects: each arm minus ``reference`` at each visit, the
        average treatment effect over the subjects of ``data`` (see :meth:`marginal_means`).

        Returns ``contrast, visit`` then the estimate columns.
        """
        frame = None if data is None else as_frame(data)
        return _gcomp.marginal_contrasts(self, arm, reference, frame)

    # -- residuals, predictions, simulations -----------------------------------------------

    def _row_index(self) -> pd.MultiIndex:
        self.design.needs_rows("fitted values and residuals")
        cov = self.formula.covariance
        names = [cov.subject, *cov.time]
        return pd.MultiIndex.from_frame(self.design.frame[names].reset_index(drop=True))

    def fitted(self) -> pd.Series:
        """``X b`` of each row used, indexed by subject and visit (R mmrm's ``fitted``).

        Examples
        --------
        >>> import outcomes
        >>> trial = outcomes.derive(outcomes.load_sample())
        >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
        >>> fit = outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", madrs)
        >>> fitted = fit.fitted()
        >>> list(fitted.index.names), len(fitted) == fit.n_obs
        (['subject', 'visit'], True)
        """
        values = self.design.x @ self.state.evaluation.beta
        return pd.Series(values, index=self._row_index(), name="fitted")

    def residuals(self, type: str = "response") -> pd.Series:  # noqa: A002 - R's word
        """Residuals of the rows used, indexed by subject and visit (R mmrm's ``residuals``).

        Parameters
        ----------
        type : {"response", "pearson", "normalized"}
            ``y - X b``; that over its model standard deviation; or decorrelated within each
            subject by the Cholesky factor of its covariance (independent, variance 1 under
            the model). See :mod:`outcomes.models.mmrm.predict`.

        Examples
        --------
        >>> import outcomes
        >>> trial = outcomes.derive(outcomes.load_sample())
        >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
        >>> fit = outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", madrs)
        >>> r = fit.residuals("normalized")
        >>> bool(abs(r.mean()) < 0.5 and 0.5 < r.std() < 1.5)
        True
        """
        values = _predict.residuals(self, type)
        return pd.Series(values, index=self._row_index(), name=f"{type}_residual")

    def variogram(self, type: str = "pearson") -> pd.DataFrame:  # noqa: A002 - R's word
        """The semi-variogram of the residuals, as nlme's ``Variogram``: columns ``lag,
        semivariance, n_pairs``.

        For every pair of rows of one subject, ``(r_j - r_k)^2 / 2``, averaged over the pairs of
        each lag: visits apart in the visit order, or the distance between coordinates for a
        spatial structure. Pearson residuals (the default) have semivariance ``1 - rho`` at a
        lag whose correlation is ``rho``, so the curve shows how the correlation decays (an
        empirical check of the structure, the ACF users ask of R mmrm in openpharma/mmrm#371);
        normalized residuals are uncorrelated with unit variance under the model, so theirs is
        1 at every lag, and a departure is correlation the structure misses.

        Examples
        --------
        >>> import outcomes
        >>> trial = outcomes.derive(outcomes.load_sample())
        >>> madrs = trial.frame.query("instrument == 'madrs' and phase != 'baseline'")
        >>> fit = outcomes.mmrm("chg ~ base + arm * visit + ar1(visit | subject)", madrs)
        >>> fit.variogram()["lag"].tolist()[:2]
        [1.0, 2.0]
        """
        return _predict.variogram(self, type)

    def residual_summary(self) -> pd.DataFrame:
        """Per visit: the rows, and the mean and SD of the normalized and Pearson residuals.

        Under the model, normalized residuals have mean 0 and SD 1 at every visit, and the
        Pearson residuals' SD is 1 at every visit; a visit far from that shows a variance or a
        mean the model misses (a per-visit diagnostic, as users ask of R mmrm in
        openpharma/mmrm#371). Columns ``visit, n, mean_normalized, sd_normalized,
        mean_pearson, sd_pearson``.
        """
        frame = pd.DataFrame(
            {
                "visit": self.design.frame[self.formula.covariance.time[0]].to_numpy(),
                "normalized": _predict.residuals(self, "normalized"),
                "pearson": _predict.residuals(self, "pearson"),
            }
        )
        return (
            frame.groupby("visit", observed=True, sort=True)
            .agg(
                n=("normalized", "size"),
                mean_normalized=("normalized", "mean"),
                sd_normalized=("normalized", "std"),
                mean_pearson=("pearson", "mean"),
                sd_pearson=("pearson", "std"),
            )
            .reset_index()
        )

    def predict(
        self,
        new: Any = None,
        *,
        conditional: bool = True,
        interval: str | None = None,
        conf_level: float | None = None,
    ) -> pd.DataFrame:
        """Predictions of the rows of ``new`` (by default the rows used), as R mmrm's ``predict``.

        Parameters
        ----------
        new : DataFrame or TrialData, optional
            Rows with the model's variables, subject and visit; the response where known (a
            missing response is predicted from the subject's observed ones).
        conditional : bool, default True
            Condition on each subject's observed responses (an observed row is its value);
            False for ``X b`` in every row.
        interval : {None, "confidence", "prediction"}
            Add ``se, conf_low, conf_high``: of the mean, or of a new observation (at the
            estimated covariance; see :mod:`outcomes.models.mmrm.predict`). Normal quantiles,
            as R mmrm.
        conf_level : float, optional
            The fit's by default.

        Returns
        -------
        DataFrame
            ``fit`` (and the interval columns), on ``new``'s index.
        """
        if new is None:
            self.design.needs_rows("predicting the rows used")
        data = self.design.frame if new is None else as_frame(new)
        rows = _predict.new_rows(self, data)
        moments = _predict.conditional_moments(
            self,
            rows,
            self.theta,
            self.state.evaluation.beta,
            self.vcov.to_numpy(),
            conditional=conditional,
        )
        out = pd.DataFrame({"fit": moments.mean}, index=data.index)
        if interval is None:
            return out
        if interval not in ("confidence", "prediction"):
            raise ModelSpecificationError(
                f"interval must be None, 'confidence' or 'prediction', not {interval!r}"
            )
        level = self.conf_level if conf_level is None else conf_level
        se = np.sqrt(moments.conf_var if interval == "confidence" else moments.var)
        z = scipy.stats.norm.ppf(1 - (1 - level) / 2)
        return out.assign(se=se, conf_low=out["fit"] - z * se, conf_high=out["fit"] + z * se)

    def simulate(
        self,
        nsim: int = 1,
        new: Any = None,
        *,
        method: str = "conditional",
        seed: int | np.random.Generator | None = None,
    ) -> pd.DataFrame:
        """Draws of the responses of ``new``'s rows, one column per draw (R mmrm's ``simulate``).

        Missing responses are drawn from their distribution given the subject's observed ones;
        observed responses are kept. ``method="marginal"`` also draws the covariance
        parameters and the coefficients from their estimated distributions. Columns
        ``sim_1 ... sim_<nsim>`` on ``new``'s index (by default the rows used).
        """
        if not (isinstance(nsim, int) and nsim >= 1):
            raise ModelSpecificationError(f"nsim must be a positive whole number, not {nsim!r}")
        if new is None:
            self.design.needs_rows("predicting the rows used")
        data = self.design.frame if new is None else as_frame(new)
        rows = _predict.new_rows(self, data)
        draws = _predict.simulate(self, rows, nsim, method, np.random.default_rng(seed))
        return pd.DataFrame(draws, index=data.index, columns=[f"sim_{k + 1}" for k in range(nsim)])

    def covariance(self, group: Any = None, *, correlation: bool = False) -> pd.DataFrame:
        """The estimated covariance (or correlation) over the visits, for one covariance group."""
        if self.likelihood.structure.spatial:
            raise ModelSpecificationError(
                "a spatial covariance has no visits: see covariance_parameters()"
            )
        levels = self.design.group_levels
        g = 0 if group is None else levels.index(group)
        if group is None and len(levels) > 1:
            raise ModelSpecificationError(f"the covariance differs by group; name one of {levels}")
        sigma = self.likelihood.covariance(self.theta, g)
        if correlation:
            sd = np.sqrt(np.diag(sigma))
            sigma = sigma / np.outer(sd, sd)
        names = [str(v) for v in self.design.visit_levels]
        return pd.DataFrame(sigma, index=names, columns=names)

    def covariance_parameters(self) -> pd.DataFrame:
        """The covariance parameters as SAS PROC MIXED names and reports them.

        Columns ``group, cov_parm, estimate``: ``UN(i,j)`` for unstructured; ``Var(k)`` and a
        correlation (``CSH``, ``ARH(1)``, ``TOEPH(k)``, ``Rho(k)``) for heterogeneous structures;
        ``Residual`` with ``CS``, ``AR(1)``, ``TOEP(k)`` or ``SP(EXP)`` (the range) otherwise.
        """
        lik = self.likelihood
        name = lik.structure.name
        rows = []
        for g, group in enumerate(self.design.group_levels):
            values = natural_parameters(name, lik.group_theta(self.theta, g), lik.n_visits)
            for label, value in zip(sas_parameter_names(name, lik.n_visits), values, strict=True):
                rows.append({"group": group, "cov_parm": label, "estimate": float(value)})
        return pd.DataFrame(rows)

    # -- display ----------------------------------------------------------------------------

    def fit_statistics(self) -> pd.DataFrame:
        """``-2 log L``, AIC, AICc, BIC, as SAS's "Fit Statistics"."""
        label = "-2 Res Log Likelihood" if self.reml else "-2 Log Likelihood"
        return pd.DataFrame(
            {
                "statistic": [label, "AIC", "AICC", "BIC"],
                "value": [-2 * self.loglik, self.aic, self.aicc, self.bic],
            }
        )

    def summary(self) -> str:
        """A printable summary: model, data used, convergence, fit statistics, fixed effects."""
        cov = self.formula.covariance
        lines = [
            f"MMRM fitted by {'REML' if self.reml else 'ML'}: {self.formula.mean}",
            f"covariance: {self.likelihood.structure.title} over {', '.join(cov.time)} within "
            f"{cov.subject}" + (f", by {cov.group}" if cov.group else ""),
            f"{self.n_subjects} subjects, {self.n_obs} observations "
            f"({self.design.n_dropped} rows with a missing value left out); "
            f"df: {self.df_method}"
            + (f" ({self.information} information)" if "kenward" in self.df_method else ""),
            f"converged: {self.converged} ({self.state.optimizer}, {self.state.iterations} "
            "iterations)",
            *[f"note: {n}" for n in self.notes],
            "",
            self.fit_statistics().to_string(index=False),
            "",
            self.to_frame().to_string(index=False),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<MMRMFit {self.formula.mean} | {self.likelihood.structure.name}, "
            f"{self.n_subjects} subjects, -2logL {-2 * self.loglik:.4f}>"
        )

    def _repr_html_(self) -> str:
        heading = self.summary().split("\n\n")[0]
        return fit_html(heading, self.fit_statistics(), self.to_frame())
