"""Score columns as files name them, scales registered by their total, proration by rule."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.errors import InstrumentError, ValidationError
from outcomes.instruments import score
from outcomes.instruments.definition import Instrument, Item
from outcomes.io.measures import MeasureIndex, find_measures


def long_frame(columns: dict[str, list[int]]) -> pd.DataFrame:
    base = {
        "id": ["A", "A", "B", "B"],
        "group": ["drug", "drug", "placebo", "placebo"],
        "visit": ["T1", "T2", "T1", "T2"],
        "day": [1, 15, 1, 15],
    }
    return pd.DataFrame({**base, **columns})


def test_phq_and_gad_items_by_their_stems() -> None:
    rng = np.random.default_rng(7)
    phq = {f"PHQ{i}": list(rng.integers(0, 4, 4)) for i in range(1, 10)}
    gad = {f"GAD{i}": list(rng.integers(0, 4, 4)) for i in range(1, 8)}
    raw = long_frame({**phq, **gad})
    trial = outcomes.from_frame(raw)
    frame = trial.frame.set_index(["subject", trial.frame["visit"].astype(str), "instrument"])
    # Totals are the sums of the items as laid out in the file, independently of our scoring.
    for k in range(4):
        key = (raw["id"][k], raw["visit"][k])
        assert frame.loc[(*key, "phq9"), "total"] == sum(phq[c][k] for c in phq)
        assert frame.loc[(*key, "gad7"), "total"] == sum(gad[c][k] for c in gad)
    assert trial.covariates == ()  # GAD7 and PHQ9 were read as the seventh and ninth items


def test_a_column_named_like_the_instrument_is_an_item_only_beside_its_items() -> None:
    index = MeasureIndex()
    alone = find_measures(["PHQ9", "GAD7"], index, items={}, totals={}, instrument=None)
    assert alone == {}  # totals by another name, perhaps: not silently read as items
    beside = find_measures(
        [f"GAD{i}" for i in range(1, 8)], index, items={}, totals={}, instrument=None
    )
    assert beside["GAD7"].code == "GAD0207"
    assert index.resolve("HAMD3").code == "HAMD0103"
    assert index.resolve("phq9_1").code == "PHQ0101"


def test_bare_item_numbers_with_the_instrument() -> None:
    raw = long_frame({f"q{i}": [1, 2, 3, 0] for i in range(1, 8)})
    trial = outcomes.from_frame(raw, instrument="gad7")
    assert trial.frame["total"].tolist() == [7.0, 14.0, 21.0, 0.0]


@pytest.fixture
def bdi() -> Iterator[Instrument]:
    """A scale registered by its total alone, in three lines: the original BDI."""
    registered = outcomes.instruments.register(
        {
            "name": "bdi",
            "title": "Beck Depression Inventory",
            "construct": "depression",
            "total_code": "BDITOT",
            "total_range": [0, 63],
        },
        replace=True,
    )
    yield registered
    outcomes.instruments.unregister("bdi")


def test_a_scale_registered_by_its_total_reads_wide_files(bdi) -> None:
    # Named as in the Beat the Blues trial's wide data set (bdi.pre, bdi.2m, bdi.3m).
    raw = pd.DataFrame(
        {
            "subject": ["A", "B", "C"],
            "treatment": ["TAU", "BtheB", "TAU"],
            "bdi.pre": [29, 32, 25],
            "bdi.2m": [2, 16, None],
            "bdi.3m": [None, 24, 20],
        }
    )
    trial = outcomes.from_frame(raw, baseline="pre")
    assert bdi.items == ()
    frame = trial.frame
    assert set(frame["total_source"]) == {"reported"}
    assert frame["total"].tolist() == [29, 2, 32, 16, 24, 25, 20]
    derived = outcomes.derive(trial).frame
    assert derived["chg"].tolist() == [0, -27, 0, -16, -8, 0, -5]


def test_a_total_outside_the_registered_range_is_an_error(bdi) -> None:
    raw = pd.DataFrame({"subject": ["A"], "arm": ["X"], "bdi.pre": [70], "bdi.2m": [3]})
    with pytest.raises(ValidationError) as caught:
        outcomes.from_frame(raw, baseline="pre")
    assert "total-out-of-range" in set(caught.value.problems["code"])


def test_totals_only_definitions_are_checked() -> None:
    with pytest.raises(InstrumentError, match="total_range"):
        outcomes.instruments.instrument_from_mapping(
            {"name": "x", "title": "X", "construct": "c", "total_code": "XT"}
        )
    with pytest.raises(InstrumentError, match="total_range"):
        outcomes.instruments.instrument_from_mapping(
            {"name": "x", "title": "X", "construct": "c", "total_code": "XT", "total_range": [5, 1]}
        )
    with pytest.raises(InstrumentError, match="differs from the items' range"):
        outcomes.instruments.instrument_from_mapping(
            {
                "name": "x",
                "title": "X",
                "construct": "c",
                "total_code": "XT",
                "total_range": [0, 9],
                "items": [{"code": "X1", "label": "a", "min": 0, "max": 3}],
            }
        )


def test_the_bdi_ii_is_built_in_by_its_total() -> None:
    bdi2 = outcomes.instruments.get("BDI-II")
    assert bdi2.totals_only and (bdi2.total_min, bdi2.total_max) == (0, 63)
    # Beck, Steer & Brown (1996): 0-13 minimal, 14-19 mild, 20-28 moderate, 29-63 severe.
    assert [(b.low, b.high) for b in bdi2.bands] == [(0, 13), (14, 19), (20, 28), (29, 63)]


def test_proration_rules() -> None:
    # Items of unequal ranges (0-10 and 0-2): one answered 6 of 10 and the other missing.
    items = (Item("A1", "a", 0, 10), Item("A2", "b", 0, 2))
    count = Instrument("c", "C", "t", items, "CT")
    maximum = Instrument("m", "M", "t", items, "MT", proration="maximum")
    answers = pd.DataFrame({"A1": [6.0], "A2": [np.nan]})
    # By count: the mean of the answered items times two items = 12, outside the 0-12 range's
    # sense (the first item alone cannot reach 12 by itself); by the maximum rule: 6 x 12/10.
    assert score(count, answers, max_missing=1)["total"].iloc[0] == 12.0
    assert score(maximum, answers, max_missing=1)["total"].iloc[0] == pytest.approx(7.2)
    # Complete answers are summed exactly by either rule.
    full = pd.DataFrame({"A1": [6.0], "A2": [1.0]})
    assert score(maximum, full)["total"].iloc[0] == 7.0
    with pytest.raises(InstrumentError, match="proration"):
        outcomes.instruments.instrument_from_mapping(
            {
                "name": "x",
                "title": "X",
                "construct": "c",
                "total_code": "XT",
                "proration": "median",
                "items": [{"code": "X1", "label": "a", "min": 0, "max": 3}],
            }
        )


def test_one_visit_without_a_visit_column() -> None:
    raw = pd.DataFrame(
        {"id": ["A", "B"], "group": ["x", "y"], **{f"q{i}": [1, 2] for i in range(1, 8)}}
    )
    trial = outcomes.from_frame(raw, instrument="gad7")
    assert trial.frame["visit"].astype(str).tolist() == ["VISIT 1", "VISIT 1"]
    assert trial.frame["total"].tolist() == [7.0, 14.0]
    assert any("read as one visit" in n for n in trial.notes)
    twice = pd.concat([raw, raw], ignore_index=True)
    with pytest.raises(outcomes.MappingError, match="subjects have several rows"):
        outcomes.from_frame(twice, instrument="gad7")
