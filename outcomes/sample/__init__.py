"""The sample trial: a seeded simulation of a DMT vs placebo trial, as TrialData or as files."""

from __future__ import annotations

from outcomes.sample.files import SAMPLE_FILES, write_sample
from outcomes.sample.guesses import sample_guesses
from outcomes.sample.load import DEFAULT_N_PER_ARM, DEFAULT_SEED, load_sample

__all__ = [
    "DEFAULT_N_PER_ARM",
    "DEFAULT_SEED",
    "SAMPLE_FILES",
    "load_sample",
    "sample_guesses",
    "write_sample",
]
