"""Shared fixtures: the sample trial and its files, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

import outcomes

DATASETS = Path(__file__).parent / "datasets"


@pytest.fixture(scope="session")
def sample() -> outcomes.TrialData:
    """The sample trial as TrialData."""
    return outcomes.load_sample()


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory: pytest.TempPathFactory, sample: outcomes.TrialData) -> Path:
    """The sample trial written in every layout."""
    return outcomes.write_sample(tmp_path_factory.mktemp("sample"), sample)
