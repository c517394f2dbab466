"""Denominator degrees of freedom: one dispatch, one module per method (as R mmrm).

Each method is a :class:`~outcomes.models.core.df.base.DFMethod` made from a fit, with
``one_d(row)``, the df of one contrast, and ``f_test(rows)``, the F test of several. A fitter
names the methods it offers and makes its one with :func:`df_method`; each module says what it
needs from the fit:

* :mod:`.satterthwaite`: Satterthwaite, of the model-based covariance or of a sandwich;
* :mod:`.kenward_roger`: Kenward-Roger and its linear variant, with the adjusted covariance;
* :mod:`.between_within`: SAS's between-within;
* :mod:`.residual`: observations minus parameters;
* :mod:`.normal`: infinite (z tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.df.base import DFMethod
from outcomes.models.core.df.between_within import BetweenWithin
from outcomes.models.core.df.kenward_roger import KenwardRoger, KenwardRogerLinear
from outcomes.models.core.df.normal import Normal
from outcomes.models.core.df.residual import Residual
from outcomes.models.core.df.satterthwaite import Satterthwaite

__all__ = ["METHODS", "DFMethod", "check_df", "df_method", "df_title"]

#: Every df method, by its name in ``df=``.
METHODS: dict[str, type[DFMethod]] = {
    m.name: m
    for m in (Satterthwaite, KenwardRoger, KenwardRogerLinear, BetweenWithin, Residual, Normal)
}


def check_df(name: str, offered: Sequence[str]) -> None:
    """Refuse a ``df=`` that is not one of the fitter's ``offered`` methods.

    Examples
    --------
    >>> check_df("residual", ("satterthwaite", "kenward-roger"))
    Traceback (most recent call last):
    ...
    outcomes.errors.ModelSpecificationError: df must be one of ('satterthwaite', \
'kenward-roger'), not 'residual'
    """
    if name not in offered:
        raise ModelSpecificationError(f"df must be one of {tuple(offered)}, not {name!r}")


def df_method(name: str, fit: Any) -> DFMethod:
    """The df method ``name`` for ``fit`` (a name :func:`check_df` has accepted)."""
    return METHODS[name](fit)


def df_title(name: str) -> str:
    """How a methods text names the df method ``name``; an unknown name as it is.

    Examples
    --------
    >>> df_title("kenward-roger"), df_title("residual")
    ('Kenward-Roger', 'residual')
    """
    method = METHODS.get(name)
    return name if method is None else method.title
