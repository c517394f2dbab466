"""A seeded simulator of a two-arm psychedelic-therapy trial, calibrated to the DMT phase 2a trial.

:func:`simulate_trial` writes the data of a randomised, placebo-controlled trial of intravenous DMT
in major depressive disorder in the canonical long table (:mod:`outcomes.data.columns`), with its
schedule and intercurrent events. Everything is drawn from one ``numpy.random.default_rng(seed)``,
so a seed fixes the data. The population effects are set to those of the SPL026 phase 2a trial
(Erritzoe et al., Nat Med 2026; ``DOMAIN.md``); a small simulated trial varies around them as a real
one would.

Design
------
Participants with a screening MADRS total of at least 20 are randomised 1:1 to intravenous DMT
21.5 mg or placebo, each with psychological support (arms ``DMT`` and ``PLACEBO``). Candidates who
fail screening are replaced, so each arm has ``n_per_arm`` participants. Pseudonyms ``S001``,
``S002``, ... follow the order of enrolment and do not reveal the arm. Each participant has two
blinded dosing sessions in the arm they were randomised to: on study day 1 and on the day of the
week-2 visit (nominally day 15, within days 13-17), after that visit's assessments.

Visits (:func:`sample_schedule`), with the instruments given at each:

=========  ==================  =========  =========  =======  =======================
visit      nominal day         window     phase      session  instruments
=========  ==================  =========  =========  =======  =======================
SCREENING  -14                 -28 to -2  screening  0        MADRS, GAD-7
BASELINE   1, before the dose  1          baseline   0        MADRS, GAD-7, NEO-FFI-N
DOSE 1     1, 1 h after        1          dosing     1        MEQ-30
DAY 2      2, 24 h after       2          post-dose  1        MADRS, GAD-7
WEEK 1     8                   6 to 10    post-dose  1        MADRS, GAD-7
WEEK 2     15, before dose 2   13 to 17   post-dose  1        MADRS, GAD-7 (primary)
DOSE 2     15, 1 h after       13 to 17   dosing     2        MEQ-30
DAY 16     16, 24 h after      14 to 18   post-dose  2        MADRS, GAD-7
WEEK 3     22                  20 to 24   post-dose  2        MADRS, GAD-7
WEEK 4     29                  27 to 31   post-dose  2        MADRS, GAD-7
WEEK 8     57                  50 to 64   follow-up  2        MADRS, GAD-7
WEEK 12    85                  78 to 92   follow-up  2        MADRS, GAD-7, NEO-FFI-N
=========  ==================  =========  =========  =======  =======================

Actual study days vary around the nominal day (rounded normal, SD half the allowed shift: up to 7
days at screening, 2 at weeks 1-4, 5 at weeks 8 and 12), always inside the window; there is no day
0. DOSE 2 and DAY 16 keep their place relative to WEEK 2. ``hours_since_dose`` counts from the last
dose: about 1 h at a dosing visit (SD 0.2 h), and ``24 x`` the days since the dose plus a normal
time-of-day shift (SD 2 h) afterwards.

Outcomes
--------
MADRS. A participant's latent total at a visit is their baseline severity (normal, mean 31, SD 4.5,
plus a site shift of -1, 0 or +1), plus a within-subject error that is correlated over time
(exponential correlation ``exp(-|days apart| / 21)``, SD 3.5), plus their placebo response (the
latent placebo change at the visit times a subject multiplier), plus, on DMT, the latent DMT effect
at the visit times a second subject multiplier. Both multipliers are gamma with mean 1 (SD 1 and
0.82), so that a few participants respond strongly and many modestly. The screening total has its
own error and is one point higher on average. The targets are the expected mean changes of the
scored totals; the latent values are a little larger, to offset the floor of the scale at 0, and
were set by simulating 300,000 participants so that the targets are met to within 0.1 points:

========  ===============  ===============  =====================  =====================
visit     placebo, target  placebo, latent  DMT - placebo, target  DMT - placebo, latent
========  ===============  ===============  =====================  =====================
DAY 2     -4               -4.1             -8                     -8.3
WEEK 1    -6               -6.2             -10.75                 -12.3
WEEK 2    -7               -7.3             -7.35                  -8.0
DAY 16    -7.5             -7.8             -10                    -11.7
WEEK 3    -8               -8.4             -9.5                   -11.2
WEEK 4    -8.5             -9.0             -8                     -9.2
WEEK 8    -9               -9.6             -6                     -6.7
WEEK 12   -9               -9.6             -4                     -4.3
========  ===============  ===============  =====================  =====================

The week-1 and week-2 differences are the published ones; the rest (a boost after the second dose
and an effect that shrinks to about -4 by week 12) are assumptions of this simulator. The latent
total is spread over the ten items by a participant's own item profile (Dirichlet around typical
item means, with low scores for appetite and suicidal thoughts), each item is rounded at random
(up with probability equal to its fractional part, so the expected total equals the latent total)
and kept within 0-6. The total is scored from the items by :func:`outcomes.instruments.score`.
Random subject effects and the serial correlation give the repeated measures an unstructured
covariance that a mixed model for repeated measures can estimate. Expected rates at week 2 are
then: response (a fall of at least 50%) 14% on placebo and 43% on DMT, remission (10 or less) 8%
and 27%. The trial reported 12% and 35%, 12% and 29% (17 participants an arm); with a mean change
of -14.35 from 31 on DMT, a response rate as low as 35% would need a bimodal response, which this
simulator does not model.

GAD-7. A latent total of ``12 + 0.3 x (MADRS latent - 31)`` plus a subject effect (SD 2.5) and
visit noise (SD 1.5), spread over the seven items (0-3) in the same way.

NEO-FFI neuroticism, at BASELINE and WEEK 12. A keyed total of 30 (SD 6, rising 0.3 per point of
baseline MADRS severity) that falls by 1 on placebo and by 2 more, times the DMT multiplier, on DMT,
with noise SD 2.5. Items (0-4) are recorded as answered, so the reverse-keyed items (NEO-FFI 1, 16,
31 and 46) are stored unreversed; scoring reverses them.

MEQ-30, after each dosing session. A participant's mean item response is about 3.2 on DMT (higher
with a larger DMT multiplier, so the acute experience predicts the antidepressant response) and
about 0.8 on placebo (0.7 before the floor at 0); it varies between sessions (SD 0.25) and items
(SD 0.6), is rounded at random and kept within 0-5. The total is the item mean (a mean-scored
scale).

Missing data and intercurrent events
------------------------------------
About ``dropout`` of the participants discontinue before week 12 (1.25 times as often on placebo,
0.75 times on DMT; completely at random within arm). The first visit missed is equally likely to
be any visit after the first dose except the dosing visits; the discontinuation day falls between
the last visit and that one. A participant has no rows on or after their discontinuation day (the
dropout is monotone). Besides, 3% of post-dose assessment visits are missed (no row), and in 2% of
completed questionnaires one item is left blank, so that the total is missing (no prorating under
the default policy of :func:`~outcomes.instruments.score`).

Events (``events``, :data:`~outcomes.data.columns.EVENT_COLUMNS`): ``discontinuation`` on the
discontinuation day (``lost to follow-up``, ``withdrew consent`` or ``adverse event``; adverse
events more often on DMT); ``rescue medication`` (``SSRI started``) for about 10% on placebo and 4%
on DMT, from day 9 while in the study; ``unblinding`` for 4% (at least one). Events do not change
the simulated scores.

Covariates: ``sex`` (``F`` 60%, ``M``), ``age`` (18-65, normal mean 40, SD 12) and ``site``
(``01``-``03``, equally likely). Only the site shifts severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from outcomes import instruments
from outcomes.data import columns as col
from outcomes.data.schedule import Schedule

__all__ = ["SimulatedTrial", "sample_schedule", "simulate_trial"]

#: Arms, reference (placebo) first.
ARMS: tuple[str, ...] = ("PLACEBO", "DMT")
#: Instruments in the order of their rows and item columns.
INSTRUMENTS: tuple[str, ...] = ("madrs", "gad7", "neo-ffi-n", "meq30")
COVARIATES: tuple[str, ...] = ("sex", "age", "site")

_RATINGS = ("madrs", "gad7")


@dataclass(frozen=True)
class _Visit:
    """A visit of the design; ``follows`` names the visit whose actual day this one keeps to."""

    name: str
    day: int
    window: tuple[int, int]
    phase: str
    session: int
    instruments: tuple[str, ...]
    hours_after_dose: float | None = None
    jitter: int = 0
    follows: str | None = None


_VISITS: tuple[_Visit, ...] = (
    _Visit("SCREENING", -14, (-28, -2), "screening", 0, _RATINGS, jitter=7),
    _Visit("BASELINE", 1, (1, 1), "baseline", 0, (*_RATINGS, "neo-ffi-n")),
    _Visit("DOSE 1", 1, (1, 1), "dosing", 1, ("meq30",), hours_after_dose=1),
    _Visit("DAY 2", 2, (2, 2), "post-dose", 1, _RATINGS, hours_after_dose=24),
    _Visit("WEEK 1", 8, (6, 10), "post-dose", 1, _RATINGS, jitter=2),
    _Visit("WEEK 2", 15, (13, 17), "post-dose", 1, _RATINGS, jitter=2),
    _Visit("DOSE 2", 15, (13, 17), "dosing", 2, ("meq30",), hours_after_dose=1, follows="WEEK 2"),
    _Visit("DAY 16", 16, (14, 18), "post-dose", 2, _RATINGS, hours_after_dose=24, follows="WEEK 2"),
    _Visit("WEEK 3", 22, (20, 24), "post-dose", 2, _RATINGS, jitter=2),
    _Visit("WEEK 4", 29, (27, 31), "post-dose", 2, _RATINGS, jitter=2),
    _Visit("WEEK 8", 57, (50, 64), "follow-up", 2, _RATINGS, jitter=5),
    _Visit("WEEK 12", 85, (78, 92), "follow-up", 2, (*_RATINGS, "neo-ffi-n"), jitter=5),
)
_BY_NAME = {v.name: v for v in _VISITS}
_MADRS_VISITS = tuple(v.name for v in _VISITS if "madrs" in v.instruments)
#: Visits a participant can first miss on leaving, and that can be missed singly.
_MISSABLE = tuple(v.name for v in _VISITS if v.session > 0 and v.phase != "dosing")

# -- calibration (see the module docstring) --------------------------------------------------------

_SEVERITY_MEAN, _SEVERITY_SD = 31.0, 4.5
_SITE_SHIFT = (-1.0, 0.0, 1.0)
_SCREENING_INFLATION = 1.0
_INCLUSION_MADRS = 20
_ERROR_SD, _ERROR_DAYS = 3.5, 21.0
# Gamma shapes of the subject multipliers of the placebo response and of the DMT effect (mean 1,
# SD 1/sqrt(shape)): skewed, so that a few respond strongly and many modestly.
_PLACEBO_RESPONSE_SHAPE = 1.0
_DMT_RESPONSE_SHAPE = 1.5
# Latent mean changes (placebo) and DMT effects (DMT minus placebo), by visit. They are a little
# larger than the targets in the module docstring, to offset the floor of the MADRS at 0, and
# were found by fixed-point iteration on 300,000 simulated participants so that the expected
# change in the scored totals equals the targets to within 0.1 points. The week-1 (-10.75) and
# week-2 (-7.35) DMT targets are Erritzoe et al., Nat Med 2026, SPL026 phase 2a (DOMAIN.md).
_PLACEBO_CHANGE = {
    "DAY 2": -4.1,
    "WEEK 1": -6.2,
    "WEEK 2": -7.3,
    "DAY 16": -7.8,
    "WEEK 3": -8.4,
    "WEEK 4": -9.0,
    "WEEK 8": -9.6,
    "WEEK 12": -9.6,
}
_DMT_EFFECT = {
    "DAY 2": -8.3,
    "WEEK 1": -12.3,
    "WEEK 2": -8.0,
    "DAY 16": -11.7,
    "WEEK 3": -11.2,
    "WEEK 4": -9.2,
    "WEEK 8": -6.7,
    "WEEK 12": -4.3,
}
# Illustrative item means of a moderately depressed sample (not from a source); they set the
# share of the total each item carries. Profiles are Dirichlet with this concentration.
_MADRS_ITEM_MEANS = (3.5, 4.0, 3.3, 3.2, 2.0, 3.2, 3.3, 3.4, 3.0, 1.5)
_GAD7_ITEM_MEANS = (1.9, 1.8, 1.9, 1.8, 1.3, 1.7, 1.6)
_NEO_ITEM_MEANS = (2.6, 2.4, 2.7, 2.3, 2.6, 2.4, 2.5, 2.8, 2.2, 2.5, 2.5, 2.5)
_PROFILE_CONCENTRATION = 100.0
_MEQ_MEAN = {"PLACEBO": 0.7, "DMT": 3.2}
_MEQ_PER_DMT_RESPONSE = 0.4
_DROPOUT_RATIO = {"PLACEBO": 1.25, "DMT": 0.75}
_DROPOUT_REASONS = ("lost to follow-up", "withdrew consent", "adverse event")
_DROPOUT_REASON_P = {"PLACEBO": (0.4, 0.5, 0.1), "DMT": (0.4, 0.3, 0.3)}
_RESCUE_P = {"PLACEBO": 0.10, "DMT": 0.04}
_UNBLINDING_P = 0.04
_UNBLINDING_REASONS = ("emergency unblinding after an adverse event", "unblinded in error")
_MISSED_VISIT_P = 0.03
_BLANK_ITEM_P = 0.02


@dataclass(frozen=True)
class SimulatedTrial:
    """A simulated trial.

    Attributes
    ----------
    frame : pandas.DataFrame
        The canonical long table, one row per subject x visit x instrument (see
        :func:`simulate_trial` for its columns and dtypes).
    events : pandas.DataFrame
        Intercurrent events, columns :data:`~outcomes.data.columns.EVENT_COLUMNS`.
    schedule : Schedule
        The design's schedule (:func:`sample_schedule`).
    covariates : tuple of str
        Covariate columns of ``frame``.
    """

    frame: pd.DataFrame
    events: pd.DataFrame
    schedule: Schedule
    covariates: tuple[str, ...]


def sample_schedule() -> Schedule:
    """The schedule of the simulated design, every phase and session given explicitly.

    Returns
    -------
    Schedule
        Twelve visits from SCREENING to WEEK 12, dosing sessions on days 1 and 15.

    Examples
    --------
    >>> s = sample_schedule()
    >>> s.baseline_visit, [d.day for d in s.sessions]
    ('BASELINE', [1.0, 15.0])
    >>> [(v.name, v.phase, v.session) for v in s.visits][4:7]
    [('WEEK 1', 'post-dose', 1), ('WEEK 2', 'post-dose', 1), ('DOSE 2', 'dosing', 2)]
    """
    visits = []
    for v in _VISITS:
        entry = {
            "name": v.name,
            "day": v.day,
            "window": list(v.window),
            "phase": v.phase,
            "session": v.session,
        }
        if v.hours_after_dose is not None:
            entry["hours_after_dose"] = v.hours_after_dose
        visits.append(entry)
    return Schedule.from_mapping(
        {
            "baseline": "BASELINE",
            "session": [{"number": 1, "day": 1}, {"number": 2, "day": 15}],
            "visit": visits,
        }
    )


def simulate_trial(
    *, n_per_arm: int = 20, seed: int = 2026, dropout: float = 0.15
) -> SimulatedTrial:
    """Simulate the two-arm DMT trial described in the module docstring.

    Parameters
    ----------
    n_per_arm : int, default 20
        Participants randomised to each arm.
    seed : int, default 2026
        Seed of ``numpy.random.default_rng``; the same seed gives the same trial.
    dropout : float, default 0.15
        Expected fraction of participants who discontinue before week 12.

    Returns
    -------
    SimulatedTrial
        ``frame`` has the columns :data:`~outcomes.data.columns.CORE_COLUMNS`, then the item
        columns (MADRS, GAD-7, NEO-FFI-N and MEQ-30 item codes, float, missing on other
        instruments' rows), then ``sex``, ``age``, ``site``. Rows are sorted by subject, visit
        and instrument; ``source_row`` numbers them from 1. Dtypes: ``subject``, ``phase``,
        ``instrument``, ``total_source``, ``sex``, ``site`` text (``str``; ``total_source`` is
        ``"items"`` or missing); ``arm`` categorical (``PLACEBO``, ``DMT``); ``visit`` ordered
        categorical in schedule order; ``visit_num`` and ``total`` float; ``study_day``,
        ``session``, ``source_row`` and ``age`` int64; ``hours_since_dose`` float (missing before
        the first dose); ``period_treatment`` (``string``) and ``period`` (``Int64``) all
        ``pd.NA``, as the design has one period.

    Examples
    --------
    >>> trial = simulate_trial(n_per_arm=5, seed=1)
    >>> trial.frame.groupby("arm", observed=True)["subject"].nunique().to_dict()
    {'PLACEBO': 5, 'DMT': 5}
    >>> trial.frame["instrument"].drop_duplicates().tolist()
    ['madrs', 'gad7', 'neo-ffi-n', 'meq30']
    >>> trial.covariates
    ('sex', 'age', 'site')
    """
    if n_per_arm < 1:
        raise ValueError(f"n_per_arm must be at least 1, not {n_per_arm}")
    if not 0 <= dropout <= 1:
        raise ValueError(f"dropout must be between 0 and 1, not {dropout}")
    rng = np.random.default_rng(seed)
    schedule = sample_schedule()
    subjects, latent, madrs = _enrol(rng, n_per_arm)
    days, hours = _visit_days(rng, len(subjects))
    items = _assessments(rng, subjects, latent, madrs)
    leave_day = _leave_days(rng, subjects, days, dropout)
    attended = _attendance(rng, days, leave_day)
    frame = _long_table(rng, items, days, hours, attended, subjects, schedule)
    events = _events(rng, subjects, days, leave_day)
    return SimulatedTrial(frame, events, schedule, COVARIATES)


# -- enrolment -------------------------------------------------------------------------------------


class _Screened(NamedTuple):
    severity: np.ndarray  # baseline severity, site shift included
    site: np.ndarray  # index into _SITE_SHIFT
    profile: np.ndarray  # MADRS item shares, subject x item
    screening: np.ndarray  # latent screening MADRS total
    items: np.ndarray  # screening MADRS items, subject x item


def _enrol(rng: np.random.Generator, n_per_arm: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Screen and randomise the participants.

    Returns the subjects (one row each, in enrolment order), their latent MADRS totals
    (subject x MADRS visit) and their MADRS items (subject x MADRS visit x item).
    """
    n = 2 * n_per_arm
    screened = _screen(rng, n)
    width = max(3, len(str(n)))
    subjects = pd.DataFrame(
        {
            "subject": [f"S{k:0{width}d}" for k in range(1, n + 1)],
            "arm": rng.permutation(np.repeat(np.array(ARMS), n_per_arm)),
            "sex": np.where(rng.random(n) < 0.6, "F", "M"),
            "age": np.clip(np.rint(rng.normal(40, 12, n)), 18, 65).astype(np.int64),
            "site": [f"{s + 1:02d}" for s in screened.site],
            "severity": screened.severity,
            "placebo_response": _multiplier(rng, _PLACEBO_RESPONSE_SHAPE, n),
            "dmt_response": _multiplier(rng, _DMT_RESPONSE_SHAPE, n),
        }
    )
    latent = np.column_stack([screened.screening, _madrs_after_screening(rng, subjects)])
    later = _spread(rng, latent[:, 1:], screened.profile, _item_max("madrs"))
    return subjects, latent, np.concatenate([screened.items[:, None, :], later], axis=1)


def _multiplier(rng: np.random.Generator, shape: float, n: int) -> np.ndarray:
    """Gamma draws with mean 1 and SD ``1 / sqrt(shape)``."""
    return rng.gamma(shape, 1 / shape, n)


def _screen(rng: np.random.Generator, n: int) -> _Screened:
    """Draw candidates until ``n`` have a screening MADRS total of at least 20."""
    batches: list[_Screened] = []
    while sum(len(b.severity) for b in batches) < n:
        site = rng.integers(0, len(_SITE_SHIFT), n)
        severity = rng.normal(_SEVERITY_MEAN, _SEVERITY_SD, n) + np.take(_SITE_SHIFT, site)
        profile = _profiles(rng, n, _MADRS_ITEM_MEANS)
        screening = severity + _SCREENING_INFLATION + rng.normal(0, _ERROR_SD, n)
        items = _spread(rng, screening[:, None], profile, _item_max("madrs"))[:, 0, :]
        eligible = items.sum(axis=1) >= _INCLUSION_MADRS
        drawn = (severity, site, profile, screening, items)
        batches.append(_Screened(*(a[eligible] for a in drawn)))
    return _Screened(*(np.concatenate(parts)[:n] for parts in zip(*batches, strict=True)))


# -- outcomes --------------------------------------------------------------------------------------


def _madrs_after_screening(rng: np.random.Generator, subjects: pd.DataFrame) -> np.ndarray:
    """Latent MADRS totals from BASELINE on, subject x visit."""
    after = _MADRS_VISITS[1:]
    nominal = np.array([_BY_NAME[v].day for v in after], dtype=float)
    corr = np.exp(-np.abs(nominal[:, None] - nominal[None, :]) / _ERROR_DAYS)
    error = rng.standard_normal((len(subjects), len(after))) @ np.linalg.cholesky(corr).T
    placebo = np.array([_PLACEBO_CHANGE.get(v, 0.0) for v in after])
    effect = np.array([_DMT_EFFECT.get(v, 0.0) for v in after])
    dmt_response = _on_dmt(subjects) * subjects["dmt_response"].to_numpy()
    return (
        subjects["severity"].to_numpy()[:, None]
        + _ERROR_SD * error
        + subjects["placebo_response"].to_numpy()[:, None] * placebo
        + dmt_response[:, None] * effect
    )


def _assessments(
    rng: np.random.Generator, subjects: pd.DataFrame, latent: np.ndarray, madrs: np.ndarray
) -> pd.DataFrame:
    """Item responses of every scheduled assessment, attended or not: one row per assessment."""
    n = len(subjects)
    gad = (
        12
        + 0.3 * (latent - _SEVERITY_MEAN)
        + rng.normal(0, 2.5, (n, 1))
        + rng.normal(0, 1.5, latent.shape)
    )
    gad_items = _spread(rng, gad, _profiles(rng, n, _GAD7_ITEM_MEANS), _item_max("gad7"))
    return pd.concat(
        [
            _rows("madrs", _MADRS_VISITS, madrs),
            _rows("gad7", _MADRS_VISITS, gad_items),
            _rows("neo-ffi-n", ("BASELINE", "WEEK 12"), _neuroticism(rng, subjects)),
            _rows("meq30", ("DOSE 1", "DOSE 2"), _mystical(rng, subjects)),
        ],
        ignore_index=True,
    )


def _neuroticism(rng: np.random.Generator, subjects: pd.DataFrame) -> np.ndarray:
    """NEO-FFI-N items as recorded (reverse-keyed items unreversed), subject x visit x item."""
    n = len(subjects)
    baseline = 30 + 0.3 * (subjects["severity"].to_numpy() - _SEVERITY_MEAN) + rng.normal(0, 6, n)
    fall = 1 + 2 * _on_dmt(subjects) * subjects["dmt_response"].to_numpy()
    week12 = baseline - fall + rng.normal(0, 2.5, n)
    profile = _profiles(rng, n, _NEO_ITEM_MEANS)
    keyed = _spread(rng, np.column_stack([baseline, week12]), profile, _item_max("neo-ffi-n"))
    items = instruments.get("neo-ffi-n").items
    reverse = np.array([i.reverse for i in items])
    turned = np.array([i.min + i.max for i in items]) - keyed
    return np.where(reverse, turned, keyed)


def _mystical(rng: np.random.Generator, subjects: pd.DataFrame) -> np.ndarray:
    """MEQ-30 items after each dosing session, subject x session x item."""
    n, k = len(subjects), len(instruments.get("meq30").items)
    mean = (
        subjects["arm"].map(_MEQ_MEAN).to_numpy()
        + _on_dmt(subjects) * _MEQ_PER_DMT_RESPONSE * (subjects["dmt_response"].to_numpy() - 1)
        + rng.normal(0, 0.5, n)
    )
    item_shift = rng.normal(0, 0.3, k)
    raw = (
        mean[:, None, None]
        + rng.normal(0, 0.25, (n, 2, 1))
        + (item_shift - item_shift.mean())
        + rng.normal(0, 0.6, (n, 2, k))
    )
    return _round_at_random(rng, np.clip(raw, 0, _item_max("meq30")))


def _on_dmt(subjects: pd.DataFrame) -> np.ndarray:
    return (subjects["arm"] == "DMT").to_numpy()


def _item_max(instrument: str) -> float:
    return max(i.max for i in instruments.get(instrument).items)


def _profiles(rng: np.random.Generator, n: int, item_means: tuple[float, ...]) -> np.ndarray:
    """Each subject's share of the total per item: Dirichlet around the typical shares."""
    shares = np.asarray(item_means) / sum(item_means)
    return rng.dirichlet(_PROFILE_CONCENTRATION * shares, n)


def _spread(
    rng: np.random.Generator, total: np.ndarray, profile: np.ndarray, top: float
) -> np.ndarray:
    """Items (subject x visit x item) from latent totals (subject x visit) and item profiles."""
    return _round_at_random(rng, np.clip(total[:, :, None] * profile[:, None, :], 0, top))


def _round_at_random(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Round down or up, up with probability equal to the fractional part (unbiased)."""
    low = np.floor(x)
    return low + (rng.random(x.shape) < x - low)


def _rows(instrument: str, visits: tuple[str, ...], values: np.ndarray) -> pd.DataFrame:
    """Long rows (``_i`` = subject position, ``visit``, ``instrument``, item codes)."""
    n, n_visits, _ = values.shape
    out = pd.DataFrame(
        values.reshape(n * n_visits, -1), columns=instruments.get(instrument).item_codes
    )
    out.insert(0, "_i", np.repeat(np.arange(n), n_visits))
    out.insert(1, col.VISIT, np.tile(visits, n))
    out.insert(2, col.INSTRUMENT, instrument)
    return out


# -- visits, dropout and events --------------------------------------------------------------------


def _visit_days(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actual study days and hours since the last dose, subject x visit in schedule order."""
    days: dict[str, np.ndarray] = {}
    for v in _VISITS:
        if v.follows is not None:
            days[v.name] = days[v.follows] + (v.day - _BY_NAME[v.follows].day)
        else:
            shift = np.rint(rng.normal(0, v.jitter / 2, n)) if v.jitter else np.zeros(n)
            days[v.name] = np.clip(v.day + shift, *v.window).astype(np.int64)
    dose_day = {v.session: days[v.name] for v in _VISITS if v.phase == "dosing"}
    hours: dict[str, np.ndarray] = {}
    for v in _VISITS:
        hours[v.name] = np.full(n, np.nan)
        if v.session > 0:
            dosing = v.phase == "dosing"
            since = (
                (days[v.name] - dose_day[v.session]) * 24
                + (1.0 if dosing else 0.0)
                + rng.normal(0, 0.2 if dosing else 2.0, n)
            )
            hours[v.name] = np.maximum(np.round(since, 1), 0.1)
    return pd.DataFrame(days), pd.DataFrame(hours)


def _leave_days(
    rng: np.random.Generator, subjects: pd.DataFrame, days: pd.DataFrame, dropout: float
) -> np.ndarray:
    """Discontinuation day of each subject, NaN for completers."""
    n = len(subjects)
    leaves = rng.random(n) < dropout * subjects["arm"].map(_DROPOUT_RATIO).to_numpy()
    missed = np.array([days.columns.get_loc(v) for v in _MISSABLE])[
        rng.integers(0, len(_MISSABLE), n)
    ]
    table = days.to_numpy()
    rows = np.arange(n)
    day = rng.integers(table[rows, missed - 1] + 1, table[rows, missed] + 1)
    return np.where(leaves, day, np.nan)


def _attendance(rng: np.random.Generator, days: pd.DataFrame, leave_day: np.ndarray) -> np.ndarray:
    """Whether each scheduled visit (subject x visit) took place."""
    in_study = ~(days.to_numpy() >= leave_day[:, None])
    missable = days.columns.isin(_MISSABLE)
    missed = missable & (rng.random(days.shape) < _MISSED_VISIT_P)
    return in_study & ~missed


def _events(
    rng: np.random.Generator, subjects: pd.DataFrame, days: pd.DataFrame, leave_day: np.ndarray
) -> pd.DataFrame:
    """Discontinuations, rescue medication and unblinding, sorted by subject and day."""
    n = len(subjects)
    arm = subjects["arm"]
    left = ~np.isnan(leave_day)
    end = days[_VISITS[-1].name].to_numpy() + 1
    until = np.where(left, leave_day, end).astype(np.int64)
    reason = _choose(rng, _DROPOUT_REASONS, np.array([_DROPOUT_REASON_P[a] for a in arm]))
    rescue_day = rng.integers(9, end)
    rescued = (rng.random(n) < arm.map(_RESCUE_P).to_numpy()) & (rescue_day < until)
    unblind_day = rng.integers(1, until)
    n_unblinded = max(1, round(_UNBLINDING_P * n))
    unblinded = np.isin(np.arange(n), rng.choice(n, n_unblinded, replace=False))
    unblind_reason = _choose(rng, _UNBLINDING_REASONS, np.full((n, 2), 0.5))
    events = pd.concat(
        [
            _event_rows(subjects, left, "discontinuation", until, reason),
            _event_rows(
                subjects, rescued, "rescue medication", rescue_day, np.full(n, "SSRI started")
            ),
            _event_rows(subjects, unblinded, "unblinding", unblind_day, unblind_reason),
        ],
        ignore_index=True,
    )
    return events.sort_values([col.SUBJECT, "day"], kind="stable").reset_index(drop=True)


def _choose(rng: np.random.Generator, labels: tuple[str, ...], p: np.ndarray) -> np.ndarray:
    """One label per row of ``p`` (subject x label probabilities)."""
    u = rng.random(len(p))
    index = (u[:, None] > np.cumsum(p, axis=1)[:, :-1]).sum(axis=1)
    return np.asarray(labels)[index]


def _event_rows(
    subjects: pd.DataFrame, which: np.ndarray, event: str, day: np.ndarray, detail: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            col.SUBJECT: subjects["subject"].to_numpy()[which],
            "event": event,
            "day": day[which].astype(np.int64),
            "detail": detail[which],
        },
        columns=list(col.EVENT_COLUMNS),
    )


# -- the long table --------------------------------------------------------------------------------


def _long_table(
    rng: np.random.Generator,
    items: pd.DataFrame,
    days: pd.DataFrame,
    hours: pd.DataFrame,
    attended: np.ndarray,
    subjects: pd.DataFrame,
    schedule: Schedule,
) -> pd.DataFrame:
    """The canonical long table of the attended assessments, scored, sorted and typed."""
    n, n_visits = days.shape
    visits = pd.DataFrame(
        {
            "_i": np.repeat(np.arange(n), n_visits),
            col.VISIT: np.tile(days.columns.to_numpy(), n),
            col.STUDY_DAY: days.to_numpy().ravel(),
            col.HOURS_SINCE_DOSE: hours.to_numpy().ravel(),
        }
    )[attended.ravel()]
    rows = items.merge(visits, on=["_i", col.VISIT], how="inner")
    rows[col.VISIT] = pd.Categorical(rows[col.VISIT], categories=schedule.visit_names, ordered=True)
    order = pd.Categorical(rows[col.INSTRUMENT], categories=INSTRUMENTS, ordered=True)
    rows = rows.assign(_order=order).sort_values(["_i", col.VISIT, "_order"], kind="stable")
    rows = _blank_items(rng, rows.drop(columns="_order").reset_index(drop=True))
    return _typed(pd.concat([rows, _totals(rows)], axis=1), subjects, schedule)


def _blank_items(rng: np.random.Generator, rows: pd.DataFrame) -> pd.DataFrame:
    """Leave one item blank in a small share of the questionnaires."""
    blank = rng.random(len(rows)) < _BLANK_ITEM_P
    pick = rng.random(len(rows))
    out = rows.copy()
    for name in INSTRUMENTS:
        codes = np.array(instruments.get(name).item_codes)
        hit = np.flatnonzero(blank & (rows[col.INSTRUMENT] == name).to_numpy())
        chosen = codes[(pick[hit] * len(codes)).astype(int)]
        for code in np.unique(chosen):
            out.loc[hit[chosen == code], code] = np.nan
    return out


def _totals(rows: pd.DataFrame) -> pd.DataFrame:
    """``total`` and ``total_source`` of every row, scored from its items."""
    parts = []
    for name in INSTRUMENTS:
        inst = instruments.get(name)
        mine = rows.loc[rows[col.INSTRUMENT] == name, inst.item_codes]
        parts.append(instruments.score(inst, mine))
    totals = pd.concat(parts).reindex(rows.index)
    return totals.rename(columns={"total": col.TOTAL, "total_source": col.TOTAL_SOURCE})


def _typed(rows: pd.DataFrame, subjects: pd.DataFrame, schedule: Schedule) -> pd.DataFrame:
    """Columns in canonical order with their documented dtypes."""
    n = len(rows)
    planned = {v.name: v for v in schedule.visits}
    names = rows[col.VISIT].astype(str)
    who = subjects.iloc[rows["_i"].to_numpy()].reset_index(drop=True)
    item_codes = [c for name in INSTRUMENTS for c in instruments.get(name).item_codes]
    core = pd.DataFrame(
        {
            col.SUBJECT: who["subject"].astype(str),
            col.ARM: pd.Categorical(who["arm"], categories=list(ARMS)),
            col.VISIT: rows[col.VISIT],
            col.VISIT_NUM: names.map(lambda v: planned[v].number).astype(float),
            col.STUDY_DAY: rows[col.STUDY_DAY].astype(np.int64),
            col.SESSION: names.map(lambda v: planned[v].session).astype(np.int64),
            col.PHASE: pd.Categorical(names.map(lambda v: planned[v].phase)),
            col.HOURS_SINCE_DOSE: rows[col.HOURS_SINCE_DOSE].astype(float),
            col.PERIOD_TREATMENT: pd.Categorical([pd.NA] * n),
            col.PERIOD: pd.array([pd.NA] * n, dtype="Int64"),
            col.INSTRUMENT: pd.Categorical(rows[col.INSTRUMENT]),
            col.TOTAL: rows[col.TOTAL].astype(float),
            col.TOTAL_SOURCE: pd.Categorical(rows[col.TOTAL_SOURCE]),
            col.SOURCE_ROW: np.arange(1, n + 1, dtype=np.int64),
        }
    )
    covariates = who[list(COVARIATES)].astype({"sex": str, "age": np.int64, "site": str})
    return pd.concat([core, rows[item_codes].astype(float), covariates], axis=1)
