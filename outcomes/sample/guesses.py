"""End-of-treatment treatment guesses for the sample trial (simulated), for blinding analyses.

The sample trial's files hold scores, not the blinding questionnaire; :func:`sample_guesses`
draws one guess per participant from their own acute experience, as functional unblinding works
in psychedelic trials: with probability 0.12 "don't know", otherwise "DMT" with probability
``1 / (1 + exp(-2 (MEQ - 2)))``, MEQ being the participant's MEQ-30 mean score after the first
dose (about 0.8 on placebo and 3.2 on DMT, so about 8% and 92%), else "PLACEBO". A participant
without that score (none in the default sample) has no guess. The draws come from their own
random stream (``numpy.random.default_rng([seed, 1])``), so they do not change the trial.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.data.trialdata import TrialData
from outcomes.sample.load import DEFAULT_SEED, load_sample

__all__ = ["sample_guesses"]

_DONT_KNOW_P = 0.12
_SLOPE, _MIDPOINT = 2.0, 2.0


def sample_guesses(trial: TrialData | None = None, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """One end-of-treatment guess per participant of the sample trial.

    Parameters
    ----------
    trial : TrialData, optional
        The sample trial (``load_sample(seed=seed)`` by default).
    seed : int

    Returns
    -------
    DataFrame
        ``subject, arm, guess`` with guesses ``"DMT"``, ``"PLACEBO"`` or ``"don't know"``.

    Examples
    --------
    >>> guesses = sample_guesses()
    >>> sorted(guesses["guess"].dropna().unique())
    ['DMT', 'PLACEBO', "don't know"]
    """
    trial = trial if trial is not None else load_sample(seed=seed)
    frame = trial.frame
    subjects = frame[["subject", "arm"]].drop_duplicates("subject").reset_index(drop=True)
    meq = frame[(frame["instrument"] == "meq30") & (frame["visit"] == "DOSE 1")]
    score = subjects["subject"].map(meq.set_index("subject")["total"]).to_numpy(float)
    rng = np.random.default_rng([seed, 1])
    unsure = rng.random(len(subjects)) < _DONT_KNOW_P
    says_dmt = rng.random(len(subjects)) < 1 / (1 + np.exp(-_SLOPE * (score - _MIDPOINT)))
    guess = np.where(unsure, "don't know", np.where(says_dmt, "DMT", "PLACEBO")).astype(object)
    guess[np.isnan(score)] = None
    return subjects.assign(arm=subjects["arm"].astype(str), guess=guess)
