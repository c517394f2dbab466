"""The df methods: one dispatch (outcomes.models.core.df), one module per method.

The numbers each method gives are checked against SAS and R in the fitters' tests
(test_mmrm_*, test_lmm, test_empirical_df, test_kr_information); here, the dispatch itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.df import METHODS, DFMethod, check_df, df_method
from outcomes.models.lmm import DF_METHODS as LMM_DF
from outcomes.models.mmrm import DF_METHODS as MMRM_DF


def test_every_method_a_fitter_offers_is_dispatched_to_its_own_class() -> None:
    for name in (*MMRM_DF, *LMM_DF):
        assert issubclass(METHODS[name], DFMethod)
        assert METHODS[name].name == name
    assert len({METHODS[n] for n in METHODS}) == len(METHODS)


def test_a_method_the_fitter_does_not_offer_is_refused_with_the_offered_ones() -> None:
    with pytest.raises(ModelSpecificationError, match=r"df must be one of \('satterthwaite'"):
        check_df("between-within", LMM_DF)
    check_df("between-within", MMRM_DF)


class _Fit:
    """The members Residual, Normal and BetweenWithin read, for a design of 3 subjects x 2."""

    n_obs, n_subjects = 6, 3

    class design:  # noqa: N801 - stands in for the fit's design attribute
        x = np.column_stack([np.ones(6), [0, 1] * 3, [0, 0, 1, 1, 1, 1]])
        subject = np.repeat([0, 1, 2], 2)
        columns = ("(Intercept)", "time", "arm")

    coefficients = np.zeros(3)


def test_the_count_based_methods_read_only_the_counts_they_document() -> None:
    fit = _Fit()
    row_time, row_arm = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    assert df_method("residual", fit).one_d(row_arm) == 6 - 3
    assert df_method("normal", fit).one_d(row_arm) == np.inf
    bw = df_method("between-within", fit)
    # within: 6 obs - 3 subjects - 1 within column (time); between: 3 - 1 (arm) - 1 (intercept);
    # a contrast mixing both gets the smaller (R mmrm's h_df_min_bw)
    assert (bw.one_d(row_time), bw.one_d(row_arm), bw.one_d(row_time + row_arm)) == (2, 1, 1)
    assert bw.within.tolist() == [True, True, False]
