"""The sample trial as TrialData: simulated, then read like any file."""

from __future__ import annotations

from outcomes.data.trialdata import TrialData
from outcomes.instruments import get
from outcomes.io.layouts import long
from outcomes.io.read import from_frame
from outcomes.sample.simulate import simulate_trial

__all__ = ["DEFAULT_N_PER_ARM", "DEFAULT_SEED", "load_sample"]

DEFAULT_SEED = 2026
DEFAULT_N_PER_ARM = 20


def load_sample(*, n_per_arm: int = DEFAULT_N_PER_ARM, seed: int = DEFAULT_SEED) -> TrialData:
    """The sample trial, validated and scored like a file read with :func:`outcomes.read`.

    The simulated trial (:mod:`outcomes.sample.simulate`) goes through the long layout and the
    same validation as any file, so ``load_sample()`` equals reading ``data_samples/long.csv``.

    Examples
    --------
    >>> trial = load_sample()
    >>> trial.schedule.visit_names[:3]
    ['SCREENING', 'BASELINE', 'DOSE 1']
    """
    sim = simulate_trial(n_per_arm=n_per_arm, seed=seed)
    # The simulated frame is carried to the long layout's writer, then validated like a file.
    carrier = TrialData(
        sim.frame,
        sim.schedule,
        sim.events,
        {n: get(n) for n in sim.frame["instrument"].unique()},
        sim.covariates,
    )
    return from_frame(
        long.to_table(carrier), "long", schedule=sim.schedule, events=sim.events, name="<sample>"
    )
