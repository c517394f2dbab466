"""data_samples/ is in step with the simulator: same files, each reading back to the sample."""

from __future__ import annotations

from pathlib import Path

import pytest

import outcomes
from outcomes.sample.files import SAMPLE_FILES

DATA_SAMPLES = Path(__file__).parents[1] / "data_samples"
# Text files are compared byte for byte; binary formats embed write times, so they are compared
# by what they read back to.
TEXT = ["README.md", "schedule.toml", "events.csv", "long.csv", "wide.csv", "redcap.csv"]


@pytest.mark.parametrize("name", TEXT)
def test_text_files_are_what_the_simulator_writes(name: str, sample_folder: Path) -> None:
    assert (DATA_SAMPLES / name).read_text() == (sample_folder / name).read_text(), (
        f"data_samples/{name} is out of date: run `outcomes sample --out data_samples`"
    )


@pytest.mark.parametrize("entry", SAMPLE_FILES, ids=[f.path for f in SAMPLE_FILES])
def test_every_file_reads_back_to_the_sample(entry, sample: outcomes.TrialData) -> None:
    trial = outcomes.read(
        DATA_SAMPLES / entry.path,
        schedule=DATA_SAMPLES / "schedule.toml",
        events=DATA_SAMPLES / "events.csv",
    )
    assert trial.equals(sample)


def test_no_stray_files(sample_folder: Path) -> None:
    def files(folder: Path) -> set[str]:
        return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}

    assert files(DATA_SAMPLES) == files(sample_folder)
