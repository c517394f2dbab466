"""The missingness map: its array is the observed mask, its rows in arm then dropout order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from outcomes.plots import missingness


def expected_mask(rows: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray]:
    """Subjects (arm order, latest last visit first, then id), visits, and 1 where observed."""
    visits = list(rows["visit"].cat.categories)
    wide = (
        rows.assign(seen=rows["total"].notna())
        .pivot_table(index="subject", columns="visit", values="seen", aggfunc="any", observed=False)
        .reindex(columns=visits)
        .fillna(False)
        .astype(bool)
    )
    last = wide.apply(lambda r: max([i for i, v in enumerate(r) if v], default=-1), axis=1)
    arms = rows.drop_duplicates("subject").set_index("subject")["arm"]
    order = sorted(wide.index, key=lambda s: (arms[s] != "PLACEBO", -last[s], s))
    return order, visits, wide.loc[order].to_numpy().astype(int)


def test_the_image_is_the_observed_mask(madrs_all) -> None:
    ax = missingness(madrs_all)
    order, visits, mask = expected_mask(madrs_all)
    (image,) = ax.images
    np.testing.assert_array_equal(image.get_array(), mask)
    assert [t.get_text() for t in ax.get_yticklabels()] == order
    assert [t.get_text() for t in ax.get_xticklabels()] == visits
    assert mask.sum() == madrs_all["total"].notna().sum()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["observed", "missing", "PLACEBO", "DMT"]


def test_a_subject_without_any_value_is_a_row_of_zeros() -> None:
    data = pd.DataFrame(
        {
            "subject": ["a", "a", "b", "b", "c"],
            "arm": ["X", "X", "X", "X", "Y"],
            "visit": pd.Categorical(["V1", "V2", "V1", "V2", "V1"], categories=["V1", "V2"]),
            "total": [1.0, np.nan, 2.0, 3.0, np.nan],
        }
    )
    ax = missingness(data)
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 1], [1, 0], [0, 0]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a", "c"]


def test_one_instrument_at_a_time(trial) -> None:
    with pytest.raises(ValueError, match="one instrument"):
        missingness(trial)
