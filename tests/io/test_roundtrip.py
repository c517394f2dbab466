"""Every layout and format written from the sample trial reads back to the same TrialData."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import outcomes
from outcomes.sample.files import SAMPLE_FILES


@pytest.fixture(scope="module")
def folder(sample_folder: Path) -> Path:
    return sample_folder


@pytest.mark.parametrize("entry", SAMPLE_FILES, ids=[f.path for f in SAMPLE_FILES])
def test_layout_reads_back_to_the_sample(entry, folder: Path, sample: outcomes.TrialData) -> None:
    trial = outcomes.read(
        folder / entry.path, schedule=folder / "schedule.toml", events=folder / "events.csv"
    )
    assert trial.source["layout"] == entry.layout  # detected, not given
    assert trial.equals(sample)
    assert not (trial.problems["severity"] == "error").any()


@pytest.mark.parametrize("entry", SAMPLE_FILES, ids=[f.path for f in SAMPLE_FILES])
def test_layout_without_schedule_infers_the_same_visit_order(
    entry, folder: Path, sample: outcomes.TrialData
) -> None:
    if entry.layout == "redcap":
        pytest.skip("REDCap event names are slugs; without the schedule they keep that spelling")
    trial = outcomes.read(folder / entry.path)
    assert trial.schedule.inferred
    assert trial.schedule.visit_names == sample.schedule.visit_names
    assert len(trial.frame) == len(sample.frame)


def test_sas7bdat_written_by_r_haven_reads_like_the_sample(sample: outcomes.TrialData) -> None:
    # tests/io/fixtures/long.sas7bdat: subjects S001 and S002 of data_samples/long.csv, written by
    # R 4.2.2 / haven 2.5.1 (tests/io/fixtures/make_sas7bdat.R).
    folder = Path(__file__).parent / "fixtures"
    trial = outcomes.read(folder / "long.sas7bdat", schedule=sample.schedule)
    assert trial.source["layout"] == "long"
    expected = sample.frame[sample.frame["subject"].isin(["S001", "S002"])]
    pd.testing.assert_frame_equal(
        trial.frame.drop(columns="source_row").reset_index(drop=True),
        expected.drop(columns="source_row").reset_index(drop=True),
        check_categorical=False,
    )
