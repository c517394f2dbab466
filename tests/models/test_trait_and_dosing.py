"""Trait change and repeated dosing against R 4.2.2 (``tests/reference/paired/paired.R``).

R: ``t.test(paired = TRUE)``, ``wilcox.test(paired = TRUE)`` (normal approximation with
continuity and tie corrections in every cell here: all have ties), effectsize 0.8.3's paired
``cohens_d`` (d_z), ``lm`` + emmeans 1.8.4-1 for the ANCOVA and the MEQ-30 predictor and moderator
models, and two one-sided ``t.test`` calls for the TOST. Data: ``sample_subjects.csv`` (written
by ``make_data.py`` from ``outcomes.load_sample()``, default seed); complete pairs, as in R.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.endpoints.dosing import (
    count_active_doses,
    dose_equivalence,
    session_response,
    session_visits,
)
from outcomes.models.endpoints.paired import paired_change, subject_scores
from outcomes.models.endpoints.trait import trait_change

REF = Path(__file__).parents[1] / "reference" / "paired"
WITHIN = {  # ours -> R's column in within.csv
    "n": "n",
    "mean_pre": "mean_pre",
    "mean_post": "mean_post",
    "mean_change": "mean_change",
    "sd_change": "sd_change",
    "statistic": "t_statistic",
    "df": "t_df",
    "p_value": "t_p_value",
    "conf_low": "t_conf_low",
    "conf_high": "t_conf_high",
    "wilcoxon_statistic": "wilcox_V",
    "wilcoxon_p_value": "wilcox_p_value",
    "d_z": "d_z",
    "d_z_conf_low": "d_z_conf_low",
    "d_z_conf_high": "d_z_conf_high",
}


@pytest.fixture(scope="module")
def trial() -> outcomes.TrialData:
    return outcomes.load_sample()


@pytest.fixture(scope="module")
def trait(trial) -> outcomes.models.endpoints.trait.TraitChange:  # noqa: ANN001
    return trait_change(
        trial,
        instrument="neo-ffi-n",
        pre="BASELINE",
        post="WEEK 12",
        acute={"meq_1": ("meq30", "DOSE 1"), "meq_mean": ("meq30", ["DOSE 1", "DOSE 2"])},
        reference="PLACEBO",
    )


def _within_ref(analysis: str) -> pd.DataFrame:
    ref = pd.read_csv(REF / "within.csv")
    return ref[ref["analysis"] == analysis].set_index("arm")


def _compare(ours: pd.DataFrame, ref: pd.DataFrame, columns: dict[str, str]) -> None:
    """At 1e-7: the MEQ-30 scores reach R through a CSV with 10 significant digits, which moves
    the regression coefficients by ~1e-9; the d_z limits at 1e-6, both sides solving for a
    noncentrality parameter numerically (absolute 1e-6 near 0)."""
    for mine, theirs in columns.items():
        np.testing.assert_allclose(
            ours[mine].to_numpy(float),
            ref[theirs].to_numpy(float),
            rtol=1e-6 if mine.startswith("d_z_conf") else 1e-7,
            atol=1e-6 if mine.startswith("d_z_conf") else 1e-12,
            err_msg=mine,
        )


def test_subject_table_is_the_r_input(trait) -> None:  # noqa: ANN001
    """Our per-subject scores are the rows R read (written independently by make_data.py)."""
    r_input = pd.read_csv(REF / "sample_subjects.csv").set_index("subject")
    ours = trait.data.set_index("subject")
    np.testing.assert_allclose(ours["pre"], r_input["neo_pre"])
    np.testing.assert_allclose(ours["post"], r_input["neo_post"])
    np.testing.assert_allclose(ours["meq_1"], r_input["meq_1"], rtol=1e-9)


def test_trait_within_arm_matches_r(trait) -> None:  # noqa: ANN001
    ours = trait.within.set_index("arm")
    ref = _within_ref("trait").loc[ours.index]
    _compare(ours, ref, WITHIN)
    assert ours["n_excluded"].tolist() == [5, 3]
    assert trait.notes[0].startswith("8 subjects without both neo-ffi-n")


def test_trait_between_arms_matches_lm_and_emmeans(trait) -> None:  # noqa: ANN001
    ref = pd.read_csv(REF / "trait_between.csv")
    ref = ref[ref["model"] == "post"].iloc[0]
    ours = trait.between.iloc[0]
    assert ours["contrast"] == "DMT - PLACEBO"
    for mine, theirs in [
        ("estimate", "estimate"),
        ("std_error", "std_error"),
        ("df", "df"),
        ("p_value", "p_value"),
        ("conf_low", "conf_low"),
        ("conf_high", "conf_high"),
    ]:
        assert ours[mine] == pytest.approx(ref[theirs], rel=1e-8), mine
    lsm = pd.read_csv(REF / "trait_lsmeans.csv")
    lsm = lsm[lsm["model"] == "post"]
    np.testing.assert_allclose(trait.lsmeans["estimate"], lsm["emmean"], rtol=1e-9)
    np.testing.assert_allclose(trait.lsmeans["std_error"], lsm["SE"], rtol=1e-8)


@pytest.mark.parametrize(
    ("score", "model", "r_model"),
    [
        ("meq_1", "predictor", "predictor"),
        ("meq_1", "moderator", "moderator"),
        ("meq_mean", "predictor", "predictor_mean"),
        ("meq_mean", "moderator", "moderator_mean"),
    ],
)
def test_acute_experience_models_match_lm(trait, score, model, r_model) -> None:  # noqa: ANN001
    ref = pd.read_csv(REF / "trait_predictors.csv")
    ref = ref[ref["model"] == r_model].reset_index(drop=True)
    ours = trait.predictors
    ours = ours[(ours["score"] == score) & (ours["model"] == model)].reset_index(drop=True)
    names = ref["term"].str.replace("neo_pre", "pre").tolist()
    assert ours["term"].tolist() == names
    _compare(
        ours,
        ref,
        {
            c: c
            for c in (
                "estimate",
                "std_error",
                "statistic",
                "df",
                "p_value",
                "conf_low",
                "conf_high",
            )
        },
    )


def test_session_visits_come_from_the_schedule(trial) -> None:  # noqa: ANN001
    assert session_visits(trial, instrument="madrs") == {
        1: ("BASELINE", "DAY 2"),
        2: ("WEEK 2", "DAY 16"),
    }


@pytest.mark.parametrize("session", [1, 2])
def test_session_response_matches_r(trial, session) -> None:  # noqa: ANN001
    table = session_response(trial, instrument="madrs")
    ours = table[table["session"] == session].set_index("arm")
    ref = _within_ref(f"session_{session}").loc[ours.index]
    _compare(ours, ref, WITHIN)


@pytest.mark.parametrize("margin", [3.0, 5.0])
def test_dose_equivalence_matches_two_one_sided_t_tests(trial, margin) -> None:  # noqa: ANN001
    ref = pd.read_csv(REF / "tost.csv")
    ref = ref[ref["margin"] == margin].set_index("arm").loc[["PLACEBO", "DMT", "all"]]
    ours = dose_equivalence(trial, margin=margin, instrument="madrs")
    _compare(
        ours,
        ref,
        {
            "n": "n",
            "mean_difference": "mean_diff",
            "sd_difference": "sd_diff",
            "statistic_lower": "t_lower",
            "p_lower": "p_lower",
            "statistic_upper": "t_upper",
            "p_upper": "p_upper",
            "p_value": "p_tost",
            "df": "df",
            "conf_low": "conf_low",
            "conf_high": "conf_high",
        },
    )
    assert ours["equivalent"].tolist() == ref["equivalent"].tolist()


def test_equivalence_is_shown_when_the_interval_is_inside_the_margin() -> None:
    """Constructed: 40 subjects whose second-dose change equals the first's +-1 point; the 90%
    interval of the mean difference is within +-0.3, so a margin of 3 shows equivalence and
    one of 0.1 does not."""
    rng = np.random.default_rng(4)
    first = rng.normal(-8, 4, 40)
    second = first + rng.choice([-1.0, 1.0], 40)
    rows = []
    for i in range(40):
        for visit, session, phase, total in [
            ("PRE 1", 0, "baseline", 30.0),
            ("POST 1", 1, "post-dose", 30 + first[i]),
            ("PRE 2", 1, "post-dose", 20.0),
            ("POST 2", 2, "post-dose", 20 + second[i]),
        ]:
            rows.append(
                {
                    "subject": f"S{i}",
                    "arm": "DMT",
                    "instrument": "madrs",
                    "visit": visit,
                    "visit_num": len(rows) % 4,
                    "session": session,
                    "phase": phase,
                    "total": total,
                }
            )
    frame = pd.DataFrame(rows)
    sessions = {1: ("PRE 1", "POST 1"), 2: ("PRE 2", "POST 2")}
    assert session_visits(frame, instrument="madrs") == {
        1: ("PRE 1", "POST 1"),
        2: ("PRE 2", "POST 2"),
    }
    wide = dose_equivalence(frame, margin=3.0, sessions=sessions, instrument="madrs", arm=None)
    narrow = dose_equivalence(frame, margin=0.1, sessions=sessions, instrument="madrs", arm=None)
    assert wide["group"].tolist() == ["all"]
    assert bool(wide["equivalent"].iloc[0]) and not bool(narrow["equivalent"].iloc[0])
    assert -3 < wide["conf_low"].iloc[0] < wide["conf_high"].iloc[0] < 3


def test_count_active_doses_in_a_two_stage_design(trial) -> None:  # noqa: ANN001
    """Stage 2 open label: everyone gets DMT at session 2, so placebo subjects have one active
    dose after it and DMT subjects two; before it, 0 and 1."""
    frame = trial.frame.copy()
    frame["period_treatment"] = frame["period_treatment"].astype(object)
    frame.loc[frame["session"] == 2, "period_treatment"] = "DMT"
    counted = count_active_doses(frame, active={"DMT"})
    madrs = counted[counted["instrument"] == "madrs"]
    at = madrs.groupby(["visit", "arm"], observed=True)["active_doses"].agg(["min", "max"])
    assert at.loc[("WEEK 4", "PLACEBO")].tolist() == [1, 1]
    assert at.loc[("WEEK 4", "DMT")].tolist() == [2, 2]
    assert at.loc[("WEEK 1", "DMT")].tolist() == [1, 1]
    assert at.loc[("BASELINE", "DMT")].tolist() == [0, 0]


def test_paired_change_edge_cases() -> None:
    one = paired_change(pd.DataFrame({"a": [1.0], "b": [2.0]}), pre="a", post="b").iloc[0]
    assert one["n"] == 1 and np.isnan(one["p_value"])
    with pytest.raises(ValueError, match="no column"):
        paired_change(pd.DataFrame({"a": [1.0]}), pre="a", post="b")


def test_bad_arguments_are_explained(trial) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="margin must be positive"):
        dose_equivalence(trial, margin=0, instrument="madrs")
    with pytest.raises(ValueError, match="sessions \\[3\\]"):
        dose_equivalence(trial, margin=3, second=3, instrument="madrs")
    with pytest.raises(ValueError, match="no 'edi' rows"):
        subject_scores(trial, {"edi": ("edi", "DOSE 1")})
    with pytest.raises(ValueError, match="reference level 'SSRI'"):
        trait_change(trial, instrument="neo-ffi-n", reference="SSRI")
    with pytest.raises(ValueError, match="are taken"):
        trait_change(trial, instrument="neo-ffi-n", acute={"pre": ("meq30", "DOSE 1")})
