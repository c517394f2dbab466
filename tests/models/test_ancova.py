"""Per-visit ANCOVA against R's lm + emmeans (tests/reference/ancova/ancova.R, R 4.2.2,
emmeans 1.8.4-1): the antidepressant trial's HAM-D17 change at visit 7."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.models.ancova import ancova

TESTS = Path(__file__).parents[1]
REF = TESTS / "reference" / "ancova"


@pytest.fixture(scope="module")
def fit():  # noqa: ANN201 - an MMRMFit
    d = pd.read_csv(TESTS / "datasets" / "antidepressant_data.csv", dtype={"VISIT": str})
    return ancova(
        "CHANGE ~ BASVAL + THERAPY", d, visit="VISIT", at="7", levels={"THERAPY": "PLACEBO"}
    )


def test_difference_matches_lm_emmeans(fit) -> None:
    ref = pd.read_csv(REF / "antidepressant_visit7_contrast.csv").iloc[0]
    ours = fit.contrasts("THERAPY").iloc[0]
    assert ours["contrast"] == ref["contrast"]
    for col, col_r in (
        ("estimate", "estimate"),
        ("std_error", "SE"),
        ("df", "df"),
        ("conf_low", "lower.CL"),
        ("conf_high", "upper.CL"),
        ("p_value", "p.value"),
    ):
        assert ours[col] == pytest.approx(ref[col_r], rel=1e-6), col


def test_lsmeans_match_emmeans(fit) -> None:
    ref = pd.read_csv(REF / "antidepressant_visit7_emmeans.csv")
    ours = fit.lsmeans("THERAPY").merge(ref, on="THERAPY")
    np.testing.assert_allclose(ours["estimate"], ours["emmean"], rtol=1e-6)
    np.testing.assert_allclose(ours["std_error"], ours["SE"], rtol=1e-6)
    np.testing.assert_allclose(ours["df_x"], 126, rtol=1e-8)  # 129 patients - 3 coefficients


def test_visit_arguments_go_together() -> None:
    with pytest.raises(ValueError, match="both visit= and at="):
        ancova("y ~ x", pd.DataFrame({"y": [1.0], "x": [1.0]}), visit="v")
