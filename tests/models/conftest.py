"""Fixtures shared by the model tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def fev_all_rows() -> pd.DataFrame:
    """R mmrm's fev_data (tests/datasets/fev_data.csv): all 800 rows, FEV1 missing in 263,
    visits and arms in R's level order, as tests/reference/r/mmrm_predict.R reads them."""
    raw = pd.read_csv(Path(__file__).parents[1] / "datasets" / "fev_data.csv")
    raw["AVISIT"] = pd.Categorical(raw["AVISIT"], ["VIS1", "VIS2", "VIS3", "VIS4"])
    raw["ARMCD"] = pd.Categorical(raw["ARMCD"], ["PBO", "TRT"])
    return raw
