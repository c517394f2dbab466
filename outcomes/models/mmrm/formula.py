"""The MMRM formula: a model formula with its covariance term, as R's mmrm writes it.

``"CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)"`` is the mean model
``CHANGE ~ BASVAL*VISIT + THERAPY*VISIT`` and an unstructured covariance over ``VISIT`` within
``PATIENT``. A grouped covariance (one per arm) is ``us(AVISIT | ARMCD / USUBJID)``; a spatial one
names the coordinates: ``sp_exp(VISITN, VISITN2 | USUBJID)``. The formula is read by the
package's grammar (:mod:`outcomes.models.core.formula`): nothing in it is run as code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from outcomes.models.core.formula import FormulaError, ModelFormula, parse_model
from outcomes.models.mmrm.covariance import STRUCTURES, get_structure

__all__ = ["CovarianceTerm", "MMRMFormula", "parse_formula"]


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
    """A parsed MMRM formula: the mean model and the covariance term.

    Attributes
    ----------
    mean : str
        The mean model as written (``CHANGE ~ BASVAL * VISIT``).
    response : str
        The response (a column, or a function of columns such as ``log(FEV1)``).
    covariance : CovarianceTerm
    model : ModelFormula
        The parsed mean model, from which the design is built.
    """

    mean: str
    response: str
    covariance: CovarianceTerm
    model: ModelFormula = field(repr=False, compare=False)


def parse_formula(formula: str, columns: Iterable[Any] | None = None) -> MMRMFormula:
    """Read an MMRM formula: its mean model and covariance term.

    Parameters
    ----------
    formula : str
    columns : iterable, optional
        The data's columns: every name is then bound to one of them (after NFKC normalisation),
        and a name that is not a column is an error.

    Raises
    ------
    FormulaError
        A formula the grammar refuses, without exactly one covariance term, or naming what the
        data do not have.

    Examples
    --------
    >>> f = parse_formula("CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)")
    >>> f.mean, f.covariance
    ('CHANGE ~ BASVAL * VISIT + THERAPY * VISIT', CovarianceTerm(structure='us', \
time=('VISIT',), subject='PATIENT', group=None))
    >>> parse_formula("FEV1 ~ ARMCD + ar1h(AVISIT | ARMCD / USUBJID)").covariance.group
    'ARMCD'
    >>> parse_formula("FEV1 ~ 1 + sp_exp(VISITN, VISITN2 | USUBJID)").covariance.time
    ('VISITN', 'VISITN2')
    """
    model = parse_model(formula, structures=STRUCTURES)
    if columns is not None:
        model = model.resolve(columns)
    cov = model.covariance
    if cov is None:
        raise FormulaError(
            "an MMRM formula needs one covariance term such as us(VISIT | SUBJECT), with a "
            f"structure among {sorted(STRUCTURES)}",
            model.text,
        )
    structure = get_structure(cov.structure)
    if len(cov.time) > 1 and not structure.spatial:
        raise FormulaError(
            f"{structure.name} takes one visit variable, not {list(cov.time)}",
            model.text,
            cov.position,
        )
    assert model.response is not None  # noqa: S101 - parse_model requires one
    term = CovarianceTerm(structure.name, cov.time, cov.subject, cov.group)
    return MMRMFormula(model.mean, model.response.key, term, model)
