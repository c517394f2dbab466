"""Baseline table and visit summary on the sample trial: every cell against pandas' own
groupby statistics, computed here from the long table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.tables import (
    MISSING,
    Table,
    baseline_table,
    format_mean_sd,
    format_median_iqr,
    format_n_percent,
    format_number,
    visit_summary,
)

ARMS = ["PLACEBO", "DMT"]


@pytest.fixture(scope="module")
def subjects(sample: outcomes.TrialData) -> pd.DataFrame:
    return sample.frame.drop_duplicates("subject")[["subject", "arm", "sex", "age", "site"]]


def _cell(table: Table, characteristic: str, statistic: str, column: str) -> str:
    frame = table.to_frame(labels=False)
    row = frame[(frame["characteristic"] == characteristic) & (frame["statistic"] == statistic)]
    assert len(row) == 1, (characteristic, statistic)
    return row.iloc[0][column]


def test_baseline_counts_and_percentages(
    sample: outcomes.TrialData, subjects: pd.DataFrame
) -> None:
    table = baseline_table(sample)
    n = subjects.groupby("arm", observed=True).size()
    assert table.headers[2:] == [f"{a} (N={n[a]})" for a in ARMS] + [f"Total (N={len(subjects)})"]
    assert [_cell(table, "Subjects", "n", a) for a in ARMS] == [str(n[a]) for a in ARMS]
    by_sex = subjects.groupby(["arm", "sex"], observed=True).size()
    for arm in ARMS:
        for sex in ("F", "M"):
            expected = format_n_percent(by_sex[(arm, sex)], n[arm])
            assert _cell(table, "Sex, n (%)", sex, arm) == expected
    site = subjects["site"].value_counts()
    for level in ("01", "02", "03"):
        assert _cell(table, "Site, n (%)", level, "Total") == format_n_percent(site[level], 40)
    # hand check of one: 9 of the 20 placebo subjects are women
    assert _cell(table, "Sex, n (%)", "F", "PLACEBO") == "9 (45.0%)"


def test_baseline_continuous_and_scores(sample: outcomes.TrialData, subjects: pd.DataFrame) -> None:
    table = baseline_table(sample)
    age = subjects.astype({"age": float}).groupby("arm", observed=True)["age"]
    mean, sd = age.mean(), age.std()
    q = age.quantile([0.25, 0.5, 0.75]).unstack()
    for arm in ARMS:
        assert _cell(table, "Age", "Mean (SD)", arm) == format_mean_sd(mean[arm], sd[arm], 1)
        assert _cell(table, "Age", "Median [Q1 to Q3]", arm) == format_median_iqr(
            q.loc[arm, 0.5], q.loc[arm, 0.25], q.loc[arm, 0.75], 1
        )
    all_age = subjects["age"].astype(float)
    assert _cell(table, "Age", "Mean (SD)", "Total") == format_mean_sd(
        all_age.mean(), all_age.std(), 1
    )
    base = sample.frame.query("visit == 'BASELINE'")
    for inst, label in (("madrs", "MADRS"), ("gad7", "GAD-7"), ("neo-ffi-n", "NEO-FFI-N")):
        scores = base[base["instrument"] == inst].groupby("arm", observed=True)["total"]
        name = f"{label} total score, BASELINE"
        for arm in ARMS:
            expected = format_mean_sd(scores.mean()[arm], scores.std()[arm], 1)
            assert _cell(table, name, "Mean (SD)", arm) == expected
        n_missing = 40 - base.loc[base["instrument"] == inst, "total"].notna().sum()
        if n_missing:
            assert _cell(table, name, "Missing, n", "Total") == str(n_missing)
    assert any("Missing data" in f for f in table.footnotes)


def test_baseline_suppression_of_site_counts(sample: outcomes.TrialData) -> None:
    # site x arm: PLACEBO 7, 7, 6; DMT 6, 8, 6; below 8 all but DMT's 8 are small, and the 8 is
    # then the only shown count of column DMT: hidden to protect the others ("*")
    table = baseline_table(sample, suppress_below=8)
    cells = [
        [_cell(table, "Site, n (%)", s, a) for a in [*ARMS, "Total"]] for s in ("01", "02", "03")
    ]
    assert cells == [
        ["<8", "<8", "13 (32.5%)"],
        ["<8", "*", "15 (37.5%)"],
        ["<8", "<8", "12 (30.0%)"],
    ]
    assert _cell(table, "Sex, n (%)", "F", "DMT") == "8 (40.0%)"  # nothing small
    assert any("<8" in f for f in table.footnotes)


def test_baseline_suppression_hides_a_small_arm_size() -> None:
    # arm B has 3 subjects. Sex: B's 1 and 2 are small and so is B's N (3); each row then has one
    # hidden cell, so A's 5, 5 and 10 are hidden as well; the Subjects row follows the N row.
    frame = pd.DataFrame(
        {
            "subject": [f"S{i:02d}" for i in range(13)],
            "arm": ["A"] * 10 + ["B"] * 3,
            "sex": ["F"] * 5 + ["M"] * 5 + ["F", "M", "M"],
        }
    )
    table = baseline_table(frame, covariates=["sex"], instrument_visits={}, suppress_below=5)
    assert table.rows() == [
        ["Subjects", "n", "*", "<5", "13"],
        ["Sex, n (%)", "F", "*", "<5", "6 (46.2%)"],
        ["Sex, n (%)", "M", "*", "<5", "7 (53.8%)"],
    ]


def test_baseline_missing_levels_and_errors() -> None:
    frame = pd.DataFrame(
        {"subject": ["a", "b", "c", "d"], "arm": ["X", "X", "Y", "Y"], "sex": ["F", None, "M", "M"]}
    )
    table = baseline_table(frame, covariates=["sex"], instrument_visits={})
    assert table.rows()[-1] == ["Sex, n (%)", "Missing", "1 (50.0%)", "0 (0.0%)", "1 (25.0%)"]
    varying = frame.assign(subject=["a", "a", "c", "d"])
    with pytest.raises(ValueError, match="same in every row"):
        baseline_table(varying, covariates=["sex"], instrument_visits={})
    with pytest.raises(ValueError, match="no instrument 'phq9'"):
        baseline_table(outcomes.load_sample(), instrument_visits={"phq9": "BASELINE"})
    with pytest.raises(ValueError, match="no column"):
        baseline_table(frame, covariates=["weight"], instrument_visits={})


def test_visit_summary_against_groupby(madrs: pd.DataFrame) -> None:
    table = visit_summary(madrs, outcome="chg")
    frame = table.to_frame(labels=False)
    grouped = madrs.groupby(["visit", "arm"], observed=True)["chg"]
    n_arm = madrs.groupby("arm", observed=True)["subject"].nunique()
    stats = pd.DataFrame(
        {
            "n": grouped.count(),
            "mean": grouped.mean(),
            "sd": grouped.std(),
            "median": grouped.median(),
            "q1": grouped.quantile(0.25),
            "q3": grouped.quantile(0.75),
        }
    )
    assert len(frame) == len(stats) == 16
    for _, row in frame.iterrows():
        s = stats.loc[(row["visit"], row["arm"])]
        assert row["n"] == str(int(s["n"]))
        assert row["mean"] == format_number(s["mean"], 1)
        assert row["sd"] == format_number(s["sd"], 1)
        assert row["median"] == format_number(s["median"], 1)
        assert row["iqr"] == f"{format_number(s['q1'], 1)} to {format_number(s['q3'], 1)}"
        assert row["missing"] == str(n_arm[row["arm"]] - int(s["n"]))
    # visits in schedule order, each with both arms; WEEK 12 misses 4 placebo subjects (15 of 19)
    visits = ["DAY 2", "WEEK 1", "WEEK 2", "DAY 16", "WEEK 3", "WEEK 4", "WEEK 8", "WEEK 12"]
    assert frame["visit"].iloc[::2].tolist() == visits
    assert frame["arm"].iloc[:2].tolist() == ARMS
    week12 = frame[(frame["visit"] == "WEEK 12") & (frame["arm"] == "PLACEBO")].iloc[0]
    assert (week12["n"], week12["missing"]) == ("15", "4")
    assert table.display_rows()[1][0] == ""  # the visit printed once


def test_visit_summary_empty_cell_and_duplicates(sample: outcomes.TrialData) -> None:
    data = pd.DataFrame(
        {
            "subject": ["a", "b", "c"],
            "arm": ["X", "X", "Y"],
            "visit": ["V1", "V1", "V1"],
            "total": [1.0, np.nan, np.nan],
        }
    )
    row_y = visit_summary(data).rows()[1]
    assert row_y == ["V1", "Y", "0", MISSING, MISSING, MISSING, MISSING, "1"]
    row_x = visit_summary(data).rows()[0]
    assert row_x == ["V1", "X", "1", "1.0", MISSING, "1.0", "1.0 to 1.0", "1"]
    with pytest.raises(ValueError, match="one instrument"):
        visit_summary(sample.frame)
