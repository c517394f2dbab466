"""The MMRM formula: a model formula with its covariance term, as R's mmrm writes it.

``"CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)"`` is the mean model
``CHANGE ~ BASVAL*VISIT + THERAPY*VISIT`` and an unstructured covariance over ``VISIT`` within
``PATIENT``. A grouped covariance (one per arm) is ``us(AVISIT | ARMCD / USUBJID)``; a spatial one
names the coordinates: ``sp_exp(VISITN, VISITN2 | USUBJID)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from outcomes.models.mmrm.covariance import STRUCTURES, get_structure

__all__ = ["CovarianceTerm", "MMRMFormula", "parse_formula"]

_TERM = re.compile(
    r"\b(" + "|".join(sorted(STRUCTURES, key=len, reverse=True)) + r")\s*\(([^()]*)\)"
)


@dataclass(frozen=True)
class CovarianceTerm:
    """The covariance term of an MMRM formula.

    Attributes
    ----------
    structure : str
        ``us``, ``cs``, ``ar1``, ... (:data:`outcomes.models.mmrm.covariance.STRUCTURES`).
    time : tuple of str
        The visit variable, or the coordinate variables of a spatial structure.
    subject : str
        The subject variable.
    group : str or None
        A variable whose levels each get their own covariance.
    """

    structure: str
    time: tuple[str, ...]
    subject: str
    group: str | None = None


@dataclass(frozen=True)
class MMRMFormula:
    """A parsed MMRM formula: the mean model (for patsy) and the covariance term."""

    mean: str
    response: str
    covariance: CovarianceTerm


def parse_formula(formula: str) -> MMRMFormula:
    """Split an MMRM formula into its mean model and covariance term.

    Examples
    --------
    >>> f = parse_formula("CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)")
    >>> f.mean, f.covariance
    ('CHANGE ~ BASVAL*VISIT + THERAPY*VISIT', CovarianceTerm(structure='us', time=('VISIT',), \
subject='PATIENT', group=None))
    >>> parse_formula("FEV1 ~ ARMCD + ar1h(AVISIT | ARMCD / USUBJID)").covariance.group
    'ARMCD'
    >>> parse_formula("FEV1 ~ 1 + sp_exp(VISITN, VISITN2 | USUBJID)").covariance.time
    ('VISITN', 'VISITN2')
    """
    if "~" not in formula:
        raise ValueError(f"an MMRM formula has a response, '~' and terms; got {formula!r}")
    found = list(_TERM.finditer(formula))
    if len(found) != 1:
        raise ValueError(
            "an MMRM formula needs exactly one covariance term such as us(VISIT | SUBJECT), "
            f"with a structure among {sorted(STRUCTURES)}; got {formula!r}"
        )
    term = found[0]
    structure = get_structure(term.group(1))
    inside = term.group(2)
    if "|" not in inside:
        raise ValueError(f"the covariance term {term.group(0)!r} needs 'time | subject'")
    time_part, subject_part = (p.strip() for p in inside.split("|", 1))
    group = None
    if "/" in subject_part:
        group, subject_part = (p.strip() for p in subject_part.split("/", 1))
    time = tuple(t.strip() for t in time_part.split(",") if t.strip())
    if not time or not subject_part:
        raise ValueError(f"the covariance term {term.group(0)!r} needs 'time | subject'")
    if len(time) > 1 and not structure.spatial:
        raise ValueError(f"{structure.name} takes one visit variable, not {list(time)}")
    mean = (formula[: term.start()] + formula[term.end() :]).strip()
    mean = re.sub(r"\+\s*$", "", mean).strip()
    mean = re.sub(r"~\s*\+", "~", mean)
    mean = re.sub(r"\+\s*\+", "+", mean)
    if mean.endswith("~"):
        mean += " 1"
    response = mean.split("~", 1)[0].strip()
    return MMRMFormula(mean, response, CovarianceTerm(structure.name, time, subject_part, group))
