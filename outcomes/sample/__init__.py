"""The sample trial: a seeded simulation of a DMT vs placebo trial, as TrialData or as files."""

from __future__ import annotations

from outcomes.data.trialdata import TrialData

__all__ = ["DEFAULT_N_PER_ARM", "DEFAULT_SEED", "load_sample", "write_sample"]

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
    from outcomes.io.layouts import long
    from outcomes.io.read import from_frame
    from outcomes.sample.simulate import simulate_trial

    sim = simulate_trial(n_per_arm=n_per_arm, seed=seed)
    carrier = TrialData(sim.frame, sim.schedule, sim.events,
                        {n: _instrument(n) for n in sim.frame["instrument"].unique()},
                        sim.covariates)
    return from_frame(long.to_table(carrier), "long", schedule=sim.schedule, events=sim.events,
                      name="<sample>")


def _instrument(name: str):  # noqa: ANN202 - a registry look-up
    from outcomes.instruments import get

    return get(name)


def write_sample(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201
    """See :func:`outcomes.sample.files.write_sample`."""
    from outcomes.sample.files import write_sample as write

    return write(*args, **kwargs)
