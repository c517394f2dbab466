"""Scoring the built-in instruments: ranges, reverse keying, mean scoring, prorating, bands."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from outcomes.instruments import Instrument, get, keyed_items, score, severity_band


def one_row(instrument: Instrument, values: list[float | None]) -> pd.DataFrame:
    """A one-respondent frame with the given raw responses, in item order."""
    return pd.DataFrame([values], columns=instrument.item_codes, dtype=float)


def total_of(name: str, values: list[float | None], **kwargs) -> float:
    instrument = get(name)
    return float(score(instrument, one_row(instrument, values), **kwargs)["total"].iloc[0])


# name: (lowest total, highest total), reached by the least and the most severe raw answers
TOTAL_RANGES = {
    "madrs": (0, 60),  # 10 x 0-6 (Montgomery & Åsberg 1979)
    "gad7": (0, 21),  # 7 x 0-3 (Spitzer et al. 2006)
    "phq9": (0, 27),  # 9 x 0-3 (Kroenke et al. 2001)
    "hamd17": (0, 52),  # 9 x 0-4 + 8 x 0-2 (Hamilton 1960)
    "hama": (0, 56),  # 14 x 0-4 (Hamilton 1959)
    "neo-ffi-n": (0, 48),  # 12 x 0-4 (Costa & McCrae 1992)
    "bfi44-n": (1, 5),  # mean of 8 x 1-5 (John & Srivastava 1999)
    "bfi2-n": (1, 5),  # mean of 12 x 1-5 (Soto & John 2017)
    "meq30": (0, 5),  # mean of 30 x 0-5 (Barrett et al. 2015)
    "edi": (0, 100),  # mean of 8 x 0-100 (Nour et al. 2016)
}


@pytest.mark.parametrize("name", sorted(TOTAL_RANGES))
def test_extreme_answers_give_the_total_range(name: str):
    instrument = get(name)
    # Raw answers that key to the item's minimum (or maximum): a reversed item is answered at
    # the other end of its scale.
    least = [i.max if i.reverse else i.min for i in instrument.items]
    most = [i.min if i.reverse else i.max for i in instrument.items]
    assert (total_of(name, least), total_of(name, most)) == TOTAL_RANGES[name]
    assert TOTAL_RANGES[name] == (instrument.total_min, instrument.total_max)


# name, raw answers (in the scale's item order), expected total, worked arithmetic
REVERSE_KEYING = [
    # NEO-FFI N all answered 4: reversed items 1, 16, 31, 46 score 0 -> 8 * 4 + 4 * 0 = 32
    ("neo-ffi-n", [4] * 12, 32.0),
    # NEO-FFI N all answered 0: reversed items score 4 -> 4 * 4 = 16
    ("neo-ffi-n", [0] * 12, 16.0),
    # NEO-FFI N all 2 (the midpoint): 4 - 2 = 2, so 12 * 2 = 24
    ("neo-ffi-n", [2] * 12, 24.0),
    # NEO-FFI N most neurotic: forward items 4, reversed items 0 -> 12 * 4 = 48
    ("neo-ffi-n", [0, 4, 4, 0, 4, 4, 0, 4, 4, 0, 4, 4], 48.0),
    # BFI-44 N all 5: reversed items 9, 24, 34 score 6 - 5 = 1 -> (5 * 5 + 3 * 1) / 8 = 28 / 8
    ("bfi44-n", [5] * 8, 3.5),
    # BFI-44 N all 1: reversed items score 5 -> (5 * 1 + 3 * 5) / 8 = 20 / 8
    ("bfi44-n", [1] * 8, 2.5),
    # BFI-44 N forward items 4, reversed answered 2 (-> 4): all keyed 4 -> mean 4
    ("bfi44-n", [4, 2, 4, 4, 2, 4, 2, 4], 4.0),
    # BFI-2 N all 5: six reversed items (4, 9, 24, 29, 44, 49) score 1 -> (6 * 5 + 6 * 1) / 12
    ("bfi2-n", [5] * 12, 3.0),
    # BFI-2 N all 4: reversed score 2 -> (6 * 4 + 6 * 2) / 12 = 36 / 12
    ("bfi2-n", [4] * 12, 3.0),
    # BFI-2 N forward items 5, reversed answered 1 (-> 5): mean 5
    ("bfi2-n", [1, 1, 5, 5, 1, 1, 5, 5, 1, 1, 5, 5], 5.0),
]


@pytest.mark.parametrize(("name", "answers", "expected"), REVERSE_KEYING)
def test_reverse_keyed_totals(name: str, answers: list[float], expected: float):
    assert total_of(name, answers) == pytest.approx(expected)


def test_keyed_items_turn_round_only_the_reversed_items():
    neo = get("neo-ffi-n")
    keyed = keyed_items(neo, one_row(neo, [1] * 12)).iloc[0]
    # reversed items (NEON01, 04, 07, 10) become 0 + 4 - 1 = 3; the others stay 1
    expected = {
        c: (3.0 if c in {"NEON01", "NEON04", "NEON07", "NEON10"} else 1.0) for c in neo.item_codes
    }
    assert keyed.to_dict() == expected


# name, raw answers, expected total: the mean-scored scales
MEAN_SCORING = [
    ("bfi44-n", [3] * 8, 3.0),  # the midpoint keys to itself: 6 - 3 = 3
    ("bfi44-n", [1, 5, 1, 1, 5, 1, 5, 1], 1.0),  # least neurotic answers: every item keys to 1
    ("meq30", [3] * 30, 3.0),
    ("meq30", [5] * 15 + [0] * 15, 2.5),  # (15 * 5 + 15 * 0) / 30
    ("edi", [0, 10, 20, 30, 40, 50, 60, 70], 35.0),  # 280 / 8
]


@pytest.mark.parametrize(("name", "answers", "expected"), MEAN_SCORING)
def test_mean_scoring(name: str, answers: list[float], expected: float):
    assert total_of(name, answers) == pytest.approx(expected)


# MADRS items for prorating: answered items 1, 2, 3, 4, 5, 6, 0, 1, 2 (sum 24) and item 10 missing
NINE_ANSWERED = [1, 2, 3, 4, 5, 6, 0, 1, 2, None]


@pytest.mark.parametrize(
    ("answers", "max_missing", "expected", "source"),
    [
        # complete: the plain sum 1+2+3+4+5+6+0+1+2+3 = 27
        ([1, 2, 3, 4, 5, 6, 0, 1, 2, 3], 0, 27.0, "items"),
        ([1, 2, 3, 4, 5, 6, 0, 1, 2, 3], 1, 27.0, "items"),
        # one missing, max_missing=1: mean of the nine answered (24 / 9) times 10 items = 26.67
        (NINE_ANSWERED, 1, 240 / 9, "prorated"),
        # all answered items 2, one missing: mean 2 * 10 = 20
        ([2] * 9 + [None], 1, 20.0, "prorated"),
        # one missing, but no prorating allowed: no total
        (NINE_ANSWERED, 0, math.nan, None),
        # two missing with max_missing=1: no total
        ([2] * 8 + [None, None], 1, math.nan, None),
        # two missing with max_missing=2: 8 answered at 2 -> 2 * 10 = 20
        ([2] * 8 + [None, None], 2, 20.0, "prorated"),
        # nothing answered: never a total, whatever the policy
        ([None] * 10, 10, math.nan, None),
    ],
)
def test_madrs_prorating(answers, max_missing: int, expected: float, source: str | None):
    madrs = get("madrs")
    result = score(madrs, one_row(madrs, answers), max_missing=max_missing).iloc[0]
    if math.isnan(expected):
        assert pd.isna(result["total"]) and pd.isna(result["total_source"])
    else:
        assert result["total"] == pytest.approx(expected)
        assert result["total_source"] == source


def test_mean_scale_prorates_to_the_mean_of_the_answered_items():
    # BFI-44 N, item 4 (BFIN01) missing; raw answers to items 9R, 14, 19, 24R, 29, 34R, 39 are
    # 2, 4, 2, 2, 4, 2, 4 -> keyed 6-2=4, 4, 2, 6-2=4, 4, 6-2=4, 4 -> mean of seven = 26 / 7
    bfi = get("bfi44-n")
    answers = [None, 2, 4, 2, 2, 4, 2, 4]
    result = score(bfi, one_row(bfi, answers), max_missing=1).iloc[0]
    assert result["total"] == pytest.approx(26 / 7)
    assert result["total_source"] == "prorated"


# name, total, band: band edges from the sources in each catalogue file
BOUNDARIES = [
    # MADRS, Snaith et al. 1986: 0-6 normal, 7-19 mild, 20-34 moderate, 35-60 severe
    ("madrs", 0, "normal"),
    ("madrs", 6, "normal"),
    ("madrs", 7, "mild"),
    ("madrs", 19, "mild"),
    ("madrs", 19.5, "mild"),
    ("madrs", 20, "moderate"),
    ("madrs", 34, "moderate"),
    ("madrs", 35, "severe"),
    ("madrs", 60, "severe"),
    ("madrs", 61, None),
    ("madrs", -1, None),
    # GAD-7, Spitzer et al. 2006: 0-4, 5-9, 10-14, 15-21
    ("gad7", 4, "minimal"),
    ("gad7", 5, "mild"),
    ("gad7", 9, "mild"),
    ("gad7", 10, "moderate"),
    ("gad7", 14, "moderate"),
    ("gad7", 15, "severe"),
    ("gad7", 21, "severe"),
    # PHQ-9, Kroenke et al. 2001: 0-4, 5-9, 10-14, 15-19, 20-27
    ("phq9", 4, "minimal"),
    ("phq9", 5, "mild"),
    ("phq9", 10, "moderate"),
    ("phq9", 15, "moderately severe"),
    ("phq9", 19, "moderately severe"),
    ("phq9", 20, "severe"),
    ("phq9", 27, "severe"),
    # HAM-D17, Zimmerman et al. 2013: 0-7, 8-16, 17-23, >= 24
    ("hamd17", 7, "none"),
    ("hamd17", 8, "mild"),
    ("hamd17", 16, "mild"),
    ("hamd17", 17, "moderate"),
    ("hamd17", 23, "moderate"),
    ("hamd17", 24, "severe"),
    ("hamd17", 52, "severe"),
    # HAM-A, Matza et al. 2010: <= 7, 8-14, 15-23, >= 24
    ("hama", 7, "minimal"),
    ("hama", 8, "mild"),
    ("hama", 14, "mild"),
    ("hama", 15, "moderate"),
    ("hama", 23, "moderate"),
    ("hama", 24, "severe"),
    ("hama", 56, "severe"),
]


@pytest.mark.parametrize(("name", "total", "band"), BOUNDARIES)
def test_severity_band_at_boundaries(name: str, total: float, band: str | None):
    result = severity_band(get(name), pd.Series([total])).iloc[0]
    assert (None if pd.isna(result) else result) == band


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("madrs", ["normal", "mild", "moderate", "severe"]),
        ("gad7", ["minimal", "mild", "moderate", "severe"]),
        ("phq9", ["minimal", "mild", "moderate", "moderately severe", "severe"]),
        ("hamd17", ["none", "mild", "moderate", "severe"]),
        ("hama", ["minimal", "mild", "moderate", "severe"]),
    ],
)
def test_bands_are_ordered_categories(name: str, labels: list[str]):
    bands = severity_band(get(name), pd.Series([0.0, np.nan]))
    assert bands.cat.ordered
    assert list(bands.cat.categories) == labels
    assert pd.isna(bands.iloc[1])


@pytest.mark.parametrize("name", ["neo-ffi-n", "bfi44-n", "bfi2-n", "meq30", "edi"])
def test_scales_without_bands_give_no_band(name: str):
    assert severity_band(get(name), pd.Series([1.0, 2.0])).isna().all()


def test_gad7_sum_and_band():
    # 1 + 2 + 3 + 0 + 1 + 2 + 3 = 12: moderate (10-14)
    gad7 = get("GAD-7")
    items = one_row(gad7, [1, 2, 3, 0, 1, 2, 3])
    total = score(gad7, items)["total"]
    assert total.iloc[0] == 12.0
    assert severity_band(gad7, total).iloc[0] == "moderate"
