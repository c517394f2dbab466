"""LOCF, BOCF and WOCF: legacy single imputations, flagged, never the default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import outcomes

PILOT = Path(__file__).parents[1] / "datasets" / "cdisc-pilot01"


def toy() -> outcomes.TrialData:
    # Subject A: baseline 20, week 1 12, then missing; B: baseline 30, week 1 34 (worse), week 2
    # missing, week 3 25; C: baseline only. Higher is worse on the GAD-7 (total 0-21 here via the
    # total column).
    raw = pd.DataFrame(
        {
            "subject": ["A", "A", "B", "B", "B", "C", "D", "D", "D", "D"],
            "arm": ["X", "X", "Y", "Y", "Y", "X", "Y", "Y", "Y", "Y"],
            "visit": ["W0", "W1", "W0", "W1", "W3", "W0", "W0", "W1", "W2", "W3"],
            "day": [1, 8, 1, 8, 22, 1, 1, 8, 15, 22],
            "gad7_total": [10, 6, 15, 17, 12, 9, 8, 7, 6, 5],
        }
    )
    return outcomes.from_frame(raw)


def by_key(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    rows = frame[frame["dtype"].notna()]
    keys = zip(rows["subject"], rows["visit"].astype(str), strict=True)
    return dict(zip(keys, rows["total"], strict=True))


def test_locf_carries_the_last_total_after_the_dose() -> None:
    derived = outcomes.derive(toy(), carry="locf")
    # By hand: A's week 1 (6) to weeks 2 and 3; B's week 1 (17) to week 2; C has no total after
    # the dose, so nothing to carry; D is complete.
    assert by_key(derived.frame) == {("A", "W2"): 6, ("A", "W3"): 6, ("B", "W2"): 17}
    a3 = derived.frame.query("subject == 'A' and visit == 'W3'")
    assert a3["chg"].tolist() == [-4.0]  # 6 - baseline 10
    assert set(derived.frame.loc[derived.frame["dtype"].notna(), "dtype"]) == {"LOCF"}
    assert any("LOCF: 3 missing totals filled" in n for n in derived.notes)


def test_bocf_and_wocf() -> None:
    bocf = by_key(outcomes.derive(toy(), carry="bocf").frame)
    assert bocf == {
        ("A", "W2"): 10,
        ("A", "W3"): 10,
        ("B", "W2"): 15,
        ("C", "W1"): 9,
        ("C", "W2"): 9,
        ("C", "W3"): 9,
    }
    wocf = by_key(outcomes.derive(toy(), carry="wocf").frame)
    # The worst so far, baseline included: A max(10, 6) = 10; B max(15, 17) = 17; C 9.
    assert wocf == {
        ("A", "W2"): 10,
        ("A", "W3"): 10,
        ("B", "W2"): 17,
        ("C", "W1"): 9,
        ("C", "W2"): 9,
        ("C", "W3"): 9,
    }


def test_never_the_default_and_refused_by_name() -> None:
    derived = outcomes.derive(toy())
    assert "dtype" not in derived.frame
    with pytest.raises(ValueError, match="carry='lcof'"):
        outcomes.derive(toy(), carry="lcof")


def test_locf_reproduces_the_cdisc_pilots_locf_records() -> None:
    trial = outcomes.read(
        PILOT / "adqsadas.xpt",
        instrument="adas-cog11",
        subjects=PILOT / "adsl.xpt",
        population="EFFFL",
        allow_identifiers=["TRTSDT", "TRTEDT", "ADT"],
    )
    frame = outcomes.derive(trial, carry="locf").frame
    ours = frame[frame["dtype"] == "LOCF"]
    ours = ours.set_index(["subject", ours["visit"].astype(str)])["total"].sort_index()
    sponsor, _ = pyreadstat.read_xport(PILOT / "adqsadas.xpt")
    sponsor = sponsor.replace("", np.nan)
    theirs = sponsor[
        (sponsor["PARAMCD"] == "ACTOT")
        & (sponsor["DTYPE"] == "LOCF")
        & (sponsor["ANL01FL"] == "Y")
        & (sponsor["EFFFL"] == "Y")
    ].set_index(["USUBJID", "AVISIT"])["AVAL"]
    assert len(ours) == len(theirs) == 163
    pd.testing.assert_series_equal(
        ours, theirs.sort_index(), check_names=False, check_index_type=False
    )
