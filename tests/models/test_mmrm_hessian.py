"""The MMRM's analytic Hessian against differences of its objective, for every structure.

The reference is independent of the Hessian's algebra: central differences of the exact gradient
(complex-step derivatives of the covariance, no second derivatives), and, for a check that uses
nothing but the value, second differences of -2 log-likelihood itself. Central differences of
the gradient are accurate to about 1e-9 relative at this step; second differences of the value to
about 1e-5. Both are taken at the optimum and away from it (the Hessian's terms in the gradient
then do not vanish).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.mmrm.covariance import STRUCTURES, _differenced_curvature, curvature

FEV = Path(__file__).parents[1] / "datasets" / "fev_data.csv"
MEAN = "FEV1 ~ ARMCD * AVISIT + RACE + FEV1_BL"


@pytest.fixture(scope="module")
def fev() -> pd.DataFrame:
    data = pd.read_csv(FEV).dropna(subset=["FEV1"])
    data["TIME"] = data["AVISIT"].str[-1].astype(float) + (data.index % 5) / 10  # in visits
    return data.assign(GROUP=np.where(data["ARMCD"] == "TRT", "TRT", "PBO"))


def _gradient_differences(lik, theta: np.ndarray) -> np.ndarray:  # noqa: ANN001
    m = len(theta)
    out = np.empty((m, m))
    for j in range(m):
        h = 1e-5 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        out[:, j] = (
            lik.evaluate(up, gradient=True).gradient - lik.evaluate(down, gradient=True).gradient
        ) / (2 * h)
    return (out + out.T) / 2


def _value_differences(lik, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:  # noqa: ANN001
    m = len(theta)
    out = np.empty((m, m))

    def f(d: np.ndarray) -> float:
        return lik.evaluate(theta + d).value

    steps = np.eye(m) * h
    for j in range(m):
        for k in range(j, m):
            ej, ek = steps[j], steps[k]
            out[j, k] = out[k, j] = (f(ej + ek) - f(ej - ek) - f(-ej + ek) + f(-ej - ek)) / (
                4 * h * h
            )
    return out


CASES = [
    ("us(AVISIT | USUBJID)", {}),
    ("us(AVISIT | USUBJID)", {"reml": False}),
    ("us(AVISIT | USUBJID)", {"weights": "WEIGHT"}),
    ("us(AVISIT | GROUP / USUBJID)", {}),
    ("cs(AVISIT | USUBJID)", {}),
    ("csh(AVISIT | USUBJID)", {}),
    ("ar1(AVISIT | USUBJID)", {}),
    ("ar1h(AVISIT | USUBJID)", {}),
    ("toep(AVISIT | USUBJID)", {}),
    ("toeph(AVISIT | USUBJID)", {}),
    ("ad(AVISIT | USUBJID)", {}),
    ("adh(AVISIT | USUBJID)", {}),
    ("sp_exp(TIME | USUBJID)", {}),
    ("sp_gau(TIME | USUBJID)", {"reml": False}),
]


def test_every_structure_has_a_case() -> None:
    assert {c.split("(")[0] for c, _ in CASES} == set(STRUCTURES)


@pytest.mark.parametrize(("covariance", "options"), CASES, ids=[f"{c} {o}" for c, o in CASES])
def test_the_hessian_is_the_derivative_of_the_gradient(
    fev: pd.DataFrame, covariance: str, options: dict
) -> None:
    fit = outcomes.mmrm(f"{MEAN} + {covariance}", fev, **options)
    lik = fit.likelihood
    away = fit.theta + 0.1 * np.random.default_rng(1).standard_normal(len(fit.theta))
    for theta in (fit.theta, away):
        analytic = lik.evaluate(theta, hessian=True).hessian
        scale = np.abs(analytic).max()
        np.testing.assert_allclose(
            analytic, _gradient_differences(lik, theta), rtol=0, atol=1e-7 * scale
        )
        np.testing.assert_allclose(
            analytic, _value_differences(lik, theta), rtol=0, atol=1e-4 * scale
        )


def test_the_fit_keeps_the_analytic_hessian(fev: pd.DataFrame) -> None:
    """The standard errors of the covariance parameters and Satterthwaite's df rest on it."""
    fit = outcomes.mmrm(f"{MEAN} + us(AVISIT | USUBJID)", fev)
    expected = _gradient_differences(fit.likelihood, fit.theta)
    np.testing.assert_allclose(
        fit.state.hessian, expected, rtol=0, atol=1e-7 * np.abs(expected).max()
    )


def test_the_unstructured_curvature_is_exact() -> None:
    """The closed form against central differences of the complex-step first derivatives."""
    rng = np.random.default_rng(3)
    us = STRUCTURES["us"]
    for t in (1, 2, 5):
        theta = 0.5 * rng.standard_normal(t * (t + 1) // 2)
        q = rng.standard_normal((t, t))
        q = q + q.T
        exact = curvature(us, theta, t, q)
        np.testing.assert_allclose(
            exact, _differenced_curvature(us, theta, t, q), rtol=0, atol=1e-8 * np.abs(exact).max()
        )
