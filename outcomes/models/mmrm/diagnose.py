"""Why an MMRM fit failed: the data's causes, found from the design, and what to do about them.

A fit whose gradient vanishes but whose Hessian is singular has not failed to converge: the data do
not identify some covariance parameter. The usual causes can be read off the design, and are
named with the remedy:

- a visit with too few observations for its own parameters: ``n_v`` observations at the visit,
  ``k_v = rank(X) - rank(X without the visit's rows)`` mean parameters that only its rows
  estimate, and, under a heterogeneous structure, its variance (under UN also its covariance with
  each of the ``q_v`` other visits its subjects attend): ``n_v - k_v < 1`` (``< 1 + q_v``);
- two visits that no subject attends both, whose correlation an unstructured covariance cannot
  estimate;
- an unstructured covariance of ``T`` visits with ``T`` subjects or fewer;
- more parameters (fixed effects and covariance parameters) than observations.
"""

from __future__ import annotations

import numpy as np

from outcomes.models.mmrm.likelihood import Likelihood
from outcomes.models.mmrm.optimize import FitState, is_singular

__all__ = ["causes", "failure_message"]

#: Structures with a variance per visit.
_HETEROGENEOUS = ("us", "csh", "ar1h", "toeph", "adh")


def causes(lik: Likelihood) -> list[str]:
    """What in the data leaves covariance parameters unidentified, one sentence each."""
    design, structure = lik.design, lik.structure
    found: list[str] = []
    if design.aggregated is not None:
        return found  # the rows stayed in the engine
    n_params = design.x.shape[1] + lik.n_theta
    if n_params >= design.x.shape[0]:
        found.append(
            f"the model has {n_params} parameters ({design.x.shape[1]} fixed, {lik.n_theta} "
            f"covariance) for {design.x.shape[0]} observations"
        )
    if structure.spatial:
        return found
    for g, group in enumerate(design.group_levels):
        in_group = design.group == g
        where = "" if len(design.group_levels) == 1 else f" in covariance group {group}"
        seen = np.zeros((len(design.subject_labels), lik.n_visits), dtype=bool)
        seen[design.subject[in_group], design.visit[in_group]] = True
        seen = seen[seen.any(axis=1)]
        if structure.name in _HETEROGENEOUS:
            gram = design.x.T @ design.x
            for v, label in enumerate(design.visit_levels):
                rows = in_group & (design.visit == v)
                n = int(rows.sum())
                own = _rank(gram) - _rank(gram - design.x[rows].T @ design.x[rows])
                # under UN, the visit's row of the covariance: its variance and one covariance
                # with each other visit its subjects attend
                others = int(seen[seen[:, v]].any(axis=0).sum()) - 1 if n else 0
                needed = 1 + (others if structure.name == "us" else 0)
                if n and n - own < needed:
                    what = (
                        f"{needed} covariance parameters (its variance and its covariances with "
                        f"the {others} other visits its subjects attend)"
                        if needed > 1
                        else "its variance"
                    )
                    found.append(
                        f"visit {label}{where} has {n} observation(s) for {own} mean "
                        f"parameter(s) of its own and {what}"
                    )
        if structure.name == "us" and len(seen) <= lik.n_visits:
            found.append(
                f"an unstructured covariance of {lik.n_visits} visits needs more than "
                f"{lik.n_visits} subjects{where}; there are {len(seen)}"
            )
        if structure.name == "us":
            both = seen.T.astype(int) @ seen.astype(int)
            never = [
                (design.visit_levels[a], design.visit_levels[b])
                for a in range(lik.n_visits)
                for b in range(a + 1, lik.n_visits)
                if both[a, b] == 0 and both[a, a] and both[b, b]
            ]
            if never:
                listed = ", ".join(f"{a} and {b}" for a, b in never[:5])
                more = f" (and {len(never) - 5} more pairs)" if len(never) > 5 else ""
                found.append(
                    f"no subject{where} is observed at both {listed}{more}: an unstructured "
                    "covariance cannot estimate their correlation"
                )
    return found


def _rank(gram: np.ndarray) -> int:
    """Rank of ``X`` from its Gram matrix ``X'X``."""
    vals = np.linalg.eigvalsh(gram)
    return int(np.sum(vals > 1e-10 * max(float(vals.max()), 1e-300)))


def failure_message(lik: Likelihood, state: FitState, chain: list[str], tried: list[str]) -> str:
    """The message of a fit that did not reach a maximum: what was tried, why, what to do."""
    gradient = float(np.abs(state.evaluation.gradient).max())  # type: ignore[arg-type]
    smallest = float(np.linalg.eigvalsh(state.hessian).min())
    found = causes(lik)
    structures = ", ".join(chain)
    if gradient < 1e-3 and is_singular(state.hessian):
        head = (
            f"the MMRM with {structures} covariance is not identified by these data: the "
            f"likelihood is flat in some direction (singular Hessian, smallest eigenvalue "
            f"{smallest:.2g}, at a point where the largest gradient is {gradient:.2g})"
        )
    else:
        head = (
            f"the MMRM did not converge with {structures} covariance, each after "
            f"{', '.join(tried)}: largest gradient {gradient:.3g}"
        )
    if found:
        why = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        remedy = (
            "Pool or leave out sparse visits, or use a structure with fewer parameters "
            "(fallback=True tries toeph, ar1h, csh, cs in turn)."
        )
        return f"{head}. The data: {why}. {remedy}"
    return (
        f"{head}. Try a simpler covariance structure (or fallback=True to try toeph, ar1h, csh, "
        "cs in turn), check for visits with very few observations, or rescale the response."
    )
