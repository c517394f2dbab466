"""Finding the covariance parameters: Newton's method in a trust region, with a fallback chain.

The objective is -2 log-likelihood (:mod:`outcomes.models.mmrm.likelihood`), with its exact
gradient and Hessian. A trust-region Newton method (scipy's ``trust-exact``) goes from the
starting values to the optimum in a few iterations, and Newton steps then polish it until the
gradient vanishes to rounding, so that estimates, standard errors and Satterthwaite degrees of
freedom are those of the true optimum and agree with SAS PROC MIXED to the printed digits. If that
fails, BFGS, L-BFGS-B, then Nelder-Mead restart from the best point found; a fit that still has
not converged says so (see :class:`FitState`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.optimize

from outcomes.models.mmrm.covariance import theta_scaling
from outcomes.models.mmrm.likelihood import Evaluation, Likelihood

__all__ = ["HESSIAN_RCOND", "FitState", "fit_on_scale", "is_singular", "optimize"]

#: Converged when the largest absolute gradient entry is below this.
GRADIENT_TOLERANCE = 1e-4
#: The Hessian counts as singular (a flat direction, a parameter the data do not identify) when
#: its smallest eigenvalue is below this fraction of its largest.
HESSIAN_RCOND = 1e-9
#: Optimisers tried in turn.
OPTIMIZERS = ("trust-exact", "BFGS", "L-BFGS-B", "Nelder-Mead")


@dataclass(frozen=True)
class FitState:
    """The optimum found: parameters, objective, Hessian, and how it was reached."""

    theta: np.ndarray
    evaluation: Evaluation
    hessian: np.ndarray
    converged: bool
    optimizer: str
    iterations: int
    messages: tuple[str, ...] = field(default=())


def fit_on_scale(lik: Likelihood) -> FitState:
    """:func:`optimize`, on an internal scale when the response's is far from 1.

    A response whose standard deviation is outside ``[1e-2, 1e2]`` (a price in cents, a
    concentration in mol/l) is divided by it (rounded to a power of 10) for the optimisation,
    which is scale-free there; the parameters and the Hessian are then mapped back exactly
    (:func:`~outcomes.models.mmrm.covariance.theta_scaling`, ``H = H_1 / (stretch stretch')``)
    and the fit evaluated on the response as given. A note says so.
    """
    y = lik.design.y
    sd = float(np.std(y)) if len(y) > 1 else 0.0
    if not np.isfinite(sd) or sd == 0 or 1e-2 <= sd <= 1e2:
        return optimize(lik)
    factor = float(10.0 ** np.round(np.log10(sd)))
    inner = optimize(Likelihood(replace(lik.design, y=y / factor), lik.structure, lik.reml))
    shift, stretch = theta_scaling(lik.structure, lik.n_visits, factor)
    shift, stretch = np.tile(shift, lik.n_groups), np.tile(stretch, lik.n_groups)
    theta = shift + stretch * inner.theta
    note = f"fitted with the response divided by {factor:g} (its scale), then scaled back"
    return FitState(
        theta,
        lik.evaluate(theta, gradient=True),
        inner.hessian / np.outer(stretch, stretch),
        inner.converged,
        inner.optimizer,
        inner.iterations,
        (*inner.messages, note),
    )


def is_singular(hess: np.ndarray) -> bool:
    """Whether a Hessian is not positive definite, to :data:`HESSIAN_RCOND`."""
    vals = np.linalg.eigvalsh(hess)
    return bool(vals.min() <= HESSIAN_RCOND * max(float(vals.max()), 0.0))


def optimize(lik: Likelihood, start: np.ndarray | None = None) -> FitState:
    """Minimise -2 log-likelihood over the covariance parameters (see the module docstring)."""
    theta = lik.start() if start is None else np.asarray(start, dtype=float)
    messages: list[str] = []
    best = theta
    best_value = _safe_value(lik, theta)
    iterations = 0
    for method in OPTIMIZERS:
        objective = _Objective(lik, hessian=method == "trust-exact")
        try:
            res = scipy.optimize.minimize(  # type: ignore[call-overload]  # jac: a bool
                objective,
                best,
                jac=method != "Nelder-Mead",
                hess=objective.hessian if method == "trust-exact" else None,
                method=method,
                options=_options(method, len(best)),
            )
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            messages.append(f"{method} failed: {exc}")
            continue
        iterations += int(res.get("nit", 0))
        if np.isfinite(res.fun) and res.fun <= best_value:
            best, best_value = np.asarray(res.x, dtype=float), float(res.fun)
        polished, newton_steps = _newton(lik, best)
        iterations += newton_steps
        state = _state(lik, polished, method, iterations, messages)
        if state.converged:
            return state
        gradient = state.evaluation.gradient
        assert gradient is not None  # noqa: S101 - the state's evaluation has it
        messages.append(
            f"{method}: stopped with gradient {np.abs(gradient).max():.2g} ({res.message})"
        )
        best = polished
    return _state(lik, best, OPTIMIZERS[-1], iterations, messages)


class _Objective:
    """-2 log-likelihood for scipy: ``(value, gradient)``, and the Hessian at the same point.

    A point far out (overflow, a matrix not positive definite) has the value infinity. With
    ``hessian``, each point is evaluated once for all three.
    """

    def __init__(self, lik: Likelihood, hessian: bool) -> None:
        self.lik = lik
        self.with_hessian = hessian
        self.last: tuple[bytes, Evaluation | None] = (b"", None)

    def _evaluate(self, theta: np.ndarray) -> Evaluation | None:
        key = theta.tobytes()
        if self.last[0] != key:
            try:
                with np.errstate(over="ignore", invalid="ignore"):  # a trial point far out: inf
                    ev = self.lik.evaluate(theta, gradient=True, hessian=self.with_hessian)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                ev = None
            self.last = (key, ev)
        return self.last[1]

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        ev = self._evaluate(theta)
        if ev is None or not np.isfinite(ev.value):
            return (np.inf, np.zeros_like(theta))
        return (ev.value, ev.gradient)  # type: ignore[return-value]

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        ev = self._evaluate(theta)
        if ev is None or ev.hessian is None or not np.all(np.isfinite(ev.hessian)):
            return np.eye(len(theta))
        return ev.hessian


def _options(method: str, m: int) -> dict[str, float | int]:
    if method == "Nelder-Mead":
        return {"maxiter": 2000 * m, "xatol": 1e-10, "fatol": 1e-12}
    if method == "trust-exact":
        return {"maxiter": 200, "gtol": 1e-9}
    if method == "L-BFGS-B":
        return {"maxiter": 2000, "gtol": 1e-9, "ftol": 1e-15}
    return {"maxiter": 2000, "gtol": 1e-9}


def _safe_value(lik: Likelihood, theta: np.ndarray) -> float:
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return lik.evaluate(theta).value
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return np.inf


def _newton(lik: Likelihood, theta: np.ndarray, steps: int = 25) -> tuple[np.ndarray, int]:
    """Newton steps with step halving; stops when the gradient vanishes or no step helps."""
    current = lik.evaluate(theta, hessian=True)
    for k in range(steps):
        grad, hess = current.gradient, current.hessian
        assert grad is not None and hess is not None  # noqa: S101 - evaluated with both
        if np.abs(grad).max() < 1e-9:
            return theta, k
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return theta, k
        if np.linalg.eigvalsh(hess).min() <= 0:
            return theta, k
        for _ in range(30):
            trial = theta - step
            value = _safe_value(lik, trial)
            if value <= current.value + 1e-10 * abs(current.value):
                break
            step = step / 2
        else:
            return theta, k
        theta = trial
        current = lik.evaluate(theta, hessian=True)
    return theta, steps


def _state(
    lik: Likelihood, theta: np.ndarray, method: str, iterations: int, messages: list[str]
) -> FitState:
    ev = lik.evaluate(theta, hessian=True)
    hess = ev.hessian
    assert ev.gradient is not None and hess is not None  # noqa: S101 - evaluated with both
    positive = not is_singular(hess)
    small = float(np.abs(ev.gradient).max()) < GRADIENT_TOLERANCE
    return FitState(theta, ev, hess, positive and small, method, iterations, tuple(messages))
