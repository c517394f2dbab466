"""Linear mixed models with random intercepts and slopes (:func:`lmm`), as lme4 and SAS PROC
MIXED with a RANDOM statement; :mod:`.boundary` handles fits at the boundary (singular)."""

from outcomes.models.lmm.fit import DF_METHODS, LMMFit, lmm

__all__ = ["DF_METHODS", "LMMFit", "lmm"]
