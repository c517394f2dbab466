"""from_frame: any tidy frame formatted column by column, by what its name says it holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.tables import MISSING, format_number, format_p, from_frame
from outcomes.tables.builders.generic import quantity_of


def test_effect_sizes_table(madrs: pd.DataFrame) -> None:
    d = outcomes.cohens_d(madrs, outcome="chg", arm="arm", reference="PLACEBO", by="visit")
    table = from_frame(d, title="Effect sizes", footnotes=("Observed cases.",))
    assert table.stub == ("visit", "contrast")
    assert table.headers[:6] == [
        "Visit",
        "Contrast",
        "n",
        "n reference",
        "Mean difference",
        "SD pooled",
    ]
    assert table.headers[6:9] == ["Cohens d", "d CI low", "d CI high"]
    frame = table.to_frame(labels=False)
    for (_, r), (_, row) in zip(d.iterrows(), frame.iterrows(), strict=True):
        assert row["n"] == str(r["n"])
        assert row["mean_difference"] == format_number(r["mean_difference"], 1)
        assert row["cohens_d"] == format_number(r["cohens_d"], 2)
        assert row["g_conf_high"] == format_number(r["g_conf_high"], 2)
    assert table.footnotes == ("Observed cases.",)


QUANTITIES = [
    ("p_value", [0.5], "p"),
    ("wilcoxon_p_value", [0.5], "p"),
    ("adjusted_p", [0.5], "p"),
    ("nnt", [2.5], "nnt"),
    ("n", [3.0], "count"),
    ("n_excluded", [1.0], "count"),
    ("visits", [3], "count"),  # whole-number dtype
    ("std_error", [1.0], "std_error"),
    ("den_df", [30.2], "df"),
    ("percent_reference", [5.2], "percent"),
    ("odds_ratio", [1.2], "ratio"),
    ("or_conf_low", [1.2], "ratio"),
    ("hedges_g", [0.4], "effect_size"),
    ("d_z_conf_low", [0.4], "effect_size"),
    ("mean_change", [-3.0], "score"),
    ("sd_change", [3.0], "score"),
    ("estimate", [-3.0], "estimate"),
    ("delta", [2.0], "estimate"),
    ("significant", [True], "bool"),
    ("arm", ["DMT"], "text"),
    ("visit", pd.Categorical(["WEEK 1"]), "text"),
]


@pytest.mark.parametrize(("name", "values", "expected"), QUANTITIES)
def test_quantity_of(name: str, values: list, expected: str) -> None:
    assert quantity_of(name, pd.Series(values)) == expected


def test_cells_by_quantity() -> None:
    frame = pd.DataFrame(
        {
            "delta": [0.0, 2.5],
            "estimate": [-5.4938, np.nan],
            "p_value": [0.0004, 0.0495],
            "n": pd.array([17, pd.NA], dtype="Int64"),
            "significant": [True, False],
        }
    )
    table = from_frame(frame, title="Tipping point", column_labels={"delta": "Shift"})
    assert table.stub == ()  # no leading text column
    assert table.rows() == [
        ["0.00", "-5.49", format_p(0.0004), "17", "Yes"],
        ["2.50", MISSING, "0.050", MISSING, "No"],
    ]
    assert table.headers == ["Shift", "Estimate", "p-value", "n", "Significant"]
    assert from_frame(frame, title="t", decimals={"estimate": 1}).rows()[0][:2] == ["0.0", "-5.5"]
