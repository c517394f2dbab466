"""Missing data: multiple imputation from the MMRM, reference-based strategies, tipping points."""

from __future__ import annotations

from outcomes.models.imputation.estimand import ICE_STRATEGIES, Estimand, PreparedEstimand
from outcomes.models.imputation.mi import (
    METHODS,
    MIResult,
    TippingPoint,
    multiple_imputation,
    multiple_imputations,
)
from outcomes.models.imputation.strategies import STRATEGIES

__all__ = [
    "ICE_STRATEGIES",
    "METHODS",
    "STRATEGIES",
    "Estimand",
    "MIResult",
    "PreparedEstimand",
    "TippingPoint",
    "multiple_imputation",
    "multiple_imputations",
]
