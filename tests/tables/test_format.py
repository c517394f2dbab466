"""Number formatting: rounding half away from zero on the number's decimal form, p thresholds,
intervals with negative limits, missing values, counts; all table-driven."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from outcomes.tables.format import (
    DECIMALS,
    MISSING,
    format_ci,
    format_estimate_ci,
    format_mean_sd,
    format_median_iqr,
    format_n_percent,
    format_nnt,
    format_number,
    format_p,
)

NUMBERS = [
    # (x, decimals, expected). Half away from zero where Python's format rounds half to even
    # (0.125 -> "0.12") or rounds the binary value (2.675 is 2.67499999... -> "2.67").
    (2.675, 2, "2.68"),
    (0.125, 2, "0.13"),
    (-0.125, 2, "-0.13"),
    (2.5, 0, "3"),
    (-2.5, 0, "-3"),
    (0.5, 0, "1"),
    (1.005, 2, "1.01"),
    (-1.005, 2, "-1.01"),
    (1.0049999, 2, "1.00"),
    (31.25, 1, "31.3"),
    (6.25, 1, "6.3"),
    (-7.345, 2, "-7.35"),
    (-13.6249, 2, "-13.62"),
    (-0.004, 2, "0.00"),  # no "-0.00"
    (-0.0, 1, "0.0"),
    (7, 1, "7.0"),
    (1234567.891, 2, "1234567.89"),
    (1e-10, 3, "0.000"),
    (12.0, 0, "12"),
    (float("inf"), 2, "Inf"),
    (float("-inf"), 2, "-Inf"),
    (np.float64(2.675), 2, "2.68"),
    (np.int64(3), 1, "3.0"),
    (pd.Series([1.125]).iloc[0], 2, "1.13"),
]


@pytest.mark.parametrize(("x", "decimals", "expected"), NUMBERS)
def test_format_number(x: float, decimals: int, expected: str) -> None:
    assert format_number(x, decimals) == expected


def test_python_rounding_differs_where_we_round_half_away() -> None:
    """The cases above are not what the built-in format gives: the test is not vacuous."""
    assert f"{0.125:.2f}" == "0.12" and f"{2.675:.2f}" == "2.67" and f"{-0.004:.2f}" == "-0.00"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_print_as_an_em_dash(missing: object) -> None:
    assert MISSING == "\u2014"
    assert format_number(missing, 2) == MISSING
    assert format_p(missing) == MISSING
    assert format_ci(missing, 1.0, 2) == MISSING
    assert format_ci(1.0, missing, 2) == MISSING
    assert format_estimate_ci(missing, 1.0, 2.0, 2) == MISSING
    assert format_mean_sd(missing, 1.0, 1) == MISSING
    assert format_nnt(missing) == MISSING


@pytest.mark.parametrize("decimals", [-1, 1.5, True, "2"])
def test_bad_decimals_are_refused(decimals: object) -> None:
    with pytest.raises(ValueError, match="decimals"):
        format_number(1.0, decimals)  # type: ignore[arg-type]


P_VALUES = {
    0.0009999: "<0.001",
    0.00099999999999: "<0.001",
    0.0: "<0.001",
    1e-300: "<0.001",
    0.001: "0.001",
    0.0014999: "0.001",
    0.0015: "0.002",  # half away from zero
    0.0234: "0.023",
    0.0235: "0.024",
    0.0495: "0.050",
    0.05: "0.050",
    0.9996: "1.000",
    1.0: "1.000",
}


@pytest.mark.parametrize(("p", "expected"), list(P_VALUES.items()))
def test_format_p(p: float, expected: str) -> None:
    assert format_p(p) == expected


def test_format_p_threshold_and_range() -> None:
    assert format_p(0.00005, threshold=0.0001, decimals=4) == "<0.0001"
    assert format_p(0.00012, threshold=0.0001, decimals=4) == "0.0001"
    for bad in (-0.01, 1.2):
        with pytest.raises(ValueError, match="between 0 and 1"):
            format_p(bad)


INTERVALS = [
    (format_ci, (-13.6249, -1.0751, 2), "-13.62 to -1.08"),
    (format_ci, (-0.004, 0.5, 2), "0.00 to 0.50"),
    (format_ci, (-12.00718, 1.019588, 2), "-12.01 to 1.02"),
    (format_estimate_ci, (-7.345, -13.6249, -1.0751, 2), "-7.35 (-13.62 to -1.08)"),
    (format_estimate_ci, (-5.4938, -12.0072, 1.0196, 2), "-5.49 (-12.01 to 1.02)"),
    (format_estimate_ci, (3.19, np.nan, 34.0, 2), "3.19 (\u2014)"),
    (format_mean_sd, (31.25, 4.45, 1), "31.3 (4.5)"),
    (format_mean_sd, (-8.05, 6.0, 1), "-8.1 (6.0)"),
    (format_mean_sd, (31.0, np.nan, 1), "31.0 (\u2014)"),
    (format_median_iqr, (35, 29.75, 41.25, 1), "35.0 [29.8 to 41.3]"),
    (format_median_iqr, (-3.5, -10.25, 0.0, 1), "-3.5 [-10.3 to 0.0]"),
]


@pytest.mark.parametrize(("function", "args", "expected"), INTERVALS)
def test_intervals(function: Callable[..., str], args: tuple, expected: str) -> None:
    out = function(*args)
    assert out == expected
    assert "\u2212" not in out  # the minus sign stays ASCII


COUNTS = [
    ((7, 20), "7 (35.0%)"),
    ((1, 3), "1 (33.3%)"),
    ((2, 3), "2 (66.7%)"),
    ((1, 16), "1 (6.3%)"),  # 6.25 -> 6.3, half away
    ((0, 20), "0 (0.0%)"),
    ((20, 20), "20 (100.0%)"),
    ((0, 0), "0 (\u2014)"),
    ((7.0, 20.0), "7 (35.0%)"),
    ((np.int64(9), np.int64(20)), "9 (45.0%)"),
]


@pytest.mark.parametrize(("kn", "expected"), COUNTS)
def test_format_n_percent(kn: tuple, expected: str) -> None:
    assert format_n_percent(*kn) == expected


def test_format_n_percent_options_and_errors() -> None:
    assert format_n_percent(7, 20, show_n=True) == "7/20 (35.0%)"
    assert format_n_percent(1, 3, 2) == "1 (33.33%)"
    for k, n in ((21, 20), (-1, 5), (1.5, 4)):
        with pytest.raises(ValueError):
            format_n_percent(k, n)


@pytest.mark.parametrize(
    ("nnt", "expected"),
    [
        (2.516556, "3"),
        (3.0, "3"),
        (2.0000000000000004, "2"),
        (10.27027, "11"),
        (-4.09, "-5"),
        (math.inf, "Inf"),
        (-math.inf, "-Inf"),
    ],
)
def test_format_nnt_rounds_up(nnt: float, expected: str) -> None:
    assert format_nnt(nnt) == expected


def test_decimals_by_quantity() -> None:
    assert dict(DECIMALS) == {
        "score": 1,
        "estimate": 2,
        "std_error": 2,
        "df": 1,
        "percent": 1,
        "ratio": 2,
        "effect_size": 2,
    }
    with pytest.raises(TypeError):
        DECIMALS["score"] = 3  # type: ignore[index]
